from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..lib.collection import ACTIVE_STATES, CLOSED_STATES, state_after_recovery
from .settlement_decision_mixin import ANY_VALUE

USER_GROUP = "settlement_mgmt.group_settlement_user"
MANAGER_GROUP = "settlement_mgmt.group_settlement_manager"
CASE_STATES = [
    ("open", "Open"),
    ("agency", "With Agency"),
    ("court", "In Court"),
    ("partial", "Partly Recovered"),
    ("recovered", "Recovered"),
    ("written_off", "Written Off"),
    ("returned", "Returned to Dunning"),
]
# Written by the case's buttons only (in sudo, after their role check); the
# handler and the commission rate may also be changed by a manager while the
# case is active (see _check_decision_write).
DECISION_FIELDS = {
    "partner_id": ANY_VALUE,
    "company_id": ANY_VALUE,
    "handler_id": ANY_VALUE,
    "commission_rate": ANY_VALUE,
    "state": "open",
    "date_handover": ANY_VALUE,
    "date_closed": None,
    "communication_id": ANY_VALUE,
    "hold_id": None,
    "write_off_move_id": None,
    "close_reason": None,
    "item_ids": ANY_VALUE,
    "recovery_ids": None,
}
MANAGER_EDITABLE = {"handler_id", "commission_rate"}


