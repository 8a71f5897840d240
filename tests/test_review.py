"""The copy-editors' round trip: folio export docx, a reviewer's changes made in the document as
Word makes them (accepted edits, tracked insertions and deletions w:ins / w:del, comments), and
folio import docx carrying them back into the edition's files at their places, byte for byte
elsewhere; what cannot be placed is refused with a code and nothing is written. The documents
are real WordprocessingML read back by folio's reader; LibreOffice opens and saves them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import REPO, copy_small, run_build

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

from folio.build import Options, gather  # noqa: E402
from folio.review.units import review_files  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ElementTree.register_namespace("w", W)
ElementTree.register_namespace("r", "http://schemas.openxmlformats.org/officeDocument/2006/relationships")


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def snapshot(edition: Path) -> dict[str, bytes]:
    return {str(p.relative_to(edition)): p.read_bytes() for p in sorted(edition.rglob("*")) if p.is_file()}


@pytest.fixture
def manuscript(tmp_path) -> Path:
    """The small generated manuscript: notes in passages and quotations, person spans, three-level
    headings, apostrophes, quotations written by yaml.safe_dump (single-quoted over many lines)."""
    generate(tmp_path / "ms", small=True)
    return tmp_path / "ms" / "edition"


@pytest.fixture
def sample(tmp_path) -> Path:
    shutil.copytree(REPO / "edition", tmp_path / "sample" / "edition", ignore=shutil.ignore_patterns(".folio-cache"))
    shutil.copy(REPO / "bibliography.bib", tmp_path / "sample" / "bibliography.bib")
    return tmp_path / "sample" / "edition"


def export(capsys, edition: Path) -> Path:
    run = run_build(capsys, edition, edition.parent / "output", "docx", command="export")
    assert run.status == 0, run.stderr
    (docx,) = (edition.parent / "output").glob("*-review.docx")
    return docx


def import_(capsys, edition: Path, docx: Path, *args: str):
    return run_build(capsys, edition, edition.parent / "output", "docx", str(docx), *args, command="import")


def unit(edition: Path, file_name: str, contains: str):
    """(the review file, the unit) whose file is named ``file_name`` and whose text has ``contains``."""
    files = review_files(gather(Options(edition=edition)).edition)
    for file in files:
        if file.path.name == file_name:
            for u in file.units:
                if contains in u.text:
                    return file, u
    raise AssertionError(f"no unit with {contains!r} in {file_name}")


class Reviewed:
    """A review document opened for changes made as Word makes them."""

    def __init__(self, docx: Path) -> None:
        self.source = docx
        with zipfile.ZipFile(docx) as package:
            self.parts = {name: package.read(name) for name in package.namelist()}
        self.trees = {
            name: ElementTree.fromstring(self.parts[name]) for name in ("word/document.xml", "word/footnotes.xml")
        }
        self.comments: list[str] = []

    def paragraph(self, marker_prefix: str):
        for tree in self.trees.values():
            for p in tree.iter(q("p")):
                for mark in p.iter(q("bookmarkStart")):
                    if mark.get(q("name"), "").startswith(marker_prefix):
                        return p
        raise AssertionError(marker_prefix)

    @staticmethod
    def prefix(u) -> str:
        return f"folio_{u.file_index}_{u.ordinal}_"

    def _split(self, p, word: str):
        """The run holding ``word`` split in three; returns the middle run (holding ``word``)."""
        for parent in [p, *p.iter()]:
            for index, run in enumerate(list(parent)):
                if run.tag != q("r"):
                    continue
                t = run.find(q("t"))
                if t is None or word not in (t.text or ""):
                    continue
                before, after = t.text.split(word, 1)
                runs = []
                for text in (before, word, after):
                    new = ElementTree.Element(q("r"))
                    if run.find(q("rPr")) is not None:
                        new.append(run.find(q("rPr")))
                    nt = ElementTree.SubElement(new, q("t"))
                    nt.text = text
                    nt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                    runs.append(new)
                parent.remove(run)
                for k, new in enumerate(runs):
                    parent.insert(index + k, new)
                return parent, runs[1]
        raise AssertionError(word)

    def accept_edit(self, p, old: str, new: str) -> None:
        """A change made with Track Changes off, or tracked and accepted: plain text."""
        for t in p.iter(q("t")):
            if old in (t.text or ""):
                t.text = t.text.replace(old, new, 1)
                return
        raise AssertionError(old)

    def track_delete(self, p, word: str, author: str = "Copy Editor") -> None:
        parent, run = self._split(p, word)
        index = list(parent).index(run)
        parent.remove(run)
        wrapper = ElementTree.Element(
            q("del"), {q("id"): "901", q("author"): author, q("date"): "2026-12-01T10:00:00Z"}
        )
        run.find(q("t")).tag = q("delText")
        wrapper.append(run)
        parent.insert(index, wrapper)

    def track_insert(self, p, after: str, text: str, author: str = "Copy Editor") -> None:
        parent, run = self._split(p, after)
        index = list(parent).index(run)
        wrapper = ElementTree.Element(
            q("ins"), {q("id"): "902", q("author"): author, q("date"): "2026-12-01T10:00:00Z"}
        )
        new = ElementTree.SubElement(wrapper, q("r"))
        nt = ElementTree.SubElement(new, q("t"))
        nt.text = text
        nt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        parent.insert(index + 1, wrapper)

    def comment(self, p, word: str, text: str, author: str = "Reviewer") -> None:
        ident = str(len(self.comments) + 1)
        parent, run = self._split(p, word)
        index = list(parent).index(run)
        parent.insert(index, ElementTree.Element(q("commentRangeStart"), {q("id"): ident}))
        parent.insert(index + 2, ElementTree.Element(q("commentRangeEnd"), {q("id"): ident}))
        ref = ElementTree.Element(q("r"))
        ElementTree.SubElement(ref, q("commentReference"), {q("id"): ident})
        parent.insert(index + 3, ref)
        self.comments.append(
            f'<w:comment w:id="{ident}" w:author="{author}" w:date="2026-12-01T10:00:00Z">'
            f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:comment>"
        )

    def remove_marker(self, p) -> None:
        for mark in list(p.iter(q("bookmarkStart"))):
            p.remove(mark)

    def merge(self, first, second) -> None:
        """The second paragraph joined to the first (its paragraph mark deleted, the change accepted)."""
        for child in list(second):
            if child.tag != q("pPr"):
                first.append(child)
        for tree in self.trees.values():
            for parent in tree.iter():
                if second in list(parent):
                    parent.remove(second)
                    return

    def move_note_call(self, source, target) -> None:
        for parent in [source, *source.iter()]:
            for run in list(parent):
                if run.tag == q("r") and run.find(q("footnoteReference")) is not None:
                    parent.remove(run)
                    target.append(run)
                    return
        raise AssertionError("no note call")

    def save(self, target: Path) -> Path:
        parts = dict(self.parts)
        for name, tree in self.trees.items():
            parts[name] = ElementTree.tostring(tree, xml_declaration=True, encoding="UTF-8")
        if self.comments:
            parts["word/comments.xml"] = (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments xmlns:w="{W}">'
                + "".join(self.comments)
                + "</w:comments>"
            ).encode()
            parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
                b"</Types>",
                b'<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.wordprocessingml.comments+xml"/></Types>',
            )
            parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
                b"</Relationships>",
                b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/comments" Target="comments.xml"/></Relationships>',
            )
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
            for name, data in parts.items():
                package.writestr(name, data)
        return target


# ---------- out, and back unchanged ----------


@pytest.fixture
def small(tmp_path) -> Path:
    return copy_small(tmp_path)


@pytest.mark.parametrize("which", ["sample", "manuscript", "small"])
def test_an_unedited_export_imported_back_changes_no_file(capsys, request, which):
    edition = request.getfixturevalue(which)
    before = snapshot(edition)
    docx = export(capsys, edition)
    for _ in range(2):
        run = import_(capsys, edition, docx)
        assert run.status == 0, run.stderr
        assert "Changed 0 paragraph(s) in 0 file(s)" in run.stderr
        assert snapshot(edition) == before


def test_the_review_document_holds_the_editorial_text_in_reading_order(capsys, manuscript):
    docx = export(capsys, manuscript)
    files = review_files(gather(Options(edition=manuscript)).edition)
    with zipfile.ZipFile(docx) as package:
        document = ElementTree.fromstring(package.read("word/document.xml"))
        footnotes = ElementTree.fromstring(package.read("word/footnotes.xml"))
        settings = package.read("word/settings.xml")
    assert b"<w:trackRevisions/>" in settings  # every edit is tracked from the first
    markers = {m.get(q("name")) for tree in (document, footnotes) for m in tree.iter(q("bookmarkStart"))}
    units = [u for f in files for u in f.units]
    assert {u.marker for u in units} <= markers
    styles = [s.get(q("val")) for s in document.iter(q("pStyle"))]
    assert styles.count("Heading1") == sum(1 for u in units if u.kind == "heading1")
    assert "Heading2" in styles and "Heading3" in styles and "Quote" in styles
    calls = sum(len(u.notes) for u in units)
    assert len(list(document.iter(q("footnoteReference")))) + len(list(footnotes.iter(q("footnoteReference")))) == calls
    assert len([f for f in footnotes.iter(q("footnote")) if f.get(q("type")) is None]) == calls
    citations = [
        "".join(t.text for t in r.iter(q("t")))
        for r in document.iter(q("r"))
        if any(s.get(q("val")) == "Citation" for s in r.iter(q("rStyle")))
    ]
    assert citations and all(c.startswith("[@") and c.endswith("]") for c in citations)
    text = "".join(t.text or "" for t in document.iter(q("t")))
    first_chapter = next(f for f in files if f.role == "chapter")
    first_claim = next(f for f in files if f.role == "claim")
    assert text.index(first_chapter.units[0].text) < text.index(first_claim.units[0].text)
    assert "id: claim-" not in text and "assessment: supported" not in text and "quotations:" not in text


# ---------- reviewed documents ----------


def test_accepted_changes_go_into_their_files_and_tracked_ones_are_listed(capsys, manuscript):
    before = snapshot(manuscript)
    docx = export(capsys, manuscript)
    claim_file, body = unit(manuscript, "claim-001.md", "Kaganovich questions the surviving campaign")
    _f, passage = unit(manuscript, "claim-001.md", "In the surviving version the report is dated 16 July 1948")
    _f, note = unit(manuscript, "claim-001.md", "Historians who have read the printed purge disagree")
    _f, quote = unit(manuscript, "appendix.yaml", "The official memorandum of 1942 omits")
    review = Reviewed(docx)
    review.accept_edit(review.paragraph(review.prefix(body)), "questions the surviving", "doubts the surviving")
    review.accept_edit(review.paragraph(review.prefix(note)), "printed purge disagree", "printed purge differ")
    review.accept_edit(review.paragraph(review.prefix(quote)), "Rudzutak and Postyshev", "Rudzutak and P. Postyshev")
    review.track_delete(review.paragraph(review.prefix(passage)), "surviving ")
    review.track_insert(review.paragraph(review.prefix(body)), "Voroshilov", " (then commissar)")
    review.comment(review.paragraph(review.prefix(body)), "Eikhe and Chubar'", "Check the spelling against the index.")
    reviewed = review.save(manuscript.parent / "reviewed.docx")

    run = import_(capsys, manuscript, reviewed)
    assert run.status == 0, run.stderr
    assert "Changed 3 paragraph(s) in 2 file(s), 2 tracked change(s) left for the editor, 1 comment(s)" in run.stderr
    after = snapshot(manuscript)
    claim = before["claims/claim-001.md"].decode()
    expected = claim.replace("questions the surviving campaign", "doubts the surviving campaign", 1)
    expected = expected.replace("printed purge disagree", "printed purge differ", 1)
    assert after["claims/claim-001.md"].decode() == expected
    appendix = before["quotations/appendix.yaml"].decode()
    assert after["quotations/appendix.yaml"].decode() == appendix.replace(
        "Rudzutak and Postyshev discussed", "Rudzutak and P. Postyshev discussed", 1
    )
    assert {k: v for k, v in after.items() if k not in ("claims/claim-001.md", "quotations/appendix.yaml")} == {
        k: v for k, v in before.items() if k not in ("claims/claim-001.md", "quotations/appendix.yaml")
    }
    report = (manuscript.parent / "output" / "review.txt").read_text()
    line = claim_file.text.count("\n", 0, claim_file.text.index("Eikhe and Chubar'")) + 1
    assert (
        f'claims/claim-001.md:{line}: on "Eikhe and Chubar\'": Check the spelling against the index. (Reviewer'
        in report
    )
    assert f"claims/claim-001.md:{passage.line}: deletion 'surviving ' by Copy Editor" in report
    assert "insertion ' (then commissar)' by Copy Editor" in report
    assert run_build(capsys, manuscript, manuscript.parent / "o", command="check").status == 0

    # the same document again: nothing more to change
    again = import_(capsys, manuscript, reviewed)
    assert again.status == 0, again.stderr
    assert snapshot(manuscript) == after

    # --accept-all: the tracked changes too
    run = import_(capsys, manuscript, reviewed, "--accept-all")
    assert run.status == 0, run.stderr
    text = (manuscript / "claims" / "claim-001.md").read_text()
    assert "Voroshilov (then commissar) dates the secret directive" in text
    assert "  text: In the version the report is dated 16 July 1948" in text


def test_a_paragraph_deleted_with_track_changes_goes_with_accept_all(capsys, manuscript):
    docx = export(capsys, manuscript)
    files = review_files(gather(Options(edition=manuscript)).edition)
    file = next(f for f in files if f.role == "claim" and any(u.kind == "paragraph" and not u.atoms for u in f.units))
    gone = next(u for u in file.units if u.kind == "paragraph" and not u.atoms)
    review = Reviewed(docx)
    p = review.paragraph(review.prefix(gone))
    for t in list(p.iter(q("t"))):
        review.track_delete(p, t.text)
    reviewed = review.save(manuscript.parent / "deleted.docx")
    before = file.path.read_text()
    run = import_(capsys, manuscript, reviewed)
    assert run.status == 0 and file.path.read_text() == before, run.stderr
    run = import_(capsys, manuscript, reviewed, "--accept-all")
    assert run.status == 0, run.stderr
    after = file.path.read_text()
    start = before.rfind("\n", 0, gone.spans[0][0]) + 1
    end = before.index("\n", gone.spans[-1][1])
    assert after == before[:start] + before[end + 2 :]  # its lines and the empty line after them
    assert run_build(capsys, manuscript, manuscript.parent / "o", command="check").status == 0


def test_a_file_saved_with_a_byte_order_mark_keeps_it_and_its_front_matter(capsys, manuscript):
    claim = manuscript / "claims" / "claim-001.md"
    claim.write_bytes(b"\xef\xbb\xbf" + claim.read_bytes())
    before = snapshot(manuscript)
    docx = export(capsys, manuscript)
    _f, title = unit(manuscript, "claim-001.md", "The purge of Postyshev in 1941")
    assert title.kind == "heading2"  # the front matter read as front matter, not as paragraphs
    review = Reviewed(docx)
    review.accept_edit(review.paragraph(review.prefix(title)), "purge of", "fall of")
    run = import_(capsys, manuscript, review.save(manuscript.parent / "bom.docx"))
    assert run.status == 0, run.stderr
    assert claim.read_bytes() == before["claims/claim-001.md"].replace(b"title: The purge of", b"title: The fall of")


def test_an_edit_that_would_break_the_edition_names_the_file_it_is_in(capsys, manuscript):
    docx = export(capsys, manuscript)
    _f, body = unit(manuscript, "claim-001.md", "Kaganovich questions the surviving campaign")
    review = Reviewed(docx)
    review.accept_edit(
        review.paragraph(review.prefix(body)), "Kaganovich questions", "Kaganovich [@nosuchkey] questions"
    )
    before = snapshot(manuscript)
    run = import_(capsys, manuscript, review.save(manuscript.parent / "broken.docx"))
    assert run.status == 1 and snapshot(manuscript) == before
    line = next(line for line in run.stderr.splitlines() if "error E6" in line)
    assert line.startswith("edition/claims/claim-001.md:"), run.stderr


def test_an_edit_in_a_single_quoted_yaml_text_keeps_its_quoting(capsys, manuscript):
    docx = export(capsys, manuscript)
    _f, quote = unit(manuscript, "appendix.yaml", "The party protocol of 1945 describes")
    review = Reviewed(docx)
    review.accept_edit(review.paragraph(review.prefix(quote)), "describes that", "writes that Chubar's aide said")
    run = import_(capsys, manuscript, review.save(manuscript.parent / "r.docx"))
    assert run.status == 0, run.stderr
    text = (manuscript / "quotations" / "appendix.yaml").read_text()
    assert "The party protocol of 1945 writes that Chubar''s aide said Voroshilov" in text
    import yaml

    item = next(i for i in yaml.safe_load(text) if i["heading"] == "Statement of 1939")
    assert "writes that Chubar's aide said Voroshilov and Chubar' discussed" in item["text"]


@pytest.mark.parametrize(
    "fault, code, words",
    [
        ("citation", "E644", "the citation [@lih1995b1, 114]"),
        ("marker", "E641", "is not in the review document"),
        ("merged", "E643", "2 units were merged"),
        ("note moved", "E645", "the note [^n0] was moved"),
        ("note deleted", "E644", "a note call was changed or deleted"),
        ("split", "E642", "a paragraph without a marker"),
    ],
)
def test_a_change_that_cannot_be_placed_is_refused_and_nothing_is_written(capsys, manuscript, fault, code, words):
    before = snapshot(manuscript)
    docx = export(capsys, manuscript)
    _f, first = unit(manuscript, "claim-001.md", "Kaganovich questions the surviving campaign")
    _f, second = unit(manuscript, "claim-001.md", "Historians who have read the regional directive")
    _f, third = unit(manuscript, "claim-001.md", "Historians who have read the secret report disagree")
    review = Reviewed(docx)
    review.accept_edit(review.paragraph(review.prefix(third)), "secret report", "confidential report")  # placeable
    p1, p2 = review.paragraph(review.prefix(first)), review.paragraph(review.prefix(second))
    if fault == "citation":
        review.accept_edit(p2, "lih1995b1, 114", "lih1995b1, 115")
    elif fault == "marker":
        review.remove_marker(p2)
    elif fault == "merged":
        review.merge(p1, p2)
    elif fault == "note moved":
        review.move_note_call(p1, review.paragraph(review.prefix(third)))
    elif fault == "note deleted":
        review.move_note_call(p1, ElementTree.Element(q("p")))
    elif fault == "split":
        copy = ElementTree.fromstring(ElementTree.tostring(p2))
        review.remove_marker(copy)
        body = review.trees["word/document.xml"].find(q("body"))
        body.insert(list(body).index(p2) + 1, copy)
    reviewed = review.save(manuscript.parent / "bad.docx")
    run = import_(capsys, manuscript, reviewed)
    assert run.status == 1
    lines = [line for line in run.stderr.splitlines() if f"error {code}:" in line]
    assert lines and words in lines[0], run.stderr
    assert "bad.docx" in lines[0] and ("claims/claim-001.md:" in lines[0] or "paragraph" in lines[0])
    assert "nothing was written" in run.stderr
    assert snapshot(manuscript) == before
    # --partial: what can be placed is, the rest is still refused
    run = import_(capsys, manuscript, reviewed, "--partial")
    if fault in ("marker", "merged", "note moved", "note deleted", "citation"):  # the claim's file is refused whole
        assert snapshot(manuscript) == before
    else:
        assert "confidential report" in (manuscript / "claims" / "claim-001.md").read_text()


def test_a_document_that_is_not_a_review_document_is_refused(capsys, manuscript, tmp_path):
    before = snapshot(manuscript)
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a zip")
    run = import_(capsys, manuscript, junk)
    assert run.status == 1 and "error E640" in run.stderr and "not a Word document" in run.stderr
    docx = export(capsys, manuscript)
    hostile = tmp_path / "entities.docx"
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(hostile, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>', 1)
            target.writestr(name, data)
    run = import_(capsys, manuscript, hostile)
    assert run.status == 1 and "error E640" in run.stderr and "entities" in run.stderr
    assert snapshot(manuscript) == before


# ---------- LibreOffice ----------


def soffice(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    profile = cwd / "lo-profile"
    return subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (make test installs it)")
def test_libreoffice_opens_the_document_and_its_save_imports_as_no_change(capsys, manuscript, tmp_path):
    before = snapshot(manuscript)
    docx = export(capsys, manuscript)
    pdf = soffice("--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(docx), cwd=tmp_path)
    assert pdf.returncode == 0, pdf.stderr
    noise = [line for line in pdf.stderr.splitlines() if line.strip() and "javaldx" not in line]
    assert not noise, pdf.stderr
    shown = subprocess.run(
        ["pdftotext", str(tmp_path / "pdf" / docx.with_suffix(".pdf").name), "-"], capture_output=True, text=True
    ).stdout
    _f, body = unit(manuscript, "claim-001.md", "Kaganovich questions the surviving campaign")
    assert body.text[:60] in shown.replace("\n", " ")
    saved = soffice("--convert-to", "docx", "--outdir", str(tmp_path / "saved"), str(docx), cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    run = import_(capsys, manuscript, tmp_path / "saved" / docx.name)
    assert run.status == 0, run.stderr
    assert snapshot(manuscript) == before
    # a reviewed document with tracked changes and a comment, saved by LibreOffice
    review = Reviewed(docx)
    review.track_delete(review.paragraph(review.prefix(body)), "surviving ")
    review.comment(review.paragraph(review.prefix(body)), "Kaganovich", "A name to check.")
    reviewed = review.save(tmp_path / "reviewed.docx")
    saved = soffice("--convert-to", "docx", "--outdir", str(tmp_path / "saved2"), str(reviewed), cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    run = import_(capsys, manuscript, tmp_path / "saved2" / "reviewed.docx", "--accept-all")
    assert run.status == 0, run.stderr
    assert "Kaganovich questions the campaign only in part" in (manuscript / "claims" / "claim-001.md").read_text()
    assert "A name to check. (Reviewer" in (manuscript.parent / "output" / "review.txt").read_text()
    # the edition with the changes builds (the print book and the EPUB)
    built = run_build(capsys, manuscript, tmp_path / "built", "--format", "pdf,epub", "-q")
    assert built.status == 0, built.stderr
    assert (tmp_path / "built" / "bench.pdf").stat().st_size > 0 and (tmp_path / "built" / "bench.epub").exists()
