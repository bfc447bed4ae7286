import io

import xlsxwriter

from odoo import api, fields, models

from .settlement_xlsx_export_mixin import WorkbookStyles


class SettlementStatement(models.AbstractModel):
    """The statement's file outputs: its name and the XLSX workbook (the PDF
    is a QWeb report on the same data)."""

    _inherit = "settlement.statement"

    # ------------------------------------------------------------------
    # Outputs
    # ------------------------------------------------------------------

    @api.model
    def _statement_filename(self, partner, date_to):
        return self.env._(
            "Statement %(customer)s %(date)s",
            customer=partner.commercial_partner_id.name,
            date=fields.Date.to_string(date_to),
        ).replace("/", "-")

    @api.model
    def _render_statement_pdf(self, partner, date_from, date_to, company):
        """(PDF content, file name without extension) of ``partner``'s
        statement of account: the one renderer of the dunning attachment,
        the e-mailed statement and the portal download.  The document is in
        the customer's language, whoever prints it; the file name follows
        the caller's language (the e-mail and the portal pass theirs)."""
        content, _report_type = (
            self.env["ir.actions.report"]
            .with_context(lang=partner.lang)
            ._render_qweb_pdf(
                "settlement_mgmt.action_report_statement",
                partner.ids,
                data={
                    "date_from": fields.Date.to_string(date_from),
                    "date_to": fields.Date.to_string(date_to),
                    "statement_company_id": company.id,
                },
            )
        )
        return content, self._statement_filename(partner, date_to)

    @api.model
    def _statement_pdf_attachment(
        self, partner, date_from, date_to, company, res_model, res_id
    ):
        """The statement PDF stored as an attachment of ``res_model``/``res_id``
        (the reminder or the customer it is e-mailed with)."""
        content, filename = self._render_statement_pdf(
            partner, date_from, date_to, company
        )
        return self.env["ir.attachment"].create(
            {
                "name": f"{filename}.pdf",
                "raw": content,
                "res_model": res_model,
                "res_id": res_id,
                "mimetype": "application/pdf",
            }
        )

    @api.model
    def _as_of_heading(self, st, partner):
        """The heading line of a statement read from a database replica that
        lags behind its primary: since when its figures are (none else)."""
        if not st.get("as_of"):
            return []
        moment = self._format_moment(st["as_of"], partner)
        return [(self.env._("Figures as of"), moment)]

    @api.model
    def _statement_xlsx(self, partner, date_from, date_to, company=None):
        """The statement as a workbook: real dates and numbers, currency
        formats, frozen header, filter, right-to-left for fa/ar/he."""
        st = self._statement_data(partner, date_from, date_to, company)
        partner = st["partner"]
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        styles = WorkbookStyles(workbook, self.env)
        # The document's own name: a bare "Statement" was translated in other
        # senses (a bank statement, a description).
        sheet = styles.add_sheet(self.env._("Statement of Account"))
        styles.write_heading(
            sheet,
            self.env._("Statement of Account"),
            st["company"].name,
            [
                (partner.name,),
                (self.env._("Period"), st["date_from"], st["date_to"]),
                *self._as_of_heading(st, partner),
            ],
        )
        columns = [
            (self.env._("Date"), 12),
            (self.env._("Document"), 22),
            (self.env._("Your Reference"), 22),
            (self.env._("Due Date"), 12),
            (self.env._("Charges"), 16),
            (self.env._("Payments and Credits"), 16),
            (self.env._("Balance"), 16),
        ]
        for column, (_label, width) in enumerate(columns):
            sheet.set_column(column, column, width)
        row = 5
        header_row = row
        for section in st["sections"]:
            currency = section["currency"]
            money = styles.money(currency, symbol=True)
            sheet.write(row, 0, currency.name, styles.bold)
            row += 1
            for column, (label, _width) in enumerate(columns):
                sheet.write(row, column, label, styles.header)
            header_row = header_row if header_row != 5 else row
            row += 1
            self._write_balance_row(styles, sheet, row, st, section)
            row += 1
            for line in section["lines"]:
                styles.write_date(sheet, row, 0, line["date"])
                sheet.write_string(row, 1, line["name"] or "")
                sheet.write_string(row, 2, line["ref"] or "")
                styles.write_date(sheet, row, 3, line["date_due"])
                sheet.write_number(row, 4, line["debit"], money)
                sheet.write_number(row, 5, line["credit"], money)
                sheet.write_number(row, 6, line["balance"], money)
                row += 1
            self._write_balance_row(styles, sheet, row, st, section, closing=True)
            row += 1
            if section["in_words"]:
                sheet.write(row, 1, section["in_words"])
                row += 1
            row += 1
            for column, (label, amount) in enumerate(section["aging"]):
                sheet.write(row, column, label, styles.header)
                sheet.write_number(row + 1, column, amount, money)
            row += 3
        sheet.freeze_panes(header_row + 1, 0)
        workbook.close()
        return output.getvalue()

    @api.model
    def _write_balance_row(self, styles, sheet, row, st, section, closing=False):
        """The section's opening balance, on the first day of the period, or
        its closing balance, on the last: date, label and amount in bold in
        the balance column."""
        date, label, amount = (
            (st["date_to"], self.env._("Closing balance"), section["closing"])
            if closing
            else (st["date_from"], self.env._("Opening balance"), section["opening"])
        )
        styles.write_date(sheet, row, 0, date)
        sheet.write(row, 1, label, styles.bold)
        sheet.write_number(
            row, 6, amount, styles.money(section["currency"], symbol=True, bold=True)
        )
