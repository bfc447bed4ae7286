from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, format_date, mute_logger

from ..lib.dispute import OPEN_STATES as DISPUTE_OPEN_STATES
from ..lib.dunning import accrued_interest, call_priority, late_fee, level_index
from ..lib.receivable_rows import DunningItem

# Stands for the reminder's number in a preview (numbers are given on
# sending); replaced in the e-mails a collector edited.
NUMBER_PLACEHOLDER = "[…]"

CALL_STATES = [
    ("none", "No Call"),
    ("to_call", "To Call"),
    ("reached", "Reached"),
    ("no_answer", "No Answer"),
    ("promise", "Promise to Pay"),
    ("dispute", "Dispute Raised"),
]


class SettlementDunningCommunication(models.Model):
    """One reminder: a customer, a level, the items it reminds, how it was
    sent, and the fee it charged.  Recorded once per customer, level and day,
    and once per item and level, so reruns and parallel runs send nothing
    twice."""

    _name = "settlement.dunning.communication"
    _description = "Reminder"
    _inherit = ["settlement.numbered.mixin", "mail.thread", "mail.activity.mixin"]
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
    send_email = fields.Boolean(string="E-mail", readonly=True)
    send_letter = fields.Boolean(string="Letter", readonly=True)
    create_call = fields.Boolean(string="Phone Call", readonly=True)
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
            ("pending", "Pending"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("bounced", "Bounced"),
        ],
        string="Delivery",
        compute="_compute_delivery_state",
        store=True,
        help="What happened to the e-mail; reminders without e-mail are sent "
        "once recorded.",
    )
    delivery_failure = fields.Char(
        string="Delivery Problem",
        compute="_compute_delivery_state",
        store=True,
        help="Why the e-mail failed or bounced, as the mail server or Odoo said.",
    )
    fee_amount = fields.Monetary(string="Late Fee", readonly=True)
    interest_amount = fields.Monetary(string="Interest", readonly=True)
    fee_move_id = fields.Many2one(
        "account.move", string="Fee Invoice", readonly=True, check_company=True
    )
    fee_waived = fields.Boolean(readonly=True, tracking=True)
    fee_waive_reason = fields.Text(readonly=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    call_state = fields.Selection(
        selection=CALL_STATES, default="none", required=True, tracking=True
    )
    call_priority = fields.Float(
        readonly=True, help="Amount reminded weighted by the customer's risk."
    )
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

    @api.depends(
        "send_email",
        "mail_message_id.notification_ids.notification_status",
        "mail_message_id.notification_ids.failure_type",
        "mail_message_id.notification_ids.failure_reason",
    )
    def _compute_delivery_state(self):
        failure_types = dict(
            self.env["mail.notification"]
            ._fields["failure_type"]
            ._description_selection(self.env)
        )
        for communication in self:
            notifications = communication.mail_message_id.notification_ids.filtered(
                lambda notification: notification.notification_type == "email"
            )
            statuses = set(notifications.mapped("notification_status"))
            problems = notifications.filtered(
                lambda notification: notification.notification_status
                in ("exception", "bounce")
            )
            communication.delivery_failure = (
                "; ".join(
                    dict.fromkeys(
                        " – ".join(
                            part
                            for part in (
                                failure_types.get(notification.failure_type),
                                notification.failure_reason,
                            )
                            if part
                        )
                        or self.env._("No reason given")
                        for notification in problems
                    )
                )
                or False
            )
            if not communication.send_email:
                communication.delivery_state = "sent"
            elif "bounce" in statuses:
                communication.delivery_state = "bounced"
            elif "exception" in statuses:
                communication.delivery_state = "failed"
            elif statuses and statuses <= {"sent"}:
                communication.delivery_state = "sent"
            else:
                communication.delivery_state = "pending"

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
        recipient = self.env["res.partner"].browse(
            self.partner_id.address_get(["invoice"])["invoice"]
        )
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
        if level.action_legal:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._(
                    "Hand %(customer)s over to legal or a collection agency",
                    customer=self.partner_id.name,
                ),
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

    def _send(self, messages=None):
        """Everything a new reminder does, in the run's transaction.
        ``messages`` ({(customer id, level id): (subject, body)}) holds the
        e-mails a collector edited in the preview."""
        messages = messages or {}
        for communication in self:
            communication._invoice_fee()
        self.filtered("send_letter")._render_letters()
        for communication in self:
            if communication.send_email:
                communication._send_email(
                    messages.get(
                        (communication.partner_id.id, communication.level_id.id)
                    )
                )
            if communication.create_call:
                communication._schedule_call()
            communication._apply_actions()
        partners_note = {
            communication.partner_id: communication for communication in self
        }
        # The collector looks again at the earliest date any reminder asks.
        Partner = self.env["res.partner"]
        for company in self.company_id:
            dates = {}
            for communication in self.filtered(
                lambda reminder, company=company: reminder.company_id == company
            ):
                date = Partner._settlement_next_action_after_reminder(communication)
                partner = communication.partner_id
                dates[partner] = min(date, dates.get(partner, date))
            Partner._settlement_plan_next_action(company, dates)
        for partner, communication in partners_note.items():
            partner.message_post(
                body=self.env._(
                    "Reminder %(name)s sent: %(level)s.",
                    name=communication._get_html_link(),
                    level=communication.level_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------
    # The run: which items reach which level, grouped per customer and level
    # ------------------------------------------------------------------

    @api.model
    def _dunning_item_rows(self, company, today, partners=None):
        """Open items of ``company`` that may need a reminder, in one query:
        a DunningItem each, oldest due first per customer.

        Amounts are net of the customer's open credits (``amount_net``, oldest
        due first): an item the credits settle is not chased, one they reduce
        is chased for what is left, without its early discount (computed on
        the whole invoice)."""
        items = self.env["settlement.receivable.item"]
        items._flush_sources()
        self.env["settlement.dunning.communication.line"].flush_model()
        self.flush_model(["fee_move_id"])
        self.env["settlement.dunning.level"].flush_model(["days"])
        # Reminders pause for every open dispute, reviewed or not: courteous.
        Query = self.env["settlement.receivable.query"]
        disputed_join, undisputed = Query._undisputed_sql(company, DISPUTE_OPEN_STATES)
        earliest = min(
            self.env["settlement.dunning.level"]
            .search([("company_id", "=", company.id)])
            .mapped("days")
            or [0]
        )
        partner_filter = SQL("TRUE")
        if partners is not None:
            partner_filter = SQL("line.partner_id = ANY(%s)", partners.ids)
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT line.id AS item_ref, line.partner_id, line.move_id,
                   line.move_line_id, line.plan_line_id, line.name, line.date_due,
                   %(today)s - line.date_due AS days_overdue,
                   line.amount_net * %(undisputed)s AS amount,
                   line.amount_net_currency * %(undisputed)s AS amount_currency,
                   line.currency_id,
                   reminded.days AS reminded_days,
                   CASE WHEN line.amount_net_currency = line.amount_residual_currency
                        THEN COALESCE(tier.discount_date, line.discount_date)
                    END AS discount_date,
                   CASE WHEN line.amount_net_currency = line.amount_residual_currency
                        THEN COALESCE(tier.amount_currency,
                                      line.discount_amount_currency)
                    END AS discount_amount_currency
              FROM %(items)s line
              %(disputed_join)s
              -- the discount tier running on the day of the run
              %(running_tier)s
              LEFT JOIN LATERAL (
                    SELECT MAX(level.days) AS days
                      FROM settlement_dunning_communication_line reminded_line
                      JOIN settlement_dunning_level level
                        ON level.id = reminded_line.level_id
                     WHERE reminded_line.item_ref = line.id
                   ) reminded ON TRUE
             WHERE line.company_id = %(company_id)s
               AND line.amount_net * %(undisputed)s > 0
               AND line.date_due <= %(last_due)s
               AND %(partner_filter)s
               -- a late fee never starts its own chain of reminders
               AND NOT EXISTS (SELECT 1 FROM settlement_dunning_communication fee
                                WHERE fee.fee_move_id = line.move_id)
          ORDER BY line.partner_id, line.date_due, line.id
            """,
                today=today,
                running_tier=self.env["settlement.invoice.discount"]._running_tier_join(
                    today, SQL("line.discount_date IS NOT NULL")
                ),
                undisputed=undisputed,
                items=items._table_sql,
                disputed_join=disputed_join,
                company_id=company.id,
                last_due=today - timedelta(days=earliest),
                partner_filter=partner_filter,
            )
        )
        return [DunningItem(**row) for row in rows]

    @api.model
    def _dunning_candidates(self, company, today=None, partners=None, skipped=None):
        """{(customer, level): [DunningItem]} of the reminders to send.

        An item is reminded at the highest level it has reached by its days
        overdue, unless it was already reminded at that level or a later one;
        customers marked "no reminders" or paused, items under an open promise
        to pay and reminders under the policy's minimum amount are skipped.
        ``skipped`` (a dict), when given, receives the customers skipped per
        reason (SKIP_REASONS) for the preview to explain itself."""
        skipped = {} if skipped is None else skipped
        today = today or fields.Date.context_today(self)
        rows = self._dunning_item_rows(company, today, partners)
        if not rows:
            return {}
        customers = (
            self.env["res.partner"]
            .with_company(company)
            .browse(sorted({row.partner_id for row in rows}))
        )
        default_policy = company.settlement_dunning_policy_id
        promised = self.env["settlement.promise"]._settlement_promised(
            company, customers, today
        )
        levels_by_policy = {}
        groups = defaultdict(list)
        customer_by_id = {customer.id: customer for customer in customers}
        for row in rows:
            customer = customer_by_id[row.partner_id]
            if customer.settlement_no_reminders or (
                customer.settlement_dunning_paused_until
                and customer.settlement_dunning_paused_until >= today
            ):
                skipped.setdefault("paused", set()).add(customer.id)
                continue
            promise_moves = promised.get(customer.id)
            if promise_moves is not None and (
                promise_moves is True or row.move_id in promise_moves
            ):
                skipped.setdefault("promise", set()).add(customer.id)
                continue
            policy = customer.settlement_dunning_policy_id or default_policy
            if not policy:
                skipped.setdefault("no_policy", set()).add(customer.id)
                continue
            if policy not in levels_by_policy:
                levels_by_policy[policy] = policy._sorted_levels()
            levels = levels_by_policy[policy]
            index = level_index(row.days_overdue, levels.mapped("days"))
            if index is None:
                continue
            level = levels[index]
            if row.reminded_days is not None and row.reminded_days >= level.days:
                skipped.setdefault("reminded", set()).add(customer.id)
                continue
            groups[(customer, level)].append(row)
        candidates = {}
        for (customer, level), group in groups.items():
            total = sum(row.amount for row in group)
            if total >= level.policy_id.tolerance and total > 0:
                candidates[(customer, level)] = group
            else:
                skipped.setdefault("minimum", set()).add(customer.id)
        # A customer reminded of some items is not "skipped" for the others.
        sent_to = {customer.id for customer, _level in candidates}
        for customers_skipped in skipped.values():
            customers_skipped -= sent_to
        return candidates

    def _dunning_communication_values(self, customer, level, rows, today):
        interest = [
            accrued_interest(
                row.amount,
                row.days_overdue,
                level.interest_rate,
                level.interest_grace_days,
                customer.env.company.currency_id.rounding,
            )
            for row in rows
        ]
        amount = sum(row.amount for row in rows)
        currency = level.company_id.currency_id
        policy = level.policy_id
        return {
            "partner_id": customer.id,
            "company_id": level.company_id.id,
            "policy_id": policy.id,
            "level_id": level.id,
            "date": today,
            "amount_overdue": currency.round(amount),
            "max_days_overdue": max(row.days_overdue for row in rows),
            "send_email": level.send_email,
            "send_letter": level.send_letter,
            "create_call": level.create_call,
            "fee_amount": late_fee(
                level.fee_type,
                amount,
                level.fee_fixed,
                level.fee_percent,
                level.fee_min,
                level.fee_max,
                currency.rounding,
            ),
            "interest_amount": currency.round(sum(interest)),
            "user_id": (
                customer._settlement_collector(level.company_id, policy)
                or self.env.user
            ).id,
            "call_priority": self._call_priority(amount, customer),
            "line_ids": [
                Command.create(
                    {
                        "level_id": level.id,
                        "item_ref": row.item_ref,
                        "move_id": row.move_id,
                        "move_line_id": row.move_line_id,
                        "plan_line_id": row.plan_line_id,
                        "name": row.name,
                        "date_due": row.date_due,
                        "days_overdue": row.days_overdue,
                        "amount_residual": row.amount,
                        "amount_residual_currency": row.amount_currency,
                        "currency_id": row.currency_id,
                        "interest_amount": line_interest,
                        "discount_date": row.discount_date
                        if row.discount_date and row.discount_date >= today
                        else False,
                        "discount_amount_currency": (
                            row.discount_amount_currency
                            if row.discount_date and row.discount_date >= today
                            else 0.0
                        ),
                    }
                )
                for row, line_interest in zip(rows, interest, strict=True)
            ],
        }

    @api.model
    def _dunning_send(self, company, candidates, today, messages=None):
        """Record and send the reminders of ``candidates`` (with the e-mails
        edited in the preview, ``messages``: see ``_send``).  Each reminder is
        created under a savepoint: if another run recorded the same customer,
        level and day, or the same item at this level, meanwhile, the unique
        indexes refuse it and it is skipped, not sent twice."""
        sent = self.sudo().browse()
        for (customer, level), rows in candidates.items():
            values = self._dunning_communication_values(customer, level, rows, today)
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    communication = self.sudo().with_company(company).create(values)
                    communication.flush_recordset()
                    communication.line_ids.flush_recordset()
            except psycopg2.IntegrityError:
                continue
            sent |= communication
        sent._send(messages)
        return sent

    @api.model
    def _cron_settlement_dunning(self, batch_size=50):
        """Daily: send the reminders due, one batch of customers per call.  The
        work left is recomputed at every call from what is recorded, so a rerun
        the same day or a resumed crash sends nothing twice; the cron runner
        commits between batches."""
        # Every company's customers, whoever the cron user may access.
        self = self.sudo()
        today = fields.Date.context_today(self)
        some_customer_policy = self.env["res.partner"].search_count(
            [("settlement_dunning_policy_id", "!=", False)], limit=1
        )
        companies = self.env["res.company"].search([("active", "=", True)])
        done = remaining = 0
        for company in companies:
            if not company.settlement_dunning_policy_id and not some_customer_policy:
                continue
            candidates = self._dunning_candidates(company, today)
            customers = sorted({key[0].id for key in candidates})
            if done:
                # Work left in a later company: the runner must call again (a
                # last batch of one company is not the end of the run).
                remaining += len(customers)
                if remaining:
                    break
                continue
            if not customers:
                continue
            batch_ids = set(customers[:batch_size])
            batch = {
                key: rows for key, rows in candidates.items() if key[0].id in batch_ids
            }
            self._dunning_send(company, batch, today)
            done, remaining = len(batch_ids), len(customers) - len(batch_ids)
            if remaining:
                break
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    # ------------------------------------------------------------------
    # Collector worklist
    # ------------------------------------------------------------------

    def _close_call(self, outcome):
        self.call_state = outcome
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

    @api.model
    def _call_priority(self, amount, partner):
        return call_priority(amount, partner.settlement_risk_score or None)


class SettlementDunningCommunicationLine(models.Model):
    _name = "settlement.dunning.communication.line"
    _description = "Reminded Item"
    _order = "communication_id, date_due, id"

    communication_id = fields.Many2one(
        "settlement.dunning.communication",
        required=True,
        ondelete="cascade",
        index=True,
    )
    level_id = fields.Many2one(
        "settlement.dunning.level", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="communication_id.company_id", store=True)
    item_ref = fields.Integer(
        required=True,
        index=True,
        help="The open receivable item (journal item or plan instalment) reminded.",
    )
    move_id = fields.Many2one("account.move", string="Invoice")
    move_line_id = fields.Many2one("account.move.line", string="Journal Item")
    plan_line_id = fields.Many2one(
        "settlement.instalment.plan.line", string="Instalment"
    )
    name = fields.Char(string="Reference")
    date_due = fields.Date(string="Due Date")
    days_overdue = fields.Integer()
    currency_id = fields.Many2one("res.currency")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_residual_currency = fields.Monetary(
        string="Amount Due", currency_field="currency_id"
    )
    amount_residual = fields.Monetary(
        string="Amount Due (Company Currency)", currency_field="company_currency_id"
    )
    interest_amount = fields.Monetary(
        string="Interest", currency_field="company_currency_id"
    )
    discount_date = fields.Date(string="Early Discount Until")
    discount_amount_currency = fields.Monetary(
        string="Discounted Amount", currency_field="currency_id"
    )
    discount_note = fields.Char(
        string="Early Payment Offer", compute="_compute_discount_note"
    )

    @api.depends_context("lang")
    @api.depends("discount_date", "discount_amount_currency")
    def _compute_discount_note(self):
        for line in self:
            line.discount_note = line.discount_date and self.env._(
                "Pay %(amount)s by %(date)s to save %(saving)s",
                amount=format_amount(
                    self.env, line.discount_amount_currency, line.currency_id
                ),
                date=format_date(self.env, line.discount_date),
                saving=format_amount(
                    self.env,
                    line.amount_residual_currency - line.discount_amount_currency,
                    line.currency_id,
                ),
            )

    def init(self):
        # One reminder per item and level, even when two runs race.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS"
            " settlement_dunning_communication_line_item_level_uniq"
            " ON settlement_dunning_communication_line (item_ref, level_id)"
        )
