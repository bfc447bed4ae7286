from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SettlementCompanyCollection(models.AbstractModel):
    """Where a company books what its collection cases cost: the agency's
    commission and the debts written off (``res.company`` inherits it)."""

    _name = "settlement.company.collection"
    _description = "Company Collection Case Accounts"

    settlement_collection_commission_account_id = fields.Many2one(
        "account.account",
        string="Collection Commission Account",
        help="Expense account debited by the commission an agency or lawyer keeps "
        "on what it recovers.",
    )
    settlement_bad_debt_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Account",
        help="Expense account debited when what a collection case could not "
        "recover is written off.",
    )

    @api.constrains(
        "settlement_collection_commission_account_id", "settlement_bad_debt_account_id"
    )
    def _check_settlement_collection_accounts(self):
        for company in self.sudo():
            for account in (
                company.settlement_collection_commission_account_id
                | company.settlement_bad_debt_account_id
            ):
                if (
                    account.account_type in ("asset_receivable", "liability_payable")
                    or company not in account.company_ids
                ):
                    raise ValidationError(
                        self.env._(
                            "Account %(account)s cannot book collection costs of "
                            "%(company)s: choose an expense account of %(company)s.",
                            account=account.display_name,
                            company=company.display_name,
                        )
                    )
