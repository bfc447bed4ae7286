import json
import os
import re
import shutil
import time

from odoo import Command
from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .chrome import ChromePageMixin
from .common import SettlementCommon

ADDONS = ("settlement_mgmt", "settlement_mgmt_sale")
READY = "Boolean(window.odoo && odoo.__WOWL_DEBUG__ && odoo.__WOWL_DEBUG__.root)"

# Steps of the Apps screen, called one by one from Python (screenshots between).
APPS_STEPS = """
window.__apps = (() => {
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const wait = async (find, what, ms = 30000) => {
        const end = Date.now() + ms;
        while (Date.now() < end) {
            const found = find();
            if (found) {
                return found;
            }
            await sleep(200);
        }
        throw new Error("timed out waiting for " + what);
    };
    const loaded = (img) => Boolean(img && img.complete && img.naturalWidth > 0);
    const facets = () => [...document.querySelectorAll(".o_searchview_facet")];
    const cardIcon = (addon) => document.querySelector(
        `.o_kanban_record img[src^="/${addon}/static/description/icon.png"]`);
    return {
        async search(text) {
            const facet = await wait(
                () => facets().find((f) => f.textContent.includes("Apps")),
                "the Apps filter of the Apps screen");
            facet.querySelector(".o_facet_remove").click();
            await wait(() => !facets().length, "the Apps filter removed");
            const input = document.querySelector(".o_searchview_input");
            input.value = text;
            input.dispatchEvent(new InputEvent("input", { bubbles: true }));
            await sleep(300);
            input.dispatchEvent(
                new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
            return JSON.stringify(await wait(() => {
                const cards = Object.fromEntries(__ADDONS__.map((addon) => {
                    const icon = cardIcon(addon);
                    return [addon, loaded(icon)
                        ? icon.closest(".o_kanban_record").innerText : null];
                }));
                return Object.values(cards).every(Boolean) && cards;
            }, "a card with its icon for each addon"));
        },
        async open(addon) {
            const card = cardIcon(addon).closest(".o_kanban_record");
            card.querySelector(".o_dropdown_kanban button").click();
            const info = await wait(() => [...document.querySelectorAll(
                ".o-dropdown--menu .dropdown-item")].find(
                (item) => item.textContent.includes("Module Info")),
                "Module Info in the card's menu");
            info.click();
            const field = await wait(() => document.querySelector(
                ".o_form_view .o_field_widget[name=description_html]"),
                "the description on the module form");
            const images = () => [...field.querySelectorAll("img")];
            const avatar = () => document.querySelector(".o_form_view .oe_avatar img");
            await wait(() => loaded(avatar()) && images().every(loaded),
                "the icon and the description's images", 15000).catch(() => null);
            return JSON.stringify({
                text: field.innerText,
                images: images().map((img) => [img.getAttribute("src"), loaded(img)]),
                icon: avatar()
                    ? [avatar().getAttribute("src"), loaded(avatar())] : null,
            });
        },
        async back() {
            document.querySelector(".o_breadcrumb .o_back_button a, "
                + ".o_breadcrumb .breadcrumb-item a").click();
            await wait(() => document.querySelector(".o_kanban_view")
                && !document.querySelector(".o_form_view"), "the Apps kanban");
            return true;
        },
        async creditTab() {
            const tab = await wait(() => document.querySelector(
                ".o_form_view .o_notebook_headers a[name=settlement_credit]"),
                "the Credit tab of the customer");
            tab.click();
            const pane = await wait(() => {
                const active = document.querySelector(".o_form_view .tab-pane.active");
                return active && active.querySelector(
                    "[name=settlement_credit_usage]") && active;
            }, "the Credit tab's content");
            document.querySelector(".o_form_view .o_notebook")
                .scrollIntoView({ block: "start" });
            await sleep(1000);
            return pane.innerText;
        },
    };
})();
true
""".replace("__ADDONS__", json.dumps(ADDONS))


