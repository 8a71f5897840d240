"""Reading and checking bibliography.bib (bibtexparser 2).

bibtexparser is used to *check* the file and to know its keys; Pandoc's
citeproc is given the original file, because LaTeX decoding drops the
case-protecting braces that citeproc needs.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, ParsingFailedBlock

from .model import BibEntry, Bibliography
from .problems import Problems

# Fields each entry type needs (BibTeX/BibLaTeX); a tuple means "one of".
REQUIRED_FIELDS: dict[str, list] = {
    # unsigned newspaper articles are common, so an article needs no author
    "article": [("title",), ("journal", "journaltitle"), ("year", "date")],
    "book": [("author", "editor"), ("title",), ("publisher",), ("year", "date")],
    "mvbook": [("author", "editor"), ("title",), ("publisher",), ("year", "date")],
    "inbook": [("author", "editor"), ("title",), ("chapter", "pages", "booktitle"), ("publisher",), ("year", "date")],
    "incollection": [("author",), ("title",), ("booktitle",), ("publisher",), ("year", "date")],
    "collection": [("editor",), ("title",), ("publisher",), ("year", "date")],
    "proceedings": [("title",), ("year", "date")],
    "inproceedings": [("author",), ("title",), ("booktitle",), ("year", "date")],
    "phdthesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "mastersthesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "thesis": [("author",), ("title",), ("institution", "school"), ("year", "date")],
    "techreport": [("author",), ("title",), ("institution",), ("year", "date")],
    "report": [("author",), ("title",), ("institution",), ("year", "date")],
    "online": [("title",), ("url",)],
    "misc": [("title",)],
    "unpublished": [("author",), ("title",)],
    "manual": [("title",)],
    "booklet": [("title",)],
}

_log = logging.getLogger("bibtexparser")


def load_bibliography(path: Path, problems: Problems) -> Bibliography:
    """Parse ``path``; report parse failures, duplicates and missing fields."""
    if not path.exists():
        problems.add("E100", path, None, "the bibliography file is missing",
                     "create bibliography.bib beside edition/ (BibTeX, e.g. exported from Zotero)")
        return Bibliography(path, {})
    text = path.read_text(encoding="utf-8")
    previous_level = _log.level
    _log.setLevel(logging.CRITICAL)  # its failures are reported below, with lines
    try:
        library = bibtexparser.parse_string(text)
    finally:
        _log.setLevel(previous_level)

    entries: dict[str, BibEntry] = {}
    for entry in library.entries:
        fields = {name.lower(): str(f.value) for name, f in entry.fields_dict.items()}
        entries[entry.key] = BibEntry(entry.key, entry.entry_type.lower(), fields, entry.start_line + 1)

    for block in library.failed_blocks:
        line = block.start_line + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first = entries.get(block.key)
            where = f" (first defined on line {first.line})" if first else ""
            problems.add("E302", path, line, f"duplicate BibTeX key '{block.key}'{where}",
                         "give each entry its own key; Pandoc would silently use the last one")
        elif isinstance(block, DuplicateFieldKeyBlock):
            key = _block_key(block.raw)
            fields = ", ".join(sorted(getattr(block, "duplicate_keys", []) or [])) or "a field"
            problems.add("E304", path, line, f"entry '{key}' repeats {fields}",
                         "keep one value of each field")
        elif isinstance(block, ParsingFailedBlock):
            key = _block_key(block.raw)
            reason = str(getattr(block, "error", "") or "").splitlines()
            detail = reason[-1].strip() if reason else "syntax error"
            problems.add("E301", path, line,
                         f"entry {key and repr(key) + ' '}cannot be parsed: {detail}",
                         "check braces and quotes, and the comma after each field")

    for entry in entries.values():
        check_required_fields(entry, entries, path, problems)
    return Bibliography(path, entries)


def _block_key(raw: str) -> str:
    match = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", raw or "")
    return match.group(1) if match else ""


def check_required_fields(entry: BibEntry, entries: dict, path: Path, problems: Problems) -> None:
    needs = REQUIRED_FIELDS.get(entry.entry_type)
    if needs is None:
        return
    fields = dict(entry.fields)
    parent = entries.get(fields.get("crossref", ""))
    if parent is not None:
        for name, value in parent.fields.items():
            fields.setdefault(name, value)
        if "booktitle" not in fields and "title" in parent.fields:
            fields["booktitle"] = parent.fields["title"]
    for alternatives in needs:
        if not any(fields.get(name, "").strip() for name in alternatives):
            problems.add("E303", path, entry.line,
                         f"@{entry.entry_type}{{{entry.key}}} has no {' or '.join(alternatives)}",
                         f"an @{entry.entry_type} needs {', '.join('/'.join(a) for a in needs)}")
