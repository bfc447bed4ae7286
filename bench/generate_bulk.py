"""Build a large, realistic receivables history in minutes, inside ``odoo shell``.

The ORM posts about 3,000 invoices a minute here, so 200,000 would take over an
hour.  This generator lets the ORM create one of each document (invoice,
credit note, payment) and then copies those rows with SQL, overriding only what
differs per document: every other column keeps the value core wrote, so the
copies look like what core writes.  Residuals, matching numbers, partial and
full reconciliations are computed here the way core's reconciliation would, and
``check_sample`` recomputes a sample through the ORM to prove it.

Per customer a payment behaviour (good, average, slow, bad; 10 % get worse over
the last four months) drives when each invoice is paid, with effects of amount,
terms and season, so the late-payment model has something real to learn.  Also:
payment terms from immediate to 60 days, 10 % of customers in EUR (monthly
rates), four languages, two-part payments, credit notes, reminder history,
disputes, promises to pay and instalment plans (the last three through the ORM).

Sizes from the environment: BENCH_CUSTOMERS (10,000), BENCH_INVOICES per
customer on average (20), BENCH_DAYS of history (730), BENCH_SEED (42).
BENCH_DRIFT=1 adds the drift scenario (off by default, so databases kept from
earlier runs stay what they are): over the last DRIFT_DAYS every customer pays
up to DRIFT_EARLIER days earlier (the late rate falls), and CHANGE_SHARE of
the customers switch to another behaviour on a day of the last year.  Its own
random stream: the rest of the data is the same with or without drift.
Idempotent per size: a system parameter records what exists.
"""

import math
import os
import random
import time
from collections import defaultdict
from datetime import timedelta

from odoo import Command, fields
from odoo.tools import SQL

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context
from odoo.addons.settlement_mgmt.lib.item_ref import item_ref_of_move_line

LANGS = ("en_US", "fa_IR", "ar_001", "he_IL")
TERMS = ((0, 0.05), (15, 0.15), (30, 0.55), (45, 0.10), (60, 0.15))
# kind: (share, mean days late, spread, share never paid)
BEHAVIOURS = {
    "good": (0.45, -3.0, 4.0, 0.0),
    "average": (0.30, 8.0, 10.0, 0.01),
    "slow": (0.18, 30.0, 15.0, 0.03),
    "bad": (0.07, 70.0, 30.0, 0.30),
}
BATCH = 20000
DRIFT_DAYS = 180
DRIFT_EARLIER = 12.0
CHANGE_SHARE = 0.15


class Cloner:
    """Insert rows copying a template row of ``table``, column by column."""

    def __init__(self, cr, table):
        self.cr = cr
        self.table = table
        cr.execute(
            SQL(
                "SELECT column_name, udt_name FROM information_schema.columns"
                " WHERE table_name = %s AND table_schema = current_schema()",
                table,
            )
        )
        self.types = dict(cr.fetchall())

    def new_ids(self, count):
        if not count:
            return []
        self.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"{self.table}_id_seq",
                count,
            )
        )
        return [row[0] for row in self.cr.fetchall()]

    def insert(self, template_id, rows):
        """``rows``: {column: [value per row]}, ``id`` included."""
        names = list(rows)
        total = len(rows["id"])
        for start in range(0, total, BATCH):
            arrays = [
                SQL(
                    "%s::%s[]",
                    rows[name][start : start + BATCH],
                    SQL(self.types[name]),
                )
                for name in names
            ]
            select = [
                SQL("v.%s", SQL.identifier(name))
                if name in rows
                else SQL("t.%s", SQL.identifier(name))
                for name in self.types
            ]
            self.cr.execute(
                SQL(
                    "INSERT INTO %(table)s (%(columns)s) SELECT %(select)s"
                    " FROM %(table)s t, unnest(%(arrays)s) AS v(%(names)s)"
                    " WHERE t.id = %(template)s",
                    table=SQL.identifier(self.table),
                    columns=SQL(", ").join(SQL.identifier(c) for c in self.types),
                    select=SQL(", ").join(select),
                    arrays=SQL(", ").join(arrays),
                    names=SQL(", ").join(SQL.identifier(n) for n in names),
                    template=template_id,
                )
            )


def parameters_like(env, pattern):
    """Keys of the system parameters matching ``pattern`` (SQL LIKE)."""
    return [
        key
        for (key,) in env.execute_query(
            SQL("SELECT key FROM ir_config_parameter WHERE key LIKE %s", pattern)
        )
    ]


