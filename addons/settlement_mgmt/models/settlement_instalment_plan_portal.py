from odoo import fields, models
from odoo.exceptions import UserError, ValidationError


class SettlementInstalmentPlanPortal(models.AbstractModel):
    """The customer's side of an instalment plan on the portal
    (``settlement.instalment.plan`` inherits it): accepting a proposal with
    its name, what to pay now, whether it can be paid online, which invoices
    are still open."""

    _name = "settlement.instalment.plan.portal"
    _description = "Instalment Plan on the Customer Portal"

    def _portal_accept(self, name):
        """The customer accepts a proposed plan on the portal, signing with its
        name.  Checked again as of today; nothing is written on refusal."""
        self.ensure_one()
        name = (name or "").strip()
        if self.state != "proposed":
            raise UserError(
                self.env._("This plan is no longer waiting for your acceptance.")
            )
        if not name or len(name) > 128:
            raise UserError(self.env._("Type your full name to accept the plan."))
        try:
            self._check_invoices()
            self._check_schedule()
        except ValidationError as error:
            raise UserError(
                self.env._(
                    "This proposal cannot be accepted any more (%(reason)s). Please "
                    "contact us for a new one.",
                    reason=error.args[0],
                )
            ) from error
        self.write(
            {
                "state": "active",
                "accepted_by": name,
                "accepted_on": fields.Datetime.now(),
            }
        )
        self._invoice_fee()
        self.message_post(
            body=self.env._("Accepted on the customer portal by %(name)s.", name=name)
        )
        responsible = self.company_id._settlement_responsible(
            self.user_id, self.partner_id.commercial_partner_id.user_id
        )
        if responsible:
            # Written for the accountant who gets it, in its own language.
            assignee_env = self.with_context(lang=responsible.lang).env
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=assignee_env._(
                    "Plan %(plan)s accepted by the customer", plan=self.name
                ),
                user_id=responsible.id,
            )

    def _portal_amount_to_pay(self):
        """What the customer should pay now on an active plan: every instalment
        due until today, or else the next one."""
        self.ensure_one()
        if self.state != "active":
            return 0.0
        today = fields.Date.context_today(self)
        unpaid = self.line_ids.filtered(
            lambda line: not self.currency_id.is_zero(line.amount_residual)
        )
        due = unpaid.filtered(lambda line: line.date_due <= today) or unpaid[:1]
        return self.currency_id.round(sum(due.mapped("amount_residual")))

    def _portal_payment_available(self):
        """Whether a payment provider can take this plan's payments online."""
        self.ensure_one()
        providers = (
            self.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                self.company_id.id,
                self.partner_id.id,
                self._portal_amount_to_pay(),
                currency_id=self.currency_id.id,
            )
        )
        return bool(providers)

    def _portal_open_invoices(self):
        """The plan's invoices still open, the oldest due first."""
        return self.move_ids.filtered(
            lambda move: move.state == "posted"
            and not move.currency_id.is_zero(move.amount_residual)
        ).sorted(lambda move: (move.invoice_date_due or move.date, move.id))
