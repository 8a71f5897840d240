"""What a laid-out page holds, as the make-up of the book sees it: the lines of its main
flow, where that flow ends, where the notes begin, and the empty space between them.

``gaps`` measures, for every page whose text goes on on the next page, the empty body
lines above its notes (or above the foot of its text block): the figure the layout is
judged by (a page of a part but its last should end at most a line or two short).
"""

from __future__ import annotations

from dataclasses import dataclass

from folio.layout import engine
from folio.layout.engine import Kind

GAP_LINES = 2  # a page with this many empty body lines above its notes is worth filling


@dataclass
class PageFacts:
    number: int
    body_lines: list  # line boxes of the main flow, in order
    bottom: float  # the bottom of the last thing of the main flow
    limit: float  # where the main flow could go down to: the note area's top, or the text block's end
    content_top: float
    content_height: float
    line_height: float  # a body line
    first_unit: str | None = None  # the part of the book the page's first body line stands in
    last_unit: str | None = None  # and its last

    @property
    def gap(self) -> float:
        return max(0.0, self.limit - self.bottom)

    @property
    def gap_lines(self) -> float:
        return self.gap / self.line_height if self.line_height else 0.0


def body_lines(box, units: dict | None = None) -> list:
    """The line boxes under ``box``, in order; ``units`` gets the part of the book (data-unit)
    each stands in, by the line's id."""
    found = []

    def walk(node, unit):
        element = getattr(node, "element", None)
        if element is not None and element.get("data-unit"):
            unit = element.get("data-unit")
        for child in engine.children(node):
            if engine.kind(child) is Kind.LINE:
                found.append(child)
                if units is not None:
                    units[id(child)] = unit
            else:
                walk(child, unit)

    walk(box, None)
    return found


def _bottom(box) -> float:
    """The lowest bottom edge of the main flow's content (lines, images, rules), not of the
    blocks that hold them (a block's height may run to the page's end)."""
    lowest = [0.0]

    def walk(node):
        found = engine.kind(node)
        if found in (Kind.LINE, Kind.REPLACED, Kind.TABLE_ROW):
            lowest[0] = max(lowest[0], node.position_y + node.margin_height())
            return
        nodes = engine.children(node)
        if not nodes and getattr(node, "height", 0) and found is Kind.BLOCK:
            lowest[0] = max(lowest[0], node.position_y + node.margin_height() - node.margin_bottom)
        for child in nodes:
            walk(child)

    walk(box)
    return lowest[0]


def page_facts(document) -> list[PageFacts]:
    facts = []
    for view in engine.pages(document):
        units: dict = {}
        lines = body_lines(view.body, units)
        heights = sorted(line.height for line in lines if line.height) or [0.0]
        area = view.note_area
        limit = area.position_y if area is not None else view.content_top + view.content_height
        facts.append(
            PageFacts(
                view.number,
                lines,
                _bottom(view.body) or view.content_top,
                limit,
                view.content_top,
                view.content_height,
                heights[len(heights) // 2],
                units.get(id(lines[0])) if lines else None,
                units.get(id(lines[-1])) if lines else None,
            )
        )
    return facts


def gaps(document, facts: list[PageFacts] | None = None) -> list[tuple[int, float]]:
    """(page, empty body lines above its notes or the foot of its text block) of every page whose
    text goes on on the next page: not a part's last page, nor a page of the title pages."""
    facts = page_facts(document) if facts is None else facts
    return [
        (page.number, round(page.gap_lines, 2))
        for page, after in zip(facts, facts[1:])
        if page.last_unit is not None and page.last_unit == after.first_unit
    ]
