"""Stage 4: Pandoc. Each unit's frame, with the editor's fragments put in (``fragments``)
-> Pandoc AST with citations (citeproc) -> print HTML. Pandoc is run through
``folio.units.pandoc``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from folio import ids
from folio.edition.model import Edition
from folio.edition.names import Marker
from folio.pagemap import mark_blocks
from folio.rebuild.cache import digest_of, file_digest
from folio.units import fragments
from folio.units.fragments import Library
from folio.units.pandoc import FILTERS, PandocError, run_pandoc
from folio.units.pandoc_json import citation_keys
from folio.units.render import Unit
from folio.units.splice import Splicer


@dataclass(frozen=True)
class Converted:
    unit: Unit
    ast: str  # the unit's Pandoc AST after citeproc, as Pandoc's JSON (as text: a tenth of the memory)
    html: str  # the print HTML fragment
    warnings: tuple[str, ...]
    marks: tuple = ()  # names.Mark: where the index of names points
    notes: tuple[str, ...] = ()  # the text of each note, in order (for the report of what moved)
    ambiguous: tuple[str, ...] = ()  # names found that several persons share, not marked with who it is
    paragraphs: tuple[str, ...] = ()  # the text of each paragraph, heading and item, notes left out (ditto)


def citeproc_args(edition: Edition, unit: Unit, bibliography: Path) -> list[str]:
    settings = edition.settings
    args = [
        "--from",
        "json",
        "--to",
        "json",
        "--citeproc",
        "--csl",
        str(settings.style_path),
        "--bibliography",
        str(bibliography),
        "--metadata",
        f"lang={settings.language}",
        "--metadata",
        f"folio-unit={unit.id}",
        "--metadata",
        "link-citations=false",
        *ids.lua_metadata(),
        "--lua-filter",
        str(FILTERS / "unit.lua"),
    ]
    if unit.kind != "bibliography":
        args += ["--metadata", "suppress-bibliography=true"]
    return args


def unit_ast(unit: Unit, edition: Edition, spliced: str, bibliography: Path) -> tuple[dict, list[str]]:
    out, warnings = run_pandoc(citeproc_args(edition, unit, bibliography), spliced, f"Pandoc on {unit.id}")
    return json.loads(out), warnings


def ast_html(ast: str, unit: Unit) -> tuple[str, list[str]]:
    args = [
        "--from",
        "json",
        "--to",
        "html5",
        "--wrap=none",
        "--metadata",
        f"folio-unit={unit.id}",
        *ids.lua_metadata(),
        "--lua-filter",
        str(FILTERS / "print-notes.lua"),
    ]
    return run_pandoc(args, ast, f"Pandoc HTML for {unit.id}")


def convert_unit(unit: Unit, edition: Edition, spliced: str, bibliography: Path) -> Converted:
    ast, warnings = unit_ast(unit, edition, spliced, bibliography)
    marks: tuple = ()
    ambiguous: tuple = ()
    if unit.kind != "bibliography" and edition.persons:
        marker = Marker(edition.persons, unit.id)
        ast = marker.mark(ast)
        marks, ambiguous = tuple(marker.marks), tuple(dict.fromkeys(marker.ambiguous))
    ast = mark_blocks(ast, unit.id)
    text = json.dumps(ast)
    html, more = ast_html(text, unit)
    return Converted(
        unit, text, html, tuple(warnings + more), marks, tuple(note_texts(ast)), ambiguous, tuple(paragraphs(ast))
    )


def elements(node, kind: str):
    """The elements of type ``kind`` (e.g. "Note") in a Pandoc JSON tree, in document order;
    not those inside them."""
    if isinstance(node, list):
        for item in node:
            yield from elements(item, kind)
    elif isinstance(node, dict):
        if node.get("t") == kind:
            yield node
        else:
            yield from elements(node.get("c"), kind)


def _text(node) -> str:
    """The words of a piece of a Pandoc tree as a reader sees them: the notes inside it and raw
    HTML or TeX left out."""
    if isinstance(node, list):
        return "".join(_text(item) for item in node)
    if isinstance(node, dict):
        kind = node.get("t")
        if kind == "Str":
            return node["c"]
        if kind in ("Space", "SoftBreak", "LineBreak"):
            return " "
        if kind in ("Note", "RawInline", "RawBlock"):
            return ""
        if kind == "Header":
            return _text(node["c"][2])
        return _text(node.get("c"))
    return ""


def note_texts(ast: dict) -> list[str]:
    """The text of every note of a unit, in order, whitespace folded."""
    return [" ".join(_text(note["c"]).split()) for note in elements(ast.get("blocks", []), "Note")]


def paragraphs(ast: dict) -> list[str]:
    """The text of a unit's paragraphs, headings and list items, in order, notes left out."""
    found: list[str] = []

    def blocks(items) -> None:
        for block in items or ():
            kind = block.get("t") if isinstance(block, dict) else None
            if kind in ("Para", "Plain", "Header"):
                line = " ".join(_text(block).split())
                if line:
                    found.append(line)
            elif kind in ("BlockQuote", "Div"):
                blocks(block["c"] if kind == "BlockQuote" else block["c"][1])
            elif kind in ("BulletList", "OrderedList"):
                for item in block["c"] if kind == "BulletList" else block["c"][1]:
                    blocks(item)

    blocks(ast.get("blocks", []))
    return found


