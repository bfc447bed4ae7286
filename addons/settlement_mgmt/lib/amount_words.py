"""Amounts in words with the right currency units for en, fa, ar and he.

num2words writes Arabic amounts in Saudi riyals whatever the currency, knows
only the toman in Persian and few currencies in Hebrew and English, so the
number words come from num2words and the currency units from this table.
"""

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words
from num2words.lang_AR import Num2Word_AR

# Arabic: (singular, dual, plural for 3-10, accusative singular for 11-99).
AR_UNITS = {
    "USD": (
        ("دولار", "دولاران", "دولارات", "دولاراً"),
        ("سنت", "سنتان", "سنتات", "سنتاً"),
    ),
    "EUR": (("يورو", "يوروان", "يوروهات", "يورو"), ("سنت", "سنتان", "سنتات", "سنتاً")),
    "AED": (("درهم", "درهمان", "دراهم", "درهماً"), ("فلس", "فلسان", "فلوس", "فلساً")),
    "SAR": (("ريال", "ريالان", "ريالات", "ريالاً"), ("هللة", "هللتان", "هللات", "هللة")),
    "EGP": (("جنيه", "جنيهان", "جنيهات", "جنيهاً"), ("قرش", "قرشان", "قروش", "قرشاً")),
    "ILS": (
        ("شيكل", "شيكلان", "شيكلات", "شيكلاً"),
        ("أغورة", "أغورتان", "أغورات", "أغورة"),
    ),
    "IRR": (("ريال", "ريالان", "ريالات", "ريالاً"), ("", "", "", "")),
    "KWD": (("دينار", "ديناران", "دنانير", "ديناراً"), ("فلس", "فلسان", "فلوس", "فلساً")),
}
# Persian: nouns stay singular after a number.
FA_UNITS = {
    "USD": ("دلار", "سنت"),
    "EUR": ("یورو", "سنت"),
    "IRR": ("ریال", None),
    "IRT": ("تومان", None),
    "AED": ("درهم", "فلس"),
    "SAR": ("ریال سعودی", "هلله"),
    "EGP": ("پوند مصر", "قرش"),
    "ILS": ("شِکِل", "آگورا"),
    "KWD": ("دینار کویت", "فلس"),
}
# Hebrew: (singular, plural, gender) of the unit and of the subunit.
HE_UNITS = {
    "USD": (("דולר", "דולרים", "m"), ("סנט", "סנטים", "m")),
    "EUR": (("אירו", "אירו", "m"), ("סנט", "סנטים", "m")),
    "ILS": (("שקל", "שקלים", "m"), ("אגורה", "אגורות", "f")),
    "AED": (("דירהם", "דירהמים", "m"), ("פילס", "פילסים", "m")),
    "SAR": (("ריאל סעודי", "ריאלים סעודיים", "m"), ("הללה", "הללות", "f")),
    "EGP": (("לירה מצרית", "לירות מצריות", "f"), ("פיאסטר", "פיאסטרים", "m")),
    "IRR": (("ריאל איראני", "ריאלים איראניים", "m"), None),
}
# English: (singular, plural) of the unit and of the subunit.
EN_UNITS = {
    "USD": (("dollar", "dollars"), ("cent", "cents")),
    "EUR": (("euro", "euros"), ("cent", "cents")),
    "ILS": (("shekel", "shekels"), ("agora", "agorot")),
    "AED": (("dirham", "dirhams"), ("fils", "fils")),
    "SAR": (("riyal", "riyals"), ("halala", "halalas")),
    "EGP": (("Egyptian pound", "Egyptian pounds"), ("piastre", "piastres")),
    "IRR": (("rial", "rials"), None),
    "IRT": (("toman", "tomans"), None),
    "KWD": (("dinar", "dinars"), ("fils", "fils")),
}
LANGS = ("en", "fa", "ar", "he")


class _Arabic(Num2Word_AR):
    def __init__(self, unit, subunit):
        super().__init__()
        self._units = (unit, subunit)

    def set_currency_prefer(self, currency):
        self.currency_unit, self.currency_subunit = self._units


def split_amount(amount, decimals=2):
    """(whole units, subunits) of a non-negative ``amount``."""
    quantum = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    value = Decimal(str(abs(amount))).quantize(quantum, rounding=ROUND_HALF_UP)
    whole = int(value)
    return whole, int((value - whole) * (10**decimals)) if decimals else 0


def supports(lang, currency):
    table = {"en": EN_UNITS, "fa": FA_UNITS, "ar": AR_UNITS, "he": HE_UNITS}
    return lang in table and currency in table[lang]


def amount_in_words(amount, currency, lang, decimals=2):
    """``amount`` of ``currency`` (ISO code) in words in ``lang`` (en, fa, ar,
    he); raises KeyError when the table lacks the pair (callers fall back)."""
    whole, cents = split_amount(amount, decimals)
    if lang == "ar":
        unit, subunit = AR_UNITS[currency]
        value = Decimal(f"{whole}.{cents:02d}") if decimals else Decimal(whole)
        text = _Arabic(unit, subunit).to_currency(value).strip()
        # A count of exactly one or two follows the noun in Arabic ("دولار
        # واحد", "دولاران اثنان"), in the noun's gender.
        for count, forms in ((whole, unit), (cents, subunit)):
            singular, dual = forms[0], forms[1]
            if count not in (1, 2) or not singular:
                continue
            feminine = singular.endswith("ة")
            one, two = ("واحدة", "اثنتان") if feminine else ("واحد", "اثنان")
            for word in ("واحد", "إحدى", "واحدة"):
                text = text.replace(f"{word} {singular}", f"{singular} {one}", 1)
            for word in ("اثنان", "اثنتان"):
                text = text.replace(f"{word} {dual}", f"{dual} {two}", 1)
        return text
    if lang == "fa":
        unit, subunit = FA_UNITS[currency]
        text = f"{num2words(whole, lang='fa')} {unit}"
        if cents and subunit:
            text += f" و {num2words(cents, lang='fa')} {subunit}"
        return text
    if lang == "he":
        unit, subunit = HE_UNITS[currency]
        text = _hebrew_count(whole, unit)
        if cents and subunit:
            text += " ו" + _hebrew_count(cents, subunit)
        return text
    if lang == "en":
        unit, subunit = EN_UNITS[currency]
        text = f"{num2words(whole, lang='en')} {unit[whole != 1]}"
        if cents and subunit:
            text += f" and {num2words(cents, lang='en')} {subunit[cents != 1]}"
        return text
    raise KeyError(lang)


def _hebrew_count(count, unit):
    singular, plural, gender = unit
    if count == 1:
        return f"{singular} {'אחד' if gender == 'm' else 'אחת'}"
    # Two is "shnei/shtei" before a noun; other numbers keep their form.
    words = num2words(count, lang="he", gender=gender, construct=count == 2)
    return f"{words} {plural}"
