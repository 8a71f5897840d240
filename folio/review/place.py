"""The changes of a reviewed document placed in the edition's files.

For each unit the document's text (tracked changes rejected; with ``accept_all`` all accepted)
is compared word by word with the unit's text as the files hold it now. Each difference is put
back at the characters it covers in the file (``Unit.spans``), the Markdown around it (emphasis
markers, span brackets, line ends) kept. A file changed is read again into units, and every unit
must read as the document says (the changed ones) or as before (the others): what cannot be
placed so is a problem, and nothing is written unless everything is placed (or ``partial``)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from folio.edition.reader import shown_path
from folio.problems import Problems
from folio.review.docx_in import Paragraph, ReviewedDocument
from folio.review.units import NOTE, ReviewFile, Unit, digest, units_of

# a unit's bookmark; LibreOffice renames those it saves in footnotes with '_Copy_1'
MARKER = re.compile(r"folio_(\d+)_(\d+)_([0-9a-f]{8})(?:_Copy_\d+)?$")
TOKEN = re.compile(r"\w+|\s+|" + NOTE + r"|[^\w\s]")


@dataclass
class Edit:
    start: int  # in the file's text
    end: int
    text: str


@dataclass
class Outcome:
    changed: dict = field(default_factory=dict)  # path -> the file's new text
    units_changed: list = field(default_factory=list)  # (unit, the new text)
    pending: list = field(default_factory=list)  # (unit, Tracked) not applied
    comments: list = field(default_factory=list)  # (path, line, commented text, Comment)


def _short(text: str, size: int = 50) -> str:
    text = text.replace(NOTE, "[note]")
    return text if len(text) <= size else text[: size - 1] + "…"


def _escape(text: str, container: str) -> str:
    """Typed text as the file must hold it: Markdown's own characters escaped."""
    text = re.sub(r"([\\*_\[\]`<])", r"\\\1", text)
    if container == "single":
        text = text.replace("'", "''")
    return text


def _deleted_whole(unit: Unit, file_text: str) -> tuple[list[Edit], str]:
    """A paragraph of a file's body deleted with its line(s) and one empty line after it."""
    if unit.container != "markdown" or unit.kind == "note":
        return [], "a whole field or note was deleted: delete or change it in the file"
    if unit.notes:
        return [], "a paragraph with notes was deleted: delete it and its notes in the file"
    start = file_text.rfind("\n", 0, unit.spans[0][0]) + 1
    end = file_text.find("\n", unit.spans[-1][1])
    end = len(file_text) if end < 0 else end + 1
    while end < len(file_text) and file_text[end] in "\r\n":  # the empty line after it
        end += 1
        if file_text[end - 1] == "\n":
            break
    return [Edit(start, end, "")], ""


def edits_for(unit: Unit, target: str, file_text: str) -> tuple[list[Edit], str]:
    """The edits that turn the unit's text into ``target``, or ([], the reason) if one touches a
    citation or a note call."""
    old_tokens = TOKEN.findall(unit.text)
    new_tokens = TOKEN.findall(target)
    old_starts = [0]
    for token in old_tokens:
        old_starts.append(old_starts[-1] + len(token))
    container = unit.container
    if not target.strip():  # the paragraph deleted whole
        return _deleted_whole(unit, file_text)
    edits: list[Edit] = []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        a, b = old_starts[i1], old_starts[i2]
        new = "".join(new_tokens[j1:j2])
        for start, end in unit.atoms:
            touched = (a < end and b > start) if b > a else (start < a < end)
            if touched:
                atom = unit.text[start:end]
                what = "a note call" if atom == NOTE else f"the citation {atom}"
                return [], f"{what} was changed or deleted (near '{_short(unit.text[max(0, a - 20) : b + 20])}')"
        if NOTE in new:
            return [], "a note call was added or moved into this paragraph"
        if b > a:
            first, last = unit.spans[a][0], unit.spans[b - 1][1]
            covered = set()
            for span in unit.spans[a:b]:
                covered.update(range(*span))
            hidden = "".join(file_text[k] for k in range(first, last) if k not in covered)
            edits.append(Edit(first, last, _escape(new, container) + hidden))
        else:
            at = unit.spans[a][0] if a < len(unit.spans) else unit.spans[-1][1]
            edits.append(Edit(at, at, _escape(new, container)))
    return edits, ""


