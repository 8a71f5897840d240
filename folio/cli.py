"""Command line: ``python build.py [build|check] ...``. ``main`` returns the exit status."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from folio.options import FORMATS, Options
from folio.outputs import REGISTRY, with_needs

log = logging.getLogger("folio")


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--edition", type=Path, default=None, help="the edition folder (default: edition)")
    common.add_argument(
        "--bibliography",
        type=Path,
        default=None,
        help="the BibTeX file (default: bibliography.bib beside the edition folder)",
    )
    common.add_argument("-q", "--quiet", action="store_true", help="print problems only, no progress")
    common.add_argument("--strict", action="store_true", help="treat warnings as errors")
    common.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODE",
        help="do not report warnings of this code (e.g. W301 for a bibliography exported whole "
        "from Zotero); may be given several times, or as W301,W304",
    )

    top = argparse.ArgumentParser(
        prog="folio",
        description="Build a footnoted critical edition (PDF and EPUB).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"folio {__version__()}")
    commands = top.add_subparsers(dest="command")
    b = commands.add_parser("build", parents=[common], help="check, then build the PDF and EPUB (default)")
    b.add_argument(
        "--format",
        default=",".join(FORMATS),
        help="comma-separated formats to build: pdf, epub, html (the web edition), cover (the paperback cover); default: pdf,epub",
    )
    b.add_argument("--output", type=Path, default=None, help="output folder (default: output beside the edition)")
    b.add_argument("--templates", type=Path, default=None, help="a folder of templates overriding the defaults")
    b.add_argument(
        "--changes",
        nargs="?",
        const=True,
        default=None,
        metavar="FILE",
        help="also write the report of what moved since the last build to FILE "
        "(default: changes.txt in the output folder)",
    )
    b.add_argument(
        "--no-cache",
        action="store_true",
        help="build from nothing: neither read nor write the cache (.folio-cache beside the edition)",
    )
    b.add_argument(
        "--verify",
        action="store_true",
        help="check the EPUB with EPUBCheck and DAISY Ace; it claims conformance with EPUB Accessibility "
        "1.1 only when both pass (make book does this)",
    )
    b.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="processes laying out the book's parts (default: one per processor)",
    )
    w = commands.add_parser(
        "watch", parents=[b], add_help=False, help="rebuild on every save of the edition, bibliography or templates"
    )
    w.add_argument("--interval", type=float, default=0.5, help="seconds between looks at the files (default 0.5)")
    v = commands.add_parser(
        "serve",
        parents=[w],
        add_help=False,
        help="build the web edition, serve it on 127.0.0.1 and rebuild it (and reload the page) on every save",
    )
    v.add_argument("--port", type=int, default=8000, help="the port (default 8000; 0: any free one)")
    c = commands.add_parser("check", parents=[common], help="check the edition, print every problem, write nothing")
    c.add_argument(
        "--pdf",
        nargs="?",
        const=True,
        default=None,
        metavar="PDF",
        help="also preflight the built PDF (default: output/<slug>.pdf): fonts, boxes, rectos, "
        "notes, printed page numbers",
    )
    c.add_argument(
        "--epub",
        nargs="?",
        const=True,
        default=None,
        metavar="EPUB",
        help="also check the built EPUB (default: output/<slug>.epub) with EPUBCheck and DAISY Ace",
    )
    c.add_argument(
        "--quotations",
        action="store_true",
        help="also print the verdict of every quotation checked against the texts held in sources/: "
        "its source, the page it was found on, how alike it is",
    )
    c.add_argument(
        "--printer",
        choices=("kdp", "ingramspark"),
        default=None,
        help="with --pdf: also hold the PDF and its cover (output/<slug>-cover.pdf) to that printer's rules: "
        "trim, margins for the page count, bleed, page count, type and rule minimums, ink, the spine",
    )
    c.add_argument("--output", type=Path, default=None, help="output folder holding the PDF and the EPUB")
    ex = commands.add_parser(
        "export", parents=[common], help="export docx: the editorial text as a Word document for copy-editing"
    )
    ex.add_argument("what", choices=("docx",), help="docx: output/<slug>-review.docx")
    ex.add_argument("--output", type=Path, default=None, help="output folder (default: output/ beside the edition)")
    im = commands.add_parser(
        "import",
        parents=[common],
        help="import docx FILE: carry a reviewed Word document's changes back into the edition's files",
    )
    im.add_argument("what", choices=("docx",))
    im.add_argument("document", type=Path, metavar="FILE", help="the reviewed .docx")
    im.add_argument(
        "--accept-all", action="store_true", help="apply the changes still tracked too (default: list them only)"
    )
    im.add_argument("--partial", action="store_true", help="apply what can be placed even when some changes cannot be")
    im.add_argument("--output", type=Path, default=None, help="where review.txt goes (default: output/)")
    i = commands.add_parser("init", help="start a new edition in DIR that builds clean at once")
    i.add_argument("folder", type=Path, metavar="DIR")
    i.add_argument("--no-claims", action="store_true", help="an edition of essays only (no claims, no appendix)")
    s = commands.add_parser("schema", help="write the JSON Schemas of the edition's files into DIR (for YAML editors)")
    s.add_argument("folder", type=Path, metavar="DIR", nargs="?", default=Path("schemas"))
    s.add_argument("--reference", action="store_true", help="print the reference of the files (Markdown) instead")
    pr = commands.add_parser(
        "problems", help="list the problem codes and what each means (or one: folio problems W216)"
    )
    pr.add_argument("code", nargs="?", default=None, metavar="CODE")
    return top


EXIT_CODES = """exit status:
  0  done (warnings only, unless --strict)
  1  the edition has problems (each printed with its file, line, code and hint); nothing was written
  2  the command line is wrong
  3  an internal fault of folio (please report it; FOLIO_DEBUG=1 shows the traceback)
  130 interrupted (Ctrl-C); the output folder was not changed"""


def __version__() -> str:
    from importlib import metadata

    try:
        return metadata.version("folio")
    except metadata.PackageNotFoundError:
        return "0.9.0 (source)"


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("folio: interrupted; the output folder was not changed", file=sys.stderr)
        return 130
    except Exception as exc:  # a fault of ours, not of the edition: say so plainly
        if os.environ.get("FOLIO_DEBUG"):
            raise
        print(
            f"folio: internal error: {type(exc).__name__}: {exc}\n"
            "    the output folder was not changed; this is a bug in the toolchain, not in your edition.\n"
            "    Run again with FOLIO_DEBUG=1 to see the traceback, and please report it.",
            file=sys.stderr,
        )
        return 3


COMMANDS = ("build", "check", "watch", "serve", "export", "import", "init", "schema", "problems")
_WITH_VALUE = {
    "--edition",
    "--bibliography",
    "--output",
    "--templates",
    "--format",
    "--jobs",
    "--interval",
    "--ignore",
    "--port",
}


def command_first(argv: list[str]) -> list[str]:
    """The arguments with the command first, wherever it was given ('-q check' is 'check -q');
    'build' when none is given."""
    for index, token in enumerate(argv):
        if token in COMMANDS and (index == 0 or argv[index - 1] not in _WITH_VALUE):
            return [token, *argv[:index], *argv[index + 1 :]]
        if token == "--":
            break
    if argv and argv[0] in ("-h", "--help", "--version"):
        return argv
    return ["build", *argv]


def _unknown_command(argv: list[str]) -> str | None:
    """A first word that looks like a command but is none, with a did-you-mean."""
    from folio.problems import did_you_mean

    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS and not Path(argv[0]).exists():
        hint = did_you_mean(argv[0], COMMANDS)
        return f"folio: unknown command '{argv[0]}'; the commands are {', '.join(COMMANDS)}" + (
            f"; {hint}" if hint else ""
        )
    return None


def _edition_folder(asked: Path, given: bool) -> tuple[Path | None, str]:
    """The edition folder to use, and what to tell the editor: the one asked for; the folder
    itself when run inside it ('folio build' in mybook/edition); DIR/edition when DIR holds one
    (--edition mybook); else None, with how to start one or where one is."""
    if (asked / "edition.yaml").is_file():
        return asked, ""
    if not given and Path("edition.yaml").is_file():
        return Path.cwd(), "folio: using this folder, which holds edition.yaml, as the edition folder"
    if (asked / "edition" / "edition.yaml").is_file():
        return asked / "edition", f"folio: using the edition folder {asked / 'edition'}"
    if asked.is_dir() and given:
        return asked, ""  # (the build says what is missing in it: E100, no edition.yaml)
    below = sorted(p.parent.parent for p in Path(".").glob("*/edition/edition.yaml"))[:5]
    message = f"folio: no edition here (no folder '{asked}' with an edition.yaml)"
    if below:
        names = ", ".join(str(p) for p in below)
        message += f"; this folder holds {names}: 'cd {below[0]}' and run the command again"
    else:
        message += (
            ".\n    Start one with 'folio init mybook', then 'cd mybook' and 'folio build'; "
            "or give the edition folder with --edition DIR"
        )
    return None, message


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    unknown = _unknown_command(argv)
    if unknown:
        print(unknown, file=sys.stderr)
        return 2
    argv = command_first(argv)
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.command == "init":
        from folio.init import init

        try:
            written = init(args.folder, claims=not args.no_claims)
        except (FileExistsError, OSError) as exc:
            print(f"folio: {exc}", file=sys.stderr)
            return 1
        print(
            f"Started an edition in {args.folder} ({len(written)} files). Build it with:\n"
            f"    cd {args.folder}\n    folio build\n"
            f"The PDF and the EPUB go to {args.folder / 'output'} (the web edition too with --format pdf,epub,html)."
        )
        return 0
    if args.command == "problems":
        from folio.problems import CODES, catalogue_markdown, did_you_mean

        if args.code is None:
            print(catalogue_markdown(), end="")
            return 0
        code = args.code.strip().upper()
        if code not in CODES:
            print(
                f"folio: no problem code {args.code}; {did_you_mean(code, CODES) or 'folio problems lists them'}",
                file=sys.stderr,
            )
            return 2
        severity, title = CODES[code]
        print(f"{code} ({severity}): {title}")
        return 0
    if args.command == "schema":
        from folio.edition.schema_docs import reference_markdown, write_schemas

        if args.reference:
            print(reference_markdown(), end="")
            return 0
        for path in write_schemas(args.folder):
            print(f"Wrote {path}")
        return 0
    handler = logging.StreamHandler(sys.stderr)  # the current stderr, for each call of main
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.WARNING if args.quiet else logging.INFO)
    for noisy in ("weasyprint", "fontTools", "bibtexparser"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    formats = FORMATS
    if args.command in ("build", "watch", "serve"):
        formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
        if args.command == "serve":  # the web edition, and what else was asked for
            formats = ("html",) if args.format == ",".join(FORMATS) else tuple(dict.fromkeys((*formats, "html")))
        unknown = [f for f in formats if f not in REGISTRY]
        if unknown or not formats:
            print(
                f"folio: unknown format {', '.join(unknown) or '(none given)'}; choose from {', '.join(REGISTRY)}",
                file=sys.stderr,
            )
            return 2
        formats = with_needs(formats)
    found, said = _edition_folder(args.edition or Path("edition"), given=args.edition is not None)
    if found is None:
        print(said, file=sys.stderr)
        return 2
    if said:
        log.info(said)
    args.edition = found
    ignore = tuple(code.strip().upper() for value in args.ignore for code in value.split(",") if code.strip())
    from folio.problems import CODES

    unknown_codes = [code for code in ignore if code not in CODES or not code.startswith("W")]
    if unknown_codes:
        print(
            f"folio: --ignore takes warning codes (W...), not {', '.join(unknown_codes)}; 'folio problems' lists them",
            file=sys.stderr,
        )
        return 2
    options = Options(
        edition=args.edition,
        bibliography=args.bibliography,
        output=getattr(args, "output", None),
        formats=formats,
        templates=getattr(args, "templates", None),
        strict=args.strict,
        workers=max(0, getattr(args, "jobs", 0) or 0),
        cache=not getattr(args, "no_cache", False),
        ignore=ignore,
        verify=getattr(args, "verify", False),
    )
    if args.command == "watch":
        from folio.rebuild.watch import watch

        return watch(options, args, lambda: _build_and_report(options, args))
    if args.command == "serve":
        from folio.web.serve import serve

        return serve(options, args, lambda: _build_and_report(options, args))
    if args.command == "build":
        return _build_and_report(options, args)
    if args.command in ("export", "import"):
        return _review(options, args)
    from folio.build import check_pdf, gather

    if args.printer and not args.pdf:
        print("folio: --printer checks a PDF: give --pdf too", file=sys.stderr)
        return 2
    if args.pdf:
        result = check_pdf(options, None if args.pdf is True else Path(args.pdf), args.printer)
    else:
        result = gather(options)
    if args.epub and result.edition is not None:
        from folio.build import check_epub

        check_epub(options, None if args.epub is True else Path(args.epub), result)
    failed = _print_problems(result, args)
    if args.quotations and result.verification is not None:
        from folio.units.verify import report

        print(report(result.verification, result.problems))
    if failed:
        print("check failed", file=sys.stderr)
        return 1
    warnings = len(result.problems.warnings)
    log.info("The edition is clean." if not warnings else "The edition has warnings only.")
    if args.pdf:
        log.info("The PDF passed preflight (%d pages).", result.page_count)
        if args.printer:
            from folio.press.printers import PRINTERS

            log.info("It and its cover meet %s's rules.", PRINTERS[args.printer].title)
    if args.epub:
        without_ace = any(problem.code == "W803" for problem in result.problems.warnings)
        log.info(
            "The EPUB passed EPUBCheck (DAISY Ace was not run)."
            if without_ace
            else "The EPUB passed EPUBCheck and DAISY Ace."
        )
    return 0


def _review(options: Options, args) -> int:
    from folio.review import export_docx, import_docx

    if args.command == "export":
        result = export_docx(options)
    else:
        if not args.document.is_file():
            print(f"folio: {args.document}: no such file (give the reviewed .docx)", file=sys.stderr)
            return 2
        result = import_docx(options, args.document, args.accept_all, args.partial)
    failed = _print_problems(result, args)
    if failed and not result.written:
        print("nothing was written", file=sys.stderr)
        return 1
    _result(args, result.summary)
    return 1 if failed else 0


def _print_problems(result, args) -> bool:
    """Print the problems and their count; True when the command failed."""
    for problem in result.problems.sorted():
        print(problem.format(), file=sys.stderr)
    errors, warnings = len(result.problems.errors), len(result.problems.warnings)
    if errors or warnings:
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return bool(errors) or (args.strict and bool(warnings))


def _build_and_report(options: Options, args) -> int:
    from folio.rebuild.fingerprint import fingerprint, remember, up_to_date

    digest = fingerprint(options) if options.cache else None
    last = up_to_date(options, digest) if digest else None
    if last is not None:
        for line in last["notices"]:
            print(line, file=sys.stderr)
        outputs = ", ".join(path for path, *_ in last["outputs"].values())
        _result(args, f"Nothing changed since the last build: {outputs} up to date ({last['page_count']} pages).")
        _result(args, "What moved since the last build: nothing.")
        if args.changes:
            _changes_file(options, args).write_text(
                "What moved since the last build: nothing (no input changed).\n", encoding="utf-8"
            )
        return 0
    from folio.build import build

    result = build(options)
    failed = _print_problems(result, args)
    if failed:
        print("nothing was written to the output folder", file=sys.stderr)
        return 1
    for fmt, path in sorted(result.outputs.items(), key=lambda item: list(REGISTRY).index(item[0])):
        extra = f" ({result.page_count} pages)" if fmt == "pdf" else ""
        _result(args, f"Wrote {path}{extra}")
    report = result.changes.text() if result.changes is not None else None
    if report:
        _result(args, report.rstrip())
    if args.changes:
        target = _changes_file(options, args)
        target.write_text(report or "No earlier build to compare with: this is the first.\n", encoding="utf-8")
        _result(args, f"Wrote {target}")
    if digest:
        notices = [problem.format() for problem in result.problems.sorted()]
        remember(options, digest, result.outputs, notices, result.page_count)
    return 0


def _result(args, text: str) -> None:
    """What the command made (files written, what moved): on standard output, unless -q."""
    if not args.quiet:
        print(text, flush=True)


def _changes_file(options: Options, args) -> Path:
    """Where ``--changes [FILE]`` writes the report: FILE, or changes.txt in the output folder."""
    return options.output_dir / "changes.txt" if args.changes is True else Path(args.changes)
