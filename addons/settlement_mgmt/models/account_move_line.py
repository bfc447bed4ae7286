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
