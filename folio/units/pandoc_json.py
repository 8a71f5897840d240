"""Walking Pandoc's JSON: every element in order, an element's attributes, its plain text, the
citation keys of a document read from its text."""

from __future__ import annotations

import json
import re

# ---------- walking Pandoc JSON ----------

_CITATION_ID = re.compile(r'"citationId"\s*:\s*("(?:[^"\\]|\\.)*")')  # (inside a string it would be escaped)


def citation_keys(ast_json: str) -> set[str]:
    """The keys cited in a Pandoc JSON text, read from the text itself (no tree is built)."""
    if '"citationId"' not in ast_json:
        return set()
    return {json.loads(match) for match in _CITATION_ID.findall(ast_json)}


def walk(node):
    """Every element (dict with 't') of a Pandoc JSON tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(reversed(current))
        elif isinstance(current, dict):
            if "t" in current:
                yield current
            content = current.get("c")
            if isinstance(content, (list, dict)):
                stack.append(content)
            for key in ("citationPrefix", "citationSuffix"):
                if key in current:
                    stack.append(current[key])


ATTR_AT = {
    "Header": 1,
    "Div": 0,
    "Span": 0,
    "Code": 0,
    "CodeBlock": 0,
    "Link": 0,
    "Image": 0,
    "Table": 0,
    "Figure": 0,
    "Cell": 0,
}


def attr_of(element):
    position = ATTR_AT.get(element.get("t"))
    if position is None:
        return None
    content = element["c"]
    attr = content[position]
    return attr if isinstance(attr, list) and len(attr) == 3 else None


def stringify(node) -> str:
    parts = []
    for element in walk(node):
        kind = element["t"]
        if kind == "Str":
            parts.append(element["c"])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind in ("Code", "Math"):
            parts.append(element["c"][1])
    return "".join(parts)
