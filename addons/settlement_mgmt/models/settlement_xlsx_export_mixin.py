import datetime
import tempfile

from xlsxwriter.utility import xl_col_to_name

from odoo import models

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def decimals_num_format(decimals):
    """``#,##0.00`` for two decimal places, ``#,##0`` for none."""
    decimals = max(decimals or 0, 0)
    return f"#,##0.{'0' * decimals}" if decimals else "#,##0"


def money_num_format(currency, symbol=False):
    """The number format of amounts in ``currency``, from its decimal places:
    ``#,##0.00``, ``#,##0.000`` (Kuwaiti dinar), ``#,##0`` (none); with
    ``symbol``, the currency's symbol on the side it is written."""
    pattern = decimals_num_format(currency.decimal_places)
    if not symbol:
        return pattern
    sign = currency.symbol or currency.name
    if currency.position == "before":
        return f'"{sign}" {pattern}'
    return f'{pattern} "{sign}"'


class WorkbookStyles:
    """The look every workbook of the addon shares: title, bold labels,
    column headers, dates, money in each currency's decimals, and sheets
    laid out right to left in a right-to-left language.  Formats are made
    once per workbook (xlsxwriter keeps every format it is given)."""

    def __init__(self, workbook, env):
        self.workbook = workbook
        self.env = env
        self.bold = workbook.add_format({"bold": True})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        header = {"bold": True, "bottom": 1, "bg_color": "#EEEEEE"}
        self.header = workbook.add_format(header)
        # Long bucket and column names of the aged export wrap in their cell.
        self.header_wrap = workbook.add_format({**header, "text_wrap": True})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self._money = {}

    def money(self, currency, symbol=False, bold=False, total=False):
        """The format of amounts in ``currency``: ``bold`` for a balance,
        ``total`` (bold, ruled above) for a total row."""
        key = (
            currency.decimal_places,
            symbol and (currency.symbol, currency.position),
            bold,
            total,
        )
        if key not in self._money:
            properties = {"num_format": money_num_format(currency, symbol)}
            if bold or total:
                properties["bold"] = True
            if total:
                properties["top"] = 1
            self._money[key] = self.workbook.add_format(properties)
        return self._money[key]

    def money_decimals(self, decimals):
        """The plain format of amounts with ``decimals`` decimal places (a
        currency's, read with the rows of a query): the same format object as
        :meth:`money` for a currency with these decimals."""
        key = (decimals, False, False, False)
        if key not in self._money:
            self._money[key] = self.workbook.add_format(
                {"num_format": decimals_num_format(decimals)}
            )
        return self._money[key]

    def money_total(self, currency):
        return self.money(currency, total=True)

    def add_sheet(self, name):
        """A sheet named ``name`` (Excel's 31 characters at most), right to
        left when the workbook's language is written so."""
        sheet = self.workbook.add_worksheet(name[:31])
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        if lang.direction == "rtl":
            sheet.right_to_left()
        return sheet

    def write_heading(self, sheet, title, company_name, lines=()):
        """The heading every sheet starts with: the title (row 0), the
        company (row 1), then one row per line of ``lines``: a label and its
        values, a date written as a date cell, anything else as text (an
        empty value leaves its cell empty).  Returns the row after it."""
        sheet.write(0, 0, title, self.title)
        sheet.write(1, 0, company_name, self.bold)
        row = 2
        for label, *values in lines:
            sheet.write(row, 0, label)
            for column, value in enumerate(values, start=1):
                if isinstance(value, datetime.date):
                    self.write_date(sheet, row, column, value)
                elif value:
                    sheet.write(row, column, value)
            row += 1
        return row

    def write_date(self, sheet, row, column, value):
        """A real date cell (nothing for an empty date)."""
        if value:
            sheet.write_datetime(row, column, value, self.date)


class SettlementXlsxExportMixin(models.AbstractModel):
    """An export wizard that writes a workbook with ``_workbook(path)`` and
    hands it to the browser as a download."""

    _name = "settlement.xlsx.export.mixin"
    _description = "Settlement Excel Export"

    def _workbook(self, path):
        raise NotImplementedError

    def _finish_sheet(
        self,
        sheet,
        header_row,
        row,
        width,
        sum_columns,
        styles,
        totals,
        currency_column=None,
    ):
        """Total rows at ``row`` below the data rows (``header_row + 1`` to
        ``row - 1``), frozen header and autofilter over ``width`` columns.

        ``totals``: {currency: {column: sum of the data rows}} in writing
        order; ``styles``: the workbook's :class:`WorkbookStyles`.  One currency
        gets ``=SUM()`` over its column; several get one row each with
        ``=SUMIF()`` on ``currency_column``.  Formulas carry their value, so
        readers that do not calculate see the total.  Without data rows no
        formula is written (it would sum its own cell): a line says so and
        the totals are 0.  Returns the row after the totals."""
        first_data, last_data = header_row + 1, row - 1
        if last_data < first_data:
            sheet.write(
                row, 0, self.env._("No records match the filters of this export.")
            )
            row += 1
            currency = self.company_id.currency_id
            sheet.write(row, 0, self.env._("Total"), styles.bold)
            for column in sum_columns:
                sheet.write_number(row, column, 0, styles.money_total(currency))
            row += 1
        else:
            # Excel rows are numbered from 1.
            first, last = first_data + 1, last_data + 1
            split = len(totals) > 1 and currency_column is not None
            for currency, sums in totals.items():
                sheet.write(row, 0, self.env._("Total"), styles.bold)
                if split:
                    sheet.write(row, currency_column, currency.name, styles.bold)
                    letter = xl_col_to_name(currency_column)
                    criteria = f'{letter}{first}:{letter}{last},"{currency.name}",'
                for column in sum_columns:
                    letter = xl_col_to_name(column)
                    cells = f"{letter}{first}:{letter}{last}"
                    formula = (
                        f"=SUMIF({criteria}{cells})" if split else f"=SUM({cells})"
                    )
                    sheet.write_formula(
                        row,
                        column,
                        formula,
                        styles.money_total(currency),
                        currency.round(sums.get(column, 0.0)),
                    )
                row += 1
        sheet.freeze_panes(header_row + 1, 1)
        sheet.autofilter(header_row, 0, max(last_data, header_row), width - 1)
        return row

    def _export_content(self):
        # xlsxwriter's constant-memory mode writes through a file on disk.
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
            self._workbook(file.name)
            file.seek(0)
            return file.read()

    def _download_xlsx(self, name):
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{name}.xlsx",
                "raw": self._export_content(),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": XLSX_MIMETYPE,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
