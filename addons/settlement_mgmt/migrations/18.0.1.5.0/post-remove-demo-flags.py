"""The demo is data since 18.0.1.5.0 (demo/*.xml, run once at install): the
flags the former loader set to avoid loading it twice are no longer read.
They stayed even after the module was uninstalled; drop them."""

from odoo import SUPERUSER_ID, api

DEMO_FLAGS = (
    "settlement_mgmt.demo_documents_loaded",
    "settlement_mgmt.demo_analytics_loaded",
    "settlement_mgmt.demo_discounts_loaded",
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["ir.config_parameter"].search([("key", "in", DEMO_FLAGS)]).unlink()
