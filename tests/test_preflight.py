"""Preflight of a built PDF: clean on good books, each fault reported with its page."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import REPO, copy_small, run_build

pytestmark = pytest.mark.slow  # builds books: run alone with -m 'not slow' for the fast tests


def test_sample_and_small_pdfs_pass_preflight(capsys, sample_build, small_build, tmp_path):
    run = run_build(capsys, REPO / "edition", sample_build, command="check")
    assert run.status == 0
    from folio.cli import main

    capsys.readouterr()
    assert (
        main(["check", "--edition", str(REPO / "edition"), "--pdf", str(sample_build / "secret-speech-examined.pdf")])
        == 0
    )
    assert "passed preflight" in capsys.readouterr().err


def test_a_book_that_breaks_the_rules_is_refused_with_each_fault(capsys, tmp_path, monkeypatch):
    edition = copy_small(tmp_path)
    templates = tmp_path / "overrides"
    templates.mkdir()
    css = (REPO / "templates" / "print.css").read_text(encoding="utf-8")
    # parts that may open on any page (within the front matter: the parts of the main
    # matter are laid out one by one, each from a recto), and a passage pushed off the page
    # and a page number typed by hand in a cross-reference
    css += (
        "\n.unit { break-before: page !important; }\n.passage { margin-left: -3in; }\n"
        'a.claimref::after { content: " (p.\\00A0 99)"; }\n'
    )
    (templates / "print.css").write_text(css, encoding="utf-8")
    output = tmp_path / "output"
    run = run_build(capsys, edition, output, "--templates", str(templates))
    assert run.status == 1
    assert re.search(
        r"output/small\.pdf: error E603: p\. \w+ \(PDF page \d+\): 'front-\w+' opens on a verso", run.stderr
    ), run.stderr
    assert re.search(
        r"error E605: p\. \w+ \(PDF page \d+\): '.*p\. 99\)' prints page 99, but 'claim-first' is on page 1", run.stderr
    )
    assert re.search(r"error E606: p\. \w+ \(PDF page \d+\): text '.*' runs outside the trimmed page", run.stderr)
    assert re.search(r"warning W503: p\. \w+ \(PDF page \d+\): text runs [0-9.]+ pt out of the text block", run.stderr)
    assert not output.exists() or not list(output.iterdir())
    # built again, the same faults, with what each page's text says taken from the cache
    import folio.layout.preflight

    monkeypatch.setattr(folio.layout.preflight.pdfium, "PdfDocument", None)  # reading a page's text would fail
    again = run_build(capsys, edition, output, "--templates", str(templates))
    faults = [line for line in run.stderr.splitlines() if re.search(r"E60[356]", line)]
    assert (
        again.status == 1
        and faults
        and faults == [line for line in again.stderr.splitlines() if re.search(r"E60[356]", line)]
    )


def test_wrong_trim_size_and_unembedded_font_are_reported(capsys, small_build, tmp_path):
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    from folio.cli import main

    edition = copy_small(tmp_path)
    yaml_path = edition / "edition.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8") + "print:\n  trim: a5\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--edition", str(edition), "--pdf", str(small_build / "small.pdf")]) == 1
    err = capsys.readouterr().err
    assert re.search(
        r"small\.pdf: error E602: p\. i \(PDF page 1\): page is 432\.0 x 648\.0 pt; the trim size a5", err
    ), err

    writer = PdfWriter()
    page = writer.add_blank_page(width=432, height=648)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    bad = tmp_path / "bad.pdf"
    with open(bad, "wb") as handle:
        writer.write(handle)
    shutil.copy(small_build / "small.pdf", tmp_path / "good.pdf")
    assert main(["check", "--edition", str(copy_small(tmp_path / "again")), "--pdf", str(bad)]) == 1
    assert "error E601: p. 1 (PDF page 1): font /Helvetica is not embedded" in capsys.readouterr().err


def test_a_note_off_its_call_page_is_reported(capsys, small_build, tmp_path):
    """The build never writes such a PDF (it corrects the layout); a PDF made otherwise
    is caught: here the destination of a note is moved to the next page."""
    from pypdf import PdfReader, PdfWriter

    from folio.cli import main

    reader = PdfReader(str(small_build / "small.pdf"))
    writer = PdfWriter(clone_from=reader)

    def leaves(node):  # the name tree's (name, destination) pairs, through its kids
        node = node.get_object()
        names = node.get("/Names") or []
        yield from ((names[i], names[i + 1]) for i in range(0, len(names), 2))
        for kid in node.get("/Kids") or []:
            yield from leaves(kid)

    note_page = reader.get_destination_page_number(reader.named_destinations["note-chapter-one-1"])
    for name, destination in leaves(writer._root_object["/Names"]["/Dests"]):
        if name == "note-chapter-one-1":
            destination.get_object()[0] = writer.pages[note_page + 1].indirect_reference
    bad = tmp_path / "moved.pdf"
    with open(bad, "wb") as handle:
        writer.write(handle)
    capsys.readouterr()
    assert main(["check", "--edition", str(copy_small(tmp_path)), "--pdf", str(bad)]) == 1
    assert re.search(
        r"error E604: p\. \w+ \(PDF page \d+\): note chapter-one-1 is called here but printed on p\. \w+ \(PDF page \d+\)",
        capsys.readouterr().err,
    )
