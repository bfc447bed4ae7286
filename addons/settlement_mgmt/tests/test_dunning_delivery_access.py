"""A delivery is proof: no user writes it, over JSON-RPC included."""

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SettlementCommon
from .rpc import JsonRpcMixin


@tagged("post_install", "-at_install")
class TestDeliveryAccess(JsonRpcMixin, SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.settlement_user = new_test_user(
            cls.env,
            login="dl_user",
            groups="settlement_mgmt.group_settlement_user",
            company_id=cls.env.company.id,
        )
        cls.manager = new_test_user(
            cls.env,
            login="dl_manager",
            groups="settlement_mgmt.group_settlement_manager",
            company_id=cls.env.company.id,
        )
        policy = cls.env["settlement.dunning.policy"].create(
            {
                "name": "E-mail",
                "level_ids": [
                    Command.create(
                        {
                            "name": "First",
                            "days": 7,
                            "channel_ids": [Command.create({"channel": "email"})],
                        }
                    )
                ],
            }
        )
        cls.env.company.settlement_dunning_policy_id = policy
        cls.customer.email = "ap@credit-customer.example.com"
        cls._invoice(cls.customer, 100.0, days_old=40, due_days=30)
        cls.env["settlement.dunning.engine"]._cron_settlement_dunning()
        cls.delivery = (
            cls.env["settlement.dunning.communication"]
            .search([("partner_id", "=", cls.customer.id)])
            .delivery_ids
        )

    def test_nobody_writes_a_delivery_over_rpc(self):
        self.assertEqual(self.delivery.state, "queued")
        for login in ("dl_user", "dl_manager"):
            for method, args in (
                ("write", [self.delivery.ids, {"state": "sent"}]),
                ("write", [self.delivery.ids, {"date_bounced": "2026-01-01 00:00:00"}]),
                (
                    "create",
                    [
                        {
                            "communication_id": self.delivery.communication_id.id,
                            "channel": "call",
                        }
                    ],
                ),
                ("unlink", [self.delivery.ids]),
            ):
                with self.subTest(login=login, method=method):
                    answer = self.rpc(
                        login, "settlement.dunning.delivery", method, args
                    )
                    self.assertRpcRefused(answer, "odoo.exceptions.AccessError")
        self.delivery.invalidate_recordset()
        self.assertEqual(self.delivery.state, "queued")
        self.assertFalse(self.delivery.date_bounced)
        self.assertEqual(len(self.delivery.communication_id.delivery_ids), 1)
        # Reading it is what the menu is for.
        answer = self.rpc(
            "dl_user",
            "settlement.dunning.delivery",
            "search_read",
            [[("id", "=", self.delivery.id)], ["state", "message_ref", "date_queued"]],
        )
        self.assertEqual(answer["result"][0]["state"], "queued")
        self.assertEqual(
            answer["result"][0]["message_ref"],
            self.delivery.mail_message_id.message_id,
        )

    def test_handling_a_bounce_is_not_public(self):
        """The bounce handler is private: RPC refuses to call it."""
        answer = self.rpc(
            "dl_manager",
            "settlement.dunning.delivery",
            "_on_bounce",
            [self.delivery.ids],
        )
        self.assertIn("error", answer)
        self.assertFalse(self.delivery.date_bounced)


@tagged("post_install", "-at_install")
class TestDunningPolicyChangeLogged(SettlementCommon):
    def test_setting_a_customers_dunning_policy_is_logged_by_name(self):
        """Setting a customer's own dunning policy failed (the new value, a
        record, was browsed as ids) before the label took records too."""
        policy = self.env["settlement.dunning.policy"].create({"name": "Strict"})
        # Internal users may edit contacts; the credit terms are the
        # controller's.
        self.controller.groups_id = [
            Command.link(self.env.ref("base.group_partner_manager").id)
        ]
        self.customer.with_user(self.controller).settlement_dunning_policy_id = policy
        self.assertEqual(self.customer.settlement_dunning_policy_id, policy)
        self.assertIn("Company default → Strict", self.customer.message_ids[0].body)
