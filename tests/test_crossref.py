"""The Crossref deposit: valid against Crossref's deposit schema 5.3.1 (tests/data/crossref-5.3.1,
read offline), the book and each chapter with their DOIs, ISBNs and the chapter's printed pages
as the PDF beside it labels them. Built for real."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_small
from lxml import etree
from pypdf import PdfReader

from folio.cli import main

SCHEMAS = Path(__file__).parent / "data" / "crossref-5.3.1"
NS = {"c": "http://www.crossref.org/schema/5.3.1"}
PRESS = """web:
  base_url: https://press.example.org/small/
press:
  doi: 10.5555/small
  chapter_doi: 10.5555/small.{id}
  depositor_email: deposits@press.example.org
  publication_date: 2026-03-15
"""


class Offline(etree.Resolver):
    """The two W3C schemas the deposit schema names by web address, from the local copies."""

    def resolve(self, url, pubid, context):
        if url.startswith("http://www.w3.org/Math/XMLSchema/mathml3/"):
            return self.resolve_filename(str(SCHEMAS / "standard-modules" / "mathml3" / url.rsplit("/", 1)[1]), context)
        if url in ("http://www.w3.org/2001/xml.xsd", "http://www.w3.org/2009/01/xml.xsd"):
            return self.resolve_filename(str(SCHEMAS / "standard-modules" / "xml.xsd"), context)
        return None


def deposit_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Offline())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "crossref5.3.1.xsd"), parser))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("crossref")
    edition = copy_small(root)
    settings = edition / "edition.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + PRESS, encoding="utf-8")
    out = root / "out"
    assert main(["build", "-q", "--edition", str(edition), "--output", str(out), "--format", "pdf,crossref"]) == 0
    return out


@pytest.mark.slow
def test_the_deposit_is_valid_against_crossrefs_schema(built, tmp_path):
    schema = deposit_schema()
    tree = etree.parse(str(built / "small.crossref.xml"))
    assert schema.validate(tree), schema.error_log
    # and the schema refuses what Crossref would: a chapter without its DOI
    tree.find(".//c:content_item/c:doi_data/c:doi", NS).getparent().remove(
        tree.find(".//c:content_item/c:doi_data/c:doi", NS)
    )
    assert not schema.validate(tree)


@pytest.mark.slow
def test_the_deposit_carries_the_dois_isbns_and_printed_pages(built):
    tree = etree.parse(str(built / "small.crossref.xml"))
    book = tree.find(".//c:book/c:book_metadata", NS)
    assert book.findtext("c:doi_data/c:doi", namespaces=NS) == "10.5555/small"
    assert book.findtext("c:doi_data/c:resource", namespaces=NS) == "https://press.example.org/small/"
    assert [i.text for i in book.findall("c:isbn", NS)] == ["978-0-306-40615-7", "978-3-16-148410-0"]
    assert book.findtext("c:contributors/c:person_name/c:surname", namespaces=NS) == "Editor"
    reader = PdfReader(built / "small.pdf")
    labels = reader.page_labels
    text = {label: reader.pages[n].extract_text() for n, label in enumerate(labels)}
    items = tree.findall(".//c:content_item", NS)
    assert [i.findtext("c:doi_data/c:doi", namespaces=NS) for i in items] == ["10.5555/small.one", "10.5555/small.two"]
    for item in items:
        title = item.findtext("c:titles/c:title", namespaces=NS)
        first, last = (
            item.findtext("c:pages/c:first_page", namespaces=NS),
            item.findtext("c:pages/c:last_page", namespaces=NS),
        )
        assert title in text[first], (title, first)
        assert text[last].strip(), (title, last)  # the last page with its text, not the blank verso
        pages = labels[labels.index(first) : labels.index(last) + 1]
        assert all(text[page].strip() for page in pages)  # every page of the range printed
        url = item.findtext("c:doi_data/c:resource", namespaces=NS)
        assert url.startswith("https://press.example.org/small/chapter-") and url.endswith(".html")


def test_the_deposit_is_refused_without_what_crossref_needs(capsys, tmp_path):
    from conftest import run_build

    edition = copy_small(tmp_path)
    run = run_build(capsys, edition, tmp_path / "out", "--format", "crossref")
    assert run.status != 0
    for key in ("press.doi", "press.chapter_doi", "press.depositor_email", "web.base_url"):
        assert f"error E612: the Crossref deposit needs {key}" in run.stderr, run.stderr
    assert not (tmp_path / "out" / "small.crossref.xml").exists()
