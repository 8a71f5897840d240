"""Stage 2: check every reference in the loaded edition.

Citation keys and locators, claim and quotation ids, cross-references, notes,
images, links, raw HTML, persons, assessments and the citation style. What the
editor's Markdown holds is read from Pandoc's AST of each fragment (``fragments``),
not from the raw text. Adds to ``problems``; writes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from folio import ids
from folio.edition import files
from folio.edition.bibliography import check_required, parent_of
from folio.edition.model import Edition
from folio.edition.records import check_assessment
from folio.problems import Problems, did_you_mean
from folio.typefaces import bundled_characters, font_characters
from folio.units.fragments import Library

NOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
UNUSED_SHOWN = 12


def _without_code(text: str) -> str:
    """The text with code blocks and spans blanked (their lines kept)."""
    text = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return _CODE.sub(lambda m: " " * len(m.group(0)), text)


def note_label_problems(texts: list[tuple[str, Path, int]], problems: Problems) -> None:
    """A note label defined twice in one file, or written and never called (W303). Labels
    need only be unique within one file; a claim's passage may call a note its analysis
    defines. (A note called and never written is found in the AST: see ``check_edition``.)"""
    defined: dict[str, tuple[Path, int]] = {}
    called: set[str] = set()
    for text, path, first_line in texts:
        text = _without_code(text)
        for match in NOTE_DEFINITION.finditer(text):
            label, line = match.group(1), first_line + text.count("\n", 0, match.start())
            if label in defined:
                problems.add(
                    "E212",
                    path,
                    line,
                    f"note [^{label}] is defined twice (also on line {defined[label][1]})",
                    "give each note its own label",
                )
                continue
            defined[label] = (path, line)
        called |= set(NOTE_REFERENCE.findall(text))
    for label, (path, line) in defined.items():
        if label not in called:
            problems.add(
                "W303",
                path,
                line,
                f"note [^{label}] is written but never called",
                f"call it with [^{label}] in the text, or remove it",
            )


def _files_of_notes(edition: Edition):
    """The texts that share one namespace of note labels: a claim's passage and analysis, and
    each other piece of Markdown on its own."""
    for part in edition.front:
        yield [(part.body, part.path, part.body_line)]
    for chapter in edition.chapters:
        yield [(chapter.opening, chapter.path, chapter.opening_line)]
    for claim in edition.claims.values():
        yield [
            (claim.passage.text, claim.path, claim.passage.text.line),
            (claim.analysis, claim.path, claim.analysis_line),
        ]
    for quotation in edition.quotations.values():
        yield [(quotation.text, quotation.path, quotation.text.line)]


_INVISIBLE = {0x09, 0x0A, 0x0D, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0xFE0E, 0xFE0F}


def _script(char: str) -> str:
    """A word for the writing system of a character, for the editor (from its Unicode name)."""
    code = ord(char)
    if 0x1F1E6 <= code <= 0x1F1FF:
        return "flags (regional indicators)"
    if 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF:
        return "emoji and symbols"
    name = unicodedata.name(char, "")
    if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")):
        return "Chinese, Japanese and Korean"
    return name.split(" ")[0].capitalize() if name else f"U+{code:04X}"


def font_problems(edition: Edition, library: Library, problems: Problems) -> None:
    """Characters no font of the book has (the bundled one, the edition's print.fonts): a warning
    at the first text that has them, with the characters, their scripts and the setting that
    would cover them."""
    settings = edition.settings.print
    covered = set(bundled_characters())  # (the bundled face stands after the edition's own)
    faces = [font for _style, font in settings.typeface.files] if settings.typeface else []
    for font in [*faces, *settings.fonts]:
        covered |= font_characters(font)
    seen: set[str] = set()  # each character is told once, at its first place
    for fragment in library.fragments.values():
        text = fragment.source or fragment.text
        missing = sorted(
            {ch for ch in set(text) if ord(ch) not in covered and ord(ch) not in _INVISIBLE and not ch.isspace()}
            - seen,
            key=text.index,
        )
        if not missing:
            continue
        seen.update(missing)
        index = text.index(missing[0])
        shown = " ".join(f"'{char}' (U+{ord(char):04X})" for char in missing[:8])
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        scripts = ", ".join(dict.fromkeys(_script(char) for char in missing))
        problems.add(
            "W216",
            fragment.path,
            fragment.line + text.count("\n", 0, index),
            f"no font of the book has {shown}{more} ({scripts}): the PDF would print empty boxes",
            "put a font that has them in the edition folder and name it in edition.yaml, "
            "print: {fonts: [fonts/NotoSerifGeorgian-Regular.ttf]} (the Noto fonts cover most scripts); "
            "or write them another way",
        )


_NESTING = re.compile(r"[ \t]*(?:(?:>|[-+*]|\d{1,9}[.)])[ \t]*)*")


def _deepest_line(text: str, deep: int = 100) -> int:
    """The line (counted from 0) where a text's lists and quotations first nest ``deep`` levels
    (indentation by two, each '>' and list marker one), or its deepest line."""
    best, best_depth = 0, -1
    for number, line in enumerate(text.split("\n")):
        prefix = _NESTING.match(line).group(0)
        indent = len(prefix) - len(prefix.lstrip(" \t"))
        depth = indent // 2 + sum(1 for token in re.findall(r">|[-+*](?=[ \t]|$)|\d{1,9}[.)]", prefix))
        if depth >= deep:
            return number
        if depth > best_depth:
            best, best_depth = number, depth
    return best


def check_edition(edition: Edition, problems: Problems, library: Library) -> None:
    entries = edition.bibliography.entries
    folded = {key.lower(): key for key in entries}
    bib_name = edition.bibliography.path.name

    broken = {key.lower(): key for key in edition.bibliography.broken}
    following: dict[str, int] = {}  # citations of an entry that could not be read, by its key

    def check_key(key: str, path: Path, line: int | None) -> None:
        if key in entries:
            return
        if key.lower() in broken:  # the entry's own fault is the problem (E301), not its citations
            following[broken[key.lower()]] = following.get(broken[key.lower()], 0) + 1
            return
        if key.lower() in folded:
            problems.add(
                "E204",
                path,
                line,
                f"unknown citation key '{key}'",
                f"the bibliography has '{folded[key.lower()]}': Pandoc matches keys by case",
            )
            return
        hint = did_you_mean(key, entries) or f"add an entry '{key}' to {bib_name} or correct the key"
        problems.add("E204", path, line, f"unknown citation key '{key}'", hint)

    targets = set(edition.claims) | set(edition.quotations) | edition.known_broken
    for qid in set(edition.quotations) & set(edition.claims):
        quotation = edition.quotations[qid]
        problems.add(
            "E201",
            quotation.path,
            quotation.line,
            f"'{qid}' is the id of a claim and of a quotation",
            "a cross-reference [](#id) must name one of them: give one another id",
        )
    cited: set[str] = set()
    for ref, fragment in library.fragments.items():
        parsed = library.parsed[ref]
        if parsed.too_deep:
            problems.add(
                "E217",
                fragment.path,
                fragment.line + _deepest_line(fragment.source or fragment.text),
                "the text nests lists, quotations or emphasis more than a hundred levels deep",
                "no book needs that: check the file",
            )
            continue
        if parsed.error:
            problems.add("E216", fragment.path, fragment.line, f"Pandoc cannot read this text: {parsed.error}")
            continue
        found = library.facts(ref)
        if found.blocks:
            problems.add(
                "E105",
                fragment.path,
                fragment.line,
                "a title or locator must be one line of text",
                "write it on one line; lists, quotations and headings belong in the text",
            )
        for key, line, fault in found.citations:
            cited.add(key)
            if not key:
                problems.add(
                    "E216",
                    fragment.path,
                    line,
                    "a citation with an empty key, [@{}]",
                    "write the key of a bibliography entry between the braces, or take the citation out",
                )
            elif fault == "malformed":
                problems.add(
                    "E216",
                    fragment.path,
                    line,
                    f"the citation of '{key}' is not one Pandoc can read",
                    "write it as [@key] or [@key, 12-14]: one pair of brackets, the locator after a comma, "
                    "several citations separated by ';', each with its '@'",
                )
            elif fault:
                problems.add(
                    "E216",
                    fragment.path,
                    line,
                    f"the citation of '{key}': {fault}",
                    "write the locator in full, e.g. 88-91",
                )
            if key:
                check_key(key, fragment.path, line)
        for written, line in found.unread_citations:
            problems.add(
                "E216",
                fragment.path,
                line,
                f"'{written}' is not a citation Pandoc can read: it would print as it stands",
                "a key in braces, [@{key}], may hold odd characters but no space; write '@' right before "
                "the key, [@key, 12]; or, if the '@' is meant as text, write it '\\@'",
            )
        for label, line in found.unwritten_notes:
            problems.add(
                "E211",
                fragment.path,
                line,
                f"note [^{label}] is called but never written",
                f"add a line '[^{label}]: text of the note' to this file",
            )
        for target, description, line in found.images:
            _check_image(edition, fragment.path, line, target, description, problems)
        for target, line in found.links:
            _check_link(edition, library, targets, fragment.path, line, target, problems)
        for what, line in found.raw:
            problems.add(
                "W215",
                fragment.path,
                line,
                f"raw HTML or TeX '{what}' is left out of the books",
                "write it in Markdown; the HTML kept is <sup>, <sub>, <em>, <strong>, <span lang=...>, "
                "small caps, <br>",
            )
        for editor_id, line in found.ids:
            why = ids.reserved(editor_id)
            if why:
                problems.add(
                    "E214",
                    fragment.path,
                    line,
                    f"the id '{editor_id}' cannot be used: {why}",
                    "give your heading or span another id",
                )
            elif editor_id in targets:
                problems.add(
                    "E214",
                    fragment.path,
                    line,
                    f"the id '{editor_id}' is also the id of a claim or quotation",
                    "a cross-reference [](#id) must name one thing: give this one another id",
                )
        person_keys = {person.key for person in edition.persons}
        for key, line in found.persons:
            if key not in person_keys:
                problems.add(
                    "E208",
                    fragment.path,
                    line,
                    f"unknown person '{key}'" if key else "a [name]{.person} mark without key=...",
                    did_you_mean(key, person_keys)
                    or "use the key of a person in persons.yaml: [Zhukov]{.person key=zhukov-iurii}",
                )

    for key, count in following.items():
        problems.follow_from(
            edition.bibliography.path,
            edition.bibliography.broken[key],
            f"and {count} citation(s) of '{key}', which follow from it",
        )
    note_label_problems_all = list(_files_of_notes(edition))
    for group in note_label_problems_all:
        note_label_problems(group, problems)

    assessments = edition.settings.assessments
    if edition.claims and not assessments:
        problems.add(
            "E104",
            edition.root / "edition.yaml",
            1,
            "'assessments' is required: the edition has claims",
            "declare the vocabulary, e.g. assessments: {supported: Supported by the record}",
        )
        assessments = {claim.assessment: "" for claim in edition.claims.values()}
    for claim in edition.claims.values():
        check_assessment(claim.assessment, assessments, claim.path, claim.lines.get("assessment"), problems)
        lines = claim.lines.get("quotations", [])
        for index, qid in enumerate(claim.quotation_ids):
            if qid not in edition.quotations and qid not in edition.known_broken:
                problems.add(
                    "E203",
                    claim.path,
                    lines[index] if index < len(lines) else claim.line,
                    f"claim '{claim.id}' names unknown quotation '{qid}'",
                    did_you_mean(qid, edition.quotations) or "quotations are records in edition/quotations/",
                )

    for quotation in edition.quotations.values():
        for cid in quotation.claim_ids:
            if cid not in edition.claims and cid not in edition.known_broken:
                problems.add(
                    "E202",
                    quotation.path,
                    quotation.lines.get("claims"),
                    f"quotation '{quotation.id}' supports unknown claim '{cid}'",
                    did_you_mean(cid, edition.claims) or "use the id of a claim in edition/claims/",
                )
        if not quotation.claim_ids:
            problems.add(
                "W302",
                quotation.path,
                quotation.line,
                f"quotation '{quotation.id}' names no claim",
                "add the claim(s) it supports under 'claims'",
            )

    for person in edition.persons:
        for label, claim_ids in person.subentries:
            for cid in claim_ids:
                if cid not in edition.claims and cid not in edition.known_broken:
                    problems.add(
                        "E202",
                        person.path,
                        person.lines.get("subentries"),
                        f"index sub-entry '{label}' of {person.name} names unknown claim '{cid}'",
                        did_you_mean(cid, edition.claims) or "use the id of a claim in edition/claims/",
                    )

    seen_chapters: dict[str, Path] = {}
    for chapter in edition.chapters:
        if chapter.id in seen_chapters:
            problems.add(
                "E201",
                chapter.path,
                chapter.lines.get("id"),
                f"duplicate chapter id '{chapter.id}'",
                f"also used by {problems.where(seen_chapters[chapter.id])}",
            )
        seen_chapters[chapter.id] = chapter.path
    seen_front: dict[str, Path] = {}
    for part in edition.front:
        if part.id in seen_front:
            problems.add(
                "E201",
                part.path,
                2,
                f"duplicate front-matter id '{part.id}'",
                f"also used by {problems.where(seen_front[part.id])}",
            )
        seen_front[part.id] = part.path

    # every cited entry (and what it inherits) has what its type needs; the others are listed once
    used = set()
    for key in cited:
        entry = entries.get(key)
        while entry is not None and entry.key not in used:
            used.add(entry.key)
            entry = parent_of(entry, entries)
    for key in sorted(k for k in cited if k in entries):
        check_required(entries[key], entries, edition.bibliography.path, problems)
    unused = [entry for key, entry in entries.items() if key not in used]
    if unused:
        names = ", ".join(f"'{e.key}' (line {e.line})" for e in unused[:UNUSED_SHOWN])
        more = f" and {len(unused) - UNUSED_SHOWN} more" if len(unused) > UNUSED_SHOWN else ""
        problems.add(
            "W301",
            edition.bibliography.path,
            unused[0].line,
            f"{len(unused)} {'entry is' if len(unused) == 1 else 'entries are'} never cited: {names}{more}",
            "they are left out of the bibliography; cite them, remove them, or build with "
            "--ignore W301 (a whole library exported from Zotero)",
        )
    font_problems(edition, library, problems)


def _check_image(edition: Edition, path: Path, line: int, target: str, description: str, problems: Problems) -> None:
    if not description.strip():
        problems.add(
            "W214",
            path,
            line,
            f"image '{target[:60]}' has no description",
            "describe it between the brackets, e.g. ![Map of Moscow, 1956](images/map.png): "
            "readers who cannot see the image are given this text",
        )
    root = edition.root.resolve()
    try:
        resolved = files.resolve(edition.root, target, [root], "image")
        files.check_file(resolved, [root], "image")
    except files.Refused as refused:
        problems.add(
            "E213",
            path,
            line,
            refused.message if refused.message.startswith("image") else f"image '{target[:60]}' {refused.message}",
            refused.hint or "give a path relative to the edition folder, e.g. images/map.png",
        )
        return
    if resolved.suffix.lower() not in IMAGE_TYPES:
        problems.add(
            "E213",
            path,
            line,
            f"image '{target}' is not PNG, JPEG, GIF, SVG or WebP",
            "both books show these image types",
        )


def _check_link(
    edition: Edition, library: Library, targets: set, path: Path, line: int, target: str, problems: Problems
) -> None:
    from folio.units.splice import safe_url

    if target.startswith("#"):
        name = target[1:]
        if name in targets or library.section_ids.get(name):
            return
        if name in library.section_ids:  # given in several places
            problems.add(
                "E214",
                path,
                line,
                f"the link to '#{name}' is ambiguous: several headings have that id",
                "give the heading you mean an id of its own: ## Heading {#my-id}",
            )
            return
        problems.add(
            "E202",
            path,
            line,
            f"cross-reference to unknown claim or quotation '{name}'",
            did_you_mean(name, targets | {k for k, v in library.section_ids.items() if v})
            or "write [](#ID) with the id of a claim or quotation",
        )
        return
    if safe_url(target) is None:
        problems.add(
            "E215",
            path,
            line,
            f"the link '{target[:60]}' is not a web or mail address",
            "links go to https://, http:// or mailto: addresses, or to a claim or quotation: [](#id)",
        )
