"""Stage 5b: the EPUB 3, written by Pandoc a unit at a time, then finished.

Each unit's AST already went through citeproc on its own, so citations are
full at their first occurrence in each chapter in the EPUB as in print.

1. ``chapter_files``: Pandoc writes each unit as an EPUB of its own (cached, so
   a rebuild writes only the units an edit changed), while WeasyPrint lays out
   the print book. A level-1 heading starts a chapter file, as in a whole book.
2. ``index_files``: the index of names, once the layout has given its pages.
3. ``frame``: Pandoc writes the book's outline (the units' headings) with the
   book's metadata: package document, navigation, cover, title page, style sheet.
4. ``merge``: the units' chapter files take the places of the frame's, numbered
   in reading order, with the links between units resolved as Pandoc resolves
   them in a whole book.
5. ``write``: what Pandoc cannot do: footnotes as <aside>, accessibility
   metadata (EPUB Accessibility 1.1), the print edition the book corresponds
   to, its page list (from the print layout) and landmarks.
"""

from __future__ import annotations

import base64
import copy
import json
import mimetypes
import re
import tempfile
import textwrap
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from folio import ids
from folio.clock import build_moment
from folio.edition import files
from folio.edition.model import Edition
from folio.edition.names import index_entries
from folio.pagemap import insert_page_breaks, page_marks
from folio.rebuild.cache import digest_of, file_digest
from folio.typefaces import embedded_faces, face_rules
from folio.units.convert import Converted, elements
from folio.units.fragments import escape
from folio.units.pandoc import FILTERS, PandocError, run_pandoc

TOC_DEPTH = 3  # parts, claims and essay sections, sections in claims (quotations are unlisted)


def epub_metadata(edition: Edition, plain: dict | None = None) -> dict:
    """The package's metadata, as plain values (``plain``: a Markdown field's ref -> its text)."""
    s = edition.settings
    plain = plain or {}
    title = [{"type": "main", "text": plain.get(s.title.ref, str(s.title))}]
    if s.subtitle:
        title.append({"type": "subtitle", "text": plain.get(s.subtitle.ref, str(s.subtitle))})
    creators = [{"role": "aut", "text": n} for n in s.authors] + [{"role": "edt", "text": n} for n in s.editors]
    meta = {
        "title": title,
        "lang": s.language,
        "creator": creators,
        "publisher": s.publisher,
        "rights": s.rights,
        "description": s.description,
        "subject": list(s.subjects),
    }
    if s.isbn_ebook:
        meta["identifier"] = [{"scheme": "ISBN-13", "text": "urn:isbn:" + s.isbn_ebook.replace("-", "")}]
    else:  # Pandoc would make up a random one: the same book must keep its identifier from build to build
        meta["identifier"] = [{"text": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'folio:{s.slug}')}"}]
    if s.year:
        meta["date"] = f"{s.year}"
    return {k: v for k, v in meta.items() if v}


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


