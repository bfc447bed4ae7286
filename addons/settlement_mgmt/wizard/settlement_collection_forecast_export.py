import xlsxwriter

from odoo import fields, models
from odoo.exceptions import UserError

from ..lib.forecast import FORECAST_WEEKS
from ..models.settlement_xlsx_export_mixin import WorkbookStyles

# Customer, salesperson, then one column per week and the row's total.
FIRST_WEEK_COLUMN = 2


class SettlementCollectionForecastExport(models.TransientModel):
    """The current collections forecast as a workbook: one row per customer
    and salesperson, one column per week, totals; and a second sheet with
    last quarter's forecast against what was collected each week."""

    _name = "settlement.collection.forecast.export"
    _inherit = "settlement.xlsx.export.mixin"
    _description = "Collections Forecast Export"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    def _check_company(self):
        if self.company_id not in self.env.companies:
            raise UserError(
                self.env._("You can only export the forecast of a company you work in.")
            )

    def _workbook(self, path):
        self._check_company()
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
        styles = WorkbookStyles(workbook, self.env)
        self._forecast_sheet(styles)
        self._review_sheet(styles)
        workbook.close()

    def _forecast_sheet(self, styles):
        currency = self.company_id.currency_id
        Forecast = self.env["settlement.collection.forecast"]
        domain = [("company_id", "=", self.company_id.id), ("is_current", "=", True)]
        groups = Forecast._read_group(
            domain,
            ["partner_id", "user_id", "week_index"],
            ["amount:sum"],
        )
        first = Forecast.search(domain, limit=1)
        title = self.env._("Collections Forecast")
        sheet = styles.add_sheet(title)
        styles.write_heading(
            sheet,
            title,
            self.company_id.name,
            [
                (
                    self.env._("Forecast of"),
                    first.snapshot_date
                    or self.env._(
                        "No forecast yet: it is computed every night with the "
                        "receivables snapshot (or by Refresh on the dashboard)."
                    ),
                )
            ],
        )
        total_column = FIRST_WEEK_COLUMN + FORECAST_WEEKS
        header_row = 5
        # Rows in order: xlsxwriter's constant-memory mode writes a row out
        # as soon as the next one is started.
        sheet.write(header_row - 1, 0, self.env._("Week starting"), styles.bold)
        if first:
            for week in range(FORECAST_WEEKS):
                styles.write_date(
                    sheet,
                    header_row - 1,
                    FIRST_WEEK_COLUMN + week,
                    fields.Date.add(first.snapshot_date, days=7 * week),
                )
        sheet.write(header_row, 0, self.env._("Customer"), styles.header)
        sheet.write(header_row, 1, self.env._("Salesperson"), styles.header)
        sheet.set_column(0, 1, 24)
        sheet.set_column(FIRST_WEEK_COLUMN, total_column, 13)
        for week in range(FORECAST_WEEKS):
            sheet.write(
                header_row,
                FIRST_WEEK_COLUMN + week,
                self.env._("Week %(number)s", number=week + 1),
                styles.header,
            )
        sheet.write(header_row, total_column, self.env._("Total"), styles.header)
        by_row = {}
        for partner, user, week_index, amount in groups:
            by_row.setdefault((partner, user), {})[week_index] = amount
        money = styles.money(currency)
        sums = {}
        row = header_row + 1
        for (partner, user), weeks in sorted(
            by_row.items(),
            key=lambda pair: (pair[0][0].display_name or "", pair[0][1].id),
        ):
            sheet.write_string(row, 0, partner.display_name or "")
            sheet.write_string(row, 1, user.name or "")
            for week in range(FORECAST_WEEKS):
                column = FIRST_WEEK_COLUMN + week
                amount = weeks.get(week + 1, 0.0)
                sheet.write_number(row, column, amount, money)
                sums[column] = sums.get(column, 0.0) + amount
            row_total = currency.round(sum(weeks.values()))
            sheet.write_number(row, total_column, row_total, money)
            sums[total_column] = sums.get(total_column, 0.0) + row_total
            row += 1
        self._finish_sheet(
            sheet,
            header_row,
            row,
            total_column + 1,
            list(range(FIRST_WEEK_COLUMN, total_column + 1)),
            styles,
            {currency: sums},
        )

    def _review_sheet(self, styles):
        currency = self.company_id.currency_id
        reviews = self.env["settlement.collection.forecast.review"].search(
            [("company_id", "=", self.company_id.id)], order="week_start"
        )
        title = self.env._("Forecast vs Collected")
        sheet = styles.add_sheet(title)
        styles.write_heading(
            sheet,
            title,
            self.company_id.name,
            [
                (
                    self.env._("Forecast of"),
                    reviews[:1].snapshot_date
                    or self.env._(
                        "Nothing to compare yet: a forecast is compared once its "
                        "first week is over."
                    ),
                )
            ],
        )
        header_row = 4
        labels = [
            self.env._("Week starting"),
            self.env._("Forecast"),
            self.env._("Collected"),
            self.env._("Difference"),
        ]
        for column, label in enumerate(labels):
            sheet.write(header_row, column, label, styles.header)
        sheet.set_column(0, 3, 15)
        money = styles.money(currency)
        sums = {}
        row = header_row + 1
        for review in reviews:
            styles.write_date(sheet, row, 0, review.week_start)
            for column, amount in enumerate(
                (review.forecast_amount, review.collected_amount, review.difference),
                start=1,
            ):
                sheet.write_number(row, column, amount, money)
                sums[column] = sums.get(column, 0.0) + amount
            row += 1
        self._finish_sheet(
            sheet, header_row, row, len(labels), [1, 2, 3], styles, {currency: sums}
        )

    def action_export(self):
        self.ensure_one()
        return self._download_xlsx(self.env._("Collections Forecast"))
