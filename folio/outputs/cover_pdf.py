"""The paperback's cover: sized from this build's printed page count (``press.cover``)."""

from __future__ import annotations

import logging
from pathlib import Path

from folio.outputs import Job
from folio.press.cover import MIN_PPI, NoSpine, front_image, write_cover
from folio.press.printers import PRINTERS

log = logging.getLogger("folio")


def write(job: Job, staging: Path) -> None:
    edition, settings = job.edition, job.edition.settings
    job.step("Laying out the cover")
    found = front_image(edition)
    if found is not None and found[1] is not None and found[1] < MIN_PPI:
        job.problems.add(
            "W610",
            edition.root / "edition.yaml",
            None,
            f"cover: the image {settings.cover} is {found[1]:.0f} ppi at the width it is printed",
            f"give an image of at least {MIN_PPI} ppi at that width, or the cover prints soft",
        )
    if not settings.isbn_print:
        job.problems.add(
            "W611",
            edition.root / "edition.yaml",
            None,
            "the cover has no barcode: the edition has no print ISBN",
            "give isbn: print: in edition.yaml; a printer may add its own barcode, or ask for one",
        )
    try:
        size = write_cover(edition, job.env, job.options.template_dirs, job.typeset.page_count, staging)
    except NoSpine as missing:
        job.problems.add(
            "E613",
            edition.root / "edition.yaml",
            None,
            f"{missing} publishes no spine formula: the cover's spine width must come from its cover template",
            f"make the template for {job.typeset.page_count} pages with the printer's cover template generator and "
            "give its spine width in edition.yaml (press: spine_width: 0.52in)",
        )
        return
    printer = PRINTERS[size.printer]
    log.info(
        "  %s",
        f"{size.width:.3f} x {size.height:.3f} in, spine {size.spine:.4f} in for {size.pages} pages on "
        f"{size.paper} paper ({printer.title})"
        + ("" if size.spine_text else f"; no spine text under {printer.spine_text_pages} pages"),
    )
