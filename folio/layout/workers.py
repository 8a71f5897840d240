"""Processes laying out the book's parts.

Each worker is a process of its own, fed one task at a time through its own pipe, so that a
part's draft kept by the worker that laid it out (``pdf.lay_out_part(hold=True)``) is finished
by that same worker once the page numbers are known (``pdf.finish_part``): the draft's pages
are printed, not laid out again. Tasks for no worker in particular go to whichever is free,
the longest first.

Started at the beginning of a build, before the build starts any thread: on Linux they are
forked, with WeasyPrint already imported (0.9 s of processor time each, when spawned),
unless the process already runs threads (a build inside a longer-lived program): then, as
elsewhere, spawned, and they import it while Pandoc converts the units. One process lays out
in itself.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import connection, get_context

from folio.layout import engine, pdf
from folio.layout.pdf import PartJob, PartLayout


@dataclass(frozen=True)
class Task:
    """A part to lay out (``finish``: from its draft kept by ``worker``, when it can be)."""

    job: PartJob
    hold: bool = False  # keep the layout of a draft, to be finished later
    finish: bool = False
    worker: int | None = None  # the worker that must do it (it keeps the draft)


@dataclass(frozen=True)
class Later:
    """A part whose task is made only when a worker is free for it, from what the parts laid out
    before it in the same round say (their pages, where their anchors landed): ``make()`` gives
    the task, or the part's layout when nothing needs doing (the cache holds it)."""

    make: Callable[[], Task | PartLayout]
    last: bool = False  # made only once every other part is done (it prints all their numbers)
    after: frozenset = frozenset()  # the entries (by their place) that must be done before it is made


def cost(task: Task) -> float:
    """About how long a task takes, as the length of its HTML (printing a draft: a third of laying out)."""
    return len(task.job.html) * (0.3 if task.finish else 1.0)


def _last(tasks: list, n: int) -> bool:
    return isinstance(tasks[n], Later) and tasks[n].last


def _order(tasks: list, n: int) -> tuple:
    """Which entry goes first: ``Later`` entries in their order, then the costliest task."""
    entry = tasks[n]
    return (0, n) if isinstance(entry, Later) else (1, -cost(entry))


def run_task(task: Task) -> PartLayout:
    if task.finish:
        return pdf.finish_part(task.job)
    return pdf.lay_out_part(task.job, hold=task.hold)


def _start() -> None:
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


def _serve(conn) -> None:
    _start()
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        kind = message[0]
        if kind == "stop":
            return
        if kind == "drop":
            pdf.drop_held(message[1])
            continue
        try:
            result = ("done", run_task(message[1]))
        except BaseException as exc:  # noqa: BLE001 - handed to the build, which knows what it means
            result = ("error", _picklable(exc))
        conn.send(result)


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class Workers:
    """The layout processes of a build (see the module's docstring)."""

    def __init__(self, count: int) -> None:
        self.count = max(1, min(count, os.cpu_count() or 1))
        self.processes: list = []
        self.conns: list = []

    def start(self) -> Workers:
        if self.count > 1 and not self.processes:
            # fork only while the build has no other thread: forking a process with threads can
            # deadlock the child (Python 3.12 warns of it); then the workers are spawned
            method = "fork" if sys.platform.startswith("linux") and threading.active_count() == 1 else "spawn"
            context = get_context(method)
            for _ in range(self.count):
                mine, theirs = context.Pipe()
                process = context.Process(target=_serve, args=(theirs,), daemon=True)
                process.start()
                theirs.close()
                self.processes.append(process)
                self.conns.append(mine)
        return self

    @property
    def parallel(self) -> bool:
        return self.count > 1

    def run(self, tasks: list[Task | Later], on_done=None) -> list[tuple[PartLayout, Task | None, int | None]]:
        """Each entry's (layout, the task that made it or None, the worker that did it or None:
        this process), in the entries' order; ``on_done(layout)`` is called as each one ends.
        Tasks go the costliest first to whichever worker may take them; ``Later`` entries in their
        order, each made when a worker is free for it."""
        on_done = on_done or (lambda layout: None)
        results: list = [None] * len(tasks)
        if not self.parallel:
            engine.install()
            for n in sorted(range(len(tasks)), key=lambda n: _order(tasks, n)):
                entry = tasks[n]
                task = entry.make() if isinstance(entry, Later) else entry
                layout = task if isinstance(task, PartLayout) else run_task(task)
                results[n] = (layout, None if isinstance(task, PartLayout) else task, None)
                on_done(layout)
            return results
        self.start()
        anyone = [n for n, task in enumerate(tasks) if isinstance(task, Later) or task.worker is None]
        own: dict[int, list] = {w: [] for w in range(self.count)}
        for n, task in enumerate(tasks):
            if isinstance(task, Task) and task.worker is not None:
                own[task.worker].append(n)
        busy: dict[int, tuple[int, Task]] = {}  # worker -> (the entry, its task)
        failure = None

        def feed(worker: int) -> None:
            """The next task this worker may take (an entry left for last only when it is alone)."""
            while failure is None:
                waiting = own[worker] + anyone
                others = [
                    m for m in anyone + [m for queue in own.values() for m in queue] + [m for m, _ in busy.values()]
                ]
                alone = all(_last(tasks, m) for m in others)  # only entries left for last, here or under way
                eligible = [
                    n
                    for n in waiting
                    if (alone or not _last(tasks, n))
                    and all(results[m] is not None for m in getattr(tasks[n], "after", ()))
                ]
                if not eligible:
                    return
                n = min(eligible, key=lambda n: _order(tasks, n))
                (own[worker] if n in own[worker] else anyone).remove(n)
                entry = tasks[n]
                task = entry.make() if isinstance(entry, Later) else entry
                if isinstance(task, PartLayout):  # nothing to do: the cache held it
                    results[n] = (task, None, None)
                    on_done(task)
                    continue
                busy[worker] = (n, task)
                self.conns[worker].send(("task", task))
                return

        for worker in range(self.count):
            feed(worker)
        while busy:
            ready = connection.wait([self.conns[w] for w in busy])
            for conn in ready:
                worker = self.conns.index(conn)
                n, task = busy.pop(worker)
                try:
                    kind, value = conn.recv()
                except EOFError:
                    kind, value = "error", RuntimeError("a layout process ended unexpectedly")
                if kind == "error":
                    failure = failure or value
                else:
                    results[n] = (value, task, worker)
                    on_done(value)
            for worker in range(self.count):
                if worker not in busy:
                    feed(worker)
        if failure is not None:
            raise failure
        return results

    def drop(self, worker: int | None, name: str | None = None) -> None:
        """Let a worker's kept drafts go (one part's, or all)."""
        if worker is None:
            pdf.drop_held(name)
        elif worker < len(self.conns):
            self.conns[worker].send(("drop", name))

    def close(self) -> None:
        processes, conns = self.processes, self.conns
        self.processes, self.conns = [], []
        pdf.drop_held()
        try:
            for conn in conns:
                try:
                    conn.send(("stop",))
                except OSError:
                    pass
            for process in processes:
                process.join()
        except KeyboardInterrupt:  # a second Ctrl-C: stop them now
            for process in processes:
                process.kill()
            raise
        finally:
            for conn in conns:
                conn.close()

    def kill(self) -> None:
        """Stop the workers at once (the build was interrupted)."""
        processes, conns = self.processes, self.conns
        self.processes, self.conns = [], []
        for process in processes:
            process.kill()
        for conn in conns:
            conn.close()
