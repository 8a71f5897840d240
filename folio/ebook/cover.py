"""The generated EPUB cover with its text as outlines of the bundled font, so that every
reading system shows the same cover (an SVG cover's text would otherwise be set in
whatever font the reader has). The template (templates/cover.svg.j2) stays plain SVG with
<text> elements an editor can read; ``outlined`` replaces each by the glyphs' paths."""

from __future__ import annotations

import re
from functools import lru_cache

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont
from lxml import etree

from folio.typefaces import FONT_FILES, FONTS

SVG = "http://www.w3.org/2000/svg"


@lru_cache(maxsize=4)
def _font(style: str, weight: str) -> TTFont:
    return TTFont(str(FONTS / FONT_FILES[(style, weight)]))


def _path(text: str, x: float, y: float, size: float, anchor: str, style: str, weight: str, spacing: float) -> str:
    font = _font(style, weight)
    cmap, glyphs, metrics = font.getBestCmap(), font.getGlyphSet(), font["hmtx"]
    scale = size / font["head"].unitsPerEm
    names = [cmap.get(ord(char)) for char in text]
    advances = [metrics[name][0] * scale + spacing if name else size * 0.3 for name in names]
    width = sum(advances) - (spacing if advances else 0)
    start = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    pen = SVGPathPen(glyphs)
    position = start
    for name, advance in zip(names, advances):
        if name:
            glyphs[name].draw(TransformPen(pen, (scale, 0, 0, -scale, position, y)))
        position += advance
    return pen.getCommands()


def outlined(svg: str) -> str:
    """The SVG with every <text> element drawn as the glyph outlines of the bundled font."""
    root = etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    for text in list(root.iter(f"{{{SVG}}}text")):
        inherited = {}
        for ancestor in reversed(list(text.iterancestors())):
            inherited.update(ancestor.attrib)
        inherited.update(text.attrib)

        def number(name: str, default: float = 0.0) -> float:
            match = re.match(r"-?[0-9.]+", inherited.get(name, "") or "")
            return float(match.group(0)) if match else default

        style = "italic" if inherited.get("font-style") == "italic" else "normal"
        weight = "bold" if inherited.get("font-weight") in ("bold", "700") else "normal"
        d = _path(
            "".join(text.itertext()),
            number("x"),
            number("y"),
            number("font-size", 16),
            inherited.get("text-anchor", "start"),
            style,
            weight,
            number("letter-spacing"),
        )
        path = etree.Element(f"{{{SVG}}}path", d=d, fill=inherited.get("fill", "#000"))
        path.tail = text.tail
        text.getparent().replace(text, path)
    return etree.tostring(root, encoding="unicode")
