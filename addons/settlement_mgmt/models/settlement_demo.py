import logging
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

DEMO_LANGUAGES = ("fa_IR", "ar_001", "he_IL")
# Set once the documents exist: the loader runs again on each module update
# (./dev demo updates an existing demo database) and must not duplicate them.
DEMO_ANALYTICS_LOADED_KEY = "settlement_mgmt.demo_analytics_loaded"
DEMO_LOADED_KEY = "settlement_mgmt.demo_documents_loaded"

# (customer, invoice age in days, payment term days or term xml id, product, quantity,
#  share paid, state).  Ages are counted back from the day the demo is installed so
#  that the aging, dunning and statement screens always have current examples.
DEMO_INVOICES = (
    ("demo_partner_northwind", 210, 30, "demo_product_maintenance", 1, 1.0, "posted"),
    ("demo_partner_northwind", 95, 30, "demo_product_consulting", 4, 0.5, "posted"),
    ("demo_partner_northwind", 40, 30, "demo_product_pump", 3, 0.0, "posted"),
    ("demo_partner_northwind", 8, 30, "demo_product_consulting", 6, 0.0, "posted"),
    ("demo_partner_bluewater", 60, 15, "demo_product_pump", 8, 1.0, "posted"),
    ("demo_partner_bluewater", 20, 15, "demo_product_pump", 5, 0.0, "posted"),
    ("demo_partner_bluewater", 2, 15, "demo_product_consulting", 2, 0.0, "draft"),
    ("demo_partner_aria", 150, 30, "demo_product_maintenance", 2, 0.0, "posted"),
    ("demo_partner_aria", 70, 30, "demo_product_pump", 6, 0.25, "posted"),
    (
        "demo_partner_aria",
        45,
        "account.account_payment_term_advance_60days",
        "demo_product_consulting",
        10,
        0.0,
        "posted",
    ),
    (
        "demo_partner_aria",
        5,
        "account.account_payment_term_30days_early_discount",
        "demo_product_pump",
        4,
        0.0,
        "posted",
    ),
    ("demo_partner_mehregan", 35, 30, "demo_product_consulting", 3, 0.0, "posted"),
    ("demo_partner_mehregan", 12, 30, "demo_product_pump", 2, 0.0, "cancel"),
    ("demo_partner_nukhba", 125, 30, "demo_product_pump", 10, 0.6, "posted"),
    ("demo_partner_nukhba", 80, 45, "demo_product_maintenance", 1, 0.0, "posted"),
    ("demo_partner_nukhba", 25, 30, "demo_product_consulting", 5, 1.0, "posted"),
    ("demo_partner_nukhba", 3, 30, "demo_product_pump", 2, 0.0, "posted"),
    ("demo_partner_riyadh", 100, 60, "demo_product_pump", 12, 0.0, "posted"),
    ("demo_partner_riyadh", 15, 30, "demo_product_maintenance", 1, 0.0, "draft"),
    ("demo_partner_alon", 185, 30, "demo_product_consulting", 8, 0.0, "posted"),
    ("demo_partner_alon", 65, 30, "demo_product_maintenance", 1, 0.4, "posted"),
    ("demo_partner_alon", 33, 30, "demo_product_pump", 2, 0.0, "posted"),
    ("demo_partner_alon", 1, 30, "demo_product_consulting", 2, 0.0, "posted"),
    ("demo_partner_galil", 50, 30, "demo_product_pump", 4, 1.0, "posted"),
    ("demo_partner_galil", 28, 30, "demo_product_consulting", 3, 0.0, "posted"),
)

# (customer, invoice age in days, product, quantity, paid how many days after the
#  invoice date with the discount then running, or None): tiered discount examples.
DEMO_DISCOUNT_INVOICES = (
    ("demo_partner_northwind", 70, "demo_product_consulting", 2, 5),
    ("demo_partner_northwind", 50, "demo_product_pump", 1, 12),
    ("demo_partner_bluewater", 45, "demo_product_maintenance", 1, None),
    ("demo_partner_galil", 40, "demo_product_consulting", 1, 6),
    ("demo_partner_mehregan", 9, "demo_product_pump", 2, None),
    ("demo_partner_nukhba", 3, "demo_product_consulting", 1, None),
)
DEMO_DISCOUNTS_LOADED_KEY = "settlement_mgmt.demo_discounts_loaded"

