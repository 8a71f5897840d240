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
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

import markupsafe

from folio import ids
from folio.edition.model import Edition
from folio.edition.names import folio_label, index_entries, to_roman
from folio.layout import addresses, hyphenation
from folio.layout.diagnostics import Findings
from folio.layout.parts import Part, split_parts, whole
from folio.layout.pdf import FONTS, PartJob, PartLayout, finishable, page_css
from folio.layout.progress import PartProgress
from folio.layout.workers import Later, Task, Workers
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
    main_start: int  # the page of the PDF that carries folio 1
    found: Findings = Findings()  # what the parts' read-back found, in the PDF's pages
    index: tuple = ()  # names.IndexEntry, with the printed pages
    laid_out: tuple = ()  # names of the parts laid out in this build (the others came from the cache)
    rounds: int = 1
    pages_laid_out: int = 0  # pages the layout engine made in this build (a part laid out twice counts twice)
    pages_printed: int = 0  # pages printed from a draft's layout, not laid out again
    printed: dict = field(default_factory=dict)  # link target -> the folio printed for it

    def locate(self, anchor: str):
        """(page of the PDF, printed folio) of an anchor, or None if it was not laid out."""
        page = self.anchors.get(anchor)
        if page is None:
            return None
        return page, self.label(page)

    def label(self, page: int) -> str:
        return folio_label(page, self.main_start)

    def page_name(self, pdf_page: int) -> str:
        """A page as a problem names it: its printed folio, and its place in the file."""
        return f"p. {self.label(pdf_page)} (PDF page {pdf_page})"


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


def print_stylesheet(template_dirs: list[Path]) -> Path | None:
    """The print stylesheet the book is laid out with: the first template folder's print.css."""
    return next((d / "print.css" for d in template_dirs if (d / "print.css").exists()), None)


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
    css_path = print_stylesheet(template_dirs)
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
        index_entries(edition.persons, marks, _locator(last, record.get("main_start", 1)))
        if last
        else index_entries(edition.persons, marks, lambda anchor: (0, "000"))
    )
    laid_out: list[str] = []
    runner = _Runner(store, workers)

    def job_for(parts: list[Part], n: int, firsts: list, drafts: bool, known: dict) -> tuple[PartJob, dict]:
        """Part ``n``'s job, and the folios it prints (link target -> folio). ``known``: the layouts
        of this round so far (their folios are used before the last round's and the guesses). With
        ``drafts``, a part that prints a folio not known yet (its own first, or a link's) is laid
        out as a draft: read back for its pages, not written (it is printed, or laid out, again)."""
        part, first = parts[n], firsts[n]
        exact = {**folios, **_folios_of(parts, known)}
        if first is None:
            first = _first_folios(parts, {name: layout.page_count for name, layout in known.items()})[n]
        printed = {**_guessed_folios(parts, counts), **exact}
        part_html, targets = _with_page_numbers(part.html, printed)
        guessed = first is None or any(t not in exact for t in targets)
        job = PartJob(
            name=part.name,
            html=part_html,
            part_css=_part_css(edition, part, first or 1),
            css_path=str(css_path),
            base_url=str(edition.root) + "/",
            allowed=allowed,
            pdf_options=tuple(sorted(options.items())),
            pad_to_even=True,  # the next part opens on a recto; the last leaves the book an even page count
            draft=drafts and guessed,
            body_font=str(settings.typeface.regular) if settings.typeface else "",
            total_fit=settings.line_breaking == "total-fit",
        )
        return job, {t: printed.get(t, "000") for t in targets}

    try:
        for rounds in range(1, MAX_ROUNDS + 1):
            html = addresses.break_addresses(
                hyphenation.hyphenate(book_html(edition, converted, env, index, titles), settings.hyphenation)
            )
            parts = [whole(html)] if whole_book else split_parts(html)
            firsts = _first_folios(parts, counts)
            drafts = rounds == 1 and len(parts) > 1
            made: dict[int, tuple[PartJob, dict]] = {}

            def make(n: int, known: dict) -> PartJob:
                made[n] = job_for(parts, n, firsts, drafts, known)
                return made[n][0]

            if drafts and not folios:
                # a first build: each part made when a worker is free for it, from the parts laid out
                # before it; the parts that print every part's numbers last
                layouts, fresh = runner.run_later(len(parts), make, *_first_round_order(parts))
            else:
                layouts, fresh = runner.run([make(n, {}) for n in range(len(parts))])
            jobs = [made[n][0] for n in range(len(parts))]
            used = {target: folio for n in range(len(parts)) for target, folio in made[n][1].items()}
            laid_out += fresh
            book = _assemble_record(parts, layouts)
            counts = {layout.name: layout.page_count for layout in layouts}
            now = {target: book.label(book.anchors[target]) for target in used if target in book.anchors}
            found = index_entries(edition.persons, marks, book.locate)
            if (
                found == index
                and now == {t: used[t] for t in now}
                and _first_folios(parts, counts) == firsts
                and not any(job.draft for job in jobs)
            ):
                break
            log.info("  laying out again the parts whose page numbers moved")
            # the next round prints what this one laid out: every anchor's folio (an index made
            # from this round points at anchors no part printed the number of before)
            folios = {anchor: book.label(page) for anchor, page in book.anchors.items()}
            index = found
        else:
            log.warning("  the page numbers did not settle after %d rounds", MAX_ROUNDS)
    finally:
        runner.close()
    if runner.pages_laid_out or runner.pages_printed:
        log.info(
            "  %d pages laid out for a book of %d (%.2f a page), %d printed from their drafts",
            runner.pages_laid_out,
            book.page_count,
            runner.pages_laid_out / max(1, book.page_count),
            runner.pages_printed,
        )
    if store is not None:
        store.write_json(
            "layout.json", {"pages": counts, "folios": now, "anchors": book.anchors, "main_start": book.main_start}
        )
    return replace(
        book,
        index=tuple(index),
        laid_out=tuple(dict.fromkeys(laid_out)),
        rounds=rounds,
        pages_laid_out=runner.pages_laid_out,
        pages_printed=runner.pages_printed,
        printed=now,
    )


