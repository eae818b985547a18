"""The command line: ``gyokaku build`` and ``gyokaku check`` (messages in Japanese)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from . import __version__
from .batch import Outcome, build_all, default_jobs, shared_renderers
from .build import DOCUMENTS, FORMATS, file_name, tasks, unprintable
from .cliout import EXIT_BAD_INPUT, os_reason
from .cliout import err as _err
from .cliout import say as _say
from .fonts import FontError
from .load import InputError, load
from .progress import Progress
from .render import FORMATS as REGISTRY
from .render import RenderError
from .resources import sample_input
from .style import StyleError
from .write import EditedError, IncompleteError, LockedError, OutputError, OutputFolder

SAMPLE = sample_input()
EXIT_INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    wrong = [v for v in chosen if v not in REGISTRY]
    if wrong or not chosen:
        names = ", ".join(REGISTRY)
        raise click.BadParameter(f"{', '.join(wrong) or '（空）'}: {names} から選んでください。")
    return chosen


def _documents(value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    wrong = [v for v in chosen if v not in DOCUMENTS]
    if wrong or not chosen:
        raise click.BadParameter(
            f"{', '.join(wrong) or '（空）'}: {', '.join(DOCUMENTS)} から選んでください。"
        )
    return chosen


def run() -> None:
    """The ``gyokaku`` command as a process of its own: ends without tearing Python down.

    Freeing a build's objects one by one and the modules' clean-up at exit take 50–100 ms
    (a tenth of building the sample); every file is written and closed by then, so once the
    messages are flushed the process simply ends with the command's exit code.
    """
    try:
        result = main.main(prog_name="gyokaku", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except click.ClickException as err:  # a wrong option or argument: click's own message
        with contextlib.suppress(OSError, ValueError):
            err.show()
        code = err.exit_code
    except SystemExit as end:
        code = _exit_code(end.code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        _err("中断しました。書き終えた入力の出力は新しく、途中の入力の出力は前のままです。")
        code = EXIT_INTERRUPTED
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # the reader went away (``gyokaku build | head``): files are written
            pass
    os._exit(code)


def _exit_code(value: object) -> int:
    """``sys.exit``'s argument as a process exit code (a message is printed, as Python does)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    _err(str(value))
    return 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="gyokaku")
def main() -> None:
    """gyokaku: 行財政改革計画の取組状況を YAML から Word と PDF にします。"""


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    default="outputs",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="出力先フォルダー",
)
@click.option(
    "--format",
    "formats",
    default=",".join(FORMATS),
    show_default=True,
    help="出力形式（" + "、".join(f"{name}: {fmt.label}" for name, fmt in REGISTRY.items()) + "）",
)
@click.option(
    "--style", default="default", show_default=True, help="スタイルシート（styles/ の名前か YAML のパス）"
)
@click.option(
    "--only",
    default=",".join(DOCUMENTS),
    show_default=True,
    help="作る資料（summary: 総括, list: 活動一覧, sheets: 個票）",
)
@click.option("--strict", is_flag=True, help="フォントにない文字をエラーにする")
@click.option("--force", is_flag=True, help="編集された Word ファイルも上書きする（編集版は別名で保存）")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="同時に作る入力の数（既定: CPU のコア数）",
)
def build(
    inputs: tuple[Path, ...],
    out_dir: Path,
    formats: str,
    style: str,
    only: str,
    strict: bool,
    force: bool,
    jobs: int | None,
) -> None:
    """INPUT（YAML）から Word と PDF を作ります。INPUT を省くと同梱の見本を作ります。"""
    chosen = _formats(formats)
    documents = _documents(only)
    try:
        shared_renderers(style).check_printed_texts()
    except (StyleError, FontError) as err:
        _err(f"エラー: {err}")
        sys.exit(EXIT_BAD_INPUT)
    sources = _distinct(inputs or (SAMPLE,))
    clashes = _same_output_names(sources, chosen, documents)
    if clashes:
        for line in clashes:
            _err(f"エラー: {line}")
        _err("入力のファイル名を変えるか、--out を分けて一つずつ実行してください。何も書き出していません。")
        sys.exit(EXIT_BAD_INPUT)
    failed = 0
    with Progress(len(sources)) as progress, OutputFolder(out_dir) as folder:
        for outcome in build_all(sources, style, out_dir, chosen, strict, jobs or default_jobs(), documents):
            failed += not _finish(outcome, folder, force, progress)
            progress.advance()
    if failed:
        _err(f"{failed} 件の入力が失敗しました。失敗した入力の出力は前のまま残っています。")
        sys.exit(EXIT_BAD_INPUT)


def _distinct(sources: tuple[Path, ...]) -> tuple[Path, ...]:
    """The inputs in order, a file named twice built once."""
    seen: set[Path] = set()
    out = []
    for source in sources:
        key = source.resolve()
        if key not in seen:
            seen.add(key)
            out.append(source)
    return tuple(out)


