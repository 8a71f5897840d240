"""Stage 1: read the editor's files into the typed model.

Every fault is added to ``problems`` with its file and line; loading goes
on past faults so that one run reports them all, without cascades (a claim
whose file is faulty is still known by its id, so the chapter that lists it
is not reported too). The result is only used when no error was found.

Every file is read through ``files``: inside the edition, regular, within its
size limit, UTF-8 without control characters. This module puts the edition together;
``reader`` reads each file, ``settings`` reads edition.yaml, ``records`` the claims,
quotations and persons.
"""

from __future__ import annotations

import os
from pathlib import Path

from folio.edition import schema
from folio.edition.bibliography import load_bibliography
from folio.edition.model import (
    Chapter,
    Edition,
    FrontPart,
    Markdown,
)
from folio.edition.reader import Reader, markdown_field, text_of
from folio.edition.records import _load_claims, _load_persons, _load_quotations, _number_claims
from folio.edition.settings import load_settings
from folio.edition.texts import load_texts, printed_text
from folio.edition.yamlfile import LinedDict
from folio.problems import Problems


def _contents_path(reader: Reader, name: str, data: LinedDict, index: int, key: str) -> Path | None:
    edition_yaml = reader.root / "edition.yaml"
    line = data["contents"][key].line_of(index)
    path = reader.resolve(name, edition_yaml, line, f"contents.{key} file")
    if path is None:
        return None
    if not path.exists():
        reader.problems.add(
            "E100",
            edition_yaml,
            line,
            f"contents.{key} names '{name}', which does not exist",
            f"create {reader.root.name}/{name} or correct the name",
        )
        return None
    listed = reader.listed.setdefault(path.resolve(), (key, index, line))
    if listed != (key, index, line):
        reader.problems.add(
            "E105",
            edition_yaml,
            line,
            f"contents.{key} names '{name}' a second time (first on line {listed[2]})",
            "list each file once",
        )
        return None
    return path


def bibliography_candidates(root: Path, named: str, given: Path | None) -> list[Path]:
    """Where the bibliography may be, in order: the one asked for on the command line; the one
    edition.yaml names (relative to the edition folder); bibliography.bib (or .json, .yaml:
    CSL) beside the edition folder, then inside it."""
    if given is not None:
        return [given]
    if named:
        return [root / named]
    return [folder / f"bibliography.{suffix}" for folder in (root.parent, root) for suffix in ("bib", "json", "yaml")]


def load_edition(root: Path, bib_path: Path | None, problems: Problems) -> Edition | None:
    """Read the whole edition. Returns None when it cannot be modelled at all."""
    root = Path(os.path.abspath(root))  # (given as '.', inside the edition folder, it has a parent too)
    if not (root / "edition.yaml").exists():
        problems.add(
            "E100",
            root / "edition.yaml",
            None,
            "no edition.yaml in the edition folder",
            f"is '{root}' the edition folder? It needs edition.yaml",
        )
        return None
    reader = Reader(root, problems)
    loaded = load_settings(reader, problems)
    data = loaded[1] if loaded else None
    named = text_of(data.get("bibliography")) if isinstance(data, dict) else ""
    candidates = bibliography_candidates(root, named, bib_path)
    present = [c for c in candidates if c.exists() or c.is_symlink()]
    bib = present[0] if present else None
    clash = len(present) > 1
    if clash:  # (a .bib and a CSL export side by side: which is the editor's is not ours to guess)
        problems.add(
            "E100",
            present[0],
            None,
            "there are several bibliographies, and folio will not guess which one is meant: "
            + ", ".join(str(problems.where(c)) for c in present),
            f"name the one to use in edition.yaml ('bibliography: {os.path.relpath(present[1], root)}'), "
            "or remove the others",
        )
        bib = None
    roots = list(reader.roots)
    if bib is not None and (bib_path is not None or bib.resolve().parent == root.resolve().parent):
        roots.append(bib.resolve())  # the client's bibliography.bib beside edition/, or the one asked for
    if bib is None:
        if not clash:
            where = data.line_of("bibliography") if named else None
            problems.add(
                "E100",
                root / "edition.yaml" if named else candidates[0],
                where,
                "the bibliography file is missing; looked for " + ", ".join(str(c) for c in candidates),
                "put bibliography.bib (BibTeX, e.g. exported from Zotero) beside the edition folder or in it, "
                "or name it in edition.yaml: 'bibliography: refs.bib'",
            )
        bibliography = None
    else:
        bibliography = load_bibliography(bib, problems, roots)
    if loaded is None:
        return None
    settings, data = loaded

    front: list[FrontPart] = []
    for index, name in enumerate(settings.front_files):
        path = _contents_path(reader, name, data, index, "front")
        if path is None:
            continue
        meta, faulty, body, body_line = reader.markdown(
            path, schema.FRONT, root / "edition.yaml", data["contents"]["front"].line_of(index)
        )
        if meta is not None and "id" not in faulty:
            part_id = text_of(meta["id"])
            front.append(
                FrontPart(
                    part_id,
                    markdown_field(meta, "title", f"front:{part_id}:title", path, True),
                    Markdown(body, f"front:{part_id}:body", path, body_line),
                    path,
                    body_line,
                )
            )

    claim_data, broken_claims = _load_claims(reader)

    chapters: list[Chapter] = []
    for index, name in enumerate(settings.chapter_files):
        path = _contents_path(reader, name, data, index, "chapters")
        if path is None:
            continue
        meta, faulty, body, body_line = reader.markdown(
            path, schema.CHAPTER, root / "edition.yaml", data["contents"]["chapters"].line_of(index)
        )
        if meta is None or "id" in faulty:
            continue
        chapter_id = text_of(meta["id"])
        claim_ids = tuple(text_of(v) for v in schema.value(meta, "claims", schema.CHAPTER["claims"], faulty))
        kind = (
            text_of(meta.get("kind"))
            if "kind" not in faulty and meta.get("kind")
            else ("claims" if claim_ids else "essay")
        )
        if kind == "essay" and claim_ids:
            problems.add(
                "E105",
                path,
                meta.line_of("kind"),
                "an essay chapter cannot hold claims",
                "remove 'claims' or set kind: claims",
            )
        claim_lines = {cid: meta["claims"].line_of(i) for i, cid in enumerate(claim_ids)}
        chapters.append(
            Chapter(
                chapter_id,
                len(chapters) + 1,
                markdown_field(meta, "title", f"chapter:{chapter_id}:title", path, True),
                kind,
                claim_ids,
                Markdown(body, f"chapter:{chapter_id}:opening", path, body_line),
                path,
                body_line,
                lines={"claims": claim_lines, "id": meta.line_of("id")},
                short_title=markdown_field(meta, "short_title", f"chapter:{chapter_id}:short_title", path, True),
            )
        )

    claims = _number_claims(chapters, claim_data, broken_claims, problems, settings.assessments)
    quotations, broken_quotations = _load_quotations(reader)
    persons = _load_persons(reader)
    texts = load_texts(reader, bibliography)
    contents = data.get("contents")
    text_line = contents.line_of("text") if isinstance(contents, LinedDict) and "text" in contents else None
    text = printed_text(reader, settings, texts, text_line, problems)
    if bibliography is None:
        return None
    return Edition(
        root,
        settings,
        tuple(front),
        tuple(chapters),
        claims,
        quotations,
        tuple(persons),
        bibliography,
        known_broken=frozenset(broken_claims) | frozenset(broken_quotations),
        texts=texts,
        text=text,
    )
