"""Merge an addon's i18n/<addon>.pot into its fa, ar and he catalogues.

Existing translations are kept, terms that left the code are dropped, and every
header names its language so Odoo loads it.  A new term that Odoo core already
translates word for word (account, base, portal, mail, sale) takes core's
translation, so our screens use the same vocabulary as the rest of Odoo; any
other new term arrives untranslated, and the completeness test lists it.
Usage: i18n_sync.py ADDON_I18N_DIR [ODOO_SRC]
"""

import os
import sys

import polib

LANGUAGES = {"fa": "fa_IR", "ar": "ar_001", "he": "he_IL"}
PLURAL_FORMS = {
    "fa": "nplurals=2; plural=(n > 1);",
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
    "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;",
    "he": "nplurals=2; plural=(n != 1);",
}


CORE_MODULES = ("account", "base", "portal", "mail", "sale", "web", "payment")


def core_terms(odoo_src, short):
    """msgid -> msgstr of the core catalogues of one language, first module wins."""
    terms = {}
    for module in CORE_MODULES:
        for base in ("addons", "odoo/addons"):
            path = os.path.join(odoo_src, base, module, "i18n", f"{short}.po")
            if os.path.exists(path):
                for entry in polib.pofile(path):
                    if entry.msgstr.strip() and "fuzzy" not in entry.flags:
                        terms.setdefault(entry.msgid, entry.msgstr.strip())
    return terms


def sync(i18n_dir, odoo_src=None):
    addon = os.path.basename(os.path.dirname(os.path.abspath(i18n_dir)))
    pot = polib.pofile(os.path.join(i18n_dir, f"{addon}.pot"))
    for short, code in LANGUAGES.items():
        path = os.path.join(i18n_dir, f"{short}.po")
        catalogue = polib.pofile(path) if os.path.exists(path) else polib.POFile()
        catalogue.merge(pot)
        for entry in catalogue.obsolete_entries():
            catalogue.remove(entry)
        if odoo_src:
            known = core_terms(odoo_src, short)
            for entry in catalogue.untranslated_entries():
                if entry.msgid in known:
                    entry.msgstr = known[entry.msgid]
        catalogue.metadata = {
            **pot.metadata,
            "Language": code,
            "Plural-Forms": PLURAL_FORMS[short],
        }
        catalogue.save(path)
        missing = [entry.msgid for entry in catalogue if not entry.msgstr.strip()]
        print(
            f"{addon}/{short}.po: {len(catalogue)} terms, {len(missing)} untranslated"
        )


if __name__ == "__main__":
    sync(*sys.argv[1:3])
