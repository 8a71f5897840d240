"""The output formats, registered in one place. A format is a name, the output it writes (a file or a folder in the output folder) and its writer:
a function ``write(job, staging)`` that writes the output into a staging path (the build
moves it into place only when the whole build succeeded) and adds what it found to
``job.problems``; optionally ``begin(job, beside)``, work it starts in a thread while the
print book is laid out. Every format is built after the print layout, whose pages number the EPUB's page
list and the web edition's page markers (``job.typeset``). A new
format (DOCX for copy-editors, say) is one module here and one entry below.

The writers are named, not imported: the command line reads this registry before it
decides to build, without loading WeasyPrint."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Job:
    """What every writer is given: the checked edition, its converted units, the templates,
    the print layout, the cache, the problems, the progress steps."""

    options: object  # options.Options
    edition: object  # edition.model.Edition
    library: object  # units.fragments.Library
    converted: list
    env: object  # units.render.Templates
    titles: dict  # anchor -> title as HTML
    store: object  # rebuild.cache.Store or None
    problems: object  # problems.Problems
    step: Callable[[str], None]
    result: object  # build.Result
    typeset: object = None  # layout.typeset.Typeset
    pending: dict = field(default_factory=dict)  # format -> what its ``begin`` started
    written: dict = field(default_factory=dict)  # format -> its staged output, for the formats after it


@dataclass(frozen=True)
class Format:
    name: str
    title: str  # for messages and --help
    suffix: str  # the output: <slug><suffix>
    module: str  # the module holding write(job, staging) and, optionally, begin(job, beside)
    folder: bool = False  # the output is a folder (staged whole, swapped in whole)
    needs: tuple[str, ...] = ()  # formats it reads back (built in the same run, before it)

    def output_name(self, slug: str) -> str:
        return f"{slug}{self.suffix}"

    def _writer(self):
        return importlib.import_module(self.module)

    def begin(self, job: Job, beside) -> None:
        start = getattr(self._writer(), "begin", None)
        if start is not None:
            job.pending[self.name] = start(job, beside)

    def write(self, job: Job, staging: Path) -> None:
        self._writer().write(job, staging)


REGISTRY: dict[str, Format] = {
    f.name: f
    for f in (
        Format("pdf", "print PDF", ".pdf", "folio.outputs.pdf_book"),
        Format("epub", "EPUB 3", ".epub", "folio.outputs.epub_book"),
        Format("html", "web edition (a static site)", "-web", "folio.outputs.web_site", folder=True),
        Format("cover", "the paperback's full-wrap cover (PDF)", "-cover.pdf", "folio.outputs.cover_pdf"),
        Format(
            "onix",
            "ONIX 3.0 feed of the paperback and the EPUB",
            ".onix.xml",
            "folio.outputs.onix_feed",
            needs=("epub",),
        ),
        Format(
            "crossref",
            "Crossref deposit of the book and its chapters",
            ".crossref.xml",
            "folio.outputs.crossref_deposit",
        ),
    )
}
NAMES = tuple(REGISTRY)


def with_needs(names) -> tuple[str, ...]:
    """The formats asked for and those they read back (the ONIX feed reads the EPUB it describes)."""
    wanted = list(dict.fromkeys(names))
    for name in list(wanted):
        for needed in REGISTRY[name].needs if name in REGISTRY else ():
            if needed not in wanted:
                wanted.append(needed)
    return tuple(wanted)


def requested(names) -> list[Format]:
    """The formats asked for, in the registry's order (the steps' order does not depend on the
    order of --format)."""
    return [f for f in REGISTRY.values() if f.name in set(names)]
