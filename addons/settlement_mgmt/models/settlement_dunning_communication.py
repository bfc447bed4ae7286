from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.delivery import joined_reasons, summary_state

# Stands for the reminder's number in a preview (numbers are given on
# sending); replaced in the e-mails a collector edited.
NUMBER_PLACEHOLDER = "[…]"


class SettlementDunningCommunication(models.Model):
    """One reminder: a customer, a level, the items it reminds, how it was
    sent, and the fee it charged.  Recorded once per customer, level and day,
    and once per item and level, so reruns and parallel runs send nothing
    twice."""

    _name = "settlement.dunning.communication"
    _description = "Reminder"
    _inherit = [
        "settlement.numbered.mixin",
        "settlement.dunning.worklist",
        # before mail.thread, which it extends
        "settlement.mail.direction.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _sequence_code = "settlement.dunning.communication"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    policy_id = fields.Many2one(
        "settlement.dunning.policy", required=True, readonly=True, ondelete="restrict"
    )
    level_id = fields.Many2one(
        "settlement.dunning.level",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    level_days = fields.Integer(related="level_id.days", store=True)
    date = fields.Date(required=True, readonly=True, index=True)
    line_ids = fields.One2many(
        "settlement.dunning.communication.line", "communication_id", readonly=True
    )
    amount_overdue = fields.Monetary(
        string="Amount Reminded", readonly=True, help="Company currency."
    )
    max_days_overdue = fields.Integer(string="Days Overdue", readonly=True)
    delivery_ids = fields.One2many(
        "settlement.dunning.delivery",
        "communication_id",
        string="Deliveries",
        readonly=True,
        help="One per channel of the level: how the reminder reached the customer.",
    )
    channel_names = fields.Char(string="Channels", compute="_compute_channel_names")
    mail_message_id = fields.Many2one(
        "mail.message", string="E-mail Message", readonly=True
    )
    mail_subject = fields.Char(
        related="mail_message_id.subject",
        string="E-mail Sent",
        help="The e-mail is in this reminder's conversation, below.",
    )
    letter_attachment_id = fields.Many2one(
        "ir.attachment", string="Letter PDF", readonly=True
    )
    delivery_state = fields.Selection(
        selection=[
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("bounced", "Bounced"),
        ],
        string="Delivery",
        compute="_compute_delivery_state",
        store=True,
        help="Summary of the deliveries: failed or bounced when one of them "
        "did, queued while one waits (an e-mail in the queue, a call not made "
        "yet), sent once every channel reached the customer.",
    )
    delivery_failure = fields.Char(
        string="Delivery Problem",
        compute="_compute_delivery_state",
        store=True,
        help="Why a delivery failed or bounced, as the gateway or Odoo said.",
    )
    fee_amount = fields.Monetary(string="Late Fee", readonly=True)
    interest_amount = fields.Monetary(string="Interest", readonly=True)
    fee_move_id = fields.Many2one(
        "account.move", string="Fee Invoice", readonly=True, check_company=True
    )
    fee_waived = fields.Boolean(readonly=True, tracking=True)
    fee_waive_reason = fields.Text(readonly=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    call_script = fields.Html(related="level_id.call_script")
    partner_phone = fields.Char(related="partner_id.phone")
    risk_grade = fields.Selection(related="partner_id.settlement_risk_grade")
    promise_ids = fields.One2many(
        "settlement.promise", "communication_id", string="Promises"
    )
    items_html = fields.Html(
        string="Items Table",
        compute="_compute_items_html",
        sanitize=False,
        help="The reminded items as a table, for e-mail templates.",
    )

    _sql_constraints = [
        (
            "partner_level_date_uniq",
            "unique(partner_id, level_id, date)",
            "A customer gets one reminder per level and day.",
        ),
    ]

    @api.depends("delivery_ids.state", "delivery_ids.failure_reason")
    def _compute_delivery_state(self):
        for communication in self:
            deliveries = communication.delivery_ids
            communication.delivery_state = summary_state(
                set(deliveries.mapped("state"))
            )
            communication.delivery_failure = joined_reasons(
                deliveries.mapped("failure_reason")
            )

    @api.depends_context("lang")
    @api.depends("delivery_ids.channel")
    def _compute_channel_names(self):
        labels = dict(
            self.env["settlement.dunning.delivery"]
            ._fields["channel"]
            ._description_selection(self.env)
        )
        for communication in self:
            communication.channel_names = ", ".join(
                labels[channel]
                for channel in dict.fromkeys(
                    communication.delivery_ids.mapped("channel")
                )
            )

    @api.depends_context("lang")
    @api.depends("line_ids")
    def _compute_items_html(self):
        for communication in self:
            communication.items_html = self.env["ir.qweb"]._render(
                "settlement_mgmt.dunning_items_table",
                {
                    "communication": communication,
                    # E-mails link each invoice to its portal page, where the
                    # customer pays it online (the printed letter has no link).
                    "pay_links": communication._pay_links(),
                },
            )

    def _pay_links(self):
        """{invoice id: its pay page}: tokens exist once the reminder is
        previewed or sent (_ensure_pay_tokens); a compute writes none."""
        self.ensure_one()
        return self.line_ids.move_id._settlement_pay_urls()

    def _get_report_base_filename(self):
        return self.env._("Reminder %(name)s", name=self.name).replace("/", "-")

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _invoice_attachments(self):
        """PDFs of the reminded invoices: the one core stored when the invoice
        was sent, else a fresh rendering."""
        self.ensure_one()
        moves = self.line_ids.move_id
        attachments = self.env["ir.attachment"]
        missing = moves.filtered(lambda move: not move.invoice_pdf_report_id)
        attachments |= (moves - missing).invoice_pdf_report_id
        if missing:
            content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
                "account.account_invoices", missing.ids
            )
            attachments |= attachments.create(
                {
                    "name": self.env._("Invoices %(name)s.pdf", name=self.name),
                    "raw": content,
                    "res_model": self._name,
                    "res_id": self.id,
                    "mimetype": "application/pdf",
                }
            )
        return attachments

    def _statement_attachment(self):
        """The customer's statement of account to date, as a PDF attachment."""
        self.ensure_one()
        Statement = self.env["settlement.statement"]
        date_from, date_to = Statement._default_period(self.date)
        return Statement._statement_pdf_attachment(
            self.partner_id, date_from, date_to, self.company_id, self._name, self.id
        )

    def _render_letters(self):
        """Render each reminder's letter; the report saves it as the reminder's
        attachment.  One wkhtmltopdf run per letter: Debian's wkhtmltopdf
        (unpatched Qt) returns an empty file for several documents at once."""
        report = self.env.ref("settlement_mgmt.settlement_dunning_communication_report")
        for communication in self:
            self.env["ir.actions.report"]._render_qweb_pdf(report, communication.ids)
        attachments = self.env["ir.attachment"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("mimetype", "=", "application/pdf"),
            ]
        )
        by_record = {attachment.res_id: attachment for attachment in attachments}
        for communication in self:
            communication.letter_attachment_id = by_record.get(communication.id)

    def _mail_template(self):
        self.ensure_one()
        return self.level_id.mail_template_id or self.env.ref(
            "settlement_mgmt.mail_template_dunning_courtesy"
            if self.level_days < 0
            else "settlement_mgmt.mail_template_dunning_reminder"
        )

    def _ensure_pay_tokens(self):
        """The pay links of the e-mail need the invoices' portal tokens."""
        self.line_ids.move_id._settlement_pay_urls(ensure_tokens=True)

    def _send_email(self, message=None):
        """Queue the level's e-mail in the customer's language — or the
        ``message`` (subject, body) a collector edited in the preview, its
        number placeholder replaced by the reminder's number.  Core's
        composer does it, as when a user sends a template by hand; the mail
        queue sends after the run's transaction commits, so a crash sends
        nothing."""
        self.ensure_one()
        recipient = self.partner_id._settlement_invoice_contacts()[self.partner_id]
        self._ensure_pay_tokens()
        attachment_ids = []
        if self.level_id.attach_invoices:
            attachment_ids += self._invoice_attachments().ids
        if self.letter_attachment_id:
            attachment_ids.append(self.letter_attachment_id.id)
        if self.level_id.attach_statement:
            attachment_ids.append(self._statement_attachment().id)
        edited = {}
        if message:
            subject, body = message
            edited = {
                "subject": subject.replace(NUMBER_PLACEHOLDER, self.name),
                "body": body.replace(NUMBER_PLACEHOLDER, self.name),
            }
        composer = (
            self.env["mail.compose.message"]
            .with_context(
                lang=recipient.lang,
                mail_notify_force_send=False,
                default_composition_mode="comment",
                default_model=self._name,
                default_res_ids=self.ids,
                default_template_id=self._mail_template().id,
            )
            .create(
                {
                    "message_type": "notification",
                    "subtype_id": self.env.ref("mail.mt_comment").id,
                    "partner_ids": recipient.ids,
                    "attachment_ids": attachment_ids,
                    **edited,
                }
            )
        )
        _mails, message_record = composer._action_send_mail()
        self.mail_message_id = message_record

    def _apply_actions(self):
        self.ensure_one()
        level = self.level_id
        if level.action_hold:
            self.env["settlement.credit.hold"]._settlement_place_dunning_hold(self)
        if level.action_notify_salesperson and self.partner_id.user_id:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._(
                    "%(customer)s received the reminder '%(level)s'",
                    customer=self.partner_id.name,
                    level=level.name,
                ),
                user_id=self.partner_id.user_id.id,
            )
        case = self.env["settlement.collection.case"]
        if level.action_collection_case:
            case = case._open_from_reminder(self)
        if level.action_legal:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._(
                    "Hand %(customer)s over to legal or a collection agency",
                    customer=self.partner_id.name,
                )
                if not case
                else self.env._(
                    "Follow %(customer)s's collection case %(case)s",
                    customer=self.partner_id.name,
                    case=case.name,
                ),
                note=case._get_html_link() if case else None,
                user_id=(self.policy_id.legal_user_id or self.user_id).id,
            )

    def _invoice_fee(self):
        """Charge the level's late fee and interest on a fee invoice."""
        self.ensure_one()
        if self.currency_id.is_zero(self.fee_amount + self.interest_amount):
            return
        lines = []
        if not self.currency_id.is_zero(self.fee_amount):
            lines.append(
                (
                    self.env._(
                        "Late payment fee: %(level)s (%(name)s)",
                        level=self.level_id.name,
                        name=self.name,
                    ),
                    self.fee_amount,
                )
            )
        if not self.currency_id.is_zero(self.interest_amount):
            lines.append(
                (
                    self.env._(
                        "Interest on overdue amounts to %(date)s (%(name)s)",
                        date=self.date,
                        name=self.name,
                    ),
                    self.interest_amount,
                )
            )
        self.fee_move_id = self.env["settlement.fee.invoice"]._create_fee_invoice(
            "late_fee",
            self.company_id,
            self.partner_id,
            self.currency_id,
            lines,
            self.date,
            self.name,
            post=self.policy_id.fee_move_state == "posted",
        )

    def action_waive_fee(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Waive Late Fee"),
            "res_model": "settlement.dunning.fee.waive",
            "view_mode": "form",
            "target": "new",
            "context": {"default_communication_ids": self.ids},
        }

    def _waive_fee(self, reason):
        """Cancel the fee invoice (a credit note if it was posted), with the
        reason in the audit trail; a fee already paid must be refunded instead."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for waiving the fee."))
        for communication in self:
            move = communication.fee_move_id
            if not move or communication.fee_waived:
                raise UserError(
                    self.env._(
                        "Reminder %(name)s has no fee to waive.",
                        name=communication.name,
                    )
                )
            if move.state == "posted" and move.currency_id.compare_amounts(
                move.amount_residual, move.amount_total
            ):
                raise UserError(
                    self.env._(
                        "The fee of %(name)s is already partly paid: refund it with a "
                        "credit note instead.",
                        name=communication.name,
                    )
                )
        for communication in self:
            move = communication.fee_move_id
            if move.state == "draft":
                move.button_cancel()
            elif move.state == "posted":
                move._reverse_moves(
                    [{"ref": self.env._("Late fee waived: %(reason)s", reason=reason)}],
                    cancel=True,
                )
            communication.write({"fee_waived": True, "fee_waive_reason": reason})
