from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestReceivableItem(SettlementCommon):
    """The due schedule of record: payment-term instalments and plan instalments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.late = cls._invoice(cls.customer, 600.0, days_old=60, due_days=30)
        cls.recent = cls._invoice(cls.customer, 400.0, days_old=40, due_days=30)

    def _items(self, partner=None):
        Item = self.env["settlement.receivable.item"]
        Item._flush_sources()
        return Item.search([("partner_id", "=", (partner or self.customer).id)])

    def _overdue(self, partner=None):
        partner = partner or self.customer
        partner.invalidate_recordset()
        return partner.settlement_overdue_amount

    def _active_plan(self, moves, schedule):
        plan = self.env["settlement.instalment.plan"].create(
            {
                "partner_id": self.customer.id,
                "currency_id": moves.currency_id.id,
                "move_ids": [Command.set(moves.ids)],
                "amount_total": sum(moves.mapped("amount_residual")),
            }
        )
        plan._set_schedule(schedule)
        plan.action_activate()
        return plan

    def test_each_journal_item_of_a_multi_line_term_is_its_own_item(self):
        term = self._split_term(30.0, 60)
        move = self._invoice(
            self.other_customer,
            1000.0,
            days_old=10,
            invoice_payment_term_id=term.id,
            invoice_date_due=False,
        )
        items = self._items(self.other_customer)
        self.assertEqual(items.mapped("move_id"), move)
        self.assertEqual(sorted(items.mapped("amount_residual")), [300.0, 700.0])
        # Only the instalment that fell due is overdue, not the whole invoice.
        self.assertEqual(self._overdue(self.other_customer), 300.0)
        self.assertEqual(self.other_customer.settlement_oldest_overdue_days, 10)

    def test_an_active_plan_replaces_its_invoices_by_its_instalments(self):
        self.assertEqual(self._overdue(), 1000.0)
        plan = self._active_plan(
            self.late | self.recent,
            [
                (self.today, 250.0),
                (self.today + timedelta(days=30), 350.0),
                (self.today + timedelta(days=60), 400.0),
            ],
        )
        items = self._items()
        self.assertEqual(items.plan_line_id, plan.line_ids)
        self.assertFalse(items.move_id)
        self.assertEqual(items.mapped("amount_residual"), [250.0, 350.0, 400.0])
        self.assertEqual(items.mapped("date_due"), plan.line_ids.mapped("date_due"))
        # Due today is not overdue: the customer keeps to the plan.
        self.assertEqual(self._overdue(), 0.0)
        # The ledger does not change: the open receivable stays the invoices'.
        self.assertEqual(self.customer.settlement_open_receivable, 1000.0)

    def test_payments_reduce_plan_instalments_oldest_first(self):
        plan = self._active_plan(
            self.late | self.recent,
            [
                (self.today + timedelta(days=1), 250.0),
                (self.today + timedelta(days=30), 350.0),
                (self.today + timedelta(days=60), 400.0),
            ],
        )
        self._pay(self.recent, 300.0)
        items = self._items()
        self.assertEqual(items.mapped("amount_residual"), [300.0, 400.0])
        self.assertEqual(items.plan_line_id, plan.line_ids[1:])
        # The view agrees with the plan's own allocation.
        self.assertEqual(
            items.mapped("amount_residual_currency"),
            plan.line_ids[1:].mapped("amount_residual"),
        )

    def test_a_missed_plan_instalment_is_overdue_from_its_own_date(self):
        plan = self._active_plan(
            self.late,
            [(self.today, 200.0), (self.today + timedelta(days=30), 400.0)],
        )
        self.env.cr.execute(
            "UPDATE settlement_instalment_plan_line SET date_due = %s WHERE id = %s",
            (self.today - timedelta(days=5), plan.line_ids[0].id),
        )
        self.env["settlement.instalment.plan.line"].invalidate_model()
        # 200 of the plan is late by 5 days; the other invoice by its own terms.
        self.assertEqual(self._overdue(), 200.0 + 400.0)
        self.assertEqual(self.customer.settlement_oldest_overdue_days, 10)

    def test_a_defaulted_plan_gives_the_invoices_their_own_terms_back(self):
        plan = self._active_plan(
            self.late | self.recent,
            [(self.today + timedelta(days=10), 1000.0)],
        )
        self.assertEqual(self._overdue(), 0.0)
        plan._mark_defaulted()
        self.assertEqual(self._overdue(), 1000.0)
        self.assertEqual(self._items().move_id, self.late | self.recent)

    def test_overdue_policy_holds_follow_the_plan(self):
        self._set_policy("limit_overdue", overdue_days=5)
        Hold = self.env["settlement.credit.hold"]
        self.assertIn(self.customer.id, Hold._overdue_partner_days(self.env.company))
        self._active_plan(
            self.late | self.recent, [(self.today + timedelta(days=10), 1000.0)]
        )
        self.assertNotIn(self.customer.id, Hold._overdue_partner_days(self.env.company))

    def test_foreign_currency_plan_items_are_in_both_currencies(self):
        currency = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        move = self._invoice(
            self.other_customer, 500.0, days_old=40, currency_id=currency.id
        )
        plan = self.env["settlement.instalment.plan"].create(
            {
                "partner_id": self.other_customer.id,
                "currency_id": currency.id,
                "move_ids": [Command.set(move.ids)],
                "amount_total": 500.0,
            }
        )
        plan._set_schedule(
            [(self.today, 100.0), (self.today + timedelta(days=7), 400.0)]
        )
        plan.action_activate()
        items = self._items(self.other_customer)
        self.assertEqual(items.mapped("amount_residual_currency"), [100.0, 400.0])
        self.assertEqual(items.mapped("amount_residual"), [50.0, 200.0])
        self.assertEqual(items.currency_id, currency)
