from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import Command, api, fields, models
from odoo.tools import SQL, mute_logger

from ..lib.collection import ACTIVE_STATES as CASE_ACTIVE_STATES
from ..lib.dispute import OPEN_STATES as DISPUTE_OPEN_STATES
from ..lib.dunning import accrued_interest, call_priority, late_fee, level_index
from ..lib.receivable_rows import DunningItem


class SettlementDunningEngine(models.AbstractModel):
    """The dunning run: which items are due a reminder, per customer and
    level; the reminders' values; recording them once and delivering them on
    each channel of their level; the daily cron.  The reminder
    (``settlement.dunning.communication``) is only the record of it."""

    _name = "settlement.dunning.engine"
    _description = "Dunning Engine"

    # ------------------------------------------------------------------
    # What is due: which items reach which level, per customer and level
    # ------------------------------------------------------------------

    @api.model
    def _dunning_item_rows(self, company, today, partners=None):
        """Open items of ``company`` that may need a reminder, in one query:
        a DunningItem each, oldest due first per customer.

        Amounts are net of the customer's open credits (``amount_net``, oldest
        due first): an item the credits settle is not chased, one they reduce
        is chased for what is left, without its early discount (computed on
        the whole invoice)."""
        items = self.env["settlement.receivable.item"]
        items._flush_sources()
        self.env["settlement.dunning.communication.line"].flush_model()
        self.env["settlement.dunning.communication"].flush_model(["fee_move_id"])
        self.env["settlement.dunning.level"].flush_model(["days"])
        self.env["settlement.collection.case"].flush_model(["state"])
        self.env["settlement.collection.case.item"].flush_model(["move_line_id"])
        # Reminders pause for every open dispute, reviewed or not: courteous.
        Query = self.env["settlement.receivable.query"]
        disputed_join, undisputed = Query._undisputed_sql(company, DISPUTE_OPEN_STATES)
        earliest = min(
            self.env["settlement.dunning.level"]
            .search([("company_id", "=", company.id)])
            .mapped("days")
            or [0]
        )
        partner_filter = SQL("TRUE")
        if partners is not None:
            partner_filter = SQL("line.partner_id = ANY(%s)", partners.ids)
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT line.id AS item_ref, line.partner_id, line.move_id,
                   line.move_line_id, line.plan_line_id, line.name, line.date_due,
                   %(today)s - line.date_due AS days_overdue,
                   line.amount_net * %(undisputed)s AS amount,
                   line.amount_net_currency * %(undisputed)s AS amount_currency,
                   line.currency_id,
                   reminded.days AS reminded_days,
                   CASE WHEN line.amount_net_currency = line.amount_residual_currency
                        THEN COALESCE(tier.discount_date, line.discount_date)
                    END AS discount_date,
                   CASE WHEN line.amount_net_currency = line.amount_residual_currency
                        THEN COALESCE(tier.amount_currency,
                                      line.discount_amount_currency)
                    END AS discount_amount_currency
              FROM %(items)s line
              %(disputed_join)s
              -- the discount tier running on the day of the run
              %(running_tier)s
              LEFT JOIN LATERAL (
                    SELECT MAX(level.days) AS days
                      FROM settlement_dunning_communication_line reminded_line
                      JOIN settlement_dunning_level level
                        ON level.id = reminded_line.level_id
                     WHERE reminded_line.item_ref = line.id
                   ) reminded ON TRUE
             WHERE line.company_id = %(company_id)s
               AND line.amount_net * %(undisputed)s > 0
               AND line.date_due <= %(last_due)s
               AND %(partner_filter)s
               -- items handed over to an agency or lawyer leave dunning
               AND NOT EXISTS (
                       SELECT 1 FROM settlement_collection_case_item case_item
                         JOIN settlement_collection_case collection_case
                           ON collection_case.id = case_item.case_id
                        WHERE case_item.move_line_id = line.move_line_id
                          AND collection_case.state IN %(case_active_states)s)
               -- a late fee never starts its own chain of reminders
               AND NOT EXISTS (SELECT 1 FROM settlement_dunning_communication fee
                                WHERE fee.fee_move_id = line.move_id)
          ORDER BY line.partner_id, line.date_due, line.id
            """,
                today=today,
                running_tier=self.env["settlement.invoice.discount"]._running_tier_join(
                    today, SQL("line.discount_date IS NOT NULL")
                ),
                undisputed=undisputed,
                items=items._table_sql,
                disputed_join=disputed_join,
                company_id=company.id,
                last_due=today - timedelta(days=earliest),
                partner_filter=partner_filter,
                case_active_states=CASE_ACTIVE_STATES,
            )
        )
        return [DunningItem(**row) for row in rows]

    @api.model
    def _dunning_candidates(self, company, today=None, partners=None, skipped=None):
        """{(customer, level): [DunningItem]} of the reminders to send.

        An item is reminded at the highest level it has reached by its days
        overdue, unless it was already reminded at that level or a later one;
        customers marked "no reminders" or paused, items under an open promise
        to pay and reminders under the policy's minimum amount are skipped.
        ``skipped`` (a dict), when given, receives the customers skipped per
        reason (SKIP_REASONS) for the preview to explain itself."""
        skipped = {} if skipped is None else skipped
        today = today or fields.Date.context_today(self)
        rows = self._dunning_item_rows(company, today, partners)
        if not rows:
            return {}
        customers = (
            self.env["res.partner"]
            .with_company(company)
            .browse(sorted({row.partner_id for row in rows}))
        )
        default_policy = company.settlement_dunning_policy_id
        promised = self.env["settlement.promise"]._settlement_promised(
            company, customers, today
        )
        levels_by_policy = {}
        groups = defaultdict(list)
        customer_by_id = {customer.id: customer for customer in customers}
        for row in rows:
            customer = customer_by_id[row.partner_id]
            if customer.settlement_no_reminders or (
                customer.settlement_dunning_paused_until
                and customer.settlement_dunning_paused_until >= today
            ):
                skipped.setdefault("paused", set()).add(customer.id)
                continue
            promise_moves = promised.get(customer.id)
            if promise_moves is not None and (
                promise_moves is True or row.move_id in promise_moves
            ):
                skipped.setdefault("promise", set()).add(customer.id)
                continue
            policy = customer.settlement_dunning_policy_id or default_policy
            if not policy:
                skipped.setdefault("no_policy", set()).add(customer.id)
                continue
            if policy not in levels_by_policy:
                levels_by_policy[policy] = policy._sorted_levels()
            levels = levels_by_policy[policy]
            index = level_index(row.days_overdue, levels.mapped("days"))
            if index is None:
                continue
            level = levels[index]
            if row.reminded_days is not None and row.reminded_days >= level.days:
                skipped.setdefault("reminded", set()).add(customer.id)
                continue
            groups[(customer, level)].append(row)
        candidates = {}
        for (customer, level), group in groups.items():
            total = sum(row.amount for row in group)
            if total >= level.policy_id.tolerance and total > 0:
                candidates[(customer, level)] = group
            else:
                skipped.setdefault("minimum", set()).add(customer.id)
        # A customer reminded of some items is not "skipped" for the others.
        sent_to = {customer.id for customer, _level in candidates}
        for customers_skipped in skipped.values():
            customers_skipped -= sent_to
        return candidates

    def _dunning_communication_values(self, customer, level, rows, today):
        interest = [
            accrued_interest(
                row.amount,
                row.days_overdue,
                level.interest_rate,
                level.interest_grace_days,
                customer.env.company.currency_id.rounding,
            )
            for row in rows
        ]
        amount = sum(row.amount for row in rows)
        currency = level.company_id.currency_id
        policy = level.policy_id
        return {
            "partner_id": customer.id,
            "company_id": level.company_id.id,
            "policy_id": policy.id,
            "level_id": level.id,
            "date": today,
            "amount_overdue": currency.round(amount),
            "max_days_overdue": max(row.days_overdue for row in rows),
            # One delivery per channel of the level, delivered by _deliver.
            "delivery_ids": [
                Command.create(
                    {
                        "channel": level_channel.channel,
                        "level_channel_id": level_channel.id,
                    }
                )
                # Fallback channels wait for a bounce (delivery _on_bounce).
                for level_channel in level._sent_channel_lines()
            ],
            "fee_amount": late_fee(
                level.fee_type,
                amount,
                level.fee_fixed,
                level.fee_percent,
                level.fee_min,
                level.fee_max,
                currency.rounding,
            ),
            "interest_amount": currency.round(sum(interest)),
            "user_id": (
                customer._settlement_collector(level.company_id, policy)
                or self.env.user
            ).id,
            "call_priority": self._call_priority(amount, customer),
            "line_ids": [
                Command.create(
                    {
                        "level_id": level.id,
                        "item_ref": row.item_ref,
                        "move_id": row.move_id,
                        "move_line_id": row.move_line_id,
                        "plan_line_id": row.plan_line_id,
                        "name": row.name,
                        "date_due": row.date_due,
                        "days_overdue": row.days_overdue,
                        "amount_residual": row.amount,
                        "amount_residual_currency": row.amount_currency,
                        "currency_id": row.currency_id,
                        "interest_amount": line_interest,
                        "discount_date": row.discount_date
                        if row.discount_date and row.discount_date >= today
                        else False,
                        "discount_amount_currency": (
                            row.discount_amount_currency
                            if row.discount_date and row.discount_date >= today
                            else 0.0
                        ),
                    }
                )
                for row, line_interest in zip(rows, interest, strict=True)
            ],
        }

    @api.model
    def _dunning_send(self, company, candidates, today, messages=None):
        """Record and send the reminders of ``candidates`` (with the e-mails
        edited in the preview, ``messages``: see ``_dunning_deliver``).  Each
        reminder is created under a savepoint: if another run recorded the
        same customer, level and day, or the same item at this level,
        meanwhile, the unique indexes refuse it and it is skipped, not sent
        twice."""
        Communication = self.env["settlement.dunning.communication"].sudo()
        sent = Communication.browse()
        for (customer, level), rows in candidates.items():
            values = self._dunning_communication_values(customer, level, rows, today)
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    communication = Communication.with_company(company).create(values)
                    communication.flush_recordset()
                    communication.line_ids.flush_recordset()
            except psycopg2.IntegrityError:
                continue
            sent |= communication
        self._dunning_deliver(sent, messages)
        return sent

    @api.model
    def _cron_settlement_dunning(self, batch_size=50):
        """Daily: send the reminders due, one batch of customers per call.  The
        work left is recomputed at every call from what is recorded, so a rerun
        the same day or a resumed crash sends nothing twice; the cron runner
        commits between batches."""
        # Every company's customers, whoever the cron user may access.
        self = self.sudo()
        today = fields.Date.context_today(self)
        some_customer_policy = self.env["res.partner"].search_count(
            [("settlement_dunning_policy_id", "!=", False)], limit=1
        )
        companies = self.env["res.company"].search([("active", "=", True)])
        done = remaining = 0
        for company in companies:
            if not company.settlement_dunning_policy_id and not some_customer_policy:
                continue
            candidates = self._dunning_candidates(company, today)
            customers = sorted({key[0].id for key in candidates})
            if done:
                # Work left in a later company: the runner must call again (a
                # last batch of one company is not the end of the run).
                remaining += len(customers)
                if remaining:
                    break
                continue
            if not customers:
                continue
            batch_ids = set(customers[:batch_size])
            batch = {
                key: rows for key, rows in candidates.items() if key[0].id in batch_ids
            }
            self._dunning_send(company, batch, today)
            done, remaining = len(batch_ids), len(customers) - len(batch_ids)
            if remaining:
                break
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    @api.model
    def _call_priority(self, amount, partner):
        return call_priority(amount, partner.settlement_risk_score or None)

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    @api.model
    def _dunning_deliver(self, communications, messages=None):
        """Everything new reminders do, in the run's transaction: the fee,
        each channel's delivery (``settlement.dunning.delivery._deliver``),
        the level's actions, the collector's next look and a note on the
        customer.  ``messages`` ({(customer id, level id): (subject, body)})
        holds the e-mails a collector edited in the preview."""
        for communication in communications:
            communication._invoice_fee()
        communications.delivery_ids._deliver(messages)
        for communication in communications:
            communication._apply_actions()
        partners_note = {
            communication.partner_id: communication for communication in communications
        }
        # The collector looks again at the earliest date any reminder asks.
        Partner = self.env["res.partner"]
        for company in communications.company_id:
            dates = {}
            for communication in communications.filtered(
                lambda reminder, company=company: reminder.company_id == company
            ):
                date = Partner._settlement_next_action_after_reminder(communication)
                partner = communication.partner_id
                dates[partner] = min(date, dates.get(partner, date))
            Partner._settlement_plan_next_action(company, dates)
        for partner, communication in partners_note.items():
            partner.message_post(
                body=self.env._(
                    "Reminder %(name)s sent: %(level)s.",
                    name=communication._get_html_link(),
                    level=communication.level_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
