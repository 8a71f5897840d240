"""The paperback's cover: sized from the interior's printed page count and the printer's
formula, its barcode the print ISBN (read back by a decoder), its spine text only where the
printer allows it. Laid out for real; the PDF read back by pypdf, Poppler and PDFium."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from conftest import copy_small
from pypdf import PdfReader

from folio.cli import main

pytestmark = pytest.mark.slow  # lays out the book and its cover

KDP_CREAM = 0.0025  # in a page (KDP Help: paperback cover), the edition's default paper


def boxes(path: Path) -> dict[str, tuple[float, ...]]:
    (page,) = PdfReader(path).pages
    return {
        name: tuple(round(float(v), 2) for v in getattr(page, name)) for name in ("mediabox", "bleedbox", "trimbox")
    }


def barcodes(path: Path) -> list[str]:
    image = pdfium.PdfDocument(str(path))[0].render(scale=600 / 72).to_pil()
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormat.EAN13, ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Require
    )
    return [code.text for code in found]


def text_in(path: Path, x: float, y: float, width: float, height: float) -> str:
    """The text Poppler finds in a region of the cover (inches from its top left)."""
    dpi = 72
    out = subprocess.run(
        [
            "pdftotext",
            "-r",
            str(dpi),
            "-x",
            str(int(x * dpi)),
            "-y",
            str(int(y * dpi)),
            "-W",
            str(int(width * dpi)),
            "-H",
            str(int(height * dpi)),
            str(path),
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(out.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("cover")
    edition = copy_small(root)
    settings = edition / "edition.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "press:\n  price_code: '51995'\n", encoding="utf-8")
    out = root / "out"
    assert main(["build", "-q", "--edition", str(edition), "--output", str(out), "--format", "pdf,cover"]) == 0
    return edition, out


def test_the_cover_is_sized_from_the_printed_page_count(built):
    _edition, out = built
    pages = len(PdfReader(out / "small.pdf").pages)
    spine = pages * KDP_CREAM
    found = boxes(out / "small-cover.pdf")
    width, height = (2 * 0.125 + 2 * 6 + spine) * 72, (2 * 0.125 + 9) * 72
    assert found["mediabox"] == pytest.approx((0, 0, width, height), abs=0.02)
    assert found["bleedbox"] == found["mediabox"]
    assert found["trimbox"] == pytest.approx((9, 9, width - 9, height - 9), abs=0.02)  # 0.125 in of bleed


def test_the_barcode_reads_back_as_the_isbn_printed_on_the_copyright_page(built):
    _edition, out = built
    interior = " ".join(page.extract_text() for page in PdfReader(out / "small.pdf").pages[:6])
    printed = re.search(r"ISBN ([0-9-]{17}) \(print\)", interior).group(1)
    assert barcodes(out / "small-cover.pdf") == [printed.replace("-", "") + "51995"]


def test_the_cover_embeds_its_fonts_and_carries_its_text(built):
    _edition, out = built
    reader = PdfReader(out / "small-cover.pdf")
    fonts = reader.pages[0]["/Resources"]["/Font"]
    faces = {str(fonts[name].get_object()["/BaseFont"]).split("+", 1)[-1] for name in fonts}
    assert all(face.startswith("Gentium-Book-Plus") for face in faces), faces  # the barcode's figures too
    for name in fonts:
        descriptor = fonts[name].get_object()
        descriptor = (
            descriptor.get("/FontDescriptor") or descriptor["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        )
        assert any(key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")), name
    front = text_in(out / "small-cover.pdf", 0.125 + 6 + 0.2, 0, 6, 9.25)
    assert "A Small Test Edition" in front and "Edited by Ada Editor" in front
    back = text_in(out / "small-cover.pdf", 0, 0, 6.125, 9.25)
    assert "A small edition for the toolchain's tests." in back and "Test Press" in back


def test_spine_text_only_from_the_printers_page_count(built, tmp_path):
    """KDP allows no spine text under 79 pages: the small edition's spine is bare; the same cover
    for 300 pages carries the title on a spine 0.75 in wide, and its sheet is wider by the spine."""
    from folio.build import Options, gather
    from folio.press.cover import write_cover

    edition_dir, out = built
    thin = out / "small-cover.pdf"
    pages = len(PdfReader(out / "small.pdf").pages)
    assert pages < 79
    spine_left = 0.125 + 6
    assert text_in(thin, spine_left, 0, pages * KDP_CREAM, 9.25) == ""

    options = Options(edition=edition_dir)
    result = gather(options)
    thick = tmp_path / "thick.pdf"
    size = write_cover(result.edition, result.env, options.template_dirs, 300, thick)
    assert size.spine == pytest.approx(0.75)
    assert boxes(thick)["mediabox"][2] - boxes(thin)["mediabox"][2] == pytest.approx(
        (300 - pages) * KDP_CREAM * 72, abs=0.02
    )
    on_spine = text_in(thick, spine_left, 0, 0.75, 9.25)
    assert "Small Test Edition" in on_spine and "Test Press" in on_spine
