"""Upgrade from the previous release keeps every record; crons killed mid-run
resume without duplicates.

Installs the previous release (its addons taken from git history) with demo data
on a throw-away database, fingerprints the settlement records and the accounting,
then updates to the working tree's code and compares.  On that upgraded demo
database each long cron (reminders, statements, plan defaults, risk scores) is
killed with SIGKILL in the middle of a batch, after part of its work and before
the commit, in a real Odoo process; a second process runs it to the end, and
every e-mail, fee, record and chatter message must then exist exactly once.
"""

import configparser
import os
import subprocess

import pytest
from conftest import REPO
from odoo_databases import drop, install_demo, ok, shell

pytestmark = pytest.mark.slow

# The last commit of 18.0.1.1.0.
PREVIOUS_RELEASE = ("18.0.1.1.0", "0b2dfa2")

FINGERPRINT = """
import json
models = [
    'settlement.credit.hold', 'settlement.credit.override', 'settlement.risk.score',
    'settlement.dispute', 'settlement.dispute.reason', 'settlement.instalment.plan',
    'settlement.instalment.plan.line', 'settlement.dunning.policy',
    'settlement.dunning.level', 'settlement.dunning.communication',
    'settlement.dunning.communication.line', 'settlement.promise',
    'settlement.statement.sending',
]
records = {}
for name in models:
    model = env[name].sudo().with_context(active_test=False)
    # Read only these columns: before the update, the database lacks the
    # columns the working tree adds (reading a record would prefetch them).
    fields = [f for f in ('state', 'name') if f in model._fields]
    found = model.search([], order='id')
    found.fetch(fields)
    records[name] = [
        [record.id,
         record['state'] if 'state' in fields else '',
         record['name'] if 'name' in fields else '']
        for record in found
    ]
module = env['ir.module.module'].search([('name', '=', 'settlement_mgmt')])
env.cr.execute('SELECT max(id) FROM account_move')
print('SNAPSHOT' + json.dumps({
    'records': records,
    'moves': env.cr.fetchone()[0],
    'version': module.latest_version,
    'state': module.state,
}))
"""

ACCOUNTING = """
import json
env.cr.execute('''
    SELECT max(id), coalesce(md5(string_agg(concat_ws(':', id, state,
           payment_state, amount_residual::text, amount_total::text), ','
           ORDER BY id)), '')
      FROM account_move WHERE id <= %(last_move)s
''')
print('SNAPSHOT' + json.dumps(env.cr.fetchone()))
"""

DISCOUNTS = """
import json
term = env.ref('account.account_payment_term_30days_early_discount')
invoices = env['account.move'].search([
    ('state', '=', 'posted'), ('invoice_payment_term_id', '=', term.id)])
print('SNAPSHOT' + json.dumps(
    [len(invoices), len(invoices.settlement_discount_ids)]))
"""

STATEMENT_MAIL = """
import json
template = env.ref('settlement_mgmt.mail_template_statement')
langs = [code for code, _name in env['res.lang'].get_installed()]
print('SNAPSHOT' + json.dumps({
    lang: 'statement_pay_html' in template.with_context(lang=lang).body_html
    for lang in langs
}))
"""

# The reminder channels before the update: three booleans on levels and
# reminders, with what each reminder recorded of its e-mail, letter and call.
CHANNELS_BEFORE = """
import json
env.cr.execute('''
    SELECT id, send_email, send_letter, create_call
      FROM settlement_dunning_level ORDER BY id''')
levels = env.cr.fetchall()
env.cr.execute('''
    SELECT reminder.id, reminder.send_email, reminder.send_letter,
           reminder.create_call, reminder.mail_message_id,
           reminder.letter_attachment_id IS NOT NULL, reminder.call_state,
           ARRAY(SELECT notification_status FROM mail_notification
                  WHERE mail_message_id = reminder.mail_message_id
                    AND notification_type = 'email')
      FROM settlement_dunning_communication reminder ORDER BY reminder.id''')
print('SNAPSHOT' + json.dumps({'levels': levels, 'reminders': env.cr.fetchall()}))
"""

CHANNELS_AFTER = """
import json
env.cr.execute('''
    SELECT table_name, column_name FROM information_schema.columns
     WHERE table_name IN ('settlement_dunning_level',
                          'settlement_dunning_communication')
       AND column_name IN ('send_email', 'send_letter', 'create_call')''')
stale_columns = env.cr.fetchall()
env.cr.execute("SELECT to_regclass('settlement_dunning_channel_migration')")
work_table = env.cr.fetchone()[0]
levels = env['settlement.dunning.level'].search([])
reminders = env['settlement.dunning.communication'].search([])
print('SNAPSHOT' + json.dumps({
    'levels': {level.id: sorted(level.channel_ids.mapped('channel'))
               for level in levels},
    'reminders': {
        reminder.id: [sorted([delivery.channel, delivery.state,
                              delivery.mail_message_id.id or None]
                             for delivery in reminder.delivery_ids),
                      reminder.delivery_state]
        for reminder in reminders
    },
    'stale_columns': stale_columns,
    'work_table': work_table,
    'cron_model': env.ref('settlement_mgmt.ir_cron_settlement_dunning').model_id.model,
}))
"""


