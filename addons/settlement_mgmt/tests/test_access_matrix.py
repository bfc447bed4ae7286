from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SettlementCommon

# The intended policy, written out rather than read back from the ACL file:
# r = read, w = write, c = create, u = unlink, for each role.
ROLES = ("employee", "user", "controller", "manager", "portal", "public")
MATRIX = {
    "settlement.credit.hold": ("", "r", "rwc", "rwcu", "", ""),
    "settlement.credit.override": ("", "r", "r", "r", "", ""),
    "settlement.risk.score": ("", "r", "r", "r", "", ""),
    "settlement.dispute": ("", "rwc", "rwc", "rwcu", "r", ""),
    "settlement.dispute.reason": ("", "r", "r", "rwcu", "r", ""),
    "settlement.instalment.plan": ("", "rwc", "rwc", "rwcu", "r", ""),
    "settlement.instalment.plan.line": ("", "rwcu", "rwcu", "rwcu", "r", ""),
    "settlement.receivable.item": ("", "r", "r", "r", "", ""),
    "settlement.dunning.policy": ("", "r", "r", "rwcu", "", ""),
    "settlement.dunning.level": ("", "r", "r", "rwcu", "", ""),
    "settlement.dunning.communication": ("", "r", "rw", "rwcu", "", ""),
    "settlement.dunning.communication.line": ("", "r", "r", "rwcu", "", ""),
    "settlement.promise": ("", "rwc", "rwc", "rwcu", "", ""),
    "settlement.statement.sending": ("", "r", "r", "rwcu", "", ""),
    "settlement.discount.tier": ("r", "r", "r", "r", "r", ""),
    "settlement.invoice.discount": ("", "r", "r", "r", "", ""),
    "settlement.dunning.run": ("", "", "rwcu", "rwcu", "", ""),
    "settlement.credit.override.grant": ("", "", "rwcu", "rwcu", "", ""),
    "settlement.dispute.resolve": ("", "", "rwcu", "rwcu", "", ""),
    "settlement.aged.receivable.export": ("", "rwcu", "rwcu", "rwcu", "", ""),
    "settlement.register.export": ("", "rwcu", "rwcu", "rwcu", "", ""),
    "settlement.receivable.snapshot": ("", "r", "rwcu", "rwcu", "", ""),
    "settlement.receivable.kpi": ("", "r", "rwcu", "rwcu", "", ""),
    "settlement.prediction.model": ("", "r", "rwcu", "rwcu", "", ""),
    "settlement.payment.prediction": ("", "r", "rwcu", "rwcu", "", ""),
    "settlement.dashboard": ("", "rwc", "rwc", "rwc", "", ""),
}
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
