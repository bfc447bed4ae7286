from odoo import http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from odoo.addons.account_payment.controllers.payment import (
    PaymentPortal as AccountPaymentPortal,
)
from odoo.addons.account_payment.controllers.portal import PortalAccount


class SettlementPlanPaymentPortal(AccountPaymentPortal, PortalAccount):
    """Pay what is due on an instalment plan online, with core's payment form.

    The transaction is linked to the plan's open invoices, so core's
    post-processing creates the payment and reconciles it with them oldest
    due first, and the plan follows from the invoices' residuals."""

    def _plan_check_access(self, plan_id, access_token):
        return self._document_check_access(
            "settlement.instalment.plan", plan_id, access_token
        )

    @http.route(
        ["/my/plans/<int:plan_id>/pay"],
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def portal_plan_pay(self, plan_id, access_token=None, **kwargs):
        try:
            plan_sudo = self._plan_check_access(plan_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        amount = plan_sudo._portal_amount_to_pay()
        if not amount:
            return request.redirect(plan_sudo.get_portal_url())
        currency = plan_sudo.currency_id
        values = {
            "page_name": "plan",
            "plan": plan_sudo,
            "payment": {
                "date": plan_sudo.next_line_id.date_due,
                "reference": plan_sudo.name,
                "amount": amount,
                "currency": currency,
            },
            "amount": amount,
        }
        values |= self._get_common_page_view_values(
            invoices_data={
                "partner": plan_sudo.partner_id,
                "company": plan_sudo.company_id,
                "total_amount": amount,
                "currency": currency,
                "amount_residual": plan_sudo.amount_residual,
                "payment_reference": plan_sudo.name,
                "landing_route": plan_sudo.get_portal_url(),
                "transaction_route": f"/my/plans/{plan_sudo.id}/transaction",
            },
            access_token=access_token,
            **kwargs,
        )
        return request.render("account_payment.portal_overdue_invoices_page", values)

    @http.route(["/my/plans/<int:plan_id>/transaction"], type="json", auth="public")
    def portal_plan_transaction(self, plan_id, access_token=None, **kwargs):
        try:
            plan_sudo = self._plan_check_access(plan_id, access_token)
        except MissingError:
            raise
        except AccessError as error:
            raise ValidationError(
                request.env._("The access token is invalid.")
            ) from error
        amount = plan_sudo._portal_amount_to_pay()
        if not amount:
            raise ValidationError(request.env._("Nothing is due on this plan."))
        self._validate_transaction_kwargs(kwargs)
        # What is due is decided here, not by the browser.
        kwargs["amount"] = amount
        logged_in = not request.env.user._is_public()
        partner = request.env.user.partner_id if logged_in else plan_sudo.partner_id
        return self._process_transaction(
            partner.id,
            plan_sudo.currency_id.id,
            plan_sudo._portal_open_invoices().ids,
            plan_sudo.name,
            **kwargs,
        )
