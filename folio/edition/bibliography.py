"""Reading and checking the bibliography (BibTeX or BibLaTeX, as Zotero or JabRef export it).

bibtexparser 2 finds the blocks and their fields (with lines); the values are
evaluated here as BibTeX does (braces, quotes, numbers, @string macros joined
with '#'), so that an undefined macro is an error with its line instead of a
word printed in the book. Keys are matched as BibTeX matches them, without
regard to case (a crossref to WHOLE-JOURNAL finds @article{whole-journal}),
and crossref chains are followed with a bound and no cycle.

Pandoc's citeproc is given the original file, because LaTeX decoding drops the
case-protecting braces that citeproc needs.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock, String

from folio.edition import files
from folio.edition.model import BibEntry, Bibliography
from folio.problems import Problems, did_you_mean

# What each entry type needs, where BibTeX and BibLaTeX agree (a field either tool can do
# without is not required here, so every entry legal in one of them is accepted);
# a tuple means "one of".
REQUIRED_FIELDS: dict[str, list] = {
    # unsigned newspaper articles are common, so an article needs no author
    "article": [("title",), ("journal", "journaltitle"), ("year", "date")],
    "book": [("author", "editor"), ("title",), ("year", "date")],
    "mvbook": [("author", "editor"), ("title",), ("year", "date")],
    "inbook": [("author", "editor"), ("title",), ("year", "date")],
    "bookinbook": [("author", "editor"), ("title",), ("year", "date")],
    "incollection": [("author", "editor"), ("title",), ("booktitle",), ("year", "date")],
    "collection": [("editor", "author"), ("title",), ("year", "date")],
    "mvcollection": [("editor", "author"), ("title",), ("year", "date")],
    "proceedings": [("title",), ("year", "date")],
    "mvproceedings": [("title",), ("year", "date")],
    "inproceedings": [("author",), ("title",), ("booktitle",), ("year", "date")],
    "phdthesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "mastersthesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "thesis": [("author",), ("title",), ("institution", "school"), ("year", "date")],
    "techreport": [("author",), ("title",), ("institution",), ("year", "date")],
    "report": [("author",), ("title",), ("institution",), ("year", "date")],
    "online": [("title",), ("url", "eprint", "doi")],
    "unpublished": [("author",), ("title",)],
    "manual": [("title",)],
    "booklet": [("title",)],
}
# the fields of the BibTeX and BibLaTeX data models, and those Zotero (Better BibTeX),
# JabRef and Mendeley write; a field outside them is probably a typing error
KNOWN_FIELDS = set(
    """
abstract addendum address afterword annotation annotator annote archiveprefix author authortype bookauthor
bookpagination booksubtitle booktitle booktitleaddon chapter commentator copyright crossref date doi edition editor
editora editorb editorc editortype editoratype editorbtype editorctype eid entryset entrysubtype eprint eprintclass
eprinttype eventdate eventtitle eventtitleaddon file foreword gender holder howpublished ids indexsorttitle
indextitle institution introduction isan isbn ismn isrc issn issue issuesubtitle issuetitle issuetitleaddon iswc
journal journalsubtitle journaltitle journaltitleaddon key keywords label langid langidopts language library
location mainsubtitle maintitle maintitleaddon month nameaddon note number options organization origdate origlanguage
origlocation origpublisher origtitle pages pagetotal pagination part presort primaryclass publisher pubstate
related relatedoptions relatedstring relatedtype reprinttitle school series shortauthor shorteditor shorthand
shorthandintro shortjournal shortseries shorttitle sortkey sortname sortshorthand sorttitle sortyear subtitle
timestamp title titleaddon translator type url urldate venue version volume volumes xdata xref year
mrclass mrnumber mrreviewer zblnumber pmid pmcid arxivid lccn oclc jstor sici coden
owner creationdate modificationdate groups ranking readstatus priority qualityassured comment comments
keyword day hyphenation medium citekey origyear origmonth eventyear urlyear endyear number-of-pages numpages articleno acmid publisher-place
""".split()
)
MONTHS = {m: m for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")}
MAX_CROSSREF_DEPTH = 8

_log = logging.getLogger("bibtexparser")


class _Undefined(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _pieces(raw: str) -> list[str]:
    """A raw BibTeX value split at its top-level '#' (braces and quotes respected)."""
    out, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(raw):
        if char == "{" and (index == 0 or raw[index - 1] != "\\"):
            depth += 1
        elif char == "}" and (index == 0 or raw[index - 1] != "\\"):
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            out.append(raw[start:index])
            start = index + 1
    out.append(raw[start:])
    return [piece.strip() for piece in out]


def evaluate(raw: str, strings: dict[str, str]) -> str:
    """A field's value as BibTeX reads it; _Undefined for a macro nobody defined."""
    value = []
    for piece in _pieces(raw):
        if piece.startswith("{") and piece.endswith("}"):
            value.append(piece[1:-1])
        elif piece.startswith('"') and piece.endswith('"') and len(piece) >= 2:
            value.append(piece[1:-1])
        elif piece.isdigit():
            value.append(piece)
        elif piece:
            name = piece.lower()
            if name in strings:
                value.append(strings[name])
            elif name in MONTHS:
                value.append(MONTHS[name])
            else:
                raise _Undefined(piece)
    return "".join(value)


