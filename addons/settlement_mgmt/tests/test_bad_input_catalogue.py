"""Bad input catalogue: explicit refusals, one table.

Every case feeds one wrong value to a wizard, a model's create/write (what a
form saves) or a method called over RPC by a user of the wrong role, and
checks three things: the exception class, a fragment of the exact English
message the code raises (translatable, see ``test_messages_are_translatable``)
and that nothing was written (record counts and, where relevant, the state of
the record acted on, are unchanged).

Each case runs in its own sub-test and savepoint, so one failure does not
poison the next.  The generated (hypothesis) bad input lives in
``test_bad_input``; this catalogue lists explicit cases only.
"""

import os
from contextlib import closing
from datetime import timedelta
from typing import Any, NamedTuple

import polib
import psycopg2.errors

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import SettlementCommon

PO_FILE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n", "fa.po")

PLAN_MODELS = [
    "settlement.instalment.plan",
    "settlement.instalment.plan.line",
    "account.move",
]
DISPUTE_MODELS = ["settlement.dispute", "account.move"]
HOLD_MODELS = ["settlement.credit.hold"]
OVERRIDE_MODELS = ["settlement.credit.override", "account.move"]
LEVEL_MODELS = ["settlement.dunning.level"]
POLICY_MODELS = ["settlement.dunning.policy", "settlement.dunning.level"]
PROMISE_MODELS = ["settlement.promise"]
REMINDER_MODELS = ["settlement.dunning.communication", "account.move"]
STATEMENT_MODELS = ["settlement.statement.sending", "mail.mail"]
EXPORT_MODELS = ["ir.attachment"]
TERM_MODELS = ["account.payment.term", "settlement.discount.tier"]
COMPANY_MODELS = ["res.company"]


class Case(NamedTuple):
    """One bad input: ``call`` must raise ``exception`` whose message contains
    ``fragment``, and leave the record counts of ``models`` (and the value of
    ``snapshot()``, when given) as they were."""

    label: str
    call: Any
    exception: type
    fragment: str
    models: list
    snapshot: Any = None


def _denied(operation, description, model):
    """Core's ACL message for ``operation`` on ``model``."""
    verb = {
        "create": "create",
        "write": "modify",
        "unlink": "delete",
    }[operation]
    return f"You are not allowed to {verb} '{description}' ({model}) records."