@tagged("post_install", "-at_install")
class TestAppsDescription(ChromePageMixin, SettlementCommon, HttpCase):
    """The Apps screen shows each addon with its icon and its description page
    (static/description/index.html, generated from readme/), and the images the
    page shows are served.  Saves screenshots of the module form and of a
    customer's Credit tab (copied into static/description for the page)."""

    evaluate_timeout = 60.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_policy("limit_overdue", overdue_days=20)
        cls.customer.credit_limit = 5000.0
        overdue = cls._invoice(cls.customer, 1200.0, days_old=60, due_days=30)
        cls._pay(overdue, 200.0, days_old=5)
        cls._invoice(cls.customer, 800.0, days_old=40, due_days=10)
        cls._invoice(cls.customer, 300.0, days_old=2, due_days=30)
        cls.env(su=True)["settlement.risk.score"]._cron_settlement_risk_scores()
        company = cls.env.company
        cls.env["res.users"].browse(cls.env.ref("base.user_admin").id).write(
            {"company_ids": [Command.link(company.id)], "company_id": company.id}
        )

    def _open(self, browser, path):
        # A fresh threaded server may answer its first asset requests with 500
        # (gh-106905, see scripts/warm_assets.py): reload until the client runs.
        for _attempt in range(4):
            browser.navigate_to(self.base_url() + path, wait_stop=True)
            deadline = time.time() + 30
            while time.time() < deadline:
                if self._evaluate(browser, READY):
                    self._evaluate(browser, APPS_STEPS)
                    return
                time.sleep(0.3)
        self.fail(f"the web client did not start on {path}")

    def _page_images(self, addon):
        html_path = os.path.join(
            get_module_path(addon), "static", "description", "index.html"
        )
        with open(html_path, encoding="utf-8") as file:
            return re.findall(r'<img [^>]*src="([^"]+)"', file.read())

    def test_icons_and_description_images_are_served(self):
        for addon in ADDONS:
            names = ["icon.png", *self._page_images(addon)]
            for name in names:
                response = self.url_open(f"/{addon}/static/description/{name}")
                self.assertEqual(response.status_code, 200, (addon, name))
                self.assertEqual(response.headers["Content-Type"], "image/png")
        self.assertGreaterEqual(len(self._page_images("settlement_mgmt")), 3)

    def test_apps_screen_shows_each_addon_with_its_page_and_icon(self):
        self.assertTrue(
            shutil.which("chromium") or shutil.which("google-chrome"),
            "browser tests need headless Chromium (apt-get install chromium)",
        )
        modules = self.env["ir.module.module"].search([("name", "in", ADDONS)])
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        browser = ChromeBrowser(self, headless=True)
        try:
            self.authenticate("admin", "admin", browser=browser)
            self._open(browser, "/odoo/action-base.open_module_tree")
            cards = self._evaluate(
                browser, "window.__apps.search('Receivables Settlement')"
            )
            self.assertIn("Receivables Settlement - Sales", cards)
            self._screenshot(browser, "apps_kanban.png")
            for addon in ADDONS:
                module = modules.filtered(lambda m, addon=addon: m.name == addon)
                page = json.loads(
                    self._evaluate(browser, f"window.__apps.open('{addon}')")
                )
                self._screenshot(browser, f"apps_{addon}.png")
                # The generated page, not Odoo's rendering of README.rst.
                self.assertIn(module.shortdesc, page["text"])
                self.assertIn("Changelog", page["text"])
                self.assertIn(module.installed_version, page["text"])
                self.assertEqual(
                    [src for src, _loaded in page["images"]],
                    [
                        f"/{addon}/static/description/{name}"
                        for name in self._page_images(addon)
                    ],
                )
                self.assertTrue(all(ok for _src, ok in page["images"]), page["images"])
                self.assertTrue(page["icon"] and page["icon"][1], page["icon"])
                self._evaluate(browser, "window.__apps.back()")
            self._open(browser, f"/odoo/res.partner/{self.customer.id}")
            credit = self._evaluate(browser, "window.__apps.creditTab()")
            self.assertIn("Credit", credit)
            self._screenshot(browser, "backend_customer_credit_tab.png")
        finally:
            browser.stop()
            self._wait_remaining_requests()
