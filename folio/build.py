"""The build, in two phases written out here: gather and check everything,
then write the outputs. Nothing in the output folder changes unless the
whole build succeeds."""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from folio import ids, outputs
from folio.ebook import epub_check
from folio.edition.load import load_edition
from folio.edition.model import Edition
from folio.edition.stylesheets import check_stylesheets
from folio.layout import pdf
from folio.layout.preflight import preflight
from folio.layout.typeset import Workers, print_stylesheet
from folio.layout.typeset import typeset as typeset_book
from folio.options import FORMATS, TOOL_TEMPLATES, Options  # noqa: F401  (re-exported)
from folio.problems import Problems
from folio.rebuild.cache import Store
from folio.rebuild.changes import compare, snapshot
from folio.typefaces import FONTS
from folio.units import convert
from folio.units.check import check_edition
from folio.units.fragments import Library, ReadError, read_edition
from folio.units.pandoc import PandocError
from folio.units.render import TemplateProblem, check_templates, environment, render_units
from folio.units.text_part import text_part
from folio.units.verify import verify_edition

log = logging.getLogger("folio")


class PlainText(dict):
    """A fragment's ref -> its text without markup, worked out when first asked for."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library

    def get(self, ref, default=None):
        if ref not in self.library.fragments:
            return default
        if ref not in self:
            self[ref] = self.library.plain(ref)
        return self[ref]


@dataclass
class Result:
    problems: Problems
    edition: Edition | None = None
    library: Library | None = None
    outputs: dict = field(default_factory=dict)  # format -> Path
    page_count: int = 0
    timings: dict = field(default_factory=dict)  # step -> seconds
    laid_out: tuple = ()  # the parts laid out (not taken from the cache)
    changes: object = None  # changes.Report against the last build, if there was one
    typeset: object = None  # typeset.Typeset of the book, when one was laid out
    site: object = None  # web.site.Site, when the web edition was written
    units: list | None = None  # the units rendered by the check (render.Unit), which the build goes on with
    env: object = None  # render.Templates they were rendered with
    verification: object = None  # verify.Verification: every quotation against its held text


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


def _store(options: Options, problems: Problems) -> Store | None:
    return Store(options.cache_dir) if options.cache else None


def _cache_fault(store: Store | None, problems: Problems) -> None:
    if store is not None and store.fault and not getattr(store, "reported", False):
        store.reported = True
        problems.add(
            "W701",
            store.root,
            None,
            f"the cache cannot be written: {store.fault}; this build did not "
            "keep what it made, so the next one will not be faster",
            "make the folder writable, free some disk space, or delete the folder (it is safe to), "
            "or build with --no-cache",
        )


def _check_templates(options: Options, edition: Edition, result: Result, problems: Problems) -> None:
    """The edition's own templates compiled and read through (E218 at their file and line), and
    the addresses its stylesheets name (E402 for one the layout would refuse); then,
    if nothing is wrong so far, the units rendered, as the build will render them."""
    env = environment(options.template_dirs)
    own = [folder for folder in options.template_dirs if folder.resolve() != TOOL_TEMPLATES.resolve()]
    faults = check_templates(env, own)
    check_stylesheets(own, [edition.root, FONTS, *options.template_dirs], problems)
    for fault in faults:
        problems.add("E218", fault.path, fault.line, fault.message, fault.hint)
    if faults or problems.errors:
        return
    try:
        text = text_part(edition, result.verification)
        result.units = render_units(edition, env, result.library.cited(), text)
        result.env = env
    except TemplateProblem as fault:
        problems.add("E218", fault.path, fault.line, fault.message, fault.hint)


def gather(options: Options, store: Store | None = None) -> Result:
    """Phase 1: load and check. Writes nothing but the cache."""
    problems = Problems(root=options.edition.resolve().parent, ignore=options.ignore)
    result = Result(problems)
    step = Steps(result)
    step("Reading and checking the edition")
    store = store if store is not None else _store(options, problems)
    edition = load_edition(options.edition, options.bibliography, problems)
    if edition is not None:
        try:
            result.library = read_edition(edition, store)
        except (PandocError, ReadError) as exc:
            problems.add(
                "E702",
                edition.root,
                None,
                f"Pandoc could not read the edition's Markdown: {exc}",
                "reinstall pypandoc-binary (make book does); if it persists, please report it",
            )
            return result
        check_edition(edition, problems, result.library)
        result.verification = verify_edition(edition, result.library, problems, store)
        _check_templates(options, edition, result, problems)
        if store is not None:
            if result.library.facts_added:
                store.add_fragments({})  # (the facts the checks worked out are kept with the fragments)
            store.flush()
            _cache_fault(store, problems)
    step.done()
    result.edition = edition
    return result


def check_pdf(options: Options, pdf_path: Path | None, printer: str | None = None) -> Result:
    """``check --pdf``: check the edition, then preflight its built PDF; with ``printer``, also
    hold it and its cover to that printer's rules."""
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
    try:
        result.page_count = preflight(path, result.edition, result.problems, openings=result.edition.recto_anchors())
    except Exception as exc:  # noqa: BLE001 - a file that is not a PDF of ours
        result.problems.add(
            "E602", path, None, f"the file cannot be read as a PDF: {exc}", "give the PDF the build wrote"
        )
        step.done()
        return result
    if printer:
        from folio.press import printer_rules

        step(f"The rules of {printer_rules.PRINTERS[printer].title}")
        cover = path.with_name(f"{result.edition.settings.slug}-cover.pdf")
        printer_rules.check(path, cover, result.edition, printer, result.problems)
    step.done()
    return result


