"""Filled entry workbooks back in (``gyokaku import``): read, check, and write the new period's YAML.

Every row is matched to its activity by ``活動ID``, never by position, so rows may be re-sorted,
filtered, hidden or separated by blank rows. Every problem is located by workbook, sheet and
cell (``総務課.xlsx 入力!G12: …``). The new YAML is PREVIOUS's text with each activity's
entries set through ruamel.yaml's round trip, so comments, key order, quoting and block
scalars stay as they were; it is read back by the loader before anything is written.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .load import MAX_PROBLEMS, InputError, load
from .model import EFFECT_KINDS, ReportInput
from .workbook import (
    ALL_DEPARTMENTS,
    EFFECT_COLUMNS,
    ENTRY_COLUMNS,
    ENTRY_SHEET,
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    Column,
    Entry,
    Meta,
    custom_properties,
    entries,
    has_effects,
    period_label,
)
from .yamledit import ACTIVITY_ORDER, insert_key, rebased_previous, round_trip

MAX_WORKBOOK_BYTES = 64 * 1024 * 1024
HEADER_SCAN_ROWS = 10  # the header row is looked for in the first rows of a sheet
LOCKED_KEYS = ("perspective", "business", "activity", "department", "previous")
BULLET_MARKS = "・･•·"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workbook, located (``総務課.xlsx 入力!G12``)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class IntakeError(Exception):
    """Workbooks refused, with every problem found (up to ``MAX_PROBLEMS`` listed)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        out = [str(p) for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            out.append(f"（ほかに {len(self.problems) - MAX_PROBLEMS} 件の問題があります）")
        return out


@dataclass
class Filled:
    """One activity's entries as read from its row."""

    entry: Entry
    book: str
    sheet: str
    row: int
    cells: dict[str, str]  # column key → cell reference
    status: str | None = None
    plan: str | None = None
    results: tuple[str, ...] = ()
    next: str | None = None
    reason: str | None = None
    effect: dict[str, Any] | None = None
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)
    indicator_cells: dict[str, dict[str, str]] = field(default_factory=dict)  # name → column → place

    def where(self, key: str = "id") -> str:
        return f"{self.book} {self.sheet}!{self.cells.get(key) or self.cells['id']}"


@dataclass
class Received:
    """One workbook read: its name, who it is for, and the activities it holds."""

    name: str
    meta: Meta
    ids: list[str] = field(default_factory=list)
    filled: int = 0  # rows with a status


@dataclass
class Intake:
    """What the workbooks hold: entries by 活動ID, the workbooks, and every problem found."""

    data: ReportInput
    filled: dict[str, Filled] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def missing(self) -> dict[str, list[Entry]]:
        """Activities no workbook holds whose department sent none, by department (plan order)."""
        covered = {r.meta.department for r in self.received}
        out: dict[str, list[Entry]] = {}
        if ALL_DEPARTMENTS in covered:
            return out
        for entry in entries(self.data):
            if entry.id not in self.filled and entry.department not in covered:
                out.setdefault(entry.department, []).append(entry)
        return out


# --- reading -----------------------------------------------------------------------------------


