from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestCreditExposure(SettlementCommon):
    def test_breakdown_counts_open_items_drafts_and_credits(self):
        first = self._invoice(self.customer, 1000.0)
        self._pay(first, 300.0)
        self._invoice(self.customer, 200.0, post=False)
        self._invoice(self.customer, 50.0, move_type="out_refund")
        self._invoice(self.other_customer, 999.0)

        for partner in (self.customer, self.customer_contact):
            partner.invalidate_recordset()
            self.assertEqual(partner.settlement_open_receivable, 650.0)
            self.assertEqual(partner.settlement_draft_invoiced, 200.0)
            self.assertEqual(partner.settlement_exposure, 850.0)

    def test_usage_and_available_credit(self):
        self.customer.credit_limit = 2000.0
        self._invoice(self.customer, 1500.0)
        self.assertEqual(self.customer.settlement_credit_usage, 75.0)
        self.assertEqual(self.customer.settlement_available_credit, 500.0)
        self.assertFalse(self.customer.settlement_over_limit)
        self._invoice(self.customer, 600.0)
        self.customer.invalidate_recordset()
        self.assertTrue(self.customer.settlement_over_limit)
        self.assertEqual(self.customer.settlement_available_credit, -100.0)
        found = self.env["res.partner"].search([("settlement_over_limit", "=", True)])
        self.assertIn(self.customer, found)
        self.assertNotIn(self.other_customer, found)

    def test_over_limit_filter_finds_people_and_default_limits(self):
        """A person buying in its own name is a customer too, and a customer
        without a limit of its own has the company's default one."""
        person = self.env["res.partner"].create(
            {"name": "Sole Trader", "is_company": False, "credit_limit": 100.0}
        )
        self._invoice(person, 150.0)
        self.env["ir.default"].set(
            "res.partner", "credit_limit", 500.0, company_id=self.env.company.id
        )
        self._invoice(self.other_customer, 600.0)
        self._invoice(self.customer, 400.0)
        found = self.env["res.partner"].search([("settlement_over_limit", "=", True)])
        # By hand: 150 > 100 and 600 > 500 (the default); 400 <= 500.
        self.assertIn(person, found)
        self.assertIn(self.other_customer, found)
        self.assertNotIn(self.customer, found)
        self.assertNotIn(self.customer_contact, found)
        not_over = self.env["res.partner"].search(
            [("settlement_over_limit", "=", False), ("id", "in", found.ids)]
        )
        self.assertFalse(not_over)

    def test_foreign_currency_counts_in_company_currency(self):
        currency = self.setup_other_currency("EUR")
        invoice = self._invoice(self.customer, 1000.0, currency_id=currency.id)
        self.assertNotEqual(invoice.amount_total_signed, invoice.amount_total)
        self.assertAlmostEqual(
            self.customer.settlement_open_receivable, invoice.amount_total_signed
        )

    def test_overdue_figures(self):
        self._invoice(self.customer, 400.0, days_old=75, due_days=30)
        self._invoice(self.customer, 100.0, days_old=10, due_days=30)
        self.assertEqual(self.customer.settlement_overdue_amount, 400.0)
        self.assertEqual(self.customer.settlement_oldest_overdue_days, 45)


