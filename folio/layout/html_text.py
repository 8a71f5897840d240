"""The text of the print book's HTML, changed piece by piece: what stands between tags, never
a tag itself (its attributes, a link's target) nor the text of <style>, <script> or <title>.
The edition's hyphenation and the break points of addresses are made through it."""

from __future__ import annotations

import re
from collections.abc import Callable

_TAG = re.compile(r"(<[^>]*>)")
_NOT_TEXT = ("style", "script", "title")


def map_text(html: str, change: Callable[[str], str]) -> str:
    pieces = _TAG.split(html)
    inside = None  # a <style>, <script> or <title>: its text is not the book's
    for n in range(len(pieces)):
        piece = pieces[n]
        if n % 2:  # a tag
            name = re.match(r"</?\s*(\w+)", piece)
            if name and name.group(1).lower() in _NOT_TEXT:
                inside = None if piece.startswith("</") else name.group(1).lower()
            continue
        if inside is None and piece:
            pieces[n] = change(piece)
    return "".join(pieces)
