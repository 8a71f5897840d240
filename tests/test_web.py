"""The web edition (build --format html): a static site read back from its files, its
ClaimReview data checked against schema.org's vocabulary, its pages opened in Debian's
chromium with axe-core (tools/ace/web-check.js), a note opened and a search made there."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import REPO, copy_small, run_build
from lxml import html as lxml_html
from pdfread import BuiltPdf

pytestmark = pytest.mark.slow

TOOLS = REPO / "tools" / "ace"
ARTEFACTS = REPO / "tests" / "artefacts" / "web"
OUR_SCRIPTS = {"notes.js", "search.js", "search-index.js"}


@pytest.fixture(scope="module")
def site_build(tmp_path_factory):
    import os

    root = tmp_path_factory.mktemp("web")
    edition = copy_small(root)
    out = root / "output"
    from folio.cli import main

    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        assert main(["build", "-q", "--edition", str(edition), "--output", str(out), "--format", "pdf,epub,html"]) == 0
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    return edition, out, out / "small-web"


def _pages(site: Path) -> dict[str, object]:
    return {p.name: lxml_html.fromstring(p.read_bytes()) for p in sorted(site.glob("*.html"))}


def test_the_site_has_every_part_of_the_book(site_build):
    _edition, out, site = site_build
    names = {p.name for p in site.glob("*.html")}
    assert {
        "index.html",
        "front-introduction.html",
        "chapter-one.html",
        "chapter-two.html",
        "appendix.html",
        "bibliography.html",
        "names.html",
        "copyright.html",
        "accessibility.html",
        "search.html",
    } <= names
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Table of Claims" in home and "Contradicted by the evidence" in home and "Ada Editor" in home
    for font in ("Regular", "Italic", "Bold", "BoldItalic"):
        assert (site / "fonts" / f"GentiumBookPlus-{font}.woff2").stat().st_size > 100_000
    chapter = (site / "chapter-one.html").read_text(encoding="utf-8")
    assert 'id="claim-first"' in chapter and "Cite this claim" in chapter
    # the same note text as the print book's first note of the chapter
    pdf = BuiltPdf(out / "small.pdf")
    note = lxml_html.fromstring(chapter).get_element_by_id("note-chapter-one-1")
    assert "Khrushchev" in note.text_content() and "Khrushchev" in pdf.all_text()


def test_every_link_of_the_site_resolves_and_nothing_comes_from_outside(site_build):
    _edition, _out, site = site_build
    pages = _pages(site)
    ids = {name: {e.get("id") for e in tree.iter() if e.get("id")} for name, tree in pages.items()}
    checked = 0
    for name, tree in pages.items():
        for element in tree.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if not value:
                    continue
                parts = urlsplit(value)
                if parts.scheme in ("http", "https", "mailto"):
                    assert element.tag == "a", f"{name}: {element.tag} {attribute}={value} comes from outside"
                    continue
                assert not parts.scheme, f"{name}: {value}"
                target = unquote(parts.path) or name
                assert (site / target).is_file(), f"{name}: {value} leads nowhere"
                if parts.fragment and target.endswith(".html"):
                    assert parts.fragment in ids[target], f"{name}: {value}: no such anchor"
                checked += 1
            if element.tag == "script" and element.get("type") != "application/ld+json":
                assert element.get("src") in OUR_SCRIPTS and not (element.text or "").strip(), name
            assert not any(a.lower().startswith("on") for a in element.attrib), f"{name}: an event handler"
    assert checked > 100
    css = (site / "site.css").read_text(encoding="utf-8")
    for url in re.findall(r"url\(\"?([^\")]+)", css):
        assert not urlsplit(url).scheme and (site / url).is_file(), url


def test_notes_are_at_the_end_of_their_section_and_link_both_ways(site_build):
    _edition, _out, site = site_build
    tree = lxml_html.fromstring((site / "chapter-one.html").read_bytes())
    calls = tree.xpath("//a[@class='noteref']")
    assert [c.text for c in calls] == ["1", "2", "3", "4", "5"]
    for call in calls:
        note = tree.get_element_by_id(call.get("href")[1:])
        assert note.tag == "li" and note.getparent().getparent().get("role") == "doc-endnotes"
        back = note.xpath(".//a[@role='doc-backlink']")[0]
        assert back.get("href") == f"#{call.get('id')}"
    # the notes of claim 1 stand before claim 2's heading, not at the end of the chapter
    text = (site / "chapter-one.html").read_text(encoding="utf-8")
    assert (
        text.index('id="note-chapter-one-3"') < text.index('id="claim-second"') < text.index('id="note-chapter-one-4"')
    )


def test_print_page_markers_match_the_pdf(site_build):
    _edition, out, site = site_build
    pdf = BuiltPdf(out / "small.pdf")
    labels = {pdf.reader.page_labels[i]: i for i in range(len(pdf.pages))}
    marked = 0
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r'<span class="page-marker" [^>]*title="print page ([^"]+)"[^>]*></span>', text):
            label = match.group(1)
            following = lxml_html.fromstring(f"<div>{text[match.end() : match.end() + 4000]}</div>").text_content()
            words = " ".join(following.split()[:3]).replace("\u2019", "'")
            assert label in labels, label
            index = labels[label]
            while not pdf.text(index).strip():  # a blank verso is marked where the next page begins
                index += 1
            assert words and words in pdf.text(index).replace("\u2019", "'"), (page.name, label, words)
            marked += 1
    assert marked >= 5


def _schema_org() -> dict[str, tuple[set, set]]:
    """schema.org's vocabulary as schema-dts states it (npm, pinned in tools/ace): type ->
    (its own properties, the types it extends)."""
    source = (TOOLS / "node_modules" / "schema-dts" / "dist" / "schema.d.ts").read_text(encoding="utf-8")
    types: dict[str, tuple[set, set]] = {}
    for match in re.finditer(r"interface (\w+)Base extends ([^{]+)\{(.*?)\n\}", source, re.S):
        name, parents, body = match.groups()
        bases = {p.strip()[:-4] for p in re.findall(r"\w+Base", parents)}
        types[name] = (set(re.findall(r'^\s+"(\w+)"\??:', body, re.M)), bases)
    for match in re.finditer(r'export interface (\w+)Leaf extends (\w+)Base \{\s*"@type": "(\w+)"', source):
        types.setdefault(match.group(3), (set(), {match.group(2)}))
    return types


def _properties(types, name: str) -> set:
    own, bases = types[name]
    found = set(own)
    for base in bases:
        if base in types:
            found |= _properties(types, base)
    return found


def test_each_claim_is_a_claim_review_in_schema_org_terms(site_build):
    _edition, _out, site = site_build
    types = _schema_org()
    assert "claimReviewed" in _properties(types, "ClaimReview")  # the vocabulary was read

    def check(node, where):
        if isinstance(node, list):
            for item in node:
                check(item, where)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("@type")
        assert kind in types, f"{where}: no schema.org type {kind}"
        allowed = _properties(types, kind)
        for key, value in node.items():
            if key.startswith("@"):
                continue
            assert key in allowed, f"{where}: {kind} has no property {key}"
            check(value, f"{where} {kind}.{key}")

    reviews = []
    for page in site.glob("*.html"):
        tree = lxml_html.fromstring(page.read_bytes())
        for script in tree.xpath("//script[@type='application/ld+json']"):
            data = json.loads(script.text)
            check(data, page.name)
            reviews.append(data)
    assert len(reviews) == 2
    first = next(r for r in reviews if r["url"].endswith("#claim-first"))
    assert first["claimReviewed"] == "The first passage of the examined text, quoted in full."
    assert first["reviewRating"]["alternateName"] == "Contradicted by the evidence"
    assert first["itemReviewed"]["@type"] == "Claim"
    assert first["itemReviewed"]["author"][0]["name"] == "Nikita S. Khrushchev"
    assert first["author"][0]["name"] == "Ada Editor" and first["datePublished"]
    for review in reviews:  # what fact-check readers require
        assert {"url", "claimReviewed", "reviewRating", "author", "itemReviewed"} <= set(review)


def test_a_claim_edit_remakes_one_page_and_the_build_is_reproducible(site_build, tmp_path, monkeypatch):
    from folio.build import Options, build

    edition, out, site = site_build
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    again = tmp_path / "again"
    result = build(Options(edition=edition, output=again, formats=("html",)))
    assert not result.problems.errors
    assert result.site.rendered == []  # all from the cache
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {
        p.relative_to(again / "small-web"): p.read_bytes() for p in (again / "small-web").rglob("*") if p.is_file()
    }
    assert first == second
    claim = edition / "claims" / "second.md"
    claim.write_text(
        claim.read_text(encoding="utf-8").replace(
            "The second claim is examined", "The second claim, re-read, is examined"
        ),
        encoding="utf-8",
    )
    result = build(Options(edition=edition, output=again, formats=("html",)))
    assert result.site.rendered == ["chapter-one"]
    assert "re-read" in (again / "small-web" / "chapter-one.html").read_text(encoding="utf-8")
    assert "re-read" in (again / "small-web" / "search-index.js").read_text(encoding="utf-8")


@pytest.mark.allow_warnings
def test_active_content_never_reaches_the_site(tmp_path, capsys):
    edition = copy_small(tmp_path)
    claim = edition / "claims" / "first.md"
    original = claim.read_text(encoding="utf-8")
    claim.write_text(
        original
        + '\n\nHostile: `<script>alert(1)</script>`{=html} <b onmouseover="alert(4)">bold</b>'
        + ' <img src="x" onerror="alert(3)"> `<iframe src="https://example.org"></iframe>`{=html}\n',
        encoding="utf-8",
    )
    run = run_build(capsys, edition, tmp_path / "out", "--format", "html")
    site = tmp_path / "out" / "small-web"
    assert run.status == 0 and "W215" in run.stderr, run.stderr  # warned, and left out
    text = (site / "chapter-one.html").read_text(encoding="utf-8")
    assert "Hostile:" in text
    tree = lxml_html.fromstring(text)  # what is left of it is text, shown as written, never markup
    assert not tree.xpath("//iframe | //img[@onerror] | //*[@onmouseover]")
    for script in tree.xpath("//script"):
        assert script.get("type") == "application/ld+json" or script.get("src") in OUR_SCRIPTS
    # what the checks refuse builds nothing, the site included
    claim.write_text(original + "\n\n[a link](javascript:alert(2)) ![a picture](/etc/passwd)\n", encoding="utf-8")
    run = run_build(capsys, edition, tmp_path / "out2", "--format", "html")
    assert run.status == 1 and "E215" in run.stderr and "E213" in run.stderr
    assert not (tmp_path / "out2" / "small-web").exists()


def test_the_web_writer_takes_out_active_content_whatever_reaches_it(tmp_path):
    """Defence in depth: the web writer's own clean-up, on HTML the checks would never let through."""
    from folio.web.pages import Media, web_body

    (tmp_path / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    hostile = (
        '<h1 id="chapter-x">X</h1><p>a<script>alert(1)</script><style>p{display:none}</style>'
        '<a href="javascript:alert(2)">j</a><a href="data:text/html,x">d</a><a href="file:///etc/passwd">f</a>'
        '<img src="/etc/passwd" alt="p"><img src="ok.png" alt="ok"><img src="data:image/png;base64,AAAA" alt="d">'
        '<span style="display:none" onclick="x()">s</span><iframe src="https://example.org"></iframe>'
        '<video src="v.mp4"></video><svg><script>alert(5)</script></svg><a href="https://example.org/">w</a>'
        '<form action="https://example.org"><input name="x"></form><!-- a comment --></p>'
    )
    media = Media(tmp_path)
    body = web_body(hostile, "chapter-x.html", {"chapter-x": "chapter-x.html"}, media).html
    for bad in ("<script", "<style", "javascript:", "data:", "file:", "/etc/passwd", "onclick", "display:none",
                "<iframe", "<video", "<svg", "<form", "<input", "comment"):  # fmt: skip
        assert bad not in body, bad
    assert 'href="https://example.org/"' in body and "media/" in body and list(media.files)
    assert [name for name, _ in media.refused] == ["/etc/passwd"]


def _web_check(url: str, pages: list[str], artefacts: Path, word: str) -> dict:
    node = shutil.which("node")
    assert node, "node is needed (make test installs it with tools/system-deps.sh)"
    assert (TOOLS / "node_modules" / "puppeteer-core").is_dir(), "run: make ace (npm, pinned in tools/ace)"
    from folio.ebook.epub_check import chromium

    browser = chromium()
    assert browser, "Debian's chromium is needed (make test installs it)"
    process = subprocess.run(
        [node, str(TOOLS / "web-check.js"), url, ",".join(pages), str(artefacts), word],
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "HOME": str(artefacts), "PUPPETEER_EXECUTABLE_PATH": browser},
    )
    assert process.returncode == 0, process.stderr[-2000:]
    return json.loads(process.stdout)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_in_a_real_browser_from_disk_and_from_a_server(site_build):
    _edition, _out, site = site_build
    pages = sorted(p.name for p in site.glob("*.html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for where, url in (("disk", site.as_uri() + "/"), ("server", f"http://127.0.0.1:{server.server_port}/")):
            artefacts = ARTEFACTS / where
            shutil.rmtree(artefacts, ignore_errors=True)
            report = _web_check(url, pages, artefacts, "Moscow")
            for name, entry in report["pages"].items():
                assert entry["axe"] == [], (where, name, entry["axe"])
                assert entry["width375"] <= 375, (where, name, "scrolls sideways at 375 px")
                assert any(f.startswith("Gentium Book Plus") for f in entry["fonts"]), (where, name)
            assert report["outside"] == [], report["outside"]
            assert report["consoleErrors"] == [], report["consoleErrors"]
            note = report["note"]
            assert note["shown"] and note["shown"]["focused"], note
            assert note["noteText"].split()[0] in note["shown"]["text"]
            assert note["closed"] == {"gone": True, "back": True}
            hits = report["search"]["results"]
            assert any(hit["kind"] == "Note" and "#note-" in hit["href"] for hit in hits), hits
            assert (artefacts / "chapter-one-375.png").stat().st_size > 5000
            assert (artefacts / "index-1280.png").stat().st_size > 5000
    finally:
        server.shutdown()


def test_serve_builds_serves_and_reloads_after_a_save(tmp_path):
    import os
    import signal
    import sys
    import time
    import urllib.request

    edition = copy_small(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "folio", "serve", "--edition", str(edition), "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    lines: list[str] = []

    def read_until(text: str, limit: float = 300) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line)
            if text in line:
                return
        raise AssertionError(f"no '{text}' in: {''.join(lines)[-3000:]}")

    def get(url: str) -> str:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")

    try:
        read_until("serving http://127.0.0.1:")
        port = re.search(r"127\.0\.0\.1:(\d+)", lines[-1]).group(1)
        read_until("Waiting for the next save")
        base = f"http://127.0.0.1:{port}"
        home = get(base + "/")  # redirected to the site
        assert "Table of Claims" in home and "/__folio/reload.js" in home
        assert "__folio" not in (tmp_path / "small" / "output" / "small-web" / "index.html").read_text(encoding="utf-8")
        assert get(base + "/__folio/version") == "1"
        claim = edition / "claims" / "second.md"
        claim.write_text(
            claim.read_text(encoding="utf-8").replace("is examined", "is re-read and examined"), encoding="utf-8"
        )
        read_until("Waiting for the next save")
        assert get(base + "/__folio/version") == "2"
        assert "re-read" in get(base + "/small-web/chapter-one.html")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            stdout, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            stdout, _ = process.communicate()
    assert stdout.count("Wrote ") == 2 and "What moved since the last build" in stdout  # the report, as in watch


@pytest.mark.allow_warnings
def test_an_editions_own_templates_cannot_put_scripts_in_the_site(tmp_path, capsys):
    edition = copy_small(tmp_path)
    web = edition / "templates" / "web"
    web.mkdir(parents=True)
    (web / "unit.html.j2").write_text(
        '{% extends "web/base.html.j2" %}{% block head %}<script>alert(1)</script>'
        '<script src="https://example.org/x.js"></script><meta http-equiv="refresh" content="0;url=https://example.org">'
        '<iframe src="https://example.org"></iframe>{% endblock %}'
        '{% block content %}<p onclick="alert(2)"><a href="javascript:alert(3)">x</a>{{ body }}</p>{% endblock %}',
        encoding="utf-8",
    )
    (web / "notes.js").write_text("alert('from the author')\n", encoding="utf-8")
    (web / "site.css").write_text("body { color: #222; }\n", encoding="utf-8")  # a style of its own is fine
    run = run_build(capsys, edition, tmp_path / "out", "--format", "html")
    assert run.status == 0, run.stderr
    site = tmp_path / "out" / "small-web"
    assert "alert" not in (site / "notes.js").read_text(encoding="utf-8")
    assert (site / "site.css").read_text(encoding="utf-8") == "body { color: #222; }\n"
    text = (site / "chapter-one.html").read_text(encoding="utf-8")
    assert "alert(" not in text and "example.org/x.js" not in text and "refresh" not in text and "<iframe" not in text
    assert "The first passage of the examined text" in text
    tree = lxml_html.fromstring(text)
    policy = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy and "script-src 'self'" in policy[0]
    assert "notes.js of the edition is not used" in run.stderr and "is left out" in run.stderr
