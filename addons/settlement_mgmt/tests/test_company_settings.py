from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestCompanySettings(AccountTestInvoicingCommon):
    def test_default_layout_is_30_60_90(self):
        company = self.env["res.company"].create({"name": "Fresh Co"})
        self.assertEqual(company._settlement_aging_boundaries(), (30, 60, 90))

    def test_settings_form_saves_layout_on_current_company(self):
        settings = Form(self.env["res.config.settings"])
        settings.settlement_aging_days = "15, 30, 60, 120"
        settings.save().execute()
        self.assertEqual(
            self.env.company._settlement_aging_boundaries(), (15, 30, 60, 120)
        )

    def test_invalid_layouts_are_refused_and_nothing_is_written(self):
        company = self.env.company
        before = company.settlement_aging_days
        for text, fragment in (
            ("30, sixty", "sixty"),
            ("0, 30", "greater than zero"),
            ("60, 30", "increase"),
            ("1,2,3,4,5,6,7,8,9", "At most"),
        ):
            with self.subTest(text=text):
                with self.assertRaisesRegex(ValidationError, fragment):
                    with self.env.cr.savepoint():
                        company.settlement_aging_days = text
                        company.flush_recordset()
                company.invalidate_recordset()
                self.assertEqual(company.settlement_aging_days, before)

    def test_error_is_translated_in_customer_language(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(["fa_IR"])
        company = self.env.company.with_context(lang="fa_IR")
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            company.settlement_aging_days = "60, 30"
            company.flush_recordset()
        message = str(caught.exception)
        self.assertIn("30", message)
        self.assertNotIn("increase", message)
        self.assertRegex(message, "[\u0600-\u06ff]")