def _pick(rng, weighted):
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def _eur_rates(env, today, days):
    """One EUR rate per month over the history (EUR per company currency)."""
    eur = env.ref("base.EUR")
    eur.active = True
    rng = random.Random(7)
    rates, rate = {}, 0.92
    month = (today - timedelta(days=days + 31)).replace(day=1)
    values = []
    while month <= today:
        rate = round(rate * (1 + rng.uniform(-0.02, 0.02)), 6)
        rates[(month.year, month.month)] = rate
        values.append({"currency_id": eur.id, "name": month, "rate": rate})
        month = (month + timedelta(days=32)).replace(day=1)
    existing = env["res.currency.rate"].search([("currency_id", "=", eur.id)])
    existing.unlink()
    env["res.currency.rate"].create(values)
    return eur, rates


def _templates(env, partner, journal, bank_journal, today):
    """One invoice, credit note and payment made by the ORM, reconciled."""
    move_model = env["account.move"].with_context(
        **credit_check_done_context(), tracking_disable=True
    )
    line = {
        "name": "Goods",
        "quantity": 1,
        "price_unit": 100.0,
        "tax_ids": [Command.clear()],
    }
    invoice, refund = move_model.create(
        [
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "journal_id": journal.id,
                "invoice_date": today,
                "invoice_date_due": today,
                "invoice_line_ids": [Command.create(dict(line, price_unit=amount))],
            }
            for move_type, amount in (("out_invoice", 100.0), ("out_refund", 10.0))
        ]
    )
    (invoice + refund).action_post()
    payment = env["account.payment"].create(
        {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": partner.id,
            "journal_id": bank_journal.id,
            "amount": 90.0,
            "date": today,
            "memo": invoice.name,
        }
    )
    payment.action_post()
    (invoice + refund + payment.move_id).line_ids.filtered(
        lambda item: item.account_id.account_type == "asset_receivable"
    ).reconcile()
    receivable = invoice.line_ids.filtered(
        lambda item: item.display_type == "payment_term"
    )
    return {
        "invoice": invoice,
        "invoice_product": invoice.line_ids - receivable,
        "invoice_receivable": receivable,
        "refund": refund,
        "refund_product": refund.line_ids.filtered(
            lambda i: i.display_type == "product"
        ),
        "refund_receivable": refund.line_ids.filtered(
            lambda item: item.display_type == "payment_term"
        ),
        "payment": payment,
        "payment_move": payment.move_id,
        "payment_outstanding": payment.move_id.line_ids.filtered(
            lambda item: item.account_id.account_type != "asset_receivable"
        ),
        "payment_receivable": payment.move_id.line_ids.filtered(
            lambda item: item.account_id.account_type == "asset_receivable"
        ),
        "full": invoice.line_ids.full_reconcile_id,
    }


def _partners(env, customers, rng, company):
    partners = env["res.partner"]
    for start in range(0, customers, 2000):
        partners |= env["res.partner"].create(
            [
                {
                    "name": f"Bulk customer {index:05d}",
                    "is_company": True,
                    "email": f"ap{index}@bulk.example.com",
                    "phone": f"+1 555 {index:07d}",
                    "lang": LANGS[index % len(LANGS)],
                }
                for index in range(start, min(customers, start + 2000))
            ]
        )
    # A third of the customers get a credit limit (company-dependent field).
    limited = partners.filtered(lambda partner: rng.random() < 0.33)
    for amount in (5000, 20000, 50000):
        limited.filtered(lambda p, a=amount: p.id % 3 == a % 3).with_company(
            company
        ).write({"credit_limit": amount, "use_partner_credit_limit": True})
    return partners


def _profile(rng, drift_rng=None):
    kind = _pick(rng, [(name, spec[0]) for name, spec in BEHAVIOURS.items()])
    _share, mean, spread, never = BEHAVIOURS[kind]
    profile = {
        "kind": kind,
        "mean": mean + rng.uniform(-spread / 2, spread / 2),
        "spread": spread,
        "never": never,
        "worsens": rng.random() < 0.10,
        "eur": rng.random() < 0.10,
        "term": _pick(rng, TERMS),
        "size": rng.lognormvariate(0, 0.8),
    }
    if drift_rng is not None:
        profile["drift"] = True
        if drift_rng.random() < CHANGE_SHARE:
            # From switch_age days ago the customer pays like another kind.
            other = _pick(
                drift_rng,
                [(name, spec[0]) for name, spec in BEHAVIOURS.items() if name != kind],
            )
            profile["switch_age"] = drift_rng.randint(30, 365)
            profile["switch_shift"] = BEHAVIOURS[other][1] - BEHAVIOURS[kind][1]
    return profile