def _same_output_names(
    sources: tuple[Path, ...], formats: tuple[str, ...] = FORMATS, documents: tuple[str, ...] = DOCUMENTS
) -> list[str]:
    """One line per pair of different inputs that would write a file of the same name.

    Every file of every input counts: ``x.yaml``'s list is ``x-list.pdf``, and so is
    ``x-list.yaml``'s summary. Names are compared as the file system may (case folded).
    """
    first: dict[str, tuple[Path, str]] = {}
    lines = []
    for source in sources:
        clashes: dict[Path, list[str]] = {}
        for name, fmt in tasks(formats, documents):
            out = file_name(source, name, fmt)
            owner = first.setdefault(out.casefold(), (source, out))
            if owner[0] != source:
                clashes.setdefault(owner[0], []).append(out)
        for other, names in clashes.items():
            shown = "、".join(names[:3]) + ("など" if len(names) > 3 else "")
            lines.append(
                f"{other} と {source} は出力名が同じです（{shown}）。"
                "後の入力が先の出力を上書きしてしまいます。"
            )
    return lines


def _finish(outcome: Outcome, folder: OutputFolder, force: bool, progress: Progress) -> bool:
    """Write one input's files and report on it in Japanese; False when it failed."""
    source = outcome.source

    def say(line: str, err: bool = False) -> None:
        _say(line, err, progress)

    try:
        result = outcome.result()
        for warning in result.warnings:
            say(f"警告: {warning}", err=True)
        recovery = folder.recovery
        written = folder.write(result.files, force)
        if recovery is None and folder.recovery is not None:  # the folder was opened just now
            _report_recovery(folder, say)
        for item in written:
            say(f"作成: {item.path}")
            if item.backup:
                say(f"  編集されていた版を保存: {item.backup}")
    except InputError as err:
        count = len(err.problems) + err.more
        say(f"エラー: {source} は読み込めませんでした（{count} 件）。", err=True)
        for line in err.lines():
            say(f"  {line}", err=True)
        return False
    except (EditedError, OutputError, LockedError, FontError, RenderError) as err:
        say(f"エラー: {source}: {err}", err=True)
        return False
    except IncompleteError as err:
        say(f"エラー: {source}: {err}", err=True)
        return False
    except OSError as err:
        reason = os_reason(err)
        say(f"エラー: {source}: 書き込めませんでした（{reason}）。この入力の出力は前のままです。", err=True)
        return False
    except Exception as err:  # a defect of gyokaku's, not of the input: the other inputs go on
        say(
            f"エラー: {source}: 内部エラーのため作れませんでした（{type(err).__name__}: {err}）。"
            "この入力の出力は前のままです。入力ファイルを添えて開発者に知らせてください。",
            err=True,
        )
        return False
    return True


# what the system's reason means for the user, where it is one a user can act on
def _report_recovery(folder: OutputFolder, say: Callable[..., None]) -> None:
    """Say what opening the folder finished or removed of an interrupted run."""
    found = folder.recovery
    if found is None:
        return
    if found.finished:
        say(f"前回中断された書き込みを完了しました: {'、'.join(found.finished)}", err=True)
    if found.removed or found.old_temporaries:
        say(f"前回中断された書き込みの一時ファイルを片付けました（{folder.path}）。", err=True)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--style", default="default", show_default=True, help="スタイルシート（styles/ の名前か YAML のパス）"
)
@click.option("--strict", is_flag=True, help="フォントにない文字をエラーにする")
def check(inputs: tuple[Path, ...], style: str, strict: bool) -> None:
    """INPUT（YAML）を検査します。build が断ること・警告することをすべて報告し、何も書き出しません。"""
    try:
        renderers = shared_renderers(style)
        renderers.check_printed_texts()
        covered = renderers.covered()
    except (StyleError, FontError) as err:
        _err(f"エラー: {err}")
        sys.exit(EXIT_BAD_INPUT)
    failed = 0
    for source in inputs:
        try:
            data = load(source)
            missing = unprintable(data, covered)
            if missing and strict:
                raise InputError(missing)
            warnings = [*data.warnings, *missing]
        except InputError as err:
            failed += 1
            _err(f"エラー: {source}（{len(err.problems) + err.more} 件）")
            for line in err.lines():
                _err(f"  {line}")
            continue
        for warning in warnings:
            _err(f"警告: {warning}")
        _say(f"OK: {source}（取組の視点 {len(data.perspectives)}、活動 {data.activity_count()}）")
    if failed:
        sys.exit(EXIT_BAD_INPUT)


from .excel_cli import import_command, workbook_command  # noqa: E402 - registered after main is defined

main.add_command(workbook_command)
main.add_command(import_command)

from .review_cli import apply_command, diff_command  # noqa: E402 - registered after main is defined

main.add_command(diff_command)
main.add_command(apply_command)
