"""Building many inputs: one worker process per core, the style's fonts parsed once per process.

Workers only render; the command writes every result itself (through ``write.write_all``), so
messages and writes stay in one process, in the order the inputs finish.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .build import Renderers, Result, render_input
from .load import InputError, Problem


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


def _render(source: Path, style: str, out_dir: Path, formats: tuple[str, ...], strict: bool):
    try:
        return render_input(source, shared_renderers(style), out_dir, formats, strict)
    except InputError as err:
        return _Refused(err.problems, err.more)


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
) -> Iterator[Outcome]:
    """Render every source, ``jobs`` at a time; outcomes as they finish (in order when serial)."""
    workers = min(jobs, len(sources))
    if workers <= 1:
        for source in sources:
            yield _outcome(source, lambda s=source: _render(s, style, out_dir, formats, strict))
        return
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(style, formats)) as pool:
        futures: dict[Future, Path] = {
            pool.submit(_render, source, style, out_dir, formats, strict): source for source in sources
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
