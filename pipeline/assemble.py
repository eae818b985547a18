"""Stage 3, assemble: a validated input and its counts → neutral documents.

All wording of the documents lives here; the numbers come from ``aggregate``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from .aggregate import Counts, Delayed, Row
from .docmodel import (
    Block,
    BulletList,
    Bullets,
    Caption,
    Cell,
    Chart,
    Column,
    DocNumber,
    Document,
    Heading,
    Meta,
    PageBreak,
    Paragraph,
    Slice,
    Table,
    TitleBlock,
)
from .era import fiscal_year_label
from .model import TERMS, Activity, Business, Perspective, ReportInput, Status


class ListEntry(NamedTuple):
    """One row of the activity list: an activity, its business and its number in the list."""

    number: int
    business: Business
    activity: Activity


class ListSubtotal(NamedTuple):
    """The 小計 row under one perspective's part of the activity list."""

    counts: Counts
    row: Row


class SheetFacts(NamedTuple):
    """What a business's sheet states about it: the business and its numbered perspective."""

    number: int
    perspective: Perspective
    business: Business


# --- every table's columns, each specified once: header, relative width, alignment of the body
# cells, what fills a body cell and (where the table has one) a total cell. The writers read the
# header, widths and alignments that ``Table.of`` derives from these.

CountColumn = Column[Row, Counts]
ListColumn = Column[ListEntry, ListSubtotal]
FactsColumn = Column[SheetFacts, None]
SheetColumn = Column[Activity, None]

# 【活動数一覧】: the perspective, one column per status (``status_count_column``), the total
COUNT_PERSPECTIVE: CountColumn = Column(
    "取組の視点", 3.6, "left", lambda r: perspective_label(r.number, r.perspective), lambda c: "合計"
)
COUNT_STATUS_WIDTH = 1.0
COUNT_TOTAL: CountColumn = Column("合計", 1.0, "right", lambda r: str(r.total), lambda c: str(c.activities))

# 資料1-2 活動一覧: one table per perspective, a 小計 row at its foot
LIST_COLUMNS: tuple[ListColumn, ...] = (
    Column("No.", 0.55, "right", lambda e: str(e.number), lambda t: "小計"),
    Column("事業名", 2.7, "left", lambda e: business_label(e.business)),
    Column("活動名", 2.6, "left", lambda e: e.activity.name),
    Column("担当課", 1.2, "left", lambda e: department(e.business, e.activity)),
    Column("取組状況", 4.9, "left", lambda e: activity_points(e.activity), lambda t: status_breakdown(*t)),
    Column("進捗区分", 1.05, "center", lambda e: e.activity.status, lambda t: str(t.row.total)),
)

# 資料1-3 個票: the business's facts at the head of its sheet
FACTS_COLUMNS: tuple[FactsColumn, ...] = (
    Column("事業名", 2.6, "left", lambda f: f.business.name),
    Column("取組の視点", 2.6, "left", lambda f: perspective_label(f.number, f.perspective.name)),
    Column("重点", 0.7, "center", lambda f: "重点" if f.business.priority else "－"),
    Column("担当課", 1.4, "left", lambda f: f.business.department or "－"),
    Column("活動数", 0.7, "right", lambda f: str(len(f.business.activities))),
)

# 資料1-3 個票: an activity's one-row table, 進捗区分 then text columns chosen and ordered by
# ``sheet_text_columns``; the text columns share SHEET_TEXT_WIDTH equally.
SHEET_TEXT_WIDTH = 7.2
SHEET_STATUS: SheetColumn = Column("進捗区分", 1.0, "center", lambda a: a.status)
SHEET_REASON: SheetColumn = Column("「{status}」の理由", SHEET_TEXT_WIDTH, "left", lambda a: a.reason or "")
SHEET_PLAN: SheetColumn = Column("今年度の計画", SHEET_TEXT_WIDTH, "left", lambda a: a.plan or "－")
SHEET_RESULTS: SheetColumn = Column(
    "取組状況", SHEET_TEXT_WIDTH, "left", lambda a: Bullets(a.results) if a.results else "－"
)
SHEET_NEXT: SheetColumn = Column("今後の取組", SHEET_TEXT_WIDTH, "left", lambda a: a.next or "－")


