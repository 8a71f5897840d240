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


@lru_cache(maxsize=32)
def _characters(path: str, size: int, mtime: float) -> frozenset:
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, lazy=True, fontNumber=0)
        return frozenset(font.getBestCmap() or ())
    except Exception:  # noqa: BLE001 - any fault of the file: it is not a font that can be used
        return frozenset()


def font_characters(path: Path) -> frozenset:
    """The characters a font file has (empty when it cannot be read as a font)."""
    info = Path(path).stat()
    return _characters(str(path), info.st_size, info.st_mtime)


def bundled_characters() -> frozenset:
    """The characters the bundled font has (every face has the same repertoire)."""
    return font_characters(FONTS / FONT_FILES[("normal", "normal")])


@lru_cache(maxsize=32)
def _digest(path: str, size: int, mtime: float) -> str:
    import hashlib

    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()[:16]


def font_digest(path: Path) -> str:
    """A short digest of a font file's bytes (the layout's cache follows the font, not its name)."""
    info = Path(path).stat()
    return _digest(str(path), info.st_size, info.st_mtime)
