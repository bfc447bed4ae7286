"""The case file a lawyer or a collection agency asks for, built from a
customer history made through the real flows: invoices posted, a partial
payment by the register wizard, reminders sent by the dunning cron, a call
logged from the worklist with a promise to pay that is then broken, a
dispute accepted in part by the resolution wizard, and a call logged by hand
on the customer.  Expected figures are worked out by hand below."""

import io
import re
import subprocess
import tempfile
import zipfile
from datetime import datetime, timedelta

import jdatetime
import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import SettlementCommon
from .rpc import JsonRpcMixin
from .test_rtl_pdfs import normalize, read_lines

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def pdf_text(content):
    """The text of a PDF (pdftotext -layout); fails when it does not open."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        return subprocess.run(
            ["pdftotext", "-layout", file.name, "-"],
            capture_output=True,
            check=True,
        ).stdout.decode()


def pdf_pages(content):
    """The page count of a PDF (pdfinfo); fails when it does not open."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        info = subprocess.run(
            ["pdfinfo", file.name], capture_output=True, check=True
        ).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def pdf_lines(content):
    """The printed lines of a PDF read right to left (for fa/ar/he pages)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        return [line for page in read_lines(file.name) for line in page]


@tagged("post_install", "-at_install")
class TestCollectionFile(JsonRpcMixin, SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(["fa_IR"])
        cls.env.company.partner_id.lang = "en_US"
        cls.manager = new_test_user(
            cls.env,
            login="cf_manager",
            groups="settlement_mgmt.group_settlement_manager",
            company_id=cls.env.company.id,
        )
        cls.settlement_user = new_test_user(
            cls.env,
            login="cf_user",
            groups="settlement_mgmt.group_settlement_user",
            company_id=cls.env.company.id,
        )
        cls.policy = cls.env["settlement.dunning.policy"].create(
            {
                "name": "Case file policy",
                "level_ids": [
                    Command.create({"name": "First", "days": 7}),
                    Command.create(
                        {
                            "name": "Second",
                            "days": 21,
                            "channel_ids": [
                                Command.create({"channel": "email"}),
                                Command.create({"channel": "call"}),
                            ],
                        }
                    ),
                ],
            }
        )
        cls.env.company.settlement_dunning_policy_id = cls.policy
        cls.customer.write(
            {
                "email": "ap@credit-customer.example.com",
                "phone": "+41 44 555 01 02",
                "vat": "CHE-123.456.788",
                "street": "Mahnweg 3",
                "city": "Bern",
                "lang": "en_US",
            }
        )
        cls.invoice_contact = cls.env["res.partner"].create(
            {
                "name": "Accounts Payable Desk",
                "parent_id": cls.customer.id,
                "type": "invoice",
                "email": "invoices@credit-customer.example.com",
                "phone": "+41 44 555 09 09",
            }
        )
        # A: 1,000.00 due 30 days ago, 400.00 paid → 600.00 open, level Second.
        cls.inv_a = cls._invoice(cls.customer, 1000.0, days_old=60)
        cls._pay(cls.inv_a, 400.0, days_old=5)
        # B: 500.00 due 10 days ago → level First; 150.00 of a 200.00 dispute
        # accepted later → 350.00 open.
        cls.inv_b = cls._invoice(cls.customer, 500.0, days_old=40)
        # C: 250.00 due in 10 days, never reminded.
        cls.inv_c = cls._invoice(cls.customer, 250.0, days_old=20)
        cls.env["settlement.dunning.engine"]._cron_settlement_dunning()
        reminders = cls.env["settlement.dunning.communication"].search(
            [("partner_id", "=", cls.customer.id)]
        )
        cls.first_reminder = reminders.filtered(lambda r: r.level_id.name == "First")
        cls.second_reminder = reminders.filtered(lambda r: r.level_id.name == "Second")
        # The collector calls for the second reminder: a promise to pay...
        action = cls.second_reminder.action_call_promise()
        cls.promise = (
            cls.env["settlement.promise"]
            .with_context(**action["context"])
            .create({"date_promised": cls.today + timedelta(days=3)})
        )
        # ... that the customer does not keep: past its date and the grace
        # days, the nightly check finds it broken.
        cls.env.cr.execute(
            "UPDATE settlement_promise SET date_promised = %s WHERE id = %s",
            (
                cls.today
                - timedelta(days=cls.env.company.settlement_promise_grace_days + 1),
                cls.promise.id,
            ),
        )
        cls.promise.invalidate_recordset()
        cls.env["settlement.promise"]._cron_settlement_promises()
        # A dispute on B, accepted in part: a credit note of 150.00.
        cls.dispute = cls.env["settlement.dispute"].create(
            {
                "move_id": cls.inv_b.id,
                "reason_id": cls.env.ref("settlement_mgmt.dispute_reason_price").id,
                "amount": 200.0,
            }
        )
        wizard = Form(
            cls.env["settlement.dispute.resolve"]
            .with_user(cls.controller)
            .with_context(default_dispute_id=cls.dispute.id, default_action="accept")
        )
        wizard.amount = 150.0
        wizard.note = "Price list error on two lines"
        wizard.save().action_confirm()
        # A call logged by hand on the customer.
        activity = cls.customer.activity_schedule(
            "mail.mail_activity_data_call", summary="Call the accountant"
        )
        activity.action_feedback(feedback="Bank transfer blocked, will pay Friday")
        # A Persian customer: one invoice of 2,000.00 due 15 days ago.
        cls.fa_customer = cls.env["res.partner"].create(
            {
                "name": "شرکت پارس",
                "is_company": True,
                "lang": "fa_IR",
                "email": "fa@example.com",
                "settlement_native_digits": True,
            }
        )
        cls.fa_invoice = cls._invoice(cls.fa_customer, 2000.0, days_old=45)
        cls.CaseFile = cls.env["settlement.collection.file"].with_context(
            force_report_rendering=True
        )

    def _en(self, day):
        """A date as the en_US dossier prints it (the language's %m/%d/%Y)."""
        return day.strftime("%m/%d/%Y")

    # ------------------------------------------------------------------
    # The history is what the case file quotes
    # ------------------------------------------------------------------

    def test_history_made_by_the_flows(self):
        # The fixtures themselves, so a silent change in a flow shows here.
        self.assertEqual(self.inv_a.amount_residual, 600.0)
        self.assertEqual(self.inv_b.amount_residual, 350.0)
        self.assertEqual(self.inv_c.amount_residual, 250.0)
        self.assertEqual(self.first_reminder.line_ids.move_id, self.inv_b)
        self.assertEqual(self.second_reminder.line_ids.move_id, self.inv_a)
        self.assertEqual(self.promise.state, "broken")
        self.assertEqual(self.dispute.state, "accepted")
        self.assertTrue(self.second_reminder.delivery_ids.mapped("message_ref"))

    # ------------------------------------------------------------------
    # ZIP and dossier, from the customer's button
    # ------------------------------------------------------------------

    def test_case_file_from_the_customer_button(self):
        customer = self.customer.with_user(self.manager).with_context(
            force_report_rendering=True
        )
        action = customer.action_settlement_case_file()
        self.assertEqual(action["params"]["type"], "success")
        note = self.customer.message_ids.filtered(lambda m: m.attachment_ids)[:1]
        self.assertIn("3 invoice(s)", str(note.body))
        # 600 + 350 + 250 = 1,200.00 open.
        self.assertIn("1,200.00", str(note.body))
        archive = note.attachment_ids.filtered(lambda a: a.name.endswith(".zip"))
        workbook = note.attachment_ids.filtered(lambda a: a.name.endswith(".xlsx"))
        self.assertEqual(len(archive), 1)
        self.assertEqual(len(workbook), 1)
        self.assertEqual(archive.res_model, "res.partner")
        self.assertEqual(archive.res_id, self.customer.id)
        with zipfile.ZipFile(io.BytesIO(archive.raw)) as zipped:
            names = zipped.namelist()
            contents = {name: zipped.read(name) for name in names}
        invoices = [self.inv_a, self.inv_b, self.inv_c]
        # Customer and company both write en_US: one dossier, then the
        # invoices oldest due first, each in its own file.
        reference = f"{self.customer.id} {self.today.isoformat()}"
        self.assertEqual(
            names,
            [f"01 Dossier {reference} (en_US).pdf"]
            + [
                f"{index:02d} Invoice {invoice.name.replace('/', '-')}.pdf"
                for index, invoice in enumerate(invoices, start=2)
            ],
        )
        # Every member is a PDF that opens, with its pages.
        for name, content in contents.items():
            self.assertGreaterEqual(pdf_pages(content), 1, name)
        dossier = " ".join(pdf_text(contents[names[0]]).split())
        for invoice in invoices:
            self.assertIn(invoice.name, dossier)
        for section in (
            "Customer and contacts",
            "Invoices handed over",
            "Statement of account",
            "Reminders sent",
            "Promises to pay",
            "Disputes",
            "Call notes",
        ):
            self.assertIn(section, dossier)
        self.assertIn("CHE-123.456.788", dossier)
        self.assertIn("invoices@credit-customer.example.com", dossier)
        self.assertIn("+41 44 555 09 09", dossier)
        # Open amounts: 600.00, 350.00, 250.00, total 1,200.00 of 1,750.00.
        for amount in ("600.00", "350.00", "250.00", "1,200.00", "1,750.00"):
            self.assertIn(amount, dossier)
        # Each reminder's date and level, and the e-mail's Message-ID.
        for reminder, level in (
            (self.first_reminder, "First"),
            (self.second_reminder, "Second"),
        ):
            self.assertIn(
                f"{self._en(self.today)} {reminder.name} {level} E-mail Queued",
                dossier,
            )
        # The e-mails' Message-IDs (a long one wraps in its cell).
        unwrapped = dossier.replace(" ", "")
        for reminder in (self.first_reminder, self.second_reminder):
            message_id = reminder.delivery_ids.filtered(
                lambda d: d.channel == "email"
            ).message_ref
            self.assertTrue(message_id)
            self.assertIn(message_id.replace(" ", ""), unwrapped)
        # The broken promise, the dispute's outcome, both calls.
        self.assertIn("Broken", dossier)
        self.assertIn(self.dispute.name, dossier)
        self.assertIn("Accepted", dossier)
        self.assertIn(self.dispute.credit_note_id.name, dossier)
        self.assertIn("150.00", dossier)
        self.assertIn("Bank transfer blocked, will pay Friday", dossier)
        self.assertIn("Promise to Pay", dossier)
        # The statement of account as of today, embedded: its closing balance.
        # 1,000 + 500 + 250 − 400 paid − 150 credited = 1,200.00, as the
        # invoices' open amounts.
        self.assertIn(f"{self._en(self.today)} Closing balance $ 1,200.00", dossier)

    def test_empty_sections_say_so(self):
        quiet = self.env["res.partner"].create(
            {"name": "Quiet Customer", "is_company": True, "lang": "en_US"}
        )
        dossier = " ".join(
            pdf_text(
                self.CaseFile.with_user(self.manager)._dossier_pdf(
                    quiet, self.env["account.move"]
                )
            ).split()
        )
        for text in (
            "No invoice was handed over.",
            "No reminder was sent.",
            "No promise to pay was made.",
            "No dispute was raised.",
            "No call was logged.",
        ):
            self.assertIn(text, dossier)

    # ------------------------------------------------------------------
    # Persian customer: right to left, and a copy in the company's language
    # ------------------------------------------------------------------

    def test_persian_customer_gets_a_persian_dossier_and_an_english_copy(self):
        name, content = self.CaseFile.with_user(self.manager)._case_file_zip(
            self.fa_customer, self.fa_invoice, "CASE-7"
        )
        self.assertEqual(name, "Case File CASE-7 شرکت پارس.zip")
        with zipfile.ZipFile(io.BytesIO(content)) as zipped:
            names = zipped.namelist()
            persian = zipped.read(names[0])
            english = zipped.read(names[1])
        self.assertEqual(
            names,
            [
                # each dossier named in its own language
                "01 شرح پرونده CASE-7 (fa_IR).pdf",
                "02 Dossier CASE-7 (en_US).pdf",
                f"03 Invoice {self.fa_invoice.name.replace('/', '-')}.pdf",
            ],
        )
        lines = pdf_lines(persian)
        text = "\n".join(lines)
        # Persian labels of the embedded statement and Persian digits; read
        # from right to left, the closing line gives today's Jalali date
        # first, then the label, then the 2,000.00 owed: a page laid out
        # left to right would read it the other way round.
        self.assertIn(normalize("مانده ابتدای دوره"), text)
        jalali = jdatetime.date.fromgregorian(date=self.today).strftime("%Y/%m/%d")
        self.assertIn(
            normalize(f"{jalali.translate(PERSIAN)} مانده پایان دوره ۲,۰۰۰.۰۰ $"),
            lines,
            text,
        )
        # The invoice with its Jalali dates: issued 45 days ago, due 15.
        issued, due = (
            jdatetime.date.fromgregorian(date=self.today - timedelta(days=days))
            .strftime("%Y/%m/%d")
            .translate(PERSIAN)
            for days in (45, 15)
        )
        self.assertIn(f"{self.fa_invoice.name} {issued} {due}", text)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html(
                "settlement_mgmt.action_report_collection_file",
                self.fa_customer.ids,
                data={"invoice_ids": self.fa_invoice.ids, "lang": "fa_IR"},
            )[0]
            .decode()
        )
        self.assertIn('dir="rtl"', html)
        english_text = " ".join(pdf_text(english).split())
        self.assertIn("Statement of account", english_text)
        self.assertIn("Opening balance", english_text)
        self.assertIn("2,000.00", english_text)
        self.assertIn(self.fa_invoice.name, english_text)

    # ------------------------------------------------------------------
    # Agency workbook
    # ------------------------------------------------------------------

    def _sheet(self, partner, invoices):
        name, content = (
            self.env["settlement.collection.file"]
            .with_user(self.manager)
            ._agency_workbook(partner, invoices, "CASE-9")
        )
        self.assertTrue(name.endswith(".xlsx"))
        return openpyxl.load_workbook(io.BytesIO(content)).active

    def test_agency_workbook_one_row_per_open_item(self):
        sheet = self._sheet(self.customer, self.env["account.move"])
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[4]
        self.assertEqual(
            header,
            (
                "Customer",
                "Tax ID",
                "Address",
                "Phone",
                "E-mail",
                "Invoice",
                "Invoice Date",
                "Due Date",
                "Payment Terms",
                "Original Amount",
                "Open Amount",
                "Currency",
                "Days Overdue",
                "Last Reminder",
                "Reminder Level",
                "Dispute",
                "Promise to Pay",
            ),
        )
        data = rows[5:8]
        # Oldest due first: A (due 30 days ago), B (10), C (due in 10 days).
        self.assertEqual(
            [row[5] for row in data],
            [self.inv_a.name, self.inv_b.name, self.inv_c.name],
        )
        first = data[0]
        self.assertEqual(first[0], "Credit Customer")
        self.assertEqual(first[1], "CHE-123.456.788")
        self.assertIn("Mahnweg 3", first[2])
        self.assertEqual(first[4], "ap@credit-customer.example.com")
        self.assertIsInstance(first[6], datetime)
        self.assertEqual(first[6].date(), self.today - timedelta(days=60))
        self.assertEqual(first[7].date(), self.today - timedelta(days=30))
        self.assertEqual([row[9] for row in data], [1000.0, 500.0, 250.0])
        self.assertEqual([row[10] for row in data], [600.0, 350.0, 250.0])
        self.assertEqual([row[11] for row in data], ["USD"] * 3)
        self.assertEqual([row[12] for row in data], [30, 10, 0])
        self.assertEqual(first[13].date(), self.today)
        self.assertEqual([row[14] for row in data], ["Second", "First", None])
        self.assertEqual([row[15] for row in data], [None, "Accepted", None])
        self.assertEqual([row[16] for row in data], ["Broken", None, None])
        # The totals row sums the data rows (Excel rows 6 to 8) by formula.
        total = rows[8]
        self.assertEqual(total[0], "Total")
        self.assertEqual(total[9], "=SUM(J6:J8)")
        self.assertEqual(total[10], "=SUM(K6:K8)")
        self.assertEqual(len(rows), 9)

    def test_agency_workbook_of_a_customer_without_open_items(self):
        paid_up = self.env["res.partner"].create(
            {"name": "Paid Up", "is_company": True}
        )
        rows = list(
            self._sheet(paid_up, self.env["account.move"]).iter_rows(values_only=True)
        )
        self.assertEqual(len(rows), 6)
        self.assertEqual(rows[5][0], "No open item was handed over in this case.")
        self.assertFalse(
            any(
                isinstance(value, str) and value.startswith("=")
                for row in rows
                for value in row
            )
        )

    def test_workbook_of_chosen_invoices_only(self):
        sheet = self._sheet(self.customer, self.inv_b)
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual([row[5] for row in rows[5:-1]], [self.inv_b.name])
        self.assertEqual(rows[-1][10], "=SUM(K6:K6)")

    # ------------------------------------------------------------------
    # Bad input and access
    # ------------------------------------------------------------------

    def test_someone_elses_invoice_is_refused_and_nothing_is_attached(self):
        other = self._invoice(self.other_customer, 80.0)
        CaseFile = self.CaseFile.with_user(self.manager)
        before = self.env["ir.attachment"].search_count([])
        for call in (
            lambda: CaseFile._case_file_zip(self.customer, other, "X"),
            lambda: CaseFile._agency_workbook(self.customer, other, "X"),
            lambda: CaseFile._attach_case_file(
                self.customer, self.customer, self.inv_a | other, "X"
            ),
        ):
            with self.assertRaisesRegex(UserError, "Only posted customer invoices"):
                call()
        self.assertEqual(self.env["ir.attachment"].search_count([]), before)

    def test_only_managers_build_a_case_file(self):
        for user in (self.settlement_user, self.controller, self.billing_user):
            CaseFile = self.CaseFile.with_user(user)
            moves = self.env["account.move"]
            for call in (
                lambda CaseFile=CaseFile, moves=moves: CaseFile._dossier_pdf(
                    self.customer, moves
                ),
                lambda CaseFile=CaseFile, moves=moves: CaseFile._case_file_zip(
                    self.customer, moves, "X"
                ),
                lambda CaseFile=CaseFile, moves=moves: CaseFile._agency_workbook(
                    self.customer, moves, "X"
                ),
                lambda CaseFile=CaseFile, moves=moves: CaseFile._attach_case_file(
                    self.customer, self.customer, moves, "X"
                ),
                lambda user=user: self.customer.with_user(
                    user
                ).action_settlement_case_file(),
            ):
                with self.assertRaises(AccessError):
                    call()

    def test_rpc_entry_points_refuse_a_settlement_user(self):
        answer = self.rpc(
            "cf_user", "res.partner", "action_settlement_case_file", [self.customer.ids]
        )
        self.assertIn("Settlement Managers", self.assertRpcRefused(answer))
        # The private API cannot be called over RPC at all.
        for method in ("_dossier_pdf", "_case_file_zip", "_attach_case_file"):
            self.assertRpcRefused(
                self.rpc(
                    "cf_user",
                    "settlement.collection.file",
                    method,
                    [self.customer.ids, []],
                )
            )
        # Nor may the report route print the dossier for a non-manager.
        self.authenticate("cf_user", "cf_user")
        response = self.url_open(
            f"/report/pdf/settlement_mgmt.report_collection_file/{self.customer.id}"
        )
        self.assertFalse(response.content.startswith(b"%PDF"))
        self.assertFalse(self.customer.message_ids.filtered(lambda m: m.attachment_ids))
        # A manager's session builds it.
        answer = self.rpc(
            "cf_manager",
            "res.partner",
            "action_settlement_case_file",
            [self.customer.ids],
        )
        self.assertIn("result", answer)
        self.assertTrue(self.customer.message_ids.filtered(lambda m: m.attachment_ids))
