"""Every portal page the addon adds or extends, walked in headless Chromium by
customers reading Persian, Arabic, Hebrew and English, and by a Persian
customer whose browser asks for English: no JavaScript error, no HTTP error,
no error page, no technical string, and the page says its language and
direction."""

import base64
import json
import re
import time

from odoo.tests import HttpCase, tagged
from odoo.tests.common import HOST, ChromeBrowser

from .common import SettlementCommon
from .test_portal_rtl_browser import artefact_dir

# (persona, language, browser sends, <html lang>, <html dir>)
PERSONAS = (
    ("fa", "fa_IR", None, "fa-IR", "rtl"),
    ("ar", "ar_001", None, "ar-001", "rtl"),
    ("he", "he_IL", None, "he-IL", "rtl"),
    ("en", "en_US", None, "en-US", "ltr"),
    # A Persian customer on an English browser, which kept the cookie of a
    # page seen before logging in.
    ("fa_en_browser", "fa_IR", "en-US,en;q=0.9", "fa-IR", "rtl"),
)
# What a customer must never read: a record's repr or a reference field.
TECHNICAL = re.compile(
    r"\b[a-z_]+(\.[a-z_]+)+\(\d*(,\s*\d+)*,?\)|\b[a-z_]+\.[a-z_]+(\.[a-z_]+)*,\d+\b"
)
FACTS = """JSON.stringify({
    lang: document.documentElement.getAttribute('lang'),
    dir: document.documentElement.getAttribute('dir'),
    state: document.readyState,
    path: location.pathname,
    search: location.search,
    main: !!document.querySelector('main'),
    error_page: !!document.querySelector(
        '#o_error_page, .o_error_detail, pre.o_traceback, .o_http_error'
    ) || /^(4|5)\\d\\d /.test(document.title),
    text: document.body ? document.body.innerText : '',
    spinner: !!document.querySelector('.o_portal_doc_spinner'),
    chatter: (() => {
        const root = document.querySelector('#chatterRoot');
        const shadow = root && root.shadowRoot;
        if (!shadow) {
            return null;
        }
        const ready = shadow.querySelector(
            '.o-mail-Message, .o-mail-Thread-empty span'
        );
        return ready ? shadow.textContent : null;
    })(),
    statement_tile: (() => {
        const link = document.querySelector('a[href$="/my/statement"][title]');
        const card = link && link.closest('.o_portal_index_card');
        return card ? !card.classList.contains('d-none') : null;
    })(),
    overview_tile: (() => {
        const link = document.querySelector('a[href$="/my/overview"][title]');
        const card = link && link.closest('.o_portal_index_card');
        return card ? !card.classList.contains('d-none') : null;
    })(),
})"""


