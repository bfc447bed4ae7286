"""Install and uninstall on a database that already has accounting; demo data.

Builds two throw-away databases.  The first has account (no demo) with invoices,
payments and reconciliations made here; settlement_mgmt is installed there and
uninstalled, and accounting must come out unchanged.  The second is a demo
database, as ./dev demo makes it, whose contents are checked.
"""

import os
import subprocess
import time

import pytest
from conftest import REPO
from odoo_databases import drop, install_demo, ok, shell

pytestmark = pytest.mark.slow

# Printed as JSON by `odoo-bin shell`: a fingerprint of the accounting data.
SNAPSHOT = """
import json
env.cr.execute('''
    SELECT
      (SELECT count(*) FROM account_move),
      (SELECT coalesce(md5(string_agg(concat_ws(':', id, state, payment_state,
              amount_residual::text, amount_total::text), ',' ORDER BY id)), '')
         FROM account_move),
      (SELECT count(*) FROM account_payment),
      (SELECT coalesce(md5(string_agg(concat_ws(':', debit_move_id, credit_move_id,
              amount::text), ',' ORDER BY id)), '') FROM account_partial_reconcile),
      (SELECT coalesce(md5(string_agg(concat_ws(':', id, amount_residual::text,
              reconciled), ',' ORDER BY id)), '') FROM account_move_line)
''')
print('SNAPSHOT' + json.dumps(env.cr.fetchone()))
"""

MODULE_STATE = """
import json
state = env['ir.module.module'].search([('name', '=', 'settlement_mgmt')]).state
env.cr.execute('''SELECT count(*) FROM information_schema.columns
                  WHERE column_name LIKE 'settlement%%' ''')
columns = env.cr.fetchone()[0]
env.cr.execute('''SELECT count(*) FROM pg_indexes
                  WHERE indexname LIKE '%%settlement%%' ''')
indexes = env.cr.fetchone()[0]
# the due schedule's functions and its triggers on core tables
env.cr.execute('''SELECT (SELECT count(*) FROM pg_proc
                          WHERE proname LIKE 'settlement%%'),
                         (SELECT count(*) FROM pg_trigger
                          WHERE tgname LIKE 'settlement%%') ''')
functions, triggers = env.cr.fetchone()
print('SNAPSHOT' + json.dumps([state, columns, indexes, functions, triggers]))
"""

UNINSTALL = """
module = env['ir.module.module'].search([('name', '=', 'settlement_mgmt')])
module.button_immediate_uninstall()
env.cr.commit()
print('SNAPSHOT"uninstalled"')
"""

DEMO_FACTS = """
import json
demo_ids = env['ir.model.data'].search([
    ('module', '=', 'settlement_mgmt'), ('model', '=', 'res.partner'),
]).mapped('res_id')
partners = env['res.partner'].browse(demo_ids)
moves = env['account.move'].search([('partner_id', 'child_of', partners.ids),
                                    ('move_type', 'in', ('out_invoice', 'out_refund'))])
today = env['account.move'].browse()._fields['date'].context_today(env['account.move'])
overdue = moves.line_ids.filtered(lambda l: l.account_type == 'asset_receivable'
    and not l.reconciled and l.date_maturity and l.date_maturity < today)
print('SNAPSHOT' + json.dumps({
    'moves': len(moves),
    'langs': sorted(set(partners.mapped('lang'))),
    'active_langs': sorted(env['res.lang'].search([]).mapped('code')),
    'states': sorted(set(moves.mapped('state'))),
    'payment_states': sorted(set(moves.mapped('payment_state'))),
    'overdue_days': sorted({(today - l.date_maturity).days for l in overdue}),
    'holds': sorted(env['settlement.credit.hold'].search(
        [('state', '=', 'active')]).mapped('hold_type')),
    'grades': sorted(set(env['settlement.risk.score'].search([]).mapped('grade'))),
    'disputes': sorted(env['settlement.dispute'].search([]).mapped('state')),
    'plans': env['settlement.instalment.plan'].search([]).mapped('state'),
    'reminder_levels': sorted(set(
        env['settlement.dunning.communication'].search([]).mapped('level_days'))),
    'late_fees': env['settlement.dunning.communication'].search_count(
        [('fee_move_id.state', '=', 'posted')]),
    'promises': sorted(env['settlement.promise'].search([]).mapped('state')),
    'cases': sorted(
        (case.state, case.handler_id.name, case.item_ids.move_id.name,
         case.hold_id.state)
        for case in env['settlement.collection.case'].search([])),
    # demo files run again on every update: a back-dated promise moves once
    'promise_dates': sorted(
        str(day) for day in env['settlement.promise'].search([]).mapped(
            'date_promised')),
    'discounts': sorted(
        (row.state, row.taken_tier)
        for row in env['settlement.discount.analysis'].search([])
        if row.move_id.invoice_payment_term_id
        == env.ref('settlement_mgmt.demo_payment_term_tiered')
    ),
    'kpi_months': env['settlement.receivable.kpi'].search_count([]),
    'snapshot_dimensions': sorted(set(
        env['settlement.receivable.snapshot'].search([]).mapped('dimension'))),
    # what the dashboard's by-level chart shows today: amounts per last level
    'snapshot_reminded_today': env['settlement.receivable.snapshot'].search_count(
        [('dimension', '=', 'level'), ('level_id', '!=', False), ('date', '=', today)]),
    'predicted_risks': sorted(set(
        env['settlement.payment.prediction'].search([]).mapped('risk'))),
    'portal_users': env['res.users'].search_count(
        [('login', 'in', ('portal.fa', 'portal.he'))]),
    # The demo is data: no loader model, no flag outliving the module.
    'demo_loader': 'settlement.demo' in env,
    'demo_flags': env['ir.config_parameter'].search_count(
        [('key', 'like', 'settlement_mgmt.demo')]),
}))
"""


