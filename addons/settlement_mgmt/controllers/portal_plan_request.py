import re

from odoo import fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import float_repr

from ..lib.amounts import parse_portal_amount
from ..lib.calendars import latin_digits
from ..lib.record_ids import parse_record_ids
from .portal import SettlementPortal

# At most this many invoices in one request (a crafted form with thousands of
# ids is refused before any lookup).
MAX_REQUEST_INVOICES = 500
ZERO = re.compile(r"0+(\.0+)?")


class SettlementPlanRequestPortal(SettlementPortal):
    """A payment plan requested by the customer itself: a form, the exact
    schedule computed by the server, then the request; the rules are
    checked by the plan model."""

    def _plan_request_values(self, partner, company, form=None, **extra):
        Plan = request.env["settlement.instalment.plan"]
        invoices = Plan._portal_request_invoices(partner, company)
        form = form or {}
        chosen_ids = form.get("invoice_ids")
        if chosen_ids is None:
            today = fields.Date.context_today(Plan)
            overdue = invoices.filtered(
                lambda move: move.invoice_date_due and move.invoice_date_due < today
            )
            chosen = overdue or invoices
        else:
            chosen = invoices.filtered(lambda move: move.id in chosen_ids)
        currency = chosen[:1].currency_id or company.currency_id
        owed = sum(chosen.mapped("amount_residual"))
        down = currency.round(
            owed * company.settlement_portal_plan_min_down_share / 100.0
        )
        frequencies = (
            request.env["settlement.instalment.plan.create"]
            ._fields["frequency"]
            ._description_selection(request.env)
        )
        allowed = company._settlement_plan_frequencies()
        return {
            **self._prepare_portal_layout_values(),
            "page_name": "plan_request",
            "partner": partner,
            "company": company,
            "currency": currency,
            "invoices": invoices,
            "chosen": chosen,
            "frequencies": frequencies,
            "allowed_frequencies": [
                label for value, label in frequencies if value in allowed
            ],
            "last_first_date": Plan._portal_request_last_date(company),
            "Statement": request.env["settlement.statement"],
            "quote": None,
            "error": None,
            "form": {
                "instalments": str(
                    min(3, company.settlement_portal_plan_max_instalments)
                ),
                "frequency": "monthly"
                if "monthly" in allowed or not allowed
                else allowed[0],
                "down_payment": float_repr(down, currency.decimal_places),
                "first_date": "",
                **{key: value for key, value in form.items() if key != "invoice_ids"},
            },
            **extra,
        }

    @http.route(
        ["/my/plans/request"],
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_plan_request(self, **post):
        # Always the logged-in customer's own account: no id to tamper with.
        partner = request.env.user.partner_id.commercial_partner_id
        company = request.env.company
        if not company.settlement_portal_plan_requests:
            return request.redirect("/my/plans")
        if request.httprequest.method != "POST":
            values = self._plan_request_values(partner, company)
            return request.render("settlement_mgmt.portal_plan_request_form", values)
        ids = request.httprequest.form.getlist("invoice_ids")
        form = {
            key: str(post.get(key) or "")[:40]
            for key in ("instalments", "frequency", "first_date", "down_payment")
        }
        form["invoice_ids"] = {int(value) for value in ids if str(value).isdigit()}
        Plan = request.env["settlement.instalment.plan"]
        try:
            args = (
                partner,
                company,
                self._parse_request_invoices(ids),
                self._parse_request_count(form["instalments"]),
                form["frequency"],
                self._parse_request_date(partner, company, form["first_date"]),
                self._parse_request_down(company, form["down_payment"]),
            )
            if post.get("step") != "submit":
                quote = Plan._portal_request_quote(*args)
                values = self._plan_request_values(partner, company, form, quote=quote)
                return request.render(
                    "settlement_mgmt.portal_plan_request_form", values
                )
            with request.env.cr.savepoint():
                plan = Plan._portal_request_create(*args)
        except (UserError, ValidationError) as error:
            values = self._plan_request_values(
                partner, company, form, error=error.args[0]
            )
            return request.render("settlement_mgmt.portal_plan_request_form", values)
        return request.redirect(self._portal_url_after_post(plan, "requested"))

    def _parse_request_invoices(self, values):
        ids = parse_record_ids(values, MAX_REQUEST_INVOICES)
        if ids is None:
            raise UserError(
                request.env._("Choose the open invoices to pay by instalments.")
            )
        return ids

    def _parse_request_count(self, value):
        text = latin_digits(value).strip()
        if not text.isdigit() or len(text) > 3:
            raise UserError(
                request.env._("Enter the number of instalments as a whole number.")
            )
        return int(text)

    def _parse_request_down(self, company, value):
        currency = company.currency_id
        text = latin_digits(value).replace("٫", ".").strip()
        if not text or ZERO.fullmatch(text):
            return 0.0
        try:
            return parse_portal_amount(text, currency.decimal_places)
        except ValueError:
            raise UserError(
                request.env._(
                    "Enter the down payment as a positive number with at most "
                    "%(decimals)s decimals, or 0.",
                    decimals=currency.decimal_places,
                )
            ) from None

    def _parse_request_date(self, partner, company, value):
        return request.env["settlement.statement"]._parse_typed_date(
            value,
            partner,
            request.env["settlement.instalment.plan"]._portal_request_last_date(
                company
            ),
        )
