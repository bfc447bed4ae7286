from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def reconcile(self):
        # Register payment, bank reconciliation, outstanding credits and
        # reversals all reconcile here: paying the overdue items releases the
        # automatic hold at once and refreshes the customer's risk score.
        result = super().reconcile()
        receivable = self.filtered(
            lambda line: line.account_type == "asset_receivable" and line.partner_id
        )
        for company, lines in receivable.grouped("company_id").items():
            lines.partner_id.sudo()._settlement_on_receivable_change(company)
        return result
