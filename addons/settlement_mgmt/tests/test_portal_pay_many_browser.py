"""The customer pays a plan instalment and two discounted invoices in one go in
headless Chromium, through Odoo's demo payment provider, in Persian, Arabic and
Hebrew: ticks them on /my/invoices, reads the savings and the total, pays, and
lands back on its invoices.  Screenshots in tests/artifacts/screenshots/."""

import json
import re
import time

from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from .chrome import ChromePageMixin
from .test_portal_pay_many import PayManyCommon

LANGS = ("fa_IR", "ar_001", "he_IL")

TICK = """(() => {
    const ids = __IDS__;
    const boxes = [...document.querySelectorAll('input.o_settlement_pay_many_check')];
    boxes.forEach((box) => { box.checked = ids.includes(parseInt(box.value)); });
    return boxes.filter((box) => box.checked).length;
})()"""

PAY_PAGE = """(() => {
    const total = document.querySelector('.o_settlement_pay_many_total');
    return JSON.stringify({
        path: location.pathname,
        total: total ? total.innerText : null,
        savings: [...document.querySelectorAll('.o_settlement_pay_many_saving')]
            .map((node) => node.innerText),
        form: !!document.querySelector('#o_payment_form'),
        dir: document.documentElement.getAttribute('dir'),
    });
})()"""

# Choose the demo provider, type a card number, press Pay.
PAY = """(async () => {
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const wait = async (find, what) => {
        const end = Date.now() + 20000;
        while (Date.now() < end) {
            const found = find();
            if (found) { return found; }
            await sleep(200);
        }
        throw new Error('timed out waiting for ' + what);
    };
    const radio = await wait(
        () => document.querySelector('input[name="o_payment_radio"]'),
        'a payment option');
    if (!radio.checked) { radio.click(); }
    const input = await wait(() => document.getElementById('customer_input'),
        'the demo card number');
    input.value = '4242';
    const button = await wait(
        () => document.querySelector(
            'button[name="o_payment_submit_button"]:not([disabled])'),
        'the Pay button');
    button.click();
    return true;
})()"""


@tagged("post_install", "-at_install")
class TestPortalPayManyBrowser(ChromePageMixin, PayManyCommon):
    evaluate_timeout = 30.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"].search(
            [("name", "in", ("settlement_mgmt", "payment", "account_payment"))]
        )._update_translations(list(LANGS))
        cls.people = {}
        for code in LANGS:
            customer = cls.env["res.partner"].create(
                {"name": f"Pay many {code}", "is_company": True, "lang": code}
            )
            contact = cls.env["res.partner"].create(
                {
                    "name": f"Pay many {code} contact",
                    "parent_id": customer.id,
                    "lang": code,
                }
            )
            login = f"paymany_{code}"
            cls._portal_user(login, contact).lang = code
            cls.people[code] = (login, customer, *cls._pay_many_fixtures(customer))

    def _warm_assets(self, path):
        # A fresh threaded server may answer its first bundle requests with 500
        # (gh-106905): build them over plain HTTP first.
        page = self.url_open(path)
        for url in re.findall(r'(?:src|href)="(/web/assets/[^"]+)"', page.text):
            self.url_open(url, timeout=60)

    def _wait_path(self, browser, path, timeout=60.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            current = self._evaluate(
                browser, "document.readyState === 'complete' && location.pathname"
            )
            # (a language prefix when the website module is installed)
            if current and current.endswith(path):
                return current
            time.sleep(0.3)
        self.fail(f"the browser did not reach {path}: {current}")

    def test_pay_an_instalment_and_two_invoices_in_each_language(self):
        for code, (login, customer, inv_a, inv_b, planned, plan) in self.people.items():
            with self.subTest(lang=code):
                self._pay_in_browser(code, login, customer, inv_a, inv_b, planned, plan)

    def _pay_in_browser(self, code, login, customer, inv_a, inv_b, planned, plan):
        self.authenticate(login, login)
        self._warm_assets("/my/invoices")
        browser = ChromeBrowser(self, headless=True)
        try:
            self.authenticate(login, login, browser=browser)
            self.cr.flush()
            browser.navigate_to(self.base_url() + "/my/invoices", wait_stop=True)
            self._wait_path(browser, "/my/invoices")
            ids = (inv_a + inv_b + planned).ids
            self.assertEqual(
                self._evaluate(browser, TICK.replace("__IDS__", str(ids))), 3
            )
            self._screenshot(browser, f"pay_many_{code}_1_selected.png")
            self._evaluate(
                browser, "document.querySelector('.o_settlement_pay_selected').click()"
            )
            self._wait_path(browser, "/my/invoices/pay")
            facts = json.loads(self._evaluate(browser, PAY_PAGE))
            self.assertTrue(facts["form"], facts)
            self.assertEqual(facts["dir"], "rtl")
            self.assertEqual(len(facts["savings"]), 2, facts)
            self._screenshot(browser, f"pay_many_{code}_2_quote.png")
            self._evaluate(browser, PAY)
            # The status page post-processes the payment, then lands on the
            # invoices.
            self._wait_path(browser, "/my/invoices", timeout=90.0)
            time.sleep(1)
            self._screenshot(browser, f"pay_many_{code}_3_paid.png")
        finally:
            browser.stop()
            self._wait_remaining_requests()
        tx = self.env["payment.transaction"].search(
            [("invoice_ids", "in", inv_a.ids)], order="id desc", limit=1
        )
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.amount, 1775.0)
        self.assertEqual(tx.payment_id.amount, 1775.0)
        for invoice in inv_a + inv_b:
            self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(planned.amount_residual, 600.0)
        _liquidity, _counterpart, write_off = tx.payment_id._seek_for_lines()
        self.assertEqual(sorted(write_off.mapped("debit")), [5.0, 20.0])
        self.assertEqual(write_off.account_id, self.loss_account)
        plan.invalidate_recordset()
        self.assertEqual(plan.amount_paid, 300.0)
        self.assertTrue(
            customer.message_ids.filtered(lambda message: inv_a.name in message.body)
        )
