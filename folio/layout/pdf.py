"""Stage 5a: lay out one part of the print book with WeasyPrint, read the layout back,
write the part's PDF. The book is assembled from its parts by ``typeset`` and ``assemble``."""

from __future__ import annotations

import ctypes.util
import hashlib
import logging
import re
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlparse


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
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

from folio import ids
from folio.edition.model import Edition
from folio.layout import continued_notes, footnote_policy, line_breaks, page_fill
from folio.layout.output_intent import XMP_DOCUMENT_ID, intent_css, is_print_standard
from folio.layout.pagemap import laid_out_lines, line_text, page_starts, word_position
from folio.layout.typefaces import FONT_FILES, FONTS

log = logging.getLogger("folio")
footnote_policy.apply()  # WeasyPrint 70 moves notes behind their calls to avoid an orphan
line_breaks.apply()  # and breaks a line far too early before an inline element


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
            f'src: url("{(FONTS / name).as_uri()}"); font-style: {style}; font-weight: {weight}; }}'
        )
    return "\n".join(rules)


# where a note fell after its call (see lay_out_part): a page starts, maybe inside a paragraph
NOTE_BREAK_CSS = """[data-folio-break] { break-before: page; }
.folio-split-head { text-align-last: justify !important; }
.folio-split-tail { text-indent: 0 !important; }"""


def page_css(edition: Edition) -> str:
    p = edition.settings.print
    rules = [f"@page {{ size: {p.page_width} {p.page_height}; }}"]
    if p.bleed and p.bleed not in ("0", "0in", "0mm", "0pt"):
        rules.append(f"@page {{ bleed: {p.bleed}; }}")
    if p.crop_marks:
        rules.append("@page { marks: crop cross; }")
    if p.output_profile and is_print_standard(p.pdf_variant):
        rules.append(intent_css(p.output_profile))
    rules.append(f":root {{ --body-size: {p.font_size}; }}")
    rules.append(NOTE_BREAK_CSS)
    rules.append(continued_notes.NOTE_CSS)
    return "\n".join(rules)


@dataclass(frozen=True)
class NotePlacement:
    note_id: str
    call_page: int  # 1-based physical page
    note_page: int  # 0 when the note was not printed at all


@dataclass(frozen=True)
class PartJob:
    """Everything WeasyPrint needs to lay out one part of the book (the front matter,
    one unit, the index) as its own document. Plain data: it crosses to worker
    processes, and its digest is the part's cache key."""

    name: str
    html: str  # a whole HTML document: the book's head and this part's body
    part_css: str  # the page size, bleed, marks, and this part's first folio
    css_path: str  # the print stylesheet (an editor's or ours)
    base_url: str
    allowed: tuple[str, ...]  # folders the layout may read
    pdf_options: tuple[tuple[str, object], ...]
    pad_to_even: bool  # add a blank page if it ends on a recto (the next part opens on a recto)
    draft: bool = False  # read back for its pages only, no PDF written (it prints folios not known yet)


@dataclass(frozen=True)
class PartLayout:
    """What laying out a part produced, in its own page numbers (1-based)."""

    name: str
    pdf: bytes
    page_count: int
    anchors: dict  # id -> page, for the ids laid out in this part
    borrowed: tuple[str, ...]  # link targets in other parts, given a stand-in destination
    misplaced_notes: tuple[NotePlacement, ...] = ()
    tall_notes: tuple = ()  # (note id, page, share of the page) of notes too tall to print safely
    overfull: tuple = ()  # (page, points, text) of lines that run out of the text block
    short_lines: tuple = ()  # (page, text) of lines broken far too early inside a paragraph
    page_starts: tuple = ()  # pagemap.PageStart: where each printed page begins
    passes: int = 1
    loose_lines: tuple = ()  # (page, factor, text) of lines with word spaces far wider than the part's
    gaps: tuple = ()  # (page, empty body lines above its notes) of every page
    continued: tuple = ()  # keys of the notes continued on a following page
    long_heads: tuple = ()  # (page, text) of running heads too long for their line


MAX_NOTE_PASSES = 12  # layouts of a part while notes are put back under their calls
MAX_SPLIT_PASSES = 5  # more layouts while long notes are continued on the next page
_BLOCK_OPEN = re.compile(r"<(p|h[1-6]|div|blockquote|ul|ol|li|section|table)(?=[\s>])")
_LINK_TARGET = re.compile(r'<a href="#([^"]+)"')