# Two workers sending the same day's reminders at the same moment, each in its
# own process and transaction: the unique indexes let each reminder through once.
RACE_PREPARE = """
env['settlement.dunning.level'].search([]).write(
    {'fee_type': 'none', 'interest_rate': 0})
env['settlement.dunning.level.channel'].search([('channel', '=', 'letter')]).unlink()
env['settlement.dunning.communication'].search([]).unlink()
Communication = env['settlement.dunning.communication']
Engine = env['settlement.dunning.engine']
company = env.ref('base.main_company')
candidates = Engine._dunning_candidates(company)
env.cr.commit()
print('SNAPSHOT%s' % len(candidates))
"""
RACE_WORKER = """
import time
from odoo import fields
Communication = env['settlement.dunning.communication']
Engine = env['settlement.dunning.engine']
company = env.ref('base.main_company')
candidates = Engine._dunning_candidates(company)
time.sleep(max(0.0, %(start)s - time.time()))
sent = Engine._dunning_send(company, candidates, fields.Date.today())
env.cr.commit()
print('SNAPSHOT%%s' %% len(sent))
"""
RACE_CHECK = """
import json
env.cr.execute(
    "SELECT COUNT(*), COUNT(DISTINCT (partner_id, level_id, date))"
    " FROM settlement_dunning_communication")
reminders, distinct = env.cr.fetchone()
env.cr.execute(
    "SELECT COUNT(*), COUNT(DISTINCT (item_ref, level_id))"
    " FROM settlement_dunning_communication_line")
items, distinct_items = env.cr.fetchone()
print('SNAPSHOT' + json.dumps([reminders, distinct, items, distinct_items]))
"""


