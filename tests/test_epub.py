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
