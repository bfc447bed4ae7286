from datetime import timedelta

from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.addons.payment.tests.http_common import PaymentHttpCommon

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestInstalmentPlanPayment(
    SettlementCommon, AccountPaymentCommon, PaymentHttpCommon
):
    """Paying the next instalment online with core's payment form and providers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 900.0)
        cls._portal_pair("plan_pay")
        cls.plan = cls.env["settlement.instalment.plan"].create(
            {
                "partner_id": cls.customer.id,
                "currency_id": cls.invoice.currency_id.id,
                "move_ids": [(6, 0, cls.invoice.ids)],
                "amount_total": 900.0,
            }
        )
        cls.plan._set_schedule(
            [
                (cls.today, 300.0),
                (cls.today + timedelta(days=30), 300.0),
                (cls.today + timedelta(days=60), 300.0),
            ]
        )
        cls.plan.action_activate()
        cls.provider.available_currency_ids |= cls.invoice.currency_id

    def _pay_context(self):
        response = self.url_open(f"/my/plans/{self.plan.id}/pay")
        self.assertEqual(response.status_code, 200)
        return self._get_payment_context(response)

    def test_customer_pays_the_instalment_due_and_the_plan_follows(self):
        self.authenticate("plan_pay_a", "plan_pay_a")
        page = self.url_open(f"/my/plans/{self.plan.id}")
        self.assertIn("o_settlement_plan_pay", page.text)
        context = self._pay_context()
        self.assertEqual(context["amount"], 300.0)
        self.assertEqual(
            context["transaction_route"], f"/my/plans/{self.plan.id}/transaction"
        )
        with mute_logger("odoo.addons.payment.models.payment_transaction"):
            processing = self._get_processing_values(
                tx_route=context["transaction_route"],
                provider_id=self.provider.id,
                payment_method_id=self.payment_method_id,
                token_id=None,
                amount=1.0,  # the browser does not decide what is due
                flow="direct",
                tokenization_requested=False,
                landing_route=context["landing_route"],
                access_token=context.get("access_token"),
            )
        tx = self._get_tx(processing["reference"])
        self.assertEqual(tx.amount, 300.0)
        self.assertEqual(tx.invoice_ids, self.invoice)
        self.assertTrue(tx.reference.startswith(self.plan.name))
        tx._set_done()
        with self.mocked_get_payment_method_information():
            tx._post_process()
        self.assertTrue(tx.payment_id)
        self.assertEqual(self.invoice.amount_residual, 600.0)
        self.plan.invalidate_recordset()
        self.assertEqual(self.plan.line_ids[0].payment_state, "paid")
        self.assertEqual(self.plan.amount_paid, 300.0)
        # The next payment is the next instalment.
        self.assertEqual(self.plan._portal_amount_to_pay(), 300.0)

    def test_another_customer_cannot_pay_or_see_the_plan(self):
        self.authenticate("plan_pay_b", "plan_pay_b")
        response = self.url_open(f"/my/plans/{self.plan.id}/pay")
        self.assertNotIn("o_payment_form", response.text)
        self.assertTrue(response.url.endswith("/my"))
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self._get_processing_values(
                tx_route=f"/my/plans/{self.plan.id}/transaction",
                provider_id=self.provider.id,
                payment_method_id=self.payment_method_id,
                token_id=None,
                flow="direct",
                tokenization_requested=False,
                landing_route="/my",
                access_token="forged",
            )
        self.assertFalse(
            self.env["payment.transaction"].search(
                [("invoice_ids", "in", self.invoice.ids)]
            )
        )

    def test_nothing_to_pay_without_an_active_plan(self):
        self.plan.action_cancel()
        self.assertEqual(self.plan._portal_amount_to_pay(), 0.0)
        self.authenticate("plan_pay_a", "plan_pay_a")
        response = self.url_open(f"/my/plans/{self.plan.id}/pay")
        self.assertNotIn("o_payment_form", response.text)

    def test_payment_link_with_the_plan_token_works_logged_out(self):
        url = self.plan.get_portal_url(suffix="/pay")
        self.assertIn("access_token=", url)
        response = self.url_open(url)
        self.assertIn("o_payment_form", response.text)
        response = self.url_open(f"/my/plans/{self.plan.id}/pay?access_token=forged")
        self.assertNotIn("o_payment_form", response.text)
