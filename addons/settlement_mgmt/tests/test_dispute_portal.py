import shutil

from odoo.tests import HttpCase, new_test_user, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestDisputePortal(SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason = cls.env.ref("settlement_mgmt.dispute_reason_damaged")
        cls.invoice = cls._invoice(cls.customer, 1000.0)
        cls.other_invoice = cls._invoice(cls.other_customer, 500.0)
        cls.portal_user = new_test_user(
            cls.env,
            login="sm_portal_a",
            groups="base.group_portal",
            partner_id=cls.customer_contact.id,
        )
        other_contact = cls.env["res.partner"].create(
            {"name": "Other Contact", "parent_id": cls.other_customer.id}
        )
        cls.other_portal_user = new_test_user(
            cls.env,
            login="sm_portal_b",
            groups="base.group_portal",
            partner_id=other_contact.id,
        )
        cls.Dispute = cls.env["settlement.dispute"]

    def _post_dispute(self, invoice, amount="150", message="Cracked housing", **extra):
        data = {
            "csrf_token": extra.pop("csrf_token", None) or self._csrf(invoice),
            "reason_id": str(self.reason.id),
            "amount": amount,
            "message": message,
            **extra,
        }
        return self.url_open(f"/my/invoices/{invoice.id}/dispute", data=data)

    def _csrf(self, invoice):
        page = self.url_open(f"/my/invoices/{invoice.id}/dispute")
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def test_customer_raises_lists_and_reads_a_dispute(self):
        self.authenticate("sm_portal_a", "sm_portal_a")
        form = self.url_open(f"/my/invoices/{self.invoice.id}/dispute")
        self.assertEqual(form.status_code, 200)
        self.assertIn(self.reason.name, form.text)

        response = self._post_dispute(self.invoice, message="Two <b>cracked</b> pumps")

        dispute = self.Dispute.search([("move_id", "=", self.invoice.id)])
        self.assertEqual(len(dispute), 1)
        self.assertEqual((dispute.source, dispute.amount), ("portal", 150.0))
        self.assertIn("&lt;b&gt;cracked", dispute.description)
        self.assertIn(f"/my/disputes/{dispute.id}?", response.url)
        self.assertIn("message=created", response.url)
        self.assertIn(dispute.name, response.text)
        self.assertIn(self.customer, dispute.message_partner_ids)
        self.assertTrue(dispute.activity_ids)
        listing = self.url_open("/my/disputes")
        self.assertIn(dispute.name, listing.text)
        home = self.url_open("/my/home")
        self.assertIn("/my/disputes", home.text)

    def test_double_submission_creates_one_dispute(self):
        self.authenticate("sm_portal_a", "sm_portal_a")
        self._post_dispute(self.invoice)
        self._post_dispute(self.invoice)
        self.assertEqual(
            self.Dispute.search_count([("move_id", "=", self.invoice.id)]), 1
        )

    def test_bad_input_is_refused_and_nothing_is_written(self):
        self.authenticate("sm_portal_a", "sm_portal_a")
        cases = {
            "-5": "positive number",
            "0": "positive number",
            "NaN": "positive number",
            "1e309": "positive number",
            "abc": "positive number",
            "1000.01": "more than",
        }
        for amount, message in cases.items():
            with self.subTest(amount=amount):
                response = self._post_dispute(self.invoice, amount=amount)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
        response = self._post_dispute(self.invoice, message="   ")
        self.assertIn("what is wrong", response.text)
        response = self._post_dispute(self.invoice, reason_id="999999")
        self.assertIn("Choose the reason", response.text)
        self.assertFalse(self.Dispute.search([("move_id", "=", self.invoice.id)]))

    def test_request_without_csrf_token_is_rejected(self):
        self.authenticate("sm_portal_a", "sm_portal_a")
        response = self.url_open(
            f"/my/invoices/{self.invoice.id}/dispute",
            data={"reason_id": str(self.reason.id), "amount": "10", "message": "x"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.Dispute.search([("move_id", "=", self.invoice.id)]))

    def test_customers_cannot_touch_each_others_invoices_or_disputes(self):
        dispute = self.Dispute.create(
            {"move_id": self.invoice.id, "reason_id": self.reason.id, "amount": 10.0}
        )
        self.authenticate("sm_portal_b", "sm_portal_b")
        form = self.url_open(f"/my/invoices/{self.invoice.id}/dispute")
        self.assertTrue(form.url.endswith("/my"), form.url)
        page = self.url_open(f"/my/disputes/{dispute.id}")
        self.assertNotIn(dispute.name, page.text)
        listing = self.url_open("/my/disputes")
        self.assertNotIn(dispute.name, listing.text)
        data = {
            "csrf_token": self._csrf(self.other_invoice),
            "reason_id": str(self.reason.id),
            "amount": "5",
            "message": "not mine",
        }
        response = self.url_open(f"/my/invoices/{self.invoice.id}/dispute", data=data)
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertEqual(
            self.Dispute.search_count([("move_id", "=", self.invoice.id)]), 1
        )

    def test_access_token_grants_the_page_without_login(self):
        dispute = self.Dispute.create(
            {"move_id": self.invoice.id, "reason_id": self.reason.id, "amount": 10.0}
        )
        dispute._portal_ensure_token()
        anonymous = self.url_open(f"/my/disputes/{dispute.id}")
        self.assertNotIn(dispute.name, anonymous.text)
        with_token = self.url_open(
            f"/my/disputes/{dispute.id}?access_token={dispute.access_token}"
        )
        self.assertIn(dispute.name, with_token.text)
        forged = self.url_open(f"/my/disputes/{dispute.id}?access_token=forged")
        self.assertNotIn(dispute.name, forged.text)

    def test_customer_replies_in_the_conversation(self):
        dispute = self.Dispute.create(
            {"move_id": self.invoice.id, "reason_id": self.reason.id, "amount": 10.0}
        )
        self.authenticate("sm_portal_a", "sm_portal_a")
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "settlement.dispute",
                "thread_id": dispute.id,
                "post_data": {
                    "body": "Photos attached tomorrow",
                    "message_type": "comment",
                },
            },
        )
        self.assertIn("Photos attached tomorrow", dispute.message_ids[0].body)
        self.assertEqual(dispute.message_ids[0].author_id, self.customer_contact)

    def test_dispute_flow_in_headless_chromium(self):
        self.assertTrue(
            shutil.which("chromium") or shutil.which("google-chrome"),
            "browser tests need headless Chromium (apt-get install chromium)",
        )
        self.start_tour(
            "/my/invoices", "settlement_dispute_portal", login="sm_portal_a"
        )
        dispute = self.Dispute.search([("move_id", "=", self.invoice.id)])
        self.assertEqual(dispute.amount, 120.0)
        self.assertEqual(dispute.source, "portal")

    def test_pages_read_right_to_left_for_persian_and_hebrew_customers(self):
        self.assertTrue(
            shutil.which("rtlcss"),
            "Odoo needs rtlcss to lay out fa/ar/he pages right to left",
        )
        dispute = self.Dispute.create(
            {
                "move_id": self.invoice.id,
                "reason_id": self.reason.id,
                "amount": 10.0,
                "description": "<p>یکی از پمپ‌ها ترک داشت.</p>",
            }
        )
        for code in ("fa_IR", "he_IL"):
            with self.subTest(lang=code):
                self.env["res.lang"]._activate_lang(code)
                # A Persian or Hebrew customer is one whose user reads that
                # language: the portal follows the user, whatever cookie the
                # browser kept from before logging in.
                self.portal_user.lang = code
                self.authenticate("sm_portal_a", "sm_portal_a")
                self.opener.cookies["frontend_lang"] = "en_US"
                page = self.url_open(f"/my/disputes/{dispute.id}")
                self.assertIn("o_rtl", page.text)
                self.assertIn("web.assets_frontend.rtl", page.text)
                self.assertIn('dir="auto"', page.text)
