from odoo import Command, fields, models
from odoo.exceptions import UserError

CALL_STATES = [
    ("none", "No Call"),
    ("to_call", "To Call"),
    ("reached", "Reached"),
    ("no_answer", "No Answer"),
    ("promise", "Promise to Pay"),
    ("dispute", "Dispute Raised"),
]


class SettlementDunningWorklist(models.AbstractModel):
    """The collector's side of a reminder: the call its level asks for and
    the outcomes the collector records (reached, no answer, promise to pay,
    dispute).  Mixed into ``settlement.dunning.communication``, whose fields
    (``call_state``, ``user_id``, ``level_id``…) it uses."""

    _name = "settlement.dunning.worklist"
    _description = "Reminder Call Worklist"

    call_state = fields.Selection(
        selection=CALL_STATES, default="none", required=True, tracking=True
    )
    call_priority = fields.Float(
        readonly=True, help="Amount reminded weighted by the customer's risk."
    )

    def _schedule_call(self):
        self.ensure_one()
        self.activity_schedule(
            "mail.mail_activity_data_call",
            summary=self.env._(
                "Call %(customer)s: %(level)s",
                customer=self.partner_id.name,
                level=self.level_id.name,
            ),
            note=self.level_id.call_script,
            user_id=self.user_id.id,
        )
        self.call_state = "to_call"

    def _close_call(self, outcome):
        self.call_state = outcome
        # The call is made, whatever its outcome: its delivery is "called".
        self.delivery_ids.sudo()._mark_called()
        self.activity_ids.filtered(
            lambda activity: activity.activity_type_id
            == self.env.ref("mail.mail_activity_data_call")
        ).action_feedback(
            feedback=dict(self._fields["call_state"]._description_selection(self.env))[
                outcome
            ]
        )

    def _check_to_call(self):
        if any(communication.call_state != "to_call" for communication in self):
            raise UserError(self.env._("This call has already been logged."))

    def action_call_reached(self):
        self._check_to_call()
        for communication in self:
            communication._close_call("reached")

    def action_call_no_answer(self):
        self._check_to_call()
        for communication in self:
            communication._close_call("no_answer")

    def action_call_promise(self):
        self.ensure_one()
        self._check_to_call()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promise to Pay"),
            "res_model": "settlement.promise",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_communication_id": self.id,
                "default_amount": self.amount_overdue,
                "default_channel": "phone",
                "default_move_ids": [Command.set(self.line_ids.move_id.ids)],
            },
        }

    def action_call_dispute(self):
        self.ensure_one()
        self._check_to_call()
        self._close_call("dispute")
        move = self.line_ids.move_id[:1]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute"),
            "res_model": "settlement.dispute",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_move_id": move.id,
                "default_source": "backend",
            },
        }
