"""Fee invoices, as the customer receives them, from the two flows that
charge one: a reminder's late fee and interest (the dunning run) and an
instalment plan's fee (activating the plan).  Both go through the one builder,
``settlement.fee.invoice``: its ``_prepare_fee_invoice_vals`` hook reaches
both."""

from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import Form, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestFeeInvoice(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env["settlement.dunning.policy"].create(
            {
                "name": "Fee policy",
                "level_ids": [
                    Command.create(
                        {
                            "name": "Late",
                            "days": 21,
                            "fee_type": "fixed",
                            "fee_fixed": 25.0,
                            "interest_rate": 10.0,
                        }
                    ),
                ],
            }
        )
        cls.env.company.settlement_dunning_policy_id = cls.policy
        cls.customer.email = "ap@credit-customer.example.com"
        cls.sale_journal = cls.company_data["default_journal_sale"]

    def _remind(self):
        """A 1,000.00 invoice 73 days overdue, reminded by the daily run."""
        invoice = self._invoice(self.customer, 1000.0, days_old=103, due_days=30)
        self.env["settlement.dunning.engine"]._cron_settlement_dunning()
        reminder = self.env["settlement.dunning.communication"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(reminder), 1)
        return invoice, reminder

    def _plan_with_fee(self):
        invoice = self._invoice(self.customer, 900.0, days_old=10, due_days=30)
        form = Form(
            self.env["settlement.instalment.plan.create"].with_context(
                active_model="account.move", active_ids=invoice.ids
            )
        )
        form.instalment_count = 3
        form.first_date = self.today + timedelta(days=10)
        form.fee_fixed = 30.0
        plan = self.env["settlement.instalment.plan"].browse(
            form.save().action_create()["res_id"]
        )
        plan.action_activate()
        return plan

    def _assert_fee_lines(self, move, product, expected):
        """``expected``: [(label, amount)] as the customer reads them."""
        lines = move.invoice_line_ids
        self.assertEqual(
            [(line.name, line.price_unit, line.quantity) for line in lines],
            [(label, amount, 1.0) for label, amount in expected],
        )
        self.assertEqual(lines.product_id, product)
        self.assertFalse(lines.tax_ids)

    def test_reminder_fee_invoice_posted(self):
        _invoice, reminder = self._remind()
        move = reminder.fee_move_id
        # 1,000.00 × 10 % × 73 / 365 = 20.00 interest, plus the 25.00 fee.
        self.assertEqual(move.amount_total, 45.0)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.partner_id, self.customer)
        self.assertEqual(move.currency_id, self.env.company.currency_id)
        self.assertEqual(move.journal_id, self.sale_journal)
        self.assertEqual(move.invoice_date, self.today)
        self.assertEqual(move.invoice_origin, reminder.name)
        self._assert_fee_lines(
            move,
            self.env.company.settlement_late_fee_product_id,
            [
                (f"Late payment fee: Late ({reminder.name})", 25.0),
                (
                    f"Interest on overdue amounts to {self.today} ({reminder.name})",
                    20.0,
                ),
            ],
        )
        self.assertEqual(
            self.env.company.settlement_late_fee_product_id.default_code, "LATE-FEE"
        )

    def test_reminder_fee_invoice_left_in_draft_when_the_policy_says_so(self):
        self.policy.fee_move_state = "draft"
        _invoice, reminder = self._remind()
        move = reminder.fee_move_id
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.amount_total, 45.0)
        self.assertEqual(move.partner_id, self.customer)

    def test_plan_fee_invoice(self):
        plan = self._plan_with_fee()
        move = plan.fee_move_id
        self.assertEqual(move.amount_total, 30.0)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.partner_id, self.customer)
        self.assertEqual(move.journal_id, self.sale_journal)
        self.assertEqual(move.invoice_date, self.today)
        # Due with the last of three monthly instalments from day 10.
        self.assertEqual(move.invoice_date_due, max(plan.line_ids.mapped("date_due")))
        self.assertEqual(len(plan.line_ids), 3)
        self.assertEqual(move.invoice_origin, plan.name)
        self.assertIn(move, plan.move_ids)
        self._assert_fee_lines(
            move,
            self.env.company.settlement_plan_fee_product_id,
            [(f"Fee and interest of instalment plan {plan.name}", 30.0)],
        )
        # The plan now collects the invoice and its fee: 900 + 30.
        self.assertEqual(plan.amount_residual, 930.0)

    def test_one_hook_reaches_both_flows(self):
        Builder = type(self.env["settlement.fee.invoice"])
        original = Builder._prepare_fee_invoice_vals

        def with_reference(builder, *args, **kwargs):
            vals = original(builder, *args, **kwargs)
            vals["ref"] = "extended"
            return vals

        with patch.object(Builder, "_prepare_fee_invoice_vals", with_reference):
            _invoice, reminder = self._remind()
            plan = self._plan_with_fee()
        self.assertEqual(reminder.fee_move_id.ref, "extended")
        self.assertEqual(plan.fee_move_id.ref, "extended")
