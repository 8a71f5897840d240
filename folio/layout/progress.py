"""Live progress of the long step (laying out the print book's parts).

On a terminal: a tqdm bar on stderr with the parts laid out of the total, the pages so
far, the elapsed and the estimated time. Not on a terminal (a log, CI, a pipe): one plain
line a part. With ``-q`` (the 'folio' logger above INFO): nothing. tqdm writes no colour
unless asked, so ``NO_COLOR`` holds; ``FOLIO_PROGRESS=plain`` forces the plain lines.
"""

from __future__ import annotations

import logging
import os
import sys
import time

log = logging.getLogger("folio")


def _format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class PartProgress:
    """Told of each part as it is laid out (``done``); closed when the round ends."""

    def __init__(self, total: int, label: str = "laying out") -> None:
        self.total, self.count, self.pages = total, 0, 0
        self.started = time.perf_counter()
        self.enabled = log.isEnabledFor(logging.INFO) and total > 0
        self.bar = None
        if self.enabled and _on_terminal():
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc=f"  {label}",
                unit="part",
                file=sys.stderr,
                leave=False,
                **({"dynamic_ncols": True} if _columns() >= 40 else {"ncols": 80, "nrows": 24}),
                bar_format="{desc}: {n_fmt}/{total_fmt} parts |{bar}|{postfix} [{elapsed}<{remaining}]",
                postfix="0 pages",
            )

    def done(self, name: str, pages: int, printed: bool = False) -> None:
        """A part is done: laid out, or (``printed``) printed from its draft."""
        if not self.enabled:
            return
        self.count += 1
        self.pages += pages
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.pages} pages", refresh=False)
            self.bar.update(1)
            self.bar.refresh()  # a part takes seconds: show each one, whatever tqdm's interval
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.count * (self.total - self.count)
        estimate = f", about {_format_seconds(left)} to go" if self.count < self.total else ""
        log.info(
            "  %s %s (%d pages): %d of %d parts, %d pages, %s%s",
            "printed" if printed else "laid out",
            name,
            pages,
            self.count,
            self.total,
            self.pages,
            _format_seconds(elapsed),
            estimate,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _columns() -> int:
    """The terminal's width (0 on a terminal that does not say, such as a bare pty)."""
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 0


def _on_terminal() -> bool:
    if os.environ.get("FOLIO_PROGRESS", "").lower() == "plain" or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
