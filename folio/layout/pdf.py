"""Stage 5a: lay out one part of the print book, read the layout back, write the part's
PDF. The book is assembled from its parts by ``typeset`` and ``assemble``. WeasyPrint is
reached through ``engine`` only."""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from folio import ids
from folio.edition.model import Edition
from folio.edition.output_intent import XMP_DOCUMENT_ID, intent_css, is_print_standard
from folio.layout import diagnostics, engine, page_facts, page_fill
from folio.layout.diagnostics import Findings, NotePlacement
from folio.layout.engine import FatalURLFetchingError  # noqa: F401  (re-exported: the build catches it)
from folio.layout.notes import behind_a_long_note
from folio.layout.readback import anchor_pages, laid_out_lines, page_starts
from folio.pagemap import word_position
from folio.typefaces import BUNDLED, FONT_FILES, FONTS, face_rules, font_digest, word_space_em

log = logging.getLogger("folio")


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
    margins = dict(p.margins)  # print.margins: they replace the stylesheet's
    if margins:
        inside, outside = margins.get("inside"), margins.get("outside")
        rules.append(
            "@page { "
            + "".join(f"margin-{side}: {margins[side]} !important; " for side in ("top", "bottom") if side in margins)
            + "}"
        )
        for page, left, right in ((":left", outside, inside), (":right", inside, outside)):
            said = (f"margin-left: {left} !important; " if left else "") + (
                f"margin-right: {right} !important; " if right else ""
            )
            if said:
                rules.append(f"@page {page} {{ {said}}}")
    families = []
    if p.typeface is not None:  # print.font: the edition's body face, its styles as given
        rules += face_rules(p.typeface, lambda _style, font: f'url("{font.as_uri()}") /* {font_digest(font)} */')
        families.append(f'"{p.typeface.family}"')
    for number, font in enumerate(p.fonts, start=1):  # print.fonts: for what the body face lacks
        family = f"folio edition font {number}"
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{font.as_uri()}"); }} /* {font_digest(font)} */'
        )
        families.append(f'"{family}"')
    if families:
        if p.typeface is None:
            families.insert(0, f'"{BUNDLED}"')
        else:
            families.append(f'"{BUNDLED}"')
        rules.append(f"html {{ font-family: {', '.join(families)}, serif !important; }}")
    rules.append(NOTE_BREAK_CSS)
    return "\n".join(rules)


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
    # add a blank page if it ends on a recto (the next part opens on a recto; a book has an even count)
    pad_to_even: bool
    draft: bool = False  # read back for its pages only, no PDF written (it prints folios not known yet)
    body_font: str = ""  # the file of the edition's body face (print.font), '' for the bundled one
    total_fit: bool = True  # justified paragraphs broken as a whole (print.line_breaking)


@dataclass(frozen=True)
class PartLayout:
    """What laying out a part produced, in its own page numbers (1-based)."""

    name: str
    pdf: bytes
    page_count: int
    anchors: dict  # id -> page, for the ids laid out in this part
    borrowed: tuple[str, ...]  # link targets in other parts, given a stand-in destination
    found: Findings = Findings()  # what its read-back found, in the part's own pages
    passes: int = 1
    continued: tuple = ()  # keys of the notes continued on a following page
    from_draft: bool = False  # printed from its draft's layout (finish_part), not laid out again


MAX_PASSES = 12  # layouts of a part, at most, while notes left behind their calls are put back
_BLOCK_OPEN = re.compile(r"<(p|h[1-6]|div|blockquote|ul|ol|li|section|table)(?=[\s>])")
_LINK_TARGET = re.compile(r'<a href="#([^"]+)"')


_HELD: dict[str, tuple[PartJob, engine.Rendered, PartLayout]] = {}  # drafts kept in this process, by part