def _race(database):
    """Run two reminder workers at once; returns what each one sent."""
    start = time.time() + 25
    workers = [
        subprocess.Popen(
            [str(REPO / "dev"), "odoo", "shell", "-d", database, "--no-http"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _worker in range(2)
    ]
    outputs = [
        worker.communicate(RACE_WORKER % {"start": start}, timeout=600)
        for worker in workers
    ]
    sent = []
    for worker, (stdout, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr[-3000:]
        lines = [line for line in stdout.splitlines() if line.startswith("SNAPSHOT")]
        assert lines, stdout[-2000:] + stderr[-2000:]
        sent.append(int(lines[-1][len("SNAPSHOT") :]))
    return sent


# Invoices, payments (full and partial) and a credit note, as a live database has.
MAKE_ACCOUNTING = """
from odoo import Command
partner = env['res.partner'].create({'name': 'Lifecycle Customer'})
invoices = env['account.move'].create([{
    'move_type': move_type,
    'partner_id': partner.id,
    'invoice_date': '2026-01-%02d' % day,
    'invoice_line_ids': [Command.create({'name': 'Service', 'price_unit': amount})],
} for move_type, day, amount in (
    ('out_invoice', 5, 1000.0), ('out_invoice', 9, 450.0), ('out_invoice', 14, 80.0),
    ('out_invoice', 20, 3300.0), ('out_refund', 22, 60.0))])
invoices.action_post()
for invoice, share in zip(invoices, (1.0, 0.5, 1.0, 0.25)):
    env['account.payment.register'].with_context(
        active_model='account.move', active_ids=invoice.ids,
    ).create({'amount': invoice.currency_id.round(invoice.amount_residual * share)}
    )._create_payments()
env.cr.commit()
print('SNAPSHOT%s' % len(invoices))
"""


@pytest.fixture(scope="module")
def accounting_db(odoo_cli):
    database = f"settlement_lifecycle_{os.getpid()}"
    ok(
        odoo_cli(
            "-d",
            database,
            "-i",
            "account",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        )
    )
    assert shell(odoo_cli, database, MAKE_ACCOUNTING) == 5
    yield database
    drop(database)


def test_install_and_uninstall_leave_accounting_intact(odoo_cli, accounting_db):
    before = shell(odoo_cli, accounting_db, SNAPSHOT)
    assert before[0] > 0 and before[2] > 0, (
        "account demo should have moves and payments"
    )

    ok(
        odoo_cli(
            "-d",
            accounting_db,
            "-i",
            "settlement_mgmt",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        )
    )
    state, _columns, settlement_indexes, functions, triggers = shell(
        odoo_cli, accounting_db, MODULE_STATE
    )
    assert state == "installed"
    # our index on a core table (account_move) is there, to be dropped below,
    # and the due schedule's triggers on journal items
    assert settlement_indexes > 0
    assert functions > 0 and triggers > 0
    assert shell(odoo_cli, accounting_db, SNAPSHOT) == before

    shell(odoo_cli, accounting_db, UNINSTALL)
    state, settlement_columns, settlement_indexes, functions, triggers = shell(
        odoo_cli, accounting_db, MODULE_STATE
    )
    assert state == "uninstalled"
    assert (functions, triggers) == (0, 0), "no settlement trigger left on core"
    assert settlement_columns == 0, "uninstall leaves no settlement_* column behind"
    assert settlement_indexes == 0, "uninstall leaves no settlement index behind"
    assert shell(odoo_cli, accounting_db, SNAPSHOT) == before


def test_demo_data_shows_every_state(odoo_cli):
    database = f"settlement_demo_check_{os.getpid()}"
    try:
        install = install_demo(odoo_cli, database)
        # No PDF is rendered while installing: no server serves the report
        # styles then (wkhtmltopdf logged network errors, PDFs came unstyled).
        assert "wkhtmltopdf" not in install.stderr + install.stdout, install.stderr
        # Odoo logs a failing demo file and installs the module without its
        # demo: the log is the only place that says so.
        assert "ERROR" not in install.stderr, install.stderr[-3000:]
        facts = shell(odoo_cli, database, DEMO_FACTS)
        # ./dev demo updates an existing demo database: nothing may double
        ok(odoo_cli("-d", database, "-u", "settlement_mgmt", "--stop-after-init"))
        again = shell(odoo_cli, database, DEMO_FACTS)
        expected = shell(odoo_cli, database, RACE_PREPARE)
        sent = _race(database)
        reminders, distinct, items, distinct_items = shell(
            odoo_cli, database, RACE_CHECK
        )
    finally:
        drop(database)
    assert facts["langs"] == ["ar_001", "en_US", "fa_IR", "he_IL"]
    assert {"fa_IR", "ar_001", "he_IL"} <= set(facts["active_langs"])
    assert {"draft", "posted", "cancel"} <= set(facts["states"])
    assert {"paid", "partial", "not_paid"} <= set(facts["payment_states"])
    overdue = facts["overdue_days"]
    assert min(overdue) <= 30 and max(overdue) > 90, overdue
    assert facts["portal_users"] == 2
    assert not facts["demo_loader"] and not facts["demo_flags"], facts
    # The nightly analytics ran once: 12 month ends and this month, both
    # snapshot dimensions, and predictions for the open invoices.
    assert facts["kpi_months"] == 13, facts["kpi_months"]
    assert facts["snapshot_dimensions"] == ["age", "level"]
    # The demo's reminders show in the by-level chart (it once showed every
    # overdue item as "not reminded").
    assert facts["snapshot_reminded_today"] >= 1, facts
    assert facts["predicted_risks"], facts["predicted_risks"]
    assert "manual" in facts["holds"] and "overdue" in facts["holds"], facts["holds"]
    assert len(facts["grades"]) >= 3, facts["grades"]
    assert again == facts
    assert facts["disputes"] == ["accepted", "new", "rejected"], facts["disputes"]
    # The plan made by a collector, and the one a customer requested on the portal.
    assert sorted(facts["plans"]) == ["active", "requested"], facts["plans"]
    assert len(facts["reminder_levels"]) >= 3, facts["reminder_levels"]
    assert facts["late_fees"] >= 1, facts["late_fees"]
    assert facts["promises"] == ["broken", "open", "open"], facts["promises"]
    # Aria's oldest invoice handed over to the agency, its customer held.
    assert [[*case[:2], case[3]] for case in facts["cases"]] == [
        ["open", "Atlas Debt Recovery", "active"]
    ], facts["cases"]
    # Tiered discounts: taken in each tier, missed, still open.
    assert facts["discounts"] == [
        ["missed", 0],
        ["open", 0],
        ["open", 0],
        ["taken", 1],
        ["taken", 1],
        ["taken", 2],
    ], facts["discounts"]
    # Both workers raced for the same reminders: each went out exactly once.
    assert expected >= 3, expected
    assert sum(sent) == expected == reminders == distinct, (sent, expected, reminders)
    assert items == distinct_items, (items, distinct_items)
