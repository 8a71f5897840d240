"""The editor's Markdown, read by Pandoc a piece at a time, and put into the book as Pandoc AST.

Every piece of Markdown an edition holds (a claim's title, passage, locator and
analysis; a chapter's title and opening; a quotation's heading, date, text and
translation note; a front part's body; each citation of a source and locator) is
a *fragment*: Pandoc reads it on its own (``parse``, one Pandoc process for all of
them, ``filters/read.lua``), so nothing one fragment holds (an unclosed '*', a
'{...}', a ']' in a locator, a note definition) can reach the text around it.
The templates write the frame of each unit with a placeholder for each fragment
(``render``); ``splice`` puts the fragments' AST in the placeholders' places:

- headings take the level of their place and ids in their owner's namespace (``ids.section``);
- a cross-reference '[](#kirov)' becomes a link to claim 7, or to a quotation;
- raw HTML is reduced to what a scholarly text needs (``ALLOWED_TAGS``), the rest removed;
- links go only to web addresses, mail addresses or parts of the book, percent-encoded;
- attributes are kept only where they mean something to the book (lang, dir, a person's key).

``facts`` reads from each fragment what the checks need: its citations (with the
malformed ones), notes called and never written, images, links, raw HTML, ids, persons.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, urlsplit

from folio import ids
from folio.edition.model import Edition, Markdown, Source
from folio.edition.names import INLINE_TYPES

READER = "markdown-raw_tex-raw_attribute-yaml_metadata_block"  # raw HTML is read, to be reduced
MAX_JSON_DEPTH = 200  # about 100 levels of lists, quotations and emphasis inside each other
LINK_SCHEMES = ("http", "https", "mailto")
KEPT_CLASSES = {"person", "unnumbered", "unlisted", "smallcaps", "underline", "mark"}
KEPT_ATTRIBUTES = {"lang", "dir", "key"}


# ---------- the fragments of an edition ----------

# a definition's first line, then its lines: a lazy one right after (a paragraph's line not
# indented, but not a new definition either), or one indented after any blank lines
_DEFINITION = re.compile(
    r"^ {0,3}\[\^([^\]\s]+)\]:.*(?:\n(?![ \t]*\n| {0,3}\[\^[^\]\s]+\]:)(?=[ \t]*\S).*|\n(?:[ \t]*\n)*(?: {4}|\t).*)*",
    re.M,
)


def note_definitions(text: str) -> str:
    """The note definitions ('[^label]: ...' and their indented continuation) of a text."""
    return "\n\n".join(match.group(0) for match in _DEFINITION.finditer(text))


_WORD = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_]|-(?!-))*$")  # an id, a number: nothing to escape


def escape(text: str) -> str:
    """Plain text as Markdown that reads back as the same text. (An identifier or a number is
    written as it is, so that it can stand in an attribute: {#claim-kirov}.)"""
    text = " ".join(str(text).split())
    if _WORD.match(text):
        return text
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~^$@&:=%/])", r"\\\1", text)


def inline_source(text: str) -> str:
    """A title-like field as Markdown that cannot become a block (a list, a heading, a quotation):
    one line, its first character escaped when it would start one."""
    text = " ".join(str(text).split())
    if re.match(r"^(?:[#>+*|:~=`-]|\d+[.)](?:\s|$)|[A-Za-z][.)]\s|[ivxlcdmIVXLCDM]+[.)]\s)", text):
        match = re.match(r"^(\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+)([.)])", text)
        text = f"{match.group(1)}\\{text[len(match.group(1)) :]}" if match else "\\" + text
    return text


def citation_markdown(source: Source) -> str:
    locator = source.locator.strip()
    return f"[@{{{source.key}}}{', ' + escape(locator) if locator else ''}]"