def apply_edits(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _line_of(unit: Unit, file_text: str, index: int) -> int:
    index = min(max(index, 0), len(unit.spans) - 1)
    return file_text.count("\n", 0, unit.spans[index][0]) + 1


def _moved_notes(unit: Unit, notes: list[str], owner_of: dict, by_key: dict, called_from: dict, paragraph) -> str:
    """What says that a note was moved into or out of this paragraph ('' : none was)."""
    labels_here = []
    for ident in notes:
        owner = by_key.get(owner_of.get(ident, (-1, -1)))
        labels_here.append(owner[1].label if owner else "")
    for label in labels_here:
        if label and label not in unit.notes:
            return f"the note [^{label}] was moved into this paragraph"
    for label in unit.notes:
        if label not in labels_here:
            ident = next(
                (
                    i
                    for i, key in owner_of.items()
                    if by_key.get(key) and by_key[key][1].label == label and by_key[key][1].path == unit.path
                ),
                None,
            )
            elsewhere = called_from.get(ident) if ident is not None else None
            if elsewhere is not None and elsewhere is not paragraph:
                return f"the note [^{label}] was moved out of this paragraph (into {elsewhere.where})"
    return ""


def place(
    document: ReviewedDocument,
    files: list[ReviewFile],
    problems: Problems,
    accept_all: bool = False,
    partial: bool = False,
    where: str = "the review document",
) -> Outcome:
    outcome = Outcome()
    by_key: dict[tuple[int, int], tuple[ReviewFile, Unit]] = {
        (f.index, u.ordinal): (f, u) for f in files for u in f.units
    }
    note_unit_of_footnote: dict[str, tuple[int, int]] = {}
    for ident, paragraphs in document.footnote_of.items():
        for paragraph in paragraphs:
            for marker in paragraph.markers:
                match = MARKER.match(marker)
                if match:
                    note_unit_of_footnote.setdefault(ident, (int(match.group(1)), int(match.group(2))))

    def report(code: str, paragraph: Paragraph | None, message: str, hint: str, unit: Unit | None = None) -> None:
        place_ = f"{where}, {paragraph.where}" if paragraph else where
        if unit is not None:
            problems.add(code, unit.path, unit.line, f"{message} ({place_})", hint)
        else:
            problems.add(code, where, None, f"{message} ({paragraph.where if paragraph else 'the document'})", hint)

    called_from: dict[str, Paragraph] = {}  # footnote id -> the paragraph calling it
    for paragraph in document.paragraphs:
        for ident in paragraph.notes_accepted if accept_all else paragraph.notes_original:
            called_from.setdefault(ident, paragraph)
    seen: dict[tuple[int, int], Paragraph] = {}
    plans: dict[Path, list[tuple[Unit, str, list]]] = {}
    refused: set[Path] = set()
    for paragraph in document.paragraphs:
        units = [m for m in paragraph.markers if MARKER.match(m)]
        fixed = [m for m in paragraph.markers if m.startswith("folio_x_")]
        if not units:
            if fixed:
                expected = re.sub(r"_Copy_\d+$", "", fixed[0]).rsplit("_", 1)[-1]
                if digest(paragraph.accepted) != expected and digest(paragraph.original) != expected:
                    report(
                        "W640",
                        paragraph,
                        f"a label was changed ('{_short(paragraph.accepted)}')",
                        "labels are made by folio, not read from a file: change the edition's files instead",
                    )
            elif paragraph.accepted.strip() or paragraph.original.strip():
                report(
                    "E642",
                    paragraph,
                    f"a paragraph without a marker: '{_short(paragraph.accepted)}'",
                    "a paragraph split in two, or one added: join it to the paragraph it came from, or add "
                    "the new paragraph to its file by hand",
                )
            continue
        if len(units) > 1:
            first = MARKER.match(units[0])
            hit = by_key.get((int(first.group(1)), int(first.group(2))))
            report(
                "E643",
                paragraph,
                f"{len(units)} units were merged into one paragraph",
                "undo the merge: each paragraph of the edition stays a paragraph",
                hit[1] if hit else None,
            )
            for marker in units:
                match = MARKER.match(marker)
                seen[(int(match.group(1)), int(match.group(2)))] = paragraph
                if (hit := by_key.get((int(match.group(1)), int(match.group(2))))) is not None:
                    refused.add(hit[1].path)
            continue
        match = MARKER.match(units[0])
        key, exported = (int(match.group(1)), int(match.group(2))), match.group(3)
        hit = by_key.get(key)
        if key in seen:
            report(
                "E643",
                paragraph,
                "a unit's marker stands in two paragraphs (a paragraph copied)",
                "delete the copy",
                hit[1] if hit else None,
            )
            continue
        seen[key] = paragraph
        if hit is None:
            report(
                "E646",
                paragraph,
                f"the marker {units[0]} names a unit the edition no longer has",
                "export the review document again from the edition as it is now",
            )
            continue
        file, unit = hit
        if paragraph.formatting_changed:
            report(
                "W640",
                paragraph,
                "formatting was changed (emphasis, styles): not carried back",
                "make the change in the file",
                unit,
            )
        target = paragraph.accepted if accept_all else paragraph.original
        notes = paragraph.notes_accepted if accept_all else paragraph.notes_original
        for comment in paragraph.comments:
            shown = paragraph.accepted[comment.start : comment.end] if comment.end > comment.start else ""
            outcome.comments.append((unit.path, _line_of(unit, file.text, comment.start), shown, comment))
        if not accept_all:
            outcome.pending.extend((unit, tracked) for tracked in paragraph.tracked)
        if target == unit.text:
            continue
        # changed in its file since the export: still safe when the file holds what the document
        # holds with its tracked changes rejected (this document imported before, --accept-all now)
        if digest(unit.text) != exported and paragraph.original != unit.text:
            report(
                "E646",
                paragraph,
                "the paragraph was changed in its file after the export, and in the document",
                "export the review document again, or carry the change over by hand",
                unit,
            )
            refused.add(unit.path)
            continue
        moved = _moved_notes(unit, notes, note_unit_of_footnote, by_key, called_from, paragraph)
        if moved:
            report("E645", paragraph, moved, "move the note back to its paragraph", unit)
            refused.add(unit.path)
            continue
        edits, reason = edits_for(unit, target, file.text)
        if reason:
            report(
                "E644",
                paragraph,
                reason,
                "citations and note calls are kept as written: change a citation in the file",
                unit,
            )
            refused.add(unit.path)
            continue
        plans.setdefault(unit.path, []).append((unit, target, edits))
    for (index, ordinal), (_file, unit) in sorted(by_key.items()):
        if (index, ordinal) not in seen:
            report(
                "E641",
                None,
                f"the paragraph '{_short(unit.text)}' is not in the review document "
                "(its marker was deleted, or the paragraph with it)",
                "delete a paragraph with Track Changes on, or restore it (its marker is a bookmark)",
                unit,
            )
            refused.add(unit.path)
    if refused and not partial:
        return outcome
    for file in files:
        if file.path not in plans or file.path in refused:
            continue
        planned = plans[file.path]
        new_text = apply_edits(file.text, [e for _u, _t, edits in planned for e in edits])
        try:
            reread = [u.text for u in units_of(file.path, file.index, file.role, new_text)]
        except Exception as fault:  # noqa: BLE001 (a YAML scalar broken by the change)
            reread = None
            reason = f"the file would not read ({type(fault).__name__})"
        targets = {u.ordinal: t for u, t, _e in planned}
        # every paragraph as the document has it, in order (one deleted whole is gone)
        expected = [t for t in (targets.get(u.ordinal, u.text) for u in file.units) if t.strip()]
        if reread != expected:
            reread_set = set(reread or ())
            bad = [u for u, t, _e in planned if t.strip() and t not in reread_set]
            unit = bad[0] if bad else planned[0][0]
            reason = reason if reread is None else "the file would not read back as the document has it"
            report(
                "E647",
                None,
                f"the change to '{_short(unit.text)}' could not be placed: {reason}",
                "make this change in the file by hand",
                unit,
            )
            refused.add(file.path)
            continue
        outcome.changed[file.path] = new_text
        outcome.units_changed.extend((u, t) for u, t, _e in planned)
    if refused and not partial:
        outcome.changed.clear()
        outcome.units_changed.clear()
    return outcome


def changes_shown(old: str, new: str) -> str:
    """Each change of a paragraph with a few words around it: '... the [surviving -> ] campaign ...'."""
    old_tokens, new_tokens = TOKEN.findall(old), TOKEN.findall(new)
    shown = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        before = "".join(old_tokens[max(0, i1 - 4) : i1])
        after = "".join(old_tokens[i2 : i2 + 4])
        was, now = "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])
        shown.append(f"…{_short(before, 30)}[{_short(was, 40)} -> {_short(now, 40)}]{_short(after, 30)}…")
    return "; ".join(shown)


def report_text(outcome: Outcome, root: Path, accept_all: bool) -> str:
    def shown(path: Path) -> str:
        return shown_path(path, root)

    lines = ["The review: comments and changes", ""]
    lines.append(f"Comments ({len(outcome.comments)}):")
    for path, line, text, comment in outcome.comments:
        author = f" ({comment.author}{', ' + comment.date if comment.date else ''})" if comment.author else ""
        on = f' on "{_short(text, 80)}"' if text else ""
        lines.append(f"  {shown(path)}:{line}:{on}: {comment.text}{author}")
    lines.append("")
    lines.append(f"Changes applied ({len(outcome.units_changed)} paragraphs):")
    for unit, text in outcome.units_changed:
        lines.append(f"  {shown(unit.path)}:{unit.line}: {changes_shown(unit.text, text)}")
    if not accept_all:
        lines.append("")
        lines.append(f"Tracked changes not applied ({len(outcome.pending)}; import with --accept-all to apply them):")
        for unit, tracked in outcome.pending:
            by = f" by {tracked.author}" if tracked.author else ""
            lines.append(f"  {shown(unit.path)}:{unit.line}: {tracked.kind} '{_short(tracked.text, 60)}'{by}")
    return "\n".join(lines) + "\n"
