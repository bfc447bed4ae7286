"""Collection cases attacked over JSON-RPC, with each user's own session: an
internal user without settlement rights and a Settlement User try to read,
open, move, recover and write off; a manager's same call passes."""

from odoo.tests import HttpCase, new_test_user, tagged

from .common import SettlementCommon
from .rpc import JsonRpcMixin


@tagged("post_install", "-at_install")
class TestCollectionCaseRpc(JsonRpcMixin, SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.settlement_user = new_test_user(
            cls.env,
            login="ccr_user",
            groups="settlement_mgmt.group_settlement_user",
            company_id=company.id,
        )
        cls.manager = new_test_user(
            cls.env,
            login="ccr_manager",
            groups="settlement_mgmt.group_settlement_manager",
            company_id=company.id,
        )
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "RPC Agency",
                "settlement_collection_kind": "agency",
                "settlement_collection_commission": 10.0,
            }
        )
        cls.invoice = cls._invoice(cls.customer, 900.0, days_old=90)
        lines = cls.env["settlement.collection.case.open"]._overdue_lines(
            cls.customer, company
        )
        cls.case = cls.env["settlement.collection.case"]._open_case(
            cls.customer, company, cls.agency, lines
        )
        cls.env["settlement.collection.case"].browse(cls.case.id).action_to_agency()

    def _case_unchanged(self):
        self.case.invalidate_recordset()
        self.assertEqual(self.case.state, "agency")
        self.assertEqual(self.case.commission_rate, 10.0)
        self.assertFalse(self.case.recovery_ids)
        self.assertFalse(self.case.write_off_move_id)
        self.assertEqual(self.invoice.amount_residual, 900.0)

    def test_settlement_user_cannot_decide_over_rpc(self):
        case = "settlement.collection.case"
        ids = [self.case.id]
        # Reading and writing notes is allowed: the refusals below are not
        # a lack of access to the case.
        answer = self.rpc("ccr_user", case, "read", [ids, ["state"]])
        self.assertEqual(answer["result"][0]["state"], "agency")
        self.rpc(None, case, "write", [ids, {"note": "<p>Agency called.</p>"}])
        for values in (
            {"state": "recovered"},
            {"state": "written_off"},
            {"commission_rate": 0.0},
            {"handler_id": self.customer.id},
            {"date_closed": "2026-01-01"},
        ):
            with self.subTest(values=values):
                self.assertRpcRefused(self.rpc(None, case, "write", [ids, values]))
        for method in (
            "action_to_court",
            "action_return",
            "action_record_recovery",
            "action_write_off",
        ):
            with self.subTest(method=method):
                self.assertRpcRefused(self.rpc(None, case, method, [ids]))
        self.assertRpcRefused(
            self.rpc(
                None,
                case,
                "_record_recovery",
                [ids, 900.0, 0.0, self.company_data["default_journal_bank"].id],
            )
        )
        self.assertRpcRefused(
            self.rpc(
                None,
                "settlement.collection.case.recover",
                "create",
                [{"case_id": self.case.id, "amount_gross": 900.0}],
            )
        )
        self.assertRpcRefused(
            self.rpc(
                None,
                "settlement.collection.case.write.off",
                "create",
                [{"case_id": self.case.id, "reason": "Forged"}],
            )
        )
        self.assertRpcRefused(
            self.rpc(
                None,
                case,
                "create",
                [{"partner_id": self.other_customer.id, "handler_id": self.agency.id}],
            )
        )
        self._case_unchanged()

    def test_internal_user_without_settlement_rights(self):
        case = "settlement.collection.case"
        self.assertRpcRefused(
            self.rpc("sm_billing", case, "search_read", [[]], {"fields": ["state"]})
        )
        self.assertRpcRefused(
            self.rpc(
                None,
                "settlement.collection.case.open",
                "create",
                [{"partner_id": self.other_customer.id, "handler_id": self.agency.id}],
            )
        )
        self.assertRpcRefused(
            self.rpc(None, case, "action_write_off", [[self.case.id]])
        )
        self._case_unchanged()

    def test_manager_changes_the_commission_over_rpc(self):
        answer = self.rpc(
            "ccr_manager",
            "settlement.collection.case",
            "write",
            [[self.case.id], {"commission_rate": 12.5}],
        )
        self.assertNotIn("error", answer)
        self.case.invalidate_recordset()
        self.assertEqual(self.case.commission_rate, 12.5)
        # Even a manager cannot set the state by hand.
        self.assertRpcRefused(
            self.rpc(
                None,
                "settlement.collection.case",
                "write",
                [[self.case.id], {"state": "recovered"}],
            )
        )