@dataclass(frozen=True)
class Fragment:
    ref: str
    text: str  # what Pandoc reads
    path: Path
    line: int  # the line of the text's first line in its file
    inline: bool
    owner: str  # the namespace of the ids the editor gives inside it
    level: int = 2  # the level the fragment's first headings take
    source: str = ""  # the text as the editor wrote it (``text`` may carry borrowed note definitions)


def _owner(ref: str) -> str:
    kind, name, _field = ref.split(":", 2) if ref.count(":") >= 2 else (ref, "", "")
    return {"claim": ids.claim, "chapter": ids.chapter, "front": ids.front, "quotation": ids.quotation}.get(
        kind, lambda n: "edition"
    )(name)


_LEVELS = {"analysis": 3, "opening": 2, "body": 2, "text": 4, "passage": 4}


def edition_fragments(edition: Edition) -> dict[str, Fragment]:
    """Every fragment of the edition, by ref."""
    found: dict[str, Fragment] = {}

    def add(text: Markdown, extra: str = "") -> None:
        if not isinstance(text, Markdown) or not str(text).strip():
            return
        field_name = text.ref.rsplit(":", 1)[-1]
        source = inline_source(text) if text.inline else str(text)
        found[text.ref] = Fragment(
            text.ref,
            source + ("\n\n" + extra if extra else ""),
            text.path,
            text.line,
            text.inline,
            _owner(text.ref),
            _LEVELS.get(field_name, 2),
            str(text),
        )

    def add_source(source: Source | None) -> None:
        if source is not None and source.ref:
            found[source.ref] = Fragment(
                source.ref,
                citation_markdown(source),
                source.path,
                source.line,
                True,
                _owner(source.ref),
                source=citation_markdown(source),
            )

    s = edition.settings
    for text in (s.title, s.subtitle, s.short_title):
        add(text)
    for part in edition.front:
        add(part.title)
        add(part.body)
    for chapter in edition.chapters:
        add(chapter.title)
        add(chapter.short_title)
        add(chapter.opening)
    for claim in edition.claims.values():
        add(claim.title)
        add(claim.passage.text, note_definitions(claim.analysis))
        add(claim.passage.locator)
        add_source(claim.passage.source)
        add(claim.analysis)
    for quotation in edition.quotations.values():
        for text in (quotation.heading, quotation.date, quotation.text, quotation.translation_note):
            add(text)
        add_source(quotation.source)
    return found


# ---------- reading them ----------


@dataclass
class Parsed:
    """A fragment as Pandoc read it: its JSON (text, as Pandoc wrote it), or why it could not be read."""

    json: str = ""
    error: str = ""  # Pandoc's own message
    too_deep: bool = False


class ReadError(Exception):
    pass


def _digest(text: str) -> str:
    from folio.rebuild.cache import tool_digest  # Pandoc's version and our filters are in it

    return hashlib.sha256((tool_digest() + READER + "\0" + text).encode("utf-8")).hexdigest()


def json_depth(text: str) -> int:
    """How deep the JSON ``text`` nests (arrays and objects), without building it."""
    depth = deepest = 0
    for char in _BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if char in "[{" else -1
        if depth > deepest:
            deepest = depth
    return deepest


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def parse(texts: list[str], store=None, run_lua=None) -> list[Parsed]:
    """Each text read by Pandoc on its own (Markdown -> Pandoc JSON), from the cache where it was read before."""
    from folio.units.convert import run_pandoc_lua  # the one place Pandoc is run from

    run_lua = run_lua or run_pandoc_lua
    digests = [_digest(text) for text in texts]
    known = store.fragments() if store is not None else {}
    todo = sorted({d: t for d, t in zip(digests, texts) if d not in known}.items())
    if todo:
        lines = run_lua(
            "read.lua",
            json.dumps({"reader": READER, "items": [t for _, t in todo]}),
            "Pandoc reading the edition's Markdown",
        ).splitlines()
        if len(lines) != len(todo):
            raise ReadError(f"Pandoc read {len(todo)} texts and answered {len(lines)}")
        for (digest, _text), line in zip(todo, lines):
            if line.startswith('{"folio-error"'):
                known[digest] = Parsed(error=json.loads(line)["folio-error"])
            elif json_depth(line) > MAX_JSON_DEPTH:
                known[digest] = Parsed(too_deep=True)
            else:
                known[digest] = Parsed(json=line)
        if store is not None:
            store.add_fragments({d: known[d] for d, _ in todo})
    if store is not None:
        store.use_fragments(digests)
    return [known[d] for d in digests]


