"""``check --pdf --printer kdp|ingramspark``: the interior and the cover read back and held to
that printer's published rules (``printers``). Each rule reports once, with a code, the pages
it fails on (the first few), the worst value and a hint:

E620 trim size, E621 inside margin (gutter) for the page count, E622 outside, top and bottom
margins, E623 bleed, E624 page count, E625 an odd page count, E626 text smaller than the
printer's minimum, E627 rules thinner than the minimum, E628 total ink coverage, E629 the cover's
size against the interior's page count, E601 a font of the cover not embedded.

Text and rules are read with PDFium (page objects: bounds, font sizes, stroke widths), the
page boxes and the CMYK colours with pikepdf (the content streams' colour operators). Note calls
(superscript figures) are set smaller by convention and left out of the font size rule; the ink
of images is not measured."""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from folio.edition.model import Edition
from folio.layout.preflight import embedded_fonts
from folio.press.printers import PRINTERS, Printer, max_pages_for

INCH = 72.0
TOLERANCE = 0.01  # in: measuring slack (a hundredth of an inch)


@dataclass
class PageRead:
    number: int
    trim: tuple[float, float, float, float]  # x0, y0, x1, y1 in points
    bleed: tuple[float, float, float, float]
    text: list = field(default_factory=list)  # (left, bottom, right, top) of each text object
    small: list = field(default_factory=list)  # (size in pt, text) of text under a size asked about
    rules: list = field(default_factory=list)  # thickness in pt of lines and thin filled rectangles
    ink: float = 0.0  # the highest total CMYK coverage of a colour set on the page, per cent


def _box(page, name: str, fallback):
    box = page.obj.get(name)
    return tuple(float(v) for v in box) if box is not None else fallback


def _ink(page: pikepdf.Page) -> float:
    worst = 0.0
    try:
        instructions = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return 0.0
    for operands, operator in instructions:
        if str(operator) in ("k", "K", "sc", "scn", "SC", "SCN") and len(operands) == 4:
            try:
                worst = max(worst, 100 * sum(float(v) for v in operands))
            except (TypeError, ValueError):
                continue
    return worst


def _scale(matrix) -> float:
    return math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))


def _filled_thickness(obj) -> float | None:
    """A filled path drawn as a rule: a thin rectangle (its short side), or a border (a box with
    a box cut out of it: the narrowest side between the two), in the path's own units."""
    boxes, points = [], []
    for index in range(pdfium_c.FPDFPath_CountSegments(obj.raw)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj.raw, index)
        x, y = ctypes.c_float(), ctypes.c_float()
        pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO and points:
            boxes.append(points)
            points = []
        points.append((x.value, y.value))
    if points:
        boxes.append(points)
    boxes = [(min(p[0] for p in b), min(p[1] for p in b), max(p[0] for p in b), max(p[1] for p in b)) for b in boxes]
    if len(boxes) == 1:
        x0, y0, x1, y1 = boxes[0]
        short = min(x1 - x0, y1 - y0)
        return short if 0 < short < 3 else None
    if len(boxes) == 2:
        (a0, b0, a1, b1), (c0, d0, c1, d1) = boxes
        sides = [abs(c0 - a0), abs(a1 - c1), abs(d0 - b0), abs(b1 - d1)]
        drawn = [side for side in sides if side > 1e-3]
        return min(drawn) if drawn else None
    return None


def _is_note_call(text: str) -> bool:
    stripped = text.strip()
    return 0 < len(stripped) <= 3 and all(ch.isdigit() or ch in "*†‡§" for ch in stripped)


