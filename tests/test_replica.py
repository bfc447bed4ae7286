"""A streaming replica (issue #27): ./dev replica makes one, Odoo reads from it.

A throw-away database with one customer, its portal user and a 1,000.00
invoice; ``./dev replica start`` copies the cluster (pg_basebackup) and starts
a hot standby; an Odoo server runs with ``db_replica_host`` on it.  Read-only
requests (the portal statement and its downloads, the backend's lists) are
then served from the replica:

- caught up, they show what the primary has;
- with the replica's replay paused and a payment of 123.45 committed on the
  primary, they still show the 1,000.00 owed (which proves where they were
  read), and the statement says "as of" when its figures are from;
- once the replica has caught up again, the payment shows and the notice goes.
"""

import io
import json
import os
import re
import socket
import subprocess
import time

import openpyxl
import pytest
import requests
from conftest import REPO
from odoo_databases import drop, ok, shell

pytestmark = pytest.mark.slow

PORTAL_LOGIN = "replica.customer"
PORTAL_PASSWORD = "replica-customer-2026"

MAKE_CUSTOMER = f"""
import json
from odoo import Command
partner = env['res.partner'].create({{
    'name': 'Replica Customer', 'email': 'replica@example.com', 'lang': 'en_US',
}})
env['res.users'].with_context(no_reset_password=True).create({{
    'name': partner.name, 'login': '{PORTAL_LOGIN}', 'password': '{PORTAL_PASSWORD}',
    'partner_id': partner.id,
    'groups_id': [Command.set([env.ref('base.group_portal').id])],
}})
invoice = env['account.move'].create({{
    'move_type': 'out_invoice', 'partner_id': partner.id,
    'invoice_line_ids': [Command.create({{
        'name': 'Service', 'price_unit': 1000.0, 'tax_ids': [],
    }})],
}})
invoice.action_post()
env.cr.commit()
print('SNAPSHOT' + json.dumps([invoice.id, invoice.name, invoice.amount_total]))
"""

PAY = """
import json
invoice = env['account.move'].browse({invoice_id})
env['account.payment.register'].with_context(
    active_model='account.move', active_ids=invoice.ids,
).create({{'amount': 123.45}})._create_payments()
env.cr.commit()
print('SNAPSHOT' + json.dumps(invoice.amount_residual))
"""

WARM = (REPO / "scripts" / "warm_assets.py").read_text() + "\nprint('SNAPSHOT1')\n"

AS_OF = "Figures as of"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dev(*args, env=None):
    result = subprocess.run(
        [str(REPO / "dev"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, **(env or {})},
    )
    ok(result)
    return result.stdout


def _wait_for(url, server, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert server.poll() is None, "the Odoo server stopped"
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} did not answer in {timeout} s")


def _login(base, login, password):
    session = requests.Session()
    page = session.get(f"{base}/web/login", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base}/web/login",
        data={"login": login, "password": password, "csrf_token": token},
        timeout=30,
    )
    assert answer.status_code == 200 and "/web/login" not in answer.url, answer.url
    return session


def _read(session, base, model, domain, field):
    """``field`` of the ``model`` records in ``domain``, read as the web
    client reads a list (``web_search_read``, a read-only request)."""
    answer = session.post(
        f"{base}/web/dataset/call_kw/{model}/web_search_read",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": "web_search_read",
                "args": [],
                "kwargs": {"domain": domain, "specification": {field: {}}},
            },
        },
        timeout=60,
    )
    assert answer.status_code == 200, answer.text[:2000]
    body = answer.json()
    assert "error" not in body, json.dumps(body["error"])[:2000]
    return [record[field] for record in body["result"]["records"]]


def _backend_figures(admin, base):
    """(the customer's Due Schedule residuals, the dashboard's receivables)."""
    return (
        _read(
            admin,
            base,
            "settlement.receivable.item",
            [["partner_id.name", "=", "Replica Customer"]],
            "amount_residual",
        ),
        _read(admin, base, "settlement.dashboard", [], "receivable"),
    )


