"""Make WeasyPrint 70 honour ``footnote-policy: line``.

When a paragraph's line does not fit at the foot of a page and breaking before it
would leave too few lines behind (``orphans``), WeasyPrint 70 first moves the
page's last note to the next page, to make room for that line
(``weasyprint.layout.block._linebox_layout``, the loop over
``context.current_page_footnotes``). It does so whatever the note's
``footnote-policy``; but with ``line`` (the print stylesheet's) or ``block`` a
note may not be printed on a later page than its call. In the benchmark edition
this left 32 notes behind their calls on 466 pages, each then corrected by laying
out the whole part again (``pdf.lay_out_part``).

``apply`` changes that one loop so that it moves only notes whose policy is
``auto``: otherwise WeasyPrint does what it does without notes, and breaks before
the paragraph. The change is made to the function's own source at run time, and
only for the version it was written against; with another version nothing is
changed, and the re-layout corrects what is left behind (slower, same pages).
"""

from __future__ import annotations

import inspect
import logging

import weasyprint
from weasyprint.layout import block

log = logging.getLogger("folio")

VERSION = "70.0"
_LOOP = "while report and context.current_page_footnotes:"
_HONOURED = (
    "while report and context.current_page_footnotes and "
    "context.current_page_footnotes[-1].style['footnote_policy'] == 'auto':"
)
_ORIGINAL = block._linebox_layout


def _honouring():
    """WeasyPrint's line layout with the loop changed, or None if it is not the one expected."""
    if weasyprint.__version__ != VERSION:
        return None
    try:
        lines, first = inspect.getsourcelines(_ORIGINAL)
    except (OSError, TypeError):
        return None
    source = "".join(lines)
    if source.count(_LOOP) != 1:
        return None
    namespace: dict = {}
    # blank lines first, so that a traceback shows WeasyPrint's own line numbers
    code = compile("\n" * (first - 1) + source.replace(_LOOP, _HONOURED), _ORIGINAL.__code__.co_filename, "exec")
    exec(code, block.__dict__, namespace)  # the module's globals: the function reads its helpers there
    return namespace[_ORIGINAL.__name__]


_FIXED = _honouring()


def apply() -> bool:
    """Use the corrected line layout; False (and a warning) if this WeasyPrint is not the one expected."""
    if _FIXED is None:
        log.warning(
            "WeasyPrint %s is not %s: notes WeasyPrint leaves behind their calls are put back by "
            "laying out their part again (slower)",
            weasyprint.__version__,
            VERSION,
        )
        return False
    block._linebox_layout = _FIXED
    return True


def restore() -> None:
    """WeasyPrint's own line layout (the tests compare both)."""
    block._linebox_layout = _ORIGINAL


def applied() -> bool:
    return _FIXED is not None and block._linebox_layout is _FIXED
