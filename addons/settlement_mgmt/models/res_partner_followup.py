from datetime import timedelta

from odoo import api, fields, models

from ..lib.dispute import OPEN_STATES as DISPUTE_OPEN_STATES

# After a final notice there is no next level: look again when the notice's
# term (eight days in the standard final notice) has passed.
FINAL_NOTICE_FOLLOW_UP_DAYS = 8


class SettlementPartnerFollowup(models.AbstractModel):
    """The collector's side of a customer: who follows it and when to look at
    it again.  Per company, as reminders are; mixed into res.partner (one
    res.partner class per addon), kept here so the follow-up has one home."""

    _name = "settlement.partner.followup"
    _description = "Customer Follow-up"

    settlement_next_action_date = fields.Date(
        string="Next Collection Action",
        company_dependent=True,
        groups="settlement_mgmt.group_settlement_user",
        help="When to look at this customer again. Set when a reminder is sent "
        "(the day its oldest item reaches the next level, or today when the "
        "level asks for a call) and when a promise to pay is recorded (the day "
        "after the promised date); an earlier date set by hand is kept.",
    )
    settlement_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        domain="[('share', '=', False)]",
        groups="settlement_mgmt.group_settlement_user",
        help="Who follows this customer's payments: reminder calls and "
        "follow-up activities go to this person. Empty: the dunning policy's "
        "collector, then the salesperson, then the company's Collections "
        "Responsible.",
    )
    settlement_action_due = fields.Boolean(
        string="Action Due",
        compute="_compute_settlement_action_due",
        search="_search_settlement_action_due",
        groups="settlement_mgmt.group_settlement_user",
    )

    # What the collector has running with the customer, one click away.
    settlement_open_dispute_count = fields.Integer(
        string="Open Disputes",
        compute="_compute_settlement_followup_counts",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_open_promise_count = fields.Integer(
        string="Open Promises",
        compute="_compute_settlement_followup_counts",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_running_plan_count = fields.Integer(
        string="Running Plans",
        compute="_compute_settlement_followup_counts",
        groups="settlement_mgmt.group_settlement_user",
    )

    # count field: (model, domain of the running ones)
    def _settlement_followup_sources(self):
        return {
            "settlement_open_dispute_count": (
                "settlement.dispute",
                [("state", "in", DISPUTE_OPEN_STATES)],
            ),
            "settlement_open_promise_count": (
                "settlement.promise",
                [("state", "=", "open")],
            ),
            "settlement_running_plan_count": (
                "settlement.instalment.plan",
                [("state", "in", ("proposed", "active"))],
            ),
        }

    @api.depends_context("company")
    def _compute_settlement_followup_counts(self):
        customers = self.commercial_partner_id
        for field, (model, domain) in self._settlement_followup_sources().items():
            counts = dict(
                self.env[model]._read_group(
                    [*domain, ("partner_id", "in", customers.ids)],
                    groupby=["partner_id"],
                    aggregates=["__count"],
                )
            )
            for partner in self:
                partner[field] = counts.get(partner.commercial_partner_id, 0)

    def _settlement_followup_action(self, field):
        """The running records counted by ``field``, as a list."""
        self.ensure_one()
        model, domain = self._settlement_followup_sources()[field]
        action = self.env[model]._get_records_action(
            name=self._fields[field].get_description(self.env)["string"]
        )
        action.update(
            domain=[*domain, ("partner_id", "=", self.commercial_partner_id.id)],
            view_mode="list,form",
            views=[(False, "list"), (False, "form")],
        )
        action.pop("res_id", None)
        return action

    def action_settlement_view_open_disputes(self):
        return self._settlement_followup_action("settlement_open_dispute_count")

    def action_settlement_view_open_promises(self):
        return self._settlement_followup_action("settlement_open_promise_count")

    def action_settlement_view_running_plans(self):
        return self._settlement_followup_action("settlement_running_plan_count")

    def action_settlement_case_file(self):
        """Build the customer's case file (dossier, invoices, agency workbook)
        for its open invoices and attach it to the customer.  Until the
        customer is handed over in a collection case, this is the managers'
        entry point; the case file checks the manager right itself."""
        self.ensure_one()
        CaseFile = self.env["settlement.collection.file"]
        CaseFile._check_case_file_access()
        customer = self.commercial_partner_id
        reference = self.env._(
            "%(customer)s %(date)s",
            customer=customer.ref or customer.id,
            date=fields.Date.to_string(fields.Date.context_today(self)),
        )
        CaseFile._attach_case_file(
            customer, customer, self.env["account.move"], reference
        )
        return CaseFile._attached_notification(
            self.env._(
                "The case file is attached to %(customer)s.",
                customer=customer.display_name,
            )
        )

    @api.depends_context("company")
    @api.depends("settlement_next_action_date")
    def _compute_settlement_action_due(self):
        today = fields.Date.context_today(self)
        for partner in self:
            date = partner.settlement_next_action_date
            partner.settlement_action_due = bool(date and date <= today)

    def _search_settlement_action_due(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        due = [("settlement_next_action_date", "<=", fields.Date.context_today(self))]
        return due if (operator == "=") == value else ["!", *due]

    def _settlement_collector(self, company, policy=None):
        """The person who follows this customer for ``company``: its own
        collector, the policy's, the salesperson, the company's Collections
        Responsible — the first who can act (active, internal, of the
        company)."""
        self.ensure_one()
        partner = self.sudo().with_company(company)
        return company._settlement_responsible(
            partner.settlement_collector_id,
            policy.collector_id if policy else self.env["res.users"],
            partner.user_id,
        )

    def _settlement_plan_next_action(self, company, dates, replace=False):
        """Set each customer's next action to the date in ``dates`` ({partner:
        date}) unless an earlier one still to come was set (by hand or by an
        earlier step): a collector's "call back tomorrow" is not pushed away
        by a reminder.  ``replace``: the date is the outcome of the action
        (a promise to pay), it replaces whatever was planned."""
        today = fields.Date.context_today(self)
        for partner, date in dates.items():
            partner = partner.sudo().with_company(company)
            current = partner.settlement_next_action_date
            if not replace and current and today <= current <= date:
                continue
            partner.settlement_next_action_date = date

    def _settlement_next_action_after_reminder(self, communication):
        """The day to look at a customer again after ``communication``: today
        when the level asks for a call, else the day its most overdue item
        reaches the next level, else (final notice) when the notice's term is
        over."""
        if "call" in communication.delivery_ids.mapped("channel"):
            return communication.date
        later = communication.level_id.policy_id._sorted_levels().filtered(
            lambda level: level.days > communication.level_days
        )
        if later:
            days = max(later[0].days - communication.max_days_overdue, 1)
        else:
            days = FINAL_NOTICE_FOLLOW_UP_DAYS
        return communication.date + timedelta(days=days)
