from datetime import date

from odoo import fields, http
from odoo.http import content_disposition, request

from odoo.addons.portal.controllers.portal import CustomerPortal

# The portal statement covers at most these dates: enough for any history,
# and every date stays writable in the customer's calendar or falls back.
STATEMENT_EARLIEST = date(1900, 1, 1)
STATEMENT_LATEST = date(2099, 12, 31)


class SettlementPortal(CustomerPortal):
    """The portal home's tiles and the statement of account; disputes and
    plans extend it in portal_dispute.py and portal_plan.py, overdue invoices
    in portal_invoice.py."""

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
        # The account overview shows when the statement does (each home tile
        # needs its own counter: the portal fills the first of a name only).
        for counter in ("statement_count", "overview_count"):
            if counter in counters:
                values[counter] = self._statement_count()
        return values

    def _statement_count(self):
        """1 when the logged-in customer has anything to show on its statement
        (a posted receivable entry in the current company), else 0: the
        home page shows the *Statement of Account* tile when it is not 0.
        Always the user's own commercial partner, never a request value."""
        user = request.env.user
        if user._is_public():
            return 0
        partner = user.partner_id.commercial_partner_id
        return (
            request.env["account.move.line"]
            .sudo()
            .search_count(
                request.env["settlement.receivable.query"]._receivable_domain(
                    request.env.company, partner
                ),
                limit=1,
            )
        )

    def _portal_url_after_post(self, document, message):
        """Where to land after a portal form: the document's page without its
        access token when the visitor's session may read it (a token in the
        address stays in the browser history, logs and Referer headers), with
        the token only for a visitor who needs it (came with an access token,
        not logged in as the customer)."""
        document_as_user = request.env[document._name].browse(document.id)
        if not request.env.user._is_public() and document_as_user.has_access("read"):
            return f"{document.access_url}?message={message}"
        return document.get_portal_url(query_string=f"&message={message}")

    # ------------------------------------------------------------------
    # Statement of account
    # ------------------------------------------------------------------

    def _statement_period(
        self, date_from, date_to, partner=None, period_from=None, period_to=None
    ):
        """(date from, date to, error) from the query string: ``date_from`` /
        ``date_to`` as YYYY-MM-DD (links), or ``period_from`` / ``period_to``
        as the customer reads dates (the form: its calendar and digits).  Bad
        or reversed dates fall back to the default period with a message,
        dates outside 1900-2099 are brought back to these limits with a
        message."""
        Statement = request.env["settlement.statement"]
        partner = partner or request.env.user.partner_id.commercial_partner_id
        default_from, default_to = Statement._default_period()
        try:
            start = fields.Date.to_date(date_from) or default_from
            end = fields.Date.to_date(date_to) or default_to
        except (ValueError, TypeError):
            return default_from, default_to, request.env._("Dates must be YYYY-MM-DD.")
        try:
            if period_from:
                start = Statement._parse_date(period_from, partner)
            if period_to:
                end = Statement._parse_date(period_to, partner)
        except ValueError:
            return (
                default_from,
                default_to,
                request.env._(
                    "Write the dates as they appear on your statement, for "
                    "example %(example)s.",
                    example=Statement._format_date(default_to, partner),
                ),
            )
        if start > end:
            return (
                default_from,
                default_to,
                request.env._("The start of the period is after its end."),
            )
        error = None
        if start < STATEMENT_EARLIEST or end > STATEMENT_LATEST:
            start = min(max(start, STATEMENT_EARLIEST), STATEMENT_LATEST)
            end = min(max(end, STATEMENT_EARLIEST), STATEMENT_LATEST)
            error = request.env._(
                "A statement covers dates from %(earliest)s to %(latest)s: the "
                "period was limited to these dates.",
                earliest=Statement._format_date(STATEMENT_EARLIEST, partner),
                latest=Statement._format_date(STATEMENT_LATEST, partner),
            )
        return start, end, error

    # Read-only: served from the database replica when there is one (a
    # download that must write, the PDF's attachment, is served again on the
    # primary by Odoo); the page says when the replica lags behind.
    @http.route(
        ["/my/statement"], type="http", auth="user", website=True, readonly=True
    )
    def portal_my_statement(
        self,
        date_from=None,
        date_to=None,
        report_type=None,
        period_from=None,
        period_to=None,
        **kw,
    ):
        # Always the logged-in customer's own statement: no id to tamper with.
        partner = request.env.user.partner_id.commercial_partner_id
        company = request.env.company
        start, end, error = self._statement_period(
            date_from, date_to, partner, period_from, period_to
        )
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
                "open_promises": request.env[
                    "settlement.promise"
                ]._portal_open_promises(partner, company),
            }
        )
        return request.render("settlement_mgmt.portal_my_statement", values)

    def _statement_download(self, partner, company, start, end, report_type):
        Statement = request.env["settlement.statement"].sudo()
        if report_type == "pdf":
            content, filename = Statement._render_statement_pdf(
                partner, start, end, company
            )
            mimetype, extension = "application/pdf", "pdf"
        else:
            filename = Statement._statement_filename(partner, end)
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
