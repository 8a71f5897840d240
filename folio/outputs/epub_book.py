"""The EPUB 3: Pandoc writes each unit's chapters while the print book is laid out
(``begin``); then the front files, the index, the frame, the merge and the finish, and with
``--verify`` EPUBCheck and DAISY Ace (conformance claimed only when both pass)."""

from __future__ import annotations

from pathlib import Path

from folio.ebook import epub_check, finish, frame, units
from folio.outputs import REGISTRY, Job


def begin(job: Job, beside):
    return beside.submit(units.chapter_files, job.edition, job.converted, job.store)


def write(job: Job, staging: Path) -> None:
    edition, typeset, store, env = job.edition, job.typeset, job.store, job.env
    job.step("Writing the EPUB (Pandoc wrote its chapters during the layout)")
    parts = units.front_files(edition, env, job.library, typeset, store) + job.pending["epub"].result()
    index = units.index_files(units.epub_index(edition, job.converted, typeset.locate), edition, env, store)
    parts += [index] if index else []
    outline = frame.frame(edition, parts, job.options.template_dirs, env, store)
    for warning in dict.fromkeys(w for part in (*parts, outline) for w in part.warnings):
        job.problems.add("W401", edition.root, None, f"EPUB: {warning}")
    book = frame.merge(outline, parts)
    finish.write(book, staging, edition, typeset)
    if job.options.verify:
        job.step("Checking the EPUB with EPUBCheck and DAISY Ace")
        shown_as = job.options.output_dir / REGISTRY["epub"].output_name(edition.settings.slug)
        if epub_check.check(staging, job.problems, shown_as=shown_as):
            finish.write(book, staging, edition, typeset, verified=True)  # the conformance it passed
