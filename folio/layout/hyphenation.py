"""The edition's own hyphenation (``print.hyphenation``), as LaTeX's ``\\hyphenation``.

The hyphenation dictionary does not know most names ("Khrushchev", "Kaganovich"): a line
before such a name cannot break it and is set loose (W505). An editor lists the words with
their break points; each occurrence in the print book's text gets soft hyphens there
(U+00AD: invisible unless the line breaks at it). Text only, never inside a tag.
"""

from __future__ import annotations

import re

SOFT_HYPHEN = "\u00ad"
_TAG = re.compile(r"(<[^>]*>)")


def hyphenate(html: str, words: tuple[str, ...]) -> str:
    if not words:
        return html
    forms = {word.replace("-", ""): word.replace("-", SOFT_HYPHEN) for word in words}
    pattern = re.compile(
        r"(?<![\w\u00ad])(" + "|".join(map(re.escape, sorted(forms, key=len, reverse=True))) + r")(?![\w\u00ad])"
    )
    pieces = _TAG.split(html)
    inside = None  # a <style> or <script>: its text is not the book's
    for n in range(len(pieces)):
        piece = pieces[n]
        if n % 2:  # a tag
            name = re.match(r"</?\s*(\w+)", piece)
            if name and name.group(1).lower() in ("style", "script", "title"):
                inside = None if piece.startswith("</") else name.group(1).lower()
            continue
        if inside is None and piece:
            pieces[n] = pattern.sub(lambda m: forms[m.group(1)], piece)
    return "".join(pieces)
