"""Every workbook the addon writes, opened with openpyxl: formulas never
include their own cell (an empty export has no formula), totals carry their
value for readers that do not calculate, amounts are formatted with their
currency's decimals (three for the Kuwaiti dinar)."""

import datetime
import re
from datetime import timedelta
from io import BytesIO

import openpyxl
from openpyxl.utils import range_boundaries

from odoo import Command
from odoo.tests import tagged

from .common import SettlementCommon

RANGE = re.compile(r"\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)")
LONG_AGO = datetime.date(2000, 1, 31)


@tagged("post_install", "-at_install")
class TestWorkbooks(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.settlement_aging_days = "30, 60, 90"
        # Prices in fils, as a company invoicing in dinars sets them.
        cls.env.ref("product.decimal_price").digits = 3
        # 1 USD = 0.25 KWD: 1 KWD is worth 4 USD.
        cls.kwd = cls.setup_other_currency("KWD", rates=[("2000-01-01", 0.25)])
        cls.kwd_invoice = cls._invoice(
            cls.customer, 1234.567, days_old=10, currency_id=cls.kwd.id
        )
        cls.usd_invoice = cls._invoice(cls.customer, 900.0, days_old=45, due_days=30)
        cls.kwd_plan = cls._plan(cls.kwd_invoice, [400.125, 834.442])
        cls.usd_plan = cls._plan(cls.usd_invoice, [300.0, 600.0])
        for amount in (250.0, 125.5):
            cls.env["settlement.promise"].create(
                {
                    "partner_id": cls.other_customer.id,
                    "amount": amount,
                    "date_promised": cls.today + timedelta(days=3),
                }
            )

    @classmethod
    def _plan(cls, invoice, amounts):
        plan = cls.env["settlement.instalment.plan"].create(
            {
                "partner_id": invoice.partner_id.id,
                "currency_id": invoice.currency_id.id,
                "move_ids": [Command.set(invoice.ids)],
                "amount_total": sum(amounts),
            }
        )
        plan._set_schedule(
            [
                (cls.today + timedelta(days=5 + 30 * index), amount)
                for index, amount in enumerate(amounts)
            ]
        )
        plan.action_activate()
        return plan

    # ------------------------------------------------------------------

    def _open(self, content):
        """(formula sheet, value sheet) of the only sheet of ``content``, after
        checking that no formula refers to its own cell."""
        formulas = openpyxl.load_workbook(BytesIO(content)).active
        values = openpyxl.load_workbook(BytesIO(content), data_only=True).active
        for row in formulas.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                for match in RANGE.finditer(cell.value):
                    low_col, low_row, high_col, high_row = range_boundaries(
                        match.group(0).replace("$", "")
                    )
                    self.assertFalse(
                        low_col <= cell.column <= high_col
                        and low_row <= cell.row <= high_row,
                        f"{cell.coordinate} {cell.value} refers to itself",
                    )
        return formulas, values

    def _register(self, **values):
        wizard = self.env["settlement.register.export"].create(values)
        return self._open(wizard._export_content())

    def _aged(self, **values):
        wizard = self.env["settlement.aged.receivable.export"].create(values)
        return self._open(wizard._export_content())

    def _total_rows(self, sheet):
        return [row[0].row for row in sheet.iter_rows() if row[0].value == "Total"]

    def _assert_empty(self, formulas, values, header_row, money_columns):
        """Below the header: a line saying there is nothing, then a total row
        of plain zeros — no formula."""
        self.assertEqual(formulas.max_row, header_row + 2)
        self.assertEqual(
            formulas.cell(header_row + 1, 1).value,
            "No records match the filters of this export.",
        )
        total = header_row + 2
        self.assertEqual(formulas.cell(total, 1).value, "Total")
        for column in money_columns:
            self.assertEqual(formulas.cell(total, column).value, 0)
            self.assertEqual(values.cell(total, column).value, 0)
        for row in formulas.iter_rows():
            for cell in row:
                self.assertFalse(str(cell.value).startswith("="), cell.coordinate)

    # ------------------------------------------------------------------
    # Registers (header on row 5, data from row 6)
    # ------------------------------------------------------------------

    def test_registers_empty_have_no_formula_and_total_zero(self):
        money_columns = {
            "plans": [6, 7, 8],
            "disputes": [8, 9],
            "reminders": [6, 7, 8],
            "promises": [4, 5],
            "discounts": [5, 7, 10],
            "cases": [8, 9, 10, 11, 12],
            "recoveries": [5, 6, 7],
        }
        for register, columns in money_columns.items():
            with self.subTest(register=register):
                formulas, values = self._register(
                    register=register, date_from=LONG_AGO, date_to=LONG_AGO
                )
                self._assert_empty(formulas, values, 5, columns)

    def test_plans_register_amounts_in_each_currency_with_totals(self):
        formulas, values = self._register(register="plans")
        rows = {
            (row[0].value, row[5].value): row
            for row in formulas.iter_rows(min_row=6)
            if row[0].value != "Total"
        }
        kwd_first = rows[(self.kwd_plan.name, 400.125)]
        self.assertEqual(kwd_first[4].value, "KWD")
        self.assertEqual(kwd_first[5].number_format, "#,##0.000")
        usd_first = rows[(self.usd_plan.name, 300.0)]
        self.assertEqual(usd_first[5].number_format, "#,##0.00")
        # Two currencies: one total row each, summing only its currency.
        totals = self._total_rows(formulas)
        self.assertEqual(len(totals), 2)
        first, last = 6, totals[0] - 1
        self.assertEqual(last - first + 1, 4)
        by_currency = {formulas.cell(row, 5).value: row for row in totals}
        self.assertEqual(set(by_currency), {"USD", "KWD"})
        usd, kwd = by_currency["USD"], by_currency["KWD"]
        self.assertEqual(
            formulas.cell(kwd, 6).value,
            f'=SUMIF(E{first}:E{last},"KWD",F{first}:F{last})',
        )
        self.assertEqual(formulas.cell(kwd, 6).number_format, "#,##0.000")
        self.assertEqual(formulas.cell(usd, 6).number_format, "#,##0.00")
        # Amount, paid, left to pay: 400.125 + 834.442 KWD, 300 + 600 USD.
        self.assertAlmostEqual(values.cell(kwd, 6).value, 1234.567, places=6)
        self.assertEqual(values.cell(kwd, 7).value, 0)
        self.assertAlmostEqual(values.cell(kwd, 8).value, 1234.567, places=6)
        self.assertEqual(values.cell(usd, 6).value, 900)
        self.assertEqual(values.cell(usd, 8).value, 900)

    def test_promises_register_total_carries_its_value(self):
        formulas, values = self._register(register="promises")
        (total,) = self._total_rows(formulas)
        self.assertEqual(total, 8)
        self.assertEqual(formulas.cell(total, 4).value, "=SUM(D6:D7)")
        self.assertEqual(values.cell(total, 4).value, 375.5)
        self.assertEqual(formulas.cell(6, 4).number_format, "#,##0.00")

    def test_exposure_register_total(self):
        self.other_customer.customer_rank = 1
        self.customer.credit_limit = 5000.0
        self.other_customer.credit_limit = 1500.5
        formulas, values = self._register(register="exposure")
        (total,) = self._total_rows(formulas)
        self.assertEqual(formulas.cell(total, 2).value, f"=SUM(B6:B{total - 1})")
        self.assertEqual(values.cell(total, 2).value, 6500.5)
        # Open receivable: the customer's 900 USD and 1,234.567 KWD at 4 USD.
        self.assertEqual(values.cell(total, 3).value, 900 + 4938.27)

    # ------------------------------------------------------------------
    # Aged receivables (header on row 7, data from row 8)
    # ------------------------------------------------------------------

    def test_aged_export_empty_has_no_formula(self):
        for detail, columns in ((False, range(4, 10)), (True, range(9, 15))):
            with self.subTest(detail=detail):
                formulas, values = self._aged(date_at=LONG_AGO, detail=detail)
                self._assert_empty(formulas, values, 7, columns)

    def test_aged_export_summary_totals(self):
        formulas, values = self._aged()
        (total,) = self._total_rows(formulas)
        # Credit Customer, one row per currency: 4,938.27 not due (1,234.567
        # KWD at 4 USD), 900 USD 15 days late.
        self.assertEqual(total, 10)
        self.assertEqual(formulas.cell(total, 9).value, "=SUM(I8:I9)")
        self.assertEqual(values.cell(total, 4).value, 4938.27)
        self.assertEqual(values.cell(total, 5).value, 900)
        self.assertEqual(values.cell(total, 9).value, 5838.27)
        self.assertEqual(formulas.cell(total, 9).number_format, "#,##0.00")

    def test_aged_export_detail_amount_in_kwd_has_three_decimals(self):
        formulas, values = self._aged(detail=True)
        rows = {row[3].value: row for row in formulas.iter_rows(min_row=8, max_row=9)}
        kwd = rows[self.kwd_invoice.name]
        self.assertEqual(kwd[7].value, 1234.567)
        self.assertEqual(kwd[7].number_format, "#,##0.000")
        self.assertEqual(kwd[8].value, 4938.27)
        self.assertEqual(kwd[8].number_format, "#,##0.00")
        self.assertEqual(rows[self.usd_invoice.name][7].number_format, "#,##0.00")
        (total,) = self._total_rows(formulas)
        self.assertEqual(formulas.cell(total, 14).value, "=SUM(N8:N9)")
        self.assertEqual(values.cell(total, 14).value, 5838.27)
        self.assertEqual(values.cell(total, 10).value, 900)

    # ------------------------------------------------------------------
    # Statement
    # ------------------------------------------------------------------

    def test_statement_kwd_section_has_three_decimals(self):
        content = self.env["settlement.statement"]._statement_xlsx(
            self.customer, self.today - timedelta(days=60), self.today
        )
        formulas, _values = self._open(content)
        cells = {
            row[1].value: row
            for row in formulas.iter_rows()
            if row[1].value == self.kwd_invoice.name
        }
        kwd = cells[self.kwd_invoice.name]
        self.assertEqual(kwd[4].value, 1234.567)
        self.assertIn("#,##0.000", kwd[4].number_format)
        self.assertNotIn("#,##0.0000", kwd[4].number_format)
        usd = next(
            row for row in formulas.iter_rows() if row[1].value == self.usd_invoice.name
        )
        self.assertRegex(usd[4].number_format, r"#,##0\.00(?!0)")

    def test_statement_without_movements_has_no_formula(self):
        quiet = self.env["res.partner"].create({"name": "Quiet", "is_company": True})
        content = self.env["settlement.statement"]._statement_xlsx(
            quiet, self.today - timedelta(days=60), self.today
        )
        formulas, _values = self._open(content)
        self.assertEqual(formulas.cell(1, 1).value, "Statement of Account")
        for row in formulas.iter_rows():
            for cell in row:
                self.assertFalse(str(cell.value).startswith("="))

    def test_statement_sheet_is_named_as_the_document_in_each_language(self):
        """The tab reads "Statement of Account" as the customer's language
        names the document -- not a bank statement (he "דף בנק") or a
        description (fa "توضیحات"), other senses of a bare "Statement"."""
        expected = {
            "fa_IR": "صورت‌حساب",
            "ar_001": "كشف الحساب",
            "he_IL": "דף חשבון",
            "en_US": "Statement of Account",
        }
        for lang, title in expected.items():
            self.env["res.lang"]._activate_lang(lang)
            content = (
                self.env["settlement.statement"]
                .with_context(lang=lang)
                ._statement_xlsx(
                    self.customer, self.today - timedelta(days=60), self.today
                )
            )
            formulas, _values = self._open(content)
            self.assertEqual(formulas.title, title, lang)

    # ------------------------------------------------------------------
    # One look for every workbook
    # ------------------------------------------------------------------

    def _three_workbooks(self, lang="en_US"):
        """{name: the only sheet} of the statement, the aged export and a
        register, written in ``lang``."""
        env = self.env(context=dict(self.env.context, lang=lang))
        return {
            "statement": openpyxl.load_workbook(
                BytesIO(
                    env["settlement.statement"]._statement_xlsx(
                        self.customer, self.today - timedelta(days=60), self.today
                    )
                )
            ).active,
            "aged": openpyxl.load_workbook(
                BytesIO(
                    env["settlement.aged.receivable.export"]
                    .create({"detail": True})
                    ._export_content()
                )
            ).active,
            "register": openpyxl.load_workbook(
                BytesIO(
                    env["settlement.register.export"]
                    .create({"register": "plans"})
                    ._export_content()
                )
            ).active,
        }

    def test_every_workbook_reads_right_to_left_in_fa_ar_he_only(self):
        for lang in ("fa_IR", "ar_001", "he_IL"):
            self.env["res.lang"]._activate_lang(lang)
        for lang, rtl in (
            ("fa_IR", True),
            ("ar_001", True),
            ("he_IL", True),
            ("en_US", False),
        ):
            for name, sheet in self._three_workbooks(lang).items():
                with self.subTest(lang=lang, workbook=name):
                    self.assertEqual(bool(sheet.sheet_view.rightToLeft), rtl)

    def test_every_workbook_shares_title_header_and_date_formats(self):
        sheets = self._three_workbooks()
        # Rows of the column headers and of the date in the sheet's heading
        # (the statement's period, the aged export's "as of", the register's
        # export day).
        places = {"statement": (7, 4), "aged": (7, 3), "register": (5, 3)}
        for name, sheet in sheets.items():
            with self.subTest(workbook=name):
                title = sheet.cell(1, 1)
                self.assertTrue(title.font.b)
                self.assertEqual(title.font.sz, 14)
                self.assertTrue(sheet.cell(2, 1).font.b)
                header_row, date_row = places[name]
                header = sheet.cell(header_row, 1)
                self.assertTrue(header.font.b, header.value)
                self.assertEqual(header.fill.fgColor.rgb, "FFEEEEEE")
                self.assertEqual(header.border.bottom.style, "thin")
                dates = [
                    cell
                    for cell in sheet[date_row]
                    if isinstance(cell.value, datetime.datetime)
                ]
                self.assertTrue(dates, f"a date on row {date_row}")
                for cell in dates:
                    self.assertEqual(cell.number_format, "yyyy-mm-dd")

    def test_statement_balance_rows(self):
        date_from = self.today - timedelta(days=60)
        # Both invoices (USD 45 days old, KWD 10 days old) fall in the 60-day
        # period: each currency opens at 0 and closes at its invoice.
        content = self.env["settlement.statement"]._statement_xlsx(
            self.customer, date_from, self.today
        )
        sheet = openpyxl.load_workbook(BytesIO(content)).active
        rows = [row for row in sheet.iter_rows() if row[1].value]
        openings = [row for row in rows if row[1].value == "Opening balance"]
        closings = [row for row in rows if row[1].value == "Closing balance"]
        self.assertEqual(len(openings), 2)
        self.assertEqual(len(closings), 2)
        usd = self.env.company.currency_id
        # Sections: company currency first, then KWD.
        expected = [
            (usd, 0.0, 900.0, "#,##0.00"),
            (self.kwd, 0.0, 1234.567, "#,##0.000"),
        ]
        for (currency, opening, closing, pattern), first, last in zip(
            expected, openings, closings, strict=True
        ):
            symbol = currency.symbol
            num_format = (
                f'"{symbol}" {pattern}'
                if currency.position == "before"
                else f'{pattern} "{symbol}"'
            )
            with self.subTest(currency=currency.name):
                for row, day, amount in (
                    (first, date_from, opening),
                    (last, self.today, closing),
                ):
                    self.assertEqual(row[0].value.date(), day)
                    self.assertEqual(row[0].number_format, "yyyy-mm-dd")
                    self.assertTrue(row[1].font.b)
                    self.assertAlmostEqual(row[6].value, amount, places=6)
                    self.assertTrue(row[6].font.b)
                    self.assertEqual(row[6].number_format, num_format)
                    for column in (2, 3, 4, 5):
                        self.assertIsNone(row[column].value)
