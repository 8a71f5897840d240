"""The typed model of an edition: frozen dataclasses, built by ``load``.

Templates receive these objects, not loose dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from folio import ids


class Markdown(str):
    """Text an editor wrote in Pandoc Markdown, with where it was written. It reaches Pandoc
    as a fragment parsed on its own (``fragments``), never pasted into generated Markdown:
    ``ref`` names it, ``inline`` says whether it is a title-like run of words or blocks."""

    ref: str
    path: Path
    line: int
    inline: bool

    def __new__(cls, text: str, ref: str, path: Path, line: int, inline: bool = False) -> Markdown:
        made = super().__new__(cls, text)
        made.ref, made.path, made.line, made.inline = ref, Path(path), line, inline
        return made

    def __reduce__(self):
        return Markdown, (str(self), self.ref, self.path, self.line, self.inline)


@dataclass(frozen=True)
class Source:
    """A citation of a bibliography entry: key plus locator ("p. 12")."""

    key: str
    locator: str = ""
    ref: str = ""  # the fragment that carries it (fragments.citation_markdown)
    path: Path = Path()
    line: int = 0


@dataclass(frozen=True)
class Passage:
    """The quoted passage of the examined text and where it stands there."""

    text: str
    locator: str = ""
    source: Source | None = None


@dataclass(frozen=True)
class Claim:
    id: str
    number: int  # the first number of the claim (a claim may cover several: 21-24)
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
    last_number: int = 0  # the last number of a claim over a range; 0 for one number

    @property
    def label(self) -> str:
        """The claim's number as printed: "7", or "21–24" for a claim over a range."""
        return f"{self.number}–{self.last_number}" if self.last_number > self.number else str(self.number)

    @property
    def numbers(self) -> range:
        return range(self.number, max(self.number, self.last_number) + 1)

    @property
    def anchor(self) -> str:
        return ids.claim(self.id)

    @property
    def sources_anchor(self) -> str:
        return ids.sources(self.id)


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
    short_title: str = ""  # the running head, when the title is too long for it

    @property
    def anchor(self) -> str:
        return ids.chapter(self.id)


@dataclass(frozen=True)
class FrontPart:
    id: str
    title: str
    body: str
    path: Path
    body_line: int

    @property
    def anchor(self) -> str:
        return ids.front(self.id)


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
    language: str = ""  # a BCP 47 tag when the text is not in the book's language
    path: Path = Path()
    line: int = 0
    lines: dict = field(default_factory=dict, compare=False, repr=False)  # key -> source line

    @property
    def anchor(self) -> str:
        return ids.quotation(self.id)


@dataclass(frozen=True)
class HeldText:
    """A text the edition quotes, held in sources/ (plain text or Pandoc Markdown, with front
    matter): the quotations of its bibliography entry are verified against it
    (``folio.units.verify``), and the book may print it whole."""

    key: str  # the bibliography entry it is the text of
    path: Path
    body: str  # the text after its front matter, as written (page markers and all)
    body_line: int
    printable: bool = False  # print: true (its rights allow the book to print it whole)
    title: str = "The Text"
    first_page: str = "1"
    markdown: bool = False  # a .md file (Pandoc Markdown), else plain text
    line: int = 1  # the line of its 'source' key

    @property
    def anchor(self) -> str:
        return ids.text_part(self.key)


@dataclass(frozen=True)
class Person:
    name: str
    key: str = ""  # tells homonyms apart: [Zhukov]{.person key=zhukov-iurii}
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
    field_lines: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Bibliography:
    path: Path
    entries: dict  # key -> BibEntry
    text: str = ""  # the file as read (Pandoc is given this text, not the file again)
    broken: dict = field(default_factory=dict, compare=False)  # key -> line of an entry that could not be read


@dataclass(frozen=True)
class Typeface:
    """The edition's own body face (print.font): its name and the files of its styles."""

    name: str
    files: tuple[tuple[str, Path], ...]  # (style: regular, italic, bold, bold_italic; file)
    licence: str = ""

    @property
    def regular(self) -> Path:
        return dict(self.files)["regular"]

    @property
    def family(self) -> str:
        """Its name as a stylesheet names it (in quotes, so without any)."""
        return self.name.replace('"', "")


