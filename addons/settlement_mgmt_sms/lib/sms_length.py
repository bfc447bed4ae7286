"""How many SMS segments a text takes (no ORM import).

A text in the GSM 03.38 alphabet is sent as GSM-7: 160 characters in one
segment, 153 per segment when it is split (the rest carries the joining
header); characters of the extension table (``{ } [ ] ~ \\ | ^ €`` and form
feed) count twice.  Any other character (Persian, Arabic, Hebrew letters…)
sends the whole text as UCS-2: 70 characters in one segment, 67 when split;
characters outside the Basic Multilingual Plane take two."""

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


# Odoo formats amounts with no-break spaces ("$\xa01.00"), which GSM-7 does
# not have: one of them sends the whole SMS as UCS-2, 70 characters a segment.
SPACES = str.maketrans({"\xa0": " ", "\u202f": " ", "\u2007": " "})


def sms_text(text):
    """``text`` as the SMS sends it: no-break spaces made plain."""
    return (text or "").translate(SPACES)


def is_gsm7(text):
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def sms_units(text):
    """(encoding, length in that encoding's units)."""
    if is_gsm7(text):
        return "gsm7", sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    return "ucs2", sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def sms_segments(text):
    """Number of segments ``text`` is sent in (0 for an empty text)."""
    encoding, units = sms_units(text)
    single, part = (
        (GSM7_SINGLE, GSM7_PART) if encoding == "gsm7" else (UCS2_SINGLE, UCS2_PART)
    )
    if units <= single:
        return 1 if units else 0
    return -(-units // part)
