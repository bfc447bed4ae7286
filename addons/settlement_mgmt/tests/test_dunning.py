from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestDunning(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.courtesy, cls.first, cls.second, cls.final = cls._company_dunning_policy(
            "Test policy",
            {"name": "Courtesy", "days": -3},
            {"name": "First", "days": 7},
            {
                "name": "Second",
                "days": 21,
                "channels": ("email", "call"),
                "fee_type": "fixed",
                "fee_fixed": 10.0,
                "interest_rate": 10.0,
                "call_script": "<p>Ask when they pay.</p>",
            },
            {"name": "Final", "days": 45, "action_hold": True, "action_legal": True},
        )

    def _overdue_invoice(self, partner, amount, days_overdue, **values):
        """An invoice due ``days_overdue`` days ago (negative: due later)."""
        return self._invoice(
            partner, amount, days_old=days_overdue + 30, due_days=30, **values
        )

    def _recent_unreminded(self):
        return self._overdue_invoice(self.customer, 10.0, -20)

    def _candidates(self, partners=None):
        return {
            (customer, level): [row.move_id for row in rows]
            for (customer, level), rows in self.Engine._dunning_candidates(
                self.env.company, partners=partners
            ).items()
        }

    def _run(self):
        self.Engine._cron_settlement_dunning()
        return self.Communication.search([])

    def test_each_item_gets_the_highest_level_it_reached(self):
        soon = self._overdue_invoice(self.customer, 100.0, -2)
        later = self._overdue_invoice(self.customer, 100.0, -10)
        first = self._overdue_invoice(self.customer, 200.0, 7)
        second = self._overdue_invoice(self.customer, 300.0, 30)
        final = self._overdue_invoice(self.customer, 400.0, 50)
        candidates = self._candidates()
        self.assertEqual(
            candidates,
            {
                (self.customer, self.courtesy): [soon.id],
                (self.customer, self.first): [first.id],
                (self.customer, self.second): [second.id],
                (self.customer, self.final): [final.id],
            },
        )
        self.assertNotIn(
            later.id, [move for moves in candidates.values() for move in moves]
        )

    def test_one_reminder_per_customer_and_level_listing_every_item(self):
        one = self._overdue_invoice(self.customer, 200.0, 8)
        two = self._overdue_invoice(self.customer, 300.0, 12)
        other = self._overdue_invoice(self.other_customer, 50.0, 9)
        sent = self._run()
        self.assertEqual(len(sent), 2)
        mine = sent.filtered(lambda c: c.partner_id == self.customer)
        self.assertEqual(mine.level_id, self.first)
        self.assertEqual(mine.line_ids.move_id, one | two)
        self.assertEqual(mine.amount_overdue, 500.0)
        self.assertEqual(mine.max_days_overdue, 12)
        self.assertEqual(
            sent.filtered(
                lambda c: c.partner_id == self.other_customer
            ).line_ids.move_id,
            other,
        )
        # The e-mail is in the reminder's chatter, addressed to the customer.
        self.assertIn(self.customer, mine.mail_message_id.partner_ids)
        self.assertIn(one.name, str(mine.mail_message_id.body))
        self.assertEqual(mine.delivery_state, "queued")
        self.assertIn(mine, self.customer.settlement_communication_ids)
        # The invoices show their last reminder and its level.
        (one | two).invalidate_recordset()
        self.assertEqual(one.settlement_last_reminder_id, mine)
        self.assertEqual(two.settlement_last_reminder_level, "First")
        self.assertFalse(self._recent_unreminded().settlement_last_reminder_id)

    def test_courtesy_reminder_shows_the_early_discount_still_available(self):
        term = self.env.ref("account.account_payment_term_30days_early_discount")
        move = self._invoice(
            self.customer,
            1000.0,
            days_old=28,
            invoice_payment_term_id=term.id,
            invoice_date_due=False,
        )
        line = move.line_ids.filtered(lambda line: line.discount_date)
        self.assertTrue(line)
        # The discount window of core's term has passed: nothing to offer.
        sent = self._run()
        self.assertEqual(sent.level_id, self.courtesy)
        if line.discount_date >= self.today:
            self.assertEqual(sent.line_ids.discount_date, line.discount_date)
            self.assertIn("to save", str(sent.mail_message_id.body))
        else:
            self.assertFalse(sent.line_ids.discount_date)
            self.assertNotIn("to save", str(sent.mail_message_id.body))
        # An invoice whose discount still runs shows it, with the amount to pay.
        fresh = self._invoice(
            self.other_customer,
            1000.0,
            days_old=0,
            invoice_payment_term_id=self.env["account.payment.term"]
            .create(
                {
                    "name": "2% within 10 days, net 2",
                    "early_discount": True,
                    "discount_percentage": 2.0,
                    "discount_days": 10,
                    "line_ids": [
                        Command.create(
                            {"value": "percent", "value_amount": 100.0, "nb_days": 2}
                        )
                    ],
                }
            )
            .id,
            invoice_date_due=False,
        )
        sent = self._run().filtered(lambda c: c.partner_id == self.other_customer)
        self.assertEqual(sent.line_ids.move_id, fresh)
        self.assertEqual(sent.line_ids.discount_amount_currency, 980.0)
        self.assertEqual(sent.line_ids.discount_date, self.today + timedelta(days=10))
        self.assertIn("by", sent.line_ids.discount_note)
        self.assertIn("to save $&nbsp;20.00", str(sent.mail_message_id.body))

    def test_rerunning_sends_nothing_twice_and_escalates_later(self):
        invoice = self._overdue_invoice(self.customer, 200.0, 8)
        self._run()
        messages = self.env["mail.message"].search_count(
            [("model", "=", self.Communication._name)]
        )
        self.assertEqual(len(self._run()), 1)
        self.assertEqual(
            self.env["mail.message"].search_count(
                [("model", "=", self.Communication._name)]
            ),
            messages,
        )
        # Two weeks later the same item reaches the next level, once.
        self.env.cr.execute(
            "UPDATE account_move_line SET date_maturity = date_maturity - 14"
            " WHERE move_id = %s",
            (invoice.id,),
        )
        self.env["account.move.line"].invalidate_model()
        sent = self._run()
        self.assertEqual(sent.level_id, self.first | self.second)
        self.assertEqual(len(self._run()), 2)

    def test_a_resumed_batch_and_a_racing_run_do_not_duplicate(self):
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Batch {index}",
                    "is_company": True,
                    "email": f"b{index}@example.com",
                }
                for index in range(5)
            ]
        )
        for partner in partners:
            self._overdue_invoice(partner, 100.0, 10)
        stale = self.Engine._dunning_candidates(self.env.company)
        self.Engine._cron_settlement_dunning(batch_size=2)
        self.assertEqual(self.Communication.search_count([]), 2)
        self.Engine._cron_settlement_dunning(batch_size=2)
        self.Engine._cron_settlement_dunning(batch_size=2)
        self.Engine._cron_settlement_dunning(batch_size=2)
        self.assertEqual(self.Communication.search_count([]), 5)
        # A second worker that computed its work before the first one sent it
        # is refused by the unique indexes and sends nothing.
        again = self.Engine._dunning_send(self.env.company, stale, self.today)
        self.assertFalse(again)
        self.assertEqual(self.Communication.search_count([]), 5)

    def test_payment_term_instalments_are_reminded_one_by_one(self):
        term = self._split_term(50.0, 60)
        move = self._invoice(
            self.customer,
            1000.0,
            days_old=10,
            invoice_payment_term_id=term.id,
            invoice_date_due=False,
        )
        sent = self._run()
        self.assertEqual(sent.level_id, self.first)
        self.assertEqual(sent.line_ids.move_id, move)
        self.assertEqual(sent.line_ids.amount_residual, 500.0)

    def test_plan_instalments_replace_their_invoices(self):
        invoice = self._overdue_invoice(self.customer, 900.0, 40)
        plan = self.env["settlement.instalment.plan"].create(
            {
                "partner_id": self.customer.id,
                "currency_id": invoice.currency_id.id,
                "move_ids": [Command.set(invoice.ids)],
                "amount_total": 900.0,
            }
        )
        plan._set_schedule(
            [
                (self.today + timedelta(days=10), 300.0),
                (self.today + timedelta(days=40), 600.0),
            ]
        )
        plan.action_activate()
        self.assertFalse(self._candidates())
        self.env.cr.execute(
            "UPDATE settlement_instalment_plan_line SET date_due = %s WHERE id = %s",
            (self.today - timedelta(days=8), plan.line_ids[0].id),
        )
        self.env["settlement.instalment.plan.line"].invalidate_model()
        sent = self._run()
        self.assertEqual(sent.level_id, self.first)
        self.assertEqual(sent.line_ids.plan_line_id, plan.line_ids[0])
        self.assertEqual(sent.amount_overdue, 300.0)

    def test_exclusions(self):
        disputed = self._overdue_invoice(self.customer, 100.0, 10)
        self.env["settlement.dispute"].create(
            {
                "move_id": disputed.id,
                "reason_id": self.env.ref("settlement_mgmt.dispute_reason_price").id,
                "amount": 100.0,
                "description": "<p>Wrong price</p>",
            }
        )
        half = self._overdue_invoice(self.customer, 400.0, 10)
        self.env["settlement.dispute"].create(
            {
                "move_id": half.id,
                "reason_id": self.env.ref("settlement_mgmt.dispute_reason_price").id,
                "amount": 100.0,
                "description": "<p>One item missing</p>",
            }
        )
        rows = self.Engine._dunning_candidates(self.env.company)[
            (self.customer, self.first)
        ]
        self.assertEqual([row.move_id for row in rows], [half.id])
        self.assertEqual(rows[0].amount, 300.0)

        self._overdue_invoice(self.other_customer, 100.0, 10)
        self.other_customer.settlement_no_reminders = True
        self.assertNotIn(self.other_customer, [key[0] for key in self._candidates()])
        self.other_customer.settlement_no_reminders = False
        self.other_customer.settlement_dunning_paused_until = self.today + timedelta(
            days=2
        )
        self.assertNotIn(self.other_customer, [key[0] for key in self._candidates()])
        self.other_customer.settlement_dunning_paused_until = self.today - timedelta(
            days=1
        )
        self.assertIn(self.other_customer, [key[0] for key in self._candidates()])

        self.policy.tolerance = 150.0
        self.assertNotIn(self.other_customer, [key[0] for key in self._candidates()])
        self.assertIn(self.customer, [key[0] for key in self._candidates()])

    def test_promise_pauses_reminders_then_is_kept_or_broken(self):
        invoice = self._overdue_invoice(self.customer, 500.0, 10)
        other = self._overdue_invoice(self.other_customer, 300.0, 10)
        Promise = self.env["settlement.promise"]
        kept = Promise.create(
            {
                "partner_id": self.customer.id,
                "amount": 500.0,
                "date_promised": self.today + timedelta(days=5),
                "move_ids": [Command.set(invoice.ids)],
            }
        )
        broken = Promise.create(
            {
                "partner_id": self.other_customer.id,
                "amount": 300.0,
                "date_promised": self.today,
            }
        )
        self.assertFalse(self._candidates())
        self._pay(invoice, 500.0)
        Promise._cron_settlement_promises()
        self.assertEqual(kept.state, "kept")
        self.assertEqual(kept.amount_paid, 500.0)
        self.assertEqual(broken.state, "open")
        # Past the promised date and the grace days, unpaid: broken.
        self.env.cr.execute(
            "UPDATE settlement_promise SET date_promised = %s WHERE id = %s",
            (
                self.today
                - timedelta(days=self.env.company.settlement_promise_grace_days + 1),
                broken.id,
            ),
        )
        broken.invalidate_recordset()
        Promise._cron_settlement_promises()
        self.assertEqual(broken.state, "broken")
        self.assertEqual(broken.amount_paid, 0.0)
        Promise._cron_settlement_promises()
        self.assertEqual(
            len(broken.message_ids.filtered(lambda m: "broken" in str(m.body))), 1
        )
        self.assertEqual(
            self._candidates(), {(self.other_customer, self.first): [other.id]}
        )
        counts = self.env["settlement.risk.score"]._extra_risk_counts(
            self.env.company, [self.other_customer.id]
        )
        self.assertEqual(counts[self.other_customer.id][0], 1)

    def test_promise_bad_input(self):
        Promise = self.env["settlement.promise"]
        invoice = self._overdue_invoice(self.customer, 500.0, 10)
        cases = [
            ({"amount": 0.0}, "positive"),
            ({"amount": -5.0}, "positive"),
            ({"date_promised": self.today - timedelta(days=1)}, "past"),
            (
                {
                    "partner_id": self.other_customer.id,
                    "move_ids": [Command.set(invoice.ids)],
                },
                "another customer",
            ),
            ({"partner_id": self.customer_contact.id}, "not its contact"),
        ]
        for values, message in cases:
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                Promise.create(
                    {
                        "partner_id": self.customer.id,
                        "amount": 100.0,
                        "date_promised": self.today,
                        **values,
                    }
                )
        self.assertFalse(Promise.search([]))

    def test_fee_and_interest_once_per_level_and_waiving_needs_a_reason(self):
        invoice = self._overdue_invoice(self.customer, 1000.0, 30)
        sent = self._run()
        self.assertEqual(sent.level_id, self.second)
        # 1,000 × 10% × 30 / 365 = 8.219… → 8.22
        self.assertEqual(sent.interest_amount, 8.22)
        self.assertEqual(sent.fee_amount, 10.0)
        fee_move = sent.fee_move_id
        self.assertEqual(fee_move.state, "posted")
        self.assertEqual(fee_move.amount_total, 18.22)
        self.assertEqual(fee_move.invoice_origin, sent.name)
        self._run()
        self.assertEqual(
            self.env["account.move"].search_count([("invoice_origin", "=", sent.name)]),
            1,
        )
        with self.assertRaisesRegex(UserError, "reason"):
            sent._waive_fee("  ")
        self.assertFalse(sent.fee_waived)
        sent._waive_fee("Long-standing customer, first delay")
        self.assertTrue(sent.fee_waived)
        self.assertEqual(fee_move.payment_state, "reversed")
        with self.assertRaises(UserError):
            sent._waive_fee("again")
        self.assertEqual(invoice.amount_residual, 1000.0)

    def test_call_worklist_outcomes(self):
        self._overdue_invoice(self.customer, 1000.0, 30)
        self._overdue_invoice(self.other_customer, 100.0, 30)
        sent = self._run()
        calls = self.Communication.search(
            [("call_state", "=", "to_call")], order="call_priority desc"
        )
        self.assertEqual(calls.partner_id, self.customer | self.other_customer)
        self.assertEqual(calls[0].partner_id, self.customer)
        call_type = self.env.ref("mail.mail_activity_data_call")
        self.assertTrue(
            calls[0].activity_ids.filtered(lambda a: a.activity_type_id == call_type)
        )
        self.assertIn("Ask when they pay", str(calls[0].activity_ids.note))
        calls[1].action_call_no_answer()
        self.assertEqual(calls[1].call_state, "no_answer")
        self.assertFalse(calls[1].activity_ids)
        with self.assertRaises(UserError):
            calls[1].action_call_reached()
        action = calls[0].action_call_promise()
        self.assertEqual(action["res_model"], "settlement.promise")
        promise = (
            self.env["settlement.promise"]
            .with_context(**action["context"])
            .create({"date_promised": self.today + timedelta(days=3)})
        )
        self.assertEqual(promise.amount, calls[0].amount_overdue)
        self.assertEqual(calls[0].call_state, "promise")
        self.assertEqual(len(sent), 2)

    def test_final_level_holds_and_hands_over(self):
        self._overdue_invoice(self.customer, 1000.0, 50)
        sent = self._run()
        self.assertEqual(sent.level_id, self.final)
        self.customer.invalidate_recordset()
        self.assertTrue(self.customer.settlement_on_hold)
        self.assertIn("legal", " ".join(sent.activity_ids.mapped("summary")))

    def test_letter_and_e_mail_in_the_customers_language(self):
        for code in ("fa_IR", "ar_001", "he_IL"):
            self.env["res.lang"]._activate_lang(code)
        self.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(["fa_IR", "ar_001", "he_IL"])
        self.first.write(
            {
                "channel_ids": [Command.create({"channel": "letter"})],
                "attach_statement": True,
            }
        )
        scripts = {
            "fa_IR": "[\u0600-\u06ff]",
            "ar_001": "[\u0600-\u06ff]",
            "he_IL": "[\u0590-\u05ff]",
            "en_US": "overdue",
        }
        partners = self.env["res.partner"]
        for code in scripts:
            partner = self.env["res.partner"].create(
                {
                    "name": f"Customer {code}",
                    "is_company": True,
                    "lang": code,
                    "email": f"{code}@example.com",
                }
            )
            self._overdue_invoice(partner, 100.0, 10)
            partners |= partner
        # Odoo renders HTML instead of PDF in tests unless asked.
        self.Engine.with_context(force_report_rendering=True)._cron_settlement_dunning()
        sent = self.Communication.search([])
        for code, pattern in scripts.items():
            with self.subTest(lang=code):
                communication = sent.filtered(
                    lambda c, code=code: c.partner_id.lang == code
                )
                body = str(communication.mail_message_id.body)
                self.assertRegex(body, pattern)
                # The template's own sentences, not only the items table.
                self.assertEqual("According to our records" in body, code == "en_US")
                self.assertRegex(communication.mail_message_id.subject or "", r"\S")
                self.assertTrue(
                    communication.letter_attachment_id.raw.startswith(b"%PDF")
                )
                attachments = communication.mail_message_id.attachment_ids
                self.assertEqual(len(attachments), 2)  # the letter and the statement
                self.assertTrue(all(a.raw.startswith(b"%PDF") for a in attachments))

    def test_level_validation(self):
        Level = self.env["settlement.dunning.level"]
        cases = [
            ({"fee_type": "fixed", "fee_fixed": 0.0}, "positive"),
            ({"fee_type": "percent", "fee_percent": 0.0}, "between 0 and 100"),
            ({"fee_type": "percent", "fee_percent": 100.0}, "between 0 and 100"),
            (
                {
                    "fee_type": "percent",
                    "fee_percent": 2.0,
                    "fee_min": 50.0,
                    "fee_max": 10.0,
                },
                "cannot exceed",
            ),
            ({"interest_rate": -1.0}, "interest rate"),
            ({"interest_grace_days": -1}, "grace"),
            ({"channel_ids": [Command.clear()]}, "needs a channel"),
        ]
        for values, message in cases:
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                Level.create(
                    {"policy_id": self.policy.id, "name": "Bad", "days": 90, **values}
                )
        self.assertEqual(len(self.policy.level_ids), 4)

    def test_candidates_take_a_constant_number_of_queries(self):
        def queries_for_candidates():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            candidates = self.Engine._dunning_candidates(self.env.company)
            return self.env.cr.sql_log_count - before, len(candidates)

        def add_customers(count):
            for index in range(count):
                partner = self.env["res.partner"].create(
                    {"name": f"Q {index}", "is_company": True}
                )
                self._overdue_invoice(partner, 100.0, 10 + index)

        add_customers(3)
        queries_for_candidates()  # warm the caches that do not depend on data
        small, found = queries_for_candidates()
        self.assertEqual(found, 3)
        add_customers(9)
        large, found = queries_for_candidates()
        self.assertEqual(found, 12)
        self.assertEqual(small, large)

    def test_access_by_role(self):
        self._overdue_invoice(self.customer, 200.0, 8)
        user = new_test_user(
            self.env,
            login="dunning_user",
            groups="settlement_mgmt.group_settlement_user",
        )
        Run = self.env["settlement.dunning.run"]
        with self.assertRaises(AccessError):
            Run.with_user(user).create({})
        run = Run.with_user(self.controller).create({})
        run.action_preview()
        self.assertEqual(run.line_ids.partner_id, self.customer)
        self.assertEqual(run.amount_total, 200.0)
        action = run.action_send()
        sent = self.Communication.search(action["domain"])
        self.assertEqual(sent.partner_id, self.customer)
        self.assertEqual(self.Communication.with_user(user).search([]), sent)
        with self.assertRaises(AccessError):
            sent.with_user(user).write({"call_state": "reached"})
        again = Run.with_user(self.controller).create({})
        with self.assertRaisesRegex(UserError, "Preview the reminders first"):
            again.action_send()
        again.action_preview()
        self.assertIn("already reminded", again.skip_note)
        with self.assertRaisesRegex(UserError, "no reminder to send"):
            again.action_send()

    def test_reminder_email_links_each_invoice_to_its_pay_page(self):
        invoice = self._overdue_invoice(self.customer, 200.0, 8)
        sent = self._run()
        body = str(sent.mail_message_id.body)
        self.assertTrue(invoice.access_token)
        self.assertIn(
            f"/my/invoices/{invoice.id}?access_token={invoice.access_token}", body
        )
        self.assertIn("Pay online", body)

    def test_failed_delivery_says_why(self):
        """No outgoing mail server: the queued e-mail fails as core's mail
        queue marks it, and the reminder says why (it once said "Failed"
        with no reason anywhere)."""
        self._overdue_invoice(self.customer, 200.0, 8)
        sent = self._run()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", sent.mail_message_id.id)])
        )
        self.assertEqual(len(mail), 1)
        mail._postprocess_sent_message(
            success_pids=[],
            failure_reason="Connection refused by localhost:25",
            failure_type="mail_smtp",
        )
        self.assertEqual(sent.delivery_state, "failed")
        self.assertIn("Connection refused by localhost:25", sent.delivery_failure)
        self.assertIn(
            sent, self.Communication.search([("delivery_failure", "!=", False)])
        )

    def test_delivery_state_follows_the_mail_notifications(self):
        self._overdue_invoice(self.customer, 200.0, 8)
        sent = self._run()
        self.assertEqual(sent.delivery_state, "queued")
        notification = sent.mail_message_id.notification_ids.sudo()
        notification.write({"notification_status": "bounce"})
        self.assertEqual(sent.delivery_state, "bounced")
        self.assertIn(
            sent, self.Communication.search([("delivery_state", "=", "bounced")])
        )
        # The bounce put a call on the collector's list instead (the level
        # only e-mails): the reminder waits for it even once the e-mail is
        # marked sent again.
        email = sent.delivery_ids.filtered(lambda delivery: delivery.channel == "email")
        call = sent.delivery_ids - email
        self.assertEqual(call.channel, "call")
        notification.write({"notification_status": "sent"})
        self.assertEqual(email.state, "sent")
        self.assertEqual(call.state, "queued")
        self.assertEqual(sent.delivery_state, "queued")
