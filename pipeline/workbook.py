"""Entry workbooks (記入用ファイル): one ``.xlsx`` per 担当課 for the coming period, written with openpyxl.

Each workbook has three sheets: 記入方法 (how to fill it in: the period, the deadline, every
column and every status with its description), 入力 (one row per activity; IDs, names and the
previous status locked and shaded, the entries open), and 指標 when the plan has indicators.
What the import needs to recognise a workbook (plan, period, 担当課) is kept in the workbook's
custom document properties, which Excel and LibreOffice Calc keep when they save.

Activities are matched by ``活動ID``: an activity's ``id`` when the input has one, else one
derived from its place, ``P<perspective>-B<business>-A<activity>`` (1-based: ``P2-B1-A3`` is the
third activity of the first business of the second perspective). ``gyokaku import`` writes the
derived IDs into the new period's YAML, so later periods match by ID even when the plan changes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.packaging.custom import CustomPropertyList, StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .era import fiscal_year_label
from .model import EFFECT_KINDS, TERMS, Activity, Business, ReportInput, Status
from .openpyxl_internals import save_unstamped

GUIDE_SHEET = "記入方法"
ENTRY_SHEET = "入力"
INDICATOR_SHEET = "指標"
PROPERTY_PREFIX = "gyokaku."
WORKBOOK_FORMAT = "1"
ALL_DEPARTMENTS = "全課"  # the department of the ``--one`` workbook
NO_DEPARTMENT = "担当課なし"  # where an activity without any 担当課 goes
STATUS_LIST_NAME = "進捗区分一覧"  # the defined name the status drop-down reads
CELL_LIMIT = 32_767  # characters Excel keeps in one cell
MAX_ROW_HEIGHT = 409  # points, Excel's largest row height

ID_PATTERN = "P{p}-B{b}-A{a}"
CellValue = str | int | float | None


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, width (in full-width characters), and what it holds."""

    key: str
    header: str
    width: float
    entry: bool  # the department writes it; else locked and shaded
    meaning: str


ENTRY_COLUMNS: tuple[Column, ...] = (
    Column("id", "活動ID", 5, False, "活動を見分ける番号です。変更しないでください。"),
    Column("perspective", "取組の視点", 7, False, "計画の取組の視点です（変更できません）。"),
    Column("business", "事業名", 8, False, "計画の事業です（変更できません）。"),
    Column("activity", "活動名", 10, False, "計画の活動です（変更できません）。"),
    Column("department", "担当課", 5, False, "この活動の担当課です（変更できません）。"),
    Column("previous", "前回の進捗区分", 4, False, "前回の報告での進捗区分です（参考）。"),
    Column("status", "進捗区分", 5, True, "今回の進捗区分を一覧から選んでください（必須）。"),
    Column(
        "plan",
        "今年度の計画",
        14,
        True,
        "今年度の計画です。前回の内容が入っています。変わったときは書き直してください。",
    ),
    Column(
        "results",
        "取組状況",
        20,
        True,
        "今回の期間に行ったことを、1行に1項目で書きます。前回の内容が入っているので、今回の内容に書き直してください。",
    ),
    Column("next", "今後の取組", 14, True, "これから行うことです。"),
    Column("reason", "遅れの理由", 10, True, "遅れ・休止などの理由です。順調な活動は空欄のままにします。"),
)
EFFECT_COLUMNS: tuple[Column, ...] = (
    Column("kind", "効果額の区分", 6, True, "財政効果額の区分（歳出削減・歳入確保）を一覧から選びます。"),
    Column("target", "目標額", 6, True, "財政効果額の目標（整数、単位は{unit}）。"),
    Column("actual", "実績額", 6, True, "財政効果額の実績（整数、単位は{unit}）。"),
)
INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("id", "活動ID", 5, False, "指標の活動です（変更できません）。"),
    Column("name", "指標名", 16, False, "指標の名前です（変更できません）。"),
    Column("unit", "単位", 5, False, "指標の単位です（変更できません）。"),
    Column("target", "目標値", 7, True, "指標の目標値（数値）。"),
    Column("actual", "実績値", 7, True, "今回の実績値（数値）を書きます。"),
)

LOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")
STATUS_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT_SIZE = 10
LINE_POINTS = 13.5  # one wrapped line of a 10 pt cell


@dataclass(frozen=True)
class Fonts:
    """The font names the workbooks use, as the style sheet names them."""

    gothic: str = "BIZ UDゴシック"
    mincho: str = "BIZ UD明朝"


@dataclass(frozen=True)
class Entry:
    """One activity of the plan with its 活動ID, place and 担当課."""

    id: str
    generated: bool  # the ID was derived from the place (the input has none)
    place: tuple[int, int, int]  # 0-based perspective, business, activity
    perspective: str
    business: Business
    activity: Activity
    department: str

    @property
    def path(self) -> str:
        """The activity's field path in the input, as the loader names it."""
        p, b, a = self.place
        return f"perspectives[{p + 1}].businesses[{b + 1}].activities[{a + 1}]"


def entries(data: ReportInput) -> list[Entry]:
    """Every activity in plan order, each with its 活動ID (the input's, else derived from its place)."""
    given = {
        str(i) for p in data.perspectives for b in p.businesses for a in b.activities if (i := _id_of(a))
    }
    out: list[Entry] = []
    for p, perspective in enumerate(data.perspectives):
        for b, business in enumerate(perspective.businesses):
            for a, activity in enumerate(business.activities):
                own = _id_of(activity)
                ident = own or _derived_id(p, b, a, given)
                department = activity.department or business.department or NO_DEPARTMENT
                out.append(
                    Entry(ident, own is None, (p, b, a), perspective.name, business, activity, department)
                )
    return out


def _id_of(activity: Activity) -> str | None:
    """The activity's own ``id``, if it has one."""
    return activity.id or None


def _derived_id(p: int, b: int, a: int, taken: set[str]) -> str:
    """``P1-B2-A3``; should the input use that as another activity's id, ``P1-B2-A3-2`` and so on."""
    base = ID_PATTERN.format(p=p + 1, b=b + 1, a=a + 1)
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}-{n}"
    taken.add(ident)
    return ident


def bullets_text(items: Sequence[str]) -> str:
    """取組状況 as one cell: each bullet on its own line marked ・, a bullet's own line breaks
    continued on a line indented by a full-width space (as the documents print them)."""
    return "\n".join("・" + item.replace("\n", "\n\u3000") for item in items)


def period_label(fiscal_year: int, term: str, style: str = "era_paren") -> str:
    """令和4（2022）年度上半期 (the term word empty for ``full_year``), in the report's year style."""
    return fiscal_year_label(fiscal_year, style) + TERMS[term]


@dataclass(frozen=True)
class Meta:
    """What identifies a workbook: the plan, the period it is for and its 担当課."""

    organization: str
    title: str
    first_year: int
    last_year: int
    fiscal_year: int
    term: str
    department: str

    def properties(self) -> dict[str, str]:
        """The custom document properties that carry it."""
        return {
            f"{PROPERTY_PREFIX}format": WORKBOOK_FORMAT,
            f"{PROPERTY_PREFIX}organization": self.organization,
            f"{PROPERTY_PREFIX}plan": self.title,
            f"{PROPERTY_PREFIX}plan_period": f"{self.first_year}-{self.last_year}",
            f"{PROPERTY_PREFIX}fiscal_year": str(self.fiscal_year),
            f"{PROPERTY_PREFIX}term": self.term,
            f"{PROPERTY_PREFIX}department": self.department,
        }

    @classmethod
    def from_properties(cls, props: dict[str, str]) -> Meta | None:
        """The meta read back; ``None`` when the properties are missing or malformed."""
        get = {k.removeprefix(PROPERTY_PREFIX): v for k, v in props.items() if k.startswith(PROPERTY_PREFIX)}
        try:
            first, last = (int(y) for y in get["plan_period"].split("-"))
            return cls(
                get["organization"],
                get["plan"],
                first,
                last,
                int(get["fiscal_year"]),
                get["term"],
                get["department"],
            )
        except (KeyError, ValueError):
            return None

    def same_plan(self, data: ReportInput) -> bool:
        plan = data.plan
        return (self.organization, self.title, self.first_year, self.last_year) == (
            plan.organization,
            plan.title,
            plan.first_year,
            plan.last_year,
        )


