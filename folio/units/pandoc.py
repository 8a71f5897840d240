"""The one place Pandoc is run from: the binary that pypandoc ships, through subprocess,
so that its warnings reach the editor instead of being swallowed; always in its sandbox
(it reads only the files named on its command line, and nothing from the network), and
with a time limit. Below every unit stage: the conversion, the fragments' readers and
the EPUB's writer all run Pandoc through it.
"""

from __future__ import annotations

import os
import subprocess
from importlib import resources
from pathlib import Path

import pypandoc

FILTERS = Path(str(resources.files("folio") / "filters"))
PANDOC_TIMEOUT = 600  # seconds; a unit of a 400-page book takes about one


class PandocError(Exception):
    def __init__(self, what: str, message: str) -> None:
        super().__init__(f"{what}: {message}")
        self.what = what
        self.message = message


def pandoc_path() -> str:
    return pypandoc.get_pandoc_path()


def _environment() -> dict:
    env = dict(os.environ)
    env.setdefault("LANG", "C.UTF-8")
    return env


def _run(command: list[str], text: str, what: str, cwd: Path | None = None) -> tuple[str, str]:
    """Run a Pandoc command on ``text``; (stdout, stderr). Raises PandocError on failure."""
    try:
        process = subprocess.run(
            command,
            input=text.encode("utf-8"),
            capture_output=True,
            cwd=str(cwd) if cwd else None,
            env=_environment(),
            timeout=PANDOC_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise PandocError(what, f"Pandoc took more than {PANDOC_TIMEOUT} s") from None
    except OSError as exc:
        raise PandocError(what, f"Pandoc could not be run ({exc.strerror}): reinstall pypandoc-binary") from None
    stderr = process.stderr.decode("utf-8", "replace")
    if process.returncode != 0:
        raise PandocError(what, stderr.strip() or f"exit status {process.returncode}")
    return process.stdout.decode("utf-8"), stderr


def run_pandoc(
    args: list[str], text: str, what: str, cwd: Path | None = None, sandbox: bool = True
) -> tuple[str, list[str]]:
    """Run pandoc; return (stdout, warning lines). Raises PandocError on failure."""
    stdout, stderr = _run([pandoc_path(), *(["--sandbox"] if sandbox else []), *args], text, what, cwd)
    return stdout, [line for line in stderr.splitlines() if line.strip()]


def run_pandoc_lua(script: str, text: str, what: str) -> str:
    """Run one of our Lua scripts with ``pandoc lua``; its output."""
    return _run([pandoc_path(), "lua", str(FILTERS / script)], text, what)[0]
