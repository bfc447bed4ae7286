import io
import zipfile

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import formatLang

from ..lib.case_file import (
    case_file_member_name,
    dossier_period_start,
    safe_file_part,
)

ZIP_MIMETYPE = "application/zip"


class SettlementCollectionFile(models.AbstractModel):
    """The documented case file a lawyer or a collection agency asks for
    when a debt is handed over: a PDF dossier of everything the company knows
    about the customer and what it was sent (in the customer's language and
    the company's), the original invoice PDFs, as one ZIP, and the agency's
    workbook (one row per open item).  Called by the customer's *Case File*
    button and by collection cases; it gathers everything about a customer,
    so only Settlement Managers may build it, checked here whoever calls."""

    _name = "settlement.collection.file"
    _description = "Collection Case File"

    # ------------------------------------------------------------------
    # Access and input
    # ------------------------------------------------------------------

    @api.model
    def _check_case_file_access(self):
        """Only Settlement Managers build a case file.  Checked in every entry
        point (not only the views): a user's RPC reaches public methods."""
        if self.env.su:
            return
        if not self.env.user.has_group("settlement_mgmt.group_settlement_manager"):
            raise AccessError(
                self.env._("Only Settlement Managers may build a case file.")
            )

    @api.model
    def _case_file_invoices(self, partner, invoices):
        """The customer's commercial partner and the receivable invoices handed
        over: ``invoices`` checked to be its posted customer invoices of the
        current company, or all its open ones when empty."""
        partner = partner.commercial_partner_id
        if len(partner) != 1:
            raise UserError(self.env._("A case file is built for one customer."))
        company = self.env.company
        if not invoices:
            return partner, self.env["account.move"].search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("amount_residual", ">", 0),
                ],
                order="invoice_date_due, name, id",
            )
        foreign = invoices.filtered(
            lambda move: move.commercial_partner_id != partner
            or move.company_id != company
            or move.move_type != "out_invoice"
            or move.state != "posted"
        )
        if foreign:
            raise UserError(
                self.env._(
                    "Only posted customer invoices of %(customer)s can be handed "
                    "over in its case file, not %(documents)s.",
                    customer=partner.display_name,
                    documents=", ".join(foreign.mapped("display_name")),
                )
            )
        return partner, invoices.sorted(
            lambda move: (move.invoice_date_due, move.name or "", move.id)
        )

    # ------------------------------------------------------------------
    # Dossier
    # ------------------------------------------------------------------

    @api.model
    def _dossier_reader(self, partner, lang):
        """The partner whose conventions the dossier writes dates, amounts and
        digits in: the customer in its own language, the company (its
        calendar and digits) in the company's."""
        if not lang or lang == partner.lang:
            return partner
        return self.env.company.partner_id.with_context(lang=lang)

    @api.model
    def _dossier_pdf(self, partner, invoices, lang=None):
        """The PDF dossier of ``partner`` and the ``invoices`` handed over (all
        its open invoices when empty), in ``lang`` (the customer's by
        default): right to left for fa/ar/he, in the reader's calendar and
        digits."""
        self._check_case_file_access()
        partner, invoices = self._case_file_invoices(partner, invoices)
        content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            "settlement_mgmt.action_report_collection_file",
            partner.ids,
            data={
                "invoice_ids": invoices.ids,
                "lang": lang or partner.lang or self.env.lang,
            },
        )
        return content

    @api.model
    def _dossier_values(self, partner, invoices, lang):
        """What the dossier prints, in ``lang``: every section's records and
        labels, read in a constant number of queries."""
        file = self.with_context(lang=lang)
        env = file.env
        company = env.company
        today = fields.Date.context_today(file)
        reader = file._dossier_reader(partner, lang)
        Statement = env["settlement.statement"]
        date_from = dossier_period_start(
            invoices.mapped("invoice_date"), Statement._default_period(today)[0]
        )
        statement = Statement._statement_data(partner, date_from, today, company)
        if reader != partner:
            # The amounts in words in the reader's language, not the customer's.
            digits = Statement._partner_calendar(reader)[1]
            for section in statement["sections"]:
                section["in_words"] = Statement._amount_in_words(
                    section["closing"], section["currency"], lang, digits=digits
                )
        reminders = env["settlement.dunning.communication"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
            order="date, id",
        )
        promises = env["settlement.promise"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
            order="create_date, id",
        )
        disputes = env["settlement.dispute"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
            order="create_date, id",
        )
        return {
            "customer": partner,
            "reader": reader,
            "lang": lang,
            "today": today,
            "company": company,
            "contacts": partner | partner.child_ids.filtered("active"),
            "invoices": invoices,
            "invoice_totals": file._invoice_totals(invoices),
            "st": statement,
            "reminders": reminders,
            # Deliveries are read-only proof nobody may write; read as stored.
            "deliveries": reminders.delivery_ids.sudo(),
            "promises": promises,
            "disputes": disputes,
            "calls": file._call_notes(partner, invoices, reminders),
            "labels": file._selection_labels(),
            "one_line_address": file._one_line_address,
        }

    @api.model
    def _one_line_address(self, partner):
        """The partner's postal address on one line (a table cell)."""
        lines = (partner._display_address(without_company=True) or "").split("\n")
        return ", ".join(line.strip() for line in lines if line.strip())

    @api.model
    def _invoice_totals(self, invoices):
        """[(currency, original total, open total)] of the handed-over
        invoices, one per currency."""
        totals = {}
        for invoice in invoices:
            total, residual = totals.get(invoice.currency_id, (0.0, 0.0))
            totals[invoice.currency_id] = (
                total + invoice.amount_total,
                residual + invoice.amount_residual,
            )
        return [
            (currency, currency.round(total), currency.round(residual))
            for currency, (total, residual) in totals.items()
        ]

    @api.model
    def _selection_labels(self):
        """{model: {field: {value: label}}} of the states the dossier prints,
        in the context's language."""
        wanted = {
            "settlement.dunning.delivery": ("channel", "state"),
            "settlement.promise": ("state", "channel"),
            "settlement.dispute": ("state",),
            "res.partner": ("type",),
        }
        return {
            model: {
                name: dict(
                    self.env[model]._fields[name]._description_selection(self.env)
                )
                for name in names
            }
            for model, names in wanted.items()
        }

    @api.model
    def _call_notes(self, partner, invoices, reminders):
        """Messages that record a call (a done activity of a phone-call type, as
        the worklist logs a reminder's call, or a call logged by hand) on the
        customer, its contacts, the invoices handed over and its reminders."""
        targets = [
            ("res.partner", (partner | partner.child_ids).ids),
            ("account.move", invoices.ids),
            ("settlement.dunning.communication", reminders.ids),
        ]
        domain = [
            ("mail_activity_type_id.category", "=", "phonecall"),
            "|",
            "|",
            *(
                term
                for model, ids in targets
                for term in ("&", ("model", "=", model), ("res_id", "in", ids))
            ),
        ]
        # The messages of records the manager reads (checked above): read as
        # stored, with their authors.
        return self.env["mail.message"].sudo().search(domain, order="date, id")

    # ------------------------------------------------------------------
    # ZIP and attachments
    # ------------------------------------------------------------------

    @api.model
    def _invoice_pdf(self, invoice):
        """(content, file name) of the invoice's original PDF: the one core
        stored when it was sent or printed (its main attachment), else a
        fresh rendering of core's invoice report."""
        stored = invoice.invoice_pdf_report_id or (
            invoice.message_main_attachment_id
            if invoice.message_main_attachment_id.mimetype == "application/pdf"
            else invoice.message_main_attachment_id.browse()
        )
        if stored:
            return stored.raw, stored.name
        content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            "account.account_invoices", invoice.ids
        )
        return content, f"{invoice.name}.pdf"

    @api.model
    def _case_file_zip(self, partner, invoices, reference):
        """(file name, ZIP content): the dossier in the customer's language,
        in the company's too when it differs, and each invoice's original
        PDF."""
        self._check_case_file_access()
        partner, invoices = self._case_file_invoices(partner, invoices)
        company_lang = self.env.company.partner_id.lang or "en_US"
        langs = [partner.lang or company_lang]
        if company_lang not in langs:
            langs.append(company_lang)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, lang in enumerate(langs, start=1):
                dossier = self.with_context(lang=lang).env._("Dossier")
                archive.writestr(
                    case_file_member_name(index, dossier, reference, lang),
                    self._dossier_pdf(partner, invoices, lang=lang),
                )
            for index, invoice in enumerate(invoices, start=len(langs) + 1):
                content, _name = self._invoice_pdf(invoice)
                archive.writestr(
                    case_file_member_name(
                        index, self.env._("Invoice"), invoice.name, None
                    ),
                    content,
                )
        name = self.env._(
            "Case File %(reference)s %(customer)s",
            reference=reference,
            customer=partner.name,
        )
        return f"{safe_file_part(name)}.zip", buffer.getvalue()

    @api.model
    def _attach_case_file(self, record, partner, invoices, reference):
        """Build the ZIP and the agency workbook, attach both to ``record`` (a
        model with a chatter) and post a note with them.  Returns the ZIP's
        attachment."""
        self._check_case_file_access()
        if not hasattr(record, "message_post") or len(record) != 1:
            raise UserError(
                self.env._("A case file is attached to one record with a chatter.")
            )
        partner, invoices = self._case_file_invoices(partner, invoices)
        # The manager reads the record it files the case on; attaching and
        # noting need no right to edit it (a manager may not edit contacts):
        # done in sudo once both checks passed, the note signed by the manager.
        record.check_access("read")
        zip_name, zip_content = self._case_file_zip(partner, invoices, reference)
        xlsx_name, xlsx_content = self._agency_workbook(partner, invoices, reference)
        record = record.sudo()
        Attachment = self.env["ir.attachment"].sudo()
        common = {"res_model": record._name, "res_id": record.id}
        archive = Attachment.create(
            {**common, "name": zip_name, "raw": zip_content, "mimetype": ZIP_MIMETYPE}
        )
        workbook = Attachment.create(
            {
                **common,
                "name": xlsx_name,
                "raw": xlsx_content,
                "mimetype": (
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                ),
            }
        )
        record.message_post(
            body=self.env._(
                "Case file %(reference)s built: %(count)s invoice(s) handed over, "
                "%(amount)s open.",
                reference=reference,
                count=len(invoices),
                amount=", ".join(
                    formatLang(self.env, residual, currency_obj=currency)
                    for currency, _total, residual in self._invoice_totals(invoices)
                )
                or "0",
            ),
            attachment_ids=(archive | workbook).ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return archive

    @api.model
    def _attached_notification(self, message):
        """What a *Case File* button returns: ``message`` in a notification,
        then the form reloaded to show the file in its chatter."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
