def post_init_hook(env):
    # Invoices posted before the addon keep the discounts they offered.
    env["settlement.invoice.discount"]._backfill()
