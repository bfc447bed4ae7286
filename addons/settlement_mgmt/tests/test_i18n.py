import io
import os
import re

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

I18N_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")
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
    """The committed .pot matches the code, and fa/ar/he translate every term of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pot = polib.pofile(os.path.join(I18N_DIR, "settlement_mgmt.pot"))

    def test_pot_is_up_to_date_with_the_code(self):
        buffer = io.BytesIO()
        trans_export(None, ["settlement_mgmt"], buffer, "po", self.env.cr)
        exported = _entry_keys(polib.pofile(buffer.getvalue().decode()))
        committed = _entry_keys(self.pot)
        self.assertFalse(
            exported - committed,
            "terms missing from i18n/settlement_mgmt.pot: run ./dev pot",
        )
        self.assertFalse(
            committed - exported,
            "i18n/settlement_mgmt.pot has terms the code no longer has: run ./dev pot",
        )

    def test_every_term_is_translated_in_fa_ar_he(self):
        terms = _entry_keys(self.pot)
        for language in LANGUAGES:
            with self.subTest(language=language):
                po_file = polib.pofile(os.path.join(I18N_DIR, f"{language}.po"))
                translated = {
                    (entry.msgctxt, entry.msgid)
                    for entry in po_file
                    if entry.msgstr.strip() and "fuzzy" not in entry.flags
                }
                missing = sorted(msgid for _ctx, msgid in terms - translated)
                self.assertFalse(missing, f"{language}.po lacks: {missing[:10]}")

    def test_placeholders_survive_translation(self):
        for language in LANGUAGES:
            po_file = polib.pofile(os.path.join(I18N_DIR, f"{language}.po"))
            for entry in po_file.translated_entries():
                with self.subTest(language=language, msgid=entry.msgid[:40]):
                    self.assertEqual(
                        sorted(PLACEHOLDER.findall(entry.msgid)),
                        sorted(PLACEHOLDER.findall(entry.msgstr)),
                    )
