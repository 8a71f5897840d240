"""``python build.py watch``: rebuild on every save of the edition, the
bibliography or the templates, and print what moved. A save that breaks the
edition prints its problems; the last good output stays in place (a build
writes nothing unless it succeeds). Polls file times: no extra dependency, and
it works the same on network and container file systems."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from folio.options import Options
from folio.rebuild.fingerprint import input_files

log = logging.getLogger("folio")


def _state(options: Options) -> dict[Path, tuple[int, int]]:
    found = {}
    for path in input_files(options):
        try:
            stat = path.stat()
        except OSError:
            continue
        found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def watch(options: Options, args, rebuild: Callable[[], int]) -> int:
    interval = max(0.1, getattr(args, "interval", 0.5))
    log.info("Watching %s, its bibliography and the templates; Ctrl-C stops.", options.edition)
    try:
        last = _state(options)  # before building: a save during the build is seen after it
        _attempt(rebuild)
        while True:
            time.sleep(interval)
            now = _state(options)
            if now == last:
                continue
            time.sleep(interval)  # let an editor finish saving several files
            now = _state(options)
            changed = sorted({p for p in now.keys() | last.keys() if now.get(p) != last.get(p)})
            root = Path(os.path.commonpath([str(p) for p in changed])) if changed else Path(".")
            log.info(
                "\nSaved: %s",
                ", ".join(str(p.relative_to(root.parent)) if p != root else p.name for p in changed[:6])
                + (" ..." if len(changed) > 6 else ""),
            )
            _attempt(rebuild)
            last = now
    except KeyboardInterrupt:
        print("folio: stopped watching", file=sys.stderr)
        return 0


def _attempt(rebuild: Callable[[], int]) -> None:
    try:
        status = rebuild()
    except Exception as exc:  # keep watching: the next save may mend it
        print(f"folio: internal error: {type(exc).__name__}: {exc} (the last good output is kept)", file=sys.stderr)
        return
    if status:
        log.warning("The last good output is kept; waiting for the next save.")
    else:
        log.info("Waiting for the next save.")
