"""Stage 5: typeset the print book as parts, each laid out by WeasyPrint on its
own (``pdf.lay_out_part``), cached, and in parallel; then read back where every
anchor landed.

The page numbers the book prints (contents, table of claims, cross-references,
index) and each part's first folio come from the record of the previous layout,
as LaTeX's .aux file: the parts are laid out again until the numbers no longer
change. A part whose HTML (numbers included) is unchanged is taken from the
cache, so a rebuild lays out only the parts an edit touched, and then only the
parts whose printed numbers moved. Without a record (a first build), the first
round only finds the numbers: its parts are drafts, read back and not written.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import unquote

import markupsafe

from folio.edition.model import Edition
from folio.edition.names import index_entries, to_roman
from folio.layout import engine, hyphenation
from folio.layout.parts import Part, split_parts, whole
from folio.layout.pdf import FONTS, PartJob, PartLayout, lay_out_part, page_css
from folio.layout.progress import PartProgress
from folio.rebuild.cache import Store, digest_of, file_digest
from folio.units.convert import Converted

log = logging.getLogger("folio")
MAX_ROUNDS = 8
TAGGED_VARIANTS = ("pdf/ua-1", "pdf/ua-2")  # a structure tree cannot be assembled from parts: laid out whole


@dataclass(frozen=True)
class Typeset:
    """The laid-out book, in physical page numbers (1-based) of the assembled PDF."""

    parts: tuple[PartLayout, ...]
    page_count: int
    anchors: dict  # id -> physical page
    main_start: int  # the physical page that carries folio 1
    misplaced_notes: tuple = ()  # pdf.NotePlacement
    tall_notes: tuple = ()
    overfull: tuple = ()
    short_lines: tuple = ()
    loose_lines: tuple = ()  # (page, factor, text)
    gaps: tuple = ()  # (page, empty body lines above its notes), pages whose text goes on
    long_heads: tuple = ()  # (page, text) of running heads too long for their line
    page_starts: tuple = ()  # pagemap.PageStart
    index: tuple = ()  # names.IndexEntry, with the printed pages
    laid_out: tuple = ()  # names of the parts laid out in this build (the others came from the cache)
    rounds: int = 1
    printed: dict = field(default_factory=dict)  # link target -> the folio printed for it

    def folio(self, anchor: str):
        """(physical page, printed folio) of an anchor, or None if it was not laid out."""
        page = self.anchors.get(anchor)
        if page is None:
            return None
        return page, self.label(page)

    def label(self, page: int) -> str:
        return folio_label(page, self.main_start)

    def page_name(self, sheet: int) -> str:
        """A page as a problem names it: its printed folio, and its place in the file."""
        return f"p. {self.label(sheet)} (sheet {sheet})"


def folio_label(page: int, main_start: int) -> str:
    """The printed folio of a physical page: roman in the front matter, then arabic."""
    return str(page - main_start + 1) if page >= main_start else to_roman(page)


def book_html(edition: Edition, converted: list[Converted], env, index=(), titles=None) -> str:
    """The book as one HTML document; ``index`` is the list of IndexEntry to print; ``titles``
    the titles of parts and claims as HTML, by anchor."""
    titles = {anchor: markupsafe.Markup(html) for anchor, html in (titles or {}).items()}
    return env.render(
        "book.html.j2",
        edition=edition,
        settings=edition.settings,
        converted=converted,
        titles=titles,
        index=index,
        chapters={c.anchor: c for c in edition.chapters},
    )


def all_marks(converted: list[Converted]) -> list:
    return [mark for item in converted for mark in item.marks]


def typeset(
    edition: Edition,
    converted: list[Converted],
    env,
    template_dirs: list[Path],
    store: Store | None = None,
    workers: int | Workers = 1,
    titles: dict | None = None,
) -> Typeset:
    marks = all_marks(converted)
    titles = titles or {}
    css_path = next((d / "print.css" for d in template_dirs if (d / "print.css").exists()), None)
    settings = edition.settings.print
    options = {"pdf_tags": False}
    if settings.pdf_variant:
        options["pdf_variant"] = settings.pdf_variant
    whole_book = (settings.pdf_variant or "") in TAGGED_VARIANTS
    profile = [settings.output_profile] if settings.output_profile else []  # PDF/X, maybe outside the edition
    allowed = tuple(str(p) for p in (edition.root, FONTS, *template_dirs, *profile))

    record = (store.read_json("layout.json") if store else None) or {}
    counts: dict[str, int] = record.get("pages", {})  # part -> pages, last layout
    folios: dict[str, str] = record.get("folios", {})  # link target -> printed folio, last layout
    last = record.get("anchors")
    index = (
        index_entries(edition.persons, marks, _folio_reader(last, record.get("main_start", 1)))
        if last
        else index_entries(edition.persons, marks, lambda anchor: (0, "000"))
    )
    laid_out: list[str] = []
    runner = _Runner(store, workers)

    def jobs_for(parts: list[Part], firsts: list[int], drafts: bool) -> tuple[list[PartJob], dict]:
        """The parts' jobs, and the folios they print (link target -> folio). With ``drafts``, a
        part that prints a folio not known yet (its own first, or a link's) is laid out as a
        draft: read back for its pages, not written (it will be laid out again)."""
        jobs, used = [], {}
        for number, (part, first) in enumerate(zip(parts, firsts)):
            part_html, targets = _with_page_numbers(part.html, folios)
            used.update({t: folios.get(t, "000") for t in targets})
            guessed = first is None or any(t not in folios for t in targets)
            jobs.append(
                PartJob(
                    name=part.name,
                    html=part_html,
                    part_css=_part_css(edition, part, first or 1),
                    css_path=str(css_path),
                    base_url=str(edition.root) + "/",
                    allowed=allowed,
                    pdf_options=tuple(sorted(options.items())),
                    pad_to_even=number < len(parts) - 1,
                    draft=drafts and guessed,
                )
            )
        return jobs, used

    try:
        for rounds in range(1, MAX_ROUNDS + 1):
            html = hyphenation.apply(book_html(edition, converted, env, index, titles), settings.hyphenation)
            parts = [whole(html)] if whole_book else split_parts(html)
            firsts = _first_folios(parts, counts)
            jobs, used = jobs_for(parts, firsts, drafts=rounds == 1 and len(parts) > 1)
            layouts, fresh = runner.run(jobs)
            laid_out += fresh
            book = _assemble_record(parts, layouts)
            counts = {layout.name: layout.page_count for layout in layouts}
            now = {target: book.label(book.anchors[target]) for target in used if target in book.anchors}
            found = index_entries(edition.persons, marks, book.folio)
            if (
                found == index
                and now == {t: used[t] for t in now}
                and _first_folios(parts, counts) == firsts
                and not any(job.draft for job in jobs)
            ):
                break
            log.info("  laying out again the parts whose page numbers moved")
            folios, index = now, found
        else:
            log.warning("  the page numbers did not settle after %d rounds", MAX_ROUNDS)
    finally:
        runner.close()
    if store is not None:
        store.write_json(
            "layout.json", {"pages": counts, "folios": now, "anchors": book.anchors, "main_start": book.main_start}
        )
    return Typeset(
        **{
            **book.__dict__,
            "index": tuple(index),
            "laid_out": tuple(dict.fromkeys(laid_out)),
            "rounds": rounds,
            "printed": now,
        }
    )


def _folio_reader(anchors: dict, main_start: int):
    def folio(anchor):
        page = anchors.get(anchor)
        if page is None:
            return None
        return page, folio_label(page, main_start)

    return folio


def _part_css(edition: Edition, part: Part, first_folio: int) -> str:
    css = page_css(edition)
    if part.main and first_folio != 1:
        css += f"\n@page :first {{ counter-reset: page {first_folio}; }}  /* this part's first folio */"
    return css


def _first_folios(parts: list[Part], counts: dict[str, int]) -> list[int | None]:
    """Each main part's first folio, from the parts' page counts; None where a count before
    it is not known (the part is laid out from folio 1 until it is)."""
    firsts, folio = [], 1
    for part in parts:
        firsts.append(folio if part.main else 1)
        if part.main and folio is not None:
            folio = folio + counts[part.name] if part.name in counts else None
    return firsts


def _assemble_record(parts: list[Part], layouts: list[PartLayout]) -> Typeset:
    """The parts' layouts in the book's physical page numbers."""
    anchors: dict[str, int] = {}
    misplaced, tall, overfull, short, starts, loose, gaps, heads = [], [], [], [], [], [], [], []
    offset = 0
    main_start = None  # the first page of the first part of the main matter
    for part, layout in zip(parts, layouts):
        if part.main and main_start is None:
            main_start = offset + 1
        for anchor, page in layout.anchors.items():
            anchors.setdefault(anchor, page + offset)
        misplaced += [
            type(n)(n.note_id, n.call_page + offset, n.note_page + offset if n.note_page else 0)
            for n in layout.misplaced_notes
        ]
        tall += [(note, page + offset, share) for note, page, share in layout.tall_notes]
        overfull += [(page + offset, points, text) for page, points, text in layout.overfull]
        short += [(page + offset, text) for page, text in layout.short_lines]
        loose += [(page + offset, factor, text) for page, factor, text in layout.loose_lines]
        gaps += [(page + offset, lines) for page, lines in layout.gaps]
        heads += [(page + offset, text) for page, text in layout.long_heads]
        starts += [type(s)(s.page + offset, s.block, s.words) for s in layout.page_starts]
        offset += layout.page_count
    main_start = anchors.get("mainmatter", main_start or 1)
    return Typeset(
        tuple(layouts),
        offset,
        anchors,
        main_start,
        tuple(misplaced),
        tuple(tall),
        tuple(overfull),
        tuple(short),
        tuple(loose),
        tuple(gaps),
        tuple(heads),
        tuple(starts),
    )


_PAGE_REFERENCE = re.compile(r'(<a href="#|data-href="#)([^"]+)"')


def _with_page_numbers(html: str, folios: dict[str, str]) -> tuple[str, set[str]]:
    """Give every internal link (and contents entry) a data-page with its target's
    folio, as laid out last time; the CSS prints it. Returns the targets."""
    targets: set[str] = set()

    def add(match: re.Match) -> str:
        targets.add(match.group(2))
        return f'{match.group(0)} data-page="{folios.get(match.group(2), "000")}"'

    return _PAGE_REFERENCE.sub(add, html), targets


_RESOURCE = re.compile(r'(?:src|href)="([^"#:]+\.(?:png|jpe?g|gif|svg|webp|css))"', re.I)
_FILE_URL = re.compile(r'url\("file://([^"]+)"\)')  # files the generated CSS reads (the output profile)


def job_key(job: PartJob, digests: dict[Path, str]) -> str:
    """Everything that can change a part's PDF: its HTML and CSS, the files they read, the tools.
    ``digests`` keeps the files' digests for the rest of the build."""

    def digest(path: Path) -> str:
        if path not in digests:
            digests[path] = file_digest(path) if path.is_file() else "missing"
        return digests[path]

    files = [(job.css_path, digest(Path(job.css_path)))]
    files += [(name, digest(Path(job.base_url) / name)) for name in sorted(set(_RESOURCE.findall(job.html)))]
    files += [(url, digest(Path(unquote(url)))) for url in sorted(set(_FILE_URL.findall(job.part_css)))]
    return digest_of(job.__dict__, files)


def _ready() -> None:
    """Nothing: run once in each worker so that it starts (and imports WeasyPrint) early."""


def _worker_start() -> None:
    """In each worker, first: the layout engine's corrections installed; Ctrl-C is the build's to
    handle (it stops the workers), and on Linux the worker dies with the build, however the build
    ends (even killed outright)."""
    import signal

    engine.install()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() == 1:  # the build is already gone
                os._exit(1)
        except (OSError, AttributeError):
            pass


class Workers:
    """Processes laying out the book's parts. Started at the beginning of a build, before
    the build starts any thread: on Linux they are forked, with WeasyPrint already imported
    (0.9 s of processor time each, when spawned), unless the process already runs threads (a
    build inside a longer-lived program): then, as elsewhere, spawned, and they import it
    while Pandoc converts the units. One process lays out in itself."""

    def __init__(self, count: int) -> None:
        self.count = max(1, min(count, os.cpu_count() or 1))
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> Workers:
        if self.count > 1 and self.pool is None:
            # fork only while the build has no other thread: forking a process with threads can
            # deadlock the child (Python 3.12 warns of it); then the workers are spawned
            method = "fork" if sys.platform.startswith("linux") and threading.active_count() == 1 else "spawn"
            self.pool = ProcessPoolExecutor(
                max_workers=self.count, mp_context=get_context(method), initializer=_worker_start
            )
            for _ in range(self.count):
                self.pool.submit(_ready)
        return self

    def lay_out(self, jobs: list[PartJob], on_done=None) -> list[PartLayout]:
        """The jobs' layouts, in the jobs' order; ``on_done(layout)`` is called as each one ends."""
        on_done = on_done or (lambda layout: None)
        if len(jobs) > 1 and self.count > 1:
            futures = [self.start().pool.submit(lay_out_part, job) for job in jobs]
            for future in as_completed(futures):
                on_done(future.result())
            return [future.result() for future in futures]
        layouts = []
        engine.install()
        for job in jobs:
            layouts.append(lay_out_part(job))
            on_done(layouts[-1])
        return layouts

    def close(self) -> None:
        if self.pool is not None:
            pool, self.pool = self.pool, None
            processes = list(getattr(pool, "_processes", {}).values())
            try:
                pool.shutdown(wait=True, cancel_futures=True)
            except KeyboardInterrupt:  # a second Ctrl-C: stop them now
                for process in processes:
                    process.kill()
                raise

    def kill(self) -> None:
        """Stop the workers at once (the build was interrupted)."""
        if self.pool is not None:
            pool, self.pool = self.pool, None
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)


