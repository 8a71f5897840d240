"""What moved: after a rebuild, what the editor should proofread again.

A build leaves a snapshot of what a reader sees (the text of every note, the
pages of every part, the page each cross-reference prints, every index entry);
the next build compares its own with it and reports the differences.
"""

from __future__ import annotations

from dataclasses import dataclass


def snapshot(converted, typeset) -> dict:
    notes, note_pages = {}, {}
    for item in converted:
        for number, text in enumerate(item.notes, start=1):
            note_id = f"{item.unit.id}-{number}"
            notes[note_id] = text
            where = typeset.folio(f"note-{note_id}") or typeset.folio(f"call-{note_id}")
            if where:
                note_pages[note_id] = where[1]
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
    return {"notes": notes, "note_pages": note_pages, "parts": parts, "printed": dict(typeset.printed),
            "index": index, "pages": typeset.page_count}


@dataclass(frozen=True)
class Report:
    lines: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.lines

    def text(self) -> str:
        if self.empty:
            return "What moved since the last build: nothing a reader sees (notes, pages, cross-references, index).\n"
        return "What moved since the last build:\n" + "".join(f"  {line}\n" for line in self.lines)


LIMIT = 30  # lines a section, before "and N more"


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

    old, new = before.get("notes", {}), after["notes"]
    pages = after["note_pages"]
    notes = []
    for note_id in new:
        unit, _, number = note_id.rpartition("-")
        where = f"{unit}, note {number} (p. {pages.get(note_id, '?')})"
        if note_id not in old:
            notes.append(f"{where}: new: {_clip(new[note_id])}")
        elif old[note_id] != new[note_id]:
            notes.append(f"{where}:\n      before: {_clip(old[note_id])}\n      after:  {_clip(new[note_id])}")
    notes += [f"{note_id.rpartition('-')[0]}, note {note_id.rpartition('-')[2]}: gone" for note_id in old
              if note_id not in new]
    section("Notes whose text changed:", notes)

    moved = []
    for name, (first, last) in after["parts"].items():
        was = before.get("parts", {}).get(name)
        if was and was != [first, last]:
            moved.append(f"{name}: pp. {first}-{last} (was {was[0]}-{was[1]})")
    if before.get("pages") != after["pages"]:
        moved.append(f"the book: {after['pages']} pages (was {before.get('pages')})")
    section("Pages that shifted:", moved)

    refs = [f"#{target}: now p. {page} (was p. {before['printed'][target]})"
            for target, page in sorted(after["printed"].items())
            if target in before.get("printed", {}) and before["printed"][target] != page]
    section("Page numbers printed in the contents and cross-references that changed:", refs)

    index_old, index_new = before.get("index", {}), after["index"]
    entries = [f"{name}: {index_new.get(name, '(gone)')} (was {index_old.get(name, '(new)')})"
               for name in sorted(set(index_old) | set(index_new)) if index_old.get(name) != index_new.get(name)]
    section("Index entries that now point elsewhere:", entries)
    return Report(tuple(lines))


def _clip(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
