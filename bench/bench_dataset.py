"""What the benchmark database holds, in ``odoo shell`` (``./dev bench dataset``)."""

import json

COUNTS = {
    "customers": "SELECT COUNT(DISTINCT partner_id) FROM account_move"
    " WHERE move_type = 'out_invoice' AND state = 'posted'",
    "invoices": "SELECT COUNT(*) FROM account_move"
    " WHERE move_type = 'out_invoice' AND state = 'posted'",
    "credit notes": "SELECT COUNT(*) FROM account_move"
    " WHERE move_type = 'out_refund' AND state = 'posted'",
    "payments": "SELECT COUNT(*) FROM account_payment",
    "reconciliations": "SELECT COUNT(*) FROM account_partial_reconcile",
    "open items": "SELECT COUNT(*) FROM account_move_line line"
    " JOIN account_account account ON account.id = line.account_id"
    " WHERE account.account_type = 'asset_receivable'"
    " AND line.parent_state = 'posted' AND NOT line.reconciled",
    "currencies": "SELECT COUNT(DISTINCT currency_id) FROM account_move"
    " WHERE move_type = 'out_invoice'",
    # EXISTS, not IN (SELECT ...): at 30,000 customers the moves' partner ids
    # no longer fit a hash in work_mem, and IN rescanned them per partner.
    "languages": "SELECT COUNT(DISTINCT lang) FROM res_partner partner"
    " WHERE customer_rank > 0 OR EXISTS (SELECT 1 FROM account_move move"
    " WHERE move.partner_id = partner.id)",
    "reminders": "SELECT COUNT(*) FROM settlement_dunning_communication",
    "disputes": "SELECT COUNT(*) FROM settlement_dispute",
    "promises": "SELECT COUNT(*) FROM settlement_promise",
    "instalment plans": "SELECT COUNT(*) FROM settlement_instalment_plan",
}


def bench(env):
    row = {"step": "dataset"}
    for label, query in COUNTS.items():
        env.cr.execute(query)
        row[label] = env.cr.fetchone()[0]
    print("BENCH" + json.dumps([row]))


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
