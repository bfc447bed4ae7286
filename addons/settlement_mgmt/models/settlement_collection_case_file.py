from odoo import models


class SettlementCollectionCase(models.Model):
    """What a case shows beside its form: the items handed over, the
    recoveries, and the documented file a lawyer or an agency asks for, built
    from the invoices handed over under the case's number
    (``settlement.collection.file`` checks the manager right itself)."""

    _inherit = "settlement.collection.case"

    def action_build_case_file(self):
        """Attach the case file (dossier ZIP and agency workbook) to the
        case, with a note in its chatter."""
        self.ensure_one()
        CaseFile = self.env["settlement.collection.file"]
        CaseFile._attach_case_file(
            self, self.partner_id, self.item_ids.move_id, self.name
        )
        return CaseFile._attached_notification(
            self.env._(
                "The case file of %(case)s is attached to the case.", case=self.name
            )
        )

    def action_view_items(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Items Handed Over"),
            "res_model": "settlement.collection.case.item",
            "view_mode": "list",
            "domain": [("case_id", "=", self.id)],
        }

    def action_view_recoveries(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recoveries"),
            "res_model": "settlement.collection.case.recovery",
            "view_mode": "list,form",
            "domain": [("case_id", "=", self.id)],
        }
