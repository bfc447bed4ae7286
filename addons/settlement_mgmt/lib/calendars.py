"""Dates in the calendar a customer reads: Gregorian, Jalali (Solar Hijri,
Iran) or Hijri (Umm al-Qura), with optional native digits."""

import re
from datetime import date as gregorian_date

import hijridate
import jdatetime

CALENDARS = ("gregorian", "jalali", "hijri")
CALENDAR_SELECTION = [
    ("gregorian", "Gregorian"),
    ("jalali", "Jalali (Solar Hijri)"),
    ("hijri", "Hijri (Umm al-Qura)"),
]
DIGITS = {
    "latin": "0123456789",
    "persian": "۰۱۲۳۴۵۶۷۸۹",
    "arabic": "٠١٢٣٤٥٦٧٨٩",
}


def native_digits(text, digits="latin"):
    """``text`` with its ASCII digits written in ``digits``."""
    if digits == "latin":
        return text
    return text.translate(str.maketrans(DIGITS["latin"], DIGITS[digits]))


class CalendarRangeError(ValueError):
    """The date cannot be written in the calendar: Jalali starts in 622 and
    jdatetime stops in 9999; the Umm al-Qura tables cover only 1924-08-01 to
    2077-11-16."""


def calendar_date(date, calendar):
    """(year, month, day) of a Gregorian ``date`` in ``calendar``; raises
    CalendarRangeError for a date the calendar cannot write."""
    if calendar == "gregorian":
        return date.year, date.month, date.day
    if calendar not in CALENDARS:
        raise ValueError(calendar)
    try:
        if calendar == "jalali":
            converted = jdatetime.date.fromgregorian(date=date)
        else:
            converted = hijridate.Gregorian(date.year, date.month, date.day).to_hijri()
    except (ValueError, OverflowError) as error:
        raise CalendarRangeError(f"{date} is out of the {calendar} range") from error
    return converted.year, converted.month, converted.day


def in_calendar_range(date, calendar):
    """Whether ``date`` can be written in ``calendar``."""
    try:
        calendar_date(date, calendar)
    except CalendarRangeError:
        return False
    return True


def month_name(calendar, month, lang="en"):
    if calendar == "jalali":
        names = (
            jdatetime.date.j_months_fa if lang == "fa" else jdatetime.date.j_months_en
        )
        return names[month - 1]
    if calendar == "hijri":
        return hijridate.Hijri(1445, month, 1).month_name(
            language="ar" if lang in ("ar", "fa") else "en"
        )
    raise ValueError(calendar)


def format_calendar_date(
    date, calendar="gregorian", lang="en", digits="latin", long=False
):
    """``date`` written in ``calendar``: 1405/09/01, or with the month's name
    (1 Azar 1405) when ``long``; None for an empty date.  Gregorian dates are
    left to the caller's locale formatting and only get their digits.  A date
    the calendar cannot write (year 1, 9999, Hijri outside 1924-2077) is
    written in Gregorian, 0001-01-01, rather than failing the whole page."""
    if not date:
        return None
    try:
        year, month, day = calendar_date(date, calendar)
    except CalendarRangeError:
        calendar = "gregorian"
        year, month, day = date.year, date.month, date.day
    if calendar == "gregorian":
        text = f"{year:04d}-{month:02d}-{day:02d}"
    elif long:
        text = f"{day} {month_name(calendar, month, lang)} {year}"
    else:
        text = f"{year:04d}/{month:02d}/{day:02d}"
    return native_digits(text, digits)


def latin_digits(text):
    """``text`` with its Persian and Arabic-Indic digits written 0-9."""
    for digits in ("persian", "arabic"):
        text = text.translate(str.maketrans(DIGITS[digits], DIGITS["latin"]))
    return text


def parse_calendar_date(text, calendar="gregorian"):
    """The Gregorian date of ``text``, a year/month/day date of ``calendar``
    (as ``format_calendar_date`` writes it) in any of the digits, separated
    by "/", "-" or "."; ValueError when it is no such date."""
    parts = re.split(r"[/.-]", latin_digits(str(text or "")).strip())
    if len(parts) != 3 or not all(re.fullmatch(r"[0-9]{1,4}", p) for p in parts):
        raise ValueError(text)
    year, month, day = (int(part) for part in parts)
    if calendar not in CALENDARS:
        raise ValueError(calendar)
    try:
        if calendar == "jalali":
            return jdatetime.date(year, month, day).togregorian()
        if calendar == "hijri":
            converted = hijridate.Hijri(year, month, day).to_gregorian()
            return gregorian_date(converted.year, converted.month, converted.day)
        return gregorian_date(year, month, day)
    except (OverflowError, ValueError) as error:
        raise ValueError(text) from error
