from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.aging import bucket_index
from ..lib.receivable_rows import StatementBalance, StatementMovement


class SettlementStatement(models.AbstractModel):
    """The statement of account of a customer for a period: one section per
    currency with its opening balance, every receivable movement with a
    running balance, its closing balance (the ledger's on that date) and its
    aging as of the end date.  Read by the PDF, the XLSX, the portal page and
    the e-mails; a constant number of queries whatever the history."""

    _name = "settlement.statement"
    _inherit = ["settlement.statement.format"]
    _description = "Statement of Account"

    @api.model
    def _default_period(self, today=None):
        today = today or fields.Date.context_today(self)
        return today.replace(day=1) - relativedelta(months=2), today

    @api.model
    def _receivable_filter(self, partner, company):
        return self.env["settlement.receivable.query"]._receivable_sql(
            company=company, partners=partner.commercial_partner_id
        )

    @api.model
    def _balances(self, partner, company, date_from, date_to):
        """{currency id: StatementBalance} of the customer's receivables."""
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT line.currency_id,
                   SUM(line.amount_currency) FILTER (WHERE line.date < %(date_from)s)
                       AS opening,
                   SUM(line.amount_currency) AS closing
              FROM account_move_line line
             WHERE %(receivable)s
               AND line.date <= %(date_to)s
          GROUP BY line.currency_id
            """,
                date_from=date_from,
                date_to=date_to,
                receivable=self._receivable_filter(partner, company),
            )
        )
        return {
            row["currency_id"]: StatementBalance(
                opening=row["opening"] or 0.0, closing=row["closing"] or 0.0
            )
            for row in rows
        }

    @api.model
    def _movements(self, partner, company, date_from, date_to):
        """StatementMovement per document (its receivable items summed) in the
        period, in the order the statement lists them."""
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT line.currency_id,
                   move.id AS move_id,
                   move.date,
                   move.name,
                   COALESCE(NULLIF(move.ref, ''), move.payment_reference, '') AS ref,
                   CASE WHEN move.origin_payment_id IS NOT NULL THEN 'payment'
                        ELSE move.move_type END AS move_type,
                   MIN(line.date_maturity) AS date_due,
                   SUM(line.amount_currency) AS amount
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
             WHERE %(receivable)s
               AND line.date BETWEEN %(date_from)s AND %(date_to)s
          GROUP BY line.currency_id, move.id
          ORDER BY line.currency_id, move.date, move.name, move.id
            """,
                date_from=date_from,
                date_to=date_to,
                receivable=self._receivable_filter(partner, company),
            )
        )
        return [StatementMovement(**row) for row in rows]

    @api.model
    def _open_items_at(self, partner, company, date_to):
        """(currency id, due date, residual in currency) of every receivable
        item open on ``date_to``: reconciliations made later are ignored."""
        return self.env.execute_query(
            SQL(
                """
            SELECT item.currency_id, item.date_due, item.amount_residual_currency
              FROM (%(items)s) item
            """,
                items=self.env["settlement.receivable.query"]._open_items_sql(
                    company, date_to, partners=partner.commercial_partner_id
                ),
            )
        )

    @api.model
    def _statement_data(self, partner, date_from=None, date_to=None, company=None):
        partner = partner.commercial_partner_id
        company = company or self.env.company
        default_from, default_to = self._default_period()
        date_from = date_from or default_from
        date_to = date_to or default_to
        self.env["settlement.receivable.query"]._flush()
        self.env["account.move"].flush_model(
            [
                "name",
                "ref",
                "date",
                "move_type",
                "origin_payment_id",
                "payment_reference",
            ]
        )
        boundaries = company._settlement_aging_boundaries()
        # In this report's language (``company`` may come without it).
        labels = self.env["res.company"]._settlement_aging_labels(boundaries)
        currencies = {}
        balances = self._balances(partner, company, date_from, date_to)
        for currency_id, balance in balances.items():
            currencies[currency_id] = {
                "opening": balance.opening,
                "closing": balance.closing,
                "lines": [],
                "aging": [0.0] * len(labels),
            }
        move_types = dict(
            self.env["account.move"]
            ._fields["move_type"]
            ._description_selection(self.env)
        )
        for movement in self._movements(partner, company, date_from, date_to):
            amount = movement.amount
            section = currencies.setdefault(
                movement.currency_id,
                {
                    "opening": 0.0,
                    "closing": 0.0,
                    "lines": [],
                    "aging": [0.0] * len(labels),
                },
            )
            section["lines"].append(
                {
                    "move_id": movement.move_id,
                    "date": movement.date,
                    "name": movement.name,
                    "ref": movement.ref,
                    "type": move_types.get(movement.move_type, ""),
                    "date_due": movement.date_due if amount > 0 else None,
                    "debit": amount if amount > 0 else 0.0,
                    "credit": -amount if amount < 0 else 0.0,
                }
            )
        for currency_id, due, residual in self._open_items_at(
            partner, company, date_to
        ):
            if currency_id in currencies and residual:
                index = bucket_index((date_to - due).days, boundaries)
                currencies[currency_id]["aging"][index] += residual
        Currency = self.env["res.currency"]
        sections = []
        for currency_id, section in sorted(
            currencies.items(),
            key=lambda item: (item[0] != company.currency_id.id, item[0]),
        ):
            # one read for every currency of the statement
            currency = Currency.browse(currency_id).with_prefetch(tuple(currencies))
            running = section["opening"]
            for line in section["lines"]:
                running += line["debit"] - line["credit"]
                line["balance"] = currency.round(running)
            if (
                currency.is_zero(section["opening"])
                and not section["lines"]
                and (currency.is_zero(section["closing"]))
            ):
                continue
            sections.append(
                {
                    "currency": currency,
                    "opening": currency.round(section["opening"]),
                    "closing": currency.round(section["closing"]),
                    "lines": section["lines"],
                    "aging": list(
                        zip(
                            labels,
                            [currency.round(a) for a in section["aging"]],
                            strict=True,
                        )
                    ),
                    "overdue": currency.round(sum(section["aging"][1:])),
                    "in_words": self._amount_in_words(
                        currency.round(section["closing"]),
                        currency,
                        partner.lang,
                        digits=self._partner_calendar(partner)[1],
                    ),
                }
            )
        today = fields.Date.context_today(self)
        current = date_to >= today
        holds = (
            self.env["settlement.credit.hold"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("state", "=", "active"),
                ],
                order="date_start",
                limit=1,
            )
            if current
            else self.env["settlement.credit.hold"]
        )
        # The account is with an agency or lawyer: said on the statement, with
        # the items handed over marked.
        collection_case = (
            self.env["settlement.collection.case"]._active_case(partner, company).sudo()
        )
        if collection_case.date_handover and collection_case.date_handover > date_to:
            collection_case = collection_case.browse()
        case_moves = collection_case.item_ids.move_id
        for section in sections:
            for line in section["lines"]:
                line["collection"] = line["move_id"] in case_moves.ids
        return {
            "partner": partner,
            "company": company,
            "date_from": date_from,
            "date_to": date_to,
            "sections": sections,
            "plans": self._open_plans(partner, company),
            "disputes": self._disputes_open_at(partner, company, date_to),
            "discounts": self._open_discounts(partner, company, date_to),
            # Today's figures, shown only on a statement that runs to today: a
            # past period's statement must not pass them for its own.  A
            # customer on hold is told so, not what credit it would have.
            "hold": holds,
            "collection_case": collection_case,
            # Read from a replica that lags behind: the figures are as of then.
            "as_of": self.env["settlement.receivable.query"]._replica_as_of(),
            "available_credit": (
                partner.with_company(company).sudo().settlement_available_credit
                if current and not holds and partner.credit_limit
                else None
            ),
        }

    @api.model
    def _disputes_open_at(self, partner, company, date_to):
        """The customer's disputes open at the end of ``date_to``: raised by
        then and not resolved by then (a dispute resolved later was still
        open on that day; one raised later did not exist yet)."""
        end = datetime.combine(date_to + timedelta(days=1), time.min)
        return (
            self.env["settlement.dispute"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("create_date", "<", end),
                    "|",
                    ("date_resolved", "=", False),
                    ("date_resolved", ">=", end),
                ]
            )
        )

    @api.model
    def _open_plans(self, partner, company, states=("active",)):
        """The customer's plans in ``states`` (running ones by default)."""
        return (
            self.env["settlement.instalment.plan"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("state", "in", list(states)),
                ]
            )
        )

    @api.model
    def _open_discounts(self, partner, company, date_to):
        """Journal items whose early payment discount still runs on ``date_to``."""
        Item = self.env["settlement.receivable.item"].sudo()
        return Item.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("discount_date", ">=", date_to),
            ]
        )
