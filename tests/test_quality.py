"""Quality gate: ruff, ruff-format, OCA's mandatory pylint-odoo checks; 0 findings.

Also what needs no database: fa/ar/he complete, the generated addon pages up
to date with readme/, and .pre-commit-config.yaml running the same checks.
"""

import re
import subprocess
import sys

import docutils
from conftest import REPO

PYTHON_TREES = ["addons", "scripts", "tests", "bench"]


def _run(command):
    result = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, check=False
    )
    return result.returncode, result.stdout + result.stderr


def _existing(trees):
    return [tree for tree in trees if (REPO / tree).exists()]


def test_ruff_lint(venv_bin):
    code, output = _run([str(venv_bin / "ruff"), "check", *_existing(PYTHON_TREES)])
    assert code == 0, output


def test_ruff_format(venv_bin):
    code, output = _run(
        [str(venv_bin / "ruff"), "format", "--check", *_existing(PYTHON_TREES)]
    )
    assert code == 0, output


def test_pylint_odoo_mandatory_checks(venv_bin):
    addons = sorted(
        str(path.parent) for path in (REPO / "addons").glob("*/__manifest__.py")
    )
    code, output = _run(
        [str(venv_bin / "pylint"), "--rcfile", str(REPO / ".pylintrc"), *addons]
    )
    assert code == 0 and not output.strip(), output


def _addon_dirs():
    return sorted(path.parent for path in (REPO / "addons").glob("*/__manifest__.py"))


def test_translations_complete_without_a_database():
    code, output = _run([sys.executable, str(REPO / "scripts/check_translations.py")])
    assert code == 0, output


def test_addon_pages_are_generated_from_readme():
    """README.rst and static/description/index.html (the Apps page) follow
    readme/*.md and the manifest: ./dev readme regenerates them."""
    code, output = _run(
        [sys.executable, str(REPO / "scripts/gen_addon_readme.py"), "--check"]
    )
    assert code == 0, output


def test_description_pages_show_small_images_that_exist():
    for addon_dir in _addon_dirs():
        description = addon_dir / "static" / "description"
        html = (description / "index.html").read_text(encoding="utf-8")
        for source in re.findall(r'<img [^>]*src="([^"]+)"', html):
            assert "/" not in source, (addon_dir.name, source)
            assert (description / source).is_file(), (addon_dir.name, source)
        assert (description / "icon.png").is_file(), addon_dir.name
        for image in description.glob("*.png"):
            assert image.stat().st_size < 150_000, f"{image} is too large"
        assert (addon_dir / "readme" / "HISTORY.md").is_file(), addon_dir.name
        version = re.search(
            r'"version": "([^"]+)"', (addon_dir / "__manifest__.py").read_text()
        ).group(1)
        history = (addon_dir / "readme" / "HISTORY.md").read_text(encoding="utf-8")
        assert history.startswith(f"## {version} "), (
            f"{addon_dir.name}: readme/HISTORY.md starts with the manifest's "
            f"version {version}"
        )


def test_pre_commit_runs_the_quality_gate():
    """The hooks run the commands above, at requirements-dev.txt's versions."""
    config = (REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    pins = dict(
        re.findall(
            r"^([A-Za-z0-9_.-]+)==(\S+)",
            (REPO / "requirements-dev.txt").read_text(),
            re.M,
        )
    )
    hooks = {
        hook_id: block
        for hook_id, block in re.findall(
            r"- id: (\S+)\n(.*?)(?=\n\s*- id: |\Z)", config, re.S
        )
    }
    trees = " ".join(PYTHON_TREES)
    expected = {
        "ruff": (f"ruff check {trees}", f"ruff=={pins['ruff']}"),
        "ruff-format": (f"ruff format {trees}", f"ruff=={pins['ruff']}"),
        "pylint-odoo": (
            "pylint --rcfile=.pylintrc $(dirname addons/*/__manifest__.py)",
            f"pylint-odoo=={pins['pylint-odoo']}",
        ),
        "translations": ("python scripts/check_translations.py", "polib"),
        "addon-pages": ("python scripts/gen_addon_readme.py --check", "docutils=="),
    }
    assert sorted(hooks) == sorted(expected), sorted(hooks)
    for hook_id, (command, dependency) in expected.items():
        assert command in hooks[hook_id], (hook_id, hooks[hook_id])
        assert dependency in hooks[hook_id], (hook_id, hooks[hook_id])
    assert f"docutils=={docutils.__version__}" in hooks["addon-pages"]
