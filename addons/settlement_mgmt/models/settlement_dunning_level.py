from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

from ..lib.dunning import FEE_TYPES


class SettlementDunningLevel(models.Model):
    """One step of a dunning policy, reached a number of days after the due
    date (before it when negative), with its channels, fees and actions."""

    _name = "settlement.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, days, id"

    policy_id = fields.Many2one(
        "settlement.dunning.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    currency_id = fields.Many2one(related="policy_id.currency_id")
    name = fields.Char(required=True, translate=True)
    days = fields.Integer(
        string="Days after Due Date",
        required=True,
        help="Reached this many days after an item's due date; negative for a "
        "courtesy reminder before it.",
    )
    channel_ids = fields.One2many(
        "settlement.dunning.level.channel",
        "level_id",
        string="Channels",
        copy=True,
        # A new level e-mails, as it did when channels were three booleans.
        default=lambda self: [Command.create({"channel": "email"})],
        help="How the customer is reminded at this level: each channel gets a "
        "delivery of its own on the reminder.",
    )
    channel_names = fields.Char(
        string="Channels Used", compute="_compute_channel_names"
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'settlement.dunning.communication')]",
    )
    attach_invoices = fields.Boolean(help="Attach the PDF of each invoice reminded.")
    attach_statement = fields.Boolean(
        help="Attach the customer's statement of account (last three months)."
    )
    call_script = fields.Html(
        translate=True,
        sanitize=True,
        help="What the collector says on the phone at this level.",
    )
    fee_type = fields.Selection(
        selection=[
            ("none", "No Fee"),
            ("fixed", "Fixed Amount"),
            ("percent", "Percentage of the Overdue Amount"),
        ],
        string="Late Fee",
        default="none",
        required=True,
    )
    fee_fixed = fields.Monetary(string="Fee Amount")
    fee_percent = fields.Float(string="Fee (%)", digits=(5, 2))
    fee_min = fields.Monetary(string="Minimum Fee")
    fee_max = fields.Monetary(string="Maximum Fee", help="0 for no maximum.")
    interest_rate = fields.Float(
        string="Interest (% a year)",
        digits=(5, 2),
        help="Simple interest on overdue amounts, accrued to the reminder date.",
    )
    interest_grace_days = fields.Integer(
        help="Days after the due date free of interest."
    )
    action_hold = fields.Boolean(
        string="Put on Credit Hold", help="Block new invoices and orders."
    )
    action_notify_salesperson = fields.Boolean(
        string="Notify Salesperson",
        help="Give the customer's salesperson an activity about the reminder.",
    )
    action_legal = fields.Boolean(
        string="Hand Over to Legal",
        help="Give the legal contact an activity to pass the customer to legal or "
        "a collection agency.",
    )
    action_collection_case = fields.Boolean(
        string="Open a Collection Case",
        help="Hand the reminded overdue items over to the agency or lawyer below: "
        "they leave normal dunning and the customer stays on credit hold until "
        "the case is closed.  A customer with an open case gets no second one.",
    )
    collection_handler_id = fields.Many2one(
        "res.partner",
        string="Agency or Lawyer",
        domain="[('settlement_collection_kind', '!=', False)]",
        help="Who the collection case is handed over to.",
    )

    _sql_constraints = [
        (
            "policy_days_uniq",
            "unique(policy_id, days)",
            "Two levels of a policy cannot start on the same day.",
        ),
    ]

    @api.constrains("action_collection_case", "collection_handler_id")
    def _check_collection_handler(self):
        for level in self:
            if level.action_collection_case and not level.collection_handler_id:
                raise ValidationError(
                    self.env._(
                        "Level %(level)s opens a collection case: choose the agency "
                        "or lawyer it is handed over to.",
                        level=level.name,
                    )
                )

    @api.constrains(
        "fee_type",
        "fee_fixed",
        "fee_percent",
        "fee_min",
        "fee_max",
        "interest_rate",
        "interest_grace_days",
        "channel_ids",
    )
    def _check_level(self):
        for level in self:
            if level.fee_type not in FEE_TYPES:
                raise ValidationError(self.env._("Unknown late fee type."))
            if level.fee_type == "fixed" and level.fee_fixed <= 0:
                raise ValidationError(
                    self.env._("A fixed late fee must be a positive amount.")
                )
            if level.fee_type == "percent" and not 0 < level.fee_percent < 100:
                raise ValidationError(
                    self.env._("A late fee percentage must be between 0 and 100.")
                )
            if level.fee_min < 0 or level.fee_max < 0:
                raise ValidationError(
                    self.env._("Minimum and maximum fees cannot be negative.")
                )
            if level.fee_max and level.fee_min > level.fee_max:
                raise ValidationError(
                    self.env._("The minimum fee cannot exceed the maximum fee.")
                )
            if not 0 <= level.interest_rate <= 100:
                raise ValidationError(
                    self.env._("The interest rate must be between 0 and 100% a year.")
                )
            if level.interest_grace_days < 0:
                raise ValidationError(
                    self.env._("Interest grace days cannot be negative.")
                )
            if not level._sent_channel_lines():
                # The channels known to this database, bridges included.
                channels = (
                    self.env["settlement.dunning.level.channel"]
                    ._fields["channel"]
                    ._description_selection(self.env)
                )
                raise ValidationError(
                    self.env._(
                        "Level %(level)s needs a channel: %(channels)s.",
                        level=level.name,
                        channels=", ".join(label for _value, label in channels),
                    )
                )

    @api.depends_context("lang")
    @api.depends("channel_ids.channel")
    def _compute_channel_names(self):
        for level in self:
            level.channel_names = ", ".join(level.channel_ids.mapped("display_name"))

    def _sent_channel_lines(self):
        """The channel lines every reminder of the level is sent on (not the
        ones kept for a bounced e-mail)."""
        return self.channel_ids.filtered(lambda line: line.trigger == "always")

    def _has_channel(self, channel):
        self.ensure_one()
        return channel in self._sent_channel_lines().mapped("channel")
