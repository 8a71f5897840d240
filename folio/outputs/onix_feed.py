"""The ONIX 3.0 feed (``press.onix``): the paperback and the EPUB, its extent the printed page
count of this build, the EPUB's accessibility as the EPUB written in this build declares it."""

from __future__ import annotations

from pathlib import Path

from folio.outputs import Job
from folio.press.cover import NoSpine, cover_size
from folio.press.onix import epub_facts, onix_message


def write(job: Job, staging: Path) -> None:
    edition, settings = job.edition, job.edition.settings
    job.step("Writing the ONIX feed")
    if not (settings.isbn_print or settings.isbn_ebook):
        job.problems.add(
            "E612",
            edition.root / "edition.yaml",
            None,
            "the ONIX feed describes products by their ISBNs, and the edition has none",
            "give isbn: print: and isbn: ebook: in edition.yaml",
        )
        return
    epub = epub_facts(job.written["epub"]) if "epub" in job.written else None
    try:
        size = cover_size(edition, job.typeset.page_count)
    except NoSpine:
        size = None  # the thickness is left out: the printer's template gives it
    staging.write_bytes(onix_message(edition, job.typeset, size, epub, getattr(job.env, "plain_of", {})))
