"""``gyokaku workbook`` and ``gyokaku import``: the departments' Excel loop (messages in Japanese).

openpyxl and ruamel.yaml are imported when one of these commands runs, never when
``gyokaku build`` starts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .cliout import err as _err
from .cliout import load_or_refuse as _load
from .cliout import os_reason
from .cliout import refuse as _refuse
from .cliout import say as _say
from .model import TERMS, ReportInput


def _period_problem(data: ReportInput, fiscal_year: int) -> str | None:
    plan = data.plan
    if not plan.first_year <= fiscal_year <= plan.last_year:
        return (
            f"--fiscal-year {fiscal_year} は計画期間（{plan.first_year}-{plan.last_year}）の外です。"
            "計画期間内の年度を指定してください。"
        )
    return None


def _due(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"「{value}」は日付ではありません。2022-10-14 のように書いてください。"
        ) from None


TERM_HELP = "期（first_half: 上半期, second_half: 下半期, full_year: 年度）"


@click.command("workbook")
@click.argument("previous", type=click.Path(path_type=Path))
@click.option("--fiscal-year", type=int, required=True, help="記入してもらう年度（西暦）")
@click.option("--term", type=click.Choice(list(TERMS)), required=True, help=TERM_HELP)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="出力先フォルダー",
)
@click.option("--due", help="提出期限（例: 2022-10-14）。記入方法シートに書きます")
@click.option("--one", is_flag=True, help="全課の活動を1つにまとめたファイル（全課.xlsx）も作る")
@click.option("--force", is_flag=True, help="出力先に同じ名前のファイルがあっても上書きする")
def workbook_command(
    previous: Path, fiscal_year: int, term: str, out_dir: Path, due: str | None, one: bool, force: bool
) -> None:
    """PREVIOUS（前回の YAML）から、担当課ごとの記入用 Excel ファイル（.xlsx）を作ります。"""
    due_date = _due(due)
    data = _load(previous)
    problem = _period_problem(data, fiscal_year)
    if problem is not None:
        _refuse([f"エラー: {problem}"])
    from .style import StyleError, load_style
    from .workbook import Fonts, TooLong, workbook_files

    try:
        sheet = load_style("default")
        fonts = Fonts(sheet.fonts["gothic"].name, sheet.fonts["mincho"].name)
    except (StyleError, KeyError):
        fonts = Fonts()
    try:
        files = workbook_files(data, fiscal_year, term, due_date, one, fonts)
    except TooLong as err:
        _refuse(
            [
                f"エラー: {previous}: {err.entry.path}: {err.header}が長すぎます（{err.length:,} 字）。"
                "Excel の1つのセルには 32,767 字までしか入りません。短くしてください。"
            ]
        )
    existing = [out_dir / name for name in files if (out_dir / name).exists()]
    if existing and not force:
        shown = "、".join(str(p) for p in existing[:5]) + ("など" if len(existing) > 5 else "")
        _refuse(
            [
                f"エラー: 出力先に同じ名前のファイルが {len(existing)} 件あります: {shown}。",
                "記入済みのファイルかもしれないので上書きしません。"
                "別の --out を指定するか、--force を付けてください。何も書き出していません。",
            ]
        )
    from .write import LockedError, OutputError, OutputFolder

    try:
        with OutputFolder(out_dir) as folder:
            written = folder.write({out_dir / name: data_ for name, data_ in files.items()}, force=True)
    except (OutputError, LockedError) as err:
        _refuse([f"エラー: {out_dir}: {err}"])
    except OSError as err:
        _refuse([f"エラー: {out_dir}: 書き込めませんでした（{os_reason(err)}）。何も書き出していません。"])
    for item in written:
        _say(f"作成: {item.path}")
    from .workbook import period_label

    _say(
        f"{period_label(fiscal_year, term)} の記入用ファイル {len(written)} 件"
        f"（活動 {data.activity_count()} 件）。"
    )


@click.command("import")
@click.argument("previous", type=click.Path(path_type=Path))
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--fiscal-year", type=int, required=True, help="取り込む年度（西暦）")
@click.option("--term", type=click.Choice(list(TERMS)), required=True, help=TERM_HELP)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="書き出す新しい YAML（--report だけなら省略可）",
)
@click.option("--keep-missing", is_flag=True, help="届いていない課の活動は前回の内容のまま書き出す")
@click.option(
    "--report", "show_report", is_flag=True, help="提出状況（課ごとの提出・記入済みの行数）を表示する"
)
def import_command(
    previous: Path,
    workbooks: tuple[Path, ...],
    fiscal_year: int,
    term: str,
    out: Path | None,
    keep_missing: bool,
    show_report: bool,
) -> None:
    """記入済みの記入用ファイル（WORKBOOK）を読み、PREVIOUS をもとに新しい期間の YAML を書き出します。"""
    if out is None and not show_report:
        raise click.UsageError(
            "--out（書き出す YAML）を指定してください（提出状況を見るだけなら --report）。"
        )
    if out is not None and previous.exists() and out.exists() and out.resolve() == previous.resolve():
        _refuse(
            [
                f"エラー: --out {out} は PREVIOUS と同じファイルです。"
                "前回の YAML は上書きしません。別の名前を指定してください。"
            ]
        )
    data = _load(previous)
    problem = _period_problem(data, fiscal_year)
    if problem is not None:
        _refuse([f"エラー: {problem}"])
    from .intake import IntakeError, check_new, new_yaml, read_workbooks, submission_table
    from .workbook import period_label

    intake = read_workbooks(data, list(workbooks), fiscal_year, term)
    if show_report:
        _say(f"提出状況（{data.plan.title} {period_label(fiscal_year, term)}）")
        for line in submission_table(intake):
            _say(f"  {line}")
    if intake.problems:
        err = IntakeError(intake.problems)
        _refuse(
            [
                f"エラー: 記入用ファイルを取り込めませんでした（{len(intake.problems)} 件）。"
                "何も書き出していません。",
                *(f"  {line}" for line in err.lines()),
            ]
        )
    missing = intake.missing()
    if out is None:
        return
    if missing and not keep_missing:
        lines = [
            f"エラー: 記入用ファイルが届いていない課があります（{len(missing)} 課）。何も書き出していません。"
        ]
        for department, group in missing.items():
            names = "、".join(f"{e.id} {e.activity.name}" for e in group[:5]) + (
                "ほか" if len(group) > 5 else ""
            )
            lines.append(f"  {department}（{len(group)} 件）: {names}")
        lines.append(
            "届いたファイルを指定するか、前回の内容のままでよければ --keep-missing を付けてください。"
        )
        _refuse(lines)
    from .write import atomic_write

    text, notes = new_yaml(previous.read_text(encoding="utf-8"), intake, fiscal_year, term, previous, out)
    try:
        problems = check_new(text, out, intake)
    except OSError as err:
        _refuse([f"エラー: {out}: 書き込めませんでした（{os_reason(err)}）。何も書き出していません。"])
    if problems:
        refusal = IntakeError(problems)
        _refuse(
            [
                f"エラー: 取り込んだ内容に問題があります（{len(problems)} 件）。何も書き出していません。",
                *(f"  {line}" for line in refusal.lines()),
            ]
        )
    try:
        atomic_write(out, text.encode("utf-8"))
    except OSError as err:
        _refuse([f"エラー: {out}: 書き込めませんでした（{os_reason(err)}）。何も書き出していません。"])
    for department, group in missing.items():
        _err(
            f"注意: {department} の記入用ファイルが届いていないため、"
            f"{len(group)} 件の活動は前回の内容のままです。"
        )
    for note in notes:
        _err(f"注意: {note}")
    _say(
        f"作成: {out}（{period_label(fiscal_year, term)}、記入用ファイル {len(intake.received)} 件、"
        f"活動 {len(intake.filled)} 件を取り込み）"
    )
