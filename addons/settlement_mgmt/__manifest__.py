{
    "name": "Receivables Settlement",
    "summary": "Credit control, instalment plans, disputes, dunning, statements "
    "and Excel exports for customer receivables",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/settlement-mgmt/settlement_mgmt",
    "author": "settlement_mgmt contributors",
    "license": "LGPL-3",
    "depends": ["account", "portal", "mail"],
    "external_dependencies": {"python": ["num2words", "xlsxwriter"]},
    "data": [
        "security/settlement_groups.xml",
        "security/ir.model.access.csv",
        "security/settlement_security.xml",
        "data/ir_cron_data.xml",
        "data/settlement_dispute_data.xml",
        "views/res_config_settings_views.xml",
        "views/account_move_line_views.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/settlement_credit_hold_views.xml",
        "views/settlement_credit_override_views.xml",
        "views/settlement_risk_score_views.xml",
        "views/settlement_dispute_views.xml",
        "views/settlement_dispute_templates.xml",
        "views/settlement_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "settlement_mgmt/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/settlement_demo.xml",
    ],
    "installable": True,
    "application": False,
}