def _locator(anchors: dict, main_start: int):
    def locate(anchor):
        page = anchors.get(anchor)
        if page is None:
            return None
        return page, folio_label(page, main_start)

    return locate


_ID = re.compile(r'\sid="([^"]+)"')
DIGITS_MARGIN = 1.15  # the parts holding the folios up to the book's last power of ten, and this share more


def _last_new_digit(parts: list[Part]) -> int:
    """The folio beyond which the book's numbers take no more digits, with a margin (115 in a book
    of 100 to 999 pages, 1150 in one of 1000 or more): a part printing numbers of every part before
    it is laid out once the parts up to there are (its numbers then have their count of digits)."""
    pages = sum(max(1, len(part.html) // PAGE_BYTES) for part in parts if part.main)
    power = 10 ** (len(str(max(1, pages))) - 1)
    return int(DIGITS_MARGIN * power) if power >= 100 else 0


def _first_round_order(parts: list[Part]) -> tuple[list[int], set[int], dict[int, set[int]]]:
    """The order of a first build's parts, those left for last, and those that wait for others
    (part -> the parts it waits for). The parts in the book's order (the numbers each prints of
    the parts before it are then known); the longest main part as soon as the parts before it
    that hold the folios up to the book's last new digit are done (``_last_new_digit``: its numbers
    then have their count of digits; it does not end the round alone); the front matter, which
    prints every part's numbers, last.
    The index, which points at every page, is not laid out in this round: the next lays it out
    from the pages of this one, beside the parts it prints (no part's page numbers depend on it)."""
    last = {n for n, part in enumerate(parts) if not part.main}
    order = [n for n in range(len(parts)) if n not in last]
    waits: dict[int, set[int]] = {}
    if len(order) > 2:
        longest = max(order, key=lambda n: len(parts[n].html))
        order.remove(longest)
        folio, at, until = 1, 0, _last_new_digit(parts)
        while at < len(order) and folio <= until and order[at] < longest:
            folio += max(1, len(parts[order[at]].html) // PAGE_BYTES)
            at += 1
        waits[longest] = set(order[:at])
        order.insert(at, longest)
    order = [n for n in order if parts[n].name != ids.INDEX]
    return order + sorted(last), last, waits


def _folios_of(parts: list[Part], known: dict) -> dict[str, str]:
    """The folio of every anchor of the parts laid out so far in this round whose first folio is
    known (every main part before them laid out too)."""
    found: dict[str, str] = {}
    folio: int | None = 1
    for part in parts:
        layout = known.get(part.name)
        if layout is not None and (not part.main or folio is not None):
            for anchor, page in layout.anchors.items():
                found[anchor] = str(folio + page - 1) if part.main else to_roman(page)
        if part.main:
            folio = folio + layout.page_count if layout is not None and folio is not None else None
    return found


def _guessed_folios(parts: list[Part], counts: dict[str, int]) -> dict[str, str]:
    """A folio for every id of the book, guessed from where it stands in the book's HTML (PAGE_BYTES
    a page, where a part's page count is not known): what a draft prints for a target not laid out
    yet. Only its number of digits matters: a draft printed with figures as wide as its final ones
    is finished from its layout, not laid out again."""
    guesses: dict[str, str] = {}
    folio = 1
    for part in parts:
        pages = counts.get(part.name) or max(1, len(part.html) // PAGE_BYTES)
        for match in _ID.finditer(part.html):
            offset = match.start() * pages // max(1, len(part.html))
            guesses[match.group(1)] = str(folio + offset) if part.main else to_roman(1 + offset)
        if part.main:
            folio += pages
    return guesses


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
    found = []
    offset = 0
    main_start = None  # the first page of the first part of the main matter
    for part, layout in zip(parts, layouts):
        if part.main and main_start is None:
            main_start = offset + 1
        for anchor, page in layout.anchors.items():
            anchors.setdefault(anchor, page + offset)
        found.append(layout.found.shifted(offset))
        offset += layout.page_count
    main_start = anchors.get(ids.MAINMATTER, main_start or 1)
    return Typeset(tuple(layouts), offset, anchors, main_start, Findings.joined(found))


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


HELD_PAGE_BYTES = 1.4 * 2**20  # what a kept draft's page holds of memory, about (measured: 1.3 MiB)
HOLD_SHARE = 0.35  # of the memory the machine has free when the layout starts, drafts may keep
HOLD_PAGES = 600  # pages of drafts kept where the free memory cannot be read


def hold_pages() -> int:
    """How many pages of drafts may be kept in memory to be printed: a share of what the machine
    has free (more pages than that are laid out again instead)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            free = next(int(line.split()[1]) * 1024 for line in handle if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return HOLD_PAGES
    return int(HOLD_SHARE * free / HELD_PAGE_BYTES)


PAGE_BYTES = 4000  # of a part's HTML make about a page, to guess how many pages a draft will keep


class _Runner:
    """Lays out the parts the cache does not hold, on the workers. A draft (a part laid out
    before the page numbers it prints are known) is kept by the worker that laid it out, and
    finished there when its part is laid out again with its numbers."""

    def __init__(self, store: Store | None, workers: int | Workers) -> None:
        self.store = store
        self.own = not isinstance(workers, Workers)  # made here, so closed here
        self.workers = Workers(workers) if self.own else workers
        self.digests: dict[Path, str] = {}  # files the parts read, digested once a build
        self.done: dict[str, PartLayout] = {}  # layouts of this build, by key (with or without a store)
        self.held: dict[str, tuple[int | None, PartJob, int]] = {}  # part -> (worker keeping its draft, draft, pages)
        self.pages_laid_out = self.pages_printed = 0
        self.hold_pages = hold_pages()

    def run(self, jobs: list[PartJob]) -> tuple[list[PartLayout], list[str]]:
        keys = [job_key(job, self.digests) for job in jobs]
        layouts: list[PartLayout | None] = [
            self.done.get(key) or (self.store.get("layout", key) if self.store else None) for key in keys
        ]
        todo = [n for n, layout in enumerate(layouts) if layout is None]
        todo.sort(key=lambda n: -len(jobs[n].html))  # the longest first, so the workers finish together
        tasks = [self._task(jobs[n]) for n in todo]
        if todo:
            drafts = sum(jobs[n].draft for n in todo)
            printed = sum(task.finish for task in tasks)
            log.info(
                "  laying out %d of %d part(s)%s%s: %s",
                len(todo) - printed,
                len(jobs),
                f" ({drafts} as drafts, for their pages)" if drafts else "",
                f", printing {printed} from their drafts" if printed else "",
                ", ".join(jobs[n].name for n in sorted(todo)),
            )
        progress = PartProgress(len(todo), "laying out drafts" if todo and jobs[todo[0]].draft else "laying out")
        try:
            done = self.workers.run(tasks, lambda l: progress.done(l.name, l.page_count, l.from_draft))
        finally:
            progress.close()
        for n, (layout, task, worker) in zip(todo, done):
            layouts[n] = layout
            self._record(jobs[n], layout, task, worker)
        return layouts, [jobs[n].name for n in sorted(todo)]

    def run_later(
        self, count: int, make, order: list[int], last: set[int], waits: dict[int, set[int]]
    ) -> tuple[list[PartLayout], list[str]]:
        """Each part laid out when a worker is free for it, in ``order``: ``make(n, known)`` gives
        part ``n``'s job from ``known``, the layouts of this round so far (by part name); the parts
        in ``last`` once every other is done, those in ``waits`` once the parts they wait for are."""
        known: dict[str, PartLayout] = {}
        jobs: dict[int, PartJob] = {}

        def later(n: int) -> Later:
            def task() -> Task | PartLayout:
                job = jobs[n] = make(n, known)
                key = job_key(job, self.digests)
                found = self.done.get(key) or (self.store.get("layout", key) if self.store else None)
                return found if found is not None else self._task(job)

            return Later(task, last=n in last, after=frozenset(order.index(m) for m in waits.get(n, ())))

        log.info("  laying out %d of %d part(s), each from the pages of the parts before it", len(order), count)
        progress = PartProgress(len(order), "laying out")

        def done(layout: PartLayout) -> None:
            known[layout.name] = layout
            progress.done(layout.name, layout.page_count, layout.from_draft)

        try:
            results = self.workers.run([later(n) for n in order], done)
        finally:
            progress.close()
        layouts: list = [None] * count
        fresh = []
        for n, (layout, task, worker) in zip(order, results):
            layouts[n] = layout
            self._record(jobs[n], layout, task, worker)
            if task is not None:
                fresh.append(n)
        for n in range(count):  # a part left to the next round (a draft): nothing of it is known yet
            if layouts[n] is None:
                jobs[n] = make(n, {})
                layouts[n] = PartLayout(jobs[n].name, b"", 0, {}, ())
        return layouts, [jobs[n].name for n in sorted(fresh)]

    def _record(self, job: PartJob, layout: PartLayout, task: Task | None, worker: int | None) -> None:
        key = job_key(job, self.digests)
        self.done[key] = layout
        if task is not None and layout.from_draft:
            self.pages_printed += layout.page_count
        elif task is not None:
            self.pages_laid_out += layout.page_count * layout.passes
        if task is not None and task.hold:
            self.held[job.name] = (worker, job, layout.page_count)
        if task is not None and self.store is not None and not job.draft:
            self.store.put("layout", key, layout)

    def _task(self, job: PartJob) -> Task:
        kept = self.held.pop(job.name, None)
        if kept is not None:
            if not job.draft and finishable(kept[1], job):
                # its numbers are known now, as wide as those it was laid out with: the worker
                # keeping its draft prints it
                return Task(job, finish=True, worker=kept[0])
            self.workers.drop(kept[0], job.name)  # laid out again (by whichever worker is free)
        pages = sum(count for _worker, _draft, count in self.held.values())
        return Task(job, hold=job.draft and pages + len(job.html) // PAGE_BYTES <= self.hold_pages)

    def close(self) -> None:
        for name, (worker, _draft, _pages) in self.held.items():
            self.workers.drop(worker, name)
        self.held.clear()
        if self.own:
            self.workers.close()
