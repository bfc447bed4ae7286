import io
import re
import zipfile
from datetime import date

from odoo.tests import HttpCase, tagged

from .common import SettlementCommon

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CSV = b"invoice,amount\nINV/1,12.50\n"


def docx():
    """The smallest zip that is a Word document: its content types and a
    word/ part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ\x90\x00")
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestPortalHardening(SettlementCommon, HttpCase):
    """Portal input that used to end in an HTTP 500 or was taken blindly:
    amounts, statement dates in Jalali and Hijri, uploaded files, and the
    dispute's access token after the form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_pair("harden")
        cls.reason = cls.env.ref("settlement_mgmt.dispute_reason_damaged")
        # The company currency of the test company: USD, two decimals.
        cls.currency = cls.env.company.currency_id
        cls.invoice = cls._invoice(cls.customer, 1000.0)
        cls.other_invoice = cls._invoice(cls.other_customer, 500.0)
        cls.Dispute = cls.env["settlement.dispute"]

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _csrf(self, url):
        page = self.url_open(url)
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def _form_url(self, invoice=None, token=None):
        url = f"/my/invoices/{(invoice or self.invoice).id}/dispute"
        return f"{url}?access_token={token}" if token else url

    def _post(self, amount="150", files=None, invoice=None, token=None, **extra):
        url = self._form_url(invoice, token)
        data = {
            "csrf_token": self._csrf(url),
            "reason_id": str(self.reason.id),
            "amount": amount,
            "message": "Two pumps arrived cracked",
            **extra,
        }
        if token:
            data["access_token"] = token
        return self.url_open(url, data=data, files=files)

    def _written(self):
        self.env.invalidate_all()
        return (
            self.Dispute.search_count([]),
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "settlement.dispute")]
            ),
        )

    def _document_links(self, page):
        return re.findall(
            r'href="(/my/disputes/\d+/documents/\d+(?:\?access_token=[\w-]+)?)"',
            page.text,
        )

    # ------------------------------------------------------------------
    # 6. amounts and dates never end in an HTTP 500
    # ------------------------------------------------------------------

    def test_dispute_amounts_get_a_message_and_write_nothing(self):
        self.authenticate("harden_a", "harden_a")
        before = self._written()
        positive = "Enter the disputed amount as a positive number."
        more = "more than what is still unpaid on"
        cases = {
            # 1e308 made core's float_round overflow: HTTP 500.
            "1e308": positive,
            "1" + "0" * 308: more,
            "1e20": positive,
            "100000000000000000000": more,
            "inf": positive,
            "-inf": positive,
            "Infinity": positive,
            "nan": positive,
            "-5": positive,
            "0": positive,
            "0.00": positive,
            "": positive,
            "abc": positive,
            "1.2.3": positive,
            "0x10": positive,
            "1000.01": more,
            # USD has two decimals: a third one is refused, not rounded away.
            "5.555": "Enter the amount with at most 2 decimals for USD.",
            "0.001": "Enter the amount with at most 2 decimals for USD.",
        }
        self.assertEqual(self.currency.name, "USD")
        for amount, message in cases.items():
            with self.subTest(amount=amount[:20]):
                response = self._post(amount=amount)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
                self.assertIn("o_settlement_dispute_form", response.text)
        self.assertEqual(self._written(), before)
        # Trailing zeros are not decimals too many; thousands separators pass.
        response = self._post(amount="1,000.00")
        dispute = self.Dispute.search([("move_id", "=", self.invoice.id)])
        self.assertEqual(dispute.amount, 1000.0)
        self.assertIn(dispute.name, response.text)

    def _persian_and_hijri_customers(self):
        """The customer reads Persian (Jalali dates), its contact (the portal
        user) reads English; then the customer switches to Hijri."""
        self.env["res.lang"]._activate_lang("fa_IR")
        self.customer.lang = "fa_IR"
        self.customer_contact.lang = "en_US"

    def test_statement_out_of_calendar_dates_fall_back(self):
        self._persian_and_hijri_customers()
        self.authenticate("harden_a", "harden_a")
        limited = "A statement covers dates from"
        # Jalali: 1900-01-01 is 11 Dey 1278 (79 days before Nowruz 1279,
        # 1900-03-21, with a 29-day Esfand).
        for params in (
            "date_from=0001-01-01",
            "date_to=9999-12-31",
            "date_from=0001-01-01&date_to=9999-12-31",
        ):
            with self.subTest(calendar="jalali", params=params):
                page = self.url_open(f"/my/statement?{params}")
                self.assertEqual(page.status_code, 200)
                self.assertIn(limited, page.text)
                self.assertIn("1278/10/11", page.text)
                self.assertIn(self.invoice.name, page.text)
        # Hijri tables cover 1924-08-01 to 2077-11-16: earlier or later dates
        # are written in Gregorian instead of failing the page.
        self.customer.settlement_calendar = "hijri"
        for params, shown in (
            ("date_from=0001-01-01", "1900-01-01"),
            ("date_to=9999-12-31", "2099-12-31"),
            ("date_from=1900-01-01", "1900-01-01"),
            ("date_from=1924-07-31", "1924-07-31"),
        ):
            with self.subTest(calendar="hijri", params=params):
                page = self.url_open(f"/my/statement?{params}")
                self.assertEqual(page.status_code, 200)
                self.assertIn(shown, page.text)
                self.assertIn(self.invoice.name, page.text)
        for params, message in (
            ("date_from=1405-13-40", "YYYY-MM-DD"),
            ("date_from=0000-01-01", "YYYY-MM-DD"),
            ("date_to=99999-01-01", "YYYY-MM-DD"),
            ("date_from=2099-12-31&date_to=2026-01-01", "after its end"),
        ):
            with self.subTest(params=params):
                page = self.url_open(f"/my/statement?{params}")
                self.assertEqual(page.status_code, 200)
                self.assertIn(message, page.text)
        xlsx = self.url_open(
            "/my/statement?report_type=xlsx&date_from=0001-01-01&date_to=9999-12-31"
        )
        self.assertEqual(xlsx.status_code, 200)
        self.assertTrue(xlsx.content.startswith(b"PK"))
        # Under tests core renders the report's HTML instead of calling
        # wkhtmltopdf: the same template the PDF is printed from.
        pdf = self.url_open("/my/statement?report_type=pdf&date_from=1900-01-01")
        self.assertEqual(pdf.status_code, 200)
        self.assertIn(b"1900-01-01", pdf.content)
        self.assertIn(self.invoice.name.encode(), pdf.content)

    def test_dates_out_of_a_calendar_are_written_in_gregorian(self):
        """Every place that writes a customer's date (statement, reminder
        letters, e-mails) goes through _format_date: it must not fail."""
        Statement = self.env["settlement.statement"]
        self.customer.write({"lang": "en_US", "settlement_calendar": "jalali"})
        self.assertEqual(
            Statement._format_date(date(1, 1, 1), self.customer), "0001-01-01"
        )
        self.assertEqual(
            Statement._format_date(date(9999, 12, 31), self.customer), "9999-12-31"
        )
        self.assertEqual(
            Statement._format_date(date(1900, 1, 1), self.customer), "1278/10/11"
        )
        self.customer.settlement_calendar = "hijri"
        self.assertEqual(
            Statement._format_date(date(1924, 7, 31), self.customer), "1924-07-31"
        )
        self.assertEqual(
            Statement._format_date(date(2077, 11, 17), self.customer), "2077-11-17"
        )
        # 1924-08-01 is the first day of the tables: 1 Muharram 1343.
        self.assertEqual(
            Statement._format_date(date(1924, 8, 1), self.customer), "1343/01/01"
        )

    # ------------------------------------------------------------------
    # 8. uploads: allow-list on the content, the owner downloads its files
    # ------------------------------------------------------------------

    def test_uploads_are_checked_on_their_content(self):
        self.authenticate("harden_a", "harden_a")
        before = self._written()
        refused = "cannot be attached"
        mismatch = "does not match its name"
        cases = {
            "page.html": (b"<html><script>alert(1)</script></html>", refused),
            "invoice.pdf": (b"<html><script>alert(1)</script></html>", refused),
            "logo.svg": (
                b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
                refused,
            ),
            "setup.exe": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", refused),
            "report.docx": (plain_zip(), refused),
            "photo.png.exe": (PNG, mismatch),
            "scan.pdf": (PNG, mismatch),
            "notes.html": (b"just words\n", mismatch),
            "empty.pdf": (b"", "is empty"),
        }
        for name, (content, message) in cases.items():
            with self.subTest(file=name):
                files = [
                    ("attachments", ("proof.pdf", PDF)),
                    ("attachments", (name, content)),
                ]
                response = self._post(files=files)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
                self.assertIn(name, response.text)
        self.assertEqual(self._written(), before)

        files = [
            ("attachments", ("photo.png", PNG)),
            ("attachments", ("proof.PDF", PDF)),
            ("attachments", ("lines.csv", CSV)),
            ("attachments", ("letter.docx", docx())),
        ]
        self._post(files=files)
        dispute = self.Dispute.search([("move_id", "=", self.invoice.id)])
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", dispute._name), ("res_id", "=", dispute.id)],
            order="id",
        )
        self.assertEqual(
            [(a.name, a.mimetype) for a in attachments],
            [
                ("photo.png", "image/png"),
                ("proof.PDF", "application/pdf"),
                ("lines.csv", "text/plain"),
                (
                    "letter.docx",
                    "application/vnd.openxmlformats-officedocument"
                    ".wordprocessingml.document",
                ),
            ],
        )

    def test_customer_downloads_its_own_documents_and_nobody_else(self):
        self.authenticate("harden_a", "harden_a")
        response = self._post(
            files=[("attachments", ("proof.pdf", PDF)), ("attachments", ("p.png", PNG))]
        )
        dispute = self.Dispute.search([("move_id", "=", self.invoice.id)])
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", dispute._name), ("res_id", "=", dispute.id)],
            order="id",
        )
        # A file the staff keep on the dispute is not the customer's.
        internal = self.env["ir.attachment"].create(
            {
                "name": "credit-check.pdf",
                "raw": PDF,
                "res_model": dispute._name,
                "res_id": dispute.id,
            }
        )
        page = self.url_open(f"/my/disputes/{dispute.id}")
        links = self._document_links(page)
        self.assertEqual(
            links,
            [f"/my/disputes/{dispute.id}/documents/{a.id}" for a in attachments],
        )
        self.assertNotIn("credit-check.pdf", page.text)
        self.assertIn("proof.pdf", response.text)
        download = self.url_open(links[0])
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, PDF)
        self.assertTrue(
            download.headers["Content-Disposition"].startswith("attachment")
        )
        self.assertEqual(self.url_open(links[1]).content, PNG)
        internal_url = f"/my/disputes/{dispute.id}/documents/{internal.id}"
        self.assertEqual(self.url_open(internal_url).status_code, 404)
        # Another dispute's attachment through this dispute's route.
        other_dispute = self.Dispute.create(
            {
                "move_id": self.other_invoice.id,
                "reason_id": self.reason.id,
                "amount": 5.0,
            }
        )
        # Sent by the other customer from its portal.
        other_file = (
            self.env["ir.attachment"]
            .with_user(self.env["res.users"].search([("login", "=", "harden_b")]))
            .sudo()
            .create(
                {
                    "name": "theirs.pdf",
                    "raw": PDF,
                    "res_model": other_dispute._name,
                    "res_id": other_dispute.id,
                }
            )
        )
        self.assertEqual(
            self.url_open(
                f"/my/disputes/{dispute.id}/documents/{other_file.id}"
            ).status_code,
            404,
        )
        dispute._portal_ensure_token()
        for who in ("harden_b", None):
            self.authenticate(who, who)
            for url in (
                links[0],
                f"{links[0]}?access_token=forged",
                f"{links[0]}?access_token={other_dispute._portal_ensure_token()}",
                f"/web/content/{attachments[0].id}",
            ):
                with self.subTest(who=who, url=url):
                    response = self.url_open(url)
                    self.assertNotEqual(response.status_code, 200)
                    self.assertNotEqual(response.content, PDF)
        # Whoever holds the dispute's link (e-mailed to the customer) may.
        response = self.url_open(f"{links[0]}?access_token={dispute.access_token}")
        self.assertEqual(response.content, PDF)

    # ------------------------------------------------------------------
    # 9. no access token in the address when the session suffices
    # ------------------------------------------------------------------

    def test_logged_in_customer_lands_on_its_dispute_without_token(self):
        self.authenticate("harden_a", "harden_a")
        response = self._post()
        dispute = self.Dispute.search([("move_id", "=", self.invoice.id)])
        dispute._portal_ensure_token()
        self.assertEqual(
            response.url.split("/my/", 1)[1],
            f"disputes/{dispute.id}?message=created",
        )
        for hop in response.history:
            self.assertNotIn("access_token", hop.headers.get("Location", ""))
        self.assertIn(dispute.name, response.text)
        self.assertIn("Your dispute has been sent", response.text)

    def test_visitor_with_the_invoice_link_gets_the_dispute_link(self):
        token = self.invoice._portal_ensure_token()
        # Not logged in, or logged in as someone else: the token is needed.
        for who, amount in ((None, "10"), ("harden_b", "20")):
            with self.subTest(who=who):
                self.authenticate(who, who)
                response = self._post(
                    amount=amount,
                    token=token,
                    files=[("attachments", ("proof.pdf", PDF))],
                )
                dispute = self.Dispute.search(
                    [("move_id", "=", self.invoice.id), ("amount", "=", float(amount))]
                )
                self.assertEqual(len(dispute), 1)
                self.assertIn(f"access_token={dispute.access_token}", response.url)
                self.assertIn(dispute.name, response.text)
                links = self._document_links(response)
                self.assertEqual(len(links), 1)
                self.assertIn(f"access_token={dispute.access_token}", links[0])
                self.assertEqual(self.url_open(links[0]).content, PDF)

    def test_accepted_plan_redirect_carries_no_token(self):
        plan = self._proposed_plan(self._invoice(self.customer, 300.0))
        self.authenticate("harden_a", "harden_a")
        url = f"/my/plans/{plan.id}"
        response = self.url_open(
            url, data={"csrf_token": self._csrf(url), "name": "Credit Contact"}
        )
        self.env.invalidate_all()
        self.assertEqual(plan.state, "active")
        self.assertTrue(response.url.endswith(f"/my/plans/{plan.id}?message=accepted"))
