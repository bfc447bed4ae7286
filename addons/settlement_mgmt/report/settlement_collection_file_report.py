from odoo import api, models


class ReportSettlementCollectionFile(models.AbstractModel):
    """The case file's PDF dossier.  The report route passes ``data`` from
    the client: the manager check runs here too, and the invoices are checked
    to be the customer's."""

    _name = "report.settlement_mgmt.report_collection_file"
    _description = "Collection Case File Dossier"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        CaseFile = self.env["settlement.collection.file"]
        CaseFile._check_case_file_access()
        invoice_ids = [
            value
            for value in data.get("invoice_ids") or []
            if isinstance(value, int) and not isinstance(value, bool)
        ]
        partner, invoices = CaseFile._case_file_invoices(
            self.env["res.partner"].browse(docids)[:1],
            self.env["account.move"].browse(invoice_ids),
        )
        lang = data.get("lang")
        if not isinstance(lang, str) or not self.env["res.lang"]._get_data(code=lang):
            lang = partner.lang or self.env.lang or "en_US"
        values = CaseFile._dossier_values(partner, invoices, lang)
        return {
            "doc_ids": partner.ids,
            "doc_model": "res.partner",
            "docs": partner,
            "dossier": values,
            "Statement": self.env["settlement.statement"].with_context(lang=lang),
            "company": values["company"],
        }
