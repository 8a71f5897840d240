"""Stage 5a: typeset the print book with WeasyPrint and read the layout back."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlparse

import jinja2
import markupsafe
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from .convert import Converted, convert_titles
from .model import Edition
from .names import index_entries, to_roman
from .pagemap import line_text, page_starts

FONTS = Path(str(resources.files("folio") / "fonts"))
FONT_FILES = {
    ("normal", "normal"): "GentiumBookPlus-Regular.ttf",
    ("italic", "normal"): "GentiumBookPlus-Italic.ttf",
    ("normal", "bold"): "GentiumBookPlus-Bold.ttf",
    ("italic", "bold"): "GentiumBookPlus-BoldItalic.ttf",
}
log = logging.getLogger("folio")


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


def font_css() -> str:
    rules = []
    for (style, weight), name in FONT_FILES.items():
        rules.append(
            '@font-face { font-family: "Gentium Book Plus"; '
            f'src: url("{(FONTS / name).as_uri()}"); font-style: {style}; font-weight: {weight}; }}')
    return "\n".join(rules)


def page_css(edition: Edition) -> str:
    p = edition.settings.print
    rules = [f"@page {{ size: {p.page_width} {p.page_height}; }}"]
    if p.bleed and p.bleed not in ("0", "0in", "0mm", "0pt"):
        rules.append(f"@page {{ bleed: {p.bleed}; }}")
    if p.crop_marks:
        rules.append("@page { marks: crop cross; }")
    rules.append(f":root {{ --body-size: {p.font_size}; }}")
    rules.append("[data-folio-break] { break-before: page; }  /* set where a note fell after its call */")
    return "\n".join(rules)


@dataclass(frozen=True)
class NotePlacement:
    note_id: str
    call_page: int   # 1-based physical page
    note_page: int   # 0 when the note was not printed at all


@dataclass(frozen=True)
class Typeset:
    document: object          # weasyprint Document
    page_count: int
    misplaced_notes: tuple[NotePlacement, ...]
    anchors: dict             # id -> 1-based physical page
    tall_notes: tuple = ()    # (note id, 1-based page, share of the page) of notes too tall to print safely
    overfull: tuple = ()      # (1-based page, points, text) of lines that run out of the text block
    short_lines: tuple = ()   # (1-based page, text) of lines broken far too early inside a paragraph
    index: tuple = ()         # names.IndexEntry, with the printed pages
    root: object = None       # the laid-out HTML tree (for reading the layout back)
    page_starts: tuple = ()   # pagemap.PageStart: where each printed page begins

    @property
    def main_start(self) -> int:
        """The physical page that carries folio 1 (the first page of the main matter)."""
        return self.anchors.get("mainmatter", 1)

    def folio(self, anchor: str):
        """(physical page, printed folio) of an anchor, or None if it was not laid out."""
        page = self.anchors.get(anchor)
        if page is None:
            return None
        return page, self.label(page)

    def label(self, page: int) -> str:
        """The printed folio of a physical page: roman in the front matter, then arabic."""
        return str(page - self.main_start + 1) if page >= self.main_start else to_roman(page)


def book_html(edition: Edition, converted: list[Converted], env: jinja2.Environment, index=(), titles=None) -> str:
    """The book as one HTML document; ``index`` is the list of IndexEntry to print."""
    titles = titles or convert_titles(edition)
    titles = {anchor: markupsafe.Markup(html) for anchor, html in titles.items()}
    return env.get_template("book.html.j2").render(
        edition=edition, settings=edition.settings, converted=converted, titles=titles, index=index,
        chapters={c.anchor: c for c in edition.chapters})


def all_marks(converted: list[Converted]) -> list:
    return [mark for item in converted for mark in item.marks]


def placeholder_index(edition: Edition, converted: list[Converted]) -> list:
    """An index of about the final length, before any page is known."""
    return index_entries(edition.persons, all_marks(converted), lambda anchor: (0, "000"))


MAX_NOTE_PASSES = 6   # passes that may move breaks for notes
MAX_PASSES = 10       # passes in all: page numbers settle after the last break has moved
_BLOCK_OPEN = re.compile(r"<(p|h[1-6]|div|blockquote|ul|ol|li|section|table)(?=[\s>])")


def typeset(edition: Edition, converted: list[Converted], env: jinja2.Environment,
            template_dirs: list[Path]) -> Typeset:
    """Lay out the book, then read back where every note landed.

    WeasyPrint 70 sometimes moves a note to the next page while its call
    stays behind (to avoid a bad break further down). Where that happens the
    layout is corrected and laid out again: first the block *after* the
    call's paragraph is sent to the next page, so the note has room under
    its call; if that is not enough, the call's own paragraph is. The passes
    stop when every note is on its call's page, or after MAX_NOTE_PASSES;
    what is left is reported (W501). The page numbers of the contents,
    cross-references and index are taken from the previous layout, so the
    book is laid out again until they no longer change.
    """
    fixes: dict[str, int] = {}  # note id -> 1 (break after its paragraph) or 2 (before it)
    marks = all_marks(converted)
    index = placeholder_index(edition, converted)  # about the final length, before pages are known
    result = None
    titles = convert_titles(edition)
    folios: dict[str, str] = {}  # target id -> printed folio, from the previous layout (first pass: "000")
    note_passes = 0
    for _ in range(MAX_PASSES):
        html = book_html(edition, converted, env, index, titles)
        printed = index
        result = None  # let the previous layout go before the next one is made: it holds every page
        html, targets = _with_page_numbers(_with_breaks(html, fixes), folios)
        result = _typeset_html(html, edition, template_dirs)
        todo = [p.note_id for p in result.misplaced_notes if fixes.get(p.note_id, 0) < 2]
        if note_passes >= MAX_NOTE_PASSES:
            todo = []  # left as they are, and reported (W501)
        # The index of names stands after every page it points to, so its page
        # numbers, read from this layout, do not move when it is laid out again.
        found = index_entries(edition.persons, marks, result.folio)
        now = {target: result.label(result.anchors[target]) for target in targets if target in result.anchors}
        if not todo and found == index and now == {t: folios.get(t, "000") for t in now}:
            break
        if todo:
            log.info("  %d note(s) fell after their call's page; correcting the breaks and laying out again",
                     len(todo))
        else:
            log.info("  laying out again with the page numbers read from this layout")
        folios = now
        for note_id in todo:
            fixes[note_id] = fixes.get(note_id, 0) + 1
        note_passes += bool(todo)
        index = found
    # read once from the final layout: what the build reports and what the EPUB needs
    document = result.document
    return replace(result, index=tuple(printed or ()), page_starts=tuple(page_starts(document, result.root)),
                   tall_notes=tuple(_tall_notes(document)), overfull=tuple(_overfull_lines(document)),
                   short_lines=tuple(_short_lines(document)))



_PAGE_REFERENCE = re.compile(r'(<a href="#|data-href="#)([^"]+)"')


def _with_page_numbers(html: str, folios: dict[str, str]) -> tuple[str, set[str]]:
    """Give every internal link (and contents entry) a data-page with its target's
    folio, as laid out last time; the CSS prints it. Returns the targets."""
    targets: set[str] = set()

    def add(match: re.Match) -> str:
        targets.add(match.group(2))
        return f'{match.group(0)} data-page="{folios.get(match.group(2), "000")}"'

    return _PAGE_REFERENCE.sub(add, html), targets


def _with_breaks(html: str, fixes: dict[str, int]) -> str:
    """Mark the blocks that must start a page ('data-folio-break')."""
    marks: set[int] = set()
    for note_id, level in fixes.items():
        call = html.find(f'id="call-{note_id}"')
        if call < 0:
            continue
        if level == 1:
            end = html.find("</p>", call)
            match = _BLOCK_OPEN.search(html, end) if end >= 0 else None
        else:
            match = None
            for match in _BLOCK_OPEN.finditer(html, 0, call):
                pass
        if match:
            marks.add(match.end(1))
    for position in sorted(marks, reverse=True):
        html = html[:position] + " data-folio-break" + html[position:]
    return html


def _typeset_html(html: str, edition: Edition, template_dirs: list[Path]) -> Typeset:
    css_path = next((d / "print.css" for d in template_dirs if (d / "print.css").exists()), None)
    fetcher = ConfinedFetcher([edition.root, FONTS, *template_dirs])
    font_config = FontConfiguration()
    stylesheets = [
        CSS(string=font_css(), font_config=font_config, url_fetcher=fetcher),
        CSS(string=page_css(edition), font_config=font_config, url_fetcher=fetcher),
        CSS(filename=str(css_path), font_config=font_config, url_fetcher=fetcher),
    ]
    source = HTML(string=html, base_url=str(edition.root) + "/", url_fetcher=fetcher)
    document = source.render(stylesheets=stylesheets, font_config=font_config)
    anchors = {}
    for index, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            anchors.setdefault(anchor, index)
    misplaced = []
    for anchor, page in anchors.items():
        if anchor.startswith("call-"):
            note_id = anchor[len("call-"):]
            note_page = anchors.get("note-" + note_id, 0)  # 0: WeasyPrint dropped the note altogether
            if note_page != page:
                misplaced.append(NotePlacement(note_id, page, note_page))
    return Typeset(document, len(document.pages), tuple(misplaced), anchors, root=source.etree_element)


def _short_lines(document) -> list[tuple[int, str]]:
    """Lines inside a paragraph (not its last) holding one or two words and less than half
    the measure: the mark of a bad break (WeasyPrint did this around empty inline boxes)."""
    found = []
    for number, page in enumerate(document.pages, start=1):

        def walk(node, in_text=False):
            element = getattr(node, "element", None)
            if element is not None and "unit" in (element.get("class") or "").split():
                in_text = True  # the parts of the book, not its title pages or contents
            children = getattr(node, "children", None) or []
            lines = [child for child in children if type(child).__name__ == "LineBox"] if in_text else []
            for line in lines[:-1]:
                words = line_text(line).split()
                used = sum(getattr(child, "width", 0) or 0 for child in line.children)
                if 0 < len(words) <= 2 and node.width and used < node.width / 2:
                    found.append((number, " ".join(words)))
            for child in children:
                walk(child, in_text)

        walk(page._page_box.children[0])
    return found


def _overfull_lines(document) -> list[tuple[int, float, str]]:
    """Text that runs out of the text block (the page's content area), left or right:
    an overfull line, a long URL, a box pushed aside. Margin boxes (running heads,
    folios) are not in the text block and are not looked at."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        left, right = box.content_box_x(), box.content_box_x() + box.width

        def walk(node):
            if type(node).__name__ == "TextBox" and node.text.strip():
                over = max(left - node.position_x, node.position_x + node.width - right)
                if over > 1:  # CSS px; WeasyPrint lays out in px
                    found.append((number, over * 0.75, node.text.strip()[:40]))
                    return True
            return any(walk(child) for child in getattr(node, "children", None) or [])

        for child in box.children:
            if type(child).__name__ in ("BlockBox", "FootnoteAreaBox") and walk(child):
                break  # one report a page is enough to find it
    return found


MAX_NOTE_SHARE = 0.6  # a note taller than this share of the text block cannot be kept with its call


def _tall_notes(document) -> list[tuple[str, int, float]]:
    """Notes taller than MAX_NOTE_SHARE of the page's text block. WeasyPrint cannot split a
    note over pages: such a note is clipped or overlaps the text (WeasyPrint #1833, #1564)."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        area = next((child for child in box.children if type(child).__name__ == "FootnoteAreaBox"), None)
        if area is None or not box.height:
            continue
        for note in area.children:
            element = getattr(note, "element", None)
            note_id = (element.get("id") or "") if element is not None else ""
            share = note.margin_height() / box.height
            if note_id.startswith("note-") and share > MAX_NOTE_SHARE:
                found.append((note_id[len("note-"):], number, share))
    return found


def write_pdf(result: Typeset, edition: Edition, target: Path) -> None:
    options = {"pdf_tags": False}
    if edition.settings.print.pdf_variant:
        options["pdf_variant"] = edition.settings.print.pdf_variant
    result.document.write_pdf(str(target), **options)