CSL_SUFFIXES = (".json", ".yaml", ".yml")


def load_bibliography(path: Path, problems: Problems, roots) -> Bibliography:
    """Parse ``path``; report parse failures, duplicates, undefined macros, unknown fields,
    crossref faults and missing fields (of the entries that are cited: see ``check_required``).
    A .json, .yaml or .yml file is CSL-JSON or CSL-YAML (Better BibTeX's "Better CSL" exports)."""
    try:
        data = files.read_bytes(path, roots, "bibliography")
        text = files.decode(data, "the bibliography")
    except files.Refused as refused:
        problems.add(refused.code, path, refused.line, refused.message, refused.hint)
        return Bibliography(path, {}, "")
    if path.suffix.lower() in CSL_SUFFIXES:
        return _load_csl(path, text, problems)
    previous_level = _log.level
    _log.setLevel(logging.CRITICAL)  # its failures are reported below, with lines
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    except RecursionError:
        problems.add("E301", path, None, "the file is nested too deeply to be read", "check its braces")
        return Bibliography(path, {}, text)
    finally:
        _log.setLevel(previous_level)

    strings: dict[str, str] = {}
    for block in library.blocks:
        if isinstance(block, String):
            try:
                strings[block.key.lower()] = evaluate(str(block.value), strings)
            except _Undefined as undefined:
                problems.add(
                    "E306",
                    path,
                    block.start_line + 1,
                    f"@string {block.key} uses the macro '{undefined.name}', which is not defined before it",
                    "define it with @string earlier in the file, or write the text in braces",
                )

    entries: dict[str, BibEntry] = {}
    folded: dict[str, str] = {}
    for block in library.blocks:
        if not isinstance(block, Entry):
            continue
        key = block.key.strip()
        if not key:
            _no_key(block.entry_type.lower(), path, block.start_line + 1, problems)
            continue
        if key.lower() in folded:
            first = entries[folded[key.lower()]]
            problems.add(
                "E302",
                path,
                block.start_line + 1,
                f"duplicate BibTeX key '{key}' (first defined on line {first.line}"
                + (f" as '{first.key}': BibTeX keys do not differ by case" if first.key != key else "")
                + ")",
                "give each entry its own key; Pandoc would silently use the last one",
            )
            continue
        fields, lines = {}, {}
        for field in block.fields:
            name = field.key.lower()
            line = (field.start_line or block.start_line) + 1
            try:
                fields[name] = evaluate(str(field.value), strings)
            except _Undefined as undefined:
                problems.add(
                    "E306",
                    path,
                    line,
                    f"entry '{key}': field {name} uses the macro '{undefined.name}', which is not defined",
                    f"write the text in braces ({name} = {{{undefined.name}}}), or define it with "
                    f"@string{{{undefined.name} = {{...}}}}",
                )
                fields[name] = undefined.name
            lines[name] = line
            joined = re.search(r"[}\"]\s*\n\s*([A-Za-z][\w-]*)\s*=", str(field.value))
            if joined:
                problems.add(
                    "E301",
                    path,
                    line,
                    f"entry '{key}': a comma is missing after the field {name}, before '{joined.group(1)}'",
                    "end every field with a comma",
                )
            elif name not in KNOWN_FIELDS:
                problems.add(
                    "W304",
                    path,
                    line,
                    f"entry '{key}': '{name}' is not a field of BibTeX or BibLaTeX",
                    did_you_mean(name, KNOWN_FIELDS) or "check its spelling; Pandoc ignores it",
                )
        entries[key] = BibEntry(key, block.entry_type.lower(), fields, block.start_line + 1, lines)
        folded[key.lower()] = key

    broken: dict[str, int] = {}  # the keys of entries that could not be read: their citations follow from it
    for block in library.failed_blocks:
        line = block.start_line + 1
        if isinstance(block, DuplicateBlockKeyBlock) and not block.key.strip():
            kind = re.match(r"\s*@\s*(\w+)", block.raw or "")
            _no_key(kind.group(1).lower() if kind else "book", path, line, problems)
        elif isinstance(block, DuplicateBlockKeyBlock):
            first = entries.get(block.key)
            where = f" (first defined on line {first.line})" if first else ""
            problems.add(
                "E302",
                path,
                line,
                f"duplicate BibTeX key '{block.key}'{where}",
                "give each entry its own key; Pandoc would silently use the last one",
            )
        elif isinstance(block, DuplicateFieldKeyBlock):
            key = _block_key(block.raw)
            if key and key.lower() not in folded:
                broken[key] = line
            repeated = ", ".join(sorted(getattr(block, "duplicate_keys", []) or [])) or "a field"
            problems.add("E304", path, line, f"entry '{key}' repeats {repeated}", "keep one value of each field")
        elif isinstance(block, ParsingFailedBlock):
            key = _block_key(block.raw)
            if key and key.lower() not in folded:
                broken[key] = line
            reason = str(getattr(block, "error", "") or "").splitlines()
            detail = reason[-1].strip() if reason else "syntax error"
            problems.add(
                "E301",
                path,
                line,
                f"entry {key and repr(key) + ' '}cannot be parsed: {detail}",
                "check braces and quotes, and the comma after each field",
            )

    for entry in entries.values():
        _check_crossref(entry, entries, folded, path, problems)
    return Bibliography(path, entries, for_pandoc(text, entries, folded), broken)