@dataclass
class Library:
    """The edition's fragments as Pandoc read them; what the checks and the units take from them."""

    fragments: dict  # ref -> Fragment
    parsed: dict  # ref -> Parsed
    section_ids: dict = field(default_factory=dict)  # an editor's id -> the book's id (ids.section)
    facts_added: bool = False  # facts were worked out in this build (the cache keeps them)
    _cited: set | None = None

    def blocks(self, ref: str) -> list:
        parsed = self.parsed.get(ref)
        if parsed is None or not parsed.json:
            return []
        return json.loads(parsed.json)["blocks"]

    def inlines(self, ref: str) -> list:
        """A fragment's content as one run of inlines (a title, a locator, a citation)."""
        blocks = self.blocks(ref)
        out: list = []
        for block in blocks:
            if block["t"] in ("Para", "Plain"):
                if out:
                    out.append({"t": "Space"})
                out += block["c"]
        return out

    def facts(self, ref: str) -> Facts:
        """What the checks need of a fragment (``facts``), kept with its Pandoc reading in the cache:
        a rebuild walks only the fragments that changed."""
        fragment, parsed = self.fragments[ref], self.parsed[ref]
        kept = parsed.__dict__.setdefault("facts", {})
        key = (hashlib.sha256((fragment.source or fragment.text).encode("utf-8")).hexdigest(), fragment.inline)
        if key not in kept:
            kept[key] = facts(replace(fragment, line=0), parsed)
            self.facts_added = True
        return kept[key].shifted(fragment.line)

    def cited(self) -> set[str]:
        """Every key the edition cites, in any fragment (computed once)."""
        if self._cited is None:
            self._cited = set()
            for parsed in self.parsed.values():
                if parsed.json:
                    self._cited |= citation_keys(parsed.json)
        return self._cited

    def plain(self, ref: str, default: str = "") -> str:
        """A fragment's text without its markup (for metadata, running heads, the cover)."""
        if ref not in self.parsed:
            return default
        return " ".join(stringify(self.inlines(ref)).split()) or default


def read_edition(edition: Edition, store=None) -> Library:
    fragments = edition_fragments(edition)
    refs = list(fragments)
    parsed = parse([fragments[ref].text for ref in refs], store)
    library = Library(fragments, dict(zip(refs, parsed)))
    library.section_ids = _section_ids(library)
    return library


def _section_ids(library: Library) -> dict:
    """An editor's own id (given, or Pandoc's from a heading's text) -> its id in the book;
    an id given in several places maps to None (a link to it would be ambiguous)."""
    found: dict = {}
    for ref, fragment in library.fragments.items():
        for editor_id in _ids_in(library.blocks(ref)):
            made = ids.section(fragment.owner, editor_id)
            found[editor_id] = made if found.get(editor_id, made) == made else None
    return found


def _ids_in(node) -> list[str]:
    out = []
    for element in walk(node):
        attr = _attr_of(element)
        if attr is not None and attr[0]:
            out.append(attr[0])
    return out


# ---------- walking Pandoc JSON ----------

_CITATION_ID = re.compile(r'"citationId"\s*:\s*("(?:[^"\\]|\\.)*")')  # (inside a string it would be escaped)


def citation_keys(ast_json: str) -> set[str]:
    """The keys cited in a Pandoc JSON text, read from the text itself (no tree is built)."""
    if '"citationId"' not in ast_json:
        return set()
    return {json.loads(match) for match in _CITATION_ID.findall(ast_json)}