def check_epub(options: Options, epub_path: Path | None, result: Result) -> Result:
    """``check --epub``: EPUBCheck and DAISY Ace on the built EPUB, each finding a problem."""
    path = epub_path or options.output_dir / f"{result.edition.settings.slug}.epub"
    if not path.exists():
        result.problems.add("E100", path, None, "no EPUB to check", "build it first: python build.py build")
        return result
    step = Steps(result)
    step.number = 2
    step(f"EPUBCheck and DAISY Ace on {path}")
    epub_check.check(path, result.problems, ace_required=False)
    step.done()
    return result


def writable_output(out_dir: Path, problems: Problems) -> bool:
    """The output folder exists (or can be made) and can be written; else E701, before any work."""
    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise NotADirectoryError(20, "it is a file, not a folder", str(out_dir))
        out_dir.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".folio-probe.", dir=out_dir)
        os.close(handle)
        os.unlink(name)
    except OSError as exc:
        problems.add(
            "E701",
            out_dir,
            None,
            f"the output folder cannot be written: {exc.strerror or exc}",
            "give a folder you may write to with --output DIR (and check that the disk has room)",
        )
        return False
    return True


_STAGED = re.compile(r"^\.(?P<slug>.+)\.(?P<pid>\d+)\.[^.]+\.[a-z0-9]+\.part$")  # .<slug>.<pid>.<random>.<kind>.part


def remove_stale_staging(out_dir: Path) -> None:
    """Staging files of earlier builds that were killed before they could clean up."""
    try:
        names = os.listdir(out_dir)
    except OSError:
        return
    for name in names:
        match = _STAGED.match(name)
        if match and not _alive(int(match.group("pid"))):
            try:
                path = out_dir / name
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else os.unlink(path)
            except OSError:
                pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build(options: Options) -> Result:
    store = _store(options, None)
    result = gather(options, store)
    problems, edition = result.problems, result.edition
    if edition is None or problems.errors:
        return result
    if not writable_output(options.output_dir, problems):
        return result
    remove_stale_staging(options.output_dir)
    workers = Workers(options.worker_count).start()  # they import WeasyPrint while Pandoc converts
    try:
        return _build(options, result, workers, store)
    except KeyboardInterrupt:
        workers.kill()
        raise
    finally:
        workers.close()
        if store is not None:
            _cache_fault(store, problems)


