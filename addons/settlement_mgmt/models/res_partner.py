from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.misc import format_date, formatLang

from .res_company import CREDIT_POLICIES
from .res_partner_credit import CREDIT_GROUPS

CONTROLLER_GROUP = "settlement_mgmt.group_settlement_controller"
# A customer's credit and dunning terms: who may be invoiced how far, and who
# is chased. Set by a credit controller, whatever the form lets a user type or
# an RPC client send; every change is logged on the customer.
CREDIT_SETTING_FIELDS = (
    "credit_limit",
    "settlement_credit_policy",
    "settlement_dunning_policy_id",
    "settlement_no_reminders",
    "settlement_dunning_paused_until",
)


class ResPartner(models.Model):
    """The customer of settlement_mgmt.  Each job has its mixin: credit
    exposure (settlement.partner.credit), reminders and statements
    (settlement.partner.dunning), payment risk (settlement.partner.risk),
    follow-up (settlement.partner.followup).  Here: the records linked to the
    customer, its credit holds, and who may change its credit terms."""

    _name = "res.partner"
    _inherit = [
        "res.partner",
        "settlement.partner.followup",
        "settlement.partner.credit",
        "settlement.partner.dunning",
        "settlement.partner.risk",
        "settlement.mail.direction.mixin",
    ]

    settlement_credit_policy = fields.Selection(
        selection=CREDIT_POLICIES,
        string="Credit Policy",
        company_dependent=True,
        groups=CREDIT_GROUPS,
        help="Overrides the company's credit policy for this customer. "
        "Leave empty to follow the company.",
    )
    settlement_hold_ids = fields.One2many(
        "settlement.credit.hold",
        "partner_id",
        string="Credit Holds",
        groups=CREDIT_GROUPS,
    )
    settlement_item_ids = fields.One2many(
        "settlement.receivable.item",
        "partner_id",
        string="Open Items",
        readonly=True,
        groups=CREDIT_GROUPS,
        help="What the customer owes, item by item and net of its open credits "
        "(the due schedule).",
    )
    settlement_on_hold = fields.Boolean(
        string="On Credit Hold",
        compute="_compute_settlement_on_hold",
        search="_search_settlement_on_hold",
        groups=CREDIT_GROUPS,
    )
    settlement_communication_ids = fields.One2many(
        "settlement.dunning.communication",
        "partner_id",
        string="Reminders",
        groups=CREDIT_GROUPS,
    )

    # ------------------------------------------------------------------
    # Holds
    # ------------------------------------------------------------------

    def _settlement_held_partner_ids(self, company):
        holds = (
            self.env["settlement.credit.hold"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("state", "=", "active"),
                    ("company_id", "=", company.id),
                ],
                groupby=["partner_id"],
            )
        )
        return {partner.id for (partner,) in holds}

    @api.depends_context("company")
    @api.depends("settlement_hold_ids.state")
    def _compute_settlement_on_hold(self):
        held = self._settlement_held_partner_ids(self.env.company)
        for partner in self:
            partner.settlement_on_hold = partner.commercial_partner_id.id in held

    def _search_settlement_on_hold(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(
                self.env._("Unsupported search on 'On Credit Hold'.")
            )
        held = SQL(
            "(SELECT partner_id FROM settlement_credit_hold"
            " WHERE state = 'active' AND company_id = %s)",
            self.env.company.id,
        )
        positive = (operator == "=") == value
        return [("commercial_partner_id", "in" if positive else "not in", held)]

    def action_settlement_release_holds(self):
        self.ensure_one()
        holds = self.commercial_partner_id.settlement_hold_ids.filtered(
            lambda hold: hold.state == "active" and hold.company_id == self.env.company
        )
        return holds.action_release()

    def action_settlement_view_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_credit_hold_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------
    # Credit terms: set by a credit controller, logged on the customer
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # A new customer's own limit only restricts it; a lax policy or no
        # reminders from the start is a credit controller's decision.
        if not self.env.su and not self.env.user.has_group(CONTROLLER_GROUP):
            for vals in vals_list:
                given = [name for name in CREDIT_SETTING_FIELDS[1:] if vals.get(name)]
                if given:
                    self._settlement_refuse_credit_change(given)
        return super().create(vals_list)

    def write(self, vals):
        fields_written = [name for name in CREDIT_SETTING_FIELDS if name in vals]
        if not fields_written:
            return super().write(vals)
        before = self._settlement_credit_settings(fields_written)
        changed = {
            partner: [
                name
                for name in fields_written
                if self._settlement_setting_value(name, vals[name], partner)
                != old[name]
            ]
            for partner, old in before.items()
        }
        changed = {partner: names for partner, names in changed.items() if names}
        if (
            changed
            and not self.env.su
            and not self.env.user.has_group(CONTROLLER_GROUP)
        ):
            self._settlement_refuse_credit_change(
                sorted({name for names in changed.values() for name in names})
            )
        result = super().write(vals)
        for partner, names in changed.items():
            partner._settlement_log_credit_change(names, before[partner])
        return result

    def _settlement_credit_settings(self, names):
        """{commercial partner: {field: cache value}} in the current company.

        Contacts carry a synced copy of their company's limit (core's
        commercial fields): only the commercial partner's terms count."""
        partners = self.sudo().filtered(
            lambda partner: partner.commercial_partner_id == partner
        )
        return {
            partner.with_env(self.env): {
                name: self._settlement_setting_value(name, partner[name], partner)
                for name in names
            }
            for partner in partners
        }

    @api.model
    def _settlement_setting_value(self, name, value, partner):
        """``value`` as the ORM caches it, so that written and stored values
        compare (record or id, string or date, 0 or 0.0)."""
        field = self._fields[name]
        value = field.convert_to_cache(value, partner.sudo(), validate=False)
        return value or False

    def _settlement_refuse_credit_change(self, names):
        raise AccessError(
            self.env._(
                "Only a credit controller can change a customer's %(fields)s.",
                fields=", ".join(self._fields[name].string for name in names),
            )
        )

    def _settlement_log_credit_change(self, names, old_values):
        """Log on the customer who changed which credit term, from what to what."""
        self.ensure_one()
        partner = self.sudo()
        lines = [
            self.env._(
                "%(field)s: %(old)s → %(new)s",
                field=self._fields[name].string,
                old=partner._settlement_setting_label(name, old_values[name]),
                new=partner._settlement_setting_label(name, partner[name]),
            )
            for name in names
        ]
        title = self.env._(
            "Credit terms in %(company)s changed by %(user)s:",
            company=self.env.company.name,
            user=self.env.user.name,
        )
        items = Markup().join(Markup("<li>%s</li>") % line for line in lines)
        partner._message_log(body=Markup("%s<ul>%s</ul>") % (title, items))

    def _settlement_setting_label(self, name, value):
        """A credit term's value as a person reads it."""
        field = self._fields[name]
        if name == "credit_limit":
            return formatLang(
                self.env, value or 0.0, currency_obj=self.env.company.currency_id
            )
        if field.type == "selection":
            labels = dict(field._description_selection(self.env))
            return labels.get(value) or self.env._("Company default")
        if field.type == "many2one":
            # The value read from the record is a record; the one kept from
            # before the write is the cache's id.
            record = (
                value
                if isinstance(value, models.BaseModel)
                else self.env[field.comodel_name].browse(value or [])
            )
            return record.display_name or self.env._("Company default")
        if field.type == "boolean":
            return self.env._("Yes") if value else self.env._("No")
        if field.type == "date":
            return format_date(self.env, value) if value else self.env._("None")
        return str(value)
