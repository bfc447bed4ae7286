from datetime import timedelta

from odoo.tests import Form, tagged

from odoo.addons.settlement_mgmt.tests.common import SettlementCommon
from odoo.addons.sms.tests.common import SMSCase

from ..lib.sms_length import sms_segments, sms_text, sms_units

# The languages the addon ships the reminder SMS in (i18n/*.po), measured as
# the customer would receive them.
SHIPPED_LANGUAGES = ("fa_IR", "ar_001", "he_IL")
MOBILE = "+32456001122"


@tagged("post_install", "-at_install")
class TestSmsReminders(SettlementCommon, SMSCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._company_dunning_policy(
            "SMS", {"name": "First", "days": 7, "channels": ("email", "sms")}
        )
        cls.template = cls.env.ref("settlement_mgmt_sms.sms_template_dunning_reminder")

    def _remind(self, partner=None, amount=1234.5, days_overdue=10):
        partner = partner or self.customer
        self._invoice(partner, amount, days_old=days_overdue + 30, due_days=30)
        with self.mockSMSGateway():
            self.Engine._cron_settlement_dunning()
        reminder = self.Communication.search([("partner_id", "=", partner.id)])
        self.assertEqual(len(reminder), 1)
        return reminder, {d.channel: d for d in reminder.delivery_ids}

    def test_sms_is_queued_then_sent_with_amount_date_and_link(self):
        self.customer.mobile = MOBILE
        reminder, deliveries = self._remind()
        sms = deliveries["sms"]
        # Queued with the run, sent by the SMS queue after it commits.
        self.assertEqual(sms.state, "queued")
        self.assertEqual(self._sms, [])
        self.assertEqual(sms.mail_message_id.message_type, "sms")
        self.assertEqual(sms.mail_message_id.model, reminder._name)
        self.assertEqual(reminder.delivery_state, "queued")
        with self.mockSMSGateway():
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(len(self._sms), 1)
        self.assertEqual(self._sms[0]["number"], MOBILE)
        body = self._sms[0]["body"]
        due = min(reminder.line_ids.mapped("date_due"))
        # Plain spaces: an amount's no-break space would make it UCS-2.
        self.assertIn("$ 1,234.50", body)
        self.assertEqual(sms_units(body)[0], "gsm7")
        self.assertIn(due.strftime("%m/%d/%Y"), body)
        self.assertIn(f"{reminder.get_base_url()}/my/overview", body)
        self.assertLessEqual(sms_segments(body), 2)
        # The gateway accepted it (notification "pending"): sent.
        self.assertEqual(sms.state, "sent")
        self.assertTrue(sms.date_sent)
        # E-mail and SMS are separate deliveries; the e-mail is still queued.
        self.assertEqual(deliveries["email"].state, "queued")
        self.assertNotEqual(deliveries["email"].mail_message_id, sms.mail_message_id)

    def test_gateway_refusal_fails_the_delivery(self):
        self.customer.mobile = MOBILE
        _reminder, deliveries = self._remind()
        with self.mockSMSGateway(sim_error="wrong_number_format"):
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(self._sms, [])
        self.assertEqual(deliveries["sms"].state, "failed")
        self.assertTrue(deliveries["sms"].failure_reason)

    def test_no_mobile_no_sms(self):
        self.customer.mobile = False
        reminder, deliveries = self._remind()
        self.assertEqual(deliveries["sms"].state, "failed")
        self.assertEqual(
            deliveries["sms"].failure_reason,
            "Credit Customer has no mobile number: no SMS sent.",
        )
        self.assertFalse(deliveries["sms"].mail_message_id)
        self.assertFalse(self._new_sms)
        # The e-mail went on; the reminder tells the failure.
        self.assertEqual(deliveries["email"].state, "queued")
        self.assertEqual(reminder.delivery_state, "failed")

    def test_opted_out_number_gets_no_sms(self):
        self.customer.mobile = MOBILE
        self.env["phone.blacklist"].sudo().add(MOBILE)
        _reminder, deliveries = self._remind()
        self.assertEqual(deliveries["sms"].state, "failed")
        self.assertEqual(
            deliveries["sms"].failure_reason,
            f"{MOBILE} opted out of SMS (blacklisted): no SMS sent.",
        )
        self.assertFalse(self._new_sms)

    def test_each_language_fits_two_segments(self):
        for lang in SHIPPED_LANGUAGES:
            self.env["res.lang"]._activate_lang(lang)
        # the catalogues as installing a language loads them
        self.env["ir.module.module"]._load_module_terms(
            ["settlement_mgmt_sms"], list(SHIPPED_LANGUAGES), overwrite=True
        )
        self.customer.mobile = MOBILE
        # A long amount and a company name of ordinary length.
        self.env.company.name = "Sample Trading Company Ltd"
        reminder, _deliveries = self._remind(amount=1234567.89, days_overdue=40)
        for lang, encoding in (
            ("en_US", "gsm7"),
            ("fa_IR", "ucs2"),
            ("ar_001", "ucs2"),
            ("he_IL", "ucs2"),
        ):
            with self.subTest(lang=lang):
                self.customer.lang = lang
                body = sms_text(
                    self.template._render_field(
                        "body", reminder.ids, compute_lang=True
                    )[reminder.id]
                )
                self.assertEqual(sms_units(body)[0], encoding, body)
                self.assertIn("/my/overview", body)
                self.assertLessEqual(sms_segments(body), 2, body)
                if lang != "en_US":
                    self.assertNotIn("overdue since", body)

    def test_persian_sms_reads_jalali_dates_in_persian_digits(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(
            ["settlement_mgmt_sms"], ["fa_IR"], overwrite=True
        )
        self.env.company.write(
            {"name": "Sample Trading Company Ltd", "settlement_native_digits": True}
        )
        self.customer.write({"lang": "fa_IR", "mobile": MOBILE})
        reminder, _deliveries = self._remind(amount=1234.5, days_overdue=40)
        body = sms_text(
            self.template._render_field("body", reminder.ids, compute_lang=True)[
                reminder.id
            ]
        )
        text, _sep, link = body.partition("http")
        self.assertIn("/my/overview", link)
        # Jalali years of these dates are 1404-1406 (Gregorian 2025-2027),
        # in Persian digits; no Latin digit before the link.
        self.assertRegex(text, "۱۴۰[۴-۶]")
        self.assertNotRegex(text, "[0-9]")
        self.assertIn("۱", text)

    def _preview_line(self, user=None):
        form = Form(self.env["settlement.dunning.run"].with_user(user or self.env.user))
        run = form.save()
        run.action_preview()
        return run.line_ids.filtered(lambda line: line.partner_id == self.customer)

    def test_preview_shows_the_sms_before_anything_is_sent(self):
        self.customer.mobile = MOBILE
        self._invoice(self.customer, 1234.5, days_old=40, due_days=30)
        with self.mockSMSGateway():
            line = self._preview_line()
        self.assertEqual(line.level_id, self.policy.level_ids)
        # By hand: the invoice is 40 days old on 30-day terms, so it was due
        # ten days ago; the template writes the amount with a plain space.
        due = self.today - timedelta(days=10)
        self.assertIn("$ 1,234.50", line.sms_preview)
        self.assertIn(due.strftime("%m/%d/%Y"), line.sms_preview)
        self.assertIn("/my/overview", line.sms_preview)
        self.assertEqual(line.sms_number, MOBILE)
        self.assertFalse(line.sms_problem)
        self.assertEqual(line.sms_segments, sms_segments(line.sms_preview))
        self.assertIn(line.sms_segments, (1, 2))
        # A preview records and queues nothing.
        self.assertFalse(self.Communication.search([]))
        self.assertFalse(self._new_sms)
        self.assertFalse(self.env["sms.sms"].sudo().search([]))
        # What is then sent is what was previewed.
        with self.mockSMSGateway():
            self.Engine._cron_settlement_dunning()
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(len(self._sms), 1)
        self.assertEqual(self._sms[0]["body"], line.sms_preview)

    def test_preview_says_why_no_sms_will_go(self):
        self.customer.mobile = False
        self._invoice(self.customer, 300.0, days_old=40, due_days=30)
        line = self._preview_line()
        self.assertTrue(line.sms_preview)
        self.assertFalse(line.sms_number)
        self.assertEqual(
            line.sms_problem, "Credit Customer has no mobile number: no SMS sent."
        )

    def test_segment_arithmetic(self):
        # By hand: GSM-7 160 in one, 153 per part; UCS-2 70 in one, 67 per part.
        for text, expected in (
            ("", 0),
            ("a" * 160, 1),
            ("a" * 161, 2),
            ("a" * 306, 2),
            ("a" * 307, 3),
            ("€" * 80, 1),
            ("€" * 81, 2),
            ("ش" * 70, 1),
            ("ش" * 71, 2),
            ("ش" * 134, 2),
            ("ש" * 135, 3),
            ("a" * 69 + "ش", 1),
            (sms_text("$\xa0" + "a" * 158), 1),
            ("$\xa0" + "a" * 158, 3),
        ):
            with self.subTest(text=text[:5], length=len(text)):
                self.assertEqual(sms_segments(text), expected)
