{
    "name": "Receivables Settlement - Sales",
    "summary": "Credit holds and limits also block sales order confirmation",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/settlement-mgmt/settlement_mgmt",
    "author": "settlement_mgmt contributors",
    "license": "LGPL-3",
    "depends": ["settlement_mgmt", "sale"],
    "data": [
        "views/sale_order_views.xml",
        "views/settlement_credit_override_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
