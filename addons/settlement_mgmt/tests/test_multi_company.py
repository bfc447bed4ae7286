"""Multi-company isolation: no settlement record of company B is readable or
writable from company A, for every stored settlement model.

The records of company B are made the way its users make them (invoices posted,
a dispute, the plan wizard, a hold, the override wizard, the dunning run, a
promise, the statement wizard, the nightly jobs); a manager of company A, with
every settlement right, then tries to find, read and write them.  Each refusal
is paired with the same action by a manager of company B (which succeeds) and,
for search, with the same search once the company rule is switched off (which
finds them): the refusals come from the company rules, nothing else.
"""

from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

from .common import SettlementCommon

# Every stored settlement model (SQL-view reports included), with the field the
# company-A manager tries to write: None where the ACL gives no write access to
# anyone but the superuser (computed records and reports), checked below.
SETTLEMENT_MODELS = {
    "settlement.collection.forecast": None,
    "settlement.collection.forecast.review": None,
    "settlement.collection.case": "note",
    "settlement.collection.case.item": None,
    "settlement.collection.case.recovery": None,
    "settlement.credit.hold": "reason",
    "settlement.credit.override": None,
    "settlement.discount.analysis": None,
    "settlement.discount.tier": "discount_days",
    "settlement.dispute": "description",
    "settlement.dispute.analysis": None,
    "settlement.dispute.reason": "sla_days",
    "settlement.dunning.communication": "fee_waive_reason",
    "settlement.dunning.communication.line": "name",
    "settlement.dunning.delivery": None,
    "settlement.dunning.level": "name",
    "settlement.dunning.level.channel": "sequence",
    "settlement.dunning.policy": "sequence",
    "settlement.instalment.plan": "note",
    "settlement.instalment.plan.line": "sequence",
    "settlement.invoice.discount": None,
    "settlement.payment.prediction": "factor_codes",
    "settlement.prediction.model": "sample_count",
    "settlement.promise": "note",
    "settlement.receivable.item": None,
    "settlement.receivable.kpi": "promises_kept",
    "settlement.receivable.snapshot": "item_count",
    "settlement.risk.score": None,
    "settlement.statement.sending": "scheduled",
}
# Configuration that may be shared by every company (company_id empty): their
# rules follow ``company_ids + [False]`` (discount tiers: their payment terms'
# rule, ``company_id = False or parent_of company_ids``), so a shared record is
# seen from A while a record of B is not.
SHARED_MODELS = ("settlement.dispute.reason", "settlement.discount.tier")
# Contact Creation (which Odoo gives new internal users by default): sending a
# statement attaches its PDF to the customer, which needs write on contacts.
MANAGER_GROUPS = (
    "settlement_mgmt.group_settlement_manager,account.group_account_manager,"
    "base.group_partner_manager"
)