def _delay(rng, profile, due, amount, term, today):
    """Days between due date and payment for one invoice; None: never paid."""
    if rng.random() < profile["never"]:
        return None
    days = rng.gauss(profile["mean"], profile["spread"] / 2)
    if due.month in (7, 8, 12):
        days += 6
    if amount > 5000:
        days += 5
    if term >= 60:
        days += 4
    if profile["worsens"] and (today - due).days < 120:
        days += 25
    age = (today - due).days
    if "switch_age" in profile and age < profile["switch_age"]:
        days += profile["switch_shift"]
    if profile.get("drift") and age < DRIFT_DAYS:
        days -= DRIFT_EARLIER * (1.0 - max(age, 0) / DRIFT_DAYS)
    return max(round(days), -term)


def _plan(
    partners, profiles, total_invoices, days, rng, today, eur, eur_rates, company
):
    """Invoices with their credit notes and payments, planned in Python."""
    weights = sum(profile["size"] for profile in profiles.values())
    documents = []  # dicts, one per invoice
    for partner in partners:
        profile = profiles[partner.id]
        count = max(1, round(total_invoices * profile["size"] / weights))
        for _index in range(count):
            invoice_date = today - timedelta(days=rng.randint(0, days))
            term = profile["term"]
            due = invoice_date + timedelta(days=term)
            amount = round(min(200000.0, rng.lognormvariate(7.0, 1.0)) + 20, 2)
            currency = eur if profile["eur"] else company.currency_id
            rate = (
                eur_rates[(invoice_date.year, invoice_date.month)]
                if profile["eur"]
                else 1.0
            )
            balance = round(amount / rate, 2)
            delay = _delay(rng, profile, due, amount, term, today)
            refund = None
            if rng.random() < 0.04 and invoice_date + timedelta(days=5) <= today:
                refund_amount = round(amount * rng.choice((0.1, 0.2, 0.3)), 2)
                refund = (invoice_date + timedelta(days=5), refund_amount)
            payments = []
            if delay is not None:
                pay_date = max(invoice_date, due + timedelta(days=delay))
                payable = round(amount - (refund[1] if refund else 0.0), 2)
                if rng.random() < 0.2:
                    first_date = max(invoice_date, pay_date - timedelta(days=15))
                    first = round(payable * 0.5, 2)
                    payments = [
                        (first_date, first),
                        (pay_date, round(payable - first, 2)),
                    ]
                else:
                    payments = [(pay_date, round(payable, 2))]
                payments = [(d, a) for d, a in payments if d <= today]
            documents.append(
                {
                    "partner_id": partner.id,
                    "date": invoice_date,
                    "due": due,
                    "amount": amount,
                    "balance": balance,
                    "rate": rate,
                    "currency_id": currency.id,
                    "refund": refund,
                    "payments": payments,
                }
            )
    return documents


