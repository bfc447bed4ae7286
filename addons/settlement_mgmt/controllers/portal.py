import base64
import math

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import content_disposition, request
from odoo.tools import plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
DISPUTES_PER_PAGE = 20


class SettlementPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "plan_count" in counters:
            Plan = request.env["settlement.instalment.plan"]
            values["plan_count"] = (
                Plan.search_count([]) if Plan.has_access("read") else 0
            )
        if "dispute_count" in counters:
            Dispute = request.env["settlement.dispute"]
            values["dispute_count"] = (
                Dispute.search_count([]) if Dispute.has_access("read") else 0
            )
        return values

    # ------------------------------------------------------------------
    # My disputes
    # ------------------------------------------------------------------

    @http.route(
        ["/my/disputes", "/my/disputes/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_disputes(self, page=1, **kw):
        Dispute = request.env["settlement.dispute"]
        if not Dispute.has_access("read"):
            return request.redirect("/my")
        total = Dispute.search_count([])
        pager = portal_pager(
            url="/my/disputes", total=total, page=page, step=DISPUTES_PER_PAGE
        )
        disputes = Dispute.search([], limit=DISPUTES_PER_PAGE, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "disputes": disputes,
                "pager": pager,
                "page_name": "dispute",
                "default_url": "/my/disputes",
            }
        )
        request.session["my_disputes_history"] = disputes.ids[:100]
        return request.render("settlement_mgmt.portal_my_disputes", values)

    @http.route(
        ["/my/disputes/<int:dispute_id>"], type="http", auth="public", website=True
    )
    def portal_my_dispute(self, dispute_id, access_token=None, **kw):
        try:
            dispute_sudo = self._document_check_access(
                "settlement.dispute", dispute_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            dispute_sudo,
            access_token,
            {"dispute": dispute_sudo, "page_name": "dispute"},
            "my_disputes_history",
            False,
            **kw,
        )
        return request.render("settlement_mgmt.portal_dispute_page", values)

    # ------------------------------------------------------------------
    # Raise a dispute from the invoice
    # ------------------------------------------------------------------

    def _dispute_form_values(self, invoice_sudo, access_token, **extra):
        reasons = (
            request.env["settlement.dispute.reason"]
            .sudo()
            .search(
                [
                    "|",
                    ("company_id", "=", False),
                    ("company_id", "=", invoice_sudo.company_id.id),
                ]
            )
        )
        disputable = (
            invoice_sudo.amount_residual - invoice_sudo.settlement_disputed_amount
        )
        return {
            **self._prepare_portal_layout_values(),
            "invoice": invoice_sudo,
            "reasons": reasons,
            "disputable": max(disputable, 0.0),
            "access_token": access_token,
            "page_name": "invoice",
            "error": None,
            "form": {},
            **extra,
        }

    @http.route(
        ["/my/invoices/<int:invoice_id>/dispute"],
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_invoice_dispute(self, invoice_id, access_token=None, **post):
        try:
            invoice_sudo = self._document_check_access(
                "account.move", invoice_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if not invoice_sudo._settlement_portal_disputable():
            return request.redirect(invoice_sudo.get_portal_url())
        if request.httprequest.method != "POST":
            values = self._dispute_form_values(invoice_sudo, access_token)
            return request.render("settlement_mgmt.portal_dispute_form", values)
        try:
            reason, amount, message, files = self._parse_dispute_form(
                invoice_sudo, post
            )
            with request.env.cr.savepoint():
                attachments = self._create_dispute_attachments(files)
                dispute = request.env["settlement.dispute"]._portal_create(
                    invoice_sudo, reason, amount, message, attachments
                )
        except (UserError, ValidationError) as error:
            values = self._dispute_form_values(
                invoice_sudo, access_token, error=error.args[0], form=post
            )
            return request.render("settlement_mgmt.portal_dispute_form", values)
        return request.redirect(dispute.get_portal_url(query_string="&message=created"))

    def _parse_dispute_form(self, invoice_sudo, post):
        env = request.env
        reason = env["settlement.dispute.reason"].sudo().browse()
        if str(post.get("reason_id", "")).isdigit():
            reason = reason.browse(int(post["reason_id"])).exists()
        if not reason or reason.company_id not in (
            env["res.company"],
            invoice_sudo.company_id,
        ):
            raise UserError(env._("Choose the reason of your dispute."))
        try:
            amount = float(str(post.get("amount", "")).replace(",", "").strip())
        except ValueError:
            amount = math.nan
        if not math.isfinite(amount) or amount <= 0:
            raise UserError(env._("Enter the disputed amount as a positive number."))
        text = (post.get("message") or "").strip()
        if not text:
            raise UserError(env._("Tell us what is wrong with this invoice."))
        if len(text) > 5000:
            raise UserError(env._("Please keep your message under 5,000 characters."))
        files = [
            file
            for file in request.httprequest.files.getlist("attachments")
            if file and file.filename
        ]
        if len(files) > MAX_ATTACHMENTS:
            raise UserError(
                env._("Attach at most %(count)s files.", count=MAX_ATTACHMENTS)
            )
        return reason, amount, plaintext2html(text), files

    def _create_dispute_attachments(self, files):
        env = request.env
        attachments = env["ir.attachment"].sudo()
        for file in files:
            content = file.read(MAX_ATTACHMENT_BYTES + 1)
            if len(content) > MAX_ATTACHMENT_BYTES:
                raise UserError(
                    env._(
                        "%(file)s is larger than %(size)s MB.",
                        file=file.filename,
                        size=MAX_ATTACHMENT_BYTES // (1024 * 1024),
                    )
                )
            attachments |= attachments.create(
                {
                    "name": file.filename,
                    "datas": base64.b64encode(content),
                    "res_model": "settlement.dispute",
                    "res_id": 0,
                }
            )
        return attachments

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
                    plan_sudo.get_portal_url(query_string="&message=accepted")
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

    # ------------------------------------------------------------------
    # Statement of account
    # ------------------------------------------------------------------

    def _statement_period(self, date_from, date_to):
        """(date from, date to, error) from the query string; bad or reversed
        dates fall back to the default period with a message."""
        Statement = request.env["settlement.statement"]
        default_from, default_to = Statement._default_period()
        try:
            start = fields.Date.to_date(date_from) or default_from
            end = fields.Date.to_date(date_to) or default_to
        except ValueError:
            return default_from, default_to, request.env._("Dates must be YYYY-MM-DD.")
        if start > end:
            return (
                default_from,
                default_to,
                request.env._("The start of the period is after its end."),
            )
        return start, end, None

    @http.route(["/my/statement"], type="http", auth="user", website=True)
    def portal_my_statement(self, date_from=None, date_to=None, report_type=None, **kw):
        # Always the logged-in customer's own statement: no id to tamper with.
        partner = request.env.user.partner_id.commercial_partner_id
        company = request.env.company
        start, end, error = self._statement_period(date_from, date_to)
        Statement = request.env["settlement.statement"]
        if report_type in ("pdf", "xlsx"):
            return self._statement_download(partner, company, start, end, report_type)
        values = self._prepare_portal_layout_values()
        st = Statement._statement_data(partner, start, end, company)
        values.update(
            {
                "page_name": "statement",
                "st": st,
                "partner": partner,
                "Statement": Statement,
                "error": error,
                "overdue": any(section["overdue"] > 0 for section in st["sections"]),
            }
        )
        return request.render("settlement_mgmt.portal_my_statement", values)

    def _statement_download(self, partner, company, start, end, report_type):
        Statement = request.env["settlement.statement"].sudo()
        filename = Statement._statement_filename(partner, end)
        if report_type == "pdf":
            content, _type = (
                request.env["ir.actions.report"]
                .sudo()
                .with_context(lang=partner.lang)
                ._render_qweb_pdf(
                    "settlement_mgmt.action_report_statement",
                    partner.ids,
                    data={
                        "date_from": fields.Date.to_string(start),
                        "date_to": fields.Date.to_string(end),
                        "statement_company_id": company.id,
                    },
                )
            )
            mimetype, extension = "application/pdf", "pdf"
        else:
            content = Statement.with_context(lang=partner.lang)._statement_xlsx(
                partner, start, end, company
            )
            mimetype = (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            extension = "xlsx"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", mimetype),
                ("Content-Length", len(content)),
                (
                    "Content-Disposition",
                    content_disposition(f"{filename}.{extension}"),
                ),
            ],
        )
