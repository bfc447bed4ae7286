import re
from datetime import timedelta
from io import BytesIO

import openpyxl
from lxml import html

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.settlement_mgmt.lib.internal_context import (
    credit_check_done_context,
)
from odoo.addons.settlement_mgmt.lib.item_ref import (
    MOVE_LINE,
    PLAN_LINE,
    ItemRef,
    decode_item_ref,
    item_ref_of_move_line,
    item_ref_of_plan_line,
)

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestReceivableHome(SettlementCommon, HttpCase):
    """Same figures everywhere: one customer's mixed history, built through
    the real flows, read by every consumer of the receivable queries.

    Company currency USD (EUR at 2 per USD), buckets 30/60/90 days:

    ====  ==============================  ================  ======  ========
    doc   history                         due               open    bucket
    ====  ==============================  ================  ======  ========
    A     1,000 USD, 400 paid             70 days ago       600     61-90
    B     500 USD, 100 credit note        15 days ago       400     1-30
          (reversal wizard, reconciled)
    C     300 USD, 150 disputed           40 days ago       300     31-60
          (under review)
    D     800 EUR, 200 EUR paid           5 days ago        600 EUR 1-30
                                                            = 300
    E     900 USD on a 3-instalment plan  in 20 days (plan  900     not due
          (wizard, active)                from 30 days)
    ====  ==============================  ================  ======  ========

    Open 2,500; overdue 600 + 400 + 300 + 300 = 1,600; buckets not due 900,
    1-30 700, 31-60 300, 61-90 600.  No credit is left open (the credit note
    is applied), so gross (statement, export) and net (snapshot, dashboard,
    dunning, credit) figures are the same.  What chases (dunning, credit
    exposure) leaves the disputed half of C out: 1,600 - 150 = 1,450."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {"settlement_aging_days": "30, 60, 90", "settlement_exclude_disputed": True}
        )
        cls.usd = cls.company.currency_id
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        cls.policy = cls.env["settlement.dunning.policy"].create(
            {
                "name": "Home policy",
                "level_ids": [Command.create({"name": "Home First", "days": 1})],
            }
        )
        cls.company.settlement_dunning_policy_id = cls.policy
        cls.customer.write({"email": "ap@credit-customer.example.com", "lang": "en_US"})
        cls.portal_user = cls._portal_user("rh_portal", cls.customer_contact)

        cls.inv_a = cls._invoice(cls.customer, 1000.0, days_old=100, due_days=30)
        cls._pay(cls.inv_a, 400.0, days_old=50)

        cls.inv_b = cls._invoice(cls.customer, 500.0, days_old=45, due_days=30)
        reversal = (
            cls.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=cls.inv_b.ids)
            .create({"reason": "Damaged goods", "journal_id": cls.inv_b.journal_id.id})
        )
        refund = cls.env["account.move"].browse(reversal.refund_moves()["res_id"])
        refund.invoice_line_ids.price_unit = 100.0
        # Posted, core reconciles the credit note with the invoice it reverses.
        refund.with_context(**credit_check_done_context()).action_post()
        cls.refund = refund

        cls.inv_c = cls._invoice(cls.customer, 300.0, days_old=60, due_days=20)
        dispute = cls.env["settlement.dispute"].create(
            {
                "move_id": cls.inv_c.id,
                "reason_id": cls.env.ref("settlement_mgmt.dispute_reason_price").id,
                "amount": 150.0,
            }
        )
        dispute.with_user(cls.controller).action_review()

        cls.inv_d = cls._invoice(
            cls.customer, 800.0, days_old=20, due_days=15, currency_id=cls.eur.id
        )
        cls._pay(cls.inv_d, 200.0, days_old=2)

        cls.inv_e = cls._invoice(cls.customer, 900.0, days_old=10, due_days=30)
        wizard = (
            cls.env["settlement.instalment.plan.create"]
            .with_context(active_model="account.move", active_ids=cls.inv_e.ids)
            .create({"instalment_count": 3, "frequency": "monthly"})
        )
        cls.plan = cls.env["settlement.instalment.plan"].browse(
            wizard.action_create()["res_id"]
        )
        cls.plan.action_activate()

    def test_history_is_as_built(self):
        # Preconditions of the hand-computed table above.
        self.assertEqual(self.usd.name, "USD")
        self.assertEqual(
            [
                self.inv_a.amount_residual,
                self.inv_b.amount_residual,
                self.inv_c.amount_residual,
                self.inv_d.amount_residual,
                self.inv_e.amount_residual,
            ],
            [600.0, 400.0, 300.0, 600.0, 900.0],
        )
        self.assertEqual(self.refund.amount_residual, 0.0)
        self.assertEqual(self.plan.state, "active")
        self.assertEqual(self.plan.line_ids.mapped("amount"), [300.0] * 3)
        self.assertEqual(
            min(self.plan.line_ids.mapped("date_due")), self.today + timedelta(days=30)
        )

    def test_statement(self):
        st = self.env["settlement.statement"]._statement_data(
            self.customer, self.today - timedelta(days=120), self.today
        )
        sections = {section["currency"].name: section for section in st["sections"]}
        self.assertEqual(set(sections), {"USD", "EUR"})
        usd, eur = sections["USD"], sections["EUR"]
        # 1,000 + 500 + 300 + 900 invoiced, 400 paid, 100 credited.
        self.assertEqual(usd["closing"], 2200.0)
        self.assertEqual(
            [amount for _label, amount in usd["aging"]],
            [900.0, 400.0, 300.0, 600.0, 0.0],
        )
        self.assertEqual(usd["overdue"], 1300.0)
        # In its own currency: 600 EUR, worth 300 USD.
        self.assertEqual(eur["closing"], 600.0)
        self.assertEqual(
            [amount for _label, amount in eur["aging"]], [0.0, 600.0, 0.0, 0.0, 0.0]
        )
        self.assertEqual(eur["overdue"], 600.0)

    def test_aged_export(self):
        wizard = self.env["settlement.aged.receivable.export"].create(
            {"partner_ids": [Command.set(self.customer.ids)]}
        )
        book = openpyxl.load_workbook(BytesIO(wizard._export_content()))
        rows = list(book.active.iter_rows(values_only=True))[7:]
        by_currency = {row[2]: row[-6:] for row in rows if row[0] == self.customer.name}
        # In company currency, one row per currency.
        self.assertEqual(
            by_currency,
            {
                "USD": (900.0, 400.0, 300.0, 600.0, None, 2200.0),
                "EUR": (None, 300.0, None, None, None, 300.0),
            },
        )

    def test_snapshot(self):
        Snapshot = self.env["settlement.receivable.snapshot"].sudo()
        Snapshot._take(self.company, self.today)
        rows = Snapshot.search(
            [
                ("company_id", "=", self.company.id),
                ("date", "=", self.today),
                ("dimension", "=", "age"),
            ]
        )
        self.assertEqual(
            {row.bucket_index: round(row.amount, 2) for row in rows},
            {0: 900.0, 1: 700.0, 2: 300.0, 3: 600.0},
        )

    def test_dashboard(self):
        dashboard = self.env["settlement.dashboard"].with_user(self.controller)
        dashboard = dashboard.create({})
        self.assertEqual(dashboard.receivable, 2500.0)
        self.assertEqual(dashboard.overdue, 1600.0)
        _labels, buckets = dashboard._net_aging()
        self.assertEqual(
            {index: round(amount, 2) for index, (amount, _count) in buckets.items()},
            {0: 900.0, 1: 700.0, 2: 300.0, 3: 600.0},
        )

    def test_credit_exposure(self):
        partner = self.customer.with_user(self.controller)
        self.assertEqual(partner.settlement_open_receivable, 2500.0)
        self.assertEqual(partner.settlement_disputed_amount, 150.0)
        self.assertEqual(partner.settlement_exposure, 2350.0)
        self.assertEqual(partner.settlement_overdue_amount, 1450.0)
        self.assertEqual(partner.settlement_oldest_overdue_days, 70)
        position = self.customer._settlement_exposures(self.company)[self.customer.id]
        self.assertEqual(
            (position.exposure.total, position.overdue, position.on_hold),
            (2350.0, 1450.0, False),
        )

    def test_dunning_candidates(self):
        candidates = self.env["settlement.dunning.engine"]._dunning_candidates(
            self.company, self.today
        )
        (key,) = candidates
        self.assertEqual(key[0], self.customer)
        rows = candidates[key]
        self.assertEqual(
            {row.move_id: (row.days_overdue, row.amount) for row in rows},
            {
                self.inv_a.id: (70, 600.0),
                self.inv_b.id: (15, 400.0),
                self.inv_c.id: (40, 150.0),
                self.inv_d.id: (5, 300.0),
            },
        )
        self.assertEqual(sum(row.amount for row in rows), 1450.0)
        # Each item says which journal item it is.
        for row in rows:
            self.assertEqual(
                decode_item_ref(row.item_ref), ItemRef(MOVE_LINE, row.move_line_id)
            )

    def test_portal_statement(self):
        self.authenticate("rh_portal", "rh_portal")
        date_from = self.today - timedelta(days=120)
        page = self.url_open(f"/my/statement?date_from={date_from}")
        self.assertEqual(page.status_code, 200)
        tree = html.fromstring(page.text)

        def amounts(xpath):
            return [
                float(re.sub(r"[^\d.\-]", "", cell.text_content()))
                for cell in tree.xpath(xpath)
            ]

        aging = amounts(
            "//table[contains(@class, 'o_settlement_statement_aging')]//tbody//td"
        )
        closing = amounts("//td[contains(@class, 'o_settlement_statement_closing')]")
        # Company currency first, then EUR.
        self.assertEqual(closing, [2200.0, 600.0])
        self.assertEqual(
            aging, [900.0, 400.0, 300.0, 600.0, 0.0, 0.0, 600.0, 0.0, 0.0, 0.0]
        )

    def test_item_identity(self):
        self.assertEqual(item_ref_of_move_line(21), 42)
        self.assertEqual(item_ref_of_plan_line(21), 43)
        self.assertEqual(decode_item_ref(42), ItemRef(MOVE_LINE, 21))
        self.assertEqual(decode_item_ref(43), ItemRef(PLAN_LINE, 21))
        # The due schedule's ids are the same encoding.
        items = self.env["settlement.receivable.item"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(
            sorted(decode_item_ref(item.id) for item in items if item.plan_line_id),
            sorted(ItemRef(PLAN_LINE, line.id) for line in self.plan.line_ids),
        )
        self.assertEqual(
            {decode_item_ref(item.id) for item in items if item.move_line_id},
            {
                ItemRef(MOVE_LINE, line.id)
                for line in (self.inv_a | self.inv_b | self.inv_c | self.inv_d).line_ids
                if line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            },
        )
