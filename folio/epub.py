"""Stage 5b: package the EPUB 3 with Pandoc from the units' ASTs, then finish it.

Each unit's AST already went through citeproc on its own, so citations are
full at their first occurrence in each chapter in the EPUB as in print.
Pandoc writes the book (``package``, while WeasyPrint lays out the print
book); ``finish`` then adds what Pandoc cannot: footnotes as <aside>,
accessibility metadata (EPUB Accessibility 1.1), the print edition the book
corresponds to and its page list (from the print layout).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import textwrap
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jinja2
import yaml

from .cache import digest_of
from .convert import FILTERS, Converted, run_pandoc
from .model import Edition
from .names import index_entries
from .pagemap import insert_page_breaks, page_list_nav

A11Y_SUMMARY = ("This publication meets the requirements of EPUB Accessibility 1.1 and WCAG 2.1 Level AA as far as "
                "its generator can tell: it has a navigable table of contents with chapters and claims, a logical "
                "reading order, structured headings, footnotes linked both ways, and text that follows the reader's "
                "display settings. It contains no images that carry meaning beyond the generated cover.")


def epub_metadata(edition: Edition) -> dict:
    s = edition.settings
    title = [{"type": "main", "text": s.title}]
    if s.subtitle:
        title.append({"type": "subtitle", "text": s.subtitle})
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
    if s.year:
        meta["date"] = f"{s.year}"
    return {k: v for k, v in meta.items() if v}


def epub_unit_blocks(item: Converted) -> str:
    """The unit's blocks with notes as noteref links and footnotes with book-wide ids: the
    text of a JSON array of Pandoc blocks."""
    out, _ = run_pandoc(["--from", "json", "--to", "json", "--metadata", f"folio-unit={item.unit.id}",
                         "--lua-filter", str(FILTERS / "epub-notes.lua")],
                        item.ast, f"Pandoc EPUB notes for {item.unit.id}")
    return json.dumps(json.loads(out)["blocks"])


def unit_blocks(converted: list[Converted], store=None) -> list[str]:
    """Every unit's EPUB blocks, from the cache where the unit's AST is unchanged."""
    keys = [digest_of("epub-unit", item.unit.id, item.ast) for item in converted]
    found = [store.get("epub", key) if store else None for key in keys]
    todo = [n for n, blocks in enumerate(found) if blocks is None]
    with ThreadPoolExecutor(max_workers=3) as pool:
        for n, blocks in zip(todo, pool.map(epub_unit_blocks, [converted[n] for n in todo])):
            found[n] = blocks
            if store is not None:
                store.put("epub", keys[n], blocks)
    return found


_API_VERSION = re.compile(r'\{"pandoc-api-version":\s*(\[[\d,\s]+\])')


def book_json(api_version: list, units: list[str]) -> str:
    """The book's Pandoc JSON from its units' block arrays (as text, without parsing them again)."""
    blocks = ",".join(text[1:-1] for text in units if text.strip("[] "))
    return f'{{"pandoc-api-version":{json.dumps(api_version)},"meta":{{}},"blocks":[{blocks}]}}'


def cover_svg(edition: Edition, env: jinja2.Environment) -> str:
    s = edition.settings
    return env.get_template("cover.svg.j2").render(
        settings=s, title_lines=textwrap.wrap(s.title, 22), subtitle_lines=textwrap.wrap(s.subtitle, 46))


def index_ast(entries) -> dict:
    """The index of names as a unit: each locator links to the occurrence; its
    label is the printed page, so the index reads like the book's."""
    lines = ["# Index of Names { #index .index-of-names }", ""]
    for entry in entries:
        dates = f" ({entry.dates})" if entry.dates else ""
        links = ", ".join(f"[{loc.label}](#{loc.anchor})" for loc in entry.locators)
        lines += [f"[{_md(entry.name)}]{{#{entry.anchor} .index-term}}{dates}{', ' + links if links else ''}", ""]
        for label, locators in entry.subentries:
            sub = ", ".join(f"[{loc.label}](#{loc.anchor})" for loc in locators)
            lines += [f"::: {{.index-subentry}}\n{_md(label)}, {sub}\n:::", ""]
    out, _ = run_pandoc(["--from", "markdown-auto_identifiers", "--to", "json"], "\n".join(lines),
                        "Pandoc on the index of names")
    return json.loads(out)


