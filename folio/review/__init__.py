"""The copy-editors' round trip: ``folio export docx`` writes the edition's editorial text as a
Word document; ``folio import docx FILE`` carries the reviewed document's changes back into the
edition's files, and its comments into ``output/review.txt``."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from folio.options import Options
from folio.problems import Problems


@dataclass
class ReviewResult:
    problems: Problems
    written: list[Path] = field(default_factory=list)  # edition files changed (import) or the document (export)
    report: Path | None = None
    summary: str = ""


def _checked(options: Options):
    from folio.build import gather

    result = gather(options)
    return result, (result.edition if result.edition is not None and not result.problems.errors else None)


def export_docx(options: Options) -> ReviewResult:
    from folio.review.docx_out import write_docx
    from folio.review.units import review_files

    result, edition = _checked(options)
    out = ReviewResult(result.problems)
    if edition is None:
        return out
    files = review_files(edition)
    target = options.output_dir / f"{edition.settings.slug}-review.docx"
    write_docx(edition, files, target)
    out.written.append(target)
    count = sum(len(f.units) for f in files)
    out.summary = f"Wrote {target} ({count} paragraphs from {len(files)} files)"
    return out


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.folio-import")
    with open(partial, "w", encoding="utf-8", newline="") as handle:  # the line ends as they were
        handle.write(text)
    os.replace(partial, path)


def _still_builds(options: Options, edition, changed: dict[Path, str], problems: Problems) -> bool:
    """The edition with the changes, in a copy, checked as a build checks it."""
    from folio.build import gather

    with tempfile.TemporaryDirectory(prefix="folio-import-") as scratch:
        copy = Path(scratch) / edition.root.name
        shutil.copytree(edition.root, copy, ignore=shutil.ignore_patterns(".folio-cache", "output"), symlinks=True)
        for path, text in changed.items():
            with open(copy / path.relative_to(edition.root), "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        trial = gather(replace(options, edition=copy, bibliography=edition.bibliography.path, cache=False))
    if trial.problems.errors:
        for problem in trial.problems.errors:
            problems.add(
                "E647",
                edition.root.parent / problem.place.path,  # the copy's places, named in the edition itself
                problem.place.line,
                f"with the document's changes the edition would not build: {problem.message}",
                "make this change in the file by hand, or fix it in the document and import again",
            )
        return False
    return True


def import_docx(options: Options, document: Path, accept_all: bool = False, partial: bool = False) -> ReviewResult:
    from folio.review.docx_in import Unreadable, read_docx
    from folio.review.place import place, report_text
    from folio.review.units import review_files

    result, edition = _checked(options)
    out = ReviewResult(result.problems)
    if edition is None:
        return out
    try:
        reviewed = read_docx(document)
    except Unreadable as fault:
        out.problems.add(
            "E640",
            document,
            None,
            f"the review document cannot be read: {fault}",
            "give the .docx that folio export docx wrote, as the reviewer saved it",
        )
        return out
    files = review_files(edition)
    outcome = place(reviewed, files, out.problems, accept_all, partial, where=document.name)
    if out.problems.errors and not partial:
        return out
    if outcome.changed and not _still_builds(options, edition, outcome.changed, out.problems):
        return out
    for path, text in outcome.changed.items():
        _write_atomically(path, text)
        out.written.append(path)
    report = options.output_dir / "review.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(report, report_text(outcome, edition.root, accept_all))
    out.report = report
    pending = "" if accept_all else f", {len(outcome.pending)} tracked change(s) left for the editor"
    out.summary = (
        f"Changed {len(outcome.units_changed)} paragraph(s) in {len(outcome.changed)} file(s){pending}, "
        f"{len(outcome.comments)} comment(s); the report is {report}"
    )
    return out
