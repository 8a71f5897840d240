"""The book's HTML cut into the parts WeasyPrint lays out one by one: the front
matter, each unit of the main matter (chapter, appendix, bibliography) and the
index. Every part opens on a recto, so a part's layout does not depend on the
others except through its first folio and the page numbers it prints; that is
what lets parts be cached and laid out in parallel.

Each part is a whole document with the book's head and body tag, so the print
stylesheet styles it as in the book. A template that does not mark its units
as ours does is laid out as one part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from folio import ids

_MAIN = re.compile(rf'<div class="mainmatter" id="{ids.MAINMATTER}">')
_UNIT = re.compile(r'<section class="unit [^"]*" data-unit="([^"]+)"')


@dataclass(frozen=True)
class Part:
    name: str  # "front", a unit id, "index", or "book" for a book laid out whole
    html: str
    main: bool  # in the main matter (arabic folios)


def split_parts(html: str) -> list[Part]:
    body = re.search(r"<body[^>]*>", html)
    main = _MAIN.search(html)
    end = html.rfind("</body>")
    close = html.rfind("</div>", 0, end)
    if not body or not main or close < main.end():
        return [whole(html)]
    units = list(_UNIT.finditer(html, main.end(), close))
    if not units:
        return [whole(html)]
    head, tail = html[: body.end()], "\n</body>\n</html>\n"
    parts = [Part("front", head + html[body.end() : main.start()] + tail, main=False)]
    bounds = [u.start() for u in units] + [close]
    for number, unit in enumerate(units):
        opening = main.group(0) if number == 0 else '<div class="mainmatter">'
        section = html[bounds[number] : bounds[number + 1]].rstrip()
        parts.append(Part(unit.group(1), f"{head}\n{opening}\n{section}\n</div>{tail}", main=True))
    return parts


def whole(html: str) -> Part:
    return Part("book", html, main=False)
