"""Hostile and mistaken input: a battery of small cases, each run through the real command
line in its own process, under an audit hook (``hostile_runner.py``), with a listener on
127.0.0.1 and a secret file outside the edition.

Each case asserts the code and the place of the message, the exit status, that there is no
traceback, that the output folder is unchanged, that nothing under the secret folder was
opened or listed and no program but Pandoc was started, that no connection reached the
listener, that the secret's text is nowhere in the output or the cache, and that the run
stayed within its time and memory (1 GiB).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import copy_small

pytestmark = pytest.mark.slow  # builds books: run alone with -m 'not slow' for the fast tests

HERE = Path(__file__).resolve().parent
MARKER = "SECRET-MARKER-7f3a"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)
TIME_LIMIT = 120  # seconds a case
MEMORY_LIMIT = 1024 * 1024  # KiB of the largest process


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it is offered."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


@pytest.fixture(scope="module")
def listener():
    found = Listener()
    yield found
    found.close()


@dataclass
class Outcome:
    status: int
    stderr: str
    audit: str
    seconds: float
    max_rss_kib: int
    output: Path


def run(
    tmp_path: Path,
    edition: Path,
    *args: str,
    command: str = "check",
    secret: Path | None = None,
    timeout: float = TIME_LIMIT,
) -> Outcome:
    output = tmp_path / "output"
    if not output.exists():
        output.mkdir()
        (output / "small.pdf").write_bytes(b"the previous good PDF")
    audit = tmp_path / "audit.log"
    env = dict(os.environ, FOLIO_AUDIT_LOG=str(audit), FOLIO_SECRET=str(secret or tmp_path / "secret"))
    argv = [sys.executable, str(HERE / "hostile_runner.py"), command, "-q", "--edition", str(edition)]
    if command == "build":
        argv += ["--output", str(output)]
    started = time.monotonic()
    process = subprocess.Popen(
        argv + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
    )
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"the case ran longer than {timeout} s")
    seconds = time.monotonic() - started
    usage = resource_usage(process.pid)
    return Outcome(
        process.returncode, err.decode("utf-8", "replace"), audit.read_text(encoding="utf-8"), seconds, usage, output
    )


def resource_usage(_pid: int) -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.fixture
def case(tmp_path):
    """A fresh small edition with a secret folder beside it; returns the edition folder."""
    edition = copy_small(tmp_path)
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwd").write_text(f"root:x:0:0:{MARKER}:/root:/bin/sh\n", encoding="utf-8")
    (secret / "secret.png").write_bytes(PNG + MARKER.encode())
    (secret / "folder").mkdir()
    (secret / "folder" / "evil.md").write_text(f"---\nid: evil\n---\n{MARKER}\n", encoding="utf-8")
    return edition


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_safe(outcome: Outcome, tmp_path: Path, listener: Listener | None = None, before: dict | None = None):
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr, outcome.stderr
    assert not [line for line in outcome.audit.splitlines() if not line.startswith("run ")], outcome.audit
    programs = [line for line in outcome.audit.splitlines() if line.startswith("run ")]
    assert all("pandoc" in line for line in programs), programs
    assert outcome.seconds < TIME_LIMIT
    assert outcome.max_rss_kib < MEMORY_LIMIT, f"{outcome.max_rss_kib} KiB"
    for folder in (outcome.output, tmp_path / "small" / ".folio-cache"):
        for path in folder.rglob("*") if folder.exists() else []:
            if path.is_file():
                assert MARKER.encode() not in path.read_bytes(), f"the secret reached {path}"
    if listener is not None:
        assert listener.connections == 0, "a connection reached the listener"
    if before is not None:
        assert snapshot(outcome.output) == before


def assert_refused(outcome: Outcome, tmp_path: Path, code: str, place: str, listener=None):
    assert outcome.status == 1, outcome.stderr
    assert re.search(rf"^{place}: error {code}: ", outcome.stderr, re.M), outcome.stderr
    assert_safe(outcome, tmp_path, listener, {"small.pdf": b"the previous good PDF"})


def assert_warned(outcome: Outcome, tmp_path: Path, code: str, place: str):
    assert re.search(rf"^{place}: warning {code}: ", outcome.stderr, re.M), outcome.stderr
    assert_safe(outcome, tmp_path)


# ---------- files outside the edition, and the network ----------


def _link(path: Path, target: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(target)


REFUSED = {
    "a claim linked out of the edition": (
        lambda e, s, port: _link(e / "claims" / "evil.md", s / "passwd"),
        "E213",
        r"edition/claims/evil\.md",
    ),
    "the claims folder linked out of the edition": (
        lambda e, s, port: (shutil.rmtree(e / "claims"), _link(e / "claims", s / "folder")),
        "E213",
        r"edition/claims",
    ),
    "persons.yaml linked to a secret file": (
        lambda e, s, port: _link(e / "persons.yaml", s / "passwd"),
        "E213",
        r"edition/persons\.yaml",
    ),
    "a quotations file linked to a secret file": (
        lambda e, s, port: _link(e / "quotations" / "more.yaml", s / "passwd"),
        "E213",
        r"edition/quotations/more\.yaml",
    ),
    "a front-matter file linked out": (
        lambda e, s, port: _link(e / "front" / "introduction.md", s / "passwd"),
        "E213",
        r"edition/edition\.yaml:22",
    ),
    "the cover image linked to a secret file": (
        lambda e, s, port: (_link(e / "cover.png", s / "secret.png"), append(e / "edition.yaml", "cover: cover.png\n")),
        "E213",
        r"edition/edition\.yaml:\d+",
    ),
    "an absolute image path": (
        lambda e, s, port: replace(
            e / "claims" / "first.md", "[^a1]: A note", f"![x]({s}/secret.png)\n\n[^a1]: A note"
        ),
        "E213",
        r"edition/claims/first\.md:15",
    ),
    "an image above the edition": (
        lambda e, s, port: replace(
            e / "claims" / "first.md", "[^a1]: A note", "![x](../../secret/secret.png)\n\n[^a1]: A note"
        ),
        "E213",
        r"edition/claims/first\.md:15",
    ),
    "a reference-style image": (
        lambda e, s, port: replace(
            e / "claims" / "first.md", "[^a1]: A note", f"![x][r]\n\n[r]: {s}/secret.png\n\n[^a1]: A note"
        ),
        "E213",
        r"edition/claims/first\.md:\d+",
    ),
    "an image in a claim's title": (
        lambda e, s, port: replace(
            e / "claims" / "first.md", "title: The first claim", f"title: The first claim ![x]({s}/secret.png)"
        ),
        "E213",
        r"edition/claims/first\.md:3",
    ),
    "an image in a passage": (
        lambda e, s, port: replace(e / "claims" / "first.md", "quoted in full.", f"quoted ![x]({s}/secret.png)"),
        "E213",
        r"edition/claims/first\.md:6",
    ),
    "an image in a translation note": (
        lambda e, s, port: replace(
            e / "quotations" / "quotations.yaml",
            "  locator: doc. 1",
            f"  locator: doc. 1\n  translation_note: see ![x]({s}/secret.png)",
        ),
        "E213",
        r"edition/quotations/quotations\.yaml:\d+",
    ),
    "an image in the edition's title": (
        lambda e, s, port: replace(
            e / "edition.yaml", "title: A Small Test Edition", f"title: A Small Test Edition ![x]({s}/secret.png)"
        ),
        "E213",
        r"edition/edition\.yaml:1",
    ),
    "an image on the network": (
        lambda e, s, port: replace(
            e / "claims" / "first.md", "[^a1]: A note", f"![x](http://127.0.0.1:{port}/x.png)\n\n[^a1]: A note"
        ),
        "E213",
        r"edition/claims/first\.md:15",
    ),
    "a citation style above the styles folder": (
        lambda e, s, port: replace(
            e / "edition.yaml",
            "citation_style: chicago-notes-bibliography",
            "citation_style: ../../../../secret/passwd",
        ),
        "E305",
        r"edition/edition\.yaml:\d+",
    ),
    "a .csl style linked out of the edition": (
        lambda e, s, port: (
            _link(e / "house.csl", s / "passwd"),
            replace(e / "edition.yaml", "citation_style: chicago-notes-bibliography", "citation_style: house.csl"),
        ),
        "E213",
        r"edition/edition\.yaml:\d+",
    ),
    "a contents file above the edition": (
        lambda e, s, port: replace(
            e / "edition.yaml",
            "chapters: [chapters/one.md, chapters/two.md]",
            "chapters: [chapters/one.md, ../../secret/folder/evil.md]",
        ),
        "E213",
        r"edition/edition\.yaml:\d+",
    ),
    # active content
    "a javascript: link": (
        lambda e, s, port: replace(
            e / "claims" / "first.md", "[^a1]: A note", "[click](javascript:alert(1))\n\n[^a1]: A note"
        ),
        "E215",
        r"edition/claims/first\.md:15",
    ),
    "a data: link": (
        lambda e, s, port: replace(
            e / "claims" / "first.md", "[^a1]: A note", "[click](data:text/html;base64,PHNjcmlwdD4=)\n\n[^a1]: A note"
        ),
        "E215",
        r"edition/claims/first\.md:15",
    ),
    "a javascript: URL of a quotation": (
        lambda e, s, port: replace(
            e / "quotations" / "quotations.yaml", "  locator: doc. 1", "  locator: doc. 1\n  url: javascript:alert(1)"
        ),
        "E105",
        r"edition/quotations/quotations\.yaml:\d+",
    ),
    "a link to a file": (
        lambda e, s, port: replace(
            e / "claims" / "first.md", "[^a1]: A note", f"[x](file://{s}/passwd)\n\n[^a1]: A note"
        ),
        "E215",
        r"edition/claims/first\.md:15",
    ),
    # resources
    "a billion laughs of YAML aliases": (
        lambda e, s, port: (e / "persons.yaml").write_text(
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, "
                f"*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]\n"
                for n in range(9)
            ),
            encoding="utf-8",
        ),
        "E109",
        r"edition/persons\.yaml:\d+",
    ),
    "a claim of 10 MB": (
        lambda e, s, port: append(e / "claims" / "second.md", ("A sentence of the analysis. " * 40 + "\n\n") * 9000),
        "E109",
        r"edition/claims/second\.md",
    ),
    "a BibTeX crossref cycle": (
        lambda e, s, port: append(
            e.parent / "bibliography.bib",
            "\n@incollection{c1, author={A}, title={T}, crossref={c2}}\n"
            "@incollection{c2, author={B}, title={U}, crossref={c1}}\n",
        ),
        "E307",
        r"bibliography\.bib:\d+",
    ),
    "a claim linked to /dev/zero": (
        lambda e, s, port: _link(e / "claims" / "zero.md", Path("/dev/zero")),
        "E213",
        r"edition/claims/zero\.md",
    ),
    "a named pipe among the claims": (
        lambda e, s, port: os.mkfifo(e / "claims" / "pipe.md"),
        "E109",
        r"edition/claims/pipe\.md",
    ),
    "a list nested a thousand deep": (
        lambda e, s, port: replace(
            e / "claims" / "first.md",
            "[^a1]: A note",
            "".join("  " * n + "- x\n" for n in range(1000)) + "\n[^a1]: A note",
        ),
        "E217",
        r"edition/claims/first\.md:\d+",
    ),
    "a quotation nested a thousand deep": (
        lambda e, s, port: replace(e / "claims" / "first.md", "[^a1]: A note", "> " * 1000 + "x\n\n[^a1]: A note"),
        "E217",
        r"edition/claims/first\.md:\d+",
    ),
    "YAML nested a thousand deep": (
        lambda e, s, port: append(e / "edition.yaml", "deep: " + "[" * 1000 + "]" * 1000 + "\n"),
        "E109",
        r"edition/edition\.yaml:\d+",
    ),
    # encodings
    "a NUL byte in a claim": (
        lambda e, s, port: replace(e / "claims" / "first.md", "cites a book", "cites a\0 book"),
        "E108",
        r"edition/claims/first\.md:13",
    ),
    "a NUL byte in a BibTeX field": (
        lambda e, s, port: replace(e.parent / "bibliography.bib", "A Book about", "A Bo\0ok about"),
        "E108",
        r"bibliography\.bib:5",
    ),
    "invalid UTF-8 in a claim": (
        lambda e, s, port: (e / "claims" / "first.md").write_bytes(
            (e / "claims" / "first.md").read_bytes().replace(b"cites a book", b"cites a \xe9 book")
        ),
        "E101",
        r"edition/claims/first\.md:13",
    ),
    "invalid UTF-8 in a YAML file": (
        lambda e, s, port: (e / "persons.yaml").write_bytes(
            (e / "persons.yaml").read_bytes().replace(b"Khrushchev, Nikita", b"Khrushchev, Nikit\xe0")
        ),
        "E101",
        r"edition/persons\.yaml:1",
    ),
    "a binary bibliography": (
        lambda e, s, port: (e.parent / "bibliography.bib").write_bytes(bytes(range(256)) * 8),
        "E10[18]",
        r"bibliography\.bib:\d+",
    ),
    "a bibliography in Latin-1": (
        lambda e, s, port: (e.parent / "bibliography.bib").write_bytes(
            (e.parent / "bibliography.bib")
            .read_text(encoding="utf-8")
            .replace("Moscow", "Moskv\u00e1")
            .encode("latin-1")
        ),
        "E101",
        r"bibliography\.bib:5",
    ),
    # data accepted silently before
    "a key given twice in edition.yaml": (
        lambda e, s, port: append(e / "edition.yaml", "slug: other\n"),
        "E110",
        r"edition/edition\.yaml:\d+",
    ),
    "a key given twice in a claim's front matter": (
        lambda e, s, port: replace(
            e / "claims" / "first.md", "title: The first claim\n", "title: The first claim\ntitle: Another\n"
        ),
        "E110",
        r"edition/claims/first\.md:4",
    ),
    "a key given twice in a quotation": (
        lambda e, s, port: replace(
            e / "quotations" / "quotations.yaml", "  locator: doc. 1", "  locator: doc. 1\n  locator: doc. 2"
        ),
        "E110",
        r"edition/quotations/quotations\.yaml:\d+",
    ),
    "an empty edition.yaml": (
        lambda e, s, port: (e / "edition.yaml").write_text("", encoding="utf-8"),
        "E111",
        r"edition/edition\.yaml:1",
    ),
    "a list where a label is wanted": (
        lambda e, s, port: replace(e / "edition.yaml", "supported: Supported by the evidence", "supported: [a, b]"),
        "E102",
        r"edition/edition\.yaml:\d+",
    ),
    "an assessment key YAML reads as false": (
        lambda e, s, port: replace(
            e / "edition.yaml", "  supported: Supported", "  no: Not supported\n  supported: Supported"
        ),
        "E102",
        r"edition/edition\.yaml:20",
    ),
    "an undefined @string macro": (
        lambda e, s, port: replace(e.parent / "bibliography.bib", "publisher = tp,", "publisher = tpx,"),
        "E306",
        r"bibliography\.bib:6",
    ),
    "a YAML syntax error in front matter": (
        lambda e, s, port: replace(e / "claims" / "second.md", "assessment: supported", "assessment: : supported"),
        "E101",
        r"edition/claims/second\.md:7",
    ),
    "a bleed without a unit": (
        lambda e, s, port: append(e / "edition.yaml", 'print:\n  bleed: "0.125"\n'),
        "E105",
        r"edition/edition\.yaml:\d+",
    ),
    "a bleed with a space before its unit": (
        lambda e, s, port: append(e / "edition.yaml", "print:\n  bleed: 3 mm\n"),
        "E105",
        r"edition/edition\.yaml:\d+",
    ),
    "a citation with a ';' and no key": (
        lambda e, s, port: replace(e / "claims" / "first.md", "[@beta1999, 7]", "[@beta1999; 88]"),
        "E216",
        r"edition/claims/first\.md:13",
    ),
    "an unclosed citation": (
        lambda e, s, port: replace(e / "claims" / "first.md", "[@beta1999, 7]", "[@beta1999, 88 A6"),
        "E216",
        r"edition/claims/first\.md:13",
    ),
    "a locator ending in a dash": (
        lambda e, s, port: replace(e / "claims" / "first.md", "[@beta1999, 7]", "[@beta1999, 88--]"),
        "E216",
        r"edition/claims/first\.md:13",
    ),
    "a locator with a stray bracket": (
        lambda e, s, port: replace(e / "quotations" / "quotations.yaml", "locator: doc. 1", "locator: p. 88]"),
        "E216",
        r"edition/quotations/quotations\.yaml:\d+",
    ),
    "a BibTeX entry missing a comma": (
        lambda e, s, port: replace(
            e.parent / "bibliography.bib", "title = {A Book about {Moscow}},", "title = {A Book about {Moscow}}"
        ),
        "E301",
        r"bibliography\.bib:\d+",
    ),
    "an id reserved for the build": (
        lambda e, s, port: replace(
            e / "claims" / "first.md", "[^a1]: A note", "## Sources {#appendix}\n\nText.\n\n[^a1]: A note"
        ),
        "E214",
        r"edition/claims/first\.md:\d+",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused(name, case, tmp_path, listener):
    setup, code, place = REFUSED[name]
    setup(case, tmp_path / "secret", listener.port)
    outcome = run(tmp_path, case)
    assert_refused(outcome, tmp_path, code, place, listener)


WARNED = {
    "raw HTML that would hide a paragraph": (
        lambda e: replace(
            e / "claims" / "first.md", "[^a1]: A note", "<style>p { display: none }</style>\n\n[^a1]: A note"
        ),
        "W215",
        r"edition/claims/first\.md:15",
    ),
    "a script in a claim": (
        lambda e: replace(e / "claims" / "first.md", "cites a book", "cites <script>alert(1)</script> a book"),
        "W215",
        r"edition/claims/first\.md:13",
    ),
    "an iframe and an image with onerror": (
        lambda e: replace(
            e / "claims" / "first.md",
            "[^a1]: A note",
            '<iframe src="http://x/"></iframe> <img src=x onerror="alert(1)">\n\n[^a1]: A note',
        ),
        "W215",
        r"edition/claims/first\.md:15",
    ),
    "a video of a secret file": (
        lambda e: replace(
            e / "claims" / "first.md", "[^a1]: A note", '<video src="/etc/passwd"></video>\n\n[^a1]: A note'
        ),
        "W215",
        r"edition/claims/first\.md:15",
    ),
    "a script in the edition's title": (
        lambda e: replace(
            e / "edition.yaml", "title: A Small Test Edition", "title: A Small Test Edition <script>alert(1)</script>"
        ),
        "W215",
        r"edition/edition\.yaml:1",
    ),
    "a field that is not a BibTeX field": (
        lambda e: replace(
            e.parent / "bibliography.bib", "address = {Testville},", "address = {Testville},\n  badfield = {x},"
        ),
        "W304",
        r"bibliography\.bib:\d+",
    ),
    "a character the bundled font lacks": (
        lambda e: replace(e / "claims" / "first.md", "cites a book", "cites a \U0001f600 book \u4e2d"),
        "W216",
        r"edition/claims/first\.md:13",
    ),
}


@pytest.mark.parametrize("name", list(WARNED))
def test_warned(name, case, tmp_path):
    setup, code, place = WARNED[name]
    setup(case)
    assert_warned(run(tmp_path, case), tmp_path, code, place)


ACCEPTED = {
    "a byte-order mark before the front matter": lambda e: (e / "claims" / "first.md").write_bytes(
        b"\xef\xbb\xbf" + (e / "claims" / "first.md").read_bytes()
    ),
    "an @online entry with an eprint and no url": lambda e: append(
        e.parent / "bibliography.bib",
        "\n@online{arxiv, author={Doe, J.}, title={A Preprint}, date={2020},"
        " eprint={2001.01234}, eprinttype={arxiv}}\n",
    ),
    "a crossref written in another case": lambda e: append(
        e.parent / "bibliography.bib",
        "\n@inbook{part, author={Doe, J.}, title={A Part}, crossref={WHOLE-BOOK}}\n"
        "@book{whole-book, editor={Roe, R.}, title={The Whole}, publisher={P}, year={1990}}\n",
    ),
    "a press's own trim size": lambda e: append(e / "edition.yaml", "print:\n  trim: 156x234mm\n  bleed: 3mm\n"),
    "an HTML comment": lambda e: replace(
        e / "claims" / "first.md", "[^a1]: A note", "<!-- a note to self -->\n\n[^a1]: A note"
    ),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted(name, case, tmp_path):
    ACCEPTED[name](case)
    outcome = run(tmp_path, case, "--ignore", "W301")
    assert outcome.status == 0, outcome.stderr
    assert " error " not in outcome.stderr, outcome.stderr
    assert_safe(outcome, tmp_path)


def test_all_faults_of_edition_yaml_at_once_and_one_for_a_misspelled_key(case, tmp_path):
    replace(case / "edition.yaml", "year: 2026", "year: twenty")
    replace(case / "edition.yaml", "language: en-US", "language: english language")
    replace(case / "edition.yaml", "print: 978-0-306-40615-7", "print: 978-0-306-40615-8")
    replace(
        case / "edition.yaml", "citation_style: chicago-notes-bibliography", "citation_style: chicago-notes-bibliograpy"
    )
    replace(case / "claims" / "second.md", "assessment: supported", "asessment: supported")
    outcome = run(tmp_path, case)
    assert outcome.status == 1
    for code, line in (("E102", 9), ("E105", 5), ("E105", 12), ("E305", 17)):
        assert re.search(rf"edition/edition\.yaml:{line}: error {code}: ", outcome.stderr), (code, line, outcome.stderr)
    second = [line for line in outcome.stderr.splitlines() if "claims/second.md" in line]
    assert len(second) == 1 and "E103" in second[0] and "did you mean 'assessment'?" in outcome.stderr, second
    assert "chapters/one.md" not in outcome.stderr  # no cascade: the claim is known, its file is faulty
    assert_safe(outcome, tmp_path)


def test_yaml_syntax_error_in_plain_words_with_line_and_column(case, tmp_path):
    replace(
        case / "edition.yaml",
        "contents:\n  front: [front/introduction.md]",
        "contents:\n  front: [front/introduction.md]\n   - stray",
    )
    outcome = run(tmp_path, case)
    assert outcome.status == 1
    assert re.search(r"edition\.yaml:2\d: error E101: YAML syntax error, column \d+: ", outcome.stderr), outcome.stderr
    assert "<block end>" not in outcome.stderr.split("(YAML:")[0]


def test_a_whole_zotero_library_is_one_warning(case, tmp_path):
    append(case.parent / "bibliography.bib", "".join(f"\n@misc{{extra{n}, title={{Extra {n}}}}}\n" for n in range(300)))
    outcome = run(tmp_path, case)
    w301 = [line for line in outcome.stderr.splitlines() if "warning W301" in line]
    assert len(w301) == 1 and "300 entries are never cited" in w301[0] and "and 288 more" in w301[0], w301
    strict = run(tmp_path, case, "--strict", "--ignore", "W301")
    assert strict.status == 0, strict.stderr


# ---------- what runs: templates, the book's own HTML ----------


def test_an_edition_template_cannot_reach_python(case, tmp_path):
    templates = case / "templates"
    templates.mkdir()
    proof = tmp_path / "ran"
    (templates / "front.md.j2").write_text(
        "# {{ part.title }}\n{{ ''.__class__.__mro__[1].__subclasses__() }}"
        "{{ cycler.__init__.__globals__.os.system('touch " + str(proof) + "') }}\n",
        encoding="utf-8",
    )
    outcome = run(tmp_path, case, command="build")
    assert outcome.status == 1
    assert re.search(r"front\.md\.j2:\d+: error E218: ", outcome.stderr), outcome.stderr
    assert not proof.exists()
    assert_safe(outcome, tmp_path, before={"small.pdf": b"the previous good PDF"})


def test_an_edition_template_cannot_include_outside_files(case, tmp_path):
    templates = case / "templates"
    templates.mkdir()
    (templates / "front.md.j2").write_text(
        "# {{ part.title }}\n\n{% include '../../../../secret/passwd' %}\n", encoding="utf-8"
    )
    outcome = run(tmp_path, case, command="build")
    assert outcome.status == 1
    assert re.search(r"templates/front\.md\.j2:3: error E218: template '\.\./", outcome.stderr), outcome.stderr
    assert_safe(outcome, tmp_path, before={"small.pdf": b"the previous good PDF"})


TEMPLATE_FAULTS = {
    "a sandbox escape": (
        "front.md.j2",
        "# {{ part.title }}\n\n{{ cycler.__init__.__globals__.os }}\n",
        3,
        "the template does what templates may not: it reads '__globals__'",
    ),
    "a syntax error": ("front.md.j2", "# {{ part.title }}\n\n{% if part.title %}\nno end\n", 3, "TemplateSyntaxError"),
    "an include outside the edition": (
        "chapter.md.j2",
        "# {{ chapter.title }}\n\n{% include '../../../secret/passwd' %}\n",
        3,
        "template '../../../secret/passwd' cannot be used",
    ),
    "an include of no template": (
        "chapter.md.j2",
        "# {{ chapter.title }}\n{% include 'claim-box.md.j2' %}\n",
        2,
        "template 'claim-box.md.j2' cannot be used: no template folder has it",
    ),
    "a field the model does not have": (
        "front.md.j2",
        "# {{ part.title }}\n\n{{ part.no_such_field }}\n",
        3,
        "the template uses something undefined",
    ),
}


@pytest.mark.parametrize("name", list(TEMPLATE_FAULTS))
def test_check_finds_every_fault_of_the_edition_s_templates(name, case, tmp_path):
    """`check` compiles, reads through and renders the edition's templates: what the build
    would refuse is refused by the check, at the template's file and line, and nothing runs."""
    file, text, line, message = TEMPLATE_FAULTS[name]
    templates = case / "templates"
    templates.mkdir()
    (templates / file).write_text(text, encoding="utf-8")
    outcome = run(tmp_path, case, command="check")
    assert outcome.status == 1, outcome.stderr
    found = re.search(rf"^edition/templates/{re.escape(file)}:(\d+): error E218: (.*)$", outcome.stderr, re.M)
    assert found and int(found.group(1)) == line and message in found.group(2), outcome.stderr
    assert_safe(outcome, tmp_path)


