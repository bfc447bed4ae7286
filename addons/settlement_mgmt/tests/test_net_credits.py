import re
from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestNetCredits(SettlementCommon):
    """Net before you chase: a customer's open credit notes and unapplied
    payments settle its open items of the same currency, oldest due date
    first, before anyone is reminded, held or listed as overdue.  Every
    fixture goes through the real flows (posted invoices and credit notes,
    posted payments, the dunning cron, the hold cron, the dashboard refresh);
    the expected figures are computed by hand in each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Communication = cls.env["settlement.dunning.communication"]
        cls.Engine = cls.env["settlement.dunning.engine"]
        cls.Hold = cls.env["settlement.credit.hold"]
        cls.policy = cls.env["settlement.dunning.policy"].create(
            {
                "name": "Net credits policy",
                "level_ids": [
                    Command.create({"name": "Net First", "days": 10}),
                    Command.create({"name": "Net Final", "days": 90}),
                ],
            }
        )
        cls.first_level = cls.policy._sorted_levels()[0]
        cls.env.company.settlement_dunning_policy_id = cls.policy
        cls._set_policy("limit_overdue", overdue_days=30)
        cls.customer.email = "ap@credit-customer.example.com"
        cls.other_customer.email = "ap@other-customer.example.com"
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])

    # helpers -----------------------------------------------------------

    def _overdue(self, partner, amount, days_overdue, **values):
        """An invoice due ``days_overdue`` days ago (30 days' term)."""
        return self._invoice(
            partner, amount, days_old=days_overdue + 30, due_days=30, **values
        )

    def _credit_note(self, partner, amount, due_days=0, **values):
        """An open credit note of today, not reconciled with anything."""
        return self._invoice(
            partner,
            amount,
            days_old=0,
            due_days=due_days,
            move_type="out_refund",
            **values,
        )

    def _unapplied_payment(self, partner, amount):
        """A customer payment posted and left unreconciled."""
        payment = self.init_payment(amount, post=True, date=self.today, partner=partner)
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.amount_residual, -amount, "an unapplied payment")
        return payment

    def _reminders(self, partner):
        self.Engine._cron_settlement_dunning()
        return self.Communication.search([("partner_id", "=", partner.id)])

    def _overdue_figures(self, partner):
        partner.invalidate_recordset()
        return partner.settlement_overdue_amount, partner.settlement_oldest_overdue_days

    def _overdue_hold(self, partner):
        self.Hold._cron_settlement_credit_holds()
        return self.Hold.search(
            [
                ("partner_id", "=", partner.id),
                ("state", "=", "active"),
                ("hold_type", "=", "overdue"),
            ]
        )

    def _net_items(self, partner):
        Item = self.env["settlement.receivable.item"]
        Item._flush_sources()
        items = Item.search([("partner_id", "=", partner.id)])
        return {
            item.move_id: (item.amount_net_currency, item.amount_net) for item in items
        }

    def _assert_owes_overdue(self, partner, amount, days):
        self.assertEqual(self._overdue_figures(partner), (amount, days))

    def _assert_reminded(self, partner, lines):
        """One reminder at the first level listing ``lines``
        [(invoice, amount)], for their sum."""
        reminder = self._reminders(partner)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.level_id, self.first_level)
        self.assertEqual(
            [(line.move_id, line.amount_residual) for line in reminder.line_ids],
            lines,
        )
        self.assertEqual(reminder.amount_overdue, sum(amount for _m, amount in lines))
        return reminder

    # (a) ---------------------------------------------------------------

    def test_credit_note_equal_to_the_overdue_invoice_stops_every_chase(self):
        """Overdue 1,000 (60 days) + open credit note 1,000: owes 0 net."""
        invoice = self._overdue(self.customer, 1000.0, 60)
        credit = self._credit_note(self.customer, 1000.0)
        self._overdue(self.other_customer, 400.0, 40)  # a customer really late
        self.assertFalse(self._reminders(self.customer))
        self.assertTrue(self._reminders(self.other_customer))
        self._assert_owes_overdue(self.customer, 0.0, 0)
        self.assertEqual(self.customer.settlement_open_receivable, 0.0)
        self.assertFalse(self._overdue_hold(self.customer))
        self.assertTrue(self._overdue_hold(self.other_customer))
        dashboard = self.env["settlement.dashboard"].create({})
        self.assertNotIn("Credit Customer", dashboard.top_customers_html)
        self.assertIn("Other Customer", dashboard.top_customers_html)
        self.assertEqual(dashboard.overdue, 400.0)
        self.assertEqual(
            self._net_items(self.customer), {invoice: (0.0, 0.0), credit: (0.0, 0.0)}
        )

    # (b) ---------------------------------------------------------------

    def test_credit_settles_the_oldest_item_first(self):
        """Overdue 700 (60 days) and 300 (20 days), credit 500: 700 - 500 =
        200 left on the oldest, the 300 untouched, 500 to chase."""
        old = self._overdue(self.customer, 700.0, 60)
        recent = self._overdue(self.customer, 300.0, 20)
        credit = self._credit_note(self.customer, 500.0)
        self._assert_reminded(self.customer, [(old, 200.0), (recent, 300.0)])
        self._assert_owes_overdue(self.customer, 500.0, 60)
        # 200 of the 60-day item is still owed: beyond the 30 days allowed.
        self.assertTrue(self._overdue_hold(self.customer))
        self.assertEqual(
            self._net_items(self.customer),
            {old: (200.0, 200.0), recent: (300.0, 300.0), credit: (0.0, 0.0)},
        )

    def test_credit_larger_than_the_oldest_item_moves_on_to_the_next(self):
        """Overdue 700 (60 days) and 300 (20 days), credit 800: the oldest is
        settled, 200 left on the 20-day item; 20 days is within the 30
        allowed, so no hold."""
        old = self._overdue(self.customer, 700.0, 60)
        recent = self._overdue(self.customer, 300.0, 20)
        self._credit_note(self.customer, 800.0)
        self._assert_reminded(self.customer, [(recent, 200.0)])
        self._assert_owes_overdue(self.customer, 200.0, 20)
        self.assertFalse(self._overdue_hold(self.customer))
        self.assertEqual(self._net_items(self.customer)[old], (0.0, 0.0))

    # (c) ---------------------------------------------------------------

    def test_credit_in_another_currency_does_not_net(self):
        """USD invoice 1,000 (60 days) and a EUR credit note of 2,000 EUR
        (1,000 USD at 2 EUR per USD): the USD debt is still chased in full.
        A EUR invoice of 600 EUR (300 USD) 40 days overdue is settled by the
        EUR credit."""
        usd = self._overdue(self.customer, 1000.0, 60)
        eur = self._overdue(self.customer, 600.0, 40, currency_id=self.eur.id)
        credit = self._credit_note(self.customer, 2000.0, currency_id=self.eur.id)
        self._assert_reminded(self.customer, [(usd, 1000.0)])
        self._assert_owes_overdue(self.customer, 1000.0, 60)
        self.assertTrue(self._overdue_hold(self.customer))
        self.assertEqual(
            self._net_items(self.customer),
            {
                usd: (1000.0, 1000.0),
                eur: (0.0, 0.0),
                # 2,000 EUR - 600 EUR used = 1,400 EUR left = 700 USD
                credit: (-1400.0, -700.0),
            },
        )

    # (d) ---------------------------------------------------------------

    def test_unapplied_payment_nets_like_a_credit_note(self):
        """Overdue 700 (60 days) and 300 (20 days), 500 paid and not applied
        to any invoice: 200 left on the oldest, 300 on the other."""
        old = self._overdue(self.customer, 700.0, 60)
        recent = self._overdue(self.customer, 300.0, 20)
        self._unapplied_payment(self.customer, 500.0)
        self._assert_reminded(self.customer, [(old, 200.0), (recent, 300.0)])
        self._assert_owes_overdue(self.customer, 500.0, 60)

    def test_unapplied_payment_covering_everything_stops_the_chase(self):
        self._overdue(self.customer, 700.0, 60)
        self._overdue(self.customer, 300.0, 20)
        self._unapplied_payment(self.customer, 1200.0)
        self.assertFalse(self._reminders(self.customer))
        self._assert_owes_overdue(self.customer, 0.0, 0)
        self.assertFalse(self._overdue_hold(self.customer))

    def test_overpayment_left_on_another_invoice_nets(self):
        """The register-payment wizard pays 1,300 on a 1,000 invoice not yet
        due and keeps the difference open: 300 unapplied credit, which
        settles 300 of the 500 overdue (45 days)."""
        overdue = self._overdue(self.customer, 500.0, 45)
        current = self._invoice(self.customer, 1000.0, days_old=0, due_days=30)
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=current.ids)
            .create(
                {
                    "amount": 1300.0,
                    "payment_date": self.today,
                    "payment_difference_handling": "open",
                }
            )
        )
        wizard._create_payments()
        self.assertEqual(current.payment_state, "paid")
        self._assert_reminded(self.customer, [(overdue, 200.0)])
        self._assert_owes_overdue(self.customer, 200.0, 45)

    # (e) ---------------------------------------------------------------

    def test_dashboard_share_and_not_due_with_more_credit_than_debt(self):
        """Credit Customer: overdue 1,000 (60 days), credit note 1,500 due in
        30 days: owes nothing, 500 of credit left.  Other Customer: overdue
        2,000 (40 days) and 200 not due.  What customers owe net: 2,200, of
        which 2,000 overdue (90.9 %), 200 not due."""
        self._overdue(self.customer, 1000.0, 60)
        self._credit_note(self.customer, 1500.0, due_days=30)
        self._overdue(self.other_customer, 2000.0, 40)
        self._invoice(self.other_customer, 200.0, days_old=0, due_days=30)
        self.env["settlement.dashboard"].create({}).action_refresh()
        dashboard = self.env["settlement.dashboard"].create({})
        self.assertEqual(dashboard.overdue, 2000.0)
        self.assertEqual(dashboard.receivable, 2200.0)
        self.assertAlmostEqual(dashboard.overdue_share, 100.0 * 2000.0 / 2200.0, 1)
        self.assertLessEqual(dashboard.overdue_share, 100.0)
        # Each bar: label, then its amount as formatted text; keep the figure.
        bars = {
            label: re.sub(r"&[a-z]+;|[^0-9.,-]", "", amount)
            for label, amount in re.findall(
                r'<span class="w-25">([^<]*)</span>.*?'
                r'<span class="text-end w-25">([^<]*)</span>',
                dashboard.aging_html,
            )
        }
        self.assertEqual(bars["Not Due"], "200.00")
        self.assertEqual(bars["31–60"], "2,000.00")
        self.assertEqual(len(bars), 2, "no bar of 0 or less for the settled debt")
        self.assertNotIn("Credit Customer", dashboard.top_customers_html)

    # (f) stored analytics --------------------------------------------------

    def _snapshot_rows(self, date_at, dimension):
        Snapshot = self.env["settlement.receivable.snapshot"].sudo()
        rows = Snapshot.search(
            [
                ("company_id", "=", self.env.company.id),
                ("date", "=", date_at),
                ("dimension", "=", dimension),
            ]
        )
        return {row.bucket: (round(row.amount, 2), row.item_count) for row in rows}

    def test_snapshots_and_kpis_net_credits_as_they_stood(self):
        """Credit Customer: 1,000 due 60 days ago, credit note of 1,500 of
        today: nothing overdue, 500 of credit left.  Other Customer: 2,000 due
        40 days ago.  Ledger: 1,000 - 1,500 + 2,000 = 1,500 =
        2,000 (31-60 days) - 500 (unapplied credits).  Thirty days ago the
        credit note did not exist: both debts were 1-30 days overdue."""
        self.env.company.settlement_aging_days = "30, 60, 90"
        self._overdue(self.customer, 1000.0, 60)
        self._credit_note(self.customer, 1500.0)
        self._overdue(self.other_customer, 2000.0, 40)
        self.env["settlement.receivable.snapshot"].sudo()._cron_settlement_snapshots()
        self.assertEqual(
            self._snapshot_rows(self.today, "age"),
            {"31–60": (2000.0, 1), "Unapplied credits": (-500.0, 1)},
        )
        self.assertEqual(
            self._snapshot_rows(self.today, "level"),
            {"Overdue, not reminded": (2000.0, 1)},
        )
        kpi = self.env["settlement.receivable.kpi"].search(
            [("company_id", "=", self.env.company.id), ("date", "=", self.today)]
        )
        self.assertEqual(
            (kpi.receivable_closing, kpi.receivable_current, kpi.receivable_overdue),
            (1500.0, 0.0, 2000.0),
        )
        month_ago = self.today - timedelta(days=30)
        self.env["settlement.receivable.snapshot"].sudo()._take(
            self.env.company, month_ago
        )
        self.assertEqual(self._snapshot_rows(month_ago, "age"), {"1–30": (3000.0, 2)})

    # (g) the customer's follow-up ---------------------------------------

    def test_follow_up_from_the_customer_form(self):
        """Credit tab: the open items with what is left net (1,000 due 60 days
        ago, credit note of 400: 600 left, the credit used up), and "Send
        Reminder…" opens the reminder wizard for this customer only, whose
        preview lists 600 at the first level."""
        self._overdue(self.customer, 1000.0, 60)
        self._credit_note(self.customer, 400.0)
        self._overdue(self.other_customer, 300.0, 40)
        self.env["settlement.receivable.item"]._flush_sources()
        partner = self.customer.with_user(self.controller)
        self.assertEqual(
            sorted(
                (item.amount_residual, item.amount_net)
                for item in partner.settlement_item_ids
            ),
            [(-400.0, 0.0), (1000.0, 600.0)],
        )
        view = self.env.ref("settlement_mgmt.res_partner_view_form_inherit_settlement")
        action = self.env.ref("settlement_mgmt.settlement_dunning_run_action")
        self.assertIn(f'name="{action.id}"', view.arch_db)
        run = (
            self.env["settlement.dunning.run"]
            .with_user(self.controller)
            .with_context(default_partner_ids=[self.customer.id])
            .create({})
        )
        run.action_preview()
        self.assertEqual(
            [(line.partner_id, line.amount) for line in run.line_ids],
            [(self.customer, 600.0)],
        )
