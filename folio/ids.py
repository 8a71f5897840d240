"""The one owner of the book's id namespace.

Every id the build makes (parts, claims, appendix groups, quotations, notes and
their calls, paragraph anchors, index marks and entries, page-break markers, the
editor's own headings) is minted here, and read back here. The Lua filters are
given the prefixes by ``lua_metadata``; nothing else takes ids apart.

Editor ids (of claims, quotations, chapters, front parts, persons) are
identifiers without '--'; an id an editor gives in Markdown ({#background}) is
kept inside its owner's section namespace ('s-claim-kirov--background'), so it
can never take the place of a generated one.
"""

from __future__ import annotations

import re
import unicodedata
from types import SimpleNamespace

APPENDIX = "appendix"
BIBLIOGRAPHY = "bibliography"
INDEX = "index"
CONTENTS = "contents"
CLAIMS_TABLE = "claims-table"
MAINMATTER = "mainmatter"
REFS = "refs"  # where citeproc puts the bibliography's entries
COPYRIGHT = "copyright"  # the copyright page (its first paragraph's anchor is paragraph(COPYRIGHT, 1))

# the generated ids start so; an editor's id in Markdown may not
PREFIXES = {
    "chapter": "chapter-",
    "front": "front-",
    "claim": "claim-",
    "sources": "sources-",
    "quotation": "q-",
    "note": "note-",
    "call": "call-",
    "noteref": "nref-",
    "paragraph": "p-",
    "index_mark": "ix-",
    "index_entry": "index-",
    "section": "s-",
    "page": "page-",
    "bibliography_entry": "ref-",
    "text": "text-",
    "text_mark": "tm-",
    "text_page": "tp-",
}
FIXED = {APPENDIX, BIBLIOGRAPHY, INDEX, CONTENTS, CLAIMS_TABLE, MAINMATTER, REFS, COPYRIGHT}


def chapter(chapter_id: str) -> str:
    return PREFIXES["chapter"] + chapter_id


def front(part_id: str) -> str:
    return PREFIXES["front"] + part_id


def claim(claim_id: str) -> str:
    return PREFIXES["claim"] + claim_id


def sources(claim_id: str) -> str:
    return PREFIXES["sources"] + claim_id


def quotation(quotation_id: str) -> str:
    return PREFIXES["quotation"] + quotation_id


def note(unit: str, number: int) -> str:
    return f"{PREFIXES['note']}{unit}-{number}"


def call(unit: str, number: int) -> str:
    return f"{PREFIXES['call']}{unit}-{number}"


def note_key(unit: str, number: int) -> str:
    """A note's own name, without the note-/call- prefix: 'chapter-kirov-3'."""
    return f"{unit}-{number}"


def parse_note_key(key: str) -> tuple[str, int]:
    """'chapter-kirov-3' -> ('chapter-kirov', 3)."""
    unit, _, number = key.rpartition("-")
    return unit, int(number) if number.isdigit() else 0


def call_key(anchor: str) -> str | None:
    """The note key of a call's anchor ('call-chapter-kirov-3'), else None."""
    return anchor[len(PREFIXES["call"]) :] if anchor.startswith(PREFIXES["call"]) else None


def note_key_of(anchor: str) -> str | None:
    """The note key of a note's anchor ('note-chapter-kirov-3'), else None."""
    return anchor[len(PREFIXES["note"]) :] if anchor.startswith(PREFIXES["note"]) else None


def note_anchor(key: str) -> str:
    return PREFIXES["note"] + key


def call_anchor(key: str) -> str:
    return PREFIXES["call"] + key


def paragraph(unit: str, number: int) -> str:
    return f"{PREFIXES['paragraph']}{unit}-{number}"


def for_templates() -> SimpleNamespace:
    """The fixed ids as every template names them (``{{ anchor.index }}``, ``{{ anchor.copyright_first }}``):
    a template writes none of them out itself."""
    return SimpleNamespace(
        appendix=APPENDIX,
        bibliography=BIBLIOGRAPHY,
        index=INDEX,
        contents=CONTENTS,
        claims_table=CLAIMS_TABLE,
        mainmatter=MAINMATTER,
        refs=REFS,
        copyright=COPYRIGHT,
        copyright_first=paragraph(COPYRIGHT, 1),  # the page list finds the copyright page by it
    )


def is_paragraph(anchor: str) -> bool:
    return anchor.startswith(PREFIXES["paragraph"])


def person_key(name: str) -> str:
    """The default key of a person: their name made an identifier ('Chubar\u2019, Vlas' -> 'chubar-vlas')."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def index_mark(person: str, unit: str, number: int) -> str:
    return f"{PREFIXES['index_mark']}{person}-{unit}-{number}"


def index_entry(person: str) -> str:
    return PREFIXES["index_entry"] + person


def section(owner: str, editor_id: str) -> str:
    """An id the editor gave (or Pandoc made from a heading) inside ``owner`` (a unit, claim or quotation id)."""
    return f"{PREFIXES['section']}{owner}--{editor_id}"


def text_part(key: str) -> str:
    """The part of the book that prints the held text of bibliography entry ``key``."""
    return PREFIXES["text"] + (re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-") or "x")


def text_mark(claim_id: str, piece: int = 1) -> str:
    """The marked passage of a claim in the printed text (its ``piece``-th run, after an ellipsis)."""
    return f"{PREFIXES['text_mark']}{claim_id}" + (f"-{piece}" if piece > 1 else "")


def text_page(key: str, label: str) -> str:
    """Where page ``label`` of the held text of ``key`` begins, in the printed text."""
    return PREFIXES["text_page"] + text_part(key)[len(PREFIXES["text"]) :] + "-" + person_key(label)


def page(label: str) -> str:
    return PREFIXES["page"] + label


def reserved(editor_id: str) -> str:
    """'' if an editor may use ``editor_id`` in Markdown, else why not."""
    if editor_id in FIXED:
        return f"'{editor_id}' is the id of a part of the book"
    for prefix in set(PREFIXES.values()):
        if editor_id.startswith(prefix):
            return f"ids starting with '{prefix}' are the build's own"
    return ""


def lua_metadata() -> list[str]:
    """Pandoc --metadata arguments that hand the prefixes to the Lua filters."""
    args = []
    for name, prefix in sorted(PREFIXES.items()):
        args += ["--metadata", f"folio-prefix-{name.replace('_', '-')}={prefix}"]
    return args
