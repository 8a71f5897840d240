"""What the checks need of each fragment, read from its Pandoc AST with the lines of its source:
citations (and those Pandoc could not read), notes called but not written, images, links,
raw HTML, persons, ids."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from folio.units.pandoc_json import attr_of, stringify, walk
from folio.units.raw_html import ALLOWED_TAGS, HTML_COMMENT, html_tag

if TYPE_CHECKING:
    from folio.units.fragments import Fragment, Parsed


# ---------- facts for the checks ----------


@dataclass
class Facts:
    citations: list = field(default_factory=list)  # (key, line, problem or '')
    unwritten_notes: list = field(default_factory=list)  # (label, line)
    images: list = field(default_factory=list)  # (target, description, line)
    links: list = field(default_factory=list)  # (target, line)
    raw: list = field(default_factory=list)  # (what, line)
    persons: list = field(default_factory=list)  # (key, line)
    ids: list = field(default_factory=list)  # (editor id, line)
    unread_citations: list = field(default_factory=list)  # (the text written, line): Pandoc read no citation
    blocks: bool = False  # an inline field that holds more than a line of text

    def shifted(self, lines: int) -> Facts:
        """The same facts, their lines counted from ``lines`` on (facts are kept counted from 0)."""

        def move(items: list) -> list:
            return [(*item[:-1], item[-1] + lines) if isinstance(item[-1], int) else item for item in items]

        return Facts(
            [(key, line + lines, fault) for key, line, fault in self.citations],
            move(self.unwritten_notes),
            move(self.images),
            move(self.links),
            move(self.raw),
            move(self.persons),
            move(self.ids),
            move(self.unread_citations),
            self.blocks,
        )


_NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")


class _Locator:
    """Lines of things found in a fragment's AST, by searching its source text in order."""

    def __init__(self, fragment: Fragment) -> None:
        self.text, self.first = fragment.source or fragment.text, fragment.line
        self.cursors: dict[str, int] = {}

    def find(self, needle: str, kind: str = "") -> int:
        """Where the next ``needle`` of this ``kind`` stands in the source (from the start again
        when there is none after the last one found), or -1."""
        cursor = self.cursors.get(kind + needle, 0)
        found = self.text.find(needle, cursor) if needle else -1
        if found < 0:
            found = self.text.find(needle) if needle else -1
        if found >= 0:
            self.cursors[kind + needle] = found + 1
        return found

    def line_at(self, position: int) -> int:
        return self.first + self.text.count("\n", 0, position) if position >= 0 else self.first

    def line(self, needle: str, kind: str = "") -> int:
        return self.line_at(self.find(needle, kind))


def facts(fragment: Fragment, parsed: Parsed) -> Facts:
    found = Facts()
    if not parsed.json:
        return found
    doc = json.loads(parsed.json)
    where = _Locator(fragment)
    blocks = doc["blocks"]
    text_blocks = [block for block in blocks if block["t"] != "RawBlock"]
    if fragment.inline and any(block["t"] not in ("Para", "Plain") for block in text_blocks):
        found.blocks = True  # (a one-line field makes several paragraphs only around raw HTML, removed)
    cited_text: set[int] = set()
    for element in walk(blocks):
        kind = element["t"]
        if kind == "Cite":
            cited_text.update(id(inner) for inner in walk(element["c"][1]))  # the citation as written
            for citation in element["c"][0]:
                key = citation["citationId"]
                braced = "@{" + key + ("}" if not key else "")
                line = (
                    where.line("@" + key, "cite") if key and ("@" + key) in where.text else where.line(braced, "cite")
                )
                found.citations.append((key, line, _citation_fault(citation)))
        elif kind == "Str":
            if _UNREAD_CITATION.search(element["c"]) and id(element) not in cited_text:
                unread = _unread_citation(where, element["c"])
                if unread:
                    found.unread_citations.append(unread)
            for label in _NOTE_LABEL.findall(element["c"]):
                found.unwritten_notes.append((label, where.line(f"[^{label}]", "note")))
        elif kind == "Image":
            target = element["c"][2][0]
            found.images.append((target, stringify(element["c"][1]), where.line(target[:60], "img")))
        elif kind == "Link":
            target = element["c"][2][0]
            found.links.append((target, where.line(target[:60], "link")))
        elif kind in ("RawInline", "RawBlock"):
            fmt, text = element["c"]
            if fmt == "html" and HTML_COMMENT.fullmatch(text.strip()):
                continue
            tag = html_tag(text) if fmt == "html" else None
            if tag is None or tag[0] not in ALLOWED_TAGS:
                shown = text.strip().splitlines()[0][:40] if text.strip() else fmt
                found.raw.append((shown, where.line(text.strip()[:30], "raw")))
        attr = attr_of(element)
        if attr is not None:
            given = attr[0] and (
                kind != "Header" or re.search(r"\{[^}\n]*#" + re.escape(attr[0]) + r"(?![\w-])", where.text)
            )
            if given:  # an id the editor wrote (not one Pandoc made from a heading's text)
                found.ids.append((attr[0], where.line("#" + attr[0], "id")))
            if "person" in attr[1]:
                key = dict(attr[2]).get("key", "")
                found.persons.append((key, where.line(key or "person", "person")))
    # a literal "[@key" before an author-in-text citation: a bracketed citation Pandoc could not read
    for element in walk(blocks):
        content = element.get("c")
        if not isinstance(content, list) or not content or not all(isinstance(x, dict) for x in content):
            continue
        for before, after in zip(content, content[1:]):
            if (
                before.get("t") == "Str"
                and before["c"].endswith("[")
                and after.get("t") == "Cite"
                and after["c"][0][0]["citationMode"]["t"] == "AuthorInText"
            ):
                key = after["c"][0][0]["citationId"]
                for n, (k, line, problem) in enumerate(found.citations):
                    if k == key and not problem:
                        found.citations[n] = (k, line, "malformed")
                        break
    return found


# "@{" or a bracket's "[@" left as text: a citation Pandoc did not read (a braced key with a space,
# "[@ key]"); an address such as me@example.org is not one
_UNREAD_CITATION = re.compile(r"(?:^|[\[;-])@(?:\{|$)")


def _unread_citation(where: _Locator, text: str) -> tuple[str, int] | None:
    """The citation as written (up to its closing brace or bracket) and its line; None if its '@'
    is escaped (text the editor meant)."""
    start = _UNREAD_CITATION.search(text).start()
    needle = text[start:].lstrip("[;-")
    at = where.find(needle, "unread")
    line = where.line_at(at)
    written = needle
    if at > 0 and where.text[at - 1] == "\\":
        return None
    if at >= 0:
        rest = where.text[at:].split("\n", 1)[0]
        end = re.search(r"[}\]]", rest)
        written = rest[: end.end()] if end else rest
    return written.strip()[:60], line


def _citation_fault(citation: dict) -> str:
    suffix = stringify(citation["citationSuffix"]).strip()
    if re.search(r"[\u2013\u2014-]$", suffix):
        return f"its locator '{suffix.lstrip(', ')}' ends in a dash"
    if suffix.count("[") != suffix.count("]"):
        return f"its locator '{suffix.lstrip(', ')}' has an unbalanced bracket"
    return ""
