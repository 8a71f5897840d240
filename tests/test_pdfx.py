"""The printer's copy: a PDF/X-4 book with a CMYK output intent, read back; and the
faults a PDF/X file must not have, each reported before anything is written."""

from __future__ import annotations

import re
import shutil
from importlib import resources

import pytest
from conftest import copy_small, run_build
from pypdf import PdfReader
from pypdf.generic import ContentStream

from folio.edition.output_intent import read_header

pytestmark = pytest.mark.slow  # builds books: run alone with -m 'not slow' for the fast tests

PDFX4 = "print:\n  trim: 6x9in\n  bleed: 0.125in\n  pdf_variant: pdf/x-4\n"


def with_settings(edition, settings: str):
    (edition / "edition.yaml").write_text((edition / "edition.yaml").read_text() + settings)
    return edition


def paint_operators(reader: PdfReader) -> dict[str, set]:
    """Colour operators used on each page (its content and its form XObjects), by page."""
    found: dict[str, set] = {}

    def walk(content, resources, ops: set) -> None:
        for operands, operator in ContentStream(content, reader).operations:
            if operator in (b"rg", b"RG", b"k", b"K", b"g", b"G", b"cs", b"CS", b"sc", b"scn", b"SC", b"SCN"):
                ops.add((operator.decode(), tuple(str(o) for o in operands)))
        for ref in ((resources or {}).get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject, xobject.get("/Resources"), ops)
            elif xobject.get("/Subtype") == "/Image":
                ops.add(("image", str(xobject.get("/ColorSpace"))))

    for number, page in enumerate(reader.pages, start=1):
        ops: set = set()
        walk(page.get_contents(), page.get("/Resources"), ops)
        found[number] = ops
    return found


