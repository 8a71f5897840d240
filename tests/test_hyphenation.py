"""print.hyphenation: the edition's own break points for words the dictionary does not know."""

from __future__ import annotations

import pytest
from conftest import REPO, copy_small, run_build

from folio.layout.hyphenation import SOFT_HYPHEN, hyphenate


def test_soft_hyphens_go_into_the_text_only():
    html = (
        "<html><head><title>Khrushchev</title><style>.Khrushchev{}</style></head>"
        '<body><p class="Khrushchev" id="ix-khrushchev">Khrushchev, Khrushchev’s report; '
        "Khrushcheva and NotKhrushchev stay</p></body></html>"
    )
    out = hyphenate(html, ("Khru-shchev",))
    word = f"Khru{SOFT_HYPHEN}shchev"
    assert out.count(word) == 2  # the word and its possessive, in the text
    assert '<p class="Khrushchev" id="ix-khrushchev">' in out  # never in a tag
    assert "<title>Khrushchev</title>" in out and ".Khrushchev{}" in out
    assert "Khrushcheva" in out and "NotKhrushchev" in out  # whole words only
    assert hyphenate(html, ()) == html


@pytest.mark.slow  # lays out with WeasyPrint
def test_weasyprint_breaks_a_name_at_the_points_given():
    from folio.layout import engine
    from folio.layout.page_facts import body_lines
    from folio.layout.readback import line_text

    def first_line(text: str, width: int) -> str:
        html = (
            f'<html lang="en"><style>@page{{size:300pt 300pt;margin:0}} p{{hyphens:auto;width:{width}pt;'
            f"font-size:12pt}}</style><p>{text}</p></html>"
        )
        rendered = engine.render(html, [], str(REPO) + "/", [REPO])
        return line_text(body_lines(engine.pages(rendered.document)[0].body)[0])

    plain = "The report says that Khrushchev spoke"
    lines = {w: (first_line(plain, w), first_line(hyphenate(plain, ("Khru-shchev",)), w)) for w in range(110, 260, 5)}
    assert all("Khru" not in line or "Khrushchev" in line for line, _ in lines.values())  # the dictionary cannot
    assert any(
        line.endswith("that") and ours.rstrip("\u2010-").endswith(f"Khru{SOFT_HYPHEN}") for line, ours in lines.values()
    ), lines


def test_a_hyphenation_entry_that_is_not_a_word_with_break_points(capsys, tmp_path):
    edition = copy_small(tmp_path)
    text = (edition / "edition.yaml").read_text(encoding="utf-8")
    assert "\nprint:" not in text
    (edition / "edition.yaml").write_text(
        text + "print:\n  hyphenation: [Khru-shchev, Khrushchev, 'two words']\n", encoding="utf-8"
    )
    run = run_build(capsys, edition, tmp_path / "out", command="check")
    assert run.status == 1
    assert "print.hyphenation 'Khrushchev' is not a word with its break points" in run.stderr
    assert "print.hyphenation 'two words'" in run.stderr and "'Khru-shchev'" not in run.stderr
