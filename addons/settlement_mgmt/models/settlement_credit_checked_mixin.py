from odoo import models


class SettlementCreditCheckedMixin(models.AbstractModel):
    """A document that the customer's credit may stop: customer invoices
    here, sales orders in settlement_mgmt_sale.  The decision and its wording
    belong to ``settlement.credit.service``; a document model says only who
    the customer is, what the document adds to the exposure and how it is
    named, and calls :meth:`_settlement_check_credit` where it commits
    (posting, confirmation)."""

    _name = "settlement.credit.checked.mixin"
    _description = "Credit Policy"

    # settlement.credit.override's link to the document
    _settlement_credit_override_field = "move_id"
    # the override wizard's field for these documents
    _settlement_credit_wizard_field = "move_ids"
    # "invoice" or "order": the wording of the explanation
    _settlement_credit_document = "invoice"
    # the documents already count in the exposure (drafts): leave them out of
    # it when they are checked
    _settlement_credit_counts_as_draft = False

    def _settlement_credit_partner(self):
        """The commercial partner whose credit the document uses."""
        self.ensure_one()
        return self.commercial_partner_id

    def _settlement_credit_amount(self):
        """What the document adds to the exposure, in company currency."""
        raise NotImplementedError

    def _settlement_credit_label(self):
        """How the error names the document."""
        self.ensure_one()
        return self.display_name

    def _settlement_credit_checked(self):
        """Of ``self``, the documents the credit check applies to."""
        return self

    def _settlement_credit_blocked_title(self):
        """The first line of the error that stops the operation."""
        raise NotImplementedError

    def _settlement_credit_block_messages(self):
        """{document id: translated explanation} for the documents in ``self``
        that their customer's credit does not allow.

        A constant number of queries, whatever the number of documents or the
        size of the customers' history."""
        return self.env["settlement.credit.service"]._documents_blocked(
            self._settlement_credit_checked()
        )

    def _settlement_check_credit(self):
        """Stop the operation when the credit blocks one of the documents; the
        caller decides that the check applies (never a context key a client
        can send: lib/internal_context.py)."""
        messages = self.sudo()._settlement_credit_block_messages()
        if not messages:
            return
        blocked = self.browse(list(messages))
        details = "\n\n".join(
            f"{document._settlement_credit_label()}\n{messages[document.id]}"
            for document in blocked
        )
        self.env["settlement.credit.service"]._raise_credit_block(
            self._settlement_credit_blocked_title(),
            details,
            {f"default_{self._settlement_credit_wizard_field}": blocked.ids},
        )
