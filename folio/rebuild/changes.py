"""What moved: after a rebuild, what the editor should proofread again.

A build leaves a snapshot of what a reader sees (the text of every paragraph and
every note, the pages of every part, the page each cross-reference prints, every
index entry, and what sets every page: trim, margins, fonts, stylesheet, cover);
the next build compares its own with it and reports the differences. Notes are
aligned by their text, unit by unit, so a note added early in a chapter is one
new note, not every later note "changed"; places are named as the reader sees
them ("claim 7, The murder of Kirov"), not by their anchors.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from folio import ids
from folio.rebuild.cache import file_digest
from folio.typefaces import BUNDLED, font_digest


def target_names(edition) -> dict:
    """Link target -> how a reader names it."""
    if edition is None:
        return {}

    def plain(text) -> str:
        return " ".join(str(text).split())

    names = {
        ids.CONTENTS: "the contents",
        ids.CLAIMS_TABLE: "the table of claims",
        ids.INDEX: "the index of names",
        ids.APPENDIX: "the appendix",
        ids.BIBLIOGRAPHY: "the bibliography",
    }
    names.update({part.anchor: plain(part.title) for part in edition.front})
    names.update({c.anchor: f"chapter {c.number}, {plain(c.title)}" for c in edition.chapters})
    for claim in edition.claims.values():
        names[claim.anchor] = f"claim {claim.label}, {plain(claim.title)}"
        names[claim.sources_anchor] = f"the appendix group of claim {claim.label}"
    names.update({q.anchor: f"the quotation '{plain(q.heading)}'" for q in edition.quotations.values()})
    return names


def look(edition, css_path: Path | None) -> dict:
    """What sets every page of the book: the trim, bleed, type size, fonts, the print stylesheet
    and the cover (files by the digest of their bytes)."""
    if edition is None:
        return {}

    def digest(path) -> str:
        try:
            return file_digest(Path(path))[:16]
        except OSError:
            return ""

    p = edition.settings.print
    faces = [font for _style, font in p.typeface.files] if p.typeface else []
    found = {
        "the trim": p.trim,
        "the bleed": p.bleed,
        "the type size": p.font_size,
        "the PDF variant": p.pdf_variant or "",
        "the typeface": f"{p.typeface.name} " + "".join(font_digest(font) for font in faces) if p.typeface else BUNDLED,
        "the fonts": [f"{Path(font).name} {font_digest(font)}" for font in p.fonts],
        "the print stylesheet": digest(css_path) if css_path else "",
        "the margins": ", ".join(f"{side} {length}" for side, length in p.margins) or "the stylesheet's",
        "the cover": f"{edition.settings.cover} {digest(edition.root / edition.settings.cover)}"
        if edition.settings.cover
        else "",
    }
    return found


PAGE_WIDE = (
    "the trim",
    "the bleed",
    "the type size",
    "the typeface",
    "the fonts",
    "the print stylesheet",
    "the margins",
)


def snapshot(converted, typeset, edition=None, css_path: Path | None = None) -> dict:
    notes, note_pages, texts_of = {}, {}, {}
    for item in converted:
        texts = list(item.notes)
        notes[item.unit.id] = texts
        texts_of[item.unit.id] = list(item.paragraphs)
        for number in range(1, len(texts) + 1):
            key = ids.note_key(item.unit.id, number)
            where = typeset.locate(ids.note_anchor(key)) or typeset.locate(ids.call_anchor(key))
            if where:
                note_pages[key] = where[1]
    parts, first = {}, 1
    for part in typeset.parts:
        last = first + part.page_count - 1
        parts[part.name] = [typeset.label(first), typeset.label(last)]
        first = last + 1
    index = {}
    for entry in typeset.index:
        index[entry.name] = ", ".join(locator.label for locator in entry.locators)
        for label, locators in entry.subentries:
            index[f"{entry.name}: {label}"] = ", ".join(locator.label for locator in locators)
    names = target_names(edition)
    return {
        "texts": texts_of,
        "look": look(edition, css_path),
        "notes": notes,
        "note_pages": note_pages,
        "parts": parts,
        "printed": dict(typeset.printed),
        "index": index,
        "pages": typeset.page_count,
        "names": {target: names[target] for target in typeset.printed if target in names},
    }


@dataclass(frozen=True)
class Report:
    lines: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.lines

    def text(self) -> str:
        if self.empty:
            return (
                "What moved since the last build: nothing a reader sees (text, notes, pages, cross-references, "
                "index, the look of the pages).\n"
            )
        return "What moved since the last build:\n" + "".join(f"  {line}\n" for line in self.lines)


LIMIT = 30  # lines a section, before "and N more"


def _note_changes(before: dict, after: dict, pages: dict) -> list[str]:
    found = []
    for unit, new in after.items():
        old = before.get(unit, [])
        if isinstance(old, dict):  # a snapshot of an older build: notes by id
            old = [text for _key, text in sorted(old.items(), key=lambda kv: ids.parse_note_key(kv[0])[1])]
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for tag, a0, a1, b0, b1 in matcher.get_opcodes():
            if tag == "equal":
                continue
            pairs = min(a1 - a0, b1 - b0) if tag == "replace" else 0
            for n in range(pairs):
                number = b0 + n + 1
                found.append(
                    f"{unit}, note {number} (p. {pages.get(ids.note_key(unit, number), '?')}):\n"
                    f"      before: {_clip(old[a0 + n])}\n      after:  {_clip(new[b0 + n])}"
                )
            for n in range(b0 + pairs, b1):
                found.append(
                    f"{unit}, note {n + 1} (p. {pages.get(ids.note_key(unit, n + 1), '?')}): new: {_clip(new[n])}"
                )
            for n in range(a0 + pairs, a1):
                found.append(f"{unit}: the note that was {n + 1} is gone: {_clip(old[n])}")
    for unit in before:
        if unit not in after and before[unit]:
            found.append(f"{unit}: gone, with its {len(before[unit])} notes")
    return found


def compare(before: dict | None, after: dict) -> Report | None:
    """None when there is no earlier build to compare with."""
    if not before:
        return None
    lines: list[str] = []

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.append(title)
            lines.extend(f"  {item}" for item in items[:LIMIT])
            if len(items) > LIMIT:
                lines.append(f"  ... and {len(items) - LIMIT} more")

    old_notes = before.get("notes", {})
    if old_notes and all(isinstance(v, str) for v in old_notes.values()):  # an older build's snapshot
        grouped: dict = {}
        for key, text in old_notes.items():
            grouped.setdefault(ids.parse_note_key(key)[0], {})[key] = text
        old_notes = grouped
    old_look, new_look = before.get("look"), after.get("look", {})
    if old_look is not None:
        changed = [name for name in new_look if old_look.get(name, new_look[name]) != new_look[name]]
        section(
            "The look of the book changed:",
            [_look_change(name, new_look[name], old_look.get(name)) for name in changed],
        )
    if "texts" in before:
        section("Text that changed:", _text_changes(before["texts"], after.get("texts", {})))
    section("Notes whose text changed:", _note_changes(old_notes, after["notes"], after["note_pages"]))

    moved = []
    for name, (first, last) in after["parts"].items():
        was = before.get("parts", {}).get(name)
        if was and was != [first, last]:
            moved.append(f"{name}: pp. {first}-{last} (was {was[0]}-{was[1]})")
    if before.get("pages") != after["pages"]:
        moved.append(f"the book: {after['pages']} pages (was {before.get('pages')})")
    section("Pages that shifted:", moved)

    names = after.get("names", {})
    refs = [
        f"{names.get(target, '#' + target)}: now p. {page} (was p. {before['printed'][target]})"
        for target, page in sorted(after["printed"].items())
        if target in before.get("printed", {}) and before["printed"][target] != page
    ]
    section("Page numbers printed in the contents and cross-references that changed:", refs)

    index_old, index_new = before.get("index", {}), after["index"]
    entries = [
        f"{name}: {index_new.get(name, '(gone)')} (was {index_old.get(name, '(new)')})"
        for name in sorted(set(index_old) | set(index_new))
        if index_old.get(name) != index_new.get(name)
    ]
    section("Index entries that now point elsewhere:", entries)
    return Report(tuple(lines))


def _shown(value) -> str:
    """A setting as the editor wrote it (files by name, without their digest)."""
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "none"
    return re.sub(r" [0-9a-f]{16,}$", "", str(value or "")) or "none"


def _look_change(name: str, new, old) -> str:
    now, was = _shown(new), _shown(old)
    said = f"{name}: {now} (was {was})" if now != was else f"{name}: {now} (the file changed)"
    return said + (": every page changed" if name in PAGE_WIDE else "")


_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=\S)")


def _text_changes(before: dict, after: dict) -> list[str]:
    """The sentences that changed, were added or went, unit by unit (paragraphs aligned by
    their text, then the sentences of a changed paragraph)."""
    found = []
    for unit, new in after.items():
        old = before.get(unit, [])
        for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
            if tag == "equal":
                continue
            was = [s for p in old[a0:a1] for s in _SENTENCE.split(p)]
            now = [s for p in new[b0:b1] for s in _SENTENCE.split(p)]
            for stag, s0, s1, t0, t1 in difflib.SequenceMatcher(a=was, b=now, autojunk=False).get_opcodes():
                if stag == "equal":
                    continue
                if s1 > s0 and t1 > t0:
                    found.append(
                        f"{unit}:\n      before: {_clip(' '.join(was[s0:s1]))}\n      after:  {_clip(' '.join(now[t0:t1]))}"
                    )
                elif t1 > t0:
                    found.append(f"{unit}: new: {_clip(' '.join(now[t0:t1]))}")
                else:
                    found.append(f"{unit}: gone: {_clip(' '.join(was[s0:s1]))}")
    for unit in before:
        if unit not in after and before[unit]:
            found.append(f"{unit}: gone, with its {len(before[unit])} paragraphs")
    return found


def _clip(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
