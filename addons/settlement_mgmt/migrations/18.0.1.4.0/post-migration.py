def migrate(cr, version):
    # Reloaded by pre-migration when untouched: noupdate again, as installed.
    cr.execute(
        """
        UPDATE ir_model_data SET noupdate = TRUE
         WHERE module = 'settlement_mgmt' AND name = 'mail_template_statement'
        """
    )
