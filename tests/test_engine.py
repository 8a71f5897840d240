"""The contract with WeasyPrint (folio/layout/engine.py): the version folio corrects, the
corrections in place and doing what they are for, and the typed view of a laid-out page
finding what it reads. An upgrade of WeasyPrint that changes any of it fails here, loudly,
instead of making books without continued notes or checks. Laid out for real."""

from __future__ import annotations

import pytest
from laid_out import anchors, document, note, paragraph, pdf_pages, render

from folio.layout import engine
from folio.layout.engine import Kind
from folio.layout.page_facts import body_lines
from folio.layout.readback import line_text

pytestmark = pytest.mark.slow  # lays out pages with WeasyPrint


@pytest.fixture(autouse=True)
def corrected():
    engine.install()
    yield
    engine.install()


def test_the_pinned_weasyprint_is_the_one_corrected():
    assert engine.weasyprint.__version__ == engine.VERSION
    engine.install()
    assert engine.installed()
    # the words the corrections change are found once each in WeasyPrint's own source
    assert engine._LINEBOX_LAYOUT is not None and engine._MAKE_PAGE is not None


def test_another_weasyprint_is_refused_with_what_to_do(monkeypatch):
    monkeypatch.setattr(engine.weasyprint, "__version__", "71.0")
    with pytest.raises(engine.EngineMismatch, match=r"needs WeasyPrint 70\.0.*pip install 'weasyprint==70\.0'"):
        engine.install()


def test_the_typed_view_finds_lines_notes_and_margin_boxes():
    html = document(f"<p>{paragraph(0, 60)}{note('u-1', 'A short note.')} {paragraph(3, 30)}</p>")
    rendered = render(html)
    (view,) = engine.pages(rendered.document)
    lines = [box for box in engine.descendants(view.body) if engine.kind(box) is Kind.LINE]
    assert len(lines) >= 8
    assert any("archive memorandum" in "".join(engine.text(b) for b in engine.descendants(line)) for line in lines)
    assert view.note_area is not None and engine.kind(view.note_area) is Kind.NOTE_AREA
    assert [n.element.get("id") for n in view.notes] == ["note-u-1"]
    # the first page of a part: its folio at the foot, no running head
    assert [engine.margin_keyword(box) for box in view.margins] == ["@bottom-center"]
    kinds = {engine.kind(box) for box in engine.descendants(view.box)}
    assert {Kind.LINE, Kind.TEXT, Kind.INLINE, Kind.BLOCK, Kind.NOTE_AREA, Kind.MARGIN} <= kinds
    justified = [box for line in lines[:-1] for box in engine.descendants(line) if engine.kind(box) is Kind.TEXT]
    assert any(engine.word_space(box) > 0 for box in justified), "justified lines carry their word spacing"
    assert 0 < view.content_top < view.content_top + view.content_height < view.box.margin_height()


def test_a_float_in_the_margin_is_known_as_one():
    html = document(
        '<p><a class="text-claim" href="#x">7</a>' + paragraph(0, 40) + "</p>"
        '<p id="x" style="float: none">' + paragraph(2, 10) + "</p>"
    )
    (view,) = engine.pages(render(html).document)
    boxes = list(engine.descendants(view.body))
    floated = [box for box in boxes if engine.is_floated(box)]
    assert len(floated) == 1 and "7" in "".join(engine.text(b) for b in engine.descendants(floated[0]))
    assert floated[0].position_x + floated[0].margin_left < view.content_left, "the claim's number stands in the margin"


def test_a_note_stays_with_its_call_where_weasyprint_would_move_it():
    """WeasyPrint 70 moves a note behind its call to avoid an orphan, whatever the note's policy."""

    def pages(words: int) -> tuple[int, int]:
        body = f"<p>{paragraph(0, words)}{note('u-1', 'A note: ' + paragraph(2, 40))} {paragraph(5, 6)}</p>"
        found = anchors(render(document(body + f"<p>{paragraph(9, 80)}</p>")))
        return found["call-u-1"], found.get("note-u-1", 0)

    lengths = range(150, 262, 4)  # the first paragraph's length: its last lines come near the page's foot
    try:
        engine.uninstall()
        left_behind = [n for n in lengths if len(set(pages(n))) > 1]
    finally:
        engine.install()
    assert left_behind, "WeasyPrint no longer moves notes behind their calls: is the correction still needed?"
    for words in lengths:
        call, printed = pages(words)
        assert call == printed, f"{words} words: the call on page {call}, its note on page {printed}"


