from odoo import api, models
from odoo.tools import SQL

TABLE = "settlement_receivable_item"
STALE_TABLE = "settlement_receivable_item_stale"
REFRESH_TRIGGER = "settlement_receivable_item_refresh"

# The columns of the table, in the order of ``_items_sql``'s SELECT.
COLUMNS = (
    ("id", "integer PRIMARY KEY"),
    ("name", "varchar"),
    ("partner_id", "integer NOT NULL"),
    ("company_id", "integer NOT NULL"),
    ("company_currency_id", "integer"),
    ("currency_id", "integer"),
    ("move_id", "integer"),
    ("move_line_id", "integer"),
    ("plan_id", "integer"),
    ("plan_line_id", "integer"),
    ("date_due", "date"),
    ("amount_residual", "numeric"),
    ("amount_residual_currency", "numeric"),
    ("amount_net", "numeric"),
    ("amount_net_currency", "numeric"),
    ("discount_date", "date"),
    ("discount_amount_currency", "numeric"),
    ("tier_until", "date"),
)

# The trigger function marking the customers of changed plan lines and plan
# invoices (the other markers are in MARKERS).
PLAN_ROW_MARKER = "settlement_receivable_item_mark_plan_rows"

# The PostgreSQL functions the addon owns (dropping them drops their triggers):
# the uninstall hook removes them with the core tables' triggers.
FUNCTIONS = (
    "settlement_receivable_item_refresh(integer[])",
    "settlement_receivable_item_refresh_pending()",
    "settlement_receivable_item_refresh_stale()",
    "settlement_receivable_item_sync()",
    "settlement_receivable_item_mark_lines()",
    "settlement_receivable_item_mark_moves()",
    "settlement_receivable_item_mark_partners()",
    "settlement_receivable_item_mark_plans()",
    f"{PLAN_ROW_MARKER}()",
    "settlement_receivable_item_mark_discounts()",
)

RECEIVABLE_ACCOUNTS = (
    "(SELECT id FROM account_account WHERE account_type = 'asset_receivable')"
)

# Journal item columns the schedule reads: an update that changes none of
# them (a label, an analytic distribution) leaves the schedule alone.
LINE_COLUMNS = (
    "partner_id account_id parent_state reconciled amount_residual "
    "amount_residual_currency date_maturity date company_id currency_id "
    "company_currency_id name move_id discount_date discount_amount_currency"
).split()


def _planned_each_time(statement):
    """PL/pgSQL running ``statement`` through EXECUTE: planned for this
    statement's rows.  A static query without parameters keeps the plan of its
    first run in the session, made for the transition table of that run (a
    row or two: a nested loop); an UPDATE of 200,000 journal entries later in
    the same session ran that plan for 30 minutes instead of seconds."""
    return f"EXECUTE $statement${statement.rstrip().rstrip(';')}$statement$;"


def _row(alias, columns):
    return "ROW(" + ", ".join(f"{alias}.{column}" for column in columns) + ")"


# {trigger function: (table, SQL selecting the customers touched by the
# rows of ``{rows}``, per statement, or None for the update's own SQL)}
MARKERS = {
    "settlement_receivable_item_mark_lines": (
        "account_move_line",
        f"""SELECT changed.partner_id FROM {{rows}} changed
             WHERE changed.partner_id IS NOT NULL
               AND changed.parent_state = 'posted'
               AND changed.account_id IN {RECEIVABLE_ACCOUNTS}""",
        f"""SELECT side.partner_id
              FROM old_rows was JOIN new_rows now ON now.id = was.id
              CROSS JOIN LATERAL (VALUES
                    (was.partner_id, was.parent_state, was.account_id),
                    (now.partner_id, now.parent_state, now.account_id)
                   ) AS side(partner_id, parent_state, account_id)
             WHERE {_row("was", LINE_COLUMNS)}
                   IS DISTINCT FROM {_row("now", LINE_COLUMNS)}
               AND side.partner_id IS NOT NULL
               AND side.parent_state = 'posted'
               AND side.account_id IN {RECEIVABLE_ACCOUNTS}""",
    ),
    "settlement_receivable_item_mark_moves": (
        "account_move",
        # the schedule shows the move's number and reads its payment state
        None,
        """SELECT now.commercial_partner_id
              FROM old_rows was JOIN new_rows now ON now.id = was.id
             WHERE (was.name, was.payment_state, was.state)
                   IS DISTINCT FROM (now.name, now.payment_state, now.state)
               AND now.commercial_partner_id IS NOT NULL
               AND 'posted' IN (was.state, now.state)""",
    ),
    "settlement_receivable_item_mark_partners": (
        "res_partner",
        # a contact moving to another company takes its items along
        None,
        """SELECT side.partner_id
              FROM old_rows was JOIN new_rows now ON now.id = was.id
              CROSS JOIN LATERAL (VALUES (was.commercial_partner_id),
                                         (now.commercial_partner_id),
                                         (now.id)) AS side(partner_id)
             WHERE was.commercial_partner_id IS DISTINCT FROM
                   now.commercial_partner_id
               AND side.partner_id IS NOT NULL""",
    ),
    "settlement_receivable_item_mark_plans": (
        "settlement_instalment_plan",
        "SELECT changed.partner_id FROM {rows} changed",
        None,
    ),
    "settlement_receivable_item_mark_discounts": (
        "settlement_invoice_discount",
        """SELECT move.commercial_partner_id FROM {rows} changed
              JOIN account_move move ON move.id = changed.move_id""",
        None,
    ),
}