def test_a_stylesheet_that_fetches_is_named_with_its_line_by_check_and_build(case, tmp_path, listener):
    """Every address of the edition's stylesheet the layout would refuse (the network, a file
    outside the edition) is an E402 at the stylesheet's line, found before anything is laid out;
    a data: address and a file of the edition are fine; nothing is fetched."""
    templates = case / "templates"
    templates.mkdir()
    (templates / "print.css").write_text(
        f'@import url("http://127.0.0.1:{listener.port}/x.css");\n'
        "body {\n"
        f"  background: url(http://127.0.0.1:{listener.port}/x.png);\n"
        "}\n"
        '@font-face { font-family: X; src: url("../../secret/passwd"); }\n'
        "p { background: url(data:image/png;base64,AAAA) }\n"
        "h1 { background: url(../chapters/one.md) }\n",
        encoding="utf-8",
    )
    for command in ("check", "build"):
        outcome = run(tmp_path, case, command=command)
        assert outcome.status == 1, outcome.stderr
        lines = [int(n) for n in re.findall(r"^edition/templates/print\.css:(\d+): error E402: ", outcome.stderr, re.M)]
        assert lines == [1, 3, 5], outcome.stderr
        assert_safe(outcome, tmp_path, listener, before={"small.pdf": b"the previous good PDF"})