def test_a_long_note_goes_on_at_the_foot_of_the_next_page(tmp_path):
    long_note = paragraph(1, 330) + " The last words of the note."
    body = f"<p>{paragraph(0, 450)}{note('u-1', long_note)} {paragraph(4, 400)}</p>"
    rendered = render(document(body))
    assert rendered.continued == ("note-u-1",)
    views = engine.pages(rendered.document)
    found = anchors(rendered)
    call = found["call-u-1"]
    assert found["note-u-1"] == call
    head, rest = views[call - 1], views[call]
    assert [n.element.get("id") for n in head.notes] == ["note-u-1"] == [n.element.get("id") for n in rest.notes]
    # the head fills the call's page: the area ends at the foot of the text block
    bottom = head.content_top + head.content_height
    assert abs(head.note_area.position_y + head.note_area.margin_height() - bottom) < 1
    pages = pdf_pages(rendered, tmp_path)
    assert "The last words of the note." in pages[call] and "The last words" not in pages[call - 1]
    # nothing lost, nothing repeated: the pieces hold the note's words in order, its number once
    assert note_text(head, "note-u-1") + " " + note_text(rest, "note-u-1") == long_note
    marker = [b for b in engine.descendants(rest.note_area) if engine.is_generated(b) and engine.text(b).strip()]
    assert not marker, "the rest of a note carries no number"


def note_text(view, note_id: str) -> str:
    """The words of a note's piece on a page (its number left out), its lines joined: a word
    hyphenated at a line's end made whole."""
    (piece,) = [n for n in view.notes if n.element.get("id") == note_id]
    joined = ""
    for line in body_lines(piece):
        text = line_text(line).strip()
        joined = joined[:-1] + text if joined.endswith(("\u2010", "-")) else (joined + " " + text).strip()
    return " ".join(joined.split())


def test_a_note_longer_than_a_page_goes_on_over_as_many_pages_as_it_needs(tmp_path):
    long_note = paragraph(2, 1500) + " The very last words."
    rendered = render(document(f"<p>{paragraph(0, 200)}{note('u-1', long_note)} {paragraph(6, 900)}</p>"))
    views = engine.pages(rendered.document)
    with_note = [v for v in views if any(n.element.get("id") == "note-u-1" for n in v.notes)]
    assert len(with_note) >= 3
    for view in with_note:  # never over the text, never below the text block
        area = view.note_area
        assert area.position_y >= view.content_top - 1
        assert area.position_y + area.margin_height() <= view.content_top + view.content_height + 1
    for view in with_note[1:-1]:  # the middle pieces leave room for text
        assert view.note_area.margin_height() <= (engine.TALL_NOTE_SHARE + 0.05) * view.content_height
        assert any(engine.kind(b) is Kind.LINE for b in engine.descendants(view.body))
    pages = pdf_pages(rendered, tmp_path)
    assert "The very last words." in pages[with_note[-1].number - 1]


def test_each_note_is_laid_out_once_a_page():
    """The area's height comes from each piece measured once, not from laying out all of a page's
    notes again for every note added (what WeasyPrint does)."""
    import weasyprint.layout
    from weasyprint.layout import block

    calls = []
    original = block.block_level_layout

    def counting(context, box, *args, **kwargs):
        if engine.kind(box) is Kind.NOTE_AREA:
            calls.append(len(engine.children(box)))
        return original(context, box, *args, **kwargs)

    notes = "".join(f"{paragraph(n, 12)}{note(f'u-{n}', paragraph(n, 10))} " for n in range(1, 9))
    modules = (block, engine.page_layout, weasyprint.layout)  # each calls it by its own name
    for module in modules:
        module.block_level_layout = counting
    try:
        rendered = render(document(f"<p>{notes}</p>"))
    finally:
        for module in modules:
            module.block_level_layout = original
    (view,) = engine.pages(rendered.document)
    assert len(view.notes) == 8
    # each note measured alone once, and the whole area laid out once at the page's foot
    assert sorted(calls) == [1] * 8 + [8], calls


