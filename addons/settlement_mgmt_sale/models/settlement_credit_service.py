from collections import defaultdict

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.settlement_mgmt.lib.credit import ExposureComponent


class SettlementCreditService(models.AbstractModel):
    _inherit = "settlement.credit.service"

    def _exposure_components(self):
        # A confirmed order is credit given: it counts until it is invoiced.
        return [
            *super()._exposure_components(),
            ExposureComponent(
                name="uninvoiced_sales",
                method="_exposure_uninvoiced_sales",
                partner_field="settlement_uninvoiced_sales",
            ),
        ]

    def _exposure_uninvoiced_sales(self, company, partner_ids):
        """Confirmed orders not invoiced yet, taxes included, in company
        currency, per commercial partner id: one query, whatever the number of
        orders."""
        self.env["sale.order.line"].flush_model(
            ["untaxed_amount_to_invoice", "price_total", "price_subtotal", "order_id"]
        )
        self.env["sale.order"].flush_model(
            ["state", "company_id", "partner_invoice_id", "currency_id"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
            SELECT partner.commercial_partner_id, sale.currency_id,
                   SUM(line.untaxed_amount_to_invoice
                       * CASE WHEN line.price_subtotal <> 0
                              THEN line.price_total / line.price_subtotal
                              ELSE 1 END)
              FROM sale_order_line line
              JOIN sale_order sale ON sale.id = line.order_id
              JOIN res_partner partner ON partner.id = sale.partner_invoice_id
             WHERE sale.state = 'sale'
               AND sale.company_id = %(company_id)s
               AND line.untaxed_amount_to_invoice > 0
               AND partner.commercial_partner_id = ANY(%(partner_ids)s)
          GROUP BY partner.commercial_partner_id, sale.currency_id
            """,
                company_id=company.id,
                partner_ids=list(partner_ids),
            )
        )
        today = fields.Date.context_today(self)
        currencies = self.env["res.currency"].browse({row[1] for row in rows})
        totals = defaultdict(float)
        for partner_id, currency_id, amount in rows:
            currency = currencies.browse(currency_id)
            totals[partner_id] += currency._convert(
                amount, company.currency_id, company, today
            )
        return dict(totals)
