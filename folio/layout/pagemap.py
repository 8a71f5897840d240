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

from folio import ids

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
        tag = getattr(box, "element_tag", "") or ""
        if "::" in tag:
            return
        if type(box).__name__ == "TextBox":
            parts.append(box.text)
        for child in getattr(box, "children", None) or []:
            collect(child)

    collect(line)
    return "".join(parts)


def _line_words(line) -> int:
    """Whole words on the line (a word hyphenated at its end counts on the next line)."""
    stripped = line_text(line).rstrip()
    words = len(stripped.split())
    return words - 1 if stripped and stripped.endswith(_HYPHENS) else words


def laid_out_lines(document, root):
    """(page, line box, block id or None, words of the block on earlier lines) for every
    line of the main flow, in order."""
    blocks = _block_ids(root)
    printed: dict[str, int] = {}  # block -> words printed so far
    for number, page in enumerate(document.pages, start=1):
        body = page._page_box.children[0]  # the root box; notes and margins are siblings
        found = []

        def walk(box, block):
            element = getattr(box, "element", None)
            if element is not None and element in blocks and "::" not in (getattr(box, "element_tag", "") or ""):
                block = blocks[element]
            if type(box).__name__ == "LineBox":
                found.append((box, block))
                return
            for child in getattr(box, "children", None) or []:
                walk(child, block)

        walk(body, None)
        for line, block in found:
            yield number, line, block, printed.get(block, 0)
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