# Plan lines and the plan's invoices (tables holding a plan column, and its
# name): their rows touch the plan's customer (see ``_install_plan_row_marker``).
PLAN_ROW_TABLES = (
    ("settlement_instalment_plan_line", "plan_id"),
    ("account_move_settlement_instalment_plan_rel", "settlement_instalment_plan_id"),
)


class SettlementReceivableItemStore(models.Model):
    """How the due schedule's table stays equal to the ledger.

    Recomputing the schedule over the whole ledger for every page cost
    seconds at 10,000 customers, and its cost grew with the data.  The rows
    are kept in a table instead, one customer at a time:

    * statement triggers on the tables the schedule reads (journal items,
      journal entries, contacts, plans, plan lines, plan invoices, discount
      tiers) write the customers a statement touched into
      ``settlement_receivable_item_stale``, whatever wrote them (the ORM, a
      core SQL update, an import);
    * at commit, a deferred constraint trigger recomputes those customers
      with :meth:`_items_sql` (rows that did not change are not written, so
      two payments of one customer at the same time rarely collide) and
      empties the stale list;
    * a reader in the same transaction does it first (:meth:`_sync`, called
      by every flush of the model), and also recomputes the customers whose
      discount tier ran out since (``tier_until`` before today).

    Installing or updating the addon rebuilds the whole table.  What no
    trigger watches -- an account changing type, a currency its decimals --
    is caught by that rebuild (``./dev`` update, ``-u settlement_mgmt``).
    A read-only transaction (a replica) reads the table as the last commit
    left it, unless something is stale: see :meth:`_sync`.
    """

    _inherit = "settlement.receivable.item"

    def init(self):
        result = super().init()
        # Other tables the triggers watch (plans, discount tiers) are created
        # later in the same update: install once every model has its table.
        self.pool.post_init(self._install_store)
        return result

    @api.model
    def _fire_pending(self):
        """Run the refresh the transaction owes now (PostgreSQL refuses to
        drop a trigger that still has events to fire)."""
        cr = self.env.cr
        cr.execute(SQL("SELECT 1 FROM pg_trigger WHERE tgname = %s", REFRESH_TRIGGER))
        if cr.fetchone():
            cr.execute(
                SQL(
                    f"SET CONSTRAINTS {REFRESH_TRIGGER} IMMEDIATE; "
                    f"SET CONSTRAINTS {REFRESH_TRIGGER} DEFERRED"
                )
            )

    @api.model
    def _install_store(self):
        cr = self.env.cr
        self._fire_pending()
        columns = SQL(", ").join(
            SQL(f"{name} {kind}") for name, kind in COLUMNS
        )  # fmt: skip
        cr.execute(SQL("DROP TABLE IF EXISTS %s CASCADE", SQL.identifier(TABLE)))
        cr.execute(SQL("CREATE TABLE %s (%s)", SQL.identifier(TABLE), columns))
        cr.execute(
            SQL(
                f"""
            CREATE INDEX ON {TABLE} (partner_id);
            CREATE INDEX ON {TABLE} (company_id, date_due);
            CREATE INDEX ON {TABLE} (move_line_id);
            CREATE INDEX ON {TABLE} (move_id);
            CREATE INDEX ON {TABLE} (tier_until) WHERE tier_until IS NOT NULL;
            CREATE TABLE IF NOT EXISTS {STALE_TABLE} (partner_id integer NOT NULL);
            CREATE INDEX IF NOT EXISTS {STALE_TABLE}_partner_id_index
                ON {STALE_TABLE} (partner_id);
            """
            )
        )
        cr.execute(self._refresh_function_sql())
        cr.execute(
            SQL(
                f"""
            CREATE OR REPLACE FUNCTION settlement_receivable_item_refresh_pending()
            RETURNS integer LANGUAGE plpgsql AS $fn$
            DECLARE
                customers integer[];
            BEGIN
                WITH gone AS (DELETE FROM {STALE_TABLE} RETURNING partner_id)
                SELECT array_agg(DISTINCT COALESCE(partner.commercial_partner_id,
                                                   gone.partner_id))
                  INTO customers
                  FROM gone LEFT JOIN res_partner partner
                    ON partner.id = gone.partner_id;
                IF customers IS NULL THEN
                    RETURN 0;
                END IF;
                PERFORM settlement_receivable_item_refresh(customers);
                RETURN cardinality(customers);
            END $fn$;

            CREATE OR REPLACE FUNCTION settlement_receivable_item_refresh_stale()
            RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                PERFORM settlement_receivable_item_refresh_pending();
                RETURN NULL;
            END $fn$;

            CREATE OR REPLACE FUNCTION settlement_receivable_item_sync()
            RETURNS integer LANGUAGE plpgsql AS $fn$
            BEGIN
                INSERT INTO {STALE_TABLE} (partner_id)
                SELECT DISTINCT item.partner_id FROM {TABLE} item
                 WHERE item.tier_until < CURRENT_DATE;
                RETURN settlement_receivable_item_refresh_pending();
            END $fn$;

            DROP TRIGGER IF EXISTS {REFRESH_TRIGGER} ON {STALE_TABLE};
            CREATE CONSTRAINT TRIGGER {REFRESH_TRIGGER}
                AFTER INSERT ON {STALE_TABLE}
                DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW
                EXECUTE FUNCTION settlement_receivable_item_refresh_stale();
            """
            )
        )
        for function, (table, on_rows, on_update) in MARKERS.items():
            self._install_marker(function, table, on_rows, on_update)
        self._install_plan_row_marker(PLAN_ROW_MARKER)
        # Everything up to date now: the rebuild marks nothing stale.
        cr.execute(SQL("SELECT settlement_receivable_item_refresh(NULL)"))
        cr.execute(SQL(f"DELETE FROM {STALE_TABLE}"))
        self.invalidate_model(flush=False)

    def _install_marker(self, function, table, on_rows, on_update):
        insert = (
            f"INSERT INTO {STALE_TABLE} (partner_id) "
            "SELECT DISTINCT touched.partner_id "
            "FROM ({select}) AS touched(partner_id) WHERE NOT EXISTS ("
            f"SELECT 1 FROM {STALE_TABLE} stale "
            "WHERE stale.partner_id = touched.partner_id);"
        )
        body = []
        if on_rows:
            for operation, rows in (("INSERT", "new_rows"), ("DELETE", "old_rows")):
                select = on_rows.format(rows=rows)
                body.append(
                    f"IF TG_OP = '{operation}' THEN "
                    + _planned_each_time(insert.format(select=select))
                    + " END IF;"
                )
        update = on_update or (
            on_rows.format(rows="old_rows")
            + " UNION "
            + on_rows.format(rows="new_rows")
        )
        body.append(
            "IF TG_OP = 'UPDATE' THEN "
            + _planned_each_time(insert.format(select=update))
            + " END IF;"
        )
        self._create_marker(function, [table], body, with_rows=bool(on_rows))

    def _install_plan_row_marker(self, function):
        insert = (
            f"INSERT INTO {STALE_TABLE} (partner_id) SELECT DISTINCT plan.partner_id "
            "FROM {rows} changed JOIN settlement_instalment_plan plan "
            "ON plan.id = changed.{column} WHERE NOT EXISTS ("
            f"SELECT 1 FROM {STALE_TABLE} stale "
            "WHERE stale.partner_id = plan.partner_id);"
        )
        body = []
        for table, column in PLAN_ROW_TABLES:
            for operation, rows in (("INSERT", "new_rows"), ("DELETE", "old_rows")):
                body.append(
                    f"IF TG_TABLE_NAME = '{table}' "
                    f"AND TG_OP IN ('{operation}', 'UPDATE') THEN "
                    + _planned_each_time(insert.format(rows=rows, column=column))
                    + " END IF;"
                )
        self._create_marker(
            function, [table for table, _column in PLAN_ROW_TABLES], body
        )

    def _create_marker(self, function, tables, body, with_rows=True):
        cr = self.env.cr
        cr.execute(
            SQL(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger "
                "LANGUAGE plpgsql AS $fn$ BEGIN "
                + " ".join(body)
                + " RETURN NULL; END $fn$;"
            )
        )
        for table in tables:
            for operation in ("INSERT", "UPDATE", "DELETE"):
                if operation != "UPDATE" and not with_rows:
                    continue
                trigger = f"{function}_{operation.lower()}"
                referencing = {
                    "INSERT": "NEW TABLE AS new_rows",
                    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                    "DELETE": "OLD TABLE AS old_rows",
                }[operation]
                cr.execute(
                    SQL(
                        f"""
                    DROP TRIGGER IF EXISTS {trigger} ON {table};
                    CREATE TRIGGER {trigger} AFTER {operation} ON {table}
                        REFERENCING {referencing}
                        FOR EACH STATEMENT EXECUTE FUNCTION {function}();
                    """
                    )
                )

    def _refresh_function_sql(self):
        """SQL creating ``settlement_receivable_item_refresh(customers)``:
        rewrite the rows of those commercial partners (all, for NULL) as
        :meth:`_items_sql` computes them, leaving equal rows untouched."""
        names = [name for name, _kind in COLUMNS]
        columns = ", ".join(names)
        changed = ", ".join(f"{name} = EXCLUDED.{name}" for name in names[1:])
        differs = (
            f"({', '.join(f'{TABLE}.{name}' for name in names[1:])}) IS DISTINCT FROM "
            f"({', '.join(f'EXCLUDED.{name}' for name in names[1:])})"
        )

        def rewrite(partners, kept):
            query = SQL(
                f"""
                WITH fresh AS (%(items)s),
                gone AS (
                    DELETE FROM {TABLE} item
                     WHERE %(kept)s
                       AND NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.id = item.id)
                )
                INSERT INTO {TABLE} ({columns})
                SELECT {columns} FROM fresh
                    ON CONFLICT (id) DO UPDATE SET {changed} WHERE {differs};
                """,
                items=self._items_sql(partners),
                kept=kept,
            )
            return self.env.cr.mogrify(query).decode()

        every = rewrite(None, SQL("TRUE"))
        some = rewrite(SQL("customers"), SQL("item.partner_id = ANY(customers)"))
        return SQL(
            f"""
            CREATE OR REPLACE FUNCTION settlement_receivable_item_refresh(
                customers integer[])
            RETURNS void LANGUAGE plpgsql AS $fn$
            BEGIN
                IF customers IS NULL THEN
                    {every}
                ELSE
                    {some}
                END IF;
            END $fn$;
            """.replace("%", "%%")
        )

    @api.model
    def _owes_sync(self):
        self.env.cr.execute(
            SQL(
                f"""SELECT EXISTS (SELECT 1 FROM {STALE_TABLE})
                        OR EXISTS (SELECT 1 FROM {TABLE}
                                    WHERE tier_until < CURRENT_DATE)"""
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _cron_settlement_sync(self):
        """Daily, just after midnight: recompute the customers whose discount
        tier ended (and anything a crashed transaction left stale), so that
        the day's read-only requests find the table up to date."""
        refreshed = self._sync()
        self.env["ir.cron"]._notify_progress(done=refreshed, remaining=0)
        return refreshed

    @api.model
    def _after_sync(self, query):
        """``query`` preceded by :meth:`_sync` in the same round trip (the
        credit check on posting reads the schedule in one go)."""
        if self.env.cr.readonly:
            return query
        return SQL("SELECT settlement_receivable_item_sync(); %s", query)

    @api.model
    def _sync(self):
        """Recompute, in this transaction, the customers its writes touched
        and those whose discount tier ran out.

        A read-only cursor (Odoo 18 serves ``web_search_read`` and reports on
        one, on a replica when there is one) usually finds nothing to do: the
        table is brought up to date at every commit.  When it does find
        something -- its own transaction's writes in a test, a tier that ran
        out since the last commit -- the write is refused
        (ReadOnlySqlTransaction) and Odoo serves the request again on a
        read/write cursor, which syncs: a stale schedule is never shown."""
        if self.env.cr.readonly and not self._owes_sync():
            return 0
        self.env.cr.execute(SQL("SELECT settlement_receivable_item_sync()"))
        refreshed = self.env.cr.fetchone()[0]
        if refreshed:
            self.invalidate_model(flush=False)
        return refreshed