def _addons_path(addons_dir):
    parser = configparser.ConfigParser()
    parser.read(os.environ["SETTLEMENT_ODOO_CONF"])
    paths = parser["options"]["addons_path"].split(",")
    current = str(REPO / "addons")
    return ",".join(addons_dir if path == current else path for path in paths)


@pytest.fixture(scope="module")
def upgraded_demo(odoo_cli, tmp_path_factory):
    version, commit = PREVIOUS_RELEASE
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "addons"],
        capture_output=True,
        check=False,
    )
    assert archive.returncode == 0, (
        f"release {version} ({commit}) is not in this clone's history "
        f"(shallow clone?): {archive.stderr.decode()[-500:]}"
    )
    old_tree = tmp_path_factory.mktemp("previous_release")
    subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive.stdout, check=True)
    old_path = f"--addons-path={_addons_path(str(old_tree / 'addons'))}"
    database = f"settlement_upgrade_{os.getpid()}"
    try:
        install_demo(odoo_cli, database, old_path)
        # The old release read by its own code: today's code expects columns
        # (a customer's collection role...) the upgrade has not added yet.
        before = shell(odoo_cli, database, FINGERPRINT, old_path)
        accounting = ACCOUNTING.replace("%(last_move)s", str(before["moves"]))
        accounting_before = shell(odoo_cli, database, accounting, old_path)
        channels_before = shell(odoo_cli, database, CHANNELS_BEFORE, old_path)
        ok(
            odoo_cli(
                "-d",
                database,
                "-u",
                "settlement_mgmt",
                "--stop-after-init",
                "--log-level=warn",
            )
        )
        yield {
            "database": database,
            "before": before,
            "after": shell(odoo_cli, database, FINGERPRINT),
            "accounting_before": accounting_before,
            "accounting_after": shell(odoo_cli, database, accounting),
            "discounts": shell(odoo_cli, database, DISCOUNTS),
            "statement_mail_pays": shell(odoo_cli, database, STATEMENT_MAIL),
            "channels_before": channels_before,
            "channels_after": shell(odoo_cli, database, CHANNELS_AFTER),
        }
    finally:
        drop(database)


def test_upgrade_from_previous_release_keeps_data(upgraded_demo):
    version = PREVIOUS_RELEASE[0]
    before, after = upgraded_demo["before"], upgraded_demo["after"]
    assert before["version"] == version, before["version"]
    assert after["state"] == "installed"
    assert after["version"] != version
    for model in (
        "settlement.dispute",
        "settlement.instalment.plan",
        "settlement.dunning.communication",
        "settlement.promise",
    ):
        assert before["records"][model], f"the previous release's demo has no {model}"
    # Every record of the previous release is still there, in the same state.
    for model, records in before["records"].items():
        kept = {record[0]: record for record in after["records"][model]}
        assert [kept.get(record[0]) for record in records] == records, model
    # Invoices, payments and reconciliations of before are untouched.
    assert upgraded_demo["accounting_after"] == upgraded_demo["accounting_before"]
    # Invoices posted under the previous release got their discount frozen.
    discounts = upgraded_demo["discounts"]
    assert discounts[0] >= 1 and discounts[1] == discounts[0], discounts
    # The statement e-mail the previous release installed (untouched) got
    # its pay links (noupdate template reloaded by the 18.0.1.4.0 migration).
    # In every installed language: the old translations gave way to the
    # catalogues' new ones.
    pays = upgraded_demo["statement_mail_pays"]
    assert {"en_US", "fa_IR", "he_IL"} <= set(pays), pays
    assert all(pays.values()), pays


# Old boolean → channel; a notification status → delivery state (by hand).
OLD_CHANNELS = ("email", "letter", "call")
EMAIL_STATES = {"ready": "queued", "sent": "sent", "bounce": "bounced"}


