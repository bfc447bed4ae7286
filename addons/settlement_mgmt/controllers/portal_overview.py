from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class SettlementOverviewPortal(CustomerPortal):
    """The customer's whole account with the company on one page."""

    @http.route(["/my/overview"], type="http", auth="user", website=True)
    def portal_my_overview(self, **kw):
        # Always the logged-in customer's own account: no id to tamper with.
        partner = request.env.user.partner_id.commercial_partner_id
        company = request.env.company
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "overview",
                "partner": partner,
                "ov": request.env["settlement.portal.overview"]._overview(
                    partner, company
                ),
                "Overview": request.env["settlement.portal.overview"],
                "Statement": request.env["settlement.statement"],
            }
        )
        return request.render("settlement_mgmt.portal_my_overview", values)
