"""Issue #21 item 7 and the portal parts of item 9, as the customer meets
them over HTTP: the statement tile, paying overdue invoices, the language of
a logged-in customer, dates in its calendar, what a statement tells about
credit and disputes, and who gets (and reads) what the portal creates."""

import re
from datetime import date, timedelta

import jdatetime

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import SettlementCommon

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def persian(text):
    return str(text).translate(PERSIAN_DIGITS)


def jalali(day):
    """``day`` as 1405/09/10 in Persian digits (how a Persian customer with
    native digits reads it), from jdatetime rather than from the addon."""
    converted = jdatetime.date.fromgregorian(date=day)
    return persian(f"{converted.year:04d}/{converted.month:02d}/{converted.day:02d}")


def shows(name, html):
    """Whether the document ``name`` is on the page (INV/2026/00001 is not
    INV/2026/000010)."""
    return re.search(rf"(?<![\w/]){re.escape(name)}(?![\w/])", html) is not None


@tagged("post_install", "-at_install")
class TestPortalUx(SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("fa_IR", "he_IL"):
            cls.env["res.lang"]._activate_lang(code)
        cls.portal_user, cls.other_portal_user = cls._portal_pair("ux")
        cls.reason = cls.env.ref("settlement_mgmt.dispute_reason_price")
        cls.accountant = new_test_user(
            cls.env,
            login="ux_accountant",
            groups="settlement_mgmt.group_settlement_controller",
            lang="en_US",
        )
        cls.settlement_user = new_test_user(
            cls.env,
            login="ux_settlement_user",
            groups="settlement_mgmt.group_settlement_user",
        )

    def _persian_customer(self, native_digits=True):
        (self.customer | self.customer_contact).write(
            {"lang": "fa_IR", "settlement_native_digits": native_digits}
        )
        self.portal_user.lang = "fa_IR"

    def _csrf(self, url):
        page = self.url_open(url)
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def _raise_dispute(self, invoice, amount="100"):
        """A dispute raised by the customer through the portal form."""
        url = f"/my/invoices/{invoice.id}/dispute"
        response = self.url_open(
            url,
            data={
                "csrf_token": self._csrf(url),
                "reason_id": str(self.reason.id),
                "amount": amount,
                "message": "The price is not the one we agreed",
            },
        )
        self.assertEqual(response.status_code, 200)
        return self.env["settlement.dispute"].search(
            [("move_id", "=", invoice.id)], order="id desc", limit=1
        )

    # ------------------------------------------------------------------
    # /my: the Statement of Account tile
    # ------------------------------------------------------------------

    def test_statement_tile_gets_a_counter(self):
        self._invoice(self.customer, 500.0, days_old=5)
        self.authenticate("ux_a", "ux_a")
        home = self.url_open("/my")
        self.assertEqual(home.status_code, 200)
        self.assertIn('data-placeholder_count="statement_count"', home.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["statement_count"]}
        )
        self.assertEqual(counters, {"statement_count": 1})
        # A customer with nothing in the ledger has no statement to show.
        self.authenticate("ux_b", "ux_b")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["statement_count"]}
        )
        self.assertEqual(counters, {"statement_count": 0})

    # ------------------------------------------------------------------
    # Pay overdue invoices
    # ------------------------------------------------------------------

    def test_pay_overdue_lists_the_customers_overdue_invoices(self):
        # Invoices are the company's, the portal user is its contact.
        overdue_a = self._invoice(self.customer, 1000.0, days_old=50, due_days=30)
        self._pay(overdue_a, 250.0, days_old=5)
        overdue_b = self._invoice(self.customer, 300.0, days_old=40, due_days=10)
        not_due = self._invoice(self.customer, 500.0, days_old=0, due_days=30)
        paid = self._invoice(self.customer, 400.0, days_old=60, due_days=30)
        self._pay(paid)
        theirs = self._invoice(self.other_customer, 700.0, days_old=60, due_days=30)
        self.authenticate("ux_a", "ux_a")

        page = self.url_open("/my/invoices/overdue")

        self.assertEqual(page.status_code, 200)
        self.assertTrue(page.url.endswith("/my/invoices/overdue"), page.url)
        # What is left on the two overdue invoices only: 750.00 + 300.00
        # (not their totals, 1,300.00).
        self.assertIn("1,050.00", page.text)
        self.assertNotIn("1,300.00", page.text)
        listing = self.url_open("/my/invoices?filterby=overdue_invoices").text
        self.assertTrue(shows(overdue_a.name, listing))
        self.assertTrue(shows(overdue_b.name, listing))
        for other in (not_due, paid, theirs):
            self.assertFalse(shows(other.name, listing), other.name)
        self.assertEqual(
            self.make_jsonrpc_request(
                "/my/counters", {"counters": ["overdue_invoice_count"]}
            ),
            {"overdue_invoice_count": 2},
        )

    def test_overdue_invoices_in_two_currencies_are_listed(self):
        euro = self.setup_other_currency("EUR")
        in_dollars = self._invoice(self.customer, 1000.0, days_old=50, due_days=30)
        in_euros = self._invoice(
            self.customer, 200.0, days_old=50, due_days=30, currency_id=euro.id
        )
        not_due = self._invoice(self.customer, 500.0, days_old=0, due_days=30)
        self.authenticate("ux_a", "ux_a")

        page = self.url_open("/my/invoices/overdue")

        # Core cannot pay two currencies at once: the list of exactly the
        # overdue invoices, each payable from its page, not an error.
        self.assertEqual(page.status_code, 200)
        self.assertIn("filterby=overdue_invoices", page.url)
        self.assertTrue(shows(in_dollars.name, page.text))
        self.assertTrue(shows(in_euros.name, page.text))
        self.assertFalse(shows(not_due.name, page.text))

    # ------------------------------------------------------------------
    # The language of a logged-in customer
    # ------------------------------------------------------------------

    def test_logged_in_customer_reads_its_own_language(self):
        """A Persian customer whose browser is in English opens its invoice
        from the e-mail link, then logs in: the portal is in Persian, right to
        left, though the browser kept an English frontend_lang cookie."""
        invoice = self._invoice(self.customer, 500.0, days_old=5)
        self._persian_customer(native_digits=False)
        english = {"Accept-Language": "en-US,en;q=0.9"}
        self.authenticate(None, None)
        link = self.opener.get(
            self.base_url() + invoice.get_portal_url(), headers=english, timeout=30
        )
        self.assertEqual(link.status_code, 200)
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "en_US")
        # The customer logs in; the browser keeps its cookies.
        self.authenticate("ux_a", "ux_a")
        self.opener.cookies["frontend_lang"] = "en_US"

        for path in ("/my", "/my/statement", "/my/invoices"):
            with self.subTest(path=path):
                page = self.opener.get(self.base_url() + path, headers=english)
                self.assertEqual(page.status_code, 200)
                self.assertIn("o_rtl", page.text)
                self.assertIn('<html lang="fa-IR" dir="rtl">', page.text)
        # An explicit choice in the address still wins.
        english_page = self.opener.get(self.base_url() + "/en/my", headers=english)
        self.assertIn('<html lang="en-US" dir="ltr">', english_page.text)

    # ------------------------------------------------------------------
    # Dates in the customer's calendar and digits
    # ------------------------------------------------------------------

    def test_statement_period_is_typed_in_the_customers_calendar(self):
        self._persian_customer()
        self.authenticate("ux_a", "ux_a")
        start, end = date(2026, 10, 23), date(2026, 11, 21)
        # 1 and 30 Aban 1405, in Persian digits, as the customer types them.
        typed_from, typed_to = "۱۴۰۵/۰۸/۰۱", "۱۴۰۵/۰۸/۳۰"
        self.assertEqual((jalali(start), jalali(end)), (typed_from, typed_to))

        page = self.url_open(
            f"/my/statement?period_from={typed_from}&period_to={typed_to}"
        )

        self.assertEqual(page.status_code, 200)
        self.assertNotIn('type="date"', page.text)
        self.assertRegex(page.text, rf'name="period_from"[^>]*value="{typed_from}"')
        self.assertRegex(page.text, rf'name="period_to"[^>]*value="{typed_to}"')
        # The downloads cover the same Gregorian period.
        self.assertIn("date_from=2026-10-23&amp;date_to=2026-11-21", page.text)
        wrong = self.url_open("/my/statement?period_from=۱۴۰۵/۱۳/۰۱")
        self.assertEqual(wrong.status_code, 200)
        self.assertIn("alert-danger", wrong.text)

    def test_hebrew_statement_fields_read_like_its_dates(self):
        (self.customer | self.customer_contact).write({"lang": "he_IL"})
        self.portal_user.lang = "he_IL"
        self.authenticate("ux_a", "ux_a")
        page = self.url_open("/my/statement")
        # he_IL writes day/month/year: 01/12/2026, not the browser's 12/01/2026.
        today = self.today.strftime("%d/%m/%Y")
        self.assertRegex(page.text, rf'name="period_to"[^>]*value="{today}"')
        typed = self.url_open("/my/statement?period_from=01/11/2026&period_to=" + today)
        self.assertRegex(typed.text, r'name="period_from"[^>]*value="01/11/2026"')

    def test_invoices_disputes_and_plans_use_the_customers_calendar(self):
        self._persian_customer()
        invoice = self._invoice(self.customer, 900.0, days_old=40, due_days=30)
        planned = self._invoice(self.customer, 600.0, days_old=10, due_days=30)
        plan = self._proposed_plan(planned, instalments=3)
        self.authenticate("ux_a", "ux_a")
        dispute = self._raise_dispute(invoice)

        invoices = self.url_open("/my/invoices").text
        self.assertIn(jalali(invoice.invoice_date), invoices)
        self.assertIn(jalali(invoice.invoice_date_due), invoices)
        self.assertNotIn(invoice.invoice_date.strftime("%m/%d/%Y"), invoices)

        raised = self.url_open(f"/my/disputes/{dispute.id}").text
        self.assertIn(jalali(self.today), raised)
        self.assertIn(jalali(dispute.date_deadline), raised)
        self.assertIn(persian("100.00"), raised)

        plan_page = self.url_open(f"/my/plans/{plan.id}").text
        for line in plan.line_ids:
            self.assertIn(jalali(line.date_due), plan_page)
        plans = self.url_open("/my/plans").text
        self.assertIn(jalali(plan.line_ids[0].date_due), plans)

    def test_invoice_page_amounts_in_the_customers_digits(self):
        self._persian_customer()
        invoice = self._invoice(self.customer, 1000.0, days_old=40, due_days=30)
        self._pay(invoice, 250.0, days_old=5)
        self.authenticate("ux_a", "ux_a")
        page = self.url_open(f"/my/invoices/{invoice.id}").text
        # 1,000.00 in total, 250.00 paid, 750.00 left, in Persian digits.
        for amount in ("۱,۰۰۰.۰۰", "۲۵۰.۰۰", "۷۵۰.۰۰"):
            self.assertIn(amount, page)
        self.assertRegex(page, r"o_settlement_invoice_left[^>]*>\s*Left to Pay:")

    # ------------------------------------------------------------------
    # What the statement says about credit and disputes
    # ------------------------------------------------------------------

    def test_past_statement_shows_its_own_disputes_and_not_todays_credit(self):
        self.customer.credit_limit = 5000.0
        invoice = self._invoice(self.customer, 1000.0, days_old=40, due_days=30)
        self.authenticate("ux_a", "ux_a")
        dispute = self._raise_dispute(invoice)
        past_end = self.today - timedelta(days=10)
        past = self.url_open(
            f"/my/statement?date_from={self.today - timedelta(days=60)}"
            f"&date_to={past_end}"
        ).text
        self.assertTrue(shows(invoice.name, past))
        # Raised today: not open ten days ago.
        self.assertFalse(shows(dispute.name, past))
        self.assertNotIn("o_settlement_statement_credit", past)

        current = self.url_open("/my/statement").text
        self.assertTrue(shows(dispute.name, current))
        # 5,000.00 limit - 1,000.00 owed (the dispute is not under review yet).
        self.assertRegex(
            current, r"Available credit today:</strong>\s*<bdi>\$\s?4,000\.00</bdi>"
        )

    def test_customer_on_hold_sees_the_hold_not_available_credit(self):
        self.customer.credit_limit = 5000.0
        self._invoice(self.customer, 1000.0, days_old=40, due_days=30)
        self.env["settlement.credit.hold"].with_user(self.controller).create(
            {
                "partner_id": self.customer.id,
                "hold_type": "manual",
                "reason": "Cheque returned",
            }
        )
        self.authenticate("ux_a", "ux_a")
        page = self.url_open("/my/statement").text
        self.assertIn("on credit hold", page)
        self.assertNotIn("Available credit", page)
        self.assertNotIn("4,000.00", page)

    # ------------------------------------------------------------------
    # Item 9: who gets what the portal creates, in its own language
    # ------------------------------------------------------------------

    def _load_persian_terms(self):
        self.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(["fa_IR"])

    def test_portal_dispute_goes_to_the_collections_responsible(self):
        self._load_persian_terms()
        self._persian_customer()
        self.env.company.settlement_collections_user_id = self.accountant
        # The invoice's salesperson is OdooBot (made by an automated job).
        invoice = self._invoice(
            self.customer,
            800.0,
            days_old=40,
            invoice_user_id=self.env.ref("base.user_root").id,
        )
        self.authenticate("ux_a", "ux_a")

        dispute = self._raise_dispute(invoice)

        self.assertEqual(dispute.user_id, self.accountant)
        activity = dispute.activity_ids
        self.assertEqual(activity.user_id, self.accountant)
        self.assertEqual(activity.summary, f"Review dispute {dispute.name}")
        # The note on the invoice is for the staff too: English, not Persian.
        log = invoice.message_ids.filtered(lambda m: dispute.name in (m.body or ""))
        self.assertIn("raised for", log.body)

    def test_portal_dispute_goes_to_an_active_salesperson(self):
        self.env.company.settlement_collections_user_id = self.accountant
        salesperson = new_test_user(
            self.env,
            login="ux_sales",
            groups="sales_team.group_sale_salesman"
            if self.env.ref("sales_team.group_sale_salesman", raise_if_not_found=False)
            else "base.group_user",
        )
        invoice = self._invoice(
            self.customer, 800.0, days_old=40, invoice_user_id=salesperson.id
        )
        archived = self._invoice(
            self.customer, 300.0, days_old=40, invoice_user_id=salesperson.id
        )
        self.authenticate("ux_a", "ux_a")
        self.assertEqual(self._raise_dispute(invoice).user_id, salesperson)
        salesperson.active = False
        self.assertEqual(self._raise_dispute(archived).user_id, self.accountant)

    def test_plan_accepted_on_the_portal_is_told_in_the_assignees_language(self):
        self._load_persian_terms()
        self._persian_customer()
        self.env.company.settlement_collections_user_id = self.accountant
        invoice = self._invoice(self.customer, 600.0, days_old=10, due_days=30)
        plan = self._proposed_plan(invoice)
        # Proposed by an automated job: OdooBot is its responsible.
        plan.user_id = self.env.ref("base.user_root")
        self.authenticate("ux_a", "ux_a")
        url = f"/my/plans/{plan.id}"

        self.url_open(
            url, data={"csrf_token": self._csrf(url), "name": "Credit Contact"}
        )

        self.assertEqual(plan.state, "active")
        activity = plan.activity_ids
        self.assertEqual(activity.user_id, self.accountant)
        self.assertEqual(activity.summary, f"Plan {plan.name} accepted by the customer")

    def test_only_administrators_choose_the_collections_responsible(self):
        company = self.env.company
        for user in (self.settlement_user, self.controller, self.portal_user):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    company.with_user(user).write(
                        {"settlement_collections_user_id": user.id}
                    )
                with self.assertRaises(AccessError):
                    self.env["res.config.settings"].with_user(user).create(
                        {"settlement_collections_user_id": user.id}
                    ).execute()
        self.assertFalse(company.settlement_collections_user_id)
        # Over RPC, as the portal customer: refused too.
        self.authenticate("ux_a", "ux_a")
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/res.company/write",
                {
                    "model": "res.company",
                    "method": "write",
                    "args": [
                        company.ids,
                        {"settlement_collections_user_id": self.portal_user.id},
                    ],
                    "kwargs": {},
                },
            )
        self.assertFalse(company.settlement_collections_user_id)
