"""The project's own plumbing: README commands, CI entry point, manifest, layout."""

import ast
import os
import re
import subprocess

from conftest import ADDON, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _quick_start_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_readme_quick_start_has_exactly_two_commands():
    assert _quick_start_commands() == ["./dev demo", "./dev test"]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _quick_start_commands()[1]
    assert re.search(rf"^\s*(exec\s+)?{re.escape(test_command)}\b", ci, re.M), ci
    assert os.access(REPO / ".ci" / "run", os.X_OK) or ci.startswith("#!")


def test_manifest_follows_oca_and_project_rules():
    manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", manifest["version"])
    assert manifest["license"] == "LGPL-3"
    assert {"account", "portal", "mail"} <= set(manifest["depends"])
    for data_file in manifest["data"] + manifest.get("demo", []):
        assert (ADDON / data_file).is_file(), data_file
    data = manifest["data"]
    security = [
        index for index, path in enumerate(data) if path.startswith("security/")
    ]
    views = [index for index, path in enumerate(data) if path.startswith("views/")]
    assert security and max(security) < min(views), "security files load before views"


def test_addon_layout():
    for folder in (
        "models",
        "views",
        "data",
        "security",
        "report",
        "controllers",
        "wizard",
        "i18n",
        "tests",
        "readme",
        "lib",
        "static/description",
    ):
        assert (ADDON / folder).is_dir(), folder
    assert (ADDON / "static" / "description" / "icon.png").is_file()
    for language in ("fa", "ar", "he"):
        assert (ADDON / "i18n" / f"{language}.po").is_file()
    assert not (ADDON / "i18n" / "en.po").exists()


def test_no_odoo_source_is_tracked():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [path for path in tracked if path.endswith("odoo-bin")]
    assert not [
        path for path in tracked if path.startswith(("odoo/", "addons/account/"))
    ]


def _dev_setup(tmp_path, **env):
    return subprocess.run(
        [str(REPO / "dev"), "setup"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_missing_odoo_fails_loudly(tmp_path):
    result = _dev_setup(
        tmp_path,
        ODOO_SRC=str(tmp_path / "no-odoo-here"),
        ODOO_GIT_URL=f"file://{tmp_path}/no-such-repository",
    )
    assert result.returncode != 0
    assert "Odoo 18" in result.stderr and "ODOO_SRC" in result.stderr


def test_wrong_odoo_version_fails_loudly(tmp_path):
    fake = tmp_path / "odoo-17"
    (fake / "odoo").mkdir(parents=True)
    (fake / "odoo-bin").write_text("#!/bin/sh\n")
    (fake / "odoo" / "release.py").write_text(
        "version_info = (17, 0, 0, 'final', 0, '')\n"
    )
    result = _dev_setup(tmp_path, ODOO_SRC=str(fake))
    assert result.returncode != 0
    assert "not Odoo 18" in result.stderr
