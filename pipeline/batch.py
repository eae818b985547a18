"""Building many inputs: one worker process per core, the style's fonts parsed once per process.

Workers only render; the command writes every result itself (through ``write.write_all``), so
messages and writes stay in one process, in the order the inputs finish.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from .build import DOCUMENTS, Renderers, Result, Task, checked, file_name, render_input, render_tasks, tasks
from .load import InputError, Problem, load
from .model import ReportInput


@cache
def shared_renderers(style: str) -> Renderers:
    """This process's renderers for ``style``: located once, fonts parsed on first use."""
    return Renderers.create(style)


def warm(style: str, formats: tuple[str, ...]) -> Renderers:
    """Parse the fonts and make the writers now, so that no document pays for them."""
    renderers = shared_renderers(style)
    renderers.covered()
    for fmt in formats:
        renderers.writer(fmt)
    return renderers


def default_jobs() -> int:
    """Every core this process may run on (its CPU affinity where the system says, else the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class _Refused:
    """An ``InputError`` carried back from a worker (the exception itself does not pickle)."""

    problems: list[Problem]
    more: int


@dataclass(frozen=True)
class Outcome:
    """One input's result, or the error that refused it (raised again by ``result``)."""

    source: Path
    _value: Result | _Refused | BaseException

    def result(self) -> Result:
        if isinstance(self._value, _Refused):
            raise InputError(self._value.problems, self._value.more)
        if isinstance(self._value, BaseException):
            raise self._value
        return self._value


def _render(
    source: Path,
    style: str,
    out_dir: Path,
    formats: tuple[str, ...],
    strict: bool,
    only: tuple[str, ...] = DOCUMENTS,
) -> Result | _Refused:
    try:
        with fewer_collections():
            return render_input(source, shared_renderers(style), out_dir, formats, strict, only)
    except InputError as err:
        return _Refused(err.problems, err.more)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while an input is built (its objects live until it is done).

    A plan of 15,000 activities holds millions of objects (YAML nodes, the model, the layout);
    Python's default thresholds scan them over and over: a quarter of the time of reading it.
    What exists before (modules, fonts) is frozen out of the scans.
    """
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(10_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


# --- one input on two cores: its files shared between this process and a forked child -----------

# Seconds a file takes, fixed and per activity (in process, the sample and 1,500 activities on a
# 2-core EPYC, 2026-11-30): only the ratios matter, to share the files of one input between
# two cores.
TASK_SECONDS = {
    ("summary", "docx"): (0.008, 0.000038),
    ("summary", "pdf"): (0.022, 0.000089),
    ("list", "docx"): (0.006, 0.000084),
    ("list", "pdf"): (0.005, 0.00084),
    ("sheets", "docx"): (0.006, 0.00057),
    ("sheets", "pdf"): (0.021, 0.00167),
}
# … and per item the Additions print (an effect, an indicator, an activity's 前回 cell): 1,500
# activities with 3,447 items against the same without
ADDED_SECONDS = {
    ("summary", "pdf"): 0.000009,
    ("list", "docx"): 0.00002,
    ("list", "pdf"): 0.00011,
    ("sheets", "docx"): 0.000057,
    ("sheets", "pdf"): 0.00011,
}
# the library's import, and for PDF the fonts, for DOCX the set-up template
IMPORT_SECONDS = {"docx": 0.12, "pdf": 0.10}


def added_items(data: ReportInput) -> int:
    """What the Additions print (``ADDED_SECONDS``): effects, indicators and, with a previous
    report, one 前回 cell an activity."""
    acts = [a for p in data.perspectives for b in p.businesses for a in b.activities]
    items = sum((a.effect is not None) + len(a.indicators) for a in acts)
    return items + (len(acts) if data.previous is not None else 0)


def share(chosen: list[Task], activities: int, added: int = 0) -> tuple[list[Task], list[Task]]:
    """The files this process makes and those the child makes: the split that ends soonest.

    This process also checks the fonts (a PDF writer's import); each side pays the import of
    the writers it uses. Every split is tried: an input has at most six files.
    """
    seconds = {}
    for task in chosen:
        fixed, each = TASK_SECONDS.get(task, (0.1, 0.002))
        seconds[task] = fixed + each * activities + ADDED_SECONDS.get(task, 0.0) * added

    def cost(part: list[Task], here: bool) -> float:
        formats = {fmt for _, fmt in part} | ({"pdf"} if here else set())
        return sum(seconds[t] for t in part) + sum(IMPORT_SECONDS.get(f, 0.2) for f in formats)

    best: tuple[float, list[Task], list[Task]] | None = None
    for mask in range(1 << len(chosen)):
        here = [t for i, t in enumerate(chosen) if not mask >> i & 1]
        child = [t for i, t in enumerate(chosen) if mask >> i & 1]
        span = max(cost(here, True), cost(child, False) if child else 0.0)
        if best is None or span < best[0]:
            best = (span, here, child)
    assert best is not None
    return best[1], best[2]


def can_fork() -> bool:
    """Forking is cheap and safe here (Linux); elsewhere one input uses one core."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _render_split(
    source: Path,
    style: str,
    out_dir: Path,
    formats: tuple[str, ...],
    strict: bool,
    only: tuple[str, ...] = DOCUMENTS,
) -> Result | _Refused:
    """``_render`` on two cores: the input read here, its files shared with a forked child.

    The child inherits the loaded input; ``share`` decides who makes which file. The files
    come back in the order one process makes them.
    """
    renderers = shared_renderers(style)
    chosen = tasks(formats, only)
    try:
        with fewer_collections():
            data = load(source)
            here, there = share(chosen, data.activity_count(), added_items(data))
            child = _fork(lambda: render_tasks(data, source, renderers, out_dir, there)) if there else None
            try:
                warnings = checked(data, renderers, strict)
                files = render_tasks(data, source, renderers, out_dir, here)
            except BaseException:
                if child is not None:
                    child.cancel()
                raise
            if child is not None:
                files.update(child.result())
    except InputError as err:
        return _Refused(err.problems, err.more)
    order = {out_dir / file_name(source, name, fmt): i for i, (name, fmt) in enumerate(chosen)}
    return Result(dict(sorted(files.items(), key=lambda item: order[item[0]])), warnings)


