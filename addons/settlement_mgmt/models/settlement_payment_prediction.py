from dataclasses import dataclass, field
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.forecast import DelayHistory, blend, expected_date_of_blend
from ..lib.prediction import RISK_LEVELS
from .settlement_prediction_factors import FEATURES
from .settlement_prediction_model import HIGH_RISK, MEDIUM_RISK

RETRAIN_DAYS = 7
TOP_FACTORS = 3


@dataclass(frozen=True)
class ExpectedDateInputs:
    """What the expected payment dates of a company's open invoices are
    computed from (see ``SettlementPaymentPrediction._expected_date``)."""

    today: date
    histories: dict[int, DelayHistory]  # per commercial partner id
    company_history: DelayHistory  # the company's, the prior of a newcomer
    dues: dict[int, date]  # per invoice id
    # {commercial partner id: blended distribution}, filled as invoices are
    # dated: a customer's histories are blended once, not once per invoice.
    blends: dict = field(default_factory=dict)


class SettlementPaymentPrediction(models.Model):
    """How likely an open invoice is to be paid late, when it should be paid,
    and the factors that weigh most — rewritten nightly for every open invoice
    (one query for the factors, one insert)."""

    _name = "settlement.payment.prediction"
    _description = "Late-Payment Prediction"
    _order = "probability desc, id"

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        readonly=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="move_id.currency_id")
    amount_residual = fields.Monetary(related="move_id.amount_residual")
    date_due = fields.Date(string="Due Date", readonly=True)
    probability = fields.Float(
        string="Chance of Paying Late (%)",
        digits=(5, 1),
        readonly=True,
        aggregator="avg",
    )
    risk = fields.Selection(
        selection=RISK_LEVELS,
        string="Late-Payment Risk",
        readonly=True,
        index=True,
    )
    expected_date = fields.Date(string="Expected Payment", readonly=True)
    factor_codes = fields.Char(readonly=True)
    factor_summary = fields.Char(
        string="Main Factors", compute="_compute_factor_summary"
    )
    model_id = fields.Many2one("settlement.prediction.model", readonly=True)

    @api.depends("factor_codes")
    def _compute_factor_summary(self):
        labels = self.env["settlement.prediction.model"]._factor_labels()
        for record in self:
            parts = []
            for code in (record.factor_codes or "").split():
                name, bin_index = code.split(":")
                # Written by a model of older factors until the nightly run
                # rewrites it: a factor no longer worded is left out.
                title, bins = labels.get(name, (None, ()))
                if int(bin_index) < len(bins):
                    parts.append(f"{title}: {bins[int(bin_index)]}")
            record.factor_summary = "; ".join(parts)

    def _risk_of(self, probability):
        if probability is None:
            return "none"
        if probability >= HIGH_RISK:
            return "high"
        return "medium" if probability >= MEDIUM_RISK else "low"

    def _predict(self, model_record):
        """Replace the predictions of the model's company."""
        company = model_record.company_id
        model = model_record._model()
        today = fields.Date.context_today(self)
        rows = self.env.execute_query(
            model_record._features_sql(company, today, "open")
        )
        size = len(FEATURES)
        values = []
        reliable = model_record.reliable
        dates = self._expected_date_inputs(company, today, rows) if reliable else None
        for item_id, move_id, partner_id, due, *rest in rows:
            bins = tuple(rest[:size])
            probability = model.probability(bins)
            if not reliable:
                # A guess is not shown as a risk: no chance, date or factors.
                values.append((item_id, move_id, partner_id, due, None, None, ""))
                continue
            # As stored and read back by the invoice's forecast (0.1 %).
            expected = self._expected_date(
                dates, move_id, partner_id, round(100 * probability, 1) / 100
            )
            factors = " ".join(
                f"{model.feature_names[feature]}:{bin_index}"
                for feature, bin_index, weight in model.contributions(bins)[
                    :TOP_FACTORS
                ]
                if weight > 0
            )
            values.append(
                (item_id, move_id, partner_id, due, probability, expected, factors)
            )
        self.env.cr.execute(
            SQL(
                "DELETE FROM settlement_payment_prediction WHERE company_id = %s",
                company.id,
            )
        )
        # One row per invoice: the earliest due item carries the prediction.
        by_move = {}
        for row in sorted(values, key=lambda row: row[3]):
            by_move.setdefault(row[1], row)
        rows = list(by_move.values())
        if rows:
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO settlement_payment_prediction
                       (move_id, partner_id, company_id, date_due, probability, risk,
                        expected_date, factor_codes, model_id,
                        create_uid, write_uid, create_date, write_date)
                SELECT v.move_id, v.partner_id, %(company)s, v.due, v.probability,
                       v.risk, v.expected, v.factors, %(model)s,
                       %(uid)s, %(uid)s, now() at time zone 'UTC',
                       now() at time zone 'UTC'
                  FROM unnest(%(moves)s::int[], %(partners)s::int[], %(dues)s::date[],
                              %(probabilities)s::float[], %(risks)s::varchar[],
                              %(expected)s::date[], %(factors)s::varchar[])
                       AS v(move_id, partner_id, due, probability, risk, expected,
                            factors)
                """,
                    company=company.id,
                    model=model_record.id,
                    uid=self.env.uid,
                    moves=[row[1] for row in rows],
                    partners=[row[2] for row in rows],
                    dues=[row[3] for row in rows],
                    probabilities=[
                        None if row[4] is None else round(100 * row[4], 1)
                        for row in rows
                    ],
                    risks=[self._risk_of(row[4]) for row in rows],
                    expected=[row[5] for row in rows],
                    factors=[row[6] for row in rows],
                )
            )
        self.invalidate_model()
        return len(rows)

    def _expected_date_inputs(self, company, today, rows):
        """What :meth:`_expected_date` reads for the invoices of ``rows`` (every
        open invoice of the company): the customers' histories of days late
        (the collections forecast's, so the invoice shows one expected date,
        not two) and the invoices' due dates, in two queries (an
        :class:`ExpectedDateInputs`)."""
        # Every customer's history in one grouped query, which also makes the
        # company's: cheaper than the customers of the rows (nearly all of
        # them) and the company's read apart.
        histories, company_history = self.env[
            "settlement.collection.forecast"
        ]._delay_histories(company, today)
        dues = dict(
            self.env.execute_query(
                SQL(
                    "SELECT id, invoice_date_due FROM account_move WHERE id = ANY(%s)",
                    list({row[1] for row in rows}),
                )
            )
        )
        return ExpectedDateInputs(today, histories, company_history, dues)

    def _expected_date(self, inputs, move_id, partner_id, probability):
        """The invoice's expected payment date as the collections forecast
        computes it (``settlement.collection.forecast._expected_dates``),
        with the chance of paying late just predicted."""
        blended = inputs.blends.get(partner_id)
        if blended is None:
            blended = inputs.blends[partner_id] = blend(
                inputs.histories.get(partner_id), inputs.company_history
            )
        return expected_date_of_blend(
            inputs.dues[move_id] or inputs.today, inputs.today, blended, probability
        )

    @api.model
    def _cron_settlement_predictions(self):
        """Nightly: retrain each company's model once a week, predict every open
        invoice, and alert the responsible of customers whose payments worsen."""
        Model = self.env["settlement.prediction.model"]
        companies = self.env["res.company"].search([("active", "=", True)])
        now = fields.Datetime.now()
        for done, company in enumerate(companies, start=1):
            model = Model.search([("company_id", "=", company.id)], limit=1)
            if (
                not model
                or model.trained_at < now - timedelta(days=RETRAIN_DAYS)
                or not model._has_current_factors()
            ):
                model = Model._train(company) or model
            # A model learnt on other factors (before an upgrade) cannot score
            # today's: it waits until enough history trains a new one.
            if model and model._has_current_factors():
                self._predict(model)
            self.env["res.partner"]._settlement_alert_worsening(company)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(companies) - done
            )
