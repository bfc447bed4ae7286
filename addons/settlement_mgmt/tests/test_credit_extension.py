from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.settlement_mgmt.lib.credit import ExposureComponent

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestCreditExtension(SettlementCommon):
    """A component registered through ``settlement.credit.service``'s one
    extension point, as a bridge module would (unpaid delivery orders, a bank
    guarantee), and nothing else: the exposure, the block decision, its
    explanation and the Over Credit Limit filter all count it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_policy("limit")
        cls.customer.credit_limit = 1000.0
        cls._invoice(cls.customer, 800.0)

    def _register(self, name, amounts, raises_limit=False):
        """Register component ``name`` giving ``amounts`` ({partner: amount});
        return the list of the partner ids of each of its calls."""
        Service = type(self.env["settlement.credit.service"])
        registered = Service._exposure_components
        method = f"_exposure_test_{name}"
        calls = []

        def exposure_components(service):
            return [
                *registered(service),
                ExposureComponent(name, method, raises_limit=raises_limit),
            ]

        def compute(service, company, partner_ids):
            calls.append(sorted(partner_ids))
            return {
                partner.id: amount
                for partner, amount in amounts.items()
                if partner.id in partner_ids
            }

        self.patch(Service, "_exposure_components", exposure_components)
        self.startPatcher(patch.object(Service, method, compute, create=True))
        self.env.invalidate_all()
        return calls

    def _over_limit(self):
        return self.env["res.partner"].search([("settlement_over_limit", "=", True)])

    def test_exposure_component_counts_everywhere(self):
        invoice = self._invoice(self.customer, 150.0, post=False)
        # 800 + 150 is under the limit of 1,000: nothing blocks yet.
        self.assertFalse(invoice.settlement_credit_block)
        self.assertNotIn(self.customer, self._over_limit())

        calls = self._register("delivery_orders", {self.customer: 300.0})
        partners = self.customer | self.other_customer
        # 800 posted + the 150 draft + 300
        self.assertEqual(partners.mapped("settlement_exposure"), [1250.0, 0.0])
        # Set-based: one call for every partner read.
        self.assertEqual(calls, [sorted(partners.ids)])
        self.assertTrue(self.customer.settlement_over_limit)
        self.assertEqual(self.customer.settlement_available_credit, -250.0)
        self.assertIn(self.customer, self._over_limit())
        self.assertNotIn(self.other_customer, self._over_limit())

        # 800 + 300, and the invoice's 150 brings it to 1,250: blocked, and
        # the explanation says so.
        explanation = invoice.settlement_credit_block
        self.assertIn("1,250.00", explanation)
        self.assertRegex(explanation, r"already owed or invoiced: \D*1,100\.00\)")
        with self.assertRaisesRegex(UserError, "1,250.00"):
            invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "draft")

    def test_component_is_read_only_when_the_policy_can_block_on_it(self):
        calls = self._register("delivery_orders", {self.customer: 300.0})
        self._set_policy("warn")
        invoice = self._invoice(self.customer, 150.0, post=False)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(calls, [], "posting under 'warn' never needs the exposure")

    def test_limit_component_raises_a_positive_limit_only(self):
        invoice = self._invoice(self.customer, 400.0, post=False)
        self.assertIn("1,200.00", invoice.settlement_credit_block)
        self._register(
            "bank_guarantee",
            {self.customer: 500.0, self.other_customer: 500.0},
            raises_limit=True,
        )
        # The guarantee lifts the limit to 1,500: exposure 800 + the 400 draft
        # leaves 300.
        self.assertEqual(self.customer.settlement_exposure, 1200.0)
        self.assertEqual(self.customer.settlement_available_credit, 300.0)
        self.assertFalse(invoice.settlement_credit_block)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        # Over the raised limit, the explanation shows the limit that applies.
        second = self._invoice(self.customer, 400.0, post=False)
        self.assertIn("1,600.00", second.settlement_credit_block)
        self.assertRegex(
            second.settlement_credit_block, r"credit limit of \D*1,500\.00 "
        )
        # A customer without a limit stays without one.
        self.assertFalse(self.other_customer.settlement_over_limit)
        self.assertEqual(self.other_customer.settlement_available_credit, 0.0)
        unlimited = self._invoice(self.other_customer, 99999.0, post=False)
        unlimited.action_post()
        self.assertEqual(unlimited.state, "posted")

    def test_override_records_the_limit_the_block_was_decided_on(self):
        self._register("bank_guarantee", {self.customer: 200.0}, raises_limit=True)
        # limit 1,000 + guarantee 200 = 1,200; 800 posted + 500 = 1,300: blocked
        invoice = self._invoice(self.customer, 500.0, post=False)
        self.assertRegex(
            invoice.settlement_credit_block, r"credit limit of \D*1,200\.00 "
        )
        wizard = (
            self.env["settlement.credit.override.grant"]
            .with_user(self.controller)
            .create({"move_ids": [(6, 0, invoice.ids)], "reason": "Guarantee renewed"})
        )
        wizard.action_confirm()
        self.assertEqual(invoice.state, "posted")
        override = invoice.sudo().settlement_override_ids
        self.assertEqual(override.credit_limit, 1200.0)
        self.assertEqual(override.exposure, 1300.0)
