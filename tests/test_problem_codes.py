"""The catalogue of problem codes in docs/problems.md matches the code."""

from conftest import REPO
from folio.problems import CODES


def test_every_code_is_documented():
    doc = (REPO / "docs" / "problems.md").read_text(encoding="utf-8")
    for code, (severity, title) in CODES.items():
        assert f"| {code} | {severity} | {title} |" in doc, code
