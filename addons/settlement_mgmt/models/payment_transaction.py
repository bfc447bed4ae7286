from odoo import fields, models
from odoo.tools.misc import format_amount


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    settlement_discount_date = fields.Date(
        string="Discount Date",
        readonly=True,
        copy=False,
        help="Set on payments of several invoices from the portal: the day the "
        "customer was quoted, whose discount tiers the payment settles.",
    )

    def _create_payment(self, **extra_create_values):
        """A payment of several invoices chosen on the portal settles each
        one with its own discount tier, written off as the register payment
        wizard does (``_get_invoice_counterpart_amls_for_early_payment_discount``
        per invoice), when the amount received is the quoted one.

        Core's version applies one discount (core's first tier) to one
        invoice and reconciles everything at once, which may leave a
        discounted invoice open while an instalment plan takes more than its
        instalment: here the invoices paid in full are reconciled first, the
        instalment plans' invoices last, oldest first."""
        self.ensure_one()
        if not self.settlement_discount_date or self.operation not in (
            "online_direct",
            "online_redirect",
            "online_token",
            "offline",
        ):
            return super()._create_payment(**extra_create_values)
        invoices = self.invoice_ids.filtered(lambda move: move.state == "posted")
        quote = invoices._settlement_pay_many_quote(self.settlement_discount_date)
        currency = self.currency_id
        settled = not currency.compare_amounts(quote["total"], self.amount)
        write_offs = []
        Accounting = self.env["settlement.discount.accounting"]
        for row in quote["rows"]:
            if settled and row["tier"] and not currency.is_zero(row["saving"]):
                write_offs += Accounting._payment_write_off_values(
                    row["invoice"], row["saving"], self.settlement_discount_date
                )
        term_lines = invoices.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        journal = self.provider_id.journal_id
        method_line = journal.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == self.provider_id
        )
        values = {
            "amount": abs(self.amount),
            "payment_type": "inbound" if self.amount > 0 else "outbound",
            "currency_id": currency.id,
            "partner_id": self.partner_id.commercial_partner_id.id,
            "partner_type": "customer",
            "journal_id": self.provider_id.journal_id.id,
            "company_id": self.provider_id.company_id.id,
            "payment_method_line_id": method_line.id,
            "payment_token_id": self.token_id.id,
            "payment_transaction_id": self.id,
            "memo": f"{self.reference} - {self.partner_id.display_name or ''} - "
            f"{self.provider_reference or ''}",
            "write_off_line_vals": write_offs,
            "invoice_ids": invoices,
            **extra_create_values,
        }
        if term_lines:
            values["destination_account_id"] = term_lines[0].account_id.id
        payment = self.env["account.payment"].create(values)
        payment.action_post()
        self.payment_id = payment
        account = payment.destination_account_id
        payment_lines = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == account
        )
        # Paid in full first, then the plans' invoices with what is left.
        ordered = [row for row in quote["rows"] if not row["plan"]] + [
            row for row in quote["rows"] if row["plan"]
        ]
        for row in ordered:
            open_lines = row["invoice"].line_ids.filtered(
                lambda line: line.account_id == account and not line.reconciled
            )
            lines = payment_lines.filtered(lambda line: not line.reconciled)
            if open_lines and lines:
                (lines + open_lines).reconcile()
        return payment

    def _post_process(self):
        """Every payment of several invoices from the portal is told on the
        customer's chatter: what was paid, for which invoices, what was saved."""
        done = self.filtered(
            lambda tx: tx.state == "done"
            and tx.settlement_discount_date
            and not tx.is_post_processed
        )
        result = super()._post_process()
        for tx in done.filtered("payment_id"):
            tx._settlement_pay_many_log()
        return result

    def _settlement_pay_many_log(self):
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        lang = customer.lang or self.env.lang
        env = self.with_context(lang=lang).env
        _liquidity, _counterpart, write_offs = self.payment_id._seek_for_lines()
        saving = sum(write_offs.mapped("amount_currency"))
        amount = format_amount(env, self.amount, self.currency_id, lang_code=lang)
        invoices = ", ".join(self.invoice_ids.sorted("name").mapped("name"))
        if self.currency_id.is_zero(saving):
            body = env._(
                "Paid online %(invoices)s: %(amount)s (transaction %(reference)s).",
                invoices=invoices,
                amount=amount,
                reference=self.reference,
            )
        else:
            body = env._(
                "Paid online %(invoices)s: %(amount)s, saving %(saving)s with "
                "early payment discounts (transaction %(reference)s).",
                invoices=invoices,
                amount=amount,
                saving=format_amount(env, saving, self.currency_id, lang_code=lang),
                reference=self.reference,
            )
        customer.sudo().message_post(
            body=body, author_id=self.partner_id.id, subtype_xmlid="mail.mt_note"
        )
