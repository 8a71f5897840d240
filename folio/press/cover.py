"""The paperback's full-wrap cover: back, spine and front on one sheet with bleed, sized from
the printed page count of this build, the paper and the printer's formula (``spine``).

The template (cover.html.j2, with the blocks back, spine and front) and its stylesheet
(cover.css) give the cover's text and look; the build gives the panels' places, which must
match the printer's figures, as CSS of its own. The barcode of the print ISBN (with its price
add-on) stands in the box the printer keeps for it. The PDF has its TrimBox (the cover as
trimmed) inside a BleedBox and MediaBox that carry the bleed; a PDF/X book's cover is PDF/X
too, with the same output intent."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import markupsafe
import pikepdf

from folio.edition import files
from folio.edition.model import Edition
from folio.edition.output_intent import intent_css, is_print_standard
from folio.edition.schema import points
from folio.layout import engine
from folio.layout.pdf import FONTS, font_css
from folio.press.barcode import ean13_svg
from folio.press.printers import PRINTERS

MIN_PPI = 300  # an image printed at less than this looks soft


@dataclass(frozen=True)
class CoverSize:
    """The cover's lengths, in inches."""

    pages: int  # the interior's printed page count
    trim_width: float
    trim_height: float
    spine: float
    bleed: float
    spine_text: bool  # the spine is wide enough for text (the printer's page count)
    printer: str
    paper: str

    @property
    def width(self) -> float:
        return 2 * self.bleed + 2 * self.trim_width + self.spine

    @property
    def height(self) -> float:
        return 2 * self.bleed + self.trim_height


class NoSpine(Exception):
    """The printer publishes no spine formula and edition.yaml gives no press.spine_width."""


def cover_size(edition: Edition, pages: int) -> CoverSize:
    p, press = edition.settings.print, edition.settings.press
    printer = PRINTERS[press.printer]
    spine = round(points(press.spine_width) / 72, 4) if press.spine_width else printer.spine_width(press.paper, pages)
    if spine is None:
        raise NoSpine(printer.title)
    return CoverSize(
        pages=pages,
        trim_width=round(points(p.page_width) / 72, 4),
        trim_height=round(points(p.page_height) / 72, 4),
        spine=spine,
        bleed=printer.bleed_in,
        spine_text=pages >= printer.spine_text_pages,
        printer=press.printer,
        paper=press.paper,
    )


def geometry_css(size: CoverSize, barcode_size: tuple[float, float] | None) -> str:
    """Where the panels stand (the printer's figures, not an editor's): absolute boxes in inches."""
    printer = PRINTERS[size.printer]
    b, w, h, s, safe = size.bleed, size.trim_width, size.trim_height, size.spine, printer.safe_in + 0.25
    rules = [
        f"@page {{ size: {size.width:.4f}in {size.height:.4f}in; margin: 0; }}",
        ".panel { position: absolute; top: 0; box-sizing: border-box; }",
        f".back {{ left: 0; width: {b + w:.4f}in; height: {size.height:.4f}in; "
        f"padding: {b + safe:.4f}in {safe:.4f}in {b + safe:.4f}in {b + safe:.4f}in; }}",
        f".spine {{ left: {b + w:.4f}in; width: {s:.4f}in; height: {size.height:.4f}in; }}",
        f".front {{ left: {b + w + s:.4f}in; width: {w + b:.4f}in; height: {size.height:.4f}in; "
        f"padding: {b + safe:.4f}in {b + safe:.4f}in {b + safe:.4f}in {safe:.4f}in; }}",
    ]
    if size.spine_text:
        length = h - 2 * printer.safe_in - 0.5
        rules.append(
            f".spine-text {{ position: absolute; box-sizing: border-box; text-align: center; "
            f"width: {length:.4f}in; height: {s - 2 * printer.spine_margin_in:.4f}in; "
            f"line-height: {s - 2 * printer.spine_margin_in:.4f}in; overflow: hidden; "
            f"left: {b + w + s / 2 - length / 2:.4f}in; top: {b + h / 2 - (s - 2 * printer.spine_margin_in) / 2:.4f}in; "
            "transform: rotate(90deg); }"
        )
    if barcode_size is not None:
        box_w, box_h = printer.barcode_box_in
        inset = printer.barcode_inset_in
        rules.append(
            f".barcode {{ position: absolute; box-sizing: border-box; width: {box_w:.4f}in; height: {box_h:.4f}in; "
            f"left: {b + w - inset - box_w:.4f}in; top: {b + h - inset - box_h:.4f}in; "
            f"padding: {(box_h - barcode_size[1]) / 2:.4f}in {(box_w - barcode_size[0]) / 2:.4f}in; }}"
            ".barcode svg { display: block; }"
        )
    return "\n".join(rules)