def _no_key(kind: str, path: Path, line: int, problems: Problems) -> None:
    problems.add(
        "E308",
        path,
        line,
        f"an @{kind} entry without a key",
        f"write its key after the brace, @{kind}{{smith2001, ...}}: a citation [@smith2001] names the entry by it",
    )


_CROSSREF = re.compile(r"(\bcrossref\s*=\s*[{\"])([^}\"]+)([}\"])", re.I)


def for_pandoc(text: str, entries: dict, folded: dict) -> str:
    """The bibliography as Pandoc is given it: as written, but with each crossref naming its
    parent's key as the parent writes it (BibTeX matches keys without regard to case; Pandoc
    does not) and with what each child inherits written into it (``_with_inherited_fields``)."""

    def fix(match: re.Match) -> str:
        key = folded.get(match.group(2).strip().lower())
        return match.group(1) + key + match.group(3) if key else match.group(0)

    return _with_inherited_fields(_CROSSREF.sub(fix, text), entries, folded)


def _load_csl(path: Path, text: str, problems: Problems) -> Bibliography:
    """A CSL-JSON list of items (or CSL-YAML, with the items under 'references'), each with its line."""
    from folio.edition.yamlfile import YamlSyntaxError, parse_with_faults

    if path.suffix.lower() == ".json":
        import json

        try:
            items = json.loads(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            problems.add(
                "E301",
                path,
                line,
                f"not CSL-JSON: {getattr(exc, 'msg', exc)}",
                "export the library again (Zotero: Better CSL JSON)",
            )
            return Bibliography(path, {}, text)
    else:
        try:
            items, faults = parse_with_faults(text)
        except YamlSyntaxError as exc:
            problems.add(exc.code, path, exc.line, f"YAML syntax error: {exc.message}", exc.hint)
            return Bibliography(path, {}, text)
        for fault in faults:
            problems.add(fault.code, path, fault.line, fault.message, fault.hint)
        if isinstance(items, dict):
            items = items.get("references")
    if not isinstance(items, list):
        problems.add(
            "E102",
            path,
            1,
            "a CSL bibliography is a list of items",
            'CSL-JSON: [ {"id": ..., "type": ...}, ... ]; CSL-YAML: references: [...]',
        )
        return Bibliography(path, {}, text)
    entries: dict[str, BibEntry] = {}
    lines = text.split("\n")
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), (str, int)):
            problems.add(
                "E301",
                path,
                getattr(item, "line", None),
                f"item {index + 1} has no id",
                'every item needs an "id": the citation key',
            )
            continue
        key = str(item["id"])
        line = getattr(item, "line", 0) or next(
            (
                n
                for n, l in enumerate(lines, 1)
                if re.search(r'["\']?id["\']?\s*:\s*["\']?' + re.escape(key) + r"(?![\w:.-])", l)
            ),
            0,
        )
        if key in entries:
            problems.add(
                "E302",
                path,
                line,
                f"duplicate citation key '{key}' (first on line {entries[key].line})",
                "give each item its own id",
            )
            continue
        fields = {name: json_text(value) for name, value in item.items()}
        entries[key] = BibEntry(key, str(item.get("type", "")), fields, line)
    return Bibliography(path, entries, text)