def test_upgrade_turns_channel_flags_into_lines_and_deliveries(upgraded_demo):
    before = upgraded_demo["channels_before"]
    after = upgraded_demo["channels_after"]
    assert before["levels"] and before["reminders"], before
    # Levels: one channel line per flag that was on.
    assert after["levels"] == {
        str(level_id): sorted(
            channel for channel, on in zip(OLD_CHANNELS, flags, strict=True) if on
        )
        for level_id, *flags in before["levels"]
    }
    # Reminders: one delivery per channel they used, in the state the old
    # record tells (the e-mail from its notifications).
    expected = {}
    for (
        reminder_id,
        email,
        letter,
        call,
        message,
        printed,
        call_state,
        statuses,
    ) in before["reminders"]:
        deliveries = []
        if email:
            states = {EMAIL_STATES.get(status, "failed") for status in statuses}
            state = next(
                (s for s in ("failed", "bounced", "queued") if s in states), "sent"
            )
            deliveries.append(["email", state if statuses else "queued", message])
        if letter:
            deliveries.append(["letter", "printed" if printed else "failed", None])
        if call:
            called = call_state in ("reached", "no_answer", "promise", "dispute")
            deliveries.append(["call", "called" if called else "queued", None])
        states = {delivery[1] for delivery in deliveries}
        summary = next(
            (s for s in ("failed", "bounced", "queued") if s in states), "sent"
        )
        expected[str(reminder_id)] = [sorted(deliveries), summary]
    assert after["reminders"] == expected
    assert any(delivery for delivery, _summary in expected.values())
    assert after["stale_columns"] == [], after["stale_columns"]
    assert after["work_table"] is None
    assert after["cron_model"] == "settlement.dunning.engine"


PREPARE_FAULTS = """
import json
company = env.ref('base.main_company')
# Reminders: every one due today still to send, letters off (wkhtmltopdf).
env['settlement.dunning.level.channel'].search([('channel', '=', 'letter')]).unlink()
env['settlement.dunning.communication'].search([]).unlink()
# Statements: every customer with an e-mail opted in, nothing sent yet.
customers = env['res.partner'].search(
    [('is_company', '=', True), ('email', '!=', False), ('customer_rank', '>', 0)])
customers.with_company(company).write({'settlement_statement_opt_in': True})
env['settlement.statement.sending'].search([]).unlink()
# Plans: the active ones are months late.
env.flush_all()
env.cr.execute(
    "UPDATE settlement_instalment_plan_line line SET date_due = date_due - 120"
    "  FROM settlement_instalment_plan plan"
    " WHERE plan.id = line.plan_id AND plan.state = 'active'")
env.invalidate_all()
reminders = env['settlement.dunning.engine']._dunning_candidates(company)
env.cr.execute('SELECT MAX(id) FROM account_move')
last_move = env.cr.fetchone()[0]
env.cr.execute('SELECT MAX(id) FROM mail_message')
last_message = env.cr.fetchone()[0]
env.cr.commit()
print('SNAPSHOT' + json.dumps({
    'reminders': len(reminders),
    'reminded_customers': len({key[0].id for key in reminders}),
    'statements': len(customers),
    'plans': env['settlement.instalment.plan'].search([('state', '=', 'active')]).ids,
    'last_move': last_move,
    'last_message': last_message,
}))
"""

# Runs RUN as the cron runner would, committing after each call, but kills the
# process with SIGKILL right after the first INNER of call number CRASH_IN_CALL
# of OUTER: that call's work is done in the transaction, not committed.
KILL_MID_BATCH = """
import os, signal
cls = type(env[MODEL])
outer, inner = getattr(cls, OUTER), getattr(cls, INNER)
calls = []
def counting(self, *args, **kwargs):
    calls.append(1)
    return outer(self, *args, **kwargs)
def crashing(self, *args, **kwargs):
    result = inner(self, *args, **kwargs)
    if len(calls) >= CRASH_IN_CALL:
        self.env.flush_all()
        os.kill(os.getpid(), signal.SIGKILL)
    return result
setattr(cls, OUTER, counting)
setattr(cls, INNER, crashing)
for _call in range(200):
    RUN
    env.cr.commit()
print('SNAPSHOT"not killed"')
"""

RUN_TO_THE_END = """
for _call in range(200):
    RUN
    env.cr.commit()
print('SNAPSHOT"done"')
"""

# (model, method the loop calls, method killed after, call killed in, loop body)
CRONS = (
    (
        "settlement.dunning.engine",
        "_dunning_send",
        "_dunning_deliver",
        2,
        "env['settlement.dunning.engine']._cron_settlement_dunning(batch_size=1)",
    ),
    (
        "settlement.statement.sending",
        "_cron_settlement_statements",
        "_send",
        2,
        "env['settlement.statement.sending']._cron_settlement_statements(batch_size=2)",
    ),
    (
        "settlement.instalment.plan",
        "_cron_settlement_plan_defaults",
        "_mark_defaulted",
        1,
        "env['settlement.instalment.plan']._cron_settlement_plan_defaults(batch_size=1)",
    ),
    (
        "settlement.risk.score",
        "_cron_settlement_risk_scores",
        "_recompute",
        1,
        "env['settlement.risk.score']._cron_settlement_risk_scores()",
    ),
)

