"""Amounts in printed (wkhtmltopdf) documents.

Debian's wkhtmltopdf runs an old Qt WebKit whose bidi algorithm draws the
number and the Arabic-script symbol of one right-to-left run over each other
("2,500.75 د.إ" prints as an unreadable cluster), and ignores the Unicode
isolate characters.  An inline block is laid out as one atomic box, so the
number and the symbol each in their own block, side by side in the logical
order, print readably in every direction."""

from markupsafe import Markup, escape

BLOCK = Markup('<span style="display: inline-block;">%s</span>')
AMOUNT = Markup(
    '<span class="o_settlement_amount" style="white-space: nowrap;">%s %s</span>'
)


def amount_blocks(text, symbol):
    """Markup of a formatted amount ``text`` whose currency sign is ``symbol``
    (at either end): the number and the sign in separate inline blocks.  Text
    without the sign at an end is returned escaped, unchanged."""
    text = text.strip()
    if symbol and text.startswith(symbol):
        parts = (symbol, text[len(symbol) :].strip())
    elif symbol and text.endswith(symbol):
        parts = (text[: -len(symbol)].strip(), symbol)
    else:
        return escape(text)
    return AMOUNT % (BLOCK % parts[0], BLOCK % parts[1])
