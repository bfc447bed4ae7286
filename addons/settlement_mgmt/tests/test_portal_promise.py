from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestPortalPromise(SettlementCommon, HttpCase):
    """A customer promises on the portal: 300 and 200 overdue, 400 not due;
    the company's rules: 30 days ahead at most, at least 50 %, one open
    promise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {
                "settlement_portal_promises": True,
                "settlement_portal_promise_days": 30,
                "settlement_portal_promise_min_share": 50.0,
                "settlement_portal_promise_max_open": 1,
            }
        )
        cls.customer.write({"lang": "en_US", "email": "ap@promise.example.com"})
        cls.first = cls._invoice(cls.customer, 300.0, days_old=50, due_days=30)
        cls.second = cls._invoice(cls.customer, 200.0, days_old=40, due_days=30)
        cls.not_due = cls._invoice(cls.customer, 400.0, days_old=0, due_days=30)
        cls.foreign = cls._invoice(cls.other_customer, 700.0, days_old=50, due_days=30)
        cls.collector = new_test_user(
            cls.env,
            login="sm_promise_collector",
            groups="settlement_mgmt.group_settlement_user",
            lang="en_US",
        )
        cls.customer.settlement_collector_id = cls.collector
        cls.portal_user, _other = cls._portal_pair("sm_promise")
        cls.Promise = cls.env["settlement.promise"]

    @staticmethod
    def _typed(day):
        """A date as an English customer reads it (en_US: month/day/year)."""
        return day.strftime("%m/%d/%Y")

    def _csrf(self):
        page = self.url_open("/my/promise")
        self.assertEqual(page.status_code, 200)
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def _promise(self, invoices, amount, day, **extra):
        if "csrf_token" not in extra:  # a new session, unless its token is given
            self.authenticate("sm_promise_a", "sm_promise_a")
        data = [
            ("csrf_token", extra.pop("csrf_token", None) or self._csrf()),
            ("amount", amount),
            ("date_promised", day if isinstance(day, str) else self._typed(day)),
            *(("invoice_ids", str(getattr(move, "id", move))) for move in invoices),
        ]
        return self.url_open("/my/promise", data=data)

    def test_the_form_lists_the_overdue_invoices_only(self):
        self.authenticate("sm_promise_a", "sm_promise_a")
        page = self.url_open("/my/promise")
        self.assertEqual(page.status_code, 200)
        for invoice in (self.first, self.second):
            self.assertIn(invoice.name, page.text)
        self.assertNotIn(self.not_due.name, page.text)
        self.assertNotIn(self.foreign.name, page.text)
        # What both still owe, proposed; the last date: today + 30 days.
        self.assertIn('value="500.00"', page.text)
        self.assertIn(self._typed(self.today + timedelta(days=30)), page.text)
        statement = self.url_open("/my/statement")
        self.assertIn('href="/my/promise"', statement.text)

    def test_a_promise_pauses_reminders_and_reaches_the_collector(self):
        day = self.today + timedelta(days=10)
        response = self._promise(self.first | self.second, "400", day)
        self.assertEqual(response.status_code, 200)
        self.assertIn("/my/statement", response.url)
        self.assertIn("your promise is recorded", response.text)
        promise = self.Promise.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(
            (promise.amount, promise.date_promised, promise.channel, promise.state),
            (400.0, day, "portal", "open"),
        )
        self.assertEqual(promise.move_ids, self.first | self.second)
        self.assertEqual(promise.user_id, self.collector)
        activity = promise.activity_ids
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.date_deadline, day + timedelta(days=1))
        self.assertIn("promised on the portal", activity.summary)
        self.assertEqual(
            self.customer.settlement_next_action_date, day + timedelta(days=1)
        )
        # The statement shows it; reminders leave the promised invoices alone.
        statement = self.url_open("/my/statement")
        self.assertIn(self._typed(day), statement.text)
        covered = self.Promise._settlement_promised(
            self.env.company, self.customer, self.today
        )
        self.assertEqual(covered[self.customer.id], {self.first.id, self.second.id})

    def test_rules_and_bad_input_write_nothing(self):
        soon = self.today + timedelta(days=5)
        cases = [
            # more than owed (300 + 200)
            ((self.first, self.second), "500.01", soon, "more than these invoices"),
            # under half of 300
            ((self.first,), "149.99", soon, "at least"),
            ((self.first,), "0", soon, "positive number"),
            ((self.first,), "-50", soon, "positive number"),
            ((self.first,), "abc", soon, "positive number"),
            ((self.first,), "1e308", soon, "positive number"),
            # A huge amount is told what the invoices still owe, as on the
            # dispute form.
            ((self.first,), "9" * 40, soon, "more than these invoices still owe"),
            ((self.first,), "150.001", soon, "positive number"),
            ((self.first,), "200", self.today + timedelta(days=31), "from today"),
            ((self.first,), "200", self.today - timedelta(days=1), "from today"),
            ((self.first,), "200", "31/31/2026", "Write the date"),
            ((self.first,), "200", "99999-01-01", "Write the date"),
            # someone else's invoice, one not overdue, one that does not exist
            ((self.foreign,), "700", soon, "Choose the overdue invoices"),
            ((self.not_due,), "400", soon, "Choose the overdue invoices"),
            ((self.first, 99999999), "300", soon, "Choose the overdue invoices"),
            (("x1",), "300", soon, "Choose the overdue invoices"),
            ((), "300", soon, "Choose the overdue invoices"),
        ]
        for invoices, amount, day, message in cases:
            with self.subTest(amount=amount, day=str(day), invoices=str(invoices)):
                response = self._promise(invoices, amount, day)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
                self.assertFalse(self.Promise.search([]))

    def test_one_open_promise_and_double_submission(self):
        soon = self.today + timedelta(days=5)
        self.authenticate("sm_promise_a", "sm_promise_a")
        token = self._csrf()
        first = self._promise(self.first, "300", soon, csrf_token=token)
        self.assertIn("your promise is recorded", first.text)
        again = self._promise(self.first, "300", soon, csrf_token=token)
        self.assertIn("open promise", again.text)
        other = self._promise(self.second, "200", soon)
        self.assertIn("open promise", other.text)
        self.assertEqual(self.Promise.search_count([]), 1)

    def test_anonymous_and_forged_requests(self):
        self.authenticate(None, None)
        page = self.url_open("/my/promise", allow_redirects=False)
        self.assertIn(page.status_code, (302, 303))
        self.assertIn("/web/login", page.headers["Location"])
        self.authenticate("sm_promise_a", "sm_promise_a")
        forged = self.url_open(
            "/my/promise",
            data={
                "amount": "300",
                "date_promised": self._typed(self.today),
                "invoice_ids": str(self.first.id),
            },
        )
        self.assertEqual(forged.status_code, 400)
        self.assertFalse(self.Promise.search([]))

    def test_switched_off_by_the_company(self):
        self.env.company.settlement_portal_promises = False
        self.authenticate("sm_promise_a", "sm_promise_a")
        page = self.url_open("/my/promise")
        self.assertIn("/my/statement", page.url)
        self.assertNotIn('href="/my/promise"', page.text)

    def test_a_broken_portal_promise_is_told_to_the_customer(self):
        day = self.today + timedelta(days=2)
        self._promise(self.first, "300", day)
        promise = self.Promise.search([])
        later = day + timedelta(days=self.env.company.settlement_promise_grace_days + 1)
        with patch.object(fields.Date, "context_today", return_value=later):
            self.Promise._cron_settlement_promises()
        self.assertEqual(promise.state, "broken")
        told = promise.message_ids.filtered(
            lambda message: self.customer in message.partner_ids
        )
        self.assertEqual(len(told), 1)
        self.assertIn("your promise to pay", told.subject)
        self.assertIn("300.00", str(told.body))
        self.assertIn("Reminders for these invoices resume", str(told.body))