def test_active_content_reaches_neither_book(case, tmp_path, listener):
    """Raw HTML of every kind in the text, the title and a note; a DOI with '<' and '>'; the
    books are built, EPUBCheck passes the EPUB, and neither book carries any of it."""
    replace(
        case / "claims" / "first.md",
        "[^a1]: A note",
        "<style>p { display: none }</style>\n\nA paragraph that must print.\n\n"
        "<script>alert(1)</script>\n\nText with `<b>x</b>`{=html} raw and <sup>2</sup> kept.\n\n"
        f'<img src="http://127.0.0.1:{listener.port}/x.png" onerror="alert(1)">\n\n[^a1]: A note',
    )
    replace(case / "edition.yaml", "title: A Small Test Edition", "title: A Small <script>x()</script>Test Edition")
    replace(
        case.parent / "bibliography.bib",
        "year = {2001}",
        "year = {2001},\n  doi = {10.1002/(SICI)1097-4571<1>3.0.CO;2-S}",
    )
    outcome = run(tmp_path, case, "--ignore", "W215", command="build")
    assert outcome.status == 0, outcome.stderr
    assert_safe(outcome, tmp_path, listener)
    import zipfile

    from conftest import epubcheck
    from pdfread import BuiltPdf

    epub = outcome.output / "small.epub"
    with zipfile.ZipFile(epub) as book:
        text = " ".join(
            book.read(n).decode("utf-8", "replace").split("<body", 1)[-1]
            for n in book.namelist()
            if n.endswith(".xhtml")
        )
        text += " ".join(book.read(n).decode() for n in book.namelist() if n.endswith(".opf"))
    for bad in ("<script", "<style", "onerror", "<iframe", "127.0.0.1", '<img src="http'):
        assert bad not in text, bad
    assert "<sup>2</sup>" in text
    check = epubcheck(epub)
    assert check.returncode == 0, check.stdout + check.stderr
    pdf = BuiltPdf(outcome.output / "small.pdf")
    assert "A paragraph that must print." in pdf.all_text()
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            assert action is None or action.get_object().get("/S") == "/URI", action


