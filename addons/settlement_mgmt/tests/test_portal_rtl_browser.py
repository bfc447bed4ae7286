import base64
import os
import shutil

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import ChromeBrowser

from .common import SettlementCommon

LANGS = ("fa_IR", "ar_001", "he_IL")
PAGES = ("/my/statement", "/my/plans", "/my/disputes", "/my/invoices")
PAGE_FACTS = (
    "[document.readyState, getComputedStyle(document.body).direction,"
    " document.querySelector('.o_rtl') !== null,"
    " document.querySelector('main') !== null]"
    ".join('|')"
)


def artefact_dir():
    """Where screenshots are kept: $SETTLEMENT_ARTEFACTS or tests/artifacts."""
    path = os.environ.get("SETTLEMENT_ARTEFACTS") or os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "tests", "artifacts"
    )
    path = os.path.abspath(os.path.join(path, "screenshots"))
    os.makedirs(path, exist_ok=True)
    return path


@tagged("post_install", "-at_install")
class TestPortalRightToLeft(SettlementCommon, HttpCase):
    """The main portal pages and a reminder e-mail in a real headless Chromium
    in fa, ar and he: laid out right to left, screenshots kept as artefacts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(list(LANGS))
        cls.invoice = cls._invoice(cls.customer, 1200.0, days_old=50, due_days=30)
        cls._pay(cls.invoice, 200.0, days_old=10)
        cls.portal_user = new_test_user(
            cls.env,
            login="rtl_portal",
            groups="base.group_portal",
            partner_id=cls.customer_contact.id,
        )

    def _evaluate(self, browser, expression):
        result = browser._websocket_request(
            "Runtime.evaluate",
            params={"expression": expression, "returnByValue": True},
        )
        return result["result"]["value"]

    def _screenshot(self, browser, name):
        shot = browser._websocket_request("Page.captureScreenshot", timeout=20.0)
        with open(os.path.join(artefact_dir(), name), "wb") as file:
            file.write(base64.b64decode(shot["data"]))

    def _check_browser(self):
        self.assertTrue(
            shutil.which("chromium") or shutil.which("google-chrome"),
            "browser tests need headless Chromium (apt-get install chromium)",
        )
        self.assertTrue(shutil.which("rtlcss"), "RTL pages need rtlcss")

    def test_portal_pages_read_right_to_left(self):
        self._check_browser()
        for code in LANGS:
            self.portal_user.lang = code
            (self.customer | self.customer_contact).write({"lang": code})
            browser = ChromeBrowser(self, headless=True)
            try:
                self.authenticate("rtl_portal", "rtl_portal", browser=browser)
                self.cr.flush()
                self.cr.clear()
                for path in PAGES:
                    with self.subTest(lang=code, page=path):
                        browser.navigate_to(self.base_url() + path, wait_stop=True)
                        state, direction, rtl_class, has_main = self._evaluate(
                            browser, PAGE_FACTS
                        ).split("|")
                        self.assertEqual(state, "complete")
                        self.assertEqual(direction, "rtl")
                        self.assertEqual(rtl_class, "true")
                        self.assertEqual(has_main, "true")
                        self._screenshot(
                            browser, f"portal{path.replace('/', '_')}_{code}.png"
                        )
            finally:
                browser.stop()
                self._wait_remaining_requests()

    def test_reminder_e_mail_reads_right_to_left(self):
        self._check_browser()
        # The shipped policy, for the test company.
        policy = (
            self.env.ref("settlement_mgmt.dunning_policy_standard")
            .sudo()
            .copy({"company_id": self.env.company.id})
        )
        self.env.company.settlement_dunning_policy_id = policy
        Engine = self.env["settlement.dunning.engine"]
        self.customer.email = "ap@credit-customer.example.com"
        for code in ("fa_IR", "he_IL"):
            self.customer.lang = code
            sent = Engine._dunning_send(
                self.env.company,
                Engine._dunning_candidates(self.env.company, partners=self.customer),
                self.today,
            )
            self.assertTrue(sent)
            direction = self.env["res.lang"]._get_data(code=code).direction
            page = (
                f'<html lang="{code[:2]}" dir="{direction}">'
                '<head><meta charset="utf-8">'
                "<style>body{font-family:'Noto Sans',sans-serif;margin:24px}</style>"
                f"</head><body><h3>{sent.mail_message_id.subject}</h3>"
                f"{sent.mail_message_id.body}</body></html>"
            )
            browser = ChromeBrowser(self, headless=True)
            try:
                url = (
                    "data:text/html;base64," + base64.b64encode(page.encode()).decode()
                )
                browser.navigate_to(url, wait_stop=True)
                self.assertEqual(
                    self._evaluate(
                        browser, "getComputedStyle(document.body).direction"
                    ),
                    "rtl",
                )
                self._screenshot(browser, f"reminder_email_{code}.png")
            finally:
                browser.stop()
            sent.unlink()
