from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    # 18.0.1.2.0 freezes discount tiers on posting: do it for the invoices
    # posted under the previous version.
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["settlement.invoice.discount"]._backfill()
