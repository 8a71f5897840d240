"""Live progress of the layout: a bar on a terminal, plain lines elsewhere, nothing with -q."""

from __future__ import annotations

import io
import logging
import os
import select
import sys
import time

import pytest

from folio.layout.progress import PartProgress


@pytest.fixture
def folio_log():
    log = logging.getLogger("folio")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    saved = log.level, log.handlers[:], log.propagate
    log.handlers[:], log.propagate = [handler], False
    yield log, stream
    log.setLevel(saved[0])
    log.handlers[:], log.propagate = saved[1], saved[2]


def test_plain_lines_when_not_on_a_terminal(folio_log, monkeypatch):
    log, stream = folio_log
    log.setLevel(logging.INFO)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    progress = PartProgress(3)
    for name, pages in (("chapter-one", 12), ("front", 8), ("index", 3)):
        progress.done(name, pages)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("  laid out chapter-one (12 pages): 1 of 3 parts, 12 pages, ")
    assert "to go" in lines[0] and "to go" not in lines[-1]
    assert lines[-1].startswith("  laid out index (3 pages): 3 of 3 parts, 23 pages, ")


def test_nothing_when_quiet(folio_log, monkeypatch):
    log, stream = folio_log
    log.setLevel(logging.WARNING)  # -q
    progress = PartProgress(2)
    progress.done("front", 8)
    progress.close()
    assert stream.getvalue() == ""


def _read_all(master: int, quiet: float = 1.0, limit: float = 10.0) -> str:
    """All a pseudo-terminal holds: the kernel hands a pty's output to the reader in
    pieces, later on a loaded machine (CI read only the bar's first line in one read)."""
    chunks, deadline = [], time.monotonic() + limit
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], quiet)
        if not ready:
            break
        chunks.append(os.read(master, 65536))
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_bar_on_a_terminal_that_erases_itself(folio_log, monkeypatch):
    log, stream = folio_log
    log.setLevel(logging.INFO)
    monkeypatch.delenv("FOLIO_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    master, slave = os.openpty()  # a terminal with no size, as under `script`
    terminal = os.fdopen(slave, "w", encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", terminal)
    progress = PartProgress(2)
    progress.done("front", 8)
    progress.done("index", 3)
    progress.close()
    terminal.flush()
    written = _read_all(master)
    terminal.close()
    os.close(master)
    assert "laying out: 2/2 parts" in written and "11 pages" in written
    assert written.rstrip(" ").endswith("\r")  # leave=False: the line is cleared for what follows
    assert stream.getvalue() == ""  # no plain lines beside the bar