def json_text(value) -> str:
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _block_key(raw: str) -> str:
    match = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", raw or "")
    return match.group(1) if match else ""


def parent_of(entry: BibEntry, entries: dict, folded: dict | None = None) -> BibEntry | None:
    """The entry ``entry`` cross-references, found without regard to case."""
    name = (entry.fields.get("crossref") or "").strip()
    if not name:
        return None
    if folded is None:
        folded = {key.lower(): key for key in entries}
    key = folded.get(name.lower())
    return entries.get(key) if key else None


def _check_crossref(entry: BibEntry, entries: dict, folded: dict, path: Path, problems: Problems) -> None:
    seen = [entry.key]
    current = entry
    while current.fields.get("crossref"):
        parent = parent_of(current, entries, folded)
        line = current.field_lines.get("crossref", current.line)
        if parent is None:
            if current is entry:
                problems.add(
                    "E307",
                    path,
                    line,
                    f"entry '{entry.key}' cross-references '{entry.fields['crossref']}', "
                    "which is not in the bibliography",
                    did_you_mean(entry.fields["crossref"], entries) or "add the parent entry, or remove crossref",
                )
            return
        if parent.key in seen:
            if current is entry or parent.key == entry.key:
                problems.add(
                    "E307",
                    path,
                    entry.field_lines.get("crossref", entry.line),
                    f"entry '{entry.key}' is in a cycle of cross-references: " + " -> ".join(seen + [parent.key]),
                    "a crossref points to the entry that holds the shared fields (the book of a chapter)",
                )
            return
        seen.append(parent.key)
        if len(seen) > MAX_CROSSREF_DEPTH:
            problems.add(
                "E307",
                path,
                line,
                f"entry '{entry.key}' has cross-references more than {MAX_CROSSREF_DEPTH} deep",
                "a crossref points to the entry that holds the shared fields",
            )
            return
        current = parent


# What a child inherits through crossref, as BibLaTeX's default data model says (biblatex's manual,
# appendix B): every field under its own name but these, and the titles of the parents below under
# the names they take in the child; a field the child sets wins.
NOT_INHERITED = {
    "ids", "crossref", "xref", "entryset", "entrysubtype", "execute", "label", "options", "presort",
    "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand", "shorthandintro", "sortkey",
    "key",
}  # fmt: skip
_TITLES = ("title", "subtitle", "titleaddon")
_OWN_TITLES = ("shorttitle", "sorttitle", "indextitle", "indexsorttitle")
_MULTIVOLUME = {"mvbook", "mvcollection", "mvreference", "mvproceedings"}
_CONTAINERS = {"book", "collection", "reference", "proceedings", "periodical", "booklet", "manual"}
_PARTS = {"inbook", "bookinbook", "suppbook", "incollection", "inreference", "suppcollection", "inproceedings"}


def _title_names(parent_type: str, child_type: str) -> tuple[str, ...] | None:
    """The names a parent's title, subtitle and titleaddon take in its child (None: their own)."""
    if parent_type in _MULTIVOLUME:
        return ("maintitle", "mainsubtitle", "maintitleaddon")
    if parent_type == "periodical" and child_type in ("article", "suppperiodical"):
        return ("journaltitle", "journalsubtitle", "journaltitleaddon")
    if parent_type in _CONTAINERS and child_type in _PARTS:
        # BibTeX's styles and biber agree on a part's container, whichever kind of book holds it
        return ("booktitle", "booksubtitle", "booktitleaddon")
    return None


