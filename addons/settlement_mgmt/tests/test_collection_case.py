"""Collection cases: a customer goes from its first reminder to the final
notice, is handed over to an agency by that level, part of its debt is
recovered through the agency (net of commission) and the rest written off.
At each step the ledger, the statement, the credit block and dunning agree
with amounts worked out by hand here."""

import zipfile
from datetime import timedelta
from io import BytesIO

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestCollectionCase(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.commission_account = cls.env["account.account"].create(
            {
                "name": "Collection commissions",
                "code": "657100",
                "account_type": "expense",
            }
        )
        cls.bad_debt_account = cls.env["account.account"].create(
            {"name": "Bad debts", "code": "654100", "account_type": "expense"}
        )
        settings = cls.env["res.config.settings"].create(
            {
                "settlement_collection_commission_account_id": (
                    cls.commission_account.id
                ),
                "settlement_bad_debt_account_id": cls.bad_debt_account.id,
            }
        )
        settings.execute()
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Swift Recovery Agency",
                "is_company": True,
                "settlement_collection_kind": "agency",
                "settlement_collection_commission": 15.0,
                "settlement_collection_terms": "15 % of what is collected.",
            }
        )
        cls.lawyer = cls.env["res.partner"].create(
            {
                "name": "Counsel & Partners",
                "is_company": True,
                "settlement_collection_kind": "lawyer",
                "settlement_collection_commission": 20.0,
            }
        )
        cls.policy = cls.env["settlement.dunning.policy"].create(
            {
                "name": "Policy with a collection agency",
                "level_ids": [
                    Command.create({"name": "First reminder", "days": 7}),
                    Command.create(
                        {
                            "name": "Final notice",
                            "days": 45,
                            "action_hold": True,
                            "action_legal": True,
                            "action_collection_case": True,
                            "collection_handler_id": cls.agency.id,
                        }
                    ),
                ],
            }
        )
        cls.first_level, cls.final_level = cls.policy._sorted_levels()
        company.settlement_dunning_policy_id = cls.policy
        cls.customer.email = "ap@credit-customer.example.com"
        cls.other_customer.email = "ap@other-customer.example.com"
        cls.manager = new_test_user(
            cls.env,
            login="cc_manager",
            groups="settlement_mgmt.group_settlement_manager",
            company_id=company.id,
        )
        cls.user = new_test_user(
            cls.env,
            login="cc_user",
            groups="settlement_mgmt.group_settlement_user",
            company_id=company.id,
        )
        cls.bank = cls.company_data["default_journal_bank"]
        cls.receivable = cls.customer.property_account_receivable_id
        cls.Case = cls.env["settlement.collection.case"]

    # ------------------------------------------------------------------
    # Helpers: what the ledger, the statement and dunning say
    # ------------------------------------------------------------------

    def _balance(self, account, partner=None):
        domain = [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return sum(self.env["account.move.line"].search(domain).mapped("balance"))

    def _statement(self):
        return self.env["settlement.statement"]._statement_data(
            self.customer, self.today - timedelta(days=120), self.today
        )

    def _statement_html(self):
        return self.env["ir.actions.report"]._render_qweb_html(
            "settlement_mgmt.action_report_statement",
            self.customer.ids,
            data={
                "date_from": str(self.today - timedelta(days=120)),
                "date_to": str(self.today),
            },
        )[0]

    def _dunned_moves(self):
        rows = self.env["settlement.dunning.engine"]._dunning_item_rows(
            self.env.company, self.today, self.customer
        )
        return self.env["account.move"].browse({row.move_id for row in rows})

    def _overdue_invoice(self, partner, amount, days_overdue):
        return self._invoice(partner, amount, days_old=days_overdue + 30)

    def _dunning_run(self):
        run = (
            self.env["settlement.dunning.run"]
            .with_user(self.controller)
            .create({"company_id": self.env.company.id})
        )
        run.action_preview()
        run.action_send()

    def _recover(self, case, gross, **values):
        action = case.with_user(self.manager).action_record_recovery()
        wizard = (
            self.env["settlement.collection.case.recover"]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"amount_gross": gross, "journal_id": self.bank.id, **values})
        )
        wizard.action_confirm()
        return wizard

    def _write_off(self, case, reason):
        action = case.with_user(self.manager).action_write_off()
        wizard = (
            self.env["settlement.collection.case.write.off"]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"reason": reason})
        )
        wizard.action_confirm()

    def _case_file_open_amounts(self, case):
        """{invoice: open amount} as the case file's agency workbook gives
        them (one row per open item, below its header row)."""
        _name, content = (
            self.env["settlement.collection.file"]
            .with_user(self.manager)
            ._agency_workbook(case.partner_id, case.item_ids.move_id, case.name)
        )
        sheet = openpyxl.load_workbook(BytesIO(content)).active
        return {
            row[5]: row[10]
            for row in sheet.iter_rows(min_row=6, values_only=True)
            if row[5] and row[5].startswith("INV")
        }

    def _assert_blocked(self):
        draft = self._invoice(self.customer, 10.0, post=False)
        with self.assertRaises(UserError):
            draft.action_post()
        self.assertEqual(draft.state, "draft")

    # ------------------------------------------------------------------
    # The whole way, first reminder to write-off
    # ------------------------------------------------------------------

    def test_first_reminder_to_agency_recovery_and_write_off(self):
        old = self._overdue_invoice(self.customer, 1000.0, 50)
        newer = self._overdue_invoice(self.customer, 500.0, 48)
        Communication = self.env["settlement.dunning.communication"]

        # 40 days ago both were 10 and 8 days overdue: the first reminder.
        with freeze_time(self.today - timedelta(days=40)):
            self.env["settlement.dunning.engine"]._cron_settlement_dunning()
        first = Communication.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(first.level_id, self.first_level)
        self.assertEqual(first.line_ids.move_id, old | newer)
        self.assertFalse(self.Case.search([("partner_id", "=", self.customer.id)]))

        # Today they are 50 and 48 days overdue: the final notice opens a case.
        self._dunning_run()
        final = Communication.search(
            [
                ("partner_id", "=", self.customer.id),
                ("level_id", "=", self.final_level.id),
            ]
        )
        self.assertEqual(len(final), 1)
        case = self.Case.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(case), 1)
        self.assertEqual(case.state, "open")
        self.assertEqual(case.handler_id, self.agency)
        self.assertEqual(case.commission_rate, 15.0)
        self.assertEqual(case.communication_id, final)
        self.assertEqual(case.item_ids.move_id, old | newer)
        self.assertEqual(case.amount_handed_over, 1500.0)
        self.assertEqual(case.amount_open, 1500.0)
        self.assertTrue(case.name.startswith("CASE/"))
        # The legal activity points to the case.
        activity = final.activity_ids
        self.assertIn(case.name, activity.summary)
        # Ledger: 1000 + 500 owed.
        self.assertEqual(self._balance(self.receivable, self.customer), 1500.0)
        # Statement: the same balance, the agency named, the items marked.
        statement = self._statement()
        self.assertEqual(statement["sections"][0]["closing"], 1500.0)
        self.assertEqual(statement["collection_case"], case.sudo())
        marked = [
            line["move_id"]
            for line in statement["sections"][0]["lines"]
            if line["collection"]
        ]
        self.assertEqual(sorted(marked), sorted((old | newer).ids))
        # Case file: both invoices open in full.
        self.assertEqual(
            self._case_file_open_amounts(case), {old.name: 1000.0, newer.name: 500.0}
        )
        # Credit block: the case's hold, which no controller can release.
        self.assertEqual(case.hold_id.hold_type, "collection")
        self.assertEqual(case.hold_id.state, "active")
        self._assert_blocked()
        with self.assertRaisesRegex(UserError, case.name):
            case.hold_id.with_user(self.controller)._release("Paid in cash")
        self.assertEqual(case.hold_id.state, "active")
        # Dunning: a new overdue invoice is chased, the handed-over ones not;
        # a second run opens no second case.
        fresh = self._overdue_invoice(self.customer, 200.0, 10)
        self.assertEqual(self._dunned_moves(), fresh)
        self._dunning_run()
        self.assertEqual(
            self.Case.search_count([("partner_id", "=", self.customer.id)]), 1
        )
        self.assertEqual(self._balance(self.receivable, self.customer), 1700.0)

        # The manager passes the file to the agency, which collects 600.
        case.with_user(self.manager).action_to_agency()
        self.assertEqual(case.state, "agency")
        wizard = self._recover(case, 600.0)
        # 600 x 15 % = 90 commission, 510 remitted.
        self.assertEqual(wizard.amount_commission, 90.0)
        recovery = case.recovery_ids
        self.assertEqual(
            (recovery.amount_gross, recovery.amount_commission, recovery.amount_net),
            (600.0, 90.0, 510.0),
        )
        payment = recovery.payment_id
        self.assertEqual(payment.amount, 510.0)
        self.assertEqual(payment.journal_id, self.bank)
        # Ledger: the debt falls by the gross 600 (1700 - 600), the commission
        # is an expense of 90, the bank receives 510.
        self.assertEqual(self._balance(self.receivable, self.customer), 1100.0)
        self.assertEqual(self._balance(self.commission_account), 90.0)
        self.assertEqual(self._balance(payment.outstanding_account_id), 510.0)
        # Oldest first: the 1000 invoice has 400 left, the 500 one is untouched.
        self.assertEqual(old.amount_residual, 400.0)
        self.assertEqual(newer.amount_residual, 500.0)
        self.assertEqual(case.state, "partial")
        self.assertEqual(case.amount_recovered, 600.0)
        self.assertEqual(case.amount_commission, 90.0)
        self.assertEqual(case.amount_open, 900.0)
        self.assertEqual(self._statement()["sections"][0]["closing"], 1100.0)
        self.assertEqual(
            self._case_file_open_amounts(case), {old.name: 400.0, newer.name: 500.0}
        )
        self.assertEqual(self._dunned_moves(), fresh)
        self._assert_blocked()

        # The agency gives up: the 900 left is written off.
        self._write_off(case, "The agency found no assets.")
        self.assertEqual(case.state, "written_off")
        self.assertEqual(case.date_closed, self.today)
        self.assertEqual(case.amount_written_off, 900.0)
        self.assertEqual(case.amount_open, 0.0)
        self.assertEqual(self._balance(self.bad_debt_account), 900.0)
        self.assertEqual(self._balance(self.receivable, self.customer), 200.0)
        self.assertEqual(self._balance(self.commission_account), 90.0)
        self.assertEqual((old | newer).mapped("amount_residual"), [0.0, 0.0])
        self.assertEqual(case.hold_id.state, "released")
        statement = self._statement()
        self.assertEqual(statement["sections"][0]["closing"], 200.0)
        self.assertFalse(statement["collection_case"])
        # Case file: nothing of the case is open any more.
        self.assertEqual(self._case_file_open_amounts(case), {})
        self.assertEqual(self._dunned_moves(), fresh)
        # Written off twice: refused, nothing booked.
        moves = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "closed"):
            case.with_user(self.manager)._write_off("Again")
        self.assertEqual(self.env["account.move"].search_count([]), moves)

    # ------------------------------------------------------------------
    # By hand, and returned to dunning
    # ------------------------------------------------------------------

    def _hand_over(self, user, partner, handler, **values):
        action = partner.with_user(user).action_settlement_hand_over()
        wizard = (
            self.env["settlement.collection.case.open"]
            .with_user(user)
            .with_context(**action["context"])
            .create({"handler_id": handler.id, **values})
        )
        return self.Case.browse(wizard.action_confirm()["res_id"])

    def test_hand_over_by_hand_and_return_to_dunning(self):
        overdue = self._overdue_invoice(self.customer, 300.0, 20)
        not_due = self._overdue_invoice(self.customer, 100.0, -5)
        case = self._hand_over(self.user, self.customer, self.lawyer)
        # The default items: the overdue ones only.
        self.assertEqual(case.item_ids.move_id, overdue)
        self.assertEqual(case.commission_rate, 20.0)
        self.assertEqual(self.customer.settlement_collection_case_count, 1)
        self.assertNotIn(overdue, self._dunned_moves())
        # The printed statement names the lawyer and the case, marks the item.
        html = self._statement_html()
        self.assertIn(b"o_settlement_statement_collection", html)
        self.assertIn(self.lawyer.name.replace("&", "&amp;").encode(), html)
        self.assertIn(case.name.encode(), html)
        self.assertEqual(html.count(b"o_settlement_statement_collection_item"), 1)
        # A settlement user cannot move, recover, write off or return it.
        for method in (
            "action_to_agency",
            "action_to_court",
            "action_return",
            "action_record_recovery",
            "action_write_off",
        ):
            with self.assertRaises(AccessError):
                getattr(case.with_user(self.user), method)()
        with self.assertRaises(AccessError):
            case.with_user(self.user).write({"state": "recovered"})
        with self.assertRaises(AccessError):
            case.with_user(self.user).write({"commission_rate": 0.0})
        case.with_user(self.user).write({"note": "<p>Called the lawyer.</p>"})
        # A manager sets the commission, takes it to court, then returns it.
        case.with_user(self.manager).write({"commission_rate": 25.0})
        self.assertEqual(case.commission_rate, 25.0)
        case.with_user(self.manager).action_to_court()
        self.assertEqual(case.state, "court")
        case.with_user(self.manager).action_return()
        self.assertEqual(case.state, "returned")
        self.assertEqual(case.hold_id.state, "released")
        self.assertNotIn(b"o_settlement_statement_collection", self._statement_html())
        # The overdue invoice is chased again (the other is not due yet).
        self.assertEqual(self._dunned_moves(), overdue)
        # A new case may then be opened, from the Due Schedule.
        items = self.env["settlement.receivable.item"].search(
            [("move_id", "=", not_due.id)]
        )
        wizard = (
            self.env["settlement.collection.case.open"]
            .with_user(self.user)
            .with_context(
                active_model="settlement.receivable.item", active_ids=items.ids
            )
            .create({"handler_id": self.agency.id})
        )
        self.assertEqual(wizard.move_line_ids.move_id, not_due)
        self.assertFalse(self.customer.settlement_collection_case_active)
        wizard.action_confirm()
        self.customer.invalidate_recordset()
        self.assertTrue(self.customer.settlement_collection_case_active)

    def test_customer_paying_us_directly_closes_the_case_at_night(self):
        invoice = self._overdue_invoice(self.customer, 300.0, 20)
        case = self._hand_over(self.user, self.customer, self.agency)
        Holds = self.env["settlement.credit.hold"]
        # Half paid: the case stays as it is (nothing came through the agency).
        self._pay(invoice, 150.0)
        Holds._cron_settlement_credit_holds()
        self.assertEqual(case.state, "open")
        self.assertEqual(case.amount_open, 150.0)
        self.assertEqual(case.hold_id.state, "active")
        # The rest paid: recovered, hold released, nothing written off.
        self._pay(invoice)
        Holds._cron_settlement_credit_holds()
        self.assertEqual(case.state, "recovered")
        self.assertEqual(case.hold_id.state, "released")
        self.assertEqual(case.amount_written_off, 0.0)
        self.assertEqual(case.date_closed, self.today)

    def test_case_file_of_the_items_handed_over(self):
        handed_over = self._overdue_invoice(self.customer, 300.0, 20)
        self._overdue_invoice(self.customer, 100.0, -5)  # not due: not handed over
        case = self._hand_over(self.user, self.customer, self.agency)
        # A settlement user opens cases but may not gather the customer's file.
        with self.assertRaises(AccessError):
            case.with_user(self.user).action_build_case_file()
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", case._name), ("res_id", "=", case.id)]
            )
        )
        case.with_user(self.manager).action_build_case_file()
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", case._name), ("res_id", "=", case.id)]
        )
        self.assertEqual(
            sorted(name.rsplit(".", 1)[1] for name in attachments.mapped("name")),
            ["xlsx", "zip"],
        )
        for attachment in attachments:
            self.assertIn(case.name.replace("/", "-"), attachment.name)
        archive = zipfile.ZipFile(
            BytesIO(attachments.filtered(lambda a: a.name.endswith(".zip")).raw)
        )
        invoice_members = [name for name in archive.namelist() if "Dossier" not in name]
        # Besides the dossier: the one invoice handed over (not the one not due).
        self.assertEqual(len(invoice_members), 1, archive.namelist())
        self.assertIn(handed_over.name.replace("/", "-"), invoice_members[0])
        workbook = openpyxl.load_workbook(
            BytesIO(attachments.filtered(lambda a: a.name.endswith(".xlsx")).raw)
        )
        sheet = workbook.active
        invoice_cells = [
            row for row in sheet.iter_rows(values_only=True) if handed_over.name in row
        ]
        self.assertEqual(len(invoice_cells), 1)
        self.assertIn(300.0, invoice_cells[0])
        self.assertIn(case.name, case.message_ids[0].body)

    # ------------------------------------------------------------------
    # Bad input: a clear error, nothing written
    # ------------------------------------------------------------------

    def test_bad_input_is_refused_and_writes_nothing(self):
        invoice = self._overdue_invoice(self.customer, 1000.0, 30)
        other = self._overdue_invoice(self.other_customer, 100.0, 30)
        case = self._hand_over(self.manager, self.customer, self.agency)
        payments = self.env["account.payment"].search_count([])
        moves = self.env["account.move"].search_count([])
        for gross, commission, message in (
            (0.0, 0.0, "positive amount"),
            (-50.0, 0.0, "positive amount"),
            (1000.01, 0.0, "more than"),
            (100.0, 120.0, "commission"),
            (100.0, -1.0, "commission"),
        ):
            with self.subTest(gross=gross, commission=commission):
                with self.assertRaisesRegex(UserError, message):
                    case.with_user(self.manager)._record_recovery(
                        gross, commission, self.bank, self.today
                    )
        with self.assertRaisesRegex(UserError, "bank or cash journal"):
            case.with_user(self.manager)._record_recovery(
                100.0, 15.0, self.company_data["default_journal_sale"], self.today
            )
        with self.assertRaisesRegex(UserError, "reason"):
            case.with_user(self.manager)._write_off("  ")
        self.assertEqual(self.env["account.payment"].search_count([]), payments)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertFalse(case.recovery_ids)
        self.assertEqual(invoice.amount_residual, 1000.0)
        # A second case for the same customer.
        with self.assertRaisesRegex(UserError, "already has the open collection case"):
            self._hand_over(self.manager, self.customer, self.lawyer)
        # Someone else's item, a partner that is no agency.
        wizard = (
            self.env["settlement.collection.case.open"]
            .with_user(self.manager)
            .create(
                {
                    "partner_id": self.other_customer.id,
                    "handler_id": self.customer.id,
                    "move_line_ids": [Command.set(invoice.line_ids.ids)],
                }
            )
        )
        with self.assertRaisesRegex(UserError, "neither a collection agency"):
            wizard.action_confirm()
        wizard.handler_id = self.agency
        with self.assertRaisesRegex(UserError, "not an open receivable"):
            wizard.action_confirm()
        # Another company's case.
        company_b = self.setup_other_company(name="Case Company B")["company"]
        wizard.write(
            {
                "company_id": company_b.id,
                "move_line_ids": [Command.set(other.line_ids.ids)],
            }
        )
        with self.assertRaises(AccessError):
            wizard.action_confirm()
        self.assertEqual(
            self.Case.search_count([("partner_id", "=", self.other_customer.id)]), 0
        )
        # Nonsense commission rates on the agency.
        with self.assertRaises(ValidationError):
            self.agency.settlement_collection_commission = 120.0
        with self.assertRaises(ValidationError):
            case.with_user(self.manager).write({"commission_rate": -5.0})

    def test_recovering_everything_closes_the_case_and_releases_the_hold(self):
        invoice = self._overdue_invoice(self.customer, 400.0, 60)
        case = self._hand_over(self.manager, self.customer, self.agency)
        case.with_user(self.manager).action_to_agency()
        # 400 x 15 % = 60 commission, 340 remitted; nothing left.
        self._recover(case, 400.0)
        self.assertEqual(case.state, "recovered")
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self._balance(self.commission_account), 60.0)
        self.assertEqual(case.recovery_ids.payment_id.amount, 340.0)
        self.assertEqual(case.hold_id.state, "released")

    def test_cases_and_recoveries_registers(self):
        self._overdue_invoice(self.customer, 800.0, 60)
        case = self._hand_over(self.manager, self.customer, self.agency)
        case.with_user(self.manager).action_to_agency()
        # 200 x 15 % = 30 commission, 170 remitted.
        self._recover(case, 200.0)
        wizard = self.env["settlement.register.export"].create({"register": "cases"})
        sheet = openpyxl.load_workbook(BytesIO(wizard._export_content())).active
        rows = list(sheet.iter_rows(values_only=True))
        header, data = rows[4], [row for row in rows[5:] if row[0] != "Total"]
        self.assertEqual(header[0], "Number")
        self.assertEqual(len(data), 1)
        self.assertEqual(data[0][0], case.name)
        self.assertEqual(data[0][2], self.agency.name)
        self.assertEqual(data[0][3], "Partly Recovered")
        # handed over 800, recovered 200, commission 30, written off 0, open 600
        self.assertEqual(list(data[0][7:12]), [800.0, 200.0, 30.0, 0.0, 600.0])
        wizard = self.env["settlement.register.export"].create(
            {"register": "recoveries"}
        )
        sheet = openpyxl.load_workbook(BytesIO(wizard._export_content())).active
        rows = list(sheet.iter_rows(values_only=True))
        data = [row for row in rows[5:] if row[0] != "Total"]
        self.assertEqual(len(data), 1)
        self.assertEqual(data[0][0], case.name)
        self.assertEqual(list(data[0][4:7]), [200.0, 30.0, 170.0])


@tagged("post_install", "-at_install")
class TestCollectionCaseOnThePortal(SettlementCommon, HttpCase):
    def test_portal_statement_says_who_has_the_account(self):
        invoice = self._invoice(self.customer, 300.0, days_old=60)
        agency = self.env["res.partner"].create(
            {
                "name": "Northwind Collections",
                "is_company": True,
                "settlement_collection_kind": "agency",
                "settlement_collection_commission": 10.0,
            }
        )
        self._portal_user("cc_portal", self.customer)
        action = self.customer.with_user(self.controller).action_settlement_hand_over()
        wizard = (
            self.env["settlement.collection.case.open"]
            .with_user(self.controller)
            .with_context(**action["context"])
            .create({"handler_id": agency.id})
        )
        case = self.env["settlement.collection.case"].browse(
            wizard.action_confirm()["res_id"]
        )
        self.assertEqual(case.item_ids.move_id, invoice)
        self.authenticate("cc_portal", "cc_portal")
        page = self.url_open("/my/statement")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_settlement_statement_collection", page.text)
        self.assertIn(agency.name, page.text)
        self.assertIn(case.name, page.text)
        self.assertEqual(page.text.count("o_settlement_statement_collection_item"), 1)
