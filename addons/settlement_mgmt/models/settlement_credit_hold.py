from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .settlement_decision_mixin import ANY_VALUE, CURRENT_USER

HOLD_TYPES = [
    ("manual", "Manual"),
    ("overdue", "Overdue items"),
    ("dunning", "Reminder level"),
    ("collection", "Collection case"),
]
# Who placed a hold, when and why it ended: audit facts, written only by
# create() and _release() (in sudo after their role check), never by a client.
# A user places an active manual hold in its own name; automatic holds and
# their history come from the addon only.
AUDIT_FIELDS = {
    "partner_id": ANY_VALUE,
    "company_id": ANY_VALUE,
    "date_start": ANY_VALUE,
    "hold_type": "manual",
    "state": "active",
    "user_id": CURRENT_USER,
    "released_user_id": None,
    "release_date": None,
    "release_reason": None,
}
CONTROLLER_GROUP = "settlement_mgmt.group_settlement_controller"


class SettlementCreditHold(models.Model):
    _name = "settlement.credit.hold"
    _description = "Credit Hold"
    _inherit = ["settlement.decision.mixin", "mail.thread", "mail.activity.mixin"]
    _decision_fields = AUDIT_FIELDS
    _order = "state, date_start desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    hold_type = fields.Selection(
        selection=HOLD_TYPES,
        string="Type",
        required=True,
        default="manual",
        readonly=True,
    )
    reason = fields.Text(
        required=True,
        tracking=True,
        help="Why the customer is on hold; shown to whoever is blocked by it.",
    )
    state = fields.Selection(
        selection=[("active", "Active"), ("released", "Released")],
        required=True,
        default="active",
        readonly=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Placed By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    date_start = fields.Datetime(
        string="On Hold Since",
        required=True,
        readonly=True,
        default=fields.Datetime.now,
    )
    released_user_id = fields.Many2one("res.users", string="Released By", readonly=True)
    release_date = fields.Datetime(readonly=True)
    release_reason = fields.Text(readonly=True, tracking=True)

    def init(self):
        # At most one active hold of each type per customer and company.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS settlement_credit_hold_active_uniq"
                " ON settlement_credit_hold (partner_id, company_id, hold_type)"
                " WHERE state = 'active'"
            )
        )

    @api.depends("partner_id", "hold_type")
    def _compute_display_name(self):
        types = dict(self._fields["hold_type"]._description_selection(self.env))
        for hold in self:
            hold.display_name = self.env._(
                "%(customer)s: %(type)s hold",
                customer=hold.partner_id.display_name or "",
                type=types.get(hold.hold_type, ""),
            )

    @api.constrains("partner_id")
    def _check_partner_is_commercial(self):
        for hold in self:
            if hold.partner_id != hold.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Put the company %(company)s on hold rather than its contact "
                        "%(contact)s.",
                        company=hold.partner_id.commercial_partner_id.display_name,
                        contact=hold.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not (vals.get("reason") or "").strip():
                raise ValidationError(
                    self.env._("Give the reason for the credit hold.")
                )
        self._check_no_active_duplicate(vals_list)
        holds = super().create(vals_list)
        for hold in holds:
            hold.partner_id._message_log(
                body=self.env._(
                    "Credit hold placed by %(user)s: %(reason)s",
                    user=hold.user_id.name,
                    reason=hold.reason,
                )
            )
        return holds

    def _decision_error(self, names, creating=False):
        if creating:
            return AccessError(
                self.env._(
                    "A credit hold is placed as an active manual hold in your name; "
                    "it is released with its Release button."
                )
            )
        return AccessError(
            self.env._(
                "Only the reason of a credit hold can be edited; release it with "
                "its Release button."
            )
        )

    def _check_no_active_duplicate(self, vals_list):
        keys = [
            (
                vals.get("partner_id"),
                vals.get("company_id") or self.env.company.id,
                vals.get("hold_type", "manual"),
            )
            for vals in vals_list
        ]
        active = self.sudo().search(
            [("state", "=", "active"), ("partner_id", "in", [key[0] for key in keys])]
        )
        clash = active.filtered(
            lambda hold: (hold.partner_id.id, hold.company_id.id, hold.hold_type)
            in keys
        )
        if clash or len(set(keys)) < len(keys):
            partner = clash[:1].partner_id or self.env["res.partner"].browse(keys[0][0])
            raise UserError(
                self.env._(
                    "%(customer)s is already on hold.", customer=partner.display_name
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if not self.env.user.has_group("settlement_mgmt.group_settlement_manager"):
            raise UserError(
                self.env._(
                    "Release credit holds instead of deleting them: they are history."
                )
            )

    def action_release(self):
        active = self.filtered(lambda hold: hold.state == "active")
        if not active:
            raise UserError(self.env._("There is no active credit hold to release."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Release Credit Hold"),
            "res_model": "settlement.credit.hold.release",
            "view_mode": "form",
            "target": "new",
            "context": {"default_hold_ids": active.ids},
        }

    def _release(self, reason):
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Give the reason for releasing the credit hold.")
            )
        if not self.env.su and not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(
                self.env._("Only a credit controller can release a credit hold.")
            )
        self.check_access("write")
        self._check_no_active_case()
        active = self.filtered(lambda hold: hold.state == "active")
        active.sudo().write(
            {
                "state": "released",
                "released_user_id": self.env.user.id,
                "release_date": fields.Datetime.now(),
                "release_reason": reason,
            }
        )
        for hold in active:
            hold.partner_id._message_log(
                body=self.env._(
                    "Credit hold released by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
            )
        return active

    # ------------------------------------------------------------------
    # Automatic holds on overdue items
    # ------------------------------------------------------------------

    def _overdue_partner_days(self, company, partners=None):
        """{commercial partner id: oldest overdue days} above the company's
        allowance, for partners whose applied policy blocks on overdue items."""
        allowed = company.settlement_overdue_days
        domain = SQL("TRUE")
        if partners is not None:
            domain = SQL(
                "line.partner_id = ANY(%s)", partners.commercial_partner_id.ids
            )
        items = self.env["settlement.receivable.item"]
        items._flush_sources()
        today = fields.Date.context_today(self)
        Query = self.env["settlement.receivable.query"]
        disputed_join, undisputed = Query._undisputed_sql(company)
        rows = self.env.execute_query(
            SQL(
                """
            SELECT line.partner_id, MAX(%(today)s - line.date_due)
              FROM %(items)s line
              %(disputed_join)s
             -- net of the customer's open credits, oldest due first
             WHERE line.amount_net * %(undisputed)s > 0
               AND line.company_id = %(company_id)s
               AND line.date_due < %(today)s - %(allowed)s
               AND %(domain)s
          GROUP BY line.partner_id
            """,
                items=items._table_sql,
                today=today,
                company_id=company.id,
                allowed=allowed,
                domain=domain,
                disputed_join=disputed_join,
                undisputed=undisputed,
            )
        )
        overdue = dict(rows)
        candidates = self.env["res.partner"].with_company(company).browse(list(overdue))
        default = company.settlement_credit_policy
        return {
            partner.id: overdue[partner.id]
            for partner in candidates
            if (partner.settlement_credit_policy or default) == "limit_overdue"
        }

    def _overdue_rule_changes(self, company, partners=None):
        """(partner id -> days to put on hold, automatic holds to release)."""
        overdue = self._overdue_partner_days(company, partners)
        domain = [
            ("state", "=", "active"),
            ("hold_type", "=", "overdue"),
            ("company_id", "=", company.id),
        ]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        current = self.sudo().search(domain)
        held_ids = set(current.partner_id.ids)
        to_hold = {pid: days for pid, days in overdue.items() if pid not in held_ids}
        to_release = current.filtered(lambda hold: hold.partner_id.id not in overdue)
        return to_hold, to_release

    def _create_overdue_holds(self, company, days_by_partner):
        allowed = company.settlement_overdue_days
        return (
            self.sudo()
            .with_company(company)
            .create(
                [
                    {
                        "partner_id": partner_id,
                        "company_id": company.id,
                        "hold_type": "overdue",
                        "user_id": self.env.ref("base.user_root").id,
                        "reason": self.env._(
                            "An item is overdue by %(days)s days; %(allowed)s days are "
                            "allowed.",
                            days=days,
                            allowed=allowed,
                        ),
                    }
                    for partner_id, days in days_by_partner.items()
                ]
            )
        )

    def _release_resolved_automatic_holds(self, partners, company):
        _to_hold, to_release = self._overdue_rule_changes(company, partners)
        released = to_release.sudo()._release(
            self.env._("No item is overdue beyond the allowance any more.")
        )
        return released | self._release_paid_dunning_holds(partners, company)

    # ------------------------------------------------------------------
    # Holds placed by a reminder level
    # ------------------------------------------------------------------

    @api.model
    def _settlement_place_system_hold(self, partner, company, hold_type, reason):
        """(hold, placed): the customer's active hold of ``hold_type`` in
        ``company``, placed by the system with ``reason`` unless it already
        has one (then ``placed`` is False).  Reminder levels and collection
        cases hold customers this way."""
        existing = self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("hold_type", "=", hold_type),
                ("state", "=", "active"),
            ],
            limit=1,
        )
        if existing:
            return existing, False
        hold = (
            self.sudo()
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "hold_type": hold_type,
                    "user_id": self.env.ref("base.user_root").id,
                    "reason": reason,
                }
            )
        )
        return hold, True

    @api.model
    def _settlement_place_dunning_hold(self, communication):
        """Hold the reminded customer, unless it already has such a hold
        (then nothing is returned)."""
        hold, placed = self._settlement_place_system_hold(
            communication.partner_id,
            communication.company_id,
            "dunning",
            self.env._(
                "Reminder %(name)s (%(level)s) puts the customer on hold.",
                name=communication.name,
                level=communication.level_id.name,
            ),
        )
        return hold if placed else self.browse()

    def _release_paid_dunning_holds(self, partners, company):
        """Release reminder holds of customers with nothing overdue any more."""
        holds = self.sudo().search(
            [
                ("state", "=", "active"),
                ("hold_type", "=", "dunning"),
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.commercial_partner_id.ids),
            ]
        )
        if not holds:
            return self.browse()
        exposures = holds.partner_id._settlement_exposures(company)
        paid = holds.filtered(lambda hold: exposures[hold.partner_id.id].overdue <= 0)
        return paid._release(self.env._("Everything overdue has been paid."))

    @api.model
    def _cron_settlement_credit_holds(self, batch_size=200):
        """Nightly: hold customers with items overdue beyond the allowance and
        release automatic holds whose cause is gone.  Each call handles one batch
        and reports the rest, so the cron runner commits between batches; the
        work left is recomputed at every call, so a crash or a second run does
        nothing twice."""
        work = []
        for company in self.env["res.company"].search([("active", "=", True)]):
            to_hold, to_release = self._overdue_rule_changes(company)
            work += [(company, "hold", item) for item in to_hold.items()]
            work += [(company, "release", hold) for hold in to_release]
        batch, rest = work[:batch_size], work[batch_size:]
        for company in {item[0] for item in batch}:
            holds = dict(
                item[2] for item in batch if item[0] == company and item[1] == "hold"
            )
            if holds:
                self._create_overdue_holds(company, holds)
            releases = self.union(
                *(
                    item[2]
                    for item in batch
                    if item[0] == company and item[1] == "release"
                )
            )
            if releases:
                releases.sudo()._release(
                    self.env._("No item is overdue beyond the allowance any more.")
                )
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(rest))
