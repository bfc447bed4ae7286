from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestInstalmentPlan(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = cls._invoice(cls.customer, 600.0, days_old=60, due_days=30)
        cls.second = cls._invoice(cls.customer, 400.0, days_old=20, due_days=30)

    def _wizard(self, moves, **values):
        form = Form(
            self.env["settlement.instalment.plan.create"].with_context(
                active_model="account.move", active_ids=moves.ids
            )
        )
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def _plan(self, moves=None, **values):
        action = self._wizard(
            moves or (self.first | self.second), **values
        ).action_create()
        return self.env["settlement.instalment.plan"].browse(action["res_id"])

    def test_wizard_splits_exactly_with_remainder_on_the_last(self):
        plan = self._plan(instalment_count=3, first_date=self.today + timedelta(days=7))
        self.assertEqual(plan.state, "draft")
        self.assertEqual(plan.partner_id, self.customer)
        self.assertEqual(plan.amount_total, 1000.0)
        self.assertEqual(plan.line_ids.mapped("amount"), [333.33, 333.33, 333.34])
        dates = plan.line_ids.mapped("date_due")
        self.assertEqual(dates[0], self.today + timedelta(days=7))
        self.assertTrue(dates[0] < dates[1] < dates[2])
        self.assertTrue(plan.name.startswith("PLAN/"))

    def test_down_payment_is_due_today(self):
        plan = self._plan(down_payment=100.0, instalment_count=2, frequency="weekly")
        self.assertEqual(plan.line_ids.mapped("amount"), [100.0, 450.0, 450.0])
        self.assertEqual(plan.line_ids[0].date_due, self.today)

    def test_wizard_refuses_bad_input_and_creates_nothing(self):
        Plan = self.env["settlement.instalment.plan"]
        other = self._invoice(self.other_customer, 50.0)
        cases = [
            ({"instalment_count": 0}, "between 1 and"),
            ({"instalment_count": 61}, "between 1 and"),
            ({"first_date": self.today - timedelta(days=1)}, "past"),
            ({"down_payment": -1.0}, "down payment"),
            ({"down_payment": 1000.0}, "down payment"),
        ]
        for values, message in cases:
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(UserError, message),
            ):
                self._wizard(self.first | self.second, **values).action_create()
        with self.assertRaisesRegex(UserError, "same customer"):
            self._wizard(self.first | other).action_create()
        self.assertFalse(Plan.search([]))

    def test_activation_checks_the_schedule(self):
        plan = self._plan(instalment_count=2)
        plan.line_ids[1].amount -= 0.01
        with self.assertRaisesRegex(ValidationError, "add up to"):
            plan.action_activate()
        plan.line_ids[1].amount += 0.01
        plan.line_ids[1].date_due = plan.line_ids[0].date_due
        with self.assertRaisesRegex(ValidationError, "increase"):
            plan.action_activate()
        plan.line_ids[1].date_due = plan.line_ids[0].date_due + timedelta(days=30)
        plan.line_ids[0].date_due = self.today - timedelta(days=1)
        with self.assertRaisesRegex(ValidationError, "past"):
            plan.action_activate()
        plan.line_ids[0].date_due = self.today
        plan.action_activate()
        self.assertEqual(plan.state, "active")

    def test_an_invoice_belongs_to_one_live_plan(self):
        self._plan().action_activate()
        with self.assertRaisesRegex(ValidationError, "already belong"):
            self._plan(moves=self.second)
        self.assertEqual(self.env["settlement.instalment.plan"].search_count([]), 1)

    def test_payments_fill_instalments_oldest_first_and_complete_the_plan(self):
        plan = self._plan(instalment_count=3)
        plan.action_activate()
        self._pay(self.first, 400.0)
        self.assertEqual(plan.amount_paid, 400.0)
        lines = plan.line_ids
        self.assertEqual(lines[0].payment_state, "paid")
        self.assertAlmostEqual(lines[1].amount_residual, 266.66)
        self.assertEqual(lines[2].amount_residual, 333.34)
        self._pay(self.first)
        self._pay(self.second)
        self.assertEqual(plan.state, "completed")
        self.assertEqual(set(plan.line_ids.mapped("payment_state")), {"paid"})

    def test_overdue_instalment_is_flagged(self):
        plan = self._plan(instalment_count=2, first_date=self.today)
        plan.line_ids[0].date_due = self.today
        plan.action_activate()
        plan.line_ids.invalidate_recordset()
        self.assertEqual(plan.line_ids[0].payment_state, "due")
        self.env.cr.execute(
            "UPDATE settlement_instalment_plan_line SET date_due = %s WHERE id = %s",
            (self.today - timedelta(days=3), plan.line_ids[0].id),
        )
        plan.line_ids.invalidate_recordset()
        self.assertEqual(plan.line_ids[0].payment_state, "overdue")

    def test_plan_from_the_customer_takes_its_open_invoices(self):
        wizard = (
            self.env["settlement.instalment.plan.create"]
            .with_context(
                active_model="res.partner", active_id=self.customer_contact.id
            )
            .create({"instalment_count": 2})
        )
        self.assertEqual(wizard.move_ids, self.first | self.second)
        self.assertEqual(wizard.amount_total, 1000.0)
        self.assertIn("500.00", wizard.preview)

    def test_only_drafts_and_cancelled_plans_can_be_deleted(self):
        plan = self._plan()
        plan.action_activate()
        with self.assertRaises(UserError):
            plan.unlink()
        plan.action_cancel()
        plan.unlink()
        self.assertFalse(plan.exists())

    def _age_plan(self, plan, days):
        """Move every due date ``days`` into the past, as if time had passed."""
        for line in plan.line_ids:
            self.env.cr.execute(
                "UPDATE settlement_instalment_plan_line"
                " SET date_due = %s WHERE id = %s",
                (line.date_due - timedelta(days=days), line.id),
            )
        plan.line_ids.invalidate_recordset()

    def test_default_after_the_grace_days_only_once_and_it_counts_in_the_risk(self):
        self.env.company.settlement_plan_grace_days = 10
        plan = self._plan(instalment_count=3, first_date=self.today)
        plan.action_activate()
        Plan = self.env["settlement.instalment.plan"]
        self._age_plan(plan, 10)
        Plan._cron_settlement_plan_defaults()
        self.assertEqual(plan.state, "active", "10 days late is within the grace")
        self._age_plan(plan, 1)
        Plan._cron_settlement_plan_defaults()
        self.assertEqual(plan.state, "defaulted")
        self.assertEqual(plan.date_defaulted, self.today)
        self.assertEqual(plan.activity_ids.user_id, plan.user_id)
        messages = len(plan.message_ids)
        Plan._cron_settlement_plan_defaults()
        self.assertEqual(len(plan.message_ids), messages)
        self.env["settlement.risk.score"]._recompute(self.env.company, self.customer)
        score = self.env["settlement.risk.score"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(score.broken_promises, 1)
        self.assertEqual(score.promise_penalty, 5.0)

    def test_paid_instalments_do_not_default(self):
        plan = self._plan(instalment_count=2, first_date=self.today)
        plan.action_activate()
        self._pay(self.first, 500.0)
        self._age_plan(plan, 20)
        self.env["settlement.instalment.plan"]._cron_settlement_plan_defaults()
        self.assertEqual(plan.state, "active")

    def test_invoices_show_their_live_plan(self):
        plan = self._plan(moves=self.first)
        self.assertFalse(
            self.first.settlement_plan_id, "a draft plan is not an agreement"
        )
        plan.action_activate()
        self.first.invalidate_recordset()
        self.assertEqual(self.first.settlement_plan_id, plan)
        Move = self.env["account.move"]
        self.assertIn(self.first, Move.search([("settlement_plan_id", "!=", False)]))
        self.assertNotIn(
            self.second, Move.search([("settlement_plan_id", "!=", False)])
        )
        self.assertIn(self.second, Move.search([("settlement_plan_id", "=", False)]))

    def test_fee_and_interest_are_planned_then_invoiced_on_activation(self):
        first_date = self.today + timedelta(days=30)
        wizard = self._wizard(
            self.first | self.second,
            instalment_count=2,
            frequency="monthly",
            first_date=first_date,
            fee_fixed=20.0,
            interest_rate=12.0,
        )
        second_date = first_date + relativedelta(months=1)
        expected_interest = round(
            1000 * 0.12 * 30 / 365 + 500 * 0.12 * (second_date - first_date).days / 365,
            2,
        )
        self.assertAlmostEqual(wizard.amount_fee, 20.0 + expected_interest)
        plan = self.env["settlement.instalment.plan"].browse(
            wizard.action_create()["res_id"]
        )
        fee = plan.amount_fee
        self.assertAlmostEqual(plan.amount_total, 1000.0 + fee)
        self.assertAlmostEqual(sum(plan.line_ids.mapped("amount")), 1000.0 + fee)
        self.assertEqual(plan.amount_paid, 0.0)
        self.assertFalse(plan.fee_move_id)
        plan.action_activate()
        fee_move = plan.fee_move_id
        self.assertEqual(fee_move.state, "posted")
        self.assertIn(fee_move, plan.move_ids)
        self.assertAlmostEqual(fee_move.amount_total, fee)
        self.assertFalse(fee_move.invoice_line_ids.tax_ids)
        self.assertEqual(fee_move.invoice_date_due, second_date)
        self.assertEqual(plan.amount_paid, 0.0)
        self.assertAlmostEqual(plan.amount_residual, 1000.0 + fee)
        # Activating twice never invoices the fee twice.
        plan._invoice_fee()
        self.assertEqual(
            self.env["account.move"].search_count([("invoice_origin", "=", plan.name)]),
            1,
        )

    def test_fee_and_interest_bad_input(self):
        for values, message in (
            ({"fee_fixed": -5.0}, "fee cannot be negative"),
            ({"interest_rate": -1.0}, "between 0 and 100"),
            ({"interest_rate": 150.0}, "between 0 and 100"),
        ):
            with self.subTest(values=values):
                wizard = self._wizard(self.first, **values)
                with self.assertRaisesRegex(UserError, message):
                    wizard.action_create()
        self.assertFalse(self.env["settlement.instalment.plan"].search([]))
