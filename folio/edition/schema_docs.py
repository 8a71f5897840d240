"""The reference of the edition's files and their JSON Schemas, both made from ``schema``
(the one place the keys, their types, defaults and help are stated).

``reference_markdown`` is docs/edition-format.md (a test keeps it in sync);
``json_schemas`` are what ``folio schema DIR`` writes, for editors whose YAML editor
completes keys and flags mistakes (VS Code's YAML extension reads the modeline that
``folio init`` puts at the top of each file); ``validate_with`` checks data against
one of them (the subset of JSON Schema they use).
"""

from __future__ import annotations

import json

from folio.edition import schema
from folio.edition.schema import Field

FILES = [
    (
        "edition",
        "edition/edition.yaml",
        "The edition's settings: title, people, ISBNs, print settings, citation "
        "style, the vocabulary of assessments, the order of the parts.",
        schema.EDITION,
        "mapping",
    ),
    (
        "front",
        "edition/front/*.md (front matter)",
        "A part of the front matter (preface, introduction, note on "
        "sources): this front matter, then its text in Markdown.",
        schema.FRONT,
        "mapping",
    ),
    (
        "chapter",
        "edition/chapters/*.md (front matter)",
        "A chapter: this front matter, then its opening text in Markdown.",
        schema.CHAPTER,
        "mapping",
    ),
    (
        "claim",
        "edition/claims/*.md (front matter)",
        "A claim: this front matter, then its analysis in Pandoc Markdown with notes and citations.",
        schema.CLAIM,
        "mapping",
    ),
    ("quotations", "edition/quotations/*.yaml", "A list of the appendix's quotations.", schema.QUOTATION, "list"),
    ("persons", "edition/persons.yaml", "A list of the persons of the index of names.", schema.PERSON, "list"),
    (
        "source",
        "edition/sources/*.txt, *.md (front matter)",
        "A text the edition quotes (docs/quotations.md): this front matter, then the text, with page "
        "markers ({p. 12}) or a scan's form feeds. Every quotation of its source is verified against it.",
        schema.HELD_TEXT,
        "mapping",
    ),
]

_JSON_TYPES = {
    "str": {"type": ["string", "number"]},
    "id": {"type": "string", "pattern": schema.ID.pattern},
    "length": {"type": ["string", "integer"], "pattern": schema.LENGTH.pattern},
    "int": {"type": "integer"},
    "int|range": {"type": ["integer", "string"]},
    "bool": {"type": "boolean"},
    "list[str]": {"type": "array", "items": {"type": ["string", "number"]}},
    "str|list[str]": {"type": ["string", "array"], "items": {"type": ["string", "number"]}},
    "dict[str]": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
}


def _field_schema(field: Field) -> dict:
    if field.kind == "map":
        found = _mapping_schema(field.schema or {})
    elif field.kind == "list[map]":
        found = {"type": "array", "items": _mapping_schema(field.schema or {})}
    else:
        found = dict(_JSON_TYPES[field.kind])
    if field.choices:
        found["enum"] = list(field.choices)
    if field.help:
        found["description"] = field.help
    if field.default not in (None, "", (), {}):
        found["default"] = list(field.default) if isinstance(field.default, tuple) else field.default
    return found


def _mapping_schema(fields: dict) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {key: _field_schema(field) for key, field in fields.items()},
        "required": [key for key, field in fields.items() if field.required],
    }


def json_schemas() -> dict[str, dict]:
    out = {}
    for name, _where, about, fields, shape in FILES:
        body = _mapping_schema(fields)
        if shape == "list":
            body = {"type": "array", "items": body}
        out[name] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"folio:{name}",
            "title": f"folio {name}",
            "description": about,
            **body,
        }
    return out


def write_schemas(folder) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in json_schemas().items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def validate_with(body: dict, data, where: str = "") -> list[str]:
    """The faults of ``data`` against a schema of ``json_schemas`` (type, enum, required keys,
    unknown keys, items): an empty list when it is valid."""
    faults = []
    kinds = body.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_TYPE_CHECKS[k](data) for k in kinds):
            return [f"{where or 'the value'}: should be {' or '.join(kinds)}"]
    if "enum" in body and data not in body["enum"]:
        faults.append(f"{where}: not one of {body['enum']}")
    if isinstance(data, dict):
        properties = body.get("properties", {})
        for key in body.get("required", []):
            if key not in data:
                faults.append(f"{where}{key}: required")
        for key, value in data.items():
            if key in properties:
                faults += validate_with(properties[key], value, f"{where}{key}.")
            elif body.get("additionalProperties") is False:
                faults.append(f"{where}{key}: unknown key")
            elif isinstance(body.get("additionalProperties"), dict):
                faults += validate_with(body["additionalProperties"], value, f"{where}{key}.")
    if isinstance(data, list) and "items" in body:
        for index, item in enumerate(data):
            faults += validate_with(body["items"], item, f"{where}[{index}].")
    return faults


def _rows(fields: dict, prefix: str = "") -> list[str]:
    rows = []
    for key, field in fields.items():
        kind = schema.KIND_WORDS.get(field.kind, field.kind)
        if field.choices:
            kind += ": " + ", ".join(f"`{c}`" for c in field.choices)
        default = field.default
        shown = "" if default in (None, "", (), {}) else f"`{default}`"
        required = "yes" if field.required else ""
        help_text = (field.help or "").replace("|", "\\|")
        example = f" Example: `{key}: {field.example}`" if field.example else ""
        rows.append(f"| `{prefix}{key}` | {kind} | {required} | {shown} | {help_text}{example} |")
        if field.kind in ("map", "list[map]") and field.schema:
            rows += _rows(field.schema, f"{prefix}{key}{'[].' if field.kind == 'list[map]' else '.'}")
    return rows


def reference_markdown() -> str:
    """docs/edition-format.md: every file and key, made from folio/edition/schema.py."""
    lines = [
        "# The edition's files",
        "",
        "Every file and key an edition has, with its type, whether it is required, its default and what",
        "it does. Made from `folio/edition/schema.py` (`python -m folio schema --reference > docs/edition-format.md`);",
        "`folio schema DIR` writes the same as JSON Schemas for YAML editors.",
        "",
    ]
    for _name, where, about, fields, shape in FILES:
        lines += [
            f"## {where}",
            "",
            about + (" Each item:" if shape == "list" else ""),
            "",
            "| key | type | required | default | what it does |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += _rows(fields)
        lines.append("")
    lines += [
        "## Markdown",
        "",
        "Claims' analyses, chapters' openings, front matter and quotations' texts are Pandoc Markdown: notes",
        "(`[^1]` and `[^1]: ...`), citations (`[@key, 12-14]`), cross-references to claims and quotations",
        "(`[](#id)`), headings at any level, images inside the edition folder with a description",
        "(`![Map of Moscow](images/map.png)`), persons said by key (`[Zhukov]{.person key=zhukov-iurii}`).",
        "Raw HTML is reduced to `<sup>`, `<sub>`, `<em>`, `<strong>`, `<span lang>`, small caps and `<br>`.",
        "",
    ]
    return "\n".join(lines)
