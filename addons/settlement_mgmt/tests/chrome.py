"""Driving a headless Chromium page from a test (core's ChromeBrowser):
evaluate an expression, keep a screenshot among the artefacts."""

import base64
import os

from .test_portal_rtl_browser import artefact_dir


class ChromePageMixin:
    # Seconds an expression may take (a class may wait longer).
    evaluate_timeout = 10.0

    def _evaluate(self, browser, expression, timeout=None):
        """The value of ``expression`` in the page (promises awaited); an
        exception in the page fails the test with its details."""
        timeout = timeout or self.evaluate_timeout
        reply = browser._websocket_request(
            "Runtime.evaluate",
            params={
                "expression": expression,
                "returnByValue": True,
                "awaitPromise": True,
            },
            timeout=timeout,
        )
        if "exceptionDetails" in reply:
            raise AssertionError(reply["exceptionDetails"])
        return reply["result"].get("value")

    def _screenshot(self, browser, name):
        shot = browser._websocket_request("Page.captureScreenshot", timeout=20.0)
        with open(os.path.join(artefact_dir(), name), "wb") as file:
            file.write(base64.b64decode(shot["data"]))
