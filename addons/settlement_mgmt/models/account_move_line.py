from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.aging import bucket_index, bucket_ranges


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    settlement_aging_bucket = fields.Selection(
        selection="_settlement_aging_selection",
        string="Aging",
        compute="_compute_settlement_aging_bucket",
        search="_search_settlement_aging_bucket",
        help="How long past its due date the item is today, in the company's "
        "aging buckets (Settings).",
    )

    @api.model
    def _settlement_aging_selection(self):
        company = self.env.company
        labels = company._settlement_aging_labels(
            company._settlement_aging_boundaries()
        )
        return [(str(index), label) for index, label in enumerate(labels)]

    @api.depends("date_maturity")
    @api.depends_context("company")
    def _compute_settlement_aging_bucket(self):
        today = fields.Date.context_today(self)
        boundaries = self.env.company._settlement_aging_boundaries()
        for line in self:
            line.settlement_aging_bucket = line.date_maturity and str(
                bucket_index((today - line.date_maturity).days, boundaries)
            )

    def _search_settlement_aging_bucket(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            return NotImplemented
        values = [value] if isinstance(value, str | int) else list(value or ())
        today = fields.Date.context_today(self)
        ranges = [
            (None, 0),
            *bucket_ranges(self.env.company._settlement_aging_boundaries()),
        ]
        domains = []
        for index in {int(value) for value in values if str(value).isdigit()}:
            if index >= len(ranges):
                continue
            low, high = ranges[index]
            domain = [("date_maturity", "!=", False)]
            if high is not None:
                domain.append(("date_maturity", ">=", today - timedelta(days=high)))
            if low is not None:
                domain.append(("date_maturity", "<=", today - timedelta(days=low)))
            domains.append(domain)
        domain = ["|"] * (len(domains) - 1) + [
            term for part in domains for term in (["&"] * (len(part) - 1) + part)
        ]
        domain = domain or [("id", "=", False)]
        return ["!", *domain] if operator in ("!=", "not in") else domain

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        # Grouping Open Receivables by age (pivot, graph, list) happens in SQL:
        # today's days past due, placed in the company's buckets.
        if fname != "settlement_aging_bucket":
            return super()._field_to_sql(alias, fname, query, flush)
        due = super()._field_to_sql(alias, "date_maturity", query, flush)
        company = self.env.company
        return SQL(
            "CASE WHEN %(due)s IS NULL THEN NULL ELSE %(bucket)s::varchar END",
            due=due,
            bucket=company._settlement_aging_bucket_sql(
                SQL("%s - %s", fields.Date.context_today(self), due),
                company._settlement_aging_boundaries(),
            ),
        )

    def reconcile(self):
        # Register payment, bank reconciliation, outstanding credits and
        # reversals all reconcile here: paying the overdue items releases the
        # automatic hold at once and refreshes the customer's risk score.
        result = super().reconcile()
        receivable = (
            self.env["settlement.receivable.query"]
            ._receivable_lines(self)
            .filtered("partner_id")
        )
        for company, lines in receivable.grouped("company_id").items():
            lines.partner_id.sudo()._settlement_on_receivable_change(company)
        if receivable:
            plans = (
                self.env["settlement.instalment.plan"]
                .sudo()
                .search(
                    [
                        ("move_ids", "in", receivable.move_id.ids),
                        ("state", "=", "active"),
                    ]
                )
            )
            plans._update_completion()
        return result

    def _get_installments_data(
        self, payment_currency=None, payment_date=None, next_payment_date=None
    ):
        # Core proposes its own (first) discount tier; past it, a later tier of
        # ours may still run on the payment date.
        installments = super()._get_installments_data(
            payment_currency=payment_currency,
            payment_date=payment_date,
            next_payment_date=next_payment_date,
        )
        move = self.move_id
        tier = self.env["settlement.invoice.discount"]._running_tier(
            move, payment_date or fields.Date.context_today(self)
        )
        if not tier or tier.sequence == 1:
            return installments
        sign = move.direction_sign
        for installment in installments:
            if installment["type"] != "early_payment_discount":
                continue
            line = installment["line"]
            installment.update(
                {
                    "amount_residual_currency": tier.amount_currency,
                    "amount_residual": tier.balance,
                    "amount_residual_currency_unsigned": -sign * tier.amount_currency,
                    "amount_residual_unsigned": -sign * tier.balance,
                    "discount_amount_currency": line.amount_currency
                    - tier.amount_currency,
                    "discount_amount": line.balance - tier.balance,
                }
            )
        return installments
