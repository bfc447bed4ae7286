"""Names and periods of a collection case file (pure Python)."""

import re

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_file_part(text):
    """``text`` usable in a file name inside a ZIP: path separators and the
    characters Windows refuses become a dash, spaces are squeezed."""
    return " ".join(_UNSAFE.sub("-", str(text or "")).split()).strip(" -") or "-"


def case_file_member_name(index, label, name, lang):
    """The ZIP member for the ``index``-th document: numbered so the files
    sort in the order of the dossier, ``label`` and ``name`` as typed, the
    language code of a dossier (``lang``) at the end:
    ``01 Dossier CASE-7 (fa_IR).pdf``, ``03 Invoice INV-2025-00001.pdf``."""
    suffix = f" ({lang})" if lang else ""
    return f"{index:02d} {safe_file_part(label)} {safe_file_part(name)}{suffix}.pdf"


def dossier_period_start(invoice_dates, default_start):
    """The first day of the statement a dossier embeds: the first of the month
    of the oldest invoice handed over, or ``default_start`` when that is
    earlier (or no invoice has a date)."""
    dates = [day for day in invoice_dates if day]
    if not dates:
        return default_start
    return min(min(dates).replace(day=1), default_start)