# ---------- faults of the machine ----------


def test_an_output_path_that_is_a_file(case, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    outcome = run(tmp_path, case, "--output", str(target), command="check")
    # check writes nothing; build says what is wrong before any work
    audit = tmp_path / "audit.log"
    argv = [
        sys.executable,
        str(HERE / "hostile_runner.py"),
        "build",
        "-q",
        "--edition",
        str(case),
        "--output",
        str(target),
    ]
    process = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        env=dict(os.environ, FOLIO_AUDIT_LOG=str(audit), FOLIO_SECRET=str(tmp_path / "secret")),
    )
    assert process.returncode == 1 and "error E701: the output folder cannot be written" in process.stderr, (
        process.stderr
    )
    assert "Traceback" not in process.stderr and outcome.status == 0
    assert target.read_text() == "not a folder"


def test_a_cache_that_cannot_be_written_is_a_warning(case, tmp_path):
    (case.parent / ".folio-cache").write_text("a file where the cache folder goes")
    outcome = run(tmp_path, case, command="build")
    assert outcome.status == 0, outcome.stderr
    assert "warning W701: the cache cannot be written" in outcome.stderr
    assert (outcome.output / "small.pdf").read_bytes().startswith(b"%PDF")


def _workers_of(pid_marker: str) -> list[str]:
    found = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines()
    return [line for line in found if pid_marker in line and "ps -eo" not in line]


