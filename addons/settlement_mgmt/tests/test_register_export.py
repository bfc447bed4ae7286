import datetime
from datetime import timedelta
from io import BytesIO

import openpyxl

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestRegisterExport(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 900.0, days_old=10)
        cls.plan = cls.env["settlement.instalment.plan"].create(
            {
                "partner_id": cls.customer.id,
                "currency_id": cls.invoice.currency_id.id,
                "move_ids": [Command.set(cls.invoice.ids)],
                "amount_total": 900.0,
            }
        )
        cls.plan._set_schedule(
            [
                (cls.today + timedelta(days=5), 300.0),
                (cls.today + timedelta(days=35), 600.0),
            ]
        )
        cls.plan.action_activate()
        cls._pay(cls.invoice, 100.0)
        cls.env["settlement.promise"].create(
            {
                "partner_id": cls.other_customer.id,
                "amount": 250.0,
                "date_promised": cls.today + timedelta(days=3),
            }
        )

    def _rows(self, **values):
        wizard = self.env["settlement.register.export"].create(values)
        sheet = openpyxl.load_workbook(BytesIO(wizard._export_content())).active
        rows = list(sheet.iter_rows(values_only=True))
        return sheet, rows[4], rows[5:]

    def test_plans_one_row_per_instalment_with_totals(self):
        sheet, header, rows = self._rows(register="plans")
        self.assertEqual(header[0], "Plan")
        data = [row for row in rows if row[0] != "Total"]
        self.assertEqual([row[0] for row in data], [self.plan.name] * 2)
        self.assertIsInstance(data[0][3], datetime.datetime)
        self.assertEqual([row[5] for row in data], [300.0, 600.0])
        self.assertEqual([row[6] for row in data], [100.0, 0.0])
        self.assertEqual([row[7] for row in data], [200.0, 600.0])
        self.assertEqual(data[0][2], "Active")
        self.assertEqual(rows[-1][0], "Total")
        self.assertEqual(rows[-1][5], "=SUM(F6:F7)")
        self.assertTrue(sheet.auto_filter.ref)

    def test_promises_and_period_filter(self):
        _sheet, _header, rows = self._rows(register="promises")
        self.assertEqual(rows[0][1], "Other Customer")
        self.assertEqual(rows[0][3], 250.0)
        self.assertEqual(rows[0][5], "Open")
        _sheet, _header, rows = self._rows(
            register="promises", date_to=self.today - timedelta(days=1)
        )
        # Nothing in the period: said so, then a total of 0 (no formula).
        self.assertEqual(rows[0][0], "No records match the filters of this export.")
        self.assertEqual(rows[1][0], "Total")
        self.assertEqual(rows[1][3], 0)

    def test_exposure_register(self):
        self.customer.credit_limit = 2000.0
        _sheet, header, rows = self._rows(register="exposure")
        self.assertEqual(header[7], "Risk Grade")
        data = {row[0]: row for row in rows}
        self.assertEqual(data["Credit Customer"][1], 2000.0)
        self.assertEqual(data["Credit Customer"][2], 800.0)

    def test_reversed_period_is_refused(self):
        wizard = self.env["settlement.register.export"].create(
            {
                "register": "disputes",
                "date_from": self.today,
                "date_to": self.today - timedelta(days=1),
            }
        )
        with self.assertRaisesRegex(UserError, "after its end"):
            wizard.action_export()
