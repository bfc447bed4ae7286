import io
import os
import re

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

ADDONS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
LANGUAGES = ("fa", "ar", "he")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}")


def _entry_keys(po_file):
    return {
        (entry.msgctxt, entry.msgid)
        for entry in po_file
        if entry.msgid and not entry.obsolete
    }


@tagged("post_install", "-at_install")
class TestTranslationsComplete(TransactionCase):
    """Each addon of this repository: its .pot matches the code, and fa/ar/he
    translate every term of it, keeping the placeholders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        names = sorted(
            name
            for name in os.listdir(ADDONS_DIR)
            if os.path.exists(os.path.join(ADDONS_DIR, name, "__manifest__.py"))
        )
        installed = cls.env["ir.module.module"].search(
            [("name", "in", names), ("state", "=", "installed")]
        )
        cls.addons = sorted(installed.mapped("name"))

    def _i18n(self, addon, filename):
        return os.path.join(ADDONS_DIR, addon, "i18n", filename)

    def test_every_addon_of_the_repository_is_checked(self):
        self.assertIn("settlement_mgmt", self.addons)

    def test_pot_is_up_to_date_with_the_code(self):
        for addon in self.addons:
            with self.subTest(addon=addon):
                buffer = io.BytesIO()
                trans_export(None, [addon], buffer, "po", self.env.cr)
                exported = _entry_keys(polib.pofile(buffer.getvalue().decode()))
                committed = _entry_keys(polib.pofile(self._i18n(addon, f"{addon}.pot")))
                self.assertFalse(
                    exported - committed, f"{addon}.pot misses terms: ./dev pot"
                )
                self.assertFalse(
                    committed - exported, f"{addon}.pot has stale terms: ./dev pot"
                )

    def test_every_term_is_translated_in_fa_ar_he(self):
        for addon in self.addons:
            terms = _entry_keys(polib.pofile(self._i18n(addon, f"{addon}.pot")))
            for language in LANGUAGES:
                with self.subTest(addon=addon, language=language):
                    po_file = polib.pofile(self._i18n(addon, f"{language}.po"))
                    translated = {
                        (entry.msgctxt, entry.msgid)
                        for entry in po_file
                        if entry.msgstr.strip() and "fuzzy" not in entry.flags
                    }
                    missing = sorted(msgid for _ctx, msgid in terms - translated)
                    self.assertFalse(
                        missing, f"{addon}/{language}.po lacks: {missing[:10]}"
                    )

    def test_placeholders_survive_translation(self):
        for addon in self.addons:
            for language in LANGUAGES:
                po_file = polib.pofile(self._i18n(addon, f"{language}.po"))
                for entry in po_file.translated_entries():
                    with self.subTest(
                        addon=addon, language=language, msgid=entry.msgid[:40]
                    ):
                        self.assertEqual(
                            sorted(PLACEHOLDER.findall(entry.msgid)),
                            sorted(PLACEHOLDER.findall(entry.msgstr)),
                        )
