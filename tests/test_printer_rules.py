"""check --pdf --printer: the interior and its cover held to KDP's and IngramSpark's published
rules (folio/press/printers.py). The sample edition passes both; each rule is made to fail by
an edition (or a PDF) that breaks it. Built for real; read back with PDFium and pikepdf."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO, copy_small, overridden_template, run_build

pytestmark = pytest.mark.slow  # lays out books


def check(capsys, edition: Path, out: Path, printer: str, pdf: Path | None = None):
    pdf = pdf or next(p for p in out.glob("*.pdf") if not p.name.endswith("-cover.pdf"))
    return run_build(capsys, edition, out, "--pdf", str(pdf), "--printer", printer, command="check")


def build(capsys, edition: Path, out: Path, *args: str):
    run = run_build(capsys, edition, out, "--format", "pdf,cover", *args)
    assert run.status == 0, run.stderr
    return run


def with_settings(edition: Path, text: str) -> Path:
    settings = edition / "edition.yaml"
    body = settings.read_text(encoding="utf-8")
    if text.startswith("print:"):
        body = body.replace("contents:\n", text + "contents:\n", 1)
    else:
        body += text
    settings.write_text(body, encoding="utf-8")
    return edition


@pytest.mark.parametrize("printer", ["kdp", "ingramspark"])
def test_the_sample_edition_passes_the_printers_rules(capsys, tmp_path, printer):
    edition = tmp_path / "sample" / "edition"
    shutil.copytree(REPO / "edition", edition, ignore=shutil.ignore_patterns(".folio-cache", "output"))
    shutil.copy(REPO / "bibliography.bib", edition.parent / "bibliography.bib")
    if printer == "ingramspark":  # its spine width comes from its cover template
        settings = edition / "edition.yaml"
        body = settings.read_text(encoding="utf-8")
        assert "  printer: kdp\n" in body
        settings.write_text(body.replace("  printer: kdp\n", "  printer: ingramspark\n  spine_width: 0.12in\n"))
    build(capsys, edition, tmp_path / "out")
    run = check(capsys, edition, tmp_path / "out", printer)
    assert run.status == 0, run.stderr
    assert not re.search(r"error E6[0-9][0-9]", run.stderr), run.stderr


def rejected(run, code: str, *words: str) -> str:
    assert run.status != 0
    lines = [line for line in run.stderr.splitlines() if f"error {code}:" in line]
    assert lines, run.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_a_trim_kdp_does_not_print(capsys, tmp_path):
    edition = with_settings(copy_small(tmp_path), "print:\n  trim: 6.5x9.5in\n")
    build(capsys, edition, tmp_path / "out")
    rejected(check(capsys, edition, tmp_path / "out", "kdp"), "E620", "6.5 x 9.5 in")


def test_too_few_pages_for_kdp(capsys, tmp_path):
    edition = copy_small(tmp_path)
    build(capsys, edition, tmp_path / "out")
    rejected(check(capsys, edition, tmp_path / "out", "kdp"), "E624", "it prints 24 to 776 on cream paper")


def test_a_gutter_too_narrow_and_margins_too_narrow(capsys, tmp_path):
    edition = with_settings(copy_small(tmp_path), "print:\n  margins: {inside: 0.3in, outside: 0.2in}\n")
    build(capsys, edition, tmp_path / "out")
    run = check(capsys, edition, tmp_path / "out", "ingramspark")
    rejected(run, "E621", "a book of", "needs 0.5 in")
    rejected(run, "E622", "at least 0.5 in")


def test_a_bleed_not_as_kdp_asks(capsys, tmp_path):
    """KDP's bleed is at the top, bottom and outside only (the page trim + 0.125 in wide); a bleed
    all round, as print: bleed: makes it, is refused."""
    edition = with_settings(copy_small(tmp_path), "print:\n  bleed: 0.125in\n")
    build(capsys, edition, tmp_path / "out")
    rejected(check(capsys, edition, tmp_path / "out", "kdp"), "E623", "0.125 in inside", "and none at the gutter")


def test_an_odd_page_count(capsys, tmp_path):
    edition = copy_small(tmp_path)
    build(capsys, edition, tmp_path / "out")
    odd = tmp_path / "odd.pdf"
    with pikepdf.open(tmp_path / "out" / "small.pdf") as pdf:
        del pdf.pages[-1]
        pdf.save(odd)
    rejected(check(capsys, edition, tmp_path / "out", "ingramspark", odd), "E625", "an odd count")


def test_text_under_kdps_seven_points(capsys, tmp_path):
    edition = with_settings(copy_small(tmp_path), "print:\n  font_size: 6pt\n")
    build(capsys, edition, tmp_path / "out")
    rejected(check(capsys, edition, tmp_path / "out", "kdp"), "E626", "under 7 pt")


def test_a_hairline(capsys, tmp_path):
    edition = copy_small(tmp_path)
    templates = overridden_template(tmp_path, "print.css", "border-top: 0.4pt solid;", "border-top: 0.1pt solid;")
    build(capsys, edition, tmp_path / "out", "--templates", str(templates))
    rejected(check(capsys, edition, tmp_path / "out", "ingramspark"), "E627", "0.10 pt thick (under 0.25 pt)")


def test_a_cover_inked_over_ingramsparks_limit(capsys, tmp_path):
    edition = with_settings(copy_small(tmp_path), "press:\n  printer: ingramspark\n  spine_width: 0.05in\n")
    templates = overridden_template(
        tmp_path, "cover.css", "device-cmyk(0.78 0.55 0.2 0.42)", "device-cmyk(1 0.8 0.8 0.6)"
    )
    build(capsys, edition, tmp_path / "out", "--templates", str(templates))
    line = rejected(check(capsys, edition, tmp_path / "out", "ingramspark"), "E628", "ink coverage of 320 %")
    assert "small-cover.pdf" in line


def test_a_cover_made_for_another_page_count(capsys, tmp_path):
    """A spine given by hand (0.3 in) where KDP's formula gives the interior's page count x 0.0025 in."""
    edition = with_settings(copy_small(tmp_path), "press:\n  spine_width: 0.3in\n")
    build(capsys, edition, tmp_path / "out")
    rejected(check(capsys, edition, tmp_path / "out", "kdp"), "E629", "a spine of 0.3000 in", "it must be")


def test_ingramspark_without_its_spine_width_is_refused(capsys, tmp_path):
    edition = with_settings(copy_small(tmp_path), "press:\n  printer: ingramspark\n")
    run = run_build(capsys, edition, tmp_path / "out", "--format", "pdf,cover")
    rejected(run, "E613", "publishes no spine formula")
    assert not (tmp_path / "out" / "small-cover.pdf").exists()