@dataclass(frozen=True)
class PrintSettings:
    """The print: settings; every value comes from the schema (folio.edition.schema), defaults too."""

    trim: str
    bleed: str
    crop_marks: bool
    pdf_variant: str | None
    output_profile: Path | None  # the CMYK ICC profile of a PDF/X book (folio.edition.output_intent)
    font_size: str
    page_width: str
    page_height: str
    hyphenation: tuple[str, ...]  # words with their break points: "Khru-shchev"
    line_breaking: str = "total-fit"  # or "first-fit" (folio.layout.total_fit)
    fonts: tuple[Path, ...] = ()  # the edition's fonts for what Gentium lacks, in order (print.fonts)
    margins: tuple[tuple[str, str], ...] = ()  # (side, length) given in print.margins: inside, outside, top, bottom
    typeface: Typeface | None = None  # print.font: the edition's own body face (else the bundled Gentium)

    @property
    def set_in(self) -> str:
        """The typeface as the colophon names it ("Set in ...")."""
        from folio.typefaces import BUNDLED_CREDIT

        if self.typeface is None:
            return BUNDLED_CREDIT
        return self.typeface.name + (f" ({self.typeface.licence})" if self.typeface.licence else "")


@dataclass(frozen=True)
class PressSettings:
    """The press: settings (the printer, the paper, the metadata feeds); from the schema, defaults too."""

    printer: str = "kdp"
    paper: str = "cream"
    binding: str = "paperback"
    spine_width: str = ""  # a length, from the printer's cover template ('' : the printer's formula)
    price_code: str = ""  # the barcode's 5-digit add-on
    publication_date: str = ""  # YYYY-MM-DD
    thema: tuple[str, ...] = ()
    bisac: tuple[str, ...] = ()
    doi: str = ""
    chapter_doi: str = ""  # a pattern with {id}
    depositor: str = ""
    depositor_email: str = ""
    cover_back: str = ""

    def chapter_doi_of(self, chapter_id: str) -> str:
        return self.chapter_doi.replace("{id}", chapter_id) if self.chapter_doi else ""


@dataclass(frozen=True)
class Settings:
    """edition.yaml as read; every value comes from the schema (folio.edition.schema), defaults too."""

    title: str
    slug: str
    language: str
    subtitle: str
    short_title: str
    editors: tuple[str, ...]
    authors: tuple[str, ...]
    publisher: str
    place: str
    year: int | None
    edition: str
    isbn_print: str
    isbn_ebook: str
    rights: str
    description: str
    subjects: tuple[str, ...]
    cover: str
    citation_style: str
    style_path: Path | None  # the CSL file: from the styles package, or the edition's own
    note_numbering: str
    assessments: dict  # key -> label
    print: PrintSettings
    front_files: tuple[str, ...]
    chapter_files: tuple[str, ...]
    appendix: bool
    bibliography: bool
    certified_by: str  # who certified the EPUB's accessibility (written only when it passed)
    certifier_credential: str
    certifier_report: str
    web_base_url: str  # where the web edition is published ('' : addresses relative to the site)
    appendix_title: str
    bibliography_title: str
    index_title: str = "Index of Names"  # (the schema's default: settings made without the loader)
    text_file: str = ""  # contents.text: the held text printed whole ('' : none)
    text_place: str = "before-chapters"
    press: PressSettings = PressSettings()

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
    known_broken: frozenset = frozenset()  # ids of claims and quotations whose files are faulty (reported)
    texts: dict = field(default_factory=dict)  # bibliography key -> HeldText (sources/)
    text: HeldText | None = None  # the held text the book prints whole (contents.text)

    def claims_of(self, chapter: Chapter) -> list[Claim]:
        return [self.claims[cid] for cid in chapter.claim_ids if cid in self.claims]

    def quotations_of(self, claim: Claim) -> list[Quotation]:
        return [self.quotations[qid] for qid in claim.quotation_ids if qid in self.quotations]

    def assessment_label(self, claim: Claim) -> str:
        return self.settings.assessments.get(claim.assessment, claim.assessment)

    def recto_anchors(self, index: bool = True) -> list[str]:
        """The anchors of the parts of the book that open on a recto, in order."""
        found = [part.anchor for part in self.front] + [chapter.anchor for chapter in self.chapters]
        if self.text is not None:
            at = len(self.front) if self.settings.text_place == "before-chapters" else len(found)
            found.insert(at, self.text.anchor)
        if self.settings.appendix and self.quotations:
            found.append(ids.APPENDIX)
        if self.settings.bibliography:
            found.append(ids.BIBLIOGRAPHY)
        if index and self.persons:
            found.append(ids.INDEX)
        return found
