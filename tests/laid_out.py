"""Pages laid out for real by the engine, for the tests of the layout: a small book's HTML
from words, rendered with the bundled font and print.css; its pages read back by Poppler
(not by the library that wrote the file)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import REPO

from folio.layout import engine
from folio.layout.pdf import FONTS, NOTE_BREAK_CSS, PartJob, font_css

WORDS = (
    "archive memorandum protocol decree telegram version minute bureau report draft plenum "
    "ministry commission interrogation delegation statement directive transcript"
).split()


def paragraph(start: int, count: int) -> str:
    return " ".join(WORDS[(start + i) % len(WORDS)] for i in range(count))


def note(key: str, text: str) -> str:
    return f'<span id="call-{key}" class="note-call"></span><span id="note-{key}" class="footnote">{text}</span>'


def document(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body data-title="Book">'
        f'<div class="mainmatter" id="mainmatter"><section class="unit" data-unit="u"><h1>Title</h1>{body}</section></div>'
        "</body></html>"
    )


def render(html: str, longer: frozenset = frozenset()) -> engine.Rendered:
    sheets = [
        ("string", font_css()),
        ("string", "@page { size: 6in 9in; }"),
        ("filename", str(REPO / "templates" / "print.css")),
    ]
    return engine.render(html, sheets, str(REPO) + "/", [REPO, FONTS], longer)


def part_job(html: str) -> PartJob:
    """A part to lay out as the build lays one out (pdf.lay_out_part), on the same pages."""
    return PartJob(
        name="test",
        html=html,
        part_css="@page { size: 6in 9in; }\n" + NOTE_BREAK_CSS,
        css_path=str(REPO / "templates" / "print.css"),
        base_url=str(REPO) + "/",
        allowed=(str(REPO), str(FONTS)),
        pdf_options=(),
        pad_to_even=False,
    )


def anchors(rendered) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, page in enumerate(rendered.document.pages, start=1):
        for anchor in page.anchors:
            found.setdefault(anchor, number)
    return found


def pdf_pages(rendered, tmp_path: Path) -> list[str]:
    """The text of each page, read back by Poppler (not by the library that wrote the file)."""
    path = tmp_path / "out.pdf"
    path.write_bytes(engine.write_pdf(rendered.document))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")]
