"""A manuscript with the shapes real books have (bench/generate.py, small): sections in
essays, chapter openings and front matter, sub-headings in claims (one called 'Appendix'),
notes in passages and quotations, notes called side by side, long notes that must
continue, a note longer than a page, three-digit note numbers, names ending in an
apostrophe, homonyms the text tells apart, a claim over a range of numbers, a chapter
with a short running head. It builds clean (--strict), and the books are read back."""

from __future__ import annotations

import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, epubcheck
from pdfread import BuiltPdf, fold

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

pytestmark = pytest.mark.slow  # builds books: run alone with -m 'not slow' for the fast tests


def _manuscript(root: Path) -> dict:
    figures = generate(root, small=True)
    # and a note longer than a page, in the first claim
    claim = root / "edition" / "claims" / "claim-001.md"
    note = " ".join(["The note goes on about the surviving protocols of the commission."] * 75 + ["Its last words."])
    claim.write_text(
        claim.read_text(encoding="utf-8") + f"\nA last remark on the protocols.[^long]\n\n[^long]: {note}\n",
        encoding="utf-8",
    )
    return figures


@pytest.fixture(scope="module")
def manuscript(tmp_path_factory):
    root = tmp_path_factory.mktemp("manuscript")
    figures = _manuscript(root)
    from folio.build import Options, build

    result = build(Options(edition=root / "edition", output=root / "output"))
    shown = "\n".join(p.format() for p in result.problems.sorted())
    # clean, but for loose lines within the target (at most 10 in 400 pages): justified
    # first-fit line breaking leaves one now and then that no hyphenation point can save
    loose = [p for p in result.problems.warnings if p.code == "W505"]
    assert not result.problems.errors and len(result.problems.warnings) == len(loose), shown
    assert len(loose) <= max(1, result.page_count // 40), shown
    return root, figures, result


def test_it_builds_clean_and_the_epub_passes_epubcheck(manuscript):
    root, figures, _result = manuscript
    assert figures["claims"] == 7 and figures["sections"] >= 4 and figures["long_notes"] >= 1
    check = epubcheck(root / "output" / "bench.epub")
    assert check.returncode == 0 and "0 fatals / 0 errors / 0 warnings" in check.stdout, check.stdout
    from folio.ebook.epub_check import run_ace

    found = run_ace(root / "output" / "bench.epub")
    assert found == [], found if isinstance(found, str) else [(f.rule, f.file, f.where) for f in found[:10]]


def test_every_note_stands_on_its_calls_page_and_continued_notes_go_on(manuscript):
    root, _figures, result = manuscript
    pdf = BuiltPdf(root / "output" / "bench.pdf")
    pages = pdf.destinations()
    calls = {name[len("call-") :]: page for name, page in pages.items() if name.startswith("call-")}
    assert len(calls) > 150
    for note, page in calls.items():
        assert pages.get(f"note-{note}") == page, note
    continued = {key for part in result.typeset.parts for key in part.continued}
    assert continued, "the long notes were continued"
    # the note longer than a page: it begins under its call and ends on a later page
    begins = [n for n in range(len(pdf.pages)) if "The note goes on about the surviving" in fold(pdf.text(n))]
    ends = [n for n in range(len(pdf.pages)) if "Its last words." in fold(pdf.text(n))]
    assert begins and ends and ends[0] > begins[0] and "A last remark on the protocols." in fold(pdf.text(begins[0]))
    # three-digit note numbers
    assert any(int(name.rsplit("-", 1)[1]) >= 100 for name in calls)


def test_pages_are_full_above_their_notes(manuscript):
    """No page of a part but its last ends 3 or more body lines above its notes (or the foot of
    its text block), and at most 5% of them 2 or more."""
    _root, _figures, result = manuscript
    gaps = [lines for part in result.typeset.parts for _page, lines in part.found.gaps]
    assert len(gaps) > 30
    assert not [g for g in gaps if g >= 3], sorted(gaps)[-5:]
    assert sum(g >= 2 for g in gaps) <= 0.05 * len(gaps), sorted(gaps)[-8:]


def test_no_line_is_broken_early_and_no_line_is_loose(manuscript):
    _root, _figures, result = manuscript
    assert not result.typeset.found.short_lines, result.typeset.found.short_lines
    assert len(result.typeset.found.loose_lines) <= 2, result.typeset.found.loose_lines


def test_headings_anywhere_become_bookmarks_and_navigation(manuscript):
    root, _figures, _result = manuscript
    from pypdf import PdfReader

    reader = PdfReader(str(root / "output" / "bench.pdf"))

    def titles(outline):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    bookmarks = list(titles(reader.outline))
    assert "The sources" in bookmarks and "About this chapter" in bookmarks and "Scope" in bookmarks
    with zipfile.ZipFile(root / "output" / "bench.epub") as book:
        nav = book.read(next(n for n in book.namelist() if n.endswith("nav.xhtml"))).decode()
    assert "The sources" in nav and "Scope" in nav and "What the record shows" in nav
    # a heading 'Appendix' in a claim does not take the appendix's id, nor does it open a part
    pdf = BuiltPdf(root / "output" / "bench.pdf")
    pages = pdf.destinations()
    assert "appendix" in pages and any(name.startswith("s-claim-") for name in pages)


def test_a_claim_over_a_range_prints_its_range(manuscript):
    root, _figures, _result = manuscript
    text = fold(BuiltPdf(root / "output" / "bench.pdf").all_text())
    assert text.count("4\u20137.") >= 3, "the heading, the contents and the appendix group"  # 4–7.
    assert "Quoted under claim 4\u20137" in text
    assert re.search(r"\b8\. The ", text), "numbering goes on after the range"


def test_the_index_misses_no_one_and_tells_homonyms_apart(manuscript):
    root, _figures, result = manuscript
    names = {entry.name for entry in result.typeset.index}
    assert "Chubar\u2019, Vlas" in names or "Chubar', Vlas" in names
    assert "Zhukov, Georgii" in names and "Zhukov, Iurii" in names
    assert "Kaganovich, Lazar'" in names or "Kaganovich, Lazar\u2019" in names
    persons = {p.name for p in result.edition.persons}
    assert persons == names, persons ^ names


def test_font_subsets_are_distinct_and_the_running_head_is_short(manuscript):
    root, _figures, _result = manuscript
    from folio.layout.preflight import preflight
    from folio.problems import Problems

    problems = Problems()
    edition = manuscript[2].edition
    preflight(root / "output" / "bench.pdf", edition, problems)
    assert not problems.errors, [p.format() for p in problems]
    text = fold(BuiltPdf(root / "output" / "bench.pdf").all_text())
    assert "Who Fostered the Cult" in text  # the short running head of chapter 1


def test_a_cached_parallel_rebuild_with_continued_notes_is_byte_identical(manuscript, tmp_path, monkeypatch):
    root, _figures, _result = manuscript
    from folio.build import Options, build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    work = tmp_path / "a"
    shutil.copytree(root, work, ignore=shutil.ignore_patterns("output", ".folio-cache"))
    first = build(Options(edition=work / "edition", output=work / "output", workers=2))
    assert not first.problems.errors
    claim = work / "edition" / "claims" / "claim-002.md"
    claim.write_text(claim.read_text(encoding="utf-8").replace("The ", "Thus the ", 1), encoding="utf-8")
    second = build(Options(edition=work / "edition", output=work / "output", workers=2))
    assert not second.problems.errors and {p.name for p in second.typeset.parts} >= set(second.laid_out)
    clean = tmp_path / "b"
    shutil.copytree(work, clean, ignore=shutil.ignore_patterns("output", ".folio-cache"))
    third = build(Options(edition=clean / "edition", output=clean / "output", workers=1, cache=False))
    assert not third.problems.errors
    for name in ("bench.pdf", "bench.epub"):
        assert (work / "output" / name).read_bytes() == (clean / "output" / name).read_bytes(), name