def generate(env, customers=10000, invoices=20, days=730, seed=42, drift=False):  # noqa: C901
    # One pass builds the rows of every table so that the ids agree.
    key = f"settlement_bench.bulk.{customers}x{invoices}.{days}d.{seed}"
    if drift:
        key += ".drift"
    others = {
        other.removesuffix(".documents")
        for other in parameters_like(env, "settlement_bench.bulk.%")
    } - {key}
    if others:
        raise RuntimeError(
            f"{env.cr.dbname} already holds another dataset "
            f"({', '.join(sorted(others))}): "
            "use another database for this one"
        )
    parameters = env["ir.config_parameter"].sudo()
    if parameters.get_param(key):
        print(f"already generated: {key}")
        return
    if parameters.get_param(f"{key}.documents"):
        raise RuntimeError(
            f"{env.cr.dbname} holds the documents of an interrupted generation: "
            "drop the database and run again"
        )
    started = time.monotonic()
    rng = random.Random(seed)
    cr = env.cr
    for code in LANGS[1:]:
        env["res.lang"]._activate_lang(code)
    company = env.company
    today = fields.Date.context_today(env["account.move"])
    journal = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "sale")],
        limit=1,
    )
    bank_journal = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "bank")],
        limit=1,
    )
    eur, eur_rates = _eur_rates(env, today, days)
    partners = _partners(env, customers, rng, company)
    tpl = _templates(env, partners[0], journal, bank_journal, today)
    env.flush_all()
    drift_rng = random.Random(seed + 1) if drift else None
    profiles = {partner.id: _profile(rng, drift_rng) for partner in partners}
    partner_names = {partner.id: partner.name for partner in partners}

    documents = _plan(
        partners,
        profiles,
        customers * invoices,
        days,
        rng,
        today,
        eur,
        eur_rates,
        company,
    )
    documents.sort(key=lambda doc: doc["date"])
    print(f"planned {len(documents)} invoices in {time.monotonic() - started:.0f} s")

    # 2. Names: continue each journal's sequence per year.
    cr.execute(
        "SELECT sequence_prefix, MAX(sequence_number) FROM account_move"
        " WHERE sequence_prefix IS NOT NULL GROUP BY sequence_prefix"
    )
    last_number = defaultdict(int, cr.fetchall())
    prefixes = {
        kind: tpl[kind].sequence_prefix.replace(str(today.year), "{year}")
        for kind in ("invoice", "refund", "payment_move")
    }

    def next_name(kind, day):
        prefix = prefixes[kind].format(year=day.year)
        last_number[prefix] += 1
        return prefix, last_number[prefix], f"{prefix}{last_number[prefix]:05d}"

    move_cloner = Cloner(cr, "account_move")
    line_cloner = Cloner(cr, "account_move_line")
    payment_cloner = Cloner(cr, "account_payment")
    partial_cloner = Cloner(cr, "account_partial_reconcile")
    full_cloner = Cloner(cr, "account_full_reconcile")

    invoice_ids = move_cloner.new_ids(len(documents))
    refund_docs = [doc for doc in documents if doc["refund"]]
    refund_ids = move_cloner.new_ids(len(refund_docs))
    payment_count = sum(len(doc["payments"]) for doc in documents)
    payment_move_ids = move_cloner.new_ids(payment_count)
    payment_ids = payment_cloner.new_ids(payment_count)
    line_ids = iter(
        line_cloner.new_ids(2 * (len(documents) + len(refund_docs) + payment_count))
    )
    partial_ids = iter(partial_cloner.new_ids(len(refund_docs) + payment_count))
    refund_id_iter, payment_move_iter, payment_id_iter = (
        iter(refund_ids),
        iter(payment_move_ids),
        iter(payment_ids),
    )

    moves = {kind: defaultdict(list) for kind in ("invoice", "refund", "payment")}
    lines = {
        kind: defaultdict(list)
        for kind in (
            "invoice_product",
            "invoice_receivable",
            "refund_product",
            "refund_receivable",
            "payment_outstanding",
            "payment_receivable",
        )
    }
    pays = defaultdict(list)
    partials = defaultdict(list)
    fulls = []

    def add(rows, **values):
        for column, value in values.items():
            rows[column].append(value)

    def add_move(kind, move_id, name_parts, doc, day, **values):
        prefix, number, name = name_parts
        add(
            moves[kind],
            id=move_id,
            name=name,
            sequence_prefix=prefix,
            sequence_number=number,
            partner_id=doc["partner_id"],
            commercial_partner_id=doc["partner_id"],
            invoice_partner_display_name=partner_names[doc["partner_id"]],
            currency_id=doc["currency_id"],
            date=day,
            **values,
        )
        return name

    def add_line(
        kind, line_id, move_id, move_name, doc, day, balance, amount_currency, **values
    ):
        add(
            lines[kind],
            id=line_id,
            move_id=move_id,
            move_name=move_name,
            partner_id=doc["partner_id"],
            currency_id=doc["currency_id"],
            date=day,
            balance=balance,
            debit=max(balance, 0.0),
            credit=max(-balance, 0.0),
            amount_currency=amount_currency,
            **values,
        )

    for invoice_id, doc in zip(invoice_ids, documents, strict=True):
        amount, balance, rate = doc["amount"], doc["balance"], doc["rate"]
        invoice_name_parts = next_name("invoice", doc["date"])
        invoice_name = invoice_name_parts[2]
        receivable_id, product_id = next(line_ids), next(line_ids)
        doc["invoice_id"], doc["receivable_id"] = invoice_id, receivable_id
        residual, residual_company = amount, balance
        group_partials, group_lines = [], [receivable_id]
        if doc["refund"]:
            day, refund_amount = doc["refund"]
            refund_balance = round(refund_amount / rate, 2)
            refund_id = next(refund_id_iter)
            refund_name = add_move(
                "refund",
                refund_id,
                next_name("refund", day),
                doc,
                day,
                invoice_date=day,
                invoice_date_due=day,
                payment_reference=None,
                ref=invoice_name,
                reversed_entry_id=invoice_id,
                invoice_currency_rate=rate,
                amount_untaxed=refund_amount,
                amount_total=refund_amount,
                amount_residual=0.0,
                amount_untaxed_signed=-refund_balance,
                amount_untaxed_in_currency_signed=-refund_amount,
                amount_total_signed=-refund_balance,
                amount_total_in_currency_signed=-refund_amount,
                amount_residual_signed=0.0,
                payment_state="paid",
            )
            refund_receivable, refund_product = next(line_ids), next(line_ids)
            add_line(
                "refund_product",
                refund_product,
                refund_id,
                refund_name,
                doc,
                day,
                refund_balance,
                refund_amount,
                invoice_date=day,
                price_unit=refund_amount,
                price_subtotal=refund_amount,
                price_total=refund_amount,
            )
            add_line(
                "refund_receivable",
                refund_receivable,
                refund_id,
                refund_name,
                doc,
                day,
                -refund_balance,
                -refund_amount,
                invoice_date=day,
                name=refund_name,
                date_maturity=day,
            )
            group_partials.append(
                (
                    next(partial_ids),
                    refund_receivable,
                    refund_amount,
                    refund_balance,
                    day,
                )
            )
            group_lines.append(refund_receivable)
            residual = round(residual - refund_amount, 2)
            residual_company = round(residual_company - refund_balance, 2)
        for pay_date, pay_amount in doc["payments"]:
            last = math.isclose(residual, pay_amount, abs_tol=0.005)
            pay_balance = residual_company if last else round(pay_amount / rate, 2)
            payment_move_id, payment_id = next(payment_move_iter), next(payment_id_iter)
            pay_name = add_move(
                "payment",
                payment_move_id,
                next_name("payment_move", pay_date),
                doc,
                pay_date,
                ref=invoice_name,
                origin_payment_id=None,  # set once the payment exists
                invoice_date_due=pay_date,
                amount_total=pay_balance,
                amount_total_signed=pay_balance,
                amount_total_in_currency_signed=pay_amount,
            )
            add(
                pays,
                id=payment_id,
                move_id=payment_move_id,
                name=pay_name,
                date=pay_date,
                amount=pay_amount,
                amount_company_currency_signed=pay_balance,
                partner_id=doc["partner_id"],
                currency_id=doc["currency_id"],
                memo=invoice_name,
            )
            outstanding, receivable = next(line_ids), next(line_ids)
            label = f"Manual Payment: {invoice_name}"
            for kind, line_id, sign in (
                ("payment_outstanding", outstanding, 1),
                ("payment_receivable", receivable, -1),
            ):
                add_line(
                    kind,
                    line_id,
                    payment_move_id,
                    pay_name,
                    doc,
                    pay_date,
                    sign * pay_balance,
                    sign * pay_amount,
                    payment_id=payment_id,
                    name=label,
                    ref=invoice_name,
                    date_maturity=pay_date,
                    price_subtotal=sign * pay_amount,
                    price_total=sign * pay_amount,
                    amount_residual=pay_balance if sign > 0 else 0.0,
                    amount_residual_currency=pay_amount if sign > 0 else 0.0,
                )
            group_partials.append(
                (next(partial_ids), receivable, pay_amount, pay_balance, pay_date)
            )
            group_lines.append(receivable)
            residual = round(residual - pay_amount, 2)
            residual_company = round(residual_company - pay_balance, 2)
        matched = bool(group_partials)
        paid = matched and abs(residual_company) < 0.005
        doc["settled_on"] = max(p[4] for p in group_partials) if paid else None
        doc["residual"], doc["residual_company"] = residual, residual_company
        # Community has no "In Payment" step: paid as soon as reconciled.
        payment_state = "not_paid"
        if paid:
            payment_state = "paid"
        elif matched:
            payment_state = "partial"
        add_move(
            "invoice",
            invoice_id,
            invoice_name_parts,
            doc,
            doc["date"],
            invoice_date=doc["date"],
            invoice_date_due=doc["due"],
            payment_reference=invoice_name,
            invoice_currency_rate=rate,
            amount_untaxed=amount,
            amount_total=amount,
            amount_residual=max(residual, 0.0),
            amount_untaxed_signed=balance,
            amount_untaxed_in_currency_signed=amount,
            amount_total_signed=balance,
            amount_total_in_currency_signed=amount,
            amount_residual_signed=max(residual_company, 0.0),
            payment_state=payment_state,
        )
        add_line(
            "invoice_product",
            product_id,
            invoice_id,
            invoice_name,
            doc,
            doc["date"],
            -balance,
            -amount,
            invoice_date=doc["date"],
            price_unit=amount,
            price_subtotal=amount,
            price_total=amount,
        )
        add_line(
            "invoice_receivable",
            receivable_id,
            invoice_id,
            invoice_name,
            doc,
            doc["date"],
            balance,
            amount,
            invoice_date=doc["date"],
            name=invoice_name,
            date_maturity=doc["due"],
            amount_residual=max(residual_company, 0.0),
            amount_residual_currency=max(residual, 0.0),
            reconciled=paid,
        )
        for partial_id, credit_line, part_amount, part_balance, day in group_partials:
            add(
                partials,
                id=partial_id,
                debit_move_id=receivable_id,
                credit_move_id=credit_line,
                debit_currency_id=doc["currency_id"],
                credit_currency_id=doc["currency_id"],
                amount=part_balance,
                debit_amount_currency=part_amount,
                credit_amount_currency=part_amount,
                max_date=max(day, doc["date"]),
            )
        if matched:
            fulls.append((paid, group_lines, min(p[0] for p in group_partials)))

    # 3. Full reconciliations and matching numbers, known once ids exist.
    full_ids = iter(full_cloner.new_ids(sum(1 for paid, *_ in fulls if paid)))
    matching, full_of = {}, {}
    for paid, group_lines, first_partial in fulls:
        if paid:
            full_id = next(full_ids)
            for line_id in group_lines:
                matching[line_id], full_of[line_id] = str(full_id), full_id
        else:
            for line_id in group_lines:
                matching[line_id] = f"P{first_partial}"
    for rows in lines.values():
        rows["matching_number"] = [matching.get(i) for i in rows["id"]]
        rows["full_reconcile_id"] = [full_of.get(i) for i in rows["id"]]
    for kind in ("refund_receivable", "payment_receivable"):
        lines[kind]["reconciled"] = [True] * len(lines[kind]["id"])

    # 4. Insert.
    full_rows = {"id": sorted(set(full_of.values()))}
    full_cloner.insert(tpl["full"].id, full_rows)
    move_cloner.insert(tpl["invoice"].id, moves["invoice"])
    move_cloner.insert(tpl["refund"].id, moves["refund"])
    move_cloner.insert(tpl["payment_move"].id, moves["payment"])
    payment_cloner.insert(tpl["payment"].id, pays)
    cr.execute(
        SQL(
            "UPDATE account_move move SET origin_payment_id = payment.id"
            " FROM account_payment payment"
            " WHERE payment.move_id = move.id AND payment.id = ANY(%s)",
            pays["id"],
        )
    )
    for kind, rows in lines.items():
        line_cloner.insert(tpl[kind].id, rows)
    partial_cloner.insert(tpl["invoice_receivable"].matched_credit_ids[:1].id, partials)
    env.invalidate_all()
    print(
        f"inserted {len(documents)} invoices, {len(refund_ids)} credit notes, "
        f"{payment_count} payments, {len(partials['id'])} reconciliations "
        f"in {time.monotonic() - started:.0f} s"
    )
    check_sample(env, invoice_ids, rng)
    # Committing also clears core's in-transaction sequence cache, which still
    # numbers from the templates and would clash with the copies.
    parameters.set_param(f"{key}.documents", "1")
    cr.commit()
    _reminders(env, documents, partners[0], today)
    _disputes_promises_plans(env, documents, rng, today)
    parameters.set_param(key, "1")
    cr.commit()
    # Fresh statistics, as a database in use has: right after a bulk load the
    # planner would otherwise guess row counts from the empty tables.
    cr.execute("ANALYZE")
    print(f"generated in {time.monotonic() - started:.0f} s")


