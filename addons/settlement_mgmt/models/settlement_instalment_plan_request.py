from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib.schedule import FREQUENCIES, MAX_INSTALMENTS
from .settlement_instalment_plan import WORKFLOW_FIELDS

# Plans that hold their invoices: no second request on them.
HOLDING_STATES = ("requested", "proposed", "active")
CONTROLLER_GROUP = "settlement_mgmt.group_settlement_controller"


class SettlementInstalmentPlan(models.Model):
    """Plans the customer requests itself on the portal, within the company's
    rules (risk grades, total, instalments, down payment, frequencies).
    Inside them the plan is proposed at once for the customer to accept;
    outside them it waits, ``requested``, for a credit controller who
    approves it (possibly after editing the instalments) or refuses it with
    a reason.  The controller only identifies the customer: every value is
    checked, and the schedule computed, here."""

    _inherit = "settlement.instalment.plan"
    _decision_fields = {
        **WORKFLOW_FIELDS,
        "requested_on": None,
        "request_reasons": None,
        "refusal_reason": None,
    }

    requested_on = fields.Datetime(
        readonly=True, copy=False, help="When the customer requested it on the portal."
    )
    request_reasons = fields.Text(
        string="Outside the Rules",
        readonly=True,
        copy=False,
        help="Why the request was not approved automatically.",
    )
    refusal_reason = fields.Text(readonly=True, copy=False, tracking=True)

    # ------------------------------------------------------------------
    # The customer's request
    # ------------------------------------------------------------------

    @api.model
    def _portal_request_invoices(self, partner, company):
        """The customer's open invoices of ``company`` it may put in a plan:
        not already in a requested, proposed or active plan."""
        invoices = self.env["settlement.receivable.query"]._open_invoices(
            partner, company
        )
        held = (
            self.sudo()
            .search([("move_ids", "in", invoices.ids), ("state", "in", HOLDING_STATES)])
            .move_ids
        )
        return invoices - held

    @api.model
    def _portal_request_last_date(self, company):
        """The latest first instalment date a customer may choose."""
        return fields.Date.context_today(self) + timedelta(
            days=company.settlement_portal_plan_first_days
        )

    @api.model
    def _portal_request_quote(
        self, partner, company, invoice_ids, count, frequency, first_date, down
    ):
        """The plan ``partner`` would get: a dict with the invoices, the
        schedule [(date, amount)], fee, total and the reasons it is outside
        the company's rules (empty: approved at once).  A UserError in the
        customer's words when the request itself is not possible."""
        env = self.env
        if not company.settlement_portal_plan_requests:
            raise UserError(
                env._("Payment plans are not requested on the portal: contact us.")
            )
        wanted = set(invoice_ids)
        invoices = self._portal_request_invoices(partner, company).filtered(
            lambda move: move.id in wanted
        )
        if not invoices or len(invoices) != len(wanted):
            held = self.sudo().search(
                [("move_ids", "in", list(wanted)), ("state", "in", HOLDING_STATES)]
            )
            held = held.filtered(lambda plan: plan.partner_id == partner)
            if held:
                raise UserError(
                    env._(
                        "%(invoices)s are already in payment plan %(plan)s.",
                        invoices=", ".join(
                            held.move_ids.filtered(
                                lambda move: move.id in wanted
                            ).mapped("name")
                        ),
                        plan=held[0].name,
                    )
                )
            raise UserError(env._("Choose the open invoices to pay by instalments."))
        if len(invoices.currency_id) > 1:
            raise UserError(
                env._("Choose invoices of one currency: one plan, one currency.")
            )
        if not 1 <= count <= MAX_INSTALMENTS:
            raise UserError(
                env._(
                    "Choose between 1 and %(count)s instalments.", count=MAX_INSTALMENTS
                )
            )
        if frequency not in FREQUENCIES:
            raise UserError(env._("Choose how often you pay an instalment."))
        today = fields.Date.context_today(self)
        last = self._portal_request_last_date(company)
        if not first_date or not today <= first_date <= last:
            raise UserError(
                env._(
                    "Choose a first instalment date from today to %(last)s.",
                    last=env["settlement.statement"]._format_date(last, partner),
                )
            )
        currency = invoices.currency_id
        owed = currency.round(sum(invoices.mapped("amount_residual")))
        if currency.compare_amounts(down, owed) >= 0:
            raise UserError(
                env._(
                    "The down payment must be less than what the invoices still "
                    "owe (%(owed)s).",
                    owed=currency.format(owed),
                )
            )
        wizard = (
            env["settlement.instalment.plan.create"]
            .sudo()
            .new(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "move_ids": [Command.set(invoices.ids)],
                    "down_payment": down,
                    "instalment_count": count,
                    "frequency": frequency,
                    "first_date": first_date,
                    "fee_fixed": company.settlement_portal_plan_fee,
                    "interest_rate": company.settlement_portal_plan_interest,
                }
            )
        )
        if down and first_date <= today:
            # The down payment is due today: the first instalment comes after.
            raise UserError(
                env._("With a down payment, start the instalments after today.")
            )
        schedule, fee = wizard._schedule()
        total = currency.round(owed + fee)
        return {
            "invoices": invoices,
            "currency": currency,
            "owed": owed,
            "fee": fee,
            "total": total,
            "down": down,
            "schedule": schedule,
            "reasons": self._portal_request_reasons(
                partner, company, currency, total, count, frequency, down, owed
            ),
        }

    @api.model
    def _portal_request_reasons(
        self, partner, company, currency, total, count, frequency, down, owed
    ):
        """Why a request is outside the company's rules, in the customer's
        words (empty list: inside them)."""
        env = self.env
        reasons = []
        score = (
            env["settlement.risk.score"]
            .sudo()
            .search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
                limit=1,
            )
        )
        if not score.grade or score.grade not in company._settlement_plan_grades():
            reasons.append(env._("Your payment history is checked by our credit team."))
        if currency != company.currency_id:
            reasons.append(
                env._("The invoices are in %(currency)s.", currency=currency.name)
            )
        elif (
            currency.compare_amounts(total, company.settlement_portal_plan_max_total)
            > 0
        ):
            reasons.append(
                env._(
                    "The plan total is above %(amount)s.",
                    amount=currency.format(company.settlement_portal_plan_max_total),
                )
            )
        if count > company.settlement_portal_plan_max_instalments:
            reasons.append(
                env._(
                    "More than %(count)s instalments.",
                    count=company.settlement_portal_plan_max_instalments,
                )
            )
        smallest = currency.round(
            owed * company.settlement_portal_plan_min_down_share / 100.0
        )
        if currency.compare_amounts(down, smallest) < 0:
            reasons.append(
                env._(
                    "A down payment under %(amount)s.",
                    amount=currency.format(smallest),
                )
            )
        if frequency not in company._settlement_plan_frequencies():
            labels = dict(
                env["settlement.instalment.plan.create"]
                ._fields["frequency"]
                ._description_selection(env)
            )
            reasons.append(
                env._("Instalments %(frequency)s.", frequency=labels[frequency].lower())
            )
        return reasons

    @api.model
    def _portal_request_create(
        self, partner, company, invoice_ids, count, frequency, first_date, down
    ):
        """The plan ``partner`` requests: proposed at once inside the rules,
        else requested for a credit controller.  Nothing is written on a
        UserError."""
        quote = self._portal_request_quote(
            partner, company, invoice_ids, count, frequency, first_date, down
        )
        collector = partner._settlement_collector(company)
        plan = (
            self.sudo()
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "currency_id": quote["currency"].id,
                    "move_ids": [Command.set(quote["invoices"].ids)],
                    "amount_total": quote["total"],
                    "amount_fee": quote["fee"],
                    "user_id": collector.id,
                    "requested_on": fields.Datetime.now(),
                    "request_reasons": "\n".join(quote["reasons"]) or False,
                }
            )
        )
        plan._set_schedule(quote["schedule"])
        plan._check_invoices()
        plan._check_schedule()
        plan._portal_ensure_token()
        plan.message_subscribe(partner_ids=partner.ids)
        if quote["reasons"]:
            plan.state = "requested"
            plan._request_post(
                self.env._(
                    "Payment plan %(plan)s requested on the portal: a credit "
                    "controller decides.",
                    plan=plan.name,
                )
            )
            plan._request_notify_controller(
                collector,
                lambda lang: self.with_context(lang=lang)._portal_request_reasons(
                    partner,
                    company,
                    quote["currency"],
                    quote["total"],
                    count,
                    frequency,
                    down,
                    quote["owed"],
                ),
            )
        else:
            plan.action_propose()
            plan._request_post(
                self.env._(
                    "Payment plan %(plan)s requested on the portal, inside the rules: "
                    "proposed for the customer's acceptance.",
                    plan=plan.name,
                )
            )
        return plan.with_env(self.env)

    def _request_post(self, body):
        """``body`` on the plan and on the customer's chatter."""
        self.ensure_one()
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        self.partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    def _request_notify_controller(self, collector, reasons_in):
        """A to-do for the credit controller, in the controller's language
        (``reasons_in(lang)``: why the request is outside the rules)."""
        self.ensure_one()
        company = self.company_id
        controllers = [
            user
            for user in (collector, company.sudo().settlement_collections_user_id)
            if user and user.has_group(CONTROLLER_GROUP)
        ]
        controller = company._settlement_responsible(*controllers)
        if not controller:
            return
        controller_env = self.with_context(lang=controller.lang).env
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=controller_env._(
                "Decide on the payment plan %(customer)s requested on the portal",
                customer=self.partner_id.name,
            ),
            note=controller_env._(
                "%(total)s in %(count)s instalments; outside the rules: %(reasons)s",
                total=self.currency_id.format(self.amount_total),
                count=len(self.line_ids),
                reasons=" ".join(reasons_in(controller.lang)),
            ),
            user_id=controller.id,
        )

    def _portal_accept(self, name):
        result = super()._portal_accept(name)
        if self.requested_on:
            self.partner_id.sudo().message_post(
                body=self.env._(
                    "Payment plan %(plan)s accepted on the portal by %(name)s.",
                    plan=self.name,
                    name=(name or "").strip(),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return result

    # ------------------------------------------------------------------
    # The credit controller's decision
    # ------------------------------------------------------------------

    def _check_request_decision(self):
        if not self.env.su and not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(
                self.env._("Only a credit controller decides on requested plans.")
            )
        self.check_access("write")
        self._check_state(("requested",))

    def _check_schedule_editable(self):
        """A credit controller may change the instalments of a requested plan
        before approving it."""
        if self.env.user.has_group(CONTROLLER_GROUP):
            return super(
                SettlementInstalmentPlan,
                self.filtered(lambda plan: plan.state != "requested"),
            )._check_schedule_editable()
        return super()._check_schedule_editable()

    def action_request_approve(self):
        """Approve requested plans: the customer is told and accepts them on
        the portal by typing its name."""
        self._check_request_decision()
        for plan in self:
            plan._check_invoices()
            plan._check_schedule()
        self.sudo().write({"state": "proposed"})
        for plan in self:
            plan._request_done()
            plan._request_post(
                self.env._(
                    "Payment plan %(plan)s approved by %(user)s.",
                    plan=plan.name,
                    user=self.env.user.name,
                )
            )
            plan._request_tell_customer("settlement_mgmt.mail_template_plan_approved")

    def action_request_refuse(self):
        self.ensure_one()
        self._check_request_decision()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refuse the Plan"),
            "res_model": "settlement.instalment.plan.refuse",
            "view_mode": "form",
            "target": "new",
            "context": {"default_plan_id": self.id},
        }

    def _request_refuse(self, reason):
        self.ensure_one()
        self._check_request_decision()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the customer the reason for the refusal."))
        self.sudo().write({"state": "refused", "refusal_reason": reason})
        self._request_done()
        self._request_post(
            self.env._(
                "Payment plan %(plan)s refused by %(user)s: %(reason)s",
                plan=self.name,
                user=self.env.user.name,
                reason=reason,
            )
        )
        self._request_tell_customer("settlement_mgmt.mail_template_plan_refused")

    def _request_done(self):
        self.sudo().activity_ids.filtered(
            lambda activity: activity.activity_type_id
            == self.env.ref("mail.mail_activity_data_todo")
        ).action_feedback()

    def _request_tell_customer(self, xmlid):
        """The customer hears of the decision by e-mail, in its language."""
        template = self.env.ref(xmlid, raise_if_not_found=False)
        if template and self.partner_id.email:
            self.sudo().with_context(
                lang=self.partner_id.lang, mail_notify_force_send=False
            ).message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.partner_id.ids,
            )
