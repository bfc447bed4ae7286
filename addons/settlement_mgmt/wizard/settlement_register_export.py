import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.settlement_xlsx_export_mixin import WorkbookStyles

BATCH = 2000
# Registers whose amounts are in each record's own currency; the others are
# in the company's.
CURRENCY_FIELDS = {"plans": "currency_id", "disputes": "currency_id"}


class SettlementRegisterExport(models.TransientModel):
    """The settlement registers as workbooks: instalment plans (one row per
    instalment), disputes, reminders with their fees, promises to pay, and
    credit exposure with risk grades.  Records are read in batches with their
    fields prefetched together and streamed into a constant-memory workbook."""

    _name = "settlement.register.export"
    _inherit = "settlement.xlsx.export.mixin"
    _description = "Settlement Register Export"

    register = fields.Selection(
        selection=[
            ("plans", "Instalment Plans"),
            ("disputes", "Disputes"),
            ("reminders", "Reminders and Fees"),
            ("promises", "Promises to Pay"),
            ("exposure", "Credit Exposure and Risk"),
            ("discounts", "Early Payment Discounts"),
            ("cases", "Collection Cases"),
            ("recoveries", "Collection Recoveries"),
        ],
        required=True,
        default="plans",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(help="Empty: from the beginning.")
    date_to = fields.Date(help="Empty: up to today.")

    @api.model
    def _registers(self):
        """register: (model, date field, [(label, field name, kind)])."""
        env = self.env
        return {
            "plans": (
                "settlement.instalment.plan.line",
                "date_due",
                [
                    (env._("Plan"), "plan_id.name", "text"),
                    (env._("Customer"), "plan_id.partner_id.name", "text"),
                    (env._("Status"), "plan_id.state", "selection"),
                    (env._("Due Date"), "date_due", "date"),
                    (env._("Currency"), "currency_id.name", "text"),
                    (env._("Amount"), "amount", "money"),
                    (env._("Paid"), "amount_paid", "money"),
                    (env._("Left to Pay"), "amount_residual", "money"),
                    (env._("Instalment Status"), "payment_state", "selection"),
                ],
            ),
            "disputes": (
                "settlement.dispute",
                "create_date",
                [
                    (env._("Number"), "name", "text"),
                    (env._("Customer"), "partner_id.name", "text"),
                    (env._("Invoice"), "move_id.name", "text"),
                    (env._("Reason"), "reason_id.name", "text"),
                    (env._("Status"), "state", "selection"),
                    (env._("Created on"), "create_date", "date"),
                    (env._("Currency"), "currency_id.name", "text"),
                    (env._("Disputed Amount"), "amount", "money"),
                    (env._("Accepted Amount"), "accepted_amount", "money"),
                    (env._("Resolved On"), "date_resolved", "date"),
                    (env._("Responsible"), "user_id.name", "text"),
                ],
            ),
            "reminders": (
                "settlement.dunning.communication",
                "date",
                [
                    (env._("Number"), "name", "text"),
                    (env._("Date"), "date", "date"),
                    (env._("Customer"), "partner_id.name", "text"),
                    (env._("Level"), "level_id.name", "text"),
                    (env._("Days Overdue"), "max_days_overdue", "number"),
                    (env._("Amount Reminded"), "amount_overdue", "money"),
                    (env._("Late Fee"), "fee_amount", "money"),
                    (env._("Interest"), "interest_amount", "money"),
                    (env._("Fee Invoice"), "fee_move_id.name", "text"),
                    (env._("Fee Waived"), "fee_waived", "bool"),
                    (env._("Delivery"), "delivery_state", "selection"),
                ],
            ),
            "promises": (
                "settlement.promise",
                "date_promised",
                [
                    (env._("Number"), "name", "text"),
                    (env._("Customer"), "partner_id.name", "text"),
                    (env._("Promised For"), "date_promised", "date"),
                    (env._("Amount"), "amount", "money"),
                    (env._("Paid Since"), "amount_paid", "money"),
                    (env._("Status"), "state", "selection"),
                    (env._("Channel"), "channel", "selection"),
                ],
            ),
            "exposure": (
                "res.partner",
                None,
                [
                    (env._("Customer"), "name", "text"),
                    (env._("Credit Limit"), "credit_limit", "money"),
                    (env._("Open Receivable"), "settlement_open_receivable", "money"),
                    (env._("Exposure"), "settlement_exposure", "money"),
                    (env._("Available Credit"), "settlement_available_credit", "money"),
                    (env._("Overdue"), "settlement_overdue_amount", "money"),
                    (
                        env._("Oldest Overdue Days"),
                        "settlement_oldest_overdue_days",
                        "number",
                    ),
                    (env._("Risk Grade"), "settlement_risk_grade", "selection"),
                    (env._("Risk Score"), "settlement_risk_score", "number"),
                    (env._("On Hold"), "settlement_on_hold", "bool"),
                ],
            ),
            "discounts": (
                "settlement.discount.analysis",
                "invoice_date",
                [
                    (env._("Invoice"), "move_id.name", "text"),
                    (env._("Invoice Date"), "invoice_date", "date"),
                    (env._("Customer"), "partner_id.name", "text"),
                    (env._("Salesperson"), "user_id.name", "text"),
                    (env._("Invoiced"), "amount_total", "money"),
                    (env._("Best Discount %"), "offered_percentage", "number"),
                    (env._("Discount Offered"), "offered_amount", "money"),
                    (env._("Discount % Taken"), "taken_percentage", "number"),
                    (env._("Discount Booked On"), "payment_date", "date"),
                    (env._("Discount Taken"), "taken_amount", "money"),
                    (env._("Status"), "state", "selection"),
                ],
            ),
            "cases": (
                "settlement.collection.case",
                "date_handover",
                [
                    (env._("Number"), "name", "text"),
                    (env._("Customer"), "partner_id.name", "text"),
                    (env._("Agency or Lawyer"), "handler_id.name", "text"),
                    (env._("Status"), "state", "selection"),
                    (env._("Handed Over On"), "date_handover", "date"),
                    (env._("Closed On"), "date_closed", "date"),
                    (env._("Commission (%)"), "commission_rate", "number"),
                    (env._("Handed Over"), "amount_handed_over", "money"),
                    (env._("Recovered (Gross)"), "amount_recovered", "money"),
                    (env._("Commission"), "amount_commission", "money"),
                    (env._("Written Off"), "amount_written_off", "money"),
                    (env._("Still Open"), "amount_open", "money"),
                ],
            ),
            "recoveries": (
                "settlement.collection.case.recovery",
                "date",
                [
                    (env._("Case"), "case_id.name", "text"),
                    (env._("Customer"), "partner_id.name", "text"),
                    (env._("Agency or Lawyer"), "case_id.handler_id.name", "text"),
                    (env._("Date"), "date", "date"),
                    (env._("Recovered (Gross)"), "amount_gross", "money"),
                    (env._("Commission"), "amount_commission", "money"),
                    (env._("Remitted (Net)"), "amount_net", "money"),
                    (env._("Journal"), "journal_id.name", "text"),
                    (env._("Payment"), "payment_id.name", "text"),
                    (env._("Commission Entry"), "commission_move_id.name", "text"),
                ],
            ),
        }

    def _domain(self, model, date_field):
        if model == "res.partner":
            return [("parent_id", "=", False), ("customer_rank", ">", 0)]
        domain = [("company_id", "=", self.company_id.id)]
        if date_field and self.date_from:
            domain.append((date_field, ">=", self.date_from))
        if date_field and self.date_to:
            domain.append((date_field, "<=", self.date_to))
        return domain

    def _records(self, model, domain):
        """Records in batches, each batch's fields fetched together."""
        Model = self.env[model].with_company(self.company_id)
        ids = Model.search(domain, order="id").ids
        for start in range(0, len(ids), BATCH):
            batch = Model.browse(ids[start : start + BATCH])
            yield from batch
            batch.invalidate_recordset()

    @staticmethod
    def _value(record, path):
        for name in path.split(".")[:-1]:
            record = record[name]
        return record[path.split(".")[-1]] if record else False

    def _workbook(self, path):
        self.ensure_one()
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(self.env._("The start of the period is after its end."))
        model, date_field, columns = self._registers()[self.register]
        labels = dict(self._fields["register"]._description_selection(self.env))
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
        styles = WorkbookStyles(workbook, self.env)
        company_currency = self.company_id.currency_id
        currency_field = CURRENCY_FIELDS.get(self.register)
        money_columns = [
            index for index, column in enumerate(columns) if column[2] == "money"
        ]
        # {currency: {column: sum}}, company currency first.
        totals = {company_currency: {}}
        sheet = styles.add_sheet(labels[self.register])
        styles.write_heading(
            sheet,
            labels[self.register],
            self.company_id.name,
            [(self.env._("Exported on"), fields.Date.context_today(self))],
        )
        header_row = 4
        for column, (label, _path, kind) in enumerate(columns):
            sheet.write(header_row, column, label, styles.header)
            sheet.set_column(
                column, column, 12 if kind in ("date", "number", "bool") else 18
            )
        Model = self.env[model]
        selections = {
            path: dict(Model._fields[path]._description_selection(self.env))
            for _label, path, kind in columns
            if kind == "selection" and "." not in path
        }
        for _label, path, kind in columns:
            if kind == "selection" and "." in path:
                first, name = path.split(".")
                target = self.env[Model._fields[first].comodel_name]
                selections[path] = dict(
                    target._fields[name]._description_selection(self.env)
                )
        row = header_row + 1
        for record in self._records(model, self._domain(model, date_field)):
            currency = (
                record[currency_field] if currency_field else None
            ) or company_currency
            sums = totals.setdefault(currency, {})
            money_format = styles.money(currency)
            for column, (_label, path, kind) in enumerate(columns):
                value = self._value(record, path)
                if kind == "date":
                    styles.write_date(sheet, row, column, value)
                elif kind == "money":
                    sheet.write_number(row, column, value or 0.0, money_format)
                    sums[column] = sums.get(column, 0.0) + (value or 0.0)
                elif kind == "number":
                    sheet.write_number(row, column, value or 0)
                elif kind == "bool":
                    sheet.write_boolean(row, column, bool(value))
                elif kind == "selection":
                    sheet.write_string(row, column, selections[path].get(value, ""))
                else:
                    sheet.write_string(row, column, value or "")
            row += 1
        if len(totals) > 1 and not totals[company_currency]:
            del totals[company_currency]
        paths = [column[1] for column in columns]
        self._finish_sheet(
            sheet,
            header_row,
            row,
            len(columns),
            money_columns,
            styles,
            totals,
            paths.index("currency_id.name") if "currency_id.name" in paths else None,
        )
        workbook.close()
        return row - header_row - 1

    def action_export(self):
        self.ensure_one()
        labels = dict(self._fields["register"]._description_selection(self.env))
        return self._download_xlsx(labels[self.register])
