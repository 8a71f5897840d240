"""Justified paragraphs broken as a whole (folio/layout/total_fit.py, and its hook in the
engine): the algorithm on paragraphs of measured items, then WeasyPrint setting the lines it
chose, read back by Poppler."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest

from folio.layout import total_fit
from folio.layout.total_fit import BOX, PENALTY, Items

# -- the algorithm: widths in CSS px, a 10.5pt face's word space


def _paragraph(words: list[tuple[float, ...]], space: float = 3.5) -> Items:
    """``words``: each the widths of its syllables (a hyphen point between two, 5 px of hyphen)."""
    items = Items()
    for n, syllables in enumerate(words):
        if n:
            items.glue(space, space / 2)
        for k, width in enumerate(syllables):
            if k:
                items.penalty(5.0, total_fit.HYPHEN_PENALTY, True)
            items.box(width)
    return items


def _words(seed: int, count: int) -> list[tuple[float, ...]]:
    """A deterministic paragraph: words of one to four syllables of varied widths."""
    words, state = [], seed
    for _ in range(count):
        state = (state * 1103515245 + 12345) % 2**31
        syllables = 1 + state % 4
        words.append(tuple(8.0 + ((state >> (4 * k)) % 9) * 2.5 for k in range(syllables)))
    return words


def _natural(items: Items, start: int, end: int) -> float:
    width = sum(items.widths[i] for i in range(start, end) if items.kinds[i] != PENALTY)
    if end < len(items) and items.kinds[end] == PENALTY:
        width += items.widths[end]
    return width


def _starts(items: Items, lines) -> list[int]:
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at = line.end + 1
        while at < len(items) and items.kinds[at] != BOX:
            at += 1
    return starts


@pytest.mark.parametrize("seed", range(12))
def test_total_fit_has_fewer_demerits_than_first_fit_and_keeps_every_line_in_the_measure(seed):
    items = _paragraph(_words(seed, 120))
    chosen = total_fit.breaks(items, 400.0, 420.0)
    greedy = total_fit.first_fit(items, 400.0, 420.0)
    assert chosen is not None and len(chosen) >= 5
    for start, line, measure in zip(_starts(items, chosen), chosen, [400.0] + [420.0] * len(chosen), strict=False):
        assert _natural(items, start, line.end) <= measure + 1e-6
    assert total_fit.demerits(items, chosen) <= total_fit.demerits(items, greedy)


@pytest.mark.parametrize("seed", range(12))
def test_no_more_than_two_hyphenated_lines_one_under_another(seed):
    items = _paragraph(_words(seed + 100, 160))
    chosen = total_fit.breaks(items, 420.0, 420.0)
    run = longest = 0
    for line in chosen:
        run = run + 1 if line.hyphenated else 0
        longest = max(longest, run)
    assert longest <= total_fit.MAX_HYPHEN_RUN


def test_the_last_line_is_free_unless_it_is_justified():
    items = _paragraph([(30.0,)] * 14)  # 14 words of 30 px: 13 of them and their spaces fill 435.5 px
    free = total_fit.breaks(items, 420.0, 420.0)
    assert [line.ratio for line in free][-1] == 0.0
    justified = total_fit.breaks(items, 420.0, 420.0, last_justified=True)
    assert justified[-1].ratio > 0


def test_a_word_wider_than_the_measure_cannot_be_set():
    assert total_fit.breaks(_paragraph([(40.0,), (500.0,), (40.0,)]), 420.0, 420.0) is None


# -- WeasyPrint sets the lines chosen (laid out for real, read back by Poppler)

HARD = (
    "The activity of the Right-Trotskyite underground grew especially quickly in the regional committees, "
    "where Khrushchev and Kaganovich had placed their own people; the so-called conspiracy was documented "
    "in the memoranda of the Ukrainian Politburo, which Postyshev and Kosior signed. "
)


def _lines(pdf) -> list[tuple[str, list[float]]]:
    """Each line Poppler reads: its text and the gaps between its words (pt)."""
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml.stdout, count=1))
    found = []
    for line in root.iter("{http://www.w3.org/1999/xhtml}line"):
        words = list(line.iter("{http://www.w3.org/1999/xhtml}word"))
        gaps = [float(b.get("xMin")) - float(a.get("xMax")) for a, b in zip(words, words[1:], strict=False)]
        found.append((" ".join(w.text or "" for w in words), gaps))
    return found


@pytest.mark.slow
def test_weasyprint_sets_exactly_the_lines_total_fit_chose_and_spaces_them_more_evenly(tmp_path):
    from laid_out import document, render

    from folio.layout import engine

    engine.install()
    html = document(f'<p style="width: 3.2in">{HARD * 3}</p>')
    spaces = {}
    try:
        for enabled in (False, True):
            engine.use_total_fit(enabled)
            engine._PLANS.clear()
            rendered = render(html)
            pdf = tmp_path / f"{enabled}.pdf"
            pdf.write_bytes(engine.write_pdf(rendered.document))
            lines = [(text, gaps) for text, gaps in _lines(pdf) if len(gaps) > 2]
            spaces[enabled] = [max(gaps) for _text, gaps in lines[:-1]]
            if enabled:
                (plan,) = [plan for plan, _longer in engine._PLANS.values() if plan]
                ((text, breaks),) = plan  # one text box
                encoded, planned, at = text.encode(), [], 0
                for end in (*breaks, len(text.encode())):
                    planned.append(encoded[at:end].decode())
                    at = end
                shown = [" ".join(line.replace("\u2060", "").replace("\u00ad", "\u2010").split()) for line in planned]
                assert [text for text, _ in lines] == shown, "the lines Poppler reads are the lines planned"
    finally:
        engine.use_total_fit(True)
    usual = sorted(spaces[True])[len(spaces[True]) // 2]
    assert max(spaces[True]) < max(spaces[False]), "the loosest line is less loose"
    assert max(spaces[True]) < 2.0 * usual, "no line's spaces twice the paragraph's usual"


@pytest.mark.parametrize("count", (280, 300, 330))
def test_a_paragraph_asked_to_be_a_line_longer_is_one_within_the_tolerance(count):
    """TeX's \\looseness=1: short words, twelve spaces or more a line (slack to spread)."""
    items = _paragraph([(10.0 + (i * 7) % 9, 9.0 + (i * 5) % 7) for i in range(count)])
    best = total_fit.breaks(items, 420.0, 420.0)
    longer = total_fit.breaks(items, 420.0, 420.0, looseness=1)
    assert len(longer) == len(best) + 1
    assert max(line.ratio for line in longer[:-1]) <= total_fit.TOLERANCE
    assert total_fit.demerits(items, longer) > total_fit.demerits(items, best)
    assert total_fit.last_line_share(items, longer, 420.0) >= total_fit.LONGER_LAST_LINE, "no lone word at its end"


