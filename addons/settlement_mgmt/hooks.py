from odoo.tools import SQL

from .models.settlement_receivable_item_store import FUNCTIONS as STORE_FUNCTIONS
from .models.settlement_receivable_item_store import STALE_TABLE


def post_init_hook(env):
    # Invoices posted before the addon keep the discounts they offered.
    env["settlement.invoice.discount"]._backfill()


# Indexes the addon adds to core tables: Odoo drops the addon's tables and
# columns on uninstall, not these.
CORE_TABLE_INDEXES = (
    "account_move__settlement_draft_customer_index",
    "account_partial_reconcile__settlement_company_max_date_index",
)


def uninstall_hook(env):
    for index in CORE_TABLE_INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
    # The due schedule's functions, with the triggers they run on core tables
    # (journal items, entries, contacts), and its list of stale customers.
    env["settlement.receivable.item"]._fire_pending()
    for function in STORE_FUNCTIONS:
        env.cr.execute(SQL(f"DROP FUNCTION IF EXISTS {function} CASCADE"))
    env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(STALE_TABLE)))
