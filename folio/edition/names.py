"""The index of names: find the persons of the edition in the text, mark
each occurrence with an anchor, and turn the pages where the anchors landed
into index entries ("Beria, Lavrentii, 12, 14-16").

Marks are placed in each unit's Pandoc AST, before the print HTML and the
EPUB are written, so both outputs carry the same anchors.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from folio import ids
from folio.edition.model import Person

INLINE_TYPES = {
    "Str",
    "Emph",
    "Underline",
    "Strong",
    "Strikeout",
    "Superscript",
    "Subscript",
    "SmallCaps",
    "Quoted",
    "Cite",
    "Code",
    "Space",
    "SoftBreak",
    "LineBreak",
    "Math",
    "RawInline",
    "Link",
    "Image",
    "Note",
    "Span",
}
SKIP = {
    "Cite",
    "Code",
    "Math",
    "RawInline",
    "Link",
    "Image",  # citations are not indexed as names
    "Header",
}  # an anchor in a heading would also land in the EPUB navigation
_EDGE = '"“”‘«»()[],.;:!?—–'  # punctuation around a word that is not part of a name
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "ʹ": "'", "′": "'"})


def slug(text: str) -> str:
    return ids.person_key(text)


def _normal(word: str) -> str:
    """One spelling of a word: composed accents (NFC: "Ye\u0301zhov" is "Y\u00e9zhov"), one kind of apostrophe."""
    return unicodedata.normalize("NFC", word).translate(_APOSTROPHES).replace("\u00ad", "")


def forms_of(person: Person) -> list[tuple[str, ...]]:
    """The word sequences that name the person, longest first (apostrophes made one kind:
    "Chubar’" and "Chubar'" are the same name)."""
    forms = set()
    names = [person.name, *person.variants]
    if ", " in person.name:  # "Beria, Lavrentii" is also written "Lavrentii Beria"
        surname, forename = person.name.split(", ", 1)
        names.append(f"{forename} {surname}")
    for name in names:
        words = tuple(_normal(w) for w in name.split())
        if words:
            forms.add(words)
    return sorted(forms, key=len, reverse=True)


def _words(token: str) -> tuple[str, ...]:
    """What a token of the text may be as a word of a name: "Chubar'," is "Chubar'" (a soft
    sign) and also "Chubar" (a closing quote); "Chubar's" is "Chubar"."""
    token = _normal(token).strip(_EDGE)
    found = [token]
    if token.endswith("'s"):
        found.append(token[:-2])
    elif token.endswith("'"):
        found.append(token.rstrip("'"))
    if token.startswith("'"):
        found += [w.lstrip("'") for w in list(found)]
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Mark:
    person: str  # canonical name
    anchor: str  # the id of the anchor in the text
    unit: str
    claim: str = ""  # the claim the mention stands in, if any


class Marker:
    """Places anchors around each occurrence of a person's name in a unit's AST. A name that
    several persons share (homonyms) is marked only where the text says who it is:
    [Zhukov]{.person key=zhukov-iurii}; ``ambiguous`` lists the unmarked ones."""

    def __init__(self, persons: tuple[Person, ...], unit: str) -> None:
        self.unit = unit
        owners: dict[tuple, set] = {}
        for person in persons:
            for form in forms_of(person):
                owners.setdefault(form, set()).add(person.name)
        self.shared = {form for form, names in owners.items() if len(names) > 1}
        self.forms = [(form, person) for person in persons for form in forms_of(person) if form not in self.shared]
        self.forms.sort(key=lambda item: len(item[0]), reverse=True)
        self.first_words = {form[0] for form, _ in self.forms} | {form[0] for form in self.shared}
        self.by_key = {person.key: person for person in persons}
        self.marks: list[Mark] = []
        self.ambiguous: list[str] = []
        self.claim = ""  # the claim being walked: set by its heading

    def mark(self, ast: dict) -> dict:
        if self.forms or self.by_key:
            ast["blocks"] = self._walk(ast["blocks"])
        return ast

    def _walk(self, node):
        if isinstance(node, list):
            if node and all(isinstance(x, dict) and x.get("t") in INLINE_TYPES for x in node):
                node = self._inlines(node)
            return [self._walk(x) for x in node]
        if isinstance(node, dict):
            if node.get("t") == "Header":  # headings are not indexed, but say which claim follows
                identifier = node["c"][1][0]
                claim_prefix = ids.PREFIXES["claim"]
                if identifier.startswith(claim_prefix) or node["c"][0] == 1:
                    self.claim = identifier[len(claim_prefix) :] if identifier.startswith(claim_prefix) else ""
                return node
            if node.get("t") in SKIP:
                return node
            if node.get("t") == "Span" and "index-mark" in node["c"][0][1]:
                return node  # a name marked already
            if "c" in node:
                node["c"] = self._walk(node["c"])
        return node

    def _inlines(self, inlines: list) -> list:
        out, i = [], 0
        while i < len(inlines):
            el = inlines[i]
            if el.get("t") == "Span" and "person" in el["c"][0][1]:
                key = dict(el["c"][0][2]).get("key", "")
                person = self.by_key.get(key)
                if person is not None:  # the editor said who it is (the checks know every key)
                    out.append(self._anchor(person, el["c"][1]))
                    i += 1
                    continue
            if el.get("t") == "Str" and set(_words(el["c"])) & self.first_words:
                match = self._match(inlines, i)
                if match:
                    person, length = match
                    if person is None:
                        self.ambiguous.append(" ".join(_text(x) for x in inlines[i : i + length]).strip())
                        out += inlines[i : i + length]
                    else:
                        out.append(self._anchor(person, inlines[i : i + length]))
                    i += length
                    continue
            out.append(el)
            i += 1
        return out

    def _match(self, inlines: list, start: int):
        """(person, number of inlines) of the longest name at ``start``; person None for a
        name several persons share."""
        candidates = [(form, person) for form, person in self.forms] + [(form, None) for form in self.shared]
        candidates.sort(key=lambda item: len(item[0]), reverse=True)
        for form, person in candidates:
            j, ok = start, True
            for n, word in enumerate(form):
                if n:
                    if j >= len(inlines) or inlines[j].get("t") not in ("Space", "SoftBreak"):
                        ok = False
                        break
                    j += 1
                if j >= len(inlines) or inlines[j].get("t") != "Str" or word not in _words(inlines[j]["c"]):
                    ok = False
                    break
                j += 1
            if ok:
                return person, j - start
        return None

    def _anchor(self, person: Person, name: list) -> dict:
        """The name wrapped in a span carrying the anchor. (An empty span before
        the name would do as an anchor, but WeasyPrint 70 then breaks and
        justifies the line badly.)"""
        anchor = ids.index_mark(person.key or slug(person.name), self.unit, len(self.marks) + 1)
        self.marks.append(Mark(person.name, anchor, self.unit, self.claim))
        return {"t": "Span", "c": [[anchor, ["index-mark"], []], name]}


def _text(element: dict) -> str:
    if element.get("t") == "Str":
        return element["c"]
    return " " if element.get("t") in ("Space", "SoftBreak") else ""


def page_ranges(pages: list[int]) -> list[tuple[int, int]]:
    """[3, 4, 4, 5, 9] -> [(3, 5), (9, 9)]"""
    ranges: list[tuple[int, int]] = []
    for page in sorted(set(pages)):
        if ranges and page == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], page)
        else:
            ranges.append((page, page))
    return ranges


def folio_label(page: int, main_start: int) -> str:
    """The folio printed on a page of the PDF: roman in the front matter, then arabic from
    the page ``main_start`` (where the main matter opens)."""
    return str(page - main_start + 1) if page >= main_start else to_roman(page)


def to_roman(number: int) -> str:
    values = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ]
    out = ""
    for value, letters in values:
        while number >= value:
            out += letters
            number -= value
    return out


@dataclass(frozen=True)
class Locator:
    label: str  # "12" or "12-14" or "xi"
    anchor: str  # the first occurrence in the range


@dataclass(frozen=True)
class IndexEntry:
    name: str
    dates: str
    locators: tuple[Locator, ...]
    subentries: tuple[tuple[str, tuple[Locator, ...]], ...] = ()  # (label, locators)

    key: str = ""

    @property
    def anchor(self) -> str:
        return ids.index_entry(self.key or slug(self.name))


def index_entries(persons: tuple[Person, ...], marks: list[Mark], folio_of, ranges: bool = True) -> list[IndexEntry]:
    """Entries in alphabetical order; ``folio_of(anchor)`` gives (sort key, printed folio) or None.

    With ``ranges`` (print) consecutive pages collapse into "14–17"; without (the
    e-book) every page where the name stands is its own link. Mentions in the claims
    of a sub-entry are listed under it, not under the heading."""
    entries = []
    for person in sorted(persons, key=lambda p: unicodedata.normalize("NFKD", p.name).casefold()):
        mine = [mark for mark in marks if mark.person == person.name]
        sub_claims = {cid for _, claim_ids in person.subentries for cid in claim_ids}
        main = _locators([m for m in mine if m.claim not in sub_claims], folio_of, ranges)
        subs = tuple(
            (label, _locators([m for m in mine if m.claim in claim_ids], folio_of, ranges))
            for label, claim_ids in person.subentries
        )
        subs = tuple((label, locs) for label, locs in subs if locs)
        if main or subs:
            entries.append(IndexEntry(person.name, person.dates, main, subs, person.key))
    return entries


def _locators(marks: list[Mark], folio_of, ranges: bool) -> tuple[Locator, ...]:
    located = []
    for mark in marks:
        where = folio_of(mark.anchor)
        if where is not None:
            located.append((where, mark.anchor))
    by_page: dict[int, tuple[str, str]] = {}
    for (physical, folio), anchor in sorted(located):
        by_page.setdefault(physical, (folio, anchor))
    roman = [page for page, (folio, _) in by_page.items() if not folio.isdigit()]
    arabic = [page for page, (folio, _) in by_page.items() if folio.isdigit()]
    spans = page_ranges(roman) + page_ranges(arabic) if ranges else [(page, page) for page in roman + arabic]
    locators = []
    for first, last in spans:  # a range never spans the two numberings
        label = by_page[first][0] if first == last else f"{by_page[first][0]}–{by_page[last][0]}"
        locators.append(Locator(label, by_page[first][1]))
    return tuple(locators)
