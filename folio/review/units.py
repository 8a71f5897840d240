"""The editorial text of an edition as review units: each paragraph, heading, list item and note
paragraph a copy-editor may change, with where every character of it stands in its file.

A unit's ``text`` is what the review document shows (the Markdown's emphasis markers, span
brackets, escapes and line indentation left out, a line break shown as a space); ``spans``
gives for each character the stretch of the file's text it stands for (a line break: the line's
end and the next line's indentation; a note call: the whole call; an escaped character: the
backslash with it). Citations (``[@key, 12]``) are shown as
written and are atomic, a note call (``[^label]``) is one character (``NOTE``) standing for the
Word footnote. ``read_units`` runs on the text of a file, so the import can read a file it has
just changed again and compare (``place``)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from folio.edition.model import Edition
from folio.edition.yamlfile import split_front_matter

NOTE = "\ue000"  # a note call in a unit's text (a footnote reference in Word)

CITATION = re.compile(r"\[-?@[^\[\]\n]*(?:\[[^\[\]\n]*\][^\[\]\n]*)*\]")
NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\]")
NOTE_DEFINITION = re.compile(r"\[\^([^\]\s]+)\]:[ \t]*")
HEADING = re.compile(r"(#{1,6})[ \t]+")
HEADING_ATTRIBUTES = re.compile(r"[ \t]*\{[^{}]*\}[ \t]*$")
LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,3}[.)])[ \t]+")
UNREVIEWED = re.compile(r"(:::|```|~~~|\||<|\$\$)")  # fences, tables, raw HTML, display maths


@dataclass
class Run:
    """A stretch of a unit's text in one style: '' plain, 'i' italic, 'b' bold, 'bi', 'cite', 'note'."""

    text: str
    style: str = ""
    label: str = ""  # the note label of a 'note' run


@dataclass
class Unit:
    path: Path  # the file (absolute)
    file_index: int  # the file's place among the edition's files, in reading order
    ordinal: int  # the unit's place in its file
    kind: str  # 'title', 'heading1'..'heading6', 'paragraph', 'item', 'passage', 'quotation', 'note'
    text: str
    spans: list[tuple[int, int]]  # per character of text: the stretch of the file it stands for
    runs: list[Run]
    atoms: list[tuple[int, int]]  # (start, end) in text of what may not change: citations, note calls
    label: str = ""  # a note's label (kind 'note')
    notes: list[str] = field(default_factory=list)  # labels of the notes called, in order
    line: int = 1  # the line of its first character
    container: str = (
        "markdown"  # how its file holds it: 'markdown' (a body, a YAML block or plain scalar) or 'single' ('...')
    )

    @property
    def marker(self) -> str:
        """Its bookmark's name: file, place in it and a digest of the text it was exported with."""
        return f"folio_{self.file_index}_{self.ordinal}_{digest(self.text)}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@dataclass
class _Line:
    text: str  # the line's content, its indentation (of a YAML block) left out
    offset: int  # the offset of text[0] in the file
    squote: bool = False  # inside a single-quoted YAML scalar: '' stands for '


# ---------- the inline text: shown characters and where they stand ----------


