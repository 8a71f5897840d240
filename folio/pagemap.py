"""The print page numbers, carried into the EPUB.

1. ``mark_blocks``: every paragraph of a unit's AST gets an empty anchor
   ('p-<unit>-<n>') at its start, so the print HTML and the EPUB share names
   for the same paragraphs.
2. ``page_starts``: after WeasyPrint's layout, for each printed page, the
   paragraph (or heading) its first line belongs to and how many words of
   that paragraph were printed on earlier pages.
3. ``insert_page_breaks``: in the EPUB's XHTML, a page-break marker before
   that word; ``page_list_nav`` lists them for the navigation document.

Words are counted the same way on both sides: whitespace-separated runs of
text, leaving out generated text (note calls, ", p. 12" after
cross-references) and the note references of the EPUB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HYPHENS = ("\u2010", "-", "\u2013", "\u2014", "/", "\u00ad")


def mark_blocks(ast: dict, unit: str) -> dict:
    counter = [0]

    def visit(node, in_note: bool):
        if isinstance(node, list):
            for item in node:
                visit(item, in_note)
        elif isinstance(node, dict):
            kind = node.get("t")
            if kind == "Note":
                return
            if kind in ("Para", "Plain") and not in_note:
                counter[0] += 1
                node["c"].insert(0, {"t": "Span", "c": [[f"p-{unit}-{counter[0]}", ["pb-anchor"], []], []]})
            if kind in ("Header", "Cite", "Link"):
                return
            if "c" in node:
                visit(node["c"], in_note)

    visit(ast["blocks"], False)
    return ast


@dataclass(frozen=True)
class PageStart:
    page: int      # 1-based physical page
    block: str     # id of the paragraph anchor or of the heading
    words: int     # words of that block printed on earlier pages


def _block_ids(root) -> dict:
    """etree element -> the block id it belongs to (paragraphs with an anchor, headings with an id)."""
    found = {}
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if len(element) and (element[0].get("id") or "").startswith("p-") and element[0].tag == "span":
            found[element] = element[0].get("id")  # a paragraph, list item or cell with its anchor
        elif re.fullmatch(r"h[1-6]", tag) and element.get("id"):
            found[element] = element.get("id")
    return found


def line_text(line) -> str:
    """The text of a laid-out line, leaving out generated text (note calls, page
    references, labels), which the EPUB does not have."""
    parts = []

    def collect(box):
        tag = getattr(box, "element_tag", "") or ""
        if "::" in tag:
            return
        if type(box).__name__ == "TextBox":
            parts.append(box.text)
        for child in getattr(box, "children", None) or []:
            collect(child)

    collect(line)
    return "".join(parts)


def _line_words(line) -> tuple[int, bool]:
    """(whole words on the line, whether the line ends inside a word)."""
    stripped = line_text(line).rstrip()
    words = len(stripped.split())
    if stripped and stripped.endswith(_HYPHENS):
        return words - 1, True
    return words, False


def page_starts(document, root) -> list[PageStart]:
    blocks = _block_ids(root)
    printed: dict[str, int] = {}   # block -> words printed so far
    starts: list[PageStart] = []
    for number, page in enumerate(document.pages, start=1):
        body = page._page_box.children[0]  # the root box; notes and margins are siblings
        first = [True]

        def walk(box, block):
            element = getattr(box, "element", None)
            if element is not None and element in blocks and "::" not in (getattr(box, "element_tag", "") or ""):
                block = blocks[element]
            if type(box).__name__ == "LineBox":
                if first[0] and block is not None:
                    starts.append(PageStart(number, block, printed.get(block, 0)))
                first[0] = False  # a page that starts with text the EPUB lacks gets no marker
                if block is not None:
                    words, _ = _line_words(box)
                    printed[block] = printed.get(block, 0) + words
                return
            for child in getattr(box, "children", None) or []:
                walk(child, block)

        walk(body, None)
    return starts


_TAG = re.compile(r"<[^>]+>")


def _marker(label: str) -> str:
    return (f'<span id="page-{label}" epub:type="pagebreak" role="doc-pagebreak" '
            f'aria-label="{label}"></span>')


def insert_page_breaks(xhtml: str, starts: list[tuple[str, str, int]]) -> tuple[str, list[str]]:
    """Insert markers for (label, block, words) found in this file; return the new text
    and the labels placed, in document order."""
    insertions: list[tuple[int, str]] = []
    elements = {m.group(2): m for m in _ELEMENT_WITH_ID.finditer(xhtml)}  # one scan of the file
    for label, block, words in starts:
        if block not in elements:
            continue
        position = _position(xhtml, elements[block], words)
        if position is not None:
            insertions.append((position, label))
    # several pages (a blank verso and the next page) may share a place: keep page order
    ordered = sorted(enumerate(insertions), key=lambda item: (item[1][0], item[0]))
    for _, (position, label) in reversed(ordered):
        xhtml = xhtml[:position] + _marker(label) + xhtml[position:]
    return xhtml, [label for _, (_, label) in ordered]


_ELEMENT_WITH_ID = re.compile(r'<(\w+)\b[^>]*?\bid="([^"]+)"[^>]*>')


def _position(xhtml: str, match: re.Match, words: int) -> int:
    """Where to put the marker: before the given word of the paragraph, or at a heading."""
    if match.group(1) != "span":           # a heading or its section: the page starts there
        return match.end() if match.group(1) == "section" else match.start()
    end = xhtml.find("</p>", match.end())
    end = len(xhtml) if end < 0 else end
    index, count, in_space, skip_depth = match.end(), 0, True, 0
    while index < end:
        if xhtml[index] == "<":
            close = xhtml.index(">", index)
            tag = xhtml[index:close + 1]
            if skip_depth:
                skip_depth += 1 if tag.startswith("<a ") else -1 if tag == "</a>" else 0
            elif tag.startswith("<a ") and 'class="noteref"' in tag:
                skip_depth = 1
            index = close + 1
            continue
        if skip_depth:
            index += 1
            continue
        char = xhtml[index]
        if char.isspace():
            in_space = True
        elif in_space:
            if count == words:
                return index
            count += 1
            in_space = False
        index += 1
    return end


def page_list_nav(entries: list[tuple[str, str]]) -> str:
    """The page-list nav for (href, label) in reading order."""
    items = "\n".join(f'      <li><a href="{href}">{label}</a></li>' for href, label in entries)
    return (f'<nav epub:type="page-list" id="page-list" hidden="hidden">\n  <h1>Pages</h1>\n  <ol>\n'
            f'{items}\n  </ol>\n</nav>\n')
