"""Write translations from a Python table into the fa, ar and he catalogues.

The table module defines ``T = {msgid: (fa, ar, he)}``; entries overwrite what
the catalogues had.  Used to review and complete translations in bulk:
i18n_fill.py ADDON_I18N_DIR TABLE.py
"""

import os
import runpy
import sys

import polib

ORDER = ("fa", "ar", "he")


def fill(i18n_dir, table_path):
    table = runpy.run_path(table_path)["T"]
    for position, short in enumerate(ORDER):
        path = os.path.join(i18n_dir, f"{short}.po")
        catalogue = polib.pofile(path)
        for entry in catalogue:
            if entry.msgid in table:
                entry.msgstr = table[entry.msgid][position]
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
        catalogue.save(path)
        missing = [entry.msgid for entry in catalogue if not entry.msgstr.strip()]
        print(f"{short}.po: {len(missing)} untranslated", *missing[:20], sep="\n  ")


if __name__ == "__main__":
    fill(*sys.argv[1:3])
