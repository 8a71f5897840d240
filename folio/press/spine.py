"""The printers' published figures that size a paperback's cover: the spine's width from the
printed page count and the paper, the bleed, and the page count from which the spine may carry
text. Each figure names where it comes from; a printer that changes its figures changes them here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Printer:
    name: str
    title: str
    inches_per_page: dict  # paper -> the spine's width a page adds (a page: one side of a leaf)
    bleed_in: float  # bleed around the whole cover
    spine_text_pages: int  # the fewest pages whose spine may carry text
    spine_margin_in: float  # space kept free at each side of the spine's text
    safe_in: float  # text kept this far inside the trim on the front and back
    barcode_box_in: tuple[float, float]  # (width, height) the printer keeps for the barcode
    barcode_inset_in: float  # the barcode's box this far from the back's bottom and spine-side edges
    source: str


PRINTERS = {
    "kdp": Printer(
        name="kdp",
        title="Amazon KDP",
        # KDP Help, "Paperback cover calculator and templates" / "Create a paperback cover":
        # spine width = page count x 0.002252 in (white), 0.0025 in (cream), 0.002347 in (standard colour)
        inches_per_page={"white": 0.002252, "cream": 0.0025, "colour": 0.002347},
        bleed_in=0.125,
        spine_text_pages=79,  # KDP: "spine text is only allowed for books with more than 79 pages"
        spine_margin_in=0.0625,  # KDP: 0.0625 in of space on each side of the spine text
        safe_in=0.125,
        barcode_box_in=(2.0, 1.2),  # KDP places its barcode in a 2 x 1.2 in box
        barcode_inset_in=0.25,
        source="KDP Help: Paperback Cover (kdp.amazon.com/help/topic/G201953020)",
    ),
    "ingramspark": Printer(
        name="ingramspark",
        title="IngramSpark",
        # IngramSpark File Creation Guide (paperback, 50 lb / 70 gsm papers)
        inches_per_page={"white": 0.0025, "cream": 0.0025, "colour": 0.0025},
        bleed_in=0.125,
        spine_text_pages=48,
        spine_margin_in=0.0625,
        safe_in=0.125,
        barcode_box_in=(1.75, 1.0),
        barcode_inset_in=0.25,
        source="IngramSpark File Creation Guide",
    ),
}


def spine_width(printer: str, paper: str, pages: int) -> float:
    """The spine's width in inches for ``pages`` printed pages (the PDF's page count)."""
    return round(pages * PRINTERS[printer].inches_per_page[paper], 4)
