from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.settlement_mgmt.tests.common import SettlementCommon
from odoo.addons.settlement_mgmt.tests.rpc import JsonRpcMixin


@tagged("post_install", "-at_install")
class TestSaleCreditOverRpc(JsonRpcMixin, SettlementCommon, HttpCase):
    """A salesman confirming an order of a customer on hold over JSON-RPC, with
    every context a client could send to skip the check."""

    def test_client_context_cannot_skip_the_credit_check(self):
        new_test_user(
            self.env,
            login="tr_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.env.company.id,
        )
        self.env["settlement.credit.hold"].with_user(self.controller).create(
            {"partner_id": self.customer.id, "hold_type": "manual", "reason": "Fraud"}
        )
        product = self.env["product.product"].create(
            {"name": "Service", "type": "service", "list_price": 80.0}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "price_unit": 80.0,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        for context in (
            {"settlement_skip_credit_check": True},
            {"settlement_internal_credit_check_done": True},
            {"settlement_internal_credit_check_done": "credit check done"},
        ):
            with self.subTest(context=context):
                answer = self.rpc(
                    "tr_salesman",
                    "sale.order",
                    "action_confirm",
                    [order.ids],
                    context=context,
                )
                message = self.assertRpcRefused(answer, "odoo.exceptions.UserError")
                self.assertIn("credit hold", message)
                order.invalidate_recordset()
                self.assertIn(order.state, ("draft", "sent"))
        # Released, the same salesman confirms: the refusal was the hold's.
        self.customer.settlement_hold_ids._release("Paid")
        self.assertIn(
            "result", self.rpc(None, "sale.order", "action_confirm", [order.ids])
        )
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
