"""The ONIX 3.0 feed: valid against EDItEUR's schema (as onixcheck bundles it), its extent the
printed page count of the PDF beside it, its two products linked, the EPUB's accessibility as
the EPUB declares it. Built for real."""

from __future__ import annotations

import zipfile
from pathlib import Path

import onixcheck
import pytest
from conftest import copy_small
from lxml import etree
from pypdf import PdfReader

from folio.cli import main
from folio.press.onix import EpubFacts, accessibility_codes

NS = {"o": "http://ns.editeur.org/onix/3.0/reference"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("onix")
    edition = copy_small(root)
    settings = edition / "edition.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + "press:\n  publication_date: 2026-03-15\n  thema: [NHD, DNT]\n  bisac: [HIS032000]\n",
        encoding="utf-8",
    )
    out = root / "out"
    assert main(["build", "-q", "--edition", str(edition), "--output", str(out), "--format", "pdf,onix"]) == 0
    return out


def code_list(name: str) -> set[str]:
    """The codes of an EDItEUR code list, from the code lists' schema onixcheck bundles."""
    path = Path(onixcheck.__file__).parent / "schema" / "xsd3.0" / "ONIX_BookProduct_CodeLists.xsd"
    tree = etree.parse(str(path))
    xs = {"xs": "http://www.w3.org/2001/XMLSchema"}
    (found,) = tree.findall(f"xs:simpleType[@name='{name}']", xs)
    return {e.get("value") for e in found.iter("{http://www.w3.org/2001/XMLSchema}enumeration")}


def products(path) -> dict:
    tree = etree.parse(str(path))
    return {p.findtext("o:DescriptiveDetail/o:ProductForm", namespaces=NS): p for p in tree.findall("o:Product", NS)}


@pytest.mark.slow
def test_the_feed_is_valid_onix_3(built, tmp_path):
    feed = built / "small.onix.xml"
    assert onixcheck.validate(str(feed)) == []
    # the validator does reject what the schema forbids: the title before the product form
    tree = etree.parse(str(feed))
    detail = tree.find("o:Product/o:DescriptiveDetail", NS)
    detail.insert(0, detail.find("o:TitleDetail", NS))
    broken = tmp_path / "broken.onix.xml"
    tree.write(str(broken), xml_declaration=True, encoding="UTF-8")
    assert onixcheck.validate(str(broken)) != []


@pytest.mark.slow
def test_the_feed_carries_the_books_facts(built):
    found = products(built / "small.onix.xml")
    paperback, epub = found["BC"], found["ED"]
    value = lambda product, path: product.findtext(path, namespaces=NS)  # noqa: E731
    assert value(paperback, "o:ProductIdentifier/o:IDValue") == "9780306406157"
    assert value(epub, "o:ProductIdentifier/o:IDValue") == "9783161484100"
    assert value(paperback, "o:RelatedMaterial/o:RelatedProduct/o:ProductIdentifier/o:IDValue") == "9783161484100"
    assert value(epub, "o:RelatedMaterial/o:RelatedProduct/o:ProductIdentifier/o:IDValue") == "9780306406157"
    pages = len(PdfReader(built / "small.pdf").pages)
    extents = {
        e.findtext("o:ExtentType", namespaces=NS): int(e.findtext("o:ExtentValue", namespaces=NS))
        for e in paperback.findall("o:DescriptiveDetail/o:Extent", NS)
    }
    assert extents["07"] == pages and extents["00"] + extents["03"] == pages
    assert value(epub, "o:DescriptiveDetail/o:Extent/o:ExtentValue") == str(pages)
    assert value(paperback, "o:DescriptiveDetail/o:TitleDetail/o:TitleElement/o:TitleText") == "A Small Test Edition"
    roles = [
        c.findtext("o:ContributorRole", namespaces=NS)
        for c in paperback.findall("o:DescriptiveDetail/o:Contributor", NS)
    ]
    assert roles == ["B01"]
    subjects = [
        (s.findtext("o:SubjectSchemeIdentifier", namespaces=NS), s.findtext("o:SubjectCode", namespaces=NS))
        for s in paperback.findall("o:DescriptiveDetail/o:Subject", NS)
    ]
    assert subjects[:3] == [("93", "NHD"), ("93", "DNT"), ("10", "HIS032000")]
    assert paperback.find("o:DescriptiveDetail/o:Subject/o:MainSubject", NS) is not None
    assert value(paperback, "o:PublishingDetail/o:PublishingDate/o:Date") == "20260315"


@pytest.mark.slow
def test_the_epubs_accessibility_is_what_the_epub_declares(built):
    (epub_product,) = [p for form, p in products(built / "small.onix.xml").items() if form == "ED"]
    codes = [
        f.findtext("o:ProductFormFeatureValue", namespaces=NS)
        for f in epub_product.findall("o:DescriptiveDetail/o:ProductFormFeature", NS)
        if f.findtext("o:ProductFormFeatureType", namespaces=NS) == "09"
    ]
    with zipfile.ZipFile(built / "small.epub") as book:
        opf = book.read(next(n for n in book.namelist() if n.endswith(".opf"))).decode()
    declared = {"tableOfContents": "11", "readingOrder": "13", "printPageNumbers": "19", "structuralNavigation": "29"}
    for feature, code in declared.items():
        assert (f">{feature}<" in opf) == (code in codes), (feature, codes)
    assert "04" not in codes and "85" not in codes  # no conformance claimed: the build did not verify it
    # onixcheck does not check these values: they are checked here against list 196 as it bundles it
    assert set(codes) <= code_list("List196"), set(codes) - code_list("List196")


def test_conformance_is_coded_only_when_the_epub_claims_it():
    facts = EpubFacts(("tableOfContents",), "", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA", "", True, True, False)
    codes = [code for code, _ in accessibility_codes(facts)]
    assert codes[:3] == ["04", "81", "85"] and "11" in codes and "52" in codes and "12" not in codes
    unclaimed = [code for code, _ in accessibility_codes(EpubFacts((), "", "", "", False, False, False))]
    assert unclaimed == ["10"]
    assert {code for code, _ in accessibility_codes(facts)} <= code_list("List196")
