"""The bundled typeface (Gentium Book Plus, SIL Open Font License): where its files are."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

FONTS = Path(str(resources.files("folio") / "fonts"))
FONT_FILES = {
    ("normal", "normal"): "GentiumBookPlus-Regular.ttf",
    ("italic", "normal"): "GentiumBookPlus-Italic.ttf",
    ("normal", "bold"): "GentiumBookPlus-Bold.ttf",
    ("italic", "bold"): "GentiumBookPlus-BoldItalic.ttf",
}


@lru_cache(maxsize=1)
def word_space_em() -> float:
    """The width of the body font's word space, in em (read from the font itself)."""
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS / FONT_FILES[("normal", "normal")], lazy=True)
    advance, _bearing = font["hmtx"][font.getBestCmap()[ord(" ")]]
    return advance / font["head"].unitsPerEm