def _md(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def epub_index(edition: Edition, converted: list[Converted], folio_of) -> list:
    """The e-book's index of names: one link a printed page (``folio_of`` from a layout)."""
    if not edition.persons:
        return []
    marks = [mark for item in converted for mark in item.marks]
    return index_entries(edition.persons, marks, folio_of, ranges=False)


def package(edition: Edition, converted: list[Converted], template_dirs: list[Path], env: jinja2.Environment,
            index=(), store=None) -> tuple[bytes, list[str]]:
    """The EPUB as Pandoc writes it, with ``index`` (IndexEntry) as its last unit; and Pandoc's
    warnings. Needs no layout but the index's pages, so it runs while the print book is laid out."""
    css = next((d / "epub.css" for d in template_dirs if (d / "epub.css").exists()), None)
    units = unit_blocks(converted, store)
    api_version = json.loads(_API_VERSION.match(converted[0].ast).group(1))  # the units' own
    if index:
        units.append(json.dumps(index_ast(index)["blocks"]))
    with tempfile.TemporaryDirectory(prefix="folio-epub-") as tmp:
        meta_path = Path(tmp) / "metadata.yaml"
        meta_path.write_text(yaml.safe_dump(epub_metadata(edition), allow_unicode=True, sort_keys=False),
                             encoding="utf-8")
        if edition.settings.cover:
            cover = edition.root / edition.settings.cover
        else:
            cover = Path(tmp) / "cover.svg"
            cover.write_text(cover_svg(edition, env), encoding="utf-8")
        raw = Path(tmp) / "book.epub"
        args = ["--from", "json", "--to", "epub3", "--output", str(raw),
                "--metadata-file", str(meta_path), "--toc", "--toc-depth=2", "--split-level=1",
                "--resource-path", str(edition.root), "--epub-cover-image", str(cover)]
        if css is not None:
            args += ["--css", str(css)]
        _, warnings = run_pandoc(args, book_json(api_version, units), "Pandoc EPUB")
        return raw.read_bytes(), warnings


# ---------- finishing what Pandoc wrote ----------

_FOOTNOTE_DIV = re.compile(r'<div id="(note-[^"]+)" class="footnote"([^>]*)>(.*?)</div>', re.S)


def _asides(xhtml: str) -> str:
    """Pandoc writes a Div as <div>; reading systems pop up <aside epub:type="footnote">."""
    return _FOOTNOTE_DIV.sub(lambda m: f'<aside id="{m.group(1)}" class="footnote"{m.group(2)}>{m.group(3)}</aside>',
                             xhtml)


def _package_metadata(edition: Edition, opf: str, page_list: bool) -> str:
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
        ("schema:accessibilitySummary", A11Y_SUMMARY),
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


_CHAPTER_FILE = re.compile(r"/text/ch\d+\.xhtml$")  # Pandoc's chapter files, in reading order


def _landmarks(nav: str, files: dict, edition: Edition) -> str:
    """Add the start of the body, the bibliography and the index to Pandoc's landmarks."""
    wanted = []
    if edition.chapters:
        wanted.append((edition.chapters[0].anchor, "bodymatter", "Start of Content"))
    wanted += [("bibliography", "bibliography", edition.settings.bibliography_title), ("index", "index", "Index of Names")]
    items = []
    for anchor, kind, label in wanted:
        for name, data in sorted(files.items()):
            if _CHAPTER_FILE.search(name) and f'id="{anchor}"'.encode() in data:
                items.append(f'    <li>\n      <a href="text/{name.rsplit("/", 1)[1]}#{anchor}" epub:type="{kind}">'
                             f"{_xml(label)}</a>\n    </li>\n")
                break
    match = re.search(r'(<nav epub:type="landmarks"[^>]*>.*?)(\s*</ol>)', nav, re.S)
    if not match or not items:
        return nav
    return nav[:match.end(1)] + "\n" + "".join(items).rstrip("\n") + nav[match.end(1):]


def finish(raw: bytes, target: Path, edition: Edition, typeset=None) -> None:
    """Write the EPUB Pandoc made (``raw``), rewriting what needs it; entry order and dates
    are kept (reproducible)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zin:
        infos = zin.infolist()
        data = {info.filename: zin.read(info.filename) for info in infos}

    pages: list[tuple[str, str]] = []  # (href from the nav, label) in reading order
    starts = page_starts(typeset) if typeset is not None else []
    for name in sorted(n for n in data if _CHAPTER_FILE.search(n)):
        text = data[name].decode("utf-8")
        if starts:
            text, placed = insert_page_breaks(text, starts)
            pages += [(f"text/{name.rsplit('/', 1)[1]}#page-{label}", label) for label in placed]
        data[name] = _asides(text).encode("utf-8")

    for name in data:
        if name.endswith(".opf"):
            text = data[name].decode("utf-8")
            data[name] = text.replace("</metadata>", f"  {_package_metadata(edition, text, bool(pages))}\n"
                                      "  </metadata>", 1).encode("utf-8")
        elif name.endswith("nav.xhtml"):
            text = _landmarks(data[name].decode("utf-8"), data, edition)
            if pages:
                text = text.replace("</body>", page_list_nav(pages) + "</body>", 1)
            data[name] = text.encode("utf-8")

    with zipfile.ZipFile(target, "w") as zout:
        for info in infos:
            zout.writestr(info, data[info.filename], compress_type=info.compress_type)
