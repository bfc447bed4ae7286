import ast
import contextlib
from dataclasses import dataclass
from datetime import datetime

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import get_month_names

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

from odoo.addons.base.models.res_lang import intersperse

from ..lib.amount_words import amount_in_words, supports
from ..lib.calendars import format_calendar_date, latin_digits, parse_calendar_date
from ..lib.calendars import native_digits as native_digits_text
from ..lib.printed_amount import amount_blocks

NBSP = "\N{NO-BREAK SPACE}"
ZWNBSP = "\N{ZERO WIDTH NO-BREAK SPACE}"


@dataclass(frozen=True)
class LangFormats:
    """A language's number and date formats, as ``res.lang`` holds them."""

    grouping: tuple
    thousands_sep: str
    decimal_point: str
    locale: Locale
    date_pattern: str

    def amount(self, value, decimal_places, symbol, position):
        """What core's ``format_amount`` writes for a rounded ``value``:
        grouped digits, the language's separators, no-break spaces, a
        zero-width no-break space after the minus, the symbol before or
        after."""
        integer, _point, fraction = (f"%.{decimal_places}f" % value).partition(".")
        integer = intersperse(integer, list(self.grouping), self.thousands_sep)[0]
        number = self.decimal_point.join([integer, fraction] if fraction else [integer])
        number = number.replace(" ", NBSP).replace("-", "-" + ZWNBSP)
        if position == "before":
            return symbol + NBSP + number
        return number + NBSP + symbol


