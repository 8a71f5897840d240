"""Make WeasyPrint 70 stop breaking lines far too early before an inline element.

``weasyprint.text.line_break.split_first_line`` fits a text in a line. When the text
ends with a space (it does whenever an inline element follows it: a name of the index,
an emphasis, a link) and fits in the line only without that space, Pango reports no
line break, but the width it measures includes the space; WeasyPrint then takes the
text for one word too long for the line and breaks after its first word. In a book
that is a line holding only "has", the rest of the paragraph going on below (seen on
real manuscripts: 14 such lines in 400 pages, each reported as W504).

``apply`` wraps the function as the layout of lines calls it: a text that fits once its
trailing spaces are set aside is laid out as fitting, as WeasyPrint does for any text
that fits; the inline element after it then goes to the next line. Only for the
version this was written against (``VERSION``); with another, nothing is changed and
the short lines are reported as before. ``self_check`` says whether the fix is needed
and works. Upstream, line breaking around inline boxes is WeasyPrint issue #1614.
"""

from __future__ import annotations

import logging
from math import inf

import weasyprint
from weasyprint.layout import inline
from weasyprint.text import line_break

log = logging.getLogger("folio")

VERSION = "70.0"
_ORIGINAL = line_break.split_first_line
_COLLAPSING = ("normal", "nowrap", "pre-line")


def _split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
    result = _ORIGINAL(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    resume_index = result[2]
    if (
        resume_index is None
        or max_width is None
        or max_width == inf
        or not text.endswith(" ")
        or style["white_space"] not in _COLLAPSING
        or len(text.encode()) - resume_index <= 1
    ):
        return result
    stripped = text.rstrip(" ")
    if not stripped:
        return result
    layout = line_break.create_layout(stripped, style, context, max_width, justification_spacing)
    first_line, index = layout.get_first_line()
    width, _ = line_break.line_size(first_line, style)
    if index is not None or width > max_width:
        layout.deactivate()
        return result  # it does not fit: WeasyPrint's break stands
    layout.set_text(text)
    first_line, _ = layout.get_first_line()
    return line_break.first_line_metrics(first_line, text, layout, None, True, style)


def apply() -> bool:
    if weasyprint.__version__ != VERSION:
        log.warning(
            "WeasyPrint %s is not %s: lines broken too early before inline elements are only reported (W504)",
            weasyprint.__version__,
            VERSION,
        )
        return False
    inline.split_first_line = _split_first_line
    return True


def restore() -> None:
    inline.split_first_line = _ORIGINAL


def applied() -> bool:
    return inline.split_first_line is _split_first_line
