from odoo import api, fields, models

from ..lib.credit import available_credit, usage_percent
from ..lib.receivable_rows import ReceivableFigures
from .res_company import CREDIT_POLICIES

CREDIT_GROUPS = "settlement_mgmt.group_settlement_user"


class SettlementPartnerCredit(models.AbstractModel):
    """A customer's credit as the credit controller reads it: the applied
    policy, the exposure and its parts, the room left under the limit, what is
    overdue, and the overrides granted.  Mixed into res.partner (one
    res.partner class per addon); the figures come from
    ``settlement.credit.service``, so an exposure component a bridge registers
    there shows here and in the Over Credit Limit filter by itself."""

    _name = "settlement.partner.credit"
    _description = "Credit Exposure"

    settlement_effective_policy = fields.Selection(
        selection=CREDIT_POLICIES,
        string="Applied Credit Policy",
        compute="_compute_settlement_effective_policy",
        groups=CREDIT_GROUPS,
    )
    settlement_currency_id = fields.Many2one(
        "res.currency",
        string="Company Currency",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
    )
    settlement_open_receivable = fields.Monetary(
        string="Open Receivables",
        currency_field="settlement_currency_id",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
        help="Posted customer invoices not yet paid, less open credit notes and "
        "unallocated payments, in company currency.",
    )
    settlement_draft_invoiced = fields.Monetary(
        string="Draft Invoices",
        currency_field="settlement_currency_id",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
    )
    # Declared here so that views and translations have it without
    # settlement_mgmt_sale; its exposure component fills it.
    settlement_uninvoiced_sales = fields.Monetary(
        string="Confirmed Sales Not Invoiced",
        currency_field="settlement_currency_id",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
    )
    settlement_disputed_amount = fields.Monetary(
        string="Under Dispute",
        currency_field="settlement_currency_id",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
    )
    settlement_disputed_pending = fields.Monetary(
        string="Disputed, Awaiting Review",
        currency_field="settlement_currency_id",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
        help="Open disputes no credit controller has started to review yet. "
        "Reminders for them pause, but they still count in the credit exposure "
        "and the overdue check until their review starts (Settings: Disputes "
        "Count Once Under Review).",
    )
    settlement_exposure = fields.Monetary(
        string="Credit Exposure",
        currency_field="settlement_currency_id",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
        help="Open receivables + draft invoices + confirmed sales not invoiced, "
        "less amounts under dispute when the company excludes them.",
    )
    settlement_available_credit = fields.Monetary(
        string="Available Credit",
        currency_field="settlement_currency_id",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
    )
    settlement_credit_usage = fields.Float(
        string="Credit Used (%)",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
    )
    settlement_overdue_amount = fields.Monetary(
        string="Overdue",
        currency_field="settlement_currency_id",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
    )
    settlement_oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (days)",
        compute="_compute_settlement_exposure",
        groups=CREDIT_GROUPS,
    )
    settlement_over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_settlement_exposure",
        search="_search_settlement_over_limit",
        groups=CREDIT_GROUPS,
    )
    settlement_override_count = fields.Integer(
        string="Credit Overrides",
        compute="_compute_settlement_override_count",
        groups=CREDIT_GROUPS,
    )

    @api.depends_context("company")
    def _compute_settlement_effective_policy(self):
        default = self.env.company.settlement_credit_policy
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.settlement_effective_policy = (
                commercial.settlement_credit_policy or default
            )

    def _settlement_exposures(self, company=None):
        """{commercial partner id: CreditPosition} (see
        ``settlement.credit.service._positions``)."""
        return self.env["settlement.credit.service"]._positions(
            self, company or self.env.company
        )

    @api.depends_context("company")
    def _compute_settlement_exposure(self):
        company = self.env.company
        service = self.env["settlement.credit.service"]
        positions = service._positions(self, company)
        shown = [
            component
            for component in service._exposure_components()
            if component.partner_field
        ]
        for partner in self:
            commercial = partner.commercial_partner_id
            position = positions.get(commercial.id) or service._position_of(
                commercial.id, ReceivableFigures(), {}, company
            )
            exposure = position.exposure
            limit = position.limit(commercial.credit_limit)
            partner.settlement_currency_id = company.currency_id
            partner.settlement_open_receivable = exposure.open_receivable
            partner.settlement_draft_invoiced = exposure.draft_invoices
            partner.settlement_uninvoiced_sales = 0.0
            for component in shown:
                partner[component.partner_field] = (
                    position.limit_raises
                    if component.raises_limit
                    else exposure.components
                )[component.name]
            partner.settlement_disputed_amount = exposure.disputed
            partner.settlement_disputed_pending = position.disputed_pending
            partner.settlement_exposure = exposure.total
            partner.settlement_available_credit = (
                available_credit(limit, exposure.total) or 0.0
            )
            partner.settlement_credit_usage = usage_percent(limit, exposure.total)
            partner.settlement_overdue_amount = position.overdue
            partner.settlement_oldest_overdue_days = position.oldest_overdue_days
            partner.settlement_over_limit = position.is_over_limit(
                commercial.credit_limit
            )

    def _search_settlement_over_limit(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(
                self.env._("Unsupported search on 'Over Credit Limit'.")
            )
        # Customers are commercial partners: companies, and people who buy
        # in their own name (not a company's contacts).  ``credit_limit``
        # searches core's default limit too where a customer has none.  One
        # query returns them with their commercial partner (themselves), so
        # the positions below need no prefetch batches.
        limited = self.search_fetch(
            [
                ("credit_limit", ">", 0),
                "|",
                ("parent_id", "=", False),
                ("is_company", "=", True),
            ],
            ["commercial_partner_id"],
        )
        # The positions of all of them at once (a few queries whatever their
        # number), not the partner's computed fields in prefetch batches.
        positions = self.env["settlement.credit.service"]._positions(
            limited, self.env.company
        )
        over_ids = [
            partner_id
            for partner_id, position in positions.items()
            if position.is_over_limit()
        ]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", over_ids)]

    def _compute_settlement_override_count(self):
        counts = dict(
            self.env["settlement.credit.override"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        for partner in self:
            partner.settlement_override_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def action_settlement_view_overrides(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_credit_override_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    def action_settlement_place_hold(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Put on Credit Hold"),
            "res_model": "settlement.credit.hold",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_hold_type": "manual",
            },
        }