SECTION_NUMBER = "{n} "  # 1 進捗状況: a section of the summary
PAREN_NUMBER = "（{n}）"  # （1）民間活力の活用: full-width brackets, half-width digits (公用文)


def perspective_label(number: int, name: str) -> str:
    """（1）民間活力の活用."""
    return PAREN_NUMBER.format(n=number) + name


def business_label(business: Business) -> str:
    """The business name, with 【重点】 when it is a priority business."""
    return business.name + ("【重点】" if business.priority else "")


def plan_title(data: ReportInput) -> str:
    """平塚市行財政改革計画（2020-2023）."""
    plan = data.plan
    return f"{plan.title}（{plan.first_year}-{plan.last_year}）"


def period_label(data: ReportInput) -> str:
    """令和4（2022）年度上半期."""
    report = data.report
    return fiscal_year_label(report.fiscal_year, report.year_style) + TERMS[report.term]


def detail_reference(documents: tuple[str, ...]) -> str:
    """（詳細は資料1-2、1-3）: later numbers drop the prefix they share with the first."""
    if not documents:
        return ""
    first = documents[0]
    prefix = first[: next((i for i, ch in enumerate(first) if ch.isdigit()), len(first))]
    rest = [d.removeprefix(prefix) if prefix else d for d in documents[1:]]
    return "（詳細は" + "、".join([first, *rest]) + "）"


def join_counts(pairs: list[tuple[str, int]]) -> str:
    """「概ね順調」は49の活動、「済」は1の活動."""
    return "、".join(f"「{name}」は{n}の活動" for name, n in pairs)


def progress_sentences(counts: Counts) -> tuple[str, ...]:
    """Section 1's sentences, natural whatever the counts."""
    first = f"{counts.businesses}事業で{counts.activities}の活動を実施。"
    return first, on_track_sentence(counts), others_sentence(counts)


def on_track_sentence(counts: Counts) -> str:
    """活動の状況は、「概ね順調」は49の活動、全体の98%は順調に進捗。"""
    on_track = [(s.name, n) for s, n in counts.by_status() if s.on_track and n > 0]
    if not on_track:
        return "活動の状況は、順調に進捗している活動はなし。"
    return f"活動の状況は、{join_counts(on_track)}、全体の{counts.on_track_percent}%は順調に進捗。"


def others_sentence(counts: Counts) -> str:
    """「遅れ」は1の活動。 — every other status above zero, or that none is delayed."""
    others = [(s.name, n) for s, n in counts.by_status() if not s.on_track and n > 0]
    if others:
        return join_counts(others) + "。"
    return f"{delayed_names(counts)}の活動はなし。"


def delayed_names(counts: Counts) -> str:
    """「遅れ」, or 「やや遅れ」・「遅れ」 when several statuses are flagged as delayed."""
    return "・".join(f"「{s.name}」" for s in counts.statuses if s.delayed) or "「遅れ」"


def delayed_heading(counts: Counts) -> str:
    """「遅れ」とした取組 — named after the statuses flagged as delayed."""
    return f"{delayed_names(counts)}とした取組"


def status_count_column(index: int, status: Status) -> CountColumn:
    """A status's column of the count table: its activities per perspective, then in all."""
    return Column(
        status.name,
        COUNT_STATUS_WIDTH,
        "right",
        lambda r: str(r.counts[index]),
        lambda c: str(c.column_totals[index]),
    )


def count_columns(statuses: tuple[Status, ...]) -> tuple[CountColumn, ...]:
    """The count table's columns: the perspective, each status, the total."""
    return (COUNT_PERSPECTIVE, *(status_count_column(i, s) for i, s in enumerate(statuses)), COUNT_TOTAL)


def count_table(counts: Counts) -> Table:
    """【活動数一覧】: perspectives × statuses with row and column totals."""
    return Table.of(count_columns(counts.statuses), counts.rows, (counts,))


def count_chart(counts: Counts) -> Chart:
    """The doughnut of activities by status, with its alt text stating every count."""
    pairs = counts.by_status()
    alt = "活動数内訳の円グラフ。" + "、".join(f"{s.name} {n}" for s, n in pairs)
    alt += f"、合計 {counts.activities}。"
    return Chart(
        slices=tuple(Slice(s.name, n) for s, n in pairs),
        alt_text=alt,
        center=("合計", str(counts.activities)),
    )