def _inline(lines: list[_Line], style: str = ""):
    """(text, spans, runs, atoms, notes) of an inline Markdown stretch given as lines (joined by spaces)."""
    chars: list[tuple[str, tuple[int, int], str, str]] = []  # (character, span, style, note label)
    atoms: list[tuple[int, int]] = []
    notes: list[str] = []
    italic, bold = "i" in style, "b" in style
    for n, line in enumerate(lines):
        if n:
            end = lines[n - 1].offset + len(lines[n - 1].text)
            chars.append((" ", (end, line.offset), _style(italic, bold), ""))  # the line break
        s, base, i = line.text, line.offset, 0
        while i < len(s):
            c = s[i]
            if c == "'" and line.squote and s.startswith("''", i):
                chars.append(("'", (base + i, base + i + 2), _style(italic, bold), ""))
                i += 2
                continue
            if c == "\\" and i + 1 < len(s) and not s[i + 1].isalnum():
                chars.append((s[i + 1], (base + i, base + i + 2), _style(italic, bold), ""))
                i += 2
                continue
            if c == "[":
                call = NOTE_CALL.match(s, i)
                if call:
                    atoms.append((len(chars), len(chars) + 1))
                    chars.append((NOTE, (base + i, base + call.end()), "note", call.group(1)))
                    notes.append(call.group(1))
                    i = call.end()
                    continue
                cite = CITATION.match(s, i)
                if cite:
                    start = len(chars)
                    chars.extend(
                        (ch, (base + i + k, base + i + k + 1), "cite", "") for k, ch in enumerate(cite.group(0))
                    )
                    atoms.append((start, len(chars)))
                    i = cite.end()
                    continue
                close = _span_end(s, i)
                if close is not None:  # [text]{.person ...}: the text shown, the brackets and attributes not
                    inner_end, after = close
                    text, inner_spans, runs, inner_atoms, inner_notes = _inline(
                        [_Line(s[i + 1 : inner_end], base + i + 1, line.squote)], _style(italic, bold)
                    )
                    shift = len(chars)
                    for ch, span, run in zip(text, inner_spans, _styles_of(runs)):
                        chars.append((ch, span, run[0], run[1]))
                    atoms.extend((a + shift, b + shift) for a, b in inner_atoms)
                    notes.extend(inner_notes)
                    i = after
                    continue
            if s.startswith("**", i):
                bold = not bold
                i += 2
                continue
            if c == "*":
                italic = not italic
                i += 1
                continue
            chars.append((c, (base + i, base + i + 1), _style(italic, bold), ""))
            i += 1
    text = "".join(c[0] for c in chars)
    spans = [c[1] for c in chars]
    runs: list[Run] = []
    for ch, _off, st, label in chars:
        if runs and runs[-1].style == st and st != "note":
            runs[-1].text += ch
        else:
            runs.append(Run(ch, st, label))
    return text, spans, runs, atoms, notes


def _styles_of(runs: list[Run]):
    for run in runs:
        for _ch in run.text:
            yield run.style, run.label


def _style(italic: bool, bold: bool) -> str:
    return ("b" if bold else "") + ("i" if italic else "")


