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


BUNDLED = "Gentium Book Plus"
BUNDLED_CREDIT = "Gentium Book Plus (SIL Open Font License)"
STYLES = {"regular": ("normal", "normal"), "italic": ("italic", "normal"), "bold": ("normal", "bold"),
          "bold_italic": ("italic", "bold")}  # fmt: skip


@lru_cache(maxsize=8)
def word_space_em(path: str = "") -> float:
    """The width of the body font's word space, in em (read from the font itself: the bundled
    one, or the edition's print.font)."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path or (FONTS / FONT_FILES[("normal", "normal")]), lazy=True)
        advance, _bearing = font["hmtx"][font.getBestCmap()[ord(" ")]]
        return advance / font["head"].unitsPerEm
    except Exception:  # noqa: BLE001 - a font without a space: the common width
        return 0.25


def family_name(path: Path) -> str:
    """The family a font file names itself (its name table), or its file's name."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(path), lazy=True, fontNumber=0)
        name = font["name"].getBestFamilyName()
        return str(name) if name else Path(path).stem
    except Exception:  # noqa: BLE001
        return Path(path).stem


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


def embedding_allowed(path: Path) -> bool:
    """Whether a font's own licence flags (OpenType OS/2 fsType) let it travel inside a
    document others receive: installable, editable, or preview and print; not restricted
    licence embedding (bit 1) nor bitmap only (bit 9)."""
    from fontTools.ttLib import TTFont

    try:
        flags = TTFont(str(path), lazy=True, fontNumber=0)["OS/2"].fsType
    except Exception:  # noqa: BLE001 - no OS/2 table: nothing says it may
        return False
    return not flags & 0x0002 and not flags & 0x0200


def embedded_faces(typeface) -> list[tuple[str, Path]]:
    """The styles of the edition's typeface (print.font, a model.Typeface or None) that the EPUB
    and the web edition embed: all of them when every one's licence flags allow it (W111 tells of
    the others), else none."""
    if typeface is None:
        return []
    found = list(typeface.files)
    return found if all(embedding_allowed(font) for _style, font in found) else []


def face_rules(typeface, src, descriptors: str = "") -> list[str]:
    """The @font-face rules of the edition's typeface (a model.Typeface), one a style as given:
    ``src(style, font)`` is what each rule's ``src`` says (each output names the files its own
    way); ``descriptors``, any more it needs (font-display)."""
    rules = []
    for style, font in typeface.files:
        font_style, font_weight = STYLES[style]
        rules.append(
            f'@font-face {{ font-family: "{typeface.family}"; font-style: {font_style}; '
            f"font-weight: {font_weight}; {descriptors}src: {src(style, font)}; }}"
        )
    return rules
