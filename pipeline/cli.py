"""The command line: ``gyokaku build`` and ``gyokaku check`` (messages in Japanese)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .batch import Outcome, build_all, default_jobs, shared_renderers
from .build import DOCUMENTS, FORMATS, file_name
from .fonts import FontError
from .load import InputError, load
from .progress import Progress
from .style import StyleError
from .write import EditedError, write_all

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inputs" / "hiratsuka-2022-h1.yaml"
EXIT_BAD_INPUT = 2


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    wrong = [v for v in chosen if v not in FORMATS]
    if wrong or not chosen:
        raise click.BadParameter(f"{', '.join(wrong) or '（空）'}: docx, pdf から選んでください。")
    return chosen


def _documents(value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    wrong = [v for v in chosen if v not in DOCUMENTS]
    if wrong or not chosen:
        raise click.BadParameter(
            f"{', '.join(wrong) or '（空）'}: {', '.join(DOCUMENTS)} から選んでください。"
        )
    return chosen


def _err(line: str) -> None:
    click.echo(line, err=True)


def run() -> None:
    """The ``gyokaku`` command as a process of its own: ends without tearing Python down.

    Freeing a build's objects one by one and the modules' clean-up at exit take 50–100 ms
    (a tenth of building the sample); every file is written and closed by then, so once the
    messages are flushed the process simply ends with the command's exit code.
    """
    try:
        main(prog_name="gyokaku")
        code = 0
    except SystemExit as end:
        code = _exit_code(end.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader went away (``gyokaku build | head``)
        code = code or 1
    os._exit(code)


def _exit_code(value: object) -> int:
    """``sys.exit``'s argument as a process exit code (a message is printed, as Python does)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    print(value, file=sys.stderr)
    return 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gyokaku")
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
@click.option("--format", "formats", default="docx,pdf", show_default=True, help="出力形式（docx,pdf）")
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
        shared_renderers(style)
    except (StyleError, FontError) as err:
        _err(f"エラー: {err}")
        sys.exit(EXIT_BAD_INPUT)
    sources = _distinct(inputs or (SAMPLE,))
    clashes = _same_output_names(sources)
    if clashes:
        for line in clashes:
            _err(f"エラー: {line}")
        _err("入力のファイル名を変えるか、--out を分けて一つずつ実行してください。何も書き出していません。")
        sys.exit(EXIT_BAD_INPUT)
    failed = 0
    with Progress(len(sources)) as progress:
        for outcome in build_all(sources, style, out_dir, chosen, strict, jobs or default_jobs(), documents):
            failed += not _finish(outcome, force, progress)
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


def _same_output_names(sources: tuple[Path, ...]) -> list[str]:
    """One line per pair of different inputs whose outputs would have the same names."""
    first: dict[str, Path] = {}
    lines = []
    for source in sources:
        name = file_name(source, DOCUMENTS[0], FORMATS[0])
        if name in first:
            lines.append(
                f"{first[name]} と {source} は出力名が同じです（{name} など）。"
                "後の入力が先の出力を上書きしてしまいます。"
            )
        else:
            first[name] = source
    return lines


def _finish(outcome: Outcome, force: bool, progress: Progress) -> bool:
    """Write one input's files and report on it in Japanese; False when it failed."""
    source = outcome.source
    try:
        result = outcome.result()
        for warning in result.warnings:
            progress.echo(f"警告: {warning}", err=True)
        for written in write_all(result.files, force):
            progress.echo(f"作成: {written.path}")
            if written.backup:
                progress.echo(f"  編集されていた版を保存: {written.backup}")
    except InputError as err:
        count = len(err.problems) + err.more
        progress.echo(f"エラー: {source} は読み込めませんでした（{count} 件）。", err=True)
        for line in err.lines():
            progress.echo(f"  {line}", err=True)
        return False
    except EditedError as err:
        progress.echo(f"エラー: {err}", err=True)
        return False
    except OSError as err:
        progress.echo(f"エラー: {source}: 書き込めませんでした（{err.strerror}: {err.filename}）。", err=True)
        return False
    return True


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
def check(inputs: tuple[Path, ...]) -> None:
    """INPUT（YAML）を検査します。何も書き出しません。"""
    failed = 0
    for source in inputs:
        try:
            data = load(source)
        except InputError as err:
            failed += 1
            _err(f"エラー: {source}（{len(err.problems) + err.more} 件）")
            for line in err.lines():
                _err(f"  {line}")
            continue
        click.echo(f"OK: {source}（取組の視点 {len(data.perspectives)}、活動 {data.activity_count()}）")
    if failed:
        sys.exit(EXIT_BAD_INPUT)
