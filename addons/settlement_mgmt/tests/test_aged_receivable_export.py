import datetime
from datetime import timedelta
from io import BytesIO

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestAgedReceivableExport(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.settlement_aging_days = "30, 60, 90"
        cls.old = cls._invoice(cls.customer, 1000.0, days_old=120, due_days=30)
        cls._pay(cls.old, 400.0, days_old=100)
        cls.recent = cls._invoice(cls.customer, 500.0, days_old=20, due_days=30)
        cls._pay(cls.old, 200.0, days_old=5)
        cls.other = cls._invoice(cls.other_customer, 300.0, days_old=45, due_days=30)

    def _export(self, **values):
        wizard = self.env["settlement.aged.receivable.export"].create(values)
        book = openpyxl.load_workbook(BytesIO(wizard._export_content()))
        sheet = book.active
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[6]
        return sheet, header, rows[7:]

    def test_summary_by_customer_with_formula_totals(self):
        sheet, header, rows = self._export()
        self.assertEqual(
            header[-6:], ("Not Due", "1–30", "31–60", "61–90", "91+", "Total")
        )
        data = {row[0]: row for row in rows if row[0] and row[0] != "Total"}
        credit = data["Credit Customer"]
        # 400 of the old invoice is 90 days late; the recent one is not due.
        # Empty bucket cells stay empty (read as zero by Excel).
        self.assertEqual(credit[-6:], (500.0, None, None, 400.0, None, 900.0))
        self.assertEqual(
            data["Other Customer"][-6:], (None, 300.0, None, None, None, 300.0)
        )
        total = rows[-1]
        self.assertEqual(total[0], "Total")
        self.assertTrue(str(total[-1]).startswith("=SUM("))
        self.assertIsNotNone(sheet.freeze_panes)
        self.assertTrue(sheet.auto_filter.ref)

    def test_detail_as_of_a_past_date_ignores_later_payments(self):
        as_of = self.today - timedelta(days=30)
        _sheet, _header, rows = self._export(
            detail=True, date_at=as_of, partner_ids=[(6, 0, self.customer.ids)]
        )
        items = [row for row in rows if row[0] and row[0] != "Total"]
        # Thirty days ago only the old invoice existed, still owing 600.
        self.assertEqual(len(items), 1)
        (item,) = items
        self.assertEqual(item[3], self.old.name)
        self.assertIsInstance(item[4], datetime.datetime)
        self.assertEqual(item[6], 60)
        self.assertEqual(item[7], 600.0)
        self.assertEqual(item[-6:], (None, None, 600.0, None, None, 600.0))

    def test_right_to_left_and_translated_for_hebrew(self):
        self.env["res.lang"]._activate_lang("he_IL")
        self.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(["he_IL"])
        wizard = (
            self.env["settlement.aged.receivable.export"]
            .with_context(lang="he_IL")
            .create({})
        )
        sheet = openpyxl.load_workbook(BytesIO(wizard._export_content())).active
        self.assertTrue(sheet.sheet_view.rightToLeft)
        self.assertRegex(str(sheet.cell(7, 1).value), "[\u0590-\u05ff]")

    def test_bad_input(self):
        Export = self.env["settlement.aged.receivable.export"]
        with self.assertRaisesRegex(UserError, "future"):
            Export.create({"date_at": self.today + timedelta(days=1)}).action_export()
        with self.assertRaises(UserError):
            Export.create({"aging_days": "60, 30"})._export_content()
        self.assertFalse(
            self.env["ir.attachment"].search([("res_model", "=", Export._name)])
        )

    def test_action_returns_a_download(self):
        action = (
            self.env["settlement.aged.receivable.export"].create({}).action_export()
        )
        self.assertTrue(action["url"].startswith("/web/content/"))

    def test_query_count_does_not_grow_with_the_items(self):
        def queries(date_at):
            wizard = self.env["settlement.aged.receivable.export"].create(
                {"detail": True, "date_at": date_at}
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            wizard._export_content()
            return self.env.cr.sql_log_count - before

        past = self.today - timedelta(days=10)
        queries(self.today)  # the first call also fills Odoo's ormcaches
        counts = (queries(self.today), queries(past))
        for days in range(5, 100, 5):
            self._invoice(self.other_customer, 10.0, days_old=days)
        self._pay(self.other, 50.0, days_old=1)
        self.assertEqual((queries(self.today), queries(past)), counts)


@tagged("post_install", "-at_install")
class TestAgedReceivableExportQueries(SettlementCommon):
    """The export reads every item in one streamed query: its number of
    queries does not grow with customers, items or currencies."""

    def _count_queries(self, detail):
        wizard = self.env["settlement.aged.receivable.export"].create(
            {"detail": detail}
        )
        for _warm_up in range(2):  # record rules and other registry caches
            self.env.invalidate_all()
            wizard._export_content()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        wizard._export_content()
        return self.env.cr.sql_log_count - before

    def test_query_count_is_flat(self):
        euro = self.env.ref("base.EUR")
        euro.active = True
        self._invoice(self.customer, 100.0, days_old=40)
        counts = {detail: self._count_queries(detail) for detail in (False, True)}
        # Five times the customers, items in a second currency, a payment.
        for index in range(5):
            partner = self.env["res.partner"].create({"name": f"Flat {index}"})
            for days in (5, 50, 100):
                self._invoice(partner, 10.0 + days, days_old=days)
            self._invoice(partner, 70.0, days_old=10, currency_id=euro.id)
        self._pay(self._invoice(self.other_customer, 80.0, days_old=60), 30.0)
        for detail, count in counts.items():
            self.assertEqual(self._count_queries(detail), count, detail)
        # The wizard's own record and filters, the company and its currency,
        # the later-reconciliation check, the cursor setting; the items
        # stream in one query on a server-side cursor.
        with self.assertQueryCount(7):
            self.env.invalidate_all()
            self.env["settlement.aged.receivable.export"].create(
                {"detail": True}
            )._export_content()
