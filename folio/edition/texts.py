"""The texts an edition quotes, held in its ``sources/`` folder.

Each file (``.txt`` or ``.md``) starts with YAML front matter naming the bibliography entry it is
the text of (``source: khrushchev1962``), whether the book may print it whole (``print: true``),
the heading it is printed under and the page it starts on. Page markers in the text (``{p. 12}``)
and form feeds (one per scanned page) say where each page begins. The quotations of that entry
are verified against it (``folio.units.verify``); ``contents.text`` names the one the book
prints, with each claim's passage marked.
"""

from __future__ import annotations

from pathlib import Path

from folio.edition import schema
from folio.edition.model import Bibliography, HeldText, Settings
from folio.edition.reader import Reader, text_of
from folio.problems import Problems, did_you_mean

FOLDER = "sources"


def load_texts(reader: Reader, bibliography: Bibliography | None) -> dict[str, HeldText]:
    """key -> HeldText, for every file of sources/ that can be read; the faults reported."""
    problems = reader.problems
    found: dict[str, HeldText] = {}
    paths = reader.folder_files(FOLDER, "*")
    others = [p for p in paths if p.suffix.lower() not in (".txt", ".md", ".markdown")]
    others = [p for p in others if p.is_file() and not p.name.lower().startswith("readme")]
    if others:
        problems.add(
            "W101",
            others[0],
            None,
            f"{len(others)} file(s) of sources/ are neither plain text (.txt) nor Markdown (.md) and are not read: "
            + ", ".join(p.name for p in others[:5])
            + (", ..." if len(others) > 5 else ""),
            "a held text is UTF-8 .txt or .md with front matter naming its bibliography key; "
            "keep scans and other files in another folder",
        )
    for path in paths:
        if path.suffix.lower() not in (".txt", ".md", ".markdown"):
            continue
        meta, faulty, body, body_line = reader.markdown(path, schema.HELD_TEXT, kind="source")
        if meta is None or "source" in faulty:
            continue
        key = text_of(meta["source"])
        line = meta.line_of("source")
        if bibliography is not None and key not in bibliography.entries:
            problems.add(
                "E204",
                path,
                line,
                f"source '{key}' is not a key of the bibliography",
                did_you_mean(key, bibliography.entries) or "give the key of the entry this text is an edition of",
            )
            continue
        if key in found:
            problems.add(
                "E201",
                path,
                line,
                f"a second held text of '{key}'",
                f"{problems.where(found[key].path, found[key].line)} is already its text; keep one file per entry",
            )
            continue
        found[key] = HeldText(
            key=key,
            path=path,
            body=body,
            body_line=body_line,
            printable=schema.value(meta, "print", schema.HELD_TEXT["print"], faulty) is True,
            title=text_of(schema.value(meta, "title", schema.HELD_TEXT["title"], faulty)) or "The Text",
            first_page=text_of(schema.value(meta, "first_page", schema.HELD_TEXT["first_page"], faulty)) or "1",
            markdown=path.suffix.lower() != ".txt",
            line=line,
        )
    return found


def printed_text(
    reader: Reader, settings: Settings, texts: dict[str, HeldText], line: int | None, problems: Problems
) -> HeldText | None:
    """The held text ``contents.text`` names, if it may be printed; else None, the fault reported."""
    name = settings.text_file
    if not name:
        return None
    edition_yaml = reader.root / "edition.yaml"
    path = reader.resolve(name, edition_yaml, line, "contents.text")
    if path is None:
        return None
    held = next((t for t in texts.values() if Path(t.path).resolve() == path.resolve()), None)
    if held is None:
        problems.add(
            "E100",
            edition_yaml,
            line,
            f"contents.text names '{name}', which is not a held text of sources/",
            "name a file of sources/ with front matter ('source: KEY', 'print: true')"
            if path.exists()
            else f"create {reader.root.name}/{name} or correct the name",
        )
        return None
    if not held.printable:
        problems.add(
            "E105",
            edition_yaml,
            line,
            f"contents.text names '{name}', which may not be printed (its front matter lacks 'print: true')",
            "add 'print: true' to its front matter if its rights allow the book to print it whole, "
            "or remove contents.text",
        )
        return None
    return held
