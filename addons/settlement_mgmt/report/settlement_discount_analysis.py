from odoo import fields, models
from odoo.tools import SQL


class SettlementDiscountAnalysis(models.Model):
    """One row per customer invoice offering an early payment discount: the best
    saving offered, the saving taken (the tier running on the day the discount
    was booked) and so what early payments cost, by customer and month."""

    _name = "settlement.discount.analysis"
    _description = "Early Payment Discount Analysis"
    _auto = False
    _order = "invoice_date desc, id desc"
    _rec_name = "move_id"

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    invoice_date = fields.Date(readonly=True)
    amount_total = fields.Monetary(string="Invoiced", readonly=True)
    offered_percentage = fields.Float(
        string="Best Discount %", readonly=True, aggregator="avg", digits="Discount"
    )
    offered_amount = fields.Monetary(
        string="Discount Offered",
        readonly=True,
        help="The best saving the invoice offered, in company currency.",
    )
    taken_amount = fields.Monetary(
        string="Discount Taken",
        readonly=True,
        help="What the discount granted cost, in company currency.",
    )
    taken_percentage = fields.Float(
        string="Discount % Taken", readonly=True, aggregator="avg", digits="Discount"
    )
    taken_tier = fields.Integer(string="Tier Taken", readonly=True, aggregator="max")
    payment_date = fields.Date(string="Discount Booked On", readonly=True)
    state = fields.Selection(
        selection=[
            ("open", "Still Available"),
            ("taken", "Taken"),
            ("missed", "Missed"),
        ],
        string="Status",
        readonly=True,
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT move.id AS id,
                   move.id AS move_id,
                   move.commercial_partner_id AS partner_id,
                   move.invoice_user_id AS user_id,
                   move.company_id,
                   move.invoice_date,
                   move.amount_total_signed AS amount_total,
                   best.discount_percentage AS offered_percentage,
                   best.saving_balance AS offered_amount,
                   COALESCE(taken_tier.saving_balance, 0) AS taken_amount,
                   taken_tier.discount_percentage AS taken_percentage,
                   taken_tier.sequence AS taken_tier,
                   taken.date AS payment_date,
                   CASE WHEN taken_tier.id IS NOT NULL THEN 'taken'
                        WHEN move.payment_state = 'not_paid'
                         AND last_tier.discount_date >= CURRENT_DATE THEN 'open'
                        ELSE 'missed'
                    END AS state
              FROM account_move move
              JOIN settlement_invoice_discount best
                ON best.move_id = move.id AND best.sequence = 1
              JOIN LATERAL (
                    SELECT MAX(offer.discount_date) AS discount_date
                      FROM settlement_invoice_discount offer
                     WHERE offer.move_id = move.id
                   ) last_tier ON TRUE
              -- the earliest entry settling the invoice with a discount line:
              -- a payment registered with the discount or our discount entry
              LEFT JOIN LATERAL (
                    SELECT counterpart_move.date
                      FROM account_move_line term_line
                      JOIN account_partial_reconcile partial
                        ON term_line.id IN (partial.debit_move_id,
                                            partial.credit_move_id)
                      JOIN account_move_line counterpart
                        ON counterpart.id = CASE
                               WHEN partial.debit_move_id = term_line.id
                               THEN partial.credit_move_id
                               ELSE partial.debit_move_id END
                      JOIN account_move counterpart_move
                        ON counterpart_move.id = counterpart.move_id
                     WHERE term_line.move_id = move.id
                       AND term_line.display_type = 'payment_term'
                       AND counterpart_move.move_type = 'entry'
                       AND EXISTS (SELECT 1 FROM account_move_line epd
                                    WHERE epd.move_id = counterpart_move.id
                                      AND epd.display_type = 'epd')
                  ORDER BY counterpart_move.date
                     LIMIT 1
                   ) taken ON TRUE
              LEFT JOIN LATERAL (
                    SELECT offer.id, offer.saving_balance,
                           offer.discount_percentage, offer.sequence
                      FROM settlement_invoice_discount offer
                     WHERE offer.move_id = move.id
                       AND offer.discount_date >= taken.date
                  ORDER BY offer.discount_date
                     LIMIT 1
                   ) taken_tier ON TRUE
             WHERE move.move_type IN ('out_invoice', 'out_receipt')
               AND move.state = 'posted'
            """
        )
