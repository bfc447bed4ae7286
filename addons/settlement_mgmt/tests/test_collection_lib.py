from odoo.tests import BaseCase

from odoo.addons.settlement_mgmt.lib.collection import (
    commission,
    recovery_split,
    state_after_recovery,
)


class TestCollectionLib(BaseCase):
    def test_commission_rounds_half_up(self):
        # 333.33 x 15 % = 49.9995 -> 50.00; 100 x 12.5 % = 12.50
        self.assertEqual(commission(333.33, 15.0), 50.0)
        self.assertEqual(commission(100.0, 12.5), 12.5)
        self.assertEqual(commission(0.1, 15.0), 0.02)

    def test_recovery_split(self):
        self.assertEqual(recovery_split(600.0, 90.0, 1500.0), (510.0, None))
        self.assertEqual(recovery_split(0.0, 0.0, 1500.0)[1], "gross")
        self.assertEqual(recovery_split(-5.0, 0.0, 1500.0)[1], "gross")
        self.assertEqual(recovery_split(1500.01, 0.0, 1500.0)[1], "too_much")
        self.assertEqual(recovery_split(100.0, 100.01, 1500.0)[1], "commission")
        self.assertEqual(recovery_split(100.0, -1.0, 1500.0)[1], "commission")
        self.assertEqual(recovery_split(1500.0, 1500.0, 1500.0), (0.0, None))

    def test_state_after_recovery(self):
        self.assertEqual(state_after_recovery(0.0, 1500.0), "recovered")
        self.assertEqual(state_after_recovery(900.0, 600.0), "partial")
        self.assertIsNone(state_after_recovery(900.0, 0.0))