def test_pdfx4_is_the_printers_copy(capsys, tmp_path, monkeypatch, fogra39):
    """PDF/X-4: one GTS_PDFX output intent carrying a CMYK printer profile (Coated FOGRA39
    unless the edition names its printer's), the PDF/X identification in the XMP and the
    document information, the trim and bleed boxes, no annotation on the page, every mark
    in black ink (DeviceCMYK) and none in RGB; the same bytes on every build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # two builds to compare, dated alike
    edition = with_settings(copy_small(tmp_path), PDFX4)
    run = run_build(capsys, edition, tmp_path / "out", "--no-cache")
    assert run.status == 0, run.stderr
    path = tmp_path / "out" / "small.pdf"
    reader = PdfReader(str(path))
    assert float(reader.pdf_header[5:]) >= 1.6

    root = reader.trailer["/Root"]
    intents = [i.get_object() for i in root["/OutputIntents"]]
    assert [i["/S"] for i in intents] == ["/GTS_PDFX"]
    profile = intents[0]["/DestOutputProfile"].get_object().get_data()
    header = read_header(profile)
    assert (header.device_class, header.colour_space) == ("prtr", "CMYK")
    assert intents[0]["/OutputConditionIdentifier"] == "FOGRA39"
    assert path.stat().st_size < 2 * len(profile), "the profile is carried once, not once per part"

    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>", xmp), xmp
    assert "xmp.did:" in xmp
    assert reader.metadata["/Trapped"] == "/False" and reader.metadata["/Title"]
    assert reader.metadata["/GTS_PDFXVersion"] == "PDF/X-4"

    trim, bleed = 6 * 72, 0.125 * 72
    for page in reader.pages:
        assert "/Annots" not in page, "PDF/X allows no links inside the trimmed page"
        assert abs(float(page.trimbox.width) - trim) < 0.5
        assert abs(float(page.bleedbox.width) - (trim + 2 * bleed)) < 0.5
    assert reader.outline, "the bookmarks stay"

    painted = paint_operators(reader)
    rgb = {n: [op for op in ops if op[0] in ("rg", "RG")] for n, ops in painted.items()}
    assert not any(rgb.values()), {n: ops for n, ops in rgb.items() if ops}
    text_colours = {op for ops in painted.values() for op in ops if op[0] == "scn"}
    assert text_colours == {("scn", ("0", "0", "0", "1"))}, text_colours
    assert all(("cs", ("/DeviceCMYK",)) in ops for ops in painted.values() if any(o[0] == "scn" for o in ops))

    # the built file passes the preflight as it is, and a second clean build is the same bytes
    check = run_build(capsys, edition, tmp_path / "out", "--pdf", str(path), command="check")
    assert check.status == 0 and "E60" not in check.stderr, check.stderr
    again = run_build(capsys, edition, tmp_path / "again", "--no-cache")
    assert again.status == 0
    assert (tmp_path / "again" / "small.pdf").read_bytes() == path.read_bytes()


def test_pdfx_with_the_printers_own_profile(capsys, tmp_path, fogra39):
    edition = copy_small(tmp_path)
    (edition / "print").mkdir()
    shutil.copy(fogra39, edition / "print" / "printer.icc")
    with_settings(edition, PDFX4 + "  output_profile: print/printer.icc\n")
    run = run_build(capsys, edition, tmp_path / "out", "--format", "pdf")
    assert run.status == 0, run.stderr
    root = PdfReader(str(tmp_path / "out" / "small.pdf")).trailer["/Root"]
    carried = root["/OutputIntents"][0].get_object()["/DestOutputProfile"].get_object().get_data()
    assert carried == (edition / "print" / "printer.icc").read_bytes()


def test_rgb_colour_in_a_pdfx_book_is_reported_with_its_pages(capsys, tmp_path):
    edition = with_settings(copy_small(tmp_path), PDFX4)
    templates = tmp_path / "templates"
    templates.mkdir()
    css = (resources.files("folio").joinpath("..", "templates", "print.css")).read_text()
    (templates / "print.css").write_text(css + "\nh2 { color: #335; }\n")
    out = tmp_path / "out"
    run = run_build(capsys, edition, out, "--templates", str(templates), "--format", "pdf")
    assert run.status == 1
    assert re.search(
        r"small\.pdf: error E607: p\. \w+ \(PDF page \d+\): RGB colour on \d+ page\(s\) of a pdf/x-4 file: \d+",
        run.stderr,
    ), run.stderr
    assert "device-cmyk(" in run.stderr  # the hint
    assert not (out / "small.pdf").exists(), "nothing is written"


@pytest.mark.parametrize(
    "settings, expected",
    [
        (
            "  output_profile: print/srgb.icc\n",
            r"edition\.yaml:\d+: error E107: output profile print/srgb\.icc is a RGB "
            r"profile",
        ),
        (
            "  output_profile: print/missing.icc\n",
            r"edition\.yaml:\d+: error E100: output profile 'print/missing\.icc' "
            r"file not found",
        ),
        (
            "  output_profile: print/notes.txt\n",
            r"edition\.yaml:\d+: error E107: output profile print/notes\.txt "
            r"not an ICC profile",
        ),
        ("  crop_marks: true\n", r"edition\.yaml:\d+: error E105: crop marks cannot go into a pdf/x-4 file"),
    ],
)
def test_unusable_output_intents_are_reported_by_the_check(capsys, tmp_path, settings, expected):
    edition = copy_small(tmp_path)
    (edition / "print").mkdir()
    weasyprint_srgb = resources.files("weasyprint") / "pdf" / "sRGB2014.icc"
    (edition / "print" / "srgb.icc").write_bytes(weasyprint_srgb.read_bytes())
    (edition / "print" / "notes.txt").write_text("not a profile\n")
    with_settings(edition, PDFX4 + settings)
    run = run_build(capsys, edition, tmp_path / "out", command="check")
    assert run.status == 1
    assert re.search(expected, run.stderr), run.stderr
    assert "hint:" in run.stderr and "Traceback" not in run.stderr


def test_an_output_profile_without_pdfx_is_a_warning(capsys, tmp_path, fogra39):
    edition = copy_small(tmp_path)
    (edition / "print").mkdir()
    shutil.copy(fogra39, edition / "print" / "printer.icc")
    with_settings(edition, "print:\n  output_profile: print/printer.icc\n")
    run = run_build(capsys, edition, tmp_path / "out", command="check")
    assert run.status == 0
    assert re.search(
        r"edition\.yaml:\d+: warning W101: print\.output_profile is used only by a PDF/X variant", run.stderr
    ), run.stderr


def test_folio_alone_makes_the_default_profile_on_first_use(capsys, tmp_path, monkeypatch):
    """An installation with nothing beside folio (pip, pipx): the first PDF/X build makes
    Coated FOGRA39 from the measurements in the package, once, into the user's data folder,
    and carries it; a data folder that cannot take it is E107, naming it and what to do."""
    from folio.edition import output_intent

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data folder should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocked))
    edition = with_settings(copy_small(tmp_path), PDFX4)
    refused = run_build(capsys, edition, tmp_path / "out", command="check")
    assert refused.status == 1 and "error E107" in refused.stderr, refused.stderr
    assert str(blocked) in refused.stderr and "print.output_profile" in refused.stderr, refused.stderr
    assert "XDG_DATA_HOME" in refused.stderr and "Traceback" not in refused.stderr

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    run = run_build(capsys, edition, tmp_path / "out", "--format", "pdf", "--no-cache")
    assert run.status == 0, run.stderr
    kept = output_intent.user_profile()
    assert kept.parent == tmp_path / "data" / "folio" and not list(kept.parent.glob(".*.part"))
    made = kept.read_bytes()
    assert (read_header(made).device_class, read_header(made).colour_space) == ("prtr", "CMYK")
    intents = PdfReader(str(tmp_path / "out" / "small.pdf")).trailer["/Root"]["/OutputIntents"]
    assert intents[0].get_object()["/DestOutputProfile"].get_object().get_data() == made
