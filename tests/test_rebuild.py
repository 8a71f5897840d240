"""Rebuilds: parts taken from the cache and laid out in parallel give the same
bytes as a clean serial build; a rebuild with nothing changed does nothing; the
report of what moved names the notes, pages and index entries to proofread."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

import pytest
from conftest import REPO, copy_small, run_build

pytestmark = pytest.mark.slow  # builds books: run alone with -m 'not slow' for the fast tests


def _retitle(bib, old: str, new: str) -> None:
    text = bib.read_text(encoding="utf-8")
    assert old in text
    bib.write_text(text.replace(old, new), encoding="utf-8")


def test_cached_parallel_rebuild_is_byte_identical_to_a_clean_serial_build(capsys, tmp_path, monkeypatch):
    from folio.build import Options, build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the EPUB's dates; the PDF's come from the edition
    edition = copy_small(tmp_path / "a")
    out = tmp_path / "a" / "output"
    first = build(Options(edition=edition, output=out, workers=2))
    assert not first.problems.errors and set(first.laid_out) >= {"front", "index", "appendix"}
    assert first.changes is None  # nothing to compare with yet

    # one bibliography entry, cited in two chapters and the appendix, and one claim's analysis
    _retitle(edition.parent / "bibliography.bib", "title = {An Article}", "title = {An Article, Revised}")
    claim = edition / "claims" / "second.md"
    claim.write_text(
        claim.read_text(encoding="utf-8").replace(
            "The second claim is examined", "The second claim, as printed, is examined"
        ),
        encoding="utf-8",
    )
    import folio.ebook.units

    written = []  # the units Pandoc writes an EPUB of again: only those the edits changed
    monkeypatch.setattr(
        folio.ebook.units,
        "unit_files",
        lambda unit_id, *args, real=folio.ebook.units.unit_files: written.append(unit_id) or real(unit_id, *args),
    )
    second = build(Options(edition=edition, output=out, workers=2))
    assert not second.problems.errors
    assert "bibliography" in written and not any(unit.startswith("front") for unit in written), written
    # only the parts whose text changed were laid out again (the index and the
    # contents print numbers that did not move, the bibliography lists every entry)
    assert "front" not in second.laid_out and "index" not in second.laid_out, second.laid_out
    assert "appendix" in second.laid_out and "bibliography" in second.laid_out
    report = second.changes.text()
    assert re.search(r"note \d+ \(p\. \d+\):\n\s+before: .*An Article.*\n\s+after: .*An Article, Revised", report), (
        report
    )

    clean = tmp_path / "b"
    shutil.copytree(edition.parent, clean, ignore=shutil.ignore_patterns(".folio-cache", "output"))
    third = build(Options(edition=clean / "edition", output=clean / "output", workers=1, cache=False))
    assert not third.problems.errors and not (clean / ".folio-cache").exists()
    for name in ("small.pdf", "small.epub"):
        assert (out / name).read_bytes() == (clean / "output" / name).read_bytes(), name


def test_a_rebuild_with_nothing_changed_does_nothing(capsys, tmp_path):
    edition = copy_small(tmp_path)
    out = tmp_path / "out"
    assert run_build(capsys, edition, out).status == 0
    pdf = out / "small.pdf"
    stamp = pdf.stat().st_mtime_ns
    started = time.perf_counter()
    run = run_build(capsys, edition, out, "--changes")
    assert run.status == 0 and "Nothing changed since the last build" in run.stderr
    assert time.perf_counter() - started < 1.0
    assert pdf.stat().st_mtime_ns == stamp
    assert "nothing" in (out / "changes.txt").read_text(encoding="utf-8")
    # an output removed or replaced by hand is built again
    pdf.unlink()
    run = run_build(capsys, edition, out)
    assert run.status == 0 and "Nothing changed" not in run.stderr and pdf.exists()


def test_report_of_what_moved_names_pages_and_index_entries(capsys, tmp_path):
    from pypdf import PdfReader

    edition = copy_small(tmp_path)
    out = tmp_path / "out"
    assert run_build(capsys, edition, out).status == 0
    # a long paragraph at the start of chapter one pushes everything after it
    chapter = edition / "chapters" / "one.md"
    filler = " ".join(["Khrushchev spoke for about four hours, and the text of the report runs long."] * 60)
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n" + filler + "\n", encoding="utf-8")
    run = run_build(capsys, edition, out, "--changes", str(tmp_path / "moved.txt"))
    assert run.status == 0, run.stderr
    report = (tmp_path / "moved.txt").read_text(encoding="utf-8")
    assert "Pages that shifted:" in report and re.search(r"appendix: pp\. \d+-\d+ \(was \d+-\d+\)", report), report
    assert "Index entries that now point elsewhere:" in report and "Khrushchev, Nikita" in report
    assert "Page numbers printed in the contents and cross-references that changed:" in report
    assert report.splitlines()[1] in run.stderr  # printed too
    labels = PdfReader(str(out / "small.pdf")).page_labels
    assert labels[0] == "i" and "1" in labels and labels[-1].isdigit()


def test_report_of_what_moved_tells_text_edits_and_changes_of_every_page(capsys, tmp_path):
    """An edit of body text is listed with its sentence, before and after; a change of trim, of
    the cover or of the fonts is said to change every page; never "nothing a reader sees"."""
    from fontmaker import make_font
    from PIL import Image

    edition = copy_small(tmp_path)
    out = tmp_path / "out"
    moved = tmp_path / "moved.txt"
    assert run_build(capsys, edition, out, "--format", "pdf").status == 0
    claim = edition / "claims" / "first.md"
    claim.write_text(
        claim.read_text(encoding="utf-8").replace(
            "The analysis of the first claim", "The close analysis of the first claim"
        ),
        encoding="utf-8",
    )
    assert run_build(capsys, edition, out, "--format", "pdf", "--changes", str(moved)).status == 0
    report = moved.read_text(encoding="utf-8")
    assert "Text that changed:" in report and "nothing a reader sees" not in report, report
    assert "before: The analysis of the first claim" in report and "after:  The close analysis" in report, report

    settings = edition / "edition.yaml"
    (edition / "images").mkdir()
    Image.new("RGB", (1600, 2560), "white").save(edition / "images" / "cover.png")
    make_font(edition / "extra.ttf", "ა")
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "title: A Small Test Edition",
            "print:\n  trim: a5\n  fonts: [extra.ttf]\n  font: {regular: extra.ttf, name: Extra}\n"
            "cover: images/cover.png\ntitle: A Small Test Edition",
        ),
        encoding="utf-8",
    )
    run = run_build(capsys, edition, out, "--format", "pdf", "--changes", str(moved))
    assert run.status == 0, run.stderr
    report = moved.read_text(encoding="utf-8")
    assert "The look of the book changed:" in report and "nothing a reader sees" not in report, report
    assert "the trim: a5 (was 6x9in): every page changed" in report, report
    assert "the fonts: extra.ttf (was none): every page changed" in report, report
    assert "the cover: images/cover.png (was none)" in report, report
    assert "the typeface: Extra (was Gentium Book Plus): every page changed" in report, report


def test_assembled_pdf_keeps_links_bookmarks_and_labels(small_build):
    from pypdf import PdfReader

    reader = PdfReader(str(small_build / "small.pdf"))
    names = reader.named_destinations
    pages = {name: reader.get_destination_page_number(dest) for name, dest in names.items()}
    # every internal link resolves to a named destination of the book
    links = [
        annot.get_object()
        for page in reader.pages
        for annot in page.get("/Annots") or []
        if annot.get_object().get("/Subtype") == "/Link" and "/Dest" in annot.get_object()
    ]
    assert links and all(str(link["/Dest"]) in names for link in links)
    # a link from the appendix to a claim in chapter one (across parts) lands on the claim's page
    main_start = pages["mainmatter"]
    assert pages["claim-first"] >= main_start and pages["appendix"] > pages["claim-first"]
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    assert {"Contents", "Bibliography", "Index of Names"} <= set(titles)
    labels = reader.page_labels
    assert labels[main_start] == "1" and labels[main_start - 1] == "".join(
        ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"][main_start - 1 : main_start]
    )


def test_watch_rebuilds_on_save_and_keeps_the_last_good_output(tmp_path):
    edition = copy_small(tmp_path)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "build.py"),
            "watch",
            "--edition",
            str(edition),
            "--output",
            str(out),
            "--interval",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    seen: list[str] = []
    import threading

    guard = threading.Timer(300, process.kill)  # so that a silent watcher cannot hang the tests
    guard.start()

    def wait_for(pattern: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stdout.readline()  # the results (stdout) with the progress and problems
            if not line:
                break
            seen.append(line)
            if re.search(pattern, line):
                return
        raise AssertionError(f"no {pattern!r} in:\n{''.join(seen)}")

    try:
        wait_for(r"Waiting for the next save")
        pdf = (out / "small.pdf").read_bytes()
        _retitle(edition.parent / "bibliography.bib", "title = {An Article}", "title = {An Article, Revised}")
        wait_for(r"Saved: .*bibliography\.bib")
        wait_for(r"after: .*An Article, Revised")
        wait_for(r"Waiting for the next save")
        assert (out / "small.pdf").read_bytes() != pdf
        good = (out / "small.pdf").read_bytes()
        claim = edition / "claims" / "first.md"
        claim.write_text(claim.read_text(encoding="utf-8").replace("@beta1999", "@betta1999"), encoding="utf-8")
        wait_for(r"E\d+.*betta1999")
        wait_for(r"last good output is kept")
        assert (out / "small.pdf").read_bytes() == good
    finally:
        guard.cancel()
        process.terminate()
        process.wait(timeout=30)
