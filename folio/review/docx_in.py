"""A reviewed document read back: each paragraph of the body and of the footnotes with its
markers, its text twice (the tracked changes rejected, and all accepted), the tracked changes
and the comments on it. WordprocessingML is read here directly (Pandoc's reader drops the
bookmarks inside paragraphs and the comments' places); the package is untrusted: its parts are
size-capped and parsed by expat, which neither fetches nor expands external entities."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from folio.review.units import NOTE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_PART = 64 * 1024 * 1024  # bytes of one part, uncompressed
MAX_PARTS = 2000


class Unreadable(Exception):
    pass


@dataclass
class Tracked:
    kind: str  # 'insertion' or 'deletion'
    text: str
    author: str
    date: str


@dataclass
class Comment:
    ident: str
    author: str
    date: str
    text: str
    start: int = 0  # in the paragraph's accepted text
    end: int = 0


@dataclass
class Paragraph:
    where: str  # 'paragraph 12', 'footnote 3, paragraph 1'
    markers: list[str] = field(default_factory=list)
    original: str = ""  # tracked changes rejected (what the copy-editor accepted stays)
    accepted: str = ""  # every tracked change accepted
    notes_original: list[str] = field(default_factory=list)  # footnote ids of the note calls, in order
    notes_accepted: list[str] = field(default_factory=list)
    tracked: list[Tracked] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    formatting_changed: bool = False
    footnote: str = ""  # the footnote it is in ('' : the body)


@dataclass
class ReviewedDocument:
    paragraphs: list[Paragraph]  # the body's, then the footnotes'
    footnote_of: dict  # footnote id -> [paragraphs]
    comments: dict  # id -> Comment


def _part(package: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = package.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART:
        raise Unreadable(f"its part {name} is {info.file_size} bytes uncompressed, over the limit of {MAX_PART}")
    with package.open(info) as handle:
        data = handle.read(MAX_PART + 1)
    if len(data) > MAX_PART:
        raise Unreadable(f"its part {name} is over the limit of {MAX_PART} bytes")
    return data


def _parse(data: bytes, name: str):
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise Unreadable(f"its part {name} declares a document type or entities, which Word never writes")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as fault:
        raise Unreadable(f"its part {name} is not well-formed XML ({fault})") from None


def _text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter() if t.tag in (W + "t", W + "delText"))


class _Reader:
    def __init__(self, paragraph: Paragraph, comments: dict) -> None:
        self.p = paragraph
        self.comments = comments

    def walk(self, element, state: str = "", author: str = "", date: str = "") -> None:
        for child in element:
            tag = child.tag
            if tag == W + "pPr":
                continue
            if tag == W + "rPr":
                if child.find(W + "rPrChange") is not None:
                    self.p.formatting_changed = True
                continue
            if tag in (W + "ins", W + "moveTo"):
                self.walk(child, "ins", child.get(W + "author", ""), child.get(W + "date", ""))
            elif tag in (W + "del", W + "moveFrom"):
                self.walk(child, "del", child.get(W + "author", ""), child.get(W + "date", ""))
            elif tag == W + "bookmarkStart":
                name = child.get(W + "name", "")
                if name.startswith("folio_"):
                    self.p.markers.append(name)
            elif tag in (W + "t", W + "delText"):
                self.text(child.text or "", state, author, date)
            elif tag == W + "tab":
                self.text("\t", state, author, date)
            elif tag in (W + "br", W + "cr"):
                self.text(" ", state, author, date)
            elif tag == W + "noBreakHyphen":
                self.text("\u2011", state, author, date)
            elif tag == W + "footnoteReference":
                ident = child.get(W + "id", "")
                self.text(NOTE, state, author, date)
                if state != "ins":
                    self.p.notes_original.append(ident)
                if state != "del":
                    self.p.notes_accepted.append(ident)
            elif tag == W + "commentRangeStart":
                comment = self.comments.get(child.get(W + "id", ""))
                if comment is not None:
                    comment.start = len(self.p.accepted)
                    self.p.comments.append(comment)
            elif tag == W + "commentRangeEnd":
                comment = self.comments.get(child.get(W + "id", ""))
                if comment is not None:
                    comment.end = len(self.p.accepted)
            elif tag == W + "commentReference":
                comment = self.comments.get(child.get(W + "id", ""))
                if comment is not None and comment not in self.p.comments:
                    comment.start = comment.end = len(self.p.accepted)
                    self.p.comments.append(comment)
            else:
                self.walk(child, state, author, date)

    def text(self, text: str, state: str, author: str, date: str) -> None:
        if state != "ins":
            self.p.original += text
        if state != "del":
            self.p.accepted += text
        if state:
            kind = "insertion" if state == "ins" else "deletion"
            last = self.p.tracked[-1] if self.p.tracked else None
            if last and last.kind == kind and last.author == author and last.date == date:
                last.text += text
            else:
                self.p.tracked.append(Tracked(kind, text, author, date))


def _paragraphs(root, comments: dict, where: str, footnote: str = "") -> list[Paragraph]:
    out = []
    for n, element in enumerate(root.iter(W + "p"), start=1):
        paragraph = Paragraph(f"{where}paragraph {n}", footnote=footnote)
        _Reader(paragraph, comments).walk(element)
        if footnote and paragraph.original.startswith(" "):  # the space after the footnote's number
            paragraph.original = paragraph.original[1:]
            if paragraph.accepted.startswith(" "):
                paragraph.accepted = paragraph.accepted[1:]
            for comment in paragraph.comments:
                comment.start, comment.end = max(0, comment.start - 1), max(0, comment.end - 1)
        out.append(paragraph)
    return out


def read_docx(path: Path) -> ReviewedDocument:
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as fault:
        raise Unreadable(f"it is not a Word document (a .docx is a zip package: {fault})") from None
    with package:
        if len(package.infolist()) > MAX_PARTS:
            raise Unreadable(f"it has more than {MAX_PARTS} parts")
        document = _part(package, "word/document.xml")
        if document is None:
            raise Unreadable("it has no word/document.xml: not a Word document")
        comments: dict[str, Comment] = {}
        comments_xml = _part(package, "word/comments.xml")
        if comments_xml is not None:
            for element in _parse(comments_xml, "word/comments.xml").iter(W + "comment"):
                text = "\n".join(_text_of(p) for p in element.iter(W + "p")).strip()
                ident = element.get(W + "id", "")
                comments[ident] = Comment(ident, element.get(W + "author", ""), element.get(W + "date", ""), text)
        body = _parse(document, "word/document.xml").find(W + "body")
        paragraphs = _paragraphs(body, comments, "") if body is not None else []
        footnote_of: dict[str, list[Paragraph]] = {}
        footnotes_xml = _part(package, "word/footnotes.xml")
        if footnotes_xml is not None:
            for element in _parse(footnotes_xml, "word/footnotes.xml").iter(W + "footnote"):
                ident = element.get(W + "id", "")
                if element.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                found = _paragraphs(element, comments, f"footnote {ident}, ", footnote=ident)
                footnote_of[ident] = found
                paragraphs.extend(found)
    return ReviewedDocument(paragraphs, footnote_of, comments)
