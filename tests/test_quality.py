"""Quality gate: ruff, ruff-format, OCA's mandatory pylint-odoo checks; 0 findings."""

import subprocess

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