def read_pages(path: Path, small_under: float = 0.0) -> list[PageRead]:
    out: list[PageRead] = []
    with pikepdf.open(path) as book:
        for number, page in enumerate(book.pages, start=1):
            media = tuple(float(v) for v in page.mediabox)
            trim = _box(page, "/TrimBox", media)
            out.append(PageRead(number, trim, _box(page, "/BleedBox", media), ink=_ink(page)))
    document = pdfium.PdfDocument(str(path))
    try:
        for read, page in zip(out, document):
            textpage = page.get_textpage() if small_under else None
            scales = []  # the form objects' scales, by level
            for obj in page.get_objects(max_depth=8):
                del scales[obj.level :]
                outer = math.prod(scales) if scales else 1.0
                if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
                    scales.append(_scale(obj.get_matrix()))
                elif obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:
                    read.text.append(obj.get_bounds())
                    size = obj.get_font_size() * _scale(obj.get_matrix()) * outer
                    if size < small_under - 0.05:
                        obj.textpage = textpage
                        text = obj.extract()
                        if text.strip() and not _is_note_call(text):
                            read.small.append((round(size, 2), text.strip()))
                elif obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
                    left, bottom, right, top = obj.get_bounds()
                    fill, stroked = ctypes.c_int(), ctypes.c_int()
                    pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill), ctypes.byref(stroked))
                    if stroked.value:
                        width = ctypes.c_float()
                        pdfium_c.FPDFPageObj_GetStrokeWidth(obj.raw, ctypes.byref(width))
                        read.rules.append(width.value * _scale(obj.get_matrix()) * outer)
                    elif fill.value != pdfium_c.FPDF_FILLMODE_NONE:
                        thickness = _filled_thickness(obj)
                        if thickness is not None:
                            read.rules.append(thickness * _scale(obj.get_matrix()) * outer)
    finally:
        document.close()
    return out


def _pages(numbers: list[int], label) -> str:
    shown = ", ".join(label(n) for n in numbers[:5])
    return shown + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")


def check_interior(
    path: Path, edition: Edition, printer: Printer, problems, label=str, shown_as=None
) -> list[PageRead]:
    """The interior against ``printer``'s rules; returns what was read (for the cover's check)."""
    where = shown_as or path
    press = edition.settings.press
    pages = read_pages(path, printer.min_font_pt or 0.0)
    count = len(pages)

    def report(code: str, message: str, hint: str) -> None:
        problems.add(code, where, None, f"{printer.title}: {message}", hint)

    first = pages[0]
    width, height = (first.trim[2] - first.trim[0]) / INCH, (first.trim[3] - first.trim[1]) / INCH
    if printer.trims and not any(
        abs(width - w) <= TOLERANCE and abs(height - h) <= TOLERANCE for w, h in printer.trims
    ):
        report(
            "E620",
            f"the trim size {width:.3g} x {height:.3g} in is not one it prints",
            "choose one of its trims in edition.yaml (print: trim:), e.g. "
            + ", ".join(f"{w}x{h}in" for w, h in printer.trims[:6]),
        )
    maximum = max_pages_for(printer, press.paper, width, height)
    if not printer.min_pages <= count <= maximum:
        report(
            "E624",
            f"{count} pages; it prints {printer.min_pages} to {maximum} on {press.paper} paper at this trim",
            "add or cut pages, or choose another paper or trim",
        )
    if printer.even_pages and count % 2:
        report("E625", f"{count} pages, an odd count: every leaf has two pages", "end the book on a blank verso")
    bled = any(abs(a - b) > 0.5 for a, b in zip(first.trim, first.bleed))
    if bled:
        sides = [(first.trim[1] - first.bleed[1]) / INCH, (first.bleed[3] - first.trim[3]) / INCH]
        inside = (first.trim[0] - first.bleed[0]) / INCH  # page 1 is a recto: its inside is the left
        outside = (first.bleed[2] - first.trim[2]) / INCH
        wrong = [s for s in (*sides, outside) if abs(s - printer.bleed_in) > TOLERANCE]
        if wrong or (printer.name == "kdp" and inside > TOLERANCE):
            report(
                "E623",
                f"the bleed is {outside:.3g} in outside, {inside:.3g} in inside, {sides[0]:.3g} in at the foot and "
                f"{sides[1]:.3g} in at the head; it asks for {printer.bleed_in} in at the top, bottom and outside"
                + (" and none at the gutter" if printer.name == "kdp" else ""),
                "set print: bleed: to the printer's figure, or 0 for a book without bleed",
            )
    gutter = printer.gutter_for(count)
    least = printer.outside_bleed_in if bled else printer.outside_in
    narrow_inside, narrow_outside = [], []
    worst_inside, worst_outside = math.inf, math.inf
    for page in pages:
        if not page.text:
            continue
        left = min(b[0] for b in page.text) - page.trim[0]
        right = page.trim[2] - max(b[2] for b in page.text)
        top = page.trim[3] - max(b[3] for b in page.text)
        bottom = min(b[1] for b in page.text) - page.trim[1]
        inside, outside = (left, right) if page.number % 2 else (right, left)
        if inside / INCH < gutter - TOLERANCE:
            narrow_inside.append(page.number)
            worst_inside = min(worst_inside, inside / INCH)
        edge = min(outside, top, bottom) / INCH
        if edge < least - TOLERANCE:
            narrow_outside.append(page.number)
            worst_outside = min(worst_outside, edge)
    if narrow_inside:
        report(
            "E621",
            f"the inside margin is {worst_inside:.3f} in on p. {_pages(narrow_inside, label)}; "
            f"a book of {count} pages needs {gutter} in",
            f"widen the inside margin in edition.yaml (print: margins: inside: {gutter + 0.125:g}in)",
        )
    if narrow_outside:
        report(
            "E622",
            f"text stands {worst_outside:.3f} in from the trim on p. {_pages(narrow_outside, label)}; "
            f"it asks for at least {least} in at the outside, top and bottom" + (" (with bleed)" if bled else ""),
            "widen print: margins: (outside, top, bottom), the running heads and folios included",
        )
    if printer.min_font_pt:
        small = [(page.number, size, text) for page in pages for size, text in page.small]
        if small:
            number, size, text = min(small, key=lambda item: item[1])
            report(
                "E626",
                f"text set at {size} pt (under {printer.min_font_pt:g} pt) on p. "
                f"{_pages(sorted({n for n, _s, _t in small}), label)}, e.g. '{text[:40]}' on p. {label(number)}",
                "raise the size in print.css (the notes' and the tables' sizes first)",
            )
    if printer.min_rule_pt:
        thin = [
            (page.number, width) for page in pages for width in page.rules if 0 < width < printer.min_rule_pt - 0.01
        ]
        if thin:
            report(
                "E627",
                f"rules {min(w for _n, w in thin):.2f} pt thick (under {printer.min_rule_pt:g} pt) on p. "
                f"{_pages(sorted({n for n, _w in thin}), label)}",
                f"give rules and borders at least {printer.min_rule_pt:g} pt in print.css",
            )
    _check_ink(pages, printer, report, label)
    return pages


