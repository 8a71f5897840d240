"""What reading a laid-out part back finds wrong with it, page by page: notes that run off
their page, text out of the text block, lines broken far too early, loose lines, running
heads too long for their line. The build reports each (W503-W506, E502); the layout's own
loop judges its passes by ``score``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from folio import ids
from folio.layout import engine
from folio.layout.engine import Kind
from folio.layout.page_facts import gaps
from folio.layout.readback import line_text

LOOSE_FACTOR = 2.5  # word spaces this many times the part's usual ones make a loose line


@dataclass(frozen=True)
class NotePlacement:
    note_id: str
    call_page: int  # 1-based page of the PDF
    note_page: int  # 0 when the note was not printed at all
    behind: str = ""  # the note longer than its page this one follows onto the next (notes.behind_a_long_note)


def _moved(rows: tuple, at: int, offset: int) -> tuple:
    """Rows (tuples) with the page at position ``at`` moved by ``offset``."""
    return tuple((*row[:at], row[at] + offset, *row[at + 1 :]) for row in rows)


@dataclass(frozen=True)
class Findings:
    """What the read-back of a layout found, each with its page: a part's own pages (1-based) in
    a part's layout, the PDF's pages once the parts are put together (``shifted``, ``joined``)."""

    misplaced_notes: tuple = ()  # NotePlacement: notes not printed on their call's page
    tall_notes: tuple = ()  # (note id, page, share of the page) of notes too tall to print safely
    overfull: tuple = ()  # (page, points, text) of lines that run out of the text block
    short_lines: tuple = ()  # (page, text) of lines broken far too early inside a paragraph
    loose_lines: tuple = ()  # (page, factor, text) of lines with word spaces far wider than the part's
    gaps: tuple = ()  # (page, empty body lines above its notes) of every page whose text goes on
    long_heads: tuple = ()  # (page, text) of running heads too long for their line
    page_starts: tuple = ()  # pagemap.PageStart: where each printed page begins

    def shifted(self, offset: int) -> Findings:
        """The same findings, their pages moved by ``offset`` (the pages before the part)."""
        if not offset:
            return self
        return Findings(
            misplaced_notes=tuple(
                replace(n, call_page=n.call_page + offset, note_page=n.note_page + offset if n.note_page else 0)
                for n in self.misplaced_notes
            ),
            tall_notes=_moved(self.tall_notes, 1, offset),
            overfull=_moved(self.overfull, 0, offset),
            short_lines=_moved(self.short_lines, 0, offset),
            loose_lines=_moved(self.loose_lines, 0, offset),
            gaps=_moved(self.gaps, 0, offset),
            long_heads=_moved(self.long_heads, 0, offset),
            page_starts=tuple(replace(start, page=start.page + offset) for start in self.page_starts),
        )

    @staticmethod
    def joined(all_findings) -> Findings:
        """Findings one after another (each already in the pages of the whole)."""
        all_findings = list(all_findings)
        return Findings(
            **{
                name: tuple(row for f in all_findings for row in getattr(f, name))
                for name in Findings.__dataclass_fields__
            }
        )


def _in_units(view, visit) -> None:
    """Call ``visit(box, lines)`` for every box of the page's main flow inside a part of the book
    (not its title pages or contents), with the box's own line boxes."""

    def walk(node, in_text=False):
        element = getattr(node, "element", None)
        if element is not None and "unit" in (element.get("class") or "").split():
            in_text = True
        nodes = engine.children(node)
        if in_text:
            visit(node, [child for child in nodes if engine.kind(child) is Kind.LINE])
        for child in nodes:
            if engine.kind(child) is not Kind.LINE:
                walk(child, in_text)

    walk(view.body)


def short_lines(document) -> list[tuple[int, str]]:
    """Lines inside a paragraph (not its last) holding one or two words and less than half
    the measure: the mark of a bad break (WeasyPrint did this around empty inline boxes)."""
    found = []
    for view in engine.pages(document):

        def visit(node, lines):
            for line in lines[:-1]:
                words = line_text(line).split()
                used = sum(getattr(child, "width", 0) or 0 for child in engine.children(line))
                if 0 < len(words) <= 2 and node.width and used < node.width / 2:
                    found.append((view.number, " ".join(words)))

        _in_units(view, visit)
    return found