def _span_end(s: str, i: int) -> tuple[int, int] | None:
    """For '[text]{attributes}' at i: (the index of ']', the index after '}'); else None."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "[":
            depth += 1
        elif s[j] == "]":
            depth -= 1
            if depth == 0:
                if j + 1 < len(s) and s[j + 1] == "{":  # a span: [text]{.person key=...}
                    close = s.find("}", j + 1)
                    return (j, close + 1) if close > 0 else None
                if j + 1 < len(s) and s[j + 1] == "(":  # a link: [text](address), the address kept
                    close = s.find(")", j + 1)
                    return (j, close + 1) if close > 0 else None
                return None
    return None


# ---------- blocks: paragraphs, headings, items, note definitions ----------


def _blocks(lines: list[_Line]) -> list[tuple[str, list[_Line], str]]:
    """(kind, lines with their markers left out, note label) for each block a copy-editor may change."""
    out: list[tuple[str, list[_Line], str]] = []
    block: list[_Line] = []
    note = ""  # inside a note definition: its label

    def close() -> None:
        nonlocal block
        if block:
            out.extend(_block(block, note))
        block = []

    for line in lines:
        if not line.text.strip():
            close()
            continue
        indented = line.text.startswith(("    ", "\t"))
        if not block:
            if note and not indented:
                note = ""
            definition = NOTE_DEFINITION.match(line.text)
            if definition:
                note = definition.group(1)
                skip = definition.end()
                block = [_Line(line.text[skip:], line.offset + skip, line.squote)]
                continue
            if note and indented:
                skip = len(line.text) - len(line.text.lstrip())
                block = [_Line(line.text[skip:], line.offset + skip, line.squote)]
                continue
            block = [line]
            continue
        if LIST_ITEM.match(line.text) and not note:  # a new item ends the one before
            close()
            block = [line]
            continue
        block.append(line)
    close()
    return out


def _block(lines: list[_Line], note: str) -> list[tuple[str, list[_Line], str]]:
    first = lines[0].text
    if UNREVIEWED.match(first.lstrip()):
        return []
    heading = HEADING.match(first)
    if heading and not note:
        text = first[heading.end() :]
        attributes = HEADING_ATTRIBUTES.search(text)
        if attributes:
            text = text[: attributes.start()]
        text = text.rstrip().rstrip("#").rstrip()
        return [
            (f"heading{len(heading.group(1))}", [_Line(text, lines[0].offset + heading.end(), lines[0].squote)], "")
        ]
    item = LIST_ITEM.match(first)
    kind = "note" if note else "paragraph"
    if item and not note:
        kind = "item"
        lines = [_Line(first[item.end() :], lines[0].offset + item.end(), lines[0].squote), *lines[1:]]
    if first.startswith(">"):
        kind = "quotation"
    stripped = []
    for line in lines:
        text, offset = line.text, line.offset
        if kind == "quotation" and text.startswith(">"):
            cut = 2 if text.startswith("> ") else 1
            text, offset = text[cut:], offset + cut
        lead = len(text) - len(text.lstrip(" \t"))
        stripped.append(_Line(text[lead:].rstrip(" \t\r"), offset + lead, line.squote))
    return [(kind, stripped, note)]


def _markdown_lines(text: str, start: int, end: int) -> list[_Line]:
    lines, offset = [], start
    for raw in text[start:end].split("\n"):
        lines.append(_Line(raw.rstrip("\r"), offset))
        offset += len(raw) + 1
    return lines


# ---------- YAML scalars ----------


def _scalar_lines(text: str, node: yaml.ScalarNode) -> list[_Line] | None:
    """The lines of a plain or block scalar with their offsets in the file; None for a quoted one
    (shown in the review, its changes placed by rewriting it)."""
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ("|", ">"):
        first_newline = text.find("\n", start)
        if first_newline < 0 or first_newline >= end:
            return []
        body = text[first_newline + 1 : end]
        raw_lines = body.split("\n")
        indents = [len(r) - len(r.lstrip(" ")) for r in raw_lines if r.strip()]
        indent = min(indents) if indents else 0
        lines, offset = [], first_newline + 1
        for raw in raw_lines:
            content = raw[indent:] if raw.strip() else ""
            lines.append(_Line(content.rstrip("\r"), offset + (indent if raw.strip() else 0)))
            offset += len(raw) + 1
        return lines
    if node.style is None:
        lines, offset = [], start
        for n, raw in enumerate(text[start:end].split("\n")):
            lead = len(raw) - len(raw.lstrip(" \t")) if n else 0
            lines.append(_Line(raw[lead:].rstrip(" \t\r"), offset + lead))
            offset += len(raw) + 1
        return lines
    return None


def _quoted(text: str, node: yaml.ScalarNode) -> list[_Line]:
    """The lines of a quoted scalar. A single-quoted one (as yaml.safe_dump writes long text) over
    several lines folds as YAML folds it: a line break is a space, each further empty line one
    line break of the value (so two empty lines part two paragraphs). A double-quoted one only on
    one line without escapes; otherwise [] (not offered for review)."""
    start, end = node.start_mark.index + 1, node.end_mark.index - 1
    inner = text[start:end]
    if node.style == '"':
        return [] if ("\n" in inner or "\\" in inner) else [_Line(inner, start)]
    lines: list[_Line] = []
    blanks, offset = 0, start
    for n, raw in enumerate(inner.split("\n")):
        lead = len(raw) - len(raw.lstrip(" \t")) if n else 0
        content = raw[lead:].rstrip(" \t\r")
        if not content:
            blanks += 1
        else:
            lines.extend(_Line("", offset) for _ in range(max(0, blanks - 1)))
            lines.append(_Line(content, offset + lead, squote=True))
            blanks = 0
        offset += len(raw) + 1
    return lines


def _node_at(node, path: tuple):
    for key in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if key < len(node.value) else None
        else:
            return None
        if node is None:
            return None
    return node if isinstance(node, yaml.ScalarNode) else None


def _scalar_units(text: str, root, path: tuple, kind: str) -> list[tuple[str, list[_Line], str, str]]:
    node = _node_at(root, path)
    if node is None or not node.value.strip():
        return []
    lines = _scalar_lines(text, node)
    container = "yaml"
    if lines is None:
        lines = _quoted(text, node)
        container = "single" if node.style == "'" else "double"
    if not lines:
        return []
    if node.style in ("|", ">", "'") or (node.style is None and any(not line.text for line in lines)):
        # Markdown over several lines: its paragraphs and note definitions
        return [(kind if k == "paragraph" else k, ls, label, container) for k, ls, label in _blocks(lines)]
    return [(kind, [line for line in lines if line.text], "", container)]


def _front_matter(text: str) -> tuple[object, int]:
    """(the composed YAML front matter, its marks as offsets in the file; the offset of the body),
    the block found as the edition's reader finds it (``yamlfile.split_front_matter``)."""
    front, body, _line = split_front_matter(text)
    if front is None:
        return None, 0
    bom = 1 if text.startswith("\ufeff") else 0
    start = text.index("\n", bom) + 1
    root = yaml.compose(front, Loader=yaml.SafeLoader)
    _shift_marks(root, start)
    return root, len(text) - len(body)