def highlights_section(data: ReportInput) -> list[Block]:
    """Section 2's body: businesses with highlights, grouped by perspective."""
    blocks: list[Block] = []
    for number, perspective in enumerate(data.perspectives, start=1):
        featured = [b for b in perspective.businesses if b.highlights]
        if not featured:
            continue
        blocks.append(Heading(2, perspective.name, number=number, number_format=PAREN_NUMBER))
        for business in featured:
            blocks.append(Heading(3, business_label(business)))
            blocks.append(BulletList(business.highlights))
    if not blocks:
        blocks.append(Paragraph("取組状況の記載はありません。"))
    return blocks


def delayed_section(counts: Counts) -> list[Block]:
    """Section 3's body: each delayed activity and its bullets, in plan order."""
    if not counts.delayed:
        return [Paragraph(f"{delayed_heading(counts)}はありません。")]
    blocks: list[Block] = []
    for item in counts.delayed:
        blocks.append(Heading(2, delayed_title(item), role="heading3"))
        points = ((item.activity.reason,) if item.activity.reason else ()) + item.activity.results
        if points:
            blocks.append(BulletList(points))
    return blocks


def delayed_title(item: Delayed) -> str:
    """活動名・・・遅れ [事業名]."""
    return f"{item.activity.name}・・・{item.activity.status} [{item.business.name}]"


def summary_meta(data: ReportInput, title: str) -> Meta:
    """Document properties taken from the input (never from the clock)."""
    number = data.report.document_number
    return Meta(
        title=title,
        author=data.plan.organization,
        subject=" ".join(filter(None, [number, data.plan.title, period_label(data) + data.report.title])),
        date=data.issue_date(),
        keywords=(data.plan.title, period_label(data)),
    )


def summary(data: ReportInput, counts: Counts) -> Document:
    """資料1-1 総括: title block, progress with chart and table, highlights, delays."""
    details = data.report.detail_documents
    sheets_ref = detail_reference(details[-1:])
    title_lines = (plan_title(data), period_label(data) + data.report.title)
    blocks: list[Block] = []
    if data.report.document_number:
        blocks.append(DocNumber(data.report.document_number))
    blocks += [
        TitleBlock(title_lines),
        Heading(1, "進捗状況" + detail_reference(details), number=1, number_format=SECTION_NUMBER),
        BulletList(progress_sentences(counts)),
        Caption(f"【活動数内訳 合計{counts.activities}】"),
        count_chart(counts),
        Caption("【活動数一覧】"),
        count_table(counts),
        *status_legend(counts),
        Heading(1, "主な事業の取組状況" + sheets_ref, number=2, number_format=SECTION_NUMBER),
        *highlights_section(data),
        Heading(1, delayed_heading(counts) + sheets_ref, number=3, number_format=SECTION_NUMBER),
        *delayed_section(counts),
    ]
    return Document("summary", summary_meta(data, " ".join(title_lines)), tuple(blocks))


def status_legend(counts: Counts) -> list[Block]:
    """※「済」：… — one note per status the input describes; none when no status is described."""
    return [Paragraph(f"※「{s.name}」：{s.description}", "note") for s in counts.statuses if s.description]


def list_number(data: ReportInput) -> str | None:
    """The activity list's document number: the first of two or more detail documents."""
    details = data.report.detail_documents
    return details[0] if len(details) >= 2 else None


def sheets_number(data: ReportInput) -> str | None:
    """The sheets' document number: the last detail document (the one sections 2 and 3 cite)."""
    details = data.report.detail_documents
    return details[-1] if details else None


def head_blocks(number: str | None, title_lines: tuple[str, ...]) -> list[Block]:
    """The document number (when given) and the title block."""
    blocks: list[Block] = [DocNumber(number)] if number else []
    return [*blocks, TitleBlock(title_lines)]


def detail_meta(data: ReportInput, number: str | None, title: str) -> Meta:
    """Document properties of a detail document."""
    return Meta(
        title=title,
        author=data.plan.organization,
        subject=" ".join(filter(None, [number, title])),
        date=data.issue_date(),
        keywords=(data.plan.title, period_label(data)),
    )


def department(business: Business, activity: Activity) -> str:
    """The activity's department, else its business's, else empty."""
    return activity.department or business.department or ""


