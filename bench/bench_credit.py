"""Credit check overhead on posting, inside ``odoo shell`` (``./dev bench credit``).

Posts the same 200 draft invoices of customers with history, one by one as a
user does, once without and once with the credit check (limit policy with
overdue blocking on the customers, limits high enough that nothing blocks), and
reports the extra SQL queries and time per invoice.  Rolled back.
"""

import json
import time

from odoo import Command, fields

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

INVOICES = 200


def post_one_by_one(moves):
    env = moves.env
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    for move in moves:
        move.action_post()
        env.flush_all()
    return time.perf_counter() - started, env.cr.sql_log_count - queries


def bench(env):
    Move = env["account.move"]
    today = fields.Date.context_today(Move)
    env.cr.execute(
        """SELECT partner_id FROM account_move
            WHERE move_type = 'out_invoice' AND state = 'posted'
              AND amount_residual > 0 AND company_id = %s
         GROUP BY partner_id ORDER BY COUNT(*) DESC LIMIT %s""",
        (env.company.id, INVOICES),
    )
    partners = env["res.partner"].browse([row[0] for row in env.cr.fetchall()])
    partners.with_company(env.company).write(
        {"credit_limit": 10**9, "use_partner_credit_limit": True}
    )
    rows = []
    for label, context in (
        ("post without the credit check", credit_check_done_context()),
        ("post with the credit check", {}),
    ):
        moves = Move.with_context(**context).create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": today,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "price_unit": 100.0, "tax_ids": []}
                        )
                    ],
                }
                for partner in partners
            ]
        )
        seconds, queries = post_one_by_one(moves)
        rows.append(
            {
                "step": label,
                "invoices": len(moves),
                "ms_per_invoice": round(1000 * seconds / len(moves), 1),
                "queries_per_invoice": round(queries / len(moves), 2),
            }
        )
    rows.append(
        {
            "step": "credit check overhead",
            "ms_per_invoice": round(
                rows[1]["ms_per_invoice"] - rows[0]["ms_per_invoice"], 1
            ),
            "queries_per_invoice": round(
                rows[1]["queries_per_invoice"] - rows[0]["queries_per_invoice"], 2
            ),
        }
    )
    env.cr.rollback()
    print("BENCH" + json.dumps(rows))


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
