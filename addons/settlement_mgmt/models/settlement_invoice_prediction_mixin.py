from odoo import api, fields, models

from ..lib.prediction import RISK_LEVELS


class SettlementInvoicePredictionMixin(models.AbstractModel):
    """An invoice's late-payment prediction as the invoice shows it
    (``account.move`` inherits it); the nightly prediction itself is
    ``settlement.payment.prediction``."""

    _name = "settlement.invoice.prediction.mixin"
    _description = "Invoice Late-Payment Prediction"

    settlement_prediction_ids = fields.One2many(
        "settlement.payment.prediction",
        "move_id",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_late_risk = fields.Selection(
        selection=RISK_LEVELS,
        string="Late-Payment Risk",
        compute="_compute_settlement_prediction",
        compute_sudo=True,
        groups="settlement_mgmt.group_settlement_user",
        help="Predicted nightly from the company's own payment history.",
    )
    settlement_late_probability = fields.Float(
        string="Chance of Paying Late (%)",
        digits=(5, 1),
        compute="_compute_settlement_prediction",
        compute_sudo=True,
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_expected_payment_date = fields.Date(
        string="Expected Payment",
        compute="_compute_settlement_prediction",
        compute_sudo=True,
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_late_factors = fields.Char(
        string="Main Factors",
        compute="_compute_settlement_prediction",
        compute_sudo=True,
        groups="settlement_mgmt.group_settlement_user",
    )

    @api.depends_context("lang")
    @api.depends("settlement_prediction_ids")
    def _compute_settlement_prediction(self):
        for move in self:
            prediction = move.settlement_prediction_ids[:1]
            move.settlement_late_risk = prediction.risk
            move.settlement_late_probability = prediction.probability
            move.settlement_expected_payment_date = prediction.expected_date
            move.settlement_late_factors = prediction.factor_summary