FileSet = dict[Path, bytes]


@dataclass
class _Child:
    """A forked process computing one value, and the pipe it sends it through (pickled).

    ``os.fork`` itself, not ``multiprocessing``: importing that (and ``concurrent.futures``)
    costs every start 25 ms, and one input needs no more than a fork and a pipe.
    """

    pid: int
    reader: int

    def result(self) -> FileSet:
        with os.fdopen(self.reader, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self.pid, 0)
        if not data:
            raise RuntimeError(f"worker {self.pid} ended without a result")
        kind, value = pickle.loads(data)
        if kind == "error":
            raise value
        if not isinstance(value, dict):
            raise RuntimeError(f"worker {self.pid} sent {type(value).__name__}")
        return value

    def cancel(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.close(self.reader)
        os.waitpid(self.pid, 0)


def _fork(compute: Callable[[], object]) -> _Child:
    reader, writer = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # None when the command was started with ``>&-``
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's exit handlers
        os.close(reader)
        try:
            _child_main(compute, writer)
        finally:
            os._exit(0)
    os.close(writer)
    return _Child(pid, reader)


def _child_main(compute: Callable[[], object], writer: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with_parent()
    try:
        message = pickle.dumps(("ok", compute()), pickle.HIGHEST_PROTOCOL)
    except BaseException as err:  # carried to the parent, raised there
        carried = err if not isinstance(err, InputError) else RuntimeError(str(err))
        try:
            message = pickle.dumps(("error", carried), pickle.HIGHEST_PROTOCOL)
        except Exception:
            message = pickle.dumps(("error", RuntimeError(repr(err))), pickle.HIGHEST_PROTOCOL)
    with os.fdopen(writer, "wb") as pipe:
        pipe.write(message)


def end_with_parent(interval: float = 0.5) -> None:
    """End this worker soon after its parent dies (killed, or ended without reaping it).

    A worker blocked on the pool's queue or rendering for a parent that no longer exists would
    otherwise live on forever; a daemon thread watches the parent's pid.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="gyokaku-parent-watch", daemon=True).start()


def _init_worker(style: str, formats: tuple[str, ...]) -> None:
    """Pool initializer: Ctrl-C is the parent's to handle; fonts parsed once for this worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with_parent()
    warm(style, formats)


def build_all(
    sources: tuple[Path, ...],
    style: str,
    out_dir: Path,
    formats: tuple[str, ...],
    strict: bool = False,
    jobs: int = 1,
    only: tuple[str, ...] = DOCUMENTS,
) -> Iterator[Outcome]:
    """Render every source, ``jobs`` at a time; outcomes as they finish (in order when serial)."""
    workers = min(jobs, len(sources))
    if workers <= 1:
        split = jobs > 1 and len(tasks(formats, only)) > 1 and can_fork()
        render = _render_split if split else _render
        for source in sources:
            yield _outcome(source, partial(render, source, style, out_dir, formats, strict, only))
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed  # here: 10 ms a start otherwise

    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(style, formats)) as pool:
        futures = {
            pool.submit(_render, source, style, out_dir, formats, strict, only): source for source in sources
        }
        try:
            for future in as_completed(futures):
                yield _outcome(futures[future], future.result)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _outcome(source: Path, get: Callable[[], Result | _Refused]) -> Outcome:
    """The outcome of rendering one input: whatever went wrong stays with that input."""
    try:
        return Outcome(source, get())
    except Exception as err:  # reported for this input by the command; the others go on
        return Outcome(source, err)
