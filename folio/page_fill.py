"""Pages filled to the foot of the text block, as LaTeX's \\flushbottom fills them.

Some pages must end early whatever is done with notes: the next page opens with a
heading that must keep its first lines of text (an appendix group, a claim and its
passage), or a paragraph whose first lines and notes cannot come back. LaTeX then
stretches the vertical space between the page's blocks so that its last line stands
at the foot of the text block; WeasyPrint cannot. ``spaced`` does it after a layout:
for each page that still ends two lines or more above its notes (``GAP_LINES``), the
gap is shared out before the page's headings (two parts each) and between its
paragraphs (one part), never between a heading and what it heads, as padding written into the part's HTML. The part is laid out once more; if
any page then begins elsewhere than before, the layout before is kept.
"""

from __future__ import annotations

import re

from .continued_notes import GAP_LINES, page_facts

MAX_SHARE_LINES = 4.0   # a paragraph gets at most 2 body lines more space before it, a heading 4
SAFETY = 0.35           # of a body line, left unfilled: the padding must never push a line over


def _starts(document) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            found.setdefault(anchor, number)
    return found


def _blocks_on(page_box) -> list[tuple[str, str, float]]:
    """(element id, kind, top) of the blocks that begin on a page, in order: headings by their
    id, paragraphs by their anchor (the empty span that opens them)."""
    found = []

    def walk(box, dateline=False):
        element = getattr(box, "element", None)
        tag = getattr(box, "element_tag", "") or ""
        if element is not None and tag == "div" and "dateline" in (element.get("class") or "").split():
            dateline = True
        if element is not None and type(box).__name__.endswith("BlockBox") and "::" not in tag:
            if re.fullmatch(r"h[1-6]", tag) and element.get("id"):
                found.append((element.get("id"), "heading", box.position_y))
            elif tag == "p" and len(element) and element[0].tag == "span" and \
                    (element[0].get("class") or "") == "pb-anchor":
                found.append((element[0].get("id"), "dateline" if dateline else "paragraph", box.position_y))
        for child in getattr(box, "children", None) or []:
            if type(child).__name__ != "LineBox":
                walk(child, dateline)

    walk(page_box.children[0])
    return found


def spacing(document) -> dict[str, float]:
    """Element id -> padding (CSS px) to add before it, for the pages that end early."""
    facts = page_facts(document)
    anchors = _starts(document)
    out: dict[str, float] = {}
    for page, after in zip(facts, facts[1:]):
        if page.gap_lines < GAP_LINES or page.last_unit is None or page.last_unit != after.first_unit:
            continue
        blocks = [(identifier, kind) for identifier, kind, _top in _blocks_on(document.pages[page.number - 1]._page_box)
                  if anchors.get(identifier) == page.number]
        # space goes before headings (two parts) and between paragraphs (one), never between a
        # heading and what follows it; the page's first block stays at its top
        weights = {}
        for (identifier, kind), (_before, previous) in zip(blocks[1:], blocks):
            if kind == "heading":
                weights[identifier] = 2
            elif kind == "paragraph" and previous in ("paragraph", "dateline"):
                weights[identifier] = 1
        total = sum(weights.values())
        if not total:
            continue
        room = page.gap - SAFETY * page.line_height
        share = min(room / total, MAX_SHARE_LINES * page.line_height / 2)
        for identifier, weight in weights.items():
            out[identifier] = round(share * weight, 2)
    return out


def spaced(html: str, padding: dict[str, float]) -> str:
    """The part's HTML with the padding written before its blocks."""
    if not padding:
        return html

    def heading(match: re.Match) -> str:
        extra = padding.get(match.group(2))
        return match.group(0) if extra is None else f'{match.group(1)} style="padding-top: {extra}px"'

    html = re.sub(r'(<h[1-6]\b[^>]*\bid="([^"]+)"[^>]*?)(?=>)', heading, html)

    def paragraph(match: re.Match) -> str:
        extra = padding.get(match.group(2))
        if extra is None:
            return match.group(0)
        return f'<p style="padding-top: {extra}px"{match.group(1)}><span id="{match.group(2)}"'

    return re.sub(r'<p((?: [^>]*)?)><span id="([^"]+)"(?= class="pb-anchor")', paragraph, html)
