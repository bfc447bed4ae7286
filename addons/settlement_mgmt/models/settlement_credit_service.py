from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import RedirectWarning, UserError
from odoo.http import request
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from ..lib.credit import (
    BLOCK_HOLD,
    BLOCK_LIMIT,
    BLOCK_OVERDUE,
    Exposure,
    block_reasons,
    needs_exposure,
)
from ..lib.dispute import OPEN_STATES as DISPUTE_OPEN_STATES
from ..lib.receivable_rows import CreditDecision, CreditPosition, ReceivableFigures


class SettlementCreditService(models.AbstractModel):
    """Credit control in one place: a customer's exposure, the decision to
    block a new document, its explanation and the error that stops it.

    Extension point: :meth:`_exposure_components`.  The ledger's figures (open
    receivables, drafts, disputes, overdue, holds, policy and limit) come in
    one query; every further part of the exposure, or raise of the limit, is a
    named component that a bridge module registers by overriding that one
    method (settlement_mgmt_sale adds the confirmed sales not invoiced).  The
    exposure fields and the Over Credit Limit filter of the customer, the
    credit check of invoices and orders and its explanation all read the
    components from here, so a new one needs no other change."""

    _name = "settlement.credit.service"
    _description = "Credit Block"

    # ------------------------------------------------------------------
    # Extension point
    # ------------------------------------------------------------------

    @api.model
    def _exposure_components(self):
        """The registered exposure components (lib.credit.ExposureComponent),
        in the order they are computed.  Override to add one::

            def _exposure_components(self):
                return [
                    *super()._exposure_components(),
                    ExposureComponent("bank_guarantee", "_exposure_bank_guarantee",
                                      raises_limit=True),
                ]
        """
        return []

    # ------------------------------------------------------------------
    # Figures and positions
    # ------------------------------------------------------------------

    @api.model
    def _receivable_figures(self, partners, company, exclude_move_ids=()):
        """One query: {commercial partner id: ReceivableFigures} for
        ``company`` — open receivable, overdue amount, oldest overdue days,
        draft invoice total, amount under open dispute, on credit hold, and
        the partner's own credit policy and limit there.  Drafts in
        ``exclude_move_ids`` (the documents being checked) are left out."""
        commercial_ids = list(set(partners.commercial_partner_id.ids))
        if not commercial_ids:
            return {}
        Query = self.env["settlement.receivable.query"]
        items = self.env["settlement.receivable.item"]
        items._flush_sources(sync=False)
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
        disputed_join, undisputed = Query._undisputed_sql(company)
        query = SQL(
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
               -- a partner without a limit of its own in the company has
               -- the company's default (core's ir.default fallback)
               COALESCE(
                   (commercial.credit_limit ->> %(company_key)s)::float,
                   %(default_limit)s
               ) AS credit_limit,
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
            default_limit=self._default_credit_limit(company),
            partner_ids=commercial_ids,
            # The customers as an array the planner cannot count: with a
            # literal of a thousand ids it scanned every unreconciled journal
            # item (260 ms at 10,000 customers) instead of using core's index
            # of unreconciled items by account and partner (52 ms, same sums).
            open_items=Query._open_items_sql(
                company,
                partners=SQL("ARRAY(SELECT unnest(%s::int[]))", commercial_ids),
            ),
            exclude_ids=list(exclude_move_ids),
            disputed_join=disputed_join,
            undisputed=undisputed,
            items=items._table_sql,
            credit_states=list(self.env["settlement.dispute"]._credit_states(company)),
            open_states=list(DISPUTE_OPEN_STATES),
        )
        rows = self.env.execute_query_dict(items._after_sync(query))
        return {row.pop("partner_id"): ReceivableFigures(**row) for row in rows}

    @api.model
    def _default_credit_limit(self, company):
        """The credit limit of ``company``'s customers that have none of their
        own: core's "Default Credit Limit" setting (an ``ir.default`` of the
        company-dependent ``credit_limit``), what the partner form shows."""
        partners = self.env["res.partner"].with_company(company)
        field = partners._fields["credit_limit"]
        return field.get_company_dependent_fallback(partners) or 0.0

    @api.model
    def _component_amounts(self, company, partner_ids):
        """{component name: {commercial partner id: amount}}: one call (one
        query) per registered component, none without partners."""
        if not partner_ids:
            return {}
        partner_ids = sorted(set(partner_ids))
        return {
            component.name: getattr(self, component.method)(company, partner_ids)
            for component in self._exposure_components()
        }

    @api.model
    def _position_of(self, partner_id, figures, amounts, company):
        """The CreditPosition of a commercial partner from the ledger's
        ``figures`` (ReceivableFigures) and the ``amounts`` of the components
        ({name: {partner id: amount}}, see :meth:`_component_amounts`)."""
        exposure_parts, limit_raises = {}, {}
        for component in self._exposure_components():
            amount = amounts.get(component.name, {}).get(partner_id, 0.0)
            target = limit_raises if component.raises_limit else exposure_parts
            target[component.name] = amount
        return CreditPosition(
            exposure=Exposure(
                open_receivable=figures.open_receivable,
                draft_invoices=figures.draft_invoices,
                disputed=figures.disputed,
                exclude_disputed=company.settlement_exclude_disputed,
                components=exposure_parts,
            ),
            overdue=figures.overdue,
            oldest_overdue_days=figures.oldest_overdue_days,
            on_hold=figures.on_hold,
            policy=figures.policy,
            credit_limit=figures.credit_limit,
            limit_raises=limit_raises,
            disputed_pending=figures.disputed_pending,
        )

    @api.model
    def _positions(self, partners, company, exclude_move_ids=()):
        """{commercial partner id: CreditPosition} of ``partners`` (contacts
        count as their commercial partner) in ``company``: one query for the
        ledger and one per exposure component, whatever the number of
        partners or their history."""
        figures = self._receivable_figures(partners, company, exclude_move_ids)
        commercial_ids = set(partners.commercial_partner_id.ids)
        amounts = self._component_amounts(company, commercial_ids)
        return {
            partner_id: self._position_of(
                partner_id,
                figures.get(partner_id, ReceivableFigures()),
                amounts,
                company,
            )
            for partner_id in commercial_ids
        }

    # ------------------------------------------------------------------
    # The block decision, its explanation, the error
    # ------------------------------------------------------------------

    @api.model
    def _block_decisions(self, new_amounts, company, exclude_move_ids=()):
        """{commercial partner id: CreditDecision} of the customers whose
        credit blocks new documents.

        ``new_amounts`` maps commercial partner ids to the amount the new
        documents add (company currency); ``exclude_move_ids`` are those
        documents, when they already exist as drafts."""
        partners = self.env["res.partner"].browse(list(new_amounts))
        # One query gives holds, policies and limits, and the ledger's figures;
        # the components (one query each) are read only for the partners whose
        # policy can block on the exposure: the posting of most invoices costs
        # one query.
        figures = self._receivable_figures(partners, company, exclude_move_ids)
        default_policy = company.settlement_credit_policy
        measured = [
            partner_id
            for partner_id, row in figures.items()
            if needs_exposure(row.policy or default_policy, row.credit_limit)
        ]
        amounts = self._component_amounts(company, measured)
        decisions = {}
        for partner_id in partners.ids:
            row = figures.get(partner_id, ReceivableFigures())
            position = self._position_of(partner_id, row, amounts, company)
            reasons = block_reasons(
                policy=row.policy or default_policy,
                on_hold=position.on_hold,
                limit=position.limit(),
                exposure_total=position.exposure.total,
                new_amount=new_amounts[partner_id],
                oldest_overdue_days=position.oldest_overdue_days,
                overdue_days_allowed=company.settlement_overdue_days,
            )
            if reasons:
                decisions[partner_id] = CreditDecision(
                    reasons=tuple(reasons),
                    position=position,
                    new_amount=new_amounts[partner_id],
                )
        return decisions

    @api.model
    def _documents_blocked(self, documents):
        """{document id: translated explanation} for the new ``documents``
        (records of a ``settlement.credit.checked.mixin`` model) that their
        customers' credit blocks.  An override on the document lets it through
        up to the approved amount."""
        if not documents:
            return {}
        override_field = documents._settlement_credit_override_field
        # Drafts already in the ledger must not count twice in the exposure.
        drafts = documents._settlement_credit_counts_as_draft
        approved = None
        messages = {}
        for company, company_documents in documents.grouped("company_id").items():
            partner_of = {
                doc: doc._settlement_credit_partner() for doc in company_documents
            }
            amounts = {
                doc: doc._settlement_credit_amount() for doc in company_documents
            }
            new_amounts = defaultdict(float)
            for doc in company_documents:
                new_amounts[partner_of[doc].id] += amounts[doc]
            decisions = self.with_company(company)._block_decisions(
                new_amounts, company, company_documents.ids if drafts else ()
            )
            if decisions and approved is None:
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
                decision = decisions.get(partner_of[doc].id)
                if not decision:
                    continue
                if doc in approved and (
                    company.currency_id.compare_amounts(amounts[doc], approved[doc])
                    <= 0
                ):
                    continue
                messages[doc.id] = self._block_explanation(
                    partner_of[doc],
                    company,
                    decision,
                    documents._settlement_credit_document,
                )
        return messages

    @api.model
    def _block_explanation(self, partner, company, decision, document="invoice"):
        """Translated lines explaining why a new ``document`` ("invoice" or
        "order") is blocked for the commercial ``partner`` (``decision``: its
        CreditDecision)."""
        partner = partner.with_company(company)
        position = decision.position
        currency = company.currency_id

        def money(amount):
            return formatLang(self.env, amount, currency_obj=currency)

        lines = []
        if BLOCK_HOLD in decision.reasons:
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
        if BLOCK_LIMIT in decision.reasons:
            exposure = position.exposure.total
            amounts = {
                "customer": partner.display_name,
                "total": money(exposure + decision.new_amount),
                "limit": money(position.limit(partner.credit_limit)),
                "exposure": money(exposure),
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
        if BLOCK_OVERDUE in decision.reasons:
            lines.append(
                self.env._(
                    "%(customer)s has an item overdue by %(days)s days; %(allowed)s "
                    "days are allowed.",
                    customer=partner.display_name,
                    days=position.oldest_overdue_days,
                    allowed=company.settlement_overdue_days,
                )
            )
        return "\n".join(lines)

    @api.model
    def _raise_credit_block(self, title, details, wizard_context):
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
