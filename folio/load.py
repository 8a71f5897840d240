"""Stage 1: read the editor's files into the typed model.

Every fault is added to ``problems`` with its file and line; loading goes
on past faults so that one run reports them all. The result is only used
when no error was found.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import schema
from .bibliography import load_bibliography
from .model import (Chapter, Claim, Edition, FrontPart, Passage, Person, PrintSettings, Quotation, Settings,
                    Source)
from .output_intent import DEFAULT_PROFILE, PRINT_STANDARDS, is_print_standard, profile_fault
from .problems import Problems, did_you_mean
from .yamlfile import LinedDict, YamlSyntaxError, parse, split_front_matter

ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def read_yaml(path: Path, problems: Problems):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add("E100", path, None, "file not found")
        return None
    except UnicodeDecodeError as exc:
        problems.add("E101", path, None, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8")
        return None
    try:
        return parse(text)
    except YamlSyntaxError as exc:
        problems.add("E101", path, exc.line, f"YAML syntax error: {exc.message}",
                     "check indentation, colons and quotes on this line or the one before")
        return None


def read_markdown(path: Path, fields: dict, problems: Problems):
    """A Markdown file with YAML front matter -> (LinedDict, body, body_line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add("E100", path, None, "file not found")
        return None, "", 1
    except UnicodeDecodeError as exc:
        problems.add("E101", path, None, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8")
        return None, "", 1
    front, body, body_line = split_front_matter(text)
    if front is None:
        problems.add("E106", path, 1, "the file must start with YAML front matter between '---' lines",
                     "add '---', the keys (" + ", ".join(k for k, f in fields.items() if f.required) + "), '---'")
        return None, body, body_line
    try:
        data = parse(front, first_line=2)
    except YamlSyntaxError as exc:
        problems.add("E101", path, exc.line, f"YAML syntax error in front matter: {exc.message}",
                     "check indentation, colons and quotes on this line or the one before")
        return None, body, body_line
    if data is None:
        data = LinedDict()
        data.line, data.key_lines = 1, {}
    if not schema.validate(data, fields, path, problems):
        return None, body, body_line
    return data, body, body_line


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _id_ok(value: str, path: Path, line: int, problems: Problems) -> bool:
    if ID_PATTERN.match(value):
        return True
    problems.add("E105", path, line, f"id '{value}' is not a valid identifier",
                 "use letters, digits, '-' and '_', starting with a letter")
    return False


def load_settings(root: Path, problems: Problems) -> tuple[Settings, LinedDict] | None:
    path = root / "edition.yaml"
    data = read_yaml(path, problems)
    if data is None:
        return None
    if not schema.validate(data, schema.EDITION, path, problems):
        return None
    isbn = data.get("isbn") or {}
    for kind in ("print", "ebook"):
        value = _text(isbn.get(kind))
        if value and not isbn13_valid(value):
            problems.add("E105", path, isbn.line_of(kind), f"isbn.{kind} '{value}' is not a valid ISBN-13",
                         "13 digits (hyphens allowed) with a correct check digit")
    printing = data.get("print") or {}
    contents = data["contents"]
    slug = _text(data["slug"])
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", slug):
        problems.add("E105", path, data.line_of("slug"), f"slug '{slug}' cannot name a file",
                     "use letters, digits, '-', '_' and '.'")
    cover = _text(data.get("cover"))
    if cover:
        cover_path = (root / cover).resolve()
        if root.resolve() not in cover_path.parents or not cover_path.is_file():
            problems.add("E100", path, data.line_of("cover"), f"cover image '{cover}' is not a file in the edition",
                         "give a path relative to the edition folder, e.g. images/cover.jpg")
        elif cover_path.suffix.lower() not in (".jpg", ".jpeg", ".png", ".svg", ".gif"):
            problems.add("E105", path, data.line_of("cover"), f"cover image '{cover}' is not JPEG, PNG, GIF or SVG",
                         "EPUB readers show these image types")
    output_profile = _output_profile(root, path, printing, problems)
    style = _text(data.get("citation_style")) or "chicago-notes-bibliography"
    language = _text(data["language"])
    if not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", language):
        problems.add("E105", path, data.line_of("language"), f"language '{language}' is not a BCP 47 tag",
                     "for example 'en-US', 'en-GB', 'de', 'ru'")
    return Settings(
        title=_text(data["title"]),
        subtitle=_text(data.get("subtitle")),
        short_title=_text(data.get("short_title")),
        slug=slug,
        language=language,
        editors=tuple(_text(v) for v in data.get("editors") or ()),
        authors=tuple(_text(v) for v in data.get("authors") or ()),
        publisher=_text(data.get("publisher")),
        place=_text(data.get("place")),
        year=data.get("year"),
        edition=_text(data.get("edition")),
        isbn_print=_text(isbn.get("print")),
        isbn_ebook=_text(isbn.get("ebook")),
        rights=_text(data.get("rights")),
        description=_text(data.get("description")),
        subjects=tuple(_text(v) for v in data.get("subjects") or ()),
        cover=cover,
        citation_style=style,
        note_numbering=_text(data.get("note_numbering")) or "per-chapter",
        assessments={str(k): _text(v) for k, v in (data.get("assessments") or {}).items()},
        print=PrintSettings(
            trim=_text(printing.get("trim")) or "6x9in",
            bleed=_text(printing.get("bleed")) or "0in",
            crop_marks=bool(printing.get("crop_marks", False)),
            pdf_variant=_text(printing.get("pdf_variant")) or None,
            output_profile=output_profile,
            font_size=_text(printing.get("font_size")) or "10.5pt",
        ),
        front_files=tuple(_text(v) for v in contents.get("front") or ()),
        chapter_files=tuple(_text(v) for v in contents.get("chapters") or ()),
        appendix=contents.get("appendix", True) is not False,
        bibliography=contents.get("bibliography", True) is not False,
        appendix_title=_text(contents.get("appendix_title")) or "Appendix: Primary-Source Quotations",
        bibliography_title=_text(contents.get("bibliography_title")) or "Bibliography",
    ), data


def _output_profile(root: Path, path: Path, printing, problems: Problems) -> Path | None:
    """The CMYK profile a PDF/X book is made for: the edition's, or the default one."""
    variant = _text(printing.get("pdf_variant")) or None
    name = _text(printing.get("output_profile"))
    if not name and not is_print_standard(variant):
        return None
    line = printing.line_of("output_profile") if name else printing.line_of("pdf_variant")
    if name:
        profile = (root / name).resolve()
        if root.resolve() not in profile.parents or not profile.is_file():
            problems.add("E100", path, line, f"output profile '{name}' is not a file in the edition",
                         "give the path of your printer's ICC profile relative to the edition folder, "
                         "e.g. print/ISOcoated_v2.icc")
            return None
    else:
        profile = DEFAULT_PROFILE
        if not profile.is_file():
            problems.add("E107", path, line, f"{variant} needs a CMYK output profile, and the default one "
                         f"({profile}) has not been made",
                         "run 'make cmyk-profile' (Coated FOGRA39), or name your printer's profile "
                         "in print.output_profile")
            return None
    fault = profile_fault(profile)
    if fault:
        problems.add("E107", path, line, f"output profile {name or profile} {fault}",
                     "use the CMYK profile your printer names for its paper and press "
                     "(e.g. Coated FOGRA39, GRACoL2013, SWOP)")
        return None
    if not is_print_standard(variant):
        problems.add("W101", path, line, "print.output_profile is used only by a PDF/X variant",
                     f"set print.pdf_variant to one of {', '.join(PRINT_STANDARDS)}, or remove output_profile")
        return None
    if printing.get("crop_marks"):
        problems.add("E105", path, printing.line_of("crop_marks"),
                     f"crop marks cannot go into a {variant} file",
                     "remove crop_marks: the printer trims at the TrimBox and adds its own marks "
                     "(WeasyPrint draws them in RGB, which PDF/X forbids)")
    return profile


def isbn13_valid(value: str) -> bool:
    digits = value.replace("-", "").replace(" ", "")
    if not re.fullmatch(r"97[89]\d{10}", digits):
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def _contents_path(root: Path, name: str, data: LinedDict, index: int, key: str, problems: Problems) -> Path | None:
    path = (root / name).resolve()
    if root.resolve() not in path.parents:
        problems.add("E105", root / "edition.yaml", data["contents"][key].line_of(index),
                     f"'{name}' lies outside the edition folder", "name files relative to edition/")
        return None
    if not path.exists():
        problems.add("E100", root / "edition.yaml", data["contents"][key].line_of(index),
                     f"contents.{key} names '{name}', which does not exist",
                     f"create edition/{name} or correct the name")
        return None
    return path


def load_edition(root: Path, bib_path: Path, problems: Problems) -> Edition | None:
    """Read the whole edition. Returns None when it cannot be modelled at all."""
    root = Path(root)
    if not (root / "edition.yaml").exists():
        problems.add("E100", root / "edition.yaml", None, "no edition.yaml in the edition folder",
                     f"is '{root}' the edition folder? It needs edition.yaml")
        return None
    loaded = load_settings(root, problems)
    bibliography = load_bibliography(bib_path, problems)
    if loaded is None:
        return None
    settings, data = loaded

    front: list[FrontPart] = []
    for index, name in enumerate(settings.front_files):
        path = _contents_path(root, name, data, index, "front", problems)
        if path is None:
            continue
        meta, body, body_line = read_markdown(path, schema.FRONT, problems)
        if meta is not None and _id_ok(_text(meta["id"]), path, meta.line_of("id"), problems):
            front.append(FrontPart(_text(meta["id"]), _text(meta["title"]), body, path, body_line))

    claim_data = _load_claims(root, problems)

    chapters: list[Chapter] = []
    for index, name in enumerate(settings.chapter_files):
        path = _contents_path(root, name, data, index, "chapters", problems)
        if path is None:
            continue
        meta, body, body_line = read_markdown(path, schema.CHAPTER, problems)
        if meta is None or not _id_ok(_text(meta["id"]), path, meta.line_of("id"), problems):
            continue
        claim_ids = tuple(_text(v) for v in meta.get("claims") or ())
        kind = _text(meta.get("kind")) or ("claims" if claim_ids else "essay")
        if kind == "essay" and claim_ids:
            problems.add("E105", path, meta.line_of("kind"), "an essay chapter cannot hold claims",
                         "remove 'claims' or set kind: claims")
        claim_lines = {cid: meta["claims"].line_of(i) for i, cid in enumerate(claim_ids)}
        chapters.append(Chapter(_text(meta["id"]), len(chapters) + 1, _text(meta["title"]), kind, claim_ids, body,
                                path, body_line, lines={"claims": claim_lines, "id": meta.line_of("id")}))

    claims = _number_claims(chapters, claim_data, problems)
    quotations = _load_quotations(root, problems)
    persons = _load_persons(root, problems)
    return Edition(root, settings, tuple(front), tuple(chapters), claims, quotations, tuple(persons), bibliography)


def _load_claims(root: Path, problems: Problems) -> dict:
    """id -> (meta, body, body_line, path); duplicates reported."""
    found: dict = {}
    folder = root / "claims"
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        meta, body, body_line = read_markdown(path, schema.CLAIM, problems)
        if meta is None:
            continue
        claim_id = _text(meta["id"])
        if not _id_ok(claim_id, path, meta.line_of("id"), problems):
            continue
        if claim_id in found:
            first = found[claim_id]
            problems.add("E201", path, meta.line_of("id"), f"duplicate claim id '{claim_id}'",
                         f"already used in {problems.where(first[3], first[0].line_of('id'))}; give one a new id")
            continue
        passage = meta["passage"]
        if passage.get("page") and not passage.get("source"):
            problems.add("E104", path, passage.line_of("page"), "passage.page is given without passage.source",
                         "add the citation key of the edition of the examined text")
        found[claim_id] = (meta, body, body_line, path)
    return found


def _number_claims(chapters: list[Chapter], claim_data: dict, problems: Problems) -> dict:
    """Claims in book order, numbered automatically where no number is given."""
    claims: dict[str, Claim] = {}
    placed: dict[str, Chapter] = {}
    numbers: dict[int, str] = {}
    next_number = 1
    for chapter in chapters:
        for claim_id in chapter.claim_ids:
            line = chapter.lines["claims"].get(claim_id)
            if claim_id not in claim_data:
                problems.add("E202", chapter.path, line, f"chapter '{chapter.id}' lists unknown claim '{claim_id}'",
                             did_you_mean(claim_id, claim_data) or "each claim is a file in edition/claims/ with this id")
                continue
            if claim_id in placed:
                problems.add("E207", chapter.path, line,
                             f"claim '{claim_id}' is already placed in chapter '{placed[claim_id].id}'",
                             "list each claim in one chapter only")
                continue
            placed[claim_id] = chapter
            meta, body, body_line, path = claim_data[claim_id]
            number = meta.get("number") or next_number
            if number in numbers:
                problems.add("E210", path, meta.line_of("number", meta.line_of("id")),
                             f"claim number {number} is also claim '{numbers[number]}'",
                             "remove 'number' to number claims automatically")
            numbers[number] = claim_id
            next_number = number + 1
            passage = meta["passage"]
            source = Source(_text(passage.get("source")), _text(passage.get("page"))) if passage.get("source") else None
            claims[claim_id] = Claim(
                id=claim_id, number=number, title=_text(meta["title"]),
                passage=Passage(_text(passage["text"]), _text(passage.get("locator")), source),
                assessment=_text(meta["assessment"]),
                quotation_ids=tuple(_text(v) for v in meta.get("quotations") or ()),
                analysis=body, path=path, line=meta.line_of("id"), analysis_line=body_line, chapter_id=chapter.id,
                lines={"assessment": meta.line_of("assessment"),
                       "quotations": meta["quotations"].item_lines if meta.get("quotations") else [],
                       "passage_source": passage.line_of("source")})
    for claim_id, (meta, _body, _line, path) in claim_data.items():
        if claim_id not in placed:
            problems.add("E206", path, meta.line_of("id"), f"claim '{claim_id}' is in no chapter",
                         "add its id to the 'claims' list of a chapter")
    return claims


def _load_quotations(root: Path, problems: Problems) -> dict:
    quotations: dict[str, Quotation] = {}
    folder = root / "quotations"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = read_yaml(path, problems)
        if data is None:
            continue
        if not isinstance(data, list):
            problems.add("E102", path, getattr(data, "line", 1), "a quotations file holds a list of records",
                         "start each record with '- id: ...'")
            continue
        for index, record in enumerate(data):
            if not schema.validate(record, schema.QUOTATION, path, problems, where=f"[{index}]."):
                continue
            qid = _text(record["id"])
            if not _id_ok(qid, path, record.line_of("id"), problems):
                continue
            if qid in quotations:
                first = quotations[qid]
                problems.add("E201", path, record.line_of("id"), f"duplicate quotation id '{qid}'",
                             f"already used at {problems.where(first.path, first.line)}")
                continue
            claim_ids = tuple(_text(v) for v in schema.as_list(record["claims"]))
            quotation = Quotation(
                id=qid, claim_ids=claim_ids, heading=_text(record["heading"]), text=_text(record["text"]),
                source=Source(_text(record["source"]), _text(record.get("locator"))),
                date=_text(record.get("date")), translation_note=_text(record.get("translation_note")),
                url=_text(record.get("url")), path=path, line=record.line_of("id"),
                lines={"claims": record.line_of("claims"), "source": record.line_of("source"),
                       "text": record.line_of("text")})
            quotations[qid] = quotation
    return quotations


def _load_persons(root: Path, problems: Problems) -> list[Person]:
    path = root / "persons.yaml"
    if not path.exists():
        return []
    data = read_yaml(path, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add("E102", path, getattr(data, "line", 1), "persons.yaml holds a list of persons",
                     "start each person with '- name: ...'")
        return []
    persons: list[Person] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(data):
        if not schema.validate(record, schema.PERSON, path, problems, where=f"[{index}]."):
            continue
        name = _text(record["name"])
        if name in seen:
            problems.add("E201", path, record.line_of("name"), f"duplicate person '{name}'",
                         f"already listed on line {seen[name]}; merge the variants into one record")
            continue
        seen[name] = record.line_of("name")
        subentries = tuple((_text(s["label"]), tuple(_text(c) for c in s["claims"]))
                           for s in record.get("subentries") or ())
        persons.append(Person(name, tuple(_text(v) for v in record.get("variants") or ()),
                              _text(record.get("dates")), path, record.line_of("name"), subentries,
                              lines={"subentries": record.line_of("subentries")}))
    return persons
