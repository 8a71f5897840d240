"""The ONIX for Books 3.0 feed (reference tags): one message with a product for the paperback
and one for the EPUB, from the same edition.yaml as the book, the printed page count of this
build and the accessibility the EPUB itself declares (read back from its package document).

Codes are from EDItEUR's code lists: ProductIDType 15 (ISBN-13), ProductForm BC (paperback) and
ED (digital download) with ProductFormDetail E101 (EPUB), ContributorRole A01 (author) and B01
(editor), ExtentType 00/03/07/08 (main content, front matter, absolute page count, pages of the
print counterpart), MeasureType 01/02/03 (height, width, thickness), SubjectSchemeIdentifier 93
(Thema subject category), 10 (BISAC) and 20 (keywords), TextType 03 (description),
ProductRelationCode 27/13 (electronic version available as / e-publication based on the print
product, with 06 alternative format), and list 196 for the EPUB's accessibility (ProductFormFeatureType 09)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from folio.clock import build_moment
from folio.edition.model import Edition

NS = "http://ns.editeur.org/onix/3.0/reference"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"

# ISO 639-2/B, as ONIX wants the language (edition.yaml gives a BCP 47 tag)
LANGUAGES = {
    "ar": "ara", "cs": "cze", "da": "dan", "de": "ger", "el": "gre", "en": "eng", "es": "spa", "fi": "fin",
    "fr": "fre", "he": "heb", "hu": "hun", "it": "ita", "ja": "jpn", "la": "lat", "nl": "dut", "no": "nor",
    "pl": "pol", "pt": "por", "ro": "rum", "ru": "rus", "sk": "slo", "sv": "swe", "tr": "tur", "uk": "ukr",
    "zh": "chi",
}  # fmt: skip

# what the EPUB's package declares (schema.org accessibilityFeature) -> ONIX list 196
FEATURES = {
    "tableOfContents": "11",
    "readingOrder": "13",
    "alternativeText": "14",
    "printPageNumbers": "19",
    "structuralNavigation": "29",
    "displayTransformability": "36",
    "pageNavigation": "41",
}


@dataclass(frozen=True)
class EpubFacts:
    """What the EPUB declares of itself, read from its package document and navigation."""

    features: tuple[str, ...]  # schema:accessibilityFeature values
    summary: str
    conforms_to: str  # dcterms:conformsTo ('' when no conformance is claimed)
    certified_by: str
    sufficient_textual: bool  # schema:accessModeSufficient textual
    language_tagged: bool  # the chapters carry their language
    has_index: bool  # the navigation has an index landmark


def epub_facts(epub: Path) -> EpubFacts:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with zipfile.ZipFile(epub) as book:
        names = book.namelist()
        opf = etree.fromstring(book.read(next(n for n in names if n.endswith(".opf"))), parser)
        nav = book.read(next(n for n in names if n.endswith("nav.xhtml"))).decode("utf-8")
        chapter = next((n for n in names if re.search(r"/text/ch\d+\.xhtml$", n)), None)
        first = book.read(chapter).decode("utf-8") if chapter else ""
    metas = [(m.get("property"), (m.text or "").strip()) for m in opf.iter(f"{{{OPF}}}meta")]
    values = lambda prop: [v for p, v in metas if p == prop]  # noqa: E731
    return EpubFacts(
        features=tuple(values("schema:accessibilityFeature")),
        summary=" ".join(values("schema:accessibilitySummary")),
        conforms_to=" ".join(values("dcterms:conformsTo")),
        certified_by=" ".join(values("a11y:certifiedBy")),
        sufficient_textual="textual" in values("schema:accessModeSufficient"),
        language_tagged=bool(re.search(r"<html[^>]*\slang=", first)),
        has_index='epub:type="index"' in nav,
    )


def accessibility_codes(facts: EpubFacts) -> list[tuple[str, str]]:
    """(list 196 code, description) for what the EPUB really declares; conformance only when it
    claims it (folio claims it only when EPUBCheck and DAISY Ace passed)."""
    codes: list[tuple[str, str]] = []
    match = re.search(r"EPUB Accessibility 1\.(\d)", facts.conforms_to)
    if match:
        codes.append(("04" if match.group(1) == "1" else "03", ""))
        wcag = re.search(r"WCAG 2\.(\d) Level (A+)", facts.conforms_to)
        if wcag:
            codes.append({"0": ("80", ""), "1": ("81", ""), "2": ("82", "")}[wcag.group(1)])
            codes.append({"A": ("84", ""), "AA": ("85", ""), "AAA": ("86", "")}[wcag.group(2)])
    codes.append(("10", ""))  # folio's EPUBs have no DRM: no reading system option is disabled
    codes += [(FEATURES[f], "") for f in facts.features if f in FEATURES]
    if facts.has_index:
        codes.append(("12", ""))
    if facts.language_tagged:
        codes.append(("22", ""))
    if facts.sufficient_textual:
        codes.append(("52", ""))
    if facts.certified_by:
        codes.append(("90", facts.certified_by))
    if facts.summary:
        codes.insert(0, ("00", facts.summary))
    return list(dict.fromkeys(codes))


def _e(parent, tag: str, text=None, **attrs):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)
    if text is not None:
        element.text = str(text)
    return element


def _isbn(isbn: str) -> str:
    return isbn.replace("-", "").replace(" ", "")


def _inverted(name: str) -> str:
    if "," in name:
        return name
    parts = name.split()
    return f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else name


def _uninverted(name: str) -> str:
    if "," not in name:
        return name
    key, _, given = name.partition(",")
    return f"{given.strip()} {key.strip()}"


def _descriptive(product, edition: Edition, form: str, pages: dict, size=None, epub: EpubFacts | None = None):
    s, press = edition.settings, edition.settings.press
    detail = _e(product, "DescriptiveDetail")
    _e(detail, "ProductComposition", "00")
    _e(detail, "ProductForm", form)
    if form == "ED":
        _e(detail, "ProductFormDetail", "E101")  # EPUB
        for code, description in accessibility_codes(epub) if epub is not None else ():
            feature = _e(detail, "ProductFormFeature")
            _e(feature, "ProductFormFeatureType", "09")
            _e(feature, "ProductFormFeatureValue", code)
            if description:
                _e(feature, "ProductFormFeatureDescription", description)
    if size is not None:
        for kind, value in (("01", size.trim_height), ("02", size.trim_width), ("03", size.spine)):
            measure = _e(detail, "Measure")
            _e(measure, "MeasureType", kind)
            _e(measure, "Measurement", f"{value:.4f}".rstrip("0").rstrip("."))
            _e(measure, "MeasureUnitCode", "in")
    if form == "ED":
        _e(detail, "EpubTechnicalProtection", "00")  # none
    title = _e(detail, "TitleDetail")
    _e(title, "TitleType", "01")
    element = _e(title, "TitleElement")
    _e(element, "TitleElementLevel", "01")
    _e(element, "TitleText", pages["title"])
    if pages["subtitle"]:
        _e(element, "Subtitle", pages["subtitle"])
    people = [("A01", n) for n in s.authors] + [("B01", n) for n in s.editors]
    for number, (role, name) in enumerate(people, start=1):
        contributor = _e(detail, "Contributor")
        _e(contributor, "SequenceNumber", number)
        _e(contributor, "ContributorRole", role)
        _e(contributor, "PersonName", _uninverted(name))
        _e(contributor, "PersonNameInverted", _inverted(name))
    if not people:
        _e(detail, "NoContributor")
    if s.edition:
        _e(detail, "EditionStatement", s.edition)
    code = LANGUAGES.get(s.language.split("-")[0].lower())
    if code:
        language = _e(detail, "Language")
        _e(language, "LanguageRole", "01")
        _e(language, "LanguageCode", code)
    extents = (
        [("00", pages["main"]), ("03", pages["front"]), ("07", pages["all"])]
        if form == "BC"
        else [("08", pages["all"])]
    )
    for kind, value in extents:
        if value:
            extent = _e(detail, "Extent")
            _e(extent, "ExtentType", kind)
            _e(extent, "ExtentValue", value)
            _e(extent, "ExtentUnit", "03")  # pages
    first = True
    for scheme, codes in (("93", press.thema), ("10", press.bisac)):
        for value in codes:
            subject = _e(detail, "Subject")
            if first:
                _e(subject, "MainSubject")
                first = False
            _e(subject, "SubjectSchemeIdentifier", scheme)
            _e(subject, "SubjectCode", value)
    if s.subjects:
        subject = _e(detail, "Subject")
        _e(subject, "SubjectSchemeIdentifier", "20")  # keywords
        _e(subject, "SubjectHeadingText", "; ".join(s.subjects))


def _product(message, edition: Edition, form: str, isbn: str, other: str, pages: dict, size=None, epub=None):
    s, press = edition.settings, edition.settings.press
    product = _e(message, "Product")
    _e(product, "RecordReference", f"folio.{s.slug}.{_isbn(isbn)}")
    _e(product, "NotificationType", "03")  # confirmed on publication
    identifier = _e(product, "ProductIdentifier")
    _e(identifier, "ProductIDType", "15")
    _e(identifier, "IDValue", _isbn(isbn))
    _descriptive(product, edition, form, pages, size, epub)
    text = s.press.cover_back or s.description
    if text:
        collateral = _e(product, "CollateralDetail")
        content = _e(collateral, "TextContent")
        _e(content, "TextType", "03")  # description
        _e(content, "ContentAudience", "00")
        _e(content, "Text", text, textformat="06")  # plain text
    publishing = _e(product, "PublishingDetail")
    if s.publisher:
        publisher = _e(publishing, "Publisher")
        _e(publisher, "PublishingRole", "01")
        _e(publisher, "PublisherName", s.publisher)
    if s.place:
        _e(publishing, "CityOfPublication", s.place)
    _e(publishing, "PublishingStatus", "04")  # active
    date = press.publication_date.replace("-", "") if press.publication_date else (str(s.year) if s.year else "")
    if date:
        published = _e(publishing, "PublishingDate")
        _e(published, "PublishingDateRole", "01")
        _e(published, "Date", date, dateformat="00" if len(date) == 8 else "05")
    if other:
        related = _e(_e(product, "RelatedMaterial"), "RelatedProduct")
        _e(related, "ProductRelationCode", "06")  # alternative format
        _e(related, "ProductRelationCode", "27" if form == "BC" else "13")
        identifier = _e(related, "ProductIdentifier")
        _e(identifier, "ProductIDType", "15")
        _e(identifier, "IDValue", _isbn(other))
    return product


def onix_message(edition: Edition, typeset, size, epub: EpubFacts | None, plain: dict | None = None) -> bytes:
    """The ONIX message: the paperback (with its print ISBN) and the EPUB (with its own)."""
    s = edition.settings
    plain = plain or {}
    pages = {
        "title": plain.get(s.title.ref, str(s.title)),
        "subtitle": plain.get(s.subtitle.ref, str(s.subtitle)) if s.subtitle else "",
        "all": typeset.page_count,
        "front": typeset.main_start - 1,
        "main": typeset.page_count - typeset.main_start + 1,
    }
    message = etree.Element(f"{{{NS}}}ONIXMessage", nsmap={None: NS}, release="3.0")
    header = _e(message, "Header")
    sender = _e(header, "Sender")
    _e(sender, "SenderName", s.publisher or "folio")
    _e(header, "SentDateTime", f"{build_moment():%Y%m%dT%H%M%SZ}")
    if s.isbn_print:
        _product(message, edition, "BC", s.isbn_print, s.isbn_ebook, pages, size=size)
    if s.isbn_ebook:
        _product(message, edition, "ED", s.isbn_ebook, s.isbn_print, pages, epub=epub)
    return etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True)
