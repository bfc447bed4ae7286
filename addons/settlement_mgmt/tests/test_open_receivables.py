import ast

from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestOpenReceivables(AccountTestInvoicingCommon):
    """'Open Receivables' lists exactly what customers still owe or are owed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.action = cls.env.ref(
            "settlement_mgmt.account_move_line_action_settlement_open"
        )

    def _open_lines(self):
        domain = ast.literal_eval(self.action.domain)
        partners = self.partner_a | self.partner_b
        return self.env["account.move.line"].search(
            [*domain, ("partner_id", "in", partners.ids)]
        )

    def test_lists_unpaid_and_partial_invoices_and_open_credits_only(self):
        paid = self.init_invoice("out_invoice", amounts=[500.0], post=True)
        partial = self.init_invoice("out_invoice", amounts=[1000.0], post=True)
        unpaid = self.init_invoice(
            "out_invoice", partner=self.partner_b, amounts=[300.0], post=True
        )
        self.init_invoice("out_invoice", amounts=[700.0])  # draft: not owed yet
        refund = self.init_invoice(
            "out_refund", partner=self.partner_b, amounts=[40.0], post=True
        )
        self.init_invoice(
            "in_invoice", amounts=[900.0], post=True
        )  # vendor bill: payable
        for invoice, amount in ((paid, paid.amount_total), (partial, 250.0)):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount})._create_payments()

        lines = self._open_lines()

        self.assertEqual(lines.move_id, partial | unpaid | refund)
        residuals = dict.fromkeys(lines.move_id, 0.0)
        for line in lines:  # partner_b's payment term splits invoices in two
            residuals[line.move_id] += line.amount_residual
        self.assertAlmostEqual(residuals[partial], partial.amount_total - 250.0)
        self.assertAlmostEqual(residuals[unpaid], unpaid.amount_total)
        self.assertAlmostEqual(residuals[refund], -refund.amount_total)

    def test_each_instalment_of_a_multi_line_term_is_its_own_item(self):
        invoice = self.init_invoice("out_invoice", amounts=[1000.0])
        invoice.invoice_payment_term_id = self.env.ref(
            "account.account_payment_term_advance_60days"
        )
        invoice.action_post()

        lines = self._open_lines()

        self.assertEqual(len(lines), 2)
        self.assertEqual(len(set(lines.mapped("date_maturity"))), 2)
        self.assertAlmostEqual(
            sum(lines.mapped("amount_residual")), invoice.amount_total
        )
