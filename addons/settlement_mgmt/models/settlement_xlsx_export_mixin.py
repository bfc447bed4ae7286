import tempfile

from odoo import models

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SettlementXlsxExportMixin(models.AbstractModel):
    """An export wizard that writes a workbook with ``_workbook(path)`` and
    hands it to the browser as a download."""

    _name = "settlement.xlsx.export.mixin"
    _description = "Settlement Excel Export"

    def _workbook(self, path):
        raise NotImplementedError

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
