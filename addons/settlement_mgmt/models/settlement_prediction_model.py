import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, html_escape

from ..lib.prediction import (
    Feature,
    Model,
    NotEnoughHistory,
    auc,
    brier,
    calibration,
    train,
)

# Every factor is binned; bin 0 is the reference the others are compared with.
# late_share and days_late are the customer's record over the 12 months before
# the invoice (-1: no history), as it stood on the invoice date.
FEATURES = (
    Feature("late_share", (-0.5, 0.1, 0.4), 4),
    Feature("days_late", (0.0, 10.0, 30.0), 4),
    Feature("amount", (500.0, 2000.0, 10000.0), 4),
    Feature("term_days", (0.0, 30.0, 45.0), 4),
    Feature("due_quarter", (), 4),
    Feature("reminders", (0.0, 2.0, 5.0), 4),
)
TRAINING_DAYS = 730
BACKTEST_DAYS = 120
HIGH_RISK, MEDIUM_RISK = 0.6, 0.3
# Below this on the invoices held back the model guesses: no risk is shown.
MIN_AUC = 0.6


class SettlementPredictionModel(models.Model):
    """The late-payment model of a company: a logistic scorecard learnt from its
    own history (each factor adds or removes log-odds of paying late), with the
    backtest of the same method on the last months held back."""

    _name = "settlement.prediction.model"
    _description = "Late-Payment Model"
    _order = "trained_at desc, id desc"
    _rec_name = "trained_at"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, ondelete="cascade"
    )
    trained_at = fields.Datetime(string="Trained On", readonly=True)
    sample_count = fields.Integer(string="Invoices Learnt From", readonly=True)
    late_rate = fields.Float(string="Paid Late (%)", digits=(5, 1), readonly=True)
    backtest_date = fields.Date(
        string="Held Back From",
        readonly=True,
        help="Invoices due from this date were held back: the model trained on "
        "what was due before predicted them.",
    )
    backtest_count = fields.Integer(string="Invoices Held Back", readonly=True)
    backtest_auc = fields.Float(
        string="AUC",
        digits=(4, 3),
        readonly=True,
        help="Chance that a late invoice is rated riskier than one paid on time "
        "(0.5: guessing, 1: perfect).",
    )
    backtest_brier = fields.Float(
        string="Brier Score",
        digits=(4, 3),
        readonly=True,
        help="Mean squared error of the probabilities (lower is better).",
    )
    reliable = fields.Boolean(
        string="Risks Shown",
        readonly=True,
        help="Enough history (Settings: Late-Payment Predictions) and a backtest "
        "clearly better than chance: invoices show their risk.  Otherwise they "
        "say 'Not enough history'.",
    )
    reliability_note = fields.Char(compute="_compute_reliability_note")
    calibration_json = fields.Text(readonly=True)
    weights_json = fields.Text(readonly=True)
    delays_json = fields.Text(readonly=True)
    scorecard = fields.Html(compute="_compute_scorecard", sanitize=True)

    @api.depends("reliable", "sample_count", "backtest_auc")
    @api.depends_context("lang")
    def _compute_reliability_note(self):
        # Formatted outside the call: babel drops a term with f-string arguments.
        min_auc = format(MIN_AUC, ".1f")
        for model in self:
            if model.reliable:
                model.reliability_note = False
                continue
            model.reliability_note = self.env._(
                "Not enough history yet: learnt from %(count)s invoices with a "
                "backtest AUC of %(auc)s. Risks are shown from %(minimum)s "
                "invoices and an AUC of %(min_auc)s (Settings).",
                count=model.sample_count,
                auc=format(model.backtest_auc, ".2f"),
                minimum=model.company_id.settlement_prediction_min_invoices,
                min_auc=min_auc,
            )

    def _factor_labels(self):
        env = self.env
        return {
            "late_share": (
                env._("Paid late in the last 12 months"),
                (
                    env._("no history"),
                    env._("up to 10 %"),
                    env._("10 to 40 %"),
                    env._("over 40 %"),
                ),
            ),
            "days_late": (
                env._("Average days late"),
                (
                    env._("on time"),
                    env._("1 to 10"),
                    env._("11 to 30"),
                    env._("over 30"),
                ),
            ),
            "amount": (
                env._("Invoice amount"),
                (
                    env._("up to 500"),
                    env._("500 to 2,000"),
                    env._("2,000 to 10,000"),
                    env._("over 10,000"),
                ),
            ),
            "term_days": (
                env._("Payment terms"),
                (
                    env._("immediate"),
                    env._("up to 30 days"),
                    env._("31 to 45 days"),
                    env._("over 45 days"),
                ),
            ),
            "due_quarter": (
                env._("Due in"),
                (
                    env._("January-March"),
                    env._("April-June"),
                    env._("July-September"),
                    env._("October-December"),
                ),
            ),
            "reminders": (
                env._("Reminders in the last 12 months"),
                (env._("none"), env._("1 to 2"), env._("3 to 5"), env._("over 5")),
            ),
        }

    def _model(self):
        self.ensure_one()
        return Model.from_dict(json.loads(self.weights_json))

    @api.depends("weights_json", "calibration_json")
    def _compute_scorecard(self):
        labels = self._factor_labels()
        for record in self:
            if not record.weights_json:
                record.scorecard = False
                continue
            model = record._model()
            rows = []
            for index, name in enumerate(model.feature_names):
                title, bins = labels[name]
                for bin_index, bin_label in enumerate(bins):
                    weight = model.weights[index][bin_index]
                    tone = (
                        "text-danger"
                        if weight > 0.05
                        else ("text-success" if weight < -0.05 else "text-muted")
                    )
                    rows.append(
                        f"<tr><td>{html_escape(title) if bin_index == 0 else ''}</td>"
                        f"<td>{html_escape(bin_label)}</td>"
                        f'<td class="text-end {tone}">{weight:+.2f}</td></tr>'
                    )
            calibration_rows = "".join(
                f"<tr><td>{predicted:.0%}</td><td>{observed:.0%}</td>"
                f'<td class="text-end">{int(count)}</td></tr>'
                for predicted, observed, count in json.loads(
                    record.calibration_json or "[]"
                )
            )
            record.scorecard = (
                '<div class="row"><div class="col-lg-7"><table class="table table-sm">'
                f"<thead><tr><th>{html_escape(self.env._('Factor'))}</th>"
                f"<th>{html_escape(self.env._('Value'))}</th>"
                f'<th class="text-end">{html_escape(self.env._("Log-odds"))}</th>'
                f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
                '<div class="col-lg-5"><table class="table table-sm">'
                f"<thead><tr><th>{html_escape(self.env._('Predicted'))}</th>"
                f"<th>{html_escape(self.env._('Observed'))}</th>"
                f'<th class="text-end">{html_escape(self.env._("Invoices"))}</th>'
                f"</tr></thead><tbody>{calibration_rows}</tbody></table></div></div>"
            )

    # ------------------------------------------------------------------
    # Features, as of a date
    # ------------------------------------------------------------------

    def _bin_sql(self, feature, value):
        if not feature.bounds:
            return value
        return SQL(
            "(SELECT COUNT(*) FROM unnest(%s::float[]) AS bound WHERE %s > bound)",
            list(feature.bounds),
            value,
        )

    def _features_sql(self, company, as_of, scope):
        """Binned factors of customer invoices with, when known on ``as_of``,
        whether they were paid late and by how many days.

        ``scope``: ``train`` (due before ``as_of``), ``test`` (due from
        ``as_of`` to today) or ``open`` (still to pay).  A customer's record is
        read as it stood on each invoice's date, so learning never sees the
        future."""
        today = fields.Date.context_today(self)
        self.env["settlement.receivable.query"]._flush()
        self.env["settlement.dunning.communication"].flush_model()
        scopes = {
            "train": SQL(
                "item.due < %s AND item.due >= %s",
                as_of,
                as_of - timedelta(days=TRAINING_DAYS),
            ),
            "test": SQL("item.due >= %s AND item.due < %s", as_of, today),
            "open": SQL("item.residual > 0"),
        }
        values = {
            # A customer with invoices due before but none paid late has a
            # record of 0 %, not "no history" (-1): only the absence of any
            # due invoice is.
            "late_share": SQL(
                """CASE WHEN history.due_amount > 0
                        THEN COALESCE(history.late_amount, 0) / history.due_amount
                        ELSE -1 END"""
            ),
            "days_late": SQL("COALESCE(history.days_late, 0)"),
            "amount": SQL("item.amount"),
            "term_days": SQL("item.due - item.invoice_date"),
            "due_quarter": SQL("EXTRACT(QUARTER FROM item.due)::int - 1"),
            "reminders": SQL("COALESCE(reminders.count, 0)"),
        }
        bins = SQL(", ").join(
            SQL("%s AS %s", self._bin_sql(f, values[f.name]), SQL.identifier(f.name))
            for f in FEATURES
        )
        return SQL(
            """
            WITH item AS (%(items)s), scoped AS (
                SELECT * FROM item WHERE %(scope)s
            ), history AS (
                SELECT item.id,
                       SUM(prior.amount) AS due_amount,
                       SUM(prior.amount) FILTER (
                           WHERE COALESCE(prior.paid_on, item.invoice_date) > prior.due
                       ) AS late_amount,
                       SUM(prior.amount * GREATEST(LEAST(
                           COALESCE(prior.paid_on, item.invoice_date),
                           item.invoice_date) - prior.due, 0))
                           / NULLIF(SUM(prior.amount), 0) AS days_late
                  FROM scoped item
                  JOIN item prior
                    ON prior.partner_id = item.partner_id
                   AND prior.due < item.invoice_date
                   AND prior.due >= item.invoice_date - 365
              GROUP BY item.id
            ), reminders AS (
                SELECT item.id, COUNT(*) AS count
                  FROM scoped item
                  JOIN settlement_dunning_communication communication
                    ON communication.partner_id = item.partner_id
                   AND communication.date < item.invoice_date
                   AND communication.date >= item.invoice_date - 365
              GROUP BY item.id
            )
            SELECT item.id, item.move_id, item.partner_id, item.due, %(bins)s,
                   LEAST(COALESCE(item.paid_on, %(known)s), %(known)s) > item.due
                       AS late,
                   LEAST(COALESCE(item.paid_on, %(known)s), %(known)s) - item.due
                       AS delay
              FROM scoped item
              LEFT JOIN history ON history.id = item.id
              LEFT JOIN reminders ON reminders.id = item.id
            """,
            items=self.env["settlement.receivable.query"]._invoice_items_sql(company),
            scope=scopes[scope],
            bins=bins,
            # Training knows what was paid by as_of; the held-back invoices are
            # judged on what happened since.
            known=as_of if scope == "train" else today,
        )

    def _grouped(self, company, as_of, scope):
        """(bins, late count, count, days late when late, days when on time)."""
        names = SQL(", ").join(SQL.identifier(f.name) for f in FEATURES)
        rows = self.env.execute_query(
            SQL(
                """
            SELECT %(names)s, COUNT(*) FILTER (WHERE late), COUNT(*),
                   SUM(delay) FILTER (WHERE late), SUM(delay) FILTER (WHERE NOT late)
              FROM (%(features)s) features
          GROUP BY %(names)s
            """,
                names=names,
                features=self._features_sql(company, as_of, scope),
            )
        )
        size = len(FEATURES)
        return [(tuple(row[:size]), *row[size:]) for row in rows]

    def _fit(self, grouped):
        return train(
            [(bins, late, total) for bins, late, total, *_days in grouped],
            [feature.bin_count for feature in FEATURES],
            [feature.name for feature in FEATURES],
        )

    @api.model
    def _train(self, company):
        """Backtest on the last months held back, then learn from everything
        known; returns the new model record (None without enough history)."""
        today = fields.Date.context_today(self)
        held_back_from = today - timedelta(days=BACKTEST_DAYS)
        try:
            earlier = self._fit(self._grouped(company, held_back_from, "train"))
            grouped = self._grouped(company, today, "train")
            model = self._fit(grouped)
        except NotEnoughHistory:
            return None
        held_back = [
            (earlier.probability(bins), late, total)
            for bins, late, total, *_days in self._grouped(
                company, held_back_from, "test"
            )
        ]
        late = sum(row[1] for row in grouped)
        total = sum(row[2] for row in grouped)
        backtest_auc = auc(held_back) or 0.0
        days_late = sum(row[3] or 0 for row in grouped)
        days_on_time = sum(row[4] or 0 for row in grouped)
        return self.create(
            {
                "company_id": company.id,
                "trained_at": fields.Datetime.now(),
                "sample_count": total,
                "late_rate": 100.0 * late / total,
                "backtest_date": held_back_from,
                "backtest_count": int(sum(row[2] for row in held_back)),
                "backtest_auc": backtest_auc,
                "reliable": total >= company.settlement_prediction_min_invoices
                and backtest_auc >= MIN_AUC,
                "backtest_brier": brier(held_back) or 0.0,
                "calibration_json": json.dumps(calibration(held_back)),
                "weights_json": json.dumps(model.to_dict()),
                "delays_json": json.dumps(
                    {
                        "late": days_late / late if late else 0.0,
                        "on_time": days_on_time / (total - late)
                        if total > late
                        else 0.0,
                    }
                ),
            }
        )
