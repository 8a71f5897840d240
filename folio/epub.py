"""Stage 5b: package the EPUB 3 with Pandoc from the units' ASTs.

Each unit's AST already went through citeproc on its own, so citations are
full at their first occurrence in each chapter in the EPUB as in print.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml

from .convert import Converted, pandoc_version, run_pandoc
from .model import Edition


def epub_metadata(edition: Edition) -> dict:
    s = edition.settings
    title = [{"type": "main", "text": s.title}]
    if s.subtitle:
        title.append({"type": "subtitle", "text": s.subtitle})
    creators = [{"role": "aut", "text": n} for n in s.authors] + [{"role": "edt", "text": n} for n in s.editors]
    meta = {
        "title": title,
        "lang": s.language,
        "creator": creators,
        "publisher": s.publisher,
        "rights": s.rights,
        "description": s.description,
        "subject": list(s.subjects),
    }
    if s.isbn_ebook:
        meta["identifier"] = [{"scheme": "ISBN-13", "text": s.isbn_ebook.replace("-", "")}]
    if s.year:
        meta["date"] = f"{s.year}"
    return {k: v for k, v in meta.items() if v}


def book_ast(converted: list[Converted]) -> dict:
    first = converted[0].ast
    blocks = []
    for item in converted:
        blocks.extend(item.ast["blocks"])
    return {"pandoc-api-version": first["pandoc-api-version"], "meta": {}, "blocks": blocks}


def write_epub(edition: Edition, converted: list[Converted], target: Path, template_dirs: list[Path]) -> list[str]:
    css = next((d / "epub.css" for d in template_dirs if (d / "epub.css").exists()), None)
    with tempfile.TemporaryDirectory(prefix="folio-epub-") as tmp:
        meta_path = Path(tmp) / "metadata.yaml"
        meta_path.write_text(yaml.safe_dump(epub_metadata(edition), allow_unicode=True, sort_keys=False),
                             encoding="utf-8")
        args = ["--from", "json", "--to", "epub3", "--output", str(target),
                "--metadata-file", str(meta_path), "--toc", "--toc-depth=2", "--split-level=1",
                "--resource-path", str(edition.root)]
        if css is not None:
            args += ["--css", str(css)]
        _, warnings = run_pandoc(args, json.dumps(book_ast(converted)), "Pandoc EPUB")
    return warnings
