"""The edition's own stylesheets read before anything is laid out: what they would fetch.

The layout reads only files inside the edition, the template folders and the bundled fonts
(``engine.ConfinedFetcher``), and stops at the first address outside them. Here every
``url()`` and ``@import`` of the stylesheets the edition brings (print.css, epub.css and
web/site.css in its template folders) is found with its line, so that ``check`` names the
stylesheet, the line and the address, all of them at once.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import tinycss2

from folio.edition import files
from folio.problems import Problems

STYLESHEETS = ("print.css", "epub.css", "web/site.css")


def check_stylesheets(folders: list[Path], allowed: list[Path], problems: Problems) -> None:
    """E402 for each address a stylesheet of ``folders`` names outside ``allowed``."""
    roots = [root.resolve() for root in allowed]
    for folder in folders:
        for name in STYLESHEETS:
            path = folder.joinpath(*name.split("/"))
            if not path.is_file():
                continue
            try:
                text = files.read_text(path, [folder.resolve()], "template")
            except files.Refused as refused:
                problems.add(refused.code, path, refused.line, refused.message, refused.hint)
                continue
            for address, line in addresses(text):
                why = _outside(address, path.parent, roots)
                if why:
                    problems.add(
                        "E402",
                        path,
                        line,
                        f"the stylesheet {why}: '{address[:80]}'",
                        "a stylesheet may use only files inside the edition, the templates and the bundled "
                        "fonts, named by a relative address (url(fonts/MyFont.woff2))",
                    )


def addresses(text: str) -> list[tuple[str, int]]:
    """Every address a stylesheet names (url(), @import "..."), with its line."""
    found: list[tuple[str, int]] = []

    def walk(nodes) -> None:
        for node in nodes or ():
            kind = getattr(node, "type", "")
            if kind == "url":
                found.append((node.value, node.source_line))
            elif kind == "function" and node.lower_name in ("url", "src"):
                for argument in node.arguments:
                    if argument.type == "string":
                        found.append((argument.value, argument.source_line))
                walk(node.arguments)
            elif kind == "at-rule":
                if node.lower_at_keyword == "import":
                    for token in node.prelude:
                        if token.type == "string":
                            found.append((token.value, token.source_line))
                walk(node.prelude)
                walk(node.content)
            elif kind == "qualified-rule":
                walk(node.prelude)
                walk(node.content)
            elif kind in ("() block", "[] block", "{} block", "function"):
                walk(getattr(node, "content", None) or getattr(node, "arguments", None))

    walk(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))
    return found


def _outside(address: str, base: Path, roots: list[Path]) -> str:
    """Why the layout would refuse ``address`` (relative to ``base``), or ''."""
    address = address.strip()
    if not address or address.startswith("#"):
        return ""
    parsed = urlparse(address)
    if parsed.scheme == "data":
        return ""
    if parsed.scheme and parsed.scheme != "file" and len(parsed.scheme) > 1:  # (a drive letter is a path)
        return "fetches an address on the network, which the build never reads"
    target = Path(unquote(parsed.path))
    target = (target if target.is_absolute() else base / target).resolve()
    if not any(target == root or root in target.parents for root in roots):
        return "reads a file outside the edition, the templates and the fonts"
    return ""
