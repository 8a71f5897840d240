"""Pages filled to the foot of the text block, as LaTeX's \\flushbottom fills them.

Some pages must end early whatever is done with notes: the next page opens with a
heading that must keep its first lines of text (an appendix group, a claim and its
passage), or a paragraph whose first lines and notes cannot come back. LaTeX then
stretches the vertical space between the page's blocks so that its last line stands
at the foot of the text block; WeasyPrint cannot. ``fill`` does it after a layout: for
each page that still ends two lines or more above its notes (``GAP_LINES``), the gap is
shared out before the page's headings (two parts each) and between its paragraphs (one
part), never between a heading and what it heads. The blocks are moved down in the
laid-out page itself (``engine.move_blocks_down``), as padding before them would move
them (no line changes, so no page changes either), and the page's links, anchors and
bookmarks are read again.
"""

from __future__ import annotations

import re

from folio.layout import engine
from folio.layout.engine import Kind
from folio.layout.page_facts import GAP_LINES, page_facts
from folio.layout.readback import anchor_pages

MAX_SHARE_LINES = 4.0  # a paragraph gets at most 2 body lines more space before it, a heading 4
SAFETY = 0.35  # of a body line, left unfilled: the padding must never push a line over


def _blocks_on(page) -> list[tuple[str, str, object]]:
    """(element id, kind, box) of the blocks that begin on a page, in order: headings by their
    id, paragraphs by their anchor (the empty span that opens them)."""
    found = []

    def walk(box, dateline=False):
        element = getattr(box, "element", None)
        tag = getattr(box, "element_tag", "") or ""
        if element is not None and tag == "div" and "dateline" in (element.get("class") or "").split():
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
        for child in engine.children(box):
            if engine.kind(child) is not Kind.LINE:
                walk(child, dateline)

    walk(engine.page_view(0, page).body)
    return found


def _padding(document) -> dict[int, dict[int, float]]:
    """Page index -> (id of a block's box -> space to add before it, CSS px), for the pages that
    end early though their text goes on."""
    facts = page_facts(document)
    anchors = anchor_pages(document)
    out: dict[int, dict[int, float]] = {}
    for page, after in zip(facts, facts[1:]):
        if page.gap_lines < GAP_LINES or page.last_unit is None or page.last_unit != after.first_unit:
            continue
        blocks = [
            (identifier, kind, box)
            for identifier, kind, box in _blocks_on(document.pages[page.number - 1])
            if anchors.get(identifier) == page.number
        ]
        # space goes before headings (two parts) and between paragraphs (one), never between a
        # heading and what follows it; the page's first block stays at its top
        weights = {}
        for (_identifier, kind, box), (_before, previous, _box) in zip(blocks[1:], blocks):
            if kind == "heading":
                weights[id(box)] = 2
            elif kind == "paragraph" and previous in ("paragraph", "dateline"):
                weights[id(box)] = 1
        total = sum(weights.values())
        if not total:
            continue
        room = page.gap - SAFETY * page.line_height
        share = min(room / total, MAX_SHARE_LINES * page.line_height / 2)
        out[page.number - 1] = {key: share * weight for key, weight in weights.items()}
    return out


def fill(document) -> int:
    """Stretch the pages that end early, in the laid-out document itself: the blocks are moved
    down as the padding would move them (their lines do not change), and the page's links,
    anchors and bookmarks read again. Returns the number of pages filled."""
    padding = _padding(document)
    for index, moves in padding.items():
        engine.move_blocks_down(document, index, moves)
    return len(padding)
