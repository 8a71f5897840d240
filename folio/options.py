"""What a build is asked to do: the command line's choices, and the paths they imply.
Light on purpose: the command line reads it before deciding whether to build at all."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _tool_templates() -> Path:
    """The default templates: the repository's templates/ (the editable default) in a source
    checkout, else the copy the installed package ships (folio.templates)."""
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if (checkout / "book.html.j2").is_file():
        return checkout
    from importlib import resources

    return Path(str(resources.files("folio") / "templates"))


TOOL_TEMPLATES = _tool_templates()
FORMATS = ("pdf", "epub")  # the default formats (folio.outputs has them all)


@dataclass(frozen=True)
class Options:
    edition: Path
    bibliography: Path | None = None
    output: Path | None = None
    formats: tuple[str, ...] = FORMATS
    templates: Path | None = None
    strict: bool = False
    workers: int = 0  # processes laying out parts; 0: one per processor
    cache: bool = True  # keep what each stage produced in .folio-cache beside the edition
    ignore: tuple[str, ...] = ()  # warning codes not reported (e.g. W301 for a whole Zotero library)
    verify: bool = False  # check the EPUB with EPUBCheck and Ace; claim conformance only if both pass

    @property
    def cache_dir(self) -> Path:
        """The cache of this edition (two editions in one folder keep theirs apart)."""
        import hashlib

        edition = self.edition.resolve()
        tag = hashlib.sha256(str(edition).encode()).hexdigest()[:8]
        return edition.parent / ".folio-cache" / f"{edition.name}-{tag}"

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    @property
    def output_dir(self) -> Path:
        return self.output or self.edition.parent / "output"

    @property
    def template_dirs(self) -> list[Path]:
        dirs = [self.templates] if self.templates else []
        dirs += [self.edition / "templates", TOOL_TEMPLATES]
        return [d for d in dirs if d.is_dir()]