@pytest.mark.parametrize("how", ["interrupt", "kill"])
def test_a_build_stopped_during_the_layout(how, case, tmp_path):
    """Ctrl-C: exit 130, one line, no traceback, the previous output intact, no worker left.
    Killed outright: no worker left either, and the next build removes the staging files."""
    output = tmp_path / "output"
    output.mkdir()
    (output / "small.pdf").write_bytes(b"the previous good PDF")
    (output / ".small.999999.abc.pdf.part").write_bytes(b"a staging file of a killed build")
    marker = str(tmp_path)
    # pages enough for the layout to last a few seconds (the small edition's takes less than one)
    append(
        case / "claims" / "first.md",
        "".join(
            f"\n\nParagraph {n} of a longer analysis. " + "A sentence of the analysis. " * 40 + f"[^long{n}]"
            for n in range(60)
        )
        + "".join(f"\n\n[^long{n}]: A note of the editor's own, number {n}." for n in range(60)),
    )
    argv = [
        sys.executable,
        "-m",
        "folio",
        "build",
        "--no-cache",
        "--jobs",
        "2",
        "--edition",
        str(case),
        "--output",
        str(output),
    ]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(HERE.parent),
        start_new_session=True,
        # Ctrl-C as a terminal gives it, even when the tests run in the background (where the shell
        # has the signal ignored, and Python would then not turn it into KeyboardInterrupt)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    err = ""
    while time.monotonic() < deadline and "Typesetting" not in err:
        line = process.stderr.readline()
        if not line:
            break
        err += line
    assert "Typesetting" in err, err
    time.sleep(1.0)
    if how == "interrupt":
        os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole group
    else:
        os.kill(process.pid, signal.SIGKILL)
    rest = process.communicate(timeout=60)[1]
    time.sleep(1.0)
    assert not _workers_of(marker), _workers_of(marker)
    if how == "interrupt":
        assert process.returncode == 130, rest
        assert "Traceback" not in rest and "KeyboardInterrupt" not in rest, rest
        lines = rest.strip().splitlines()
        assert lines[-1].startswith("folio: interrupted") and sum("nterrupt" in line for line in lines) == 1, rest
    assert (output / "small.pdf").read_bytes() == b"the previous good PDF"
    again = subprocess.run(
        argv[:3] + ["-q"] + argv[3:], capture_output=True, text=True, cwd=str(HERE.parent), timeout=300
    )
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in output.iterdir()) == ["small.epub", "small.pdf"]


