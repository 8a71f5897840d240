"""Every quotation checked against its source: the texts an edition quotes held in sources/
(an examined text with page markers, a long OCR'd study with form feeds, running heads, line-end
hyphens, ligatures and misread letters), each kind of quotation given the verdict it should, read
from `folio check --quotations`; and the examined text printed whole, its marks and links read
back from the PDF (pdftotext) and the EPUB, both ways."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import REPO, epubcheck, run_build

from folio.units import verify

sys.path.insert(0, str(REPO / "bench"))
from generate import ocr_pages  # noqa: E402  (the benchmark's generator of OCR'd text)

# the examined text: a report of our own, four pages marked {p. N}
REPORT = [
    "{p. 11}",
    "The committee met on the first day of spring and heard the report of the commission. "
    "The report did not find that the minister had acted alone; it found that the decision was "
    "taken by the whole board, in the presence of seven witnesses.",
    "The board then adjourned. Its members were not told of the decision until the following "
    "week, when the chairman wrote to each of them.",
    "{p. 12}",
    "After the meeting the chairman resigned, and the board elected a new chairman from among "
    "its members. The new chairman promised a full inquiry into the affair of the harbour.",
    "{p. 13}",
    "Nothing more was heard of the inquiry. The harbour was sold in the following year to a "
    "company that the former chairman had founded.",
]

# the study: a long OCR'd text; the paragraph quoted, among a hundred others
QUOTED = (
    "The archive of the harbour company was opened to researchers only in 1991, and its "
    "minutes show that the sale had been agreed before the inquiry was announced."
)
NEGATED = "The commission did not examine the accounts of the company, which were kept abroad."


def filler(rng: random.Random, n: int) -> str:
    words = "ledger minute office clerk harbour account letter record dock audit file board".split()
    return " ".join(
        (" ".join(rng.choice(words) for _ in range(rng.randint(6, 12))) + ".").capitalize() for _ in range(n)
    )


def study_text() -> tuple[str, int, int]:
    """The OCR'd study, and the pages its two quoted paragraphs start on."""
    rng = random.Random(7)
    paragraphs = [filler(rng, 5) for _ in range(60)] + [QUOTED] + [filler(rng, 5) for _ in range(30)]
    paragraphs += [NEGATED] + [filler(rng, 5) for _ in range(40)]
    text, starts = ocr_pages(paragraphs, rng, "A History of the Harbour", first_page=1, noise=0.0)
    # the scan misread a letter of the quoted paragraph: 'rn' for 'm' in "minutes"
    text = text.replace("its rninutes", "its minutes").replace("its minutes", "its rninutes", 1)
    return text, starts[60], starts[91]


CLAIMS = {
    # id: (passage, page, expected verdict)
    "exact": ("The report did not find that the minister had acted alone.", "p. 11", "exact"),
    "ellipsis": (
        "The committee met on the first day of spring [...] in the presence of seven witnesses.",
        "p. 11",
        "exact",
    ),
    "insertion": (
        "[T]he board then adjourned. Its members [of the board] were not told of the decision.",
        "p. 11",
        "exact",
    ),
    "changed": ("The report did not find that the president had acted alone.", "p. 11", "differs"),
    "dropped": ("The report did find that the minister had acted alone.", "p. 11", "differs"),
    "wrong-page": ("After the meeting the chairman resigned.", "p. 11", "exact"),
    "missing": ("A passage that this report does not contain, word for word or otherwise.", "p. 12", "not found"),
    "neg-ellipsis": ("Its members were [...] told of the decision.", "p. 11", "exact"),
}


