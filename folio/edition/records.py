"""The records of an edition read into the model: claims (numbered through the chapters that
list them), quotations and persons."""

from __future__ import annotations

import re
from pathlib import Path

from folio import ids
from folio.edition import files, schema
from folio.edition.model import (
    Chapter,
    Claim,
    Markdown,
    Passage,
    Person,
    Quotation,
    Source,
)
from folio.edition.reader import Reader, markdown_field, text_of, url_fault
from folio.edition.yamlfile import split_front_matter
from folio.problems import Problems, did_you_mean


def _load_claims(reader: Reader) -> tuple[dict, set]:
    """id -> (meta, body, body_line, path), and the ids of claims whose files are faulty."""
    problems = reader.problems
    found: dict = {}
    broken: set = set()
    for path in reader.folder_files("claims", "*.md"):
        meta, faulty, body, body_line = reader.markdown(path, schema.CLAIM)
        if meta is None or "id" in faulty:
            # its front matter cannot be read: still known by the id it seems to give (or its file's
            # name), so that what lists it is not reported too (the fault is told once, in the file)
            broken.add(_id_written(reader, path))
            continue
        claim_id = text_of(meta["id"])
        if claim_id in found:
            first = found[claim_id]
            problems.add(
                "E201",
                path,
                meta.line_of("id"),
                f"duplicate claim id '{claim_id}'",
                f"already used in {problems.where(first[3], first[0].line_of('id'))}; give one a new id",
            )
            continue
        if faulty:
            broken.add(claim_id)
            continue
        passage = meta["passage"]
        if passage.get("page") and not passage.get("source"):
            problems.add(
                "E104",
                path,
                passage.line_of("page"),
                "passage.page is given without passage.source",
                "add the citation key of the edition of the examined text",
            )
        found[claim_id] = (meta, body, body_line, path)
    return found, broken


def _id_written(reader: Reader, path: Path) -> str:
    """The id a file's front matter seems to give ('id: first'), read as text; else its name."""
    try:
        text = files.read_text(path, reader.roots, "markdown")
    except files.Refused:
        return path.stem
    front = split_front_matter(text)[0] or ""
    found = re.search(r"^id:[ \t]*[\"']?([A-Za-z0-9][\w-]*)", front, re.M)
    return found.group(1) if found else path.stem


_RANGE = re.compile(r"^\s*([0-9]+)\s*(?:-|–|--|to)\s*([0-9]+)\s*$")


def _claim_numbers(meta, path: Path, problems: Problems) -> tuple[int | None, int]:
    """(first, last) of a claim's 'number': None for automatic; last 0 for a single number."""
    value = meta.get("number")
    if value is None:
        return None, 0
    if isinstance(value, int):
        if value < 1:
            problems.add("E105", path, meta.line_of("number"), f"claim number {value} is not a positive number")
            return None, 0
        return value, 0
    match = _RANGE.match(str(value))
    if not match or int(match.group(1)) < 1 or int(match.group(2)) <= int(match.group(1)):
        problems.add(
            "E105",
            path,
            meta.line_of("number"),
            f"claim number '{value}' is neither a number nor a range",
            "a whole number, e.g. 7, or a range of numbers the claim covers, e.g. 21-24",
        )
        return None, 0
    return int(match.group(1)), int(match.group(2))


