import json

from odoo import api, fields, models
from odoo.tools import html_escape

from ..lib.prediction import Model
from .settlement_prediction_factors import FEATURES
from .settlement_prediction_labels import factor_labels
from .settlement_prediction_training import MIN_AUC

HIGH_RISK, MEDIUM_RISK = 0.6, 0.3


class SettlementPredictionModel(models.Model):
    """The late-payment model of a company: a logistic scorecard learnt from its
    own history (each factor adds or removes log-odds of paying late), with the
    backtest of the same method on the last months held back."""

    _name = "settlement.prediction.model"
    _inherit = ["settlement.prediction.training.mixin"]
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
        "what was due before predicted them, its probabilities recalibrated "
        "each week on the weeks just before, as the weekly retraining does.",
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
    backtest_slope = fields.Float(
        string="Calibration Slope",
        digits=(4, 2),
        readonly=True,
        help="Logistic regression of what happened on the predicted log-odds, "
        "over the invoices held back: 1 when the probabilities are right, "
        "below 1 when they are too extreme.",
    )
    backtest_intercept = fields.Float(
        string="Calibration Intercept",
        digits=(4, 2),
        readonly=True,
        help="0 when the probabilities are right on average, below 0 when they "
        "are too high.",
    )
    backtest_distinct = fields.Integer(
        string="Distinct Probabilities",
        readonly=True,
        help="How many different probabilities the held-back invoices got.",
    )
    backtest_date_error = fields.Float(
        string="Expected Date Error (Days)",
        digits=(5, 2),
        readonly=True,
        help="Mean absolute error in days of the expected payment date of the "
        "invoices paid since the backtest date, each dated from the payments "
        "made before its invoice date and this model's chance of paying late.",
    )
    backtest_naive_date_error = fields.Float(
        string="Naive Date Error (Days)",
        digits=(5, 2),
        readonly=True,
        help="The same error for the rule 'due date plus the customer's average "
        "days late': the expected date is worth showing when it does better.",
    )
    # The backtest of the same scorecard before Platt scaling: AUC, Brier,
    # calibration slope and intercept (what calibration changed).
    backtest_json = fields.Text(readonly=True)
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
    scorecard = fields.Html(
        compute="_compute_scorecard", sanitize=True, sanitize_style=True
    )

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
        """``{factor: (title, bin labels)}`` in the user's language."""
        return factor_labels(self.env)

    def _model(self):
        self.ensure_one()
        return Model.from_dict(json.loads(self.weights_json))

    def _has_current_factors(self):
        """Whether the model was learnt on today's FEATURES (bins included)."""
        self.ensure_one()
        model = self._model()
        return model.feature_names == tuple(f.name for f in FEATURES) and (
            model.bin_counts == tuple(f.bin_count for f in FEATURES)
        )

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
                # A model kept from before the factors changed may have a
                # factor or bins no longer worded: shown by name and number.
                title, bins = labels.get(name, (name, ()))
                for bin_index, weight in enumerate(model.weights[index]):
                    bin_label = (
                        bins[bin_index] if bin_index < len(bins) else str(bin_index)
                    )
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
                f'<td class="text-end">{int(count)}</td>'
                '<td style="min-width:8rem">'
                f"{self._reliability_bars(predicted, observed)}</td></tr>"
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
                f"<th>{html_escape(self.env._('Reliability'))}</th>"
                f"</tr></thead><tbody>{calibration_rows}</tbody></table></div></div>"
            )

    @api.model
    def _reliability_bars(self, predicted, observed):
        """Two bars on the same 0-100 % scale, predicted (grey) above observed
        (blue): equal lengths mean the probabilities were right."""
        return "".join(
            f'<div title="{html_escape(title)} {value:.0%}" '
            f'style="height:.45rem;width:{100 * min(max(value, 0.0), 1.0):.1f}%" '
            f'class="{css} mb-1"></div>'
            for title, value, css in (
                (self.env._("Predicted"), predicted, "bg-secondary"),
                (self.env._("Observed"), observed, "bg-info"),
            )
        )
