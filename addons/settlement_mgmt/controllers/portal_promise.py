from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import float_repr

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..lib.amounts import parse_portal_amount
from ..lib.record_ids import parse_record_ids

# At most this many invoices in one promise form (a crafted form with
# thousands of ids is refused before any lookup).
MAX_PROMISE_INVOICES = 500


class SettlementPromisePortal(CustomerPortal):
    """A promise to pay made by the customer itself, from its statement or
    an overdue invoice; the rules are checked by the promise model."""

    def _promise_form_values(self, partner, company, selected=None, **extra):
        Promise = request.env["settlement.promise"]
        overdue = Promise._portal_overdue_invoices(partner, company)
        chosen = (
            overdue.filtered(lambda move: move.id in selected) if selected else overdue
        )
        smallest, owed, last = Promise._portal_limits(partner, company, chosen)
        currency = company.currency_id
        return {
            **self._prepare_portal_layout_values(),
            "page_name": "promise",
            "partner": partner,
            "currency": currency,
            "overdue": overdue,
            "chosen": chosen,
            "open_promises": Promise._portal_open_promises(partner, company),
            "amount": float_repr(owed, currency.decimal_places),
            "smallest": smallest,
            "last": last,
            "Statement": request.env["settlement.statement"],
            "error": None,
            "form": {},
            **extra,
        }

    @http.route(
        ["/my/promise"],
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_promise(self, invoice_id=None, **post):
        # Always the logged-in customer's own account: no id to tamper with.
        partner = request.env.user.partner_id.commercial_partner_id
        company = request.env.company
        if not company.settlement_portal_promises:
            return request.redirect("/my/statement")
        if request.httprequest.method != "POST":
            selected = {int(invoice_id)} if str(invoice_id or "").isdigit() else None
            values = self._promise_form_values(partner, company, selected)
            return request.render("settlement_mgmt.portal_promise_form", values)
        ids = request.httprequest.form.getlist("invoice_ids")
        try:
            invoice_ids = self._parse_promise_invoices(ids)
            amount = self._parse_promise_amount(company, post.get("amount"))
            date_promised = self._parse_promise_date(partner, post.get("date_promised"))
            with request.env.cr.savepoint():
                request.env["settlement.promise"]._portal_create(
                    partner, company, invoice_ids, amount, date_promised
                )
        except (UserError, ValidationError) as error:
            values = self._promise_form_values(
                partner,
                company,
                {int(value) for value in ids if str(value).isdigit()} or None,
                error=error.args[0],
                form=post,
            )
            return request.render("settlement_mgmt.portal_promise_form", values)
        return request.redirect("/my/statement?message=promised")

    def _parse_promise_invoices(self, values):
        ids = parse_record_ids(values, MAX_PROMISE_INVOICES)
        if ids is None:
            raise UserError(
                request.env._("Choose the overdue invoices you promise to pay.")
            )
        return ids

    def _parse_promise_amount(self, company, value):
        currency = company.currency_id
        try:
            return parse_portal_amount(value, currency.decimal_places)
        except ValueError:
            raise UserError(
                request.env._(
                    "Enter the amount you promise as a positive number with at "
                    "most %(decimals)s decimals.",
                    decimals=currency.decimal_places,
                )
            ) from None

    def _parse_promise_date(self, partner, value):
        return request.env["settlement.statement"]._parse_typed_date(
            value,
            partner,
            request.env["settlement.promise"]._portal_last_date(request.env.company),
        )
