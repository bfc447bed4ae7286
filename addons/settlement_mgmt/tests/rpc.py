"""JSON-RPC as the web client sends it: a test mixin for HttpCase classes."""

import json


class JsonRpcMixin:
    """Call model methods over HTTP with the session of ``login``, exactly as a
    client (or an attacker with that user's session) would."""

    def rpc(self, login, model, method, args=(), kwargs=None, context=None):
        """The JSON answer's ``result``, or the error's ``data`` dict under the
        key ``error`` (name, message)."""
        if login:
            self.authenticate(login, login)
        kwargs = dict(kwargs or {})
        if context is not None:
            kwargs["context"] = context
        answer = self.call_kw_json(model, method, args, kwargs)
        if "error" in answer:
            return {"error": answer["error"]["data"]}
        # Odoo leaves "result" out of the answer when the method returned None.
        return {"result": answer.get("result")}

    def call_kw_json(self, model, method, args=(), kwargs=None):
        """The decoded JSON-RPC answer of ``call_kw`` with the current session."""
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": list(args),
                        "kwargs": dict(kwargs or {}),
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response.json()

    def assertRpcRefused(self, answer, error_name=None):
        self.assertIn("error", answer, f"the call was accepted: {answer}")
        if error_name:
            self.assertEqual(answer["error"]["name"], error_name, answer["error"])
        return answer["error"]["message"]
