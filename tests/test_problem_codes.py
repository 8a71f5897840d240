"""The catalogue of problem codes in docs/problems.md matches the code."""

from conftest import REPO

from folio.problems import catalogue_markdown


def test_catalogue_is_up_to_date():
    doc = (REPO / "docs" / "problems.md").read_text(encoding="utf-8")
    assert doc == catalogue_markdown(), "run: python -m folio.problems > docs/problems.md"
