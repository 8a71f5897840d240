"""The layout engine: the only module that imports WeasyPrint.

Everything folio needs from WeasyPrint goes through here:

- one version check (``VERSION``): folio relies on internals of exactly that release,
  and refuses to lay out with another one rather than make a wrong book silently;
- the corrections folio makes to WeasyPrint's layout, installed explicitly by
  ``install()`` (in each layout process, before the first layout), each with the
  upstream issue it works around:

  * notes continued on the next page, as TeX does it (WeasyPrint never splits a note:
    #1833, #1564): a note too tall for the room left under its call's line keeps its
    first lines there, and the rest is carried to the foot of the next page, before
    that page's own notes; a note taller than a page goes on over as many pages as it
    needs, leaving room for text on each;
  * each note laid out once a page: WeasyPrint lays out all of a page's notes again
    for every note added to it, folio keeps each piece's height;
  * ``footnote-policy: line`` honoured: WeasyPrint 70 moves a note behind its call to
    avoid an orphan whatever the note's policy;
  * no line broken far too early before an inline element (#1614);
  * hyphenation dictionaries loaded once a process, not once a layout;
  * justified paragraphs broken as a whole (``total_fit``, Knuth and Plass), not first-fit
    line by line: WeasyPrint is left only the breaks chosen;

- rendering (``render``) and writing (``write_pdf``), reading only the folders allowed
  (``ConfinedFetcher``);
- a typed view of a laid-out page (``PageView``: the body, its lines, the note area and
  its notes, the margin boxes), built with ``isinstance`` on WeasyPrint's box classes.

``tests/test_engine.py`` is the contract: it fails loudly when an upgrade of WeasyPrint
changes what this module relies on.
"""

from __future__ import annotations

import collections
import copy
import ctypes
import ctypes.util
import enum
import gc
import inspect
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from math import inf
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyphen  # WeasyPrint's own hyphenation dictionaries (a dependency of WeasyPrint)

from folio.layout import total_fit

VERSION = "70.0"  # the WeasyPrint release this module was written against (pinned in pyproject.toml)


@contextmanager
def _sonames_only():
    """While WeasyPrint loads Pango and its friends on Linux: cffi asks ctypes' find_library
    about every name it tries before the soname that loads (22 subprocesses, a quarter of a
    second at every start), and on Linux the dynamic loader finds the sonames itself."""
    if not sys.platform.startswith("linux") or "weasyprint" in sys.modules:
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = find_library


with _sonames_only():
    import weasyprint
    from weasyprint import CSS, HTML
    from weasyprint.document import Page
    from weasyprint.formatting_structure import boxes, build
    from weasyprint.layout import LayoutContext, block, inline, percent
    from weasyprint.layout import page as page_layout
    from weasyprint.layout.background import layout_backgrounds
    from weasyprint.text import line_break
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

__all__ = ["FatalURLFetchingError", "VERSION", "install", "render", "write_pdf"]


class EngineMismatch(RuntimeError):
    """The installed WeasyPrint is not the release folio's corrections were written for."""


def check_version() -> None:
    if weasyprint.__version__ != VERSION:
        raise EngineMismatch(
            f"folio needs WeasyPrint {VERSION}, and WeasyPrint {weasyprint.__version__} is installed: "
            f"folio corrects that release's layout (continued notes, note placement, line breaks); "
            f"install it with: pip install 'weasyprint=={VERSION}'"
        )


# ---------------------------------------------------------------- the corrections
#
# Two of them change a few words of a WeasyPrint function (``_patched``): the function's
# source is read, the words replaced, and the function compiled again in its own module,
# so that WeasyPrint's code stays WeasyPrint's (and a traceback shows its line numbers).
# Each replaced text must occur exactly once, or nothing is installed.

EPSILON = 0.01  # CSS px: what layout arithmetic may be off by
TALL_NOTE_SHARE = 0.7  # a note carried over may fill this share of a page's text block, then it goes on
MAX_NOTES_SHARE = 0.85  # notes taller than this share of a page together cannot stand under one line

_LINEBOX_PATCHES = (
    # footnote-policy: only notes whose policy is 'auto' are moved to make room for a line
    (
        "while report and context.current_page_footnotes:",
        "while report and context.current_page_footnotes and "
        "context.current_page_footnotes[-1].style['footnote_policy'] == 'auto':",
    ),
    # a note is told how much room its call's line leaves below it, and how much there is without
    # that line (continued notes)
    (
        "overflow = context.layout_footnote(footnote)",
        "overflow = context.layout_footnote(footnote, context.page_bottom - bottom_space - (new_position_y + offset_y), "
        "context.page_bottom - bottom_space - line.position_y)",
    ),
)
_PAGE_PATCHES = (
    # the note area laid out at the page's foot: from where a carried note goes on, up to where a cut one stops
    (
        "footnote_area, bottom_space=-inf, skip_stack=None,",
        "footnote_area, bottom_space=context.folio_area_bottom_space(footnote_area), "
        "skip_stack=context.folio_area_skip(),",
    ),
    # laid out from inside a note, the area lost its top (WeasyPrint takes it for the rest of a
    # broken box): its rule, margin and padding are given back
    (
        "    footnote_area.translate(dy=-footnote_area.margin_height())",
        "    context.folio_area_top(footnote_area); footnote_area.translate(dy=-footnote_area.margin_height())",
    ),
)


def _patched(function, replacements):
    """``function`` compiled again with the replacements made in its source, or None when its
    source is not the one expected."""
    try:
        lines, first = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return None
    source = "".join(lines)
    for old, new in replacements:
        if source.count(old) != 1:
            return None
        source = source.replace(old, new)
    namespace: dict = {}
    # blank lines first, so that a traceback shows WeasyPrint's own line numbers
    code = compile("\n" * (first - 1) + source, function.__code__.co_filename, "exec")
    exec(code, sys.modules[function.__module__].__dict__, namespace)  # the module's globals: its helpers
    return namespace[function.__name__]


