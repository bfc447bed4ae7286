"""Paying several invoices at once from the portal (issue #25, item 3), over
HTTP as the portal customer, through Odoo's demo payment provider."""

import json
import re
from datetime import timedelta

from odoo import Command
from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from odoo.addons.payment.tests.http_common import PaymentHttpCommon

from .common import SettlementCommon

PAGE = "/my/invoices/pay"


class PayManyCommon(SettlementCommon, PaymentHttpCommon):
    """Invoices of 1000 (2 % tier running) and 500 (its 1 % tier running), an
    invoice of 900 in an active plan of 3 × 300 (the first due today), paid by
    a portal contact of the customer with the demo provider."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Core's payment tests mock the accounting post-processing out: here
        # it is what is tested.
        cls.enable_post_process_patcher = False
        demo = cls.env["ir.module.module"]._get("payment_demo")
        assert demo.state == "installed", (
            "payment_demo must be installed in the test database (scripts/lib.sh "
            "TEST_ADDONS)"
        )
        cls.provider = cls._prepare_provider(
            "demo",
            update_values={
                "journal_id": cls.company_data["default_journal_bank"].id,
                "state": "test",
                "is_published": True,
            },
        )
        cls.payment_method_id = cls.env.ref("payment_demo.payment_method_demo").id
        cls.currency = cls.env.company.currency_id
        cls.term = cls.env["account.payment.term"].create(
            {
                "name": "2% 10 days, 1% 20 days, net 30",
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "early_pay_discount_computation": "included",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 30}
                    )
                ],
                "settlement_discount_tier_ids": [
                    Command.create({"discount_percentage": 1.0, "discount_days": 20})
                ],
            }
        )
        cls.portal_user, cls.other_user = cls._portal_pair("paymany")
        cls.inv_a, cls.inv_b, cls.planned, cls.plan = cls._pay_many_fixtures(
            cls.customer
        )
        cls.loss_account = (
            cls.env.company.account_journal_early_pay_discount_loss_account_id
        )

    @classmethod
    def _pay_many_fixtures(cls, customer):
        """(invoice a, invoice b, the plan's invoice, the plan) of ``customer``."""
        # Tier 1 (2 %) runs until day 10: pays 980.00, saves 20.00.
        inv_a = cls._invoice(
            customer, 1000.0, days_old=2, invoice_payment_term_id=cls.term.id
        )
        # Day 15: tier 1 ended, tier 2 (1 %) runs: pays 495.00, saves 5.00.
        inv_b = cls._invoice(
            customer, 500.0, days_old=15, invoice_payment_term_id=cls.term.id
        )
        planned = cls._invoice(customer, 900.0, days_old=40, due_days=10)
        plan = cls.env["settlement.instalment.plan"].create(
            {
                "partner_id": customer.id,
                "currency_id": cls.currency.id,
                "move_ids": [Command.set(planned.ids)],
                "amount_total": 900.0,
            }
        )
        plan._set_schedule(
            [
                (cls.today, 300.0),
                (cls.today + timedelta(days=30), 300.0),
                (cls.today + timedelta(days=60), 300.0),
            ]
        )
        plan.action_activate()
        return inv_a, inv_b, planned, plan

    def _ids(self, *invoices):
        return ",".join(str(invoice.id) for invoice in invoices)

    def _page(self, *invoices, **params):
        query = f"invoice_ids={self._ids(*invoices)}" if invoices else ""
        query += "".join(f"&{key}={value}" for key, value in params.items())
        return self.url_open(f"{PAGE}?{query}")

    def _transaction(self, selection, amount, reference="BATCH/1"):
        return self._get_processing_values(
            tx_route=f"{PAGE}/transaction/{selection}",
            provider_id=self.provider.id,
            payment_method_id=self.payment_method_id,
            token_id=None,
            amount=amount,
            flow="direct",
            tokenization_requested=False,
            landing_route="/my/invoices",
            access_token=None,
            payment_reference=reference,
        )

    def _refused(self, selection, amount, message):
        """The transaction route answers ``message`` (an error the payment form
        shows, not a server error) and writes nothing."""
        before = self.env["payment.transaction"].search_count([])
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"{PAGE}/transaction/{selection}",
                data=json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "method": "call",
                        "params": {
                            "provider_id": self.provider.id,
                            "payment_method_id": self.payment_method_id,
                            "token_id": None,
                            "amount": amount,
                            "flow": "direct",
                            "tokenization_requested": False,
                            "landing_route": "/my/invoices",
                            "access_token": None,
                            "payment_reference": "BATCH/1",
                        },
                    }
                ),
                headers={"Content-Type": "application/json"},
            )
        self.assertEqual(response.status_code, 200)
        error = response.json()["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.ValidationError")
        self.assertIn(message, error["message"])
        self.assertEqual(self.env["payment.transaction"].search_count([]), before)


