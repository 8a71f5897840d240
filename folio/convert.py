"""Stage 4: Pandoc. Each unit's Markdown -> AST (citeproc) -> print HTML.

Pandoc is run from the binary that pypandoc ships, through subprocess, so
that its warnings reach the editor instead of being swallowed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import pypandoc

from .cache import digest_of, file_digest
from .model import Edition
from .names import Marker
from .pagemap import mark_blocks
from .render import Unit
from .styles import style_path

FILTERS = Path(str(resources.files("folio") / "filters"))
READER = "markdown-raw_html-raw_tex"  # editors write Markdown; no raw HTML or TeX passes through


class PandocError(Exception):
    def __init__(self, what: str, message: str) -> None:
        super().__init__(f"{what}: {message}")
        self.what = what
        self.message = message


@dataclass(frozen=True)
class Converted:
    unit: Unit
    ast: str           # the unit's Pandoc AST after citeproc, as Pandoc's JSON (as text: a tenth of the memory)
    html: str          # the print HTML fragment
    warnings: tuple[str, ...]
    marks: tuple = ()  # names.Mark: where the index of names points
    notes: tuple[str, ...] = ()  # the text of each note, in order (for the report of what moved)


def pandoc_path() -> str:
    return pypandoc.get_pandoc_path()


def run_pandoc(args: list[str], text: str, what: str, cwd: Path | None = None) -> tuple[str, list[str]]:
    """Run pandoc; return (stdout, warning lines). Raises PandocError on failure."""
    env = dict(os.environ)
    env.setdefault("LANG", "C.UTF-8")
    process = subprocess.run([pandoc_path(), *args], input=text.encode("utf-8"), capture_output=True,
                             cwd=str(cwd) if cwd else None, env=env)
    stderr = process.stderr.decode("utf-8", "replace")
    if process.returncode != 0:
        raise PandocError(what, stderr.strip() or f"exit status {process.returncode}")
    warnings = [line for line in stderr.splitlines() if line.strip()]
    return process.stdout.decode("utf-8"), warnings


def unit_ast(unit: Unit, edition: Edition) -> tuple[dict, list[str]]:
    settings = edition.settings
    args = [
        "--from", READER, "--to", "json",
        "--citeproc",
        "--csl", str(style_path(settings.citation_style)),
        "--bibliography", str(edition.bibliography.path.resolve()),
        "--metadata", f"lang={settings.language}",
        "--metadata", f"folio-unit={unit.id}",
        "--metadata", "link-citations=false",
        "--lua-filter", str(FILTERS / "unit.lua"),
    ]
    if unit.kind != "bibliography":
        args += ["--metadata", "suppress-bibliography=true"]
    out, warnings = run_pandoc(args, unit.markdown, f"Pandoc on {unit.id}")
    return json.loads(out), warnings


def ast_html(ast: str, unit: Unit) -> tuple[str, list[str]]:
    args = ["--from", "json", "--to", "html5", "--wrap=none",
            "--metadata", f"folio-unit={unit.id}",
            "--lua-filter", str(FILTERS / "print-notes.lua")]
    return run_pandoc(args, ast, f"Pandoc HTML for {unit.id}")


def convert_unit(unit: Unit, edition: Edition) -> Converted:
    ast, warnings = unit_ast(unit, edition)
    marks: tuple = ()
    if unit.kind != "bibliography" and edition.persons:
        marker = Marker(edition.persons, unit.id)
        ast = marker.mark(ast)
        marks = tuple(marker.marks)
    ast = mark_blocks(ast, unit.id)
    text = json.dumps(ast)
    html, more = ast_html(text, unit)
    return Converted(unit, text, html, tuple(warnings + more), marks, tuple(note_texts(ast)))


def elements(node, kind: str):
    """The elements of type ``kind`` (e.g. "Note") in a Pandoc JSON tree, in document order;
    not those inside them."""
    if isinstance(node, list):
        for item in node:
            yield from elements(item, kind)
    elif isinstance(node, dict):
        if node.get("t") == kind:
            yield node
        else:
            yield from elements(node.get("c"), kind)


def note_texts(ast: dict) -> list[str]:
    """The text of every note of a unit, in order, whitespace folded."""
    def text(node) -> str:
        if isinstance(node, list):
            return "".join(text(item) for item in node)
        if isinstance(node, dict):
            kind = node.get("t")
            if kind == "Str":
                return node["c"]
            if kind in ("Space", "SoftBreak", "LineBreak"):
                return " "
            if kind == "Note":
                return ""
            return text(node.get("c"))
        return ""

    return [" ".join(text(note["c"]).split()) for note in elements(ast.get("blocks", []), "Note")]


def convert_titles(edition: Edition) -> dict[str, str]:
    """Titles as inline HTML (smart quotes, italics), by anchor, for the contents.

    One Pandoc run over all titles, as a list, so that the contents read
    exactly like the headings.
    """
    items = [(part.anchor, part.title) for part in edition.front]
    items += [(chapter.anchor, chapter.title) for chapter in edition.chapters]
    items += [(claim.anchor, claim.title) for claim in edition.claims.values()]
    items += [("appendix", edition.settings.appendix_title), ("bibliography", edition.settings.bibliography_title)]
    markdown = "\n".join(f"- {title.replace(chr(10), ' ')}" for _, title in items)
    html, _ = run_pandoc(["--from", READER, "--to", "html5", "--wrap=none"], markdown, "Pandoc on titles")
    rendered = re.findall(r"<li>(.*?)</li>", html, re.S)
    if len(rendered) != len(items):
        raise PandocError("Pandoc on titles", "a title did not convert to one list item")
    return {anchor: text.strip() for (anchor, _), text in zip(items, rendered)}


def convert_units(units: list[Unit], edition: Edition, jobs: int | None = None, store=None) -> list[Converted]:
    """Convert every unit; Pandoc runs as separate processes, so threads suffice.
    With a store, a unit whose inputs are unchanged is taken from the cache."""
    keys = unit_keys(units, edition)
    found = {unit.id: store.get("convert", keys[unit.id]) for unit in units} if store else {}
    todo = [unit for unit in units if found.get(unit.id) is None]
    if todo:
        jobs = jobs or min(len(todo), (os.cpu_count() or 1) + 1) or 1
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for item in pool.map(lambda u: convert_unit(u, edition), todo):
                found[item.unit.id] = item
                if store is not None:
                    store.put("convert", keys[item.unit.id], item)
    return [replace(found[unit.id], unit=unit) for unit in units]


_ENTRY = re.compile(r"^@\s*(\w+)\s*[{(]\s*([^,\s]*)", re.M)
_CITED = re.compile(r"@\{?([\w:.#$%&+?<>~/-]+)")
_LINKED = re.compile(r"\b(?:crossref|xdata|xref)\s*=\s*[{\"]([^}\"]+)", re.I)


def unit_keys(units: list[Unit], edition: Edition) -> dict[str, str]:
    """For each unit, a digest of what its conversion reads: its Markdown, the
    bibliography entries it cites (with the @string and @preamble blocks and
    cross-referenced entries), the style, the settings and the persons."""
    text = edition.bibliography.path.read_text(encoding="utf-8", errors="replace")
    starts = list(_ENTRY.finditer(text))
    common, entries = [], {}
    for number, match in enumerate(starts):
        block = text[match.start():starts[number + 1].start() if number + 1 < len(starts) else len(text)]
        if match.group(1).lower() in ("string", "preamble", "comment"):
            common.append(block)
        else:
            entries[match.group(2)] = block
    shared = (file_digest(style_path(edition.settings.citation_style)), edition.settings.language,
              "".join(common), repr(edition.persons))
    keys = {}
    for unit in units:
        if unit.kind == "bibliography":
            cited = text
        else:
            wanted, blocks = set(_CITED.findall(unit.markdown)), []
            while wanted:
                key = wanted.pop()
                if key in entries and entries[key] not in blocks:
                    blocks.append(entries[key])
                    wanted.update(_LINKED.findall(entries[key]))
            cited = sorted(blocks)
        keys[unit.id] = digest_of("convert", unit.id, unit.kind, unit.markdown, cited, shared)
    return keys