def _spacing(line, word_space_em: float) -> tuple[float, object]:
    """The width of a justified line's word spaces, in em of its text, and its longest text box."""
    found = [box for box in engine.descendants(line) if " " in engine.text(box).strip()]
    if not found:
        return 0.0, None
    box = max(found, key=lambda b: len(engine.text(b)))
    size = box.style["font_size"] or 1
    return word_space_em + engine.word_space(box) / size, box


def loose_lines(document, word_space_em: float) -> list[tuple[int, float, str]]:
    """Lines inside a justified paragraph (not its last) whose word spaces are more than
    LOOSE_FACTOR times the part's usual justified space: (page, factor, text).
    ``word_space_em``: the body font's own word space, in em."""
    lines = []
    for view in engine.pages(document):

        def visit(node, boxes):
            if boxes and node.style["text_align_all"] == "justify":
                for line in boxes[:-1]:
                    space, box = _spacing(line, word_space_em)
                    if box is not None:
                        lines.append((view.number, space, " ".join(line_text(line).split())))

        _in_units(view, visit)
    if len(lines) < 20:
        return []
    usual = sorted(space for _, space, _ in lines)[len(lines) // 2]
    return [(number, space / usual, text[:60]) for number, space, text in lines if space > LOOSE_FACTOR * usual]


def overfull_lines(document) -> list[tuple[int, float, str]]:
    """Text that runs out of the text block (the page's content area), left or right:
    an overfull line, a long URL, a box pushed aside. Margin boxes (running heads,
    folios) are not in the text block and are not looked at, nor are floats (the margin
    notes the stylesheet puts beside the text on purpose)."""
    found = []
    for view in engine.pages(document):
        left, right = view.content_left, view.content_left + view.content_width

        def walk(node):
            if engine.kind(node) is Kind.TEXT and node.text.strip():
                over = max(left - node.position_x, node.position_x + node.width - right)
                if over > 1:  # CSS px; WeasyPrint lays out in px
                    found.append((view.number, over * 0.75, node.text.strip()[:40]))
                    return True
            return any(walk(child) for child in engine.children(node) if not engine.is_floated(child))

        for flow in (view.body, view.note_area):
            if flow is not None and walk(flow):
                break  # one report a page is enough to find it
    return found


def long_heads(document) -> list[tuple[int, str]]:
    """Running heads that do not fit their line (WeasyPrint wraps them, into the text or the
    folio): (page, the head's text)."""
    found = []
    for view in engine.pages(document):
        for box in view.margins:
            if engine.margin_keyword(box).startswith("@top"):
                lines = [child for child in engine.descendants(box) if engine.kind(child) is Kind.LINE]
                if len(lines) > 1:
                    found.append((view.number, " ".join(line_text(line).strip() for line in lines)[:80]))
    return found


def tall_notes(document) -> list[tuple[str, int, float]]:
    """Notes that run off the page: the note area going below the text block, or over the
    text (a note that could not be continued: WeasyPrint clips it or overlaps the text, #1833,
    #1564). (note key, page, share of the text block its page's notes fill)."""
    found = []
    for view in engine.pages(document):
        area = view.note_area
        if area is None or not view.content_height:
            continue
        bottom = view.content_top + view.content_height
        if area.position_y + area.margin_height() <= bottom + 1 and area.position_y >= view.content_top - 1:
            continue
        tallest = max(view.notes, key=lambda note: note.margin_height())
        element = getattr(tallest, "element", None)
        key = ids.note_key_of(element.get("id") or "") if element is not None else None
        found.append((key or "", view.number, area.margin_height() / view.content_height))
    return found


def score(document, misplaced) -> tuple:
    """How bad a layout is, worst first: notes running off their page, notes away from their
    call, pages of text 3 or more lines short, and their empty lines."""
    short = [lines for _page, lines in gaps(document) if lines >= 3]
    return (len(tall_notes(document)), len(misplaced), len(short), round(sum(short), 1))
