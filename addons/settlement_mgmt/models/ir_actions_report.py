import functools
import logging
import subprocess

from odoo import api, models

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

_logger = logging.getLogger(__name__)


@functools.cache
def wkhtmltopdf_prints_headers():
    """Whether wkhtmltopdf draws the report's header and footer: only its
    "patched Qt" builds do; Debian's and most distributions' packages leave
    both out silently (no letterhead on any PDF)."""
    try:
        version = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"],
            capture_output=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return True  # no wkhtmltopdf: no PDF to draw a letterhead in
    prints = b"patched qt" in version.lower()
    if not prints:
        _logger.info(
            "wkhtmltopdf without patched Qt: the settlement PDFs print the "
            "company letterhead in their body."
        )
    return prints


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _settlement_letterhead_in_body(self):
        """Statements and reminder letters carry the company letterhead in
        their page when wkhtmltopdf cannot print the layout's header: a
        customer's statement without the sender's name and address is not a
        statement."""
        return not wkhtmltopdf_prints_headers()
