"""Where WeasyPrint leaves a note behind its call, the build splits the paragraph before the
call's line and starts the next page there. Laid out for real and read back."""

from __future__ import annotations

import re

import pytest
from laid_out import paragraph, part_job

from folio.layout import engine
from folio.layout.pdf import _call_lines, _render, _with_breaks
from folio.layout.readback import anchor_pages, laid_out_lines, line_text, page_starts

pytestmark = pytest.mark.slow  # builds books: run alone with -m 'not slow' for the fast tests


def test_a_paragraph_split_before_the_calls_line_starts_the_next_page_there():
    body = (
        f'<p><span id="p-u-1" class="pb-anchor"></span>{paragraph(0, 120)} <em>{paragraph(3, 40)}'
        f'<span id="call-u-1" class="note-call"></span><span id="note-u-1" class="footnote">'
        f"A note with <em>its own</em> words.</span> {paragraph(7, 30)}</em> {paragraph(9, 200)}</p>"
    )
    html = (
        f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        f'<section class="unit"><h1>Title</h1>{body}</section></body></html>'
    )
    job = part_job(html)
    rendered = _render(html, job)
    call_page = anchor_pages(rendered.document)["call-u-1"]
    fixes = {"u-1": _call_lines(rendered, {"u-1"})["u-1"]}
    kind, block, words = fixes["u-1"]
    assert (kind, block) == ("line", "p-u-1") and words > 120

    split = _with_breaks(html, fixes)
    assert '<p class="folio-split-head">' in split
    assert (
        '</em></p><p data-folio-break="u-1" class="folio-split-tail"><span data-folio-continues="p-u-1"></span><em>'
    ) in split
    assert split.count('id="note-u-1"') == 1  # nothing with an id is repeated

    rendered = _render(split, job)
    document, root = rendered.document, rendered.root
    anchors = anchor_pages(document)
    assert anchors["call-u-1"] == anchors["note-u-1"] == call_page + 1
    lines = list(laid_out_lines(document, root))
    first = next(line for page, line, _b, _w in lines if page == call_page + 1)
    last = [line for page, line, _b, _w in lines if page == call_page][-1]
    # the next page opens with the call's line, unindented; the line before is justified full
    tail = split.split("folio-split-tail")[1].split("<em>", 1)[1]
    tail = re.sub(r"<[^>]+>", "", re.sub(r'<span id="note-u-1".*?</span>', "", tail))  # the words, the note left out
    assert line_text(first).split()[:3] == tail.split()[:3]
    assert abs(first.children[0].position_x - first.position_x) < 1, "the page's first line is not indented"
    measure = engine.pages(document)[0].content_width
    assert last.width > 0.97 * measure or sum(c.width for c in last.children) > 0.97 * measure
    # the EPUB's page list still finds the page: the same paragraph, the words before it
    starts = {s.page: s for s in page_starts(document, root)}
    assert (starts[call_page + 1].block, starts[call_page + 1].words) == ("p-u-1", words)
