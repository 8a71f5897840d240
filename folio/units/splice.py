"""The fragments put into the frame of each unit: each placeholder replaced by the fragment's
own Pandoc AST, its raw HTML reduced, its links and ids made safe."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from folio import ids
from folio.edition.model import Edition
from folio.edition.names import INLINE_TYPES
from folio.units.fragments import KEPT_ATTRIBUTES, KEPT_CLASSES, LINK_SCHEMES, Fragment, Library
from folio.units.pandoc_json import ATTR_AT, attr_of, walk
from folio.units.raw_html import reduce_inlines

# ---------- splicing ----------


@dataclass
class Splicer:
    """Puts fragments into a unit's frame (see the module's docstring)."""

    edition: Edition
    library: Library
    problems_seen: set = field(default_factory=set)

    def unit(self, skeleton: dict) -> dict:
        doc = copy.deepcopy(skeleton)
        doc["blocks"] = self._blocks(doc["blocks"], owner="", level_shift=None)
        return doc

    # blocks and inlines of the frame
    def _blocks(self, blocks: list, owner: str, level_shift) -> list:
        out = []
        for block in blocks:
            if block.get("t") == "Div" and "folio-fragment" in block["c"][0][1]:
                out += self._fragment_blocks(block)
            elif block.get("t") != "RawBlock":  # removed: the checks warned of it
                out.append(self._element(block, owner, level_shift))
        return out

    def _fragment_blocks(self, placeholder: dict) -> list:
        attr = dict(placeholder["c"][0][2])
        ref = attr.get("ref", "")
        fragment = self.library.fragments.get(ref)
        if fragment is None:
            return []
        blocks = self._adopt(self.library.blocks(ref), fragment)
        tail = attr.get("tail")
        if tail and tail in self.library.fragments:
            inlines = self._adopt_inlines(self.library.inlines(tail), self.library.fragments[tail])
            if blocks and blocks[-1]["t"] in ("Para", "Plain"):
                blocks[-1]["c"] += inlines  # the source's note call follows the quotation without a space
            else:
                blocks.append({"t": "Para", "c": inlines})
        if "folio-quote" in placeholder["c"][0][1]:
            blocks = [{"t": "BlockQuote", "c": blocks}]
        return blocks

    def _inlines(self, inlines: list, owner: str) -> list:
        out = []
        for element in inlines:
            if element.get("t") == "Span" and "folio-fragment" in element["c"][0][1]:
                ref = dict(element["c"][0][2]).get("ref", "")
                fragment = self.library.fragments.get(ref)
                if fragment is not None:
                    out += self._adopt_inlines(self.library.inlines(ref), fragment)
                continue
            out.append(self._element(element, owner, None))
        return out

    # a fragment's own content
    def _adopt(self, blocks: list, fragment: Fragment) -> list:
        levels = [e["c"][0] for e in walk(blocks) if e["t"] == "Header"]
        shift = (fragment.level - min(levels)) if levels else 0
        return self._blocks(blocks, fragment.owner, shift)

    def _adopt_inlines(self, inlines: list, fragment: Fragment) -> list:
        return [self._element(element, fragment.owner, 0) for element in reduce_inlines(inlines)]

    def _element(self, element: dict, owner: str, level_shift):
        kind = element.get("t")
        content = element.get("c")
        if kind == "Header":
            level, attr, inlines = content
            if level_shift is not None and owner:
                level = min(6, max(1, level + level_shift))
                attr = self._attr(attr, owner, extra_class="section")
            return {"t": "Header", "c": [level, attr, self._inlines(reduce_inlines(inlines), owner)]}
        if kind == "Link":
            return self._link(element, owner)
        attr = attr_of(element)
        if attr is not None and owner:
            position = ATTR_AT[kind]
            content = list(content)
            content[position] = self._attr(attr, owner)
            element = {"t": kind, "c": content}
        return self._children(element, owner, level_shift)

    def _children(self, element: dict, owner: str, level_shift):
        kind, content = element["t"], element.get("c")
        if content is None or isinstance(content, str):
            return element
        if kind in ("Str", "Code", "Math", "CodeBlock", "RawInline"):
            return element if kind != "RawInline" else {"t": "Str", "c": ""}
        return {"t": kind, "c": self._content(content, owner, level_shift)}

    def _content(self, content, owner: str, level_shift):
        if isinstance(content, list):
            if content and all(isinstance(x, dict) and "t" in x for x in content):
                if _is_inlines(content):
                    return self._inlines(reduce_inlines(content), owner)
                return self._blocks(content, owner, level_shift)
            return [self._content(x, owner, level_shift) for x in content]
        if isinstance(content, dict):
            if "t" in content:
                return self._element(content, owner, level_shift)
            out = dict(content)
            for key in ("citationPrefix", "citationSuffix"):
                if key in out:
                    out[key] = self._inlines(out[key], owner)
            return out
        return content

    def _attr(self, attr: list, owner: str, extra_class: str = "") -> list:
        identifier, classes, pairs = attr
        if identifier:
            identifier = ids.section(owner, identifier)
        classes = [c for c in classes if c in KEPT_CLASSES] + ([extra_class] if extra_class else [])
        pairs = [[k, v] for k, v in pairs if k in KEPT_ATTRIBUTES and len(v) < 100]
        return [identifier, classes, pairs]

    def _link(self, element: dict, owner: str) -> dict:
        attr, inlines, (target, title) = element["c"]
        inlines = self._inlines(reduce_inlines(inlines), owner)
        classes = list(attr[1]) if not owner else []
        if target.startswith("#"):
            name = target[1:]
            edition = self.edition
            if name in edition.claims:
                claim = edition.claims[name]
                text = inlines or [{"t": "Str", "c": "claim"}, {"t": "Space"}, {"t": "Str", "c": claim.label}]
                return {
                    "t": "Link",
                    "c": [["", ["xref", "claimref"] if not inlines else ["xref"], []], text, ["#" + claim.anchor, ""]],
                }
            if name in edition.quotations:
                quotation = edition.quotations[name]
                text = inlines or self._adopt_inlines(
                    self.library.inlines(quotation.heading.ref),
                    self.library.fragments.get(quotation.heading.ref) or Fragment("", "", Path(), 0, True, ""),
                )
                return {"t": "Link", "c": [["", ["xref", "quotationref"], []], text, ["#" + quotation.anchor, ""]]}
            made = self.library.section_ids.get(name)
            if owner and made:
                return {"t": "Link", "c": [["", ["xref"], []], inlines, ["#" + made, ""]]}
            if not owner:  # the frame's own links (to parts of the book), with the title the template gives
                pairs = [[k, v] for k, v in attr[2] if k == "title"]
                return {"t": "Link", "c": [[attr[0], classes, pairs], inlines, [target, title]]}
            return {"t": "Span", "c": [["", [], []], inlines]}
        safe = safe_url(target)
        if safe is None:
            return {"t": "Span", "c": [["", [], []], inlines]}  # reported by the checks
        return {"t": "Link", "c": [["", classes, []], inlines, [safe, ""]]}


def _is_inlines(items: list) -> bool:
    return items[0]["t"] in INLINE_TYPES


def safe_url(url: str) -> str | None:
    """A web or mail address, percent-encoded where it must be; None for any other kind of URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or (parts.scheme.lower() != "mailto" and not parts.netloc):
        return None
    return quote(url.strip(), safe="/:?#[]@!$&'()*+,;=%~-._")
