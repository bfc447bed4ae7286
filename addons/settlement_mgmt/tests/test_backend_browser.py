import shutil

from odoo.tests import HttpCase, tagged

# Waits for the list of the action to render, then checks the breadcrumb.
OPEN_RECEIVABLES_CHECK = """
const deadline = Date.now() + 30000;
(function poll() {
    const list = document.querySelector('.o_list_renderer');
    const crumb = document.querySelector('.o_breadcrumb');
    if (list && crumb) {
        if (crumb.textContent.includes('Open Receivables')) {
            console.log('test successful');
        } else {
            console.error('unexpected breadcrumb: ' + crumb.textContent);
        }
    } else if (Date.now() > deadline) {
        console.error('the Open Receivables list did not render');
    } else {
        setTimeout(poll, 200);
    }
})();
"""


@tagged("post_install", "-at_install")
class TestBackendInBrowser(HttpCase):
    def test_open_receivables_renders_in_chromium(self):
        # Odoo skips browser tests silently when no Chrome is found: fail instead.
        self.assertTrue(
            shutil.which("chromium") or shutil.which("google-chrome"),
            "browser tests need headless Chromium (apt-get install chromium)",
        )
        self.browser_js(
            "/odoo/action-settlement_mgmt.account_move_line_action_settlement_open",
            OPEN_RECEIVABLES_CHECK,
            login="admin",
            timeout=90,
        )
