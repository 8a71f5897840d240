"""Reading a built PDF back: text per page, fonts, page boxes, destinations."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader


class BuiltPdf:
    def __init__(self, path: Path) -> None:
        self.reader = PdfReader(str(path))
        self.pages = self.reader.pages
        self._text: list[str] | None = None

    def text(self, index: int) -> str:
        """Text of page ``index`` (0-based), whitespace folded."""
        if self._text is None:
            self._text = [re.sub(r"\s+", " ", p.extract_text() or "") for p in self.pages]
        return self._text[index]

    def all_text(self) -> str:
        return " ".join(self.text(i) for i in range(len(self.pages)))

    def destinations(self) -> dict[str, int]:
        """Named destination -> 0-based page index."""
        return {
            name: self.reader.get_destination_page_number(dest) for name, dest in self.reader.named_destinations.items()
        }

    def fonts(self) -> dict[str, bool]:
        """Base font name -> embedded (on every page that uses it)? Read with pypdf, not with
        the preflight's own reader."""
        found: dict[str, bool] = {}
        for page in self.pages:
            for ref in ((page.get("/Resources") or {}).get("/Font") or {}).values():
                font = ref.get_object()
                descriptor = font.get("/FontDescriptor")
                if descriptor is None and "/DescendantFonts" in font:
                    descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                name = str(font.get("/BaseFont"))
                found[name] = found.get(name, True) and embedded
        return found


def fold(text: str) -> str:
    """Fold whitespace and typographic quotes, for comparing source text with PDF text."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()
