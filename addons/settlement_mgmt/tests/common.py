from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.settlement_mgmt.lib.internal_context import (
    credit_check_done_context,
)


class SettlementCommon(AccountTestInvoicingCommon):
    """Customers, users of each settlement role and invoice helpers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["account.move"])
        cls.customer = cls.env["res.partner"].create(
            {"name": "Credit Customer", "is_company": True}
        )
        cls.customer_contact = cls.env["res.partner"].create(
            {"name": "Credit Contact", "parent_id": cls.customer.id}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Other Customer", "is_company": True}
        )
        companies = cls.env.company
        cls.billing_user = new_test_user(
            cls.env,
            login="sm_billing",
            groups="account.group_account_invoice",
            company_id=companies.id,
        )
        cls.controller = new_test_user(
            cls.env,
            login="sm_controller",
            groups="settlement_mgmt.group_settlement_controller",
            company_id=companies.id,
        )

    @classmethod
    def _company_dunning_policy(cls, name, *levels):
        """A dunning policy with these levels, made the company's; the
        customers get e-mail addresses (reminders go by e-mail).  Each level
        is the values of ``settlement.dunning.level``, ``channels`` the names
        of its channels in order (default: e-mail only).  Returns the levels
        in their order."""
        cls.Communication = cls.env["settlement.dunning.communication"]
        cls.Engine = cls.env["settlement.dunning.engine"]
        level_commands = []
        for values in levels:
            values = dict(values)
            channels = values.pop("channels", ())
            if channels:
                values["channel_ids"] = [
                    Command.create({"channel": channel}) for channel in channels
                ]
            level_commands.append(Command.create(values))
        cls.policy = cls.env["settlement.dunning.policy"].create(
            {"name": name, "level_ids": level_commands}
        )
        cls.env.company.settlement_dunning_policy_id = cls.policy
        cls.customer.email = "ap@credit-customer.example.com"
        cls.other_customer.email = "ap@other-customer.example.com"
        return cls.policy._sorted_levels()

    @classmethod
    def _set_policy(cls, policy, overdue_days=30, company=None):
        (company or cls.env.company).write(
            {
                "settlement_credit_policy": policy,
                "settlement_overdue_days": overdue_days,
            }
        )

    @classmethod
    def _invoice(cls, partner, amount, days_old=0, due_days=30, post=True, **values):
        """A customer invoice dated ``days_old`` days ago, due ``due_days`` later."""
        invoice_date = cls.today - timedelta(days=days_old)
        move = cls.env["account.move"].create(
            {
                "move_type": values.pop("move_type", "out_invoice"),
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_date_due": invoice_date + timedelta(days=due_days),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Goods",
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
                **values,
            }
        )
        if post:
            move.with_context(**credit_check_done_context()).action_post()
        return move

    @classmethod
    def _split_term(cls, first_percent, last_days):
        """A payment term: ``first_percent`` due at once, the rest after
        ``last_days`` days (two receivable lines per invoice)."""
        return cls.env["account.payment.term"].create(
            {
                "name": f"{first_percent}% now, the rest in {last_days} days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": percent, "nb_days": days}
                    )
                    for percent, days in (
                        (first_percent, 0),
                        (100.0 - first_percent, last_days),
                    )
                ],
            }
        )

    @classmethod
    def _portal_user(cls, login, partner):
        return new_test_user(
            cls.env, login=login, groups="base.group_portal", partner_id=partner.id
        )

    @classmethod
    def _portal_pair(cls, prefix):
        """Portal users ``<prefix>_a`` (a contact of the customer) and
        ``<prefix>_b`` (a contact of the other customer)."""
        other_contact = cls.env["res.partner"].create(
            {"name": f"{prefix} contact", "parent_id": cls.other_customer.id}
        )
        return (
            cls._portal_user(f"{prefix}_a", cls.customer_contact),
            cls._portal_user(f"{prefix}_b", other_contact),
        )

    @classmethod
    def _proposed_plan(cls, invoice, instalments=3):
        """A plan of ``instalments`` for ``invoice`` from the wizard, proposed
        to the customer."""
        wizard = (
            cls.env["settlement.instalment.plan.create"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"instalment_count": instalments})
        )
        plan = cls.env["settlement.instalment.plan"].browse(
            wizard.action_create()["res_id"]
        )
        plan.action_propose()
        return plan

    @classmethod
    def _pay(cls, invoice, amount=None, days_old=0):
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": invoice.amount_residual if amount is None else amount,
                    "payment_date": cls.today - timedelta(days=days_old),
                }
            )
        )
        return wizard._create_payments()
