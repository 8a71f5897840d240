"""The print-on-demand printers' published figures: what sizes a paperback's cover (the spine's
width from the page count and the paper, the bleed, the page count from which the spine may carry
text, the barcode's box) and the rules ``check --pdf --printer`` applies to the interior and
the cover. Each figure names where it comes from (docs/press.md lists them); a figure a printer
does not publish is None and is not checked. A printer that changes its figures changes them here.
"""

from __future__ import annotations

from dataclasses import dataclass

KDP_HELP = "https://kdp.amazon.com/en_US/help/topic/"
# Neither printer's own pages give a least line weight; a line under 0.25 pt (a hairline) may not
# print at all, the floor printers' preflights commonly use. (A guide to KDP's hardcovers asks
# 0.75 pt for the lines of charts and tables; a book's footnote rule is 0.4 pt by convention.)
HAIRLINE_PT = 0.25


@dataclass(frozen=True)
class Printer:
    name: str
    title: str
    inches_per_page: dict | None  # paper -> the spine's width a page adds; None: the printer's template gives it
    bleed_in: float  # around the cover, and at the interior's top, bottom and outside edges
    spine_text_pages: int  # the fewest pages whose spine may carry text
    spine_margin_in: float  # kept free at each side of the spine's text (the fold's variance)
    safe_in: float  # cover text kept this far inside the trim
    barcode_box_in: tuple[float, float]  # (width, height) kept for the barcode, bottom right of the back
    barcode_inset_in: float  # the box this far from the spine and the bottom trim
    trims: tuple[tuple[float, float], ...]  # accepted trim sizes (width, height) in inches; () any
    min_pages: int
    max_pages: int
    even_pages: bool
    gutter: tuple[tuple[int, float], ...]  # (up to this page count, inside margin in inches)
    outside_in: float  # the least outside, top and bottom margin without bleed
    outside_bleed_in: float  # and with bleed
    min_font_pt: float | None
    min_rule_pt: float | None
    max_ink: float | None  # total ink coverage, in per cent
    sources: tuple[str, ...]

    def gutter_for(self, pages: int) -> float:
        for limit, inches in self.gutter:
            if pages <= limit:
                return inches
        return self.gutter[-1][1]

    def spine_width(self, paper: str, pages: int) -> float | None:
        if self.inches_per_page is None:
            return None
        return round(pages * self.inches_per_page[paper], 4)


KDP_TRIMS = (
    (5, 8), (5.06, 7.81), (5.25, 8), (5.5, 8.5), (6, 9), (6.14, 9.21), (6.69, 9.61), (7, 10), (7.44, 9.69),
    (7.5, 9.25), (8, 10), (8.25, 6), (8.25, 8.25), (8.5, 8.5), (8.5, 11), (8.27, 11.69),
)  # fmt: skip

PRINTERS = {
    "kdp": Printer(
        name="kdp",
        title="Amazon KDP",
        # spine = pages x 0.002252 in (white), 0.0025 in (cream), 0.002347 in (premium colour)
        inches_per_page={"white": 0.002252, "cream": 0.0025, "colour": 0.002347},
        bleed_in=0.125,
        spine_text_pages=79,
        spine_margin_in=0.0625,
        safe_in=0.125,
        barcode_box_in=(2.0, 1.2),
        barcode_inset_in=0.25,
        trims=KDP_TRIMS,
        min_pages=24,
        max_pages=828,  # black ink on white paper at the standard trims (776 on cream: see max_pages_for)
        even_pages=True,
        gutter=((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (828, 0.875)),
        outside_in=0.25,
        outside_bleed_in=0.375,
        min_font_pt=7.0,
        min_rule_pt=HAIRLINE_PT,
        max_ink=None,  # KDP publishes no total ink limit
        sources=(
            KDP_HELP + "G201953020 (Create a Paperback Cover: bleed, spine text from 79 pages)",
            KDP_HELP + "G5HDYGP4BXLX4RUW (Barcodes: 2 x 1.2 in, 0.25 in from spine and trim)",
            KDP_HELP + "GVBQ3CMEQW3W2VL6 (Set Trim Size, Bleed, and Margins: the gutter table)",
            KDP_HELP + "G202145450 (Paperback Fonts: at least 7 pt)",
        ),
    ),
    "ingramspark": Printer(
        name="ingramspark",
        title="IngramSpark",
        inches_per_page=None,  # IngramSpark publishes no formula: its cover template gives the spine
        bleed_in=0.125,
        spine_text_pages=48,
        spine_margin_in=0.0625,  # Lightning Source's production variance: 1/16 in
        safe_in=0.25,
        barcode_box_in=(2.0, 1.2),
        barcode_inset_in=0.25,
        trims=(),  # IngramSpark's trim matrix is long; any trim its template generator offers
        min_pages=18,
        max_pages=1200,
        even_pages=True,
        gutter=((1200, 0.5),),  # at least 0.5 in from the trim on every side
        outside_in=0.5,
        outside_bleed_in=0.5,
        min_font_pt=None,
        min_rule_pt=HAIRLINE_PT,
        max_ink=240.0,
        sources=(
            "https://www.ingramspark.com/blog/file-requirements-for-print-books (margins 0.5 in, a blank last page)",
            "https://help.lightningsource.com/hc/en-us/articles/360021155692 (ink coverage under 240 %)",
            "https://help.ingramspark.com/hc/en-us/articles/209072886 (barcode black only, over white)",
        ),
    ),
}


def max_pages_for(printer: Printer, paper: str, width: float, height: float) -> int:
    """KDP's maximum page count depends on the paper and the trim; IngramSpark's is one figure."""
    if printer.name != "kdp":
        return printer.max_pages
    large = {(8.5, 8.5): (590, 550, 590), (8.5, 11): (590, 550, 590), (8.25, 6): (800, 750, 800),
             (8.25, 8.25): (800, 750, 800), (8.27, 11.69): (780, 730, 590)}  # fmt: skip
    white, cream, colour = large.get((round(width, 2), round(height, 2)), (828, 776, 828))
    return {"white": white, "cream": cream, "colour": colour}[paper]
