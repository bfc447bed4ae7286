"""Amounts in words with the right currency units for en, fa, ar and he.

num2words writes Arabic amounts in Saudi riyals whatever the currency and
always in the feminine, knows only the toman in Persian and few currencies in
Hebrew and English.  Arabic numbers are therefore written here, agreeing with
each unit's gender; Persian, Hebrew and English number words come from
num2words and the currency units from the tables below.

A currency without a subunit in practice (the Iranian rial, the toman) still
has decimals in Odoo: a fraction is never dropped or rounded away but written
as on a cheque, "and 56/100", so the words always equal the figure.
"""

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

# Arabic: (singular, dual, plural for 3-10, accusative singular for 11-99,
# feminine?) of the unit and of the subunit (None: no subunit in use).
AR_UNITS = {
    "USD": (
        ("دولار", "دولاران", "دولارات", "دولاراً", False),
        ("سنت", "سنتان", "سنتات", "سنتاً", False),
    ),
    "EUR": (
        ("يورو", "يوروان", "يورو", "يورو", False),
        ("سنت", "سنتان", "سنتات", "سنتاً", False),
    ),
    "AED": (
        ("درهم", "درهمان", "دراهم", "درهماً", False),
        ("فلس", "فلسان", "فلوس", "فلساً", False),
    ),
    "SAR": (
        ("ريال", "ريالان", "ريالات", "ريالاً", False),
        ("هللة", "هللتان", "هللات", "هللة", True),
    ),
    "EGP": (
        ("جنيه", "جنيهان", "جنيهات", "جنيهاً", False),
        ("قرش", "قرشان", "قروش", "قرشاً", False),
    ),
    "ILS": (
        ("شيكل", "شيكلان", "شيكلات", "شيكلاً", False),
        ("أغورة", "أغورتان", "أغورات", "أغورة", True),
    ),
    # "ريال" alone reads as the Saudi (or Qatari, Omani, Yemeni) riyal.
    "IRR": (
        ("ريال إيراني", "ريالان إيرانيان", "ريالات إيرانية", "ريالاً إيرانياً", False),
        None,
    ),
    "KWD": (
        ("دينار", "ديناران", "دنانير", "ديناراً", False),
        ("فلس", "فلسان", "فلوس", "فلساً", False),
    ),
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


# Arabic numbers: 3-10 take the gender opposite to the noun's (ثلاثة دراهم,
# ثلاث هللات); 1 and 2 and the units of 21-99 agree with it.
_AR_ONES = {
    False: (
        "",
        "واحد",
        "اثنان",
        "ثلاثة",
        "أربعة",
        "خمسة",
        "ستة",
        "سبعة",
        "ثمانية",
        "تسعة",
        "عشرة",
    ),
    True: (
        "",
        "واحدة",
        "اثنتان",
        "ثلاث",
        "أربع",
        "خمس",
        "ست",
        "سبع",
        "ثماني",
        "تسع",
        "عشر",
    ),
}
_AR_TEENS = {
    False: ("أحد عشر", "اثنا عشر", "عشر"),
    True: ("إحدى عشرة", "اثنتا عشرة", "عشرة"),
}
_AR_TENS = ("", "", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون")
_AR_TENS += ("ثمانون", "تسعون")
_AR_HUNDREDS = ("", "مئة", "مئتان", "ثلاثمئة", "أربعمئة", "خمسمئة", "ستمئة")
_AR_HUNDREDS += ("سبعمئة", "ثمانمئة", "تسعمئة")
# Thousands, millions, ... counted like masculine nouns.
_AR_SCALES = (
    ("ألف", "ألفان", "آلاف", "ألفاً", False),
    ("مليون", "مليونان", "ملايين", "مليوناً", False),
    ("مليار", "ملياران", "مليارات", "ملياراً", False),
    ("تريليون", "تريليونان", "تريليونات", "تريليوناً", False),
)


def _arabic_below_1000(number, feminine):
    hundreds, rest = divmod(number, 100)
    words = [_AR_HUNDREDS[hundreds]] if hundreds else []
    if 0 < rest <= 10:
        words.append(_AR_ONES[feminine][rest])
    elif 11 <= rest <= 12:
        words.append(_AR_TEENS[feminine][rest - 11])
    elif 13 <= rest <= 19:
        words.append(f"{_AR_ONES[feminine][rest - 10]} {_AR_TEENS[feminine][2]}")
    elif rest >= 20:
        tens, ones = divmod(rest, 10)
        if ones:
            words.append(f"{_AR_ONES[feminine][ones]} و{_AR_TENS[tens]}")
        else:
            words.append(_AR_TENS[tens])
    return " و".join(words)


def _arabic_count(number, noun):
    """``number`` (> 0) of ``noun`` (singular, dual, plural, accusative,
    feminine?) in words, the noun in the form the number governs."""
    singular, dual, plural, accusative, feminine = noun
    if number == 1:
        return f"{singular} {_AR_ONES[feminine][1]}"
    if number == 2:
        return f"{dual} {_AR_ONES[feminine][2]}"
    groups = []
    rest = number
    while rest:
        rest, group = divmod(rest, 1000)
        groups.append(group)
    words = []
    for level in range(len(groups) - 1, 0, -1):
        if groups[level]:
            words.append(_arabic_scale(groups[level], _AR_SCALES[level - 1]))
    if groups[0]:
        words.append(_arabic_below_1000(groups[0], feminine))
    last_two = number % 100
    if 3 <= last_two <= 10:
        form = plural
    elif last_two >= 11:
        form = accusative
    else:
        form = singular
    if last_two == 0:
        # A round number is in construct with the noun: مئتا درهم, ألفا
        # درهم, أحد عشر ألف درهم.
        last = words[-1]
        if last.endswith("ان"):
            last = last[:-1]
        elif last.endswith("اً"):
            last = last[:-2]
        words[-1] = last
    return f"{' و'.join(words)} {form}"


def _arabic_scale(count, scale):
    singular, dual, plural, accusative, _feminine = scale
    if count == 1:
        return singular
    if count == 2:
        return dual
    words = _arabic_below_1000(count, False)
    last_two = count % 100
    if 3 <= last_two <= 10:
        return f"{words} {plural}"
    if last_two >= 11:
        return f"{words} {accusative}"
    return f"{words} {singular}"


def split_amount(amount, decimals=2):
    """(whole units, subunits) of a non-negative ``amount``."""
    quantum = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    value = Decimal(str(abs(amount))).quantize(quantum, rounding=ROUND_HALF_UP)
    whole = int(value)
    return whole, int((value - whole) * (10**decimals)) if decimals else 0


def supports(lang, currency):
    table = {"en": EN_UNITS, "fa": FA_UNITS, "ar": AR_UNITS, "he": HE_UNITS}
    return lang in table and currency in table[lang]


def _fraction(cents, decimals):
    """A fraction of a currency without subunit, as cheques write it."""
    return f"{cents:0{decimals}d}/{10**decimals}"


def amount_in_words(amount, currency, lang, decimals=2):
    """``amount`` of ``currency`` (ISO code) in words in ``lang`` (en, fa, ar,
    he); raises KeyError when the table lacks the pair (callers fall back).

    Whole units and subunits are both written; no whole unit when the amount
    is below one (fifty-six cents); for a currency without subunit the
    fraction in figures (and 56/100)."""
    whole, cents = split_amount(amount, decimals)
    if lang == "ar":
        unit, subunit = AR_UNITS[currency]
        return _join(
            whole and _arabic_count(whole, unit),
            cents and subunit and _arabic_count(cents, subunit),
            cents and not subunit and _fraction(cents, decimals),
            f"صفر {unit[0]}",
            "و",
        )
    if lang == "fa":
        unit, subunit = FA_UNITS[currency]
        return _join(
            whole and f"{num2words(whole, lang='fa')} {unit}",
            cents and subunit and f"{num2words(cents, lang='fa')} {subunit}",
            cents and not subunit and _fraction(cents, decimals),
            f"صفر {unit}",
            "و ",
        )
    if lang == "he":
        unit, subunit = HE_UNITS[currency]
        return _join(
            whole and _hebrew_count(whole, unit),
            cents and subunit and _hebrew_count(cents, subunit),
            # The conjunction is joined to a word, hyphenated before figures.
            cents and not subunit and f"-{_fraction(cents, decimals)}",
            f"אפס {unit[1]}",
            "ו",
        )
    if lang == "en":
        unit, subunit = EN_UNITS[currency]
        return _join(
            whole and f"{_english(whole)} {unit[whole != 1]}",
            cents and subunit and f"{_english(cents)} {subunit[cents != 1]}",
            cents and not subunit and _fraction(cents, decimals),
            f"zero {unit[1]}",
            "and ",
        )
    raise KeyError(lang)


def _join(units, subunits, fraction, zero, conjunction):
    """Units and subunits (or the fraction) joined by ``conjunction``; a
    fraction keeps a zero unit before it so that the currency is named."""
    if fraction:
        return f"{units or zero} {conjunction}{fraction}"
    if units and subunits:
        return f"{units} {conjunction}{subunits}"
    return units or subunits or zero


def _english(number):
    # "one thousand, two hundred and thirty-four": no commas inside a sentence.
    return num2words(number, lang="en").replace(",", "")


def _hebrew_count(count, unit):
    singular, plural, gender = unit
    if count == 1:
        return f"{singular} {'אחד' if gender == 'm' else 'אחת'}"
    # Two is "shnei/shtei" before a noun; other numbers keep their form.
    words = num2words(count, lang="he", gender=gender, construct=count == 2)
    return f"{words} {plural}"
