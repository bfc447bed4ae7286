import json

from odoo.tests import HttpCase, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestPortalAttacks(SettlementCommon, HttpCase):
    """Every portal route tried with another customer's ids and tokens, forged or
    missing tokens, no CSRF token, and oversized or malicious input: each attempt
    is refused cleanly and writes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_pair("attack")
        cls.reason = cls.env.ref("settlement_mgmt.dispute_reason_damaged")
        cls.invoice = cls._invoice(cls.customer, 900.0)
        cls.other_invoice = cls._invoice(cls.other_customer, 777.0)
        cls.dispute = cls.env["settlement.dispute"].create(
            {"move_id": cls.invoice.id, "reason_id": cls.reason.id, "amount": 10.0}
        )
        cls.dispute._portal_ensure_token()
        cls.plan = cls._proposed_plan(cls.invoice)
        cls.plan._portal_ensure_token()

    def _written(self):
        """What an attack could have written."""
        self.env.invalidate_all()
        return (
            self.env["settlement.dispute"].search_count([]),
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "settlement.dispute")]
            ),
            self.plan.state,
            self.plan.accepted_by,
            self.env["mail.message"].search_count(
                [
                    (
                        "model",
                        "in",
                        ("settlement.dispute", "settlement.instalment.plan"),
                    ),
                    ("message_type", "=", "comment"),
                ]
            ),
            self.env["payment.transaction"].search_count([]),
        )

    def _csrf(self, url):
        page = self.url_open(url)
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def _json(self, url, params):
        return self.url_open(
            url,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
            headers={"Content-Type": "application/json"},
        )

    def test_other_customer_and_forged_tokens_are_refused(self):
        before = self._written()
        dispute, plan, invoice = self.dispute, self.plan, self.invoice
        other_token = self.dispute.access_token  # valid, but for another document
        attempts = {
            "dispute page": f"/my/disputes/{dispute.id}",
            "dispute page, forged token": f"/my/disputes/{dispute.id}?access_token=x",
            "dispute form": f"/my/invoices/{invoice.id}/dispute",
            "plan page": f"/my/plans/{plan.id}",
            "plan page, forged token": f"/my/plans/{plan.id}?access_token=forged",
            "plan page, a dispute's token": (
                f"/my/plans/{plan.id}?access_token={other_token}"
            ),
            "plan payment": f"/my/plans/{plan.id}/pay",
            "plan payment, forged token": f"/my/plans/{plan.id}/pay?access_token=x",
        }
        for who in ("attack_b", None):
            if who:
                self.authenticate(who, who)
            else:
                self.authenticate(None, None)
            for label, url in attempts.items():
                with self.subTest(who=who, attempt=label):
                    response = self.url_open(url)
                    self.assertNotIn(dispute.name, response.text)
                    self.assertNotIn(plan.name, response.text)
            with self.subTest(who=who, attempt="transaction"):
                response = self._json(
                    f"/my/plans/{plan.id}/transaction", {"access_token": other_token}
                )
                self.assertIn("error", response.json())
        # Customer B posts with its own session's CSRF token to A's documents.
        self.authenticate("attack_b", "attack_b")
        token = self._csrf(f"/my/invoices/{self.other_invoice.id}/dispute")
        self.url_open(
            f"/my/invoices/{invoice.id}/dispute",
            data={
                "csrf_token": token,
                "reason_id": str(self.reason.id),
                "amount": "5",
                "message": "not mine",
            },
        )
        self.url_open(f"/my/plans/{plan.id}", data={"csrf_token": token, "name": "B"})
        self.assertEqual(self._written(), before)

    def test_posts_without_csrf_token_are_rejected(self):
        before = self._written()
        self.authenticate("attack_a", "attack_a")
        for url, data in (
            (
                f"/my/invoices/{self.invoice.id}/dispute",
                {"reason_id": str(self.reason.id), "amount": "5", "message": "x"},
            ),
            (f"/my/plans/{self.plan.id}", {"name": "Credit Contact"}),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url, data=data).status_code, 400)
        self.assertEqual(self._written(), before)

    def test_oversized_and_malformed_input_is_refused(self):
        before = self._written()
        self.authenticate("attack_a", "attack_a")
        url = f"/my/invoices/{self.invoice.id}/dispute"
        valid = {"reason_id": str(self.reason.id), "amount": "5", "message": "Broken"}
        cases = {
            "negative amount": ({**valid, "amount": "-5"}, None, "positive number"),
            "NaN amount": ({**valid, "amount": "NaN"}, None, "positive number"),
            "infinite amount": ({**valid, "amount": "1e999"}, None, "positive number"),
            "empty amount": ({**valid, "amount": ""}, None, "positive number"),
            "script as amount": (
                {**valid, "amount": "<script>alert(1)</script>"},
                None,
                "positive number",
            ),
            "more than due": ({**valid, "amount": "100000"}, None, "more than"),
            "no reason": ({**valid, "reason_id": ""}, None, "Choose the reason"),
            "reason id injection": (
                {**valid, "reason_id": "1 OR 1=1"},
                None,
                "Choose the reason",
            ),
            "huge message": ({**valid, "message": "x" * 5001}, None, "5,000"),
            "blank message": ({**valid, "message": " \n "}, None, "what is wrong"),
            "too many files": (
                valid,
                [("attachments", (f"f{index}.txt", b"x")) for index in range(6)],
                "at most",
            ),
            "huge file": (
                valid,
                [("attachments", ("big.bin", b"0" * (10 * 1024 * 1024 + 1)))],
                "larger than",
            ),
        }
        for label, (data, files, message) in cases.items():
            with self.subTest(case=label):
                response = self.url_open(
                    url, data={**data, "csrf_token": self._csrf(url)}, files=files
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
        # The plan is accepted only with the customer's typed name.
        plan_url = f"/my/plans/{self.plan.id}"
        for name in ("", "   ", "x" * 10000):
            with self.subTest(signature=name[:20]):
                self.url_open(
                    plan_url, data={"csrf_token": self._csrf(plan_url), "name": name}
                )
        self.assertEqual(self._written()[:2], before[:2])
        self.assertEqual(self._written()[2], "proposed")

    def test_markup_is_stored_as_text(self):
        self.authenticate("attack_a", "attack_a")
        url = f"/my/invoices/{self.invoice.id}/dispute"
        self.url_open(
            url,
            data={
                "csrf_token": self._csrf(url),
                "reason_id": str(self.reason.id),
                "amount": "5",
                "message": '<script>alert("x")</script><img src=x onerror=alert(1)>',
            },
        )
        dispute = self.env["settlement.dispute"].search(
            [("move_id", "=", self.invoice.id), ("id", "!=", self.dispute.id)]
        )
        self.assertEqual(len(dispute), 1)
        html = str(dispute.description)
        self.assertNotIn("<script", html)
        self.assertNotIn("<img", html)
        self.assertIn("&lt;script&gt;", html)
        page = self.url_open(dispute.get_portal_url())
        self.assertNotIn('<script>alert("x")', page.text)

    def test_statement_parameters_cannot_break_or_widen_it(self):
        self.authenticate("attack_a", "attack_a")
        for params, message in (
            ("date_from=2026-13-45", "YYYY-MM-DD"),
            ("date_from=';DROP TABLE account_move;--", "YYYY-MM-DD"),
            ("date_to=" + "9" * 5000, "YYYY-MM-DD"),
            ("date_from=2026-06-01&date_to=2026-01-01", "after its end"),
            ("report_type=../../etc/passwd", None),
            (f"partner_id={self.other_customer.id}", None),
        ):
            with self.subTest(params=params[:40]):
                response = self.url_open(f"/my/statement?{params}")
                self.assertEqual(response.status_code, 200)
                if message:
                    self.assertIn(message, response.text)
                self.assertIn(self.invoice.name, response.text)
                self.assertNotIn(self.other_invoice.name, response.text)
        self.authenticate(None, None)
        response = self.url_open("/my/statement")
        self.assertIn("/web/login", response.url)
