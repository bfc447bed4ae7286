import io
import re
from datetime import date, timedelta

import openpyxl

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

from .common import SettlementCommon

INVOICE_DATE = date(2026, 1, 1)
# 3 % within 7 days (until 8 Jan), 1.5 % within 15 days (until 16 Jan), net 30.
TIER_1_LAST, TIER_2_LAST = date(2026, 1, 8), date(2026, 1, 16)


@tagged("post_install", "-at_install")
class TestDiscountTiers(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_15 = cls.env["account.tax"].create(
            {"name": "Tax 15%", "amount": 15.0, "type_tax_use": "sale"}
        )
        cls.terms = {
            computation: cls._tiered_term(computation)
            for computation in ("included", "excluded", "mixed")
        }
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])
        cls.loss_account = (
            cls.env.company.account_journal_early_pay_discount_loss_account_id
        )

    @classmethod
    def _tiered_term(cls, computation):
        return cls.env["account.payment.term"].create(
            {
                "name": f"3% 7 days, 1.5% 15 days, net 30 ({computation})",
                "early_discount": True,
                "discount_percentage": 3.0,
                "discount_days": 7,
                "early_pay_discount_computation": computation,
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

    def _tiered_invoice(
        self, computation="excluded", amount=1000.0, invoice_date=INVOICE_DATE, **values
    ):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": self.terms[computation].id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Goods",
                            "price_unit": amount,
                            "tax_ids": [Command.set(self.tax_15.ids)],
                        }
                    )
                ],
                **values,
            }
        )
        invoice.with_context(**credit_check_done_context()).action_post()
        return invoice

    def _register(self, invoices, payment_date, **values):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"payment_date": payment_date, **values})
        )

    def _discount_lines(self, payment):
        return payment.move_id.line_ids.filtered(
            lambda line: line.display_type == "epd"
        )

    # ------------------------------------------------------------------

    def test_tiers_are_frozen_when_posting_for_each_tax_computation(self):
        # (computation): (total, to pay in tier 1, to pay in tier 2), by hand:
        # excluded: 1150 - 3 % / 1.5 % of 1000; included: 97 % / 98.5 % of 1150;
        # mixed: the tax is already on 970 (145.50), then as excluded.
        expected = {
            "excluded": (1150.0, 1120.0, 1135.0),
            "included": (1150.0, 1115.5, 1132.75),
            "mixed": (1145.5, 1115.5, 1130.5),
        }
        for computation, (total, first, second) in expected.items():
            with self.subTest(computation=computation):
                invoice = self._tiered_invoice(computation)
                self.assertAlmostEqual(invoice.amount_total, total)
                tiers = invoice.settlement_discount_ids
                self.assertEqual(
                    tiers.mapped("discount_date"), [TIER_1_LAST, TIER_2_LAST]
                )
                self.assertEqual(tiers.mapped("discount_percentage"), [3.0, 1.5])
                self.assertEqual(tiers.mapped("amount_currency"), [first, second])
                self.assertEqual(
                    tiers.mapped("saving_amount"),
                    [round(total - first, 2), round(total - second, 2)],
                )
                term_line = invoice.line_ids.filtered(
                    lambda line: line.display_type == "payment_term"
                )
                # Our first tier is core's own discount, untouched.
                self.assertEqual(term_line.discount_amount_currency, first)
                self.assertEqual(term_line.discount_date, TIER_1_LAST)

    def test_each_tier_boundary_in_the_register_payment_wizard(self):
        # Day before, on and after each tier's last day.
        cases = (
            (TIER_1_LAST - timedelta(days=1), 1120.0),
            (TIER_1_LAST, 1120.0),
            (TIER_1_LAST + timedelta(days=1), 1135.0),
            (TIER_2_LAST - timedelta(days=1), 1135.0),
            (TIER_2_LAST, 1135.0),
            (TIER_2_LAST + timedelta(days=1), 1150.0),
        )
        for payment_date, proposed in cases:
            with self.subTest(payment_date=payment_date):
                invoice = self._tiered_invoice("excluded")
                wizard = self._register(invoice, payment_date)
                self.assertEqual(wizard.amount, proposed)
                payment = wizard._create_payments()
                self.assertEqual(invoice.amount_residual, 0.0)
                discount = sum(self._discount_lines(payment).mapped("balance"))
                self.assertAlmostEqual(discount, 1150.0 - proposed)

    def test_second_tier_splits_base_and_tax_when_tax_is_included(self):
        invoice = self._tiered_invoice("included")
        payment = self._register(invoice, TIER_2_LAST)._create_payments()
        lines = self._discount_lines(payment)
        base = lines.filtered(lambda line: line.account_id == self.loss_account)
        tax = lines.filtered("tax_repartition_line_id")
        # 1.5 % of 1000 untaxed and of 150 tax.
        self.assertAlmostEqual(sum(base.mapped("balance")), 15.0)
        self.assertAlmostEqual(sum(tax.mapped("balance")), 2.25)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(payment.amount, 1132.75)

    def test_foreign_currency_invoice_in_the_second_tier(self):
        invoice = self._tiered_invoice("excluded", currency_id=self.eur.id)
        wizard = self._register(invoice, TIER_2_LAST, currency_id=self.eur.id)
        self.assertEqual(wizard.amount, 1135.0)
        payment = wizard._create_payments()
        lines = self._discount_lines(payment)
        self.assertAlmostEqual(sum(lines.mapped("amount_currency")), 15.0)
        # 2 EUR for 1 USD.
        self.assertAlmostEqual(sum(lines.mapped("balance")), 7.5)
        self.assertEqual(invoice.amount_residual, 0.0)
        tier = invoice.settlement_discount_ids[1]
        self.assertEqual((tier.balance, tier.saving_balance), (567.5, 7.5))

    def test_partial_payment_gets_no_discount(self):
        invoice = self._tiered_invoice("excluded")
        payment = self._register(invoice, TIER_1_LAST, amount=500.0)._create_payments()
        self.assertFalse(self._discount_lines(payment))
        self.assertEqual(invoice.amount_residual, 650.0)
        # Once partly paid, no tier applies any more (as in core).
        self.assertFalse(
            invoice._is_eligible_for_early_payment_discount(
                invoice.currency_id, TIER_2_LAST
            )
        )
        self.assertEqual(self._register(invoice, TIER_2_LAST).amount, 650.0)

    def test_batch_payment_of_invoices_in_different_tiers(self):
        for group_payment in (True, False):
            with self.subTest(group_payment=group_payment):
                # On 12 Jan: the first is in its second tier, the second (dated
                # 10 Jan) in its first, the third (dated 20 Dec) past all tiers.
                older = self._tiered_invoice("excluded")
                newer = self._tiered_invoice(
                    "excluded", amount=2000.0, invoice_date=date(2026, 1, 10)
                )
                oldest = self._tiered_invoice(
                    "excluded", amount=100.0, invoice_date=date(2025, 12, 20)
                )
                invoices = older + newer + oldest
                wizard = self._register(
                    invoices, date(2026, 1, 12), group_payment=group_payment
                )
                payments = wizard._create_payments()
                self.assertEqual(
                    sum(payments.mapped("amount")), 1135.0 + 2240.0 + 115.0
                )
                self.assertEqual(set(invoices.mapped("amount_residual")), {0.0})
                discount = sum(
                    sum(self._discount_lines(payment).mapped("balance"))
                    for payment in payments
                )
                self.assertAlmostEqual(discount, 15.0 + 60.0)

    def test_matching_a_payment_of_the_tier_amount_books_the_discount(self):
        invoice = self._tiered_invoice("excluded")
        exact, short = self.env["account.payment"].create(
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": amount,
                    "date": TIER_2_LAST,
                }
                for amount in (1135.0, 1000.0)
            ]
        )
        (exact + short).action_post()

        def receivable(payment):
            return payment.move_id.line_ids.filtered(
                lambda line: line.account_id
                == invoice.line_ids.filtered(
                    lambda line: line.display_type == "payment_term"
                ).account_id
            )

        # Not the tier's amount: a plain partial payment.
        other = self._tiered_invoice("excluded")
        moves_before = self.env["account.move"].search_count([])
        other.js_assign_outstanding_line(receivable(short).id)
        self.assertEqual(other.amount_residual, 150.0)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

        invoice.js_assign_outstanding_line(receivable(exact).id)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        entry = self.env["account.move"].search(
            [("ref", "ilike", invoice.name), ("move_type", "=", "entry")]
        )
        self.assertEqual(entry.state, "posted")
        loss = entry.line_ids.filtered(
            lambda line: line.account_id == self.loss_account
        )
        self.assertAlmostEqual(sum(loss.mapped("debit")), 15.0)
        analysis = self.env["settlement.discount.analysis"].search(
            [("move_id", "=", invoice.id)]
        )
        self.assertEqual(
            (analysis.state, analysis.taken_tier, analysis.taken_amount),
            ("taken", 2, 15.0),
        )

    def test_tier_validation_writes_nothing(self):
        term = self.terms["excluded"]
        bad_tiers = (
            (1.5, 7),  # not more days than core's tier
            (3.0, 15),  # not a smaller percentage
            (0.0, 15),
            (-1.0, 15),
            (100.0, 15),
        )
        for percentage, days in bad_tiers:
            with self.subTest(percentage=percentage, days=days):
                with self.assertRaises(ValidationError), self.cr.savepoint():
                    term.write(
                        {
                            "settlement_discount_tier_ids": [
                                Command.create(
                                    {
                                        "discount_percentage": percentage,
                                        "discount_days": days,
                                    }
                                )
                            ]
                        }
                    )
                self.assertEqual(len(term.settlement_discount_tier_ids), 1)
        with self.assertRaisesRegex(ValidationError, "early payment discount"):
            self.env["account.payment.term"].create(
                {
                    "name": "tiers without discount",
                    "line_ids": [
                        Command.create(
                            {"value": "percent", "value_amount": 100, "nb_days": 30}
                        )
                    ],
                    "settlement_discount_tier_ids": [
                        Command.create({"discount_percentage": 1.0, "discount_days": 9})
                    ],
                }
            )

    def test_offer_on_invoice_statement_items_reminders_and_pdf(self):
        # Dated 10 days ago: core's tier ended, ours runs 5 more days.
        invoice = self._tiered_invoice(
            "excluded", invoice_date=self.today - timedelta(days=10)
        )
        second = invoice.settlement_discount_ids[1]
        self.assertEqual(second.discount_date, self.today + timedelta(days=5))
        self.assertIn("1,135.00", invoice.settlement_discount_offer)
        self.assertIn("15.00", invoice.settlement_discount_offer)
        Item = self.env["settlement.receivable.item"]
        Item._flush_sources()
        item = Item.search([("move_id", "=", invoice.id)])
        self.assertEqual(
            (item.discount_date, item.discount_amount_currency),
            (second.discount_date, 1135.0),
        )
        # A courtesy run on the tier's last day offers it; the day after, nothing.
        self.env.company.settlement_dunning_policy_id = self.env[
            "settlement.dunning.policy"
        ].create(
            {
                "name": "Courtesy a month ahead",
                "level_ids": [Command.create({"name": "Courtesy", "days": -30})],
            }
        )
        Engine = self.env["settlement.dunning.engine"]
        for run_day, offered in (
            (second.discount_date, (second.discount_date, 1135.0)),
            (second.discount_date + timedelta(days=1), (None, None)),
        ):
            rows = Engine._dunning_item_rows(
                self.env.company, run_day, partners=self.customer
            )
            row = next(row for row in rows if row.move_id == invoice.id)
            running = row.discount_date and row.discount_date >= run_day
            self.assertEqual(
                (row.discount_date, row.discount_amount_currency)
                if running
                else (None, None),
                offered,
            )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.report_invoice", invoice.ids)[0]
            .decode()
        )
        self.assertIn("settlement_discount_tiers", html)
        # The running tier's sentence; its amounts printed as separate number
        # and sign blocks (readable in right-to-left PDFs).
        tiers = re.sub(r"<[^>]+>", "", html.split('id="settlement_discount_tiers"')[1])
        tiers = re.sub(r"\s+", " ", tiers)
        self.assertRegex(tiers, r"Pay \$ 1,135\.00 by .+ to save \$ 15\.00")
        # Paid: no offer any more.
        self._register(invoice, self.today)._create_payments()
        invoice.invalidate_recordset(["settlement_discount_offer"])
        self.assertFalse(invoice.settlement_discount_offer)

    def test_reset_to_draft_offers_the_terms_again_when_reposted(self):
        invoice = self._tiered_invoice("excluded")
        invoice.button_draft()
        self.assertFalse(invoice.settlement_discount_ids)
        invoice.invoice_line_ids.price_unit = 2000.0
        invoice.action_post()
        self.assertEqual(
            invoice.settlement_discount_ids.mapped("amount_currency"), [2240.0, 2270.0]
        )

    def test_analysis_and_workbook(self):
        taken = self._tiered_invoice("excluded")
        self._register(taken, TIER_1_LAST)._create_payments()
        missed = self._tiered_invoice("excluded", amount=500.0)
        self._register(missed, TIER_2_LAST + timedelta(days=1))._create_payments()
        still_open = self._tiered_invoice(
            "excluded", amount=200.0, invoice_date=self.today
        )
        Analysis = self.env["settlement.discount.analysis"]
        rows = {
            row.move_id: row
            for row in Analysis.search(
                [("move_id", "in", (taken + missed + still_open).ids)]
            )
        }
        self.assertEqual(
            [
                (rows[m].state, rows[m].offered_amount, rows[m].taken_amount)
                for m in (taken, missed, still_open)
            ],
            [("taken", 30.0, 30.0), ("missed", 15.0, 0.0), ("open", 6.0, 0.0)],
        )
        wizard = self.env["settlement.register.export"].create(
            {
                "register": "discounts",
                "date_from": INVOICE_DATE,
                "date_to": INVOICE_DATE,
            }
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(wizard._export_content()))
        sheet = book.active
        header = [cell.value for cell in sheet[5]]
        data = [
            dict(zip(header, (cell.value for cell in row), strict=True))
            for row in sheet.iter_rows(min_row=6)
            if row[0].value in (taken.name, missed.name)
        ]
        self.assertEqual(len(data), 2)
        self.assertEqual(sorted(row["Discount Taken"] for row in data), [0.0, 30.0])
        self.assertIsInstance(data[0]["Invoice Date"], fields.datetime)
        self.assertEqual(sheet.cell(5, 1).value, "Invoice")
