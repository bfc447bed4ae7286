"""Every context key the addons read, found in their source, and why none of
them gives a client a right: a JSON-RPC client controls the whole context."""

import ast
import json
from datetime import date
from pathlib import Path

from odoo.tests import BaseCase, tagged

from odoo.addons.settlement_mgmt.lib import internal_context

ADDONS = Path(__file__).resolve().parents[2]
SOURCES = ("settlement_mgmt", "settlement_mgmt_sale")

# key: (what reading it does, the proof that a client sending it gains nothing)
HARMLESS = {
    "lang": "language of the texts shown; no right depends on it",
    "company": "env.company: Odoo itself limits it to the user's allowed companies",
    "date": "as-of date of the due schedule; read with the user's own rights",
    "active_model": "wizard defaults; the records are then read with the user's rights",
    "active_id": "wizard defaults, read with the user's rights",
    "active_ids": "wizard defaults, read with the user's rights",
}
# Keys that do change what happens: only a value JSON cannot carry counts.
INTERNAL_ONLY = {
    internal_context.CREDIT_CHECK_DONE_KEY: (
        "skips the credit check: only the private marker object counts",
        "test_trust_rpc.py::test_client_context_cannot_skip_the_credit_check",
    ),
    internal_context.DISCOUNT_DATE_KEY: (
        "payment date of a discount tier: only a date object counts",
        "test_trust_rpc.py::test_client_discount_date_is_ignored",
    ),
}
NAMES = {
    name: getattr(internal_context, name)
    for name in ("CREDIT_CHECK_DONE_KEY", "DISCOUNT_DATE_KEY")
}


def _key(node):
    """The key an AST node names: a literal, or a constant of internal_context."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in NAMES:
        return NAMES[node.id]
    return f"<not a known key: {ast.unparse(node)}>"


def _is_context(node):
    return (
        isinstance(node, ast.Attribute) and node.attr in ("context", "_context")
    ) or (isinstance(node, ast.Name) and node.id == "context")


def context_reads(tree):
    """Keys read from a context in a module: .get(k), [k], k in, and
    @api.depends_context(k)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "get" and _is_context(node.func.value):
                yield _key(node.args[0])
            if node.func.attr == "depends_context":
                yield from (_key(arg) for arg in node.args)
        elif isinstance(node, ast.Subscript) and _is_context(node.value):
            yield _key(node.slice)
        elif isinstance(node, ast.Compare) and any(
            isinstance(op, ast.In | ast.NotIn) for op in node.ops
        ):
            if any(_is_context(comparator) for comparator in node.comparators):
                yield _key(node.left)


@tagged("post_install", "-at_install")
class TestContextKeys(BaseCase):
    def _read_keys(self):
        found = {}
        for addon in SOURCES:
            for path in sorted((ADDONS / addon).rglob("*.py")):
                if "tests" in path.parts:
                    continue
                tree = ast.parse(path.read_text(), str(path))
                for key in context_reads(tree):
                    found.setdefault(key, []).append(str(path.relative_to(ADDONS)))
        return found

    def test_every_context_key_read_is_accounted_for(self):
        found = self._read_keys()
        # The scanner sees the reads we know are there (it is not blind).
        self.assertIn(internal_context.CREDIT_CHECK_DONE_KEY, found)
        self.assertIn("lang", found)
        unknown = {
            key: paths
            for key, paths in found.items()
            if key not in HARMLESS and key not in INTERNAL_ONLY
        }
        self.assertFalse(
            unknown,
            "New context keys read: say in HARMLESS why a client sending them "
            "gains nothing, or make them INTERNAL_ONLY with an RPC test.",
        )

    def test_keys_that_matter_have_an_rpc_proof(self):
        tests = ADDONS / "settlement_mgmt" / "tests"
        for key, (_why, proof) in INTERNAL_ONLY.items():
            with self.subTest(key=key):
                module, test = proof.split("::")
                self.assertIn(f"def {test}(", (tests / module).read_text())

    def test_no_json_value_is_taken_for_server_code(self):
        json_values = (
            True,
            1,
            "1",
            "credit check done by the caller",
            repr(internal_context.CREDIT_CHECK_DONE),
            {"name": "credit check done by the caller"},
            ["credit check done by the caller"],
            None,
            "2026-01-02",
            20260102,
        )
        for value in json_values:
            sent = json.loads(
                json.dumps(
                    {
                        internal_context.CREDIT_CHECK_DONE_KEY: value,
                        internal_context.DISCOUNT_DATE_KEY: value,
                    }
                )
            )
            with self.subTest(value=value):
                self.assertFalse(internal_context.credit_check_done(sent))
                self.assertIsNone(internal_context.discount_date(sent))
        # Server code still gets through.
        self.assertTrue(
            internal_context.credit_check_done(
                internal_context.credit_check_done_context()
            )
        )
        self.assertEqual(
            internal_context.discount_date(
                {internal_context.DISCOUNT_DATE_KEY: date(2026, 1, 2)}
            ),
            date(2026, 1, 2),
        )
