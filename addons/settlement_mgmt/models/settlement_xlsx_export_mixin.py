import tempfile

from xlsxwriter.utility import xl_col_to_name

from odoo import models

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SettlementXlsxExportMixin(models.AbstractModel):
    """An export wizard that writes a workbook with ``_workbook(path)`` and
    hands it to the browser as a download."""

    _name = "settlement.xlsx.export.mixin"
    _description = "Settlement Excel Export"

    def _workbook(self, path):
        raise NotImplementedError

    def _finish_sheet(self, sheet, header_row, row, width, sum_columns, formats):
        """The total row at ``row`` (SUM formulas over the data rows of
        ``sum_columns``), frozen header and autofilter over ``width`` columns.
        ``formats``: (label format, total format)."""
        label_format, total_format = formats
        sheet.write(row, 0, self.env._("Total"), label_format)
        last = max(row, header_row + 2)
        for column in sum_columns:
            letter = xl_col_to_name(column)
            sheet.write_formula(
                row,
                column,
                f"=SUM({letter}{header_row + 2}:{letter}{last})",
                total_format,
            )
        sheet.freeze_panes(header_row + 1, 1)
        sheet.autofilter(header_row, 0, max(row - 1, header_row), width - 1)

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