def inline_html(edition: Edition, library: Library) -> dict[str, str]:
    """Every one-line fragment (titles, headings, locators) as inline HTML (smart quotes,
    italics), by ref: one Pandoc run over all of them, so that the contents and the title
    pages read exactly like the headings."""
    refs = [ref for ref, fragment in library.fragments.items() if fragment.inline]
    if not refs:
        return {}
    splicer = Splicer(edition, library)
    items = [
        [
            {
                "t": "Plain",
                "c": splicer._adopt_inlines(library.inlines(ref), library.fragments[ref]) or [{"t": "Str", "c": ""}],
            }
        ]
        for ref in refs
    ]
    doc = {"pandoc-api-version": _api(library), "meta": {}, "blocks": [{"t": "BulletList", "c": items}]}
    html, _ = run_pandoc(["--from", "json", "--to", "html5", "--wrap=none"], json.dumps(doc), "Pandoc on titles")
    rendered = re.findall(r"<li>(.*?)</li>", html, re.S)
    if len(rendered) != len(refs):
        raise PandocError("Pandoc on titles", "a title did not convert to one list item")
    return {ref: text.strip() for ref, text in zip(refs, rendered)}


def titles_by_anchor(edition: Edition, html_of: dict[str, str]) -> dict[str, str]:
    """The titles of the parts and claims as HTML, by anchor (for the contents)."""
    found = {part.anchor: html_of.get(part.title.ref, "") for part in edition.front}
    found.update({chapter.anchor: html_of.get(chapter.title.ref, "") for chapter in edition.chapters})
    found.update({claim.anchor: html_of.get(claim.title.ref, "") for claim in edition.claims.values()})
    from markupsafe import escape

    found[ids.APPENDIX] = str(escape(edition.settings.appendix_title))
    found[ids.BIBLIOGRAPHY] = str(escape(edition.settings.bibliography_title))
    if edition.text is not None:
        found[edition.text.anchor] = str(escape(edition.text.title))
    return found


_API_VERSION = re.compile(r'^\{"pandoc-api-version":\s*(\[[\d,\s]+\])')


def _api(library: Library) -> list:
    for parsed in library.parsed.values():
        match = _API_VERSION.match(parsed.json)
        if match:
            return json.loads(match.group(1))
    return [1, 23, 1, 1]


_REFS = re.compile(r'\b(?:ref|tail)="([^"]+)"')


def splice_units(units: list[Unit], edition: Edition, library: Library, store=None) -> dict[str, str]:
    """Each unit's frame read by Pandoc, the fragments put in: unit id -> Pandoc JSON. With a store,
    a unit whose frame, fragments and cross-references are unchanged is taken from the cache."""
    frames = fragments.parse([unit.markdown for unit in units], store)
    splicer = Splicer(edition, library)
    targets = _cross_references(edition, library) if store is not None else ""
    out = {}
    for unit, frame in zip(units, frames):
        if not frame.json:
            raise PandocError(f"Pandoc on {unit.id}", frame.error or "the unit's template nests too deeply")
        key = None
        if store is not None:
            used = [
                (ref, repr(library.fragments.get(ref)), getattr(library.parsed.get(ref), "json", ""))
                for ref in _REFS.findall(unit.markdown)
            ]
            nocite = sorted(library.cited() & set(edition.bibliography.entries)) if unit.kind == "bibliography" else []
            key = digest_of("splice", unit.id, unit.kind, frame.json, used, targets, nocite)
            found = store.get("splice", key)
            if found is not None:
                out[unit.id] = found
                continue
        doc = splicer.unit(json.loads(frame.json))
        if unit.kind == "bibliography":
            keys = sorted(library.cited() & set(edition.bibliography.entries))
            doc["meta"]["nocite"] = {"t": "MetaInlines", "c": [{"t": "Cite", "c": [[_citation(k) for k in keys], []]}]}
        out[unit.id] = json.dumps(doc, ensure_ascii=False)
        if store is not None:
            store.put("splice", key, out[unit.id])
    return out


