import tempfile

from xlsxwriter.utility import xl_col_to_name

from odoo import models

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def money_num_format(currency):
    """The number format of amounts in ``currency``, from its decimal places:
    ``#,##0.00``, ``#,##0.000`` (Kuwaiti dinar), ``#,##0`` (none).  Every
    workbook of the addon formats money with it."""
    decimals = max(currency.decimal_places, 0)
    return f"#,##0.{'0' * decimals}" if decimals else "#,##0"


class MoneyFormats:
    """One cell format per currency in a workbook, and its bold total."""

    def __init__(self, workbook):
        self._workbook = workbook
        self._formats = {}

    def _get(self, currency, total):
        key = (currency.decimal_places, total)
        if key not in self._formats:
            properties = {"num_format": money_num_format(currency)}
            if total:
                properties.update(bold=True, top=1)
            self._formats[key] = self._workbook.add_format(properties)
        return self._formats[key]

    def cell(self, currency):
        return self._get(currency, False)

    def total(self, currency):
        return self._get(currency, True)


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
        label_format,
        money,
        totals,
        currency_column=None,
    ):
        """Total rows at ``row`` below the data rows (``header_row + 1`` to
        ``row - 1``), frozen header and autofilter over ``width`` columns.

        ``totals``: {currency: {column: sum of the data rows}} in writing
        order; ``money``: the workbook's :class:`MoneyFormats`.  One currency
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
            sheet.write(row, 0, self.env._("Total"), label_format)
            for column in sum_columns:
                sheet.write_number(row, column, 0, money.total(currency))
            row += 1
        else:
            # Excel rows are numbered from 1.
            first, last = first_data + 1, last_data + 1
            split = len(totals) > 1 and currency_column is not None
            for currency, sums in totals.items():
                sheet.write(row, 0, self.env._("Total"), label_format)
                if split:
                    sheet.write(row, currency_column, currency.name, label_format)
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
                        money.total(currency),
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
