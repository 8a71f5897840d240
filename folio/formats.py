"""The output formats, registered in one place: a name, whether it needs the print layout,
the output it writes (a file or a folder in the output folder), and the stage of the build
that writes it (``folio.build`` runs the stages the requested formats need). A new format
(DOCX for copy-editors, say) is one entry here and one writer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    title: str  # for messages and --help
    needs_layout: bool  # the print layout (its pages number the EPUB's page list, the site's markers)
    suffix: str  # the output: <slug><suffix>
    folder: bool = False  # the output is a folder (written into a staging folder, swapped in whole)

    def output_name(self, slug: str) -> str:
        return f"{slug}{self.suffix}"


REGISTRY: dict[str, Format] = {
    f.name: f
    for f in (
        Format("pdf", "print PDF", True, ".pdf"),
        Format("epub", "EPUB 3", True, ".epub"),
        Format("html", "web edition (a static site)", True, "-web", folder=True),
    )
}
NAMES = tuple(REGISTRY)
DEFAULT = ("pdf", "epub")


def needs_layout(formats) -> bool:
    return any(REGISTRY[name].needs_layout for name in formats)