@tagged("post_install", "-at_install")
class TestCreditBlocking(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.credit_limit = 1000.0
        cls._invoice(cls.customer, 800.0)

    def test_warn_policy_lets_invoices_through(self):
        self._set_policy("warn")
        invoice = self._invoice(self.customer, 500.0, post=False)
        invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "posted")

    def test_limit_policy_blocks_with_amounts_and_writes_nothing(self):
        self._set_policy("limit")
        invoice = self._invoice(self.customer, 500.0, post=False)
        self.assertIn("1,300.00", invoice.settlement_credit_block)
        with self.assertRaises(UserError) as caught:
            invoice.with_user(self.billing_user).action_post()
        message = str(caught.exception)
        self.assertIn(self.customer.name, message)
        self.assertIn("1,000.00", message)
        self.assertIn("1,300.00", message)
        self.assertEqual(invoice.state, "draft")
        self.assertFalse(invoice.posted_before)

    def test_under_the_limit_posts(self):
        self._set_policy("limit")
        invoice = self._invoice(self.customer, 200.0, post=False)
        self.assertFalse(invoice.settlement_credit_block)
        invoice.with_user(self.billing_user).action_post()
        self.assertEqual(invoice.state, "posted")

    def test_every_posting_path_is_blocked(self):
        self._set_policy("limit")
        by_button = self._invoice(self.customer, 500.0, post=False)
        with self.assertRaises(UserError):
            by_button.with_user(self.billing_user).action_post()
        by_list_action = self._invoice(self.customer, 500.0, post=False)
        wizard = (
            self.env["validate.account.move"]
            .with_user(self.billing_user)
            .with_context(active_model="account.move", active_ids=by_list_action.ids)
            .create({})
        )
        with self.assertRaises(UserError):
            wizard.validate_move()
        by_rpc = self._invoice(self.customer, 500.0, post=False)
        with self.assertRaises(UserError):
            by_rpc.with_user(self.controller)._post(soft=False)
        autoposted = self._invoice(
            self.customer, 500.0, post=False, auto_post="at_date"
        )
        autoposted.checked = True
        self.env["account.move"]._autopost_draft_entries()
        for move in (by_button, by_list_action, by_rpc, autoposted):
            self.assertEqual(move.state, "draft")

    def test_company_default_limit_applies_to_customers_without_their_own(self):
        """Core's "Default Credit Limit" setting is the limit of every customer
        that has none of its own: the form, the filter and the block agree."""
        self._set_policy("limit")
        settings = self.env["res.config.settings"].create(
            {"account_use_credit_limit": True, "account_default_credit_limit": 500.0}
        )
        settings.execute()
        self.assertEqual(self.other_customer.credit_limit, 500.0)
        self._invoice(self.other_customer, 400.0)
        invoice = self._invoice(self.other_customer, 150.0, post=False)
        # 400 posted + 150 = 550 over the default 500
        self.assertIn("550.00", invoice.settlement_credit_block)
        with self.assertRaises(UserError) as caught:
            invoice.with_user(self.billing_user).action_post()
        self.assertIn("500.00", str(caught.exception))
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(self.other_customer.settlement_available_credit, -50.0)
        self.assertTrue(self.other_customer.settlement_over_limit)
        # the customer's own limit wins over the default
        self.assertEqual(self.customer.credit_limit, 1000.0)
        own = self._invoice(self.customer, 150.0, post=False)
        own.with_user(self.billing_user).action_post()
        self.assertEqual(own.state, "posted")

    def test_partner_policy_overrides_company(self):
        self._set_policy("warn")
        self.customer.settlement_credit_policy = "limit"
        invoice = self._invoice(self.customer, 500.0, post=False)
        with self.assertRaises(UserError):
            invoice.action_post()
        self.customer.settlement_credit_policy = False
        self.other_customer.settlement_credit_policy = "limit"
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_manual_hold_blocks_under_any_policy_until_released(self):
        self._set_policy("warn")
        hold = (
            self.env["settlement.credit.hold"]
            .with_user(self.controller)
            .create({"partner_id": self.customer.id, "reason": "Cheque bounced"})
        )
        self.assertTrue(self.customer_contact.settlement_on_hold)
        invoice = self._invoice(self.customer_contact, 10.0, post=False)
        with self.assertRaisesRegex(UserError, "Cheque bounced"):
            invoice.action_post()
        with self.assertRaises(UserError):
            hold.with_user(self.controller)._release(" ")
        hold.with_user(self.controller)._release("Cheque cleared")
        self.assertEqual(hold.released_user_id, self.controller)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertIn("Cheque cleared", self.customer.message_ids.mapped("body")[0])

    def test_hold_input_is_validated(self):
        Hold = self.env["settlement.credit.hold"].with_user(self.controller)
        with self.assertRaises(UserError):
            Hold.create({"partner_id": self.customer.id, "reason": "  "})
        with self.assertRaises(UserError):
            Hold.create({"partner_id": self.customer_contact.id, "reason": "contact"})
        Hold.create({"partner_id": self.customer.id, "reason": "first"})
        with self.assertRaisesRegex(UserError, "already on hold"):
            Hold.create({"partner_id": self.customer.id, "reason": "second"})
        self.assertEqual(Hold.search_count([("partner_id", "=", self.customer.id)]), 1)
        with self.assertRaises(AccessError):
            self.env["settlement.credit.hold"].with_user(self.billing_user).create(
                {"partner_id": self.other_customer.id, "reason": "not allowed"}
            )

    def test_overdue_policy_blocks_old_items(self):
        self._set_policy("limit_overdue", overdue_days=30)
        self._invoice(self.other_customer, 100.0, days_old=80, due_days=30)
        invoice = self._invoice(self.other_customer, 10.0, post=False)
        with self.assertRaisesRegex(UserError, "overdue by 50 days"):
            invoice.action_post()
        self.env.company.settlement_overdue_days = 60
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")


