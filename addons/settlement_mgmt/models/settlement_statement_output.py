import io

import xlsxwriter

from odoo import api, fields, models

from .settlement_xlsx_export_mixin import money_num_format


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
    def _statement_xlsx(self, partner, date_from, date_to, company=None):
        """The statement as a workbook: real dates and numbers, currency
        formats, frozen header, filter, right-to-left for fa/ar/he."""
        st = self._statement_data(partner, date_from, date_to, company)
        partner = st["partner"]
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        bold = workbook.add_format({"bold": True})
        title = workbook.add_format({"bold": True, "font_size": 14})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        header = workbook.add_format({"bold": True, "bottom": 1, "bg_color": "#EEEEEE"})
        # The document's own name: a bare "Statement" was translated in other
        # senses (a bank statement, a description).  Excel caps tab names at 31.
        sheet = workbook.add_worksheet(self.env._("Statement of Account")[:31])
        direction = (
            self.env["res.lang"]._get_data(code=self.env.lang or "en_US").direction
        )
        if direction == "rtl":
            sheet.right_to_left()
        sheet.write(0, 0, self.env._("Statement of Account"), title)
        sheet.write(1, 0, st["company"].name, bold)
        sheet.write(2, 0, partner.name)
        sheet.write(3, 0, self.env._("Period"))
        sheet.write_datetime(
            3, 1, fields.Datetime.to_datetime(st["date_from"]), date_format
        )
        sheet.write_datetime(
            3, 2, fields.Datetime.to_datetime(st["date_to"]), date_format
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
            symbol = currency.symbol or currency.name
            pattern = money_num_format(currency)
            money = workbook.add_format(
                {
                    "num_format": f'"{symbol}" {pattern}'
                    if currency.position == "before"
                    else f'{pattern} "{symbol}"'
                }
            )
            money_bold = workbook.add_format(
                {"bold": True, "num_format": money.num_format}
            )
            sheet.write(row, 0, currency.name, bold)
            row += 1
            for column, (label, _width) in enumerate(columns):
                sheet.write(row, column, label, header)
            header_row = header_row if header_row != 5 else row
            row += 1
            sheet.write_datetime(
                row, 0, fields.Datetime.to_datetime(st["date_from"]), date_format
            )
            sheet.write(row, 1, self.env._("Opening balance"), bold)
            sheet.write_number(row, 6, section["opening"], money_bold)
            row += 1
            for line in section["lines"]:
                sheet.write_datetime(
                    row, 0, fields.Datetime.to_datetime(line["date"]), date_format
                )
                sheet.write_string(row, 1, line["name"] or "")
                sheet.write_string(row, 2, line["ref"] or "")
                if line["date_due"]:
                    sheet.write_datetime(
                        row,
                        3,
                        fields.Datetime.to_datetime(line["date_due"]),
                        date_format,
                    )
                sheet.write_number(row, 4, line["debit"], money)
                sheet.write_number(row, 5, line["credit"], money)
                sheet.write_number(row, 6, line["balance"], money)
                row += 1
            sheet.write_datetime(
                row, 0, fields.Datetime.to_datetime(st["date_to"]), date_format
            )
            sheet.write(row, 1, self.env._("Closing balance"), bold)
            sheet.write_number(row, 6, section["closing"], money_bold)
            row += 1
            if section["in_words"]:
                sheet.write(row, 1, section["in_words"])
                row += 1
            row += 1
            for column, (label, amount) in enumerate(section["aging"]):
                sheet.write(row, column, label, header)
                sheet.write_number(row + 1, column, amount, money)
            row += 3
        sheet.freeze_panes(header_row + 1, 0)
        workbook.close()
        return output.getvalue()
