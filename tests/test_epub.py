"""The EPUB, checked by EPUBCheck itself and read back."""

from __future__ import annotations

import zipfile

from conftest import epubcheck


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
            refs |= set(re.findall(r'<a href="[^"#]*#(note-[^"]+)" id="(?:ref-[^"]+)"', text))
            notes |= set(re.findall(r'<aside id="(note-[^"]+)" class="footnote"[^>]*epub:type="footnote"', text))
            for note in re.findall(r'<aside id="note-([^"]+)"', text):
                assert f'#ref-{note}"' in text, f"note {note} has no link back"
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, duplicates
    assert notes and refs == notes


def test_epub_has_accessibility_metadata_and_print_source(sample_build):
    opf = next(d for n, d in _read(sample_build / "secret-speech-examined.epub").items() if n.endswith(".opf")).decode()
    for needed in ('property="schema:accessMode">textual', 'property="schema:accessibilityHazard">none',
                   'property="schema:accessibilitySummary">', 'property="dcterms:conformsTo">EPUB Accessibility 1.1',
                   "<dc:source>urn:isbn:9798999990013</dc:source>", 'property="dcterms:modified"'):
        assert needed in opf, needed
    assert 'properties="cover-image"' in opf


def test_builds_are_reproducible_with_source_date_epoch(tmp_path, monkeypatch):
    from conftest import SMALL
    from folio.cli import main
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for out in ("a", "b"):
        assert main(["build", "-q", "--edition", str(SMALL / "edition"), "--output", str(tmp_path / out)]) == 0
    for name in ("small.pdf", "small.epub"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    opf = next(d for n, d in _read(tmp_path / "a" / "small.epub").items() if n.endswith(".opf")).decode()
    assert '<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>' in opf
