"""The edition's own hyphenation (``print.hyphenation``), as LaTeX's ``\\hyphenation``.

The hyphenation dictionary does not know most names ("Khrushchev", "Kaganovich"): a line
before such a name cannot break it and is set loose (W505). An editor lists the words with
their break points; each occurrence in the print book's text gets soft hyphens there
(U+00AD: invisible unless the line breaks at it). Text only, never inside a tag.
"""

from __future__ import annotations

import re

from folio.layout.html_text import map_text

SOFT_HYPHEN = "\u00ad"


def hyphenate(html: str, words: tuple[str, ...]) -> str:
    if not words:
        return html
    forms = {word.replace("-", ""): word.replace("-", SOFT_HYPHEN) for word in words}
    pattern = re.compile(
        r"(?<![\w\u00ad])(" + "|".join(map(re.escape, sorted(forms, key=len, reverse=True))) + r")(?![\w\u00ad])"
    )
    return map_text(html, lambda text: pattern.sub(lambda m: forms[m.group(1)], text))