def _build(options: Options, result: Result, workers: Workers, store: Store | None) -> Result:
    problems, edition, library = result.problems, result.edition, result.library
    step = Steps(result)
    step.number = 1

    step("Rendering templates into Pandoc Markdown units")
    env, units = result.env, result.units  # rendered by the check (gather), whose faults stop the build first

    step(f"Converting {len(units)} units with Pandoc and citeproc")
    try:
        converted = convert.convert_units(units, edition, library, store=store)
        env.html_of = convert.inline_html(edition, library)
        env.plain_of = PlainText(library)
    except PandocError as exc:
        problems.add(
            "E401",
            edition.root,
            None,
            f"{exc.what} failed: {exc.message}",
            "this is a fault in the generated Markdown or in Pandoc; please report it",
        )
        return result
    for item in converted:
        for warning in item.warnings:
            problems.add("W401", item.unit.source or edition.root, None, f"{item.unit.id}: {warning}")
    _report_persons(edition, converted, problems)
    titles = convert.titles_by_anchor(edition, env.html_of)

    out_dir = options.output_dir
    slug = edition.settings.slug
    staged: dict[str, tuple[Path, Path]] = {}
    formats = outputs.requested(options.formats)
    job = outputs.Job(options, edition, library, converted, env, titles, store, problems, step, result)
    seen = None
    # what a format starts beside the layout (Pandoc writes the EPUB's units, in other
    # processes, while WeasyPrint lays out the book)
    beside = ThreadPoolExecutor(max_workers=2)
    try:
        for fmt in formats:
            fmt.begin(job, beside)
        step("Typesetting the PDF with WeasyPrint")
        typeset = typeset_book(edition, converted, env, options.template_dirs, store, workers, titles)
        workers.close()  # what they kept is let go before the EPUB and the web edition are written
        job.typeset = result.typeset = typeset
        result.page_count = typeset.page_count
        result.laid_out = typeset.laid_out
        _report_layout_problems(typeset, converted, edition, problems, library)
        seen = snapshot(converted, typeset, edition, print_stylesheet(options.template_dirs))
        for fmt in formats:
            if fmt.folder:
                kind = fmt.suffix.strip("-.")
                staging = Path(tempfile.mkdtemp(prefix=f".{slug}.{os.getpid()}.", suffix=f".{kind}.part", dir=out_dir))
            else:
                staging = _staging_path(out_dir, slug, fmt.suffix)
            staged[fmt.name] = (staging, out_dir / fmt.output_name(slug))
            fmt.write(job, staging)
            job.written[fmt.name] = staging
        step.done()
        if problems.errors or (options.strict and problems.warnings):
            return result
        mask = os.umask(0)
        os.umask(mask)
        for fmt, (tmp, final) in staged.items():
            if tmp.is_dir():  # the web edition: its folder swapped in whole
                _publish_folder(tmp, final, mask)
            else:
                os.chmod(tmp, 0o666 & ~mask)  # staged files are private (mkstemp); outputs are ordinary files
                os.replace(tmp, final)
            result.outputs[fmt] = final
        staged.clear()
        if store is not None and seen is not None:
            result.changes = compare(store.read_json("moved.json"), seen)
            store.write_json("moved.json", seen)
        if store is not None:
            store.prune(
                ("layout", "convert", "splice", "epub", "preflight", "held", "verdicts")
                + (("web",) if "html" in options.formats else ())
            )
    except PandocError as exc:
        problems.add("E401", edition.root, None, f"{exc.what} failed: {exc.message}")
    except TemplateProblem as fault:
        problems.add("E218", fault.path, fault.line, fault.message, fault.hint)
    except pdf.FatalURLFetchingError as exc:  # a BaseException: the fetcher stopped the layout
        problems.add(
            "E402",
            edition.root,
            None,
            str(exc),
            "the PDF may use only files inside the edition, the templates and the bundled fonts",
        )
    except OSError as exc:
        problems.add(
            "E701",
            Path(exc.filename) if exc.filename else out_dir,
            None,
            f"the output cannot be written: {exc.strerror or exc}",
            "free some disk space, or give a folder you may write to with --output DIR",
        )
    finally:
        beside.shutdown(wait=True, cancel_futures=True)
        for tmp, _final in staged.values():
            try:
                shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink(missing_ok=True)
            except OSError:
                pass
    return result


