"""What every command prints, and how it stops on bad input: one place for ``cli``,
``excel_cli`` and ``review_cli``."""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from .load import InputError, load
from .model import ReportInput, printable

if TYPE_CHECKING:
    from .progress import Progress

EXIT_BAD_INPUT = 2

_OS_REASONS = {
    errno.ENOSPC: "ディスクの空きがありません",
    errno.EDQUOT: "ディスクの割り当て（クォータ）を超えました",
    errno.EACCES: "書き込む権限がありません",
    errno.EPERM: "書き込む権限がありません",
    errno.EROFS: "読み取り専用の場所です",
    errno.EEXIST: "同じ名前のファイルがあります",
    errno.ENOTDIR: "フォルダーのはずの場所がファイルです",
    errno.EISDIR: "ファイルのはずの場所がフォルダーです",
    errno.ENAMETOOLONG: "名前が長すぎます",
}


def os_reason(err: OSError) -> str:
    """The reason of an ``OSError`` in Japanese, with the system's words and the file named."""
    parts = [_OS_REASONS.get(err.errno or 0, ""), str(err.strerror or err), str(err.filename or "")]
    return ": ".join(part for part in parts if part)


def say(line: str, err: bool = False, progress: Progress | None = None) -> None:
    """Print a message; a closed or vanished terminal or pipe loses the message, not the run.

    Control characters and lone surrogates (a file name may hold them) are shown as ``\\uXXXX``
    so that they neither drive the terminal nor stop the message from being written.
    """
    line = "\n".join(printable(part) for part in line.split("\n"))
    try:
        if progress is not None:
            progress.echo(line, err=err)
        else:
            click.echo(line, err=err)
    except (OSError, ValueError):  # ``>&-``, or the reader of a pipe went away
        pass


def err(line: str) -> None:
    say(line, err=True)


def refuse(lines: list[str]) -> NoReturn:
    """Say why on standard error and exit with ``EXIT_BAD_INPUT``."""
    for line in lines:
        err(line)
    sys.exit(EXIT_BAD_INPUT)


def load_or_refuse(path: Path) -> ReportInput:
    """The input at ``path``, or every located problem with it and exit ``EXIT_BAD_INPUT``."""
    try:
        return load(path)
    except InputError as error:
        count = len(error.problems) + error.more
        refuse([f"エラー: {path} は読み込めませんでした（{count} 件）。", *(f"  {x}" for x in error.lines())])
