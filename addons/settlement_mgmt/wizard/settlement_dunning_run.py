from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.settlement_dunning_communication import NUMBER_PLACEHOLDER


class SettlementDunningRun(models.TransientModel):
    """Preview the reminders due and send them by hand; the daily cron does
    the same unattended."""

    _name = "settlement.dunning.run"
    _description = "Send Reminders"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        help="Empty: every customer with something to remind.",
    )
    line_ids = fields.One2many(
        "settlement.dunning.run.line", "run_id", string="Preview"
    )
    previewed = fields.Boolean(readonly=True)
    skip_note = fields.Text(
        string="Not Reminded", readonly=True, help="Why customers are not reminded."
    )
    reminder_count = fields.Integer(compute="_compute_totals")
    amount_total = fields.Monetary(compute="_compute_totals")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.depends("line_ids.amount", "line_ids.include")
    def _compute_totals(self):
        for run in self:
            included = run.line_ids.filtered("include")
            run.reminder_count = len(included)
            run.amount_total = sum(included.mapped("amount"))

    def _candidates(self, skipped=None):
        partners = self.partner_ids.commercial_partner_id or None
        return self.env["settlement.dunning.engine"]._dunning_candidates(
            self.company_id, partners=partners, skipped=skipped
        )

    def _skip_lines(self, skipped):
        """One line per reason a customer with overdue items is not reminded."""
        messages = {
            "reminded": self.env._(
                "%(count)s customer(s) already reminded at the level they reached"
            ),
            "promise": self.env._("%(count)s customer(s) with a promise to pay"),
            "paused": self.env._(
                '%(count)s customer(s) paused or marked "no reminders"'
            ),
            "minimum": self.env._(
                "%(count)s customer(s) owing less than the policy's minimum amount"
            ),
            "no_policy": self.env._("%(count)s customer(s) without a dunning policy"),
        }
        return [
            messages[reason] % {"count": len(customers)}
            for reason, customers in skipped.items()
            if customers
        ]

    def action_preview(self):
        self.ensure_one()
        skipped = {}
        candidates = self._candidates(skipped)
        lines = self._skip_lines(skipped)
        if not candidates:
            lines.insert(
                0,
                self.env._(
                    "Nothing to send today. Overdue items not already reminded, "
                    "disputed or settled by credits would be listed here."
                ),
            )
        self.previewed = True
        self.skip_note = "\n".join(lines)
        self.line_ids = [(5, 0, 0)] + [
            (0, 0, self._preview_line_values(customer, level, rows))
            for (customer, level), rows in candidates.items()
        ]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Reminders"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _preview_line_values(self, customer, level, rows):
        """A preview line: the figures, and the e-mail and letter as the
        customer would get them (its language, its digits), from a reminder
        built in memory — nothing is recorded before Send."""
        Communication = self.env["settlement.dunning.communication"]
        today = fields.Date.context_today(self)
        values = self.env["settlement.dunning.engine"]._dunning_communication_values(
            customer, level, rows, today
        )
        reminder = Communication.with_context(lang=customer.lang).new(
            {**values, "name": NUMBER_PLACEHOLDER}
        )
        line = {
            "partner_id": customer.id,
            "level_id": level.id,
            "item_count": len(rows),
            "amount": values["amount_overdue"],
            "max_days_overdue": values["max_days_overdue"],
            "plans_call": level._has_channel("call"),
        }
        # One ``_preview_<channel>`` per channel, as the engine delivers
        # through ``_deliver_<channel>``: a bridge adding a channel adds its
        # preview the same way.  A channel without one (the call) has nothing
        # to show but the flag above.
        for channel in dict.fromkeys(level.channel_ids.mapped("channel")):
            preview = getattr(self, f"_preview_{channel}", None)
            if callable(preview):
                line.update(preview(reminder, level))
        return line

    def _preview_email(self, reminder, level):
        reminder._ensure_pay_tokens()
        template = reminder._mail_template()
        # ``ids`` leaves out records not in the database: pass the new id.
        subject, body = (
            template._render_field(field, list(reminder._ids), compute_lang=True)[
                reminder.id
            ]
            for field in ("subject", "body_html")
        )
        return {
            "mail_subject": subject,
            "mail_body": body,
            "rendered_subject": subject,
            "rendered_body": body,
        }

    def _preview_letter(self, reminder, level):
        return {
            "letter_preview": self.env["ir.qweb"]
            .with_context(lang=reminder.partner_id.lang)
            ._render(
                "settlement_mgmt.report_dunning_letter_content",
                {"communication": reminder, "pay_links": {}},
            )
        }

    def action_send(self):
        self.ensure_one()
        if not self.previewed:
            raise UserError(
                self.env._("Preview the reminders first: Send comes after it.")
            )
        if not self.line_ids:
            raise UserError(self.env._("There is no reminder to send today."))
        chosen = self.line_ids.filtered("include")
        if not chosen:
            raise UserError(
                self.env._("Every customer is excluded: there is nothing to send.")
            )
        candidates = self._candidates()
        to_send, messages = {}, {}
        for line in chosen:
            key = (line.partner_id, line.level_id)
            rows = candidates.get(key)
            if (
                not rows
                or len(rows) != line.item_count
                or self.currency_id.compare_amounts(
                    sum(row.amount for row in rows), line.amount
                )
            ):
                raise UserError(
                    self.env._(
                        "What %(customer)s owes changed since the preview (a "
                        "payment, a credit note or an item newly overdue): "
                        "preview again before sending.",
                        customer=line.partner_id.display_name,
                    )
                )
            to_send[key] = rows
            if line.level_id._has_channel("email") and line._mail_edited():
                messages[(line.partner_id.id, line.level_id.id)] = (
                    line.mail_subject or "",
                    line.mail_body or "",
                )
        sent = self.env["settlement.dunning.engine"]._dunning_send(
            self.company_id,
            to_send,
            fields.Date.context_today(self),
            messages=messages,
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_dunning_communication_action"
        )
        action["domain"] = [("id", "in", sent.ids)]
        action["context"] = {}
        return action


