"""The load test of issue #27 (``./dev bench load``; part of ``./dev bench
growth``): a prefork Odoo (``--workers``) on localhost, and for a fixed time
concurrent portal customers reading their statement, their invoice list and
one of their invoices, and backend users opening the Due Schedule (overdue,
grouped by customer, then its first page) and the dashboard, as the web client
calls them.  Every client waits for its answer before its next request.

Plain Python (no Odoo): ``python bench/bench_load.py BASE_URL USERS_JSON MODE``
where USERS_JSON is what bench/load_users.py printed.  The first
BENCH_LOAD_WARMUP seconds (15) are not counted: every worker loads the
registry on its first request.  Prints
BENCH<json>: one row per kind of request with p50 / p95 latency, the number of
requests and of errors (HTTP >= 400, an RPC error, a refused connection).
"""

import json
import os
import re
import statistics
import sys
import threading
import time
from datetime import date

import requests

SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "30"))
# Untimed first: each prefork worker loads the registry on its first request.
WARMUP = float(os.environ.get("BENCH_LOAD_WARMUP", "15"))
PORTAL_CLIENTS = int(os.environ.get("BENCH_LOAD_PORTAL", "6"))
BACKEND_CLIENTS = int(os.environ.get("BENCH_LOAD_BACKEND", "2"))


class Client(threading.Thread):
    def __init__(self, base, login, password, results, window):
        super().__init__(daemon=True)
        self.base = base
        self.login = login
        self.password = password
        self.results = results
        # Shared by the clients: every one signs in, then the timed window
        # starts for all at once (Window.barrier sets its end).
        self.window = window
        self.session = requests.Session()

    def sign_in(self):
        page = self.session.get(f"{self.base}/web/login", timeout=60)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = self.session.post(
            f"{self.base}/web/login",
            data={"login": self.login, "password": self.password, "csrf_token": token},
            timeout=60,
        )
        if "/web/login" in answer.url:
            raise RuntimeError(f"{self.login} could not sign in")

    def timed(self, kind, call):
        started = time.perf_counter()
        try:
            error = call()
        except requests.RequestException as exc:
            error = str(exc)
        elapsed = time.perf_counter() - started
        if time.time() - elapsed >= self.window.measured_from:
            self.results.append((kind, elapsed, error))

    def get(self, path):
        answer = self.session.get(f"{self.base}{path}", timeout=120)
        return None if answer.status_code < 400 else f"HTTP {answer.status_code}"

    def rpc(self, model, method, **kwargs):
        answer = self.session.post(
            f"{self.base}/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": model,
                    "method": method,
                    "args": [],
                    "kwargs": kwargs,
                },
            },
            timeout=120,
        )
        if answer.status_code >= 400:
            return f"HTTP {answer.status_code}"
        body = answer.json()
        return body["error"]["data"]["name"] if "error" in body else None

    def run(self):
        try:
            self.sign_in()
        except Exception as exc:  # every failure is a result
            self.results.append(("sign in", 0.0, f"{type(exc).__name__}: {exc}"))
            self.window.barrier.wait()
            return
        self.window.barrier.wait()
        while time.time() < self.window.end:
            self.round()


class Window:
    """The timed window of a run: opens once every client has signed in,
    and counts the requests started after the warm-up."""

    def __init__(self, clients, seconds, warmup):
        self.end = None
        self.measured_from = float("inf")
        self.barrier = threading.Barrier(clients, action=self.open)
        self.seconds = seconds
        self.warmup = warmup

    def open(self):
        self.measured_from = time.time() + self.warmup
        self.end = self.measured_from + self.seconds


class PortalCustomer(Client):
    def __init__(self, base, user, results, window):
        login, password, self.invoice_ids = user
        super().__init__(base, login, password, results, window)
        self.turn = 0

    def round(self):
        self.timed("portal: /my/statement", lambda: self.get("/my/statement"))
        self.timed("portal: /my/invoices", lambda: self.get("/my/invoices"))
        invoice = self.invoice_ids[self.turn % len(self.invoice_ids)]
        self.turn += 1
        self.timed("portal: an invoice", lambda: self.get(f"/my/invoices/{invoice}"))


class BackendUser(Client):
    def round(self):
        overdue = [["date_due", "<", date.today().isoformat()]]
        self.timed(
            "backend: Due Schedule, overdue grouped by customer",
            lambda: self.rpc(
                "settlement.receivable.item",
                "web_read_group",
                domain=overdue,
                fields=["amount_residual:sum"],
                groupby=["partner_id"],
                limit=80,
                lazy=True,
            ),
        )
        self.timed(
            "backend: Due Schedule, first page",
            lambda: self.rpc(
                "settlement.receivable.item",
                "web_search_read",
                domain=[],
                specification={
                    "name": {},
                    "partner_id": {"fields": {"display_name": {}}},
                    "date_due": {},
                    "amount_residual": {},
                },
                limit=80,
                count_limit=10001,
            ),
        )
        self.timed(
            "backend: dashboard",
            lambda: self.rpc(
                "settlement.dashboard",
                "web_search_read",
                domain=[],
                specification={
                    "receivable": {},
                    "overdue": {},
                    "dso": {},
                    "aging_html": {},
                    "top_customers_html": {},
                },
            ),
        )


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(base, users_file, mode):
    users = json.loads(open(users_file).read())
    results = []
    window = Window(PORTAL_CLIENTS + BACKEND_CLIENTS, SECONDS, WARMUP)
    clients = [
        PortalCustomer(base, users[index % len(users)], results, window)
        for index in range(PORTAL_CLIENTS)
    ] + [
        BackendUser(base, "admin", "admin", results, window)
        for _index in range(BACKEND_CLIENTS)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    # Until the last answer: a request started in the window is counted.
    elapsed = time.time() - min(window.measured_from, time.time())
    rows = []
    for kind in sorted({kind for kind, _elapsed, _error in results}):
        times = [seconds for k, seconds, _error in results if k == kind]
        errors = [error for k, _elapsed, error in results if k == kind and error]
        rows.append(
            {
                "step": f"{kind} ({mode})",
                "mode": mode,
                "requests": len(times),
                "p50_ms": round(statistics.median(times) * 1000),
                "p95_ms": round(percentile(times, 0.95) * 1000),
                "errors": len(errors),
                "first_error": errors[0] if errors else None,
            }
        )
    timed = [seconds for kind, seconds, _error in results if kind != "sign in"]
    if not timed:
        raise SystemExit(f"the load test made no request: {results[:3]}")
    rows.append(
        {
            "step": f"all requests ({mode})",
            "mode": mode,
            "requests": len(timed),
            "per_second": round(len(timed) / elapsed, 1),
            "p50_ms": round(statistics.median(timed) * 1000),
            "p95_ms": round(percentile(timed, 0.95) * 1000),
            "errors": sum(1 for _kind, _seconds, error in results if error),
            "clients": len(clients),
            "seconds": round(elapsed),
        }
    )
    print("BENCH" + json.dumps(rows))


if __name__ == "__main__":
    main(*sys.argv[1:4])
