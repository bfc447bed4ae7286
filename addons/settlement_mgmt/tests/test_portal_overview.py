"""The customer's whole account on one page (/my/overview), built through the
flows a customer and the company use: invoices posted and part paid, the
nightly reminder run, a promise and a dispute made on the portal, a plan
accepted on the portal.  Figures are worked out by hand below."""

import re
from datetime import timedelta

import jdatetime
from lxml import html as lxml_html

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import SettlementCommon

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _sections(page):
    """{css class of a part of the page: its text, spaces collapsed}."""
    tree = lxml_html.fromstring(page)
    found = {}
    for node in tree.xpath("//*[contains(@class, 'o_settlement_overview_')]"):
        for name in node.get("class").split():
            if name.startswith("o_settlement_overview_"):
                text = " ".join(node.text_content().split())
                found[name] = f"{found.get(name, '')} {text}".strip()
    return found


@tagged("post_install", "-at_install")
class TestPortalOverview(SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {
                "settlement_portal_promises": True,
                "settlement_portal_promise_days": 30,
                "settlement_portal_promise_min_share": 50.0,
                "settlement_portal_promise_max_open": 1,
                "settlement_dunning_policy_id": cls.env["settlement.dunning.policy"]
                .create(
                    {
                        "name": "Overview policy",
                        "level_ids": [
                            Command.create(
                                {
                                    "name": "First Reminder",
                                    "days": 7,
                                }
                            )
                        ],
                    }
                )
                .id,
            }
        )
        cls.customer.write({"lang": "en_US", "email": "ap@overview.example.com"})
        # 1,000.00 due 20 days ago with 250.00 paid, and 400.00 due 10 days
        # ago: 1,150.00 overdue in two items, the oldest by 20 days.
        cls.late = cls._invoice(cls.customer, 1000.0, days_old=50, due_days=30)
        cls._pay(cls.late, 250.0, days_old=5)
        cls.later = cls._invoice(cls.customer, 400.0, days_old=40, due_days=30)
        # 600.00 due in 12 days: due next (the plan's first instalment is
        # later, see below).
        cls.next_due = cls._invoice(cls.customer, 600.0, days_old=0, due_days=12)
        cls.planned = cls._invoice(cls.customer, 900.0, days_old=0, due_days=30)
        cls.foreign = cls._invoice(cls.other_customer, 700.0, days_old=50, due_days=30)
        # The nightly reminder run: one reminder listing both overdue items.
        cls.env["settlement.dunning.engine"]._cron_settlement_dunning()
        cls.plan = cls._proposed_plan(cls.planned, instalments=3)
        cls.portal_user, _other = cls._portal_pair("sm_overview")

    def _csrf(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, url)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _customer_acts_on_the_portal(self):
        """Accept the plan, promise 600.00 on the late invoice in a week,
        dispute 150.00 of the later one."""
        self.authenticate("sm_overview_a", "sm_overview_a")
        url = f"/my/plans/{self.plan.id}"
        self.url_open(
            url, data={"csrf_token": self._csrf(url), "name": "Credit Contact"}
        )
        self.assertEqual(self.plan.state, "active")
        self.promised_day = self.today + timedelta(days=7)
        response = self.url_open(
            "/my/promise",
            data=[
                ("csrf_token", self._csrf("/my/promise")),
                ("amount", "600"),
                ("date_promised", self.promised_day.strftime("%m/%d/%Y")),
                ("invoice_ids", str(self.late.id)),
            ],
        )
        self.assertEqual(response.status_code, 200)
        url = f"/my/invoices/{self.later.id}/dispute"
        self.url_open(
            url,
            data={
                "csrf_token": self._csrf(url),
                "reason_id": str(
                    self.env.ref("settlement_mgmt.dispute_reason_price").id
                ),
                "amount": "150",
                "message": "Price not as agreed",
            },
        )
        self.dispute = self.env["settlement.dispute"].search(
            [("move_id", "=", self.later.id)]
        )
        self.assertEqual(len(self.dispute), 1)

    def test_the_whole_account_on_one_page(self):
        self._customer_acts_on_the_portal()
        page = self.url_open("/my/overview")
        self.assertEqual(page.status_code, 200)
        parts = _sections(page.text)

        overdue = parts["o_settlement_overview_overdue"]
        self.assertIn("1,150.00", overdue)
        self.assertIn("Items overdue: 2", overdue)
        self.assertIn("Days the oldest is overdue: 20", overdue)

        # Due next: the 600.00 invoice in 12 days (en_US: month/day/year),
        # before the plan's first instalment.
        first_instalment = min(self.plan.line_ids.mapped("date_due"))
        self.assertGreater(first_instalment, self.today + timedelta(days=12))
        upcoming = parts["o_settlement_overview_next"]
        self.assertIn((self.today + timedelta(days=12)).strftime("%m/%d/%Y"), upcoming)
        self.assertIn(f"{self.next_due.name}: $ 600.00", upcoming.replace("\xa0", " "))

        # Open: 750 + 400 + 600 + 900.
        self.assertIn("2,650.00", parts["o_settlement_overview_total"])

        promises = parts["o_settlement_overview_promises"]
        self.assertIn(self.promised_day.strftime("%m/%d/%Y"), promises)
        self.assertIn("600.00", promises)
        self.assertIn(self.late.name, promises)

        plans = parts["o_settlement_overview_plans"]
        self.assertIn(self.plan.name, plans)
        self.assertIn(first_instalment.strftime("%m/%d/%Y"), plans)
        self.assertIn("300.00", plans)  # 900.00 in three
        self.assertIn("900.00", plans)

        disputes = parts["o_settlement_overview_disputes"]
        self.assertIn(self.dispute.name, disputes)
        self.assertIn(self.later.name, disputes)
        self.assertIn("150.00", disputes)
        self.assertIn("Received", disputes)

        reminders = parts["o_settlement_overview_reminders"]
        self.assertIn("First Reminder", reminders)
        self.assertIn("E-mail", reminders)
        self.assertIn("1,150.00", reminders)
        self.assertIn(self.today.strftime("%m/%d/%Y"), reminders)

        # Nothing of the other customer.
        self.assertNotIn(self.foreign.name, page.text)
        self.assertNotIn("700.00", page.text)

    def test_persian_customer_reads_its_calendar_and_digits(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(["fa_IR"])
        self.customer.write({"lang": "fa_IR", "settlement_native_digits": True})
        self.portal_user.lang = "fa_IR"
        self.authenticate("sm_overview_a", "sm_overview_a")
        page = self.url_open("/my/overview")
        self.assertEqual(page.status_code, 200)
        self.assertIn('dir="rtl"', page.text)
        due = jdatetime.date.fromgregorian(date=self.today + timedelta(days=12))
        day = f"{due.year:04d}/{due.month:02d}/{due.day:02d}".translate(PERSIAN_DIGITS)
        upcoming = _sections(page.text)["o_settlement_overview_next"]
        self.assertIn(day, upcoming)
        # The amount in Persian digits (the invoice's reference stays as
        # it is printed).
        self.assertIn("۶۰۰", upcoming.replace(self.next_due.name, ""))
        self.assertNotRegex(upcoming.replace(self.next_due.name, ""), "[0-9]")

    def test_a_settled_customer_sees_what_each_part_means(self):
        other_contact = self.env["res.partner"].create(
            {
                "name": "Settled contact",
                "parent_id": self.env["res.partner"]
                .create({"name": "Settled Customer", "is_company": True})
                .id,
            }
        )
        self._portal_user("sm_overview_settled", other_contact)
        self.authenticate("sm_overview_settled", "sm_overview_settled")
        page = self.url_open("/my/overview")
        self.assertEqual(page.status_code, 200)
        parts = _sections(page.text)
        self.assertIn("Nothing is overdue", parts["o_settlement_overview_overdue"])
        self.assertIn("Nothing else falls due", parts["o_settlement_overview_next"])
        self.assertIn("Your account is settled", parts["o_settlement_overview_total"])
        self.assertIn("No promise to pay is open", parts["o_settlement_overview_empty"])
        self.assertNotIn(self.late.name, page.text)

    def test_anonymous_visitors_are_sent_to_log_in(self):
        response = self.url_open("/my/overview", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
