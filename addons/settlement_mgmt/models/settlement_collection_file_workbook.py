import io

import xlsxwriter

from odoo import api, fields, models

from ..lib.case_file import safe_file_part
from .settlement_xlsx_export_mixin import WorkbookStyles


class SettlementCollectionFile(models.AbstractModel):
    """The agency's workbook of a case file: one row per open item handed
    over with the columns collection agencies ask for, written with the
    addon's shared workbook code (formats, currency decimals, real dates,
    right to left for fa/ar/he, formula totals)."""

    _name = "settlement.collection.file"
    _inherit = ["settlement.collection.file", "settlement.xlsx.export.mixin"]

    def _agency_columns(self):
        env = self.env
        return [
            (env._("Customer"), 28),
            (env._("Tax ID"), 16),
            (env._("Address"), 36),
            (env._("Phone"), 16),
            (env._("E-mail"), 26),
            (env._("Invoice"), 18),
            (env._("Invoice Date"), 12),
            (env._("Due Date"), 12),
            (env._("Payment Terms"), 18),
            (env._("Original Amount"), 16),
            (env._("Open Amount"), 16),
            (env._("Currency"), 9),
            (env._("Days Overdue"), 10),
            (env._("Last Reminder"), 12),
            (env._("Reminder Level"), 16),
            (env._("Dispute"), 14),
            (env._("Promise to Pay"), 14),
        ]

    @api.model
    def _agency_items(self, invoices):
        """The open receivable items of ``invoices`` (one per instalment of a
        payment term), oldest due first."""
        return invoices.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
            and not line.currency_id.is_zero(line.amount_residual_currency)
        ).sorted(lambda line: (line.date_maturity, line.move_id.name or "", line.id))

    @api.model
    def _latest_promises(self, partner):
        """{invoice id: the latest promise covering it}, and the latest promise
        covering everything the customer owes (a promise without invoices)."""
        promises = self.env["settlement.promise"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)],
            order="create_date, id",
        )
        by_invoice, general = {}, promises.browse()
        for promise in promises:
            if not promise.move_ids:
                general = promise
            for invoice in promise.move_ids:
                by_invoice[invoice.id] = promise
        return by_invoice, general

    @api.model
    def _agency_workbook(self, partner, invoices, reference):
        """(file name, XLSX content) for the agency: one row per open item of
        the ``invoices`` handed over (all the customer's open invoices when
        empty), customer identity on every row, totals per currency."""
        self._check_case_file_access()
        partner, invoices = self._case_file_invoices(partner, invoices)
        env = self.env
        today = fields.Date.context_today(self)
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        styles = WorkbookStyles(workbook, env)
        sheet = styles.add_sheet(env._("Open Items"))
        columns = self._agency_columns()
        for index, (_label, width) in enumerate(columns):
            sheet.set_column(index, index, width)
        styles.write_heading(
            sheet,
            env._("Case File %(reference)s", reference=reference),
            env.company.name,
            [(env._("As of"), today)],
        )
        header_row = 4
        for index, (label, _width) in enumerate(columns):
            sheet.write(header_row, index, label, styles.header_wrap)
        identity = [
            partner.name or "",
            partner.vat or "",
            self._one_line_address(partner),
            partner.phone or partner.mobile or "",
            partner.email or "",
        ]
        labels = {
            "dispute": dict(
                env["settlement.dispute"]._fields["state"]._description_selection(env)
            ),
            "promise": dict(
                env["settlement.promise"]._fields["state"]._description_selection(env)
            ),
        }
        promises, general_promise = self._latest_promises(partner)

        def write_text(row, column, text):
            # Nothing known stays an empty cell, not an empty text.
            if text:
                sheet.write_string(row, column, text)

        totals = {}
        row = header_row + 1
        for item in self._agency_items(invoices):
            invoice = item.move_id
            currency = item.currency_id
            money = styles.money(currency)
            for column, text in enumerate(identity):
                write_text(row, column, text)
            write_text(row, 5, invoice.name or "")
            styles.write_date(sheet, row, 6, invoice.invoice_date)
            styles.write_date(sheet, row, 7, item.date_maturity)
            write_text(row, 8, invoice.invoice_payment_term_id.name or "")
            sheet.write_number(row, 9, item.amount_currency, money)
            sheet.write_number(row, 10, item.amount_residual_currency, money)
            sheet.write_string(row, 11, currency.name)
            days = (today - item.date_maturity).days if item.date_maturity else 0
            sheet.write_number(row, 12, max(days, 0))
            reminder = invoice.settlement_last_reminder_id
            styles.write_date(sheet, row, 13, reminder.date)
            write_text(row, 14, reminder.level_id.name or "")
            dispute = invoice.settlement_dispute_ids.sorted("id")[-1:]
            write_text(row, 15, labels["dispute"].get(dispute.state, ""))
            promise = promises.get(invoice.id, general_promise)
            write_text(row, 16, labels["promise"].get(promise.state, ""))
            sums = totals.setdefault(currency, {9: 0.0, 10: 0.0})
            sums[9] += item.amount_currency
            sums[10] += item.amount_residual_currency
            row += 1
        if totals:
            self._finish_sheet(
                sheet,
                header_row,
                row,
                len(columns),
                (9, 10),
                styles,
                totals,
                currency_column=11,
            )
        else:
            # No formula over no rows (it would sum nothing and look like a
            # fact): the sheet says the case has no open item.
            sheet.write(row, 0, env._("No open item was handed over in this case."))
            sheet.freeze_panes(header_row + 1, 1)
        workbook.close()
        name = env._(
            "Agency Export %(reference)s %(customer)s",
            reference=reference,
            customer=partner.name,
        )
        return f"{safe_file_part(name)}.xlsx", output.getvalue()
