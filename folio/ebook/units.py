"""The EPUB's units: Pandoc writes each unit of the book as an EPUB of its own (cached, so a
rebuild writes only the units an edit changed), while WeasyPrint lays out the print book; a
level-1 heading starts a chapter file, as in a whole book. Each unit's AST already went
through citeproc on its own, so citations are full at their first occurrence in each chapter
in the EPUB as in print. After the layout: the EPUB's own front files (copyright page, table
of claims) and the index of names, with the printed pages.

``frame`` then writes the book around the units and ``finish`` what Pandoc cannot do."""

from __future__ import annotations

import base64
import json
import mimetypes
import re
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from folio import ids
from folio.edition import files
from folio.edition.model import Edition
from folio.edition.names import index_entries
from folio.rebuild.cache import digest_of, file_digest
from folio.units.convert import Converted, elements
from folio.units.pandoc import FILTERS, PandocError, run_pandoc

TOC_DEPTH = 3  # parts, claims and essay sections, sections in claims (quotations are unlisted)


@dataclass(frozen=True)
class UnitFiles:
    """One unit as Pandoc's EPUB writer makes it on its own."""

    chapters: tuple[str, ...]  # XHTML of its ch001.xhtml, ch002.xhtml, ...
    properties: tuple[str, ...]  # each chapter's manifest properties ("svg", "mathml"...)
    media: tuple[tuple[str, str, bytes], ...]  # (name under media/, media type, data)
    outline: tuple[str, ...]  # its listed headings down to TOC_DEPTH, as Pandoc JSON blocks
    api: tuple[int, ...] = ()  # the Pandoc API version of its JSON
    warnings: tuple[str, ...] = ()


_API_VERSION = re.compile(r'\{"pandoc-api-version":\s*(\[[\d,\s]+\])')
_CHAPTER_FILE = re.compile(r"/text/ch(\d+)\.xhtml$")  # Pandoc's chapter files
_MANIFEST_ITEM = re.compile(r'<item [^>]*?href="([^"]+)" media-type="([^"]+)"(?: properties="([^"]+)")?')


def chapter_names(names) -> list[str]:
    """The chapter files among ``names``, in reading order."""
    return sorted((n for n in names if _CHAPTER_FILE.search(n)), key=lambda n: int(_CHAPTER_FILE.search(n).group(1)))


def _with_data_images(source: str, root: Path) -> str:
    """The unit's images as data: URLs made from the files the resolver allows, so that Pandoc,
    in its sandbox, reads nothing itself."""
    if '"Image"' not in source:
        return source
    doc = json.loads(source)
    roots = [root.resolve()]
    for image in elements(doc["blocks"], "Image"):
        target = image["c"][2][0]
        try:
            path = files.resolve(root, target, roots, "image")
            data = files.read_bytes(path, roots, "image")
        except files.Refused:  # the checks refused the edition already; nothing is read
            image["c"][2][0] = ""
            continue
        kind = _guess_type(path.name)
        image["c"][2][0] = f"data:{kind};base64,{base64.b64encode(data).decode()}"
    return json.dumps(doc, ensure_ascii=False)


def unit_files(unit_id: str, source: str, lang: str, resource_root: Path) -> UnitFiles:
    """Pandoc's EPUB of one unit (``source``: its Pandoc JSON), with its notes made EPUB
    footnotes on the way. Links to other units stay "#id" until ``merge``. Pandoc runs in its
    sandbox: the unit's images come to it inside the JSON."""
    blocks = json.loads(source)["blocks"]
    api = tuple(json.loads(_API_VERSION.match(source).group(1)))
    if not blocks:
        return UnitFiles((), (), (), (), api)
    source = _with_data_images(source, resource_root)
    with tempfile.TemporaryDirectory(prefix="folio-epub-") as tmp:
        out = Path(tmp) / "unit.epub"
        _, warnings = run_pandoc(
            [
                "--from",
                "json",
                "--to",
                "epub3",
                "--output",
                str(out),
                "--split-level=1",
                "--epub-title-page=false",
                "--metadata",
                f"title={unit_id}",
                "--metadata",
                f"lang={lang}",
                "--metadata",
                f"folio-unit={unit_id}",
                *ids.lua_metadata(),
                "--lua-filter",
                str(FILTERS / "epub-notes.lua"),
            ],
            source,
            f"Pandoc EPUB for {unit_id}",
        )
        with zipfile.ZipFile(out) as zin:
            names = zin.namelist()
            manifest = {
                href: (kind, props or "")
                for href, kind, props in _MANIFEST_ITEM.findall(
                    zin.read(next(n for n in names if n.endswith(".opf"))).decode()
                )
            }
            chapters = chapter_names(names)
            media = tuple(
                (n.rsplit("/", 1)[1], manifest.get(f"media/{n.rsplit('/', 1)[1]}", (_guess_type(n),))[0], zin.read(n))
                for n in sorted(names)
                if "/media/" in n
            )
            return UnitFiles(
                tuple(zin.read(n).decode("utf-8") for n in chapters),
                tuple(manifest.get(f"text/{n.rsplit('/', 1)[1]}", ("", ""))[1] for n in chapters),
                media,
                outline(blocks),
                api,
                tuple(warnings),
            )


