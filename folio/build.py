"""The build, in two phases written out here: gather and check everything,
then write the outputs. Nothing in the output folder changes unless the
whole build succeeds."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import convert, epub, pdf
from .changes import compare, snapshot
from .assemble import printers_copy, write_book
from .cache import Store
from .typeset import Workers, typeset as typeset_book
from .check import check_edition
from .load import load_edition
from .output_intent import is_print_standard
from .preflight import preflight
from .model import Edition
from .options import FORMATS, TOOL_TEMPLATES, Options  # noqa: F401  (re-exported)
from .problems import Problems
from .render import environment, render_units

log = logging.getLogger("folio")


@dataclass
class Result:
    problems: Problems
    edition: Edition | None = None
    outputs: dict = field(default_factory=dict)   # format -> Path
    page_count: int = 0
    timings: dict = field(default_factory=dict)   # step -> seconds
    laid_out: tuple = ()                            # the parts laid out (not taken from the cache)
    changes: object = None                          # changes.Report against the last build, if there was one



class Steps:
    """Numbered progress steps on the 'folio' logger, with their durations."""

    def __init__(self, result: Result) -> None:
        self.result, self.number, self.started, self.name = result, 0, 0.0, ""

    def __call__(self, name: str) -> None:
        self.done()
        self.number += 1
        self.name, self.started = name, time.perf_counter()
        log.info("Step %d - %s", self.number, name)

    def done(self) -> None:
        if self.name:
            seconds = time.perf_counter() - self.started
            self.result.timings[self.name] = seconds
            log.info("  done in %.1f s", seconds)
            self.name = ""


def gather(options: Options) -> Result:
    """Phase 1: load and check. Writes nothing."""
    problems = Problems(root=options.edition.resolve().parent)
    result = Result(problems)
    step = Steps(result)
    step("Reading and checking the edition")
    edition = load_edition(options.edition, options.bibliography_path, problems)
    if edition is not None:
        check_edition(edition, problems)
    step.done()
    result.edition = edition
    return result


def check_pdf(options: Options, pdf_path: Path | None) -> Result:
    """``check --pdf``: check the edition, then preflight its built PDF."""
    result = gather(options)
    if result.edition is None:
        return result
    path = pdf_path or options.output_dir / f"{result.edition.settings.slug}.pdf"
    if not path.exists():
        result.problems.add("E100", path, None, "no PDF to check", "build it first: python build.py build")
        return result
    step = Steps(result)
    step.number = 1
    step(f"Preflight of {path}")
    result.page_count = preflight(path, result.edition, result.problems)
    step.done()
    return result


def build(options: Options) -> Result:
    result = gather(options)
    problems, edition = result.problems, result.edition
    if edition is None or problems.errors:
        return result
    workers = Workers(options.worker_count).start()  # they import WeasyPrint while Pandoc converts
    try:
        return _build(options, result, workers)
    finally:
        workers.close()


def _build(options: Options, result: Result, workers: Workers) -> Result:
    problems, edition = result.problems, result.edition
    step = Steps(result)
    step.number = 1

    step("Rendering templates into Pandoc Markdown units")
    env = environment(options.template_dirs)
    units = render_units(edition, env)

    store = Store(options.cache_dir) if options.cache else None
    step(f"Converting {len(units)} units with Pandoc and citeproc")
    try:
        converted = convert.convert_units(units, edition, store=store)
    except convert.PandocError as exc:
        problems.add("E401", edition.root, None, f"{exc.what} failed: {exc.message}",
                     "this is a fault in the generated Markdown or in Pandoc; please report it")
        return result
    for item in converted:
        for warning in item.warnings:
            problems.add("W401", item.unit.source or edition.root, None, f"{item.unit.id}: {warning}")

    out_dir = options.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = edition.settings.slug
    staged: dict[str, tuple[Path, Path]] = {}
    # Pandoc writes the EPUB's units (other processes) while WeasyPrint lays out the book.
    beside = ThreadPoolExecutor(max_workers=1)
    try:
        chapters = beside.submit(epub.chapter_files, edition, converted, store) if "epub" in options.formats else None
        step("Typesetting the PDF with WeasyPrint")
        typeset = typeset_book(edition, converted, env, options.template_dirs, store, workers)
        result.page_count = typeset.page_count
        result.laid_out = typeset.laid_out
        _report_layout_problems(typeset, converted, edition, problems)
        seen = snapshot(converted, typeset)
        if "pdf" in options.formats:
            step("Assembling the PDF from its parts")
            tmp = _staging_path(out_dir, slug, ".pdf")
            staged["pdf"] = (tmp, out_dir / f"{slug}.pdf")
            write_book(typeset, tmp)
            step("Preflight: reading the PDF back")
            for_printer = is_print_standard(edition.settings.print.pdf_variant)
            preflight(tmp, edition, problems, shown_as=out_dir / f"{slug}.pdf", links_removed_after=for_printer,
                      store=store)
            if for_printer:  # PDF/X: no annotations inside the trim; the links were checked above
                profile = edition.settings.print.output_profile.read_bytes()
                tmp.write_bytes(printers_copy(tmp.read_bytes(), profile))
        if chapters is not None:
            step("Writing the EPUB (Pandoc wrote its chapters during the layout)")
            units = chapters.result()
            index = epub.index_files(epub.epub_index(edition, converted, typeset.folio), edition.settings.language,
                                     store)
            units += [index] if index else []
            frame = epub.frame(edition, units, options.template_dirs, env, store)
            for warning in dict.fromkeys(w for part in (*units, frame) for w in part.warnings):
                problems.add("W401", edition.root, None, f"EPUB: {warning}")
            epub_tmp = _staging_path(out_dir, slug, ".epub")
            staged["epub"] = (epub_tmp, out_dir / f"{slug}.epub")
            epub.write(epub.merge(frame, units), epub_tmp, edition, typeset)
        step.done()
        if problems.errors or (options.strict and problems.warnings):
            return result
        mask = os.umask(0)
        os.umask(mask)
        for fmt, (tmp, final) in staged.items():
            os.chmod(tmp, 0o666 & ~mask)  # staged files are private (mkstemp); outputs are ordinary files
            os.replace(tmp, final)
            result.outputs[fmt] = final
        staged.clear()
        if store is not None:
            result.changes = compare(store.read_json("moved.json"), seen)
            store.write_json("moved.json", seen)
            store.prune(("layout", "convert", "epub", "preflight"))
    except convert.PandocError as exc:
        problems.add("E401", edition.root, None, f"{exc.what} failed: {exc.message}")
    except pdf.FatalURLFetchingError as exc:  # a BaseException: the fetcher stopped the layout
        problems.add("E402", edition.root, None, str(exc),
                     "the PDF may use only files inside the edition, the templates and the bundled fonts")
    finally:
        beside.shutdown(wait=True, cancel_futures=True)
        for tmp, _final in staged.values():
            tmp.unlink(missing_ok=True)
    return result


def _staging_path(out_dir: Path, slug: str, suffix: str) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{slug}.", suffix=suffix + ".part", dir=out_dir)
    os.close(handle)
    return Path(name)


def _report_layout_problems(typeset, converted, edition: Edition, problems: Problems) -> None:
    """What reading the layout back found: short and overfull lines, notes too tall or off their page."""
    sources = {item.unit.id: item.unit for item in converted}

    def note_place(note_id: str) -> tuple[Path, str, str]:
        """(the unit's source file, unit id, note number) of a note id 'chapter-kirov-3'."""
        unit_id, _, number = note_id.rpartition("-")
        unit = sources.get(unit_id)
        return (unit.source if unit and unit.source else edition.root), unit_id, number

    for page, text in typeset.short_lines:
        problems.add("W504", edition.root, None, f"page {page}: a line inside a paragraph holds only '{text}'",
                     "a bad line break: look at the page; an empty inline element in the text can cause it")
    for page, points, text in typeset.overfull:
        problems.add("W503", edition.root, None,
                     f"page {page}: text runs {points:.1f} pt out of the text block at '{text}'",
                     "break a long word or URL, or rephrase the line")
    for note_id, page, share in typeset.tall_notes:
        path, unit_id, number = note_place(note_id)
        problems.add("E502", path, None,
                     f"note {number} of {unit_id} (page {page}) fills {share:.0%} of the page: a note cannot be "
                     "split over pages, so it would be clipped or overlap the text",
                     "shorten the note, split it into two notes, or move the material into the text or the appendix")
    for placement in typeset.misplaced_notes:
        path, unit_id, number = note_place(placement.note_id)
        printed = f"printed on page {placement.note_page}" if placement.note_page else "not printed at all"
        problems.add("W501", path, None,
                     f"note {number} of {unit_id} is called on page {placement.call_page} but {printed}",
                     "shorten the note or the paragraph before it, or move the call")
