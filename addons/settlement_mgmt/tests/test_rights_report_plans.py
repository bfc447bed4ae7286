"""Issue 19, items 5 and 7: the statement report route and accepted plans,
attacked over real HTTP with the attacker's own session and rights."""

import json
from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SettlementCommon
from .rpc import JsonRpcMixin

REPORT = "settlement_mgmt.report_statement"


class RightsHttpMixin(JsonRpcMixin):
    def _rpc(self, model, method, *args, **kwargs):
        """JSON-RPC ``call_kw`` with the session of the last ``authenticate``;
        returns the decoded response (``result`` or ``error``)."""
        return self.call_kw_json(model, method, args, kwargs)

    def _assert_refused(self, answer, error="odoo.exceptions.AccessError"):
        self.assertNotIn("result", answer, "the call should have been refused")
        self.assertEqual(answer["error"]["data"]["name"], error)

    def _csrf(self, url):
        page = self.url_open(url)
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def _accept_on_portal(self, plan, login, name="Credit Contact"):
        """The customer accepts ``plan`` through the portal acceptance route."""
        self.authenticate(login, login)
        url = f"/my/plans/{plan.id}"
        response = self.url_open(
            url, data={"csrf_token": self._csrf(url), "name": name}
        )
        self.assertIn("message=accepted", response.url)
        plan.invalidate_recordset()
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.accepted_by, name)


