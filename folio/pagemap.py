"""The print page numbers, carried into the EPUB.

1. ``mark_blocks``: every paragraph of a unit's AST gets an empty anchor
   ('p-<unit>-<n>') at its start, so the print HTML and the EPUB share names
   for the same paragraphs.
2. ``PageStart``: for each printed page, the paragraph (or heading) its first
   line belongs to and how many words of that paragraph were printed on earlier
   pages (read from the layout by ``readback.page_starts``).
3. ``insert_page_breaks``: in the EPUB's XHTML, a page-break marker before
   that word; ``page_list_nav`` lists them for the navigation document.

Words are counted the same way on both sides: whitespace-separated runs of
text, leaving out generated text (note calls, ", p. 12" after
cross-references) and the note references of the EPUB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from folio import ids

HYPHENS = ("\u2010", "-", "\u2013", "\u2014", "/", "\u00ad")


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
                node["c"].insert(0, {"t": "Span", "c": [[ids.paragraph(unit, counter[0]), ["pb-anchor"], []], []]})
            if kind in ("Header", "Cite", "Link"):
                return
            if "c" in node:
                visit(node["c"], in_note)

    visit(ast["blocks"], False)
    return ast


@dataclass(frozen=True)
class PageStart:
    page: int  # 1-based physical page
    block: str  # id of the paragraph anchor or of the heading
    words: int  # words of that block printed on earlier pages


def word_position(html: str, block: str, words: int) -> tuple[int, list[str]] | None:
    """Where word ``words`` of paragraph ``block`` starts in the print HTML, and the inline
    tags open there (outermost first); None when the block is not a plain paragraph or
    has fewer words. Words are counted as the layout counts them: notes (floated to the
    foot of the page) and their calls are not in the line."""
    anchor = html.find(f'<span id="{block}" class="pb-anchor"></span>')
    if anchor < 0 or not html.endswith("<p>", 0, anchor):
        return None
    end = html.find("</p>", anchor)
    for number, position, open_tags in _words(html, anchor, end, _is_note):
        if number == words:
            return position, open_tags
    return None


_NOTE_CLASS = re.compile(r'class="footnote[" ]')


def _is_note(tag: str) -> bool:
    return bool(_NOTE_CLASS.search(tag))


def _words(text: str, index: int, end: int, skipped):
    """(number, where it starts, the inline tags open there) for each word of the markup
    text[index:end], leaving out the elements whose opening tag ``skipped`` accepts."""
    count, in_space, open_tags, skip = 0, True, [], 0
    while index < end:
        if text[index] == "<":
            close = text.index(">", index)
            tag = text[index : close + 1]
            name = re.match(r"</?(\w+)", tag)
            index = close + 1
            if name is None or tag.endswith("/>") or name.group(1) in ("br", "img", "wbr"):
                continue
            closing = tag.startswith("</")
            if skip:
                skip += -1 if closing else 1
            elif skipped(tag):
                skip = 1
            elif closing:
                if open_tags:  # a tag opened before ``index`` closes
                    open_tags.pop()
            else:
                open_tags.append(tag)
            continue
        if not skip:
            if text[index].isspace():
                in_space = True
            elif in_space:
                yield count, index, open_tags
                count += 1
                in_space = False
        index += 1


def _marker(label: str) -> str:
    return f'<span id="{ids.page(label)}" epub:type="pagebreak" role="doc-pagebreak" aria-label="{label}"></span>'


def insert_page_breaks(xhtml: str, starts: list[tuple[str, str, int]], marker=None) -> tuple[str, list[str]]:
    """Insert markers for (label, block, words) found in this file; return the new text
    and the labels placed, in document order. ``marker(label)``: the markup of a marker
    (by default the EPUB's)."""
    marker = marker or _marker
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
        xhtml = xhtml[:position] + marker(label) + xhtml[position:]
    return xhtml, [label for _, (_, label) in ordered]


_ELEMENT_WITH_ID = re.compile(r'<(\w+)\b[^>]*?\bid="([^"]+)"[^>]*>')


def _position(xhtml: str, match: re.Match, words: int) -> int:
    """Where to put the marker: before the given word of the paragraph, or at a heading."""
    if match.group(1) != "span":  # a heading or its section: the page starts there
        return match.end() if match.group(1) == "section" else match.start()
    end = xhtml.find("</p>", match.end())
    end = len(xhtml) if end < 0 else end
    found = (position for number, position, _ in _words(xhtml, match.end(), end, _is_noteref) if number == words)
    return next(found, end)


def _is_noteref(tag: str) -> bool:
    return tag.startswith("<a ") and 'class="noteref"' in tag


def page_marks(typeset) -> list[tuple[str, str, int]]:
    """(label, block, words) for every printed page the EPUB can mark, in page order.

    A page with no text of its own (a blank verso) is marked at the place of the next page,
    so the list has no holes; the last pages, if they hold nothing the EPUB has, at the last
    place the EPUB has."""
    by_page = {start.page: start for start in typeset.found.page_starts}
    out = []
    last = None
    for page in range(1, typeset.page_count + 1):
        start = by_page.get(page)
        if start is None and page >= typeset.main_start:
            start = next((by_page[p] for p in range(page + 1, typeset.page_count + 1) if p in by_page), None) or last
        if start is not None:
            out.append((typeset.label(page), start.block, start.words))
            last = start
    return out
