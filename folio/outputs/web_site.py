"""The web edition: a static site in a folder (``folio.web.site``)."""

from __future__ import annotations

from pathlib import Path

from folio.outputs import Job
from folio.web.site import web_fonts, write_site


def begin(job: Job, beside):
    """The bundled font made WOFF2 (seconds, once; then from the cache) while the book is laid out."""
    return beside.submit(web_fonts, job.store)


def write(job: Job, staging: Path) -> None:
    job.step("Writing the web edition")
    site = write_site(
        job.edition,
        job.converted,
        job.env,
        job.titles,
        job.options.template_dirs,
        staging,
        job.typeset,
        job.store,
        fonts=job.pending["html"].result() if "html" in job.pending else None,
    )
    job.result.site = site
    for warning in site.warnings:
        job.problems.add("W401", job.edition.root, None, f"web edition: {warning}")
