"""Building many inputs: one worker process per core, the style's fonts parsed once per process.

Workers only render; the command writes every result itself (through ``write.write_all``), so
messages and writes stay in one process, in the order the inputs finish.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .build import DOCUMENTS, Renderers, Result, render_input
from .load import InputError, Problem

SPLIT_FORMAT = "docx"  # rendered in a forked child when one input has the machine to itself


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
    """Every core of this machine."""
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
):
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


# --- one input on two cores: the Word drafts in a forked child, the rest here -------------------


class _Everything:
    """Every code point: the child leaves the font check to the parent (no font parsing there)."""

    def __contains__(self, _code: object) -> bool:
        return True


class _Unchecked(Renderers):
    def covered(self) -> frozenset[int]:
        return _Everything()  # type: ignore[return-value]


def can_fork() -> bool:
    """Forking is cheap and safe here (Linux); elsewhere one input uses one core."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _render_split(
    source: Path,
    style: str,
    out_dir: Path,
    formats: tuple[str, ...],
    strict: bool,
    only: tuple[str, ...] = DOCUMENTS,
):
    """``_render`` on two cores: the last document (or the Word drafts) made in a forked child.

    With several documents the child makes the last (the sheets, the most work) in every
    format and this process the others; with one document, the child makes its Word draft.
    """
    shared = shared_renderers(style)
    child_renderers = _Unchecked(shared.style, shared.font_files)
    ordered = tuple(d for d in DOCUMENTS if d in only)
    if len(ordered) > 1:
        child_share, here_share = (formats, ordered[-1:]), (formats, ordered[:-1])
    else:
        child_share = ((SPLIT_FORMAT,), ordered)
        here_share = (tuple(f for f in formats if f != SPLIT_FORMAT), ordered)
    child_formats, child_only = child_share
    child = _fork(lambda: render_input(source, child_renderers, out_dir, child_formats, only=child_only))
    try:
        here = _render(source, style, out_dir, here_share[0], strict, here_share[1])
    except BaseException:
        child.cancel()
        raise
    if isinstance(here, _Refused):
        child.cancel()
        return here
    if len(ordered) > 1:
        return Result({**here.files, **child.result().files}, here.warnings)
    return _merge(child.result(), here, formats)


def _merge(child: Result, here: Result, formats: tuple[str, ...]) -> Result:
    """Both results as one, files in the serial order (each document, then each format)."""
    rest = list(here.files.items())
    per_doc = len(formats) - 1
    files: dict[Path, bytes] = {}
    for i, item in enumerate(child.files.items()):
        group = rest[i * per_doc : (i + 1) * per_doc]
        group.insert(formats.index(SPLIT_FORMAT), item)
        files.update(group)
    return Result(files, here.warnings)


@dataclass
class _Child:
    """A forked process computing one value, and the pipe it will send it through."""

    process: multiprocessing.Process
    conn: object

    def result(self):
        try:
            kind, value = self.conn.recv()
        except EOFError:
            kind, value = "error", RuntimeError(f"worker {self.process.pid} ended without a result")
        finally:
            self.process.join()
        if kind == "error":
            raise value
        return value

    def cancel(self) -> None:
        self.process.kill()
        self.process.join()


def _fork(compute: Callable[[], object]) -> _Child:
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    sys.stdout.flush()
    sys.stderr.flush()
    process = ctx.Process(target=_child_main, args=(compute, writer), daemon=True)
    process.start()
    writer.close()
    return _Child(process, reader)


def _child_main(compute: Callable[[], object], conn) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        conn.send(("ok", compute()))
    except BaseException as err:  # carried to the parent, raised there
        conn.send(("error", err if not isinstance(err, InputError) else RuntimeError(str(err))))


def _init_worker(style: str, formats: tuple[str, ...]) -> None:
    """Pool initializer: Ctrl-C is the parent's to handle; fonts parsed once for this worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
        several = len(only) > 1 or (SPLIT_FORMAT in formats and len(formats) > 1)
        split = jobs > 1 and several and can_fork()
        render = _render_split if split else _render
        for source in sources:
            yield _outcome(source, lambda s=source: render(s, style, out_dir, formats, strict, only))
        return
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(style, formats)) as pool:
        futures: dict[Future, Path] = {
            pool.submit(_render, source, style, out_dir, formats, strict, only): source for source in sources
        }
        try:
            for future in as_completed(futures):
                yield _outcome(futures[future], future.result)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _outcome(source: Path, get) -> Outcome:
    try:
        return Outcome(source, get())
    except OSError as err:
        return Outcome(source, err)
