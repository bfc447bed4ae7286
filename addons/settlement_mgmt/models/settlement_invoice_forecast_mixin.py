from odoo import api, fields, models


class SettlementInvoiceForecastMixin(models.AbstractModel):
    """When an open invoice should be paid, from its customer's own history
    of days late (``account.move`` inherits it); computed on reading, in one
    grouped query per company (``settlement.collection.forecast``)."""

    _name = "settlement.invoice.forecast.mixin"
    _description = "Invoice Expected Payment Date"

    settlement_forecast_payment_date = fields.Date(
        string="Expected Payment Date",
        compute="_compute_settlement_forecast_payment_date",
        compute_sudo=True,
        groups="settlement_mgmt.group_settlement_user",
        help="The median payment day of the customer's paid invoices "
        "(shrunk towards the company's when it has few), among those still "
        "possible for an invoice this old, weighted by the chance of paying "
        "late; never before today. Its error is measured in the collections "
        "forecast benchmark.",
    )

    @api.depends_context("date")
    @api.depends("payment_state", "invoice_date_due", "settlement_prediction_ids")
    def _compute_settlement_forecast_payment_date(self):
        dates = self.env["settlement.collection.forecast"]._expected_dates(self)
        for move in self:
            move.settlement_forecast_payment_date = dates.get(move.id, False)
