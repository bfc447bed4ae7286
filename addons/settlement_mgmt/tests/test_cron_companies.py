from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestCronsReachEveryCompany(SettlementCommon):
    """A batched cron's last batch in one company is not the end of its run:
    the other companies get their reminders and statements the same night."""

    def _runner(self, method):
        """Call ``method`` as ir.cron._run_job does: again while it reports
        work done and work remaining (at most 10 calls)."""
        progress = []
        Cron = type(self.env["ir.cron"])
        with patch.object(
            Cron,
            "_notify_progress",
            lambda self, *, done, remaining, deactivate=False: progress.append(
                (done, remaining)
            ),
        ):
            for _call in range(10):
                progress.clear()
                method()
                done, remaining = progress[-1] if progress else (0, 0)
                if not remaining or not done:
                    break

    def test_dunning_cron_reaches_both_companies(self):
        company_b = self.setup_other_company(name="B")["company"]
        for company in (self.env.company, company_b):
            policy = (
                self.env["settlement.dunning.policy"]
                .with_company(company)
                .create(
                    {
                        "name": "P",
                        "level_ids": [Command.create({"name": "First", "days": 7})],
                    }
                )
            )
            company.settlement_dunning_policy_id = policy
            partner = self.env["res.partner"].create(
                {
                    "name": f"Cust {company.name}",
                    "is_company": True,
                    "email": "x@example.com",
                }
            )
            move = (
                self.env["account.move"]
                .with_company(company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": self.today - timedelta(days=60),
                        "invoice_date_due": self.today - timedelta(days=30),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "G",
                                    "price_unit": 100.0,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                )
            )
            move.with_context(**credit_check_done_context()).action_post()
        Comm = self.env["settlement.dunning.communication"].sudo()
        Engine = self.env["settlement.dunning.engine"].sudo()
        self._runner(Engine._cron_settlement_dunning)
        self.assertEqual(Comm.search([]).company_id, self.env.company | company_b)

    def test_statement_cron_reaches_both_companies(self):
        company_b = self.setup_other_company(name="B")["company"]
        for company in (self.env.company, company_b):
            partner = self.env["res.partner"].create(
                {
                    "name": f"Cust {company.name}",
                    "is_company": True,
                    "email": "x@example.com",
                }
            )
            partner.with_company(company).settlement_statement_opt_in = True
        Sending = self.env["settlement.statement.sending"].sudo()
        self._runner(Sending._cron_settlement_statements)
        self.assertEqual(Sending.search([]).company_id, self.env.company | company_b)
