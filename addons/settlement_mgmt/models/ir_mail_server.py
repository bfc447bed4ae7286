import smtplib

from odoo import models
from odoo.tools import email_normalize

from odoo.addons.base.models.ir_mail_server import MailDeliveryException

# Where send_email leaves the recipients a mail server refused for good, by
# Message-ID, for mail.mail._postprocess_sent_message of the same transaction
# (the cursor's pre-commit data: dropped on commit or rollback).
REFUSED_KEY = "settlement_mgmt.refused_recipients"


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    def send_email(self, message, *args, **kwargs):
        """Core turns a refused recipient into a generic delivery failure; keep
        which addresses the server refused with a permanent (5xx) answer, so
        that their notifications become bounces, not failures to retry."""
        try:
            return super().send_email(message, *args, **kwargs)
        except MailDeliveryException as error:
            refused = error.__context__
            if isinstance(refused, smtplib.SMTPRecipientsRefused):
                permanent = {
                    email_normalize(address) or address: " ".join(
                        (
                            str(code),
                            answer.decode(errors="replace")
                            if isinstance(answer, bytes)
                            else str(answer),
                        )
                    )
                    for address, (code, answer) in refused.recipients.items()
                    if 500 <= code < 600
                }
                if permanent:
                    self.env.cr.precommit.data.setdefault(REFUSED_KEY, {}).setdefault(
                        message["Message-Id"], {}
                    ).update(permanent)
            raise
