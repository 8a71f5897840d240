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
import os
import re
import tempfile
import textwrap
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import files, ids
from .cache import digest_of, file_digest
from .clock import build_moment
from .convert import FILTERS, Converted, PandocError, elements, run_pandoc
from .model import Edition
from .names import index_entries
from .fragments import escape
from .pagemap import insert_page_breaks, page_list_nav

TOC_DEPTH = 3  # parts, claims and essay sections, sections in claims (quotations are unlisted)

A11Y_SUMMARY = ("This publication meets the requirements of EPUB Accessibility 1.1 and WCAG 2.1 Level AA as far as "
                "its generator can tell: it has a navigable table of contents with chapters and claims, a logical "
                "reading order, structured headings, footnotes linked both ways, and text that follows the reader's "
                "display settings.")
NO_IMAGES = " It contains no images that carry meaning beyond the generated cover."
WITH_IMAGES = " Its images carry the descriptions the editors gave them as alternative text."


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
    chapters: tuple[str, ...]                      # XHTML of its ch001.xhtml, ch002.xhtml, ...
    properties: tuple[str, ...]                    # each chapter's manifest properties ("svg", "mathml"...)
    media: tuple[tuple[str, str, bytes], ...]     # (name under media/, media type, data)
    outline: tuple[str, ...]                       # its listed headings down to TOC_DEPTH, as Pandoc JSON blocks
    api: tuple[int, ...] = ()                      # the Pandoc API version of its JSON
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
        _, warnings = run_pandoc(["--from", "json", "--to", "epub3", "--output", str(out), "--split-level=1",
                                  "--epub-title-page=false", "--metadata", f"title={unit_id}",
                                  "--metadata", f"lang={lang}", "--metadata", f"folio-unit={unit_id}",
                                  *ids.lua_metadata(),
                                  "--lua-filter", str(FILTERS / "epub-notes.lua")],
                                 source, f"Pandoc EPUB for {unit_id}")
        with zipfile.ZipFile(out) as zin:
            names = zin.namelist()
            manifest = {href: (kind, props or "") for href, kind, props in
                        _MANIFEST_ITEM.findall(zin.read(next(n for n in names if n.endswith(".opf"))).decode())}
            chapters = chapter_names(names)
            media = tuple((n.rsplit("/", 1)[1], manifest.get(f"media/{n.rsplit('/', 1)[1]}", (_guess_type(n),))[0],
                           zin.read(n)) for n in sorted(names) if "/media/" in n)
            return UnitFiles(tuple(zin.read(n).decode("utf-8") for n in chapters),
                             tuple(manifest.get(f"text/{n.rsplit('/', 1)[1]}", ("", ""))[1] for n in chapters),
                             media, outline(blocks), api, tuple(warnings))


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
            if block["t"] == "Header" and block["c"][0] <= TOC_DEPTH and "unlisted" not in block["c"][1][1]:
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
            out.append((target, file_digest(files.check_file(files.resolve(root, target, roots, "image"), roots,
                                                              "image"))))
        except files.Refused:
            out.append((target, None))
    return out


INDEX_HEADING = "# Index of Names { #index .index-of-names }"


def index_files(entries, lang: str, store=None) -> UnitFiles | None:
    """The index of names as a unit: each locator links to the occurrence; its label is
    the printed page, so the index reads like the book's."""
    if not entries:
        return None
    lines = [INDEX_HEADING, ""]
    for entry in entries:
        dates = f" ({entry.dates})" if entry.dates else ""
        links = ", ".join(f"[{loc.label}](#{loc.anchor})" for loc in entry.locators)
        lines += [f"[{escape(entry.name)}]{{#{entry.anchor} .index-term}}{escape(dates)}"
                  f"{', ' + links if links else ''}", ""]
        for label, locators in entry.subentries:
            sub = ", ".join(f"[{loc.label}](#{loc.anchor})" for loc in locators)
            lines += [f"::: {{.index-subentry}}\n{escape(label)}, {sub}\n:::", ""]
    markdown = "\n".join(lines)
    key = digest_of("epub-index", markdown, lang)
    found = store.get("epub", key) if store is not None else None
    if found is None:
        source, _ = run_pandoc(["--from", "markdown-auto_identifiers", "--to", "json"], markdown,
                               "Pandoc on the index of names")
        found = unit_files("index", source, lang, Path("."))
        if store is not None:
            store.put("epub", key, found)
    return found


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
    return env.render("cover.svg.j2", settings=s, title_lines=textwrap.wrap(title, 22),
                      subtitle_lines=textwrap.wrap(subtitle, 46))


