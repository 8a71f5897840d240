"""The typed model of an edition: frozen dataclasses, built by ``load``.

Templates receive these objects, not loose dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """A citation of a bibliography entry: key plus locator ("p. 12")."""

    key: str
    locator: str = ""

    def pandoc(self) -> str:
        """The citation in Pandoc syntax, e.g. ``[@getty1999, 498]``."""
        if self.locator:
            return f"[@{self.key}, {self.locator}]"
        return f"[@{self.key}]"


@dataclass(frozen=True)
class Passage:
    """The quoted passage of the examined text and where it stands there."""

    text: str
    locator: str = ""
    source: Source | None = None


@dataclass(frozen=True)
class Claim:
    id: str
    number: int
    title: str
    passage: Passage
    assessment: str
    quotation_ids: tuple[str, ...]
    analysis: str
    path: Path
    line: int
    analysis_line: int
    chapter_id: str = ""
    lines: dict = field(default_factory=dict, compare=False, repr=False)  # key -> source line

    @property
    def anchor(self) -> str:
        return f"claim-{self.id}"

    @property
    def sources_anchor(self) -> str:
        return f"sources-{self.id}"


@dataclass(frozen=True)
class Chapter:
    id: str
    number: int
    title: str
    kind: str  # "claims" or "essay"
    claim_ids: tuple[str, ...]
    opening: str
    path: Path
    opening_line: int
    lines: dict = field(default_factory=dict, compare=False, repr=False)  # key -> source line

    @property
    def anchor(self) -> str:
        return f"chapter-{self.id}"


@dataclass(frozen=True)
class FrontPart:
    id: str
    title: str
    body: str
    path: Path
    body_line: int

    @property
    def anchor(self) -> str:
        return f"front-{self.id}"


@dataclass(frozen=True)
class Quotation:
    id: str
    claim_ids: tuple[str, ...]
    heading: str
    text: str
    source: Source
    date: str = ""
    translation_note: str = ""
    url: str = ""
    path: Path = Path()
    line: int = 0
    lines: dict = field(default_factory=dict, compare=False, repr=False)  # key -> source line

    @property
    def anchor(self) -> str:
        return f"q-{self.id}"


@dataclass(frozen=True)
class Person:
    name: str
    variants: tuple[str, ...] = ()
    dates: str = ""
    path: Path = Path()
    line: int = 0
    # sub-entries of the index: (label, claim ids); the person's mentions in those
    # claims are listed under the label
    subentries: tuple[tuple[str, tuple[str, ...]], ...] = ()
    lines: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class BibEntry:
    key: str
    entry_type: str
    fields: dict
    line: int


@dataclass(frozen=True)
class Bibliography:
    path: Path
    entries: dict  # key -> BibEntry


@dataclass(frozen=True)
class PrintSettings:
    trim: str = "6x9in"
    bleed: str = "0in"
    crop_marks: bool = False
    pdf_variant: str | None = None
    output_profile: Path | None = None  # the CMYK ICC profile of a PDF/X book (folio.output_intent)
    font_size: str = "10.5pt"

    TRIMS = {
        "6x9in": ("6in", "9in"),
        "5.5x8.5in": ("5.5in", "8.5in"),
        "a5": ("148mm", "210mm"),
        "royal": ("156mm", "234mm"),
    }

    @property
    def page_width(self) -> str:
        return self.TRIMS[self.trim][0]

    @property
    def page_height(self) -> str:
        return self.TRIMS[self.trim][1]


@dataclass(frozen=True)
class Settings:
    title: str
    slug: str
    language: str
    subtitle: str = ""
    short_title: str = ""
    editors: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    publisher: str = ""
    place: str = ""
    year: int | None = None
    edition: str = ""
    isbn_print: str = ""
    isbn_ebook: str = ""
    rights: str = ""
    description: str = ""
    subjects: tuple[str, ...] = ()
    cover: str = ""
    citation_style: str = "chicago-notes-bibliography"
    note_numbering: str = "per-chapter"
    assessments: dict = field(default_factory=dict)  # key -> label
    print: PrintSettings = PrintSettings()
    front_files: tuple[str, ...] = ()
    chapter_files: tuple[str, ...] = ()
    appendix: bool = True
    bibliography: bool = True
    appendix_title: str = "Appendix: Primary-Source Quotations"
    bibliography_title: str = "Bibliography"

    @property
    def running_title(self) -> str:
        return self.short_title or self.title


@dataclass(frozen=True)
class Edition:
    root: Path
    settings: Settings
    front: tuple[FrontPart, ...]
    chapters: tuple[Chapter, ...]
    claims: dict  # id -> Claim, in book order
    quotations: dict  # id -> Quotation, in file order
    persons: tuple[Person, ...]
    bibliography: Bibliography

    def claims_of(self, chapter: Chapter) -> list[Claim]:
        return [self.claims[cid] for cid in chapter.claim_ids if cid in self.claims]

    def quotations_of(self, claim: Claim) -> list[Quotation]:
        return [self.quotations[qid] for qid in claim.quotation_ids if qid in self.quotations]

    def assessment_label(self, claim: Claim) -> str:
        return self.settings.assessments.get(claim.assessment, claim.assessment)
