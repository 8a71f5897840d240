"""Citations as editors write them, through the real Pandoc and citeproc (no layout: fast)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import convert_edition, copy_small


def _html(edition_dir) -> str:
    result, converted = convert_edition(edition_dir)
    assert not result.problems.errors, [p.format() for p in result.problems.errors]
    return "".join(item.html for item in converted)


def _visible(html: str) -> str:
    """The text of the print HTML with each note as [N]."""
    out, depth = [], 0
    for match in re.finditer(r"<(/?)(\w+)([^>]*)>|[^<]+", html):
        closing, tag, attrs = match.group(1), match.group(2), match.group(3) or ""
        if tag is None:
            if not depth:
                out.append(match.group(0))
        elif depth:
            depth += (tag == "span") * (-1 if closing else 1)
        elif tag == "span" and not closing and 'class="footnote' in attrs:
            depth = 1
            out.append("[N]")
    return "".join(out)


def test_a_citation_written_against_the_word_in_a_notes_style(tmp_path):
    """'in Kiev[@key].' prints 'in Kiev.' and its call, with no space before the full stop; a
    citation against a word followed by an editor's note is one note, not two numbers side by side."""
    edition = copy_small(tmp_path)
    claim = edition / "claims" / "first.md"
    text = claim.read_text(encoding="utf-8")
    old = "cites a book [@alpha2001, 14] and an article [@beta1999, 7].[^a1]"
    assert old in text
    claim.write_text(
        text.replace(old, "cites a book in Kiev[@alpha2001, 14]. It was published[@beta1999, 7].[^a1] End."),
        encoding="utf-8",
    )
    html = _html(edition)
    visible = _visible(html)
    assert "in Kiev.[N] It was published.[N] End." in visible, visible[visible.find("Kiev") - 100 :][:400]
    assert " ." not in visible
    assert re.search(r"\(1999\): 7\. A note of the editor’s own on the first claim\.", html)


TEXLIVE_BIB = Path("/usr/share/texlive/texmf-dist/bibtex/bib")
# the example bibliographies of BibTeX and BibLaTeX, from Debian's TeX Live (tools/system-deps.sh)
EXAMPLES = {
    "xampl.bib": TEXLIVE_BIB / "base" / "xampl.bib",
    "biblatex-examples.bib": TEXLIVE_BIB / "biblatex" / "biblatex" / "biblatex-examples.bib",
}
# each cross-referencing part, and the container it must be printed in: its parent's title
CONTAINED = {
    "xampl.bib": {
        "incollection-crossref": "High Speed Computer and Algorithm Organization",
        "inproceedings-crossref": "Proc. Fifteenth Annual Symposium on the Theory of Computing",
        "inbook-crossref": "The Art of Computer Programming",
        # (the journal's own name is in \mbox{}, which Pandoc's reading of LaTeX leaves out)
        "article-crossref": "41, no. 7 (1986)",
    },
    "biblatex-examples.bib": {"westfahl:space": "Space and Beyond: The Frontier Theme in Science Fiction"},
}
# a chapter of a collection is printed "in" its book
IN_BOOK = {"incollection-crossref", "westfahl:space"}


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_crossref_parts_print_with_their_container_from_the_tex_live_examples(name, tmp_path):
    """Every cited cross-referencing entry of TeX Live's example bibliographies prints with the
    title of the book, proceedings or journal that holds it, inherited as BibTeX and biber do."""
    source = EXAMPLES[name]
    if not source.exists():
        pytest.fail(f"{source} is missing: run 'make system-deps' (Debian's texlive-bibtex-extra)")
    edition = copy_small(tmp_path)
    bib = edition.parent / "bibliography.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n" + source.read_text(encoding="utf-8"), encoding="utf-8")
    claim = edition / "claims" / "first.md"
    paragraphs = "".join(f"\n\nPart {n} is cited here [@{key}].\n" for n, key in enumerate(CONTAINED[name]))
    claim.write_text(claim.read_text(encoding="utf-8") + paragraphs, encoding="utf-8")
    html = _html(edition)
    text = " ".join(re.sub(r"<[^>]+>", "", html).split()).replace("\u2019", "'").lower()
    for key, container in CONTAINED[name].items():
        assert container.lower() in text, (key, container)
    for key in IN_BOOK & set(CONTAINED[name]):
        assert f"in {CONTAINED[name][key].lower()}" in text, key


@pytest.mark.slow  # lays out the book
def test_a_chapter_cross_referencing_its_book_prints_in_it_in_the_pdf_and_the_epub(capsys, tmp_path):
    """An @incollection whose crossref parent is an @book: both books name the book that holds
    the chapter, its editor and publisher (read back from the PDF and from the EPUB's text)."""
    import zipfile

    from conftest import run_build
    from pdfread import BuiltPdf, fold

    edition = copy_small(tmp_path)
    bib = edition.parent / "bibliography.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8")
        + "\n@incollection{ivanov2000,\n  author = {Ivanov, Ivan},\n  title = {A Chapter on the Village},\n"
        "  pages = {10--20},\n  crossref = {tsd2000}\n}\n"
        "@book{tsd2000,\n  editor = {Danilov, Viktor},\n  title = {Tragediia sovetskoi derevni},\n"
        "  publisher = {ROSSPEN},\n  address = {Moscow},\n  year = {2000}\n}\n",
        encoding="utf-8",
    )
    claim = edition / "claims" / "first.md"
    claim.write_text(
        claim.read_text(encoding="utf-8") + "\n\nA chapter is cited [@ivanov2000, 12].\n", encoding="utf-8"
    )
    output = tmp_path / "output"
    run = run_build(capsys, edition, output, "--format", "pdf,epub")
    assert run.status == 0, run.stderr
    pdf = " ".join(fold(BuiltPdf(output / "small.pdf").all_text()).split()).lower()
    with zipfile.ZipFile(output / "small.epub") as epub:
        xhtml = " ".join(epub.read(name).decode("utf-8") for name in epub.namelist() if name.endswith(".xhtml"))
    epub_text = " ".join(re.sub(r"<[^>]+>", " ", xhtml).split()).lower()
    for text in (pdf, epub_text):
        assert "in tragediia sovetskoi derevni" in text
        assert "danilov" in text and "rosspen" in text


def test_a_note_of_the_passage_defined_in_the_analysis_keeps_its_lazy_lines(tmp_path):
    """A note called in the passage and written in the analysis, its paragraph going on in a
    line not indented (Markdown's lazy continuation): printed whole."""
    edition = copy_small(tmp_path)
    claim = edition / "claims" / "first.md"
    text = claim.read_text(encoding="utf-8")
    text = text.replace("quoted in full.", "quoted in full.[^p1]", 1)
    text += "\n[^p1]: The passage's note begins here\nand goes on in a lazy line.\n"
    claim.write_text(text, encoding="utf-8")
    visible = " ".join(re.sub(r"<[^>]+>", " ", _html(edition)).split())
    assert "The passage's note begins here and goes on in a lazy line." in visible.replace("\u2019", "'")