def _shift_marks(node, by: int) -> None:
    if node is None or by == 0:
        return
    stack, moved = [node], set()
    while stack:
        n = stack.pop()
        for mark in (n.start_mark, n.end_mark):
            if id(mark) not in moved:  # a mark may be shared by a node and its first child
                moved.add(id(mark))
                mark.index += by
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


# ---------- a file's units ----------


def _make(path: Path, file_index: int, text: str, found: list[tuple]) -> list[Unit]:
    units = []
    for ordinal, (kind, lines, label, *rest) in enumerate(found):
        shown, spans, runs, atoms, notes = _inline(lines)
        if not shown.strip():
            continue
        line = text.count("\n", 0, spans[0][0]) + 1
        container = rest[0] if rest else "markdown"
        units.append(Unit(path, file_index, ordinal, kind, shown, spans, runs, atoms, label, notes, line, container))
    return units


def markdown_file_units(path: Path, file_index: int, text: str, fields: tuple[tuple[tuple, str], ...]) -> list[Unit]:
    """A Markdown file with YAML front matter: the named front-matter fields, then the body."""
    root, body = _front_matter(text)
    found: list[tuple[str, list[_Line], str]] = []
    for key_path, kind in fields:
        found.extend(_scalar_units(text, root, key_path, kind))
    found.extend(_blocks(_markdown_lines(text, body, len(text))))
    return _make(path, file_index, text, found)


QUOTATION_FIELDS = ((("heading",), "heading3"), (("date",), "paragraph"), (("text",), "quotation"))


def quotation_file_units(path: Path, file_index: int, text: str) -> list[Unit]:
    """A YAML file of quotations: for each, its heading, date, text and translation note."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    found: list[tuple[str, list[_Line], str]] = []
    if isinstance(root, yaml.SequenceNode):
        for index in range(len(root.value)):
            for key_path, kind in (*QUOTATION_FIELDS, (("translation_note",), "paragraph")):
                found.extend(_scalar_units(text, root, (index, *key_path), kind))
    return _make(path, file_index, text, found)


FRONT_FIELDS = ((("title",), "heading1"),)
CHAPTER_FIELDS = ((("title",), "heading1"),)
CLAIM_FIELDS = ((("title",), "heading2"), (("passage", "text"), "passage"))


def read_file(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:  # line ends kept as written
        return handle.read()


@dataclass
class ReviewFile:
    path: Path
    index: int
    role: str  # 'front', 'chapter', 'claim', 'quotations'
    ident: str  # the part's id (a claim's id, a chapter's id), or the file's name
    text: str
    units: list[Unit]


def units_of(path: Path, index: int, role: str, text: str) -> list[Unit]:
    if role == "quotations":
        return quotation_file_units(path, index, text)
    fields = {"front": FRONT_FIELDS, "chapter": CHAPTER_FIELDS, "claim": CLAIM_FIELDS}[role]
    return markdown_file_units(path, index, text, fields)


def review_files(edition: Edition) -> list[ReviewFile]:
    """The edition's files in reading order: the front matter, each chapter followed by its
    claims, then the files of quotations (the appendix)."""
    order: list[tuple[Path, str, str]] = [(part.path, "front", part.id) for part in edition.front]
    for chapter in edition.chapters:
        order.append((chapter.path, "chapter", chapter.id))
        order.extend((claim.path, "claim", claim.id) for claim in edition.claims_of(chapter))
    seen: set[Path] = {p for p, _r, _i in order}
    for quotation in edition.quotations.values():
        if quotation.path not in seen:
            seen.add(quotation.path)
            order.append((quotation.path, "quotations", quotation.path.name))
    files = []
    for index, (path, role, ident) in enumerate(order):
        text = read_file(path)
        files.append(ReviewFile(path, index, role, ident, text, units_of(path, index, role, text)))
    return files
