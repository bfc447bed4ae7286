from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.account_payment.controllers.portal import PortalAccount

OVERDUE_LIST_URL = "/my/invoices?filterby=overdue_invoices"


class SettlementInvoicePortal(PortalAccount):
    """Overdue invoices of the customer, not of the contact who logs in."""

    def _get_overdue_invoices_domain(self, partner_id=None):
        """Core keeps the invoices addressed to the logged-in contact itself,
        while a company's invoices are addressed to the company (or another
        of its contacts): its portal users saw no overdue invoice, and *Pay
        overdue invoices* landed on the whole list.  The same conditions, on
        the commercial partner: the counter, the *Overdue invoices* filter,
        the payment page and its transaction all read this domain."""
        partner = (
            request.env["res.partner"].browse(partner_id)
            if partner_id
            else request.env.user.partner_id
        )
        return [
            condition
            for condition in super()._get_overdue_invoices_domain(partner_id)
            if not (isinstance(condition, tuple) and condition[0] == "partner_id")
        ] + [("commercial_partner_id", "=", partner.commercial_partner_id.id)]

    def _overdue_invoices_get_page_view_values(self, overdue_invoices, **kwargs):
        """Core asks for the invoices' totals, so a customer who already paid
        part of an overdue invoice was asked to pay that part again: what is
        left to pay instead."""
        values = super()._overdue_invoices_get_page_view_values(
            overdue_invoices, **kwargs
        )
        if "payment" in values:
            left = sum(overdue_invoices.mapped("amount_residual"))
            values["payment"]["amount"] = left
            values["amount"] = left
        return values

    @http.route()
    def portal_my_overdue_invoices(self, access_token=None, **kw):
        """Core's page to pay every overdue invoice at once; when they cannot
        be paid together (several currencies, or invoices addressed to
        different contacts of the customer) or none is overdue, the list of
        exactly the overdue invoices, each payable from its page, instead of
        an error or the whole list."""
        Move = request.env["account.move"]
        if not Move.has_access("read"):
            return request.redirect("/my")
        invoices = Move.search(self._get_overdue_invoices_domain())
        try:
            values = self._overdue_invoices_get_page_view_values(invoices, **kw)
        except ValidationError:
            values = {}
        if "payment" not in values:
            return request.redirect(OVERDUE_LIST_URL)
        return request.render("account_payment.portal_overdue_invoices_page", values)
