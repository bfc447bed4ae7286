from odoo import api, fields, models
from odoo.exceptions import AccessError


class ReportSettlementStatement(models.AbstractModel):
    _name = "report.settlement_mgmt.report_statement"
    _description = "Statement of Account Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        company_id = data.get("statement_company_id")
        company = (
            self.env["res.company"].browse(company_id)
            if isinstance(company_id, int) and not isinstance(company_id, bool)
            else self.env.company
        )
        partners = self.env["res.partner"].browse(docids)
        Statement = self.env["settlement.statement"]
        if self._check_statement_access(partners, company):
            # The customer's own portal user, checked above: its statement is
            # read as the portal page reads it.
            partners, Statement = partners.sudo(), Statement.sudo()
            company = company.sudo()
        partners = partners.commercial_partner_id
        date_from = self._period_date(data.get("date_from"))
        date_to = self._period_date(data.get("date_to"))
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            # Labels in the data (aging "Not Due", document types) in the
            # customer's language, as the rest of its document.
            "statements": {
                partner.id: Statement.with_context(
                    lang=partner.lang or self.env.lang
                )._statement_data(partner, date_from, date_to, company)
                for partner in partners
            },
            "Statement": Statement,
            # The statement's company signs it (the layout's letterhead).
            "company": company,
        }

    @api.model
    def _period_date(self, value):
        """A period bound from the report's data (a URL parameter on the
        /report route): anything that is not a date means the default period,
        never a server error."""
        try:
            return fields.Date.to_date(value) if value else None
        except (TypeError, ValueError):
            return None

    @api.model
    def _check_statement_access(self, partners, company):
        """The statement shows instalments and disputes: only settlement users
        (or the customer's own portal users) may read it, for a company they
        work in.  ``data`` and the context come from the client on the report
        route, so nothing in them is trusted.  Server code that checked access
        itself (the portal page, the statement e-mails and the reminder letters,
        run by the cron) renders in sudo.  Returns whether the user is the
        customer's own portal user (who reads its statement through sudo)."""
        if self.env.su:
            return False
        user = self.env.user
        refused = AccessError(
            self.env._("You are not allowed to see this statement of account.")
        )
        if len(company) != 1 or company not in self.env.companies:
            raise refused
        if user.has_group("settlement_mgmt.group_settlement_user"):
            if not (partners | partners.commercial_partner_id).has_access("read"):
                raise refused
            return False
        if user._is_portal() and partners.commercial_partner_id == (
            user.partner_id.commercial_partner_id
        ):
            return True
        raise refused
