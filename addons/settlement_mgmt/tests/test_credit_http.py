import json

from odoo.tests import HttpCase, new_test_user, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestCreditBlockInWebClient(SettlementCommon, HttpCase):
    def _call_post(self, invoice, login):
        self.authenticate(login, login)
        response = self.url_open(
            "/web/dataset/call_kw/account.move/action_post",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "account.move",
                        "method": "action_post",
                        "args": [invoice.ids],
                        "kwargs": {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    def test_controller_is_offered_the_override_wizard(self):
        self._set_policy("limit")
        self.customer.credit_limit = 100.0
        invoice = self._invoice(self.customer, 500.0, post=False)

        error = self._call_post(invoice, "sm_controller")["error"]["data"]

        self.assertEqual(error["name"], "odoo.exceptions.RedirectWarning")
        action = error["arguments"][1]
        self.assertEqual(action["res_model"], "settlement.credit.override.grant")
        self.assertEqual(action["context"]["default_move_ids"], invoice.ids)
        self.assertEqual(invoice.state, "draft")

    def test_billing_user_gets_a_plain_error(self):
        self._set_policy("limit")
        self.customer.credit_limit = 100.0
        invoice = self._invoice(self.customer, 500.0, post=False)
        new_test_user(
            self.env, login="sm_billing_http", groups="account.group_account_invoice"
        )

        error = self._call_post(invoice, "sm_billing_http")["error"]["data"]

        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assertIn("credit controller", error["message"])
        self.assertEqual(invoice.state, "draft")
