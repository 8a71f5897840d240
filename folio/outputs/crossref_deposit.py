"""The Crossref deposit (``press.crossref``): the book and its chapters, with their printed pages."""

from __future__ import annotations

from pathlib import Path

from folio.outputs import Job
from folio.press.crossref import deposit
from folio.web.site import page_of


def write(job: Job, staging: Path) -> None:
    edition, settings = job.edition, job.edition.settings
    job.step("Writing the Crossref deposit")
    missing = [
        (key, hint)
        for key, value, hint in (
            ("press.doi", settings.press.doi, "the book's DOI, e.g. 10.5555/secret-speech"),
            (
                "press.chapter_doi",
                settings.press.chapter_doi,
                "the chapters' DOIs as a pattern, e.g. 10.5555/secret-speech.{id}",
            ),
            ("press.depositor_email", settings.press.depositor_email, "the address Crossref sends its reply to"),
            (
                "web.base_url",
                settings.web_base_url,
                "where the web edition is published: each DOI resolves to its page",
            ),
            ("publisher", settings.publisher, "the press that registers the DOIs"),
        )
        if not value
    ]
    for key, hint in missing:
        job.problems.add("E612", edition.root / "edition.yaml", None, f"the Crossref deposit needs {key}", hint)
    if missing:
        return
    staging.write_bytes(deposit(edition, job.typeset, getattr(job.env, "plain_of", {}), page_of))