def _cross_references(edition: Edition, library: Library) -> str:
    """What a cross-reference in any unit may print or point at (claims' labels and anchors,
    quotations' headings, the editor's own ids): a digest, part of every spliced unit's key."""
    claims = sorted((name, claim.anchor, claim.label) for name, claim in edition.claims.items())
    quotations = sorted(
        (name, q.anchor, getattr(library.parsed.get(q.heading.ref), "json", ""))
        for name, q in edition.quotations.items()
    )
    return digest_of("cross-references", claims, quotations, sorted(library.section_ids.items()))


def _citation(key: str) -> dict:
    return {
        "citationId": key,
        "citationPrefix": [],
        "citationSuffix": [],
        "citationMode": {"t": "NormalCitation"},
        "citationNoteNum": 0,
        "citationHash": 0,
    }


def convert_units(
    units: list[Unit], edition: Edition, library: Library, jobs: int | None = None, store=None
) -> list[Converted]:
    """Convert every unit; Pandoc runs as separate processes, so threads suffice.
    With a store, a unit whose inputs are unchanged is taken from the cache."""
    spliced = splice_units(units, edition, library, store)
    keys = unit_keys(units, edition, spliced)
    found = {unit.id: store.get("convert", keys[unit.id]) for unit in units} if store else {}
    todo = [unit for unit in units if found.get(unit.id) is None]
    if todo:
        jobs = jobs or min(len(todo), (os.cpu_count() or 1) + 1) or 1
        with tempfile.TemporaryDirectory(prefix="folio-bib-") as folder:
            bibliography = Path(folder) / ("bibliography" + (edition.bibliography.path.suffix or ".bib"))
            bibliography.write_text(edition.bibliography.text, encoding="utf-8")
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                for item in pool.map(lambda u: convert_unit(u, edition, spliced[u.id], bibliography), todo):
                    found[item.unit.id] = item
                    if store is not None:
                        store.put("convert", keys[item.unit.id], item)
    return [replace(found[unit.id], unit=unit) for unit in units]


_ENTRY = re.compile(r"^@\s*(\w+)\s*[{(]\s*([^,\s]*)", re.M)
_LINKED = re.compile(r"\b(?:crossref|xdata|xref)\s*=\s*[{\"]([^}\"]+)", re.I)


def unit_keys(units: list[Unit], edition: Edition, spliced: dict[str, str]) -> dict[str, str]:
    """For each unit, a digest of what its conversion reads: its AST with the fragments in,
    the bibliography entries it cites (with the @string and @preamble blocks and
    cross-referenced entries), the style, the settings and the persons."""
    text = edition.bibliography.text
    starts = list(_ENTRY.finditer(text))
    common, entries = [], {}
    for number, match in enumerate(starts):
        block = text[match.start() : starts[number + 1].start() if number + 1 < len(starts) else len(text)]
        if match.group(1).lower() in ("string", "preamble", "comment"):
            common.append(block)
        else:
            entries[match.group(2).lower()] = block
    shared = (
        file_digest(edition.settings.style_path),
        edition.settings.language,
        "".join(common),
        repr(edition.persons),
    )
    keys = {}
    for unit in units:
        if unit.kind == "bibliography" or edition.bibliography.path.suffix.lower() != ".bib":
            cited = text
        else:
            wanted, blocks = {k.lower() for k in citation_keys(spliced[unit.id])}, []
            while wanted:
                key = wanted.pop()
                if key in entries and entries[key] not in blocks:
                    blocks.append(entries[key])
                    wanted.update(k.lower() for k in _LINKED.findall(entries[key]))
            cited = sorted(blocks)
        keys[unit.id] = digest_of("convert", unit.id, unit.kind, spliced[unit.id], cited, shared)
    return keys
