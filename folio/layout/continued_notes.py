"""Long notes continued on the next page, as LaTeX does it, on top of WeasyPrint.

WeasyPrint never splits a note (#1833, #1564): a paragraph whose next line calls a
long note is cut short and the rest of its page left empty, and a note taller than
a page overlaps the text. This module reads a laid-out part back and splits such a
note at a line boundary into pieces:

- its head stays under the call, filling the space its page has left (its last line
  justified, as an inner line of the note);
- each continuation is a note of its own, unnumbered, placed right after the head
  in the text with ``footnote-policy: auto``: WeasyPrint, finding no room for it on
  the call's page, moves it to the foot of the next page, before that page's own
  notes, under the note rule (``NOTE_CSS``).

``plan`` looks at every page of a layout and says where notes should now be split
(``Splits``: a note's key -> the number of its words in each piece but the last);
``split_notes`` writes those splits into the part's HTML. The part is laid out
again until the plan no longer changes (``pdf.lay_out_part``). ``gaps`` measures
what is left: the empty body lines above the notes of every page.

Reading the layout goes through WeasyPrint's boxes (``PageBox``, ``FootnoteAreaBox``,
``LineBox``), by their class names, as the rest of ``pdf`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from folio import ids
from folio.layout.pagemap import _words, line_text

MIN_HEAD_LINES = 1  # a note is not split to leave fewer lines than this under its call
ORPHANS = 2  # the print CSS's orphans: a paragraph brings at least this many lines to a page
MIN_CONTINUED_LINES = 1  # nor to carry fewer to the next page
MAX_NOTE_SHARE = 0.85  # a page's notes may fill this share of its text block (then the note goes on)
TALL_SPLIT_SHARE = 0.7  # where a note that fills more than that is cut
PUSHED_SHARE = 0.25  # a page this empty before a tall continuation: the continuation pushed the text
OVERFLOW_HEAD_LINES = 2  # the head of a note taller than a page, first cut (it grows after)
GAP_LINES = 2  # a page with this many empty body lines above its notes is worth a split
_HYPHENS = ("\u2010", "-", "\u00ad")

# (specific enough to win over the print stylesheet's rules for .footnote, which come after)
NOTE_CSS = """
span.footnote.folio-note-head { text-align-last: justify; }
span.footnote.folio-note-cont { footnote-policy: auto; counter-increment: footnote -1; text-indent: 0; }
span.footnote.folio-note-cont::footnote-call { content: none; padding: 0; }
span.footnote.folio-note-cont::footnote-marker { content: none; width: 0; padding: 0; }
"""

Splits = dict  # note key -> tuple of word counts: the words of the note before each continuation


def _name(box) -> str:
    return type(box).__name__


@dataclass
class Piece:
    """A note, or a piece of a split note, as laid out at the foot of a page."""

    key: str
    index: int  # 0: the note itself or its head; 1...: its continuations
    box: object
    lines: list  # its LineBoxes
    pieces: int  # how many pieces the note has now

    @property
    def height(self) -> float:
        return self.box.margin_height()


@dataclass
class PageFacts:
    number: int
    body_lines: list  # LineBoxes of the main flow, in order
    bottom: float  # the bottom of the last thing of the main flow
    limit: float  # where the main flow could go down to: the note area's top, or the text block's end
    content_top: float
    content_height: float
    area: object  # the FootnoteAreaBox, or None when the page has no notes
    pieces: list  # Piece, in the order they stand
    line_height: float  # a body line
    parents: dict = None  # id of a body line -> id of its block
    first_unit: str | None = None  # the part of the book the page's first body line stands in
    last_unit: str | None = None  # and its last

    @property
    def gap(self) -> float:
        return max(0.0, self.limit - self.bottom)

    @property
    def gap_lines(self) -> float:
        return self.gap / self.line_height if self.line_height else 0.0

    def overhead(self) -> float:
        """What the note area costs beyond its notes (the rule, its margin and padding)."""
        if self.area is None:
            return 0.0
        return self.area.margin_height() - sum(p.height for p in self.pieces)


def _note_of(element) -> tuple[str, int, int] | None:
    """(note key, piece index, pieces) of a note element of the print HTML, or None."""
    if element is None:
        return None
    identifier = element.get("id") or ""
    pieces = int(element.get("data-folio-pieces") or 1)
    if identifier.startswith(ids.PREFIXES["note"]):
        return identifier[len(ids.PREFIXES["note"]) :], 0, pieces
    continued = element.get("data-folio-continues-note")
    if continued:
        return continued, int(element.get("data-folio-piece") or 1), pieces
    return None


def _lines_of(box, parents: dict | None = None, units: dict | None = None) -> list:
    """The LineBoxes under ``box``, in order; ``parents`` gets the block of each (by id),
    ``units`` the part of the book (data-unit) each stands in."""
    found = []

    def walk(node, unit):
        element = getattr(node, "element", None)
        if element is not None and element.get("data-unit"):
            unit = element.get("data-unit")
        for child in getattr(node, "children", None) or []:
            if _name(child) == "LineBox":
                found.append(child)
                if parents is not None:
                    parents[id(child)] = id(node)
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
        kind = _name(node)
        if kind == "LineBox" or "Replaced" in kind or kind in ("TableRowBox",):
            lowest[0] = max(lowest[0], node.position_y + node.margin_height())
            return
        children = getattr(node, "children", None) or []
        if not children and getattr(node, "height", 0) and kind.endswith("BlockBox"):
            lowest[0] = max(lowest[0], node.position_y + node.margin_height() - node.margin_bottom)
        for child in children:
            walk(child)

    walk(box)
    return lowest[0]


def page_facts(document) -> list[PageFacts]:
    facts = []
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        body = box.children[0]
        area = next((c for c in box.children if _name(c) == "FootnoteAreaBox" and c.children), None)
        pieces = []
        for child in area.children if area is not None else []:
            found = _note_of(getattr(child, "element", None))
            if found is not None:
                pieces.append(Piece(found[0], found[1], child, _lines_of(child), found[2]))
        parents, units = {}, {}
        lines = _lines_of(body, parents, units)
        heights = sorted(line.height for line in lines if line.height) or [0.0]
        content_top, content_height = box.content_box_y(), box.height
        limit = area.position_y if area is not None else content_top + content_height
        facts.append(
            PageFacts(
                number,
                lines,
                _bottom(body) or content_top,
                limit,
                content_top,
                content_height,
                area,
                pieces,
                heights[len(heights) // 2],
                parents,
                units.get(id(lines[0])) if lines else None,
                units.get(id(lines[-1])) if lines else None,
            )
        )
    return facts


def gaps(document) -> list[tuple[int, float]]:
    """(page, empty body lines above its notes or the foot of its text block) of every page whose
    text goes on on the next page: not a part's last page, nor a page of the title pages."""
    facts = page_facts(document)
    return [
        (page.number, round(page.gap_lines, 2))
        for page, after in zip(facts, facts[1:])
        if page.last_unit is not None and page.last_unit == after.first_unit
    ]


