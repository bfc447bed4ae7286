import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib.aging import BucketLayoutError, bucket_index, parse_boundaries
from ..models.settlement_xlsx_export_mixin import WorkbookStyles


class SettlementAgedReceivableExport(models.TransientModel):
    """Aged receivables as of any date in a workbook accountants trust: one
    set-based query streamed row by row into xlsxwriter (constant memory)."""

    _name = "settlement.aged.receivable.export"
    _inherit = "settlement.xlsx.export.mixin"
    _description = "Aged Receivables Export"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_at = fields.Date(
        string="As of", required=True, default=fields.Date.context_today
    )
    detail = fields.Boolean(
        string="One Row per Item", help="Otherwise one row per customer and currency."
    )
    aging_days = fields.Char(
        string="Aging Buckets",
        required=True,
        default=lambda self: self.env.company.settlement_aging_days,
        help="Day limits of the buckets, e.g. 30, 60, 90.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        relation="settlement_aged_export_partner_rel",
        string="Customers",
        help="Empty: every customer.",
    )
    user_ids = fields.Many2many(
        "res.users",
        relation="settlement_aged_export_user_rel",
        string="Salespersons",
        help="Empty: every salesperson.",
    )

    def _boundaries(self):
        try:
            return parse_boundaries(self.aging_days)
        except BucketLayoutError as error:
            raise UserError(
                self.env["res.company"]._aging_layout_message(error)
            ) from error

    @api.model
    def _rows_query(self, company, date_at, partners=None, users=None):
        """Every receivable item open on ``date_at`` with its residual then:
        reconciliations dated later are ignored."""
        filters = [SQL("item.amount_residual != 0")]
        if users:
            filters.append(SQL("move.invoice_user_id = ANY(%s)", users.ids))
        return SQL(
            """
            SELECT commercial.id, commercial.name, salesperson.name, currency.name,
                   currency.decimal_places, move.name, item.date, item.date_due,
                   item.amount_residual, item.amount_residual_currency
              FROM (%(items)s) item
              JOIN account_move move ON move.id = item.move_id
              JOIN res_partner commercial ON commercial.id = item.partner_id
              JOIN res_currency currency ON currency.id = item.currency_id
              LEFT JOIN res_users users ON users.id = move.invoice_user_id
              LEFT JOIN res_partner salesperson ON salesperson.id = users.partner_id
             WHERE %(filters)s
          ORDER BY commercial.name, commercial.id, currency.name,
                   item.date_due, item.id
            """,
            items=self.env["settlement.receivable.query"]._open_items_sql(
                company, date_at, partners=partners or None
            ),
            filters=SQL(" AND ").join(filters),
        )

    def _stream_rows(self, query, batch=5000):
        """Rows of ``query`` through a server-side cursor, so memory stays flat
        however many items there are."""
        # Odoo's cursor has no named-cursor API; psycopg2's runs in the same
        # transaction, so it sees what this transaction wrote.
        self.env.flush_all()
        # A cursor is planned for its first tenth of rows by default: here an
        # index walk in customer-name order with a nested loop per item, two
        # to three times slower than hashing when every row is read, as it is.
        self.env.cr.execute(SQL("SET LOCAL cursor_tuple_fraction = 1"))
        with self.env.cr._cnx.cursor(name="settlement_aged_export") as cursor:
            cursor.itersize = batch
            cursor.execute(query.code, query.params)
            yield from cursor

    def _headers(self, labels):
        env = self.env
        columns = [
            (env._("Customer"), 30),
            (env._("Salesperson"), 20),
            (env._("Currency"), 9),
        ]
        if self.detail:
            columns += [
                (env._("Document"), 20),
                (env._("Date"), 11),
                (env._("Due Date"), 11),
                (env._("Days Overdue"), 9),
                (env._("Amount in Currency"), 16),
            ]
        columns += [(label, 14) for label in labels]
        columns.append((env._("Total"), 16))
        return columns

    def _workbook(self, path):
        """Write the workbook to ``path``; returns the number of data rows."""
        self.ensure_one()
        boundaries = self._boundaries()
        labels = self.env["res.company"]._settlement_aging_labels(boundaries)
        company = self.company_id
        currency = company.currency_id
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
        styles = WorkbookStyles(workbook, self.env)
        date_format = styles.date
        money = styles.money(currency)
        # The amount in the item's own currency, with that currency's decimals.
        item_formats = {}

        def item_money(decimals):
            if decimals not in item_formats:
                item_formats[decimals] = styles.money_decimals(decimals)
            return item_formats[decimals]

        sheet = styles.add_sheet(self.env._("Aged Receivables"))
        columns = self._headers(labels)
        for index, (_label, width) in enumerate(columns):
            sheet.set_column(index, index, width)
        filters = ", ".join(
            self.partner_ids.mapped("name") + self.user_ids.mapped("name")
        )
        lines = [
            (self.env._("As of"), self.date_at),
            (self.env._("Amounts in"), currency.name),
        ]
        if filters:
            lines.append((self.env._("Filters"), filters))
        styles.write_heading(sheet, self.env._("Aged Receivables"), company.name, lines)
        header_row = 6
        for index, (label, _width) in enumerate(columns):
            sheet.write(header_row, index, label, styles.header_wrap)
        first_bucket = len(columns) - len(labels) - 1
        row = header_row + 1
        query = self._rows_query(
            company, self.date_at, self.partner_ids.commercial_partner_id, self.user_ids
        )
        summary = None

        # Column sums for the total row, in company currency.
        sums = [0.0] * (len(labels) + 1)

        def write_amounts(row, amounts):
            # Only the non-zero buckets: empty cells read as zero and keep
            # the file small.
            for offset, amount in enumerate(amounts):
                if amount:
                    sheet.write_number(row, first_bucket + offset, amount, money)
                sums[offset] += amount
            sheet.write_number(row, first_bucket + len(amounts), sum(amounts), money)
            sums[-1] += sum(amounts)

        date_at = self.date_at
        bucket_count = len(labels)
        detail = self.detail
        total_column = first_bucket + bucket_count
        # Bound once: the loop runs once per open item.
        write_string, write_number = sheet.write_string, sheet.write_number
        write_datetime = sheet.write_datetime
        for (
            partner_id,
            partner,
            salesperson,
            currency_name,
            currency_decimals,
            document,
            date,
            due,
            residual,
            residual_currency,
        ) in self._stream_rows(query):
            days = (date_at - due).days
            index = bucket_index(days, boundaries)
            if detail:
                # xlsxwriter takes date objects as they come from the cursor.
                write_string(row, 0, partner or "")
                write_string(row, 1, salesperson or "")
                write_string(row, 2, currency_name)
                write_string(row, 3, document or "")
                write_datetime(row, 4, date, date_format)
                write_datetime(row, 5, due, date_format)
                write_number(row, 6, days if days > 0 else 0)
                write_number(row, 7, residual_currency, item_money(currency_decimals))
                write_number(row, first_bucket + index, residual, money)
                write_number(row, total_column, residual, money)
                sums[index] += residual
                sums[-1] += residual
                row += 1
                continue
            key = (partner_id, currency_name)
            if summary and summary[0] != key:
                sheet.write_string(row, 0, summary[1] or "")
                sheet.write_string(row, 1, summary[2] or "")
                sheet.write_string(row, 2, summary[0][1])
                write_amounts(row, summary[3])
                row += 1
                summary = None
            if not summary:
                summary = [key, partner, salesperson, [0.0] * bucket_count]
            summary[3][index] += residual
        if summary:
            sheet.write_string(row, 0, summary[1] or "")
            sheet.write_string(row, 1, summary[2] or "")
            sheet.write_string(row, 2, summary[0][1])
            write_amounts(row, summary[3])
            row += 1
        self._finish_sheet(
            sheet,
            header_row,
            row,
            len(columns),
            range(first_bucket, len(columns)),
            styles,
            {currency: dict(zip(range(first_bucket, len(columns)), sums, strict=True))},
        )
        workbook.close()
        return row - header_row - 1

    def action_export(self):
        self.ensure_one()
        if self.date_at > fields.Date.context_today(self):
            raise UserError(
                self.env._("Aged receivables cannot be dated in the future.")
            )
        name = self.env._(
            "Aged Receivables %(date)s", date=fields.Date.to_string(self.date_at)
        )
        return self._download_xlsx(name)