def make_edition(root: Path, faulty: bool = True) -> Path:
    """An edition with an examined text (printed whole) and an OCR'd study in sources/; with
    ``faulty``, a claim of every kind of quotation, else only those that verify."""
    edition = root / "edition"
    for sub in ("claims", "chapters", "quotations", "sources"):
        (edition / sub).mkdir(parents=True, exist_ok=True)
    (root / "bibliography.bib").write_text(
        "@report{report1950, author = {{Harbour Commission}}, title = {Report on the Harbour}, year = {1950}}\n"
        "@book{study1995, author = {Brown, Bella}, title = {A History of the Harbour}, publisher = {Test Press},"
        " address = {Testville}, year = {1995}}\n",
        encoding="utf-8",
    )
    claims = {k: v for k, v in CLAIMS.items() if not faulty or True}
    if not faulty:
        claims = {k: v for k, v in CLAIMS.items() if v[2] == "exact" and k not in ("wrong-page", "neg-ellipsis")}
    for cid, (passage, page, _verdict) in claims.items():
        front = {
            "id": cid,
            "title": f"The claim called {cid}",
            "passage": {"text": passage, "locator": "The report", "source": "report1950", "page": page},
            "assessment": "supported",
        }
        (edition / "claims" / f"{cid}.md").write_text(
            "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\nThe analysis of the claim.[@study1995, 3]\n",
            encoding="utf-8",
        )
    (edition / "chapters" / "one.md").write_text(
        "---\n" + yaml.safe_dump({"id": "one", "title": "The Claims", "claims": list(claims)}) + "---\n"
        "The chapter's opening.\n",
        encoding="utf-8",
    )
    study, quoted_page, negated_page = study_text()
    quotations = [
        {
            "id": "q-ocr",
            "claims": [next(iter(claims))],
            "heading": "The sale",
            "text": QUOTED,
            "source": "study1995",
            "locator": f"p. {quoted_page}",
        },
        {
            "id": "q-twice",
            "claims": [next(iter(claims))],
            "heading": "The sale again",
            "text": QUOTED,
            "source": "study1995",
            "locator": f"p. {quoted_page}",
        },
        {
            "id": "q-negated",
            "claims": [next(iter(claims))],
            "heading": "The accounts",
            "text": "The commission did [...] examine the accounts of the company.",
            "source": "study1995",
            "locator": f"p. {negated_page}",
        },
    ]
    if not faulty:
        quotations = quotations[:1]
    (edition / "quotations" / "q.yaml").write_text(yaml.safe_dump(quotations, sort_keys=False), encoding="utf-8")
    (edition / "sources" / "report.md").write_text(
        "---\nsource: report1950\nprint: true\ntitle: The Report of the Commission\n---\n\n"
        + "\n\n".join(REPORT)
        + "\n",
        encoding="utf-8",
    )
    (edition / "sources" / "study.txt").write_text("---\nsource: study1995\n---\n" + study, encoding="utf-8")
    (edition / "edition.yaml").write_text(
        yaml.safe_dump(
            {
                "title": "Quotations Verified",
                "slug": "quoted",
                "language": "en-US",
                "publisher": "Test Press",
                "year": 2026,
                "assessments": {"supported": "Supported"},
                "contents": {"chapters": ["chapters/one.md"], "text": "sources/report.md"},
            },
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    return edition


def verdicts(report: str) -> dict[str, tuple[str, str]]:
    """label -> (verdict, page) from the report of `check --quotations`."""
    found = {}
    for line in report.splitlines():
        match = re.match(
            r"^(exact|close|differs|not found|not checked)\s+\S*\s+\S+\s+(claim \d+ \((\S+)\)|quotation (\S+))", line
        )
        if match:
            page = re.search(r"\s(p\. \S+)", line[match.end() :])
            found[match.group(3) or match.group(4)] = (match.group(1), page.group(1) if page else "")
    return found


# ---------- the matching, on its own ----------


def test_scan_noise_is_normalised_and_differences_are_not():
    study, page, _ = study_text()
    held = verify.index_text(study)
    assert held.paged and held.page_labels[:3] == ["1", "2", "3"]
    assert "HISTORY OF THE HARBOUR" not in held.shown, "running heads are left out"

    def one(text: str, locator: str = "") -> verify.Verdict:
        return verify.check_one(verify.Verdict("quotation", "q", "q", Path("q.yaml"), 1, "k", locator), text, held)

    found = one(QUOTED, f"p. {page}")
    assert found.verdict == "close" and "rninutes" in found.differences[0] and found.page.startswith(str(page))
    assert one(QUOTED.replace("before", "after")).verdict == "differs"
    assert one("The archive of the harbour company was opened to researchers in 1991").verdict == "differs"
    assert one(QUOTED.replace("1991", "1992")).verdict == "differs", "a changed number is never noise"
    assert one(QUOTED, f"p. {page + 5}").wrong_page == f"p. {page + 5}"
    assert one("Words that stand nowhere in the study, in any order whatever.").verdict == "not found"


def test_editorial_marks():
    held = verify.index_text("\n\n".join(REPORT))

    def one(text: str) -> verify.Verdict:
        return verify.check_one(verify.Verdict("passage", "c", "c", Path("c.md"), 1, "k", ""), text, held)

    assert one("The committee met [...] in the presence of seven witnesses.").verdict == "exact"
    assert one("The committee met … seven witnesses").verdict == "exact"
    assert one("[T]he board then adjourned [sic].").verdict == "exact"
    assert one("The [commission's] report did not find that [he] had acted alone").verdict == "exact"
    hidden = one("The report did [...] find that the minister had acted alone")
    assert hidden.verdict == "exact" and hidden.omitted_negation == "not"
    far = one("The committee met on the first day of spring ... company that the former chairman had founded")
    assert far.verdict == "exact" and far.page == "11–13"
    backwards = one("The board then adjourned. [...] The committee met on the first day of spring")
    assert backwards.verdict in ("not found", "differs")


# ---------- the command, on an edition ----------


def test_every_kind_of_quotation_gets_its_verdict(tmp_path, capsys):
    edition = make_edition(tmp_path)
    run = run_build(capsys, edition, tmp_path / "out", "--quotations", command="check")
    assert run.status == 1, run.stderr
    found = verdicts(run.stderr)
    for cid, (_passage, _page, expected) in CLAIMS.items():
        assert found[cid][0] == expected, (cid, found.get(cid), run.stderr[-3000:])
    assert found["q-ocr"][0] == "close" and found["q-twice"][0] == "close"
    assert found["wrong-page"][1] == "p. 12"
    out = run.stderr
    assert re.search(r"claims/changed\.md:\d+: error E901: .*'minister' where the quotation has 'president'", out)
    assert re.search(r"claims/dropped\.md:\d+: error E901: .*the source has 'not' where the quotation has nothing", out)
    assert re.search(r"claims/missing\.md:\d+: error E901: .*not in the held text", out)
    assert re.search(r"claims/wrong-page\.md:\d+: warning W902: .*'p\. 11'.*p\. 12", out)
    assert re.search(r"claims/neg-ellipsis\.md:\d+: warning W904: .*leaves out 'not'", out)
    assert re.search(r"q\.yaml:\d+: warning W901: quotation q-ocr: .*'rninutes'", out)
    assert re.search(r"q\.yaml:\d+: warning W903: quotation q-twice quotes the same words as quotation q-ocr", out)
    assert re.search(r"q\.yaml:\d+: warning W904: quotation q-negated", out)


def test_a_held_text_names_a_key_of_the_bibliography(tmp_path, capsys):
    edition = make_edition(tmp_path, faulty=False)
    path = edition / "sources" / "study.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("source: study1995", "source: studdy1995"), "utf-8")
    (edition / "sources" / "scan.pdf").write_bytes(b"%PDF-1.4")
    run = run_build(capsys, edition, tmp_path / "out", command="check")
    assert "sources/study.txt:2: error E204: source 'studdy1995' is not a key of the bibliography" in run.stderr
    assert "did you mean 'study1995'?" in run.stderr
    assert "sources/scan.pdf: warning W101" in run.stderr


def test_the_verdicts_are_kept_until_a_source_or_a_quotation_changes(tmp_path, capsys):
    edition = make_edition(tmp_path, faulty=False)
    assert run_build(capsys, edition, tmp_path / "out", command="check").status == 0
    cache = next((tmp_path / ".folio-cache").iterdir())
    kept = {p.name for p in (cache / "verdicts").iterdir()}
    assert kept and (cache / "held").is_dir()
    assert run_build(capsys, edition, tmp_path / "out", command="check").status == 0
    assert {p.name for p in (cache / "verdicts").iterdir()} == kept
    path = edition / "claims" / "exact.md"
    path.write_text(path.read_text(encoding="utf-8").replace("the minister", "the ministre"), encoding="utf-8")
    run = run_build(capsys, edition, tmp_path / "out", command="check")
    assert run.status == 0 and "warning W901: claim 1 (exact)" in run.stderr, run.stderr


# ---------- the examined text in the book ----------


@pytest.mark.slow
def test_the_examined_text_is_printed_with_its_passages_marked_and_linked(tmp_path, capsys):
    edition = make_edition(tmp_path, faulty=False)
    out = tmp_path / "out"
    run = run_build(capsys, edition, out, "--format", "pdf,epub,html")
    assert run.status == 0, run.stderr
    pdf = out / "quoted.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
    text_page = next(n for n, page in enumerate(pages) if "The Report of the Commission" in page and "[p. 11]" in page)
    printed = pages[text_page]
    folio_of_text = re.findall(r"^\s*(\d+)\s*$", printed, re.M)[-1]
    # each claim's number and its page in the margin beside the passage
    table = next(page for page in pages if "Table of Claims" in page and "Assessment" in page)
    claims_pages = dict(re.findall(r"The claim called (\S+)\s+Supported\s+(\d+)", table))
    labels = re.findall(r"^\s*Claim (\d+)\s.*\n\s+p\. (\d+)", printed, re.M)
    # one label a claim (the passage after an ellipsis is marked, not labelled again)
    assert sorted(labels) == [
        ("1", claims_pages["exact"]),
        ("2", claims_pages["ellipsis"]),
        ("3", claims_pages["insertion"]),
    ], printed
    for page_label in ("[p. 11] The committee", "[p. 12] After the meeting", "[p. 13] Nothing more"):
        assert page_label in printed
    # the claim cites the page of the text its passage is marked on
    chapter = "".join(pages[text_page + 1 :])
    assert chapter.count(f"the text, p. {folio_of_text}") == 3, chapter[:2000]
    # the EPUB: from the passage to the claim and back
    with zipfile.ZipFile(out / "quoted.epub") as epub:
        documents = {name: epub.read(name).decode() for name in epub.namelist() if name.endswith(".xhtml")}
    text_doc = next(name for name, body in documents.items() if 'id="tm-exact"' in body)
    chapter_doc = next(name for name, body in documents.items() if 'id="claim-exact"' in body)
    assert f'href="{Path(chapter_doc).name}#claim-exact"' in documents[text_doc]
    assert f'href="{Path(text_doc).name}#tm-exact"' in documents[chapter_doc]
    assert epubcheck(out / "quoted.epub").returncode == 0
    # the web edition: the passage highlighted, opening its claim
    site = out / "quoted-web"
    page = (site / "text-report1950.html").read_text(encoding="utf-8")
    assert 'class="text-mark"' in page and 'href="chapter-one.html#claim-exact"' in page


def test_what_a_scan_prints_at_the_turn_of_a_page_is_noise_and_a_translation_is_not_checked(tmp_path, capsys):
    held = verify.index_text(
        "{p. 1}\nThe board met in spring and the chairman spoke first about the harbour.\n\n"
        "1. A footnote of the scan that stands at the foot of the page.\n{p. 2}\n"
        "Then the members voted against the sale of the harbour."
    )
    found = verify.check_one(
        verify.Verdict("quotation", "q", "q", Path("q.yaml"), 1, "k", "pp. 1-2"),
        "the chairman spoke first about the harbour. Then the members voted against the sale",
        held,
    )
    assert found.verdict == "close" and "turn of a page" in found.differences[0] and found.page == "1–2"
    edition = make_edition(tmp_path, faulty=False)
    path = edition / "quotations" / "q.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    records[0]["text"] = "Words of the editor's translation, which the original does not hold."
    records[0]["translation_note"] = "Translated by the editor."
    path.write_text(yaml.safe_dump(records, sort_keys=False), encoding="utf-8")
    run = run_build(capsys, edition, tmp_path / "out", "--quotations", command="check")
    assert run.status == 0, run.stderr
    assert verdicts(run.stderr)["q-ocr"][0] == "not checked" and "a translation" in run.stderr
