"""Generate receivables for benchmarks, inside ``odoo shell``.

Customers in several languages with posted invoices spread over the past
months (due 30 days after their date), a share of them paid in part.  Sizes come
from the environment: BENCH_CUSTOMERS, BENCH_INVOICES (per customer), BENCH_SEED,
BENCH_DAYS (history span, default 180) and BENCH_PAID (share of the invoices
older than 60 days paid in full, default 0).
Run through ``./dev bench``; idempotent per size (a parameter records what exists).
"""

import os
import random
import time
from datetime import timedelta

from odoo import Command, fields

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

LANGS = ("en_US", "fa_IR", "ar_001", "he_IL")


def generate(env, customers=1000, invoices=5, seed=42, days=180, paid=0.0):
    key = f"settlement_bench.generated.{customers}x{invoices}.{seed}"
    if (days, paid) != (180, 0.0):
        key += f".{days}d.{paid}"
    parameters = env["ir.config_parameter"].sudo()
    if parameters.get_param(key):
        return
    started = time.monotonic()
    rng = random.Random(seed)
    for code in LANGS[1:]:
        env["res.lang"]._activate_lang(code)
    today = fields.Date.context_today(env["account.move"])
    company = env.company
    journal = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "sale")],
        limit=1,
    )
    partners = env["res.partner"].create(
        [
            {
                "name": f"Bench customer {index:05d}",
                "is_company": True,
                "email": f"ap{index}@bench.example.com",
                "lang": LANGS[index % len(LANGS)],
            }
            for index in range(customers)
        ]
    )
    batch = 500
    values = []
    for partner in partners:
        for _index in range(invoices):
            invoice_date = today - timedelta(days=rng.randint(0, days))
            values.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "journal_id": journal.id,
                    "invoice_date": invoice_date,
                    "invoice_date_due": invoice_date + timedelta(days=30),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods",
                                "quantity": 1,
                                "price_unit": rng.randint(50, 5000),
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
    moves = env["account.move"]
    for start in range(0, len(values), batch):
        chunk = (
            env["account.move"]
            .with_context(**credit_check_done_context(), tracking_disable=True)
            .create(values[start : start + batch])
        )
        chunk.action_post()
        moves |= chunk
        env.cr.commit()
    # Older invoices paid in full (BENCH_PAID), then a quarter of the others
    # paid in part: payments created and posted in batches, each reconciled with
    # its invoice (the register wizard takes about a second per invoice).
    old_enough = today - timedelta(days=60)
    settled = moves.filtered(
        lambda move: move.invoice_date < old_enough and rng.random() < paid
    )
    to_pay = (moves - settled).filtered(lambda move: rng.random() < 0.25)
    shares = [(move, 1.0) for move in settled] + [(move, 0.4) for move in to_pay]
    for start in range(0, len(shares), batch):
        chunk = shares[start : start + batch]
        payments = env["account.payment"].create(
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": move.partner_id.id,
                    "amount": round(move.amount_total * share, 2),
                    "date": min(
                        today,
                        move.invoice_date_due + timedelta(days=rng.randint(-20, 20)),
                    )
                    if share == 1.0
                    else min(today, move.invoice_date_due),
                }
                for move, share in chunk
            ]
        )
        payments.action_post()
        # One reconciliation plan for the whole batch, as core's batch payments
        # do: reconciling invoice by invoice costs ten times more.
        env["account.move.line"]._reconcile_plan(
            [
                (move.line_ids + payment.move_id.line_ids).filtered(
                    lambda line: line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
                for (move, _share), payment in zip(chunk, payments, strict=True)
            ]
        )
        env.cr.commit()
    parameters.set_param(key, "1")
    env.cr.commit()
    print(
        f"generated {customers} customers, {len(moves)} invoices, "
        f"{len(settled)} paid in full, {len(to_pay)} in part "
        f"in {time.monotonic() - started:.0f} s"
    )


if __name__ in ("__main__", "builtins"):
    generate(
        env,  # noqa: F821 - provided by odoo shell
        int(os.environ.get("BENCH_CUSTOMERS", 1000)),
        int(os.environ.get("BENCH_INVOICES", 5)),
        int(os.environ.get("BENCH_SEED", 42)),
        int(os.environ.get("BENCH_DAYS", 180)),
        float(os.environ.get("BENCH_PAID", 0)),
    )
