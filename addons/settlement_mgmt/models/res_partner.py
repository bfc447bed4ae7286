from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.http import request
from odoo.tools import SQL
from odoo.tools.misc import format_date, formatLang

from ..lib.calendars import CALENDAR_SELECTION
from ..lib.credit import (
    BLOCK_HOLD,
    BLOCK_LIMIT,
    BLOCK_OVERDUE,
    Exposure,
    available_credit,
    block_reasons,
    needs_exposure,
    usage_percent,
)
from ..lib.dispute import OPEN_STATES as DISPUTE_OPEN_STATES
from ..lib.kpi import payment_pattern_worsens
from ..lib.receivable_rows import CreditPosition, ReceivableFigures
from .res_company import CREDIT_POLICIES

CREDIT_GROUPS = "settlement_mgmt.group_settlement_user"
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
    _name = "res.partner"
    _inherit = ["res.partner", "settlement.partner.followup"]

    settlement_credit_policy = fields.Selection(
        selection=CREDIT_POLICIES,
        string="Credit Policy",
        company_dependent=True,
        groups=CREDIT_GROUPS,
        help="Overrides the company's credit policy for this customer. "
        "Leave empty to follow the company.",
    )
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
    settlement_override_count = fields.Integer(
        string="Credit Overrides",
        compute="_compute_settlement_override_count",
        groups=CREDIT_GROUPS,
    )
    settlement_risk_id = fields.Many2one(
        "settlement.risk.score",
        string="Risk Score Record",
        compute="_compute_settlement_risk",
        groups=CREDIT_GROUPS,
    )
    settlement_risk_score = fields.Float(
        string="Risk Score",
        compute="_compute_settlement_risk",
        groups=CREDIT_GROUPS,
        help="0 to 100, higher is safer, from the customer's own payment history.",
    )
    settlement_risk_grade = fields.Selection(
        selection=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"), ("E", "E")],
        string="Risk Grade",
        compute="_compute_settlement_risk",
        search="_search_settlement_risk_grade",
        groups=CREDIT_GROUPS,
    )
    settlement_dunning_policy_id = fields.Many2one(
        "settlement.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        groups=CREDIT_GROUPS,
        help="Overrides the company's dunning policy for this customer.",
    )
    settlement_no_reminders = fields.Boolean(
        string="No Reminders",
        company_dependent=True,
        groups=CREDIT_GROUPS,
        help="Never send this customer payment reminders.",
    )
    settlement_dunning_paused_until = fields.Date(
        string="Reminders Paused Until",
        company_dependent=True,
        groups=CREDIT_GROUPS,
    )
    settlement_calendar = fields.Selection(
        selection=CALENDAR_SELECTION,
        string="Calendar on Documents",
        help="Calendar of the dates on statements. Empty: Jalali for Persian, "
        "Gregorian otherwise.",
    )
    settlement_native_digits = fields.Boolean(
        string="Native Digits on Documents",
        help="Write numbers with Persian or Arabic-Indic digits on statements.",
    )
    settlement_statement_opt_in = fields.Boolean(
        string="Monthly Statement",
        company_dependent=True,
        groups=CREDIT_GROUPS,
        help="E-mail this customer its statement of account every month.",
    )
    settlement_communication_ids = fields.One2many(
        "settlement.dunning.communication",
        "partner_id",
        string="Reminders",
        groups=CREDIT_GROUPS,
    )
    settlement_communication_count = fields.Integer(
        string="Reminders Sent",
        compute="_compute_settlement_communication_count",
        groups=CREDIT_GROUPS,
    )

    # ------------------------------------------------------------------
    # Policy and exposure
    # ------------------------------------------------------------------

    @api.depends_context("company")
    def _compute_settlement_effective_policy(self):
        default = self.env.company.settlement_credit_policy
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.settlement_effective_policy = (
                commercial.settlement_credit_policy or default
            )

    def _settlement_uninvoiced_sales(self, company):
        """Confirmed, not yet invoiced sales per commercial partner id.

        Extended by settlement_mgmt_sale; company currency.
        """
        return {}

    def _settlement_receivable_figures(self, company, exclude_move_ids=()):
        """One query: {commercial partner id: ReceivableFigures} for ``company``
        — open receivable, overdue amount, oldest overdue days, draft invoice
        total, amount under open dispute, on credit hold, and the partner's own
        credit policy and limit there.  Drafts in ``exclude_move_ids`` (the
        documents being checked) are left out."""
        commercial_ids = list(set(self.commercial_partner_id.ids))
        if not commercial_ids:
            return {}
        items = self.env["settlement.receivable.item"]
        items._flush_sources()
        self.env["settlement.dispute"].flush_model(
            ["partner_id", "company_id", "state", "amount_company"]
        )
        self.env["settlement.credit.hold"].flush_model(
            ["partner_id", "company_id", "state"]
        )
        self.env["res.partner"].flush_model(
            ["credit_limit", "settlement_credit_policy"]
        )
        today = fields.Date.context_today(self)
        disputed_join, undisputed = self.env[
            "settlement.receivable.query"
        ]._undisputed_sql(company)
        rows = self.env.execute_query_dict(
            SQL(
                """
            WITH open_items AS (
                SELECT item.partner_id,
                       SUM(item.amount_residual) AS open_receivable
                  FROM (%(open_items)s) item
              GROUP BY item.partner_id
            ), overdue_items AS (
                SELECT line.partner_id,
                       SUM(line.amount_net * %(undisputed)s) AS overdue,
                       MAX(%(today)s - line.date_due) AS oldest_overdue_days
                  FROM %(items)s line
                  %(disputed_join)s
                 WHERE line.company_id = %(company_id)s
                   AND line.partner_id = ANY(%(partner_ids)s)
                   AND line.date_due < %(today)s
                   -- net of the customer's open credits, oldest due first
                   AND line.amount_net * %(undisputed)s > 0
              GROUP BY line.partner_id
            ), drafts AS (
                SELECT move.commercial_partner_id AS partner_id,
                       SUM(move.amount_total_signed) AS draft_invoiced
                  FROM account_move move
                 WHERE move.state = 'draft'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND move.company_id = %(company_id)s
                   AND move.commercial_partner_id = ANY(%(partner_ids)s)
                   AND move.id != ALL(%(exclude_ids)s)
              GROUP BY move.commercial_partner_id
            ), disputes AS (
                SELECT partner_id,
                       SUM(amount_company) FILTER (
                           WHERE state = ANY(%(credit_states)s)) AS disputed,
                       SUM(amount_company) FILTER (
                           WHERE state != ALL(%(credit_states)s)) AS pending
                  FROM settlement_dispute
                 WHERE state = ANY(%(open_states)s)
                   AND company_id = %(company_id)s
                   AND partner_id = ANY(%(partner_ids)s)
              GROUP BY partner_id
            ), holds AS (
                SELECT DISTINCT partner_id
                  FROM settlement_credit_hold
                 WHERE state = 'active'
                   AND company_id = %(company_id)s
                   AND partner_id = ANY(%(partner_ids)s)
            )
            SELECT partner.id AS partner_id,
                   COALESCE(o.open_receivable, 0) AS open_receivable,
                   COALESCE(late.overdue, 0) AS overdue,
                   COALESCE(late.oldest_overdue_days, 0) AS oldest_overdue_days,
                   COALESCE(d.draft_invoiced, 0) AS draft_invoices,
                   COALESCE(dispute.disputed, 0) AS disputed,
                   hold.partner_id IS NOT NULL AS on_hold,
                   -- company-dependent columns: jsonb keyed by company id
                   commercial.settlement_credit_policy ->> %(company_key)s AS policy,
                   COALESCE((commercial.credit_limit ->> %(company_key)s)::float, 0)
                       AS credit_limit,
                   COALESCE(dispute.pending, 0) AS disputed_pending
              FROM unnest(%(partner_ids)s::int[]) AS partner(id)
              JOIN res_partner commercial ON commercial.id = partner.id
              LEFT JOIN open_items o ON o.partner_id = partner.id
              LEFT JOIN drafts d ON d.partner_id = partner.id
              LEFT JOIN overdue_items late ON late.partner_id = partner.id
              LEFT JOIN disputes dispute ON dispute.partner_id = partner.id
              LEFT JOIN holds hold ON hold.partner_id = partner.id
            """,
                today=today,
                company_id=company.id,
                company_key=str(company.id),
                partner_ids=commercial_ids,
                open_items=self.env["settlement.receivable.query"]._open_items_sql(
                    company, partners=commercial_ids
                ),
                exclude_ids=list(exclude_move_ids),
                disputed_join=disputed_join,
                undisputed=undisputed,
                items=items._table_sql,
                credit_states=list(
                    self.env["settlement.dispute"]._credit_states(company)
                ),
                open_states=list(DISPUTE_OPEN_STATES),
            )
        )
        return {row.pop("partner_id"): ReceivableFigures(**row) for row in rows}

    def _settlement_exposures(self, company=None, exclude_move_ids=()):
        """{commercial partner id: CreditPosition}.

        One query (two with settlement_mgmt_sale) whatever the number of
        partners or their history: used on every posting.
        """
        company = company or self.env.company
        figures = self._settlement_receivable_figures(company, exclude_move_ids)
        uninvoiced = self._settlement_uninvoiced_sales(company)
        return {
            commercial_id: self._settlement_exposure_of(
                figures.get(commercial_id, ReceivableFigures()),
                uninvoiced.get(commercial_id, 0.0),
                company,
            )
            for commercial_id in set(self.commercial_partner_id.ids)
        }

    @api.model
    def _settlement_exposure_of(self, figures, uninvoiced, company):
        """The CreditPosition of a customer from its ``figures``."""
        exposure = Exposure(
            open_receivable=figures.open_receivable,
            draft_invoices=figures.draft_invoices,
            uninvoiced_sales=uninvoiced,
            disputed=figures.disputed,
            exclude_disputed=company.settlement_exclude_disputed,
        )
        return CreditPosition(
            exposure=exposure,
            overdue=figures.overdue,
            oldest_overdue_days=figures.oldest_overdue_days,
            on_hold=figures.on_hold,
        )

    @api.depends_context("company")
    def _compute_settlement_exposure(self):
        company = self.env.company
        figures = self._settlement_receivable_figures(company)
        uninvoiced = self._settlement_uninvoiced_sales(company)
        for partner in self:
            commercial = partner.commercial_partner_id
            row = figures.get(commercial.id, ReceivableFigures())
            position = self._settlement_exposure_of(
                row, uninvoiced.get(commercial.id, 0.0), company
            )
            exposure = position.exposure
            partner.settlement_disputed_pending = row.disputed_pending
            limit = commercial.credit_limit
            partner.settlement_currency_id = company.currency_id
            partner.settlement_open_receivable = exposure.open_receivable
            partner.settlement_draft_invoiced = exposure.draft_invoices
            partner.settlement_uninvoiced_sales = exposure.uninvoiced_sales
            partner.settlement_disputed_amount = exposure.disputed
            partner.settlement_exposure = exposure.total
            partner.settlement_available_credit = (
                available_credit(limit, exposure.total) or 0.0
            )
            partner.settlement_credit_usage = usage_percent(limit, exposure.total)
            partner.settlement_overdue_amount = position.overdue
            partner.settlement_oldest_overdue_days = position.oldest_overdue_days
            partner.settlement_over_limit = bool(
                limit and limit > 0 and exposure.total > limit
            )

    def _search_settlement_over_limit(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(
                self.env._("Unsupported search on 'Over Credit Limit'.")
            )
        limited = self.search([("credit_limit", ">", 0), ("is_company", "=", True)])
        over_ids = [partner.id for partner in limited if partner.settlement_over_limit]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", over_ids)]

    def _settlement_block_reasons(self, new_amounts, company, exclude_move_ids=()):
        """Block reasons per commercial partner for new documents.

        ``new_amounts`` maps commercial partner ids to the amount the new documents
        add (company currency); ``exclude_move_ids`` are those documents, when they
        already exist as drafts.  Returns {partner id: (reasons, Exposure, oldest)}.
        """
        partners = self.browse(list(new_amounts))
        # One query gives holds, policies and limits, and the exposure figures;
        # confirmed sales (settlement_mgmt_sale) are read only for the partners
        # whose policy can block on the exposure.
        figures = partners._settlement_receivable_figures(company, exclude_move_ids)
        default_policy = company.settlement_credit_policy
        measured = self.browse(
            partner_id
            for partner_id, row in figures.items()
            if needs_exposure(row.policy or default_policy, row.credit_limit)
        )
        uninvoiced = measured._settlement_uninvoiced_sales(company) if measured else {}
        allowed_days = company.settlement_overdue_days
        result = {}
        for partner in partners:
            row = figures.get(partner.id, ReceivableFigures())
            position = self._settlement_exposure_of(
                row, uninvoiced.get(partner.id, 0.0), company
            )
            reasons = block_reasons(
                policy=row.policy or default_policy,
                on_hold=position.on_hold,
                limit=row.credit_limit,
                exposure_total=position.exposure.total,
                new_amount=new_amounts[partner.id],
                oldest_overdue_days=position.oldest_overdue_days,
                overdue_days_allowed=allowed_days,
            )
            if reasons:
                result[partner.id] = (
                    reasons,
                    position.exposure,
                    position.oldest_overdue_days,
                )
        return result

    @api.model
    def _settlement_documents_blocked(
        self, documents, override_field, partner_of, amount_of, document, drafts=False
    ):
        """{document id: translated explanation} for the new ``documents``
        (invoices or orders) that their customers' credit blocks.

        ``partner_of`` and ``amount_of`` give a document's commercial partner and
        its amount in company currency; an override on ``override_field`` lets a
        document through up to the approved amount.  ``drafts``: the documents
        exist as drafts and must not count twice in the exposure."""
        if not documents:
            return {}
        approved = None
        messages = {}
        for company, company_documents in documents.grouped("company_id").items():
            amounts = {doc: amount_of(doc) for doc in company_documents}
            new_amounts = defaultdict(float)
            for doc in company_documents:
                new_amounts[partner_of(doc).id] += amounts[doc]
            blocked = self.with_company(company)._settlement_block_reasons(
                new_amounts, company, company_documents.ids if drafts else ()
            )
            if blocked and approved is None:
                # Overrides only matter for blocked documents: read them then.
                approved = dict(
                    self.env["settlement.credit.override"]
                    .sudo()
                    ._read_group(
                        [(override_field, "in", documents.ids)],
                        groupby=[override_field],
                        aggregates=["amount:max"],
                    )
                )
            for doc in company_documents:
                partner = partner_of(doc)
                if partner.id not in blocked:
                    continue
                if doc in approved and (
                    company.currency_id.compare_amounts(amounts[doc], approved[doc])
                    <= 0
                ):
                    continue
                reasons, exposure, oldest = blocked[partner.id]
                messages[doc.id] = partner._settlement_block_explanation(
                    company,
                    reasons,
                    exposure,
                    oldest,
                    new_amounts[partner.id],
                    document,
                )
        return messages

    def _settlement_block_explanation(
        self, company, reasons, exposure, oldest, new_amount, document="invoice"
    ):
        """Translated lines explaining why a new ``document`` ("invoice" or
        "order") of ``new_amount`` is blocked for this commercial partner."""
        self.ensure_one()
        partner = self.with_company(company)
        currency = company.currency_id

        def money(amount):
            return formatLang(self.env, amount, currency_obj=currency)

        lines = []
        if BLOCK_HOLD in reasons:
            holds = partner.settlement_hold_ids.filtered(
                lambda hold: hold.state == "active" and hold.company_id == company
            )
            lines.append(
                self.env._(
                    "%(customer)s is on credit hold: %(reason)s",
                    customer=partner.display_name,
                    reason="; ".join(holds.mapped("reason")),
                )
            )
        if BLOCK_LIMIT in reasons:
            amounts = {
                "customer": partner.display_name,
                "total": money(exposure.total + new_amount),
                "limit": money(partner.credit_limit),
                "exposure": money(exposure.total),
            }
            if document == "order":
                line = self.env._(
                    "This order brings %(customer)s's exposure to %(total)s, over "
                    "its credit limit of %(limit)s (already owed or ordered: "
                    "%(exposure)s).",
                    **amounts,
                )
            else:
                line = self.env._(
                    "This invoice brings %(customer)s's exposure to %(total)s, over "
                    "its credit limit of %(limit)s (already owed or invoiced: "
                    "%(exposure)s).",
                    **amounts,
                )
            lines.append(line)
        if BLOCK_OVERDUE in reasons:
            lines.append(
                self.env._(
                    "%(customer)s has an item overdue by %(days)s days; %(allowed)s "
                    "days are allowed.",
                    customer=partner.display_name,
                    days=oldest,
                    allowed=company.settlement_overdue_days,
                )
            )
        return "\n".join(lines)

    @api.model
    def _settlement_raise_credit_block(self, title, details, wizard_context):
        """Stop the operation.  In the web client a credit controller gets a
        button to the override wizard; everybody else (and crons, RPC, core's
        autopost, which catches UserError) gets a plain UserError."""
        interactive = bool(request) and not self.env.su
        if interactive and self.env.user.has_group(
            "settlement_mgmt.group_settlement_controller"
        ):
            raise RedirectWarning(
                self.env._("%(title)s\n\n%(details)s", title=title, details=details),
                {
                    "type": "ir.actions.act_window",
                    "name": self.env._("Override Credit Block"),
                    "res_model": "settlement.credit.override.grant",
                    "view_mode": "form",
                    "views": [(False, "form")],
                    "target": "new",
                    "context": wizard_context,
                },
                self.env._("Override with a reason"),
            )
        raise UserError(
            self.env._(
                "%(title)s\n\n%(details)s\n\nAsk a credit controller to override the "
                "block.",
                title=title,
                details=details,
            )
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

    def _compute_settlement_communication_count(self):
        groups = self.env["settlement.dunning.communication"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            groupby=["partner_id"],
            aggregates=["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.settlement_communication_count = counts.get(
                partner.commercial_partner_id.id, 0
            )

    def action_settlement_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_dunning_communication_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    def action_settlement_view_overrides(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_credit_override_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    # ------------------------------------------------------------------
    # Risk
    # ------------------------------------------------------------------

    @api.depends_context("company")
    def _compute_settlement_risk(self):
        scores = self.env["settlement.risk.score"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ]
        )
        by_partner = {score.partner_id.id: score for score in scores}
        for partner in self:
            score = by_partner.get(partner.commercial_partner_id.id)
            partner.settlement_risk_id = score
            partner.settlement_risk_score = score.score if score else 0.0
            partner.settlement_risk_grade = score.grade if score else False

    def _search_settlement_risk_grade(self, operator, value):
        scores = self.env["settlement.risk.score"]._search(
            [("grade", operator, value), ("company_id", "=", self.env.company.id)]
        )
        return [("commercial_partner_id", "in", scores.subselect("partner_id"))]

    def _settlement_on_receivable_change(self, company):
        """Payments or reversals touched these partners' receivables in ``company``:
        release automatic holds whose cause is gone and refresh their risk score."""
        commercial = self.commercial_partner_id
        if not commercial:
            return
        self.env["settlement.credit.hold"]._release_resolved_automatic_holds(
            commercial, company
        )
        self.env["settlement.risk.score"]._recompute(company, commercial)

    def _settlement_alert_worsening(self, company):
        """Schedule an activity for the salesperson of each customer of
        ``company`` whose payments worsen (see ``_settlement_worsening``).  A
        customer with such an activity still open gets no second one; each new
        activity notifies its user, as any assigned activity does."""
        if not company.settlement_alert_worsening:
            return self.browse()
        today = fields.Date.context_today(self)
        reasons = self._settlement_worsening(company, today)
        activity_type = self.env.ref("settlement_mgmt.mail_activity_type_payment_alert")
        alerted = {
            partner_id
            for [partner_id] in self.env["mail.activity"]._read_group(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", list(reasons)),
                    ("activity_type_id", "=", activity_type.id),
                ],
                ["res_id"],
            )
        }
        partners = self.browse(sorted(set(reasons) - alerted))
        fallback = self.env.ref("base.user_admin", raise_if_not_found=False)
        # One create for all; each activity then notifies its user by itself.
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                    "activity_type_id": activity_type.id,
                    "summary": self.env._("Payment pattern worsens"),
                    "note": reasons[partner.id],
                    "user_id": (partner.user_id or fallback or self.env.user).id,
                    "date_deadline": today + timedelta(days=activity_type.delay_count),
                }
                for partner in partners
            ]
        )
        return partners

    def _settlement_worsening(self, company, today):
        """{commercial partner id: why} for the customers of ``company`` who
        now pay later than before (average days late, weighted by amount, of
        the items due in the last 90 days against the 9 months before; unpaid
        items count with their days overdue so far) or who missed an instalment
        of an active plan.  The payment history is read in one query whatever
        the number of customers."""
        self.env["settlement.receivable.query"]._flush()
        rows = self.env.execute_query(
            SQL(
                """
            WITH item AS (%(items)s)
            SELECT partner_id,
                   SUM(amount * delay) FILTER (WHERE due >= %(recent)s)
                       / NULLIF(SUM(amount) FILTER (WHERE due >= %(recent)s), 0),
                   SUM(amount * delay) FILTER (WHERE due < %(recent)s)
                       / NULLIF(SUM(amount) FILTER (WHERE due < %(recent)s), 0)
              FROM (SELECT partner_id, due, amount,
                           COALESCE(paid_on, %(today)s) - due AS delay
                      FROM item WHERE due < %(today)s) item
          GROUP BY partner_id
            """,
                items=self.env["settlement.receivable.query"]._invoice_items_sql(
                    company, due_from=today - timedelta(days=365)
                ),
                today=today,
                recent=today - timedelta(days=90),
            )
        )
        reasons = {}
        for partner_id, recent, previous in rows:
            if payment_pattern_worsens(recent, previous, company.settlement_alert_days):
                reasons[partner_id] = self.env._(
                    "Pays later: %(recent)s days late on average on what fell due "
                    "in the last 90 days, %(previous)s days before.",
                    recent=round(recent, 1),
                    previous=round(previous, 1),
                )
        plans = self.env["settlement.instalment.plan"].search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "active"),
                ("line_ids.date_due", "<", today),
            ]
        )
        for plan in plans:
            missed = plan.line_ids.filtered(
                lambda line: line.payment_state == "overdue"
            )
            if missed:
                reasons.setdefault(
                    plan.partner_id.commercial_partner_id.id,
                    self.env._(
                        "Missed instalment %(number)s of plan %(plan)s, due %(date)s.",
                        number=missed[0].sequence,
                        plan=plan.name,
                        date=missed[0].date_due,
                    ),
                )
        return reasons

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
            record = self.env[field.comodel_name].browse(value or [])
            return record.display_name or self.env._("Company default")
        if field.type == "boolean":
            return self.env._("Yes") if value else self.env._("No")
        if field.type == "date":
            return format_date(self.env, value) if value else self.env._("None")
        return str(value)