def lay_out_part(job: PartJob, hold: bool = False) -> PartLayout:
    """Lay out one part, then read back where every note landed. ``hold``: a draft's layout is kept
    in this process, so that ``finish_part`` can print it with its page numbers once they are known.

    The layout engine keeps every note on its call's page (continuing long notes on the next
    page); should a note still be left behind, the layout is corrected and laid out again: first
    the paragraph is split before the line holding the call, and that line starts the next page,
    with its note (as footnote-policy 'line' means); if that is not enough, the call's whole
    paragraph starts the next page. The passes stop when every note is on its call's page, or
    after MAX_PASSES; what is left is reported (W501). A page the fill cannot fill (two empty
    lines or more above its notes before a heading that cannot come up) has its paragraphs set a
    line longer in one more pass, kept if it is better (``page_fill.longer_paragraphs``). Runs in
    a worker process.
    """
    fixes: dict[str, tuple] = {}  # note id -> ("line", block, words) or ("paragraph",)
    passes = 1
    rendered = _render(_with_breaks(job.html, fixes), job)
    misplaced = _misplaced_notes(anchor_pages(rendered.document))
    score = diagnostics.score(rendered.document, misplaced)
    best = (score, dict(fixes))  # the last pass may be worse than one before it
    while passes < MAX_PASSES:
        # (a note behind a note longer than its page stands where it must: nothing to correct)
        todo = [p for p in misplaced if not p.behind and fixes.get(p.note_id, ("",))[0] != "paragraph"]
        if not todo:
            break
        # The first notes in the book's order, one a pass while the passes last: a fix moves
        # every page after it, so a fix worked out for a later note from this layout may no
        # longer fit the next one (its break would leave a page half empty). A long part
        # with many notes left behind takes several a pass, to be done in MAX_PASSES.
        todo.sort(key=lambda p: p.call_page)
        batch = todo[: -(-len(todo) // (MAX_PASSES - passes))]
        lines = _call_lines(rendered, {p.note_id for p in batch if p.note_id not in fixes})
        for placement in batch:
            note_id = placement.note_id
            fixes[note_id] = lines[note_id] if note_id not in fixes and note_id in lines else ("paragraph",)
        rendered = None  # let the previous layout go first: it holds every page
        rendered = _render(_with_breaks(job.html, fixes), job)
        passes += 1
        misplaced = _misplaced_notes(anchor_pages(rendered.document))
        score = diagnostics.score(rendered.document, misplaced)
        if score < best[0]:
            best = (score, dict(fixes))
    if score > best[0]:  # the passes ran out on a worse layout than one before
        rendered = None
        fixes = best[1]
        rendered = _render(_with_breaks(job.html, fixes), job)
        passes += 1
        misplaced = _misplaced_notes(anchor_pages(rendered.document))
        score = best[0]
    longer = page_fill.longer_paragraphs(rendered.document, rendered.extensible)
    if longer:  # pages the fill cannot fill: their paragraphs a line longer, if that is better
        again = _render(_with_breaks(job.html, fixes), job, longer)
        passes += 1
        again_misplaced = _misplaced_notes(anchor_pages(again.document))
        if (
            len(again.document.pages) == len(rendered.document.pages)
            and diagnostics.score(again.document, again_misplaced) <= score
            and page_fill.unfilled(again.document) < page_fill.unfilled(rendered.document)
        ):
            rendered, misplaced = again, again_misplaced
        again = None
    document = rendered.document
    anchors = anchor_pages(document)
    starts = tuple(page_starts(document, rendered.root))
    page_fill.fill(document)  # pages that end early: their vertical space stretched to the foot of the text block
    gaps = tuple(page_facts.gaps(document))
    page_count = len(document.pages) + (job.pad_to_even and len(document.pages) % 2)
    layout = PartLayout(
        name=job.name,
        pdf=b"",
        page_count=page_count,
        anchors=anchors,
        borrowed=(),
        found=Findings(
            misplaced_notes=tuple(misplaced),
            tall_notes=tuple(diagnostics.tall_notes(document)),
            overfull=tuple(diagnostics.overfull_lines(document)),
            short_lines=tuple(diagnostics.short_lines(document)),
            loose_lines=tuple(diagnostics.loose_lines(document, word_space_em(job.body_font))),
            gaps=gaps,
            long_heads=tuple(diagnostics.long_heads(document)),
            page_starts=starts,
        ),
        passes=passes,
        continued=tuple(sorted(filter(None, map(ids.note_key_of, rendered.continued)))),
    )
    if job.draft:  # read back for its pages only: a draft's blank page is counted, not made
        if hold:
            _HELD[job.name] = (job, engine.kept(rendered), layout)
        return layout
    return _written(layout, rendered.document, job)


def _written(layout: PartLayout, document, job: PartJob) -> PartLayout:
    """The part's PDF: its blank verso added if it needs one, links to other parts given a
    stand-in destination on its last page (so that WeasyPrint writes them: the assembly points
    each at its real destination)."""
    if layout.page_count > len(document.pages):
        document = engine.with_pages(document, [*document.pages, _blank_page(job)])
    borrowed = tuple(sorted({t for t in _LINK_TARGET.findall(job.html) if t not in layout.anchors}))
    for target in borrowed:
        document.pages[-1].anchors[target] = (0, 0, 0, 0)  # (x, y, width, height)
    pdf_bytes = _fixed_document_id(engine.write_pdf(document, **dict(job.pdf_options)))
    return replace(layout, pdf=pdf_bytes, borrowed=borrowed)


def finish_part(job: PartJob) -> PartLayout:
    """The part as ``job`` says, from its draft kept in this process when the two differ only in
    the page numbers they print (each as wide as before: figures of one width) and the part's first
    folio (only the running heads and folios change): the draft's pages, told their numbers and
    given their margin boxes again, are written. Otherwise, or without a draft, it is laid out."""
    held = _HELD.pop(job.name, None)
    if held is None:
        return lay_out_part(job)
    draft, rendered, layout = held
    held = None
    numbers = _numbers_changed(draft, job, rendered.root)
    if numbers is None or not engine.set_generated_text(rendered, numbers):
        rendered = None  # let the draft go before laying the part out
        engine.release_memory(collect=False)
        return lay_out_part(job)
    shift = _first_folio(job.part_css) - _first_folio(draft.part_css)
    if shift:
        engine.remake_margin_boxes(rendered, shift)
    try:
        return _written(replace(layout, from_draft=True), rendered.document, job)
    finally:
        rendered = None
        engine.release_memory(collect=False)


def drop_held(name: str | None = None) -> None:
    """Let kept drafts go (one part's, or all), and the memory they held back to the system."""
    if name is None:
        _HELD.clear()
    else:
        _HELD.pop(name, None)
    engine.release_memory(collect=name is None)


_DATA_PAGE = re.compile(r'data-page="([^"]*)"')
_FIRST_FOLIO = re.compile(r"\n@page :first \{ counter-reset: page (\d+); \}[^\n]*")


def _first_folio(part_css: str) -> int:
    found = _FIRST_FOLIO.search(part_css)
    return int(found.group(1)) if found else 1


_FIGURES = re.compile(r"[0-9]+")


def finishable(draft: PartJob, job: PartJob) -> bool:
    """Whether ``job`` can be printed from ``draft``'s layout: they differ only in the page numbers
    they print, each changed one in figures of as many digits as before (the bundled font's
    figures are all of one width; ``finish_part`` checks the widths themselves), and in the first
    folio."""
    if not _same_but_numbers(draft, job):
        return False
    before, after = _DATA_PAGE.findall(draft.html), _DATA_PAGE.findall(job.html)
    return len(before) == len(after) and all(
        old == new or (_FIGURES.fullmatch(old) and _FIGURES.fullmatch(new) and len(old) == len(new))
        for old, new in zip(before, after)
    )


def _same_but_numbers(draft: PartJob, job: PartJob) -> bool:
    return (
        _DATA_PAGE.sub("", draft.html) == _DATA_PAGE.sub("", job.html)
        and _FIRST_FOLIO.sub("", draft.part_css) == _FIRST_FOLIO.sub("", job.part_css)
        and replace(draft, html="", part_css="", draft=False) == replace(job, html="", part_css="", draft=False)
    )


def _numbers_changed(draft: PartJob, job: PartJob, root) -> dict | None:
    """Element -> (the page number it printed, the one it prints now), for the elements of the
    draft's tree whose number changed; None when the two parts differ in anything else."""
    if not _same_but_numbers(draft, job):
        return None
    before, after = _DATA_PAGE.findall(draft.html), _DATA_PAGE.findall(job.html)
    elements = [element for element in root.iter() if element.get("data-page") is not None]
    if not (len(before) == len(after) == len(elements)):
        return None
    return {element: (old, new) for element, old, new in zip(elements, before, after) if old != new}


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


def _render(html: str, job: PartJob, longer: frozenset = frozenset()) -> engine.Rendered:
    engine.install()  # (once a process: the layout workers install it when they start)
    engine.use_total_fit(job.total_fit)
    stylesheets = [("string", font_css()), ("string", job.part_css), ("filename", job.css_path)]
    return engine.render(html, stylesheets, job.base_url, [Path(p) for p in job.allowed], longer)


def _blank_page(job: PartJob):
    """A page with nothing on it but what every page carries (crop marks): the blank
    verso before the next part. WeasyPrint makes it, so its boxes are those of the book."""
    html = '<!DOCTYPE html><html><body><div style="break-before: left"></div></body></html>'
    return _render(html, replace(job, html=html)).document.pages[0]


def _misplaced_notes(anchors: dict[str, int]) -> list[NotePlacement]:
    misplaced = []
    for anchor, page in anchors.items():
        note_id = ids.call_key(anchor)
        if note_id is not None:
            note_page = anchors.get(ids.note_anchor(note_id), 0)  # 0: WeasyPrint dropped the note altogether
            if note_page != page:
                behind = behind_a_long_note(note_id, page, note_page, anchors.get)
                misplaced.append(NotePlacement(note_id, page, note_page, behind))
    return misplaced


def _call_lines(rendered: engine.Rendered, note_ids: set[str]) -> dict[str, tuple]:
    """For each note, ("line", block, words): the call's paragraph and the words of it laid
    out before the line that holds the call (a word hyphenated across that line's start
    goes to the next page whole). Left out: a call not in a paragraph, or in its first line."""
    wanted = {ids.call_anchor(n): n for n in note_ids}
    found: dict[str, tuple] = {}

    def calls_in(box):
        element = getattr(box, "element", None)
        if element is not None and element.get("id") in wanted and engine.kind(box) is engine.Kind.INLINE:
            yield wanted[element.get("id")]
        for child in engine.children(box):
            yield from calls_in(child)

    for _page, line, block, words in laid_out_lines(rendered.document, rendered.root):
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