def lay_out_part(job: PartJob) -> PartLayout:
    """Lay out one part, then read back where every note landed.

    WeasyPrint 70 moves a note to the next page while its call stays behind
    when that avoids an orphan (``footnote_policy`` corrects that); should a
    note still be left behind, the layout is corrected and laid out again: first the paragraph is split before the line holding the call,
    and that line starts the next page, with its note (as footnote-policy
    'line' means); if that is not enough, the call's whole paragraph starts
    the next page. The passes stop when every note is on its call's page, or
    after MAX_NOTE_PASSES; what is left is reported (W501). Runs in a worker
    process.
    """
    fixes: dict[str, tuple] = {}  # note id -> ("line", block, words) or ("paragraph",)
    splits: dict = {}  # note key -> words before each continuation (continued_notes)
    tried: set = set()
    passes = split_passes = 0
    best = None  # (score, splits, fixes) of the best layout so far: the last may be worse

    def lay_out(splits, fixes):
        return _render(continued_notes.split_notes(_with_breaks(job.html, fixes), splits), job)

    while True:
        passes += 1
        document, root = None, None  # let the previous layout go first: it holds every page
        document, root = lay_out(splits, fixes)
        anchors = _anchors(document)
        misplaced = _misplaced_notes(anchors)
        score = _score(document, misplaced)
        if best is None or score < best[0]:
            best = (score, dict(splits), dict(fixes))
        todo = [p for p in misplaced if fixes.get(p.note_id, ("",))[0] != "paragraph"]
        # long notes first: a note that runs off its page also pushes the page's other notes away
        if split_passes < MAX_SPLIT_PASSES:
            planned = continued_notes.plan(document, splits, tried)
            if planned != splits:
                splits, split_passes = planned, split_passes + 1
                continue
        if not todo or passes >= MAX_NOTE_PASSES + split_passes:
            break
        # The first notes in the book's order, one a pass while the passes last: a fix moves
        # every page after it, so a fix worked out for a later note from this layout may no
        # longer fit the next one (its break would leave a page half empty). A long part
        # with many notes left behind takes several a pass, to be done in MAX_NOTE_PASSES.
        todo.sort(key=lambda p: p.call_page)
        batch = todo[: -(-len(todo) // (MAX_NOTE_PASSES - passes))]
        lines = _call_lines(document, root, {p.note_id for p in batch if p.note_id not in fixes})
        for placement in batch:
            note_id = placement.note_id
            fixes[note_id] = lines[note_id] if note_id not in fixes and note_id in lines else ("paragraph",)
    if score > best[0]:  # the passes ran out on a worse layout than one before (a note off its page)
        splits, fixes = best[1], best[2]
        passes += 1
        document, root = None, None
        document, root = lay_out(splits, fixes)
        anchors = _anchors(document)
        misplaced = _misplaced_notes(anchors)
    starts = tuple(page_starts(document, root))
    page_fill.fill(document)  # pages that end early: their vertical space stretched to the foot of the text block
    gaps = tuple(continued_notes.gaps(document))
    tall, overfull, short = (
        tuple(_tall_notes(document)),
        tuple(_overfull_lines(document)),
        tuple(_short_lines(document)),
    )
    loose = tuple(_loose_lines(document))
    heads = tuple(_long_heads(document))
    page_count = len(document.pages) + (job.pad_to_even and len(document.pages) % 2)
    if page_count > len(document.pages) and not job.draft:  # a draft's blank page is counted, not made
        document = document.copy([*document.pages, _blank_page(job)])
    # Links to other parts get a stand-in destination on the last page, so WeasyPrint
    # writes them; the assembly points each at its real destination.
    borrowed = tuple(sorted({t for t in _LINK_TARGET.findall(job.html) if t not in anchors}))
    for target in borrowed:
        document.pages[-1].anchors[target] = (0, 0, 0, 0)  # (x, y, width, height)
    pdf_bytes = b"" if job.draft else _fixed_document_id(document.write_pdf(**dict(job.pdf_options)))
    return PartLayout(
        job.name,
        pdf_bytes,
        page_count,
        anchors,
        borrowed,
        tuple(misplaced),
        tall,
        overfull,
        short,
        starts,
        passes,
        loose,
        gaps,
        tuple(sorted(splits)),
        heads,
    )


_FILE_ID = re.compile(rb"(?<=/ID \[)\([0-9a-f]{32}\)|(?<=\) )\([0-9a-f]{32}\)(?=\])")  # the trailer's /ID


def _fixed_document_id(pdf: bytes) -> bytes:
    """WeasyPrint gives a PDF/X-4 a random XMP document ID, and a file ID hashed over it;
    make both from the rest of the content, so that equal layouts are equal bytes
    (same lengths: the metadata stream is not compressed, the file ID is plain text)."""
    found = XMP_DOCUMENT_ID.search(pdf)
    if not found:
        return pdf
    pdf = pdf[: found.start()] + b"xmp.did:" + b"0" * 36 + pdf[found.end() :]
    blank = _FILE_ID.sub(lambda m: b"(" + b"0" * 32 + b")", pdf)
    digest = hashlib.md5(blank).digest()
    pdf = pdf[: found.start()] + b"xmp.did:" + str(uuid.UUID(bytes=digest)).encode() + pdf[found.end() :]
    return _FILE_ID.sub(lambda m: b"(" + digest.hex().encode() + b")", pdf)


def _render(html: str, job: PartJob):
    fetcher = ConfinedFetcher([Path(p) for p in job.allowed])
    font_config = FontConfiguration()
    profiles: dict = {}  # @color-profile rules of every stylesheet (the PDF/X output intent)
    shared = {"font_config": font_config, "color_profiles": profiles, "url_fetcher": fetcher}
    stylesheets = [
        CSS(string=font_css(), **shared),
        CSS(string=job.part_css, **shared),
        CSS(filename=job.css_path, **shared),
    ]
    source = HTML(string=html, base_url=job.base_url, url_fetcher=fetcher)
    document = source.render(stylesheets=stylesheets, font_config=font_config, color_profiles=profiles)
    return document, source.etree_element


def _blank_page(job: PartJob):
    """A page with nothing on it but what every page carries (crop marks): the blank
    verso before the next part. WeasyPrint makes it, so its boxes are those of the book."""
    html = '<!DOCTYPE html><html><body><div style="break-before: left"></div></body></html>'
    document, _ = _render(html, replace(job, html=html))
    return document.pages[0]


def _anchors(document) -> dict[str, int]:
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            anchors.setdefault(anchor, number)
    return anchors


def _misplaced_notes(anchors: dict[str, int]) -> list[NotePlacement]:
    misplaced = []
    for anchor, page in anchors.items():
        note_id = ids.call_key(anchor)
        if note_id is not None:
            note_page = anchors.get(ids.note_anchor(note_id), 0)  # 0: WeasyPrint dropped the note altogether
            if note_page != page:
                misplaced.append(NotePlacement(note_id, page, note_page))
    return misplaced


def _call_lines(document, root, note_ids: set[str]) -> dict[str, tuple]:
    """For each note, ("line", block, words): the call's paragraph and the words of it laid
    out before the line that holds the call (a word hyphenated across that line's start
    goes to the next page whole). Left out: a call not in a paragraph, or in its first line."""
    wanted = {ids.call_anchor(n): n for n in note_ids}
    found: dict[str, tuple] = {}

    def calls_in(box):
        element = getattr(box, "element", None)
        if element is not None and element.get("id") in wanted and type(box).__name__ == "InlineBox":
            yield wanted[element.get("id")]
        for child in getattr(box, "children", None) or []:
            yield from calls_in(child)

    for _page, line, block, words in laid_out_lines(document, root):
        if not wanted:
            break
        for note_id in calls_in(line):
            wanted.pop(ids.call_anchor(note_id), None)
            if block is not None and ids.is_paragraph(block) and words > 0:
                found[note_id] = ("line", block, words)
    return found


def _with_breaks(html: str, fixes: dict[str, tuple]) -> str:
    """Start a page where the fixes say: before the line holding a note's call (the paragraph
    is split there, the first half's last line justified like any inner line) or before the
    call's paragraph."""
    breaks: dict[int, set[str]] = {}  # a block's opening tag (after its name) -> notes
    splits: dict[int, tuple[str, tuple, set]] = {}  # a word in a paragraph -> (block, its place, notes)
    for note_id, fix in fixes.items():
        if fix[0] == "line":
            found = word_position(html, fix[1], fix[2])
            if found is not None:
                splits.setdefault(found[0], (fix[1], found, set()))[2].add(note_id)
                continue
        call = html.find(f'id="{ids.call_anchor(note_id)}"')
        match = None
        for match in _BLOCK_OPEN.finditer(html, 0, max(call, 0)):  # noqa: B007 - the last block before the call
            pass
        if call >= 0 and match is not None:
            breaks.setdefault(match.end(1), set()).add(note_id)
    inserts = [(position, f' data-folio-break="{" ".join(sorted(notes))}"') for position, notes in breaks.items()]
    for position, (block, (_, open_tags), notes) in splits.items():
        later = any(other > position and splits[other][0] == block for other in splits)
        # the spaces before the word would end the first half's last line, and make it too long
        start = _space_and_tags_before(html, position)
        inserts.append((start, _SPACES.sub(lambda m: m.group(1), html[start:position]), position))
        closing = "".join(f"</{_tag_name(tag)}>" for tag in reversed(open_tags))
        reopening = "".join(_NO_IDS.sub("", tag) for tag in open_tags)
        inserts.append(
            (
                position,
                f'{closing}</p><p data-folio-break="{" ".join(sorted(notes))}" '
                f'class="folio-split-tail{" folio-split-head" if later else ""}">'
                f'<span data-folio-continues="{block}"></span>{reopening}',
            )
        )
        if not any(splits[other][0] == block for other in splits if other < position):  # the first split
            head = html.rfind("<p>", 0, position)
            inserts.append((head + 2, ' class="folio-split-head"'))
    for position, text, *replaced_to in sorted(inserts, key=lambda item: item[0], reverse=True):
        html = html[:position] + text + html[replaced_to[0] if replaced_to else position :]
    return html


_SPACES = re.compile(r"(^|>)\s+")  # spaces in text between tags (tags keep theirs)


def _space_and_tags_before(html: str, position: int) -> int:
    """Where the run of spaces and tags just before ``position`` begins."""
    while position > 0:
        if html[position - 1].isspace():
            position -= 1
        elif html[position - 1] == ">":
            position = html.rfind("<", 0, position - 1)
        else:
            break
    return position


_NO_IDS = re.compile(r'\s(?:id|data-[\w-]+)="[^"]*"')  # a reopened inline tag must not repeat an id


def _tag_name(tag: str) -> str:
    return re.match(r"<(\w+)", tag).group(1)


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


LOOSE_FACTOR = 2.5  # word spaces this many times the part's usual ones make a loose line
_SPACE_EM = 451 / 2048  # the bundled font's word space, in em


def _spacing(line) -> tuple[float, object]:
    """The width of a justified line's word spaces, in em of its text, and its first text box."""
    found = []

    def collect(box):
        if type(box).__name__ == "TextBox" and " " in box.text.strip():
            found.append(box)
        for child in getattr(box, "children", None) or []:
            collect(child)

    collect(line)
    if not found:
        return 0.0, None
    box = max(found, key=lambda b: len(b.text))
    size = box.style["font_size"] or 1
    return _SPACE_EM + (getattr(box, "justification_spacing", 0) or 0) / size, box


def _loose_lines(document) -> list[tuple[int, float, str]]:
    """Lines inside a justified paragraph (not its last) whose word spaces are more than
    LOOSE_FACTOR times the part's usual justified space: (page, factor, text)."""
    lines = []
    for number, page in enumerate(document.pages, start=1):

        def walk(node, in_text=False):
            element = getattr(node, "element", None)
            if element is not None and "unit" in (element.get("class") or "").split():
                in_text = True
            children = getattr(node, "children", None) or []
            boxes = [child for child in children if type(child).__name__ == "LineBox"] if in_text else []
            if boxes and node.style["text_align_all"] == "justify":
                for line in boxes[:-1]:
                    space, box = _spacing(line)
                    if box is not None:
                        lines.append((number, space, " ".join(line_text(line).split())))
            for child in children:
                if type(child).__name__ != "LineBox":
                    walk(child, in_text)

        walk(page._page_box.children[0])
    if len(lines) < 20:
        return []
    usual = sorted(space for _, space, _ in lines)[len(lines) // 2]
    return [(number, space / usual, text[:60]) for number, space, text in lines if space > LOOSE_FACTOR * usual]


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


def _long_heads(document) -> list[tuple[int, str]]:
    """Running heads that do not fit their line (WeasyPrint wraps them, into the text or the
    folio): (page, the head's text)."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.children:
            if type(box).__name__ == "MarginBox" and box.at_keyword.startswith("@top"):
                lines = [child for child in _descendants(box) if type(child).__name__ == "LineBox"]
                if len(lines) > 1:
                    found.append((number, " ".join(line_text(line).strip() for line in lines)[:80]))
    return found


def _descendants(box):
    for child in getattr(box, "children", None) or []:
        yield child
        yield from _descendants(child)


def _score(document, misplaced) -> tuple:
    """How bad a layout is, worst first: notes running off their page, notes away from their
    call, pages of text 3 or more lines short, and their empty lines."""
    short = [lines for _page, lines in continued_notes.gaps(document) if lines >= 3]
    return (len(_tall_notes(document)), len(misplaced), len(short), round(sum(short), 1))


def _tall_notes(document) -> list[tuple[str, int, float]]:
    """Notes that run off the page: the note area going below the text block, or over the
    text (a note too long to be continued: WeasyPrint clips it or overlaps the text, #1833,
    #1564). (note key, page, share of the text block its page's notes fill)."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        area = next((child for child in box.children if type(child).__name__ == "FootnoteAreaBox"), None)
        if area is None or not area.children or not box.height:
            continue
        bottom = box.content_box_y() + box.height
        if area.position_y + area.margin_height() <= bottom + 1 and area.position_y >= box.content_box_y() - 1:
            continue
        tallest = max(area.children, key=lambda note: note.margin_height())
        element = getattr(tallest, "element", None)
        note_id = (element.get("id") or element.get("data-folio-continues-note") or "") if element is not None else ""
        key = note_id[len(ids.PREFIXES["note"]) :] if note_id.startswith(ids.PREFIXES["note"]) else note_id
        found.append((key, number, area.margin_height() / box.height))
    return found
