from odoo import fields, models
from odoo.exceptions import UserError

from ..lib.dispute import OPEN_STATES


class SettlementDisputeWorkflow(models.AbstractModel):
    """A dispute's review and resolution (``settlement.dispute`` inherits it):
    who may move it, from which state, and what each decision writes. An
    accepted dispute is credited through ``settlement.credit.note``; the
    decision fields are written here only, in sudo after the role check
    (``_check_decider`` on the dispute)."""

    _name = "settlement.dispute.workflow"
    _description = "Dispute Review and Resolution"

    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda dispute: dispute.state not in allowed)
        if wrong:
            raise UserError(
                self.env._(
                    "%(action)s is not possible for %(disputes)s in its current state.",
                    action=action,
                    disputes=", ".join(wrong.mapped("name")),
                )
            )

    def action_review(self):
        self._check_decider()
        self._check_state(("new",), self.env._("Starting the review"))
        self.sudo().state = "under_review"

    def _open_resolution(self, action):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Resolve Dispute"),
            "res_model": "settlement.dispute.resolve",
            "view_mode": "form",
            "target": "new",
            "context": {"default_dispute_id": self.id, "default_action": action},
        }

    def action_open_accept(self):
        self._check_decider()
        self._check_state(OPEN_STATES, self.env._("Accepting"))
        return self._open_resolution("accept")

    def action_open_reject(self):
        self._check_decider()
        self._check_state(OPEN_STATES, self.env._("Rejecting"))
        return self._open_resolution("reject")

    def action_open_reopen(self):
        self._check_decider()
        self._check_state(("accepted", "rejected", "closed"), self.env._("Reopening"))
        return self._open_resolution("reopen")

    def action_close(self):
        self._check_state(("accepted", "rejected"), self.env._("Closing"))
        # Filing a decided dispute changes no amount: any settlement user may
        # (a portal customer may not: it has no write access).
        self.check_access("write")
        self.sudo().state = "closed"

    def action_preview(self):
        """Show the dispute as the customer sees it on the portal."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": self.get_portal_url(),
        }

    def action_view_credit_note(self):
        self.ensure_one()
        return self.credit_note_id._get_records_action()

    def _mark_resolved(self, state, note, accepted_amount=0.0):
        now = fields.Datetime.now()
        for dispute in self.sudo():
            dispute.write(
                {
                    "state": state,
                    "resolution_note": note,
                    "accepted_amount": accepted_amount,
                    "date_resolved": now,
                    "resolution_days": (now - dispute.create_date).total_seconds()
                    / 86400,
                }
            )
        self.activity_feedback(["mail.mail_activity_data_todo"])

    def _accept(self, amount, note):
        """Accept ``amount`` of the dispute: a credit note made by core's reversal,
        scaled to the amount, posted and reconciled with the invoice."""
        self.ensure_one()
        self._check_decider()
        self._check_state(OPEN_STATES, self.env._("Accepting"))
        currency = self.currency_id
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("The accepted amount must be positive."))
        if currency.compare_amounts(amount, self.amount) > 0:
            raise UserError(
                self.env._(
                    "The accepted amount cannot exceed the disputed amount "
                    "(%(amount)s).",
                    amount=currency.format(self.amount),
                )
            )
        # What the controller accepted is recorded, and the credit note is
        # made to equal it to the cent.
        amount = currency.round(amount)
        credit_note = self.env["settlement.credit.note"]._credit_invoice(
            self.move_id,
            amount,
            self.env._(
                "Dispute %(dispute)s on %(invoice)s",
                dispute=self.name,
                invoice=self.move_id.name,
            ),
        )
        self._mark_resolved("accepted", note, amount)
        self.sudo().credit_note_id = credit_note
        self.message_post(
            body=self.env._(
                "Accepted for %(amount)s: credit note %(credit_note)s posted and "
                "reconciled with the invoice. %(note)s",
                amount=currency.format(amount),
                credit_note=credit_note._get_html_link(title=credit_note.name),
                note=note or "",
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return credit_note

    def _reject(self, note):
        self.ensure_one()
        self._check_decider()
        self._check_state(OPEN_STATES, self.env._("Rejecting"))
        if not (note or "").strip():
            raise UserError(
                self.env._("Tell the customer why the dispute is rejected.")
            )
        self._mark_resolved("rejected", note.strip())
        template = self.env.ref("settlement_mgmt.mail_template_dispute_rejected")
        self.message_post_with_source(template, subtype_xmlid="mail.mt_comment")

    def _reopen(self, note):
        self.ensure_one()
        self._check_decider()
        self._check_state(("accepted", "rejected", "closed"), self.env._("Reopening"))
        if not (note or "").strip():
            raise UserError(self.env._("Give the reason for reopening the dispute."))
        self.sudo().write(
            {
                "state": "under_review",
                "reopen_reason": note.strip(),
                "date_resolved": False,
                "resolution_days": 0.0,
            }
        )
