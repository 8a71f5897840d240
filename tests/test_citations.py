"""Citations as editors write them, through the real Pandoc and citeproc (no layout: fast)."""

from __future__ import annotations

import re

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