def walk(node):
    """Every element (dict with 't') of a Pandoc JSON tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(reversed(current))
        elif isinstance(current, dict):
            if "t" in current:
                yield current
            content = current.get("c")
            if isinstance(content, (list, dict)):
                stack.append(content)
            for key in ("citationPrefix", "citationSuffix"):
                if key in current:
                    stack.append(current[key])


_ATTR_AT = {
    "Header": 1,
    "Div": 0,
    "Span": 0,
    "Code": 0,
    "CodeBlock": 0,
    "Link": 0,
    "Image": 0,
    "Table": 0,
    "Figure": 0,
    "Cell": 0,
}


def _attr_of(element):
    position = _ATTR_AT.get(element.get("t"))
    if position is None:
        return None
    content = element["c"]
    attr = content[position]
    return attr if isinstance(attr, list) and len(attr) == 3 else None


def stringify(node) -> str:
    parts = []
    for element in walk(node):
        kind = element["t"]
        if kind == "Str":
            parts.append(element["c"])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind in ("Code", "Math"):
            parts.append(element["c"][1])
    return "".join(parts)


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

    def line(self, needle: str, kind: str = "") -> int:
        cursor = self.cursors.get(kind + needle, 0)
        found = self.text.find(needle, cursor) if needle else -1
        if found < 0:
            found = self.text.find(needle) if needle else -1
        if found < 0:
            return self.first
        self.cursors[kind + needle] = found + 1
        return self.first + self.text.count("\n", 0, found)


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
            if fmt == "html" and _COMMENT.fullmatch(text.strip()):
                continue
            tag = _tag(text) if fmt == "html" else None
            if tag is None or tag[0] not in ALLOWED_TAGS:
                shown = text.strip().splitlines()[0][:40] if text.strip() else fmt
                found.raw.append((shown, where.line(text.strip()[:30], "raw")))
        attr = _attr_of(element)
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
    line = where.line(needle, "unread")
    at = where.text.find(needle, where.cursors.get("unread" + needle, 1) - 1)
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


# ---------- raw HTML ----------

ALLOWED_TAGS = {
    "sup",
    "sub",
    "em",
    "i",
    "strong",
    "b",
    "u",
    "s",
    "del",
    "span",
    "br",
    "cite",
    "q",
    "small",
    "abbr",
    "wbr",
}
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9]*)\b([^>]*)>$", re.S)
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def _tag(text: str):
    """(name, closing, attributes) of one HTML tag, or None."""
    match = _TAG.match(text.strip())
    if not match:
        return None
    attributes = {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
        for m in _ATTRIBUTE.finditer(match.group(3))
    }
    return match.group(2).lower(), bool(match.group(1)), attributes


def _element_for(name: str, attributes: dict, inner: list):
    if name == "sup":
        return {"t": "Superscript", "c": inner}
    if name == "sub":
        return {"t": "Subscript", "c": inner}
    if name in ("em", "i", "cite"):
        return {"t": "Emph", "c": inner}
    if name in ("strong", "b"):
        return {"t": "Strong", "c": inner}
    if name == "u":
        return {"t": "Underline", "c": inner}
    if name in ("s", "del"):
        return {"t": "Strikeout", "c": inner}
    if name == "q":
        return {"t": "Quoted", "c": [{"t": "DoubleQuote"}, inner]}
    if name == "span" and (
        "small-caps" in attributes.get("style", "") or "smallcaps" in attributes.get("class", "").split()
    ):
        return {"t": "SmallCaps", "c": inner}
    kept = [[k, v] for k, v in attributes.items() if k in ("lang", "dir") and re.fullmatch(r"[A-Za-z0-9-]{1,35}", v)]
    return {"t": "Span", "c": [["", [], kept], inner]}


def _reduce_inlines(inlines: list) -> list:
    """Raw HTML tags of the allow-list become AST elements (a <sup> and its </sup> a
    Superscript); every other raw element is removed, its text kept."""
    out: list = []
    index = 0
    while index < len(inlines):
        element = inlines[index]
        if element.get("t") != "RawInline":
            out.append(element)
            index += 1
            continue
        fmt, text = element["c"]
        tag = _tag(text) if fmt == "html" else None
        index += 1
        if tag is None or tag[0] not in ALLOWED_TAGS or tag[1]:
            continue  # removed (the checks warned); a stray closing tag too
        name, _closing, attributes = tag
        if name == "br":
            out.append({"t": "LineBreak"})
            continue
        if name == "wbr":
            continue
        depth, end = 1, index
        while end < len(inlines):
            other = inlines[end]
            if other.get("t") == "RawInline" and other["c"][0] == "html":
                found = _tag(other["c"][1])
                if found and found[0] == name:
                    depth += -1 if found[1] else 1
                    if depth == 0:
                        break
            end += 1
        inner = _reduce_inlines(inlines[index:end])
        out.append(_element_for(name, attributes, inner))
        index = end + 1
    return out


# ---------- splicing ----------


@dataclass
class Splicer:
    """Puts fragments into a unit's frame (see the module's docstring)."""

    edition: Edition
    library: Library
    problems_seen: set = field(default_factory=set)

    def unit(self, skeleton: dict) -> dict:
        doc = copy.deepcopy(skeleton)
        doc["blocks"] = self._blocks(doc["blocks"], owner="", level_shift=None)
        return doc

    # blocks and inlines of the frame
    def _blocks(self, blocks: list, owner: str, level_shift) -> list:
        out = []
        for block in blocks:
            if block.get("t") == "Div" and "folio-fragment" in block["c"][0][1]:
                out += self._fragment_blocks(block)
            elif block.get("t") != "RawBlock":  # removed: the checks warned of it
                out.append(self._element(block, owner, level_shift))
        return out

    def _fragment_blocks(self, placeholder: dict) -> list:
        attr = dict(placeholder["c"][0][2])
        ref = attr.get("ref", "")
        fragment = self.library.fragments.get(ref)
        if fragment is None:
            return []
        blocks = self._adopt(self.library.blocks(ref), fragment)
        tail = attr.get("tail")
        if tail and tail in self.library.fragments:
            inlines = self._adopt_inlines(self.library.inlines(tail), self.library.fragments[tail])
            if blocks and blocks[-1]["t"] in ("Para", "Plain"):
                blocks[-1]["c"] += inlines  # the source's note call follows the quotation without a space
            else:
                blocks.append({"t": "Para", "c": inlines})
        if "folio-quote" in placeholder["c"][0][1]:
            blocks = [{"t": "BlockQuote", "c": blocks}]
        return blocks

    def _inlines(self, inlines: list, owner: str) -> list:
        out = []
        for element in inlines:
            if element.get("t") == "Span" and "folio-fragment" in element["c"][0][1]:
                ref = dict(element["c"][0][2]).get("ref", "")
                fragment = self.library.fragments.get(ref)
                if fragment is not None:
                    out += self._adopt_inlines(self.library.inlines(ref), fragment)
                continue
            out.append(self._element(element, owner, None))
        return out

    # a fragment's own content
    def _adopt(self, blocks: list, fragment: Fragment) -> list:
        levels = [e["c"][0] for e in walk(blocks) if e["t"] == "Header"]
        shift = (fragment.level - min(levels)) if levels else 0
        return self._blocks(blocks, fragment.owner, shift)

    def _adopt_inlines(self, inlines: list, fragment: Fragment) -> list:
        return [self._element(element, fragment.owner, 0) for element in _reduce_inlines(inlines)]

    def _element(self, element: dict, owner: str, level_shift):
        kind = element.get("t")
        content = element.get("c")
        if kind == "Header":
            level, attr, inlines = content
            if level_shift is not None and owner:
                level = min(6, max(1, level + level_shift))
                attr = self._attr(attr, owner, extra_class="section")
            return {"t": "Header", "c": [level, attr, self._inlines(_reduce_inlines(inlines), owner)]}
        if kind == "Link":
            return self._link(element, owner)
        attr = _attr_of(element)
        if attr is not None and owner:
            position = _ATTR_AT[kind]
            content = list(content)
            content[position] = self._attr(attr, owner)
            element = {"t": kind, "c": content}
        return self._children(element, owner, level_shift)

    def _children(self, element: dict, owner: str, level_shift):
        kind, content = element["t"], element.get("c")
        if content is None or isinstance(content, str):
            return element
        if kind in ("Str", "Code", "Math", "CodeBlock", "RawInline"):
            return element if kind != "RawInline" else {"t": "Str", "c": ""}
        return {"t": kind, "c": self._content(content, owner, level_shift)}

    def _content(self, content, owner: str, level_shift):
        if isinstance(content, list):
            if content and all(isinstance(x, dict) and "t" in x for x in content):
                if _is_inlines(content):
                    return self._inlines(_reduce_inlines(content), owner)
                return self._blocks(content, owner, level_shift)
            return [self._content(x, owner, level_shift) for x in content]
        if isinstance(content, dict):
            if "t" in content:
                return self._element(content, owner, level_shift)
            out = dict(content)
            for key in ("citationPrefix", "citationSuffix"):
                if key in out:
                    out[key] = self._inlines(out[key], owner)
            return out
        return content

    def _attr(self, attr: list, owner: str, extra_class: str = "") -> list:
        identifier, classes, pairs = attr
        if identifier:
            identifier = ids.section(owner, identifier)
        classes = [c for c in classes if c in KEPT_CLASSES] + ([extra_class] if extra_class else [])
        pairs = [[k, v] for k, v in pairs if k in KEPT_ATTRIBUTES and len(v) < 100]
        return [identifier, classes, pairs]

    def _link(self, element: dict, owner: str) -> dict:
        attr, inlines, (target, title) = element["c"]
        inlines = self._inlines(_reduce_inlines(inlines), owner)
        classes = list(attr[1]) if not owner else []
        if target.startswith("#"):
            name = target[1:]
            edition = self.edition
            if name in edition.claims:
                claim = edition.claims[name]
                text = inlines or [{"t": "Str", "c": "claim"}, {"t": "Space"}, {"t": "Str", "c": claim.label}]
                return {
                    "t": "Link",
                    "c": [["", ["xref", "claimref"] if not inlines else ["xref"], []], text, ["#" + claim.anchor, ""]],
                }
            if name in edition.quotations:
                quotation = edition.quotations[name]
                text = inlines or self._adopt_inlines(
                    self.library.inlines(quotation.heading.ref),
                    self.library.fragments.get(quotation.heading.ref) or Fragment("", "", Path(), 0, True, ""),
                )
                return {"t": "Link", "c": [["", ["xref", "quotationref"], []], text, ["#" + quotation.anchor, ""]]}
            made = self.library.section_ids.get(name)
            if owner and made:
                return {"t": "Link", "c": [["", ["xref"], []], inlines, ["#" + made, ""]]}
            if not owner:  # the frame's own links (to parts of the book)
                return {"t": "Link", "c": [[attr[0], classes, []], inlines, [target, title]]}
            return {"t": "Span", "c": [["", [], []], inlines]}
        safe = safe_url(target)
        if safe is None:
            return {"t": "Span", "c": [["", [], []], inlines]}  # reported by the checks
        return {"t": "Link", "c": [["", classes, []], inlines, [safe, ""]]}


def _is_inlines(items: list) -> bool:
    return items[0]["t"] in INLINE_TYPES


def safe_url(url: str) -> str | None:
    """A web or mail address, percent-encoded where it must be; None for any other kind of URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or (parts.scheme.lower() != "mailto" and not parts.netloc):
        return None
    return quote(url.strip(), safe="/:?#[]@!$&'()*+,;=%~-._")