def _check_ink(pages: list[PageRead], printer: Printer, report, label=str) -> None:
    if printer.max_ink is None:
        return
    heavy = [(page.number, page.ink) for page in pages if page.ink > printer.max_ink + 0.5]
    if heavy:
        report(
            "E628",
            f"ink coverage of {max(i for _n, i in heavy):.0f} % (over {printer.max_ink:.0f} %) on p. "
            f"{_pages([n for n, _i in heavy], label)}",
            "use colours whose CMYK values add up to less (a rich black as 60/40/40/100)",
        )


def check_cover(cover: Path, interior_pages: int, edition: Edition, printer: Printer, problems) -> None:
    """The cover's size against the interior's page count, its fonts, its ink."""
    from folio.press.cover import NoSpine, cover_size

    def report(code: str, message: str, hint: str) -> None:
        problems.add(code, cover, None, f"{printer.title}: {message}", hint)

    (page,) = read_pages(cover)
    width = (page.trim[2] - page.trim[0]) / INCH + 2 * printer.bleed_in
    try:
        size = cover_size(edition, interior_pages)
    except NoSpine:
        size = None
    formula = printer.spine_width(edition.settings.press.paper, interior_pages)
    if size is not None and formula is not None:  # the printer's formula, not a width given by hand
        size = replace(size, spine=formula)
    if size is not None:
        per_page = (printer.inches_per_page or {}).get(edition.settings.press.paper, 0.0)
        if abs(width - size.width) > max(TOLERANCE, 1.5 * per_page):
            spine = width - 2 * size.bleed - 2 * size.trim_width
            report(
                "E629",
                f"the cover is {width:.4f} in wide (a spine of {spine:.4f} in); for the interior's "
                f"{interior_pages} pages it must be {size.width:.4f} in (a spine of {size.spine:.4f} in)",
                "build the cover again with the interior: python build.py build --format pdf,cover",
            )
    with pikepdf.open(cover) as book:
        for name, embedded in embedded_fonts(book.pages[0]).items():
            if not embedded:
                report("E601", f"the cover's font {name} is not embedded", "embed every font of the cover")
    _check_ink([page], printer, report)


def check(pdf: Path, cover: Path | None, edition: Edition, printer_name: str, problems, label=str) -> None:
    printer = PRINTERS[printer_name]
    pages = check_interior(pdf, edition, printer, problems, label)
    if cover is not None and cover.exists():
        check_cover(cover, len(pages), edition, printer, problems)
