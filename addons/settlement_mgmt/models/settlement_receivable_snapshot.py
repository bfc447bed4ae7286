from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.aging import parse_boundaries

SNAPSHOT_MONTHS = 12
# Bucket of what is left of customers' open credits once netted: below "Not
# due" (0), so the buckets still add up to the ledger's balance.
CREDITS_BUCKET = -1


class SettlementReceivableSnapshot(models.Model):
    """What customers owed on a day, by age bucket and by dunning level.

    Written by a daily cron (one set-based query per company and dimension) and
    backfilled for the last month ends from the ledger as it stood then, so the
    dashboard shows a trend from the first day.  Rewriting a day replaces it:
    running the cron twice gives the same rows."""

    _name = "settlement.receivable.snapshot"
    _description = "Receivables Snapshot"
    _order = "date desc, dimension, bucket_index, id"

    date = fields.Date(required=True, index=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    dimension = fields.Selection(
        selection=[("age", "Age"), ("level", "Dunning Level")],
        required=True,
        readonly=True,
    )
    bucket_index = fields.Integer(readonly=True)
    bucket = fields.Char(
        readonly=True, help="Age bucket (days overdue) or the last reminder sent."
    )
    level_id = fields.Many2one(
        "settlement.dunning.level", string="Dunning Level", readonly=True
    )
    amount = fields.Monetary(string="Amount Due", readonly=True)
    item_count = fields.Integer(string="Items", readonly=True)

    def _bucket_label(self, index, labels):
        if index == CREDITS_BUCKET:
            return self.env._("Unapplied credits")
        return labels[index]

    def _open_items_sql(self, company, date_at):
        """Open receivable items on ``date_at`` (id, due date, amount), each
        net of its customer's open credits then, as every chasing figure is
        (:meth:`settlement.receivable.item._net_sql`): positive amounts are
        what was left to collect, negative ones what was left of a credit."""
        return SQL(
            """
            WITH items_owner AS (
                SELECT * FROM (%(open_items)s) item WHERE item.amount_residual != 0
            ), %(net)s, items AS (
                SELECT id, date_due AS due, net AS amount
                  FROM item_net WHERE net != 0
            )
            """,
            open_items=self.env["settlement.receivable.query"]._open_items_sql(
                company, date_at
            ),
            net=self.env["settlement.receivable.item"]._net_sql(SQL("items_owner")),
        )

    def _take(self, company, date_at):
        """Replace the snapshot of ``company`` on ``date_at``."""
        self.env["settlement.receivable.query"]._flush()
        self.env["settlement.dunning.communication.line"].flush_model()
        self.env["settlement.dunning.communication"].flush_model(["date"])
        self.env["settlement.instalment.plan.line"].flush_model(["plan_id"])
        self.env["settlement.instalment.plan"].flush_model(["move_ids"])
        Query = self.env["settlement.receivable.query"]
        boundaries = parse_boundaries(company.settlement_aging_days)
        labels = self.env["res.company"]._settlement_aging_labels(boundaries)
        items = self._open_items_sql(company, date_at)
        age_rows = self.env.execute_query(
            SQL(
                """
            %(items)s
            SELECT CASE WHEN amount < 0 THEN %(credits)s ELSE %(bucket)s END,
                   SUM(amount), COUNT(*)
              FROM items GROUP BY 1
            """,
                items=items,
                bucket=company._settlement_aging_bucket_sql(
                    SQL("%s - due", date_at), boundaries
                ),
                credits=CREDITS_BUCKET,
            )
        )
        level_rows = self.env.execute_query(
            SQL(
                """
            %(items)s, reminded_line AS (
                -- the journal items each reminder line is about: the item
                -- itself, or the receivable lines of the invoices settled by
                -- the plan of a reminded instalment
                SELECT reminded.id, reminded.level_id, communication.date,
                       %(move_line)s AS move_line_id
                  FROM settlement_dunning_communication_line reminded
                  JOIN settlement_dunning_communication communication
                    ON communication.id = reminded.communication_id
                 WHERE communication.date <= %(date_at)s
                 UNION ALL
                SELECT reminded.id, reminded.level_id, communication.date,
                       receivable.id
                  FROM settlement_dunning_communication_line reminded
                  JOIN settlement_dunning_communication communication
                    ON communication.id = reminded.communication_id
                  JOIN settlement_instalment_plan_line plan_line
                    ON plan_line.id = %(plan_line)s
                  JOIN account_move_settlement_instalment_plan_rel plan_move
                    ON plan_move.settlement_instalment_plan_id = plan_line.plan_id
                  JOIN account_move_line receivable
                    ON receivable.move_id = plan_move.account_move_id
                 WHERE communication.date <= %(date_at)s
            ), last_level AS (
                -- the last reminder of each item sent by then
                SELECT DISTINCT ON (move_line_id) move_line_id, level_id
                  FROM reminded_line
                 WHERE move_line_id IN (SELECT id FROM items)
              ORDER BY move_line_id, date DESC, id DESC
            )
            SELECT last_level.level_id, SUM(items.amount), COUNT(*)
              FROM items
              LEFT JOIN last_level ON last_level.move_line_id = items.id
             WHERE items.due < %(date_at)s AND items.amount > 0
          GROUP BY last_level.level_id
            """,
                items=items,
                date_at=date_at,
                move_line=Query._move_line_of_ref_sql(SQL("reminded.item_ref")),
                plan_line=Query._plan_line_of_ref_sql(SQL("reminded.item_ref")),
            )
        )
        levels = self.env["settlement.dunning.level"].browse(
            [row[0] for row in level_rows if row[0]]
        )
        level_names = {level.id: level.name for level in levels}
        self.search([("company_id", "=", company.id), ("date", "=", date_at)]).unlink()
        return self.create(
            [
                {
                    "date": date_at,
                    "company_id": company.id,
                    "dimension": "age",
                    "bucket_index": index,
                    "bucket": self._bucket_label(index, labels),
                    "amount": amount,
                    "item_count": count,
                }
                for index, amount, count in age_rows
            ]
            + [
                {
                    "date": date_at,
                    "company_id": company.id,
                    "dimension": "level",
                    "bucket_index": (level_id and 1) or 0,
                    "bucket": level_names.get(level_id)
                    or self.env._("Overdue, not reminded"),
                    "level_id": level_id,
                    "amount": amount,
                    "item_count": count,
                }
                for level_id, amount, count in level_rows
            ]
        )

    def _month_ends(self, today, months=SNAPSHOT_MONTHS):
        first = today.replace(day=1)
        return [first - relativedelta(months=back, days=1) for back in range(months)]

    @api.model
    def _cron_settlement_snapshots(self):
        """Daily: today's snapshot per company, and the month ends of the past
        year that have none yet (first run, or a new company)."""
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].search([("active", "=", True)])
        for done, company in enumerate(companies, start=1):
            month_ends = self._month_ends(today)
            taken = set(
                self.search(
                    [("company_id", "=", company.id), ("date", "in", month_ends)]
                ).mapped("date")
            )
            for date_at in [today, *(d for d in month_ends if d not in taken)]:
                self._take(company, date_at)
            self.env["settlement.receivable.kpi"]._refresh(company, today)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(companies) - done
            )
