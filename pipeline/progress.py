"""A one-line progress bar on stderr for batch builds; silent when stderr is not a terminal."""

from __future__ import annotations

import sys
import unicodedata
from typing import TextIO

import click

WIDTH = 30


class Progress:
    """``作成中 [#####-----] 3/10``, redrawn in place; messages printed above it."""

    def __init__(self, total: int, label: str = "作成中", stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.shown = total > 1 and _is_terminal(self.stream)
        self._drawn = 0

    def __enter__(self) -> Progress:
        self._draw()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._clear()

    def advance(self) -> None:
        """One more input done."""
        self.done += 1
        self._draw()

    def echo(self, line: str, err: bool = False) -> None:
        """Print a message line (stdout, or stderr with ``err``) without mixing it into the bar."""
        self._clear()
        click.echo(line, err=err)
        self._draw()

    def line(self) -> str:
        filled = WIDTH * self.done // max(self.total, 1)
        return f"{self.label} [{'#' * filled}{'-' * (WIDTH - filled)}] {self.done}/{self.total}"

    def _draw(self) -> None:
        if not self.shown:
            return
        text = self.line()
        self.stream.write("\r" + text)
        self.stream.flush()
        self._drawn = columns(text)

    def _clear(self) -> None:
        if self.shown and self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes (wide East Asian characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