def inherited_fields(entry: BibEntry, entries: dict, folded: dict | None = None) -> dict:
    """The entry's fields with those it inherits through crossref, parents' parents included
    (each parent with what it inherits itself; a chain is followed to MAX_CROSSREF_DEPTH, a
    cycle stops where it closes)."""
    if folded is None:
        folded = {key.lower(): key for key in entries}
    chain = [entry]
    while len(chain) <= MAX_CROSSREF_DEPTH:
        parent = parent_of(chain[-1], entries, folded)
        if parent is None or any(parent.key == link.key for link in chain):
            break
        chain.append(parent)
    fields = dict(chain[-1].fields)
    for parent, child in zip(reversed(chain), list(reversed(chain))[1:]):
        received = dict(child.fields)
        names = _title_names(parent.entry_type, child.entry_type)
        if names:
            for title, name in zip(_TITLES, names):
                if fields.get(title):
                    received.setdefault(name, fields[title])
        if parent.entry_type in ("book", "mvbook") and child.entry_type in ("inbook", "bookinbook", "suppbook"):
            if fields.get("author"):
                received.setdefault("bookauthor", fields["author"])
        for name, value in fields.items():
            if name in NOT_INHERITED or (names and (name in _TITLES or name in _OWN_TITLES)):
                continue
            received.setdefault(name, value)
        fields = received
    return fields


def _with_inherited_fields(text: str, entries: dict, folded: dict) -> str:
    """``text`` with each crossref child's inherited fields written into it, after the entry's
    key on its first line (the lines of the file are kept): Pandoc inherits only same-named
    fields, and would print a chapter without the title of the book that holds it."""
    lines = text.split("\n")
    for entry in entries.values():
        if not entry.fields.get("crossref") or parent_of(entry, entries, folded) is None:
            continue
        extra = {
            name: value
            for name, value in inherited_fields(entry, entries, folded).items()
            if name not in entry.fields and _balanced(value)
        }
        if not extra:
            continue
        index = entry.line - 1
        if not 0 <= index < len(lines):
            continue
        head = re.search(r"@\s*\w+\s*[{(]\s*" + re.escape(entry.key) + r"\s*,", lines[index])
        if head is None:
            continue  # (a key on a line of its own: left as written)
        written = " ".join(f"{name} = {{{' '.join(value.split())}}}," for name, value in extra.items())
        lines[index] = lines[index][: head.end()] + " " + written + lines[index][head.end() :]
    return "\n".join(lines)


def _balanced(value: str) -> bool:
    depth = 0
    for index, char in enumerate(value):
        if char in "{}" and index and value[index - 1] == "\\":
            continue
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth < 0:
            return False
    return depth == 0


def check_required(entry: BibEntry, entries: dict, path: Path, problems: Problems) -> None:
    """W305 for a cited entry without a field its type needs (citeproc would print it short,
    "n.d." for its year): one warning naming every missing field, at the entry's line."""
    if path.suffix.lower() in CSL_SUFFIXES:
        if not entry.fields.get("title"):
            problems.add("W305", path, entry.line, f"item '{entry.key}' has no title", "give it a title")
        return
    needs = REQUIRED_FIELDS.get(entry.entry_type)
    if needs is None:
        return
    fields = inherited_fields(entry, entries)
    missing = []
    for alternatives in needs:
        if alternatives == ("title",) and entry.entry_type == "article" and fields.get("volume"):
            continue  # a whole issue of a journal
        if not any(fields.get(name, "").strip() for name in alternatives):
            missing.append(" or ".join(alternatives))
    if missing:
        problems.add(
            "W305",
            path,
            entry.line,
            f"@{entry.entry_type}{{{entry.key}}} has no {' and no '.join(missing)}: it would be printed without",
            f"an @{entry.entry_type} needs {', '.join('/'.join(a) for a in needs)}"
            + (" (or a crossref to the entry that has them)" if not entry.fields.get("crossref") else ""),
        )
