from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.kpi import payment_pattern_worsens

# Customers listed by name in a salesperson's digest of payment alerts.
DIGEST_CUSTOMERS = 100


class SettlementPartnerRisk(models.AbstractModel):
    """How a customer pays: its risk score, what to refresh when its
    receivables move, and the alerts when its payments worsen.  Mixed into
    res.partner (one res.partner class per addon)."""

    _name = "settlement.partner.risk"
    _description = "Payment Risk"

    settlement_risk_id = fields.Many2one(
        "settlement.risk.score",
        string="Risk Score Record",
        compute="_compute_settlement_risk",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_risk_score = fields.Float(
        string="Risk Score",
        compute="_compute_settlement_risk",
        groups="settlement_mgmt.group_settlement_user",
        help="0 to 100, higher is safer, from the customer's own payment history.",
    )
    settlement_risk_grade = fields.Selection(
        selection=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"), ("E", "E")],
        string="Risk Grade",
        compute="_compute_settlement_risk",
        search="_search_settlement_risk_grade",
        groups="settlement_mgmt.group_settlement_user",
    )

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
        ``company`` whose payments worsen (see ``_settlement_worsening``), in
        the salesperson's language.  A customer with such an activity still
        open gets no second one.  Each salesperson is told once, by a digest
        listing its customers, not by one notification per activity (a night
        at 30,000 customers made 1,754 mails for a handful of people)."""
        if not company.settlement_alert_worsening:
            return self.browse()
        today = fields.Date.context_today(self)
        facts = self._settlement_worsening_facts(company, today)
        activity_type = self.env.ref("settlement_mgmt.mail_activity_type_payment_alert")
        alerted = {
            partner_id
            for [partner_id] in self.env["mail.activity"]._read_group(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", list(facts)),
                    ("activity_type_id", "=", activity_type.id),
                ],
                ["res_id"],
            )
        }
        partners = self.browse(sorted(set(facts) - alerted))
        fallback = self.env.ref("base.user_admin", raise_if_not_found=False)
        by_user = partners.grouped(
            lambda partner: partner.user_id or fallback or self.env.user
        )
        for user, user_partners in by_user.items():
            # Written in the salesperson's words, as core notifies activities.
            reader = self.with_context(lang=user.lang or self.env.lang)
            reasons = {
                partner.id: reader._settlement_worsening_reason(
                    facts[partner.id], user.partner_id
                )
                for partner in user_partners
            }
            reader.env["mail.activity"].with_context(
                mail_activity_quick_update=True
            ).create(
                [
                    {
                        "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                        "res_id": partner.id,
                        "activity_type_id": activity_type.id,
                        "summary": reader.env._("Payment pattern worsens"),
                        "note": reasons[partner.id],
                        "user_id": user.id,
                        "date_deadline": today
                        + timedelta(days=activity_type.delay_count),
                    }
                    for partner in user_partners
                ]
            )
            if user != self.env.user:
                reader._settlement_alert_digest(user, user_partners, reasons)
        return partners

    def _settlement_alert_digest(self, user, partners, reasons):
        """Tell ``user`` in one message (inbox or e-mail, as the user chose)
        which of its customers ``partners`` pay worse, with ``reasons``
        ({partner id: why}), in the language of this environment."""
        body = self.env["ir.qweb"]._render(
            "settlement_mgmt.payment_alert_digest",
            {
                "partners": partners.sorted("name"),
                "reasons": reasons,
                "base_url": self.browse().get_base_url(),
                # the rest waits in the user's activities
                "shown": DIGEST_CUSTOMERS,
            },
            minimal_qcontext=True,
        )
        self.env["mail.thread"].sudo().message_notify(
            partner_ids=user.partner_id.ids,
            subject=self.env._(
                "Payment pattern worsens: %(count)s customers", count=len(partners)
            )
            if len(partners) > 1
            else self.env._(
                "Payment pattern worsens: %(customer)s", customer=partners.display_name
            ),
            body=body,
            email_layout_xmlid="mail.mail_notification_light",
            model_description=self.env._("Payment Alerts"),
        )

    def _settlement_worsening(self, company, today):
        """{commercial partner id: why} for the customers of ``company`` who
        now pay later than before (see :meth:`_settlement_worsening_facts`),
        worded in this environment's language for its user."""
        return {
            partner_id: self._settlement_worsening_reason(
                fact, self.env.user.partner_id
            )
            for partner_id, fact in self._settlement_worsening_facts(
                company, today
            ).items()
        }

    def _settlement_worsening_reason(self, fact, reader):
        """A fact of :meth:`_settlement_worsening_facts` in words, in this
        environment's language, dates as ``reader`` (a partner) reads them."""
        if fact["kind"] == "instalment":
            line = fact["line"]
            return self.env._(
                "Missed instalment %(number)s of plan %(plan)s, due %(date)s.",
                number=line.sequence,
                plan=line.plan_id.name,
                date=self.env["settlement.statement"]._format_date(
                    line.date_due, reader
                ),
            )
        return self.env._(
            "Pays later: %(recent)s days late on average on what fell due "
            "in the last 90 days, %(previous)s days before.",
            recent=round(fact["recent"], 1),
            previous=round(fact["previous"], 1),
        )

    def _settlement_worsening_facts(self, company, today):
        """{commercial partner id: fact} for the customers of ``company`` who
        now pay later than before (average days late, weighted by amount, of
        the items due in the last 90 days against the 9 months before; unpaid
        items count with their days overdue so far: kind ``late`` with
        ``recent`` and ``previous``) or who missed an instalment of an active
        plan (kind ``instalment`` with the first missed plan ``line``).  The
        payment history is read in one query whatever the number of
        customers."""

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
        facts = {}
        for partner_id, recent, previous in rows:
            if payment_pattern_worsens(recent, previous, company.settlement_alert_days):
                facts[partner_id] = {
                    "kind": "late",
                    "recent": float(recent),
                    "previous": float(previous),
                }
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
                facts.setdefault(
                    plan.partner_id.commercial_partner_id.id,
                    {"kind": "instalment", "line": missed[0]},
                )
        return facts
