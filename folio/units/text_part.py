"""The examined text printed whole, as a part of the book, with each claim's passage marked.

The held text (``contents.text``, a file of ``sources/`` with ``print: true``) is cut into
paragraphs at its blank lines; a line of a Markdown file that starts with '#' is a heading,
and Markdown's emphasis marks are taken out (the text is set as it reads, not as it is marked
up). Where the verification found a claim's passage (``verify.Verification.marks``), its
words are a marked run, anchored for the claim to link to, led by the claim's number linked
to the claim. Where a page of the held text begins, its page number is set in the text.
Its running heads, page numbers and the hyphens that broke words at its line ends are left
out. The template ``text.md.j2`` writes the part from these runs, every word as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import markupsafe

from folio import ids
from folio.edition.model import Claim, Edition, HeldText

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\f]*\n[ \t\f\n]*")
_LINE_END_HYPHEN = re.compile(r"([^\W\d_])[-\u00ad][ \t]*\n[ \t\f]*(?=[^\W\d_])")
_EMPHASIS = re.compile(r"(?<![^\W_])[*_]+|[*_]+(?![^\W_])")
_SPACE = markupsafe.Markup(" ")


@dataclass
class Run:
    text: str
    lead: markupsafe.Markup = markupsafe.Markup("")  # a space before the run
    claim: Claim | None = None  # the claim whose passage the run is part of
    anchor: str = ""  # the id of the mark's first run (the claim links to it)
    label: bool = False  # the claim's number stands before the run
    page: str = ""  # a page of the held text begins before the run
    page_anchor: str = ""


@dataclass
class Block:
    runs: list = field(default_factory=list)
    heading: str = ""


@dataclass
class TextPart:
    """What ``text.md.j2`` is given: the held text and its blocks."""

    held: HeldText
    title: str
    anchor: str
    blocks: list
    marked: dict  # claim id -> the anchor of its passage in the text
    space: markupsafe.Markup = _SPACE  # (for the template: a space between two runs it writes)

    @property
    def id(self) -> str:
        return self.anchor


def _clean(text: str, markdown: bool) -> str:
    text = _LINE_END_HYPHEN.sub(lambda m: m.group(1), text)
    if markdown:
        text = _EMPHASIS.sub("", text).replace("\\", "")
    return text


def text_part(edition: Edition, verification) -> TextPart | None:
    """The part that prints ``edition.text``, its claims' passages marked; None when there is none."""
    held = edition.text
    if held is None or verification is None:
        return None
    indexed = verification.indexed(held.key)
    shown = indexed.shown
    events: list = []  # (offset, order, what, value)
    if indexed.paged:
        for offset, label in zip(indexed.page_starts, indexed.page_labels):
            events.append((offset, 0, "page", label))
    marked: dict = {}
    for start, end, claim_id, piece in verification.marks(held.key):
        claim = edition.claims.get(claim_id)
        if claim is None:
            continue
        anchor = ids.text_mark(claim_id, piece)
        marked.setdefault(claim_id, anchor)
        events.append((start, 2, "start", (claim, anchor)))
        events.append((end, 1, "end", claim))
    events.sort(key=lambda e: (e[0], e[1]))

    blocks: list[Block] = []
    active: list = []  # (claim, anchor) of the marks open here
    pending_page = ""
    position = 0
    paragraphs = []
    for match in _PARAGRAPH_BREAK.finditer(shown):
        paragraphs.append((position, match.start()))
        position = match.end()
    paragraphs.append((position, len(shown)))
    queue = list(events)
    for a, b in paragraphs:
        raw = shown[a:b]
        if not raw.strip():
            while queue and queue[0][0] < b:
                offset, _o, what, value = queue.pop(0)
                pending_page = value if what == "page" else pending_page
            continue
        if held.markdown and raw.lstrip().startswith("#"):
            while queue and queue[0][0] < b:
                offset, _o, what, value = queue.pop(0)
                if what == "page":
                    pending_page = value
            blocks.append(Block(heading=" ".join(_clean(raw.lstrip().lstrip("#"), True).split())))
            continue
        block = Block()
        pieces: list = []  # (raw text, claim, anchor, label, page)
        cut = a
        fresh: list = []  # the marks that start at this cut
        page_here, pending_page = pending_page, ""
        while True:
            upto = min(max(queue[0][0], a), b) if queue and queue[0][0] < b else b
            if upto > cut or fresh or page_here:
                first = next((f for f in fresh if active and f[0] is active[-1][0]), None)
                pieces.append(
                    (shown[cut:upto], active[-1][0] if active else None, first[1] if first else "", first, page_here)
                )
                fresh, page_here = [], ""
            cut = upto
            if upto >= b:
                break
            _offset, _o, what, value = queue.pop(0)
            if what == "page":
                page_here = value
            elif what == "start":
                active.append(value)
                fresh.append(value)
            else:
                active[:] = [m for m in active if m[0] is not value]
        previous = ""
        for raw, claim, anchor, first, page in pieces:
            text = " ".join(_clean(raw, held.markdown).split())
            if not text and not first and not page:
                previous = previous + raw
                continue
            lead = bool(block.runs) and (previous[-1:].isspace() or raw[:1].isspace())
            block.runs.append(
                Run(
                    text,
                    _SPACE if lead else markupsafe.Markup(""),
                    claim,
                    anchor,
                    first is not None and anchor == ids.text_mark(claim.id),  # labelled once, at its first piece
                    page,
                    ids.text_page(held.key, page) if page else "",
                )
            )
            previous = raw
        if block.runs:
            blocks.append(block)
    return TextPart(held, held.title, held.anchor, blocks, marked)
