"""The statement of account a customer receives is the same document whichever
way it reaches it: attached to a reminder by the dunning run, e-mailed by
*Send Statement*, downloaded from the portal.  Each is in the customer's
language (Persian here), whoever triggers it.

Under tests core renders a report's HTML instead of calling wkhtmltopdf (the
same template the PDF is printed from), so the three documents are compared by
their text."""

import re
from urllib.parse import unquote

from lxml import html as lxml_html

from odoo import Command, sql_db
from odoo.tests import HttpCase, tagged

from .common import SettlementCommon


def _text(content):
    """The words a reader sees in the rendered document."""
    return re.sub(r"\s+", " ", lxml_html.fromstring(content).text_content()).strip()


@tagged("post_install", "-at_install")
class TestStatementPaths(SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(["fa_IR"])
        cls.customer.write({"lang": "fa_IR", "email": "ap@pars.example.com"})
        cls.env.company.settlement_dunning_policy_id = cls.env[
            "settlement.dunning.policy"
        ].create(
            {
                "name": "Statement policy",
                "level_ids": [
                    Command.create(
                        {"name": "Reminder", "days": 7, "attach_statement": True}
                    )
                ],
            }
        )
        # 700.00 due 20 days ago, 200.00 of it paid: 500.00 owed.
        cls.invoice = cls._invoice(cls.customer, 700.0, days_old=50, due_days=30)
        cls._pay(cls.invoice, 200.0, days_old=3)
        cls.portal = cls._portal_user("paths_portal", cls.customer_contact)
        cls.date_from, cls.date_to = cls.env["settlement.statement"]._default_period()

    def _statement_attachment(self, res_model, res_id):
        attachments = self.env["ir.attachment"].search(
            [
                ("res_model", "=", res_model),
                ("res_id", "=", res_id),
                ("name", "like", "%.pdf"),
                ("name", "not like", "Reminder%"),
                ("name", "not like", "Invoices%"),
            ]
        )
        self.assertEqual(len(attachments), 1, attachments.mapped("name"))
        return attachments

    def test_reminder_e_mail_and_portal_give_the_same_statement(self):
        Communication = self.env["settlement.dunning.communication"]
        Engine = self.env["settlement.dunning.engine"]
        Engine._cron_settlement_dunning()
        reminder = Communication.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(reminder), 1)
        from_reminder = self._statement_attachment(reminder._name, reminder.id)

        self.env["settlement.statement.send"].create(
            {
                "partner_ids": [Command.set(self.customer.ids)],
                "date_from": self.date_from,
                "date_to": self.date_to,
            }
        ).action_send()
        sent = self.env["settlement.statement.sending"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(sent), 1)
        from_sending = self._statement_attachment("res.partner", self.customer.id)
        self.assertEqual(sent.mail_message_id.attachment_ids, from_sending)

        self.authenticate("paths_portal", "paths_portal")
        download = self.url_open(
            f"/my/statement?report_type=pdf&date_from={self.date_from}"
            f"&date_to={self.date_to}"
        )
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.headers["Content-Type"], "application/pdf")

        texts = [_text(from_reminder.raw), _text(from_sending.raw)]
        texts.append(_text(download.content))
        # In the customer's language: the Persian title, with the customer and
        # its invoice.
        self.assertIn("صورت‌حساب", texts[0])
        self.assertIn(self.customer.name, texts[0])
        self.assertIn(self.invoice.name, texts[0])
        self.assertEqual(texts[1], texts[0])
        self.assertEqual(texts[2], texts[0])
        # The same file name on the three: "Statement <customer> <end date>".
        expected_name = f"{self.customer.name} {self.date_to}"
        self.assertIn(expected_name, from_reminder.name)
        self.assertIn(expected_name, from_sending.name)
        self.assertIn(
            f"{expected_name}.pdf", unquote(download.headers["Content-Disposition"])
        )

    def test_every_path_prints_in_the_customer_language_for_an_english_user(self):
        self.env.user.lang = "en_US"
        content, filename = (
            self.env["settlement.statement"]
            .with_context(lang="en_US")
            ._render_statement_pdf(
                self.customer, self.date_from, self.date_to, self.env.company
            )
        )
        self.assertIn("صورت‌حساب", _text(content))
        # The file name follows the one who asked for it.
        self.assertTrue(filename.startswith("Statement "), filename)
        self.assertEqual(
            filename, f"Statement {self.customer.name} {self.date_to}".replace("/", "-")
        )

    def test_portal_statement_queries_do_not_grow_with_the_history(self):
        """The page reads balances, movements and open items in one query
        each: a longer history, more currencies or payments add no query."""
        self.authenticate("paths_portal", "paths_portal")

        def page_queries():
            self.url_open("/my/statement")  # warm the caches of this session
            before = sql_db.sql_counter
            response = self.url_open("/my/statement")
            self.assertEqual(response.status_code, 200)
            return sql_db.sql_counter - before

        short_history = page_queries()
        euro = self.env.ref("base.EUR")
        euro.active = True
        for days in (5, 15, 25, 35, 45):
            invoice = self._invoice(self.customer, 100.0 + days, days_old=days)
            self._pay(invoice, 40.0, days_old=1)
        self._invoice(self.customer, 60.0, days_old=10, currency_id=euro.id)
        self.assertEqual(page_queries(), short_history)
