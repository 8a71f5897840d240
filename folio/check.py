"""Stage 2: check every reference in the loaded edition.

Citation keys, claim and quotation ids, inline cross-references,
assessments and the citation style. Adds to ``problems``; writes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import Edition
from .problems import Problems, did_you_mean
from .styles import find_style

# A Pandoc citation: '@key' after start, space, '[', ';' or '-' (suppressed author).
# Keys may hold internal punctuation; trailing punctuation is not part of the key.
CITATION = re.compile(r"(?:(?<=^)|(?<=[\s\[;(-]))@(?:\{([^}]+)\}|([A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&+?<>~/-](?=[A-Za-z0-9_]))*))")
# An inline cross-reference to a claim or quotation: an empty link to its id, '[](#cult)'.
CROSS_REFERENCE = re.compile(r"\[\]\(#([A-Za-z][A-Za-z0-9_-]*)\)")
_CODE = re.compile(r"`[^`\n]*`")


def citations_in(text: str, first_line: int):
    """Yield (key, line) for each Pandoc citation in Markdown ``text``."""
    in_fence = False
    for offset, line in enumerate(text.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in CITATION.finditer(_CODE.sub("", line)):
            yield match.group(1) or match.group(2), first_line + offset


NOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)


def note_label_problems(text: str, path: Path, first_line: int, problems: Problems) -> None:
    """Every '[^label]' needs a '[^label]: ...' in the same file, and the reverse."""
    defined: dict[str, int] = {}
    for match in NOTE_DEFINITION.finditer(text):
        label, line = match.group(1), first_line + text.count("\n", 0, match.start())
        if label in defined:
            problems.add("E212", path, line, f"note [^{label}] is defined twice (also on line {defined[label]})",
                         "give each note its own label")
        defined.setdefault(label, line)
    referenced = set()
    for offset, line_text in enumerate(text.splitlines()):
        for match in NOTE_REFERENCE.finditer(line_text):
            label = match.group(1)
            referenced.add(label)
            if label not in defined:
                problems.add("E211", path, first_line + offset, f"note [^{label}] is called but never written",
                             f"add a line '[^{label}]: text of the note' to this file")
    for label, line in defined.items():
        if label not in referenced:
            problems.add("W303", path, line, f"note [^{label}] is written but never called",
                         f"call it with [^{label}] in the text, or remove it")


IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)")


def image_problems(text: str, path: Path, first_line: int, root: Path, problems: Problems) -> None:
    """Images must be files inside the edition folder: the build reads nothing else. And
    each needs a description: it is the image's alternative text in the EPUB."""
    for offset, line in enumerate(text.splitlines()):
        for match in IMAGE.finditer(line):
            description, target = match.group(1), match.group(2)
            if not description.strip():
                problems.add("W214", path, first_line + offset, f"image '{target}' has no description",
                             "describe it between the brackets, e.g. ![Map of Moscow, 1956](images/map.png): "
                             "readers who cannot see the image are given this text")
            if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target):
                problems.add("E213", path, first_line + offset, f"image '{target}' is not a file of the edition",
                             "copy the image into the edition folder and give its relative path")
                continue
            resolved = (root / target).resolve()
            if root.resolve() not in resolved.parents or not resolved.is_file():
                problems.add("E213", path, first_line + offset, f"image '{target}' is not a file inside the edition",
                             "give a path relative to the edition folder, e.g. images/map.png")


def cross_references_in(text: str, first_line: int):
    for offset, line in enumerate(text.splitlines()):
        for match in CROSS_REFERENCE.finditer(line):
            yield match.group(1), first_line + offset


def markdown_texts(edition: Edition):
    """Every piece of editor Markdown: (text, path, first line)."""
    for part in edition.front:
        yield part.body, part.path, part.body_line
    for chapter in edition.chapters:
        yield chapter.opening, chapter.path, chapter.opening_line
    for claim in edition.claims.values():
        yield claim.analysis, claim.path, claim.analysis_line
    for quotation in edition.quotations.values():
        yield quotation.text, quotation.path, quotation.lines.get("text", quotation.line)


