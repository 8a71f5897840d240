"""Pages filled to the foot of the text block, as LaTeX's \\flushbottom fills them.

Some pages must end early whatever is done with notes: the next page opens with a
heading that must keep its first lines of text (an appendix group, a claim and its
passage), or a paragraph whose first lines and notes cannot come back. LaTeX then
stretches the vertical space between the page's blocks so that its last line stands
at the foot of the text block; WeasyPrint cannot. ``fill`` does it after a layout: for
each page that still ends two lines or more above its notes (``GAP_LINES``), the gap is
shared out before the page's headings (two parts each) and between its paragraphs (one
part), never between a heading and what it heads, nor between a quotation's dateline and
its text; a page that opens with the rest of a paragraph has a place before its first new
block too. Bibliography entries share out the space as paragraphs do. The blocks are moved
down in the laid-out page itself (``engine.move_blocks_down``), as padding before them
would move them (no line changes, so no page changes either), and the page's links,
anchors and bookmarks are read again.

Where the fill cannot bring a page's last line within GAP_LINES of the foot (a page with
one or two paragraphs before a heading that cannot come up), ``longer_paragraphs`` names
the page's paragraphs that can be set a line longer within total fit's tolerance, as TeX's
``\\looseness=1`` sets them, and the part is laid out once more with them longer
(``pdf.lay_out_part`` keeps that layout only if it is better). Spaces only widen in
WeasyPrint, so a line longer is within reach only of a long paragraph of short words
whose last line is nearly full; on the benchmark's text it is rare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from folio.layout import engine
from folio.layout.engine import Kind
from folio.layout.page_facts import GAP_LINES, page_facts
from folio.layout.readback import anchor_pages

MAX_SHARE_LINES = 4.0  # a paragraph gets at most 2 body lines more space before it, a heading 4
SAFETY = 0.35  # of a body line, left unfilled: the padding must never push a line over


def _blocks_on(page) -> list[tuple[str, str, object]]:
    """(element id, kind, box) of the blocks that begin on a page, in order: headings by their
    id, paragraphs by their anchor (the empty span that opens them), bibliography entries by
    their id."""
    found = []

    def walk(box, dateline=False):
        element = getattr(box, "element", None)
        tag = getattr(box, "element_tag", "") or ""
        classes = (element.get("class") or "").split() if element is not None else []
        if tag == "div" and "dateline" in classes:
            dateline = True
        if element is not None and engine.kind(box) is Kind.BLOCK and "::" not in tag:
            if re.fullmatch(r"h[1-6]", tag) and element.get("id"):
                found.append((element.get("id"), "heading", box))
            elif (
                tag == "p"
                and len(element)
                and element[0].tag == "span"
                and (element[0].get("class") or "") == "pb-anchor"
            ):
                found.append((element[0].get("id"), "dateline" if dateline else "paragraph", box))
            elif tag == "div" and "csl-entry" in classes and element.get("id"):
                found.append((element.get("id"), "entry", box))
        for child in engine.children(box):
            if engine.kind(child) is not Kind.LINE:
                walk(child, dateline)

    walk(engine.page_view(0, page).body)
    return found


@dataclass
class _EarlyPage:
    """A page that ends early though its text goes on: its blocks, and the space the fill gives."""

    index: int  # in the document's pages
    facts: object  # its PageFacts
    blocks: list  # (id, kind, box) of the blocks that begin on it
    ends_block: bool  # its last block ends on it (the next page starts a block of its own)
    shares: dict  # id of a block's box -> space to add before it, CSS px

    @property
    def left_lines(self) -> float:
        """The empty body lines the fill leaves."""
        return (self.facts.gap - sum(self.shares.values())) / self.facts.line_height


def _early_pages(document) -> list[_EarlyPage]:
    facts = page_facts(document)
    anchors = anchor_pages(document)
    found = []
    for before, page, after in zip([None, *facts], facts, facts[1:]):
        # the gap as the figures round it (page_facts.gaps): a page 1.997 lines short is reported as 2.0
        if round(page.gap_lines, 2) < GAP_LINES or page.last_unit is None or page.last_unit != after.first_unit:
            continue
        blocks = [
            block for block in _blocks_on(document.pages[page.number - 1]) if anchors.get(block[0]) == page.number
        ]
        ends_block = bool(page.body_lines) and not _runs_on(page, after)  # its last block ends on it
        # space goes before headings (two parts), between paragraphs and between bibliography
        # entries (one), never between a heading and what follows it, nor after a dateline; the
        # page's first block stays at its top, and the first that begins on it follows the rest
        # of one begun before
        weights = {}
        first = "rest" if before is not None and _runs_on(before, page) else None  # what precedes the first
        for (_identifier, kind, box), previous in zip(blocks, [first] + [kind for _i, kind, _b in blocks]):
            if previous is None:
                continue
            if kind == "heading":
                weights[id(box)] = 2
            elif (kind == "paragraph" and previous in ("paragraph", "rest")) or (
                kind == "entry" and previous in ("entry", "rest")
            ):
                weights[id(box)] = 1
        total = sum(weights.values())
        shares = {}
        if total:
            room = page.gap - SAFETY * page.line_height
            share = min(room / total, MAX_SHARE_LINES * page.line_height / 2)
            shares = {key: share * weight for key, weight in weights.items()}
        found.append(_EarlyPage(page.number - 1, page, blocks, ends_block, shares))
    return found


def fill(document) -> int:
    """Stretch the pages that end early, in the laid-out document itself: the blocks are moved
    down as the padding would move them (their lines do not change), and the page's links,
    anchors and bookmarks read again. Returns the number of pages filled."""
    early = [page for page in _early_pages(document) if page.shares]
    for page in early:
        engine.move_blocks_down(document, page.index, page.shares)
    return len(early)


def unfilled(document) -> float:
    """The empty body lines the fill would leave, in sum over the pages it leaves GAP_LINES short
    or more: what setting paragraphs a line longer is for."""
    return round(sum(page.left_lines for page in _early_pages(document) if page.left_lines >= GAP_LINES), 2)


LONGER_BACK = 2  # pages before a short page whose paragraphs may be set longer for it (their lines flow on to it)


def longer_paragraphs(document, extensible: frozenset[str]) -> frozenset[str]:
    """The anchors of the paragraphs to set a line longer (TeX's \\looseness=1) for each page
    the fill would leave GAP_LINES short or more, and whose last block ends on it: of those
    that can be (``extensible``, as the engine found when it broke them), one for each line the
    page must gain, taken first from the page itself, then from the pages before it whose text
    runs on to it and that are full (up to LONGER_BACK: a line longer there pushes a line
    over to it), the longest first on each page."""
    if not extensible:
        return frozenset()
    short = [page for page in _early_pages(document) if page.left_lines >= GAP_LINES and page.ends_block]
    if not short:
        return frozenset()
    facts = page_facts(document)
    anchors = anchor_pages(document)

    def candidates(number: int) -> list[str]:
        """The page's paragraphs that can be longer and begin on it, the longest first."""
        lines: dict[int, int] = {}  # id of a paragraph's element -> its lines on the page
        for line in facts[number - 1].body_lines:
            lines[id(line.element)] = lines.get(id(line.element), 0) + 1
        found = [
            (-lines.get(id(box.element), 0), identifier)
            for identifier, kind, box in _blocks_on(document.pages[number - 1])
            if kind == "paragraph" and identifier in extensible and anchors.get(identifier) == number
        ]
        return [identifier for _lines, identifier in sorted(found)]

    chosen: set[str] = set()
    for page in short:
        number = page.facts.number
        found = candidates(number)
        while number > 1 and page.facts.number - number < LONGER_BACK:
            earlier = facts[number - 2]
            if earlier.gap_lines >= 1 or not _runs_on(earlier, facts[number - 1]):
                break  # a line longer there would stay there
            number -= 1
            found += candidates(number)
        wanted = int(page.left_lines - GAP_LINES) + 1  # lines to gain for the fill to do the rest
        chosen.update(found[:wanted])
    return frozenset(chosen)


def _runs_on(page, after) -> bool:
    """Whether a page's last line and the next page's first stand in the same paragraph."""
    return bool(page.body_lines and after.body_lines and page.body_lines[-1].element is after.body_lines[0].element)