_ORIGINAL = {
    "linebox_layout": block._linebox_layout,
    "make_page": page_layout.make_page,
    "split_first_line": inline.split_first_line,
    "iter_line_boxes": block.iter_line_boxes,
    "split_text_box": inline.split_text_box,
    "context_init": LayoutContext.__init__,
    "layout_footnote": LayoutContext.layout_footnote,
    "unlayout_footnote": LayoutContext.unlayout_footnote,
    "report_footnote": LayoutContext.report_footnote,
    "update_footnote_area": LayoutContext._update_footnote_area,
}
_LINEBOX_LAYOUT = _patched(_ORIGINAL["linebox_layout"], _LINEBOX_PATCHES)
_MAKE_PAGE = _patched(_ORIGINAL["make_page"], _PAGE_PATCHES)


def install() -> None:
    """Put folio's corrections in place (idempotent). Raises EngineMismatch with another
    WeasyPrint, or when its source is not the one the corrections were written against."""
    check_version()
    if _LINEBOX_LAYOUT is None or _MAKE_PAGE is None:
        raise EngineMismatch(
            f"WeasyPrint {weasyprint.__version__}'s layout source is not the one folio corrects "
            f"(block._linebox_layout, page.make_page): reinstall it with pip install --force-reinstall "
            f"'weasyprint=={VERSION}'"
        )
    block._linebox_layout = _LINEBOX_LAYOUT
    page_layout.make_page = _make_page
    inline.split_first_line = _split_first_line
    block.iter_line_boxes = _iter_line_boxes
    inline.split_text_box = _split_text_box
    LayoutContext.__init__ = _context_init
    LayoutContext.layout_footnote = _layout_footnote
    LayoutContext.unlayout_footnote = _unlayout_footnote
    LayoutContext.report_footnote = _report_footnote
    LayoutContext._update_footnote_area = _update_footnote_area
    LayoutContext.folio_area_skip = _area_skip
    LayoutContext.folio_area_bottom_space = _area_bottom_space
    LayoutContext.folio_area_top = _area_top


def uninstall() -> None:
    """WeasyPrint as it is (the tests compare both)."""
    block._linebox_layout = _ORIGINAL["linebox_layout"]
    page_layout.make_page = _ORIGINAL["make_page"]
    inline.split_first_line = _ORIGINAL["split_first_line"]
    block.iter_line_boxes = _ORIGINAL["iter_line_boxes"]
    inline.split_text_box = _ORIGINAL["split_text_box"]
    LayoutContext.__init__ = _ORIGINAL["context_init"]
    LayoutContext.layout_footnote = _ORIGINAL["layout_footnote"]
    LayoutContext.unlayout_footnote = _ORIGINAL["unlayout_footnote"]
    LayoutContext.report_footnote = _ORIGINAL["report_footnote"]
    LayoutContext._update_footnote_area = _ORIGINAL["update_footnote_area"]


def installed() -> bool:
    return page_layout.make_page is _make_page and block._linebox_layout is _LINEBOX_LAYOUT


# -- hyphenation dictionaries, once a process

_DICTIONARIES: dict = {}


def _context_init(self, *args, **kwargs):
    _ORIGINAL["context_init"](self, *args, **kwargs)
    self.dictionaries = _DICTIONARIES  # pyphen's dictionaries, read once a process (WeasyPrint: once a layout)
    self.footnotes = PendingNotes()


# -- the notes not yet placed, asked for at every line
#
# ``block._linebox_layout`` asks, for every box of every line, whether the box's note
# (None for almost all of them) is among the notes not yet placed: a scan of a list that
# holds, at the start of a part, all of its notes. A 538-page appendix with 5,000 notes
# spent most of its layout in that scan. The same list, with the ids of its members kept
# beside it, answers in constant time. Boxes compare by identity (no ``__eq__``), as the
# list's own membership test then does.


class PendingNotes(list):
    """A list of note boxes whose membership test is a set lookup."""

    def __init__(self, items=()):
        super().__init__(items)
        self._ids = collections.Counter(map(id, self))

    def __contains__(self, item) -> bool:
        return id(item) in self._ids

    def append(self, item) -> None:
        super().append(item)
        self._ids[id(item)] += 1

    def insert(self, index, item) -> None:
        super().insert(index, item)
        self._ids[id(item)] += 1

    def extend(self, items) -> None:
        items = list(items)
        super().extend(items)
        self._ids.update(map(id, items))

    def remove(self, item) -> None:
        super().remove(item)
        self._forget(item)

    def pop(self, index=-1):
        item = super().pop(index)
        self._forget(item)
        return item

    def clear(self) -> None:
        super().clear()
        self._ids.clear()

    def copy(self) -> PendingNotes:
        return PendingNotes(self)

    def __iadd__(self, items):
        self.extend(items)
        return self

    def __setitem__(self, index, value) -> None:
        super().__setitem__(index, value)
        self._ids = collections.Counter(map(id, self))

    def __delitem__(self, index) -> None:
        super().__delitem__(index)
        self._ids = collections.Counter(map(id, self))

    def _forget(self, item) -> None:
        key = id(item)
        self._ids[key] -= 1
        if not self._ids[key]:
            del self._ids[key]


# -- lines broken far too early before an inline element (WeasyPrint #1614)
#
# ``split_first_line`` fits a text in a line. When the text ends with a space (it does
# whenever an inline element follows it: a name of the index, an emphasis, a link) and fits
# in the line only without that space, Pango reports no line break, but the width it
# measures includes the space; WeasyPrint then takes the text for one word too long and
# breaks after its first word (a line holding only "has", the paragraph going on below).
# A text that fits once its trailing spaces are set aside is laid out as fitting, as
# WeasyPrint does for any text that fits; the inline element after it goes to the next line.

_COLLAPSING = ("normal", "nowrap", "pre-line")


def _split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
    result = _ORIGINAL["split_first_line"](
        text, style, context, max_width, justification_spacing, is_line_start, minimum
    )
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


# -- justified paragraphs broken as a whole (total fit), not line by line
#
# WeasyPrint breaks a line at the last place that fits (first fit). For a justified
# paragraph of the book, folio chooses all its breaks at once (``total_fit``, Knuth and
# Plass), from the widths Pango gives with the paragraph's own fonts, before WeasyPrint
# sets its first line; then it leaves WeasyPrint only those breaks: at every other place
# where a line could break, a word joiner (U+2060, invisible, zero-width, dropped from the
# PDF's text) holds the two sides together, soft hyphens stand where a chosen hyphenation
# point is and nowhere else, and the text's ``hyphens`` becomes ``manual`` so that WeasyPrint
# adds none of its own. WeasyPrint's first fit then finds each chosen line, and justifies
# it as it justifies any line. Each text box keeps where its chosen breaks are (in bytes),
# so that each line is shaped from two lines of text, not from the rest of the paragraph.
#
# Paragraphs are planned once a process (the plan is a function of their text, styles,
# fonts and measure); a paragraph that holds anything the plan cannot measure (an image,
# a letter-spaced or pre-formatted text, a ::first-line style) keeps first fit.