@tagged("post_install", "-at_install")
class TestPortalPayMany(PayManyCommon):
    def test_quote_by_hand(self):
        quote = (self.inv_a + self.inv_b + self.planned)._settlement_pay_many_quote()
        by_invoice = {row["invoice"]: row for row in quote["rows"]}
        self.assertEqual(
            [(row["amount"], row["saving"]) for row in quote["rows"]],
            # oldest due first: the plan's invoice (due 30 days ago), then b, a
            [(300.0, 0.0), (495.0, 5.0), (980.0, 20.0)],
        )
        self.assertEqual(by_invoice[self.planned]["plan"], self.plan)
        self.assertEqual((quote["total"], quote["saving"]), (1775.0, 25.0))

    def test_pay_an_instalment_and_two_discounted_invoices_in_one_go(self):
        self.authenticate("paymany_a", "paymany_a")
        invoices = self.inv_a + self.inv_b + self.planned
        page = self._page(*invoices)
        self.assertEqual(page.status_code, 200)
        # The customer sees each saving and the total before paying.
        self.assertIn("o_payment_form", page.text)
        self.assertIn("Saved by paying today:", page.text)
        self.assertIn("20.00", page.text)
        self.assertIn("5.00", page.text)
        self.assertRegex(page.text, r"o_settlement_pay_many_total\b.*1,775\.00")
        # the discounts are a deduction: "− $ 25.00", never "$ -25.00"
        self.assertRegex(
            page.text,
            r"o_settlement_pay_many_total_saving\"><bdi>\u2212\u00a0[^<-]*25\.00</bdi>",
        )
        context = self._get_payment_context(page)
        self.assertEqual(float(context["amount"]), 1775.0)
        processing = self._transaction(
            self._ids(*invoices), 1775.0, context["payment_reference"]
        )
        tx = self._get_tx(processing["reference"])
        self.assertEqual(tx.amount, 1775.0)
        self.assertEqual(tx.invoice_ids, invoices)
        # The demo provider says the payment is done; the status page the
        # browser polls post-processes it.
        self.make_jsonrpc_request(
            self._build_url("/payment/demo/simulate_payment"),
            {
                "reference": tx.reference,
                "payment_details": "4242",
                "simulated_state": "done",
            },
        )
        status = self.make_jsonrpc_request(self._build_url("/payment/status/poll"), {})
        self.assertEqual(status["state"], "done")
        self.env.invalidate_all()
        self.assertTrue(tx.is_post_processed)
        payment = tx.payment_id
        self.assertEqual(payment.amount, 1775.0)
        # Journal items: 1775 received, 20 + 5 discount, 1800 off the receivable.
        lines = payment.move_id.line_ids
        liquidity, counterpart, write_off = payment._seek_for_lines()
        self.assertEqual(liquidity.debit, 1775.0)
        self.assertEqual(counterpart.credit, 1800.0)
        self.assertEqual(write_off.account_id, self.loss_account)
        self.assertEqual(sorted(write_off.mapped("debit")), [5.0, 20.0])
        self.assertEqual(sum(lines.mapped("debit")), sum(lines.mapped("credit")))
        # Every invoice reconciled: two paid, the plan's first instalment paid.
        for invoice in self.inv_a + self.inv_b:
            self.assertEqual(invoice.amount_residual, 0.0)
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.planned.amount_residual, 600.0)
        self.plan.invalidate_recordset()
        self.assertEqual(self.plan.line_ids[0].payment_state, "paid")
        self.assertEqual(self.plan.amount_paid, 300.0)
        self.assertEqual(self.plan._portal_amount_to_pay(), 300.0)
        # The customer's chatter tells what was paid and saved.
        message = self.customer.message_ids[:1]
        self.assertIn("Paid online", message.body)
        for name in invoices.mapped("name"):
            self.assertIn(name, message.body)
        self.assertIn("1,775.00", message.body)
        self.assertIn("25.00", message.body)
        # Paying them again is refused: nothing left to pay.
        self._refused(self._ids(self.inv_a, self.inv_b), 1475.0, "already paid")

    def test_partly_paid_invoice_pays_its_residual_without_discount(self):
        self._pay(self.inv_a, 100.0)
        quote = (self.inv_a + self.inv_b)._settlement_pay_many_quote()
        self.assertEqual(
            [(row["invoice"], row["amount"], row["saving"]) for row in quote["rows"]],
            [(self.inv_b, 495.0, 5.0), (self.inv_a, 900.0, 0.0)],
        )

    def test_everything_overdue(self):
        late = self._invoice(self.customer, 250.0, days_old=45, due_days=30)
        self.authenticate("paymany_a", "paymany_a")
        page = self.url_open(f"{PAGE}?overdue=1")
        self.assertEqual(page.status_code, 200)
        context = self._get_payment_context(page)
        # The late invoice and the plan's (overdue on its own terms) invoice,
        # whose due instalment only is asked.
        self.assertEqual(float(context["amount"]), 550.0)
        self.assertIn(late.name, page.text)
        self.assertNotIn(self.inv_a.name, page.text)

    def test_the_list_and_the_statement_lead_here(self):
        self.authenticate("paymany_a", "paymany_a")
        listing = self.url_open("/my/invoices")
        self.assertIn("o_settlement_pay_many_form", listing.text)
        boxes = re.findall(r'name="invoice_ids"[^>]*value="(\d+)"', listing.text)
        self.assertEqual(
            sorted(map(int, boxes)),
            sorted((self.inv_a + self.inv_b + self.planned).ids),
        )
        statement = self.url_open("/my/statement")
        self.assertIn(f"{PAGE}?overdue=1", statement.text)


