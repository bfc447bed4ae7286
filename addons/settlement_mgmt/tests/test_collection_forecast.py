"""Collections forecast and expected payment dates, on invoices and payments
made through the register-payment wizard; every amount worked out by hand
from the history below (company history counts as 1 invoice, lib/forecast).

History (settled before today): the customer paid an invoice 10 days late,
the other customer one on its due date.  Company history: {0: 1, +10: 1},
weighing 0.5 invoice each once shrunk.
- customer: {+10: 1 + 0.5, 0: 0.5} / 2 = {0: 0.25, +10: 0.75}
- other customer: {0: 1.5, +10: 0.5} / 2 = {0: 0.75, +10: 0.25}

Open items:
- A2, 1,000, due today + 10: day 10 (week 2) 250, day 20 (week 3) 750;
- A3, 500, due today - 10 (10 days overdue): only +10 is still possible,
  day 0 (week 1) 500;
- B2, 800, due today + 3: day 3 (week 1) 600, day 13 (week 2) 200.
"""

from datetime import timedelta
from io import BytesIO

import openpyxl

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SettlementCommon
from .rpc import JsonRpcMixin


@tagged("post_install", "-at_install")
class TestCollectionForecast(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(
            cls.env,
            login="sm_forecast_sales",
            groups="base.group_user",
            company_id=cls.env.company.id,
        )
        cls.customer.user_id = cls.salesperson
        # History: 10 days late, and on time.
        a1 = cls._invoice(cls.customer, 300, days_old=60, due_days=30)
        cls._pay(a1, days_old=20)
        b1 = cls._invoice(cls.other_customer, 200, days_old=50, due_days=30)
        cls._pay(b1, days_old=20)
        cls.a2 = cls._invoice(cls.customer, 1000, days_old=0, due_days=10)
        cls.a3 = cls._invoice(cls.customer, 500, days_old=40, due_days=30)
        cls.b2 = cls._invoice(cls.other_customer, 800, days_old=0, due_days=3)
        cls.user = new_test_user(
            cls.env,
            login="sm_forecast_user",
            groups="settlement_mgmt.group_settlement_user",
            company_id=cls.env.company.id,
        )
        cls.Forecast = cls.env["settlement.collection.forecast"]

    def _nightly(self):
        """The snapshot cron, as the cron runner (superuser) calls it."""
        self.env(su=True)["settlement.receivable.snapshot"]._cron_settlement_snapshots()

    def _current(self, user=None):
        Forecast = self.Forecast.with_user(user) if user else self.Forecast
        rows = Forecast.search(
            [("company_id", "=", self.env.company.id), ("is_current", "=", True)]
        )
        return {
            (row.partner_id, row.week_index): (row.amount, row.week_start, row.user_id)
            for row in rows
        }

    def test_nightly_forecast_by_week_and_customer(self):
        self._nightly()
        rows = self._current(self.user)
        today = self.today
        self.assertEqual(
            {key: value[0] for key, value in rows.items()},
            {
                (self.customer, 1): 500.0,
                (self.customer, 2): 250.0,
                (self.customer, 3): 750.0,
                (self.other_customer, 1): 600.0,
                (self.other_customer, 2): 200.0,
            },
        )
        self.assertEqual(rows[(self.customer, 3)][1], today + timedelta(days=14))
        self.assertEqual(rows[(self.customer, 1)][2], self.salesperson)
        self.assertFalse(rows[(self.other_customer, 1)][2])
        # Run again: the same rows, not twice as many.
        self._nightly()
        self.assertEqual(len(self.Forecast.search([])), 5)
        # The salesperson's view of the pivot sums by week.
        groups = self.Forecast.with_user(self.user)._read_group(
            [("is_current", "=", True)], ["week_index"], ["amount:sum"]
        )
        self.assertEqual(dict(groups), {1: 1100.0, 2: 450.0, 3: 750.0})

    def test_instalment_plan_replaces_its_invoice(self):
        # A2 in a plan of two instalments of 500, due today and in 60 days:
        # the customer's history applies to the instalment dates.
        wizard = (
            self.env["settlement.instalment.plan.create"]
            .with_context(active_model="account.move", active_ids=self.a2.ids)
            .create({"instalment_count": 2, "first_date": self.today})
        )
        plan = self.env["settlement.instalment.plan"].browse(
            wizard.action_create()["res_id"]
        )
        plan.line_ids[1].date_due = self.today + timedelta(days=60)
        plan.action_activate()
        self.assertEqual(plan.line_ids.mapped("amount"), [500.0, 500.0])
        self.Forecast._take(self.env.company, self.today)
        rows = self._current()
        # A3: 500 in week 1.  Instalment 1 (day 0): 0.25 on day 0 (week 1)
        # 125, 0.75 on day 10 (week 2) 375.  Instalment 2: day 60 (week 9)
        # 125, day 70 (week 11) 375.  A2's own dates are gone.
        customer = {
            week: value[0]
            for (partner, week), value in rows.items()
            if partner == self.customer
        }
        self.assertEqual(customer, {1: 625.0, 2: 375.0, 9: 125.0, 11: 375.0})

    def test_disputed_share_is_left_out(self):
        # Half of B2 (400 of 800) disputed and under review: 300 in week 1,
        # 100 in week 2 (0.75 and 0.25 of 400).
        dispute = self.env["settlement.dispute"].create(
            {
                "move_id": self.b2.id,
                "reason_id": self.env.ref("settlement_mgmt.dispute_reason_price").id,
                "amount": 400.0,
            }
        )
        dispute.with_user(self.controller).action_review()
        self.assertEqual(dispute.state, "under_review")
        self.Forecast._take(self.env.company, self.today)
        rows = self._current()
        self.assertEqual(rows[(self.other_customer, 1)][0], 300.0)
        self.assertEqual(rows[(self.other_customer, 2)][0], 100.0)
        self.assertEqual(rows[(self.customer, 1)][0], 500.0)

    def test_expected_payment_date_on_the_invoice(self):
        moves = self.a2 | self.a3 | self.b2
        self.assertEqual(
            moves.with_user(self.user).mapped("settlement_forecast_payment_date"),
            [
                self.today + timedelta(days=20),  # median +10 after due + 10
                self.today,  # 10 days overdue, +10: today
                self.today + timedelta(days=3),  # median on time
            ],
        )

    def test_expected_date_of_a_new_customer_follows_every_new_payment(self):
        """A customer without history gets the company's. The company's
        history is kept between reads (a list of invoices must not scan
        every settled invoice of the company per page) yet a payment
        recorded since is counted at the next read."""
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        late_payer = self.env["res.partner"].create({"name": "Late Payer"})
        invoice = self._invoice(newcomer, 100, days_old=0, due_days=5)
        # Company history {0: 1, +10: 1}: due + 0 or + 10 (a tie).
        before = invoice.with_user(self.user).settlement_forecast_payment_date
        self.assertIn(
            before,
            (self.today + timedelta(days=5), self.today + timedelta(days=15)),
        )
        # Three invoices paid 20 days late: {0: 1, +10: 1, +20: 3}, median +20.
        for _count in range(3):
            late = self._invoice(late_payer, 50, days_old=60, due_days=30)
            self._pay(late, days_old=10)
        invoice.invalidate_recordset()
        self.assertEqual(
            invoice.with_user(self.user).settlement_forecast_payment_date,
            self.today + timedelta(days=25),
        )

    def test_weekly_snapshots_kept_and_compared_with_collections(self):
        company = self.env.company
        start = self.today - timedelta(days=14)
        self.Forecast._take(company, start)
        # Forecast made 14 days ago with the same history (paid 20 days ago):
        # A3 due start + 4: day 4 (week 1) 125, day 14 (week 3) 375.
        # 200 of A3 paid 3 days ago: week 2 of that forecast.
        self._pay(self.a3, amount=200, days_old=3)
        self.env.flush_all()
        reviews = (
            self.env["settlement.collection.forecast.review"]
            .with_user(self.user)
            .search([])
        )
        self.assertEqual(
            [
                (r.week_index, r.week_start, r.forecast_amount, r.collected_amount)
                for r in reviews
            ],
            [
                (1, start, 125.0, 0.0),
                (2, start + timedelta(days=7), 0.0, 200.0),
            ],
        )
        self.assertEqual(reviews[1].difference, 200.0)

    def test_first_forecast_of_each_week_is_kept(self):
        company = self.env.company
        monday = self.today - timedelta(days=self.today.weekday() + 14)
        for day in (monday, monday + timedelta(days=1), monday + timedelta(days=2)):
            self.Forecast._take(company, day)
        kept = self.Forecast.search([("company_id", "=", company.id)])
        self.assertEqual(
            sorted(set(kept.mapped("snapshot_date"))),
            [monday, monday + timedelta(days=2)],
        )
        self.assertEqual(
            set(kept.filtered("is_current").mapped("snapshot_date")),
            {monday + timedelta(days=2)},
        )

    def test_workbook(self):
        self._nightly()
        export = self.env["settlement.collection.forecast.export"].with_user(self.user)
        content = export.create({})._export_content()
        book = openpyxl.load_workbook(BytesIO(content), data_only=True)
        sheet = book["Collections Forecast"]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(
            rows[5][:5], ("Customer", "Salesperson", "Week 1", "Week 2", "Week 3")
        )
        self.assertEqual(rows[4][2].date(), self.today)
        self.assertEqual(rows[4][3].date(), self.today + timedelta(days=7))
        by_name = {row[0]: row for row in rows[6:8]}
        self.assertEqual(
            by_name["Credit Customer"][2:5] + by_name["Credit Customer"][15:16],
            (500, 250, 750, 1500),
        )
        self.assertEqual(
            by_name["Other Customer"][2:5] + by_name["Other Customer"][15:16],
            (600, 200, 0, 800),
        )
        self.assertEqual(rows[8][0], "Total")
        self.assertEqual(rows[8][2:5] + rows[8][15:16], (1100, 450, 750, 2300))
        formulas = openpyxl.load_workbook(BytesIO(content))["Collections Forecast"]
        self.assertEqual(formulas["C9"].value, "=SUM(C7:C8)")
        self.assertEqual(sheet["C7"].number_format, "#,##0.00")
        # Nothing to compare yet: said, totals 0.
        review = list(book["Forecast vs Collected"].iter_rows(values_only=True))
        self.assertTrue(review[2][1].startswith("Nothing to compare yet"))
        self.assertEqual(review[5][0], "No records match the filters of this export.")
        self.assertEqual(review[6][:4], ("Total", 0, 0, 0))

    def test_workbook_reads_right_to_left_in_fa_ar_he_only(self):
        for lang in ("fa_IR", "ar_001", "he_IL"):
            self.env["res.lang"]._activate_lang(lang)
        for lang, rtl in (
            ("en_US", False),
            ("fa_IR", True),
            ("ar_001", True),
            ("he_IL", True),
        ):
            export = self.env["settlement.collection.forecast.export"].with_context(
                lang=lang
            )
            book = openpyxl.load_workbook(BytesIO(export.create({})._export_content()))
            for sheet in book.worksheets:
                with self.subTest(lang=lang, sheet=sheet.title):
                    self.assertEqual(bool(sheet.sheet_view.rightToLeft), rtl)

    def test_workbook_without_forecast(self):
        content = (
            self.env["settlement.collection.forecast.export"]
            .create({})
            ._export_content()
        )
        sheet = openpyxl.load_workbook(BytesIO(content), data_only=True)[
            "Collections Forecast"
        ]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertTrue(rows[2][1].startswith("No forecast yet"))
        self.assertEqual(rows[6][0], "No records match the filters of this export.")
        self.assertEqual(rows[7][0], "Total")
        self.assertEqual(rows[7][2], 0)

    def test_other_company_rows_are_not_readable(self):
        self._nightly()
        other = self.setup_other_company(name="Forecast Company B")["company"]
        stranger = new_test_user(
            self.env,
            login="sm_forecast_b",
            groups="settlement_mgmt.group_settlement_user",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(self.Forecast.with_user(stranger).search([]))
        with self.assertRaises(AccessError):
            self.Forecast.search([], limit=1).with_user(stranger).read(["amount"])


@tagged("post_install", "-at_install")
class TestCollectionForecastRpc(JsonRpcMixin, SettlementCommon, HttpCase):
    def test_internal_user_without_settlement_group_is_refused(self):
        invoice = self._invoice(self.customer, 100, due_days=5)
        self.env["settlement.collection.forecast"]._take(self.env.company, self.today)
        self.assertTrue(self.env["settlement.collection.forecast"].search([]))
        for model, method, args, kwargs in (
            (
                "settlement.collection.forecast",
                "search_read",
                [[]],
                {"fields": ["amount"]},
            ),
            ("settlement.collection.forecast.review", "search_read", [[]], {}),
            ("settlement.collection.forecast.export", "create", [{}], {}),
            (
                "account.move",
                "read",
                [invoice.ids],
                {"fields": ["settlement_forecast_payment_date"]},
            ),
        ):
            answer = self.rpc("sm_billing", model, method, args, kwargs)
            self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
        # The same call by a settlement user goes through.
        new_test_user(
            self.env,
            login="sm_forecast_rpc",
            groups="settlement_mgmt.group_settlement_user",
            company_id=self.env.company.id,
        )
        answer = self.rpc(
            "sm_forecast_rpc",
            "settlement.collection.forecast",
            "search_read",
            [[]],
            {"fields": ["amount"]},
        )
        self.assertEqual(sum(row["amount"] for row in answer["result"]), 100.0)
