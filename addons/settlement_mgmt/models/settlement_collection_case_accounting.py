from odoo import Command, fields, models
from odoo.exceptions import UserError

from ..lib.collection import recovery_split


class SettlementCollectionCaseAccounting(models.AbstractModel):
    """What a collection case books through core accounting: a recovery is
    an inbound payment of what the agency remits plus an entry moving its
    commission from the receivable to the commission expense account; a
    write-off is an entry crediting each open item to the bad debt account.
    Both are reconciled with the items handed over (oldest due first), so
    the customer's debt falls in the ledger, never by an edited amount."""

    _name = "settlement.collection.case.accounting"
    _description = "Collection Case Accounting"

    write_off_move_id = fields.Many2one(
        "account.move", string="Write-off Entry", readonly=True, copy=False
    )

    def action_view_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal Entries"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self._accounting_moves().ids)],
        }

    def action_record_recovery(self):
        self.ensure_one()
        self._check_manager()
        self._check_active()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record a Recovery"),
            "res_model": "settlement.collection.case.recover",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def action_write_off(self):
        self.ensure_one()
        self._check_manager()
        self._check_active()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Write Off the Remainder"),
            "res_model": "settlement.collection.case.write.off",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def _accounting_moves(self):
        return (
            self.recovery_ids.payment_id.move_id
            | self.recovery_ids.commission_move_id
            | self.write_off_move_id
        )

    def _open_lines(self):
        """The receivable journal items of the case still open, oldest first."""
        return (
            self.item_ids.move_line_id.filtered(lambda line: not line.reconciled)
            .sorted(lambda line: (line.date_maturity or line.date, line.id))
            .sudo()
        )

    def _misc_journal(self):
        company = self.company_id
        journal = company.settlement_discount_journal_id or self.env[
            "account.journal"
        ].sudo().search(
            [
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "general"),
            ],
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no miscellaneous journal for the entries of "
                    "collection cases.",
                    company=company.display_name,
                )
            )
        return journal

    def _receivable_account(self, lines):
        accounts = lines.account_id
        if len(accounts) != 1:
            raise UserError(
                self.env._(
                    "The open items of %(case)s are on several receivable accounts; "
                    "record the recovery on each invoice instead.",
                    case=self.name,
                )
            )
        return accounts

    def _record_recovery(self, gross, commission_amount, journal, date, memo=""):
        """Book a recovery of ``gross`` collected by the agency, of which it
        keeps ``commission_amount`` and remits the rest on ``journal``."""
        self.ensure_one()
        self._check_manager()
        self._check_active()
        currency = self.currency_id
        company = self.company_id
        gross = currency.round(gross or 0.0)
        commission_amount = currency.round(commission_amount or 0.0)
        net, problem = recovery_split(
            gross, commission_amount, self.amount_open, currency.rounding
        )
        if problem == "gross":
            raise UserError(self.env._("A recovery is a positive amount."))
        if problem == "too_much":
            raise UserError(
                self.env._(
                    "%(gross)s is more than the %(open)s still open on %(case)s.",
                    gross=currency.format(gross),
                    open=currency.format(self.amount_open),
                    case=self.name,
                )
            )
        if problem == "commission":
            raise UserError(
                self.env._(
                    "The commission must be between zero and the amount recovered."
                )
            )
        if not journal or journal.type not in ("bank", "cash"):
            raise UserError(
                self.env._("Choose the bank or cash journal the agency paid into.")
            )
        if journal.company_id != company:
            raise UserError(
                self.env._(
                    "Journal %(journal)s is not a journal of %(company)s.",
                    journal=journal.display_name,
                    company=company.display_name,
                )
            )
        expense = company.sudo().settlement_collection_commission_account_id
        if not currency.is_zero(commission_amount) and not expense:
            raise UserError(
                self.env._(
                    "Set the collection commission account in the settings first."
                )
            )
        lines = self._open_lines()
        receivable = self._receivable_account(lines)
        partner = self.partner_id
        memo = memo or self.env._(
            "Recovery by %(handler)s, case %(case)s",
            handler=self.handler_id.name,
            case=self.name,
        )
        payment = self.env["account.payment"]
        to_reconcile = lines
        if not currency.is_zero(net):
            payment = (
                self.env["account.payment"]
                .sudo()
                .with_company(company)
                .create(
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": partner.id,
                        "amount": net,
                        "currency_id": currency.id,
                        "journal_id": journal.id,
                        "date": date,
                        "memo": memo,
                        "destination_account_id": receivable.id,
                    }
                )
            )
            payment.action_post()
            to_reconcile |= payment.move_id.line_ids.filtered(
                lambda line: line.account_id == receivable
            )
        commission_move = self.env["account.move"]
        if not currency.is_zero(commission_amount):
            commission_move = self._post_entry(
                date,
                self.env._(
                    "Commission of %(handler)s on case %(case)s",
                    handler=self.handler_id.name,
                    case=self.name,
                ),
                [
                    {
                        "account_id": expense.id,
                        "partner_id": self.handler_id.id,
                        "name": memo,
                        "debit": commission_amount,
                    },
                    {
                        "account_id": receivable.id,
                        "partner_id": partner.id,
                        "name": memo,
                        "credit": commission_amount,
                    },
                ],
            )
            to_reconcile |= commission_move.line_ids.filtered(
                lambda line: line.account_id == receivable
            )
        to_reconcile.reconcile()
        if payment:
            # As the register-payment wizard does: the invoices list the payment.
            lines.move_id.matched_payment_ids += payment
        recovery = (
            self.env["settlement.collection.case.recovery"]
            .sudo()
            .create(
                {
                    "case_id": self.id,
                    "date": date,
                    "amount_gross": gross,
                    "amount_commission": commission_amount,
                    "journal_id": journal.id,
                    "payment_id": payment.id,
                    "commission_move_id": commission_move.id,
                    "memo": memo,
                }
            )
        )
        self.message_post(
            body=self.env._(
                "Recovered %(gross)s through %(handler)s: %(net)s remitted, "
                "%(commission)s commission.",
                gross=currency.format(gross),
                handler=self.handler_id.name,
                net=currency.format(net),
                commission=currency.format(commission_amount),
            ),
            subtype_xmlid="mail.mt_note",
        )
        self._sync_state_from_ledger()
        return recovery.with_env(self.env)

    def _write_off(self, reason, date=None):
        """Write off what is still open on every item to the bad debt account,
        with ``reason``; the case is closed as written off."""
        self.ensure_one()
        self._check_manager()
        self._check_active()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the write-off."))
        company = self.company_id
        account = company.sudo().settlement_bad_debt_account_id
        if not account:
            raise UserError(
                self.env._("Set the bad debt account in the settings first.")
            )
        lines = self._open_lines()
        if not lines:
            raise UserError(
                self.env._("Nothing is open on %(case)s to write off.", case=self.name)
            )
        date = date or fields.Date.context_today(self)
        label = self.env._(
            "Write-off of case %(case)s: %(reason)s", case=self.name, reason=reason
        )
        values = [
            {
                "account_id": line.account_id.id,
                "partner_id": self.partner_id.id,
                "name": self.env._(
                    "Written off: %(item)s", item=line.move_id.name or line.name
                ),
                "currency_id": line.currency_id.id,
                "amount_currency": -line.amount_residual_currency,
                "credit": line.amount_residual,
            }
            for line in lines
        ]
        values.append(
            {
                "account_id": account.id,
                "partner_id": self.partner_id.id,
                "name": label,
                "debit": sum(lines.mapped("amount_residual")),
            }
        )
        move = self._post_entry(date, label, values)
        receivable_lines = move.line_ids.filtered(
            lambda line: line.account_id != account
        )
        for item_line, write_off_line in zip(lines, receivable_lines, strict=True):
            (item_line | write_off_line).reconcile()
        self.sudo().write({"write_off_move_id": move.id})
        self._close("written_off", label)
        return move

    def _post_entry(self, date, ref, line_values):
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": self._misc_journal().id,
                    "date": date,
                    "ref": ref,
                    "line_ids": [Command.create(values) for values in line_values],
                }
            )
        )
        move.action_post()
        return move
