def post_init_hook(env):
    # Invoices posted before the addon keep the discounts they offered.
    env["account.move"].sudo()._settlement_offer_discounts_backfill()
