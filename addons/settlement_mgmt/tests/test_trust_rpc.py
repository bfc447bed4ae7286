"""The holes found by attacking the addon over JSON-RPC, each as the
least-privileged user who could reach it, with that user's own session."""

from datetime import date

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

from .common import SettlementCommon
from .rpc import JsonRpcMixin

# What a client can put in its context to pretend to be server code: every
# JSON-able shape of the keys the addon reads, old and new.
FORGED_CONTEXTS = (
    {"settlement_skip_credit_check": True},
    {"settlement_internal_credit_check_done": True},
    {"settlement_internal_credit_check_done": 1},
    {"settlement_internal_credit_check_done": "credit check done by the caller"},
    {"settlement_internal_credit_check_done": {"name": "credit check done"}},
    {"settlement_internal_credit_check_done": ["credit check done"]},
)


@tagged("post_install", "-at_install")
class TestTrustOverRpc(JsonRpcMixin, SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Invoicing only, no settlement group (like the demo user): sm_billing.
        cls.clerk = cls.billing_user
        cls.settlement_user = new_test_user(
            cls.env,
            login="tr_user",
            groups="settlement_mgmt.group_settlement_user",
            company_id=cls.env.company.id,
        )
        cls.reason = cls.env.ref("settlement_mgmt.dispute_reason_damaged")
        # As in a real company, internal users may edit contacts: what stops
        # them below is the addon's rule, not the lack of that right.
        contacts = cls.env.ref("base.group_partner_manager")
        (cls.clerk | cls.settlement_user | cls.controller).groups_id = [
            Command.link(contacts.id)
        ]

    def _hold(self, partner):
        """A manual hold, placed by a credit controller as on the customer form."""
        return (
            self.env["settlement.credit.hold"]
            .with_user(self.controller)
            .create(
                {
                    "partner_id": partner.id,
                    "hold_type": "manual",
                    "reason": "Cheque bounced",
                }
            )
        )

    # ------------------------------------------------------------------
    # 1. No context key skips the credit check
    # ------------------------------------------------------------------

    def test_client_context_cannot_skip_the_credit_check(self):
        self._hold(self.customer)
        invoice = self._invoice(self.customer, 250.0, post=False)
        for context in FORGED_CONTEXTS:
            with self.subTest(context=context):
                answer = self.rpc(
                    "sm_billing",
                    "account.move",
                    "action_post",
                    [invoice.ids],
                    context=context,
                )
                message = self.assertRpcRefused(answer, "odoo.exceptions.UserError")
                self.assertIn("credit hold", message)
                invoice.invalidate_recordset()
                self.assertEqual(invoice.state, "draft")
        # Without the hold the same user posts: the refusal was the hold's.
        self.customer.settlement_hold_ids.with_user(self.controller)._release(
            "Paid in cash"
        )
        self.assertIn(
            "result", self.rpc(None, "account.move", "action_post", [invoice.ids])
        )
        invoice.invalidate_recordset()
        self.assertEqual(invoice.state, "posted")

    def test_client_discount_date_is_ignored(self):
        # 2 % if paid within 10 days, net 30: paid on day 20, no discount,
        # whatever payment date the client claims in its context.
        term = self.env["account.payment.term"].create(
            {
                "name": "2% 10 days, net 30",
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 30}
                    )
                ],
            }
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": date(2026, 1, 1),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "price_unit": 1000.0, "tax_ids": []}
                    )
                ],
            }
        )
        invoice.with_context(**credit_check_done_context()).action_post()
        context = {
            "active_model": "account.move",
            "active_ids": invoice.ids,
            "settlement_discount_date": "2026-01-02",
        }
        created = self.rpc(
            "sm_billing",
            "account.payment.register",
            "create",
            [{"payment_date": "2026-01-21"}],
            context=context,
        )
        self.assertIn("result", created, created)
        wizard_id = created["result"]
        wizard_id = wizard_id[0] if isinstance(wizard_id, list) else wizard_id
        self.assertIn(
            "result",
            self.rpc(
                None,
                "account.payment.register",
                "action_create_payments",
                [[wizard_id]],
                context=context,
            ),
        )
        invoice.invalidate_recordset()
        payment = self.env["account.payment"].search(
            [("partner_id", "=", self.customer.id)]
        )
        # 1,000.00 paid in full on day 20, no 20.00 discount written off.
        self.assertEqual(payment.amount, 1000.0)
        self.assertFalse(
            payment.move_id.line_ids.filtered(lambda line: line.display_type == "epd")
        )
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))

    def test_hold_history_cannot_be_forged_over_rpc(self):
        hold = self._hold(self.customer)
        for values in (
            {"state": "released"},
            {"release_reason": "Settled"},
            {"user_id": self.settlement_user.id},
            {"partner_id": self.other_customer.id},
        ):
            with self.subTest(values=values):
                answer = self.rpc(
                    "sm_controller",
                    "settlement.credit.hold",
                    "write",
                    [hold.ids, values],
                )
                self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
        answer = self.rpc(
            None,
            "settlement.credit.hold",
            "create",
            [
                {
                    "partner_id": self.other_customer.id,
                    "reason": "Placed by someone else",
                    "user_id": self.settlement_user.id,
                }
            ],
        )
        self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
        hold.invalidate_recordset()
        self.assertEqual((hold.state, hold.user_id), ("active", self.controller))
        # The reason stays editable, and the release wizard releases.
        answer = self.rpc(
            None,
            "settlement.credit.hold",
            "write",
            [hold.ids, {"reason": "Cheque bounced twice"}],
        )
        self.assertIn("result", answer, answer)
        wizard = (
            self.env["settlement.credit.hold.release"]
            .with_user(self.controller)
            .create({"hold_ids": hold.ids, "reason": "Paid by transfer"})
        )
        wizard.action_confirm()
        self.assertEqual(
            (hold.state, hold.released_user_id), ("released", self.controller)
        )

    # ------------------------------------------------------------------
    # 2. Dispute decisions only through the workflow, by a controller
    # ------------------------------------------------------------------

    def _dispute(self, amount=100.0, invoice=None):
        invoice = invoice or self._invoice(self.customer, 400.0, days_old=60)
        return (
            self.env["settlement.dispute"]
            .with_user(self.settlement_user)
            .create(
                {"move_id": invoice.id, "reason_id": self.reason.id, "amount": amount}
            )
            .with_user(self.env.user)
        )

    def test_settlement_user_cannot_decide_a_dispute_over_rpc(self):
        dispute = self._dispute()
        forged_writes = (
            {"state": "accepted"},
            {"state": "rejected"},
            {"state": "closed"},
            {"state": "under_review"},
            {"accepted_amount": 100.0},
            {"resolution_note": "Agreed on the phone"},
            {"date_resolved": "2026-01-01 00:00:00"},
            {"source": "portal"},
        )
        for values in forged_writes:
            with self.subTest(values=values):
                answer = self.rpc(
                    "tr_user", "settlement.dispute", "write", [dispute.ids, values]
                )
                self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
        answer = self.rpc(None, "settlement.dispute", "action_review", [dispute.ids])
        self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
        answer = self.rpc(
            None,
            "settlement.dispute",
            "create",
            [
                {
                    "move_id": dispute.move_id.id,
                    "reason_id": self.reason.id,
                    "amount": 50.0,
                    "state": "accepted",
                    "accepted_amount": 50.0,
                }
            ],
        )
        self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
        dispute.invalidate_recordset()
        self.assertEqual(
            (dispute.state, dispute.accepted_amount, dispute.resolution_note),
            ("new", 0.0, False),
        )
        self.assertEqual(
            self.env["settlement.dispute"].search_count(
                [("move_id", "=", dispute.move_id.id)]
            ),
            1,
        )

    def test_decided_dispute_cannot_be_reopened_or_rewritten_by_write(self):
        dispute = self._dispute(100.0)
        dispute.with_user(self.controller).action_review()
        wizard = (
            self.env["settlement.dispute.resolve"]
            .with_user(self.controller)
            .create({"dispute_id": dispute.id, "action": "reject", "note": "No damage"})
        )
        wizard.action_confirm()
        self.assertEqual(dispute.state, "rejected")
        for login in ("tr_user", "sm_controller"):
            for values in ({"state": "under_review"}, {"amount": 10.0}):
                with self.subTest(login=login, values=values):
                    answer = self.rpc(
                        login, "settlement.dispute", "write", [dispute.ids, values]
                    )
                    self.assertRpcRefused(answer)
        dispute.invalidate_recordset()
        self.assertEqual((dispute.state, dispute.amount), ("rejected", 100.0))

    def test_amount_under_review_is_changed_by_a_controller_only(self):
        dispute = self._dispute(100.0)
        # While new, the user who recorded it may still correct it.
        self.assertIn(
            "result",
            self.rpc(
                "tr_user",
                "settlement.dispute",
                "write",
                [dispute.ids, {"amount": 80.0}],
            ),
        )
        dispute.with_user(self.controller).action_review()
        answer = self.rpc(
            None, "settlement.dispute", "write", [dispute.ids, {"amount": 400.0}]
        )
        self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
        self.assertIn(
            "result",
            self.rpc(
                "sm_controller",
                "settlement.dispute",
                "write",
                [dispute.ids, {"amount": 90.0}],
            ),
        )
        dispute.invalidate_recordset()
        self.assertEqual(dispute.amount, 90.0)

    def test_controller_decides_through_the_workflow(self):
        dispute = self._dispute(100.0)
        self.assertIn(
            "result",
            self.rpc(
                "sm_controller", "settlement.dispute", "action_review", [dispute.ids]
            ),
        )
        wizard = (
            self.env["settlement.dispute.resolve"]
            .with_user(self.controller)
            .create({"dispute_id": dispute.id, "action": "accept", "amount": 40.0})
        )
        wizard.action_confirm()
        dispute.invalidate_recordset()
        self.assertEqual(dispute.state, "accepted")
        self.assertEqual(dispute.credit_note_id.amount_total, 40.0)
        # Any settlement user may file it away, a portal customer may not.
        self.assertIn(
            "result",
            self.rpc("tr_user", "settlement.dispute", "action_close", [dispute.ids]),
        )
        dispute.invalidate_recordset()
        self.assertEqual(dispute.state, "closed")

    def test_promise_outcome_is_not_written_by_a_user(self):
        invoice = self._invoice(self.customer, 500.0, days_old=45)
        values = {
            "partner_id": self.customer.id,
            "amount": 500.0,
            "date_promised": str(self.today),
            "move_ids": [Command.set(invoice.ids)],
        }
        created = self.rpc("tr_user", "settlement.promise", "create", [values])
        self.assertIn("result", created, created)
        promise = self.env["settlement.promise"].browse(created["result"])
        for forged in (
            {"state": "kept"},
            {"amount_paid": 500.0},
            {"reconcile_watermark": 0},
        ):
            with self.subTest(values=forged):
                answer = self.rpc(
                    None, "settlement.promise", "write", [promise.ids, forged]
                )
                self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
        answer = self.rpc(
            None, "settlement.promise", "create", [{**values, "state": "broken"}]
        )
        self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
        self.assertIn(
            "result",
            self.rpc(None, "settlement.promise", "action_cancel", [promise.ids]),
        )
        promise.invalidate_recordset()
        self.assertEqual(promise.state, "cancelled")

    # ------------------------------------------------------------------
    # 3. Credit and dunning terms are a credit controller's
    # ------------------------------------------------------------------

    def test_credit_terms_below_controller_level_are_refused(self):
        self.customer.credit_limit = 5000.0
        attempts = (
            ("sm_billing", {"credit_limit": 0.0}),
            ("sm_billing", {"credit_limit": 99999.0}),
            ("tr_user", {"credit_limit": 0.0}),
            ("tr_user", {"settlement_credit_policy": "warn"}),
            ("tr_user", {"settlement_no_reminders": True}),
            ("tr_user", {"settlement_dunning_paused_until": "2099-01-01"}),
        )
        for login, values in attempts:
            with self.subTest(login=login, values=values):
                answer = self.rpc(
                    login, "res.partner", "write", [self.customer.ids, values]
                )
                self.assertRpcRefused(answer)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.credit_limit, 5000.0)
        self.assertFalse(self.customer.settlement_credit_policy)
        self.assertFalse(self.customer.settlement_no_reminders)
        self.assertFalse(self.customer.settlement_dunning_paused_until)
        # Other fields of the customer stay editable for them; writing the
        # same limit again (core syncs it to contacts) is no change.
        for login in ("sm_billing", "tr_user"):
            answer = self.rpc(
                login,
                "res.partner",
                "write",
                [self.customer.ids, {"phone": "+1 555 0100", "credit_limit": 5000.0}],
            )
            self.assertIn("result", answer, answer)

    def test_controller_changes_are_logged_on_the_customer(self):
        self.customer.credit_limit = 5000.0
        answer = self.rpc(
            "sm_controller",
            "res.partner",
            "write",
            [
                self.customer.ids,
                {"credit_limit": 7500.0, "settlement_credit_policy": "limit"},
            ],
        )
        self.assertIn("result", answer, answer)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.credit_limit, 7500.0)
        log = self.customer.message_ids[:1]
        self.assertIn("sm_controller", log.body)
        self.assertIn("5,000.00", log.body)
        self.assertIn("7,500.00", log.body)
        self.assertIn("Block over credit limit", log.body)
        # A contact created under the customer gets the synced limit: no log,
        # no refusal, whoever creates it.
        answer = self.rpc(
            "sm_billing",
            "res.partner",
            "create",
            [{"name": "New accountant", "parent_id": self.customer.id}],
        )
        self.assertIn("result", answer, answer)

    # ------------------------------------------------------------------
    # 4. A dispute discounts credit only once under review
    # ------------------------------------------------------------------

    def test_portal_dispute_does_not_release_credit_until_reviewed(self):
        self._set_policy("limit_overdue", overdue_days=30)
        self.customer.credit_limit = 1000.0
        # 900 owed, 60 days overdue: over the allowance, and 900 of 1,000 used.
        invoice = self._invoice(self.customer, 900.0, days_old=90, due_days=30)
        portal = self._portal_user("tr_portal", self.customer_contact)
        self.assertTrue(portal)
        Hold = self.env["settlement.credit.hold"]
        Hold._cron_settlement_credit_holds()
        hold = Hold.search(
            [("partner_id", "=", self.customer.id), ("state", "=", "active")]
        )
        self.assertEqual(hold.hold_type, "overdue")

        reminded = self.env["settlement.dunning.engine"]._dunning_item_rows(
            self.env.company, self.today, self.customer
        )
        self.assertEqual([row.amount for row in reminded], [900.0])

        # The customer disputes everything overdue on its portal.
        self.authenticate("tr_portal", "tr_portal")
        page = self.url_open(f"/my/invoices/{invoice.id}/dispute")
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        token = page.text[start : page.text.index('"', start)]
        self.url_open(
            f"/my/invoices/{invoice.id}/dispute",
            data={
                "csrf_token": token,
                "reason_id": str(self.reason.id),
                "amount": "900",
                "message": "Never delivered",
            },
        )
        dispute = self.env["settlement.dispute"].search([("move_id", "=", invoice.id)])
        self.assertEqual((dispute.state, dispute.source), ("new", "portal"))
        Engine = self.env["settlement.dunning.engine"]

        # Exposure, overdue check and the hold are unchanged; the form says why.
        partner = self.customer.with_user(self.controller)
        partner.invalidate_recordset()
        self.assertEqual(partner.settlement_exposure, 900.0)
        self.assertEqual(partner.settlement_overdue_amount, 900.0)
        self.assertEqual(partner.settlement_disputed_pending, 900.0)
        self.assertEqual(partner.settlement_disputed_amount, 0.0)
        Hold._cron_settlement_credit_holds()
        hold.invalidate_recordset()
        self.assertEqual(hold.state, "active")
        # ... but no reminder chases the disputed amount meanwhile.
        rows = Engine._dunning_item_rows(self.env.company, self.today, self.customer)
        self.assertEqual(rows, [])

        # A credit controller starts the review: now the amount leaves.
        dispute.with_user(self.controller).action_review()
        partner.invalidate_recordset()
        self.assertEqual(partner.settlement_exposure, 0.0)
        self.assertEqual(partner.settlement_overdue_amount, 0.0)
        self.assertEqual(partner.settlement_disputed_amount, 900.0)
        self.assertEqual(partner.settlement_disputed_pending, 0.0)
        Hold._cron_settlement_credit_holds()
        hold.invalidate_recordset()
        self.assertEqual(hold.state, "released")

    def test_company_may_count_disputes_as_soon_as_raised(self):
        self.env.company.settlement_disputes_need_review = False
        self.customer.credit_limit = 1000.0
        invoice = self._invoice(self.customer, 600.0)
        self._dispute(250.0, invoice=invoice)
        partner = self.customer.with_user(self.controller)
        self.assertEqual(partner.settlement_exposure, 350.0)
        self.assertEqual(partner.settlement_disputed_pending, 0.0)