def meta_value(value):
    """A Python value as Pandoc metadata that Pandoc takes as it is (a MetaString is not read as
    Markdown: a title cannot bring in an image, and '--' stays two hyphens)."""
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {k: meta_value(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"t": "MetaList", "c": [meta_value(v) for v in value]}
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    return {"t": "MetaString", "c": str(value)}


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


def index_files(entries, lang: str, store=None, title: str = "Index of Names") -> UnitFiles | None:
    """The index of names as a unit: each locator links to the occurrence; its label is
    the printed page, so the index reads like the book's."""
    if not entries:
        return None
    lines = [f"# {escape(title)} {{ #index .index-of-names }}", ""]
    for entry in entries:
        dates = f" ({entry.dates})" if entry.dates else ""
        links = ", ".join(f"[{loc.label}](#{loc.anchor})" for loc in entry.locators)
        lines += [
            f"[{escape(entry.name)}]{{#{entry.anchor} .index-term}}{escape(dates)}{', ' + links if links else ''}",
            "",
        ]
        for label, locators in entry.subentries:
            sub = ", ".join(f"[{loc.label}](#{loc.anchor})" for loc in locators)
            lines += [f"::: {{.index-subentry}}\n{escape(label)}, {sub}\n:::", ""]
    markdown = "\n".join(lines)
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
        claim.anchor: typeset.folio(claim.anchor)[1]
        for claim in edition.claims.values()
        if typeset is not None and typeset.folio(claim.anchor)
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


def cover_svg(edition: Edition, env) -> str:
    s = edition.settings
    plain = getattr(env, "plain_of", {})
    title, subtitle = plain.get(s.title.ref, str(s.title)), plain.get(s.subtitle.ref, str(s.subtitle))
    from folio.ebook.cover import outlined

    svg = env.render(
        "cover.svg.j2", settings=s, title_lines=textwrap.wrap(title, 22), subtitle_lines=textwrap.wrap(subtitle, 46)
    )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + outlined(svg.split("?>", 1)[-1].strip())


@dataclass(frozen=True)
class Frame:
    """Pandoc's EPUB of the book's outline: its package document, navigation, cover, title
    page and style sheet are the book's; its chapter files only hold places."""

    infos: tuple  # zipfile.ZipInfo, in Pandoc's order
    data: dict  # name -> bytes
    warnings: tuple[str, ...] = ()


def frame(edition: Edition, units: list[UnitFiles], template_dirs: list[Path], env, store=None) -> Frame:
    """The book's frame, from the cache while the outline, metadata, style sheet and cover stay.
    Pandoc reads only the style sheet and the cover (both checked); the book's outline and
    metadata come to it as JSON."""
    css = next((d / "epub.css" for d in template_dirs if (d / "epub.css").exists()), None)
    faces = embedded_faces(edition.settings.print.typeface)
    metadata = json.dumps(meta_value(epub_metadata(edition, getattr(env, "plain_of", {}))), ensure_ascii=False)
    cover = (
        files.resolve(edition.root, edition.settings.cover, [edition.root.resolve()], "cover image")
        if edition.settings.cover
        else None
    )
    cover_text = cover_svg(edition, env) if cover is None else None
    api = next((unit.api for unit in units if unit.api), (1, 23, 1))
    blocks = ",".join(block for unit in units for block in unit.outline)
    meta = json.loads(metadata)["c"]
    book = json.dumps(
        {"pandoc-api-version": list(api), "meta": meta, "blocks": json.loads(f"[{blocks}]")}, ensure_ascii=False
    )
    key = digest_of(
        "epub-frame",
        book,
        file_digest(css) if css else None,
        file_digest(cover) if cover else cover_text,
        [(style, file_digest(font)) for style, font in faces],
    )
    found = store.get("epub", key) if store is not None else None
    if found is not None:
        return found
    with tempfile.TemporaryDirectory(prefix="folio-epub-") as tmp:
        if cover is None:
            cover = Path(tmp) / "cover.svg"
            cover.write_text(cover_text, encoding="utf-8")
        raw = Path(tmp) / "book.epub"
        args = [
            "--from",
            "json",
            "--to",
            "epub3",
            "--output",
            str(raw),
            "--toc",
            f"--toc-depth={TOC_DEPTH}",
            "--split-level=1",
            "--resource-path",
            tmp,
            "--epub-cover-image",
            str(cover),
        ]
        if faces:  # the edition's typeface, its licence allowing: embedded, and the body set in it
            face = edition.settings.print.typeface
            rules = [css.read_text(encoding="utf-8")] if css is not None else []
            rules += face_rules(face, lambda _style, font: f'url("../fonts/{font.name}")')
            args += [arg for _style, font in faces for arg in ("--epub-embed-font", str(font))]
            rules.append(f'body {{ font-family: "{face.family}", serif; }}')
            css = Path(tmp) / "epub.css"
            css.write_text("\n".join(rules) + "\n", encoding="utf-8")
        if css is not None:
            args += ["--css", str(css)]
        # not in the sandbox: it stops --epub-cover-image and --css; the input holds no image or link
        _, warnings = run_pandoc(args, book, "Pandoc EPUB", cwd=Path(tmp), sandbox=False)
        with zipfile.ZipFile(raw) as zin:
            found = Frame(tuple(zin.infolist()), {n: zin.read(n) for n in zin.namelist()}, tuple(warnings))
    if store is not None:
        store.put("epub", key, found)
    return found


@dataclass
class Book:
    """The EPUB's files, merged: ``chapters`` (full name -> XHTML, in reading order) and the
    rest as bytes; ``where`` gives the chapter file (short name) of every id."""

    infos: list
    files: dict
    chapters: dict
    where: dict
    properties: dict  # chapter (short name) -> its manifest properties, where it has some
    images: bool = False  # the units show images of their own (not only the cover)


def merge(frame: Frame, units: list[UnitFiles]) -> Book:
    """The units' chapter files in place of the frame's, renumbered in reading order, links
    between units resolved (as Pandoc resolves them in a whole book), the units' media added."""
    infos, files = list(frame.infos), dict(frame.data)
    slots = chapter_names(files)
    if len(slots) != sum(len(unit.chapters) for unit in units):
        raise PandocError(
            "Pandoc EPUB",
            f"the book's outline makes {len(slots)} chapter files and its units "
            f"{sum(len(unit.chapters) for unit in units)}",
        )
    texts, where, properties, media = {}, {}, {}, []
    for position, unit in enumerate(units):
        base = len(texts)
        renamed = {old: f"u{position + 1}-{old}" for old, _kind, _data in unit.media}
        for text, props in zip(unit.chapters, unit.properties):
            name = slots[len(texts)]
            short = name.rsplit("/", 1)[1]
            if base:  # the unit's own ch001.xhtml... are the book's files from slots[base]
                text = _LOCAL_FILE.sub(lambda m: m.group(1) + slots[base + int(m.group(2)) - 1].rsplit("/", 1)[1], text)
            for old, new in renamed.items():
                text = text.replace(f'"../media/{old}"', f'"../media/{new}"')
            texts[name] = text
            where.update(dict.fromkeys(_ID.findall(text), short))
            if props:
                properties[short] = props
        media += [(renamed[old], kind, blob) for old, kind, blob in unit.media]

    def resolve(match: re.Match) -> str:
        short = where.get(match.group(1))
        return f'href="{short}#{match.group(1)}"' if short else match.group(0)

    for name, text in texts.items():
        if 'href="#' in text:
            texts[name] = _BARE_LINK.sub(resolve, text)
        del files[name]
    if media:
        opf = next(n for n in files if n.endswith(".opf"))
        items = "".join(
            f'    <item id="{name.replace(".", "_")}" href="media/{name}" media-type="{kind}" />\n'
            for name, kind, _ in media
        )
        files[opf] = files[opf].replace(b"  </manifest>", items.encode() + b"  </manifest>", 1)
        folder = slots[0].rsplit("/", 2)[0]
        template = next(info for info in infos if info.filename == slots[0])
        for name, _kind, blob in media:
            info = zipfile.ZipInfo(f"{folder}/media/{name}", template.date_time)
            info.compress_type = template.compress_type
            infos.append(info)
            files[info.filename] = blob
    return Book(infos, files, texts, where, properties, bool(media))


_LOCAL_FILE = re.compile(r'(href="|<title>)ch(\d+)\.xhtml')
_ID = re.compile(r'\bid="([^"]+)"')
_BARE_LINK = re.compile(r'href="#([^"]+)"')


# ---------- finishing what Pandoc wrote, on parsed trees ----------

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
A11Y_PREFIX = "a11y: http://www.idpf.org/epub/vocab/package/a11y/#"


def _parse(data: bytes):
    return etree.fromstring(
        data, etree.XMLParser(remove_blank_text=False, resolve_entities=False, no_network=True, huge_tree=True)
    )


def _serialize(tree) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(tree, encoding="utf-8")


def finish_chapter(xhtml: str) -> bytes:
    """A chapter file as reading systems want it: each note an <aside epub:type="footnote"> (Pandoc
    writes a <div>, whatever the note holds: paragraphs, verse, lists), and the file's <title> the
    title of its first heading."""
    tree = _parse(xhtml.encode("utf-8"))
    for div in tree.iter(f"{{{XHTML}}}div"):
        if "footnote" in (div.get("class") or "").split() and (div.get("id") or "").startswith(ids.PREFIXES["note"]):
            div.tag = f"{{{XHTML}}}aside"
    title = tree.find(f"{{{XHTML}}}head/{{{XHTML}}}title")
    heading = next(
        (h for h in tree.iter(*(f"{{{XHTML}}}h{n}" for n in range(1, 7))) if "".join(h.itertext()).strip()), None
    )
    if title is not None and heading is not None:
        title.text = " ".join("".join(_visible_text(heading)).split())
    return _serialize(tree)


def _visible_text(element):
    """An element's text without its notes' numbers (links to notes) and page-break markers."""
    if element.text:
        yield element.text
    for child in element:
        kind = child.get(f"{{{EPUB_NS}}}type") or ""
        if "noteref" not in kind and "pagebreak" not in kind:
            yield from _visible_text(child)
        if child.tail:
            yield child.tail


def a11y_features(page_list: bool, images: bool) -> list[str]:
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    if page_list:
        features += ["printPageNumbers", "pageNavigation"]
    if images:
        features.append("alternativeText")
    return features


def a11y_summary(edition: Edition, page_list: bool, images: bool, verified: bool) -> str:
    """What the book offers a reader who relies on assistive technology, as it is."""
    parts = [
        "The book has a table of contents and navigation by chapter, claim and section, headings in "
        "order, and a logical reading order; its text follows the reader's display settings."
    ]
    parts.append("Its notes are footnotes linked to their calls and back.")
    if page_list:
        parts.append("A page list gives the page numbers of the printed edition, so that it can be cited by page.")
    parts.append(
        "Its images carry the descriptions the editors gave them." if images else "It has no images but its cover."
    )
    if verified:
        parts.append("It was checked with EPUBCheck and DAISY Ace when it was made, and passed both.")
    else:
        parts.append("It has not been checked for conformance with an accessibility standard.")
    return " ".join(parts)


def _package(
    opf: bytes, edition: Edition, moment, page_list: bool, images: bool, properties: dict, verified: bool
) -> bytes:
    """The package document: modified date, accessibility metadata, the print edition as the
    source of the page numbers, the certifier (when the edition names one), the chapter files'
    properties; conformance claimed only when the checkers passed (``verified``)."""
    tree = _parse(opf)
    metadata = tree.find(f"{{{OPF}}}metadata")
    prefix = tree.get("prefix") or ""
    if "a11y:" not in prefix:
        tree.set("prefix", (prefix + " " + A11Y_PREFIX).strip())
    for meta in metadata.findall(f"{{{OPF}}}meta"):
        if meta.get("property") == "dcterms:modified":
            meta.text = f"{moment:%Y-%m-%dT%H:%M:%SZ}"

    def add(prop: str, value: str, refines: str = "", element_id: str = "") -> None:
        meta = etree.SubElement(metadata, f"{{{OPF}}}meta", property=prop)
        if refines:
            meta.set("refines", refines)
        if element_id:
            meta.set("id", element_id)
        meta.text = value

    existing = {(m.get("property"), m.text) for m in metadata.findall(f"{{{OPF}}}meta")}
    wanted = [("schema:accessMode", "textual"), ("schema:accessModeSufficient", "textual")]
    wanted += [("schema:accessibilityFeature", feature) for feature in a11y_features(page_list, images)]
    wanted += [
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", a11y_summary(edition, page_list, images, verified)),
    ]
    settings = edition.settings
    if verified:
        wanted.append(("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"))
        if settings.certified_by:
            wanted.append(("a11y:certifiedBy", settings.certified_by))
    for prop, value in wanted:
        if (prop, value) not in existing:
            add(prop, value)
    if verified and settings.certified_by:
        certifier = metadata.findall(f"{{{OPF}}}meta")[-1]
        certifier.set("id", "certifier")
        if settings.certifier_credential:
            add("a11y:certifierCredential", settings.certifier_credential, "#certifier")
        if settings.certifier_report:
            link = etree.SubElement(
                metadata,
                f"{{{OPF}}}link",
                rel="a11y:certifierReport",
                href=settings.certifier_report,
                refines="#certifier",
            )
            link.set("media-type", "text/html")
    if page_list:  # where the page numbers come from (EPUB Accessibility 1.1, 'Page source')
        source = etree.SubElement(metadata, f"{{{DC}}}source", id="print-source")
        if settings.isbn_print:
            source.text = "urn:isbn:" + settings.isbn_print.replace("-", "")
        else:  # no ISBN: the print edition named in words
            imprint = ", ".join(str(part) for part in (settings.publisher, settings.year) if part)
            source.text = f"The print edition ({imprint or 'made from the same files'})"
        add("source-of", "pagination", "#print-source")
    for item in tree.iter(f"{{{OPF}}}item"):
        short = (item.get("href") or "").rsplit("/", 1)[-1]
        if short in properties and item.get("media-type") == "application/xhtml+xml":
            item.set("properties", properties[short])
    return _serialize(tree)


def _nav(nav: bytes, where: dict, edition: Edition, pages: list[tuple[str, str]]) -> bytes:
    """Pandoc's navigation with the landmarks it lacks (the copyright page, the start of the body,
    the bibliography, the index) and the page list."""
    tree = _parse(nav)
    body = tree.find(f"{{{XHTML}}}body")
    landmarks = next((n for n in body.iter(f"{{{XHTML}}}nav") if n.get(f"{{{EPUB_NS}}}type") == "landmarks"), None)
    wanted = [(ids.COPYRIGHT, "copyright-page", "Copyright")]
    if edition.chapters:
        wanted.append((edition.chapters[0].anchor, "bodymatter", "Start of Content"))
    wanted += [
        (ids.BIBLIOGRAPHY, "bibliography", edition.settings.bibliography_title),
        (ids.INDEX, "index", edition.settings.index_title),
    ]
    if landmarks is not None:
        listing = landmarks.find(f"{{{XHTML}}}ol")
        have = {a.get(f"{{{EPUB_NS}}}type") for a in landmarks.iter(f"{{{XHTML}}}a")}
        for anchor, kind, label in wanted:
            if anchor in where and kind not in have and listing is not None:
                item = etree.SubElement(listing, f"{{{XHTML}}}li")
                link = etree.SubElement(item, f"{{{XHTML}}}a", href=f"text/{where[anchor]}#{anchor}")
                link.set(f"{{{EPUB_NS}}}type", kind)
                link.text = label
    if pages:
        page_list = etree.SubElement(body, f"{{{XHTML}}}nav", id="page-list", hidden="hidden")
        page_list.set(f"{{{EPUB_NS}}}type", "page-list")
        etree.SubElement(page_list, f"{{{XHTML}}}h1").text = "Pages"
        listing = etree.SubElement(page_list, f"{{{XHTML}}}ol")
        for href, label in pages:
            item = etree.SubElement(listing, f"{{{XHTML}}}li")
            etree.SubElement(item, f"{{{XHTML}}}a", href=href).text = label
    return _serialize(tree)


def write(book: Book, target: Path, edition: Edition, typeset=None, verified: bool = False) -> None:
    """Finish the merged book and write it, in Pandoc's order of entries, dated now (the frame
    may come from the cache) or at SOURCE_DATE_EPOCH. ``verified``: EPUBCheck and Ace passed an
    EPUB written the same way, so the package may claim conformance."""
    moment = build_moment()
    pages: list[tuple[str, str]] = []  # (href from the nav, label) in reading order
    starts = page_marks(typeset) if typeset is not None else []
    files = dict(book.files)
    for name, text in book.chapters.items():
        if starts:
            text, placed = insert_page_breaks(text, starts)
            pages += [(f"text/{name.rsplit('/', 1)[1]}#{ids.page(label)}", label) for label in placed]
        files[name] = finish_chapter(text)
    for name in files:
        if name.endswith(".opf"):
            files[name] = _package(files[name], edition, moment, bool(pages), book.images, book.properties, verified)
        elif name.endswith("nav.xhtml"):
            files[name] = _nav(files[name], book.where, edition, pages)

    with zipfile.ZipFile(target, "w") as zout:
        for info in book.infos:
            entry = copy.copy(info)
            entry.date_time = moment.timetuple()[:6]
            zout.writestr(entry, files[info.filename], compress_type=info.compress_type)