WORD_JOINER = "\u2060"
SOFT_HYPHEN = "\u00ad"
_SPACES = (" ", "\u00a0")  # what justification widens (WeasyPrint's count_expandable_spaces)
_HYPHENS = ("-", "\u2010", "\u2011", "\u2013", "\u2014")  # a break after them shows a hyphen or dash
_MAX_CACHED = 400_000
_TOTAL_FIT = [True]  # the benchmark switches it off to measure first fit in the same run
_WIDTHS: dict = {}  # (text, font key) -> width
_PLANS: dict = {}  # a paragraph's key -> its boxes' new texts and breaks, or None
_FACES = [""]  # the @font-face rules of the document being laid out (part of every font key)
_LONGER: list[frozenset] = [frozenset()]  # ids of the paragraphs to set a line longer, if they can be
_EXTENSIBLE: list[set] = [set()]  # ids of the paragraphs of the layout under way that can be
TRY_LONGER = 0.8  # a paragraph is tried a line longer when its last line fills this share of the measure


class _Unplannable(Exception):
    """The paragraph holds something total fit does not measure: first fit sets it."""


def use_total_fit(enabled: bool) -> None:
    """Paragraphs broken as a whole (the default) or line by line, as WeasyPrint does."""
    _TOTAL_FIT[0] = enabled


def _iter_line_boxes(context, box, *args):
    # planned at its first line, or at the first line laid out of a copy made before (a note's
    # rest is laid out from a copy of the note, with a place in the planned text to resume at);
    # args: position_y, bottom_space, skip_stack, containing_block, absolute_boxes, fixed_boxes,
    # first_letter_style, first_line_style (WeasyPrint's order, checked by tests/test_engine.py)
    if _TOTAL_FIT[0] and not getattr(box, "folio_planned", False):
        box.folio_planned = True
        containing_block, first_letter_style, first_line_style = args[3], args[6], args[7]
        if first_letter_style is None and first_line_style is None:
            _plan(context, box, containing_block)
    return _ORIGINAL["iter_line_boxes"](context, box, *args)


def _plan(context, linebox, containing_block) -> None:
    style = linebox.style
    if style["text_align_all"] != "justify" or style["white_space"] != "normal" or style["direction"] != "ltr":
        return
    measure = containing_block.width
    try:
        leaves = _leaves(linebox, measure)
    except _Unplannable:
        return
    texts = _texts(leaves)
    if not texts:
        return
    indent = percent.percentage(style["text_indent"], style, measure)
    last_justified = style["text_align_last"] == "justify"
    identifier = _paragraph_id(linebox)
    key = (
        identifier is not None,
        _FACES[0],
        round(measure, 3),
        round(indent, 3),
        last_justified,
        style["lang"],
        tuple(
            (leaf.text, _font_key(leaf.style), leaf.style["hyphens"], leaf.style["white_space"])
            if isinstance(leaf, boxes.TextBox)
            else leaf
            for leaf in leaves
        ),
    )
    if key in _PLANS:
        plan, longer = _PLANS[key]
    else:
        try:
            plan, longer = _plan_texts(
                context, leaves, style["lang"], measure - indent, measure, last_justified, identifier is not None
            )
        except _Unplannable:
            plan = longer = None
        if len(_PLANS) > _MAX_CACHED:
            _PLANS.clear()
        _PLANS[key] = (plan, longer)
    if longer is not None:
        _EXTENSIBLE[0].add(identifier)
        if identifier in _LONGER[0]:
            plan = longer
    if plan is None:
        return
    manual: dict[int, object] = {}
    for box, (text, breaks) in zip(texts, plan, strict=True):
        box.text = text
        box.folio_breaks = breaks
        if box.style["hyphens"] == "auto":
            copied = manual.get(id(box.style))
            if copied is None:
                copied = manual[id(box.style)] = box.style.copy()
                copied["hyphens"] = "manual"
            box.style = copied


def _paragraph_id(linebox) -> str | None:
    """The id of a paragraph's element, or of the anchor that opens it (its first child)."""
    element = linebox.element
    if element is None:
        return None
    if element.get("id"):
        return element.get("id")
    return element[0].get("id") if len(element) and not (element.text or "").strip() else None


def _leaves(linebox, measure) -> list:
    """The paragraph's text boxes in order, with the widths between them (an inline box's
    margin, border and padding; an inline block's whole width) as numbers."""
    leaves: list = []

    def edge(box, side):
        style = box.style
        margin = style[f"margin_{side}"]
        width = 0.0 if margin == "auto" else percent.percentage(margin, style, measure)
        return width + style[f"border_{side}_width"] + percent.percentage(style[f"padding_{side}"], style, measure)

    def walk(parent):
        for child in parent.children:
            if not child.is_in_normal_flow():
                continue  # a float (the examined text's claim numbers stand in the margin), a note
            if isinstance(child, boxes.TextBox):
                if child.style["white_space"] not in ("normal", "nowrap") or _spacing(child.style):
                    raise _Unplannable
                leaves.append(child)
            elif isinstance(child, boxes.InlineBox):
                if _spacing(child.style):
                    raise _Unplannable
                leaves.append(edge(child, "left"))
                walk(child)
                leaves.append(edge(child, "right"))
            elif isinstance(child, boxes.InlineBlockBox) and not isinstance(child, boxes.ReplacedBox):
                width = child.style["width"]
                if width == "auto":
                    raise _Unplannable
                leaves.append(
                    (percent.percentage(width, child.style, measure) + edge(child, "left") + edge(child, "right"),)
                )
            else:
                raise _Unplannable  # an image, an inline table, a flex or grid box

    walk(linebox)
    return leaves


def _texts(leaves) -> list:
    return [leaf for leaf in leaves if isinstance(leaf, boxes.TextBox)]


def _spacing(style) -> bool:
    return style["letter_spacing"] not in ("normal", 0) or bool(style["word_spacing"])


