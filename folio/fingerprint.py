"""Is the last good build still the answer? A digest of everything a build reads
(the edition folder, the bibliography, the templates, the toolchain and its
tools) and of what it was asked for, kept with the outputs it wrote. When both
are unchanged, a rebuild has nothing to do and says so at once.

Light on purpose: read before the layout engine is even imported.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .cache import Store, tool_digest
from .options import Options

RECORD = "last-build.json"


def input_files(options: Options) -> list[Path]:
    """Every file a build of these options may read, in a stable order."""
    roots = [options.edition, *options.template_dirs]
    files = {options.bibliography_path.resolve()}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts):
                files.add(path.resolve())
    return sorted(files)


def fingerprint(options: Options) -> str:
    digest = hashlib.sha256(tool_digest().encode())
    asked = {"formats": list(options.formats), "strict": options.strict, "output": str(options.output_dir.resolve()),
             "templates": [str(d.resolve()) for d in options.template_dirs]}
    digest.update(json.dumps(asked, sort_keys=True).encode())
    for path in input_files(options):
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def _stamp(path: Path) -> list:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def remember(options: Options, digest: str, outputs: dict, notices: list[str], page_count: int) -> None:
    """After a good build: what it read and what it wrote (paths, sizes, times)."""
    Store(options.cache_dir).write_json(RECORD, {
        "fingerprint": digest, "page_count": page_count, "notices": notices,
        "outputs": {fmt: [str(path), *_stamp(path)] for fmt, path in outputs.items()}})


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
        if not output.is_file() or _stamp(output) != stamp:
            return None
    return record
