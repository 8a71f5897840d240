"""Preflight: read a built PDF back and report what a printer's preflight
or a careful proofreader would reject, each with its page.

Checked: every font embedded; page size and boxes (MediaBox, TrimBox,
BleedBox) against the trim size and bleed; chapters and other parts opening
on a recto; every note on the page of its call; every printed page number
(contents, table of claims, cross-references, index) equal to the page of
its link's target; no text outside the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader

from .model import Edition
from .names import to_roman
from .problems import Problems

POINTS = {"in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0}
OPENINGS = re.compile(r"^(chapter-|front-|appendix$|bibliography$|index$)")
# a page number ending a link's text: ", p. 12", "(p. 12)", ". . . 12" (contents), or the whole text ("12", "12–14")
_PAGE_NUMBER = re.compile(r"(?:p\.\s?|\.\s)([0-9]+|[ivxlc]+)\)?\.?$|^([0-9]+|[ivxlc]+)(?:–[0-9ivxlc]+)?$")


def length(value: str) -> float:
    match = re.fullmatch(r"\s*([0-9.]+)\s*(in|mm|cm|pt)?\s*", value or "0")
    if not match:
        return 0.0
    return float(match.group(1)) * POINTS[match.group(2) or "pt"]


def preflight(pdf_path: Path, edition: Edition, problems: Problems, shown_as: Path | None = None) -> int:
    """Check ``pdf_path``; add problems (named ``shown_as``, e.g. the final name
    of a staged file); return the number of pages read."""
    reader = PdfReader(str(pdf_path))
    pages = reader.pages

    def report(code: str, page: int | None, message: str, hint: str = "") -> None:
        where = f"page {page}: " if page else ""
        problems.add(code, shown_as or pdf_path, None, where + message, hint)

    destinations = {}
    for name, dest in reader.named_destinations.items():
        try:
            destinations[name] = reader.get_destination_page_number(dest) + 1
        except Exception:  # a destination without a page is reported by the checks that need it
            continue
    main_start = destinations.get("mainmatter", 1)

    def folio(page: int) -> str:
        return str(page - main_start + 1) if page >= main_start else to_roman(page)

    _check_boxes(pages, edition, report)
    _check_fonts(pages, report)
    for name, page in sorted(destinations.items(), key=lambda item: item[1]):
        if OPENINGS.match(name) and page % 2 == 0:
            report("E603", page, f"'{name}' opens on a verso (an even page)",
                   "parts open on a recto: check 'break-before: right' in the print CSS")
        if name.startswith("call-"):
            note = destinations.get("note-" + name[len("call-"):])
            if note is None:
                report("E604", page, f"note {name[len('call-'):]} is called here but not printed")
            elif note != page:
                report("E604", page, f"note {name[len('call-'):]} is called here but printed on page {note}",
                       "the build corrects this; a PDF that still has it was laid out by other means")
    _check_page_numbers(pdf_path, pages, destinations, folio, report)
    return len(pages)


def _check_boxes(pages, edition: Edition, report) -> None:
    p = edition.settings.print
    width, height = length(p.page_width), length(p.page_height)
    bleed = length(p.bleed)
    for number, page in enumerate(pages, start=1):
        media = page.mediabox
        if abs(float(media.width) - (width + 2 * bleed)) > 0.5 or abs(float(media.height) - (height + 2 * bleed)) > 0.5:
            report("E602", number, f"page is {float(media.width):.1f} x {float(media.height):.1f} pt; the trim size "
                   f"{p.trim} with bleed {p.bleed} needs {width + 2 * bleed:.1f} x {height + 2 * bleed:.1f} pt")
            continue
        trim = page.trimbox
        if abs(float(trim.width) - width) > 0.5 or abs(float(trim.height) - height) > 0.5:
            report("E602", number, f"TrimBox is {float(trim.width):.1f} x {float(trim.height):.1f} pt, "
                   f"not the trim size {width:.1f} x {height:.1f} pt")
        if bleed and abs(float(page.bleedbox.width) - (width + 2 * bleed)) > 0.5:
            report("E602", number, "BleedBox does not include the bleed")


def embedded_fonts(page) -> dict[str, bool]:
    """Base font name -> embedded?, for the fonts a page uses."""
    found: dict[str, bool] = {}
    fonts = (page.get("/Resources") or {}).get("/Font") or {}
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and "/DescendantFonts" in font:
            descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        found[str(font.get("/BaseFont"))] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def _check_fonts(pages, report) -> None:
    seen: set[str] = set()
    for number, page in enumerate(pages, start=1):
        for name, embedded in embedded_fonts(page).items():
            if not embedded and name not in seen:
                seen.add(name)
                report("E601", number, f"font {name} is not embedded",
                       "printers reject PDFs with fonts not embedded; use the bundled font")


def _check_page_numbers(pdf_path: Path, pages, destinations, folio, report) -> None:
    """Printed page numbers against their links' targets; text outside the trimmed page."""
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        for number, page in enumerate(pages, start=1):
            textpage = document[number - 1].get_textpage()
            trim = page.trimbox
            left, bottom, right, top = (float(v) for v in (trim.left, trim.bottom, trim.right, trim.top))
            for index in range(textpage.count_chars()):
                x0, y0, x1, y1 = textpage.get_charbox(index)
                if x1 > x0 and (x0 < left - 0.5 or x1 > right + 0.5 or y0 < bottom - 0.5 or y1 > top + 0.5):
                    report("E606", number, f"text '{textpage.get_text_range(index, 20).strip()}' runs outside "
                           "the trimmed page", "a line too long for the measure, or a box pushed off the page")
                    break
            # a link broken over lines or around an inline box has several rectangles: join them
            texts: dict[str, list[str]] = {}
            for ref in page.get("/Annots") or []:
                annotation = ref.get_object()
                target = annotation.get("/Dest")
                if annotation.get("/Subtype") != "/Link" or not isinstance(target, str) or target not in destinations:
                    continue
                x0, y0, x1, y1 = (float(v) for v in annotation["/Rect"])
                texts.setdefault(target, []).append(
                    textpage.get_text_bounded(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
            for target, parts in texts.items():
                inside = re.sub(r"\s+", " ", " ".join(parts)).strip()
                match = _PAGE_NUMBER.search(inside)
                if not match:
                    continue
                printed = match.group(1) or match.group(2)
                expected = folio(destinations[target])
                if printed != expected:
                    report("E605", number, f"'{inside[-60:]}' prints page {printed}, but '{target}' is on page "
                           f"{expected}", "a page number was typed by hand or the layout changed after it was computed")
    finally:
        document.close()