def _reminders(env, documents, partner, today):
    """The reminders the standard policy would have sent over the history: one
    per customer, level and day, each item once per level."""
    started = time.monotonic()
    policy = env.ref("settlement_mgmt.dunning_policy_standard")
    levels = policy.level_ids.filtered(lambda level: level.days > 0).sorted("days")
    template = env["settlement.dunning.communication"].create(
        {
            "partner_id": partner.id,
            "company_id": env.company.id,
            "policy_id": policy.id,
            "level_id": levels[0].id,
            "date": today - timedelta(days=4000),
            "line_ids": [
                Command.create(
                    {"level_id": levels[0].id, "item_ref": 0, "name": "template"}
                )
            ],
        }
    )
    env.flush_all()
    communications, items = {}, defaultdict(list)
    for doc in documents:
        # Remindable until paid (or today), the item as it stood then.
        until = doc["settled_on"] or (
            today if doc["residual_company"] > 0.005 else doc["due"]
        )
        for level in levels:
            day = doc["due"] + timedelta(days=level.days)
            if day >= until or day >= today:
                break
            key = (doc["partner_id"], level.id, day)
            communications.setdefault(key, [0.0])[0] += doc["balance"]
            items[key].append(doc)
    cloner = Cloner(env.cr, "settlement_dunning_communication")
    line_cloner = Cloner(env.cr, "settlement_dunning_communication_line")
    ids = dict(zip(communications, cloner.new_ids(len(communications)), strict=True))
    rows, line_rows = defaultdict(list), defaultdict(list)
    for key, (amount,) in communications.items():
        partner_id, level_id, day = key
        rows["id"].append(ids[key])
        rows["name"].append(f"REM/{day.year}/{ids[key]:06d}")
        rows["partner_id"].append(partner_id)
        rows["level_id"].append(level_id)
        rows["date"].append(day)
        rows["amount_overdue"].append(round(amount, 2))
        for doc in items[key]:
            line_rows["communication_id"].append(ids[key])
            line_rows["level_id"].append(level_id)
            line_rows["item_ref"].append(item_ref_of_move_line(doc["receivable_id"]))
            line_rows["move_id"].append(doc["invoice_id"])
            line_rows["move_line_id"].append(doc["receivable_id"])
            line_rows["date_due"].append(doc["due"])
            line_rows["days_overdue"].append((day - doc["due"]).days)
            line_rows["currency_id"].append(doc["currency_id"])
            line_rows["amount_residual"].append(doc["balance"])
            line_rows["amount_residual_currency"].append(doc["amount"])
            line_rows["name"].append(None)
    line_rows["id"] = line_cloner.new_ids(len(line_rows["communication_id"]))
    cloner.insert(template.id, rows)
    line_cloner.insert(template.line_ids.id, line_rows)
    template.unlink()
    env.invalidate_all()
    print(
        f"reminders: {len(rows['id'])} with {len(line_rows['id'])} items "
        f"in {time.monotonic() - started:.0f} s"
    )