CHECK_FAULTS = """
import json
def rows(query, **params):
    env.cr.execute(query, params)
    return env.cr.fetchall()
since = {'last': LAST_MESSAGE, 'comment': env.ref('mail.mt_comment').id}
new_comments = 'FROM mail_message WHERE id > %(last)s AND subtype_id = %(comment)s'
print('SNAPSHOT' + json.dumps({
    'reminders': rows('SELECT COUNT(*), COUNT(DISTINCT (partner_id, level_id, date))'
                      ' FROM settlement_dunning_communication')[0],
    'fees': rows('SELECT COUNT(fee_move_id), COUNT(DISTINCT fee_move_id)'
                 ' FROM settlement_dunning_communication')[0],
    'new_invoices': rows("SELECT COUNT(*) FROM account_move"
                         " WHERE id > %(last)s AND move_type = 'out_invoice'",
                         last=LAST_MOVE)[0][0],
    'mails_twice': rows('SELECT model, res_id ' + new_comments
                        + ' GROUP BY model, res_id HAVING COUNT(*) > 1', **since),
    'reminder_mails': rows('SELECT COUNT(DISTINCT res_id) ' + new_comments
                           + " AND model = 'settlement.dunning.communication'",
                           **since)[0][0],
    'statements': rows('SELECT COUNT(*), COUNT(DISTINCT (partner_id, date_from))'
                       ' FROM settlement_statement_sending')[0],
    'statement_mails': rows('SELECT COUNT(*) ' + new_comments
                            + " AND model = 'res.partner'", **since)[0][0],
    'plans': rows("SELECT plan.state, COUNT(message.id)"
                  "  FROM settlement_instalment_plan plan"
                  "  LEFT JOIN mail_message message"
                  "    ON message.model = 'settlement.instalment.plan'"
                  "   AND message.res_id = plan.id AND message.id > %(last)s"
                  "   AND message.body::text LIKE '%%defaulted%%'"
                  " WHERE plan.id = ANY(%(plans)s) GROUP BY plan.id, plan.state",
                  last=LAST_MESSAGE, plans=PLANS),
    'scores_twice': rows('SELECT partner_id FROM settlement_risk_score'
                         ' GROUP BY partner_id, company_id HAVING COUNT(*) > 1'),
}))
"""


def _fill(script, **values):
    for name, value in values.items():
        script = script.replace(name, repr(value))
    return script


def test_crons_killed_mid_batch_resume_without_duplicates(odoo_cli, upgraded_demo):
    database = upgraded_demo["database"]
    prepared = shell(odoo_cli, database, PREPARE_FAULTS)
    assert prepared["reminded_customers"] >= 2, prepared
    assert prepared["statements"] >= 3, prepared
    assert prepared["plans"], prepared
    for model, outer, inner, crash_in_call, run in CRONS:
        killed = odoo_cli(
            "shell",
            "-d",
            database,
            "--no-http",
            stdin=_fill(
                KILL_MID_BATCH,
                MODEL=model,
                OUTER=outer,
                INNER=inner,
                CRASH_IN_CALL=crash_in_call,
            ).replace("RUN", run),
        )
        # Killed by its own SIGKILL (the shell reports 128 + 9), not by an error.
        assert killed.returncode in (-9, 137), (
            model,
            killed.stdout[-2000:],
            killed.stderr[-2000:],
        )
        finished = shell(odoo_cli, database, RUN_TO_THE_END.replace("RUN", run))
        assert finished == "done", model
    result = shell(
        odoo_cli,
        database,
        _fill(
            CHECK_FAULTS,
            LAST_MESSAGE=prepared["last_message"],
            LAST_MOVE=prepared["last_move"],
            PLANS=prepared["plans"],
        ),
    )
    # Every reminder due went out once, with one e-mail and at most one fee.
    assert result["reminders"] == [prepared["reminders"]] * 2, result
    assert result["reminder_mails"] == prepared["reminders"], result
    assert result["fees"][0] == result["fees"][1] == result["new_invoices"], result
    # One statement e-mail per opted-in customer.
    assert result["statements"] == [prepared["statements"]] * 2, result
    assert result["statement_mails"] == prepared["statements"], result
    # No record got the same e-mail twice.
    assert result["mails_twice"] == [], result
    # Late plans defaulted once each, with one chatter message.
    assert result["plans"] and all(
        state == "defaulted" and messages == 1 for state, messages in result["plans"]
    ), result
    assert result["scores_twice"] == [], result