@tagged("post_install", "-at_install")
class TestPortalWalk(SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        langs = sorted({persona[1] for persona in PERSONAS} - {"en_US"})
        for code in langs:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"].search(
            [("name", "in", ("settlement_mgmt", "mail"))]
        )._update_translations(langs)
        cls.customers = {}
        for persona, lang, *_rest in PERSONAS:
            if persona == "fa_en_browser":
                continue  # the Persian customer, on another browser
            customer = cls.env["res.partner"].create(
                {"name": f"Walk {persona}", "is_company": True, "lang": lang}
            )
            contact = cls.env["res.partner"].create(
                {"name": f"Walk {persona} contact", "parent_id": customer.id}
            )
            contact.lang = lang
            user = cls._portal_user(f"walk_{persona}", contact)
            user.lang = lang
            customer.credit_limit = 10000.0
            overdue = cls._invoice(customer, 1200.0, days_old=50, due_days=30)
            cls._pay(overdue, 200.0, days_old=10)
            disputed = cls._invoice(customer, 800.0, days_old=20, due_days=30)
            planned = cls._invoice(customer, 900.0, days_old=5, due_days=30)
            plan = cls._proposed_plan(planned, instalments=3)
            cls.customers[persona] = {
                "login": user.login,
                "overdue": overdue,
                "disputed": disputed,
                "plan": plan,
            }

    # ------------------------------------------------------------------

    def _raise_dispute(self, fixtures):
        """The customer raises a dispute on the portal form."""
        invoice = fixtures["disputed"]
        url = f"/my/invoices/{invoice.id}/dispute"
        form = self.url_open(url)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        reason = self.env.ref("settlement_mgmt.dispute_reason_price")
        response = self.url_open(
            url,
            data={
                "csrf_token": token,
                "reason_id": str(reason.id),
                "amount": "150",
                "message": "Price not as agreed / قیمت توافق‌شده نیست",
            },
        )
        self.assertEqual(response.status_code, 200)
        return self.env["settlement.dispute"].search([("move_id", "=", invoice.id)])

    def _pages(self, fixtures, dispute):
        overdue, disputed, plan = (
            fixtures["overdue"],
            fixtures["disputed"],
            fixtures["plan"],
        )
        return (
            ("home", "/my"),
            ("statement", "/my/statement"),
            ("overview", "/my/overview"),
            ("invoices", "/my/invoices"),
            ("invoice", f"/my/invoices/{overdue.id}"),
            ("invoice_disputed", f"/my/invoices/{disputed.id}"),
            ("dispute_form", f"/my/invoices/{overdue.id}/dispute"),
            ("disputes", "/my/disputes"),
            ("dispute", f"/my/disputes/{dispute.id}"),
            ("plans", "/my/plans"),
            ("plan", f"/my/plans/{plan.id}"),
            ("pay_overdue", "/my/invoices/overdue"),
            ("pay_many", "/my/invoices/pay?overdue=1"),
            ("promise_form", f"/my/promise?invoice_id={overdue.id}"),
            ("plan_request", "/my/plans/request"),
        )

    def _warm_assets(self, path):
        """Build the page's asset bundles over plain HTTP first: a freshly
        started threaded server on Python 3.11.7 (gh-106905) may answer 500
        to the first concurrent bundle requests of a browser."""
        page = self.url_open(path)
        for url in re.findall(
            r'(?:src|href|data-src)="(/web/assets/[^"]+)"', page.text
        ):
            for _attempt in range(3):
                if self.url_open(url, timeout=60).status_code < 400:
                    break
                time.sleep(1)

    def _facts(self, browser):
        result = browser._websocket_request(
            "Runtime.evaluate",
            params={"expression": FACTS, "returnByValue": True},
            timeout=20.0,
        )
        return json.loads(result["result"]["value"])

    def _wait_for(self, browser, condition, timeout=15.0):
        deadline = time.time() + timeout
        facts = self._facts(browser)
        while not condition(facts) and time.time() < deadline:
            time.sleep(0.25)
            facts = self._facts(browser)
        return facts

    def _screenshot(self, browser, name):
        shot = browser._websocket_request("Page.captureScreenshot", timeout=20.0)
        with open(f"{artefact_dir()}/{name}", "wb") as file:
            file.write(base64.b64decode(shot["data"]))

    # ------------------------------------------------------------------

    def test_walk_every_portal_page_in_each_language(self):
        for persona, _lang, accept_language, html_lang, html_dir in PERSONAS:
            fixtures = self.customers["fa" if persona == "fa_en_browser" else persona]
            login = fixtures["login"]
            self.authenticate(login, login)
            dispute = fixtures.get("dispute") or self._raise_dispute(fixtures)
            fixtures["dispute"] = dispute
            # Read before the browser runs: the pages' own requests share the
            # test cursor, and a field fetched while one of them runs (the
            # frontend's translation request, say) can read its rows.
            overdue_name = fixtures["overdue"].name
            self._warm_assets("/my")
            browser = ChromeBrowser(self, headless=True)
            responses = []
            browser._handlers["Network.responseReceived"] = (
                lambda responses=responses, **params: responses.append(
                    (params["response"]["status"], params["response"]["url"])
                )
            )
            try:
                browser._websocket_request("Network.enable")
                if accept_language:
                    browser._websocket_request(
                        "Network.setExtraHTTPHeaders",
                        params={"headers": {"Accept-Language": accept_language}},
                    )
                    browser.set_cookie("frontend_lang", "en_US", "/", HOST)
                self.authenticate(login, login, browser=browser)
                self.cr.flush()
                self.cr.clear()
                for name, path in self._pages(fixtures, dispute):
                    with self.subTest(persona=persona, page=name):
                        responses.clear()
                        browser.navigate_to(self.base_url() + path, wait_stop=True)
                        chatter = name in ("dispute", "plan")
                        facts = self._wait_for(
                            browser,
                            lambda f, home=(name == "home"), chatter=chatter: f["state"]
                            == "complete"
                            and not (home and f["spinner"])
                            and not (chatter and f["chatter"] is None),
                            timeout=60.0 if chatter else 15.0,
                        )
                        self._check_page(persona, name, path, facts, responses)
                        self.assertEqual(
                            (facts["lang"], facts["dir"]), (html_lang, html_dir)
                        )
                        if name == "home":
                            self.assertIs(facts["statement_tile"], True)
                            self.assertIs(facts["overview_tile"], True)
                        if chatter:
                            self.assertIsNotNone(facts["chatter"], "chatter loaded")
                            # Core's mail terms reach the portal chatter (core
                            # translates this one in ar and he; the addon's own
                            # term for fa comes with its catalogue).
                            if persona in ("ar", "he"):
                                self.assertNotIn(
                                    "The conversation is empty.", facts["chatter"]
                                )
                        if name == "pay_many":
                            # The overdue invoice with its total, not an error.
                            self.assertIn(overdue_name, facts["text"])
                        if name == "pay_overdue":
                            # The customer's overdue invoice is payable here,
                            # not the whole list of invoices.
                            self.assertTrue(
                                facts["path"].endswith("/my/invoices/overdue"),
                                facts["path"],
                            )
                        self._screenshot(browser, f"walk_{persona}_{name}.png")
                        if browser._result.done():
                            error = browser._result.exception()
                            self.fail(f"JavaScript error on {path}: {error}")
            finally:
                browser.stop()
                self._wait_remaining_requests()

    def _check_page(self, persona, name, path, facts, responses):
        where = f"{persona} {path} → {facts['path']}{facts['search']}"
        self.assertEqual(facts["state"], "complete", where)
        self.assertTrue(facts["main"], where)
        self.assertFalse(facts["error_page"], where)
        # Not sent back to /my or to the login page.
        self.assertFalse(facts["path"].endswith("/web/login"), where)
        if name != "home":
            self.assertFalse(re.fullmatch(r"(/[a-z_]+)?/my/?", facts["path"]), where)
        failed = [(status, url) for status, url in responses if status >= 400]
        self.assertFalse(failed, where)
        technical = TECHNICAL.search(facts["text"] + (facts["chatter"] or ""))
        self.assertIsNone(technical, f"{where}: {technical and technical.group(0)}")
