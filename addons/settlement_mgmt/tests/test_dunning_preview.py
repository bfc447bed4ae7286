from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestDunningPreview(SettlementCommon):
    """The collector's hand run: each e-mail and letter read before sending,
    edited or left out; and the customer's next action and collector."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminder, cls.call, cls.last = cls._company_dunning_policy(
            "Preview policy",
            {"name": "Reminder", "days": 5},
            {"name": "Call them", "days": 20, "channels": ("email", "call")},
            {"name": "Last word", "days": 40, "channels": ("letter", "email")},
        )
        cls.collector = new_test_user(
            cls.env,
            login="sm_collector",
            groups="settlement_mgmt.group_settlement_user",
        )

    def _overdue(self, partner, amount, days_overdue):
        return self._invoice(partner, amount, days_old=days_overdue + 30, due_days=30)

    def _preview(self, partners=None):
        form = Form(self.env["settlement.dunning.run"].with_user(self.controller))
        for partner in partners or ():
            form.partner_ids.add(partner)
        run = form.save()
        run.action_preview()
        return run

    def _line(self, run, partner):
        return run.line_ids.filtered(lambda line: line.partner_id == partner)

    def test_preview_shows_each_e_mail_as_the_customer_gets_it(self):
        invoice = self._overdue(self.customer, 250.0, 8)
        run = self._preview()
        line = self._line(run, self.customer)
        self.assertEqual(line.level_id, self.reminder)
        self.assertEqual((line.item_count, line.amount), (1, 250.0))
        self.assertIn(invoice.name, line.mail_body)
        self.assertIn("Credit Customer", line.mail_body)
        # The number is given on sending: the preview says so.
        self.assertIn("[…]", line.mail_subject)
        self.assertIn("Pay online", line.mail_body)
        self.assertFalse(line.mail_edited)
        self.assertFalse(line.letter_preview)
        # Nothing was recorded by the preview.
        self.assertFalse(self.Communication.search([]))

    def test_letter_preview_before_the_reminder_exists(self):
        invoice = self._overdue(self.customer, 400.0, 45)
        line = self._line(self._preview(), self.customer)
        self.assertEqual(line.level_id, self.last)
        self.assertIn("Last word", line.letter_preview)
        self.assertIn(invoice.name, line.letter_preview)
        self.assertIn("overdue", line.letter_preview)

    def test_a_customer_left_out_gets_nothing(self):
        self._overdue(self.customer, 250.0, 8)
        self._overdue(self.other_customer, 90.0, 9)
        run = self._preview()
        self.assertEqual((run.reminder_count, run.amount_total), (2, 340.0))
        with Form(run) as form, form.line_ids.edit(0) as line:
            self.assertEqual(line.partner_id, self.customer)
            line.include = False
        self.assertEqual((run.reminder_count, run.amount_total), (1, 90.0))
        action = run.action_send()
        sent = self.Communication.search(action["domain"])
        self.assertEqual(sent.partner_id, self.other_customer)
        self.assertFalse(self.customer.settlement_communication_ids)
        # Left out today, still due: the next run finds it.
        again = self._preview()
        self.assertEqual(again.line_ids.partner_id, self.customer)

    def test_nothing_sent_when_every_customer_is_left_out(self):
        self._overdue(self.customer, 250.0, 8)
        run = self._preview()
        run.line_ids.include = False
        with self.assertRaisesRegex(UserError, "Every customer is excluded"):
            run.action_send()
        self.assertFalse(self.Communication.search([]))

    def test_an_edited_e_mail_is_sent_as_edited_with_its_number(self):
        self._overdue(self.customer, 250.0, 8)
        self._overdue(self.other_customer, 90.0, 9)
        run = self._preview()
        with Form(run) as form, form.line_ids.edit(0) as line:
            line.mail_subject = "Your account, reminder […]"
            line.mail_body = "<p>Dear Ann, as agreed on the phone: 250 by Friday.</p>"
        edited = self._line(run, self.customer)
        self.assertTrue(edited.mail_edited)
        self.assertFalse(self._line(run, self.other_customer).mail_edited)
        sent = self.Communication.search(run.action_send()["domain"])
        mine = sent.filtered(lambda c: c.partner_id == self.customer)
        other = sent - mine
        message = mine.mail_message_id
        self.assertEqual(message.subject, f"Your account, reminder {mine.name}")
        self.assertIn("as agreed on the phone: 250 by Friday", str(message.body))
        self.assertIn(self.customer, message.partner_ids)
        # The other customer gets the level's own e-mail.
        self.assertIn("payment reminder", other.mail_message_id.subject)
        self.assertIn(other.name, other.mail_message_id.subject)
        self.assertIn("are overdue", str(other.mail_message_id.body))

    def test_figures_changed_since_the_preview_are_refused(self):
        invoice = self._overdue(self.customer, 250.0, 8)
        run = self._preview()
        self._pay(invoice, 100.0)
        with self.assertRaisesRegex(UserError, "changed since the preview"):
            run.action_send()
        self.assertFalse(self.Communication.search([]))
        run.action_preview()
        self.assertEqual(run.line_ids.amount, 150.0)
        self.assertTrue(self.Communication.search(run.action_send()["domain"]))

    def test_next_action_follows_the_reminder_sent(self):
        # Most overdue item 8 days: the call level (20 days) is 12 days away.
        self._overdue(self.customer, 250.0, 8)
        self._overdue(self.customer, 50.0, 6)
        # 25 days overdue: the call level, to call today.
        self._overdue(self.other_customer, 90.0, 25)
        self.Engine._cron_settlement_dunning()
        self.assertEqual(
            self.customer.settlement_next_action_date,
            self.today + timedelta(days=12),
        )
        self.assertEqual(self.other_customer.settlement_next_action_date, self.today)
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner.search(
                [
                    ("settlement_action_due", "=", True),
                    ("id", "in", (self.customer | self.other_customer).ids),
                ]
            ),
            self.other_customer,
        )

    def test_final_level_and_an_earlier_date_set_by_hand(self):
        self._overdue(self.customer, 400.0, 45)
        self._overdue(self.other_customer, 250.0, 8)
        # The collector promised to call back in three days: kept.
        self.other_customer.settlement_next_action_date = self.today + timedelta(3)
        self.Engine._cron_settlement_dunning()
        # Last level: look again when the final notice's eight days are over.
        self.assertEqual(
            self.customer.settlement_next_action_date,
            self.today + timedelta(days=8),
        )
        self.assertEqual(
            self.other_customer.settlement_next_action_date,
            self.today + timedelta(days=3),
        )

    def test_the_customers_collector_gets_the_call(self):
        self.customer.settlement_collector_id = self.collector
        self._overdue(self.customer, 90.0, 25)
        self.Engine._cron_settlement_dunning()
        reminder = self.customer.settlement_communication_ids
        self.assertEqual(reminder.user_id, self.collector)
        self.assertEqual(reminder.activity_ids.user_id, self.collector)
        # Per company: another company's customer record keeps no collector.
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.assertFalse(
            self.customer.with_company(other_company).settlement_collector_id
        )

    def test_a_promise_moves_the_next_action_to_the_day_after(self):
        self._overdue(self.customer, 90.0, 25)
        self.Engine._cron_settlement_dunning()
        self.assertEqual(self.customer.settlement_next_action_date, self.today)
        self.env["settlement.promise"].with_user(self.collector).create(
            {
                "partner_id": self.customer.id,
                "amount": 90.0,
                "date_promised": self.today + timedelta(days=6),
            }
        )
        self.assertEqual(
            self.customer.settlement_next_action_date,
            self.today + timedelta(days=7),
        )

    def test_the_customer_shows_what_is_running_with_it(self):
        disputed = self._overdue(self.customer, 300.0, 10)
        planned = self._overdue(self.customer, 600.0, 2)
        dispute = self.env["settlement.dispute"].create(
            {
                "move_id": disputed.id,
                "reason_id": self.env.ref("settlement_mgmt.dispute_reason_price").id,
                "amount": 100.0,
            }
        )
        plan = self._proposed_plan(planned, instalments=2)
        promise = self.env["settlement.promise"].create(
            {
                "partner_id": self.customer.id,
                "amount": 50.0,
                "date_promised": self.today + timedelta(days=3),
            }
        )
        customer = self.customer.with_user(self.collector)
        self.assertEqual(
            (
                customer.settlement_open_dispute_count,
                customer.settlement_open_promise_count,
                customer.settlement_running_plan_count,
            ),
            (1, 1, 1),
        )
        # A contact of the customer shows the company's.
        self.assertEqual(self.customer_contact.settlement_open_dispute_count, 1)
        self.assertEqual(self.other_customer.settlement_open_dispute_count, 0)
        for action, record in (
            (customer.action_settlement_view_open_disputes(), dispute),
            (customer.action_settlement_view_open_promises(), promise),
            (customer.action_settlement_view_running_plans(), plan),
        ):
            found = self.env[action["res_model"]].search(action["domain"])
            self.assertEqual(found, record)
        promise.action_cancel()
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.settlement_open_promise_count, 0)
