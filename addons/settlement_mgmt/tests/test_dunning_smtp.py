"""Reminders and statements through a real SMTP server (aiosmtpd on
localhost, see smtp_server.py): what the customer's mail server receives,
and what a bounce changes — a refused recipient at SMTP time, or a bounce
notice processed by Odoo's mail gateway."""

from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

from .common import SettlementCommon
from .smtp_server import SmtpServerMixin, parts

FA_BILLING = "billing@fa-customer.example.com"
EN_BILLING = "billing@en-customer.example.com"
BOUNCY_BILLING = "billing@bouncy-customer.example.com"

# A bounce notice as a mail server sends it (RFC 3464), to Odoo's bounce
# address: the delivery status names the recipient, the headers part the
# bounced message.
DSN = """From: MAILER-DAEMON <mailer-daemon@mx.example.com>
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-Id: <{dsn_id}@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="DSNBOUNDARY"

--DSNBOUNDARY
Content-Type: text/plain; charset=us-ascii

Your message to {recipient} could not be delivered: mailbox unavailable.

--DSNBOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable

--DSNBOUNDARY
Content-Type: text/rfc822-headers

Message-Id: {message_id}
From: {sender}
To: {recipient}
Subject: {subject}

--DSNBOUNDARY--
"""


@tagged("post_install", "-at_install")
class TestDunningSmtp(SmtpServerMixin, SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Communication = cls.env["settlement.dunning.communication"]
        cls.Engine = cls.env["settlement.dunning.engine"]
        cls.env.company.email = "collections@company.example.com"
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(["fa_IR"])
        cls.with_statement = cls._policy("With statement", ["email"], statement=True)
        cls.with_letter = cls._policy("Letter on bounce", ["email"], bounce=["letter"])
        cls.email_only = cls._policy("E-mail only", ["email"])
        cls.fa_customer = cls._customer("Persian Customer", "fa_IR", FA_BILLING)
        cls.fa_customer.settlement_dunning_policy_id = cls.with_statement.id
        cls.en_customer = cls._customer("English Customer", "en_US", EN_BILLING)
        cls.bouncy = cls._customer("Bouncy Customer", "en_US", BOUNCY_BILLING)

    @classmethod
    def _policy(cls, name, channels, statement=False, bounce=()):
        return cls.env["settlement.dunning.policy"].create(
            {
                "name": name,
                "level_ids": [
                    Command.create(
                        {
                            "name": f"{name} reminder",
                            "days": 7,
                            "attach_statement": statement,
                            "channel_ids": [
                                Command.create({"channel": channel})
                                for channel in channels
                            ]
                            + [
                                Command.create(
                                    {"channel": channel, "trigger": "bounce"}
                                )
                                for channel in bounce
                            ],
                        }
                    )
                ],
            }
        )

    @classmethod
    def _customer(cls, name, lang, billing_email):
        """A company whose invoices go to its invoice-address contact."""
        customer = cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "lang": lang,
                "email": f"office@{name.split()[0].lower()}.example.com",
            }
        )
        cls.env["res.partner"].create(
            {
                "name": f"{name} Accounts",
                "parent_id": customer.id,
                "type": "invoice",
                "email": billing_email,
            }
        )
        return customer

    def _reminder(self, customer, policy=None, **context):
        if policy:
            customer.settlement_dunning_policy_id = policy.id
        invoice = self._invoice(customer, 250.0, days_old=40, due_days=30)
        self.Engine.with_context(**context)._cron_settlement_dunning()
        reminder = self.Communication.search([("partner_id", "=", customer.id)])
        self.assertEqual(len(reminder), 1)
        return reminder, invoice

    def _notes(self, customer):
        return customer.message_ids.filtered(lambda message: "bounced" in message.body)

    # ------------------------------------------------------------------
    # What the customer's mail server receives
    # ------------------------------------------------------------------

    def test_persian_reminder_reaches_the_invoice_contact_right_to_left(self):
        smtp = self.start_smtp_server()
        reminder, invoice = self._reminder(
            self.fa_customer, force_report_rendering=True
        )
        email = reminder.delivery_ids
        self.assertEqual(email.channel, "email")
        self.assertEqual(email.state, "queued")
        self.assertFalse(smtp.received, "nothing leaves before the queue runs")

        self.send_mail_queue()
        [received] = smtp.to(FA_BILLING)
        self.assertEqual(received.rcpt_tos, [FA_BILLING])
        self.assertFalse(smtp.to("office@persian.example.com"))
        message = received.message
        self.assertIn(FA_BILLING, message["To"])
        self.assertIn("یادآوری پرداخت", message["Subject"])
        self.assertIn(reminder.name, message["Subject"])
        # multipart/mixed: the text and HTML alternatives, then the statement.
        self.assertEqual(message.get_content_type(), "multipart/mixed")
        found = parts(message)
        self.assertEqual(len(found["multipart/alternative"]), 1)
        html = found["text/html"][0].get_content()
        self.assertRegex(html, r'<html[^>]* dir="rtl"')
        self.assertIn(invoice.name, found["text/plain"][0].get_content())
        [pdf] = found["application/pdf"]
        self.assertTrue(pdf.get_content().startswith(b"%PDF"))
        # The proof: the Message-ID the server received, sent once delivered.
        self.assertEqual(email.state, "sent")
        self.assertEqual(email.message_ref, message["Message-Id"])
        self.assertTrue(email.date_sent)
        self.assertFalse(email.date_bounced)

    def test_english_statement_through_the_wizard(self):
        smtp = self.start_smtp_server()
        self._invoice(self.en_customer, 80.0, days_old=40)
        date_to = self.today.replace(day=1) - timedelta(days=1)
        date_from = date_to.replace(day=1)
        wizard = (
            self.env["settlement.statement.send"]
            .with_context(
                active_model="res.partner",
                active_ids=self.en_customer.ids,
                force_report_rendering=True,
            )
            .create({"date_from": date_from, "date_to": date_to})
        )
        wizard.action_send()
        self.send_mail_queue()
        [received] = smtp.to(EN_BILLING)
        message = received.message
        self.assertEqual(
            message["Subject"],
            f"{self.env.company.name}: your statement of account to "
            f"{date_to.strftime('%m/%d/%Y')}",
        )
        found = parts(message)
        self.assertNotIn('dir="rtl"', found["text/html"][0].get_content())
        self.assertIn(self.en_customer.name, found["text/plain"][0].get_content())
        [pdf] = found["application/pdf"]
        self.assertTrue(pdf.get_content().startswith(b"%PDF"))

    # ------------------------------------------------------------------
    # Bounces
    # ------------------------------------------------------------------

    def test_refused_recipient_bounces_and_the_letter_is_printed_instead(self):
        smtp = self.start_smtp_server(refused=[BOUNCY_BILLING])
        reminder, _invoice = self._reminder(self.bouncy, self.with_letter)
        email = reminder.delivery_ids
        self.assertEqual(email.channel, "email", "the letter waits for a bounce")

        self.send_mail_queue(force_report_rendering=True)
        self.assertFalse(smtp.received)
        self.assertEqual(email.state, "bounced")
        self.assertEqual(
            email.failure_reason,
            f"Bounce – 550 5.1.1 <{BOUNCY_BILLING}>: Recipient address "
            "rejected: User unknown",
        )
        self.assertTrue(email.date_bounced)
        letter = reminder.delivery_ids - email
        self.assertEqual(letter.channel, "letter")
        self.assertEqual(letter.replaces_id, email)
        self.assertEqual(letter.state, "printed")
        self.assertTrue(reminder.letter_attachment_id.raw.startswith(b"%PDF"))
        [note] = self._notes(self.bouncy)
        self.assertIn(reminder.name, note.body)
        # The reminder is a link in the note, not its HTML shown as text.
        self.assertRegex(note.body, rf"data-oe-id=[\"']{reminder.id}[\"']")
        self.assertNotIn("&lt;a", note.body)
        self.assertIn("Sent instead: Letter.", note.body)
        self.assertIn("User unknown", note.body)
        self.assertEqual(reminder.delivery_state, "bounced")

        # The same bounce again schedules nothing more.
        email.mail_message_id.notification_ids.sudo().write(
            {"notification_status": "bounce"}
        )
        self.assertEqual(len(reminder.delivery_ids), 2)
        self.assertEqual(len(self._notes(self.bouncy)), 1)

    def test_bounce_notice_through_the_gateway_schedules_a_call_once(self):
        smtp = self.start_smtp_server()
        reminder, _invoice = self._reminder(self.bouncy, self.email_only)
        self.send_mail_queue()
        [received] = smtp.to(BOUNCY_BILLING)
        email = reminder.delivery_ids
        self.assertEqual(email.state, "sent")
        alias_domain = self.env.company.alias_domain_id
        bounce_to = alias_domain.bounce_email if alias_domain else "bounce@example.com"

        def bounce(dsn_id):
            self.env["mail.thread"].message_process(
                False,
                DSN.format(
                    to=bounce_to,
                    dsn_id=dsn_id,
                    recipient=BOUNCY_BILLING,
                    message_id=received.message["Message-Id"],
                    sender=received.message["From"],
                    subject="Payment reminder",
                ),
            )

        bounce("dsn-1")
        self.assertEqual(email.state, "bounced")
        self.assertTrue(email.failure_reason.startswith("Bounce – "))
        self.assertIn("mailbox unavailable", email.failure_reason)
        self.assertTrue(email.date_bounced)
        # E-mail only: a call for the collector instead.
        call = reminder.delivery_ids - email
        self.assertEqual(call.channel, "call")
        self.assertEqual(call.replaces_id, email)
        self.assertEqual(call.state, "queued")
        self.assertEqual(reminder.call_state, "to_call")
        call_type = self.env.ref("mail.mail_activity_data_call")
        calls = reminder.activity_ids.filtered(
            lambda activity: activity.activity_type_id == call_type
        )
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls.user_id, reminder.user_id)
        [note] = self._notes(self.bouncy)
        self.assertIn("Sent instead: Phone Call.", note.body)

        # The server sends its notice twice: the call is scheduled once.
        bounced_on = email.date_bounced
        bounce("dsn-2")
        self.assertEqual(len(reminder.delivery_ids), 2)
        self.assertEqual(
            len(
                reminder.activity_ids.filtered(
                    lambda activity: activity.activity_type_id == call_type
                )
            ),
            1,
        )
        self.assertEqual(len(self._notes(self.bouncy)), 1)
        self.assertEqual(email.date_bounced, bounced_on)

    def test_no_channel_left_is_said_not_silently_dropped(self):
        """A level that already calls has no other channel to use: the
        customer's chatter says so and no second call is planned."""
        policy = self._policy("Mail and call", ["email", "call"])
        self.start_smtp_server(refused=[BOUNCY_BILLING])
        reminder, _invoice = self._reminder(self.bouncy, policy)
        self.send_mail_queue()
        self.assertEqual(
            sorted(reminder.delivery_ids.mapped("channel")), ["call", "email"]
        )
        [note] = self._notes(self.bouncy)
        self.assertIn("none is left to send it by instead", note.body)
