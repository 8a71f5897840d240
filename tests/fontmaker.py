"""A small TrueType font made for the tests (fontTools' FontBuilder): a box for each character asked for."""

from __future__ import annotations

from pathlib import Path


def make_font(path: Path, characters: str, family: str = "Folio Test Script", fs_type: int = 0) -> Path:
    """``fs_type``: the licence flags of its OS/2 table (0: installable; 2: restricted)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def box(width: int = 500):
        pen = TTGlyphPen(None)
        pen.moveTo((50, 0))
        pen.lineTo((50, 600))
        pen.lineTo((width - 50, 600))
        pen.lineTo((width - 50, 0))
        pen.closePath()
        return pen.glyph()

    names = [".notdef", "space"] + [f"uni{ord(char):04X}" for char in characters]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({32: "space", **{ord(char): f"uni{ord(char):04X}" for char in characters}})
    empty = TTGlyphPen(None).glyph()
    builder.setupGlyf({name: (empty if name == "space" else box()) for name in names})
    builder.setupHorizontalMetrics({name: (250 if name == "space" else 500, 50) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable(
        {"familyName": family, "styleName": "Regular", "psName": family.replace(" ", "") + "-Regular"}
    )
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200, fsType=fs_type)
    builder.setupPost()
    builder.save(str(path))
    return path