def _words_in(lines) -> int:
    """The words of whole lines of a note (a word hyphenated at a line's end counts on the next)."""
    count = 0
    for line in lines:
        text = line_text(line).rstrip()
        count += len(text.split()) - (1 if text.endswith(_HYPHENS) else 0)
    return count


def _fitting(lines, capacity: float) -> int:
    """How many of ``lines`` fit in ``capacity``, from the first."""
    used = count = 0
    for line in lines:
        used += line.margin_height() if hasattr(line, "margin_height") else line.height
        if used > capacity + 0.01:
            break
        count += 1
    return count


def _boundaries(splits: Splits, key: str) -> list[int]:
    return list(splits.get(key, ()))


def _piece_start(splits: Splits, key: str, index: int) -> int:
    return ([0] + _boundaries(splits, key))[index]


def plan(document, splits: Splits, tried: set) -> Splits:
    """Where notes should be split, given this layout laid out with ``splits``: a new Splits
    (equal to ``splits`` when nothing more can be done). ``tried`` keeps the changes made
    before, so that none is made twice."""
    facts = page_facts(document)
    new = dict(splits)
    changed = set()  # notes changed in this plan: not changed again, but for a piece that grows
    grown: dict = {}  # note -> the pieces grown in this plan (each boundary moves on its own)

    def set_boundary(key: str, index: int, words: int | list[int], force: bool = False, growing: bool = False) -> None:
        """The piece ``index`` of note ``key`` ends after ``words`` words of the whole note (a
        list: it is cut there and at each later number, into as many pieces). ``growing``: the
        piece takes the first lines of the next one; the other boundaries stay, so each piece of
        a note of several pages may grow in the same plan."""
        cuts = words if isinstance(words, list) else [words]
        bounds = _boundaries(new, key)
        bounds = bounds[:index] + cuts + [b for b in bounds[index + 1 :] if b > cuts[-1]]
        bounds = sorted(set(b for b in bounds if b > 0))
        change = (key, tuple(bounds))
        if change in tried and not force:
            return
        if key in changed and not (growing and key in grown and index not in grown[key]):
            return
        tried.add(change)
        changed.add(key)
        if growing:
            grown.setdefault(key, set()).add(index)
        new[key] = tuple(bounds)

    # 1. a note that runs off its page goes on over the next page: cut it where the page is full
    overflowing = set()
    # (or a continuation too tall to leave room for text: WeasyPrint would push the text away
    # from the pages before it, leaving runs of nearly empty pages)
    for n, page in enumerate(facts):
        # (only when the page before was left short: a tall continuation under a page of text is
        # what a note of several pages needs, the middle of it filling its page)
        pushed = n > 0 and facts[n - 1].gap > PUSHED_SHARE * facts[n - 1].content_height
        too_tall = pushed and any(
            piece.index and piece.height > MAX_NOTE_SHARE * page.content_height for piece in page.pieces
        )
        if page.area is None or not (
            too_tall
            or page.area.position_y < page.content_top - 1
            or page.area.margin_height() > page.content_height
            or page.area.position_y + page.area.margin_height() > page.content_top + page.content_height + 1
        ):
            continue
        overflowing.add(page.number)
        allowed = TALL_SPLIT_SHARE * page.content_height
        for piece in sorted(page.pieces, key=lambda p: -p.height):
            others = sum(p.height for p in page.pieces if p is not piece)
            capacity = (
                max(allowed - others, allowed / 2)
                - page.overhead()
                - (piece.height - sum(line.height for line in piece.lines))
            )
            keep = _fitting(piece.lines, capacity)
            if MIN_HEAD_LINES <= keep <= len(piece.lines) - MIN_CONTINUED_LINES:
                # the rest is cut at once into pieces that each leave the page room for text, so
                # that a note of several pages takes one more layout, not one a page
                per_page = TALL_SPLIT_SHARE * page.content_height - page.overhead()
                if piece.index == 0 and piece.key not in splits and _fitting(piece.lines, per_page) < len(piece.lines):
                    # a note taller than a page pushes its call away from where it would stand
                    # (the pages before are left nearly empty): its head is cut short here, and
                    # grows to fill the call's page once the call is back in its place
                    keep = min(keep, OVERFLOW_HEAD_LINES)
                start = _piece_start(splits, piece.key, piece.index)
                cuts, taken = [start + _words_in(piece.lines[:keep])], keep
                while True:
                    more = _fitting(piece.lines[taken:], per_page)
                    if more < 1 or taken + more > len(piece.lines) - MIN_CONTINUED_LINES:
                        break
                    taken += more
                    cuts.append(start + _words_in(piece.lines[:taken]))
                set_boundary(piece.key, piece.index, cuts, force=True)
                break

    # 2. a split no longer needed (the layout moved: its pieces stand on one page) is undone
    where = {(piece.key, piece.index): page.number for page in facts for piece in page.pieces}
    for key, bounds in splits.items():
        if key in changed:
            continue
        kept = [
            b
            for i, b in enumerate(bounds)
            if where.get((key, i)) != where.get((key, i + 1)) or where.get((key, i)) in overflowing
        ]
        if len(kept) != len(bounds):
            new[key] = tuple(kept)
            if not kept:
                del new[key]
            changed.add(key)

    # 3. pages that end early: a long note whose line did not fit comes back in part, or a head grows
    for n, page in enumerate(facts):
        if n + 1 >= len(facts) or page.gap_lines < GAP_LINES or page.last_unit != facts[n + 1].first_unit:
            continue
        after = facts[n + 1]
        # the page ends with a head whose continuation is on the next page: the head takes more lines
        last = page.pieces[-1] if page.pieces else None
        # (wherever that piece stands among the next page's notes)
        following = next(
            (p for p in after.pieces if last is not None and (p.key, p.index) == (last.key, last.index + 1)), None
        )
        if following is not None and following.lines:
            extra = _fitting(following.lines, page.gap - 0.5)
            if extra >= len(following.lines) - MIN_CONTINUED_LINES + 1:
                extra = len(following.lines) - MIN_CONTINUED_LINES
            if extra >= 1:
                set_boundary(
                    last.key,
                    last.index,
                    _piece_start(splits, last.key, last.index + 1) + _words_in(following.lines[:extra]),
                    growing=True,
                )
                continue
        # the next page opens with a line whose long note did not fit here: split the note
        calls = _calls_in_first_lines(after)
        for number, (line, keys) in enumerate(calls, start=1):
            block = after.parents.get(id(line))
            same = sum(1 for l in after.body_lines if after.parents.get(id(l)) == block)
            needed = max(number, min(ORPHANS, same))  # the lines that must come back with it (orphans)
            used = sum(l.height for l in after.body_lines[:needed])
            done = False
            for position, key in enumerate(keys):
                piece = next((p for p in after.pieces if p.key == key and p.index == 0), None)
                if piece is None:
                    continue
                capacity = page.gap - used - (after.overhead() if page.area is None else 0.0) - 0.5
                capacity -= piece.height - sum(l.height for l in piece.lines)
                keep = _fitting(piece.lines, capacity)
                if keep == len(piece.lines) and position < len(keys) - 1:
                    used += piece.height  # a note that fits comes back whole: look at the line's next note
                    continue
                # (a note that seems to fit whole is tried with its last line continued: a margin the
                # measure does not see may be in the way; a split that turns out not needed is undone)
                keep = min(keep, len(piece.lines) - MIN_CONTINUED_LINES)
                if keep >= MIN_HEAD_LINES:
                    set_boundary(key, 0, _words_in(piece.lines[:keep]))
                done = True
                break
            if done:
                break
    return new