@dataclass(frozen=True)
class Frame:
    """Pandoc's EPUB of the book's outline: its package document, navigation, cover, title
    page and style sheet are the book's; its chapter files only hold places."""
    infos: tuple          # zipfile.ZipInfo, in Pandoc's order
    data: dict            # name -> bytes
    warnings: tuple[str, ...] = ()


def frame(edition: Edition, units: list[UnitFiles], template_dirs: list[Path], env, store=None) -> Frame:
    """The book's frame, from the cache while the outline, metadata, style sheet and cover stay.
    Pandoc reads only the style sheet and the cover (both checked); the book's outline and
    metadata come to it as JSON."""
    css = next((d / "epub.css" for d in template_dirs if (d / "epub.css").exists()), None)
    metadata = json.dumps(meta_value(epub_metadata(edition, getattr(env, "plain_of", {}))), ensure_ascii=False)
    cover = (files.resolve(edition.root, edition.settings.cover, [edition.root.resolve()], "cover image")
             if edition.settings.cover else None)
    cover_text = cover_svg(edition, env) if cover is None else None
    api = next((unit.api for unit in units if unit.api), (1, 23, 1))
    blocks = ",".join(block for unit in units for block in unit.outline)
    meta = json.loads(metadata)["c"]
    book = json.dumps({"pandoc-api-version": list(api), "meta": meta, "blocks": json.loads(f"[{blocks}]")},
                      ensure_ascii=False)
    key = digest_of("epub-frame", book, file_digest(css) if css else None,
                    file_digest(cover) if cover else cover_text)
    found = store.get("epub", key) if store is not None else None
    if found is not None:
        return found
    with tempfile.TemporaryDirectory(prefix="folio-epub-") as tmp:
        if cover is None:
            cover = Path(tmp) / "cover.svg"
            cover.write_text(cover_text, encoding="utf-8")
        raw = Path(tmp) / "book.epub"
        args = ["--from", "json", "--to", "epub3", "--output", str(raw),
                "--toc", f"--toc-depth={TOC_DEPTH}", "--split-level=1",
                "--resource-path", tmp, "--epub-cover-image", str(cover)]
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
    properties: dict      # chapter (short name) -> its manifest properties, where it has some
    images: bool = False  # the units show images of their own (not only the cover)


def merge(frame: Frame, units: list[UnitFiles]) -> Book:
    """The units' chapter files in place of the frame's, renumbered in reading order, links
    between units resolved (as Pandoc resolves them in a whole book), the units' media added."""
    infos, files = list(frame.infos), dict(frame.data)
    slots = chapter_names(files)
    if len(slots) != sum(len(unit.chapters) for unit in units):
        raise PandocError("Pandoc EPUB", f"the book's outline makes {len(slots)} chapter files and its units "
                          f"{sum(len(unit.chapters) for unit in units)}")
    texts, where, properties, media = {}, {}, {}, []
    for position, unit in enumerate(units):
        base = len(texts)
        renamed = {old: f"u{position + 1}-{old}" for old, _kind, _data in unit.media}
        for text, props in zip(unit.chapters, unit.properties):
            name = slots[len(texts)]
            short = name.rsplit("/", 1)[1]
            if base:  # the unit's own ch001.xhtml... are the book's files from slots[base]
                text = _LOCAL_FILE.sub(lambda m: m.group(1) + slots[base + int(m.group(2)) - 1].rsplit("/", 1)[1],
                                       text)
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
        items = "".join(f'    <item id="{name.replace(".", "_")}" href="media/{name}" media-type="{kind}" />\n'
                        for name, kind, _ in media)
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


# ---------- finishing what Pandoc wrote ----------

_FOOTNOTE_DIV = re.compile(r'<div id="(note-[^"]+)" class="footnote"([^>]*)>(.*?)</div>', re.S)


def _asides(xhtml: str) -> str:
    """Pandoc writes a Div as <div>; reading systems pop up <aside epub:type="footnote">."""
    return _FOOTNOTE_DIV.sub(lambda m: f'<aside id="{m.group(1)}" class="footnote"{m.group(2)}>{m.group(3)}</aside>',
                             xhtml)


