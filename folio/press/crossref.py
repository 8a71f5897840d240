"""The Crossref deposit (schema 5.3.1): the book and each chapter as content items, with their
DOIs (press.doi, press.chapter_doi with the chapter's id), titles, contributors, ISBNs, the
publication date, and each chapter's first and last printed pages from this build's layout.
Each DOI resolves to its page of the web edition (web.base_url)."""

from __future__ import annotations

from lxml import etree

from folio.clock import build_moment
from folio.edition.model import Edition

NS = "http://www.crossref.org/schema/5.3.1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} https://www.crossref.org/schemas/crossref5.3.1.xsd"


def _e(parent, tag: str, text=None, **attrs):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)
    if text is not None:
        element.text = str(text)
    return element


def _person(parent, name: str, role: str, first: bool) -> None:
    person = _e(parent, "person_name", sequence="first" if first else "additional", contributor_role=role)
    if "," in name:
        surname, _, given = name.partition(",")
    else:
        given, _, surname = name.rpartition(" ")
    if given.strip():
        _e(person, "given_name", given.strip())
    _e(person, "surname", surname.strip())


def _date(parent, edition: Edition) -> None:
    press, year = edition.settings.press, edition.settings.year
    date = _e(parent, "publication_date", media_type="print")
    if press.publication_date:
        y, m, d = press.publication_date.split("-")
        _e(date, "month", m)
        _e(date, "day", d)
        _e(date, "year", y)
    else:
        _e(date, "year", year)


def chapter_pages(typeset, chapter_anchor: str) -> tuple[str, str] | None:
    """The first and last printed pages of a chapter (its blank verso left out), as folios."""
    offset = 0
    for layout in typeset.parts:
        if layout.name == chapter_anchor:
            pages = [start.page for start in layout.found.page_starts] or [1]
            return typeset.label(offset + 1), typeset.label(offset + max(pages))
        offset += layout.page_count
    return None


def deposit(edition: Edition, typeset, plain: dict | None = None, page_of=None) -> bytes:
    """The deposit of the book and its chapters (``page_of(anchor)``: a chapter's page of the web edition)."""
    s, press = edition.settings, edition.settings.press
    plain = plain or {}
    moment = build_moment()
    batch = etree.Element(f"{{{NS}}}doi_batch", nsmap={None: NS, "xsi": XSI}, version="5.3.1")
    batch.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    head = _e(batch, "head")
    _e(head, "doi_batch_id", f"{s.slug}-{moment:%Y%m%d%H%M%S}")
    _e(head, "timestamp", f"{moment:%Y%m%d%H%M%S}")
    depositor = _e(head, "depositor")
    _e(depositor, "depositor_name", press.depositor or s.publisher)
    _e(depositor, "email_address", press.depositor_email)
    _e(head, "registrant", s.publisher)
    book = _e(_e(batch, "body"), "book", book_type="edited_book" if s.editors and not s.authors else "monograph")
    metadata = _e(book, "book_metadata", language=s.language.split("-")[0].lower())
    people = [(n, "author") for n in s.authors] + [(n, "editor") for n in s.editors]
    if people:
        contributors = _e(metadata, "contributors")
        for number, (name, role) in enumerate(people):
            _person(contributors, name, role, number == 0)
    titles = _e(metadata, "titles")
    _e(titles, "title", plain.get(s.title.ref, str(s.title)))
    if s.subtitle:
        _e(titles, "subtitle", plain.get(s.subtitle.ref, str(s.subtitle)))
    _date(metadata, edition)
    if s.isbn_print:
        _e(metadata, "isbn", s.isbn_print, media_type="print")
    if s.isbn_ebook:
        _e(metadata, "isbn", s.isbn_ebook, media_type="electronic")
    if not (s.isbn_print or s.isbn_ebook):
        _e(metadata, "noisbn", reason="monograph")
    publisher = _e(metadata, "publisher")
    _e(publisher, "publisher_name", s.publisher)
    if s.place:
        _e(publisher, "publisher_place", s.place)
    doi_data = _e(metadata, "doi_data")
    _e(doi_data, "doi", press.doi)
    _e(doi_data, "resource", s.web_base_url)
    for number, chapter in enumerate(edition.chapters, start=1):
        item = _e(
            book, "content_item", component_type="chapter", level_sequence_number="1", publication_type="full_text"
        )
        chapter_titles = _e(item, "titles")
        _e(chapter_titles, "title", plain.get(getattr(chapter.title, "ref", None), str(chapter.title)))
        _e(item, "component_number", number)
        _date(item, edition)
        pages = chapter_pages(typeset, chapter.anchor)
        if pages:
            element = _e(item, "pages")
            _e(element, "first_page", pages[0])
            _e(element, "last_page", pages[1])
        chapter_doi = _e(item, "doi_data")
        _e(chapter_doi, "doi", press.chapter_doi_of(chapter.id))
        _e(chapter_doi, "resource", s.web_base_url + (page_of(chapter.anchor) if page_of else ""))
    return etree.tostring(batch, xml_declaration=True, encoding="UTF-8", pretty_print=True)
