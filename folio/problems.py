"""Problems found in an edition: a stable code, a place and a hint.

Problems are collected, never raised one by one, so that an editor sees
everything that is wrong in one run. The catalogue of codes is ``CODES``;
docs/problems.md lists it for editors.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, replace
from pathlib import Path

ERROR = "error"
WARNING = "warning"

# code -> (severity, short title). Codes are stable: never renumber.
CODES: dict[str, tuple[str, str]] = {
    # files and YAML
    "E100": (ERROR, "file missing"),
    "E101": (ERROR, "YAML syntax error"),
    "E102": (ERROR, "wrong type of value"),
    "E103": (ERROR, "unknown key"),
    "E104": (ERROR, "required key missing"),
    "E105": (ERROR, "bad value"),
    "E106": (ERROR, "front matter missing or unterminated"),
    "E107": (ERROR, "output profile unusable"),
    "E108": (ERROR, "control character in a file"),
    "E109": (ERROR, "file refused: not a regular file, too large or nested too deep"),
    "E110": (ERROR, "key given twice in a YAML mapping"),
    "E111": (ERROR, "empty file"),
    "W101": (WARNING, "setting has no effect"),
    "W110": (WARNING, "cover image e-reader stores would refuse or blur"),
    "W111": (WARNING, "typeface whose licence does not allow embedding in the EPUB"),
    # identity and references
    "E201": (ERROR, "duplicate id"),
    "E202": (ERROR, "unknown claim id"),
    "E203": (ERROR, "unknown quotation id"),
    "E204": (ERROR, "unknown citation key"),
    "E205": (ERROR, "unknown assessment"),
    "E206": (ERROR, "claim not placed in any chapter"),
    "E207": (ERROR, "claim placed in more than one chapter"),
    "E208": (ERROR, "unknown person"),
    "E209": (ERROR, "unknown part in contents"),
    "E210": (ERROR, "duplicate claim number"),
    "E211": (ERROR, "note called but never written"),
    "E212": (ERROR, "note label defined twice"),
    "E213": (ERROR, "image outside the edition"),
    "W214": (WARNING, "image without a description"),
    "E214": (ERROR, "id reserved for the build's own ids"),
    "E215": (ERROR, "link to something other than a web address or a part of the book"),
    "W215": (WARNING, "raw HTML or TeX removed"),
    "E216": (ERROR, "citation or locator that cannot be read"),
    "W216": (WARNING, "character that no font of the book has"),
    "E217": (ERROR, "text nested too deeply"),
    "E218": (ERROR, "template error"),
    "W217": (WARNING, "person never mentioned in the text"),
    "W218": (WARNING, "name shared by several persons"),
    # bibliography
    "E301": (ERROR, "BibTeX entry cannot be parsed"),
    "E302": (ERROR, "duplicate BibTeX key"),
    "E304": (ERROR, "duplicate field in BibTeX entry"),
    "E305": (ERROR, "citation style not found"),
    "W301": (WARNING, "bibliography entry never cited"),
    "W302": (WARNING, "quotation not linked to any claim"),
    "W303": (WARNING, "note written but never called"),
    "W304": (WARNING, "unknown BibTeX field"),
    "W305": (WARNING, "cited bibliography entry lacks a field its type requires"),
    "E308": (ERROR, "bibliography entry without a key"),
    "E306": (ERROR, "undefined BibTeX macro"),
    "E307": (ERROR, "BibTeX cross-reference missing, cyclic or too deep"),
    # conversion and layout
    "E401": (ERROR, "Pandoc failed"),
    "E402": (ERROR, "WeasyPrint refused to read a resource"),
    "W401": (WARNING, "Pandoc warning"),
    "W501": (WARNING, "note printed on another page than its call"),
    "E502": (ERROR, "note too long for a page"),
    "W503": (WARNING, "text runs out of the text block"),
    "W504": (WARNING, "line broken far too early inside a paragraph"),
    "W505": (WARNING, "loose line: word spaces far wider than the book's"),
    "W506": (WARNING, "running head too long for its line"),
    "W507": (WARNING, "page left short above its notes"),
    "W508": (WARNING, "note printed after the rest of a note longer than its page"),
    # preflight of a built PDF (check --pdf)
    "E601": (ERROR, "font not embedded"),
    "E602": (ERROR, "page size or page box wrong"),
    "E603": (ERROR, "part opens on a verso"),
    "E604": (ERROR, "note not on the page of its call"),
    "E605": (ERROR, "printed page number differs from its target's page"),
    "E606": (ERROR, "text outside the page"),
    "E607": (ERROR, "colour outside the output intent (PDF/X)"),
    "E608": (ERROR, "PDF/X identification or output intent wrong"),
    "E609": (ERROR, "one font subset name for different font programs"),
    "W610": (WARNING, "cover image below 300 ppi at its printed size"),
    "W611": (WARNING, "cover without a barcode: no print ISBN"),
    "E612": (ERROR, "metadata feed without what it must carry"),
    "E613": (ERROR, "cover without its spine width"),
    "E620": (ERROR, "trim size the printer does not print"),
    "E621": (ERROR, "inside margin (gutter) too narrow for the page count"),
    "E622": (ERROR, "outside, top or bottom margin too narrow for the printer"),
    "E623": (ERROR, "bleed not as the printer asks"),
    "E624": (ERROR, "page count outside the printer's range"),
    "E625": (ERROR, "odd page count"),
    "E626": (ERROR, "text smaller than the printer's minimum"),
    "E627": (ERROR, "rule thinner than the printer's minimum"),
    "E628": (ERROR, "ink coverage over the printer's limit"),
    "E629": (ERROR, "cover size does not match the interior's page count"),
    # the copy-editors' round trip (export docx, import docx)
    "E640": (ERROR, "review document unreadable"),
    "E641": (ERROR, "review unit's marker deleted, or the paragraph with it"),
    "E642": (ERROR, "paragraph without a marker: a unit split, or text added outside the units"),
    "E643": (ERROR, "units merged into one paragraph"),
    "E644": (ERROR, "citation or note call changed"),
    "E645": (ERROR, "note moved out of its paragraph"),
    "E646": (ERROR, "unit changed in its file since the export and in the document"),
    "E647": (ERROR, "change could not be placed in its file"),
    "W640": (WARNING, "label or formatting changed in the review document: not carried back"),
    # the EPUB checked (build --verify, check --epub)
    "E801": (ERROR, "EPUBCheck finding"),
    "E802": (ERROR, "accessibility violation found by DAISY Ace"),
    "E803": (ERROR, "EPUB checker not installed or failed"),
    "W803": (WARNING, "DAISY Ace not installed: the EPUB checked by EPUBCheck alone"),
    # quotations verified against the texts held in sources/
    "E901": (ERROR, "quotation not found in its held source, or different from it"),
    "W901": (WARNING, "quotation close to its held source but not exact"),
    "W902": (WARNING, "quotation found on another page than its locator gives"),
    "W903": (WARNING, "same passage quoted twice"),
    "W904": (WARNING, "ellipsis leaves out a negation"),
    # the machine
    "E701": (ERROR, "output folder cannot be written"),
    "W701": (WARNING, "cache cannot be used"),
    "E702": (ERROR, "a tool the build needs is missing or failed"),
}


@dataclass(frozen=True, order=True)
class Place:
    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Problem:
    code: str
    place: Place
    message: str
    hint: str = ""

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        text = f"{self.place}: {self.severity} {self.code}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class Problems:
    """An ordered collection of problems, filled by the checking stages."""

    def __init__(self, root: Path | None = None, ignore=()) -> None:
        self.root = root
        self.items: list[Problem] = []
        self.ignore = {code for code in ignore if code in CODES and CODES[code][0] == WARNING}

    def where(self, path: Path | str, line: int | None = None) -> Place:
        path = Path(path)
        if self.root is not None:
            try:  # the path as named (a link is not followed: the message names the link)
                path = Path(os.path.abspath(path)).relative_to(os.path.abspath(self.root))
            except ValueError:
                try:
                    path = path.resolve().relative_to(self.root.resolve())
                except (ValueError, OSError, RuntimeError):
                    pass
        return Place(str(path), line)

    def add(self, code: str, path: Path | str, line: int | None, message: str, hint: str = "") -> None:
        assert code in CODES, code
        if code in self.ignore:
            return
        self.items.append(Problem(code, self.where(path, line), message, hint))

    def follow_from(self, path: Path | str, line: int | None, said: str) -> None:
        """Tell, with the problem at ``path``:``line``, what follows from it (problems not reported
        on their own: the cause is the one to fix)."""
        place = self.where(path, line)
        for index, problem in enumerate(self.items):
            if problem.place == place and problem.severity == ERROR:
                self.items[index] = replace(problem, message=f"{problem.message} ({said})")
                return

    def extend(self, other: Problems) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (not p.is_error, p.place.path, p.place.line or 0, p.code))


def did_you_mean(word: str, choices) -> str:
    """A 'did you mean' hint, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


class EditionError(Exception):
    """Raised by the CLI layer when checking found errors; carries them."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(f"{len(problems.errors)} error(s)")
        self.problems = problems


def catalogue_markdown() -> str:
    """docs/problems.md, generated from CODES: ``python -m folio.problems > docs/problems.md``."""
    lines = [
        "# Problem codes",
        "",
        "Every problem the checks report has a stable code. Errors (E) stop the build before",
        "anything is written; warnings (W) are printed, and fail the build only with `--strict`.",
        "",
        "| code | severity | what |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {code} | {severity} | {title} |" for code, (severity, title) in CODES.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