def _publish_folder(staged: Path, final: Path, mask: int) -> None:
    """Put a staged folder in the place of ``final``: the old one moved aside first, then
    removed, so that the output folder never holds half a site."""
    for folder, _dirs, names in os.walk(staged):
        os.chmod(folder, 0o777 & ~mask)  # mkdtemp made it private; the site is ordinary files
        for name in names:
            os.chmod(os.path.join(folder, name), 0o666 & ~mask)
    old = None
    if final.exists() or final.is_symlink():
        if not final.is_dir() or final.is_symlink():
            final.unlink()
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.{os.getpid()}.", suffix=".old.part", dir=final.parent))
            os.replace(final, old / final.name)
    os.replace(staged, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _report_persons(edition: Edition, converted, problems: Problems) -> None:
    """A person of the index never found in the text (a misspelt name, a form missing from the
    variants), and names several persons share that the text does not say who they are."""
    mentioned = {mark.person for item in converted for mark in item.marks}
    for person in edition.persons:
        if person.name not in mentioned:
            problems.add(
                "W217",
                person.path,
                person.line,
                f"{person.name} is never mentioned in the text: the index would leave them out",
                "add the forms the text uses to 'variants' (inflected forms, transliterations), or remove the person",
            )
    for item in converted:
        for name in item.ambiguous:
            problems.add(
                "W218",
                item.unit.source or edition.root,
                None,
                f"'{name}' in {item.unit.id} names several persons of the index, so it is not indexed",
                f"say who it is: [{name}]{{.person key=...}} with the key of one of them",
            )


def _staging_path(out_dir: Path, slug: str, suffix: str) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{slug}.{os.getpid()}.", suffix=suffix + ".part", dir=out_dir)
    os.close(handle)
    return Path(name)


def _written_at(note_text: str, library) -> tuple[Path, int] | None:
    """Where a note's text is written: a run of six of its words (markup between them allowed) in
    the source of a fragment of the edition, tried from its first words on (a citation's note
    merged with the editor's note after it begins with words citeproc wrote)."""
    words = re.findall(r"\w+", note_text)
    for start in range(0, max(1, min(len(words) - 2, 60)), 6):
        run = words[start : start + 6]
        if len(run) < 3:
            break
        pattern = re.compile(r"[\W_]+".join(re.escape(word) for word in run))
        for fragment in library.fragments.values():
            text = fragment.source or fragment.text
            match = pattern.search(text)
            if match:
                return fragment.path, fragment.line + text.count("\n", 0, match.start())
    return None


def _report_layout_problems(typeset, converted, edition: Edition, problems: Problems, library=None) -> None:
    """What reading the layout back found: short and overfull lines, notes too tall or off their page."""
    sources = {item.unit.id: item for item in converted}

    @functools.cache  # (a long note is the place of every note deferred behind it: looked for once)
    def note_place(note_key: str) -> tuple[Path, int | None, str, int]:
        """(the file and line the note is written at, unit id, note number) of a note
        'chapter-kirov-3': the fragment whose text holds the note's first words (an editor's note
        in a claim, a passage or a quotation), else the unit's own file (a citation's note)."""
        unit_id, number = ids.parse_note_key(note_key)
        item = sources.get(unit_id)
        if item is not None and library is not None and 0 < number <= len(item.notes):
            found = _written_at(item.notes[number - 1], library)
            if found:
                return (*found, unit_id, number)
        return (item.unit.source if item and item.unit.source else edition.root), None, unit_id, number

    page = typeset.page_name

    def shown(text: str) -> str:  # the line as a reader sees it (the soft hyphens of print.hyphenation left out)
        return text.replace("\u00ad", "")

    for pdf_page, text in typeset.found.short_lines:
        problems.add(
            "W504",
            edition.root,
            None,
            f"{page(pdf_page)}: a line inside a paragraph holds only '{shown(text)}'",
            "a bad line break: look at the page; an empty inline element in the text can cause it",
        )
    for pdf_page, spacing, text in typeset.found.loose_lines:
        problems.add(
            "W505",
            edition.root,
            None,
            f"{page(pdf_page)}: the word spaces of the line '{shown(text)}' are {spacing:.1f} times the book's usual",
            "a long word, name or URL the line could not break: give a word the dictionary does not "
            "know its break points in edition.yaml (print: hyphenation: [Khru-shchev]), or rephrase the line",
        )
    for pdf_page, points, text in typeset.found.overfull:
        problems.add(
            "W503",
            edition.root,
            None,
            f"{page(pdf_page)}: text runs {points:.1f} pt out of the text block at '{shown(text)}'",
            "break a long word or URL, or rephrase the line",
        )
    for note_key, pdf_page, share in typeset.found.tall_notes:
        path, line, unit_id, number = note_place(note_key)
        problems.add(
            "E502",
            path,
            line,
            f"note {number} of {unit_id} ({page(pdf_page)}) fills {share:.0%} of the page and could not be "
            "continued on the next",
            "shorten the note, split it into two notes, or move the material into the text or the appendix",
        )
    for placement in typeset.found.misplaced_notes:
        path, line, unit_id, number = note_place(placement.note_id)
        if placement.behind:
            long_path, long_line, _unit, long_number = note_place(placement.behind)
            written = f" ({problems.where(long_path, long_line)})" if long_line else ""
            if line is None:
                path, line = long_path, long_line
            problems.add(
                "W508",
                path,
                line,
                f"note {number} of {unit_id}, called on {page(placement.call_page)}, is printed on "
                f"{page(placement.note_page)}, after the rest of note {long_number}{written}: that note is "
                "longer than the room its page had left and goes on over the pages after (the notes keep "
                "their order)",
                "to keep both on their page, call the second note elsewhere, or shorten the first",
            )
            continue
        printed = f"printed on {page(placement.note_page)}" if placement.note_page else "not printed at all"
        problems.add(
            "W501",
            path,
            line,
            f"note {number} of {unit_id} is called on {page(placement.call_page)} but {printed}",
            "shorten the note or the paragraph before it, or move the call",
        )
    for pdf_page, head in typeset.found.long_heads:
        problems.add(
            "W506",
            edition.root,
            None,
            f"{page(pdf_page)}: the running head '{head}' is too long for its line",
            "give the chapter a short_title in its front matter (or the book one in edition.yaml)",
        )
    short_pages = [(pdf_page, lines) for pdf_page, lines in typeset.found.gaps if lines >= 3]
    if short_pages:
        listed = ", ".join(f"{page(pdf_page)}: {lines:.1f} lines" for pdf_page, lines in short_pages[:10])
        problems.add(
            "W507",
            edition.root,
            None,
            f"{len(short_pages)} page(s) end 3 or more lines above their notes "
            f"although their text goes on: {listed}" + (" ..." if len(short_pages) > 10 else ""),
            "look at those pages: a heading kept with its first lines, or a block that cannot be broken "
            "(a table, an image) is the usual cause",
        )
