"""WeasyPrint 70 moves a note to the next page, away from its call, to avoid an orphan;
``folio.layout.footnote_policy`` makes it honour ``footnote-policy: line`` instead. Laid out for real."""

from __future__ import annotations

import pytest
import weasyprint
from test_note_breaks import job_for, paragraph

from folio.layout import footnote_policy
from folio.layout.pdf import _anchors, _render

pytestmark = pytest.mark.slow  # builds books: run alone with -m 'not slow' for the fast tests


def page_with_a_note(words: int) -> str:
    """A paragraph of ``words`` words with a note near its end, then a paragraph of 80 words."""
    note = (
        '<span id="call-u-1" class="note-call"></span>'
        f'<span id="note-u-1" class="footnote">A note: {paragraph(2, 40)}.</span>'
    )
    body = f"<p>{paragraph(0, words)}{note} {paragraph(5, 6)}</p><p>{paragraph(9, 80)}</p>"
    return (
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        f'<section class="unit"><h1>Title</h1>{body}</section></body></html>'
    )


def pages_of_call_and_note(html: str) -> tuple[int, int]:
    anchors = _anchors(_render(html, job_for(html))[0])
    return anchors["call-u-1"], anchors.get("note-u-1", 0)


def test_the_pinned_weasyprint_is_corrected():
    assert weasyprint.__version__ == footnote_policy.VERSION
    assert footnote_policy.applied()


def test_a_note_stays_with_its_call_where_weasyprint_would_move_it():
    lengths = range(150, 262, 4)  # the first paragraph's length: its last lines come near the page's foot
    try:
        footnote_policy.restore()
        left_behind = [n for n in lengths if len(set(pages_of_call_and_note(page_with_a_note(n)))) > 1]
    finally:
        footnote_policy.apply()
    assert left_behind, "WeasyPrint no longer moves notes behind their calls: is the correction still needed?"
    for words in lengths:
        call, note = pages_of_call_and_note(page_with_a_note(words))
        assert call == note, f"{words} words: the call on page {call}, its note on page {note}"