def test_a_new_file_that_is_not_a_regular_file_is_seen(case, tmp_path):
    first = run(tmp_path, case, command="build")
    assert first.status == 0, first.stderr
    os.mkfifo(case / "claims" / "pipe.md")
    second = run(tmp_path, case, command="build")
    assert second.status == 1 and "Nothing changed" not in second.stderr
    assert re.search(r"edition/claims/pipe\.md: error E109: is a named pipe", second.stderr), second.stderr


# ---------- printed as meant ----------


def test_what_an_editor_types_prints_literally(case, tmp_path):
    replace(
        case / "quotations" / "quotations.yaml",
        "heading: A document of 1 January 1950",
        "heading: Brown on the *legend",
    )
    replace(case / "claims" / "first.md", "  locator: Section 1", '  locator: "[Letter 52"')
    replace(case / "chapters" / "one.md", "title: The First Chapter", 'title: "The Retreat {1914} #"')
    replace(case / "claims" / "second.md", "title: The second claim", 'title: "1956. A year of *two* reports"')
    outcome = run(tmp_path, case, command="build")
    assert outcome.status == 0, outcome.stderr
    from pdfread import BuiltPdf, fold

    text = fold(BuiltPdf(outcome.output / "small.pdf").all_text())
    assert "Brown on the *legend" in text and "{ #q" not in text and ".quotation}" not in text
    assert "[Letter 52" in text and "passage-locator" not in text
    assert text.count("The Retreat {1914} #") >= 2, "the contents and the heading read alike"
    assert "1956. A year of two reports" in text


def test_report_of_what_moved_aligns_notes_by_their_text():
    from folio.rebuild.changes import compare

    before = {
        "notes": {"chapter-a": [f"note {n}" for n in range(20)]},
        "note_pages": {},
        "parts": {},
        "printed": {},
        "index": {},
        "pages": 10,
    }
    after = {
        "notes": {"chapter-a": ["a new note"] + [f"note {n}" for n in range(20)]},
        "note_pages": {},
        "parts": {},
        "printed": {"claim-x": "7"},
        "index": {},
        "pages": 10,
        "names": {"claim-x": "claim 3, X"},
    }
    before["printed"] = {"claim-x": "6"}
    report = compare(before, after).text()
    assert report.count("new:") == 1 and "before:" not in report, report
    assert "claim 3, X: now p. 7 (was p. 6)" in report