@tagged("post_install", "-at_install")
class TestMultiCompany(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_data_2 = cls.setup_other_company(name="Settlement Company B")
        cls.company_b = cls.company_data_2["company"]
        # Highest settlement rights (an accounting administrator is also a
        # settlement manager, and may edit payment terms and their tiers): only
        # record rules can stop them.
        cls.user_a = new_test_user(
            cls.env,
            login="mc_manager_a",
            groups=MANAGER_GROUPS,
            company_id=cls.company_a.id,
        )
        cls.user_b = new_test_user(
            cls.env,
            login="mc_manager_b",
            groups=MANAGER_GROUPS,
            company_id=cls.company_b.id,
        )
        cls.user_ab = new_test_user(
            cls.env,
            login="mc_manager_ab",
            groups=MANAGER_GROUPS,
            company_id=cls.company_a.id,
            company_ids=[Command.set((cls.company_a | cls.company_b).ids)],
        )
        cls.customer_b = cls.env["res.partner"].create(
            {
                "name": "Customer of B",
                "is_company": True,
                "email": "ap@customer-of-b.example.com",
            }
        )
        cls._make_company_b_records()
        cls.env.flush_all()
        cls.records_b = {
            model: cls.env[model].sudo().search([("company_id", "=", cls.company_b.id)])
            for model in SETTLEMENT_MODELS
        }

    # ------------------------------------------------------------------
    # Fixtures of company B, through the flows its users take
    # ------------------------------------------------------------------

    @classmethod
    def _b(cls, model):
        """``model`` as the manager of company B, working in company B."""
        return (
            cls.env[model]
            .with_user(cls.user_b)
            .with_context(allowed_company_ids=cls.company_b.ids)
        )

    @classmethod
    def _invoice_b(cls, amount, days_old=0, due_days=30, **values):
        invoice_date = cls.today - timedelta(days=days_old)
        if "invoice_payment_term_id" not in values:
            values["invoice_date_due"] = invoice_date + timedelta(days=due_days)
        move = cls._b("account.move").create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer_b.id,
                "invoice_date": invoice_date,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Goods",
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
                **values,
            }
        )
        move.with_context(**credit_check_done_context()).action_post()
        return move

    @classmethod
    def _pay_b(cls, invoice, days_old):
        wizard = (
            cls._b("account.payment.register")
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": cls.today - timedelta(days=days_old)})
        )
        return wizard._create_payments()

    @classmethod
    def _make_company_b_records(cls):
        company_b = cls.company_b
        # Configuration by B's manager: a dispute reason of B only, a dunning
        # policy, payment terms with a second discount tier.
        cls.reason_b = cls._b("settlement.dispute.reason").create(
            {"name": "Wrong warehouse (B)", "company_id": company_b.id}
        )
        policy = cls._b("settlement.dunning.policy").create(
            {
                "name": "Policy of B",
                "level_ids": [Command.create({"name": "First reminder", "days": 7})],
            }
        )
        term = cls._b("account.payment.term").create(
            {
                "name": "B: 3% 7 days, 1.5% 15 days, net 30",
                "company_id": company_b.id,
                "early_discount": True,
                "discount_percentage": 3.0,
                "discount_days": 7,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 30}
                    )
                ],
                "settlement_discount_tier_ids": [
                    Command.create({"discount_percentage": 1.5, "discount_days": 15})
                ],
            }
        )
        # Company settings (res.config.settings writes them on the company).
        company_b.settlement_dunning_policy_id = policy
        cls._set_policy("limit", company=company_b)

        # Payment history: three invoices paid early, three paid five weeks
        # late, all settled long before the prediction's backtest window.
        for delay in (-2, -2, -2, 35, 35, 35):
            paid = cls._invoice_b(500.0, days_old=400)
            cls._pay_b(paid, days_old=400 - 30 - delay)
        # Open invoices: one 30 days overdue (reminded), one disputed, one put
        # on an instalment plan, one offering tiered early-payment discounts.
        overdue = cls._invoice_b(1000.0, days_old=60)
        disputed = cls._invoice_b(300.0, days_old=5)
        planned = cls._invoice_b(600.0, days_old=5)
        cls._invoice_b(800.0, invoice_payment_term_id=term.id)

        # Dispute from the invoice's "Dispute" button (its form's defaults).
        action = disputed.with_user(cls.user_b).action_settlement_open_dispute()
        cls._b("settlement.dispute").with_context(**action["context"]).create(
            {"reason_id": cls.reason_b.id, "amount": 100.0}
        )
        # Instalment plan from the wizard, proposed to the customer.
        wizard = (
            cls._b("settlement.instalment.plan.create")
            .with_context(active_model="account.move", active_ids=planned.ids)
            .create({"instalment_count": 3})
        )
        plan = cls._b("settlement.instalment.plan").browse(
            wizard.action_create()["res_id"]
        )
        plan.action_propose()
        # Reminders of B's dunning run (the cron sends the same, unattended),
        # then a promise to pay taken on the phone for the reminded invoice.
        run = cls._b("settlement.dunning.run").create({"company_id": company_b.id})
        run.action_preview()
        run.action_send()
        cls._b("settlement.promise").create(
            {
                "partner_id": cls.customer_b.id,
                "amount": 500.0,
                "date_promised": cls.today + timedelta(days=7),
                "move_ids": [Command.set(overdue.ids)],
            }
        )
        # A manual hold from the customer's "Put on Credit Hold" button, then
        # a blocked draft invoice released by the override wizard.
        action = (
            cls.customer_b.with_user(cls.user_b)
            .with_context(allowed_company_ids=company_b.ids)
            .action_settlement_place_hold()
        )
        cls._b("settlement.credit.hold").with_context(**action["context"]).create(
            {"reason": "Cheque bounced (B)"}
        )
        draft = cls._b("account.move").create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer_b.id,
                "invoice_line_ids": [
                    Command.create({"name": "More goods", "price_unit": 50.0})
                ],
            }
        )
        cls._b("settlement.credit.override.grant").with_context(
            default_move_ids=draft.ids
        ).create({"reason": "Paid in cash at the counter (B)"}).action_confirm()
        # Last month's statement from the statement wizard.
        cls._b("settlement.statement.send").with_context(
            active_model="res.partner", active_ids=cls.customer_b.ids
        ).create({"company_id": company_b.id}).action_send()
        # The nightly jobs, run as the cron runner runs them (superuser, every
        # company): risk scores, snapshots and KPIs, prediction model and
        # predictions.
        cls.env["settlement.risk.score"].sudo()._cron_settlement_risk_scores()
        # A forecast kept two weeks ago, which B's forecast-vs-collected
        # compares with what came in since.
        cls.env["settlement.collection.forecast"].sudo()._take(
            company_b, cls.today - timedelta(days=14)
        )
        cls.env["settlement.receivable.snapshot"].sudo()._cron_settlement_snapshots()
        cls.env["settlement.payment.prediction"].sudo()._cron_settlement_predictions()

        # A collection case of B, handed over from the customer's form, and a
        # recovery the agency remitted (no commission: no expense account).
        cls._invoice_b(400.0, days_old=120)
        agency = cls.env["res.partner"].create(
            {"name": "Agency of B", "settlement_collection_kind": "agency"}
        )
        action = (
            cls.customer_b.with_user(cls.user_b)
            .with_context(allowed_company_ids=company_b.ids)
            .action_settlement_hand_over()
        )
        wizard = (
            cls._b("settlement.collection.case.open")
            .with_context(**action["context"])
            .create({"handler_id": agency.id})
        )
        case = cls._b("settlement.collection.case").browse(
            wizard.action_confirm()["res_id"]
        )
        case.action_to_agency()
        action = case.action_record_recovery()
        cls._b("settlement.collection.case.recover").with_context(
            **action["context"]
        ).create(
            {
                "amount_gross": 100.0,
                "journal_id": cls.company_data_2["default_journal_bank"].id,
            }
        ).action_confirm()

        # Shared configuration (no company): a payment term with a tier.
        cls.shared_term = cls.env["account.payment.term"].create(
            {
                "name": "Shared: 2% 10 days, 1% 20 days, net 45",
                "company_id": False,
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 45}
                    )
                ],
                "settlement_discount_tier_ids": [
                    Command.create({"discount_percentage": 1.0, "discount_days": 20})
                ],
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _as(self, user, model, companies):
        return (
            self.env[model]
            .with_user(user)
            .with_context(allowed_company_ids=companies.ids)
        )

    def _new_value(self, record, field_name):
        """A value different from ``record``'s for ``field_name``."""
        field = record._fields[field_name]
        old = record[field_name]
        if field.type == "boolean":
            return not old
        if field.type in ("integer", "float", "monetary"):
            return old + 1
        if field.type == "html":
            return "<p>Changed from another company</p>"
        return "Changed from another company"

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_every_stored_settlement_model_is_listed(self):
        stored = {
            name
            for name, model in self.env.registry.items()
            if name.startswith("settlement.")
            and not model._abstract
            and not model._transient
            # One landing-page record that stores nothing: its figures are
            # computed when read, for the reader's current company.
            and name != "settlement.dashboard"
        }
        self.assertEqual(set(SETTLEMENT_MODELS), stored)
        for model, field_name in SETTLEMENT_MODELS.items():
            with self.subTest(model=model):
                Model = self._as(self.user_a, model, self.company_a)
                self.assertTrue(Model.has_access("read"))
                # A model listed without a field to write must really be read-only
                # for the manager, and the field of the others must exist.
                self.assertEqual(Model.has_access("write"), field_name is not None)
                if field_name:
                    self.assertIn(field_name, Model._fields)
                    self.assertTrue(Model._fields[field_name].store)

    def test_company_b_has_records_of_every_model(self):
        for model, records in self.records_b.items():
            with self.subTest(model=model):
                self.assertTrue(records, f"no {model} record in company B")
                self.assertEqual(records.company_id, self.company_b)

    def test_company_a_user_neither_finds_reads_nor_writes_company_b_records(self):
        for model, field_name in SETTLEMENT_MODELS.items():
            records = self.records_b[model]
            with self.subTest(model=model):
                as_a = self._as(self.user_a, model, self.company_a)
                as_b = self._as(self.user_b, model, self.company_b)
                domain = [("id", "in", records.ids)]
                # The same search finds them in company B.
                self.assertEqual(as_b.search(domain), records)
                self.assertFalse(as_a.search(domain))
                self.assertEqual(as_a.search_count(domain), 0)
                count = [(len(records),)]
                self.assertEqual(
                    as_b._read_group(domain, aggregates=["__count"]), count
                )
                self.assertEqual(
                    as_a._read_group(domain, aggregates=["__count"]), [(0,)]
                )
                as_b.browse(records.ids).read(["company_id"])
                with self.assertRaises(AccessError):
                    as_a.browse(records.ids).read(["company_id"])
                if not field_name:
                    continue
                record = records[:1]
                before = record.sudo()[field_name]
                value = self._new_value(record.sudo(), field_name)
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    as_a.browse(record.id).write({field_name: value})
                record.invalidate_recordset()
                self.assertEqual(record.sudo()[field_name], before)
                with self.assertRaises(AccessError):
                    as_a.browse(records.ids).check_access("write")
                # Company B's manager may write them: ACL and rules let it through
                # (what it may change then is the workflow's business).
                as_b.browse(records.ids).check_access("write")

    def test_user_of_both_companies_sees_only_the_active_one(self):
        for model in SETTLEMENT_MODELS:
            records = self.records_b[model]
            domain = [("id", "in", records.ids)]
            with self.subTest(model=model):
                self.assertEqual(
                    self._as(
                        self.user_ab, model, self.company_a | self.company_b
                    ).search(domain),
                    records,
                )
                only_a = self._as(self.user_ab, model, self.company_a)
                self.assertFalse(only_a.search(domain))
                # The same through with_company, as a company switch does.
                switched = (
                    self.env[model].with_user(self.user_ab).with_company(self.company_a)
                )
                self.assertEqual(switched.env.companies, self.company_a)
                self.assertFalse(switched.search(domain))
                with self.assertRaises(AccessError):
                    only_a.browse(records.ids).read(["company_id"])

    def test_the_company_rule_is_what_hides_them(self):
        """Without its company rule(s), the company-A manager would find every
        model's records of B: the refusals above are the rules' doing."""
        Rule = self.env["ir.rule"].sudo()
        for model in SETTLEMENT_MODELS:
            records = self.records_b[model]
            rules = Rule.search([("model_id.model", "=", model), ("global", "=", True)])
            with self.subTest(model=model):
                self.assertTrue(rules, f"{model} has no company rule")
                as_a = self._as(self.user_a, model, self.company_a)
                domain = [("id", "in", records.ids)]
                rules.active = False
                try:
                    self.assertEqual(as_a.search(domain), records)
                    as_a.browse(records.ids).read(["company_id"])
                    if SETTLEMENT_MODELS[model]:
                        as_a.browse(records.ids).check_access("write")
                finally:
                    rules.active = True
                self.assertFalse(as_a.search(domain))

    def test_shared_configuration_is_seen_from_every_company(self):
        shared = {
            "settlement.dispute.reason": self.env.ref(
                "settlement_mgmt.dispute_reason_price"
            ),
            "settlement.discount.tier": self.shared_term.settlement_discount_tier_ids,
        }
        self.assertEqual(set(shared), set(SHARED_MODELS))
        for model, record in shared.items():
            with self.subTest(model=model):
                self.assertFalse(record.company_id)
                for user, company in (
                    (self.user_a, self.company_a),
                    (self.user_b, self.company_b),
                ):
                    found = self._as(user, model, company).search(
                        [("id", "=", record.id)]
                    )
                    self.assertEqual(found, record)
                # ... while B's own record of that model stays hidden from A.
                self.assertFalse(
                    self._as(self.user_a, model, self.company_a).search(
                        [("id", "in", self.records_b[model].ids)]
                    )
                )
