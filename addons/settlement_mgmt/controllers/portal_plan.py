from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from .portal import SettlementPortal


class SettlementPlanPortal(SettlementPortal):
    """The customer's instalment plans: the list, the page, acceptance."""

    # ------------------------------------------------------------------
    # Instalment plans
    # ------------------------------------------------------------------

    @http.route(["/my/plans"], type="http", auth="user", website=True)
    def portal_my_plans(self, **kw):
        Plan = request.env["settlement.instalment.plan"]
        if not Plan.has_access("read"):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update({"plans": Plan.search([]), "page_name": "plan"})
        return request.render("settlement_mgmt.portal_my_plans", values)

    @http.route(
        ["/my/plans/<int:plan_id>"],
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_plan(self, plan_id, access_token=None, **post):
        try:
            plan_sudo = self._document_check_access(
                "settlement.instalment.plan", plan_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        error = None
        if request.httprequest.method == "POST":
            try:
                with request.env.cr.savepoint():
                    plan_sudo._portal_accept(post.get("name"))
                return request.redirect(
                    self._portal_url_after_post(plan_sudo, "accepted")
                )
            except (UserError, ValidationError) as exception:
                error = exception.args[0]
        values = self._get_page_view_values(
            plan_sudo,
            access_token,
            {"plan": plan_sudo, "page_name": "plan", "error": error},
            "my_plans_history",
            False,
        )
        return request.render("settlement_mgmt.portal_plan_page", values)
