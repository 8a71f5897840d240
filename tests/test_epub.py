"""The EPUB, checked by EPUBCheck itself and read back."""

from __future__ import annotations

import re
import zipfile

import pytest
from conftest import epubcheck

pytestmark = pytest.mark.slow  # builds books: run alone with -m 'not slow' for the fast tests


def test_sample_epub_passes_epubcheck(sample_build):
    result = epubcheck(sample_build / "secret-speech-examined.epub")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 fatals / 0 errors / 0 warnings" in result.stdout


def test_small_epub_passes_epubcheck(small_build):
    result = epubcheck(small_build / "small.epub")
    assert result.returncode == 0, result.stdout + result.stderr


def test_epub_has_popup_notes_and_claims_in_navigation(sample_build):
    with zipfile.ZipFile(sample_build / "secret-speech-examined.epub") as epub:
        names = epub.namelist()
        nav = epub.read(next(n for n in names if n.endswith("nav.xhtml"))).decode()
        chapters = [epub.read(n).decode() for n in names if n.endswith(".xhtml") and "/ch" in n]
        opf = epub.read(next(n for n in names if n.endswith(".opf"))).decode()
    assert "The “cult of the individual” as a revelation" in nav or "cult of the individual" in nav
    assert "Appendix" in nav and "Bibliography" in nav
    assert any('epub:type="footnote"' in c for c in chapters)
    assert any('epub:type="noteref"' in c for c in chapters)
    assert "979-8-99999-002-0".replace("-", "") in opf
    assert "<dc:language>en-US</dc:language>" in opf


def _read(epub_path):
    with zipfile.ZipFile(epub_path) as epub:
        return {name: epub.read(name) for name in epub.namelist()}


def test_epub_note_ids_are_unique_in_the_whole_book_and_link_both_ways(sample_build):
    import re

    files = _read(sample_build / "secret-speech-examined.epub")
    ids, refs, notes = [], set(), set()
    for name, data in files.items():
        if name.endswith(".xhtml"):
            text = data.decode()
            ids += re.findall(r'\bid="([^"]+)"', text)
            refs |= set(re.findall(r'<a href="[^"#]*#(note-[^"]+)" id="(?:nref-[^"]+)"', text))
            notes |= set(re.findall(r'<aside id="(note-[^"]+)" class="footnote"[^>]*epub:type="footnote"', text))
            for note in re.findall(r'<aside id="note-([^"]+)"', text):
                assert f'#nref-{note}"' in text, f"note {note} has no link back"
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, duplicates
    assert notes and refs == notes


def test_epub_has_accessibility_metadata_and_print_source(sample_build):
    opf = next(d for n, d in _read(sample_build / "secret-speech-examined.epub").items() if n.endswith(".opf")).decode()
    for needed in (
        'property="schema:accessMode">textual',
        'property="schema:accessibilityHazard">none',
        'property="schema:accessibilitySummary">',
        'source id="print-source">urn:isbn:9798999990013<',
        'property="dcterms:modified"',
    ):
        assert needed in opf, needed
    assert 'properties="cover-image"' in opf


