from odoo import api, fields, models


class ReportSettlementStatement(models.AbstractModel):
    _name = "report.settlement_mgmt.report_statement"
    _description = "Statement of Account Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        Statement = self.env["settlement.statement"]
        date_from = fields.Date.to_date(data.get("date_from"))
        date_to = fields.Date.to_date(data.get("date_to"))
        company = (
            self.env["res.company"].browse(data.get("statement_company_id"))
            or self.env.company
        )
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": {
                partner.id: Statement._statement_data(
                    partner, date_from, date_to, company
                )
                for partner in partners
            },
            "Statement": Statement,
        }