def list_entries(perspective: Perspective, start: int) -> list[ListEntry]:
    """One entry per activity of a perspective, numbered from ``start``, in plan order."""
    activities = [(b, a) for b in perspective.businesses for a in b.activities]
    return [ListEntry(number, b, a) for number, (b, a) in enumerate(activities, start=start)]


def bullets_text(items: tuple[str, ...]) -> str:
    """Points as plain text, each on its own line marked ・ (a workbook cell, Alt+Enter between)."""
    return Bullets(items).text("・")


def activity_points(activity: Activity) -> Cell:
    """取組状況 in the list: the reason first when there is one, then the results."""
    reason = (f"{activity.status}の理由：{activity.reason}",) if activity.reason else ()
    points = reason + activity.results
    return Bullets(points) if points else ""


def status_breakdown(counts: Counts, row: Row) -> str:
    """済 0、概ね順調 6、… — one perspective's activities by status, as in the count table."""
    return "、".join(f"{s.name} {n}" for s, n in zip(counts.statuses, row.counts))


def activity_list(data: ReportInput, counts: Counts) -> Document:
    """資料1-2 活動一覧: every activity by perspective and business, A4 landscape."""
    number = list_number(data)
    title_lines = (plan_title(data), period_label(data) + "取組状況【活動一覧】")
    blocks: list[Block] = head_blocks(number, title_lines)
    start = 1
    for perspective, row in zip(data.perspectives, counts.rows):
        blocks.append(
            Heading(1, perspective.name, role="heading2", number=row.number, number_format=PAREN_NUMBER)
        )
        entries = list_entries(perspective, start)
        start += len(entries)
        blocks.append(Table.of(LIST_COLUMNS, entries, (ListSubtotal(counts, row),)))
    blocks += [Caption("【活動数一覧】"), count_table(counts), *status_legend(counts)]
    meta = detail_meta(data, number, " ".join(title_lines))
    return Document("list", meta, tuple(blocks), orientation="landscape")


def sheet_text_columns(activity: Activity, status: Status) -> list[SheetColumn]:
    """The text columns of an activity's sheet table, in reading order, sharing SHEET_TEXT_WIDTH.

    A reason comes first; a delayed activity without one shows its results first, as
    section 3 of the summary does; otherwise plan, results, next steps.
    """
    if activity.reason:
        reason = replace(SHEET_REASON, header=SHEET_REASON.header.format(status=activity.status))
        columns = [reason, SHEET_PLAN, SHEET_RESULTS, SHEET_NEXT]
    elif status.delayed:
        columns = [SHEET_RESULTS, SHEET_PLAN, SHEET_NEXT]
    else:
        columns = [SHEET_PLAN, SHEET_RESULTS, SHEET_NEXT]
    return [replace(c, width=c.width / len(columns)) for c in columns]


def activity_sheet(data: ReportInput, business: Business, number: int, activity: Activity) -> list[Block]:
    """One activity on its business's sheet: a heading and a one-row table."""
    title = activity.name
    if activity.department and activity.department != business.department:
        title += f"（{activity.department}）"
    columns = [SHEET_STATUS, *sheet_text_columns(activity, data.status(activity.status))]
    heading = Heading(2, title, role="heading3", number=number, number_format=PAREN_NUMBER)
    return [heading, Table.of(columns, (activity,))]


def business_sheet(
    data: ReportInput, perspective: Perspective, number: int, business: Business
) -> list[Block]:
    """One business's sheet: its facts in a table, then each activity."""
    facts = Table.of(FACTS_COLUMNS, (SheetFacts(number, perspective, business),))
    blocks: list[Block] = [Heading(1, business_label(business)), facts]
    for i, activity in enumerate(business.activities, start=1):
        blocks += activity_sheet(data, business, i, activity)
    return blocks


def sheets(data: ReportInput) -> Document:
    """資料1-3 個票: one sheet (page) per business, A4 portrait."""
    number = sheets_number(data)
    title_lines = (plan_title(data), period_label(data) + "取組状況【個票】")
    blocks: list[Block] = head_blocks(number, title_lines)
    first = True
    for n, perspective in enumerate(data.perspectives, start=1):
        for business in perspective.businesses:
            if not first:
                blocks.append(PageBreak())
            first = False
            blocks += business_sheet(data, perspective, n, business)
    meta = detail_meta(data, number, " ".join(title_lines))
    return Document("sheets", meta, tuple(blocks))
