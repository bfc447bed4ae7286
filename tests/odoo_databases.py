"""Throw-away databases of the repo-level tests: installing the demo as
./dev demo does, running odoo shell scripts that print their result, dropping.

Shared by test_lifecycle (a fresh demo), test_upgrade_and_faults (the previous
release's demo, updated) and test_wheels."""

import json
import subprocess

from conftest import REPO

# A shell script prints its result as one line: SNAPSHOT<json>.
RESULT_PREFIX = "SNAPSHOT"


def ok(result):
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def shell(odoo_cli, database, script, *options):
    """Run ``script`` in ``odoo shell`` on ``database`` (``options`` first, e.g.
    the addons path of another release); returns what it printed after
    RESULT_PREFIX, decoded from JSON."""
    result = odoo_cli("shell", *options, "-d", database, "--no-http", stdin=script)
    assert result.returncode == 0, result.stderr[-4000:]
    payload = [
        line for line in result.stdout.splitlines() if line.startswith(RESULT_PREFIX)
    ]
    assert payload, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads(payload[-1][len(RESULT_PREFIX) :])


def install_demo(odoo_cli, database, *options):
    """Create ``database`` with settlement_mgmt and its demo data, as ./dev demo
    does (``options`` go first, e.g. another --addons-path); returns the
    finished install for its log."""
    result = odoo_cli(
        *options,
        "-d",
        database,
        "-i",
        "settlement_mgmt",
        "--stop-after-init",
        "--log-level=warn",
    )
    ok(result)
    # Odoo logs a failing demo file as a warning and installs the module
    # without its demo: the log is the only place that says so.
    assert "demo data failed to install" not in result.stderr, result.stderr[-3000:]
    return result


def drop(database):
    subprocess.run(
        [
            str(REPO / "dev"),
            "psql",
            "-d",
            "postgres",
            "-c",
            f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
        ],
        capture_output=True,
        check=False,
    )
