"""Is the last good build still the answer? A digest of everything a build reads
(the edition folder, the bibliography, the templates, the toolchain and its
tools) and of what it was asked for, kept with the outputs it wrote. When both
are unchanged, a rebuild has nothing to do and says so at once.

Light on purpose: read before the layout engine is even imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from folio.edition.files import LIMITS
from folio.options import Options
from folio.rebuild.cache import Store, tool_digest

RECORD = "last-build.json"


def _entries(root: Path):
    """(path, kind) of everything under ``root``, links not followed: kind is 'file' for a
    regular file, 'link' (with its target) for a link, else what the entry is."""
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names) + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            if name.startswith("."):
                continue
            path = Path(folder) / name
            try:
                info = path.lstat()
            except OSError:
                continue
            if stat.S_ISLNK(info.st_mode):
                yield path, "link:" + os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                yield path, "file"
            else:
                yield path, f"mode:{stat.S_IFMT(info.st_mode)}"


def input_files(options: Options) -> list[Path]:
    """Every regular file a build of these options may read, in a stable order (links are
    left out: the build reads no file through a link that leads out of the edition, and one
    that stays inside names a file that is here already)."""
    found = set()
    for root in [options.edition, *options.template_dirs]:
        found |= {path.resolve() for path, kind in _entries(root) if kind == "file"}
    for bib in _bibliographies(options):
        if bib.is_file() and not bib.is_symlink():
            found.add(bib.resolve())
    return sorted(found)


def _bibliographies(options: Options) -> list[Path]:
    if options.bibliography is not None:
        return [options.bibliography]
    return [
        folder / f"bibliography.{suffix}"
        for folder in (options.edition.parent, options.edition)
        for suffix in ("bib", "json", "yaml")
    ]


def fingerprint(options: Options) -> str:
    digest = hashlib.sha256(tool_digest().encode())
    asked = {
        "formats": list(options.formats),
        "strict": options.strict,
        "output": str(options.output_dir.resolve()),
        "templates": [str(d.resolve()) for d in options.template_dirs],
        "ignore": list(options.ignore),
    }
    digest.update(json.dumps(asked, sort_keys=True).encode())
    for root in [options.edition, *options.template_dirs]:
        for path, kind in _entries(root):
            digest.update(f"{path}\0{kind}\0".encode())
            if kind == "file":
                digest.update(_content_digest(path))
    for bib in _bibliographies(options):
        digest.update(f"{bib}\0".encode())
        if bib.is_file():
            digest.update(_content_digest(bib.resolve()))
    return digest.hexdigest()


def _content_digest(path: Path) -> bytes:
    """A regular file's content digest; for a file beyond any limit, its size and time (the build
    refuses it, and says so)."""
    try:
        info = path.stat()
        if info.st_size > max(LIMITS.values()):
            return f"large:{info.st_size}:{info.st_mtime_ns}".encode()
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()
    except OSError:
        return b"unreadable"


def _stamp(path: Path) -> list:
    """A file's size and time; a folder's (the web edition) the names, sizes and times of its files."""
    if path.is_dir():
        digest = hashlib.sha256()
        count = 0
        for item in sorted(path.rglob("*")):
            if item.is_file():
                stat = item.stat()
                digest.update(f"{item.relative_to(path)};{stat.st_size};{stat.st_mtime_ns}\n".encode())
                count += 1
        return [count, digest.hexdigest()]
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def remember(options: Options, digest: str, outputs: dict, notices: list[str], page_count: int) -> None:
    """After a good build: what it read and what it wrote (paths, sizes, times)."""
    Store(options.cache_dir).write_json(
        RECORD,
        {
            "fingerprint": digest,
            "page_count": page_count,
            "notices": notices,
            "outputs": {fmt: [str(path), *_stamp(path)] for fmt, path in outputs.items()},
        },
    )


def up_to_date(options: Options, digest: str) -> dict | None:
    """The record of the last build if nothing it read changed and its outputs are as it left them."""
    path = options.cache_dir / RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("fingerprint") != digest or set(record.get("outputs", {})) != set(options.formats):
        return None
    for _fmt, (output, *stamp) in record["outputs"].items():
        output = Path(output)
        if not (output.is_file() or output.is_dir()) or _stamp(output) != stamp:
            return None
    return record