def _disputes_promises_plans(env, documents, rng, today):
    """Through the ORM: few enough, and their rules are the product's."""
    started = time.monotonic()
    open_docs = [doc for doc in documents if doc["residual_company"] > 0.005]
    reasons = env["settlement.dispute.reason"].search([])
    disputed = rng.sample(open_docs, k=min(len(open_docs), len(documents) // 100))
    disputes = env["settlement.dispute"].create(
        [
            {
                "move_id": doc["invoice_id"],
                "reason_id": rng.choice(reasons.ids),
                "amount": round(doc["residual"] * rng.choice((0.2, 0.5, 1.0)), 2),
                "description": "<p>Generated</p>",
            }
            for doc in disputed
        ]
    )
    resolved = disputes.filtered(lambda dispute: rng.random() < 0.5)
    for dispute in resolved:
        if rng.random() < 0.4:
            dispute._accept(dispute.amount / 2, "Agreed to half")
        else:
            dispute._reject("Goods delivered as ordered")
    # Opened up to 90 days ago, resolved after 1 to 40 days.
    env.flush_all()
    opened = [rng.randint(1, 90) for _dispute in disputes]
    took = [min(days, rng.randint(1, 40)) for days in opened]
    env.cr.execute(
        SQL(
            """
            UPDATE settlement_dispute dispute
               SET create_date = now() - v.opened * interval '1 day',
                   date_resolved = CASE WHEN dispute.date_resolved IS NOT NULL
                       THEN now() - (v.opened - v.took) * interval '1 day' END,
                   resolution_days = CASE WHEN dispute.date_resolved IS NOT NULL
                       THEN v.took END
              FROM unnest(%s::int[], %s::int[], %s::int[]) AS v(id, opened, took)
             WHERE dispute.id = v.id
            """,
            disputes.ids,
            opened,
            took,
        )
    )
    by_partner = defaultdict(list)
    for doc in open_docs:
        if doc["due"] < today:
            by_partner[doc["partner_id"]].append(doc)
    promised = rng.sample(
        sorted(by_partner), k=min(len(by_partner), len(by_partner) // 20)
    )
    promised_for = [today + timedelta(days=rng.randint(-60, 20)) for _ in promised]
    promises = env["settlement.promise"].create(
        [
            {
                "partner_id": partner_id,
                "amount": round(
                    sum(doc["residual_company"] for doc in by_partner[partner_id]), 2
                ),
                "date_promised": max(day, today),
            }
            for partner_id, day in zip(promised, promised_for, strict=True)
        ]
    )
    # Promises of the past, kept or broken, written as history: the form
    # refuses a promised date in the past, rightly.
    past = [
        (promise.id, day, "kept" if rng.random() < 0.6 else "broken")
        for promise, day in zip(promises, promised_for, strict=True)
        if day < today
    ]
    env.flush_all()
    env.cr.execute(
        SQL(
            """
            UPDATE settlement_promise promise
               SET date_promised = v.day, state = v.state,
                   date_closed = v.day + 1,
                   create_date = v.day - 10
              FROM unnest(%s::int[], %s::date[], %s::varchar[]) AS v(id, day, state)
             WHERE promise.id = v.id
            """,
            [row[0] for row in past],
            [row[1] for row in past],
            [row[2] for row in past],
        )
    )
    env.invalidate_all()
    plans = 0
    for partner_id in rng.sample(sorted(by_partner), k=min(20, len(by_partner))):
        moves = env["account.move"].browse(
            [doc["invoice_id"] for doc in by_partner[partner_id]]
        )
        wizard = (
            env["settlement.instalment.plan.create"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"instalment_count": rng.choice((3, 4, 6))})
        )
        plan = env["settlement.instalment.plan"].browse(
            wizard.action_create()["res_id"]
        )
        plan.action_activate()
        plans += 1
    env.flush_all()
    print(
        f"{len(disputes)} disputes ({len(resolved)} resolved), {len(promises)} "
        f"promises, {plans} plans in {time.monotonic() - started:.0f} s"
    )


def check_sample(env, invoice_ids, rng, size=300):
    """Recompute a sample through the ORM: the copies must match what core
    would have stored."""
    moves = env["account.move"].browse(
        rng.sample(invoice_ids, k=min(size, len(invoice_ids)))
    )
    lines = moves.line_ids | moves.line_ids.matched_credit_ids.credit_move_id
    fields_by_model = {
        moves: ("amount_residual", "amount_residual_signed", "payment_state"),
        lines: ("amount_residual", "amount_residual_currency", "reconciled"),
    }
    stored = {
        (records._name, field): {r.id: r[field] for r in records}
        for records, names in fields_by_model.items()
        for field in names
    }
    lines._compute_amount_residual()
    moves._compute_amount()
    moves._compute_payment_state()
    wrong = [
        (model, field, record_id, value, getattr(env[model].browse(record_id), field))
        for (model, field), values in stored.items()
        for record_id, value in values.items()
        if getattr(env[model].browse(record_id), field) != value
    ]
    if wrong:
        raise AssertionError(f"generated data differs from the ORM: {wrong[:10]}")
    # And every amount is a whole number of cents, as core rounds them.
    env.cr.execute(
        """SELECT COUNT(*) FROM account_move_line
            WHERE amount_residual <> ROUND(amount_residual, 2)
               OR amount_residual_currency <> ROUND(amount_residual_currency, 2)
               OR balance <> ROUND(balance, 2)"""
    )
    if env.cr.fetchone()[0]:
        raise AssertionError("generated amounts with more than two decimals")
    print(
        f"ORM recomputation of {len(moves)} invoices and {len(lines)} items: identical"
    )


if __name__ in ("__main__", "builtins"):
    generate(
        env,  # noqa: F821 - provided by odoo shell
        int(os.environ.get("BENCH_CUSTOMERS", 10000)),
        int(os.environ.get("BENCH_INVOICES", 20)),
        int(os.environ.get("BENCH_DAYS", 730)),
        int(os.environ.get("BENCH_SEED", 42)),
        os.environ.get("BENCH_DRIFT", "0") == "1",
    )
