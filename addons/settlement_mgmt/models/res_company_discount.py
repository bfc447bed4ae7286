from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class SettlementCompanyDiscount(models.AbstractModel):
    """Where a company books the early payment discounts its customers take
    outside a payment (``res.company`` inherits it)."""

    _name = "settlement.company.discount"
    _description = "Company Early Payment Discount Settings"

    settlement_discount_journal_id = fields.Many2one(
        "account.journal",
        string="Early Payment Discount Journal",
        domain="[('type', '=', 'general')]",
        help="Miscellaneous journal of the entries granting an early payment "
        "discount when a payment already received is matched on an invoice. "
        "Discounts taken in a payment stay on the payment's own entry. Empty: "
        "the company's first miscellaneous journal.",
    )

    @api.constrains("settlement_discount_journal_id")
    def _check_settlement_discount_journal_id(self):
        Journal = self.env["account.journal"].sudo()
        for company in self:
            journal = company.sudo().settlement_discount_journal_id
            if journal and not (
                journal.type == "general"
                and journal.filtered_domain(Journal._check_company_domain(company))
            ):
                raise ValidationError(
                    self.env._(
                        "Journal %(journal)s cannot hold the early payment discount "
                        "entries of %(company)s: choose a miscellaneous journal of "
                        "%(company)s.",
                        journal=journal.display_name,
                        company=company.display_name,
                    )
                )

    def _settlement_discount_journal(self):
        """The journal of this company's early payment discount entries: the
        one set in the settings, else core's default journal of miscellaneous
        entries (the first general journal the company may use)."""
        self.ensure_one()
        Journal = self.env["account.journal"]
        journal = self.settlement_discount_journal_id or Journal.search(
            [*Journal._check_company_domain(self), ("type", "=", "general")],
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no journal for early payment discount "
                    "entries: choose a miscellaneous journal in Settings, "
                    "Invoicing, Receivables Settlement.",
                    company=self.display_name,
                )
            )
        return journal