class SettlementStatementFormat(models.AbstractModel):
    """How the addon writes for a customer — statements, reminders, portal
    pages, SMS: amounts, dates and digits in the customer's language,
    calendar and digits, amounts in words, and the dates a customer types
    back in portal forms.  Mixed into ``settlement.statement``, through which
    templates call it."""

    _name = "settlement.statement.format"
    _description = "Customer-Facing Formats"

    @api.model
    def _amount_in_words(self, amount, currency, lang, digits="latin"):
        """The amount in words in ``lang`` with the currency's own units; core's
        ``amount_to_text`` where our table does not know the currency.  A
        fraction written in figures ("and 56/100") uses ``digits``."""
        short = (lang or "en_US").split("_")[0]
        decimals = currency.decimal_places
        if supports(short, currency.name):
            return native_digits_text(
                amount_in_words(amount, currency.name, short, decimals), digits
            )
        return currency.with_context(lang=lang).amount_to_text(abs(amount))

    @api.model
    def _partner_calendar(self, partner):
        """(calendar, digits) the customer reads dates in: its own choice, else
        the company's, else Jalali for Persian and Gregorian otherwise."""
        company = self.env.company
        lang = partner.lang or ""
        calendar = (
            partner.settlement_calendar
            or company.settlement_calendar
            or ("jalali" if lang.startswith("fa") else "gregorian")
        )
        digits = "latin"
        native = partner.settlement_native_digits or company.settlement_native_digits
        if native and lang[:2] in ("fa", "ar"):
            digits = "persian" if lang.startswith("fa") else "arabic"
        return calendar, digits

    @api.model
    def _format_date(self, date, partner):
        """``date`` as the customer reads it: its calendar and digits, or the
        language's own format for Gregorian dates."""
        if not date:
            return ""
        if isinstance(date, datetime):
            # A moment (raised on, accepted on): its day where the customer is.
            date = fields.Datetime.context_timestamp(
                self.with_context(tz=partner.tz or self.env.user.tz), date
            ).date()
        calendar, digits = self._partner_calendar(partner)
        if calendar == "gregorian":
            formats = self._lang_formats(partner.lang)
            text = babel_format_date(
                date, format=formats.date_pattern, locale=formats.locale
            )
            return native_digits_text(text, digits)
        return format_calendar_date(
            date, calendar, lang=(partner.lang or "en")[:2], digits=digits
        )

    @api.model
    def _format_moment(self, moment, partner):
        """``moment`` (naive UTC) as the customer reads it: the day in its
        calendar and digits, then the time of day where it is (HH:MM)."""
        if not moment:
            return ""
        local = fields.Datetime.context_timestamp(
            self.with_context(tz=partner.tz or self.env.user.tz), moment
        )
        _calendar, digits = self._partner_calendar(partner)
        day = self._format_date(local.date(), partner)
        return f"{day} {native_digits_text(local.strftime('%H:%M'), digits)}"

    @api.model
    def _parse_typed_date(self, text, partner, example):
        """:meth:`_parse_date` for a date a customer typed in a portal form:
        a UserError in its words, with ``example`` written as its statement
        writes dates, when it is no such date."""
        try:
            return self._parse_date(str(text or "")[:40], partner)
        except ValueError:
            raise UserError(
                self.env._(
                    "Write the date as your statement does, for example %(example)s.",
                    example=self._format_date(example, partner),
                )
            ) from None

    @api.model
    def _parse_date(self, text, partner):
        """The date the customer typed as ``_format_date`` writes it: in its
        calendar, with any digits (a Gregorian date in its language's format
        or year-month-day).  ValueError when it is no such date."""
        calendar, _digits = self._partner_calendar(partner)
        text = latin_digits(str(text or "")).strip()
        if calendar != "gregorian":
            return parse_calendar_date(text, calendar)
        lang = self.env["res.lang"]._get_data(code=partner.lang or "en_US")
        date_format = lang.date_format or "%m/%d/%Y"
        with contextlib.suppress(ValueError):
            return datetime.strptime(text, date_format).date()
        if "%B" in date_format or "%b" in date_format:
            # Month names as format_date writes them in the customer's
            # language (babel's), which strptime reads only in English.
            locale = babel_locale_parse(partner.lang or "en_US")
            names = sorted(
                (
                    (name, number)
                    for width in ("wide", "abbreviated")
                    for number, name in get_month_names(width, locale=locale).items()
                ),
                key=lambda pair: -len(pair[0]),
            )
            numeric = date_format.replace("%B", "%m").replace("%b", "%m")
            for name, number in names:
                if name in text:
                    try:
                        return datetime.strptime(
                            text.replace(name, str(number), 1), numeric
                        ).date()
                    except ValueError:
                        break
        return parse_calendar_date(text)

    @api.model
    def _format_amount(self, amount, currency, partner):
        """``amount`` in ``currency`` as the customer reads it: core's
        ``format_amount`` in its language, in its digits."""
        text = self._lang_formats(partner.lang).amount(
            currency.round(amount),
            currency.decimal_places,
            currency.symbol or "",
            currency.position,
        )
        _calendar, digits = self._partner_calendar(partner)
        return native_digits_text(text, digits)

    @api.model
    def _lang_formats(self, lang_code):
        """How ``lang_code`` writes numbers and dates: a statement formats a
        thousand amounts and dates, and core's ``format_amount`` and
        ``format_date`` look the language up (and parse its grouping) at every
        call — about 0.2 ms each."""
        # A customer without a language reads the user's (or the company's):
        # resolve it here, the cache is keyed by language.
        lang_code = lang_code or get_lang(self.env).code
        return self._lang_formats_of(lang_code, self.env.context.get("lang"))

    @api.model
    @tools.ormcache("lang_code", "context_lang")
    def _lang_formats_of(self, lang_code, context_lang):
        # Cached like core's res.lang._get_data, and cleared with it: writing a
        # language clears the registry's caches.
        lang = get_lang(self.env, lang_code)
        locale = babel_locale_parse(lang.code)
        return LangFormats(
            grouping=tuple(ast.literal_eval(lang.grouping)),
            thousands_sep=lang.thousands_sep or "",
            decimal_point=lang.decimal_point,
            locale=locale,
            date_pattern=posix_to_ldml(lang.date_format, locale=locale),
        )

    @api.model
    def _format_amount_printed(self, amount, currency, partner):
        """``_format_amount`` as Markup for PDFs: see :mod:`..lib.printed_amount`."""
        return amount_blocks(
            self._format_amount(amount, currency, partner), currency.symbol
        )

    @api.model
    def _format_digits(self, text, partner):
        """``text`` (a number, an aging range) in the customer's digits."""
        _calendar, digits = self._partner_calendar(partner)
        return native_digits_text(str(text), digits)