def _font_key(style) -> str:
    """What a text's width depends on in its style (kept for the style object itself: a
    paragraph's boxes share a few)."""
    known = _FONT_KEYS.get(id(style))
    if known is not None and known[0] is style:
        return known[1]
    key = line_break._font_style_cache_key(style, include_size=True) + str(style["font_kerning"])
    if len(_FONT_KEYS) > 2_000:
        _FONT_KEYS.clear()
    _FONT_KEYS[id(style)] = (style, key)
    return key


_FONT_KEYS: dict[int, tuple] = {}  # id(style) -> (the style, kept alive so that its id is not reused; its key)


def _width(context, layouts, style, text) -> float:
    key = (text, _FACES[0], _font_key(style))
    width = _WIDTHS.get(key)
    if width is None:
        layout = layouts.get(id(style))
        if layout is None:
            layout = layouts[id(style)] = line_break.Layout(style)
        layout.set_text(text)
        line, _ = layout.get_first_line()
        width, _ = line_break.line_size(line, style)
        if len(_WIDTHS) > _MAX_CACHED:
            _WIDTHS.clear()
        _WIDTHS[key] = width
    return width


def _plan_texts(context, leaves, lang, first_width, width, last_justified, try_longer=False):
    """Each text box's new text and its chosen breaks (bytes into that text), or None when
    the paragraph fits on one line or has no better breaks than first fit's; and, when
    ``try_longer`` and the last line is nearly full, the same for the best setting a line
    longer within the tolerance (None when there is none)."""
    # the paragraph's characters, an inline block standing as one object replacement character
    chars: list[str] = []
    owners: list = []  # the text box of each character (None: an inline block)
    starts: list[int] = []  # where each text box begins
    for leaf in leaves:
        if isinstance(leaf, boxes.TextBox):
            starts.append(len(chars))
            chars.extend(leaf.text)
            owners.extend([leaf] * len(leaf.text))
        elif isinstance(leaf, tuple):
            chars.append("\ufffc")
            owners.append(None)
    text = "".join(chars)
    count = len(text)
    if count < 2:
        return None
    log_attrs = line_break.get_log_attrs(text, lang)
    opportunities = set()
    for i in range(1, count):
        if not log_attrs[i].is_line_break:
            continue
        before, after = owners[i - 1], owners[i]
        if (
            before is not None
            and after is not None
            and before.style["white_space"] == "nowrap" == after.style["white_space"]
        ):
            continue
        if text[i - 1] == SOFT_HYPHEN and before is not None and before.style["hyphens"] == "none":
            continue
        opportunities.add(i)
    # total fit breaks inside a text box, or after a space: at another boundary between boxes
    # ("published." and a note's call, each in its own box) WeasyPrint's first fit finds no break
    candidates = {
        i for i in opportunities if owners[i] is not None and (owners[i - 1] is owners[i] or text[i - 1] in _SPACES)
    }
    hyphenation = _hyphenation_points(context, leaves, starts, text, opportunities)
    layouts: dict = {}
    items = total_fit.Items()
    places: list[int] = []  # the character each item breaks before (-1: not a break)
    pending = 0.0  # the width of the box being gathered
    text_starts = iter(starts)
    for leaf in leaves:
        if not isinstance(leaf, boxes.TextBox):
            pending += leaf[0] if isinstance(leaf, tuple) else leaf
            continue
        style = leaf.style
        start = next(text_starts)
        end = start + len(leaf.text)
        piece = start  # the first character not yet measured
        for i in range(start, end):
            char = text[i]
            if i and (i in candidates or i in hyphenation) and text[i - 1] not in _SPACES:
                word = text[piece:i].replace(SOFT_HYPHEN, "")
                base = _width(context, layouts, style, word) if word else 0.0
                if pending + base:
                    items.box(pending + base)
                    places.append(-1)
                pending = 0.0
                if i in hyphenation or text[i - 1] == SOFT_HYPHEN:
                    hyphen = style["hyphenate_character"]
                    extra = _width(context, layouts, style, word + hyphen) - base
                    items.penalty(extra, total_fit.HYPHEN_PENALTY, True)
                else:
                    dash = text[i - 1] in _HYPHENS
                    items.penalty(0.0, total_fit.HYPHEN_PENALTY if dash else 0.0, dash)
                places.append(i)
                piece = i
            if char in _SPACES:
                if i > piece:
                    pending += _width(context, layouts, style, text[piece:i].replace(SOFT_HYPHEN, ""))
                if pending:
                    items.box(pending)
                    places.append(-1)
                    pending = 0.0
                space = _width(context, layouts, style, char)
                items.glue(space, space / 2, breakable=(i + 1) in candidates)
                places.append(i + 1)
                piece = i + 1
        if end > piece:
            pending += _width(context, layouts, style, text[piece:end].replace(SOFT_HYPHEN, ""))
    if pending:
        items.box(pending)
        places.append(-1)
    for layout in layouts.values():
        layout.deactivate()
    lines = total_fit.breaks(items, first_width, width, last_justified)
    if lines is None or len(lines) < 2:
        return None, None
    plan = _texts_with_breaks(leaves, starts, text, opportunities, hyphenation, {places[li.end] for li in lines[:-1]})
    longer = None
    if try_longer and total_fit.last_line_share(items, lines, width) >= TRY_LONGER:
        found = total_fit.breaks(items, first_width, width, last_justified, looseness=1)
        if len(found) > len(lines):
            chosen = {places[line.end] for line in found[:-1]}
            longer = _texts_with_breaks(leaves, starts, text, opportunities, hyphenation, chosen)
    return plan, longer


def _hyphenation_points(context, leaves, starts, text, opportunities) -> set[int]:
    """Where WeasyPrint's own hyphenation (hyphens: auto) could break a word: pyphen's points,
    with the style's hyphenate-limit-chars, in words without soft hyphens."""
    points: set[int] = set()
    for leaf, start in zip(_texts(leaves), starts, strict=True):
        style = leaf.style
        lang = style["lang"] and pyphen.language_fallback(style["lang"])
        if style["hyphens"] != "auto" or not lang:
            continue
        total, left, right = style["hyphenate_limit_chars"]
        key = (lang, left, right, total)
        dictionary = context.dictionaries.get(key)
        if dictionary is None:
            dictionary = context.dictionaries[key] = pyphen.Pyphen(lang=lang, left=left, right=right)
        for match in _WORD.finditer(leaf.text):
            a, b = start + match.start(), start + match.end()
            word = match.group()
            if len(word) < total or (a > 0 and text[a - 1].isalpha()) or (b < len(text) and text[b].isalpha()):
                continue
            for position in dictionary.positions(word):
                points.add(a + position)
    return points - opportunities


