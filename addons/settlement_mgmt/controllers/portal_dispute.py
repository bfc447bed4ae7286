import base64
from decimal import Decimal

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import float_repr, plaintext2html
from odoo.tools import mimetypes as odoo_mimetypes
from odoo.tools.mimetypes import get_extension, guess_mimetype

from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..lib.amounts import AmountError, parse_positive_amount
from .portal import SettlementPortal

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
DISPUTES_PER_PAGE = 20
# What a customer may attach to a dispute, by the type read from the content,
# with the file name extensions that type may carry.
ALLOWED_ATTACHMENTS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        ".docx",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "text/plain": (".txt", ".csv"),
    "text/csv": (".csv", ".txt"),
}
# Types libmagic may give from the first bytes of a zip or OLE container: read
# again on the whole content to tell a DOCX or an XLS from any archive.
CONTAINER_MIMETYPES = (
    "application/zip",
    "application/octet-stream",
    "application/x-ole-storage",
    "application/CDFV2",
)


class SettlementDisputePortal(SettlementPortal):
    """Disputes on the portal: the list, the page, its documents, and raising
    one from an invoice."""

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
            {
                "dispute": dispute_sudo,
                "page_name": "dispute",
                "documents": self._dispute_documents(dispute_sudo),
            },
            "my_disputes_history",
            False,
            **kw,
        )
        return request.render("settlement_mgmt.portal_dispute_page", values)

    @http.route(
        ["/my/disputes/<int:dispute_id>/documents/<int:attachment_id>"],
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def portal_dispute_document(
        self, dispute_id, attachment_id, access_token=None, **kw
    ):
        """Download a document the customer sent with its dispute: whoever may
        open the dispute page (its customer's session, or the dispute's
        access token) may download it; anyone else gets a 404."""
        try:
            dispute_sudo = self._document_check_access(
                "settlement.dispute", dispute_id, access_token
            )
        except (AccessError, MissingError):
            raise request.not_found() from None
        document = self._dispute_documents(dispute_sudo).filtered(
            lambda attachment: attachment.id == attachment_id
        )
        if not document:
            raise request.not_found()
        stream = request.env["ir.binary"]._get_stream_from(document)
        return stream.get_response(as_attachment=True)

    def _dispute_documents(self, dispute_sudo):
        """The files the customer side attached to the dispute (sent from the
        portal, so created by a portal or public user); files the staff keep
        on the dispute stay internal."""
        return (
            request.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", dispute_sudo._name),
                    ("res_id", "=", dispute_sudo.id),
                    ("res_field", "=", False),
                    ("create_uid.share", "=", True),
                ],
                order="id",
            )
        )

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
        return request.redirect(self._portal_url_after_post(dispute, "created"))

    def _parse_dispute_form(self, invoice_sudo, post):
        """(reason, amount, message as HTML, files) from the posted form; a
        UserError with a message for the customer on any bad input, before
        anything is written.  ``files`` are (name, content, mimetype)."""
        env = request.env
        reason = env["settlement.dispute.reason"].sudo().browse()
        if str(post.get("reason_id", "")).isdigit():
            reason = reason.browse(int(post["reason_id"])).exists()
        if not reason or reason.company_id not in (
            env["res.company"],
            invoice_sudo.company_id,
        ):
            raise UserError(env._("Choose the reason of your dispute."))
        amount = self._parse_dispute_amount(invoice_sudo, post.get("amount"))
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
        return (
            reason,
            amount,
            plaintext2html(text),
            [self._read_dispute_file(file) for file in files],
        )

    def _parse_dispute_amount(self, invoice_sudo, value):
        """The disputed amount as a float, read exactly (no float rounding of
        what the customer typed, so 1e308 or 40 digits cannot overflow): a
        plain positive number, with no more decimals than the invoice currency
        and at most what is still unpaid on the invoice.  Whether part of it
        is already disputed is checked by the dispute itself."""
        env = request.env
        currency = invoice_sudo.currency_id
        decimals = currency.decimal_places
        try:
            amount = parse_positive_amount(value, decimals)
        except AmountError as error:
            if error.reason != "decimals":
                raise UserError(
                    env._("Enter the disputed amount as a positive number.")
                ) from None
            if not decimals:
                raise UserError(
                    env._(
                        "Enter the amount in whole %(currency)s, without decimals.",
                        currency=currency.name,
                    )
                ) from None
            raise UserError(
                env._(
                    "Enter the amount with at most %(decimals)s decimals for "
                    "%(currency)s.",
                    decimals=decimals,
                    currency=currency.name,
                )
            ) from None
        unpaid = max(invoice_sudo.amount_residual, 0.0)
        if amount > Decimal(float_repr(unpaid, decimals)):
            raise UserError(
                env._(
                    "The disputed amount is more than what is still unpaid on "
                    "%(invoice)s (%(unpaid)s).",
                    invoice=invoice_sudo.name,
                    unpaid=currency.format(unpaid),
                )
            )
        return float(amount)

    def _read_dispute_file(self, file):
        """(name, content, mimetype) of an uploaded file: at most 10 MB, of a
        type on the allow-list as read from its content, with a name whose
        extension matches that content."""
        env = request.env
        name = file.filename
        content = file.read(MAX_ATTACHMENT_BYTES + 1)
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise UserError(
                env._(
                    "%(file)s is larger than %(size)s MB.",
                    file=name,
                    size=MAX_ATTACHMENT_BYTES // (1024 * 1024),
                )
            )
        if not content:
            raise UserError(env._("%(file)s is empty.", file=name))
        mimetype = guess_mimetype(content)
        if mimetype in CONTAINER_MIMETYPES:
            # libmagic reads only the first bytes; core's own guesser opens
            # zip and OLE containers to tell office documents from archives.
            mimetype = odoo_mimetypes._odoo_guess_mimetype(content)
        extensions = ALLOWED_ATTACHMENTS.get(mimetype)
        if not extensions:
            raise UserError(
                env._(
                    "%(file)s cannot be attached: send PDF files, images (PNG, "
                    "JPEG, GIF, WebP), office documents (DOC, DOCX, XLS, XLSX, "
                    "ODT, ODS) or text files (TXT, CSV).",
                    file=name,
                )
            )
        if get_extension(name) not in extensions:
            raise UserError(
                env._(
                    "The content of %(file)s does not match its name: a file of "
                    "this type ends with %(extensions)s.",
                    file=name,
                    extensions=", ".join(extensions),
                )
            )
        return name, content, mimetype

    def _create_dispute_attachments(self, files):
        attachments = request.env["ir.attachment"].sudo()
        for name, content, mimetype in files:
            attachments |= attachments.create(
                {
                    "name": name,
                    "datas": base64.b64encode(content),
                    "mimetype": mimetype,
                    "res_model": "settlement.dispute",
                    "res_id": 0,
                }
            )
        return attachments