def _calls_in_first_lines(page: PageFacts, most: int = 3) -> list[tuple[object, list[str]]]:
    """The first lines of a page's main flow, each with the notes called in it."""
    out = []
    for line in page.body_lines[:most]:
        keys = []

        def walk(node):
            element = getattr(node, "element", None)
            if element is not None and _name(node) == "InlineBox":
                key = ids.call_key(element.get("id") or "")
                if key:
                    keys.append(key)
            for child in getattr(node, "children", None) or []:
                walk(child)

        walk(line)
        out.append((line, keys))
    return out


_TAG_NAME = re.compile(r"<(\w+)")
_OPEN_NOTE = re.compile(r'<span id="(?P<id>[^"]+)" class="footnote">')


def split_notes(html: str, splits: Splits) -> str:
    """The part's HTML with each split note cut into its head and continuations."""
    if not splits:
        return html
    out, position = [], 0
    for match in _OPEN_NOTE.finditer(html):
        key = (
            match.group("id")[len(ids.PREFIXES["note"]) :]
            if match.group("id").startswith(ids.PREFIXES["note"])
            else None
        )
        if key not in splits or match.start() < position:
            continue
        end = _closing_span(html, match.end())
        inner = html[match.end() : end]
        bounds = list(splits[key])
        places = {}
        for number, where, open_tags in _words(inner, 0, len(inner), lambda tag: False):
            if number in bounds:
                places[number] = (where, list(open_tags))
        cuts = [places[b] for b in bounds if b in places]
        if not cuts:
            continue
        pieces = len(cuts) + 1
        text = []
        start = 0
        for index, (where, open_tags) in enumerate(cuts):
            closing = "".join(f"</{_TAG_NAME.match(tag).group(1)}>" for tag in reversed(open_tags))
            head = inner[start:where].rstrip()
            text.append(head + closing + "</span>")
            reopened = "".join(re.sub(r'\s(?:id|data-[\w-]+)="[^"]*"', "", tag) for tag in open_tags)
            text.append(
                f'<span class="footnote folio-note-cont" data-folio-continues-note="{key}" '
                f'data-folio-piece="{index + 1}" data-folio-pieces="{pieces}">{reopened}'
            )
            start = where
        text.append(inner[start:])
        opening = f'<span id="{match.group("id")}" class="footnote folio-note-head" data-folio-pieces="{pieces}">'
        out.append(html[position : match.start()] + opening + "".join(text))
        position = end
    out.append(html[position:])
    return "".join(out)


def _closing_span(html: str, start: int) -> int:
    """Where the span opened just before ``start`` closes."""
    depth = 1
    for match in re.finditer(r"<(/?)span\b[^>]*>", html[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return start + match.start()
    return len(html)
