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
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pypandoc

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
    ast: dict          # the unit's Pandoc AST after citeproc
    html: str          # the print HTML fragment
    warnings: tuple[str, ...]
    marks: tuple = ()  # names.Mark: where the index of names points


def pandoc_path() -> str:
    return pypandoc.get_pandoc_path()


def pandoc_version() -> str:
    return pypandoc.get_pandoc_version()


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


def ast_html(ast: dict, unit: Unit) -> tuple[str, list[str]]:
    args = ["--from", "json", "--to", "html5", "--wrap=none",
            "--metadata", f"folio-unit={unit.id}",
            "--lua-filter", str(FILTERS / "print-notes.lua")]
    return run_pandoc(args, json.dumps(ast), f"Pandoc HTML for {unit.id}")


def convert_unit(unit: Unit, edition: Edition) -> Converted:
    ast, warnings = unit_ast(unit, edition)
    marks: tuple = ()
    if unit.kind != "bibliography" and edition.persons:
        marker = Marker(edition.persons, unit.id)
        ast = marker.mark(ast)
        marks = tuple(marker.marks)
    ast = mark_blocks(ast, unit.id)
    html, more = ast_html(ast, unit)
    return Converted(unit, ast, html, tuple(warnings + more), marks)


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


def convert_units(units: list[Unit], edition: Edition, jobs: int | None = None) -> list[Converted]:
    """Convert every unit; Pandoc runs as separate processes, so threads suffice."""
    jobs = jobs or min(len(units), (os.cpu_count() or 1) + 1) or 1
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda u: convert_unit(u, edition), units))