def read_workbooks(data: ReportInput, paths: Sequence[Path], fiscal_year: int, term: str) -> Intake:
    """Read every workbook, checking each against PREVIOUS and the period being imported."""
    intake = Intake(data)
    plan_entries = {e.id: e for e in entries(data)}
    for path, name in _named(paths):
        raw, refusal = _workbook_bytes(path)
        if refusal is not None:
            intake.problems.append(Problem(name, refusal))
            continue
        try:
            with warnings.catch_warnings():  # openpyxl warns about parts it does not read
                warnings.simplefilter("ignore")
                wb = load_workbook(io.BytesIO(raw), data_only=True)
        except Exception as err:  # openpyxl raises many kinds on a damaged package
            intake.problems.append(
                Problem(
                    name,
                    f"Excel ブックとして読めません（{type(err).__name__}）。壊れている可能性があります。"
                    "Excel で開けるか確かめ、保存し直してから指定してください。",
                )
            )
            continue
        props = {p.name: str(p.value) for p in custom_properties(wb).props}
        meta = Meta.from_properties(props)
        problem = _meta_problem(meta, data, fiscal_year, term)
        if problem is not None or meta is None:
            intake.problems.append(Problem(name, problem or ""))
            continue
        twin = next((r for r in intake.received if r.meta.department == meta.department), None)
        if twin is not None:
            intake.problems.append(
                Problem(
                    name,
                    f"{meta.department} の記入用ファイルが2つあります（もう一つは {twin.name}）。"
                    "どちらか一方だけを指定してください。",
                )
            )
            continue
        received = Received(name, meta)
        intake.received.append(received)
        sheet = _sheet(wb.worksheets, ENTRY_SHEET, "活動ID", "進捗区分")
        if sheet is None:
            intake.problems.append(
                Problem(
                    name,
                    f"「{ENTRY_SHEET}」シートがありません。シートを消したり名前を変えたりしないでください。",
                )
            )
            continue
        _read_entry_sheet(intake, received, sheet, plan_entries)
        if any(e.activity.indicators for e in plan_entries.values()):
            indicator_sheet = _sheet(wb.worksheets, INDICATOR_SHEET, "活動ID", "指標名")
            if indicator_sheet is not None:
                _read_indicator_sheet(intake, received, indicator_sheet)
    _check_missing_rows(intake)
    return intake