class SettlementCollectionCase(models.Model):
    """A customer handed over to a collection agency or a lawyer: the items
    handed over, what was recovered through them (net of their commission),
    what was written off, from hand-over to closing.  While a case is active
    its items leave normal dunning and the customer stays on credit hold."""

    _name = "settlement.collection.case"
    _description = "Collection Case"
    _inherit = [
        "settlement.numbered.mixin",
        "settlement.decision.mixin",
        "settlement.collection.case.accounting",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _sequence_code = "settlement.collection.case"
    _decision_fields = DECISION_FIELDS
    _order = "date_handover desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        readonly=True,
        domain="[('parent_id', '=', False)]",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    handler_id = fields.Many2one(
        "res.partner",
        string="Agency or Lawyer",
        required=True,
        tracking=True,
        domain="[('settlement_collection_kind', '!=', False)]",
        help="The collection agency or lawyer the customer is handed over to.",
    )
    handler_kind = fields.Selection(
        related="handler_id.settlement_collection_kind", string="Handled By"
    )
    commission_rate = fields.Float(
        string="Commission (%)",
        digits=(5, 2),
        tracking=True,
        help="Share of each recovery the agency or lawyer keeps; from its "
        "terms when the case opens, changed by a manager.",
    )
    state = fields.Selection(
        selection=CASE_STATES,
        string="Status",
        required=True,
        default="open",
        readonly=True,
        tracking=True,
        index=True,
    )
    is_active = fields.Boolean(
        string="Active Case", compute="_compute_is_active", search="_search_is_active"
    )
    date_handover = fields.Date(
        string="Handed Over On",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
    )
    date_closed = fields.Date(string="Closed On", readonly=True, tracking=True)
    note = fields.Html(string="Notes", sanitize=True)
    communication_id = fields.Many2one(
        "settlement.dunning.communication",
        string="Opened by Reminder",
        readonly=True,
        index="btree_not_null",
    )
    hold_id = fields.Many2one(
        "settlement.credit.hold", string="Credit Hold", readonly=True
    )
    close_reason = fields.Text(string="Reason for Closing", readonly=True)
    item_ids = fields.One2many(
        "settlement.collection.case.item", "case_id", string="Items Handed Over"
    )
    recovery_ids = fields.One2many(
        "settlement.collection.case.recovery", "case_id", string="Recoveries"
    )
    item_count = fields.Integer(compute="_compute_counts")
    recovery_count = fields.Integer(compute="_compute_counts")
    move_count = fields.Integer(string="Entry Count", compute="_compute_counts")
    foreign_currency = fields.Boolean(
        compute="_compute_counts",
        help="Some items are in another currency than the company's.",
    )
    amount_handed_over = fields.Monetary(compute="_compute_amounts")
    amount_recovered = fields.Monetary(
        string="Recovered (Gross)", compute="_compute_amounts"
    )
    amount_commission = fields.Monetary(string="Commission", compute="_compute_amounts")
    amount_written_off = fields.Monetary(
        string="Written Off", compute="_compute_amounts"
    )
    amount_open = fields.Monetary(
        string="Still Open",
        compute="_compute_amounts",
        help="What the customer still owes on the items handed over, from the "
        "ledger, in the company currency.",
    )

    def init(self):
        # One active case per customer and company, whatever the race.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS"
                " settlement_collection_case_active_uniq"
                " ON settlement_collection_case (partner_id, company_id)"
                " WHERE state IN %s",
                ACTIVE_STATES,
            )
        )

    @api.depends("state")
    def _compute_is_active(self):
        for case in self:
            case.is_active = case.state in ACTIVE_STATES

    def _search_is_active(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Unsupported search on active cases."))
        active = (operator == "=") == bool(value)
        return [("state", "in" if active else "not in", ACTIVE_STATES)]

    @api.depends("item_ids", "recovery_ids")
    def _compute_counts(self):
        for case in self:
            case.item_count = len(case.item_ids)
            case.recovery_count = len(case.recovery_ids)
            case.move_count = len(case._accounting_moves())
            case.foreign_currency = any(
                item.currency_id != case.currency_id for item in case.item_ids
            )

    @api.depends(
        "item_ids.amount_handed_over",
        "item_ids.amount_open",
        "recovery_ids.amount_gross",
        "recovery_ids.amount_commission",
        "write_off_move_id",
    )
    def _compute_amounts(self):
        for case in self:
            case.amount_handed_over = sum(case.item_ids.mapped("amount_handed_over"))
            case.amount_recovered = sum(case.recovery_ids.mapped("amount_gross"))
            case.amount_commission = sum(case.recovery_ids.mapped("amount_commission"))
            case.amount_written_off = case.write_off_move_id.amount_total
            case.amount_open = sum(case.item_ids.mapped("amount_open"))

    # ------------------------------------------------------------------
    # Numbering: a sequence of each company
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = self._next_number(company)
        return super().create(vals_list)

    @api.model
    def _next_number(self, company):
        Sequence = self.env["ir.sequence"].sudo()
        if not Sequence.search_count(
            [("code", "=", self._sequence_code), ("company_id", "=", company.id)]
        ):
            Sequence.create(
                {
                    "name": self.env._(
                        "Collection Cases of %(company)s", company=company.name
                    ),
                    "code": self._sequence_code,
                    "prefix": "CASE/%(year)s/",
                    "padding": 4,
                    "company_id": company.id,
                }
            )
        return Sequence.with_company(company).next_by_code(self._sequence_code)

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------

    def _check_decision_write(self, vals):
        if self.env.su:
            return
        guarded = set(self._decision_fields) & vals.keys()
        editable = MANAGER_EDITABLE & guarded
        if editable and self.env.user.has_group(MANAGER_GROUP):
            if self.filtered(lambda case: case.state not in ACTIVE_STATES):
                raise UserError(self.env._("A closed collection case cannot change."))
            if not 0 <= vals.get("commission_rate", 0.0) < 100:
                raise ValidationError(
                    self.env._("The commission is a percentage from 0 to below 100.")
                )
            guarded -= editable
        if guarded:
            raise self._decision_error(sorted(guarded))

    def _decision_error(self, names, creating=False):
        return AccessError(
            self.env._(
                "%(fields)s of a collection case change only through its buttons; "
                "the agency, lawyer and commission only by a Settlement Manager.",
                fields=self._decision_field_labels(names),
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "A collection case is history: return it to dunning instead of "
                    "deleting it."
                )
            )

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Settlement Manager can do this on a collection case."
                )
            )
        self.check_access("write")

    def _check_active(self):
        closed = self.filtered(lambda case: case.state in CLOSED_STATES)
        if closed:
            raise UserError(
                self.env._("Collection case %(name)s is closed.", name=closed[0].name)
            )

    # ------------------------------------------------------------------
    # Opening a case
    # ------------------------------------------------------------------

    @api.model
    def _open_case(self, partner, company, handler, move_lines, communication=None):
        """Hand ``move_lines`` (open receivable journal items of ``partner``
        in ``company``) over to ``handler``; the caller checked the role.  A
        customer with an active case gets no second one: None is returned."""
        partner = partner.commercial_partner_id
        if self._active_case(partner, company):
            return None
        Item = self.env["settlement.collection.case.item"]
        lines = Item._check_lines(partner, company, move_lines)
        case = (
            self.sudo()
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "handler_id": handler.id,
                    "commission_rate": handler.settlement_collection_commission,
                    "communication_id": communication.id if communication else False,
                    "item_ids": [
                        Command.create(Item._values_from_line(line)) for line in lines
                    ],
                }
            )
        )
        case.hold_id = self.env["settlement.credit.hold"]._settlement_place_case_hold(
            case
        )
        case.message_post(
            body=self.env._(
                "Handed over to %(handler)s by %(user)s: %(count)s items, "
                "%(amount)s open.",
                handler=handler.display_name,
                user=self.env.user.name,
                count=len(lines),
                amount=case.currency_id.format(case.amount_handed_over),
            ),
            subtype_xmlid="mail.mt_note",
        )
        # A note on the customer, whoever may edit contacts.
        partner.sudo()._message_log(
            body=self.env._(
                "Handed over to %(handler)s: collection case %(case)s.",
                handler=handler.display_name,
                case=case._get_html_link(),
            )
        )
        return case.with_env(self.env)

    @api.model
    def _active_case(self, partner, company):
        return (
            self.sudo()
            .search(
                [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("company_id", "=", company.id),
                    ("state", "in", ACTIVE_STATES),
                ],
                limit=1,
            )
            .with_env(self.env)
        )

    @api.model
    def _open_from_reminder(self, communication):
        """The level's "Open a collection case": the reminder's overdue
        journal items handed over to the level's agency or lawyer.  A rerun,
        or a second reminder while a case is active, opens nothing."""
        level = communication.level_id
        handler = level.collection_handler_id
        existing = self._active_case(communication.partner_id, communication.company_id)
        if existing or not handler:
            return existing
        lines = communication.line_ids.move_line_id.filtered(
            lambda line: not line.reconciled
        )
        if not lines:
            return existing
        return self._open_case(
            communication.partner_id,
            communication.company_id,
            handler,
            lines,
            communication=communication,
        )

    # ------------------------------------------------------------------
    # Status
    # ------------------------------------------------------------------

    def action_to_agency(self):
        return self._move_to("agency")

    def action_to_court(self):
        return self._move_to("court")

    def _move_to(self, state):
        self._check_manager()
        self._check_active()
        self.sudo().write({"state": state})
        return True

    def action_return(self):
        """Back to normal dunning: the items are reminded again, the hold
        placed for the case released."""
        self._check_manager()
        self._check_active()
        self._close("returned", self.env._("Returned to normal dunning."))
        return True

    def _close(self, state, reason):
        self.sudo().write(
            {
                "state": state,
                "date_closed": fields.Date.context_today(self),
                "close_reason": reason,
            }
        )
        self.env["settlement.credit.hold"]._settlement_release_case_holds(self)
        for case in self:
            case.message_post(body=reason, subtype_xmlid="mail.mt_note")

    def _sync_state_from_ledger(self):
        """Recovered once nothing is open any more, else partly recovered
        once something came in."""
        for case in self.filtered(lambda case: case.state in ACTIVE_STATES):
            case.invalidate_recordset()
            case.item_ids.invalidate_recordset()
            state = state_after_recovery(
                case.amount_open, case.amount_recovered, case.currency_id.rounding
            )
            if state == "recovered":
                case._close("recovered", self.env._("Everything handed over is paid."))
            elif state and state != case.state:
                case.sudo().write({"state": state})
