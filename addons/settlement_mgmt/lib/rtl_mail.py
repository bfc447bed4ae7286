"""Right-to-left e-mails: core's mail layouts set no direction (pure, no ORM)."""

import re

from markupsafe import Markup

HTML_TAG = re.compile(r"<html\b")


def with_direction(html, direction):
    """``html`` (a rendered e-mail layout) reading in ``direction``: its
    ``<html>`` tag gets ``dir``, or the whole is wrapped in a ``<div dir>``;
    left-to-right (the default) leaves it as it is."""
    if not html or direction != "rtl":
        return html
    if HTML_TAG.search(html):
        return Markup(HTML_TAG.sub('<html dir="rtl"', str(html), count=1))
    return Markup('<div dir="rtl">%s</div>') % html
