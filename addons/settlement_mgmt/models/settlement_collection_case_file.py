from odoo import models


class SettlementCollectionCase(models.Model):
    """The documented file a lawyer or an agency asks for, built from the
    case: the invoices handed over, under the case's number
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