# How late each customer pays what it pays, in days after the due date: gives the
# risk scores a spread from A to E.
DEMO_PAYMENT_DELAYS = {
    "demo_partner_northwind": 0,
    "demo_partner_bluewater": 12,
    "demo_partner_nukhba": 45,
    "demo_partner_alon": 30,
    "demo_partner_galil": 3,
    "demo_partner_aria": 60,
}

# (customer, age in days, product, quantity): open credit notes.
DEMO_CREDIT_NOTES = (
    ("demo_partner_northwind", 30, "demo_product_consulting", 1),
    ("demo_partner_alon", 20, "demo_product_pump", 1),
)


class SettlementDemo(models.AbstractModel):
    _name = "settlement.demo"
    _description = "Receivables Settlement Demo Data"

    @api.model
    def _load_demo(self):
        company = self.env.ref("base.main_company")
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        if not journal:
            _logger.warning(
                "settlement_mgmt demo: no sales journal (no chart of accounts?)"
            )
            return
        self._install_demo_languages()
        parameters = self.env["ir.config_parameter"].sudo()
        demo = self.with_company(company)
        today = fields.Date.context_today(demo)
        if not parameters.get_param(DEMO_DISCOUNTS_LOADED_KEY):
            parameters.set_param(DEMO_DISCOUNTS_LOADED_KEY, "1")
            demo._load_demo_discounts(journal, today)
        if parameters.get_param(DEMO_LOADED_KEY):
            demo._load_demo_analytics(company)
            return
        parameters.set_param(DEMO_LOADED_KEY, "1")
        invoices = demo.env["account.move"]
        payments_due = []
        for xmlid, age, term, product, quantity, paid_share, state in DEMO_INVOICES:
            invoice = demo._create_demo_move(
                "out_invoice",
                journal,
                xmlid,
                today - timedelta(days=age),
                product,
                quantity,
                term,
            )
            invoices |= invoice
            if state == "posted":
                invoice.action_post()
            elif state == "cancel":
                invoice.button_cancel()
            if paid_share:
                paid_on = invoice.invoice_date_due + timedelta(
                    days=DEMO_PAYMENT_DELAYS.get(xmlid, 0)
                )
                payments_due.append((invoice, paid_share, min(today, paid_on)))
        for xmlid, age, product, quantity in DEMO_CREDIT_NOTES:
            refund = demo._create_demo_move(
                "out_refund",
                journal,
                xmlid,
                today - timedelta(days=age),
                product,
                quantity,
                None,
            )
            refund.action_post()
        for invoice, share, payment_date in payments_due:
            demo._pay_demo_invoice(invoice, share, payment_date)
        demo._load_demo_disputes(invoices)
        demo._load_demo_plans(invoices)
        demo._load_demo_plan_request()
        demo._load_demo_credit_control(company)
        demo._load_demo_dunning(company)
        demo._load_demo_analytics(company)
        _logger.info("settlement_mgmt demo: %s invoices created", len(invoices))

    def _load_demo_analytics(self, company):
        """What the nightly jobs would show: snapshots of today and the last
        month ends, the monthly KPIs, the late-payment model and its
        predictions, and the alerts (once per database)."""
        parameters = self.env["ir.config_parameter"].sudo()
        if parameters.get_param(DEMO_ANALYTICS_LOADED_KEY):
            return
        parameters.set_param(DEMO_ANALYTICS_LOADED_KEY, "1")
        self.env["settlement.receivable.snapshot"]._cron_settlement_snapshots()
        self.env["settlement.payment.prediction"]._cron_settlement_predictions()

    def _load_demo_discounts(self, journal, today):
        """Invoices on the tiered term: paid in the first tier, in the second,
        too late, and still open."""
        for xmlid, age, product, quantity, paid_after in DEMO_DISCOUNT_INVOICES:
            invoice = self._create_demo_move(
                "out_invoice",
                journal,
                xmlid,
                today - timedelta(days=age),
                product,
                quantity,
                "settlement_mgmt.demo_payment_term_tiered",
            )
            invoice.action_post()
            if paid_after is not None:
                # No amount given: the wizard proposes the discounted one.
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoice.ids
                ).create(
                    {"payment_date": invoice.invoice_date + timedelta(days=paid_after)}
                )._create_payments()

    def _load_demo_disputes(self, invoices):
        """An open dispute raised on the portal, one accepted in part with a
        credit note, one rejected."""
        Dispute = self.env["settlement.dispute"]

        def open_invoice(partner_xmlid):
            partner = self.env.ref(f"settlement_mgmt.{partner_xmlid}")
            return invoices.filtered(
                lambda move: move.partner_id == partner
                and move.state == "posted"
                and move.amount_residual > 0
            )[-1:]

        aria = open_invoice("demo_partner_aria")
        Dispute.create(
            {
                "move_id": aria.id,
                "reason_id": self.env.ref("settlement_mgmt.dispute_reason_damaged").id,
                "amount": min(aria.amount_residual, 1375.0),
                "source": "portal",
                "description": "<p>یکی از پمپ‌ها با بدنه ترک‌خورده تحویل شد.</p>",
            }
        )
        northwind = open_invoice("demo_partner_northwind")
        accepted = Dispute.create(
            {
                "move_id": northwind.id,
                "reason_id": self.env.ref("settlement_mgmt.dispute_reason_price").id,
                "amount": min(northwind.amount_residual, 950.0),
                "description": "<p>One consulting day was invoiced twice.</p>",
            }
        )
        accepted._accept(
            accepted.amount, "Duplicate day confirmed by the project lead."
        )
        alon = open_invoice("demo_partner_alon")
        rejected = Dispute.create(
            {
                "move_id": alon.id,
                "reason_id": self.env.ref(
                    "settlement_mgmt.dispute_reason_already_paid"
                ).id,
                "amount": min(alon.amount_residual, 500.0),
                "description": "<p>שילמנו את החשבונית הזו בהעברה בנקאית.</p>",
            }
        )
        rejected._reject("No transfer with this reference reached our bank account.")

    def _load_demo_plans(self, invoices):
        """An active three-month plan for Mehregan's overdue invoice."""
        partner = self.env.ref("settlement_mgmt.demo_partner_mehregan")
        moves = invoices.filtered(
            lambda move: move.partner_id == partner
            and move.state == "posted"
            and move.amount_residual > 0
        )
        if not moves:
            return
        wizard = (
            self.env["settlement.instalment.plan.create"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create(
                {
                    "instalment_count": 3,
                    "frequency": "monthly",
                    "first_date": fields.Date.context_today(self) + timedelta(days=7),
                }
            )
        )
        plan = self.env["settlement.instalment.plan"].browse(
            wizard.action_create()["res_id"]
        )
        plan.note = "سه قسط ماهانه، طبق توافق تلفنی با مدیر مالی."
        plan.action_activate()

    def _load_demo_plan_request(self):
        """Alon's portal user requests a four-month plan on the portal, with
        no down payment: outside the rules, it waits for a credit controller."""
        user = self.env.ref(
            "settlement_mgmt.demo_user_portal_he", raise_if_not_found=False
        )
        if not user:
            return
        company = self.env.company
        Plan = self.env["settlement.instalment.plan"].with_user(user)
        partner = user.partner_id.commercial_partner_id
        invoices = Plan._portal_request_invoices(partner, company)
        invoices = invoices.filtered(
            lambda move: move.currency_id == invoices[:1].currency_id
        )
        if not invoices:
            return
        try:
            with self.env.cr.savepoint():
                Plan.with_context(lang=user.lang)._portal_request_create(
                    partner,
                    company,
                    invoices.ids,
                    4,
                    "monthly",
                    fields.Date.context_today(self) + timedelta(days=14),
                    0.0,
                )
        except UserError as error:
            _logger.warning("settlement_mgmt demo: no plan request (%s)", error)

    def _load_demo_credit_control(self, company):
        # Block over the limit, and hold customers with items over 90 days late.
        company.write(
            {"settlement_credit_policy": "limit_overdue", "settlement_overdue_days": 90}
        )
        self.env["settlement.credit.hold"].create(
            {
                "partner_id": self.env.ref("settlement_mgmt.demo_partner_riyadh").id,
                "company_id": company.id,
                "reason": "Cheque returned unpaid by the bank; waiting for a transfer.",
            }
        )
        self.env["settlement.credit.hold"]._cron_settlement_credit_holds()
        self.env["settlement.risk.score"]._recompute(company)

    def _load_demo_dunning(self, company):
        """Late fee and interest on the final notice, today's reminders, an open
        promise to pay and one broken earlier."""
        self.env.ref("settlement_mgmt.dunning_level_final").write(
            {
                "fee_type": "fixed",
                "fee_fixed": 25.0,
                "interest_rate": 8.0,
                "interest_grace_days": 10,
            }
        )
        Promise = self.env["settlement.promise"]
        today = fields.Date.context_today(self)
        Promise.create(
            {
                "partner_id": self.env.ref("settlement_mgmt.demo_partner_bluewater").id,
                "company_id": company.id,
                "amount": 2000.0,
                "date_promised": today + timedelta(days=6),
                "channel": "phone",
                "note": "Finance director: transfer planned after their month end.",
            }
        )
        broken = Promise.create(
            {
                "partner_id": self.env.ref("settlement_mgmt.demo_partner_alon").id,
                "company_id": company.id,
                "amount": 1500.0,
                "date_promised": today,
                "channel": "email",
            }
        )
        # Promised a month ago and never paid.
        self.env.cr.execute(
            "UPDATE settlement_promise SET date_promised = %s WHERE id = %s",
            (today - timedelta(days=30), broken.id),
        )
        broken.invalidate_recordset()
        Promise._cron_settlement_promises()
        self._load_demo_portal_promise(company, today)
        # Monthly statements for the Persian and Hebrew customers, the Persian
        # one in Persian digits (its dates are Jalali by default).
        self.env.ref("settlement_mgmt.demo_partner_aria").write(
            {"settlement_statement_opt_in": True, "settlement_native_digits": True}
        )
        self.env.ref(
            "settlement_mgmt.demo_partner_alon"
        ).settlement_statement_opt_in = True
        # Installing runs no web server for wkhtmltopdf to fetch the report
        # styles from: PDFs made now would print unstyled (and log network
        # errors).  The demo's first reminders go by e-mail and call only;
        # their letters are printed from each reminder later, styled.
        levels = self.env["settlement.dunning.level"].search(
            [("company_id", "=", company.id)]
        )
        printed = ("attach_invoices", "attach_statement")
        kept = {level: {name: level[name] for name in printed} for level in levels}
        letters = levels.channel_ids.filtered(lambda line: line.channel == "letter")
        kept_letters = letters.copy_data()
        letters.unlink()
        levels.write(dict.fromkeys(printed, False))
        Engine = self.env["settlement.dunning.engine"]
        Engine._dunning_send(company, Engine._dunning_candidates(company), today)
        for level, values in kept.items():
            level.write(values)
        self.env["settlement.dunning.level.channel"].create(kept_letters)
        self.env["settlement.risk.score"]._recompute(company)

    def _load_demo_portal_promise(self, company, today):
        """The Arabic customer promised on the portal, within the company's
        rules, to pay its oldest overdue invoice in ten days."""
        Promise = self.env["settlement.promise"]
        nukhba = self.env.ref("settlement_mgmt.demo_partner_nukhba")
        oldest = Promise._portal_overdue_invoices(nukhba, company)[:1]
        if not oldest:
            return
        _smallest, owed, _last = Promise._portal_limits(nukhba, company, oldest)
        try:
            Promise._portal_create(
                nukhba, company, oldest.ids, owed, today + timedelta(days=10)
            )
        except UserError as error:
            _logger.warning("settlement_mgmt demo: no portal promise (%s)", error)

    def _install_demo_languages(self):
        languages = self.env["res.lang"]
        for code in DEMO_LANGUAGES:
            languages |= self.env["res.lang"]._activate_lang(code)
        installed = self.env["ir.module.module"].search([("state", "=", "installed")])
        installed._update_translations(list(DEMO_LANGUAGES))
        return languages

    def _create_demo_move(
        self, move_type, journal, partner_xmlid, date, product_xmlid, quantity, term
    ):
        partner = self.env.ref(f"settlement_mgmt.{partner_xmlid}")
        product = self.env.ref(f"settlement_mgmt.{product_xmlid}")
        values = {
            "move_type": move_type,
            "journal_id": journal.id,
            "partner_id": partner.id,
            "invoice_date": date,
            "date": date,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": quantity,
                        "price_unit": product.list_price,
                    }
                )
            ],
        }
        if isinstance(term, str):
            values["invoice_payment_term_id"] = self.env.ref(term).id
        elif term:
            values["invoice_date_due"] = date + timedelta(days=term)
        return self.env["account.move"].create(values)

    def _pay_demo_invoice(self, invoice, share, payment_date):
        currency = invoice.currency_id
        amount = currency.round(invoice.amount_residual * share)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": payment_date, "amount": amount})._create_payments()
