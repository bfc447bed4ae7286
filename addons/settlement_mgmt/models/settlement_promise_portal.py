from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class SettlementPromise(models.Model):
    """Promises a customer makes itself on the portal, within the company's
    rules (how far ahead, the smallest share, how many open at once).  The
    controller only identifies the customer; every value is checked here."""

    _inherit = "settlement.promise"

    @api.model
    def _portal_overdue_invoices(self, partner, company):
        """The customer's posted invoices of ``company`` due before today and
        not fully paid, oldest due first: what it may promise to pay."""
        return self.env["settlement.receivable.query"]._open_invoices(
            partner, company, due_before=fields.Date.context_today(self)
        )

    @api.model
    def _portal_open_promises(self, partner, company):
        return self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "=", "open"),
            ]
        )

    @api.model
    def _portal_limits(self, partner, company, invoices):
        """(smallest amount, largest amount, last date) a promise on
        ``invoices`` may have."""
        currency = company.currency_id
        owed = currency.round(sum(invoices.mapped("amount_residual_signed")))
        share = company.settlement_portal_promise_min_share / 100.0
        return currency.round(owed * share), owed, self._portal_last_date(company)

    @api.model
    def _portal_last_date(self, company):
        """The latest date a customer may promise on the portal."""
        return fields.Date.context_today(self) + timedelta(
            days=company.settlement_portal_promise_days
        )

    @api.model
    def _portal_create(self, partner, company, invoice_ids, amount, date_promised):
        """The promise of ``partner`` (a commercial partner the controller
        took from the session) to pay ``amount`` on ``invoice_ids`` by
        ``date_promised``; a UserError in the customer's words, and nothing
        written, when it breaks a rule."""
        env = self.env
        if not company.settlement_portal_promises:
            raise UserError(
                env._("Promises to pay are not taken on the portal: contact us.")
            )
        overdue = self._portal_overdue_invoices(partner, company)
        wanted = set(invoice_ids)
        invoices = overdue.filtered(lambda move: move.id in wanted)
        if not invoices or len(invoices) != len(wanted):
            raise UserError(env._("Choose the overdue invoices you promise to pay."))
        open_promises = self._portal_open_promises(partner, company)
        if len(open_promises) >= company.settlement_portal_promise_max_open:
            raise UserError(
                env._(
                    "You already have %(count)s open promise(s) to pay: we will "
                    "check it before a new one.",
                    count=len(open_promises),
                )
            )
        promised = open_promises.move_ids & invoices
        if promised or (open_promises and not all(open_promises.move_ids)):
            raise UserError(
                env._(
                    "%(invoices)s already have an open promise to pay.",
                    invoices=", ".join((promised or invoices).mapped("name")),
                )
            )
        smallest, owed, last = self._portal_limits(partner, company, invoices)
        currency = company.currency_id
        today = fields.Date.context_today(self)
        if not date_promised or not today <= date_promised <= last:
            raise UserError(
                env._(
                    "Promise a date from today to %(last)s.",
                    last=env["settlement.statement"]._format_date(last, partner),
                )
            )
        if currency.compare_amounts(amount, owed) > 0:
            raise UserError(
                env._(
                    "You promise more than these invoices still owe (%(owed)s).",
                    owed=currency.format(owed),
                )
            )
        if currency.compare_amounts(amount, max(smallest, currency.rounding)) < 0:
            raise UserError(
                env._(
                    "Promise at least %(smallest)s for these invoices.",
                    smallest=currency.format(max(smallest, currency.rounding)),
                )
            )
        collector = partner._settlement_collector(company)
        promise = (
            self.sudo()
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "amount": amount,
                    "date_promised": date_promised,
                    "channel": "portal",
                    "move_ids": [fields.Command.set(invoices.ids)],
                    "user_id": collector.id,
                }
            )
        )
        promise._portal_notify_collector(collector)
        return promise

    def _portal_notify_collector(self, collector):
        """A to-do for the collector, in the collector's language."""
        self.ensure_one()
        self.message_post(
            body=self.env._("Promise made by the customer on the portal."),
            subtype_xmlid="mail.mt_note",
        )
        if not collector:
            return
        collector_env = self.with_context(lang=collector.lang).env
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=self.date_promised + timedelta(days=1),
            summary=collector_env._(
                "Check the payment %(customer)s promised on the portal",
                customer=self.partner_id.name,
            ),
            note=collector_env._(
                "%(amount)s promised for %(date)s on %(invoices)s.",
                amount=self.currency_id.format(self.amount),
                date=fields.Date.to_string(self.date_promised),
                invoices=", ".join(self.move_ids.mapped("name")),
            ),
            user_id=collector.id,
        )

    def _portal_tell_broken(self):
        """The customer hears from a broken portal promise, in its language:
        reminders resume."""
        template = self.env.ref(
            "settlement_mgmt.mail_template_promise_broken", raise_if_not_found=False
        )
        for promise in self.filtered(lambda p: p.channel == "portal"):
            if template and promise.partner_id.email:
                promise.with_context(
                    lang=promise.partner_id.lang, mail_notify_force_send=False
                ).message_post_with_source(
                    template,
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=promise.partner_id.ids,
                )
