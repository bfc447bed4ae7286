import re
from datetime import timedelta
from pathlib import Path

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SettlementCommon

# The intended policy is the README's "Access rights" tables, read here and
# checked exactly (README.md at the repository root is the specification).
README = Path(__file__).resolve().parents[3] / "README.md"
ROLES = ("employee", "user", "controller", "manager", "portal", "public")
LETTERS = {"R": "r", "W": "w", "C": "c", "D": "u"}


def _readme_table(title):
    """Rows of the README table that follows the paragraph starting ``title``:
    [first cell, *role cells]."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Access rights", 1)[1].split("\n## ", 1)[0]
    block = section.split(title, 1)[1]
    table = []
    for line in block.splitlines():
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif table:
            break
    # header and separator rows first
    return table[2:]


def readme_model_rights():
    """{model: (rights letters per role)} from the records table."""
    matrix = {}
    for cells in _readme_table("Records — "):
        model = re.search(r"`([\w.]+)`", cells[0]).group(1)
        matrix[model] = tuple(
            "".join(LETTERS[letter] for letter in cell.split() if letter in LETTERS)
            for cell in cells[1:]
        )
    return matrix


def readme_decisions():
    """{decision id: (allowed per role)} from the decisions table (no public)."""
    return {
        re.search(r"`([\w.]+)`", cells[0]).group(1): tuple(
            cell == "yes" for cell in cells[1:]
        )
        for cells in _readme_table("Decisions — ")
    }


MATRIX = readme_model_rights()
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install")
class TestAccessMatrix(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        make = lambda login, groups, **kw: new_test_user(  # noqa: E731
            cls.env, login=login, groups=groups, company_id=company.id, **kw
        )
        cls.users = {
            "employee": make("am_employee", "base.group_user"),
            "user": make("am_user", "settlement_mgmt.group_settlement_user"),
            "controller": make(
                "am_controller", "settlement_mgmt.group_settlement_controller"
            ),
            "manager": make("am_manager", "settlement_mgmt.group_settlement_manager"),
            "portal": make(
                "am_portal", "base.group_portal", partner_id=cls.customer_contact.id
            ),
            "public": cls.env.ref("base.public_user"),
        }
        # Internal users may edit contacts, as in a real company: credit terms
        # are then refused by the addon's rule, not for lack of that right.
        contacts = cls.env.ref("base.group_partner_manager")
        for role in ("employee", "user", "controller", "manager"):
            cls.users[role].groups_id = [Command.link(contacts.id)]

    def test_model_rights_per_role(self):
        for model, rights in MATRIX.items():
            for role, allowed in zip(ROLES, rights, strict=True):
                Model = self.env[model].with_user(self.users[role])
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(
                            Model.has_access(operation),
                            letter in allowed,
                            f"{role} {operation} {model}",
                        )

    def test_readme_table_lists_every_settlement_model(self):
        models = {
            name
            for name, model in self.env.registry.items()
            if name.startswith("settlement.") and not model._abstract
        }
        self.assertEqual(set(MATRIX), models)
        self.assertEqual(
            set(readme_decisions()),
            {
                "dispute.decide",
                "dispute.rewrite",
                "dispute.close",
                "partner.credit_terms",
                "hold.place",
                "override",
                "plan.request_decide",
                "company.collections_responsible",
                "case_file",
                "case.open",
                "case.settle",
            },
        )

    # One way to take each decision of the README's table, as ``user``.

    def _new_dispute(self):
        invoice = self._invoice(self.customer, 300.0, days_old=40)
        reason = self.env.ref("settlement_mgmt.dispute_reason_price")
        return self.env["settlement.dispute"].create(
            {"move_id": invoice.id, "reason_id": reason.id, "amount": 100.0}
        )

    def _try_dispute_decide(self, user):
        self._new_dispute().with_user(user).action_review()

    def _try_dispute_rewrite(self, user):
        dispute = self._new_dispute()
        dispute.with_user(user).write({"state": "accepted", "accepted_amount": 1.0})

    def _try_dispute_close(self, user):
        dispute = self._new_dispute()
        self.env["settlement.dispute.resolve"].create(
            {"dispute_id": dispute.id, "action": "reject", "note": "Price agreed"}
        ).action_confirm()
        dispute.with_user(user).action_close()

    def _try_partner_credit_terms(self, user):
        self.customer.with_user(user).write({"credit_limit": 1234.0})

    def _try_hold_place(self, user):
        partner = self.env["res.partner"].create(
            {"name": "To hold", "is_company": True}
        )
        self.env["settlement.credit.hold"].with_user(user).create(
            {"partner_id": partner.id, "hold_type": "manual", "reason": "Risk"}
        )

    def _try_override(self, user):
        partner = self.env["res.partner"].create({"name": "Held", "is_company": True})
        self.env["settlement.credit.hold"].create(
            {"partner_id": partner.id, "hold_type": "manual", "reason": "Risk"}
        )
        invoice = self._invoice(partner, 100.0, post=False)
        self.env["settlement.credit.override.grant"].with_user(user).create(
            {"move_ids": [Command.set(invoice.ids)], "reason": "Paid in cash"}
        ).action_confirm()
        self.assertEqual(invoice.state, "posted")

    def _try_plan_request_decide(self, user):
        invoice = self._invoice(self.customer, 300.0, days_old=40)
        plan = self.env["settlement.instalment.plan"]._portal_request_create(
            self.customer,
            self.env.company,
            invoice.ids,
            12,
            "monthly",
            self.today + timedelta(days=7),
            0.0,
        )
        self.assertEqual(plan.state, "requested")
        plan.with_user(user).action_request_approve()

    def _try_company_collections_responsible(self, user):
        company = self.env.company.with_user(user)
        company.write({"settlement_collections_user_id": self.controller.id})
        self.assertEqual(
            self.env.company.sudo().settlement_collections_user_id, self.controller
        )

    def _try_case_file(self, user):
        # The workbook: the cheapest part of the file, checked as the rest.
        name, content = (
            self.env["settlement.collection.file"]
            .with_user(user)
            ._agency_workbook(self.customer, self.env["account.move"], "CASE-1")
        )
        self.assertTrue(content.startswith(b"PK"), name)

    def _collection_customer(self):
        customer = self.env["res.partner"].create(
            {"name": "Handed-over customer", "is_company": True}
        )
        self._invoice(customer, 700.0, days_old=90)
        agency = self.env["res.partner"].create(
            {
                "name": "Matrix Agency",
                "settlement_collection_kind": "agency",
                "settlement_collection_commission": 10.0,
            }
        )
        return customer, agency

    def _try_case_open(self, user):
        customer, agency = self._collection_customer()
        wizard = (
            self.env["settlement.collection.case.open"]
            .with_user(user)
            .with_context(active_model="res.partner", active_ids=customer.ids)
            .create({"handler_id": agency.id})
        )
        wizard.action_confirm()
        self.assertEqual(customer.sudo().settlement_collection_case_count, 1)

    def _try_case_settle(self, user):
        customer, agency = self._collection_customer()
        lines = self.env["settlement.collection.case.open"]._overdue_lines(
            customer, self.env.company
        )
        case = self.env["settlement.collection.case"]._open_case(
            customer, self.env.company, agency, lines
        )
        case.with_user(user).action_to_agency()
        self.assertEqual(case.state, "agency")

    def test_decisions_per_role(self):
        roles = ROLES[:-1]  # the public user decides nothing and has no row
        for decision, allowed_by_role in readme_decisions().items():
            attempt = getattr(self, "_try_" + decision.replace(".", "_"))
            for role, allowed in zip(roles, allowed_by_role, strict=True):
                with self.subTest(decision=decision, role=role):
                    try:
                        with self.env.cr.savepoint():
                            attempt(self.users[role])
                        done = True
                    except AccessError:
                        done = False
                    self.assertEqual(done, allowed, f"{role}: {decision}")

    def test_portal_sees_only_its_own_and_not_drafts(self):
        mine = self._invoice(self.customer, 500.0)
        theirs = self._invoice(self.other_customer, 500.0)
        Plan = self.env["settlement.instalment.plan"]
        plans = Plan.create(
            [
                {
                    "partner_id": move.commercial_partner_id.id,
                    "currency_id": move.currency_id.id,
                    "move_ids": [Command.set(move.ids)],
                    "amount_total": 500.0,
                }
                for move in (mine, theirs)
            ]
        )
        for plan in plans:
            plan._set_schedule([(self.today + timedelta(days=10), 500.0)])
        plans.action_propose()
        draft = Plan.create(
            {
                "partner_id": self.customer.id,
                "currency_id": mine.currency_id.id,
                "move_ids": [Command.set(mine.ids)],
                "amount_total": 500.0,
            }
        )
        portal = self.users["portal"]
        visible = Plan.with_user(portal).search([])
        self.assertEqual(visible, plans[0])
        self.assertNotIn(draft, visible)
        with self.assertRaises(AccessError):
            plans[1].with_user(portal).read(["name"])
        reason = self.env.ref("settlement_mgmt.dispute_reason_price")
        Dispute = self.env["settlement.dispute"]
        disputes = Dispute.create(
            [
                {"move_id": move.id, "reason_id": reason.id, "amount": 10.0}
                for move in (mine, theirs)
            ]
        )
        self.assertEqual(Dispute.with_user(portal).search([]), disputes[0])

    def test_other_company_records_stay_hidden(self):
        other_company = self.env["res.company"].create({"name": "Second Company"})
        user = self.users["manager"]
        self.assertNotIn(other_company, user.company_ids)
        records = {
            "settlement.promise": self.env["settlement.promise"]
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": other_company.id,
                    "amount": 10.0,
                    "date_promised": self.today,
                }
            ),
            "settlement.credit.hold": self.env["settlement.credit.hold"]
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": other_company.id,
                    "reason": "Other company only",
                }
            ),
            "settlement.dunning.policy": self.env["settlement.dunning.policy"]
            .sudo()
            .create({"name": "Other policy", "company_id": other_company.id}),
        }
        for model, record in records.items():
            with self.subTest(model=model):
                self.assertFalse(
                    self.env[model].with_user(user).search([("id", "=", record.id)])
                )
        # Exposure never mixes companies: the hold of company 2 does not
        # block company 1.
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.with_user(user).settlement_on_hold)
