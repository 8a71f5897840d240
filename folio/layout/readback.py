"""Reading a laid-out part back: the lines of its main flow, in order, each with the block
(paragraph or heading) it belongs to, and where each printed page begins (``page_starts``,
which the EPUB's page list and the web edition's page markers are made from).

Words are counted as ``pagemap`` counts them in the EPUB: whitespace-separated runs of text,
leaving out generated text (note calls, ", p. 12" after cross-references).
"""

from __future__ import annotations

import re

from folio import ids
from folio.layout import engine
from folio.layout.engine import Kind
from folio.pagemap import HYPHENS, PageStart


def anchor_pages(document) -> dict[str, int]:
    """The page (1-based) each anchor of a laid-out document stands on first."""
    found: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            found.setdefault(anchor, number)
    return found


def _block_ids(root) -> dict:
    """etree element -> the block id it belongs to (paragraphs with an anchor, headings with an
    id, entries of the index of names, and the second half of a paragraph the layout split for
    a note, which names its block)."""
    found = {}
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        first = element[0] if len(element) else None
        if first is not None and first.tag == "span" and ids.is_paragraph(first.get("id") or ""):
            found[element] = first.get("id")  # a paragraph, list item or cell with its anchor
        elif first is not None and first.tag == "span" and first.get("data-folio-continues"):
            found[element] = first.get("data-folio-continues")
        elif re.fullmatch(r"h[1-6]", tag) and element.get("id"):
            found[element] = element.get("id")
        elif tag == "p" and "index-entry" in (element.get("class") or "").split() and element.get("id"):
            found[element] = element.get("id")  # an entry of the index of names (the EPUB's has the same id)
    return found


def line_text(line) -> str:
    """The text of a laid-out line, leaving out generated text (note calls, page
    references, labels), which the EPUB does not have."""
    parts = []

    def collect(box):
        if engine.is_generated(box):
            return
        parts.append(engine.text(box))
        for child in engine.children(box):
            collect(child)

    collect(line)
    return "".join(parts)


def _line_words(line) -> int:
    """Whole words on the line (a word hyphenated at its end counts on the next line)."""
    stripped = line_text(line).rstrip()
    words = len(stripped.split())
    return words - 1 if stripped and stripped.endswith(HYPHENS) else words


def laid_out_lines(document, root):
    """(page, line box, block id or None, words of the block on earlier lines) for every
    line of the main flow, in order."""
    blocks = _block_ids(root)
    printed: dict[str, int] = {}  # block -> words printed so far
    for view in engine.pages(document):
        found = []

        def walk(box, block):
            element = getattr(box, "element", None)
            if element is not None and element in blocks and not engine.is_generated(box):
                block = blocks[element]
            if engine.kind(box) is Kind.LINE:
                found.append((box, block))
                return
            for child in engine.children(box):
                walk(child, block)

        walk(view.body, None)  # the main flow: notes and margins are beside it
        for line, block in found:
            yield view.number, line, block, printed.get(block, 0)
            if block is not None:
                printed[block] = printed.get(block, 0) + _line_words(line)


def page_starts(document, root) -> list[PageStart]:
    starts: list[PageStart] = []
    seen: set[int] = set()
    for number, _line, block, words in laid_out_lines(document, root):
        if number in seen:
            continue
        seen.add(number)  # a page that starts with text the EPUB lacks gets no marker
        if block is not None:
            starts.append(PageStart(number, block, words))
    return starts
