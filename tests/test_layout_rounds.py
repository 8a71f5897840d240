"""A part laid out before the page numbers it prints are known (a draft) is printed from its
layout once they are, by the process that laid it out: the same file, to the byte, as the part
laid out with its numbers from the start. A number that changes its count of digits (its width)
makes the part be laid out again. Laid out for real."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from conftest import REPO

from folio.layout import pdf
from folio.layout.pdf import FONTS, PartJob
from folio.layout.workers import Task, Workers

pytestmark = pytest.mark.slow  # lays out pages with WeasyPrint

WORDS = (
    "archive memorandum protocol decree telegram version minute bureau report draft plenum "
    "ministry commission interrogation delegation statement directive transcript"
).split()


def paragraph(start: int, count: int) -> str:
    return " ".join(WORDS[(start + i) % len(WORDS)] for i in range(count))


def part(numbers: list[str], first_folio: int) -> PartJob:
    """A chapter of three pages or so, with cross-references printing ``numbers`` and a note."""
    refs = " ".join(
        f'{paragraph(n, 70)} see <a class="xref" href="#target-{n}" data-page="{number}">the source</a>.'
        for n, number in enumerate(numbers)
    )
    body = (
        f"<p>{refs}</p><p>{paragraph(3, 200)}"
        '<span id="call-u-1" class="note-call"></span><span id="note-u-1" class="footnote">A note.</span></p>'
        + "".join(f'<p id="target-{n}">{paragraph(n, 5)}</p>' for n in range(len(numbers)))
    )
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body data-title="Book">'
        '<div class="mainmatter"><section class="unit" data-unit="u"><h1 id="u">Title</h1>'
        f"{body}</section></div></body></html>"
    )
    css = "@page { size: 6in 9in; }"
    if first_folio != 1:
        css += f"\n@page :first {{ counter-reset: page {first_folio}; }}  /* this part's first folio */"
    return PartJob(
        name="u",
        html=html,
        part_css=css,
        css_path=str(REPO / "templates" / "print.css"),
        base_url=str(REPO) + "/",
        allowed=(str(REPO), str(FONTS)),
        pdf_options=(),
        pad_to_even=False,
    )


def pdf_pages(data: bytes) -> list[str]:
    import subprocess

    run = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return [" ".join(page.split()) for page in run.stdout.decode().split("\f")]


def test_a_draft_printed_with_its_numbers_is_the_part_laid_out_with_them():
    final = part(["412", "87", "3"], first_folio=37)
    draft = replace(part(["000", "00", "0"], first_folio=1), draft=True)
    assert pdf.finishable(draft, final)
    pdf.lay_out_part(draft, hold=True)
    printed = pdf.finish_part(final)
    assert printed.from_draft
    fresh = pdf.lay_out_part(final)
    assert not fresh.from_draft
    assert printed.pdf == fresh.pdf
    pages = pdf_pages(printed.pdf)  # read back by Poppler, not by the library that wrote it
    assert "p. 412" in " ".join(pages) and "p. 87" in " ".join(pages) and "p. 3" in " ".join(pages)
    assert re.search(r"\b37\b", pages[0]) and re.search(r"\b38\b", pages[1])  # folios from 37 on


def test_a_number_with_another_count_of_digits_has_the_part_laid_out_again():
    final = part(["1412", "87", "3"], first_folio=37)
    draft = replace(part(["000", "00", "0"], first_folio=1), draft=True)
    assert not pdf.finishable(draft, final)
    pdf.lay_out_part(draft, hold=True)
    laid_out = pdf.finish_part(final)  # told to print it anyway: it sees the widths differ
    assert not laid_out.from_draft
    assert laid_out.pdf == pdf.lay_out_part(final).pdf


def test_the_worker_that_laid_out_a_draft_prints_it():
    final = part(["412", "87", "3"], first_folio=37)
    draft = replace(part(["000", "00", "0"], first_folio=1), draft=True)
    workers = Workers(2).start()
    try:
        ((_layout, _task, worker),) = workers.run([Task(draft, hold=True)])
        assert worker is not None
        other = 1 - worker
        ((elsewhere, _t, _w),) = workers.run([Task(final, finish=True, worker=other)])
        assert not elsewhere.from_draft  # the other worker keeps no draft: it lays the part out
        ((printed, _t, by),) = workers.run([Task(final, finish=True, worker=worker)])
        assert printed.from_draft and by == worker
        assert printed.pdf == elsewhere.pdf
    finally:
        workers.close()
