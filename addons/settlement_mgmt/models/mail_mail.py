from odoo import models

from .ir_mail_server import REFUSED_KEY


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        """A recipient the mail server refused for good (``ir.mail_server``
        kept it) bounced: its notification is marked ``bounce`` with the
        server's answer, as core marks a bounce notice, instead of a failure."""
        refused = self.env.cr.precommit.data.get(REFUSED_KEY) or {}
        refused_by_mail = {
            mail.id: refused.pop(mail.message_id)
            for mail in self
            if mail.message_id in refused
        }
        answers = {}
        if refused_by_mail:
            notifications = (
                self.env["mail.notification"]
                .sudo()
                .search(
                    [
                        ("notification_type", "=", "email"),
                        ("mail_mail_id", "in", list(refused_by_mail)),
                    ]
                )
            )
            for notification in notifications:
                answer = refused_by_mail[notification.mail_mail_id.id].get(
                    notification.res_partner_id.email_normalized
                )
                if answer:
                    answers[notification] = answer
        result = super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
        for notification, answer in answers.items():
            if notification.notification_status == "exception":
                notification.write(
                    {
                        "notification_status": "bounce",
                        "failure_type": "mail_bounce",
                        "failure_reason": answer,
                    }
                )
        return result
