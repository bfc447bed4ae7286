from odoo.tools import SQL


def post_init_hook(env):
    # Invoices posted before the addon keep the discounts they offered.
    env["settlement.invoice.discount"]._backfill()


# Indexes the addon adds to core tables: Odoo drops the addon's tables and
# columns on uninstall, not these.
CORE_TABLE_INDEXES = ("account_move__settlement_draft_customer_index",)


def uninstall_hook(env):
    for index in CORE_TABLE_INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
