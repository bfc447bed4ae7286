from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class SettlementStatementSending(models.Model):
    """A statement e-mailed to a customer: the history, and the key that keeps
    the monthly run from sending the same period twice."""

    _name = "settlement.statement.sending"
    _description = "Statement Sent"
    _order = "date_to desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    date_from = fields.Date(required=True, readonly=True)
    date_to = fields.Date(required=True, readonly=True)
    mail_message_id = fields.Many2one("mail.message", readonly=True)
    scheduled = fields.Boolean(string="Monthly Run", readonly=True)

    _sql_constraints = [
        (
            "partner_period_uniq",
            "unique(partner_id, company_id, date_from, date_to)",
            "This statement was already sent.",
        ),
    ]

    @api.model
    def _send(self, partner, date_from, date_to, company, scheduled=False):
        """E-mail ``partner`` its statement (PDF attached, in its language) and
        record it; returns the record, or nothing when already sent."""
        partner = partner.commercial_partner_id
        if self.sudo().search_count(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
            ]
        ):
            return self.browse()
        Statement = self.env["settlement.statement"].with_context(lang=partner.lang)
        attachment = Statement._statement_pdf_attachment(
            partner, date_from, date_to, company, "res.partner", partner.id
        )
        recipient = partner._settlement_invoice_contacts()[partner]
        message = partner.with_context(
            lang=partner.lang,
            mail_notify_force_send=False,
            statement_date_from=Statement._format_date(date_from, partner),
            statement_date_to=Statement._format_date(date_to, partner),
            statement_pay_html=self._pay_online_html(partner, company),
        ).message_post_with_source(
            self.env.ref("settlement_mgmt.mail_template_statement"),
            subtype_xmlid="mail.mt_comment",
            partner_ids=recipient.ids,
            attachment_ids=attachment.ids,
        )
        return self.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "date_from": date_from,
                "date_to": date_to,
                "mail_message_id": message.id,
                "scheduled": scheduled,
            }
        )

    @api.model
    def _pay_online_html(self, partner, company, limit=10):
        """The statement e-mail's "Pay online" part, in the customer's
        language and digits: its open invoices (oldest due first, at most
        ``limit``) with their pay pages, and its portal statement page when it
        has a portal account."""
        open_invoices = self.env["settlement.receivable.query"]._open_invoices(
            partner, company
        )
        pay_moves = open_invoices[:limit]
        has_portal = (
            self.env["res.users"]
            .sudo()
            .search_count(
                [("partner_id", "child_of", partner.id), ("share", "=", True)],
                limit=1,
            )
        )
        return (
            self.env["ir.qweb"]
            .with_context(lang=partner.lang)
            ._render(
                "settlement_mgmt.statement_mail_pay_links",
                {
                    "partner": partner,
                    "pay_moves": pay_moves,
                    "pay_urls": pay_moves._settlement_pay_urls(ensure_tokens=True),
                    "more_count": len(open_invoices) - len(pay_moves),
                    "statement_url": has_portal
                    and f"{partner.get_base_url()}/my/statement",
                    "statement_format": self.env["settlement.statement"].with_context(
                        lang=partner.lang
                    ),
                },
            )
        )

    @api.model
    def _cron_settlement_statements(self, batch_size=50):
        """Monthly: e-mail last month's statement to the customers who opted
        in.  Sent periods are recorded, so reruns and resumed crashes send
        nothing twice; one batch per call, the cron runner commits."""
        # Every company's customers, whoever the cron user may access.
        self = self.sudo()
        today = fields.Date.context_today(self)
        date_to = today.replace(day=1) - relativedelta(days=1)
        date_from = date_to.replace(day=1)
        handled = remaining = 0
        for company in self.env["res.company"].search([("active", "=", True)]):
            Partner = self.env["res.partner"].with_company(company)
            opted = Partner.search([("settlement_statement_opt_in", "=", True)])
            done = set(
                self.sudo()
                .search(
                    [
                        ("company_id", "=", company.id),
                        ("date_from", "=", date_from),
                        ("date_to", "=", date_to),
                    ]
                )
                .partner_id.ids
            )
            todo = opted.commercial_partner_id.filtered(
                lambda partner, done=done: partner.id not in done
            )
            if handled:
                # A later company still has statements to send: the runner
                # must call again, even after another company's last batch.
                remaining += len(todo)
                if remaining:
                    break
                continue
            if not todo:
                continue
            batch = todo[:batch_size]
            for partner in batch:
                self.with_company(company)._send(
                    partner, date_from, date_to, company, scheduled=True
                )
            handled, remaining = len(batch), len(todo) - len(batch)
            if remaining:
                break
        self.env["ir.cron"]._notify_progress(done=handled, remaining=remaining)