def test_builds_are_reproducible_with_source_date_epoch(tmp_path, monkeypatch):
    from conftest import SMALL

    from folio.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for out in ("a", "b"):
        # two clean builds (no cache) of the edition where it lies, into two folders
        assert (
            main(["build", "-q", "--no-cache", "--edition", str(SMALL / "edition"), "--output", str(tmp_path / out)])
            == 0
        )
    for name in ("small.pdf", "small.epub"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    opf = next(d for n, d in _read(tmp_path / "a" / "small.epub").items() if n.endswith(".opf")).decode()
    assert '<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>' in opf


def _words_after_markers(files):
    """label -> the first words of text after its page-break marker, in the EPUB."""
    import re

    found = {}
    for name, data in sorted(files.items()):
        if not re.search(r"/text/ch\d+\.xhtml$", name):
            continue
        text = data.decode()
        for match in re.finditer(r'<span id="page-([^"]+)" epub:type="pagebreak"[^>]*(?:/>|></span>)', text):
            rest = re.sub(
                r'<a [^>]*class="noteref"[^>]*>.*?</a>', " ", text[match.end() : match.end() + 3000], flags=re.S
            )
            rest = re.sub(r"<[^>]+>", " ", rest)
            found[match.group(1)] = rest.split()[:4]
    return found


def test_epub_page_list_follows_the_printed_pages(sample_build):
    import re

    from pdfread import BuiltPdf

    from folio.edition.names import to_roman

    files = _read(sample_build / "secret-speech-examined.epub")
    nav = next(d for n, d in files.items() if n.endswith("nav.xhtml")).decode()
    page_list = re.search(r'<nav[^>]*epub:type="page-list".*?</nav>', nav, re.S).group(0)
    labels = re.findall(r'#page-([^"]+)">', page_list)
    pdf = BuiltPdf(sample_build / "secret-speech-examined.pdf")
    main_start = pdf.destinations()["mainmatter"]
    label_to_page = {
        (str(i - main_start + 1) if i >= main_start else to_roman(i + 1)): i for i in range(len(pdf.pages))
    }
    arabic = [label for label in labels if label.isdigit()]
    assert arabic == [str(n) for n in range(1, len(arabic) + 1)], "every printed page of the main matter, in order"
    after = _words_after_markers(files)
    checked = 0
    for label in labels:
        page_text = pdf.text(label_to_page[label]).split()
        words = after[label]
        if not page_text or len(page_text) < 5:
            continue
        head = " ".join(page_text[:30])
        hits = sum(1 for w in words[:3] if w.strip(".,;:“”\"'()") in head)
        checked += 1
        assert hits >= 2, f"page {label}: EPUB marker before {words}, PDF page starts {page_text[:12]}"
    assert checked >= 20


def test_epub_landmarks(sample_build):
    nav = next(
        d for n, d in _read(sample_build / "secret-speech-examined.epub").items() if n.endswith("nav.xhtml")
    ).decode()
    for kind in ("toc", "cover", "bodymatter", "bibliography", "index"):
        assert f'epub:type="{kind}"' in nav, kind


def test_edition_cover_image_is_used_and_checked(capsys, tmp_path):
    import base64

    from conftest import copy_small, run_build

    edition = copy_small(tmp_path)
    (edition / "images").mkdir()
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    (edition / "images" / "cover.png").write_bytes(png)
    (edition / "edition.yaml").write_text((edition / "edition.yaml").read_text() + "cover: images/cover.png\n")
    run = run_build(capsys, edition, tmp_path / "out", "--format", "epub")
    assert run.status == 0, run.stderr
    files = _read(tmp_path / "out" / "small.epub")
    assert any(name.endswith(".png") and data == png for name, data in files.items())
    (edition / "edition.yaml").write_text((edition / "edition.yaml").read_text().replace("cover.png", "missing.png"))
    run = run_build(capsys, edition, tmp_path / "out2", command="check")
    assert run.status == 1 and "error E100: cover image 'images/missing.png' file not found" in run.stderr


def test_images_of_two_chapters_are_kept_apart_in_the_epub(capsys, tmp_path):
    """Pandoc writes each unit's EPUB on its own, and names the images of each file0, file1...:
    the book keeps both, each chapter showing its own, and EPUBCheck finds them declared."""
    import base64
    import re

    from conftest import copy_small, run_build

    edition = copy_small(tmp_path)
    (edition / "images").mkdir()
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    (edition / "images" / "map.png").write_bytes(png)
    (edition / "images" / "plan.svg").write_bytes(svg)
    for name, image in (
        ("chapters/one.md", "![A map of the hall](images/map.png)"),
        ("chapters/two.md", "![A plan of the seating](images/plan.svg)"),
    ):
        path = edition / name
        path.write_text(path.read_text(encoding="utf-8") + f"\n\n{image}\n", encoding="utf-8")
    run = run_build(capsys, edition, tmp_path / "out", "--format", "epub", "--strict")
    assert run.status == 0, run.stderr
    result = epubcheck(tmp_path / "out" / "small.epub")
    assert result.returncode == 0 and "0 fatals / 0 errors / 0 warnings" in result.stdout, result.stdout
    files = _read(tmp_path / "out" / "small.epub")
    media = {
        name: data for name, data in files.items() if "/media/" in name and not name.endswith("/media/file0.svg")
    }  # not the cover
    assert sorted(media.values()) == sorted([png, svg])
    shown = {}
    for data in files.values():
        for target in re.findall(r'<img src="\.\./media/([^"]+)" alt="([^"]+)"', data.decode("utf-8", "replace")):
            shown[target[1]] = files[f"EPUB/media/{target[0]}"]
    assert shown == {"A map of the hall": png, "A plan of the seating": svg}
    opf = next(d for n, d in files.items() if n.endswith(".opf")).decode()
    assert "Its images carry the descriptions" in opf and "no images that carry meaning" not in opf


def test_a_chapter_template_opening_before_its_heading_still_makes_a_valid_epub(capsys, tmp_path):
    """Each unit's EPUB is written on its own and merged; a unit that does not open with its
    level-1 heading (an overridden template) gets a file of its own for that opening."""
    from conftest import REPO, copy_small, run_build

    edition = copy_small(tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    chapter = (REPO / "templates" / "chapter.md.j2").read_text(encoding="utf-8")
    head, _, rest = chapter.partition("\n# ")
    (templates / "chapter.md.j2").write_text(
        f"{head}\n::: epigraph\nAn epigraph before the chapter's title.\n:::\n\n# {rest}", encoding="utf-8"
    )
    run = run_build(capsys, edition, tmp_path / "out", "--format", "epub", "--templates", str(templates))
    assert run.status == 0, run.stderr
    result = epubcheck(tmp_path / "out" / "small.epub")
    assert result.returncode == 0 and "0 fatals / 0 errors / 0 warnings" in result.stdout, result.stdout
    files = _read(tmp_path / "out" / "small.epub")
    nav = next(d for n, d in files.items() if n.endswith("nav.xhtml")).decode()
    chapters = {n: d.decode() for n, d in files.items() if "/text/ch" in n}
    for anchor in ("first", "second"):  # the claims, in the navigation, point at the file that holds them
        href = f"#claim-{anchor}" if f"#claim-{anchor}" in nav else f"#{anchor}"
        target = nav.split(href)[0].rsplit('href="', 1)[1]
        assert f'id="{href[1:]}"' in chapters[f"EPUB/{target}"], (anchor, target)
    assert sum("An epigraph before the chapter" in text for text in chapters.values()) == 2


def test_epub_is_dated_by_its_build_even_with_its_frame_from_the_cache(capsys, tmp_path, monkeypatch):
    from conftest import copy_small, run_build

    edition = copy_small(tmp_path)
    for epoch, date in (("1700000000", "2023-11-14T22:13:20Z"), ("1800000000", "2027-01-15T08:00:00Z")):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        claim = edition / "claims" / "second.md"  # an edit, so that the second build is not a no-op
        claim.write_text(claim.read_text(encoding="utf-8") + f"\nEdited at {epoch}.\n", encoding="utf-8")
        assert run_build(capsys, edition, tmp_path / "out", "--format", "epub").status == 0
        with zipfile.ZipFile(tmp_path / "out" / "small.epub") as epub:
            opf = next(epub.read(n) for n in epub.namelist() if n.endswith(".opf")).decode()
            assert {info.date_time for info in epub.infolist()} == {
                tuple(int(x) for x in re.split(r"[-T:Z]", date)[:6])
            }
        assert f'<meta property="dcterms:modified">{date}</meta>' in opf


def _ace(epub_path):
    from folio.ebook.epub_check import run_ace

    found = run_ace(epub_path)
    assert not isinstance(found, str), found  # Ace must be installed (make ace): it never passes silently
    return found


def test_daisy_ace_finds_nothing_in_the_sample_and_small_epubs(sample_build, small_build):
    for path in (sample_build / "secret-speech-examined.epub", small_build / "small.epub"):
        found = _ace(path)
        assert not found, [(f.rule, f.impact, f.file, f.where) for f in found[:10]]


def test_calibre_converts_the_epubs_to_azw3_without_a_warning(sample_build, small_build):
    """Kindle readers get the book through Calibre's conversion: it must print no warning."""
    import shutil
    import subprocess

    from conftest import REPO

    assert shutil.which("ebook-convert"), "Calibre is missing: make test installs it (tools/system-deps.sh)"
    epubs = [str(sample_build / "secret-speech-examined.epub"), str(small_build / "small.epub")]
    done = subprocess.run(
        ["sh", str(REPO / "tools" / "kindle-check.sh"), *epubs], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("converted to AZW3 cleanly") == 2, done.stdout


def test_the_epub_carries_what_the_print_book_has(sample_build):
    files = _read(sample_build / "secret-speech-examined.epub")
    opf = next(d for n, d in files.items() if n.endswith(".opf")).decode()
    nav = next(d for n, d in files.items() if n.endswith("nav.xhtml")).decode()
    chapters = {n: d.decode() for n, d in files.items() if re.search(r"/ch\d+\.xhtml$", n)}
    text = " ".join(chapters.values())
    # the copyright page and the table of claims, each with the page list's marker of its print page
    assert "ISBN 979-8-99999-001-3 (print)" in text and 'id="claims-table"' in text
    assert 'epub:type="copyright-page"' in nav
    # the page list reaches the last printed page (the index's)
    from pdfread import BuiltPdf

    pdf = BuiltPdf(sample_build / "secret-speech-examined.pdf")
    last_folio = len(pdf.pages) - pdf.destinations()["mainmatter"]
    labels = re.findall(r'<a href="[^"]+#page-([^"]+)">', nav)
    assert labels[-1].isdigit() and int(labels[-1]) >= last_folio - 1, (labels[-3:], last_folio)
    # each chapter file is titled by its chapter, not by its file name
    for name, xhtml in chapters.items():
        title = re.search(r"<title>(.*?)</title>", xhtml, re.S).group(1)
        assert not title.startswith("ch0"), (name, title)
    # subjects keep their double hyphen; the page numbers' source is declared
    assert "Soviet Union -- Politics and government -- 1953-1985" in opf
    assert 'property="source-of" refines="#print-source">pagination' in opf
    # the build was not verified (no --verify): it claims no conformance
    assert "dcterms:conformsTo" not in opf and "has not been checked" in opf


def test_a_verified_build_claims_conformance_and_notes_with_verse_are_valid(capsys, tmp_path):
    from conftest import copy_small, run_build

    edition = copy_small(tmp_path)
    claim = edition / "claims" / "first.md"
    claim.write_text(
        claim.read_text(encoding="utf-8").replace(
            "[^a1]: A note of the editor's own on the first claim.",
            "[^a1]: A note with verse:\n\n    | A first line\n    | and a second\n\n    - and a list item\n    - another",
        ),
        encoding="utf-8",
    )
    run = run_build(capsys, edition, tmp_path / "out", "--verify")
    assert run.status == 0, run.stderr
    opf = next(d for n, d in _read(tmp_path / "out" / "small.epub").items() if n.endswith(".opf")).decode()
    assert "EPUB Accessibility 1.1 - WCAG 2.1 Level AA" in opf and "passed both" in opf
    assert epubcheck(tmp_path / "out" / "small.epub").returncode == 0
    cover = next(d for n, d in _read(tmp_path / "out" / "small.epub").items() if n.endswith(".svg")).decode()
    assert "<text" not in cover and "<path" in cover  # the cover's text is drawn in the bundled font


def test_check_epub_reports_each_finding_with_its_place(capsys, small_build, tmp_path):
    import shutil
    import zipfile as zf

    from conftest import SMALL

    from folio.cli import main

    bad = tmp_path / "bad.epub"
    with zf.ZipFile(small_build / "small.epub") as source, zf.ZipFile(bad, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("styles/stylesheet1.css"):
                data += b"\na { text-decoration: none; color: #0000ee; }\n"
            target.writestr(info, data)
    capsys.readouterr()
    assert main(["check", "--edition", str(SMALL / "edition"), "--epub", str(bad)]) == 1
    err = capsys.readouterr().err
    assert re.search(r"bad\.epub: error E802: Ace link-in-text-block \[serious\] \(text/ch\d+\.xhtml: ", err), err
    assert "templates/epub.css" in err
    shutil.copy(small_build / "small.epub", tmp_path / "good.epub")
    assert main(["check", "--edition", str(SMALL / "edition"), "--epub", str(tmp_path / "good.epub")]) == 0


def test_the_epub_index_is_a_template_an_editor_can_override(capsys, tmp_path, small_build):
    """The EPUB's index of names comes from templates/index.md.j2: a person's dates stand after
    the name with a space, as in print; an edition's own index.md.j2 replaces it."""
    from conftest import copy_small, overridden_template, run_build

    files = _read(small_build / "small.epub")
    index = next(d.decode() for d in files.values() if b'class="index-term"' in d)
    assert re.search(r'class="index-term">Khrushchev, Nikita</span> \(1894–1971\), <a ', index), index

    edition = copy_small(tmp_path)
    templates = overridden_template(tmp_path, "index.md.j2", " ({{ entry.dates }})", " [{{ entry.dates }}]")
    run = run_build(capsys, edition, tmp_path / "out", "--format", "epub", "--templates", str(templates))
    assert run.status == 0, run.stderr
    files = _read(tmp_path / "out" / "small.epub")
    index = next(d.decode() for d in files.values() if b'class="index-term"' in d)
    assert "Khrushchev, Nikita</span> [1894–1971], <a " in index, index
