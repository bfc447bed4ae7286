import ast

from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestSettlementGroups(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_user = cls.env.ref("settlement_mgmt.group_settlement_user")
        cls.group_controller = cls.env.ref(
            "settlement_mgmt.group_settlement_controller"
        )
        cls.group_manager = cls.env.ref("settlement_mgmt.group_settlement_manager")
        cls.menu = cls.env.ref("settlement_mgmt.settlement_menu_root")
        cls.config_menu = cls.env.ref("settlement_mgmt.settlement_menu_configuration")

    def _user(self, login, *groups):
        return new_test_user(self.env, login=login, groups=",".join(groups))

    def test_groups_form_a_chain(self):
        manager = self._user("sm_manager", "settlement_mgmt.group_settlement_manager")
        controller = self._user(
            "sm_controller", "settlement_mgmt.group_settlement_controller"
        )
        user = self._user("sm_user", "settlement_mgmt.group_settlement_user")
        self.assertTrue(
            manager.has_group("settlement_mgmt.group_settlement_controller")
        )
        self.assertTrue(manager.has_group("settlement_mgmt.group_settlement_user"))
        self.assertTrue(controller.has_group("settlement_mgmt.group_settlement_user"))
        self.assertFalse(
            controller.has_group("settlement_mgmt.group_settlement_manager")
        )
        self.assertFalse(user.has_group("settlement_mgmt.group_settlement_controller"))
        self.assertTrue(user.has_group("account.group_account_invoice"))

    def test_accounting_administrator_is_settlement_manager(self):
        admin = self._user("acc_admin", "account.group_account_manager")
        self.assertTrue(admin.has_group("settlement_mgmt.group_settlement_manager"))
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(
                "settlement_mgmt.group_settlement_manager"
            )
        )

    def test_menus_follow_groups(self):
        Menu = self.env["ir.ui.menu"]
        plain = self._user("plain_employee", "base.group_user")
        user = self._user("sm_user2", "settlement_mgmt.group_settlement_user")
        manager = self._user(
            "sm_manager2", "settlement_mgmt.group_settlement_manager,base.group_system"
        )
        self.assertNotIn(self.menu.id, Menu.with_user(plain)._visible_menu_ids())
        self.assertIn(self.menu.id, Menu.with_user(user)._visible_menu_ids())
        self.assertNotIn(self.config_menu.id, Menu.with_user(user)._visible_menu_ids())
        self.assertIn(self.config_menu.id, Menu.with_user(manager)._visible_menu_ids())

    def test_settlement_user_reads_open_receivables(self):
        invoice = self.init_invoice("out_invoice", amounts=[120.0], post=True)
        user = self._user("sm_user3", "settlement_mgmt.group_settlement_user")
        action = (
            self.env["ir.actions.act_window"]
            .with_user(user)
            ._for_xml_id("settlement_mgmt.account_move_line_action_settlement_open")
        )
        domain = [*ast.literal_eval(action["domain"]), ("move_id", "=", invoice.id)]
        lines = self.env["account.move.line"].with_user(user).search(domain)
        self.assertEqual(lines.move_id, invoice)