def has_effects(data: ReportInput) -> bool:
    """Whether any activity has an ``effect`` (then the entry sheet has the effect columns)."""
    return any(a.effect is not None for p in data.perspectives for b in p.businesses for a in b.activities)


def has_indicators(data: ReportInput) -> bool:
    return any(a.indicators for p in data.perspectives for b in p.businesses for a in b.activities)


def money_unit(data: ReportInput) -> str:
    return data.report.money_unit


def entry_columns(data: ReportInput) -> tuple[Column, ...]:
    """The entry sheet's columns: the fixed ones, and the effect columns when the plan has effects."""
    return ENTRY_COLUMNS + (EFFECT_COLUMNS if has_effects(data) else ())


def file_name(department: str) -> str:
    """A department's workbook name: characters no file system takes replaced by ＿."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "＿", department).strip(" .") or "担当課"
    return f"{name}.xlsx"


def workbook_files(
    data: ReportInput, fiscal_year: int, term: str, due: dt.date | None, one: bool, fonts: Fonts
) -> dict[str, bytes]:
    """Every workbook to write, by file name: one per 担当課 (plan order), and ``全課.xlsx`` with ``one``."""
    rows = entries(data)
    groups: dict[str, list[Entry]] = {}
    for entry in rows:
        groups.setdefault(entry.department, []).append(entry)
    if one:
        groups[ALL_DEPARTMENTS] = rows
    files: dict[str, bytes] = {}
    taken: set[str] = set()
    for department, group in groups.items():
        name = file_name(department)
        n = 1
        while name.casefold() in taken:  # two departments that only differ in unusable characters
            n += 1
            name = file_name(f"{department}-{n}")
        taken.add(name.casefold())
        meta = Meta(
            data.plan.organization,
            data.plan.title,
            data.plan.first_year,
            data.plan.last_year,
            fiscal_year,
            term,
            department,
        )
        files[name] = workbook_bytes(data, group, meta, due, fonts)
    return files


class TooLong(ValueError):
    """A value longer than an Excel cell holds."""

    def __init__(self, entry: Entry, header: str, length: int) -> None:
        self.entry, self.header, self.length = entry, header, length
        super().__init__(f"{entry.path}: {header}: {length}")


def entry_values(entry: Entry, columns: Sequence[Column]) -> dict[str, CellValue]:
    """What the entry sheet shows for one activity, by column key (status left empty)."""
    a = entry.activity
    effect = a.effect
    values: dict[str, CellValue] = {
        "id": entry.id,
        "perspective": entry.perspective,
        "business": entry.business.name,
        "activity": a.name,
        "department": entry.department,
        "previous": a.status,
        "status": None,
        "plan": a.plan,
        "results": bullets_text(a.results) or None,
        "next": a.next,
        "reason": a.reason,
        "kind": effect.kind if effect else None,
        "target": effect.target if effect else None,
        "actual": effect.actual if effect else None,
    }
    for column in columns:
        value = values[column.key]
        if isinstance(value, str) and len(value) > CELL_LIMIT:
            raise TooLong(entry, column.header, len(value))
    return values


def workbook_bytes(
    data: ReportInput, rows: list[Entry], meta: Meta, due: dt.date | None, fonts: Fonts
) -> bytes:
    """One department's workbook as the bytes of an ``.xlsx`` file."""
    wb = Workbook()
    guide = wb.active
    assert guide is not None  # a new workbook has its one sheet
    guide.title = GUIDE_SHEET
    columns = entry_columns(data)
    status_range = _guide_sheet(guide, data, meta, due, columns, fonts)
    wb.defined_names[STATUS_LIST_NAME] = DefinedName(STATUS_LIST_NAME, attr_text=status_range)
    _entry_sheet(wb.create_sheet(ENTRY_SHEET), data, rows, meta, columns, fonts)
    if has_indicators(data):
        _indicator_sheet(wb.create_sheet(INDICATOR_SHEET), data, rows, meta, fonts)
    for name, value in meta.properties().items():
        custom_properties(wb).append(StringProperty(name=name, value=value))
    stamp = dt.datetime.combine(data.issue_date(), dt.time())  # not the clock: same input, same content
    wb.properties.creator = "gyokaku"
    period = period_label(meta.fiscal_year, meta.term, data.report.year_style)
    wb.properties.title = f"{meta.title} {period} 取組状況 記入用（{meta.department}）"
    wb.properties.created = wb.properties.modified = stamp
    wb.active = 0  # open on 記入方法; one selected sheet only (two would open grouped in Excel)
    buffer = io.BytesIO()
    save_unstamped(wb, buffer)
    return fixed_entry_times(buffer.getvalue())


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def fixed_entry_times(package: bytes) -> bytes:
    """The package with every ZIP entry dated 1980-01-01 (openpyxl dates them now), so the same
    input gives the same bytes; the entries' contents and order are unchanged."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info))
    return out.getvalue()


def custom_properties(wb: Workbook) -> CustomPropertyList[Any]:
    """The workbook's custom document properties (openpyxl 3.1 has them; its type stubs do not)."""
    props: CustomPropertyList[Any] = wb.custom_doc_props  # type: ignore[attr-defined]  # missing from types-openpyxl
    return props