def _package_metadata(edition: Edition, opf: str, page_list: bool, images: bool) -> str:
    """Accessibility metadata Pandoc does not write, and the print source of the page numbers."""
    s = edition.settings
    wanted = [
        ("schema:accessMode", "textual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "displayTransformability"),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", A11Y_SUMMARY + (WITH_IMAGES if images else NO_IMAGES)),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
    ]
    if page_list:
        wanted[6:6] = [("schema:accessibilityFeature", "printPageNumbers"),
                       ("schema:accessibilityFeature", "pageNavigation")]
    meta = [f'<meta property="{prop}">{_xml(value)}</meta>' for prop, value in wanted
            if f'<meta property="{prop}">{_xml(value)}</meta>' not in opf]
    if s.isbn_print:
        meta.append(f'<dc:source>urn:isbn:{s.isbn_print.replace("-", "")}</dc:source>')
    return "\n    ".join(meta)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def page_starts(typeset) -> list[tuple[str, str, int]]:
    """(label, block, words) for every printed page the EPUB can mark, in page order.

    A page with no text of its own (a blank verso) is marked at the place of
    the next page, so the list has no holes."""
    by_page = {start.page: start for start in typeset.page_starts}
    out = []
    for page in range(1, typeset.page_count + 1):
        start = by_page.get(page)
        if start is None and page >= typeset.main_start:
            start = next((by_page[p] for p in range(page + 1, typeset.page_count + 1) if p in by_page), None)
        if start is not None:
            out.append((typeset.label(page), start.block, start.words))
    return out


def _landmarks(nav: str, where: dict, edition: Edition) -> str:
    """Add the start of the body, the bibliography and the index to Pandoc's landmarks
    (``where``: id -> chapter file)."""
    wanted = []
    if edition.chapters:
        wanted.append((edition.chapters[0].anchor, "bodymatter", "Start of Content"))
    wanted += [("bibliography", "bibliography", edition.settings.bibliography_title), ("index", "index", "Index of Names")]
    items = [f'    <li>\n      <a href="text/{where[anchor]}#{anchor}" epub:type="{kind}">{_xml(label)}</a>\n    </li>\n'
             for anchor, kind, label in wanted if anchor in where]
    match = re.search(r'(<nav epub:type="landmarks"[^>]*>.*?)(\s*</ol>)', nav, re.S)
    if not match or not items:
        return nav
    return nav[:match.end(1)] + "\n" + "".join(items).rstrip("\n") + nav[match.end(1):]


_MODIFIED = re.compile(r'(<meta property="dcterms:modified">)[^<]*(</meta>)')


def write(book: Book, target: Path, edition: Edition, typeset=None) -> None:
    """Finish the merged book and write it, in Pandoc's order of entries, dated now (the frame
    may come from the cache) or at SOURCE_DATE_EPOCH."""
    moment = build_moment()
    pages: list[tuple[str, str]] = []  # (href from the nav, label) in reading order
    starts = page_starts(typeset) if typeset is not None else []
    files = dict(book.files)
    for name, text in book.chapters.items():
        if starts:
            text, placed = insert_page_breaks(text, starts)
            pages += [(f"text/{name.rsplit('/', 1)[1]}#page-{label}", label) for label in placed]
        files[name] = _asides(text).encode("utf-8")

    for name in files:
        if name.endswith(".opf"):
            text = files[name].decode("utf-8")
            for short, props in book.properties.items():
                text = text.replace(f'href="text/{short}" media-type="application/xhtml+xml" />',
                                    f'href="text/{short}" media-type="application/xhtml+xml" properties="{props}" />')
            text = _MODIFIED.sub(lambda m: f"{m.group(1)}{moment:%Y-%m-%dT%H:%M:%SZ}{m.group(2)}", text, count=1)
            files[name] = text.replace("</metadata>", f"  {_package_metadata(edition, text, bool(pages), book.images)}\n"
                                       "  </metadata>", 1).encode("utf-8")
        elif name.endswith("nav.xhtml"):
            text = _landmarks(files[name].decode("utf-8"), book.where, edition)
            if pages:
                text = text.replace("</body>", page_list_nav(pages) + "</body>", 1)
            files[name] = text.encode("utf-8")

    with zipfile.ZipFile(target, "w") as zout:
        for info in book.infos:
            entry = copy.copy(info)
            entry.date_time = moment.timetuple()[:6]
            zout.writestr(entry, files[info.filename], compress_type=info.compress_type)