def _number_claims(
    chapters: list[Chapter], claim_data: dict, broken: set, problems: Problems, assessments: dict | None = None
) -> dict:
    """Claims in book order, numbered automatically where no number is given."""
    claims: dict[str, Claim] = {}
    placed: dict[str, Chapter] = {}
    numbers: dict[int, str] = {}
    next_number = 1
    for chapter in chapters:
        for claim_id in chapter.claim_ids:
            line = chapter.lines["claims"].get(claim_id)
            if claim_id in broken:
                continue  # its file's faults are reported
            if claim_id not in claim_data:
                problems.add(
                    "E202",
                    chapter.path,
                    line,
                    f"chapter '{chapter.id}' lists unknown claim '{claim_id}'",
                    did_you_mean(claim_id, claim_data) or "each claim is a file in edition/claims/ with this id",
                )
                continue
            if claim_id in placed:
                problems.add(
                    "E207",
                    chapter.path,
                    line,
                    f"claim '{claim_id}' is already placed in chapter '{placed[claim_id].id}'",
                    "list each claim in one chapter only",
                )
                continue
            placed[claim_id] = chapter
            meta, body, body_line, path = claim_data[claim_id]
            first, last = _claim_numbers(meta, path, problems)
            number = first or next_number
            for n in range(number, max(number, last) + 1):
                if n in numbers:
                    problems.add(
                        "E210",
                        path,
                        meta.line_of("number", meta.line_of("id")),
                        f"claim number {n} is also claim '{numbers[n]}'",
                        "remove 'number' to number claims automatically",
                    )
                    break
            for n in range(number, max(number, last) + 1):
                numbers.setdefault(n, claim_id)
            next_number = max(number, last) + 1
            passage = meta["passage"]
            ref = f"claim:{claim_id}"
            source = None
            if passage.get("source"):
                source = Source(
                    text_of(passage.get("source")),
                    text_of(passage.get("page")),
                    f"{ref}:passage-source",
                    path,
                    passage.line_of("source"),
                )
            claims[claim_id] = Claim(
                id=claim_id,
                number=number,
                title=markdown_field(meta, "title", f"{ref}:title", path, True),
                passage=Passage(
                    markdown_field(passage, "text", f"{ref}:passage", path, False),
                    markdown_field(passage, "locator", f"{ref}:locator", path, True),
                    source,
                ),
                assessment=text_of(meta["assessment"]),
                quotation_ids=tuple(text_of(v) for v in meta.get("quotations") or ()),
                analysis=Markdown(body, f"{ref}:analysis", path, body_line),
                path=path,
                line=meta.line_of("id"),
                analysis_line=body_line,
                chapter_id=chapter.id,
                lines={
                    "assessment": meta.line_of("assessment"),
                    "quotations": meta["quotations"].item_lines if meta.get("quotations") else [],
                    "passage_source": passage.line_of("source"),
                },
                last_number=last,
            )
    for claim_id, (meta, _body, _line, path) in claim_data.items():
        if claim_id not in placed:
            problems.add(
                "E206",
                path,
                meta.line_of("id"),
                f"claim '{claim_id}' is in no chapter",
                "add its id to the 'claims' list of a chapter",
            )
            # (the claim is left out of the book, but what else is wrong in it is told now, not later)
            assessment = str(meta.get("assessment") or "")
            if assessments and assessment:
                check_assessment(assessment, assessments, path, meta.line_of("assessment"), problems)
    return claims


def check_assessment(assessment: str, vocabulary: dict, path: Path, line: int | None, problems: Problems) -> None:
    """E205 for a claim's assessment outside the edition's vocabulary (edition.yaml, assessments)."""
    if assessment not in vocabulary:
        problems.add(
            "E205",
            path,
            line,
            f"assessment '{assessment}' is not in the edition's vocabulary",
            did_you_mean(assessment, vocabulary)
            or f"use one of: {', '.join(vocabulary)} (edition.yaml, 'assessments')",
        )


_ID_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)?id:[ \t]*[\"']?([\w.-]+)", re.M)


def _ids_in_faulty_yaml(path: Path, roots: list[Path]) -> set[str]:
    """The ids a YAML file that could not be read seems to define (its 'id:' lines)."""
    try:
        return set(_ID_LINE.findall(files.read_text(path, roots, "yaml")))
    except (files.Refused, OSError, UnicodeError, ValueError):
        return set()