def _font(name: str, bold: bool = False, size: float = FONT_SIZE) -> Font:
    return Font(name=name, size=size, bold=bold)


def _header_text(value: str) -> str:
    """Text for a page header: ``&`` doubled (it starts a code there)."""
    return value.replace("&", "&&")


def _print_setup(ws: Worksheet, title: str, fonts: Fonts, landscape: bool = True) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    for item, text in ((ws.oddHeader, _header_text(title)), (ws.oddFooter, "&P / &N")):
        if item is not None:  # a new sheet has both
            item.center.text = text
            item.center.font = f"{fonts.gothic},Regular"
            item.center.size = 9


def _protect(ws: Worksheet) -> None:
    """Lock the sheet: locked cells stay, entry cells open; sorting, filtering, hiding, new rows allowed."""
    p = ws.protection
    p.sheet = True
    p.sort = False
    p.autoFilter = False
    p.formatRows = False
    p.formatColumns = False
    p.insertRows = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


def _display_width(text: str) -> int:
    """Width in half-width character units (full-width characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def _lines(text: str, width_chars: float) -> int:
    """How many lines ``text`` wraps to in a column ``width_chars`` full-width characters wide."""
    room = max(1, int(width_chars * 2) - 1)
    return sum(max(1, math.ceil(_display_width(line) / room)) for line in text.split("\n"))


def _width_units(chars: float) -> float:
    """A column width in Excel's units for ``chars`` full-width characters of a 10 pt font."""
    return round(chars * 1.9 + 1, 1)


def _header_row(ws: Worksheet, columns: Sequence[Column], fonts: Fonts) -> None:
    for c, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c, value=column.header)
        cell.font = _font(fonts.gothic, bold=True)
        cell.fill = HEADER_FILL
        cell.border = GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = _width_units(column.width)
    ws.row_dimensions[1].height = 2 * LINE_POINTS + 4
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"


def _set(ws: Worksheet, row: int, col: int, value: CellValue, column: Column, fonts: Fonts) -> None:
    cell = ws.cell(row=row, column=col)
    if value is not None:
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text that starts with = stays text, not a formula
    number = column.key in ("target", "actual")
    # amounts as 12,000; indicator values as typed (General: a decimal only where there is one)
    cell.number_format = ("#,##0" if column.header.endswith("額") else "General") if number else "@"
    cell.font = _font(fonts.gothic if not column.entry or column.key == "status" else fonts.mincho)
    cell.border = GRID
    cell.alignment = Alignment(
        vertical="top",
        wrap_text=not number,
        horizontal="right"
        if number
        else ("center" if column.key in ("previous", "status", "kind") else None),
    )
    if column.entry:
        cell.protection = Protection(locked=False)
        if column.key == "status":
            cell.fill = STATUS_FILL
    else:
        cell.fill = LOCKED_FILL


