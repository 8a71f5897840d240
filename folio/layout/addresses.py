"""URLs and DOIs in the print book broken where the Chicago Manual of Style (14.18) allows: after
a colon or a double slash; before a single slash, a tilde, a full stop, a comma, a hyphen, an
underscore, a question mark, a number sign or a percent sign; before or after an equals sign or
an ampersand; and never with a hyphen added.

The line breaker (Pango, by Unicode's rules) would break after a single slash or a hyphen, and
``hyphens: auto`` would hyphenate the address's words. So in each address of the text a break
opportunity (U+200B ZERO WIDTH SPACE) is put where Chicago allows one, a WORD JOINER (U+2060)
after each single slash and hyphen where Unicode would break and Chicago does not, and the
address is wrapped in ``<span class="address">``, which print.css sets ``hyphens: manual``. Text
only, never inside a tag; the link's target (``href``) is not touched."""

from __future__ import annotations

import re

from folio.layout.html_text import map_text

BREAK = "\u200b"
JOIN = "\u2060"
# an address in running text: a URL, a DOI given as doi:... or bare (10.xxxx/...), or www....
ADDRESS = re.compile(
    r"(?:(?:https?|ftp)://|doi:|www\.|\b10\.\d{4,9}/)"
    r"(?:&amp;|&#?\w+;|[^\s<>&\"'()\[\]{}])+"
    r"(?<![.,;:!?])"  # a full stop or comma after it ends the sentence, not the address
)
_ENTITY = re.compile(r"&#?\w+;")
BEFORE = set("/~.,-_?#%")
AROUND = {"=", "&amp;", "&"}


def _pieces(address: str) -> list[str]:
    out, i = [], 0
    while i < len(address):
        entity = _ENTITY.match(address, i)
        if entity:
            out.append(entity.group(0))
            i = entity.end()
        else:
            out.append(address[i])
            i += 1
    return out


def break_address(address: str) -> str:
    """The address with Chicago's break opportunities (and the breaks Unicode would add suppressed)."""
    pieces = _pieces(address)
    out: list[str] = []
    scheme_end = address.find("//") + 2 if "//" in address else 0
    position = 0
    for n, piece in enumerate(pieces):
        previous = pieces[n - 1] if n else ""
        following = pieces[n + 1] if n + 1 < len(pieces) else ""
        double_slash = piece == "/" and (previous == "/" or following == "/")
        if n and position >= scheme_end and not double_slash and (piece in BEFORE or piece in AROUND):
            if out and out[-1] not in (BREAK,):
                out.append(BREAK)
        out.append(piece)
        position += len(piece)
        if not following:
            continue
        if (piece == ":" and following != "/") or (piece == "/" and previous == "/") or piece in AROUND:
            out.append(BREAK)
        elif piece in ("/", "-") and following != "/":
            out.append(JOIN)  # Unicode would break after it; Chicago breaks before it
    return "".join(out)


def break_addresses(html: str) -> str:
    """Every address in the text of ``html`` breakable as Chicago says, set in a span.address."""

    def change(text: str) -> str:
        if "/" not in text and "doi:" not in text and "www." not in text:
            return text
        return ADDRESS.sub(lambda m: f'<span class="address">{break_address(m.group(0))}</span>', text)

    return map_text(html, change)
