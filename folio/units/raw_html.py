"""The raw HTML of the editor's Markdown reduced to what a book may hold: the tags of the
allow-list become Pandoc elements (<sup> a Superscript, <span lang=...> a Span), the rest is
left out."""

from __future__ import annotations

import html
import re

# ---------- raw HTML ----------

ALLOWED_TAGS = {
    "sup",
    "sub",
    "em",
    "i",
    "strong",
    "b",
    "u",
    "s",
    "del",
    "span",
    "br",
    "cite",
    "q",
    "small",
    "abbr",
    "wbr",
}
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9]*)\b([^>]*)>$", re.S)
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def html_tag(text: str):
    """(name, closing, attributes) of one HTML tag, or None."""
    match = _TAG.match(text.strip())
    if not match:
        return None
    attributes = {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
        for m in _ATTRIBUTE.finditer(match.group(3))
    }
    return match.group(2).lower(), bool(match.group(1)), attributes


def _element_for(name: str, attributes: dict, inner: list):
    if name == "sup":
        return {"t": "Superscript", "c": inner}
    if name == "sub":
        return {"t": "Subscript", "c": inner}
    if name in ("em", "i", "cite"):
        return {"t": "Emph", "c": inner}
    if name in ("strong", "b"):
        return {"t": "Strong", "c": inner}
    if name == "u":
        return {"t": "Underline", "c": inner}
    if name in ("s", "del"):
        return {"t": "Strikeout", "c": inner}
    if name == "q":
        return {"t": "Quoted", "c": [{"t": "DoubleQuote"}, inner]}
    if name == "span" and (
        "small-caps" in attributes.get("style", "") or "smallcaps" in attributes.get("class", "").split()
    ):
        return {"t": "SmallCaps", "c": inner}
    kept = [[k, v] for k, v in attributes.items() if k in ("lang", "dir") and re.fullmatch(r"[A-Za-z0-9-]{1,35}", v)]
    return {"t": "Span", "c": [["", [], kept], inner]}


def reduce_inlines(inlines: list) -> list:
    """Raw HTML tags of the allow-list become AST elements (a <sup> and its </sup> a
    Superscript); every other raw element is removed, its text kept."""
    out: list = []
    index = 0
    while index < len(inlines):
        element = inlines[index]
        if element.get("t") != "RawInline":
            out.append(element)
            index += 1
            continue
        fmt, text = element["c"]
        tag = html_tag(text) if fmt == "html" else None
        index += 1
        if tag is None or tag[0] not in ALLOWED_TAGS or tag[1]:
            continue  # removed (the checks warned); a stray closing tag too
        name, _closing, attributes = tag
        if name == "br":
            out.append({"t": "LineBreak"})
            continue
        if name == "wbr":
            continue
        depth, end = 1, index
        while end < len(inlines):
            other = inlines[end]
            if other.get("t") == "RawInline" and other["c"][0] == "html":
                found = html_tag(other["c"][1])
                if found and found[0] == name:
                    depth += -1 if found[1] else 1
                    if depth == 0:
                        break
            end += 1
        inner = reduce_inlines(inlines[index:end])
        out.append(_element_for(name, attributes, inner))
        index = end + 1
    return out