_WORD = re.compile(r"[^\W\d_]+")


def _texts_with_breaks(leaves, starts, text, opportunities, hyphenation, chosen):
    plan = []
    for leaf, start in zip(_texts(leaves), starts, strict=True):
        out: list[str] = []
        size = 0  # bytes so far
        breaks: list[int] = []
        for i in range(start, start + len(leaf.text)):
            char = text[i]
            if i in chosen and i > start:
                if i in hyphenation:
                    out.append(SOFT_HYPHEN)
                    size += 2
                breaks.append(size)
            elif i not in chosen and i in opportunities and text[i - 1] != SOFT_HYPHEN:
                out.append(WORD_JOINER)
                size += 3
            if char == SOFT_HYPHEN and (i + 1) not in chosen:
                continue  # a soft hyphen not chosen goes
            out.append(char)
            size += len(char.encode())
        plan.append(("".join(out), tuple(breaks)))
    return plan


def _split_text_box(context, box, available_width, skip, is_line_start=True):
    """A planned text box is shaped up to the break after the chosen one, not to its end."""
    breaks = getattr(box, "folio_breaks", None)
    if breaks and available_width is not None and available_width != inf:
        start = skip or 0
        after = [b for b in breaks if b > start]
        if len(after) >= 2:
            head = box.text.encode()[: after[1]].decode()
            found = _ORIGINAL["split_text_box"](context, box.copy_with_text(head), available_width, skip, is_line_start)
            if found[1] is not None:
                return found
    return _ORIGINAL["split_text_box"](context, box, available_width, skip, is_line_start)


# -- notes: each laid out once a page, and continued on the next page


@dataclass
class _Notes:
    """What the layout of one document knows of its notes."""

    heights: dict = field(default_factory=dict)  # (note, from, limit, width) -> (content height, resume, margins)
    incoming: tuple | None = None  # (note, skip): the rest of a note cut on the page before
    outgoing: tuple | None = None  # (note, skip, height): the note cut at this page's foot
    carried: dict = field(default_factory=dict)  # page number -> (note, skip) carried to the next page
    continued: list = field(default_factory=list)  # ids of the notes cut, in order
    context: object = None  # the layout's LayoutContext (its page states make the margin boxes)
    cut_line: float | None = None  # where the line calling the note cut at this page's foot ends


_LAST: list = [None]  # the notes of the layout under way (one at a time in a process)


def _notes(context) -> _Notes:
    state = getattr(context, "_folio_notes", None)
    if state is None:
        state = context._folio_notes = _Notes()
        _LAST[0] = state
    return state


def _skip_key(skip):
    return None if skip is None else repr(skip)


def _measure(context, area, note, skip=None, limit=None, whole_words=True):
    """(content height, resume_at, has vertical margins) of ``note`` alone in the note area,
    from ``skip`` (where a carried note goes on) and cut at ``limit`` (the height its piece may
    have) when given; (None, None, ...) when not even the lines the note's orphans ask for fit.
    ``whole_words``: a cut after a hyphenated line is made a line earlier, where that line is not."""
    state = _notes(context)
    key = (id(note), _skip_key(skip), None if limit is None else round(limit, 3), area.width, whole_words)
    found = state.heights.get(key)
    if found is None:
        probe = build.create_anonymous_boxes(area.copy_with_children([note]).deepcopy())
        probe.position_y = 0
        if limit is None:
            bottom_space = -inf
        else:  # (laid out from inside the note, the probe has no top: WeasyPrint takes it for a rest)
            top = 0 if skip is not None else _top(area)
            bottom_space = context.page_bottom - (top + limit)
        laid, resume = block.block_level_layout(
            context,
            probe,
            bottom_space,
            None if skip is None else {0: skip},
            area.page,
            page_is_empty=limit is None,
        )[:2]
        if laid is None or not laid.children:
            found = (None, None, False)
        else:
            piece = laid.children[0]
            margins = bool(piece.margin_top or piece.margin_bottom)
            height = laid.height
            if resume is not None:
                # a cut fragment is stretched to where it was cut: its height is that of its lines
                lines = [box for box in descendants(piece) if isinstance(box, boxes.LineBox)]
                height = max((line.position_y + line.height for line in lines), default=laid.content_box_y())
                height -= laid.content_box_y()
                if whole_words and len(lines) > 1 and _hyphenated(lines[-1]) and not _hyphenated(lines[-2]):
                    # no word broken across pages: the piece ends a line earlier, if it still can be cut there
                    shorter = _measure(context, area, note, skip, height - 1, whole_words=False)
                    if shorter[0] is not None and shorter[1] is not None:
                        state.heights[key] = shorter
                        return shorter
            found = (height, None if resume is None else resume.get(0), margins)
        state.heights[key] = found
    return found


def _hyphenated(line) -> bool:
    """The line ends with a word broken by a hyphen (WeasyPrint's, or one in the text)."""
    last = [box for box in descendants(line) if isinstance(box, boxes.TextBox) and box.text.strip()]
    return bool(last) and last[-1].text.rstrip().endswith(("\u2010", "-", "\u00ad"))


def _piece_height(context, state, area, index, note):
    """The content height of the note area's piece ``index``, or None when it cannot simply be
    added to the others' (a note with vertical margins: they collapse)."""
    last = index == len(area.children) - 1
    if last and state.outgoing is not None and note is state.outgoing[0]:
        return state.outgoing[2]
    skip = state.incoming[1] if index == 0 and state.incoming is not None and note is state.incoming[0] else None
    height, _resume, margins = _measure(context, area, note, skip)
    return None if height is None or margins else height


def _top(area) -> float:
    """The note area's top: its margin, border (the rule above the notes) and padding."""
    return area.margin_top + area.border_top_width + area.padding_top


def _overhead(area) -> float:
    """What the note area adds to its notes' heights: its margins, border (the rule) and padding."""
    return (
        area.margin_top
        + area.border_top_width
        + area.padding_top
        + area.padding_bottom
        + area.border_bottom_width
        + area.margin_bottom
    )