def _load_quotations(reader: Reader) -> tuple[dict, set]:
    problems = reader.problems
    quotations: dict[str, Quotation] = {}
    broken: set = set()
    for path in reader.folder_files("quotations", "*.yaml"):
        data, ok = reader.yaml(path)
        if not ok:
            broken |= _ids_in_faulty_yaml(path, reader.roots)  # (its fault is reported; not each claim naming them)
            continue
        if not isinstance(data, list):
            problems.add(
                "E102",
                path,
                getattr(data, "line", 1),
                "a quotations file holds a list of records",
                "start each record with '- id: ...'",
            )
            continue
        for index, record in enumerate(data):
            faulty = schema.validate(record, schema.QUOTATION, path, problems, where=f"[{index}].")
            if f"[{index}]." in faulty or f"[{index}].id" in faulty:
                continue
            qid = text_of(record["id"])
            if qid in quotations:
                first = quotations[qid]
                problems.add(
                    "E201",
                    path,
                    record.line_of("id"),
                    f"duplicate quotation id '{qid}'",
                    f"already used at {problems.where(first.path, first.line)}",
                )
                continue
            if faulty:
                broken.add(qid)
                continue
            url = text_of(record.get("url"))
            if url and url_fault(url):
                problems.add(
                    "E105",
                    path,
                    record.line_of("url"),
                    f"url '{url[:80]}' {url_fault(url)}",
                    "give the document's web address, e.g. https://example.org/doc/12",
                )
            language = text_of(record.get("language"))
            if language and not schema.LANGUAGE_TAG.match(language):
                problems.add(
                    "E105",
                    path,
                    record.line_of("language"),
                    f"language '{language[:40]}' is not a BCP 47 tag",
                    "give the text's language as a tag such as 'ru', 'de' or 'fr-CA'",
                )
                language = ""
            claim_ids = tuple(text_of(v) for v in schema.as_list(record["claims"]))
            ref = f"quotation:{qid}"
            quotation = Quotation(
                id=qid,
                claim_ids=claim_ids,
                heading=markdown_field(record, "heading", f"{ref}:heading", path, True),
                text=markdown_field(record, "text", f"{ref}:text", path, False),
                source=Source(
                    text_of(record["source"]),
                    text_of(record.get("locator")),
                    f"{ref}:source",
                    path,
                    record.line_of("source"),
                ),
                date=markdown_field(record, "date", f"{ref}:date", path, True),
                translation_note=markdown_field(record, "translation_note", f"{ref}:translation-note", path, True),
                url=url,
                language=language,
                path=path,
                line=record.line_of("id"),
                lines={
                    "claims": record.line_of("claims"),
                    "source": record.line_of("source"),
                    "text": record.value_line("text"),
                },
            )
            quotations[qid] = quotation
    return quotations, broken


def _load_persons(reader: Reader) -> list[Person]:
    problems = reader.problems
    path = reader.root / "persons.yaml"
    if not (path.exists() or path.is_symlink()):
        return []
    data, ok = reader.yaml(path)
    if not ok:
        return []
    if not isinstance(data, list):
        problems.add(
            "E102",
            path,
            getattr(data, "line", 1),
            "persons.yaml holds a list of persons",
            "start each person with '- name: ...'",
        )
        return []
    persons: list[Person] = []
    seen: dict[str, int] = {}
    keys: dict[str, int] = {}
    for index, record in enumerate(data):
        faulty = schema.validate(record, schema.PERSON, path, problems, where=f"[{index}].")
        if faulty:
            continue
        name = text_of(record["name"])
        if name in seen:
            problems.add(
                "E201",
                path,
                record.line_of("name"),
                f"duplicate person '{name}'",
                f"already listed on line {seen[name]}; merge the variants into one record, or give "
                "homonyms their dates or forenames",
            )
            continue
        seen[name] = record.line_of("name")
        key = text_of(record.get("key")) or ids.person_key(name)
        if key in keys:
            problems.add(
                "E201",
                path,
                record.line_of("key", record.line_of("name")),
                f"person key '{key}' is also the key of the person on line {keys[key]}",
                "give each person a key of their own: key: zhukov-iurii",
            )
            continue
        keys[key] = record.line_of("name")
        variants = tuple(text_of(v) for v in record.get("variants") or ())
        if any(not v.strip() for v in variants):
            problems.add(
                "E105",
                path,
                record.line_of("variants", record.line_of("name")),
                f"a variant of {name} is empty",
                "remove the empty entry from 'variants' (each is a form of the name the text uses)",
            )
            variants = tuple(v for v in variants if v.strip())
        subentries = tuple(
            (text_of(s["label"]), tuple(text_of(c) for c in s["claims"])) for s in record.get("subentries") or ()
        )
        persons.append(
            Person(
                name,
                key,
                variants,
                text_of(record.get("dates")),
                path,
                record.line_of("name"),
                subentries,
                lines={"subentries": record.line_of("subentries")},
            )
        )
    return persons
