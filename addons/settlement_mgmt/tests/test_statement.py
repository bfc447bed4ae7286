from datetime import timedelta
from io import BytesIO

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestStatement(SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Statement = cls.env["settlement.statement"]
        cls.customer.write({"email": "ap@credit-customer.example.com", "lang": "en_US"})
        # Before the period: 1,000 invoiced, 400 paid.
        cls.old = cls._invoice(cls.customer, 1000.0, days_old=120, due_days=30)
        cls._pay(cls.old, 400.0, days_old=100)
        # In the period: 500 invoiced, a 100 credit note, 200 paid on the old one.
        cls.recent = cls._invoice(cls.customer, 500.0, days_old=20, due_days=30)
        cls.refund = cls._invoice(
            cls.customer, 100.0, days_old=10, move_type="out_refund"
        )
        cls._pay(cls.old, 200.0, days_old=5)
        cls.date_from = cls.today - timedelta(days=60)

    def _ledger_balance(self, date_to):
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT COALESCE(SUM(line.balance), 0) FROM account_move_line line
                 JOIN account_account account ON account.id = line.account_id
                WHERE account.account_type = 'asset_receivable'
                  AND line.parent_state = 'posted' AND line.partner_id = %s
                  AND line.date <= %s""",
            (self.customer.id, date_to),
        )
        return self.env.cr.fetchone()[0]

    def test_balances_match_the_ledger_and_run_through_the_period(self):
        st = self.Statement._statement_data(self.customer, self.date_from, self.today)
        (section,) = st["sections"]
        self.assertEqual(section["opening"], 600.0)
        self.assertEqual(section["closing"], 800.0)
        self.assertEqual(section["closing"], self._ledger_balance(self.today))
        self.assertEqual(
            [(line["debit"], line["credit"]) for line in section["lines"]],
            [(500.0, 0.0), (0.0, 100.0), (0.0, 200.0)],
        )
        self.assertEqual(section["lines"][-1]["balance"], section["closing"])
        # Aging today: the old invoice's 400 is 90 days late, the recent one not due.
        aging = dict(section["aging"])
        self.assertEqual(aging["Not Due"], 500.0 - 100.0)
        self.assertEqual(aging["61–90"], 400.0)
        self.assertEqual(sum(aging.values()), section["closing"])

    def test_past_date_ignores_later_payments(self):
        as_of = self.today - timedelta(days=30)
        st = self.Statement._statement_data(
            self.customer, self.today - timedelta(days=150), as_of
        )
        (section,) = st["sections"]
        self.assertEqual(section["closing"], 600.0)
        self.assertEqual(section["closing"], self._ledger_balance(as_of))
        aging = dict(section["aging"])
        # On that day the old invoice still owed 600, 60 days late.
        self.assertEqual(aging["31–60"], 600.0)
        self.assertEqual(sum(aging.values()), 600.0)

    def test_one_section_per_currency(self):
        currency = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        self._invoice(self.customer, 300.0, days_old=3, currency_id=currency.id)
        st = self.Statement._statement_data(self.customer, self.date_from, self.today)
        by_currency = {section["currency"]: section for section in st["sections"]}
        self.assertEqual(by_currency[currency]["closing"], 300.0)
        self.assertEqual(by_currency[self.env.company.currency_id]["closing"], 800.0)
        self.assertEqual(st["sections"][0]["currency"], self.env.company.currency_id)

    def test_amount_in_words_and_calendar_follow_the_customer(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.customer.write({"lang": "fa_IR", "settlement_native_digits": True})
        st = self.Statement._statement_data(self.customer, self.date_from, self.today)
        self.assertRegex(st["sections"][0]["in_words"], "[\u0600-\u06ff]")
        text = self.Statement._format_date(self.today, self.customer)
        self.assertRegex(text, "^[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}$")
        self.customer.settlement_calendar = "gregorian"
        self.assertNotRegex(
            self.Statement._format_date(self.today, self.customer), "^1[34]"
        )

    def test_query_count_does_not_grow_with_history(self):
        def count():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Statement._statement_data(self.customer, self.date_from, self.today)
            return self.env.cr.sql_log_count - before

        count()
        small = count()
        for days in range(5, 50, 5):
            self._invoice(self.customer, 10.0, days_old=days)
        self.assertEqual(count(), small)

    def test_pdf_and_xlsx(self):
        for lang in ("fa_IR", "ar_001", "he_IL"):
            self.env["res.lang"]._activate_lang(lang)
        for lang in ("en_US", "fa_IR", "ar_001", "he_IL"):
            with self.subTest(lang=lang):
                self.customer.lang = lang
                html = (
                    self.env["ir.actions.report"]
                    .with_context(lang=lang)
                    ._render_qweb_html(
                        "settlement_mgmt.action_report_statement",
                        self.customer.ids,
                        data={
                            "date_from": str(self.date_from),
                            "date_to": str(self.today),
                        },
                    )[0]
                )
                self.assertIn(b"o_settlement_statement_closing", html)
                direction = b'dir="rtl"' if lang != "en_US" else b'dir="ltr"'
                self.assertIn(direction, html)
        pdf, _type = (
            self.env["ir.actions.report"]
            .with_context(lang="fa_IR", force_report_rendering=True)
            ._render_qweb_pdf(
                "settlement_mgmt.action_report_statement",
                self.customer.ids,
                data={"date_from": str(self.date_from), "date_to": str(self.today)},
            )
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
        content = self.Statement.with_context(lang="he_IL")._statement_xlsx(
            self.customer, self.date_from, self.today
        )
        sheet = openpyxl.load_workbook(BytesIO(content)).active
        self.assertTrue(sheet.sheet_view.rightToLeft)
        values = [row for row in sheet.iter_rows(values_only=True)]
        numbers = [
            row[6]
            for row in values
            if isinstance(row[6], int | float) and not isinstance(row[6], bool)
        ]
        self.assertEqual(numbers[0], 600.0)
        self.assertIn(800.0, numbers)
        dates = [
            row[0]
            for row in values[6:]
            if row[0] is not None and hasattr(row[0], "year")
        ]
        self.assertTrue(dates)

    def _send_wizard(self):
        """The Send Statement wizard on the customer, as its form opens."""
        return Form(
            self.env["settlement.statement.send"].with_context(
                active_model="res.partner", active_ids=self.customer.ids
            )
        ).save()

    def test_send_once_per_period_and_monthly_run(self):
        wizard = self._send_wizard()
        wizard.action_send()
        Sending = self.env["settlement.statement.sending"]
        sent = Sending.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(sent), 1)
        self.assertTrue(sent.mail_message_id.attachment_ids)
        wizard.action_send()
        self.assertEqual(
            Sending.search_count([("partner_id", "=", self.customer.id)]), 1
        )
        wizard.date_to = self.today + timedelta(days=1)
        with self.assertRaisesRegex(UserError, "future"):
            wizard.action_send()
        self.customer.settlement_statement_opt_in = True
        self.other_customer.settlement_statement_opt_in = True
        self.other_customer.email = "other@example.com"
        Sending._cron_settlement_statements(batch_size=1)
        Sending._cron_settlement_statements(batch_size=1)
        Sending._cron_settlement_statements(batch_size=1)
        monthly = Sending.search([("scheduled", "=", True)])
        self.assertEqual(monthly.partner_id, self.customer | self.other_customer)

    def test_statement_e_mail_links_each_open_invoice_to_its_pay_page(self):
        self._send_wizard().action_send()
        sending = self.env["settlement.statement.sending"].search(
            [("partner_id", "=", self.customer.id)]
        )
        body = str(sending.mail_message_id.body)
        # Oldest due first: 1,000 less 600 paid, then the recent 500.
        self.assertLess(body.index(self.old.name), body.index(self.recent.name))
        self.assertIn("400.00", body)
        self.assertIn("500.00", body)
        self.assertNotIn(self.refund.name, body)
        for invoice in self.old | self.recent:
            self.assertTrue(invoice.access_token)
            link = f"/my/invoices/{invoice.id}?access_token={invoice.access_token}"
            self.assertIn(link, body)
        # No portal account: no statement page to point to.
        self.assertNotIn("/my/statement", body)
        # The link opens the invoice's own page without logging in.
        self.authenticate(None, None)
        page = self.url_open(
            f"/my/invoices/{self.old.id}?access_token={self.old.access_token}"
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.old.name, page.text)

    def test_statement_e_mail_points_portal_customers_to_their_statement(self):
        self._portal_user("st_pay_portal", self.customer_contact)
        html = self.env["settlement.statement.sending"]._pay_online_html(
            self.customer, self.env.company, limit=1
        )
        self.assertIn("/my/statement", html)
        self.assertIn(self.old.name, html)
        self.assertNotIn(self.recent.name, html)
        self.assertIn("Other open invoices, on your statement:", html)

    def test_portal_shows_only_the_own_statement(self):
        new_test_user(
            self.env,
            login="st_portal",
            groups="base.group_portal",
            partner_id=self.customer_contact.id,
        )
        other_contact = self.env["res.partner"].create(
            {"name": "Other Portal", "parent_id": self.other_customer.id}
        )
        new_test_user(
            self.env,
            login="st_portal_b",
            groups="base.group_portal",
            partner_id=other_contact.id,
        )
        self.authenticate("st_portal", "st_portal")
        page = self.url_open(f"/my/statement?date_from={self.date_from}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.recent.name, page.text)
        self.assertIn("o_settlement_statement_pay", page.text)
        bad = self.url_open("/my/statement?date_from=2026-13-45")
        self.assertIn("YYYY-MM-DD", bad.text)
        pdf = self.url_open(
            f"/my/statement?report_type=xlsx&date_from={self.date_from}"
        )
        self.assertEqual(pdf.status_code, 200)
        self.assertTrue(pdf.content.startswith(b"PK"))
        self.authenticate("st_portal_b", "st_portal_b")
        page = self.url_open(f"/my/statement?date_from={self.date_from}")
        self.assertNotIn(self.recent.name, page.text)
        self.logout()
        response = self.url_open("/my/statement")
        self.assertIn("/web/login", response.url)
