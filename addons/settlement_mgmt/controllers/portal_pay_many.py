from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.account_payment.controllers.payment import (
    PaymentPortal as AccountPaymentPortal,
)
from odoo.addons.account_payment.controllers.portal import PortalAccount

from ..lib.record_ids import parse_record_ids

# Read (cheaply) before the selection refuses more than its limit.
PAY_MANY_PARSED = 100_000

PAY_MANY_URL = "/my/invoices/pay"


class SettlementPayManyPortal(AccountPaymentPortal, PortalAccount):
    """Pay several invoices in one transaction with core's payment form.

    The browser only names invoices: whether they may be paid together, what
    each one costs today (its running discount tier, a plan's instalment) and
    the total are decided on the server, on the page and again when the
    transaction is created; the payment settles every invoice
    (``payment.transaction._create_payment``)."""

    def _pay_many_selection(self, raw_ids, overdue=False):
        """(invoices, error) for the ids the request names, or for every
        overdue invoice of the customer."""
        Move = request.env["account.move"]
        partner = request.env.user.partner_id
        if overdue:
            ids = Move.search(
                [
                    *self._get_overdue_invoices_domain(),
                    ("move_type", "=", "out_invoice"),
                ]
            ).ids
            if not ids:
                return Move.sudo(), request.env._("No invoice of yours is overdue.")
        else:
            # Too many ids are refused by the selection, with its own message
            # and before any lookup; anything that is not ids, here.
            ids = parse_record_ids(raw_ids, PAY_MANY_PARSED)
            if ids is None and any(str(raw).strip(", ") for raw in raw_ids):
                return Move.sudo(), request.env._(
                    "Some of the selected invoices cannot be found."
                )
            ids = ids or []
        return Move._settlement_pay_many_select(ids, partner)

    @http.route([PAY_MANY_URL], type="http", auth="user", methods=["GET"], website=True)
    def portal_pay_many(self, overdue=None, **kwargs):
        raw_ids = request.httprequest.args.getlist("invoice_ids")
        invoices, error = self._pay_many_selection(raw_ids, overdue=bool(overdue))
        values = {
            **self._prepare_portal_layout_values(),
            "page_name": "pay_many",
            "error": error,
            "customer": request.env.user.partner_id.commercial_partner_id,
            "Statement": request.env["settlement.statement"],
        }
        if error:
            return request.render("settlement_mgmt.portal_pay_many_page", values)
        quote = invoices._settlement_pay_many_quote()
        company = invoices.company_id
        currency = quote["currency"]
        selection = ",".join(str(invoice_id) for invoice_id in invoices.ids)
        reference = (
            company.get_next_batch_payment_communication()
            if len(invoices) > 1
            else invoices.name
        )
        values |= {
            "quote": quote,
            "payment": {
                "date": quote["date"],
                "reference": reference,
                "amount": quote["total"],
                "currency": currency,
            },
            "amount": quote["total"],
            "selection": selection,
        }
        values |= self._get_common_page_view_values(
            invoices_data={
                "partner": invoices[0].partner_id,
                "company": company,
                "total_amount": quote["total"],
                "currency": currency,
                "amount_residual": quote["total"],
                "payment_reference": reference,
                "landing_route": "/my/invoices",
                "transaction_route": f"{PAY_MANY_URL}/transaction/{selection}",
            },
            **kwargs,
        )
        return request.render("settlement_mgmt.portal_pay_many_page", values)

    @http.route(
        [f"{PAY_MANY_URL}/transaction/<string:selection>"], type="json", auth="user"
    )
    def portal_pay_many_transaction(
        self, selection, payment_reference=None, access_token=None, **kwargs
    ):
        invoices, error = self._pay_many_selection([selection])
        if error:
            raise ValidationError(error)
        quote = invoices._settlement_pay_many_quote()
        currency = quote["currency"]
        # The page showed what was due; if that changed since (a discount
        # ended, a payment arrived), or the request says another amount, the
        # customer sees the new total before anything is paid.
        asked = self._cast_as_float(kwargs.get("amount"))
        if asked is None or currency.compare_amounts(asked, quote["total"]):
            raise ValidationError(
                request.env._(
                    "The amount to pay is now %(amount)s: reload the page to see "
                    "the new total before paying.",
                    amount=request.env["settlement.statement"]._format_amount(
                        quote["total"],
                        currency,
                        request.env.user.partner_id.commercial_partner_id,
                    ),
                )
            )
        self._validate_transaction_kwargs(kwargs)
        kwargs["amount"] = quote["total"]
        kwargs.update(
            currency_id=currency.id,
            partner_id=request.env.user.partner_id.id,
            # Core's batch reference shown on the page, or the invoice's name.
            reference_prefix=payment_reference
            if len(invoices) > 1
            and isinstance(payment_reference, str)
            and len(payment_reference) <= 64
            else None,
        )
        tx_sudo = self._create_transaction(
            custom_create_values={
                "invoice_ids": [(6, 0, invoices.ids)],
                "settlement_discount_date": quote["date"],
            },
            **kwargs,
        )
        return tx_sudo._get_processing_values()
