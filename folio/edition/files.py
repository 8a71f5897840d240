"""One resolver for every file an edition names, and the one reader of its text.

An edition may come from an author nobody at the press has met. What it names
(its parts, claims, quotations, persons, images, cover, style, templates,
output profile) is resolved here: links and '..' are followed, and anything
that ends outside the folders the build may read (the edition, the template
folders, the package's own data) is refused; only regular files are read, and
none larger than its limit. Text is read as UTF-8 with its faults placed: a
byte that is not UTF-8 or a control character is named by line and column.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# bytes a file of each kind may hold: far above any real edition (a 400-page book is about
# 1 MB of Markdown in all), far below what would exhaust the machine
LIMITS = {
    "markdown": 2_000_000,
    "source": 4_000_000,  # a text the edition quotes (sources/): a whole book of OCR is about 1 MB
    "yaml": 4_000_000,
    "bibliography": 32_000_000,
    "image": 64_000_000,
    "template": 1_000_000,
    "style": 2_000_000,
    "profile": 16_000_000,
    "font": 40_000_000,
}

# C0 controls other than tab, line feed and carriage return, DEL and the C1 controls: no
# book prints them, XML (and so the EPUB) forbids most of them
_CONTROL = {c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)} | {0x7F} | set(range(0x80, 0xA0))
_CONTROL_TABLE = {c: None for c in _CONTROL}
_SOURCE_CONTROL_TABLE = {c: None for c in _CONTROL if c != 0x0C}


class Refused(Exception):
    """A file the build will not read: outside the edition, not a regular file, too large,
    or not text. ``message`` and ``hint`` are for the editor; ``line`` and ``column`` place a
    fault inside the file when there is one."""

    def __init__(self, message: str, hint: str = "", line: int | None = None, code: str = "E100") -> None:
        super().__init__(message)
        self.message, self.hint, self.line, self.code = message, hint, line, code


def within(path: Path, roots) -> bool:
    return any(path == root or root in path.parents for root in roots)


def resolve(base: Path, name: str, roots, what: str = "file") -> Path:
    """``name`` relative to ``base``, links followed, if it ends inside one of ``roots`` (resolved
    folders); otherwise Refused. Absolute names and URLs are refused."""
    text = str(name).strip()
    if not text:
        raise Refused(f"the {what} name is empty")
    if "\0" in text:
        raise Refused(f"the {what} name holds a NUL character")
    if "://" in text or text.startswith(("data:", "javascript:", "file:")):
        raise Refused(
            f"{what} '{text}' is a URL, not a file of the edition",
            "copy the file into the edition folder and give its path relative to it",
            code="E213",
        )
    if os.path.isabs(text) or text.startswith("~"):
        raise Refused(f"{what} '{text}' is an absolute path", "give a path relative to the edition folder", code="E213")
    try:
        path = (base / text).resolve()
    except (OSError, RuntimeError) as exc:  # a loop of links
        raise Refused(f"{what} '{text}' cannot be resolved ({exc})", code="E213") from None
    if not within(path, roots):
        raise Refused(
            f"{what} '{text}' lies outside the edition folder"
            + (" (through a symbolic link)" if _plainly_inside(base, text) else ""),
            "the build reads only files inside the edition folder: copy the file there",
            code="E213",
        )
    return path


def _plainly_inside(base: Path, text: str) -> bool:
    """Whether the name itself stays inside (so the link is what leads out)."""
    depth = 0
    for part in Path(text).parts:
        depth += -1 if part == ".." else (0 if part == "." else 1)
        if depth < 0:
            return False
    return True


def check_file(path: Path, roots, kind: str) -> Path:
    """``path`` resolved, if it is a regular file inside ``roots`` no larger than its kind's limit."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:
        raise Refused(f"cannot be resolved ({exc})", code="E213") from None
    if not within(real, roots):
        raise Refused(
            f"is a link to {real}, outside the edition folder",
            "the build reads only files inside the edition folder: replace the link by the file itself",
            code="E213",
        )
    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise Refused("file not found", code="E100") from None
    except OSError as exc:
        raise Refused(f"cannot be read ({exc.strerror})", code="E100") from None
    if not stat.S_ISREG(info.st_mode):
        kind_name = (
            "a folder"
            if stat.S_ISDIR(info.st_mode)
            else "a named pipe"
            if stat.S_ISFIFO(info.st_mode)
            else "a device"
            if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "a socket"
            if stat.S_ISSOCK(info.st_mode)
            else "not a regular file"
        )
        raise Refused(f"is {kind_name}, not a regular file", "the edition holds ordinary files only", code="E109")
    limit = LIMITS[kind]
    if info.st_size > limit:
        raise Refused(
            f"is {info.st_size:,} bytes; a {kind} file may hold at most {limit:,}",
            "split it into several files, or check that it is the file you meant",
            code="E109",
        )
    return real


def read_bytes(path: Path, roots, kind: str) -> bytes:
    real = check_file(path, roots, kind)
    try:
        with open(real, "rb", opener=_no_block_opener) as handle:
            data = handle.read(LIMITS[kind] + 1)
    except OSError as exc:
        raise Refused(f"cannot be read ({exc.strerror})", code="E100") from None
    if len(data) > LIMITS[kind]:  # it grew since it was looked at
        raise Refused(f"holds more than {LIMITS[kind]:,} bytes", code="E109")
    return data


def _no_block_opener(path, flags):
    return os.open(path, flags | os.O_NONBLOCK)  # a file swapped for a pipe must not hang the build


def decode(data: bytes, what: str = "the file", form_feeds: bool = False) -> str:
    """UTF-8 text without its byte-order mark; Refused (with the line and column) for a byte
    that is not UTF-8 or a control character (a form feed is allowed where ``form_feeds`` says:
    in a held source, where it ends a scanned page)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        guess = _guess_encoding(data)
        raise Refused(
            f"{what} is not UTF-8: byte 0x{data[exc.start]:02x} at line {line}, column {column}"
            + (f" (it looks like {guess})" if guess else ""),
            "save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
            line=line,
            code="E101",
        ) from None
    table = _SOURCE_CONTROL_TABLE if form_feeds else _CONTROL_TABLE
    if text.translate(table) != text:
        index = next(i for i, ch in enumerate(text) if ord(ch) in table)
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        raise Refused(
            f"control character U+{ord(text[index]):04X} at line {line}, column {column}",
            "remove it: no book prints control characters (a NUL often comes from a damaged or binary file)",
            line=line,
            code="E108",
        )
    return text


def _guess_encoding(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\0") > 10:
        return "UTF-16"
    if b"\0" in data[:4096]:
        return "a binary file"
    return "Latin-1 or Windows-1252"


def read_text(path: Path, roots, kind: str) -> str:
    """The text of an edition file, checked (see ``check_file`` and ``decode``)."""
    return decode(read_bytes(path, roots, kind), form_feeds=kind == "source")


def regular_files(folder: Path, pattern: str) -> list[Path]:
    """The entries of ``folder`` matching ``pattern``, sorted, whatever they are (the reader
    refuses what is not a regular file inside the edition, with a message)."""
    try:
        return sorted(p for p in folder.glob(pattern) if not p.name.startswith("."))
    except OSError:
        return []