@tagged("post_install", "-at_install")
class TestStatementReportRights(RightsHttpMixin, SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.setup_other_company(name="Statement Company B")["company"]
        cls.settlement_user = new_test_user(
            cls.env,
            login="rr_settlement",
            groups="settlement_mgmt.group_settlement_user",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.portal_a, cls.portal_b = cls._portal_pair("rr_portal")
        invoice = cls._invoice(cls.customer, 900.0, days_old=5)
        cls.plan = cls._proposed_plan(invoice)
        cls.plan.action_activate()
        disputed = cls._invoice(cls.customer, 300.0, days_old=5)
        cls.dispute = cls.env["settlement.dispute"].create(
            {
                "move_id": disputed.id,
                "reason_id": cls.env.ref("settlement_mgmt.dispute_reason_price").id,
                "amount": 50.0,
            }
        )
        cls.date_from = cls.today - timedelta(days=60)

    def _report(self, converter, partner, **options):
        url = f"/report/{converter}/{REPORT}/{partner.id}"
        if options:
            url += "?options=" + json.dumps(options)
        return self.url_open(url)

    def _assert_no_leak(self, response):
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(self.plan.name, response.text)
        self.assertNotIn(self.dispute.name, response.text)

    def test_user_without_settlement_group_is_refused(self):
        # Invoicing only, like the demo user: RPC refuses the plans and disputes...
        self.authenticate("sm_billing", "sm_billing")
        answer = self._rpc(
            "settlement.instalment.plan", "search_read", [], fields=["name"]
        )
        self._assert_refused(answer)
        # ... and so does the report, whatever the converter or company sent.
        for converter in ("html", "pdf"):
            with self.subTest(converter=converter):
                self._assert_no_leak(self._report(converter, self.customer))
        self._assert_no_leak(
            self._report("html", self.customer, statement_company_id=self.company_a.id)
        )

    def test_company_sent_by_the_client_must_be_allowed(self):
        self.authenticate("rr_settlement", "rr_settlement")
        response = self._report(
            "html", self.customer, statement_company_id=self.company_b.id
        )
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("o_settlement_statement_closing", response.text)

    def test_settlement_user_prints_the_statement(self):
        self.authenticate("rr_settlement", "rr_settlement")
        for converter in ("html", "pdf"):
            with self.subTest(converter=converter):
                response = self._report(
                    converter,
                    self.customer_contact,
                    date_from=str(self.date_from),
                    date_to=str(self.today),
                )
                self.assertEqual(response.status_code, 200)
                # Tests render PDFs as HTML unless forced, so the text is readable.
                self.assertIn(self.plan.name, response.text)
                self.assertIn(self.dispute.name, response.text)
        # Dates typed into the address: garbage means the default period,
        # never a server error.
        for bad in ("xyz", "2026-13-45", "0"):
            with self.subTest(date=bad):
                response = self._report(
                    "html", self.customer, date_from=bad, date_to=bad
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(self.plan.name, response.text)

    def test_portal_customer_gets_only_its_own_statement(self):
        self.authenticate("rr_portal_a", "rr_portal_a")
        response = self.url_open(
            f"/my/statement?report_type=pdf&date_from={self.date_from}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn(self.plan.name, response.text)
        # The report route: its own customer yes, another one or company no.
        own = self._report("html", self.customer)
        self.assertEqual(own.status_code, 200)
        self.assertIn(self.plan.name, own.text)
        self.assertEqual(self._report("html", self.other_customer).status_code, 403)
        self.assertEqual(
            self._report(
                "html", self.customer, statement_company_id=self.company_b.id
            ).status_code,
            403,
        )
        # The other customer's portal user cannot read this one's statement.
        self.authenticate("rr_portal_b", "rr_portal_b")
        self._assert_no_leak(self._report("html", self.customer))

    def test_sending_and_printing_from_the_backend_still_work(self):
        self.customer.email = "ap@credit-customer.example.com"
        report = self.env["ir.actions.report"].with_user(self.settlement_user)
        html = report._render_qweb_html(
            "settlement_mgmt.action_report_statement", self.customer.ids
        )[0]
        self.assertIn(self.plan.name.encode(), html)
        # Sending records the statement and attaches it to the customer: rights
        # of a settlement manager who may edit contacts, no superuser.
        sender = new_test_user(
            self.env,
            login="rr_sender",
            groups="settlement_mgmt.group_settlement_manager,"
            "base.group_partner_manager",
            company_id=self.company_a.id,
            company_ids=[self.company_a.id],
        )
        wizard = (
            self.env["settlement.statement.send"]
            .with_user(sender)
            .with_context(active_model="res.partner", active_ids=self.customer.ids)
            .create({})
        )
        wizard.action_send()
        sent = self.env["settlement.statement.sending"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(sent), 1)
        self.assertTrue(sent.mail_message_id.attachment_ids)
        # The monthly run (cron user) renders it too.
        self.other_customer.write(
            {"settlement_statement_opt_in": True, "email": "other@example.com"}
        )
        self.env["settlement.statement.sending"]._cron_settlement_statements()
        self.assertTrue(
            self.env["settlement.statement.sending"].search(
                [("partner_id", "=", self.other_customer.id), ("scheduled", "=", True)]
            )
        )


@tagged("post_install", "-at_install")
class TestAcceptedPlanRights(RightsHttpMixin, SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.settlement_user = new_test_user(
            cls.env,
            login="rr_plan_user",
            groups="settlement_mgmt.group_settlement_user",
            company_id=cls.env.company.id,
            company_ids=[cls.env.company.id],
        )
        cls._portal_pair("rr_plan_portal")
        cls.invoice = cls._invoice(cls.customer, 900.0)
        cls.plan = cls._proposed_plan(cls.invoice)
        cls.Line = cls.env["settlement.instalment.plan.line"]

    def _schedule(self, plan):
        plan.invalidate_recordset()
        self.Line.invalidate_model()
        return [(line.date_due, line.amount) for line in plan.line_ids]

    def test_acceptance_cannot_be_forged(self):
        self.authenticate("rr_plan_user", "rr_plan_user")
        Plan = "settlement.instalment.plan"
        forged = {"accepted_by": "Credit Contact", "accepted_on": "2020-01-01 10:00:00"}
        for values in (forged, {"state": "active"}, {"state": "completed"}):
            with self.subTest(values=values):
                self._assert_refused(self._rpc(Plan, "write", self.plan.ids, values))
        self.plan.invalidate_recordset()
        self.assertEqual(self.plan.state, "proposed")
        self.assertFalse(self.plan.accepted_by)
        self.assertFalse(self.plan.accepted_on)
        # Nor can a plan be created already accepted or active.
        values = {
            "partner_id": self.customer.id,
            "currency_id": self.invoice.currency_id.id,
            "move_ids": [Command.set(self.invoice.ids)],
            "amount_total": 900.0,
        }
        for extra in (forged, {"state": "active"}):
            with self.subTest(extra=extra):
                self._assert_refused(self._rpc(Plan, "create", values | extra))
        # The real acceptance on the portal records who accepted.
        self._accept_on_portal(self.plan, "rr_plan_portal_a")
        self.assertTrue(self.plan.accepted_on)
        # And once accepted, nobody rewrites it over RPC.
        self.authenticate("rr_plan_user", "rr_plan_user")
        self._assert_refused(
            self._rpc(Plan, "write", self.plan.ids, {"accepted_by": "Someone Else"})
        )
        self.plan.invalidate_recordset()
        self.assertEqual(self.plan.accepted_by, "Credit Contact")

    def test_accepted_schedule_cannot_be_rewritten(self):
        self._accept_on_portal(self.plan, "rr_plan_portal_a")
        before = self._schedule(self.plan)
        first, second = self.plan.line_ids[:2]
        later = str(first.date_due + timedelta(days=90))
        self.authenticate("rr_plan_user", "rr_plan_user")
        Line = "settlement.instalment.plan.line"
        Plan = "settlement.instalment.plan"
        attempts = [
            (Line, "write", [first.ids, {"amount": 1.0}]),
            (Line, "write", [first.ids, {"date_due": later}]),
            (Line, "write", [second.ids, {"plan_id": self.plan.id, "amount": 899.0}]),
            (
                Line,
                "create",
                [{"plan_id": self.plan.id, "date_due": later, "amount": 5.0}],
            ),
            (Line, "unlink", [second.ids]),
            (Plan, "write", [self.plan.ids, {"line_ids": [Command.delete(first.id)]}]),
            (
                Plan,
                "write",
                [
                    self.plan.ids,
                    {"line_ids": [Command.update(first.id, {"amount": 1})]},
                ],
            ),
            (Plan, "write", [self.plan.ids, {"amount_total": 1.0}]),
            (Plan, "write", [self.plan.ids, {"move_ids": [Command.clear()]}]),
        ]
        for model, method, args in attempts:
            with self.subTest(model=model, method=method, args=args):
                answer = self._rpc(model, method, *args)
                self.assertNotIn("result", answer)
                self.assertIn(
                    answer["error"]["data"]["name"],
                    ("odoo.exceptions.AccessError", "odoo.exceptions.UserError"),
                )
        self.assertEqual(self._schedule(self.plan), before)
        self.assertEqual(self.plan.move_ids, self.invoice)
        self.assertEqual(self.plan.amount_total, 900.0)
        # What users may still change on a live plan: responsible and terms.
        answer = self._rpc(Plan, "write", self.plan.ids, {"note": "Call first."})
        self.assertIs(answer.get("result"), True)

    def test_draft_schedule_and_workflow_buttons_still_work(self):
        self.authenticate("rr_plan_user", "rr_plan_user")
        Plan = "settlement.instalment.plan"
        Line = "settlement.instalment.plan.line"
        self.assertNotIn("error", self._rpc(Plan, "action_draft", self.plan.ids))
        first, second = self.plan.line_ids[:2]
        # A draft's schedule is the user's to edit (moving 10.00 between lines).
        for line, delta in ((first, -10.0), (second, 10.0)):
            answer = self._rpc(Line, "write", line.ids, {"amount": line.amount + delta})
            self.assertIs(answer.get("result"), True, answer)
        self.assertNotIn("error", self._rpc(Plan, "action_propose", self.plan.ids))
        self.plan.invalidate_recordset()
        self.assertEqual(self.plan.state, "proposed")
        # A proposed schedule is frozen: back to draft to change it.
        self._assert_refused(
            self._rpc(Line, "write", first.ids, {"amount": 1.0}),
            "odoo.exceptions.UserError",
        )
        self.assertNotIn("error", self._rpc(Plan, "action_activate", self.plan.ids))
        self.plan.invalidate_recordset()
        self.assertEqual(self.plan.state, "active")
        self.assertFalse(self.plan.accepted_by, "activated by staff, not accepted")
        self.assertNotIn("error", self._rpc(Plan, "action_cancel", self.plan.ids))
        self.plan.invalidate_recordset()
        self.assertEqual(self.plan.state, "cancelled")

    def test_back_to_draft_drops_the_acceptance(self):
        self._accept_on_portal(self.plan, "rr_plan_portal_a")
        self.authenticate("rr_plan_user", "rr_plan_user")
        Plan = "settlement.instalment.plan"
        self.assertNotIn("error", self._rpc(Plan, "action_cancel", self.plan.ids))
        self.assertNotIn("error", self._rpc(Plan, "action_draft", self.plan.ids))
        self.plan.invalidate_recordset()
        self.assertEqual(self.plan.state, "draft")
        self.assertFalse(self.plan.accepted_by)
        self.assertFalse(self.plan.accepted_on)
        copy = self._rpc(Plan, "copy", self.plan.ids)
        self.assertNotIn("error", copy)
        copied = self.env["settlement.instalment.plan"].browse(copy["result"])
        self.assertEqual(copied.state, "draft")

    def test_copy_of_a_live_plan_is_a_draft(self):
        self._accept_on_portal(self.plan, "rr_plan_portal_a")
        self.authenticate("rr_plan_user", "rr_plan_user")
        answer = self._rpc("settlement.instalment.plan", "copy", self.plan.ids)
        self.assertNotIn("error", answer)
        copied = self.env["settlement.instalment.plan"].browse(answer["result"])
        self.assertEqual(copied.state, "draft")
        self.assertFalse(copied.accepted_by)

    def test_instalments_of_another_company_are_hidden(self):
        company_b = self.setup_other_company(name="Plan Company B")
        invoice_b = self._invoice(
            self.customer,
            400.0,
            company_id=company_b["company"].id,
            journal_id=company_b["default_journal_sale"].id,
        )
        wizard = (
            self.env["settlement.instalment.plan.create"]
            .with_company(company_b["company"])
            .with_context(active_model="account.move", active_ids=invoice_b.ids)
            .create({"instalment_count": 2})
        )
        plan_b = self.env["settlement.instalment.plan"].browse(
            wizard.action_create()["res_id"]
        )
        self.assertEqual(plan_b.company_id, company_b["company"])
        lines_b = plan_b.line_ids
        self.assertEqual(lines_b.company_id, company_b["company"])
        self.authenticate("rr_plan_user", "rr_plan_user")
        Line = "settlement.instalment.plan.line"
        found = self._rpc(
            Line, "search_read", [("id", "in", lines_b.ids)], fields=["amount"]
        )
        self.assertEqual(found["result"], [])
        self._assert_refused(self._rpc(Line, "read", lines_b.ids, ["amount"]))
        self._assert_refused(
            self._rpc(Line, "write", lines_b.ids, {"amount": 1.0}),
        )
        # The user's own company's instalments stay visible.
        found = self._rpc(
            Line, "search_read", [("plan_id", "=", self.plan.id)], fields=["amount"]
        )
        self.assertEqual(len(found["result"]), 3)
