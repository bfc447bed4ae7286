from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context
from odoo.addons.settlement_mgmt.tests.common import SettlementCommon


@tagged("post_install", "-at_install")
class TestSaleCredit(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {
                "name": "Service",
                "type": "service",
                "list_price": 100.0,
                "taxes_id": False,
            }
        )
        cls._set_policy("limit")
        cls.customer.credit_limit = 1000.0

    def _order(self, partner, amount, confirm=False):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "price_unit": amount,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if confirm:
            order.with_context(**credit_check_done_context()).action_confirm()
        return order

    def test_confirmed_uninvoiced_orders_count_in_exposure(self):
        self._order(self.customer, 300.0, confirm=True)
        self._order(self.customer, 999.0)  # quotation: not a commitment yet
        self._invoice(self.customer, 200.0)
        self.assertEqual(self.customer.settlement_uninvoiced_sales, 300.0)
        self.assertEqual(self.customer.settlement_exposure, 500.0)

    def test_confirmation_over_the_limit_is_blocked_by_every_path(self):
        self._invoice(self.customer, 800.0)
        order = self._order(self.customer_contact, 300.0)
        self.assertIn("1,100.00", order.settlement_credit_block)
        with self.assertRaisesRegex(UserError, "1,100.00"):
            order.with_user(self.controller).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(self._order(self.customer, 100.0).action_confirm(), True)

    def test_held_customer_cannot_confirm_until_overridden(self):
        self._set_policy("warn")
        self.env["settlement.credit.hold"].create(
            {"partner_id": self.customer.id, "reason": "Insolvency notice"}
        )
        order = self._order(self.customer, 50.0)
        with self.assertRaisesRegex(UserError, "Insolvency notice"):
            order.action_confirm()
        wizard = Form(
            self.env["settlement.credit.override.grant"]
            .with_user(self.controller)
            .with_context(default_sale_order_ids=order.ids)
        )
        wizard.reason = "Director approved, cash on delivery"
        wizard.save().action_confirm()
        self.assertEqual(order.state, "sale")
        override = order.settlement_override_ids
        self.assertEqual(override.partner_id, self.customer)
        self.assertEqual(override.amount, 50.0)
        self.assertIn("cash on delivery", order.message_ids[0].body)
