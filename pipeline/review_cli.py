"""``gyokaku diff`` and ``gyokaku apply``: a reviewed Word draft's edits back into the input.

Exit codes: ``diff`` 0 no changes, 1 changes, 2 bad input; ``apply`` 0 written (or nothing to
write), 2 bad input or a result the loader refuses (then nothing is written).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from .cliout import load_or_refuse as _load
from .cliout import os_reason
from .cliout import refuse as _refuse
from .cliout import say as _echo
from .load import InputError, load
from .model import ReportInput

if TYPE_CHECKING:  # imported when a command runs: ``gyokaku build`` starts without lxml
    from .review import Comparison, Draft

EXIT_CHANGES = 1
MAX_DRAFT_BYTES = 256 * 1024 * 1024


def expected_drafts(data: ReportInput, style: str, edited: Draft | None = None) -> dict[str, Draft]:
    """The drafts the input builds (総括, 活動一覧, 個票), read back as an edited one is; with
    ``edited``, only the one whose printed fields it shares most, when one shares more than the
    others (rendering a 1,500-activity 個票 takes seconds), else all three."""
    from .build import Renderers, documents
    from .docmodel import field_texts
    from .review import bookmark_field, read_draft

    docs = documents(data)
    if edited is not None:
        paths = {found[0] for found in map(bookmark_field, edited.marks) if found is not None}
        shared = {doc.name: len(paths & field_texts(doc).keys()) for doc in docs}
        ranked = sorted(shared.values(), reverse=True)
        if len(ranked) > 1 and ranked[0] > ranked[1]:
            docs = [doc for doc in docs if shared[doc.name] == ranked[0]]
    writer = Renderers.create(style).writer("docx")
    return {doc.name: read_draft(writer.render(doc), doc.name) for doc in docs}


DOCUMENT_LABELS = {"summary": "資料1-1 総括", "list": "資料1-2 活動一覧", "sheets": "資料1-3 個票"}


def _compare(edited: Path, source: Path, style: str) -> tuple[ReportInput, Comparison]:
    """The input loaded and the edited draft compared with what it builds; refusals exit 2."""
    from .review import DraftError, closest, compare, read_draft

    data = _load(source)
    try:
        if edited.stat().st_size > MAX_DRAFT_BYTES:
            _refuse(
                [f"エラー: {edited}: {MAX_DRAFT_BYTES // 2**20} MiB を超える Word ファイルは読みません。"]
            )
        draft = read_draft(edited.read_bytes(), str(edited))
    except OSError as err:
        _refuse([f"エラー: {edited} を読めません（{os_reason(err)}）。"])
    except DraftError as err:
        _refuse([f"エラー: {err}"])
    if not draft.marks:
        _refuse(
            [
                f"エラー: {edited} に gyokaku の項目の印（しおり）がありません。",
                "  gyokaku build で作った Word の下書き（この版以降）を指定してください。"
                "Word で「ブックマーク」を削除した場合や、別の形式から変換した場合も読めません。",
            ]
        )
    from .fonts import FontError
    from .style import StyleError

    try:
        drafts = expected_drafts(data, style, draft)
    except (StyleError, FontError) as err:
        _refuse([f"エラー: {err}"])
    name = closest(draft, drafts)
    return data, compare(draft, drafts[name], data, name)


STYLE_HELP = "スタイルシート（build と同じもの。styles/ の名前か YAML のパス）"


@click.command("diff")
@click.argument("edited", type=click.Path(path_type=Path))
@click.argument("source", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--style", default="default", show_default=True, help=STYLE_HELP)
def diff_command(edited: Path, source: Path, style: str) -> None:
    """編集された Word の下書き EDITED と、INPUT（YAML）から作られる下書きとの違いを示します。

    終了コード: 0 違いなし、1 違いあり、2 入力の誤り。
    """
    from .review import report_lines

    _, comparison = _compare(edited, source, style)
    _echo(f"{edited}（{DOCUMENT_LABELS.get(comparison.document, comparison.document)}）と {source} の違い:")
    lines = list(report_lines(comparison))
    for line in lines:
        _echo(line)
    if not comparison.changes:
        _echo("違いはありません。")
        return
    fields = len(comparison.fields)
    others = len(comparison.changes) - fields
    _echo(f"入力に反映できる変更 {fields} 件、反映できない変更 {others} 件。反映するには gyokaku apply。")
    sys.exit(EXIT_CHANGES)


@click.command("apply")
@click.argument("edited", type=click.Path(path_type=Path))
@click.argument("source", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="書き出す YAML（既定: INPUT を置き換え）"
)
@click.option("--allow-delete", is_flag=True, help="下書きで丸ごと削除された項目を入力からも削除する")
@click.option("--style", default="default", show_default=True, help=STYLE_HELP)
def apply_command(edited: Path, source: Path, out: Path | None, allow_delete: bool, style: str) -> None:
    """EDITED（編集された Word の下書き）の項目の変更を INPUT（YAML）に書き込みます。

    コメント・キーの順・引用符・ブロック（|-）はそのまま残します。書いた結果は build と同じ検査をし、
    通らなければ何も書き出しません。
    """
    from .review import Comparison, apply_changes, report_lines, stale_line
    from .write import atomic_write
    from .yamledit import moved_text

    _, comparison = _compare(edited, source, style)
    target = out or source
    original = _read(source)  # what the changes are applied to; unchanged when they are written
    if not (target.parent if str(target.parent) else Path(".")).is_dir():
        _refuse([f"エラー: {target.parent} というフォルダーがありません。何も書き出していません。"])
    result = apply_changes(original, comparison, allow_delete)
    if comparison.insertions or comparison.deletions:
        _echo(next(report_lines(Comparison("", [], [], comparison.insertions, comparison.deletions))))
    if comparison.stale:
        _echo(stale_line(comparison.stale))
    for change, why in result.refused:
        where = change.path or "（入力の項目ではありません）"
        _echo(f"反映しませんでした: {where}: {why}", err=True)
        if change.old:
            _echo("  前: " + change.old, err=True)
        for new in change.new:
            _echo("  後: " + new, err=True)
    for comment in comparison.comments:
        about = f"（{comment.anchor}）" if comment.anchor else ""
        _echo(f"コメント{about}: {comment.author}: {comment.text}（反映しません）")
    if not result.applied:
        _echo("入力に反映する変更はありません。何も書き出していません。")
        return
    text, moved = moved_text(result.text, source, target)
    problems = _check(text, target)
    if problems:
        _refuse(
            [
                f"エラー: 変更を反映した結果が入力として正しくありません（{len(problems)} 件）。"
                "何も書き出していません。",
                *(f"  {p}" for p in problems),
            ]
        )
    if _same_file(target, source) and _read(source) != original:  # another run or an editor
        _refuse(
            [
                f"エラー: {source} が apply の途中で書き換えられました（別の apply やエディターなど）。"
                "何も書き出していません。もう一度実行してください。"
            ]
        )
    try:
        atomic_write(target, text.encode("utf-8"))
    except OSError as err:
        _refuse([f"エラー: {target} に書き込めませんでした（{os_reason(err)}）。何も書き出していません。"])
    if moved is not None:
        _echo(f"変更: report.previous（{target.parent} から見た {moved} に）")
    for change in result.applied:
        verb = {"set": "変更", "insert": "追加", "delete": "削除", "joined": "結合"}[change.kind]
        _echo(
            f"{verb}: {change.path}"
            + (f"[{change.index}] の後" if change.kind == "insert" and change.index else "")
        )
    _echo(f"書き出しました: {target}（反映 {len(result.applied)} 件、反映できず {len(result.refused)} 件）")


def _check(text: str, target: Path) -> list[str]:
    """The loader's problems with ``text`` read as ``target`` (beside it: relative paths resolve);
    a folder that cannot take the check's temporary file refuses the command."""
    parent = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".check.yaml", dir=parent)
    except OSError as err:
        _no_room(parent, "作れません", err)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        load(tmp, display_name=str(target))
    except OSError as err:  # a full disk: the file itself could not be written either
        _no_room(parent, "書けません", err)
    except InputError as err:
        return err.lines()
    finally:
        Path(tmp).unlink(missing_ok=True)
    return []


def _no_room(parent: Path, verb: str, err: OSError) -> NoReturn:
    _refuse(
        [f"エラー: {parent} に確認用の一時ファイルを{verb}（{os_reason(err)}）。何も書き出していません。"]
    )


def _read(source: Path) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        _refuse([f"エラー: {source} を読めません（{err}）。"])


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
