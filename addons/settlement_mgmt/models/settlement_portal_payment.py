"""Paying several invoices at once from the portal: what is paid on each.

The customer picks invoices; everything else (which are payable, what each one
costs today with its running discount tier, what goes to an instalment plan) is
decided here from the invoice ids alone, at page time and again when the
transaction is created and when its payment is posted."""

from odoo import api, fields, models

# More than this in one selection is refused (a page of checkboxes, not a bulk
# channel: thousands of ids would only load the server).
PAY_MANY_MAX = 100


class SettlementInvoicePayMany(models.AbstractModel):
    """Invoices paid several at once from the portal (``account.move``
    inherits it)."""

    _name = "settlement.invoice.pay.many"
    _description = "Invoices Paid Together Online"

    @api.model
    def _settlement_pay_many_select(self, ids, partner):
        """The invoices ``ids`` (sudo) when ``partner``'s customer may pay them
        together now, else an error message (translated) and nothing else."""
        Move = self.sudo()
        if not ids:
            return Move, self.env._("Select at least one invoice to pay.")
        if len(ids) > PAY_MANY_MAX:
            return Move, self.env._(
                "You can pay at most %(count)s invoices at once.", count=PAY_MANY_MAX
            )
        customer = partner.commercial_partner_id
        invoices = Move.search(
            [
                ("id", "in", ids),
                ("move_type", "=", "out_invoice"),
                ("commercial_partner_id", "=", customer.id),
            ]
        )
        if len(invoices) != len(ids):
            # Someone else's invoice or no invoice at all: the same answer.
            return Move, self.env._("Some of the selected invoices cannot be found.")
        if any(invoice.state != "posted" for invoice in invoices):
            return Move, self.env._("Only confirmed invoices can be paid online.")
        paid = invoices.filtered(
            lambda invoice: invoice.currency_id.compare_amounts(
                invoice.amount_residual, 0.0
            )
            <= 0
        )
        if paid:
            return Move, self.env._(
                "%(invoices)s is already paid.",
                invoices=", ".join(paid.mapped("name")),
            )
        if len(invoices.currency_id) > 1:
            return Move, self.env._(
                "The selected invoices are in several currencies: pay each "
                "currency separately."
            )
        if len(invoices.company_id) > 1:
            return Move, self.env._(
                "The selected invoices belong to several companies: pay each "
                "company's invoices separately."
            )
        busy = (
            self.env["payment.transaction"]
            .sudo()
            .search(
                [
                    ("invoice_ids", "in", invoices.ids),
                    ("state", "in", ("pending", "authorized")),
                ]
            )
            .invoice_ids
            & invoices
        )
        if busy:
            return Move, self.env._(
                "A payment of %(invoices)s is already being processed.",
                invoices=", ".join(busy.mapped("name")),
            )
        return invoices, None

    def _settlement_pay_many_quote(self, on_date=None):
        """What paying the invoices ``self`` costs on ``on_date`` (today by
        default): one row per invoice, oldest due first, with its residual,
        what is paid on it and the discount saved; and the totals.

        An invoice of an active instalment plan gets what the plan asks now
        (its due instalments, the oldest invoices first), never a discount;
        another invoice its residual, or the amount of the discount tier
        running on ``on_date`` when it still qualifies (nothing paid yet)."""
        on_date = on_date or fields.Date.context_today(self)
        rows = []
        plan_due = {}
        for invoice in self.sorted(
            lambda move: (move.invoice_date_due or move.date, move.id)
        ):
            currency = invoice.currency_id
            residual = invoice.amount_residual
            plan = invoice.settlement_plan_id
            tier = self.env["settlement.invoice.discount"]
            if plan and plan.state == "active":
                due = plan_due.setdefault(plan, plan._portal_amount_to_pay())
                amount = currency.round(min(residual, due))
                plan_due[plan] = currency.round(due - amount)
            else:
                plan = self.env["settlement.instalment.plan"]
                tier = self.env["settlement.invoice.discount"]._running_tier(
                    invoice, on_date
                )
                if tier and invoice._is_eligible_for_early_payment_discount(
                    currency, on_date
                ):
                    amount = abs(tier.amount_currency)
                else:
                    tier = tier.browse()
                    amount = residual
            rows.append(
                {
                    "invoice": invoice,
                    "residual": residual,
                    "amount": amount,
                    "saving": currency.round(residual - amount) if tier else 0.0,
                    "tier": tier,
                    "plan": plan,
                }
            )
        currency = self.currency_id[:1]
        return {
            "rows": rows,
            "currency": currency,
            "date": on_date,
            "total": currency.round(sum(row["amount"] for row in rows)),
            "saving": currency.round(sum(row["saving"] for row in rows)),
        }
