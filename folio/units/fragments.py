"""The editor's Markdown, read by Pandoc a piece at a time, and put into the book as Pandoc AST.

Every piece of Markdown an edition holds (a claim's title, passage, locator and
analysis; a chapter's title and opening; a quotation's heading, date, text and
translation note; a front part's body; each citation of a source and locator) is
a *fragment*: Pandoc reads it on its own (``parse``, one Pandoc process for all of
them, ``filters/read.lua``), so nothing one fragment holds (an unclosed '*', a
'{...}', a ']' in a locator, a note definition) can reach the text around it.
The templates write the frame of each unit with a placeholder for each fragment
(``render``); ``splice.Splicer`` puts the fragments' AST in the placeholders' places:

- headings take the level of their place and ids in their owner's namespace (``ids.section``);
- a cross-reference '[](#kirov)' becomes a link to claim 7, or to a quotation;
- raw HTML is reduced to what a scholarly text needs (``raw_html.ALLOWED_TAGS``), the rest removed;
- links go only to web addresses, mail addresses or parts of the book, percent-encoded;
- attributes are kept only where they mean something to the book (lang, dir, a person's key).

``facts.facts`` reads from each fragment what the checks need: its citations (with the
malformed ones), notes called and never written, images, links, raw HTML, ids, persons;
``pandoc_json`` walks the trees all of them read.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from folio import ids
from folio.edition.model import Edition, Markdown, Source
from folio.units.facts import Facts, facts
from folio.units.pandoc import run_pandoc_lua
from folio.units.pandoc_json import attr_of, citation_keys, stringify, walk

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
        attr = attr_of(element)
        if attr is not None and attr[0]:
            out.append(attr[0])
    return out