def _entry_sheet(
    ws: Worksheet, data: ReportInput, rows: list[Entry], meta: Meta, columns: tuple[Column, ...], fonts: Fonts
) -> None:
    _header_row(ws, columns, fonts)
    for r, entry in enumerate(rows, start=2):
        values = entry_values(entry, columns)
        lines = 1
        for c, column in enumerate(columns, start=1):
            value = values[column.key]
            _set(ws, r, c, value, column, fonts)
            if isinstance(value, str):
                lines = max(lines, _lines(value, column.width))
        ws.row_dimensions[r].height = min(MAX_ROW_HEIGHT, lines * LINE_POINTS + 4)
    last = len(rows) + 1
    letter = {column.key: get_column_letter(c) for c, column in enumerate(columns, start=1)}
    names = "、".join(s.name for s in data.statuses)
    status = DataValidation(
        type="list",
        formula1=STATUS_LIST_NAME,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="進捗区分",
        error=_clip(f"一覧の進捗区分から選んでください: {names}"),
        promptTitle="進捗区分",
        prompt=_clip(f"一覧から選んでください（{names}）"),
    )
    ws.add_data_validation(status)
    status.add(f"{letter['status']}2:{letter['status']}{last}")
    if "kind" in letter:
        kind = DataValidation(
            type="list",
            formula1='"' + ",".join(EFFECT_KINDS) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="効果額の区分",
            error="歳出削減 か 歳入確保 を選んでください。",
        )
        ws.add_data_validation(kind)
        kind.add(f"{letter['kind']}2:{letter['kind']}{last}")
        unit = money_unit(data)
        amount = DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="金額",
            error=f"0 以上の整数（単位: {unit}）を入力してください。",
        )
        ws.add_data_validation(amount)
        amount.add(f"{letter['target']}2:{letter['actual']}{last}")
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    period = period_label(meta.fiscal_year, meta.term, data.report.year_style)
    _print_setup(ws, f"{meta.title}　{period}　取組状況（{meta.department}）", fonts)
    _protect(ws)


def _clip(text: str, limit: int = 250) -> str:
    """A data validation message within Excel's limit (255 characters)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _indicator_sheet(ws: Worksheet, data: ReportInput, rows: list[Entry], meta: Meta, fonts: Fonts) -> None:
    _header_row(ws, INDICATOR_COLUMNS, fonts)
    r = 2
    for entry in rows:
        for indicator in entry.activity.indicators:
            values: dict[str, CellValue] = {
                "id": entry.id,
                "name": indicator.name,
                "unit": indicator.unit,
                "target": indicator.target,
                "actual": indicator.actual,
            }
            for c, column in enumerate(INDICATOR_COLUMNS, start=1):
                _set(ws, r, c, values[column.key], column, fonts)
            r += 1
    last = max(r - 1, 2)
    number = DataValidation(
        type="decimal",
        operator="between",
        formula1="-1E+15",
        formula2="1E+15",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="指標",
        error="数値を入力してください。",
    )
    ws.add_data_validation(number)
    letter = {column.key: get_column_letter(c) for c, column in enumerate(INDICATOR_COLUMNS, start=1)}
    number.add(f"{letter['target']}2:{letter['actual']}{last}")
    ws.auto_filter.ref = f"A1:{get_column_letter(len(INDICATOR_COLUMNS))}{last}"
    period = period_label(meta.fiscal_year, meta.term, data.report.year_style)
    _print_setup(ws, f"{meta.title}　{period}　指標（{meta.department}）", fonts)
    _protect(ws)


def status_meaning(status: Status) -> str:
    """A status's description, else what gyokaku does with it."""
    if status.description:
        return status.description
    if status.on_track:
        return "順調に進んでいるものとして数えます。"
    if status.delayed:
        return (
            "遅れているものとして、総括の「遅れている活動」に載ります。理由を「遅れの理由」に書いてください。"
        )
    return "—"