BARCODE_FONT = "'Gentium Book Plus', serif"  # the figures of the barcode, in the cover's face


def barcode_of(edition: Edition):
    """The print ISBN's barcode, sized to fit the printer's box (None without a print ISBN)."""
    s = edition.settings
    if not s.isbn_print:
        return None
    box_w, _box_h = PRINTERS[s.press.printer].barcode_box_in
    code = ean13_svg(s.isbn_print, s.press.price_code, 1.0, BARCODE_FONT)
    magnification = min(1.0, (box_w * 25.4 - 2) / code.width_mm)  # 80-100 % is what scanners read well
    return ean13_svg(s.isbn_print, s.press.price_code, magnification, BARCODE_FONT)


def front_image(edition: Edition):
    """The front's image (edition.yaml: cover) as (path, its resolution at the trim width in ppi), or None."""
    s = edition.settings
    if not s.cover or s.cover.lower().endswith(".svg"):
        return (
            (files.resolve(edition.root, s.cover, [edition.root.resolve()], "cover image"), None) if s.cover else None
        )
    from PIL import Image

    path = files.resolve(edition.root, s.cover, [edition.root.resolve()], "cover image")
    with Image.open(path) as image:
        pixels = image.size[0]
    width_in = points(s.print.page_width) / 72 - 2 * (PRINTERS[s.press.printer].safe_in + 0.25)
    return path, pixels / width_in


def cover_html(edition: Edition, env, size: CoverSize, barcode, image: Path | None) -> str:
    s = edition.settings
    plain = getattr(env, "plain_of", {})
    title = plain.get(s.title.ref, str(s.title))
    subtitle = plain.get(s.subtitle.ref, str(s.subtitle)) if s.subtitle else ""
    names = ", ".join(s.authors) if s.authors else (f"Edited by {' and '.join(s.editors)}" if s.editors else "")
    spine_names = ", ".join(n.split(",")[0] for n in (s.authors or s.editors))
    return env.render(
        "cover.html.j2",
        edition=edition,
        settings=s,
        size=size,
        title=title,
        subtitle=subtitle,
        names=names,
        spine_title=plain.get(s.short_title.ref, str(s.short_title)) if s.short_title else title,
        spine_names=spine_names,
        image=image.as_uri() if image else "",
        back_text=s.press.cover_back or s.description,
        barcode=markupsafe.Markup(barcode.svg) if barcode is not None else "",
    )


def write_cover(edition: Edition, env, template_dirs: list[Path], pages: int, target: Path) -> CoverSize:
    """Lay the cover out and write it to ``target``; returns its size."""
    s = edition.settings
    size = cover_size(edition, pages)
    barcode = barcode_of(edition)
    found = front_image(edition)
    image = found[0] if found else None
    html = cover_html(edition, env, size, barcode, image)
    css = next((d / "cover.css" for d in template_dirs if (d / "cover.css").exists()), None)
    sheets = [("string", font_css())]
    pdf_options = {}
    if s.print.output_profile and is_print_standard(s.print.pdf_variant):
        sheets.append(("string", intent_css(s.print.output_profile)))
        pdf_options["pdf_variant"] = s.print.pdf_variant
    if css is not None:
        sheets.append(("filename", str(css)))
    sheets.append(
        ("string", geometry_css(size, (barcode.width_mm / 25.4, barcode.height_mm / 25.4) if barcode else None))
    )
    allowed = [edition.root.resolve(), FONTS, *[d.resolve() for d in template_dirs]]
    if s.print.output_profile:
        allowed.append(Path(s.print.output_profile).resolve().parent)
    rendered = engine.render(html, sheets, edition.root.resolve().as_uri() + "/", allowed)
    pdf = engine.write_pdf(rendered.document, **pdf_options)
    target.write_bytes(_with_boxes(pdf, size))
    return size


def _with_boxes(pdf: bytes, size: CoverSize) -> bytes:
    """The cover's page boxes: MediaBox and BleedBox the whole sheet, TrimBox the cover as trimmed."""
    book = pikepdf.open(io.BytesIO(pdf))
    (page,) = book.pages
    width, height = size.width * 72, size.height * 72
    b = size.bleed * 72
    page.obj.MediaBox = pikepdf.Array([0, 0, width, height])
    page.obj.BleedBox = pikepdf.Array([0, 0, width, height])
    page.obj.TrimBox = pikepdf.Array([b, b, width - b, height - b])
    out = io.BytesIO()
    book.save(out, deterministic_id=True)
    return out.getvalue()
