"""Stage 5a: typeset the print book with WeasyPrint and read the layout back."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlparse

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from .convert import Converted
from .model import Edition

FONTS = Path(str(resources.files("folio") / "fonts"))
FONT_FILES = {
    ("normal", "normal"): "GentiumBookPlus-Regular.ttf",
    ("italic", "normal"): "GentiumBookPlus-Italic.ttf",
    ("normal", "bold"): "GentiumBookPlus-Bold.ttf",
    ("italic", "bold"): "GentiumBookPlus-BoldItalic.ttf",
}
log = logging.getLogger("folio")


class ConfinedFetcher(URLFetcher):
    """Reads only files under the given folders; nothing from the network."""

    def __init__(self, allowed: list[Path], **kwargs) -> None:
        super().__init__(allowed_protocols={"file", "data"}, **kwargs)
        self.allowed = [p.resolve() for p in allowed]

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if not any(path == root or root in path.parents for root in self.allowed):
                raise FatalURLFetchingError(f"refusing to read {path}: outside the edition, templates and fonts")
        elif parsed.scheme != "data":
            raise FatalURLFetchingError(f"refusing to fetch {url}: the build reads no network resources")
        return super().fetch(url, headers)


def font_css() -> str:
    rules = []
    for (style, weight), name in FONT_FILES.items():
        rules.append(
            '@font-face { font-family: "Gentium Book Plus"; '
            f'src: url("{(FONTS / name).as_uri()}"); font-style: {style}; font-weight: {weight}; }}')
    return "\n".join(rules)


def page_css(edition: Edition) -> str:
    p = edition.settings.print
    rules = [f"@page {{ size: {p.page_width} {p.page_height}; }}"]
    if p.bleed and p.bleed not in ("0", "0in", "0mm", "0pt"):
        rules.append(f"@page {{ bleed: {p.bleed}; }}")
    if p.crop_marks:
        rules.append("@page { marks: crop cross; }")
    rules.append(f":root {{ --body-size: {p.font_size}; }}")
    return "\n".join(rules)


@dataclass(frozen=True)
class NotePlacement:
    note_id: str
    call_page: int   # 1-based physical page
    note_page: int


@dataclass(frozen=True)
class Typeset:
    document: object          # weasyprint Document
    page_count: int
    misplaced_notes: tuple[NotePlacement, ...]
    anchors: dict             # id -> 1-based physical page


def book_html(edition: Edition, converted: list[Converted], env: jinja2.Environment) -> str:
    return env.get_template("book.html.j2").render(
        edition=edition, settings=edition.settings, converted=converted,
        chapters={c.anchor: c for c in edition.chapters}, stylesheets=[])


MAX_NOTE_PASSES = 4


def typeset(edition: Edition, converted: list[Converted], env: jinja2.Environment,
            template_dirs: list[Path]) -> Typeset:
    """Lay out the book; where a note lands on a later page than its call,
    ask for the call's paragraph to move with the note and lay out again.

    WeasyPrint sometimes defers a note to the next page although its call
    stays behind (see docs/engine-notes). Each pass marks the notes that went
    wrong with the class 'keep-with-call' (footnote-policy: block); the
    passes stop when every note is on its call's page or nothing improves.
    """
    html = book_html(edition, converted, env)
    kept: set[str] = set()
    result = None
    for _ in range(MAX_NOTE_PASSES):
        result = _typeset_html(_keep_with_call(html, kept), edition, template_dirs)
        new = {p.note_id for p in result.misplaced_notes} - kept
        if not new:
            break
        log.info("  %d note(s) printed after their call's page; laying out again", len(new))
        kept |= new
    return result


def _keep_with_call(html: str, note_ids: set[str]) -> str:
    for note_id in note_ids:
        html = html.replace(f'<span id="note-{note_id}" class="footnote">',
                            f'<span id="note-{note_id}" class="footnote keep-with-call">', 1)
    return html


def _typeset_html(html: str, edition: Edition, template_dirs: list[Path]) -> Typeset:
    css_path = next((d / "print.css" for d in template_dirs if (d / "print.css").exists()), None)
    fetcher = ConfinedFetcher([edition.root, FONTS, *template_dirs])
    font_config = FontConfiguration()
    stylesheets = [
        CSS(string=font_css(), font_config=font_config, url_fetcher=fetcher),
        CSS(string=page_css(edition), font_config=font_config, url_fetcher=fetcher),
        CSS(filename=str(css_path), font_config=font_config, url_fetcher=fetcher),
    ]
    document = HTML(string=html, base_url=str(edition.root) + "/", url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=font_config)
    anchors = {}
    for index, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            anchors.setdefault(anchor, index)
    misplaced = []
    for anchor, page in anchors.items():
        if anchor.startswith("note-"):
            call = anchors.get("call-" + anchor[len("note-"):])
            if call is not None and call != page:
                misplaced.append(NotePlacement(anchor[len("note-"):], call, page))
    return Typeset(document, len(document.pages), tuple(misplaced), anchors)


def write_pdf(result: Typeset, edition: Edition, target: Path) -> None:
    options = {"pdf_tags": False}
    if edition.settings.print.pdf_variant:
        options["pdf_variant"] = edition.settings.print.pdf_variant
    result.document.write_pdf(str(target), **options)
