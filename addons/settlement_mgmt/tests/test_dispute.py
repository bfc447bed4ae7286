from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestDispute(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason = cls.env.ref("settlement_mgmt.dispute_reason_price")
        cls.invoice = cls._invoice(cls.customer, 1000.0)

    def _dispute(self, amount, invoice=None, **values):
        return self.env["settlement.dispute"].create(
            {
                "move_id": (invoice or self.invoice).id,
                "reason_id": self.reason.id,
                "amount": amount,
                **values,
            }
        )

    def _resolve(self, dispute, action, amount=None, note=None):
        wizard = Form(
            self.env["settlement.dispute.resolve"]
            .with_user(self.controller)
            .with_context(default_dispute_id=dispute.id, default_action=action)
        )
        if amount is not None:
            wizard.amount = amount
        if note is not None:
            wizard.note = note
        return wizard.save().action_confirm()

    def test_creation_numbers_flags_the_invoice_and_schedules_review(self):
        dispute = self._dispute(400.0, user_id=self.controller.id)
        self.assertTrue(dispute.name.startswith("DSP/"))
        self.assertEqual(dispute.partner_id, self.customer)
        self.assertEqual(dispute.date_deadline, self.today + timedelta(days=10))
        self.assertTrue(self.invoice.settlement_is_disputed)
        self.assertEqual(self.invoice.settlement_disputed_amount, 400.0)
        self.assertIn(
            self.invoice,
            self.env["account.move"].search([("settlement_is_disputed", "=", True)]),
        )
        self.assertEqual(dispute.activity_ids.user_id, self.controller)
        self.assertIn(dispute.name, self.invoice.message_ids[0].body)

    def test_amount_validation_writes_nothing(self):
        self._pay(self.invoice, 300.0)
        cases = [(0.0, "positive"), (-5.0, "positive"), (700.01, "more than")]
        for amount, message in cases:
            with (
                self.subTest(amount=amount),
                self.assertRaisesRegex(ValidationError, message),
            ):
                with self.env.cr.savepoint():
                    self._dispute(amount)
        self._dispute(500.0)
        with self.assertRaisesRegex(ValidationError, "already disputed"):
            with self.env.cr.savepoint():
                self._dispute(200.01)
        self.assertEqual(self.env["settlement.dispute"].search_count([]), 1)

    def test_only_posted_customer_invoices(self):
        draft = self._invoice(self.customer, 100.0, post=False)
        bill = self._invoice(self.customer, 100.0, move_type="in_invoice")
        for move in (draft, bill):
            with self.subTest(move=move.move_type), self.assertRaises(ValidationError):
                with self.env.cr.savepoint():
                    self._dispute(10.0, invoice=move)

    def test_partial_acceptance_posts_and_reconciles_a_credit_note(self):
        dispute = self._dispute(400.0)
        dispute.action_review()
        self._resolve(dispute, "accept", amount=250.0, note="Price list error")
        credit_note = dispute.credit_note_id
        self.assertEqual(dispute.state, "accepted")
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        self.assertAlmostEqual(credit_note.amount_total, 250.0)
        self.assertEqual(dispute.accepted_amount, 250.0)
        self.assertEqual(credit_note.payment_state, "paid")
        self.assertAlmostEqual(self.invoice.amount_residual, 750.0)
        self.assertFalse(self.invoice.settlement_is_disputed)
        self.assertTrue(dispute.date_resolved)

    def test_partial_acceptance_with_taxes_scales_every_line(self):
        tax = self.company_data["default_tax_sale"]
        invoice = self._invoice(self.customer, 1000.0, post=False)
        invoice.invoice_line_ids.tax_ids = tax
        invoice.with_context(**credit_check_done_context()).action_post()
        dispute = self._dispute(invoice.amount_total / 2, invoice=invoice)
        self._resolve(dispute, "accept")
        self.assertAlmostEqual(
            dispute.credit_note_id.amount_total, invoice.amount_total / 2
        )
        self.assertAlmostEqual(
            dispute.credit_note_id.amount_tax, invoice.amount_tax / 2
        )
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total / 2)

    def test_full_acceptance_settles_the_invoice(self):
        dispute = self._dispute(1000.0)
        self._resolve(dispute, "accept")
        self.assertEqual(self.invoice.payment_state, "reversed")

    # ------------------------------------------------------------------
    # Exact figures: the credit note is the accepted amount to the cent
    # ------------------------------------------------------------------

    def _taxes(self):
        """Sale taxes of 15 % and 5 %, each in its own tax group."""
        return self.env["account.tax"].create(
            [
                {
                    "name": f"VAT {rate}%",
                    "amount": rate,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "tax_group_id": self.env["account.tax.group"]
                    .create({"name": f"VAT {rate}%"})
                    .id,
                }
                for rate in (15.0, 5.0)
            ]
        )

    def _taxed_invoice(self, lines, **values):
        """A posted invoice of ``lines``: (unit price, quantity, taxes)."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": f"Goods {index}",
                            "price_unit": price,
                            "quantity": quantity,
                            "tax_ids": [Command.set(taxes.ids)],
                        }
                    )
                    for index, (price, quantity, taxes) in enumerate(lines)
                ],
                **values,
            }
        )
        invoice.with_context(**credit_check_done_context()).action_post()
        return invoice

    def _accepted(self, invoice, amount, accept=None):
        """Dispute ``amount`` of ``invoice``, review it and accept ``accept``
        (all of it by default) with the wizard, as a credit controller."""
        dispute = self._dispute(amount, invoice=invoice)
        dispute.with_user(self.controller).action_review()
        self._resolve(dispute, "accept", amount=accept)
        return dispute, dispute.credit_note_id

    def test_accepting_the_rest_of_a_part_paid_invoice_settles_it(self):
        vat15 = self._taxes()[0]
        invoice = self._taxed_invoice([(1000.0, 1.0, vat15)])
        self.assertEqual(invoice.amount_total, 1150.0)
        self._pay(invoice, 150.0)
        dispute, credit_note = self._accepted(invoice, 1000.0)
        self.assertEqual(credit_note.amount_total, 1000.0)
        # 1,000 / 1.15 = 869.565...: 869.56 + 130.44 or 869.57 + 130.43, the
        # tax within a cent of 15 % of the base.
        self.assertIn(credit_note.amount_untaxed, (869.56, 869.57))
        self.assertEqual(
            round(credit_note.amount_untaxed + credit_note.amount_tax, 2), 1000.0
        )
        self.assertLessEqual(
            abs(credit_note.amount_tax - credit_note.amount_untaxed * 0.15), 0.01
        )
        self.assertEqual(dispute.accepted_amount, 1000.0)
        self.assertIn("1,000.00", dispute.message_ids[0].body)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_residual, 0.0)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        # Nothing left open on the customer's account.
        open_lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", self.customer.id),
                ("account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("parent_state", "=", "posted"),
                ("move_id", "in", (invoice | credit_note).ids),
            ]
        )
        self.assertFalse(open_lines)

    def test_partial_acceptance_of_a_two_line_invoice(self):
        vat15 = self._taxes()[0]
        # accepted, left to pay, the two lines credited in proportion (of 600
        # and of 400, accepted / 1,150), give or take the cent put on the
        # largest line
        cases = (
            (400.0, 750.0, 208.70, 139.13),
            (500.0, 650.0, 260.87, 173.91),
            (600.0, 550.0, 313.04, 208.70),
        )
        for accepted, left, large, small in cases:
            with self.subTest(accepted=accepted):
                invoice = self._taxed_invoice(
                    [(600.0, 1.0, vat15), (400.0, 1.0, vat15)]
                )
                self.assertEqual(invoice.amount_total, 1150.0)
                dispute, credit_note = self._accepted(invoice, 700.0, accept=accepted)
                self.assertEqual(credit_note.amount_total, accepted)
                self.assertEqual(dispute.accepted_amount, accepted)
                self.assertEqual(invoice.amount_residual, left)
                lines = credit_note.invoice_line_ids.sorted("price_subtotal")
                self.assertEqual(lines.mapped("name"), ["Goods 1", "Goods 0"])
                self.assertAlmostEqual(lines[0].price_subtotal, small, places=2)
                self.assertAlmostEqual(lines[1].price_subtotal, large, delta=0.011)

    def test_partial_acceptance_of_three_units(self):
        vat15 = self._taxes()[0]
        invoice = self._taxed_invoice([(100.0, 3.0, vat15)])
        self.assertEqual(invoice.amount_total, 345.0)
        dispute, credit_note = self._accepted(invoice, 100.0)
        # 100 / 1.15 = 86.956...: 86.96 + 13.04 (13.044) is exactly 100.00;
        # no unit price of 3 units gives that base (86.94 or 86.97).
        self.assertEqual(credit_note.amount_total, 100.0)
        self.assertEqual(
            (credit_note.amount_untaxed, credit_note.amount_tax), (86.96, 13.04)
        )
        self.assertEqual(dispute.accepted_amount, 100.0)
        self.assertEqual(invoice.amount_residual, 245.0)

    def test_partial_acceptance_with_two_taxes(self):
        vat15, vat5 = self._taxes()
        # 500 + 75 tax, 300 + 15 tax: 890.
        invoice = self._taxed_invoice([(500.0, 1.0, vat15), (300.0, 1.0, vat5)])
        self.assertEqual(invoice.amount_total, 890.0)
        dispute, credit_note = self._accepted(invoice, 500.0)
        self.assertEqual(credit_note.amount_total, 500.0)
        self.assertEqual(dispute.accepted_amount, 500.0)
        self.assertEqual(invoice.amount_residual, 390.0)
        # Each tax in proportion: 500 / 890 of 75 (42.13) and of 15 (8.43).
        tax_lines = credit_note.line_ids.filtered("tax_line_id")
        by_tax = {line.tax_line_id: line.balance for line in tax_lines}
        self.assertAlmostEqual(by_tax[vat15], 42.13, delta=0.011)
        self.assertAlmostEqual(by_tax[vat5], 8.43, delta=0.011)

    def test_partial_acceptance_in_a_foreign_currency(self):
        vat15 = self._taxes()[0]
        # 1 company currency unit = 2 of the invoice's currency.
        currency = self.setup_other_currency("EUR", rates=[("1900-01-01", 2.0)])
        invoice = self._taxed_invoice([(1000.0, 1.0, vat15)], currency_id=currency.id)
        self.assertEqual(invoice.amount_total, 1150.0)
        dispute, credit_note = self._accepted(invoice, 1150.0, accept=1000.0)
        self.assertEqual(credit_note.currency_id, currency)
        self.assertEqual(credit_note.amount_total, 1000.0)
        self.assertEqual(credit_note.amount_total_signed, -500.0)
        self.assertEqual(dispute.accepted_amount, 1000.0)
        self.assertEqual(invoice.amount_residual, 150.0)
        self.assertEqual(invoice.amount_residual_signed, 75.0)

    def test_full_acceptance_of_a_taxed_invoice_reverses_it_exactly(self):
        vat15, vat5 = self._taxes()
        invoice = self._taxed_invoice([(333.33, 3.0, vat15), (100.0, 1.0, vat5)])
        # 999.99 + 150.00 (149.9985) and 100 + 5: 1,254.99.
        self.assertEqual(invoice.amount_total, 1254.99)
        dispute, credit_note = self._accepted(invoice, 1254.99)
        self.assertEqual(credit_note.amount_total, 1254.99)
        self.assertEqual(
            credit_note.invoice_line_ids.mapped(
                lambda line: (line.quantity, line.price_unit)
            ),
            [(3.0, 333.33), (1.0, 100.0)],
        )
        self.assertEqual(dispute.accepted_amount, 1254.99)
        self.assertEqual(invoice.payment_state, "reversed")

    def test_an_amount_unit_prices_cannot_reach_is_refused(self):
        # Unit prices have two decimals, the dinar three: 333.333 cannot be
        # credited on an untaxed line, 333.330 can.
        kwd = self.setup_other_currency("KWD", rates=[("1900-01-01", 1.0)])
        self.assertEqual(kwd.decimal_places, 3)
        invoice = self._taxed_invoice(
            [(1000.0, 1.0, self.env["account.tax"])], currency_id=kwd.id
        )
        dispute = self._dispute(1000.0, invoice=invoice)
        with self.assertRaisesRegex(UserError, "cannot be made"):
            # as the request's transaction, rolled back
            with self.env.cr.savepoint():
                self._resolve(dispute, "accept", amount=333.333)
        self.assertEqual(dispute.state, "new")
        self.assertFalse(invoice.reversal_move_ids)
        self._resolve(dispute, "accept", amount=333.33)
        self.assertEqual(dispute.credit_note_id.amount_total, 333.33)
        self.assertEqual(invoice.amount_residual, 666.67)

    def test_accepting_more_than_disputed_is_refused(self):
        dispute = self._dispute(100.0)
        with self.assertRaisesRegex(UserError, "cannot exceed"):
            self._resolve(dispute, "accept", amount=100.01)
        self.assertFalse(dispute.credit_note_id)
        self.assertEqual(dispute.state, "new")

    def test_rejection_needs_a_reason_and_tells_the_customer_in_its_language(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(["fa_IR"])
        self.customer.write({"lang": "fa_IR", "email": "ap@customer.example.com"})
        dispute = self._dispute(100.0)
        with self.assertRaises(UserError):
            self._resolve(dispute, "reject", note="  ")
        self.assertEqual(dispute.state, "new")
        self._resolve(dispute, "reject", note="The agreed price list applies.")
        self.assertEqual(dispute.state, "rejected")
        mail = dispute.message_ids.filtered(
            lambda message: self.customer in message.partner_ids
        )
        self.assertTrue(mail)
        self.assertIn("The agreed price list applies.", mail[0].body)
        self.assertRegex(str(mail[0].body), "[\u0600-\u06ff]")

    def test_reopen_and_close(self):
        dispute = self._dispute(100.0)
        self._resolve(dispute, "reject", note="No")
        dispute.action_close()
        self.assertEqual(dispute.state, "closed")
        with self.assertRaises(UserError):
            dispute.action_review()
        self._resolve(dispute, "reopen", note="New delivery note received")
        self.assertEqual(dispute.state, "under_review")
        self.assertEqual(dispute.reopen_reason, "New delivery note received")
        self.assertTrue(self.invoice.settlement_is_disputed)

    def test_the_open_filter_follows_the_workflow(self):
        """The *Open* filter and the form's editable fields read ``is_open``:
        new and under review are open, a rejected or closed one is not."""
        Dispute = self.env["settlement.dispute"]
        received = self._dispute(50.0)
        reviewed = self._dispute(60.0)
        reviewed.action_review()
        rejected = self._dispute(70.0)
        self._resolve(rejected, "reject", note="No")
        mine = Dispute.search([("id", "in", (received + reviewed + rejected).ids)])
        self.assertEqual(
            mine.filtered_domain([("is_open", "=", True)]), received + reviewed
        )
        self.assertEqual(
            Dispute.search([("id", "in", mine.ids), ("is_open", "=", False)]), rejected
        )
        self.assertEqual(
            Dispute.search([("id", "in", mine.ids), ("is_open", "!=", True)]), rejected
        )
        self.assertEqual(
            [dispute.is_open for dispute in (received, reviewed, rejected)],
            [True, True, False],
        )

    def test_description_html_is_sanitized(self):
        dispute = self._dispute(
            10.0,
            description='<p>Broken<script>alert("x")</script>'
            "<img src=x onerror=alert(1)></p>",
        )
        self.assertNotIn("<script", dispute.description)
        self.assertNotIn("onerror", dispute.description)
        self.assertIn("Broken", dispute.description)

    def test_open_disputes_leave_exposure_and_overdue_checks(self):
        self._set_policy("limit_overdue", overdue_days=30)
        old = self._invoice(self.other_customer, 600.0, days_old=90, due_days=30)
        self.assertEqual(self.other_customer.settlement_oldest_overdue_days, 60)
        dispute = self._dispute(600.0, invoice=old)
        # Recorded but not yet under review: still counted, shown as pending.
        self.other_customer.invalidate_recordset()
        self.assertEqual(self.other_customer.settlement_exposure, 600.0)
        self.assertEqual(self.other_customer.settlement_disputed_pending, 600.0)
        dispute.action_review()
        self.other_customer.invalidate_recordset()
        self.assertEqual(self.other_customer.settlement_disputed_pending, 0.0)
        self.assertEqual(self.other_customer.settlement_disputed_amount, 600.0)
        self.assertEqual(self.other_customer.settlement_exposure, 0.0)
        self.assertEqual(self.other_customer.settlement_overdue_amount, 0.0)
        Hold = self.env["settlement.credit.hold"]
        Hold._cron_settlement_credit_holds()
        self.assertFalse(Hold.search([("partner_id", "=", self.other_customer.id)]))
        self._resolve(dispute, "reject", note="Delivered and signed for")
        Hold._cron_settlement_credit_holds()
        self.assertTrue(Hold.search([("partner_id", "=", self.other_customer.id)]))

    def test_counting_disputes_in_exposure_is_configurable(self):
        self.env.company.settlement_exclude_disputed = False
        self._dispute(400.0)
        self.assertEqual(self.customer.settlement_exposure, 1000.0)

    def test_lost_disputes_lower_the_risk_score(self):
        Score = self.env["settlement.risk.score"]
        dispute = self._dispute(100.0)
        Score._recompute(self.env.company, self.customer)
        before = Score.search([("partner_id", "=", self.customer.id)]).score
        self._resolve(dispute, "reject", note="No")
        Score._recompute(self.env.company, self.customer)
        after = Score.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(after.lost_disputes, 1)
        self.assertEqual(after.dispute_penalty, 5.0)
        self.assertEqual(after.score, before - 5.0)

    def test_analysis_gives_the_disputed_share_of_invoicing(self):
        self._invoice(self.other_customer, 3000.0)
        dispute = self._dispute(400.0)
        self._resolve(dispute, "reject", note="No")
        self.env.flush_all()
        month = self.today.replace(day=1)
        row = self.env["settlement.dispute.analysis"].search(
            [("month", "=", month), ("company_id", "=", self.env.company.id)]
        )
        self.assertEqual(row.invoiced_amount, 4000.0)
        self.assertEqual(row.disputed_amount, 400.0)
        self.assertEqual(row.dispute_count, 1)
        self.assertAlmostEqual(row.disputed_share, 10.0)
        self.assertAlmostEqual(row.avg_resolution_days, dispute.resolution_days)
