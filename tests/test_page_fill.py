"""page_fill: a page that must end early (the next paragraph cannot be broken) is stretched to
the foot of its text block, as LaTeX's \\flushbottom stretches it: the space goes before
headings (two shares) and between paragraphs (one), never after a heading, and no line moves
to another page. Laid out for real; the pages read back by Poppler."""

from __future__ import annotations

import subprocess

import pytest
from laid_out import document, paragraph, part_job, pdf_pages, render

from folio.layout import engine, page_fill
from folio.layout.page_facts import gaps
from folio.layout.pdf import lay_out_part

pytestmark = pytest.mark.slow  # lays out pages with WeasyPrint


def anchored(number: int, text: str, style: str = "") -> str:
    attribute = f' style="{style}"' if style else ""
    return f'<p{attribute}><span id="p-u-{number}" class="pb-anchor"></span>{text}</p>'


def book(paragraphs: int) -> str:
    """A heading, ``paragraphs`` paragraphs, a section heading and its first paragraph, then a
    paragraph that cannot be broken and does not fit under them: the first page ends early."""
    body = "".join(anchored(n, paragraph(n * 7, 45)) for n in range(1, paragraphs + 1))
    body += '<h2 id="sec-a">A section</h2>' + anchored(50, paragraph(2, 30))
    body += anchored(99, paragraph(3, 160), "break-inside: avoid")
    body += "".join(anchored(n, paragraph(n * 5, 45)) for n in range(100, 104))
    return document(body)


@pytest.fixture(autouse=True)
def corrected():
    engine.install()
    yield


def tops(document) -> dict[str, float]:
    """Where each anchor of the first page stands (its y, CSS px)."""
    return {name: box[1] for name, box in document.pages[0].anchors.items()}  # (x, y, width, height)


def test_a_page_that_ends_early_is_filled_to_the_foot_of_its_text_block(tmp_path):
    rendered = render(book(3))
    document = rendered.document
    (first, gap), *_ = gaps(document)
    assert first == 1 and gap >= 3, gaps(document)  # the unbreakable paragraph left lines empty
    text_before = pdf_pages(rendered, tmp_path)
    before = tops(document)

    assert page_fill.fill(document) == 1

    (_, left), *_ = gaps(document)
    assert left <= page_fill.SAFETY + 0.05, left  # the last line now stands at the foot
    assert pdf_pages(rendered, tmp_path) == text_before  # no line changed page, none changed
    after = tops(document)
    moved = {name: after[name] - before[name] for name in ("p-u-1", "p-u-2", "p-u-3", "sec-a", "p-u-50")}
    share = moved["p-u-2"]
    assert share > 0
    # the first paragraph follows its heading: no space; then one share a paragraph, two
    # before the section heading, none between that heading and its paragraph
    assert moved["p-u-1"] == pytest.approx(0, abs=0.01)
    assert moved["p-u-3"] == pytest.approx(2 * share, abs=0.01)
    assert moved["sec-a"] == pytest.approx(4 * share, abs=0.01)
    assert moved["p-u-50"] == pytest.approx(4 * share, abs=0.01)


def test_a_large_gap_is_filled_only_up_to_a_bound():
    rendered = render(book(2))
    document = rendered.document
    (_, gap), *_ = gaps(document)
    assert gap > 8, gap
    before = tops(document)
    page_fill.fill(document)
    (_, left), *_ = gaps(document)
    after = tops(document)
    line = page_fill.page_facts(document)[0].line_height
    share = after["p-u-2"] - before["p-u-2"]  # one share, at its bound: MAX_SHARE_LINES / 2 lines
    assert share == pytest.approx(page_fill.MAX_SHARE_LINES * line / 2, abs=0.01)
    assert after["sec-a"] - before["sec-a"] == pytest.approx(3 * share, abs=0.01)  # and two more
    assert 0 < left < gap  # filled as far as the bound lets it, the rest left empty


# -- where the fill cannot fill a page: a paragraph a line longer (TeX's \looseness=1)

SHORT_WORDS = (
    "the file and its copy were read in May by two of the men who kept the old list at the desk of the unit".split()
)


def short_words(count: int) -> str:
    return " ".join(SHORT_WORDS[i % len(SHORT_WORDS)] for i in range(count))


def long_paragraph_book() -> str:
    """A long paragraph of short words (room to spread a line's worth over its spaces), another,
    then a paragraph that cannot be broken and does not fit under them: the first page ends
    about thirteen lines early, and the fill can move only the second paragraph down."""
    body = anchored(1, short_words(204)) + anchored(2, paragraph(14, 40))
    body += anchored(99, paragraph(3, 160), "break-inside: avoid")
    body += "".join(anchored(n, paragraph(n * 5, 45)) for n in range(100, 104))
    return document(body)


