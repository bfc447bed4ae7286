{
    "name": "Receivables Settlement - SMS Reminders",
    "summary": "Payment reminders by SMS, through Odoo's SMS gateway",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/settlement-mgmt/settlement_mgmt",
    "author": "settlement_mgmt contributors",
    "license": "LGPL-3",
    "depends": ["settlement_mgmt", "sms"],
    "data": [
        "data/sms_template_data.xml",
        "views/settlement_dunning_policy_views.xml",
        "views/settlement_dunning_run_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