@tagged("post_install", "-at_install")
class TestPortalPayManyBadInput(PayManyCommon):
    def setUp(self):
        super().setUp()
        self.authenticate("paymany_a", "paymany_a")

    def _page_refuses(self, query, message):
        before = self.env["payment.transaction"].search_count([])
        page = self.url_open(f"{PAGE}?{query}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_settlement_pay_many_error", page.text)
        self.assertIn(message, page.text)
        self.assertNotIn("o_payment_form", page.text)
        self.assertEqual(self.env["payment.transaction"].search_count([]), before)

    def test_someone_elses_invoice(self):
        theirs = self._invoice(self.other_customer, 100.0)
        query = f"invoice_ids={self._ids(self.inv_a, theirs)}"
        self._page_refuses(query, "cannot be found")
        self._refused(self._ids(self.inv_a, theirs), 1080.0, "cannot be found")
        # A vendor bill of the customer is not an invoice to pay either.
        bill = self.init_invoice(
            "in_invoice", partner=self.customer, amounts=[50.0], post=True
        )
        self._refused(self._ids(bill), 50.0, "cannot be found")

    def test_paid_draft_and_other_currency_invoices(self):
        paid = self._invoice(self.customer, 70.0)
        self._pay(paid)
        self._page_refuses(f"invoice_ids={paid.id}", "already paid")
        self._refused(self._ids(paid, self.inv_a), 980.0, "already paid")
        draft = self._invoice(self.customer, 60.0, post=False)
        self._page_refuses(f"invoice_ids={draft.id}", "Only confirmed invoices")
        self._refused(self._ids(draft), 60.0, "Only confirmed invoices")
        eur = self.setup_other_currency("EUR")
        foreign = self._invoice(self.customer, 40.0, currency_id=eur.id)
        self._page_refuses(
            f"invoice_ids={self._ids(foreign, self.inv_a)}", "several currencies"
        )
        self._refused(self._ids(foreign, self.inv_a), 1020.0, "several currencies")

    def test_crafted_amount_and_changed_total(self):
        selection = self._ids(self.inv_a, self.inv_b)
        self._refused(selection, 1.0, "1,475.00: reload the page")
        self._refused(selection, None, "The amount to pay is now")
        # A payment arrives between the page and the payment: inv_a no longer
        # qualifies for its discount, the customer is told the new total.
        self._pay(self.inv_a, 100.0)
        self._refused(selection, 1475.0, "1,395.00: reload the page")

    def test_too_many_and_malformed_ids(self):
        many = ",".join(str(number) for number in range(1, 5001))
        self._page_refuses(f"invoice_ids={many}", "at most 100 invoices")
        self._refused(many, 1.0, "at most 100 invoices")
        self._page_refuses("invoice_ids=1,abc", "cannot be found")
        self._page_refuses("invoice_ids=", "Select at least one invoice")
        self._page_refuses("", "Select at least one invoice")
        self._refused("-1", 1.0, "cannot be found")

    def test_double_submission_while_a_payment_is_pending(self):
        selection = self._ids(self.inv_a)
        processing = self._transaction(selection, 980.0)
        tx = self._get_tx(processing["reference"])
        self.make_jsonrpc_request(
            self._build_url("/payment/demo/simulate_payment"),
            {
                "reference": tx.reference,
                "payment_details": "4242",
                "simulated_state": "pending",
            },
        )
        self.assertEqual(tx.state, "pending")
        self._refused(selection, 980.0, "already being processed")
        self._page_refuses(f"invoice_ids={selection}", "already being processed")

    def test_logged_out_visitor_is_sent_to_login(self):
        self.authenticate(None, None)
        page = self.url_open(f"{PAGE}?invoice_ids={self.inv_a.id}")
        self.assertIn("/web/login", page.url)
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self._transaction(self._ids(self.inv_a), 980.0)

    def test_messages_are_translated(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        Move = self.env["account.move"].with_context(lang="fa_IR")
        _invoices, error = Move._settlement_pay_many_select([], self.customer)
        self.assertTrue(error)
        # Source text until the catalogue has the term; never a crash.
        self.assertIsInstance(error, str)
