"""The PDF, read back: page size, fonts, claims, notes on the page of their call."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import REPO
from pdfread import BuiltPdf, fold

from folio.edition.yamlfile import split_front_matter

pytestmark = pytest.mark.slow  # builds books: run alone with -m 'not slow' for the fast tests

POINTS_PER_INCH = 72


def claim_titles(edition_dir):
    titles = []
    for path in sorted((edition_dir / "claims").glob("*.md")):
        front, _body, _line = split_front_matter(path.read_text(encoding="utf-8"))
        titles.append(yaml.safe_load(front)["title"])
    return titles


def test_sample_pdf_page_size_is_the_trim_size(sample_build):
    pdf = BuiltPdf(sample_build / "secret-speech-examined.pdf")
    assert len(pdf.pages) > 20
    for page in pdf.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (6 * POINTS_PER_INCH, 9 * POINTS_PER_INCH)
        assert page.trimbox == page.mediabox  # no bleed asked for


def test_sample_pdf_embeds_every_font_and_only_the_bundled_one(sample_build):
    fonts = BuiltPdf(sample_build / "secret-speech-examined.pdf").fonts()
    assert fonts, "no fonts found"
    assert all(fonts.values()), f"fonts not embedded: {[f for f, e in fonts.items() if not e]}"
    assert all("Gentium-Book-Plus" in name for name in fonts), fonts
    assert any(name.endswith("Gentium-Book-Plus") for name in fonts)  # regular
    assert any(name.endswith("Gentium-Book-Plus-Italic") for name in fonts)  # italic


def test_sample_pdf_prints_every_claim_title(sample_build):
    text = fold(BuiltPdf(sample_build / "secret-speech-examined.pdf").all_text())
    titles = claim_titles(REPO / "edition")
    assert len(titles) >= 12
    for title in titles:
        assert fold(title) in text, title


def test_sample_pdf_prints_cyrillic_in_the_bundled_font(sample_build):
    text = BuiltPdf(sample_build / "secret-speech-examined.pdf").all_text()
    text = re.sub(r"\u2010\s*", "", text)  # a word hyphenated at a line's end, joined
    assert "партии врагов народа" in text
    assert "Декреты Советской власти" in text


def test_every_note_is_on_the_page_of_its_call(small_build, sample_build):
    for pdf_path in (small_build / "small.pdf", sample_build / "secret-speech-examined.pdf"):
        pdf = BuiltPdf(pdf_path)
        pages = pdf.destinations()
        calls = {name[len("call-") :]: page for name, page in pages.items() if name.startswith("call-")}
        assert calls, f"no note calls in {pdf_path.name}"
        for note, page in calls.items():
            assert pages.get(f"note-{note}") == page, f"{pdf_path.name}: note {note} not on page {page + 1}"


def test_small_edition_note_texts_are_printed_on_the_call_page(small_build):
    pdf = BuiltPdf(small_build / "small.pdf")
    pages = pdf.destinations()
    expected = {
        "front-introduction-1": "An introductory note.",
        "chapter-one-3": "A note of the editor's own on the first claim.",
        "chapter-two-3": "A note in the essay, citing",
    }
    for note, text in expected.items():
        assert fold(text) in fold(pdf.text(pages[f"call-{note}"])), note


def test_citations_are_full_at_first_use_in_each_chapter(small_build):
    pdf = BuiltPdf(small_build / "small.pdf")
    pages = pdf.destinations()
    full = "Anna Alpha, A Book about Moscow (Test University Press, 2001)"
    # chapter one: first citation full, the later one short
    chapter_one = fold(pdf.text(pages["chapter-one"]))
    assert f"{full}, 14." in chapter_one
    assert "Alpha, A Book about Moscow, 40." in chapter_one
    # chapter two cites the same book again: full again, because notes restart per chapter
    assert f"{full}, 30." in fold(pdf.text(pages["call-chapter-two-2"]))


def test_cross_references_print_page_numbers_both_ways(small_build):
    pdf = BuiltPdf(small_build / "small.pdf")
    pages = pdf.destinations()
    appendix_page = pages["sources-first"]
    claim_page = pages["claim-first"]
    # the printed folio is the arabic page number: the main matter starts at chapter one
    folio = lambda index: index - pages["chapter-one"] + 1  # noqa: E731
    assert f"Appendix, claim 1, p. {folio(appendix_page)}" in fold(pdf.text(claim_page))
    assert f"Quoted under claim 1, p. {folio(claim_page)}" in fold(pdf.text(appendix_page))


def test_pdf_metadata(sample_build):
    meta = BuiltPdf(sample_build / "secret-speech-examined.pdf").reader.metadata
    assert meta.title.startswith("The Secret Speech Examined")
    assert "Folio Sample Editions" in meta.author


def _note_texts(edition_dir):
    """Every note's text, from the real pipeline's print HTML: note id -> text."""
    from html.parser import HTMLParser

    from conftest import convert_edition

    _result, converted = convert_edition(edition_dir)

    class Notes(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.notes = [], {}

        def handle_starttag(self, tag, attrs):
            note = dict(attrs).get("id", "") if "footnote" in (dict(attrs).get("class") or "") else ""
            self.stack.append(note[len("note-") :] if note.startswith("note-") else None)
            if self.stack[-1]:
                self.notes[self.stack[-1]] = ""

        def handle_endtag(self, tag):
            if self.stack:
                self.stack.pop()

        def handle_data(self, data):
            for note in filter(None, self.stack):
                self.notes[note] += data

    parser = Notes()
    for item in converted:
        parser.feed(item.html)
    return parser.notes


def test_every_note_text_is_printed_on_the_page_of_its_call(small_build):
    import re

    letters = lambda s: re.sub(r"\W", "", fold(s))  # noqa: E731  hyphenation and spacing do not count
    from conftest import SMALL

    notes = _note_texts(SMALL / "edition")
    pdf = BuiltPdf(small_build / "small.pdf")
    pages = pdf.destinations()
    assert len(notes) >= 10
    for note, text in notes.items():
        page_text = letters(pdf.text(pages[f"call-{note}"]))
        assert letters(text) in page_text, f"note {note} ({text[:40]}...) not on the page of its call"


def test_index_of_names_prints_the_pages_where_the_names_stand(small_build):
    from folio.edition.names import to_roman

    pdf = BuiltPdf(small_build / "small.pdf")
    pages = pdf.destinations()
    main_start = pages["mainmatter"]
    folios = sorted({pages[name] for name in pages if name.startswith("ix-khrushchev-nikita-")})
    assert len(folios) == 3  # introduction, chapter one, chapter two
    printed = [str(p - main_start + 1) if p >= main_start else to_roman(p + 1) for p in folios]
    entry = f"Khrushchev, Nikita (1894–1971), {', '.join(printed)}"
    assert entry in fold(pdf.text(pages["index"])), (entry, pdf.text(pages["index"]))
    for page in folios:  # and the name is printed on each of those pages
        assert "Khrushchev" in pdf.text(page)


def test_pdf_variants_and_bleed(tmp_path):
    """PDF/A-2b carries an output intent, PDF/UA-1 a structure tree; with bleed and crop
    marks the MediaBox grows and the TrimBox stays the trim size."""
    from conftest import copy_small
    from pypdf import PdfReader

    from folio.cli import main

    cases = {
        "pdf/a-2b": "print:\n  pdf_variant: pdf/a-2b\n",
        "pdf/ua-1": "print:\n  pdf_variant: pdf/ua-1\n",
        "bleed": "print:\n  trim: a5\n  bleed: 0.125in\n  crop_marks: true\n",
    }
    for name, settings in cases.items():
        edition = copy_small(tmp_path / name.replace("/", "-"))
        (edition / "edition.yaml").write_text((edition / "edition.yaml").read_text() + settings)
        out = tmp_path / name.replace("/", "-") / "out"
        assert main(["build", "-q", "--format", "pdf", "--edition", str(edition), "--output", str(out)]) == 0, name
        reader = PdfReader(str(out / "small.pdf"))
        root = reader.trailer["/Root"]
        if name == "pdf/a-2b":
            assert root.get("/OutputIntents") is not None
        elif name == "pdf/ua-1":
            assert root.get("/StructTreeRoot") is not None and root.get("/Lang") == "en-US"
        else:
            page = reader.pages[0]
            bleed = 0.125 * 72
            assert abs(float(page.trimbox.width) - 148 / 25.4 * 72) < 0.5
            assert abs(float(page.mediabox.width) - float(page.trimbox.width) - 2 * bleed) < 0.5
            assert page.bleedbox == page.mediabox


def test_index_sub_entries_take_the_mentions_in_their_claims(capsys, tmp_path):
    from conftest import copy_small, run_build

    edition = copy_small(tmp_path)
    claim = edition / "claims" / "second.md"
    claim.write_text(claim.read_text().replace("See also [](#first).", "Khrushchev said so. See also [](#first)."))
    persons = edition / "persons.yaml"
    persons.write_text(
        persons.read_text() + "  subentries:\n    - label: on the second claim\n      claims: [second]\n"
    )
    run = run_build(capsys, edition, tmp_path / "out", "--format", "pdf")
    assert run.status == 0, run.stderr
    pdf = BuiltPdf(tmp_path / "out" / "small.pdf")
    pages = pdf.destinations()
    text = fold(pdf.text(pages["index"]))
    second = pages["claim-second"] - pages["mainmatter"] + 1
    assert "Khrushchev, Nikita (1894–1971), " in text, text
    assert f"on the second claim, {second}" in text, text
    persons.write_text(persons.read_text().replace("claims: [second]", "claims: [secnd]"))
    run = run_build(capsys, edition, tmp_path / "out2", command="check")
    assert run.status == 1 and "names unknown claim 'secnd'" in run.stderr and "did you mean 'second'?" in run.stderr


def test_distinct_font_subsets_have_distinct_names(sample_build):
    """Each part embeds its own subsets; the assembled book names each distinct program
    distinctly (read with pypdf, not with the qpdf that wrote it)."""
    import hashlib

    from pypdf import PdfReader

    reader = PdfReader(str(sample_build / "secret-speech-examined.pdf"))
    programs: dict[str, set] = {}
    for page in reader.pages:
        for ref in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            font = ref.get_object()
            holder = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = holder["/FontDescriptor"].get_object()
            data = descriptor["/FontFile2"].get_object().get_data()
            programs.setdefault(str(font["/BaseFont"]), set()).add(hashlib.sha256(data).digest())
            assert str(descriptor["/FontName"]) == str(font["/BaseFont"])
    assert len(programs) >= 3
    assert all(len(found) == 1 for found in programs.values()), {k: len(v) for k, v in programs.items()}


def test_the_margins_of_edition_yaml_set_the_text_block_and_are_checked_against_the_trim(capsys, tmp_path):
    """print.margins: the gutter at the spine on both pages of a spread (left on a recto, right on
    a verso), read back from the characters' boxes by PDFium; margins that leave the text less
    than half the page are refused at their line."""
    import pypdfium2 as pdfium
    from conftest import copy_small, run_build

    edition = copy_small(tmp_path)
    settings = edition / "edition.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace(
            "title: A Small Test Edition",
            "print:\n  margins:\n    inside: 1.2in\n    outside: 0.4in\ntitle: A Small Test Edition",
            1,
        ),
        encoding="utf-8",
    )
    run = run_build(capsys, edition, tmp_path / "out", "--format", "pdf")
    assert run.status == 0, run.stderr
    pdf = pdfium.PdfDocument(str(tmp_path / "out" / "small.pdf"))
    lefts = {}
    for index in range(len(pdf)):
        page = pdf[index]
        chars = page.get_textpage()
        boxes = [chars.get_charbox(n) for n in range(chars.count_chars())]
        body = [box[0] for box in boxes if box[2] > box[0] and 100 < box[1] < page.get_height() - 100]
        if len(body) > 200:
            lefts[index + 1] = min(body)
    rectos = [x for page, x in lefts.items() if page % 2 == 1]
    versos = [x for page, x in lefts.items() if page % 2 == 0]
    assert rectos and versos
    assert all(abs(x - 1.2 * 72) < 4 for x in rectos), rectos
    assert all(abs(x - 0.4 * 72) < 4 for x in versos), versos

    settings.write_text(
        text.replace(
            "title: A Small Test Edition",
            "print:\n  margins:\n    inside: 2in\n    outside: 1.5in\ntitle: A Small Test Edition",
            1,
        ),
        encoding="utf-8",
    )
    refused = run_build(capsys, edition, tmp_path / "out", command="check")
    assert refused.status == 1
    assert (
        "edition/edition.yaml:3: error E105: print.margins leave the text 2.50in of the page's 6.00in width"
        in refused.stderr
    )


def test_the_edition_s_own_typeface_sets_the_book_and_the_colophon_names_it(capsys, tmp_path):
    """print.font: the body is set in the edition's face (embedded, the bundled one standing
    after it for what it lacks); the copyright page says "Set in" it; without its regular
    style it is refused at its line."""
    import string

    from conftest import copy_small, run_build
    from fontmaker import make_font
    from pdfread import BuiltPdf

    edition = copy_small(tmp_path)
    (edition / "fonts").mkdir()
    make_font(edition / "fonts" / "House-Regular.ttf", string.ascii_letters + string.digits + ".,;:'", "House Serif")
    settings = edition / "edition.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace(
            "title: A Small Test Edition",
            "print:\n  font:\n    regular: fonts/House-Regular.ttf\n    licence: a test licence\n"
            "title: A Small Test Edition",
            1,
        ),
        encoding="utf-8",
    )
    run = run_build(capsys, edition, tmp_path / "out", "--format", "pdf,epub,html")
    assert run.status == 0, run.stderr
    assert "W216" not in run.stderr
    site = tmp_path / "out" / "small-web"
    site_css = (site / "site.css").read_text(encoding="utf-8")
    assert 'font-family: "House Serif"' in site_css and (site / "fonts" / "edition-regular.woff2").is_file()
    assert "Set in House Serif (a test licence)." in (site / "copyright.html").read_text(encoding="utf-8")
    pdf = BuiltPdf(tmp_path / "out" / "small.pdf")
    fonts = pdf.fonts()
    assert any("House" in name for name in fonts) and all(fonts.values()), fonts
    assert "Set in House Serif (a test licence)." in " ".join(pdf.all_text().split())
    import zipfile

    from folio.ebook.epub_check import run_epubcheck

    epub = tmp_path / "out" / "small.epub"
    with zipfile.ZipFile(epub) as book:
        names = book.namelist()
        css = "".join(book.read(n).decode() for n in names if n.endswith(".css"))
    assert any(n.endswith("fonts/House-Regular.ttf") for n in names), names
    assert 'font-family: "House Serif"' in css and "../fonts/House-Regular.ttf" in css
    assert run_epubcheck(epub) == [], "EPUBCheck finds nothing in the EPUB with its embedded face"
    settings.write_text(
        text.replace(
            "title: A Small Test Edition",
            "print:\n  font:\n    italic: fonts/House-Regular.ttf\ntitle: A Small Test Edition",
            1,
        ),
        encoding="utf-8",
    )
    refused = run_build(capsys, edition, tmp_path / "out", command="check")
    assert (
        refused.status == 1 and "edition/edition.yaml:2: error E104: 'print.font.regular' is required" in refused.stderr
    )


def test_a_typeface_whose_licence_bars_embedding_stays_out_of_the_epub(capsys, tmp_path):
    import string
    import zipfile

    from conftest import copy_small, run_build
    from fontmaker import make_font

    edition = copy_small(tmp_path)
    (edition / "fonts").mkdir()
    make_font(edition / "fonts" / "Closed.ttf", string.ascii_letters, "Closed Serif", fs_type=2)
    settings = edition / "edition.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "title: A Small Test Edition",
            "print:\n  font:\n    regular: fonts/Closed.ttf\ntitle: A Small Test Edition",
            1,
        ),
        encoding="utf-8",
    )
    run = run_build(capsys, edition, tmp_path / "out", "--format", "epub")
    assert run.status == 0, run.stderr
    assert "edition/edition.yaml:2: warning W111: the licence flags of print.font (regular)" in run.stderr, run.stderr
    with zipfile.ZipFile(tmp_path / "out" / "small.epub") as book:
        assert not [n for n in book.namelist() if "/fonts/" in n or n.startswith("fonts/")]


def test_the_index_title_is_one_setting_for_every_output(capsys, tmp_path):
    """contents.index_title names the index in the PDF (heading, contents, running head), the
    EPUB (heading, navigation) and the web edition (its page and its links)."""
    import zipfile

    from conftest import copy_small, run_build
    from pdfread import BuiltPdf

    edition = copy_small(tmp_path)
    settings = edition / "edition.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("contents:\n", "contents:\n  index_title: Index of Persons\n", 1),
        encoding="utf-8",
    )
    run = run_build(capsys, edition, tmp_path / "out", "--format", "pdf,epub,html")
    assert run.status == 0, run.stderr
    text = BuiltPdf(tmp_path / "out" / "small.pdf").all_text()
    assert "Index of Names" not in text and text.count("Index of Persons") >= 2
    with zipfile.ZipFile(tmp_path / "out" / "small.epub") as book:
        epub = " ".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith((".xhtml", ".ncx")))
    assert "Index of Names" not in epub and "Index of Persons" in epub
    site = " ".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "small-web").glob("*.html"))
    assert "Index of Names" not in site and "Index of Persons" in site
