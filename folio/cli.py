"""Command line: ``python build.py [build|check] ...``. ``main`` returns the exit status."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .build import FORMATS, Options, build, check_pdf, gather

log = logging.getLogger("folio")


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--edition", type=Path, default=Path("edition"),
                        help="the edition folder (default: edition)")
    common.add_argument("--bibliography", type=Path, default=None,
                        help="the BibTeX file (default: bibliography.bib beside the edition folder)")
    common.add_argument("-q", "--quiet", action="store_true", help="print problems only, no progress")
    common.add_argument("--strict", action="store_true", help="treat warnings as errors")

    top = argparse.ArgumentParser(prog="build.py", description="Build a footnoted critical edition (PDF and EPUB).")
    commands = top.add_subparsers(dest="command")
    b = commands.add_parser("build", parents=[common], help="check, then build the PDF and EPUB (default)")
    b.add_argument("--format", default=",".join(FORMATS),
                   help="comma-separated formats to build: pdf, epub (default: both)")
    b.add_argument("--output", type=Path, default=None, help="output folder (default: output beside the edition)")
    b.add_argument("--templates", type=Path, default=None, help="a folder of templates overriding the defaults")
    c = commands.add_parser("check", parents=[common], help="check the edition, print every problem, write nothing")
    c.add_argument("--pdf", nargs="?", const=True, default=None, metavar="PDF",
                   help="also preflight the built PDF (default: output/<slug>.pdf): fonts, boxes, rectos, "
                        "notes, printed page numbers")
    c.add_argument("--output", type=Path, default=None, help="output folder holding the PDF")
    return top


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("build.py: interrupted; the output folder was not changed", file=sys.stderr)
        return 130
    except Exception as exc:  # a fault of ours, not of the edition: say so plainly
        if os.environ.get("FOLIO_DEBUG"):
            raise
        print(f"build.py: internal error: {type(exc).__name__}: {exc}\n"
              "    the output folder was not changed; this is a bug in the toolchain, not in your edition.\n"
              "    Run again with FOLIO_DEBUG=1 to see the traceback, and please report it.", file=sys.stderr)
        return 3


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("build", "check", "-h", "--help"):
        argv.insert(0, "build")
    args = parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)  # the current stderr, for each call of main
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.WARNING if args.quiet else logging.INFO)
    for noisy in ("weasyprint", "fontTools", "bibtexparser"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    formats = FORMATS
    if args.command == "build":
        formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            print(f"build.py: unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}", file=sys.stderr)
            return 2
    if not args.edition.is_dir():
        print(f"build.py: {args.edition}: no such edition folder (give --edition DIR)", file=sys.stderr)
        return 2
    options = Options(edition=args.edition, bibliography=args.bibliography,
                      output=getattr(args, "output", None), formats=formats,
                      templates=getattr(args, "templates", None), strict=args.strict)
    if args.command == "check" and args.pdf:
        result = check_pdf(options, None if args.pdf is True else Path(args.pdf))
    elif args.command == "check":
        result = gather(options)
    else:
        result = build(options)

    for problem in result.problems.sorted():
        print(problem.format(), file=sys.stderr)
    errors, warnings = len(result.problems.errors), len(result.problems.warnings)
    failed = bool(errors) or (args.strict and bool(warnings))
    if errors or warnings:
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    if failed:
        print("nothing was written to the output folder" if args.command == "build" else "check failed",
              file=sys.stderr)
        return 1
    for fmt, path in result.outputs.items():
        extra = f" ({result.page_count} pages)" if fmt == "pdf" else ""
        log.info("Wrote %s%s", path, extra)
    if args.command == "check":
        log.info("The edition is clean." if not warnings else "The edition has warnings only.")
        if args.pdf:
            log.info("The PDF passed preflight (%d pages).", result.page_count)
    return 0
