"""A paragraph broken as a whole (Knuth and Plass, "Breaking paragraphs into lines", 1981).

First-fit, WeasyPrint's way, ends each line at the last break that fits and never looks
back: one long word leaves the line before it loose. Total fit chooses all the breaks of a
paragraph together, those whose lines have the least demerits in sum, as TeX does.

The paragraph is a sequence of items: boxes (text that is not broken), glue (a word space,
which may stretch) and penalties (a place to break inside a word, at a hyphen or a
hyphenation point, with the width of the hyphen it then shows). A line broken at glue drops
that glue; a line broken at a penalty adds its width. The widths are measured by the caller
(the engine, with the book's fonts), so the lines chosen here are the lines set.

Two differences from TeX, both WeasyPrint's: glue never shrinks (a justified line only
widens its spaces), and every space of a line widens by the same amount. The ratio of a
line is then its missing width over its spaces' stretch, and a line wider than the measure
is never chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BOX, GLUE, PENALTY = 0, 1, 2

FORCED = -10_000.0  # a penalty that forces a break (the paragraph's end)
INFINITE = 10_000.0  # a penalty that forbids one

# TeX's plain values (The TeXbook, chapter 14)
LINE_PENALTY = 10
HYPHEN_PENALTY = 50  # \hyphenpenalty and \exhyphenpenalty
DOUBLE_HYPHEN_DEMERITS = 10_000
FINAL_HYPHEN_DEMERITS = 5_000
ADJACENT_DEMERITS = 10_000  # \adjdemerits: a very loose line beside a decent one
MAX_HYPHEN_RUN = 2  # lines ending in a hyphen one under another, at most (unless nothing else fits)
LAST_RESORT = 1e8  # the demerits of a third hyphen in a row, when a paragraph cannot be set without one
TOLERANCE = 2.0  # the loosest ratio tried first (spaces at twice their width, with stretch = half a space)
LONGER_LAST_LINE = 0.25  # the share of the measure a longer setting's last line fills at least (no lone word)


@dataclass
class Items:
    """The paragraph, as parallel lists (one entry an item)."""

    kinds: list[int] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    stretches: list[float] = field(default_factory=list)
    penalties: list[float] = field(default_factory=list)
    flagged: list[bool] = field(default_factory=list)

    def box(self, width: float) -> None:
        self._add(BOX, width, 0.0, 0.0, False)

    def glue(self, width: float, stretch: float, breakable: bool = True) -> None:
        self._add(GLUE, width, stretch, 0.0 if breakable else INFINITE, False)

    def penalty(self, width: float, penalty: float, flagged: bool) -> None:
        self._add(PENALTY, width, 0.0, penalty, flagged)

    def _add(self, kind, width, stretch, penalty, flagged) -> None:
        self.kinds.append(kind)
        self.widths.append(width)
        self.stretches.append(stretch)
        self.penalties.append(penalty)
        self.flagged.append(flagged)

    def __len__(self) -> int:
        return len(self.kinds)


@dataclass(frozen=True)
class Line:
    end: int  # the item the line breaks at (glue or penalty), or len(items) for the last line
    ratio: float  # its spaces' stretch used: 0 is natural spacing, 1 all of it
    hyphenated: bool  # it ends at a flagged penalty (a hyphen shows)


def _fitness(ratio: float) -> int:
    return 0 if ratio > 1 else 1 if ratio > 0.5 else 2


class _Node:
    __slots__ = ("position", "start", "fitness", "run", "demerits", "previous", "ratio", "count")

    def __init__(self, position, start, fitness, run, demerits, previous, ratio, count=0):
        self.position = position  # the break: an item's index, -1 for the paragraph's start
        self.start = start  # the first item of the line after it (the glue after a break is dropped)
        self.fitness = fitness
        self.run = run  # flagged breaks one under another, ending at this one
        self.demerits = demerits
        self.previous = previous
        self.ratio = ratio
        self.count = count  # the lines up to this break


def breaks(
    items: Items, first_width: float, width: float, last_justified: bool = False, looseness: int = 0
) -> list[Line] | None:
    """The lines of the paragraph with the least demerits: the first ``first_width`` wide
    (a text indent), the others ``width``. The last line is free (set ragged) unless
    ``last_justified``. None when some item cannot fit in a line at all.

    ``looseness`` (TeX's \\looseness): the paragraph set in that many lines more (or fewer)
    than its best, the best such setting, when one exists within the tolerance; otherwise
    its best. Page make-up asks for it to fill a page that would end short."""
    if not len(items):
        return []
    for tolerance, strict in ((TOLERANCE, True), (float("inf"), False)):
        found = _breaks(items, first_width, width, last_justified, tolerance, strict)
        if found is not None:
            break
    else:
        return None
    if looseness and len(found) + looseness >= 1:
        other = _breaks(items, first_width, width, last_justified, TOLERANCE, True, len(found) + looseness)
        if other is not None and _kept_apart(items, other, first_width, width):
            return other
    return found


def _kept_apart(items: Items, lines: list[Line], first_width: float, width: float) -> bool:
    """Whether a setter that may break only at these lines' ends, each line as full as it can
    be (WeasyPrint, told the breaks), sets these lines: no line and the next fit in one. A
    longer setting (looseness) may hold a line short enough to take the next one up."""
    start = 0
    for index, (line, following) in enumerate(zip(lines, lines[1:])):
        end = following.end
        natural = _natural(items, start, end)
        if end < len(items) and items.kinds[end] == PENALTY:
            natural += items.widths[end]
        if natural <= (first_width if index == 0 else width):
            return False
        start = _next_box(items, line.end)
    return True


def _breaks(
    items: Items, first_width, width, last_justified, tolerance, strict, lines_wanted=None
) -> list[Line] | None:
    """The best lines; with ``lines_wanted``, the best in exactly that many lines (or None)."""
    kinds, widths, stretches, penalties, flagged = (
        items.kinds,
        items.widths,
        items.stretches,
        items.penalties,
        items.flagged,
    )
    count = len(kinds)
    # the sums of widths and stretch before each item
    total_width = [0.0] * (count + 1)
    total_stretch = [0.0] * (count + 1)
    w = s = 0.0
    for i in range(count):
        total_width[i] = w
        total_stretch[i] = s
        if kinds[i] != PENALTY:
            w += widths[i]
            s += stretches[i]
    total_width[count] = w
    total_stretch[count] = s
    # after a break, the line starts at the next box
    next_box = [count] * (count + 1)
    upcoming = count
    for i in range(count - 1, -1, -1):
        if kinds[i] == BOX:
            upcoming = i
        next_box[i] = upcoming

    active: list[_Node] = [_Node(-1, 0, 1, 0, 0.0, None, 0.0)]
    for b in range(count + 1):
        last = b == count
        if not last:
            kind = kinds[b]
            if kind == BOX:
                continue
            if kind == GLUE:
                if b == 0 or kinds[b - 1] != BOX or penalties[b] >= INFINITE:
                    continue
                penalty, is_flagged, extra = 0.0, False, 0.0
            else:
                penalty = penalties[b]
                if penalty >= INFINITE:
                    continue
                is_flagged, extra = flagged[b], widths[b]
        else:
            penalty, is_flagged, extra = FORCED, False, 0.0
        best: dict[tuple[int, int], _Node] = {}
        still: list[_Node] = []
        for node in active:
            measure = first_width if node.position < 0 else width
            natural = total_width[b] - total_width[node.start] + extra
            if natural > measure:
                continue  # overfull now, and for every later break: dropped
            still.append(node)
            stretch = total_stretch[b] - total_stretch[node.start]
            if last and not last_justified:
                ratio = 0.0
            elif stretch > 0:
                ratio = (measure - natural) / stretch
            else:
                ratio = 0.0 if measure - natural < 0.5 else 10.0  # nothing to stretch
            if ratio > tolerance:
                if not last:
                    continue  # too loose: a later break may do
                if strict:
                    continue
            if last and lines_wanted and node.previous is not None:
                # a longer setting's last line must not fit at the end of the line before it
                # (WeasyPrint, left only the breaks chosen, would take it up), nor be a word or two
                before = node.previous
                if total_width[count] - total_width[before.start] <= (first_width if before.position < 0 else width):
                    continue
                if natural < LONGER_LAST_LINE * width:
                    continue
            run = node.run + 1 if is_flagged else 0
            if run > MAX_HYPHEN_RUN and strict:
                continue
            demerits, fitness = _demerits(ratio, penalty, is_flagged, node.run, node.fitness, last)
            demerits += node.demerits
            key = (fitness, min(run, MAX_HYPHEN_RUN + 1), node.count + 1 if lines_wanted else 0)
            known = best.get(key)
            if known is None or demerits < known.demerits:
                best[key] = _Node(
                    b, next_box[b] if not last else count, fitness, run, demerits, node, ratio, node.count + 1
                )
        active = still
        if last:
            ends = [node for node in best.values() if not lines_wanted or node.count == lines_wanted]
            if not ends:
                return None
            end = min(ends, key=lambda node: node.demerits)
            return _lines(end, kinds, flagged, count)
        if best:
            active.extend(sorted(best.values(), key=lambda node: node.demerits))
        if not active:
            return None
    return None  # not reached


def _demerits(ratio, penalty, is_flagged, previous_run, previous_fitness, last) -> tuple[float, int]:
    """A line's demerits (TeX's, with its badness 100 r^3) and its fitness class."""
    badness = 100.0 * ratio**3
    demerits = (LINE_PENALTY + badness) ** 2
    if penalty > 0:
        demerits += penalty**2
    elif penalty > FORCED:
        demerits -= penalty**2
    if is_flagged and previous_run:
        demerits += DOUBLE_HYPHEN_DEMERITS if previous_run < MAX_HYPHEN_RUN else LAST_RESORT
    if last and previous_run:
        demerits += FINAL_HYPHEN_DEMERITS
    fitness = _fitness(ratio)
    if abs(fitness - previous_fitness) > 1:
        demerits += ADJACENT_DEMERITS
    return demerits, fitness


def last_line_share(items: Items, lines: list[Line], width: float) -> float:
    """The share of the measure the paragraph's last line fills at its natural width (a
    paragraph whose last line is nearly full is the one that can be set a line longer)."""
    start = _next_box(items, lines[-2].end) if len(lines) > 1 else 0
    return _natural(items, start, len(items)) / width


def _natural(items: Items, start: int, end: int) -> float:
    """The natural width of the items from ``start`` up to ``end`` (a break), without penalties."""
    return sum(items.widths[i] for i in range(start, min(end, len(items))) if items.kinds[i] != PENALTY)


def demerits(items: Items, lines: list[Line]) -> float:
    """The demerits of a paragraph set in these lines (what total fit makes least)."""
    total, run, fitness = 0.0, 0, 1
    for line in lines:
        last = line.end >= len(items)
        if last:
            penalty, is_flagged = FORCED, False
        else:
            penalty = items.penalties[line.end] if items.kinds[line.end] == PENALTY else 0.0
            is_flagged = items.kinds[line.end] == PENALTY and items.flagged[line.end]
        line_demerits, fitness = _demerits(line.ratio, penalty, is_flagged, run, fitness, last)
        total += line_demerits
        run = run + 1 if is_flagged else 0
    return total


def _lines(end: _Node, kinds, flagged, count) -> list[Line]:
    lines = []
    node = end
    while node.previous is not None:
        position = node.position
        hyphenated = position < count and kinds[position] == PENALTY and flagged[position]
        lines.append(Line(position, node.ratio, hyphenated))
        node = node.previous
    lines.reverse()
    return lines


def first_fit(items: Items, first_width: float, width: float) -> list[Line]:
    """The breaks first-fit makes (each line as full as it can be): the reference the
    benchmark compares with, and what a paragraph keeps when total fit finds nothing."""
    lines = []
    measure, last_break, last_ratio = first_width, None, 0.0
    w = s = 0.0
    count = len(items)
    i = 0
    while i < count:
        kind = items.kinds[i]
        breakable = items.penalties[i] < INFINITE and (
            kind == PENALTY or (kind == GLUE and i > 0 and items.kinds[i - 1] == BOX)
        )
        if breakable:
            natural = w + (items.widths[i] if kind == PENALTY else 0.0)
            if natural <= measure:
                last_break = i
                last_ratio = (measure - natural) / s if s else 0.0
            elif last_break is not None:
                lines.append(
                    Line(last_break, last_ratio, items.kinds[last_break] == PENALTY and items.flagged[last_break])
                )
                i = _next_box(items, last_break)
                measure, last_break, w, s = width, None, 0.0, 0.0
                continue
        if kind != PENALTY:
            w += items.widths[i]
            s += items.stretches[i]
        i += 1
    lines.append(Line(count, 0.0, False))
    return lines


def _next_box(items: Items, position: int) -> int:
    i = position + 1
    while i < len(items) and items.kinds[i] != BOX:
        i += 1
    return i