def cited_keys(edition: Edition) -> set[str]:
    keys = {key for text, _path, line in markdown_texts(edition) for key, _ in citations_in(text, line)}
    keys |= {q.source.key for q in edition.quotations.values()}
    keys |= {c.passage.source.key for c in edition.claims.values() if c.passage.source}
    return keys


def check_edition(edition: Edition, problems: Problems) -> None:
    entries = edition.bibliography.entries
    bib_name = edition.bibliography.path.name

    def check_key(key: str, path: Path, line: int | None) -> None:
        if key not in entries:
            hint = did_you_mean(key, entries) or f"add an entry '{key}' to {bib_name} or correct the key"
            problems.add("E204", path, line, f"unknown citation key '{key}'", hint)

    ids = set(edition.claims) | set(edition.quotations)
    for text, path, first_line in markdown_texts(edition):
        note_label_problems(text, path, first_line, problems)
        image_problems(text, path, first_line, edition.root, problems)
        for key, line in citations_in(text, first_line):
            check_key(key, path, line)
        for ref, line in cross_references_in(text, first_line):
            if ref not in ids:
                problems.add("E202", path, line, f"cross-reference to unknown claim or quotation '{ref}'",
                             did_you_mean(ref, ids) or "write [](#ID) with the id of a claim or quotation")

    assessments = edition.settings.assessments
    for claim in edition.claims.values():
        if claim.assessment not in assessments:
            problems.add("E205", claim.path, claim.lines.get("assessment"),
                         f"assessment '{claim.assessment}' is not in the edition's vocabulary",
                         did_you_mean(claim.assessment, assessments)
                         or f"use one of: {', '.join(assessments)} (edition.yaml, 'assessments')")
        if claim.passage.source:
            check_key(claim.passage.source.key, claim.path, claim.lines.get("passage_source"))
        lines = claim.lines.get("quotations", [])
        for index, qid in enumerate(claim.quotation_ids):
            if qid not in edition.quotations:
                problems.add("E203", claim.path, lines[index] if index < len(lines) else claim.line,
                             f"claim '{claim.id}' names unknown quotation '{qid}'",
                             did_you_mean(qid, edition.quotations) or "quotations are records in edition/quotations/")

    for quotation in edition.quotations.values():
        check_key(quotation.source.key, quotation.path, quotation.lines.get("source"))
        for cid in quotation.claim_ids:
            if cid not in edition.claims:
                problems.add("E202", quotation.path, quotation.lines.get("claims"),
                             f"quotation '{quotation.id}' supports unknown claim '{cid}'",
                             did_you_mean(cid, edition.claims) or "use the id of a claim in edition/claims/")
        if not quotation.claim_ids:
            problems.add("W302", quotation.path, quotation.line, f"quotation '{quotation.id}' names no claim",
                         "add the claim(s) it supports under 'claims'")

    for person in edition.persons:
        for label, claim_ids in person.subentries:
            for cid in claim_ids:
                if cid not in edition.claims:
                    problems.add("E202", person.path, person.lines.get("subentries"),
                                 f"index sub-entry '{label}' of {person.name} names unknown claim '{cid}'",
                                 did_you_mean(cid, edition.claims) or "use the id of a claim in edition/claims/")

    seen_chapters: dict[str, Path] = {}
    for chapter in edition.chapters:
        if chapter.id in seen_chapters:
            problems.add("E201", chapter.path, chapter.lines.get("id"), f"duplicate chapter id '{chapter.id}'",
                         f"also used by {problems.where(seen_chapters[chapter.id])}")
        seen_chapters[chapter.id] = chapter.path

    style_ok, style_hint = find_style(edition.settings.citation_style)
    if not style_ok:
        problems.add("E305", edition.root / "edition.yaml", None,
                     f"citation style '{edition.settings.citation_style}' is not available", style_hint)

    used = cited_keys(edition)
    used |= {entries[k].fields.get("crossref") for k in used if k in entries}  # parents of cited entries
    for key, entry in entries.items():
        if key not in used:
            problems.add("W301", edition.bibliography.path, entry.line, f"entry '{key}' is never cited",
                         "cite it, or remove it from the bibliography")