def _update_footnote_area(self):
    """The page's note area after a note was added or removed: its height from each piece's,
    each laid out once (WeasyPrint lays out the whole area again every time)."""
    area = self.current_footnote_area
    if area.height != "auto" and not self.in_column:
        self.page_bottom += area.margin_height()
    area.children = self.current_page_footnotes
    if not area.children:
        area.height = 0
        if not self.in_column:
            self.page_bottom -= area.margin_height()
        return False
    state = _notes(self)
    heights = [_piece_height(self, state, area, index, note) for index, note in enumerate(area.children)]
    if None in heights:
        # notes with vertical margins (they collapse): the whole area laid out, as WeasyPrint does;
        # such notes are never cut (see _layout_footnote)
        laid = build.create_anonymous_boxes(area.deepcopy())
        content = block.block_level_layout(self, laid, -inf, _area_skip(self), area.page)[0].height
    else:
        content = sum(heights)
    area.height = min(max(content, area.min_height), area.max_height)
    if not self.in_column:
        self.page_bottom -= area.margin_height()
    return content > area.max_height + EPSILON


def _layout_footnote(self, footnote, room=None, room_without_line=None):
    """Add a note to the page. ``room``: how much the note area may grow before the note's call
    line runs off the page; a note that does not fit there keeps its first lines on this page and
    goes on at the foot of the next (the call's line stays). ``room_without_line``: how much it
    may grow should the call's line go to the next page."""
    state = _notes(self)
    before = self.page_bottom
    self.footnotes.remove(footnote)
    self.current_page_footnotes.append(footnote)
    if state.incoming is not None and footnote is state.incoming[0] and len(self.current_page_footnotes) == 1:
        _cut_tall_piece(self, state, footnote)
        return self._update_footnote_area()
    if state.outgoing is not None:
        # a note is cut at this page's foot, and no note may come after it here
        if room is not None and state.cut_line == before - room and _hopeless(self, state.outgoing[0], footnote):
            # called in the same line as the cut note, too long with it for any page: the line stays
            # (the page stays full), and this note goes to the next page after the rest of that one,
            # as a note of policy 'auto' would (the layout reports it, W508)
            footnote.style["footnote_policy"] = "auto"
            self._update_footnote_area()
            return True
        # the call's line goes to the next page, and the cut note takes the room it leaves
        if room_without_line is not None:
            _grow_outgoing(self, state, room_without_line)
        if state.outgoing is not None:
            self._update_footnote_area()
            return True
    overflow = self._update_footnote_area()
    grown = before - self.page_bottom
    if room is None or overflow or grown <= room + EPSILON:
        return overflow
    whole, _resume, margins = _measure(self, self.current_footnote_area, footnote)
    if whole is None or margins:
        return overflow  # (a note with vertical margins is not cut: its pieces' heights would not add up)
    limit = room - (grown - whole)  # the room less what the area itself adds (its rule, when it was empty)
    if limit <= 0:
        return overflow
    height, resume, _margins = _measure(self, self.current_footnote_area, footnote, None, limit)
    if height is None or resume is None:
        return overflow  # not even its first lines fit: the call's line goes to the next page
    state.outgoing = (footnote, resume, height)
    state.cut_line = before - room  # where the line of its call ends (the same for its line's other calls)
    return self._update_footnote_area()


def _hopeless(context, first, second) -> bool:
    """Notes ``first`` and ``second`` together would fill more than a page's MAX_NOTES_SHARE:
    moving their call's line to the next page cannot keep both under it."""
    area = context.current_footnote_area
    heights = [_measure(context, area, note)[0] for note in (first, second)]
    return None not in heights and sum(heights) > MAX_NOTES_SHARE * area.page.height


def _cut_tall_piece(context, state, footnote):
    """The rest of a note carried onto this page, cut again where it would fill more than
    TALL_NOTE_SHARE of the text block (it goes on over the next page)."""
    area = context.current_footnote_area
    skip = state.incoming[1]
    height, _resume, margins = _measure(context, area, footnote, skip)
    allowed = TALL_NOTE_SHARE * area.page.height - _overhead(area)
    if height is None or margins or height <= allowed:
        return
    cut, resume, _margins = _measure(context, area, footnote, skip, allowed)
    if cut is not None and resume is not None:
        state.outgoing = (footnote, resume, cut)


def _grow_outgoing(context, state, extra: float) -> None:
    """The note cut at this page's foot takes ``extra`` more of the page (it may end here)."""
    note, _resume, height = state.outgoing
    skip = state.incoming[1] if state.incoming is not None and note is state.incoming[0] else None
    grown, resume, _margins = _measure(context, context.current_footnote_area, note, skip, height + extra - EPSILON)
    if grown is not None and grown >= height:
        state.outgoing = None if resume is None else (note, resume, grown)


def _unlayout_footnote(self, footnote):
    state = _notes(self)
    if state.outgoing is not None and footnote is state.outgoing[0] and footnote in self.current_page_footnotes:
        state.outgoing = None  # its call's line went to the next page: the note is whole again
    _ORIGINAL["unlayout_footnote"](self, footnote)


def _report_footnote(self, footnote):
    state = _notes(self)
    if state.outgoing is not None and footnote is state.outgoing[0]:
        state.outgoing = None
    _ORIGINAL["report_footnote"](self, footnote)


def _area_skip(self):
    """Where the note area's first piece starts: inside a note carried from the page before."""
    state = _notes(self)
    notes = self.current_page_footnotes
    if state.incoming is not None and notes and notes[0] is state.incoming[0]:
        return {0: state.incoming[1]}
    return None


def _area_bottom_space(self, area):
    """How far down the note area may go: to the end of the head of a note cut at this page's foot."""
    state = _notes(self)
    notes = self.current_page_footnotes
    if state.outgoing is not None and notes and notes[-1] is state.outgoing[0]:
        top = 0 if _area_skip(self) is not None else _top(area)  # (see _area_top)
        return self.page_bottom - (area.position_y + top + area.height) - EPSILON
    return -inf