class SettlementDunningRunLine(models.TransientModel):
    _name = "settlement.dunning.run.line"
    _description = "Reminder Preview"
    _order = "partner_id, level_id"

    run_id = fields.Many2one(
        "settlement.dunning.run", required=True, ondelete="cascade"
    )
    include = fields.Boolean(
        string="Send", default=True, help="Untick to leave this customer out."
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    level_id = fields.Many2one("settlement.dunning.level", readonly=True)
    channel_names = fields.Char(related="level_id.channel_names", string="Channels")
    plans_call = fields.Boolean(
        readonly=True, help="The level puts the customer on the call list."
    )
    item_count = fields.Integer(string="Items", readonly=True)
    amount = fields.Monetary(readonly=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    max_days_overdue = fields.Integer(string="Days Overdue", readonly=True)
    mail_subject = fields.Char(string="Subject")
    mail_body = fields.Html(string="Message", sanitize_style=True)
    # The e-mail as rendered, to tell an edited one from the template's.
    rendered_subject = fields.Char(readonly=True)
    rendered_body = fields.Html(readonly=True, sanitize_style=True)
    mail_edited = fields.Boolean(string="Edited", compute="_compute_mail_edited")
    letter_preview = fields.Html(
        string="Letter Text", readonly=True, sanitize_style=True
    )

    @api.depends("mail_subject", "mail_body", "rendered_subject", "rendered_body")
    def _compute_mail_edited(self):
        for line in self:
            line.mail_edited = line._mail_edited()

    def _mail_edited(self):
        self.ensure_one()
        return bool(self.rendered_body) and (
            self.mail_body != self.rendered_body
            or self.mail_subject != self.rendered_subject
        )