def _named(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Each file once (by its real path), with the name messages use: the file name, or the
    path as given when two files share a name (``a/財政課.xlsx``, ``b/財政課.xlsx``)."""
    seen: set[Path] = set()
    distinct: list[Path] = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            distinct.append(path)
    names = [p.name for p in distinct]
    return [(p, p.name if names.count(p.name) == 1 else str(p)) for p in distinct]


def _meta_problem(meta: Meta | None, data: ReportInput, fiscal_year: int, term: str) -> str | None:
    if meta is None:
        return (
            "gyokaku workbook で作った記入用ファイルではありません（ファイルの情報が見つかりません）。"
            "配った記入用ファイルに記入して返送してもらってください。"
        )
    if not meta.same_plan(data):
        return (
            f"別の計画（{meta.organization} {meta.title}、{meta.first_year}-{meta.last_year}）"
            "の記入用ファイルです。"
            f"取り込み先は {data.plan.organization} {data.plan.title} です。"
        )
    if (meta.fiscal_year, meta.term) != (fiscal_year, term):
        return (
            f"{period_label(meta.fiscal_year, meta.term)} 用の記入用ファイルです。"
            f"取り込もうとしているのは {period_label(fiscal_year, term)} です。"
        )
    return None


def _workbook_bytes(path: Path) -> tuple[bytes, str | None]:
    """The file's bytes, or why it is not an ``.xlsx`` workbook and what to do."""
    if path.name.startswith("~$"):
        return (
            b"",
            "Excel がファイルを開いている間に作る一時ファイルです。"
            "同じフォルダーの元のファイルを指定してください。",
        )
    try:
        if path.is_dir():
            return b"", "フォルダーです。記入用ファイル（.xlsx）を指定してください。"
        size = path.stat().st_size
        if size > MAX_WORKBOOK_BYTES:
            return (
                b"",
                f"大きすぎます（{size:,} バイト、上限 {MAX_WORKBOOK_BYTES:,} バイト）。"
                "記入用ファイルか確かめてください。",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        return b"", "ファイルが見つかりません。"
    except OSError as err:
        return b"", f"読めません（{err.strerror}）。"
    return raw, _not_xlsx(raw)


def _not_xlsx(raw: bytes) -> str | None:
    """Why ``raw`` is not an ``.xlsx`` package (what it is instead), or ``None``."""
    resave = (
        "Excel で開き、「名前を付けて保存」で「Excel ブック (*.xlsx)」を選んで"
        "保存し直してから指定してください。"
    )
    if not raw:
        return "空のファイルです。記入用ファイルを保存し直して送ってもらってください。"
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # an OLE2 compound file
        if "EncryptedPackage".encode("utf-16-le") in raw:
            return (
                "パスワードで保護（暗号化）されたファイルです。gyokaku は開けません。"
                "Excel で開き、［ファイル］→［情報］→［ブックの保護］→［パスワードを使用して暗号化］で"
                "パスワードを消して保存し直してください。"
            )
        return "古い Excel 97-2003 形式（.xls）のファイルです。" + resave
    if raw.startswith(b"%PDF"):
        return (
            "PDF ファイルです。PDF からは取り込めません。"
            "記入した .xlsx ファイルそのものを送ってもらってください。"
        )
    if raw.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as package:
                names = set(package.namelist())
                mimetype = package.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
        except (zipfile.BadZipFile, OSError, ValueError):
            return "ZIP 形式のファイルですが壊れています。Excel で開けるか確かめ、保存し直してください。"
        if "xl/workbook.xml" in names:
            return None
        if "spreadsheet" in mimetype:
            return "LibreOffice などの ODS 形式のファイルです。" + resave
        if "word/document.xml" in names:
            return "Word の文書です。記入用の Excel ファイル（.xlsx）を指定してください。"
        return "ZIP ファイルですが Excel ブックではありません。記入用ファイル（.xlsx）を指定してください。"
    head = raw[:4096]
    for encoding in ("utf-8", "cp932"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "," in text or "\t" in text:
            return (
                "CSV（文字だけの表）のファイルです。CSV では書式や入力規則が失われるため取り込めません。"
                "配った記入用ファイル（.xlsx）に記入して、そのまま返送してもらってください。"
            )
        return "文字だけのファイルです。記入用ファイル（.xlsx）を指定してください。"
    return "Excel ブック（.xlsx）ではありません。記入用ファイル（.xlsx）を指定してください。"


def _sheet(sheets: Iterable[Worksheet], name: str, *headers: str) -> Worksheet | None:
    """The sheet called ``name``, else the first whose header row has ``headers``."""
    sheets = list(sheets)
    for ws in sheets:
        if ws.title == name:
            return ws
    for ws in sheets:
        found = _header(ws)
        if found is not None and all(h in found[1] for h in headers):
            return ws
    return None


def _header(ws: Worksheet) -> tuple[int, dict[str, int]] | None:
    """The header row (1-based) and each header's column, found by the ``活動ID`` cell."""
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, values_only=True), start=1):
        texts = [_text(v) for v in row]
        if "活動ID" in texts:
            return r, {t: c for c, t in enumerate(texts, start=1) if t}
    return None


def _text(value: object) -> str | None:
    """A cell's value as text: line ends normalised, whole numbers without ``.0``, blank as ``None``."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    return text if text.strip() else None


def _normal(text: str) -> str:
    """For comparing a typed choice: NFKC (full-width/half-width folded), spaces removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def _column_problem(where: str, missing: list[str]) -> Problem:
    return Problem(
        where, f"列「{'」「'.join(missing)}」が見つかりません。列を消したり見出しを変えたりしないでください。"
    )


def _located_header(
    intake: Intake, received: Received, ws: Worksheet, columns: Sequence[Column]
) -> tuple[int, dict[str, int]] | None:
    """The sheet's header row and each header's column, or ``None`` with the problem recorded
    (no header row, or a column missing from it)."""
    where = f"{received.name} {ws.title}"
    found = _header(ws)
    if found is None:
        intake.problems.append(Problem(where, "見出しの行（活動ID …）が見つかりません。"))
        return None
    header_row, at = found
    missing = [c.header for c in columns if c.header not in at]
    if missing:
        intake.problems.append(_column_problem(f"{where}!{header_row}:{header_row}", missing))
        return None
    return found


def _read_entry_sheet(intake: Intake, received: Received, ws: Worksheet, plan: dict[str, Entry]) -> None:
    book, sheet = received.name, ws.title
    effects = has_effects(intake.data)
    columns = ENTRY_COLUMNS + (EFFECT_COLUMNS if effects else ())
    found = _located_header(intake, received, ws, columns)
    if found is None:
        return
    header_row, at = found
    statuses = {_normal(s.name): s.name for s in intake.data.statuses}
    names = "、".join(s.name for s in intake.data.statuses)
    for cells in ws.iter_rows(min_row=header_row + 1):
        by_key = {c.key: cells[at[c.header] - 1] for c in columns if at[c.header] - 1 < len(cells)}
        values = {key: _text(cell.value) for key, cell in by_key.items()}
        if not any(values.values()):
            continue  # a blank (inserted) row
        refs = {key: cell.coordinate for key, cell in by_key.items()}
        row = cells[0].row

        def problem(key: str, message: str) -> None:
            intake.problems.append(Problem(f"{book} {sheet}!{refs[key]}", message))  # noqa: B023 - used at once

        ident = values["id"]
        if ident is None:
            problem(
                "id",
                "活動ID が空の行に記入があります。"
                "記入は各活動の行にしてください（活動ID は変更できません）。",
            )
            continue
        entry = plan.get(ident)
        if entry is None:
            problem("id", f"活動ID「{ident}」はこの計画にありません。活動ID は変更しないでください。")
            continue
        earlier = intake.filled.get(ident)
        if earlier is not None:
            if earlier.book == book:
                problem(
                    "id",
                    f"活動ID「{ident}」の行が2つあります"
                    f"（もう一つは {earlier.sheet}!{earlier.cells['id']}）。1行にまとめてください。",
                )
            else:
                problem(
                    "id",
                    f"活動ID「{ident}」は {earlier.where()} にもあります。"
                    "同じ活動を2つのファイルに書かないでください。",
                )
            continue
        filled = Filled(entry, book, sheet, row or 0, refs)
        intake.filled[ident] = filled
        received.ids.append(ident)
        expected = {
            "perspective": entry.perspective,
            "business": entry.business.name,
            "activity": entry.activity.name,
            "department": entry.department,
            "previous": entry.activity.status,
        }
        for key in LOCKED_KEYS:
            if (values[key] or "").strip() != expected[key].strip():
                header = next(c.header for c in columns if c.key == key)
                problem(
                    key,
                    f"{header}は変更できません（「{_shown(expected[key])}」が"
                    f"「{_shown(values[key] or '')}」になっています）。"
                    "元に戻してください。",
                )
        status = values["status"]
        if status is None:
            problem("status", f"進捗区分が空です。次のいずれかを選んでください: {names}")
        elif _normal(status) not in statuses:
            problem(
                "status", f"「{_shown(status)}」は進捗区分にありません。次のいずれかを選んでください: {names}"
            )
        else:
            filled.status = statuses[_normal(status)]
            received.filled += 1
        filled.plan = _checked_text(values["plan"], partial(problem, "plan"))
        filled.next = _checked_text(values["next"], partial(problem, "next"))
        filled.reason = _checked_text(values["reason"], partial(problem, "reason"))
        results = _checked_text(values["results"], partial(problem, "results"))
        filled.results = bullets(results) if results else ()
        if effects:
            filled.effect = _effect(values, problem)


def _shown(value: str, limit: int = 30) -> str:
    one = value.replace("\n", "↵")
    return one if len(one) <= limit else one[: limit - 1] + "…"


Report = Callable[[str], None]  # records a problem at the cell being read


def _checked_text(value: str | None, problem: Report) -> str | None:
    if value is None:
        return None
    bad = _CONTROL.search(value)
    if bad is not None:
        problem(f"印刷できない制御文字 U+{ord(bad.group()):04X} が含まれています。消してください。")
        return None
    return value


def bullets(text: str) -> tuple[str, ...]:
    """取組状況 as bullets: one a line; a line starting with a (full-width) space continues the one before.

    The documents print a bullet's own line break as a new line indented by a full-width
    space (``assemble.bullets_text``), which is what the workbook shows; a leading ・ is dropped.
    """
    items: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line[0] in " \u3000" and items:
            items[-1] += "\n" + line[1:] if line[0] == "\u3000" else "\n" + line.strip()
            continue
        line = line.strip()
        items.append(line[1:].lstrip() if line[0] in BULLET_MARKS and len(line) > 1 else line)
    return tuple(items)


def _amount(value: str | None, what: str) -> tuple[int | None, str | None]:
    """A whole amount typed in a cell (``12,000`` and full-width digits accepted)."""
    if value is None:
        return None, None
    written = unicodedata.normalize("NFKC", value).replace(",", "").strip()
    if re.fullmatch(r"\d+", written):
        return int(written), None
    if re.fullmatch(r"\d+\.0*", written):
        return int(written.split(".")[0]), None
    return (
        None,
        f"{what}「{_shown(value)}」は 0 以上の整数ではありません。整数で書いてください（例: 12000）。",
    )


def _effect(values: dict[str, str | None], problem: Callable[[str, str], None]) -> dict[str, Any] | None:
    kind, target, actual = values["kind"], values["target"], values["actual"]
    if kind is None and target is None and actual is None:
        return None
    out: dict[str, Any] = {}
    if kind is None:
        problem("kind", f"効果額の区分が空です。{'・'.join(EFFECT_KINDS)} から選んでください。")
    elif _normal(kind) not in {_normal(k) for k in EFFECT_KINDS}:
        problem(
            "kind",
            f"「{_shown(kind)}」は効果額の区分にありません。{'・'.join(EFFECT_KINDS)} から選んでください。",
        )
    else:
        out["kind"] = next(k for k in EFFECT_KINDS if _normal(k) == _normal(kind))
    for key, what in (("target", "目標額"), ("actual", "実績額")):
        amount, message = _amount(values[key], what)
        if message is not None:
            problem(key, message)
        elif amount is not None:
            out[key] = amount
    return out


def _number(value: str | None) -> int | float | None | str:
    """A number typed in a cell; the text itself when it is not one."""
    if value is None:
        return None
    written = unicodedata.normalize("NFKC", value).replace(",", "").strip()
    try:
        number = float(written)
    except ValueError:
        return value
    if not (number == number and abs(number) < 1e15):  # NaN, infinities
        return value
    return int(number) if number.is_integer() and re.fullmatch(r"-?\d+(\.0*)?", written) else number


def _read_indicator_sheet(intake: Intake, received: Received, ws: Worksheet) -> None:
    book, sheet = received.name, ws.title
    found = _located_header(intake, received, ws, INDICATOR_COLUMNS)
    if found is None:
        return
    header_row, at = found
    seen: dict[tuple[str, str], str] = {}
    for cells in ws.iter_rows(min_row=header_row + 1):
        by_key = {c.key: cells[at[c.header] - 1] for c in INDICATOR_COLUMNS if at[c.header] - 1 < len(cells)}
        values = {key: _text(cell.value) for key, cell in by_key.items()}
        if not any(values.values()):
            continue
        refs = {key: f"{book} {sheet}!{cell.coordinate}" for key, cell in by_key.items()}
        ident, name = values["id"], values["name"]
        filled = intake.filled.get(ident or "")
        if filled is None or filled.book != book:
            intake.problems.append(
                Problem(
                    refs["id"],
                    f"活動ID「{ident or ''}」の活動は「{ENTRY_SHEET}」シートにありません。"
                    "活動ID は変更しないでください。",
                )
            )
            continue
        plan = {i.name: i for i in filled.entry.activity.indicators}
        indicator = plan.get(name or "")
        if indicator is None:
            intake.problems.append(
                Problem(
                    refs["name"],
                    f"指標「{_shown(name or '')}」はこの活動にありません。指標名は変更しないでください。",
                )
            )
            continue
        key = (ident or "", name or "")
        if key in seen:
            intake.problems.append(
                Problem(refs["id"], f"同じ指標の行が2つあります（もう一つは {seen[key]}）。")
            )
            continue
        seen[key] = refs["id"]
        unit = indicator.unit
        if (values["unit"] or "") != (unit or ""):
            intake.problems.append(
                Problem(refs["unit"], f"単位は変更できません（「{unit or ''}」に戻してください）。")
            )
        entered: dict[str, Any] = {}
        for column in ("target", "actual"):
            number = _number(values[column])
            if isinstance(number, str):
                header = "目標値" if column == "target" else "実績値"
                intake.problems.append(
                    Problem(refs[column], f"{header}「{_shown(number)}」は数値ではありません。")
                )
            elif number is not None:
                entered[column] = number
        filled.indicators[name or ""] = entered
        filled.indicator_cells[name or ""] = refs


def _check_missing_rows(intake: Intake) -> None:
    """A row deleted from a workbook that was received for its department."""
    for received in intake.received:
        wanted = [
            e
            for e in entries(intake.data)
            if received.meta.department in (ALL_DEPARTMENTS, e.department) and e.id not in intake.filled
        ]
        for entry in wanted:
            intake.problems.append(
                Problem(
                    f"{received.name} {ENTRY_SHEET}",
                    f"活動ID「{entry.id}」（{_shown(entry.activity.name)}）の行がありません。"
                    "行を削除しないでください（元の記入用ファイルの行を貼り付けて記入してください）。",
                )
            )
        for entry in entries(intake.data):
            filled = intake.filled.get(entry.id)
            if filled is None or filled.book != received.name:
                continue
            for indicator in entry.activity.indicators:
                name = indicator.name
                if name not in filled.indicators:
                    intake.problems.append(
                        Problem(
                            f"{received.name} {INDICATOR_SHEET}",
                            f"活動ID「{entry.id}」の指標「{_shown(name)}」の行がありません。行を削除しないでください。",
                        )
                    )


# --- the 提出状況 table --------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def submission_table(intake: Intake) -> list[str]:
    """提出状況: each 課, whether its workbook came back, its activities and the rows filled in."""
    rows: list[tuple[str, str, str, str]] = []
    by_department: dict[str, list[Entry]] = {}
    for entry in entries(intake.data):
        by_department.setdefault(entry.department, []).append(entry)
    for department, group in by_department.items():
        books = [r.name for r in intake.received if r.meta.department in (department, ALL_DEPARTMENTS)]
        filled = sum(1 for e in group if (f := intake.filled.get(e.id)) is not None and f.status is not None)
        rows.append((department, "、".join(books) if books else "未提出", str(len(group)), str(filled)))
    header = ("担当課", "提出", "活動", "記入済み")
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = [
        "  ".join(_pad(cell, widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(r))
        for r in [header, *rows]
    ]
    total = sum(int(r[3]) for r in rows)
    count = sum(int(r[2]) for r in rows)
    received = sum(1 for r in rows if r[1] != "未提出")
    lines.append(f"提出 {received}/{len(rows)} 課、記入済み {total}/{count} 活動")
    return lines


# --- writing the new period's YAML --------------------------------------------------------------

_RESOLVER = Resolver()
_STR = "tag:yaml.org,2002:str"


def _scalar(text: str) -> Any:
    """A text as ruamel should write it: a ``|-`` block when it has line breaks; quoted when the
    loader (PyYAML, YAML 1.1) would read the plain word as something else (``yes``, ``2022-10-01``)."""
    if "\n" in text:
        return LiteralScalarString(text)
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
    if tag != _STR:
        return DoubleQuotedScalarString(text)
    return text


def _same(old: Any, new: Any) -> bool:
    if isinstance(new, str):
        return isinstance(old, str) and str(old) == new
    if isinstance(new, tuple):
        return isinstance(old, list) and [str(x) if isinstance(x, str) else x for x in old] == list(new)
    if isinstance(new, dict):
        return (
            isinstance(old, dict)
            and all(_same(old.get(k), v) for k, v in new.items())
            and set(old) == set(new)
        )
    return bool(old == new and type(old) is type(new))


def _put(node: CommentedMap, key: str, value: Any, order: Sequence[str] = ACTIVITY_ORDER) -> None:
    """Set ``node[key]`` keeping the node's layout: unchanged values stay as written, a new key
    goes where the format's order puts it, an empty value removes the key."""
    if value is None or value == ():
        if key in node:
            del node[key]
        return
    if key in node and _same(node[key], value):
        return
    if isinstance(value, tuple):
        new: Any = CommentedSeq([_scalar(v) for v in value])
    elif isinstance(value, str):
        new = _scalar(value)
    else:
        new = value
    if key in node:
        node[key] = new
        return
    insert_key(node, key, new, tuple(order))


def new_yaml(
    previous_text: str,
    intake: Intake,
    fiscal_year: int,
    term: str,
    previous: Path | None = None,
    out: Path | None = None,
) -> tuple[str, list[str]]:
    """The new period's YAML: PREVIOUS's text with every received activity's entries set.

    Returns the text and notes for the user (what was changed besides the entries).
    """
    yaml, doc = round_trip(previous_text)
    data = intake.data
    notes: list[str] = []
    report = doc["report"]
    changed_period = (data.report.fiscal_year, data.report.term) != (fiscal_year, term)
    _put(report, "fiscal_year", fiscal_year, ())
    _put(report, "term", term, ())
    if changed_period and "date" in report:
        del report["date"]
        notes.append("report.date（前回の文書の日付）を削除しました。新しい期間の日付は build が決めます。")
    if previous is not None and out is not None:
        if changed_period:
            there = out.resolve().parent
            _put(report, "previous", Path(os.path.relpath(previous.resolve(), there)).as_posix(), ())
        else:  # the same period written elsewhere: PREVIOUS's own comparison, its path rebased
            rebased_previous(doc, previous, out)
    effects = has_effects(data)
    for entry in entries(data):
        p, b, a = entry.place
        node = doc["perspectives"][p]["businesses"][b]["activities"][a]
        if entry.generated:
            _put(node, "id", entry.id)
        filled = intake.filled.get(entry.id)
        if filled is None:
            continue  # carried over as it was (--keep-missing)
        _put(node, "status", filled.status)
        _put(node, "plan", filled.plan)
        _put(node, "results", filled.results)
        _put(node, "next", filled.next)
        _put(node, "reason", filled.reason)
        if effects:
            _put_effect(node, filled.effect)
        for item in node.get("indicators") or ():
            entered = filled.indicators.get(str(item.get("name")))
            if entered is not None:
                for key in ("target", "actual"):
                    _put(item, key, entered.get(key), ("name", "unit", "target", "actual"))
    written = io.StringIO()
    yaml.dump(doc, written)
    return written.getvalue(), notes


def _put_effect(node: CommentedMap, effect: dict[str, Any] | None) -> None:
    if not effect:
        _put(node, "effect", None)
        return
    current = node.get("effect")
    if not isinstance(current, CommentedMap):
        _put(
            node, "effect", CommentedMap((k, effect[k]) for k in ("kind", "target", "actual") if k in effect)
        )
        return
    for key in ("kind", "target", "actual"):
        _put(current, key, effect.get(key), ("kind", "target", "actual"))


def check_new(text: str, out: Path, intake: Intake) -> list[Problem]:
    """Read the new YAML back with the loader (beside ``out``, so relative paths resolve as they
    will); each problem is located in the workbook cell it came from where there is one."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".check.yaml", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        load(tmp, display_name=str(out))
    except InputError as err:
        return [locate(p.path, str(p), p.message, intake) for p in err.problems]
    finally:
        Path(tmp).unlink(missing_ok=True)
    return []


_FIELD_COLUMN = {
    "status": "status",
    "plan": "plan",
    "results": "results",
    "next": "next",
    "reason": "reason",
    "effect": "kind",
    "effect.kind": "kind",
    "effect.target": "target",
    "effect.actual": "actual",
}


def locate(path: str, whole: str, message: str, intake: Intake) -> Problem:
    """A loader's problem at field ``path`` of the new YAML, placed in the workbook cell it came from."""
    for filled in intake.filled.values():
        prefix = filled.entry.path + "."
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            indicator = re.match(r"indicators\[(\d+)\](?:\.(\w+))?", rest)
            if indicator is not None:  # a cell of the 指標 sheet
                index, column = int(indicator.group(1)) - 1, indicator.group(2) or "id"
                items = filled.entry.activity.indicators
                cells = filled.indicator_cells.get(items[index].name, {}) if index < len(items) else {}
                if column in cells or "id" in cells:
                    return Problem(cells.get(column) or cells["id"], message)
            rest = re.sub(r"\[\d+\]", "", rest)
            key = _FIELD_COLUMN.get(rest) or _FIELD_COLUMN.get(rest.split(".")[0], "id")
            return Problem(filled.where(key), message)
    return Problem("生成した YAML", whole)
