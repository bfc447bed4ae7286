"""Shared helpers of the repo-level tests (run by ./dev test, see README)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADDON = REPO / "addons" / "settlement_mgmt"


@pytest.fixture(scope="session")
def odoo_cli():
    """Run ``odoo-bin`` with the project's configuration, as ./dev does."""
    conf = os.environ.get("SETTLEMENT_ODOO_CONF")
    if not conf:
        pytest.fail("SETTLEMENT_ODOO_CONF is not set: run the tests with ./dev test")

    def run(*args, stdin=None, timeout=900):
        return subprocess.run(
            [str(REPO / "dev"), "odoo", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def venv_bin():
    """Directory of the tools installed in the project's virtualenv."""
    return Path(sys.executable).parent
