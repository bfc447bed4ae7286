"""Translation completeness without a database (pre-commit and ./dev test).

For each addon of the repository with an i18n/<addon>.pot: fa, ar and he
translate every term of the catalogue (not fuzzy, not empty) and keep its
placeholders.  Whether the catalogue itself matches the code needs Odoo and a
database: addons/settlement_mgmt/tests/test_i18n.py checks that in ./dev test.

Usage: check_translations.py [ADDON_DIR ...]   (default: every addon)
"""

import re
import sys
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = ("fa", "ar", "he")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}")


def problems(addon_dir):
    addon = addon_dir.name
    pot = addon_dir / "i18n" / f"{addon}.pot"
    if not pot.exists():
        return []
    found = []
    terms = {(e.msgctxt, e.msgid) for e in polib.pofile(str(pot)) if e.msgid}
    for language in LANGUAGES:
        po_path = addon_dir / "i18n" / f"{language}.po"
        if not po_path.exists():
            found.append(f"{addon}: i18n/{language}.po is missing")
            continue
        po_file = polib.pofile(str(po_path))
        translated = {
            (entry.msgctxt, entry.msgid)
            for entry in po_file
            if entry.msgstr.strip() and "fuzzy" not in entry.flags
        }
        for _context, msgid in sorted(terms - translated, key=str):
            found.append(f"{addon}/{language}.po lacks: {msgid[:70]!r}")
        for entry in po_file.translated_entries():
            if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(
                PLACEHOLDER.findall(entry.msgstr)
            ):
                found.append(
                    f"{addon}/{language}.po changes the placeholders of "
                    f"{entry.msgid[:70]!r}"
                )
    return found


def main(argv):
    addon_dirs = [Path(arg) for arg in argv] or sorted(
        path.parent for path in (REPO / "addons").glob("*/__manifest__.py")
    )
    found = [problem for addon_dir in addon_dirs for problem in problems(addon_dir)]
    print("\n".join(found))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