def _guide_sheet(
    ws: Worksheet,
    data: ReportInput,
    meta: Meta,
    due: dt.date | None,
    columns: tuple[Column, ...],
    fonts: Fonts,
) -> str:
    """Fill 記入方法; return the range holding the status names (the drop-down's list)."""
    ws.column_dimensions["A"].width = _width_units(12)
    ws.column_dimensions["B"].width = _width_units(52)
    period = period_label(meta.fiscal_year, meta.term, data.report.year_style)
    row = 1

    def put(
        a: str | None, b: str | None = None, bold: bool = False, size: float = FONT_SIZE, box: bool = False
    ) -> None:
        nonlocal row
        lines = 1
        for col, value in ((1, a), (2, b)):
            cell = ws.cell(row=row, column=col, value=value)
            if value is not None:
                cell.data_type = "s"
            cell.font = _font(fonts.gothic if bold or col == 1 else fonts.mincho, bold=bold, size=size)
            cell.alignment = Alignment(vertical="top", wrap_text=size == FONT_SIZE)
            if box:
                cell.border = GRID
            if value:
                lines = max(lines, _lines(value, 12 if col == 1 else 52))
        ws.row_dimensions[row].height = lines * (size * 1.35) + 4
        row += 1

    put(f"{meta.title}　取組状況の記入のお願い", bold=True, size=14)
    row += 1
    put("対象期間", period, box=True)
    put("担当課", meta.department if meta.department != ALL_DEPARTMENTS else "全課（すべての活動）", box=True)
    if due is not None:
        put(
            "提出期限", f"{due.year}年{due.month}月{due.day}日（{'月火水木金土日'[due.weekday()]}）", box=True
        )
    row += 1
    put("記入のしかた", bold=True, size=11)
    steps = [
        f"「{ENTRY_SHEET}」シートに、担当する活動が1行に1つずつあります。白と黄色のセルに記入してください。",
        "灰色のセル（活動ID・名称・担当課・前回の進捗区分）は変更できません。",
        "「進捗区分」は空欄になっています。セルを選ぶと出る一覧から選んでください（一覧にない言葉は入りません）。",
        "計画・取組状況・今後の取組・遅れの理由には前回の内容が入っています。今回の内容に書き直してください。",
        "取組状況は1行に1項目です。セルの中の改行は Alt+Enter（Mac では option+return）。"
        "行の頭の「・」はあってもなくてもかまいません。1つの項目の中で改行するときは、続きの行の頭に全角の空白を入れます。",
        "行の絞り込み・非表示・空行の挿入はかまいません。並べ替えたいときはシートの保護を解除してかまいません"
        "（灰色のセルを変えなければ取り込めます）。行や列は削除しないでください。",
        "記入が終わったら、このファイル（.xlsx のまま）を保存して返送してください。"
        "PDF・CSV や古い形式（.xls）にしないでください。",
    ]
    if has_effects(data):
        steps.append(
            f"目標額・実績額は {money_unit(data)} 単位の整数で書きます（カンマは不要です）。"
            "効果額のない活動は空欄にします。"
        )
    if has_indicators(data):
        steps.append(f"「{INDICATOR_SHEET}」シートの実績値に、今回の指標の値を数値で書いてください。")
    for n, step in enumerate(steps, start=1):
        put(f"{n}.", step)
    row += 1
    put("各列の意味", bold=True, size=11)
    put("列", "意味", bold=True, box=True)
    unit = money_unit(data)
    for column in columns:
        put(column.header, column.meaning.format(unit=unit), box=True)
    row += 1
    put("進捗区分", bold=True, size=11)
    put("区分", "意味", bold=True, box=True)
    first = row
    for status in data.statuses:
        put(status.name, status_meaning(status), box=True)
    _print_setup(ws, f"{meta.title}　{period}　記入方法", fonts, landscape=False)
    ws.print_options.horizontalCentered = False
    _protect(ws)
    return f"'{GUIDE_SHEET}'!$A${first}:$A${row - 1}"
