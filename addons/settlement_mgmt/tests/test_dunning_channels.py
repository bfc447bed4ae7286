"""Reminder channels through their extension points: channel lines on the
levels, one delivery per channel on each reminder, one ``_deliver_<channel>``
method per channel, honest delivery states."""

from contextlib import ExitStack
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestDunningChannels(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Delivery = cls.env["settlement.dunning.delivery"]
        (cls.level,) = cls._company_dunning_policy(
            "Channels",
            {
                "name": "Every channel",
                "days": 7,
                "channels": ("call", "email", "letter"),
            },
        )

    def _reminder(self, partner=None, amount=100.0):
        partner = partner or self.customer
        self._invoice(partner, amount, days_old=40, due_days=30)
        self.Engine._cron_settlement_dunning()
        return self.Communication.search([("partner_id", "=", partner.id)])

    def _deliveries(self, reminder):
        return {delivery.channel: delivery for delivery in reminder.delivery_ids}

    def test_a_level_needs_a_channel_named_from_the_selection(self):
        labels = dict(
            self.env["settlement.dunning.level.channel"]
            ._fields["channel"]
            ._description_selection(self.env)
        )
        with self.assertRaises(ValidationError) as caught:
            self.env["settlement.dunning.level"].create(
                {
                    "policy_id": self.policy.id,
                    "name": "Silent",
                    "days": 30,
                    "channel_ids": [],
                }
            )
        message = str(caught.exception.args[0])
        self.assertIn("Level Silent needs a channel: ", message)
        for label in labels.values():
            self.assertIn(label, message)
        # A new level without channels said e-mails, as before.
        level = self.env["settlement.dunning.level"].create(
            {"policy_id": self.policy.id, "name": "Default", "days": 60}
        )
        self.assertEqual(level.channel_ids.mapped("channel"), ["email"])

    def test_one_delivery_per_channel_with_its_own_state(self):
        reminder = self._reminder()
        self.assertEqual(len(reminder), 1)
        deliveries = self._deliveries(reminder)
        self.assertEqual(set(deliveries), {"email", "letter", "call"})
        # E-mail: in the mail queue, its message in the reminder's chatter.
        self.assertEqual(deliveries["email"].state, "queued")
        self.assertEqual(deliveries["email"].mail_message_id, reminder.mail_message_id)
        self.assertTrue(deliveries["email"].date_queued)
        self.assertFalse(deliveries["email"].date_sent)
        # Call: on the collector's list, not called yet.
        self.assertEqual(deliveries["call"].state, "queued")
        self.assertEqual(reminder.call_state, "to_call")
        # Tests render HTML, not a PDF: no letter was printed, and it says so.
        self.assertEqual(deliveries["letter"].state, "failed")
        self.assertEqual(
            deliveries["letter"].failure_reason, "The letter could not be printed."
        )
        self.assertEqual(reminder.delivery_state, "failed")
        self.assertEqual(reminder.delivery_failure, "The letter could not be printed.")

    def test_states_follow_the_mail_and_the_collector(self):
        self.level.channel_ids.filtered(lambda line: line.channel == "letter").unlink()
        reminder = self._reminder()
        deliveries = self._deliveries(reminder)
        self.assertEqual(reminder.delivery_state, "queued")
        notification = reminder.mail_message_id.notification_ids.sudo()
        self.assertEqual(notification.mapped("notification_type"), ["email"])
        notification.write({"notification_status": "sent"})
        self.assertEqual(deliveries["email"].state, "sent")
        self.assertTrue(deliveries["email"].date_sent)
        # The call still waits: the reminder is not delivered on every channel.
        self.assertEqual(reminder.delivery_state, "queued")
        reminder.with_user(self.controller).action_call_no_answer()
        self.assertEqual(deliveries["call"].state, "called")
        self.assertTrue(deliveries["call"].date_done)
        self.assertEqual(reminder.delivery_state, "sent")
        notification.write(
            {
                "notification_status": "bounce",
                "failure_type": "mail_bounce",
                "failure_reason": "550 unknown user",
            }
        )
        self.assertEqual(deliveries["email"].state, "bounced")
        self.assertIn("550 unknown user", deliveries["email"].failure_reason)
        self.assertEqual(reminder.delivery_state, "bounced")
        self.assertIn(
            reminder, self.Communication.search([("delivery_state", "=", "bounced")])
        )

    def test_printed_letter(self):
        self.level.channel_ids.filtered(lambda line: line.channel != "letter").unlink()
        self._invoice(self.customer, 100.0, days_old=40, due_days=30)
        self.Engine.with_context(force_report_rendering=True)._cron_settlement_dunning()
        reminder = self.Communication.search([("partner_id", "=", self.customer.id)])
        letter = reminder.delivery_ids
        self.assertEqual(letter.channel, "letter")
        self.assertTrue(reminder.letter_attachment_id.raw.startswith(b"%PDF"))
        self.assertEqual(letter.state, "printed")
        self.assertTrue(letter.date_sent and letter.date_done)
        self.assertEqual(reminder.delivery_state, "sent")
        self.assertFalse(reminder.mail_message_id)

    def test_the_engine_calls_one_method_per_channel(self):
        """A channel added the way a bridge adds one (a selection value on the
        channel fields and a ``_deliver_<channel>`` method) is delivered with
        no other change; a channel without its method cannot be configured."""
        Delivery = type(self.Delivery)
        calls = []

        def deliver_fax(deliveries, messages):
            calls.append((deliveries.mapped("channel"), messages))
            deliveries.write({"state": "sent", "date_sent": fields.Datetime.now()})

        with ExitStack() as stack:
            for model in ("settlement.dunning.level.channel", Delivery._name):
                field = self.env[model]._fields["channel"]
                # What ``selection_add`` would leave on the field.
                stack.enter_context(
                    patch.object(field, "selection", [*field.selection, ("fax", "Fax")])
                )
                stack.enter_context(
                    patch.object(
                        field, "_selection", {**field._selection, "fax": "Fax"}
                    )
                )
            with self.assertRaises(UserError) as caught:
                self.level.channel_ids = [Command.create({"channel": "fax"})]
            self.assertIn("_deliver_fax", str(caught.exception.args[0]))
            stack.enter_context(
                patch.object(Delivery, "_deliver_fax", deliver_fax, create=True)
            )
            self.level.channel_ids = [
                Command.clear(),
                Command.create({"channel": "fax"}),
            ]
            reminder = self._reminder()
        self.assertEqual(calls, [(["fax"], {})])
        self.assertEqual(reminder.delivery_ids.channel, "fax")
        self.assertEqual(reminder.delivery_state, "sent")
        self.assertFalse(reminder.mail_message_id)
        self.assertEqual(reminder.call_state, "none")

    def test_deliveries_are_read_only_proof(self):
        reminder = self._reminder()
        with self.assertRaises(UserError):
            reminder.delivery_ids.with_user(self.controller).write({"state": "sent"})
        with self.assertRaises(UserError):
            self.Delivery.with_user(self.controller).create(
                {"communication_id": reminder.id, "channel": "email"}
            )