def test_a_note_called_beside_one_longer_than_a_page_follows_its_rest(tmp_path):
    """Two calls side by side, the first note longer than a page: the line of the calls stays (its
    page full), the first note goes on over the pages after, the second is printed after its rest
    (the notes keep their order, as TeX prints them); the layout says why it is off its call's page."""
    from folio.layout import pdf

    long_note = paragraph(2, 1200) + " The very last words."
    body = (
        f"<p>{paragraph(0, 330)}{note('u-3', long_note)}<span class='note-sep'>,</span>"
        f"{note('u-4', 'The second note.')} {paragraph(6, 600)}</p>"
    )
    rendered = render(document(body))
    found = anchors(rendered)
    call = found["call-u-3"]
    assert found["call-u-4"] == call == found["note-u-3"]
    head = engine.pages(rendered.document)[call - 1]
    bottom = head.content_top + head.content_height
    assert abs(head.note_area.position_y + head.note_area.margin_height() - bottom) < 1, "the call's page is full"
    pages = pdf_pages(rendered, tmp_path)
    last = next(n for n, text in enumerate(pages) if "The very last words." in text)
    assert last > call and "The second note." in pages[last]
    assert pages[last].index("The very last words.") < pages[last].index("The second note.")
    (placement,) = pdf._misplaced_notes(found)
    assert (placement.note_id, placement.behind) == ("u-4", "u-3")


def test_the_notes_not_yet_placed_answer_membership_without_a_scan():
    """WeasyPrint asks, for every box of every line, whether its note is still pending (a list
    scan, quadratic in a part's notes); the engine keeps that list with a set of its members.
    The line layout must still ask exactly that question of ``context.footnotes``."""
    import inspect

    from weasyprint.layout import LayoutContext, block

    assert "descendant.footnote in context.footnotes" in inspect.getsource(engine._ORIGINAL["linebox_layout"])
    assert "self.footnotes = []" in inspect.getsource(engine._ORIGINAL["context_init"])
    notes = engine.PendingNotes()
    a, b = object(), object()
    notes.append(a)
    notes.insert(0, b)
    copied = notes.copy()
    notes.remove(a)
    assert a not in notes and b in notes and None not in notes
    assert isinstance(copied, engine.PendingNotes) and a in copied and copied == [b, a]
    assert block._linebox_layout is not engine._ORIGINAL["linebox_layout"]
    assert LayoutContext.__init__ is engine._context_init

    notes_html = "".join(f"{paragraph(n, 12)}{note(f'u-{n}', paragraph(n, 6))} " for n in range(1, 6))
    rendered = render(document(f"<p>{notes_html}</p>"))
    assert isinstance(rendered.context.footnotes, engine.PendingNotes)
    assert len(engine.pages(rendered.document)[0].notes) == 5


def test_what_total_fit_reads_of_weasyprint_is_where_it_was():
    """The line breaking's hook (engine._iter_line_boxes, _split_text_box) calls these with these
    parameters, reads these style keys, and leaves WeasyPrint's first fit only the breaks chosen."""
    import inspect

    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block, inline, percent
    from weasyprint.text import line_break

    assert list(inspect.signature(engine._ORIGINAL["iter_line_boxes"]).parameters) == [
        "context", "box", "position_y", "bottom_space", "skip_stack", "containing_block",
        "absolute_boxes", "fixed_boxes", "first_letter_style", "first_line_style",
    ]  # fmt: skip
    assert list(inspect.signature(engine._ORIGINAL["split_text_box"]).parameters) == [
        "context", "box", "available_width", "skip", "is_line_start",
    ]  # fmt: skip
    assert block.iter_line_boxes is engine._iter_line_boxes and inline.split_text_box is engine._split_text_box
    for name in ("Layout", "get_log_attrs", "line_size", "_font_style_cache_key"):
        assert callable(getattr(line_break, name)), name
    assert callable(percent.percentage)
    # a word joiner holds two words together; only spaces widen when a line is justified
    attrs = line_break.get_log_attrs("one \u2060two three", "en")
    assert not attrs[5].is_line_break and attrs[9].is_line_break
    # a planned text box's breaks go with its copies (WeasyPrint copies a box's whole __dict__)
    assert "__dict__" in inspect.getsource(boxes.Box.copy)
    assert "box.text.count(' ') + box.text.count('\\u00a0')" in inspect.getsource(inline.count_expandable_spaces)