@tagged("post_install", "-at_install")
class TestBadInputCatalogue(SettlementCommon):
    @staticmethod
    def _preview_and_send(run):
        """The reminder wizard's path: Preview, then Send."""
        run.action_preview()
        return run.action_send()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.settlement_user = new_test_user(
            cls.env,
            login="sm_catalogue_user",
            groups="settlement_mgmt.group_settlement_user",
            company_id=company.id,
        )
        cls.no_email_partner = cls.env["res.partner"].create(
            {"name": "No Mail Customer", "is_company": True}
        )

        # Instalment plans ------------------------------------------------
        cls.inv_a = cls._invoice(cls.customer, 600.0, days_old=60, due_days=30)
        cls.inv_b = cls._invoice(cls.customer, 400.0, days_old=20, due_days=30)
        cls.inv_live = cls._invoice(cls.customer, 300.0, days_old=10)
        cls.inv_proposed = cls._invoice(cls.customer, 200.0, days_old=5)
        cls.inv_other = cls._invoice(cls.other_customer, 50.0)
        cls.inv_tiny = cls._invoice(cls.customer, 0.02)
        cls.inv_draft = cls._invoice(cls.customer, 70.0, post=False)
        cls.inv_paid = cls._invoice(cls.customer, 80.0)
        cls._pay(cls.inv_paid)
        cls.eur = cls.setup_other_currency("EUR")
        cls.inv_eur = cls._invoice(cls.customer, 100.0, currency_id=cls.eur.id)
        # A draft plan of 2 x 500 on inv_a and inv_b; an active plan on
        # inv_live; a plan proposed to the customer on inv_proposed.
        cls.draft_plan = cls._make_plan(cls.inv_a | cls.inv_b)
        cls.active_plan = cls._make_plan(cls.inv_live)
        cls.active_plan.action_activate()
        cls.proposed_plan = cls._make_plan(cls.inv_proposed)
        cls.proposed_plan.action_propose()

        # Disputes: 100 new and 100 under review on a 1,000 invoice, so 800
        # is left to dispute.
        cls.reason = cls.env.ref("settlement_mgmt.dispute_reason_price")
        cls.disputed_invoice = cls._invoice(cls.customer, 1000.0)
        cls.bill = cls._invoice(cls.customer, 100.0, move_type="in_invoice")
        Dispute = cls.env["settlement.dispute"]
        cls.dispute_new = Dispute.create(cls._dispute_values(100.0))
        cls.dispute_review = Dispute.create(cls._dispute_values(100.0))
        cls.dispute_review.action_review()

        # Credit holds and overrides.
        Hold = cls.env["settlement.credit.hold"]
        cls.held_partner = cls.env["res.partner"].create(
            {"name": "Held Customer", "is_company": True}
        )
        cls.hold_active = Hold.create(
            {"partner_id": cls.held_partner.id, "reason": "Cheque bounced"}
        )
        cls.held_draft = cls._invoice(cls.held_partner, 10.0, post=False)
        cls.released_partner = cls.env["res.partner"].create(
            {"name": "Released Customer", "is_company": True}
        )
        cls.hold_released = Hold.create(
            {"partner_id": cls.released_partner.id, "reason": "Late payer"}
        )
        cls.hold_released._release("Paid in full")
        cls.override = (
            cls.env["settlement.credit.override"]
            .sudo()
            .create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": company.id,
                    "reason": "Fixture override",
                }
            )
        )

        # Dunning: a policy (not the company's: nothing is reminded by it)
        # and one reminder without fee.
        cls.policy = cls.env["settlement.dunning.policy"].create(
            {
                "name": "Catalogue policy",
                "level_ids": [
                    Command.create({"name": "First", "days": 7}),
                    Command.create(
                        {
                            "name": "Second",
                            "days": 21,
                            "fee_type": "fixed",
                            "fee_fixed": 10.0,
                        }
                    ),
                ],
            }
        )
        cls.level_first, cls.level_second = cls.policy._sorted_levels()
        cls.reminder = cls.env["settlement.dunning.communication"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": company.id,
                "policy_id": cls.policy.id,
                "level_id": cls.level_first.id,
                "date": cls.today,
            }
        )

        # Promises to pay.
        Promise = cls.env["settlement.promise"]
        cls.promise_open = Promise.create(
            {
                "partner_id": cls.customer.id,
                "amount": 100.0,
                "date_promised": cls.today + timedelta(days=5),
            }
        )
        cls.promise_cancelled = Promise.create(
            {
                "partner_id": cls.customer.id,
                "amount": 50.0,
                "date_promised": cls.today + timedelta(days=5),
            }
        )
        cls.promise_cancelled.action_cancel()

        # Payment terms: 3 % within 7 days, then 1.5 % within 15, net 30.
        cls.tiered_term = cls.env["account.payment.term"].create(
            {
                "name": "Catalogue 3% 7 days, 1.5% 15 days, net 30",
                "early_discount": True,
                "discount_percentage": 3.0,
                "discount_days": 7,
                "early_pay_discount_computation": "excluded",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 30}
                    )
                ],
                "settlement_discount_tier_ids": [
                    Command.create({"discount_percentage": 1.5, "discount_days": 15})
                ],
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @classmethod
    def _plan_wizard(cls, moves, **values):
        return (
            cls.env["settlement.instalment.plan.create"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create(
                {
                    "instalment_count": 2,
                    "first_date": cls.today + timedelta(days=7),
                    **values,
                }
            )
        )

    @classmethod
    def _make_plan(cls, moves, **values):
        action = cls._plan_wizard(moves, **values).action_create()
        return cls.env["settlement.instalment.plan"].browse(action["res_id"])

    @classmethod
    def _dispute_values(cls, amount, invoice=None, **values):
        return {
            "move_id": (invoice or cls.disputed_invoice).id,
            "reason_id": cls.reason.id,
            "amount": amount,
            **values,
        }

    def _counts(self, models):
        return {
            model: self.env[model]
            .sudo()
            .with_context(active_test=False)
            .search_count([])
            for model in models
        }

    @staticmethod
    def _plan_state(plan):
        return lambda: (
            plan.state,
            plan.move_ids.ids,
            [(line.date_due, line.amount) for line in plan.line_ids],
        )

    def _resolve(self, dispute, action, amount=None, note=None):
        form = Form(
            self.env["settlement.dispute.resolve"]
            .with_user(self.controller)
            .with_context(default_dispute_id=dispute.id, default_action=action)
        )
        if amount is not None:
            form.amount = amount
        if note is not None:
            form.note = note
        return form.save().action_confirm()

    # ------------------------------------------------------------------
    # The catalogue
    # ------------------------------------------------------------------

    def _plan_wizard_cases(self):
        both = self.inv_a | self.inv_b

        def create(moves, **values):
            return lambda: self._plan_wizard(moves, **values).action_create()

        return [
            Case(
                "plan wizard: no instalment",
                create(both, instalment_count=0),
                UserError,
                "Choose between 1 and",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: 61 instalments",
                create(both, instalment_count=61),
                UserError,
                "Choose between 1 and",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: first due date yesterday",
                create(both, first_date=self.today - timedelta(days=1)),
                UserError,
                "The first due date cannot be in the past.",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: negative fee",
                create(both, fee_fixed=-5.0),
                UserError,
                "The plan fee cannot be negative.",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: negative interest",
                create(both, interest_rate=-1.0),
                UserError,
                "The interest rate must be between 0 and 100% a year.",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: interest over 100%",
                create(both, interest_rate=150.0),
                UserError,
                "The interest rate must be between 0 and 100% a year.",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: negative down payment",
                create(both, down_payment=-1.0),
                UserError,
                "The down payment must be at least zero and less than the total.",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: down payment equal to the total",
                create(both, down_payment=1000.0),
                UserError,
                "The down payment must be at least zero and less than the total.",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: mixed currencies",
                create(self.inv_a | self.inv_eur),
                UserError,
                "All invoices of a plan must be in the same currency.",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: two customers",
                create(self.inv_a | self.inv_other),
                UserError,
                "All invoices of a plan must be of the same customer.",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: 0.02 in 3 instalments",
                create(self.inv_tiny, instalment_count=3),
                UserError,
                "These invoices cannot be split into",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: invoice already in an active plan",
                create(self.inv_live),
                ValidationError,
                "already belong to plan",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: a paid invoice",
                create(self.inv_a | self.inv_paid),
                ValidationError,
                "is already paid.",
                PLAN_MODELS,
            ),
            Case(
                "plan wizard: a draft invoice",
                create(self.inv_a | self.inv_draft),
                ValidationError,
                "is not a posted customer invoice.",
                PLAN_MODELS,
            ),
        ]

    def _plan_cases(self):
        plan = self.draft_plan
        snapshot = self._plan_state(plan)

        def activate_after(change):
            def call():
                change(plan.line_ids)
                plan.action_activate()

            return call

        def set_values(index, **values):
            return lambda lines: lines[index].write(values)

        def link_live_invoice():
            plan.write({"move_ids": [Command.link(self.inv_live.id)]})
            plan.action_activate()

        return [
            Case(
                "draft plan: instalments do not add up",
                activate_after(set_values(1, amount=499.99)),
                ValidationError,
                "The instalments add up to",
                PLAN_MODELS,
                snapshot,
            ),
            Case(
                "draft plan: two instalments on the same day",
                activate_after(
                    lambda lines: lines[1].write({"date_due": lines[0].date_due})
                ),
                ValidationError,
                "Due dates must increase from one instalment to the next",
                PLAN_MODELS,
                snapshot,
            ),
            Case(
                "draft plan: instalment due yesterday",
                activate_after(set_values(0, date_due=self.today - timedelta(days=1))),
                ValidationError,
                "is in the past.",
                PLAN_MODELS,
                snapshot,
            ),
            Case(
                "draft plan: instalment of zero",
                activate_after(
                    lambda lines: (
                        lines[0].write({"amount": 0.0}),
                        lines[1].write({"amount": 1000.0}),
                    )
                ),
                ValidationError,
                "Every instalment must be a positive amount.",
                PLAN_MODELS,
                snapshot,
            ),
            Case(
                "draft plan: no instalment left",
                activate_after(lambda lines: lines.unlink()),
                ValidationError,
                "Add at least one instalment.",
                PLAN_MODELS,
                snapshot,
            ),
            Case(
                "draft plan: activated with an invoice of a live plan",
                link_live_invoice,
                ValidationError,
                "already belong to plan",
                PLAN_MODELS,
                snapshot,
            ),
            Case(
                "draft plan: back to draft",
                plan.action_draft,
                UserError,
                "This action is not possible in the plan's current state.",
                PLAN_MODELS,
                snapshot,
            ),
            Case(
                "draft plan: accepted on the portal",
                lambda: plan._portal_accept("Jane Customer"),
                UserError,
                "This plan is no longer waiting for your acceptance.",
                PLAN_MODELS,
                snapshot,
            ),
            Case(
                "proposed plan: accepted without a name",
                lambda: self.proposed_plan._portal_accept("   "),
                UserError,
                "Type your full name to accept the plan.",
                PLAN_MODELS,
                self._plan_state(self.proposed_plan),
            ),
            Case(
                "active plan: proposed again",
                self.active_plan.action_propose,
                UserError,
                "This action is not possible in the plan's current state.",
                PLAN_MODELS,
                self._plan_state(self.active_plan),
            ),
            Case(
                "active plan: deleted",
                self.active_plan.unlink,
                UserError,
                "Cancel the instalment plan before deleting it.",
                PLAN_MODELS,
                self._plan_state(self.active_plan),
            ),
        ]

    def _dispute_cases(self):
        Dispute = self.env["settlement.dispute"]

        def create(amount, **values):
            return lambda: Dispute.create(self._dispute_values(amount, **values))

        def dispute_state(dispute):
            return lambda: (dispute.state, dispute.amount, dispute.credit_note_id)

        new, review = self.dispute_new, self.dispute_review
        return [
            Case(
                "dispute: zero amount",
                create(0.0),
                ValidationError,
                "The disputed amount must be positive.",
                DISPUTE_MODELS,
            ),
            Case(
                "dispute: negative amount",
                create(-5.0),
                ValidationError,
                "The disputed amount must be positive.",
                DISPUTE_MODELS,
            ),
            Case(
                "dispute: more than left undisputed",
                create(800.01),
                ValidationError,
                "is more than what is still unpaid and not already disputed",
                DISPUTE_MODELS,
            ),
            Case(
                "dispute: raised above the open amount by a write",
                lambda: new.write({"amount": 900.01}),
                ValidationError,
                "is more than what is still unpaid and not already disputed",
                DISPUTE_MODELS,
                dispute_state(new),
            ),
            Case(
                "dispute: draft invoice",
                create(10.0, invoice=self.inv_draft),
                ValidationError,
                "Only posted customer invoices can be disputed.",
                DISPUTE_MODELS,
            ),
            Case(
                "dispute: vendor bill",
                create(10.0, invoice=self.bill),
                ValidationError,
                "Only posted customer invoices can be disputed.",
                DISPUTE_MODELS,
            ),
            Case(
                "dispute: lines of another invoice",
                create(
                    10.0,
                    move_line_ids=[Command.set(self.inv_b.invoice_line_ids.ids)],
                ),
                ValidationError,
                "Disputed lines must belong to the disputed invoice.",
                DISPUTE_MODELS,
            ),
            Case(
                "dispute: closing a new dispute",
                new.action_close,
                UserError,
                "is not possible for",
                DISPUTE_MODELS,
                dispute_state(new),
            ),
            Case(
                "dispute: reviewing twice",
                review.action_review,
                UserError,
                "is not possible for",
                DISPUTE_MODELS,
                dispute_state(review),
            ),
            Case(
                "dispute: deleting one under review",
                review.unlink,
                UserError,
                "Only new disputes can be deleted; close the others.",
                DISPUTE_MODELS,
                dispute_state(review),
            ),
            Case(
                "resolve wizard: accept zero",
                lambda: self._resolve(new, "accept", amount=0.0),
                UserError,
                "The accepted amount must be positive.",
                DISPUTE_MODELS,
                dispute_state(new),
            ),
            Case(
                "resolve wizard: accept more than disputed",
                lambda: self._resolve(new, "accept", amount=100.01),
                UserError,
                "The accepted amount cannot exceed the disputed amount",
                DISPUTE_MODELS,
                dispute_state(new),
            ),
            Case(
                "resolve wizard: reject without a reason",
                lambda: self._resolve(new, "reject", note="   "),
                UserError,
                "Tell the customer why the dispute is rejected.",
                DISPUTE_MODELS,
                dispute_state(new),
            ),
            Case(
                "resolve wizard: reopen a new dispute",
                lambda: self._resolve(new, "reopen", note="New delivery note"),
                UserError,
                "is not possible for",
                DISPUTE_MODELS,
                dispute_state(new),
            ),
        ]

    def _credit_cases(self):
        Hold = self.env["settlement.credit.hold"]
        Grant = self.env["settlement.credit.override.grant"]

        def hold_state():
            return (
                self.hold_active.state,
                self.hold_released.state,
                self.hold_released.release_reason,
            )

        def release_with(reason):
            return (
                self.env["settlement.credit.hold.release"]
                .create(
                    {"hold_ids": [Command.set(self.hold_active.ids)], "reason": reason}
                )
                .action_confirm()
            )

        return [
            Case(
                "credit hold: empty reason",
                lambda: Hold.create({"partner_id": self.customer.id, "reason": ""}),
                ValidationError,
                "Give the reason for the credit hold.",
                HOLD_MODELS,
            ),
            Case(
                "credit hold: blank reason",
                lambda: Hold.create({"partner_id": self.customer.id, "reason": "  "}),
                ValidationError,
                "Give the reason for the credit hold.",
                HOLD_MODELS,
            ),
            Case(
                "credit hold: on a contact",
                lambda: Hold.create(
                    {"partner_id": self.customer_contact.id, "reason": "Contact"}
                ),
                ValidationError,
                "on hold rather than its contact",
                HOLD_MODELS,
            ),
            Case(
                "credit hold: customer already on hold",
                lambda: Hold.create(
                    {"partner_id": self.held_partner.id, "reason": "Again"}
                ),
                UserError,
                "is already on hold.",
                HOLD_MODELS,
                hold_state,
            ),
            Case(
                "credit hold: the same customer twice at once",
                lambda: Hold.create(
                    [
                        {"partner_id": self.other_customer.id, "reason": "One"},
                        {"partner_id": self.other_customer.id, "reason": "Two"},
                    ]
                ),
                UserError,
                "is already on hold.",
                HOLD_MODELS,
            ),
            Case(
                "release wizard: blank reason",
                lambda: release_with("   "),
                UserError,
                "Give the reason for releasing the credit hold.",
                HOLD_MODELS,
                hold_state,
            ),
            Case(
                "credit hold: releasing a released hold",
                self.hold_released.action_release,
                UserError,
                "There is no active credit hold to release.",
                HOLD_MODELS,
                hold_state,
            ),
            Case(
                "rpc: billing user posts an invoice of a held customer",
                lambda: self.held_draft.with_user(self.billing_user).action_post(),
                UserError,
                "Posting is blocked by the customer's credit.",
                OVERRIDE_MODELS + HOLD_MODELS,
                lambda: (self.held_draft.state, self.held_draft.name),
            ),
            Case(
                "override wizard: blank reason",
                lambda: Grant.create(
                    {"move_ids": [Command.set(self.held_draft.ids)], "reason": "  "}
                ).action_confirm(),
                UserError,
                "Give the reason for overriding the credit block.",
                OVERRIDE_MODELS,
                lambda: self.held_draft.state,
            ),
            Case(
                "override wizard: nothing blocked",
                lambda: Grant.create(
                    {"move_ids": [Command.set(self.inv_draft.ids)], "reason": "Ok"}
                ).action_confirm(),
                UserError,
                "Nothing to override: these documents are not blocked.",
                OVERRIDE_MODELS,
                lambda: self.inv_draft.state,
            ),
            Case(
                "rpc: override confirmed by a settlement user",
                lambda: Grant.create(
                    {"move_ids": [Command.set(self.held_draft.ids)], "reason": "Go"}
                )
                .with_user(self.settlement_user)
                .action_confirm(),
                UserError,
                "Only a credit controller can override a credit block.",
                OVERRIDE_MODELS,
                lambda: self.held_draft.state,
            ),
            Case(
                "credit override: deleted even as superuser",
                lambda: self.override.sudo().unlink(),
                UserError,
                "Credit overrides are an audit trail: they cannot be deleted.",
                OVERRIDE_MODELS,
            ),
        ]

    def _dunning_cases(self):
        Level = self.env["settlement.dunning.level"]
        Policy = self.env["settlement.dunning.policy"]

        def level(**values):
            return lambda: Level.create(
                {"policy_id": self.policy.id, "name": "Bad", "days": 90, **values}
            )

        def duplicate_days():
            with mute_logger("odoo.sql_db"):
                Level.create({"policy_id": self.policy.id, "name": "Dup", "days": 7})
                Level.flush_model()

        def waive(reason):
            return (
                self.env["settlement.dunning.fee.waive"]
                .create(
                    {
                        "communication_ids": [Command.set(self.reminder.ids)],
                        "reason": reason,
                    }
                )
                .action_waive()
            )

        def reminder_state():
            return (
                self.reminder.fee_waived,
                self.reminder.fee_waive_reason,
                self.reminder.call_state,
            )

        second = self.level_second
        return [
            Case(
                "dunning level: fixed fee of zero",
                level(fee_type="fixed", fee_fixed=0.0),
                ValidationError,
                "A fixed late fee must be a positive amount.",
                LEVEL_MODELS,
            ),
            Case(
                "dunning level: fee of 0 %",
                level(fee_type="percent", fee_percent=0.0),
                ValidationError,
                "A late fee percentage must be between 0 and 100.",
                LEVEL_MODELS,
            ),
            Case(
                "dunning level: fee of 100 %",
                level(fee_type="percent", fee_percent=100.0),
                ValidationError,
                "A late fee percentage must be between 0 and 100.",
                LEVEL_MODELS,
            ),
            Case(
                "dunning level: minimum fee above the maximum",
                level(fee_type="percent", fee_percent=2.0, fee_min=50.0, fee_max=10.0),
                ValidationError,
                "The minimum fee cannot exceed the maximum fee.",
                LEVEL_MODELS,
            ),
            Case(
                "dunning level: negative minimum fee",
                level(fee_type="percent", fee_percent=2.0, fee_min=-1.0),
                ValidationError,
                "Minimum and maximum fees cannot be negative.",
                LEVEL_MODELS,
            ),
            Case(
                "dunning level: interest over 100 %",
                level(interest_rate=101.0),
                ValidationError,
                "The interest rate must be between 0 and 100% a year.",
                LEVEL_MODELS,
            ),
            Case(
                "dunning level: negative interest grace days",
                level(interest_grace_days=-1),
                ValidationError,
                "Interest grace days cannot be negative.",
                LEVEL_MODELS,
            ),
            Case(
                "dunning level: no channel",
                level(channel_ids=[]),
                ValidationError,
                # Then the channels known to the database (test_dunning_channels).
                "needs a channel: ",
                LEVEL_MODELS,
            ),
            Case(
                "dunning level: fixed fee set to zero on save",
                lambda: second.write({"fee_fixed": 0.0}),
                ValidationError,
                "A fixed late fee must be a positive amount.",
                LEVEL_MODELS,
                lambda: (second.fee_type, second.fee_fixed),
            ),
            Case(
                # A SQL constraint: the ORM lets PostgreSQL refuse it (the
                # RPC layer turns it into a translated message for users).
                "dunning level: two levels on the same day",
                duplicate_days,
                psycopg2.errors.UniqueViolation,
                "settlement_dunning_level_policy_days_uniq",
                LEVEL_MODELS,
            ),
            Case(
                "dunning policy: negative minimum amount",
                lambda: Policy.create({"name": "Bad", "tolerance": -1.0}),
                ValidationError,
                "The minimum amount cannot be negative.",
                POLICY_MODELS,
            ),
            Case(
                "dunning policy: minimum amount made negative on save",
                lambda: self.policy.write({"tolerance": -0.01}),
                ValidationError,
                "The minimum amount cannot be negative.",
                POLICY_MODELS,
                lambda: self.policy.tolerance,
            ),
            Case(
                "dispute reason: negative days to resolve",
                lambda: self.env["settlement.dispute.reason"].create(
                    {"name": "Bad", "sla_days": -1}
                ),
                ValidationError,
                "Days to resolve cannot be negative.",
                ["settlement.dispute.reason"],
            ),
            Case(
                "fee waive wizard: blank reason",
                lambda: waive("   "),
                UserError,
                "Give the reason for waiving the fee.",
                REMINDER_MODELS,
                reminder_state,
            ),
            Case(
                "fee waive wizard: reminder without fee",
                lambda: waive("Good customer"),
                UserError,
                "has no fee to waive.",
                REMINDER_MODELS,
                reminder_state,
            ),
            Case(
                "reminder: logging a call that was never planned",
                self.reminder.action_call_reached,
                UserError,
                "This call has already been logged.",
                REMINDER_MODELS,
                reminder_state,
            ),
            Case(
                "dunning run: nothing to remind",
                lambda: self._preview_and_send(
                    self.env["settlement.dunning.run"]
                    .with_user(self.controller)
                    .create({"partner_ids": [Command.set(self.no_email_partner.ids)]})
                ),
                UserError,
                "There is no reminder to send today.",
                REMINDER_MODELS,
            ),
        ]

    def _promise_cases(self):
        Promise = self.env["settlement.promise"]

        def create(**values):
            return lambda: Promise.create(
                {
                    "partner_id": self.customer.id,
                    "amount": 100.0,
                    "date_promised": self.today,
                    **values,
                }
            )

        def promise_state():
            return (
                self.promise_open.state,
                self.promise_open.amount,
                self.promise_cancelled.state,
            )

        return [
            Case(
                "promise: zero amount",
                create(amount=0.0),
                ValidationError,
                "The promised amount must be positive.",
                PROMISE_MODELS,
            ),
            Case(
                "promise: negative amount",
                create(amount=-5.0),
                ValidationError,
                "The promised amount must be positive.",
                PROMISE_MODELS,
            ),
            Case(
                "promise: date yesterday",
                create(date_promised=self.today - timedelta(days=1)),
                ValidationError,
                "The promised date cannot be in the past.",
                PROMISE_MODELS,
            ),
            Case(
                "promise: made by a contact",
                create(partner_id=self.customer_contact.id),
                ValidationError,
                "Record the promise on the company, not its contact.",
                PROMISE_MODELS,
            ),
            Case(
                "promise: invoices of another customer",
                create(
                    partner_id=self.other_customer.id,
                    move_ids=[Command.set(self.inv_a.ids)],
                ),
                ValidationError,
                "belong to another customer.",
                PROMISE_MODELS,
            ),
            Case(
                "promise: amount set to zero on save",
                lambda: self.promise_open.write({"amount": 0.0}),
                ValidationError,
                "The promised amount must be positive.",
                PROMISE_MODELS,
                promise_state,
            ),
            Case(
                "promise: cancelling a cancelled promise",
                self.promise_cancelled.action_cancel,
                UserError,
                "Only open promises can be cancelled.",
                PROMISE_MODELS,
                promise_state,
            ),
        ]

    def _statement_and_export_cases(self):
        Send = self.env["settlement.statement.send"]
        Aged = self.env["settlement.aged.receivable.export"]
        Register = self.env["settlement.register.export"]
        tomorrow = self.today + timedelta(days=1)
        yesterday = self.today - timedelta(days=1)

        def send(partner, **values):
            return lambda: Send.create(
                {"partner_ids": [Command.set(partner.ids)], **values}
            ).action_send()

        def aged(**values):
            return lambda: Aged.create(values).action_export()

        def register(name):
            return lambda: Register.create(
                {"register": name, "date_from": self.today, "date_to": yesterday}
            ).action_export()

        cases = [
            Case(
                "statement: period ends before it starts",
                send(self.customer, date_from=self.today, date_to=yesterday),
                UserError,
                "The start of the period is after its end.",
                STATEMENT_MODELS,
            ),
            Case(
                "statement: period ends tomorrow",
                send(self.customer, date_from=yesterday, date_to=tomorrow),
                UserError,
                "A statement cannot end in the future.",
                STATEMENT_MODELS,
            ),
            Case(
                "statement: customer without e-mail",
                send(self.no_email_partner),
                UserError,
                "These customers have no e-mail address:",
                STATEMENT_MODELS,
            ),
            Case(
                "aged receivables: dated tomorrow",
                aged(date_at=tomorrow),
                UserError,
                "Aged receivables cannot be dated in the future.",
                EXPORT_MODELS,
            ),
        ]
        for layout, fragment in (
            ("30,20", "Aging bucket limits must increase from left to right"),
            ("abc", "Aging bucket limits must be whole numbers of days;"),
            ("0", "Aging bucket limits must be greater than zero."),
            (" , ", "Enter at least one aging bucket limit"),
            ("10,20,30,40,50,60,70,80", "aging buckets are supported."),
        ):
            cases.append(
                Case(
                    f"aged receivables: buckets {layout!r}",
                    aged(aging_days=layout),
                    UserError,
                    fragment,
                    EXPORT_MODELS,
                )
            )
        for name in ("plans", "disputes", "promises"):
            cases.append(
                Case(
                    f"register export ({name}): period ends before it starts",
                    register(name),
                    UserError,
                    "The start of the period is after its end.",
                    EXPORT_MODELS,
                )
            )
        return cases

    def _term_cases(self):
        term = self.tiered_term

        def term_state():
            return (
                term.early_discount,
                term.discount_percentage,
                term.discount_days,
                [
                    (tier.discount_days, tier.discount_percentage)
                    for tier in term.settlement_discount_tier_ids
                ],
            )

        def add_tier(percentage, days):
            return lambda: term.write(
                {
                    "settlement_discount_tier_ids": [
                        Command.create(
                            {"discount_percentage": percentage, "discount_days": days}
                        )
                    ]
                }
            )

        def tiers_without_discount():
            self.env["account.payment.term"].create(
                {
                    "name": "Tiers without early discount",
                    "line_ids": [
                        Command.create(
                            {"value": "percent", "value_amount": 100, "nb_days": 30}
                        )
                    ],
                    "settlement_discount_tier_ids": [
                        Command.create({"discount_percentage": 1.0, "discount_days": 9})
                    ],
                }
            )

        range_message = "Every discount percentage must be above 0 and below 100."
        days_message = "Each discount tier must last strictly more days than the one"
        order_message = "Each discount tier must grant a strictly smaller percentage"
        needs_discount = "further discount tiers need the early payment discount"
        return [
            Case(
                "payment term: tier of 0 %",
                add_tier(0.0, 20),
                ValidationError,
                range_message,
                TERM_MODELS,
                term_state,
            ),
            Case(
                "payment term: tier of 100 %",
                add_tier(100.0, 20),
                ValidationError,
                range_message,
                TERM_MODELS,
                term_state,
            ),
            Case(
                "payment term: tier not longer than the early discount",
                add_tier(1.0, 7),
                ValidationError,
                days_message,
                TERM_MODELS,
                term_state,
            ),
            Case(
                "payment term: later tier with a larger percentage",
                add_tier(2.0, 20),
                ValidationError,
                order_message,
                TERM_MODELS,
                term_state,
            ),
            Case(
                "payment term: early discount lowered below its tier",
                lambda: term.write({"discount_percentage": 1.0}),
                ValidationError,
                order_message,
                TERM_MODELS,
                term_state,
            ),
            Case(
                "payment term: early discount switched off under tiers",
                lambda: term.write({"early_discount": False}),
                ValidationError,
                needs_discount,
                TERM_MODELS,
                term_state,
            ),
            Case(
                "payment term: tiers without early discount",
                tiers_without_discount,
                ValidationError,
                needs_discount,
                TERM_MODELS,
            ),
        ]

    def _company_cases(self):
        company = self.env.company

        def company_state():
            return (
                company.settlement_aging_days,
                company.settlement_plan_grace_days,
                company.settlement_promise_grace_days,
                company.settlement_overdue_days,
            )

        def write(**values):
            return lambda: company.write(values)

        def settings_form():
            form = Form(self.env["res.config.settings"])
            form.settlement_aging_days = "60, 30"
            form.save().execute()

        cases = [
            Case(
                f"company settings: aging buckets {layout!r}",
                write(settlement_aging_days=layout),
                ValidationError,
                fragment,
                COMPANY_MODELS,
                company_state,
            )
            for layout, fragment in (
                ("30, sixty", "Aging bucket limits must be whole numbers of days;"),
                ("0, 30", "Aging bucket limits must be greater than zero."),
                ("60, 30", "Aging bucket limits must increase from left to right"),
                ("1,2,3,4,5,6,7,8,9", "aging buckets are supported."),
                (" , ", "Enter at least one aging bucket limit"),
            )
        ]
        sales_journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        return [
            *cases,
            Case(
                "company settings: a sales journal for discount entries",
                write(settlement_discount_journal_id=sales_journal.id),
                ValidationError,
                "cannot hold the early payment discount entries of",
                COMPANY_MODELS,
                lambda: company.settlement_discount_journal_id,
            ),
            Case(
                "settings form: aging buckets '60, 30'",
                settings_form,
                ValidationError,
                "Aging bucket limits must increase from left to right",
                COMPANY_MODELS,
                company_state,
            ),
            Case(
                "company settings: negative instalment grace days",
                write(settlement_plan_grace_days=-1),
                ValidationError,
                "Instalment grace days cannot be negative.",
                COMPANY_MODELS,
                company_state,
            ),
            Case(
                "company settings: negative promise grace days",
                write(settlement_promise_grace_days=-1),
                ValidationError,
                "Promise grace days cannot be negative.",
                COMPANY_MODELS,
                company_state,
            ),
            Case(
                "company settings: negative overdue days allowed",
                write(settlement_overdue_days=-1),
                ValidationError,
                "Overdue days allowed cannot be negative.",
                COMPANY_MODELS,
                company_state,
            ),
        ]

    def _access_cases(self):
        """RPC-style calls by a user whose role does not allow them."""
        billing, user, controller = (
            self.billing_user,
            self.settlement_user,
            self.controller,
        )
        env = self.env

        def as_user(person, model):
            return env[model].with_user(person)

        return [
            Case(
                "rpc: billing user puts a customer on hold",
                lambda: as_user(billing, "settlement.credit.hold").create(
                    {"partner_id": self.other_customer.id, "reason": "Not mine"}
                ),
                AccessError,
                _denied("create", "Credit Hold", "settlement.credit.hold"),
                HOLD_MODELS,
            ),
            Case(
                "rpc: settlement user puts a customer on hold",
                lambda: as_user(user, "settlement.credit.hold").create(
                    {"partner_id": self.other_customer.id, "reason": "Not mine"}
                ),
                AccessError,
                _denied("create", "Credit Hold", "settlement.credit.hold"),
                HOLD_MODELS,
            ),
            Case(
                "rpc: credit controller deletes a hold",
                lambda: self.hold_active.with_user(controller).unlink(),
                AccessError,
                _denied("unlink", "Credit Hold", "settlement.credit.hold"),
                HOLD_MODELS,
                lambda: self.hold_active.state,
            ),
            Case(
                "rpc: billing user edits a dunning policy",
                lambda: self.policy.with_user(billing).write({"tolerance": 5.0}),
                AccessError,
                _denied("write", "Dunning Policy", "settlement.dunning.policy"),
                POLICY_MODELS,
                lambda: self.policy.tolerance,
            ),
            Case(
                "rpc: credit controller edits a dunning policy",
                lambda: self.policy.with_user(controller).write({"tolerance": 5.0}),
                AccessError,
                _denied("write", "Dunning Policy", "settlement.dunning.policy"),
                POLICY_MODELS,
                lambda: self.policy.tolerance,
            ),
            Case(
                "rpc: credit controller adds a dunning level",
                lambda: as_user(controller, "settlement.dunning.level").create(
                    {"policy_id": self.policy.id, "name": "Mine", "days": 60}
                ),
                AccessError,
                _denied("create", "Dunning Level", "settlement.dunning.level"),
                LEVEL_MODELS,
            ),
            Case(
                "rpc: settlement user opens the override wizard",
                lambda: as_user(user, "settlement.credit.override.grant").create(
                    {"reason": "Please"}
                ),
                AccessError,
                _denied(
                    "create",
                    "Override Credit Block",
                    "settlement.credit.override.grant",
                ),
                OVERRIDE_MODELS,
            ),
            Case(
                "rpc: credit controller deletes a credit override",
                lambda: self.override.with_user(controller).unlink(),
                AccessError,
                _denied("unlink", "Credit Override", "settlement.credit.override"),
                OVERRIDE_MODELS,
            ),
            Case(
                "rpc: billing user opens the instalment plan wizard",
                lambda: as_user(billing, "settlement.instalment.plan.create").create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(self.inv_a.ids)],
                    }
                ),
                AccessError,
                _denied(
                    "create",
                    "Create Instalment Plan",
                    "settlement.instalment.plan.create",
                ),
                PLAN_MODELS,
            ),
            Case(
                "rpc: billing user raises a dispute",
                # With a responsible given, create() reads no dispute reason
                # (which a billing user may not read) before the ACL check.
                lambda: as_user(billing, "settlement.dispute").create(
                    self._dispute_values(10.0, user_id=billing.id)
                ),
                AccessError,
                _denied("create", "Invoice Dispute", "settlement.dispute"),
                DISPUTE_MODELS,
            ),
            Case(
                "rpc: settlement user deletes a dispute",
                lambda: self.dispute_new.with_user(user).unlink(),
                AccessError,
                _denied("unlink", "Invoice Dispute", "settlement.dispute"),
                DISPUTE_MODELS,
                lambda: self.dispute_new.state,
            ),
            Case(
                "rpc: settlement user resolves a dispute",
                lambda: as_user(user, "settlement.dispute.resolve").create(
                    {"dispute_id": self.dispute_new.id, "action": "reject"}
                ),
                AccessError,
                _denied("create", "Resolve Dispute", "settlement.dispute.resolve"),
                DISPUTE_MODELS,
                lambda: self.dispute_new.state,
            ),
            Case(
                "rpc: settlement user waives a late fee",
                lambda: as_user(user, "settlement.dunning.fee.waive").create(
                    {
                        "communication_ids": [Command.set(self.reminder.ids)],
                        "reason": "Nice customer",
                    }
                ),
                AccessError,
                _denied("create", "Waive Late Fee", "settlement.dunning.fee.waive"),
                REMINDER_MODELS,
            ),
            Case(
                "rpc: settlement user logs a call on a reminder",
                lambda: self.reminder.with_user(user).write({"call_state": "reached"}),
                AccessError,
                _denied("write", "Reminder", "settlement.dunning.communication"),
                REMINDER_MODELS,
                lambda: self.reminder.call_state,
            ),
            Case(
                "rpc: billing user records a promise to pay",
                lambda: as_user(billing, "settlement.promise").create(
                    {
                        "partner_id": self.customer.id,
                        "amount": 10.0,
                        "date_promised": self.today,
                    }
                ),
                AccessError,
                _denied("create", "Promise to Pay", "settlement.promise"),
                PROMISE_MODELS,
            ),
        ]

    def _cases(self):
        return [
            *self._plan_wizard_cases(),
            *self._plan_cases(),
            *self._dispute_cases(),
            *self._credit_cases(),
            *self._dunning_cases(),
            *self._promise_cases(),
            *self._statement_and_export_cases(),
            *self._term_cases(),
            *self._company_cases(),
            *self._access_cases(),
        ]

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_catalogue_is_big_enough(self):
        cases = self._cases()
        self.assertGreaterEqual(len(cases), 45)
        labels = [case.label for case in cases]
        self.assertEqual(len(labels), len(set(labels)), "labels must be unique")
        kinds = {case.exception for case in cases}
        self.assertTrue({UserError, ValidationError, AccessError} <= kinds)

    def test_bad_input_is_refused_and_writes_nothing(self):
        for case in self._cases():
            # The outer savepoint is always rolled back: a case that wrongly
            # succeeds does not leave its writes to the next ones.
            with self.subTest(case=case.label), closing(self.env.cr.savepoint()):
                counts = self._counts(case.models)
                state = case.snapshot() if case.snapshot else None
                with (
                    self.assertRaises(case.exception) as caught,
                    self.env.cr.savepoint(),
                ):
                    case.call()
                self.assertIs(type(caught.exception), case.exception)
                self.assertIn(case.fragment, str(caught.exception.args[0]))
                self.assertEqual(self._counts(case.models), counts)
                if case.snapshot:
                    self.assertEqual(case.snapshot(), state)

    def test_messages_are_translatable(self):
        """The English fragments of the addon's own messages are (parts of)
        msgids translated in fa.po: users see them in their language."""
        translated = [
            entry.msgid
            for entry in polib.pofile(PO_FILE)
            if entry.msgid and entry.msgstr and not entry.obsolete
        ]
        own = {
            case.fragment
            for case in self._cases()
            if case.exception in (UserError, ValidationError)
        }
        self.assertGreater(len(own), 40)
        for fragment in sorted(own):
            with self.subTest(fragment=fragment):
                self.assertTrue(
                    any(fragment in msgid for msgid in translated),
                    f"{fragment!r} is not part of a translated msgid of fa.po",
                )
