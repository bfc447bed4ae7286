# The statement e-mail got a "Pay online" part (18.0.1.4.0).  Its template
# is noupdate (a company may have reworded it): reload it only when its
# English text is still the one this addon shipped, then protect it again
# (post-migration).
OLD_SENTENCE = "You can also see it at any time on your customer portal."


def migrate(cr, version):
    cr.execute(
        """
        UPDATE ir_model_data data
           SET noupdate = FALSE
          FROM mail_template template
         WHERE data.module = 'settlement_mgmt'
           AND data.name = 'mail_template_statement'
           AND data.model = 'mail.template'
           AND template.id = data.res_id
           AND template.body_html ->> 'en_US' LIKE %s
        """,
        (f"%{OLD_SENTENCE}%",),
    )
