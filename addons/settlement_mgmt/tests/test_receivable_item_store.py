import re
from datetime import timedelta

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import SettlementCommon

# The text of a query a trigger function runs through EXECUTE.
DYNAMIC = re.compile(r"\$statement\$.*?\$statement\$", re.S)

COLUMNS = (
    "id, name, partner_id, company_id, company_currency_id, currency_id, "
    "move_id, move_line_id, plan_id, plan_line_id, date_due, amount_residual, "
    "amount_residual_currency, amount_net, amount_net_currency, discount_date, "
    "discount_amount_currency, tier_until"
)


@tagged("post_install", "-at_install")
class TestReceivableItemStore(SettlementCommon):
    """The due schedule is a table kept customer by customer: after every
    flow that changes what a customer owes, it must equal the schedule
    recomputed from the whole ledger, and the figures a person reads in it
    must be those of the documents."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.late = cls._invoice(cls.customer, 600.0, days_old=60, due_days=30)
        cls.recent = cls._invoice(cls.customer, 400.0, days_old=10, due_days=30)
        cls.elsewhere = cls._invoice(cls.other_customer, 250.0, days_old=45)

    def _table_rows(self):
        self.env["settlement.receivable.item"]._flush_sources()
        return self.env.execute_query(
            SQL(f"SELECT {COLUMNS} FROM settlement_receivable_item ORDER BY id")
        )

    def _ledger_rows(self):
        """The schedule recomputed now over the whole ledger."""
        items = self.env["settlement.receivable.item"]._items_sql()
        return self.env.execute_query(
            SQL(f"SELECT {COLUMNS} FROM (%s) item ORDER BY id", items)
        )

    def assertTableIsLedger(self, step):
        with self.subTest(step=step):
            self.assertEqual(self._table_rows(), self._ledger_rows())

    def _due(self, partner):
        """{invoice number: (amount due, net due)} read in the Due Schedule."""
        items = self.env["settlement.receivable.item"].search(
            [("partner_id", "=", partner.id)]
        )
        return {item.name: (item.amount_residual, item.amount_net) for item in items}

    def test_the_table_follows_every_flow_that_changes_what_is_owed(self):
        self.assertTableIsLedger("setup")
        self.assertEqual(
            self._due(self.customer),
            {self.late.name: (600.0, 600.0), self.recent.name: (400.0, 400.0)},
        )

        self._pay(self.late, 250.0)
        self.assertTableIsLedger("partial payment")
        self.assertEqual(self._due(self.customer)[self.late.name], (350.0, 350.0))

        refund = self._invoice(self.customer, 100.0, move_type="out_refund")
        self.assertTableIsLedger("open credit note")
        # The credit settles the oldest item first: 350 - 100 left to chase.
        self.assertEqual(self._due(self.customer)[self.late.name], (350.0, 250.0))
        self.assertEqual(self._due(self.customer)[refund.name], (-100.0, 0.0))

        payment = self._pay(self.late)
        self.assertTableIsLedger("full payment")
        self.assertNotIn(self.late.name, self._due(self.customer))

        payment.move_id.line_ids.remove_move_reconcile()
        self.assertTableIsLedger("payment unreconciled")
        self.assertEqual(self._due(self.customer)[self.late.name], (350.0, 0.0))

        self.recent.button_draft()
        self.assertTableIsLedger("invoice back to draft")
        self.assertNotIn(self.recent.name, self._due(self.customer))
        self.recent.action_post()
        self.assertTableIsLedger("posted again")

    def test_a_plan_replaces_its_invoices_and_gives_them_back(self):
        plan = self.env["settlement.instalment.plan"].create(
            {
                "partner_id": self.customer.id,
                "currency_id": self.late.currency_id.id,
                "move_ids": [Command.set((self.late | self.recent).ids)],
                "amount_total": 1000.0,
            }
        )
        plan._set_schedule(
            [(self.today, 500.0), (self.today + timedelta(days=30), 500.0)]
        )
        self.assertTableIsLedger("draft plan")
        plan.action_activate()
        self.assertTableIsLedger("active plan")
        self.assertEqual(
            sorted(self._due(self.customer).values()), [(500.0, 500.0)] * 2
        )
        self._pay(self.late, 600.0)
        self.assertTableIsLedger("paid under the plan")
        plan.action_cancel()
        self.assertTableIsLedger("plan cancelled")
        self.assertEqual(self._due(self.customer), {self.recent.name: (400.0, 400.0)})

    def test_a_contact_moving_to_another_company_takes_its_items(self):
        buyer = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": self.customer.id, "type": "invoice"}
        )
        invoice = self._invoice(buyer, 80.0, days_old=5)
        self.assertIn(invoice.name, self._due(self.customer))
        buyer.parent_id = self.other_customer
        self.assertTableIsLedger("contact moved")
        self.assertNotIn(invoice.name, self._due(self.customer))
        self.assertEqual(self._due(self.other_customer)[invoice.name], (80.0, 80.0))

    def test_a_change_written_in_sql_is_caught(self):
        line = self.late.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        new_due = self.today + timedelta(days=7)
        self.env.cr.execute(
            SQL(
                "UPDATE account_move_line SET date_maturity = %s WHERE id = %s",
                new_due,
                line.id,
            )
        )
        self.assertTableIsLedger("raw update")
        item = self.env["settlement.receivable.item"].search(
            [("move_line_id", "=", line.id)]
        )
        self.assertEqual(item.date_due, new_due)

    def test_at_commit_the_deferred_trigger_does_the_same(self):
        self._pay(self.recent, 100.0)
        self.env.flush_all()
        # What COMMIT does: fire the pending refresh; no reader synced first.
        self.env.cr.execute(
            SQL("SET CONSTRAINTS settlement_receivable_item_refresh IMMEDIATE")
        )
        rows = self.env.execute_query(
            SQL(
                """SELECT amount_residual FROM settlement_receivable_item
                    WHERE move_id = %s""",
                self.recent.id,
            )
        )
        self.assertEqual(rows, [(300.0,)])
        self.assertEqual(
            self.env.execute_query(
                SQL("SELECT count(*) FROM settlement_receivable_item_stale")
            ),
            [(0,)],
        )
        self.assertTableIsLedger("after commit")

    def test_rows_that_did_not_change_are_not_rewritten(self):
        def versions():
            # a row rewritten is a new tuple: its physical address moves
            return dict(
                self.env.execute_query(
                    SQL("SELECT move_id, ctid::text FROM settlement_receivable_item")
                )
            )

        self._table_rows()
        before = versions()
        self._pay(self.late, 100.0)
        self._table_rows()
        after = versions()
        self.assertNotEqual(after[self.late.id], before[self.late.id])
        # Same customer, another invoice, and another customer: untouched,
        # so two payments of one customer at once rarely collide.
        self.assertEqual(after[self.recent.id], before[self.recent.id])
        self.assertEqual(after[self.elsewhere.id], before[self.elsewhere.id])

    def _end_tier_yesterday(self, move):
        """A day passing, as the table sees it: the discount tier it shows
        for ``move`` ended yesterday (the ledger itself did not change)."""
        self._table_rows()
        yesterday = self.today - timedelta(days=1)
        self.env.cr.execute(
            SQL(
                """UPDATE settlement_receivable_item
                      SET tier_until = %s, discount_date = %s
                    WHERE move_id = %s""",
                yesterday,
                yesterday,
                move.id,
            )
        )

    def test_a_discount_tier_that_ran_out_gives_way_to_the_next(self):
        # The next read recomputes the customer.
        self._end_tier_yesterday(self.recent)
        self.assertTableIsLedger("tier ran out")

    def test_the_nightly_job_recomputes_the_tiers_that_ended(self):
        """The daily job, not the day's first read, brings the customers of
        ended tiers up to date: the table is right before anyone reads it."""
        self._end_tier_yesterday(self.recent)
        self.env.ref(
            "settlement_mgmt.ir_cron_settlement_receivable_item_sync"
        ).method_direct_trigger()
        # Read straight from the table: no reader has synced it.
        rows = self.env.execute_query(
            SQL(f"SELECT {COLUMNS} FROM settlement_receivable_item ORDER BY id")
        )
        self.assertEqual(rows, self._ledger_rows())
        self.assertFalse(
            self.env.execute_query(
                SQL(
                    "SELECT 1 FROM settlement_receivable_item WHERE tier_until < %s",
                    self.today,
                )
            )
        )

    def test_markers_plan_each_statement_for_its_own_rows(self):
        """A statement-level trigger reads its transition tables in queries
        planned for each statement (EXECUTE): a plan kept from a first
        one-row update made a 200,000-row update of the same session run for
        half an hour (a nested loop over two transition tables)."""
        functions = self.env.execute_query(
            SQL(
                """SELECT proname, prosrc FROM pg_proc
                    WHERE proname LIKE 'settlement_receivable_item_mark%%'"""
            )
        )
        self.assertEqual(len(functions), 6)
        for name, source in functions:
            with self.subTest(function=name):
                # every reference to a transition table is inside EXECUTE
                outside = DYNAMIC.sub("", source)
                self.assertIn("EXECUTE $statement$", source)
                self.assertNotIn("_rows", outside)