def _area_top(self, laid) -> None:
    """The note area laid out from inside a carried note has lost its top (WeasyPrint removes the
    start of a box it resumes): its rule, margin and padding are given back, its notes moved down."""
    if _area_skip(self) is None:
        return
    area = self.current_footnote_area
    shift = _top(area) - _top(laid)
    laid.margin_top, laid.border_top_width, laid.padding_top = area.margin_top, area.border_top_width, area.padding_top
    for child in children(laid):
        child.translate(0, shift)


def _make_page(context, root_box, page_type, resume_at, page_number, page_state):
    """WeasyPrint's make_page, told of the note carried from the page before, and carrying the
    note cut at this page's foot to the next: first among the notes it lays out."""
    state = _notes(context)
    state.context = context
    carried = state.carried.get(page_number - 1)
    state.incoming, state.outgoing, state.cut_line = carried, None, None
    if carried is not None and (not context.reported_footnotes or context.reported_footnotes[0] is not carried[0]):
        if carried[0] in context.reported_footnotes:
            context.reported_footnotes.remove(carried[0])
        context.reported_footnotes.insert(0, carried[0])
    result = _MAKE_PAGE(context, root_box, page_type, resume_at, page_number, page_state)
    outgoing = state.outgoing
    state.carried[page_number] = None if outgoing is None else (outgoing[0], outgoing[1])
    if outgoing is not None:
        context.reported_footnotes.insert(0, outgoing[0])
        element = outgoing[0].element
        identifier = element.get("id") if element is not None else None
        if identifier and identifier not in state.continued:
            state.continued.append(identifier)
    state.incoming = state.outgoing = None
    return result


# ---------------------------------------------------------------- rendering


class ConfinedFetcher(URLFetcher):
    """Reads only files under the given folders; nothing from the network."""

    def __init__(self, allowed: list[Path], **kwargs) -> None:
        super().__init__(allowed_protocols={"file", "data"}, **kwargs)
        self.allowed = [p.resolve() for p in allowed]

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if not any(path == root or root in path.parents for root in self.allowed):
                raise FatalURLFetchingError(f"refusing to read {path}: outside the edition, templates and fonts")
        elif parsed.scheme != "data":
            raise FatalURLFetchingError(f"refusing to fetch {url}: the build reads no network resources")
        return super().fetch(url, headers)


@dataclass
class Rendered:
    """A laid-out document, with what folio's corrections recorded of it."""

    document: object  # weasyprint.Document
    root: object  # the HTML's element tree
    continued: tuple[str, ...] = ()  # ids of the notes cut at a page's foot and continued on the next
    context: object = None  # the LayoutContext: what the margin boxes are made again from
    extensible: frozenset = frozenset()  # ids of the paragraphs that can be set a line longer (render's longer)


GC_THRESHOLD = 50_000  # objects allocated between collections during a layout (Python's default: 700)


def render(
    html: str, stylesheets: list[tuple[str, str]], base_url: str, allowed: list[Path], longer: frozenset = frozenset()
) -> Rendered:
    """Lay out an HTML document. ``stylesheets``: ("string", css) or ("filename", path), in order.
    Only the folders ``allowed`` are read. The corrections are those ``install`` put in place
    (WeasyPrint's own layout without them). ``longer``: the ids of paragraphs (or of the anchors
    that open them) to set a line longer than their best, where total fit finds such a setting
    within its tolerance (TeX's \\looseness=1)."""
    fetcher = ConfinedFetcher(allowed)
    font_config = FontConfiguration()
    profiles: dict = {}  # @color-profile rules of every stylesheet (the PDF/X output intent)
    shared = {"font_config": font_config, "color_profiles": profiles, "url_fetcher": fetcher}
    sheets = [CSS(**{kind: value}, **shared) for kind, value in stylesheets]
    _FACES[0] = _font_faces(stylesheets)
    _LONGER[0] = frozenset(longer)
    _EXTENSIBLE[0] = set()
    source = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    _LAST[0] = None
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])  # a layout makes millions of short-lived boxes
    try:
        document = source.render(stylesheets=sheets, font_config=font_config, color_profiles=profiles)
    finally:
        gc.set_threshold(*thresholds)
    notes, _LAST[0] = _LAST[0], None
    extensible = frozenset(_EXTENSIBLE[0])
    if notes is None:
        return Rendered(document, source.etree_element, extensible=extensible)
    return Rendered(document, source.etree_element, tuple(notes.continued), notes.context, extensible)


# -- a laid-out document told of what it prints that the layout did not depend on


def _font_faces(stylesheets) -> str:
    """The @font-face rules of the stylesheets: with the system's fonts, what a family name
    means (the widths total fit measured are reused from one layout to the next)."""
    faces = []
    for kind, value in stylesheets:
        css = value if kind == "string" else Path(value).read_text(encoding="utf-8", errors="replace")
        faces.extend(_FONT_FACE.findall(css))
    return "\n".join(faces)


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


def kept(rendered: Rendered) -> Rendered:
    """The rendering with what only its layout needed let go (the HTML parser's tree of wrappers,
    the cascade's declarations, the targets of counters): what a kept draft needs to be printed."""
    rendered.document._html = None
    context = rendered.context
    if context is not None:
        context.style_for._cascaded_styles.clear()
        context.tables.clear()
        context.footnotes = []
        _notes(context).heights.clear()
    return rendered


def release_memory(collect: bool = True) -> None:
    """Give the memory freed by Python back to the system (glibc keeps it otherwise); ``collect``:
    the garbage collector first (a layout's boxes hold cycles)."""
    if collect:
        gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


def set_generated_text(rendered: Rendered, values: dict) -> bool:
    """Put new text into the generated content (::before, ::after) of elements, in the laid-out
    document itself: ``values`` maps an element to (the text it printed, the text it now prints),
    each as wide as the other (a page number for another of the same digits, in figures of one
    width). True when done; False, and nothing changed, when any new text would not be exactly as
    wide as the old (the document must then be laid out again)."""
    context = rendered.context
    if context is None:
        return False
    changes = []
    for page in rendered.document.pages:
        for box in descendants(page._page_box):
            if not isinstance(box, boxes.TextBox) or not is_generated(box):
                continue
            old, new = values.get(box.element, (None, None))
            if old is None or old == new or old not in box.text:
                continue
            at = box.text.rindex(old)
            text = box.text[:at] + new + box.text[at + len(old) :]
            if abs(_text_width(context, box, text) - _text_width(context, box, box.text)) > 1e-3:
                return False
            changes.append((box, text, old, new))
    for box, text, old, new in changes:
        layout = box.pango_layout  # deactivated after the layout: drawing shapes its text again
        at = layout.text.rfind(old)
        if at < 0:
            return False
        layout.text = layout.text[:at] + new + layout.text[at + len(old) :]
        box.text = text
    return True


