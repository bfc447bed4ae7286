"""The journal of early payment discount entries is a company setting: the
entry booked when a payment of a tier's discounted amount is matched on the
invoice goes where the settings say, never to another company's journal."""

from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

from .common import SettlementCommon
from .rpc import JsonRpcMixin

INVOICE_DATE = date(2026, 1, 1)
# 3 % within 7 days, 1.5 % within 15 days (until 16 Jan), net 30.
TIER_2_LAST = date(2026, 1, 16)


class DiscountJournalCommon(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term = cls.env["account.payment.term"].create(
            {
                "name": "3% 7 days, 1.5% 15 days, net 30",
                "early_discount": True,
                "discount_percentage": 3.0,
                "discount_days": 7,
                "early_pay_discount_computation": "excluded",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 30}
                    )
                ],
                "settlement_discount_tier_ids": [
                    Command.create({"discount_percentage": 1.5, "discount_days": 15})
                ],
            }
        )
        cls.discount_journal = cls.env["account.journal"].create(
            {"name": "Early Discounts", "code": "EDSC", "type": "general"}
        )
        cls.loss_account = (
            cls.env.company.account_journal_early_pay_discount_loss_account_id
        )

    def _invoice_of_1000(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": INVOICE_DATE,
                "invoice_payment_term_id": self.term.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Goods",
                            "price_unit": 1000.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        invoice.with_context(**credit_check_done_context()).action_post()
        return invoice

    def _payment_line(self, amount, payment_date):
        """The receivable line of a posted customer payment, as the invoice's
        outstanding credits widget offers it."""
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": amount,
                "date": payment_date,
            }
        )
        payment.action_post()
        return payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def _discount_entry(self, invoice):
        return self.env["account.move"].search(
            [("ref", "ilike", invoice.name), ("move_type", "=", "entry")]
        )


@tagged("post_install", "-at_install")
class TestDiscountJournal(DiscountJournalCommon):
    def _set_in_settings(self, journal):
        settings = Form(self.env["res.config.settings"])
        settings.settlement_discount_journal_id = journal
        settings.save().execute()

    def _match_tier_2_payment(self, invoice):
        # 1000 untaxed, 1.5 % in the second tier: 985 settles it on 16 Jan.
        line = self._payment_line(985.0, TIER_2_LAST)
        invoice.with_user(self.billing_user).js_assign_outstanding_line(line.id)

    def test_write_off_lands_in_the_journal_chosen_in_settings(self):
        self._set_in_settings(self.discount_journal)
        self.assertEqual(
            self.env.company.settlement_discount_journal_id, self.discount_journal
        )
        invoice = self._invoice_of_1000()
        self._match_tier_2_payment(invoice)
        self.assertEqual(invoice.amount_residual, 0.0)
        entry = self._discount_entry(invoice)
        self.assertEqual(entry.journal_id, self.discount_journal)
        self.assertEqual(entry.state, "posted")
        loss = entry.line_ids.filtered(
            lambda line: line.account_id == self.loss_account
        )
        self.assertAlmostEqual(sum(loss.mapped("debit")), 15.0)

    def test_without_a_setting_the_company_misc_journal_is_used(self):
        self.assertFalse(self.env.company.settlement_discount_journal_id)
        invoice = self._invoice_of_1000()
        self._match_tier_2_payment(invoice)
        self.assertEqual(
            self._discount_entry(invoice).journal_id,
            self.company_data["default_journal_misc"],
        )

    def test_another_company_journal_or_a_sales_journal_is_refused(self):
        other_misc = self.setup_other_company()["default_journal_misc"]
        sales = self.company_data["default_journal_sale"]
        for journal in (other_misc, sales):
            with self.subTest(journal=journal.display_name):
                with (
                    self.assertRaises(ValidationError) as caught,
                    self.env.cr.savepoint(),
                ):
                    self._set_in_settings(journal)
                message = str(caught.exception)
                self.assertIn(journal.display_name, message)
                self.assertIn(self.env.company.display_name, message)
                self.assertIn("miscellaneous journal", message)
                self.env.company.invalidate_recordset()
                self.assertFalse(self.env.company.settlement_discount_journal_id)

    def test_no_journal_at_all_is_a_clear_error_and_nothing_is_booked(self):
        invoice = self._invoice_of_1000()
        line = self._payment_line(985.0, TIER_2_LAST)
        self.env["account.journal"].search(
            [("company_id", "=", self.env.company.id), ("type", "=", "general")]
        ).action_archive()
        moves_before = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "no journal for early payment"):
            invoice.with_user(self.billing_user).js_assign_outstanding_line(line.id)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertEqual(invoice.amount_residual, 1000.0)


@tagged("post_install", "-at_install")
class TestDiscountJournalRights(JsonRpcMixin, DiscountJournalCommon, HttpCase):
    def test_internal_user_without_settlement_group_cannot_change_it(self):
        company = self.env.company
        values = {"settlement_discount_journal_id": self.discount_journal.id}
        for model, method, args in (
            (
                "res.company",
                "write",
                [company.ids, values],
            ),
            ("res.config.settings", "create", [values]),
        ):
            with self.subTest(model=model):
                answer = self.rpc("sm_billing", model, method, args)
                self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
                company.invalidate_recordset()
                self.assertFalse(company.settlement_discount_journal_id)