def _guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def outline(blocks: list) -> tuple[str, ...]:
    """The headings of levels 1 and 2 (in the Divs that hold them), without notes: all Pandoc
    needs to write the book's navigation and split it into the same files as the units.
    A unit that does not open with a level-1 heading starts a file of its own: an unlisted
    empty heading stands for its opening."""

    def walk(blocks: list) -> list:
        kept = []
        for block in blocks:
            if block["t"] == "Header" and (
                block["c"][0] == 1  # a level-1 heading starts a file, listed or not
                or block["c"][0] <= TOC_DEPTH
                and "unlisted" not in block["c"][1][1]
            ):
                level, attr, inlines = block["c"]
                kept.append({"t": "Header", "c": [level, attr, _without_notes(inlines)]})
            elif block["t"] == "Div":
                inner = walk(block["c"][1])
                if inner:
                    kept.append({"t": "Div", "c": [block["c"][0], inner]})
        return kept

    kept = walk(blocks)
    if not (blocks[0]["t"] == "Header" and blocks[0]["c"][0] == 1):
        kept.insert(0, {"t": "Header", "c": [1, ["", ["unnumbered", "unlisted"], []], []]})
    return tuple(json.dumps(block, ensure_ascii=False) for block in kept)


def _without_notes(node):
    """Headings for the navigation: no notes, images, links or index marks (their text stays)."""
    if isinstance(node, list):
        out = []
        for item in node:
            if isinstance(item, dict) and item.get("t") in ("Note", "RawInline"):
                continue
            if isinstance(item, dict) and item.get("t") == "Image":
                out += _without_notes(item["c"][1])
            elif isinstance(item, dict) and item.get("t") == "Link":
                out += _without_notes(item["c"][1])
            else:
                out.append(_without_notes(item))
        return out
    if isinstance(node, dict):
        return {key: _without_notes(value) for key, value in node.items()}
    return node


def chapter_files(edition: Edition, converted: list[Converted], store=None) -> list[UnitFiles]:
    """Every unit's EPUB files, from the cache where the unit's AST (and images) are unchanged."""
    lang, root = edition.settings.language, edition.root

    def make(item: Converted) -> UnitFiles:
        key = digest_of("epub-unit", item.unit.id, item.ast, lang, _images(item.ast, root))
        found = store.get("epub", key) if store is not None else None
        if found is None:
            found = unit_files(item.unit.id, item.ast, lang, root)
            if store is not None:
                store.put("epub", key, found)
        return found

    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(make, converted))


def _images(ast: str, root: Path) -> list:
    """The images a unit shows, with a digest of their files: a changed image changes its EPUB."""
    if '"Image"' not in ast:
        return []
    found = {image["c"][2][0] for image in elements(json.loads(ast)["blocks"], "Image")}
    roots, out = [root.resolve()], []
    for target in sorted(found):
        try:
            out.append(
                (target, file_digest(files.check_file(files.resolve(root, target, roots, "image"), roots, "image")))
            )
        except files.Refused:
            out.append((target, None))
    return out


def index_files(entries, edition: Edition, env, store=None) -> UnitFiles | None:
    """The index of names as a unit, from the template index.md.j2: each locator links to the
    occurrence; its label is the printed page, so the index reads like the book's."""
    if not entries:
        return None
    lang = edition.settings.language
    markdown = env.render("index.md.j2", title=edition.settings.index_title, entries=entries)
    key = digest_of("epub-index", markdown, lang)
    found = store.get("epub", key) if store is not None else None
    if found is None:
        source, _ = run_pandoc(
            ["--from", "markdown-auto_identifiers", "--to", "json"], markdown, "Pandoc on the index of names"
        )
        found = unit_files("index", source, lang, Path("."))
        if store is not None:
            store.put("epub", key, found)
    return found


def front_files(edition: Edition, env, library, typeset, store=None) -> list[UnitFiles]:
    """The EPUB's own copyright page and table of claims (the print book has them in its front
    matter), from the templates copyright.md.j2 and claims-table.md.j2, after the layout: the
    table gives each claim's printed page."""
    from folio.pagemap import mark_blocks
    from folio.units import fragments, splice

    pages = {
        claim.anchor: typeset.locate(claim.anchor)[1]
        for claim in edition.claims.values()
        if typeset is not None and typeset.locate(claim.anchor)
    }
    wanted = [(ids.COPYRIGHT, env.render("copyright.md.j2", edition=edition, settings=edition.settings))]
    if edition.claims:
        wanted.append((ids.CLAIMS_TABLE, env.render("claims-table.md.j2", edition=edition, pages=pages)))
    frames = fragments.parse([markdown for _, markdown in wanted], store)
    splicer = splice.Splicer(edition, library)
    out = []
    for (unit_id, _markdown), frame in zip(wanted, frames):
        if not frame.json:
            raise PandocError(f"Pandoc on {unit_id}", frame.error or "the template nests too deeply")
        doc = mark_blocks(splicer.unit(json.loads(frame.json)), unit_id)
        source = json.dumps(doc, ensure_ascii=False)
        key = digest_of("epub-front", unit_id, source, edition.settings.language)
        found = store.get("epub", key) if store is not None else None
        if found is None:
            found = unit_files(unit_id, source, edition.settings.language, edition.root)
            if store is not None:
                store.put("epub", key, found)
        out.append(found)
    return out


def epub_index(edition: Edition, converted: list[Converted], folio_of) -> list:
    """The e-book's index of names: one link a printed page (``folio_of`` from a layout)."""
    if not edition.persons:
        return []
    marks = [mark for item in converted for mark in item.marks]
    return index_entries(edition.persons, marks, folio_of, ranges=False)