class _Runner:
    """Lays out the parts the cache does not hold, on the workers."""

    def __init__(self, store: Store | None, workers: int | Workers) -> None:
        self.store = store
        self.own = not isinstance(workers, Workers)  # made here, so closed here
        self.workers = Workers(workers) if self.own else workers
        self.digests: dict[Path, str] = {}  # files the parts read, digested once a build
        self.done: dict[str, PartLayout] = {}  # layouts of this build, by key (with or without a store)

    def run(self, jobs: list[PartJob]) -> tuple[list[PartLayout], list[str]]:
        keys = [job_key(job, self.digests) for job in jobs]
        layouts: list[PartLayout | None] = [
            self.done.get(key) or (self.store.get("layout", key) if self.store else None) for key in keys
        ]
        todo = [n for n, layout in enumerate(layouts) if layout is None]
        if todo:
            drafts = sum(jobs[n].draft for n in todo)
            log.info(
                "  laying out %d of %d part(s)%s: %s",
                len(todo),
                len(jobs),
                f" ({drafts} as drafts, for their pages)" if drafts else "",
                ", ".join(jobs[n].name for n in todo),
            )
        todo.sort(key=lambda n: -len(jobs[n].html))  # the longest first, so the workers finish together
        progress = PartProgress(len(todo), "laying out drafts" if todo and jobs[todo[0]].draft else "laying out")
        try:
            done = self.workers.lay_out([jobs[n] for n in todo], lambda l: progress.done(l.name, l.page_count))
        finally:
            progress.close()
        for n, layout in zip(todo, done):
            layouts[n] = layout
            self.done[keys[n]] = layout
            if self.store is not None and not jobs[n].draft:
                self.store.put("layout", keys[n], layout)
        return layouts, [jobs[n].name for n in sorted(todo)]

    def close(self) -> None:
        if self.own:
            self.workers.close()
