"""The EPUB finished and written: what Pandoc cannot do, on parsed trees. Footnotes as
<aside>, accessibility metadata (EPUB Accessibility 1.1), the print edition the book
corresponds to, its page list (from the print layout) and landmarks."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

from lxml import etree

from folio import ids
from folio.clock import build_moment
from folio.ebook.frame import Book
from folio.edition.model import Edition
from folio.pagemap import insert_page_breaks, page_marks

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