@tagged("post_install", "-at_install")
class TestCreditOverride(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_policy("limit")
        cls.customer.credit_limit = 1000.0
        cls._invoice(cls.customer, 900.0)

    def _grant(self, invoices, reason, user=None):
        wizard = Form(
            self.env["settlement.credit.override.grant"]
            .with_user(user or self.controller)
            .with_context(default_move_ids=invoices.ids)
        )
        wizard.reason = reason
        return wizard.save()

    def test_controller_overrides_with_a_reason_and_it_is_logged(self):
        invoice = self._invoice(self.customer, 400.0, post=False)
        wizard = self._grant(invoice, "Paid by wire today, awaiting bank")
        self.assertIn("1,300.00", wizard.block_message)
        wizard.action_confirm()

        self.assertEqual(invoice.state, "posted")
        override = invoice.settlement_override_ids
        self.assertEqual(override.user_id, self.controller)
        self.assertEqual(override.amount, 400.0)
        self.assertEqual(override.credit_limit, 1000.0)
        self.assertEqual(override.exposure, 1300.0)
        self.assertIn("Paid by wire", invoice.message_ids[0].body)
        self.assertIn(invoice.name, self.customer.message_ids[0].body)
        self.assertEqual(self.customer.settlement_override_count, 1)
        with self.assertRaises(UserError):
            override.with_user(self.controller).sudo().unlink()

    def test_override_needs_reason_and_controller(self):
        invoice = self._invoice(self.customer, 400.0, post=False)
        with self.assertRaises(UserError):
            self._grant(invoice, "   ").action_confirm()
        with self.assertRaises(AccessError):
            self._grant(invoice, "I am billing", user=self.billing_user)
        self.assertFalse(invoice.sudo().settlement_override_ids)
        self.assertEqual(invoice.state, "draft")

    def test_override_does_not_cover_a_larger_amount(self):
        invoice = self._invoice(self.customer, 400.0, post=False)
        self._grant(invoice, "one-off").action_confirm()
        invoice.button_draft()
        invoice.invoice_line_ids.price_unit = 600.0
        with self.assertRaises(UserError):
            invoice.action_post()
        invoice.invoice_line_ids.price_unit = 350.0
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_credit_check_query_count_does_not_grow_with_history(self):
        small = self.env["res.partner"].create(
            {"name": "Small History", "credit_limit": 10}
        )
        large = self.env["res.partner"].create(
            {"name": "Large History", "credit_limit": 10}
        )
        self._invoice(small, 5.0)
        for _index in range(25):
            self._invoice(large, 5.0)
        invoices = [
            self._invoice(partner, 100.0, post=False) for partner in (small, large)
        ]
        self.env.flush_all()
        counts = []
        for _round in range(2):  # the first round also fills Odoo's ormcaches
            counts = []
            for invoice in invoices:
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                messages = invoice._settlement_credit_block_messages()
                counts.append(self.env.cr.sql_log_count - before)
                self.assertIn(invoice.id, messages)
        self.assertEqual(counts[0], counts[1])
        invoice = self._invoice(large, 100.0, post=False)
        self.env.flush_all()
        invoice._settlement_credit_block_messages()
        self.env.invalidate_all()
        # Cold cache and a blocked invoice: the invoice, customer, company and
        # currency reads for the explanation, one query for the figures, one for
        # confirmed sales, one for overrides.
        with self.assertQueryCount(10):
            invoice._settlement_credit_block_messages()

    def test_credit_check_costs_at_most_two_queries_on_posting(self):
        def posting_queries(invoice, check):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            (
                invoice
                if check
                else invoice.with_context(**credit_check_done_context())
            ).action_post()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        # Under each policy, with and without a limit (not exceeded): holds,
        # exposure, overdue, disputes and drafts come in one query, confirmed
        # sales (settlement_mgmt_sale) in one more.
        for policy, limit in (
            ("warn", 500.0),
            ("limit", 0.0),
            ("limit", 100000.0),
            ("limit_overdue", 100000.0),
        ):
            with self.subTest(policy=policy, limit=limit):
                self._set_policy(policy)
                self.customer.credit_limit = limit
                invoices = [
                    self._invoice(self.customer, 100.0, post=False) for _i in range(4)
                ]
                # Warm Odoo's caches on both paths first.
                posting_queries(invoices[0], check=True)
                posting_queries(invoices[1], check=False)
                unchecked = posting_queries(invoices[2], check=False)
                checked = posting_queries(invoices[3], check=True)
                self.assertLessEqual(checked - unchecked, 2)
