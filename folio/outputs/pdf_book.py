"""The print PDF: the laid-out parts assembled, read back by the preflight, and made the
printer's copy (PDF/X) when the edition asks for one."""

from __future__ import annotations

from pathlib import Path

from folio.edition.output_intent import is_print_standard
from folio.layout.assemble import printers_copy, write_book
from folio.layout.preflight import preflight
from folio.outputs import REGISTRY, Job


def write(job: Job, staging: Path) -> None:
    edition, typeset = job.edition, job.typeset
    shown_as = job.options.output_dir / REGISTRY["pdf"].output_name(edition.settings.slug)
    job.step("Assembling the PDF from its parts")
    write_book(typeset, staging)
    job.step("Preflight: reading the PDF back")
    for_printer = is_print_standard(edition.settings.print.pdf_variant)
    preflight(
        staging,
        edition,
        job.problems,
        shown_as=shown_as,
        links_removed_after=for_printer,
        store=job.store,
        openings=edition.recto_anchors(bool(typeset.index)),
    )
    if for_printer:  # PDF/X: no annotations inside the trim; the links were checked above
        profile = edition.settings.print.output_profile.read_bytes()
        staging.write_bytes(printers_copy(staging.read_bytes(), profile))