def lines_of(rendered, tmp_path) -> list[list[str]]:
    """Each page's lines of text, read back by Poppler."""
    path = tmp_path / "lines.pdf"
    path.write_bytes(engine.write_pdf(rendered.document))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")]


def test_a_page_the_fill_cannot_fill_has_its_paragraph_set_a_line_longer(tmp_path):
    html = long_paragraph_book()
    first = render(html)
    assert "p-u-1" in first.extensible and "p-u-2" not in first.extensible  # short words have room, long ones not
    (page, gap), *_ = gaps(first.document)
    assert page == 1 and page_fill.unfilled(first.document) >= 2
    longer = page_fill.longer_paragraphs(first.document, first.extensible)
    assert longer == {"p-u-1"}

    again = render(html, longer)
    (_, gap_again), *_ = gaps(again.document)
    assert gap_again == pytest.approx(gap - 1, abs=0.05), "the page ends a line later"
    before, after = lines_of(first, tmp_path), lines_of(again, tmp_path)
    assert len(after[0]) == len(before[0]) + 1
    assert [" ".join(p).split() for p in after] == [" ".join(p).split() for p in before], "no word changed page"
    assert after[1:] == before[1:], "the pages after it are the same"


def test_the_layout_of_a_part_keeps_the_longer_paragraph():
    html = long_paragraph_book()
    plain = render(html)
    page_fill.fill(plain.document)
    (_, left_plain), *_ = gaps(plain.document)
    job = part_job(html)
    layout = lay_out_part(job)
    assert layout.passes == 2  # the part, then the part with the paragraph a line longer
    (page, left), *_ = layout.found.gaps
    assert page == 1 and left == pytest.approx(left_plain - 1, abs=0.05)


def test_the_first_paragraph_after_the_rest_of_one_begun_before_takes_a_share():
    """A page that opens with the rest of a paragraph from the page before: the paragraph that
    begins after it is moved down like any other (the page has then two places for space, not one)."""
    body = anchored(1, paragraph(0, 360)) + anchored(2, paragraph(5, 60)) + anchored(3, paragraph(9, 40))
    body += anchored(99, paragraph(3, 160), "break-inside: avoid") + anchored(100, paragraph(3, 50))
    html = document(body)
    rendered = render(html)
    laid = rendered.document
    pages = {name: number for number, page in enumerate(laid.pages, start=1) for name in page.anchors}
    assert pages["p-u-1"] == 1 and pages["p-u-2"] == pages["p-u-3"] == 2 and pages["p-u-99"] == 3
    (_, gap), (page, gap_two), *_ = gaps(laid)
    assert page == 2 and gap_two >= 3, gaps(laid)
    before = {name: box[1] for name, box in laid.pages[1].anchors.items()}
    page_fill.fill(laid)
    after = {name: box[1] for name, box in laid.pages[1].anchors.items()}
    first, second = after["p-u-2"] - before["p-u-2"], after["p-u-3"] - before["p-u-3"]
    assert first > 0 and second == pytest.approx(2 * first, abs=0.01)
    (_, _), (_, left), *_ = gaps(laid)
    assert left < gap_two


def test_a_quotation_keeps_its_heading_dateline_and_text_together():
    """In the appendix the space goes before each quotation's heading, never between its
    dateline and its text."""

    def quotation(n: int, words: int) -> str:
        return (
            f'<h3 id="q-{n}" class="quotation">A draft of 19{n}</h3>'
            f'<div class="dateline">{anchored(100 + n, f"{n} May 1934")}</div>'
            f'<div class="quotation-text"><blockquote>{anchored(200 + n, paragraph(n, words))}</blockquote></div>'
        )

    body = anchored(1, paragraph(0, 30)) + quotation(1, 50) + quotation(2, 50)
    body += anchored(99, paragraph(3, 200), "break-inside: avoid") + anchored(100, paragraph(3, 50))
    laid = render(document(body)).document
    (page, gap), *_ = gaps(laid)
    assert page == 1 and gap >= 3, gaps(laid)
    before = tops(laid)
    page_fill.fill(laid)
    after = tops(laid)
    moved = {name: after[name] - before[name] for name in ("q-1", "p-u-101", "p-u-201", "q-2", "p-u-102", "p-u-202")}
    assert moved["q-1"] > 0 and moved["q-2"] > moved["q-1"]
    for n in (1, 2):  # the dateline and the text go down with their heading, no further
        assert moved[f"p-u-{100 + n}"] == pytest.approx(moved[f"q-{n}"], abs=0.01)
        assert moved[f"p-u-{200 + n}"] == pytest.approx(moved[f"q-{n}"], abs=0.01)