@pytest.fixture(scope="module")
def replica_server(odoo_cli, tmp_path_factory):
    log = tmp_path_factory.mktemp("replica") / "odoo.log"
    database = f"settlement_replica_{os.getpid()}"
    replica = {"SETTLEMENT_REPLICA_PORT": str(_free_port())}
    http_port = _free_port()
    server = None
    try:
        ok(
            odoo_cli(
                "-d",
                database,
                "-i",
                "settlement_mgmt",
                "--without-demo=all",
                "--stop-after-init",
                "--log-level=warn",
            )
        )
        invoice = shell(odoo_cli, database, MAKE_CUSTOMER)
        # Bundles built before a threaded server meets its first request
        # (CPython gh-106905), and before the replica copies the database.
        assert shell(odoo_cli, database, WARM) == 1
        _dev("replica", "start", env=replica)
        server = subprocess.Popen(
            [
                str(REPO / "dev"),
                "odoo",
                "-d",
                database,
                f"--db-filter=^{database}$",
                f"--http-port={http_port}",
                "--db_replica_host=127.0.0.1",
                f"--db_replica_port={replica['SETTLEMENT_REPLICA_PORT']}",
                "--max-cron-threads=0",
                "--log-level=warn",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        base = f"http://127.0.0.1:{http_port}"
        _wait_for(f"{base}/web/login", server)
        yield {
            "base": base,
            "database": database,
            "invoice": invoice,
            "replica": replica,
            "log": log,
        }
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        subprocess.run(
            [str(REPO / "dev"), "replica", "drop"],
            env={**os.environ, **replica},
            capture_output=True,
            check=False,
        )
        drop(database)


def test_reads_come_from_the_replica_and_say_when_it_lags(odoo_cli, replica_server):
    base, replica = replica_server["base"], replica_server["replica"]
    invoice_id, invoice_name, total = replica_server["invoice"]
    assert total == 1000.0
    customer = _login(base, PORTAL_LOGIN, PORTAL_PASSWORD)
    admin = _login(base, "admin", "admin")

    # Caught up: what the primary has.
    page = customer.get(f"{base}/my/statement", timeout=60)
    assert page.status_code == 200
    assert invoice_name in page.text and "1,000.00" in page.text
    assert AS_OF not in page.text
    assert _backend_figures(admin, base) == ([1000.0], [1000.0])

    # The replica stops applying what it receives; a payment on the primary.
    _dev("replica", "pause", env=replica)
    pay = PAY.format(invoice_id=invoice_id)
    # 1,000.00 - 123.45, on the primary
    assert shell(odoo_cli, replica_server["database"], pay) == 876.55
    # Read from the replica: the payment is not there yet, and the statement
    # says since when its figures are (its last change applied is older than
    # the few seconds of lag any load makes).
    time.sleep(6)
    page = customer.get(f"{base}/my/statement", timeout=60)
    assert page.status_code == 200
    assert AS_OF in page.text
    assert "123.45" not in page.text and "876.55" not in page.text
    assert _backend_figures(admin, base) == ([1000.0], [1000.0])
    # Its downloads are served as well.
    pdf = customer.get(f"{base}/my/statement?report_type=pdf", timeout=120)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:500]
    xlsx = customer.get(f"{base}/my/statement?report_type=xlsx", timeout=120)
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    # Under the period: since when the figures are.
    assert sheet["A5"].value == AS_OF and sheet["B5"].value, sheet["A5"].value

    # Caught up again: the payment shows, the notice is gone.
    _dev("replica", "resume", env=replica)
    page = customer.get(f"{base}/my/statement", timeout=60)
    assert page.status_code == 200
    assert AS_OF not in page.text
    assert "123.45" in page.text and "876.55" in page.text
    assert _backend_figures(admin, base) == ([876.55], [876.55])

    # No request failed on the server (a write refused by the replica is
    # served again on the primary, not answered with an error).
    log = replica_server["log"].read_text()
    assert " ERROR " not in log and " CRITICAL " not in log, log[-4000:]