def _set_greedily(items: Items, ends: list[int], width: float) -> list[int]:
    """The lines a first-fit setter makes when it may break only at ``ends``: each line to the
    farthest of them that fits."""
    lines, start = [], 0
    while start < len(items):
        fitting = [start]
        for end in (e for e in ends if e > start):
            natural = sum(items.widths[i] for i in range(start, min(end, len(items))) if items.kinds[i] != PENALTY)
            natural += items.widths[end] if end < len(items) and items.kinds[end] == PENALTY else 0.0
            if natural > width:
                break
            fitting.append(end)
        lines.append(fitting[-1])
        start = fitting[-1] + 1
        while start < len(items) and items.kinds[start] != BOX:
            start += 1
    return lines


@pytest.mark.parametrize("seed", range(12))
def test_a_longer_paragraph_is_set_as_planned_when_only_its_breaks_are_allowed(seed):
    """WeasyPrint, left only the chosen breaks, fills each line as far as it can: a longer
    setting whose short line could take the next one up would be set shorter than planned,
    so none is given."""
    items = _paragraph(_words(seed, 60 + 7 * seed))
    for looseness in (0, 1):
        lines = total_fit.breaks(items, 300.0, 300.0, looseness=looseness)
        ends = [line.end for line in lines]
        assert _set_greedily(items, ends, 300.0) == ends


def test_a_paragraph_that_cannot_be_a_line_longer_keeps_its_best():
    items = _paragraph([(30.0,)] * 14)  # two lines; three would leave lines too loose
    assert total_fit.breaks(items, 420.0, 420.0, looseness=1) == total_fit.breaks(items, 420.0, 420.0)
