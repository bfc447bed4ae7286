from datetime import timedelta

from odoo import api, fields, models


class SettlementInstalmentPlanTracking(models.AbstractModel):
    """How an active instalment plan ends (``settlement.instalment.plan``
    inherits it): completed when its invoices are settled, defaulted by the
    daily cron when an instalment stays unpaid beyond the company's grace
    days."""

    _name = "settlement.instalment.plan.tracking"
    _description = "Instalment Plan Completion and Default"

    def _overdue_beyond_grace(self):
        """The active plans in ``self`` with an instalment unpaid beyond the grace."""
        today = fields.Date.context_today(self)
        late = self.browse()
        for plan in self.filtered(lambda record: record.state == "active"):
            limit = today - timedelta(days=plan.company_id.settlement_plan_grace_days)
            if any(
                line.date_due < limit
                and not plan.currency_id.is_zero(line.amount_residual)
                for line in plan.line_ids
            ):
                late |= plan
        return late

    def _mark_defaulted(self):
        # Internal: decided from the instalments left unpaid (the daily cron).
        self.sudo().write(
            {"state": "defaulted", "date_defaulted": fields.Date.context_today(self)}
        )
        for plan in self:
            plan.message_post(
                body=self.env._(
                    "Plan defaulted: an instalment is unpaid beyond the grace period. "
                    "The remaining %(amount)s is due under the invoices' own terms.",
                    amount=plan.currency_id.format(plan.amount_residual),
                )
            )
            if plan.user_id:
                plan.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._(
                        "Instalment plan %(name)s defaulted", name=plan.name
                    ),
                    user_id=plan.user_id.id,
                )

    @api.model
    def _cron_settlement_plan_defaults(self, batch_size=100):
        """Daily: default active plans with an instalment unpaid beyond the grace
        days.  Only active plans are candidates, so a rerun or a resumed crash
        defaults nothing twice; one batch per call, the cron runner commits."""
        earliest_grace = min(
            self.env["res.company"]
            .search([("active", "=", True)])
            .mapped("settlement_plan_grace_days")
            or [0]
        )
        limit = fields.Date.context_today(self) - timedelta(days=earliest_grace)
        candidates = self.search(
            [("state", "=", "active"), ("line_ids.date_due", "<", limit)], order="id"
        )
        late = candidates._overdue_beyond_grace()
        batch = late[:batch_size]
        batch._mark_defaulted()
        self.env["ir.cron"]._notify_progress(
            done=len(batch), remaining=len(late) - len(batch)
        )

    def _update_completion(self):
        """Active plans whose invoices are settled are completed."""
        for plan in self.filtered(lambda record: record.state == "active"):
            if plan.currency_id.is_zero(plan.amount_residual):
                # Internal: decided from the invoices' residuals.
                plan.sudo().state = "completed"
                plan.message_post(body=self.env._("Every instalment is paid."))
