from datetime import timedelta

from odoo import api, fields, models

from ..lib.dispute import OPEN_STATES as DISPUTE_OPEN_STATES

# How far back the overview shows settled disputes and reminders received.
RECENT_DAYS = 180
# At most this many reminders (the newest): the rest is on the statement.
REMINDERS_SHOWN = 10
PLAN_STATES_SHOWN = ("requested", "proposed", "active")


class SettlementPortalOverview(models.AbstractModel):
    """Everything a customer has running with the company, for one portal page:
    what is overdue and what falls due next, promises to pay, instalment
    plans with their next instalment, disputes and the reminders received.

    Figures come from the homes every other page reads (the due schedule
    ``settlement.receivable.item``, promises, plans, disputes, reminders),
    always for the customer given by the caller, never from the request."""

    _name = "settlement.portal.overview"
    _description = "Customer Account Overview"

    @api.model
    def _overview(self, partner, company):
        """A dict of named values for ``partner`` (a commercial partner) in
        ``company``, read with sudo: the caller shows a customer its own."""
        today = fields.Date.context_today(self)
        since = today - timedelta(days=RECENT_DAYS)
        items = (
            self.env["settlement.receivable.item"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("amount_net_currency", ">", 0),
                ],
                order="date_due, id",
            )
        )
        overdue = items.filtered(lambda item: item.date_due < today)
        upcoming = items - overdue
        return {
            "today": today,
            "totals": self._totals(items, today, company),
            "overdue": overdue,
            "oldest_days": (today - overdue[0].date_due).days if overdue else 0,
            "next_items": upcoming.filtered(
                lambda item: item.date_due == upcoming[0].date_due
            )
            if upcoming
            else upcoming,
            "promises": self.env["settlement.promise"]._portal_open_promises(
                partner, company
            ),
            # running plans, and those waiting for the customer (proposed)
            # or for us (requested)
            "plans": self.env["settlement.statement"]._open_plans(
                partner, company, PLAN_STATES_SHOWN
            ),
            "disputes": self._disputes(partner, company, since),
            "reminders": self._reminders(partner, company, since),
        }

    @api.model
    def _totals(self, items, today, company):
        """[(currency, open, overdue)] per currency of the open items, the
        company currency first (one pass: a recordset membership test per
        item would make a long ledger quadratic)."""
        totals = {}
        for item in items:
            entry = totals.setdefault(item.currency_id, [0.0, 0.0])
            entry[0] += item.amount_net_currency
            if item.date_due < today:
                entry[1] += item.amount_net_currency
        return [
            (currency, currency.round(open_amount), currency.round(late))
            for currency, (open_amount, late) in sorted(
                totals.items(),
                key=lambda pair: (pair[0] != company.currency_id, pair[0].id),
            )
        ]

    @api.model
    def _disputes(self, partner, company, since):
        """Open disputes, and those settled in the last :data:`RECENT_DAYS`."""
        return (
            self.env["settlement.dispute"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    "|",
                    ("state", "in", list(DISPUTE_OPEN_STATES)),
                    ("date_resolved", ">=", since),
                ],
                order="create_date desc, id desc",
            )
        )

    @api.model
    def _reminders(self, partner, company, since):
        """The reminders the customer was sent lately, newest first (not those
        whose e-mail failed or bounced: the customer never received them)."""
        return (
            self.env["settlement.dunning.communication"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("date", ">=", since),
                    ("delivery_state", "not in", ("failed", "bounced")),
                ],
                order="date desc, id desc",
                limit=REMINDERS_SHOWN,
            )
        )

    @api.model
    def _channels(self, reminder):
        """How ``reminder`` reached the customer, in the reader's words."""
        return reminder.channel_names