def _text_width(context, box, text: str) -> float:
    layout = line_break.create_layout(text, box.style, context, None, box.justification_spacing)
    line, _ = layout.get_first_line()
    width, _ = line_break.line_size(line, box.style)
    layout.deactivate()
    return width


def remake_margin_boxes(rendered: Rendered, page_shift: int) -> None:
    """The running heads and folios made again, the page counter moved on by ``page_shift`` (the
    part laid out from one first folio, printed from another: the margin boxes never change the
    pages' text)."""
    context = rendered.context
    document = rendered.document
    for index, page in enumerate(document.pages):
        page_box = page._page_box
        state = copy.deepcopy(context.page_maker[index + 1][3])
        counters = state[1]
        if "page" in counters:
            counters["page"] = [value + page_shift for value in counters["page"]]
        context.current_page = index + 1
        kept = [child for child in page_box.children if not isinstance(child, boxes.MarginBox)]
        page_box.children = tuple(kept) + tuple(page_layout.make_margin_boxes(context, page_box, state))
        layout_backgrounds(page_box, context.get_image_from_uri)
        document.pages[index] = Page(page_box)


def write_pdf(document, **options) -> bytes:
    return document.write_pdf(**options)


def with_pages(document, pages: list):
    """The document with these pages (Page objects, maybe of another document of the same book)."""
    return document.copy(pages)


def replace_page(document, index: int, page_box) -> None:
    """Make page ``index`` again from its (changed) page box: links, anchors and bookmarks read again."""
    document.pages[index] = Page(page_box)


def move_blocks_down(document, index: int, moves: dict[int, float]) -> None:
    """Move blocks of page ``index`` down in the laid-out page, as padding before each would move
    it: ``moves`` maps a block box's id() to the space added before it (CSS px). Each block moves
    with every block after it; the boxes that hold a moved block start where they did and grow
    by what moved inside them. No line changes. The page is then made again (``replace_page``)."""
    view = page_view(index + 1, document.pages[index])
    holders: set[int] = set()  # boxes that hold a block to move

    def mark(box) -> bool:
        found = id(box) in moves
        for child in children(box):
            found |= mark(child)
        if found:
            holders.add(id(box))
        return found

    mark(view.body)
    shift = [0.0]

    def visit(box) -> None:
        shift[0] += moves.get(id(box), 0.0)
        if id(box) not in holders:
            box.translate(0, shift[0])
            return
        box.position_y += shift[0]
        before = shift[0]
        for child in children(box):
            visit(child)
        if isinstance(getattr(box, "height", None), (int, float)):
            box.height += shift[0] - before

    visit(view.body)
    replace_page(document, index, view.box)


# ---------------------------------------------------------------- the typed view of a laid-out page


class Kind(enum.Enum):
    PAGE = "page"
    MARGIN = "margin box"
    NOTE_AREA = "note area"
    LINE = "line"
    TEXT = "text"
    INLINE = "inline"
    REPLACED = "replaced"  # an image
    TABLE_ROW = "table row"
    BLOCK = "block"  # a block container (a paragraph, a section, an inline-block)
    OTHER = "other"


_KINDS = (  # the order matters: a note area is a block box, a margin box a block container
    (boxes.PageBox, Kind.PAGE),
    (boxes.MarginBox, Kind.MARGIN),
    (boxes.FootnoteAreaBox, Kind.NOTE_AREA),
    (boxes.LineBox, Kind.LINE),
    (boxes.TextBox, Kind.TEXT),
    (boxes.InlineBox, Kind.INLINE),
    (boxes.ReplacedBox, Kind.REPLACED),
    (boxes.TableRowBox, Kind.TABLE_ROW),
    (boxes.InlineBlockBox, Kind.BLOCK),
    (boxes.BlockBox, Kind.BLOCK),
)


def kind(box) -> Kind:
    for cls, found in _KINDS:
        if isinstance(box, cls):
            return found
    return Kind.OTHER


def children(box) -> list:
    return getattr(box, "children", None) or []


def descendants(box):
    for child in children(box):
        yield child
        yield from descendants(child)


def is_floated(box) -> bool:
    """A box floated out of the line (a margin note: the claims' numbers beside the printed text)."""
    return bool(getattr(box, "is_floated", lambda: False)())


def is_generated(box) -> bool:
    """A box of generated content (::before, ::after, a note's call or marker)."""
    return "::" in (getattr(box, "element_tag", "") or "")


def text(box) -> str:
    """The text of a text box ('' for any other box)."""
    return box.text.replace(WORD_JOINER, "") if isinstance(box, boxes.TextBox) else ""


def word_space(box) -> float:
    """The extra width justification gives each word space of a text box (CSS px)."""
    return getattr(box, "justification_spacing", 0) or 0


@dataclass
class PageView:
    number: int  # 1-based, in its document
    box: object  # the page box
    body: object  # the root box of the main flow
    note_area: object | None  # the note area, when the page has notes
    margins: list  # margin boxes (running heads, folios)

    @property
    def content_top(self) -> float:
        return self.box.content_box_y()

    @property
    def content_left(self) -> float:
        return self.box.content_box_x()

    @property
    def content_height(self) -> float:
        return self.box.height

    @property
    def content_width(self) -> float:
        return self.box.width

    @property
    def notes(self) -> list:
        """The pieces of notes at the page's foot, in order (a piece: a note, or part of one)."""
        return list(children(self.note_area)) if self.note_area is not None else []


def page_view(number: int, page) -> PageView:
    box = page._page_box
    body, area, margins = None, None, []
    for child in children(box):
        found = kind(child)
        if found is Kind.NOTE_AREA:
            area = child if children(child) else None
        elif found is Kind.MARGIN:
            margins.append(child)
        elif body is None:
            body = child
    return PageView(number, box, body, area, margins)


def pages(document) -> list[PageView]:
    return [page_view(number, page) for number, page in enumerate(document.pages, start=1)]


def margin_keyword(box) -> str:
    """'@top-center', '@bottom-right', ... of a margin box."""
    return box.at_keyword
