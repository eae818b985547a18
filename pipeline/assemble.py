"""Stage 3, assemble: a validated input and its counts → neutral documents.

All wording of the documents lives here; the numbers come from ``aggregate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from .aggregate import Change, Comparison, Counts, Delayed, Effects, Money, Placed, Row, aggregate
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
    Source,
    Sources,
    Table,
    TitleBlock,
    whole,
)
from .era import fiscal_year_label
from .model import (
    EFFECT_KINDS,
    TERMS,
    Activity,
    Business,
    Effect,
    Indicator,
    Perspective,
    Report,
    ReportInput,
    Status,
)


class ListEntry(NamedTuple):
    """One row of the activity list: an activity, its business and its number in the list; with
    the counts for what ``aggregate`` derived about it (its previous status, its rates)."""

    number: int
    business: Business
    activity: Activity
    counts: Counts | None = None
    path: str = ""  # the activity's field path, perspectives[i].businesses[j].activities[k]


class CountFoot(NamedTuple):
    """A row at the foot of the count table: 合計, and with a previous report 前回 and 増減."""

    label: str
    values: tuple[str, ...]
    total: str


class EffectLine(NamedTuple):
    """A row of the effects table: a perspective, a kind's total or the overall total."""

    label: str
    money: Money
    cumulative: int | None
    rounding: str
    sources: Sources = ()  # a perspective's row: its name in the label


class ListSubtotal(NamedTuple):
    """The 小計 row under one perspective's part of the activity list."""

    counts: Counts
    row: Row


class SheetFacts(NamedTuple):
    """What a business's sheet states about it: the business and its numbered perspective."""

    number: int
    perspective: Perspective
    business: Business
    path: str = ""  # the business's field path, perspectives[i].businesses[j]


class SheetActivity(NamedTuple):
    """An activity on its business's sheet, with its field path."""

    activity: Activity
    path: str = ""


# --- every table's columns, each specified once: header, relative width, alignment of the body
# cells, what fills a body cell and (where the table has one) a total cell. The writers read the
# header, widths and alignments that ``Table.of`` derives from these.

MISSING = "－"  # what a sheet prints for a text the input does not give

CountColumn = Column[Row, CountFoot]
EffectColumn = Column[EffectLine, EffectLine]
ListColumn = Column[ListEntry, ListSubtotal]
FactsColumn = Column[SheetFacts, None]
SheetColumn = Column[SheetActivity, None]

# 【活動数一覧】: the perspective, one column per status (``status_count_column``), the total
COUNT_PERSPECTIVE: CountColumn = Column(
    "取組の視点",
    3.6,
    "left",
    lambda r: perspective_label(r.number, r.perspective),
    lambda f: f.label,
    lambda r: label_source(f"perspectives[{r.number}]", r.number, r.perspective),
)
COUNT_STATUS_WIDTH = 1.0
COUNT_TOTAL: CountColumn = Column("合計", 1.0, "right", lambda r: str(r.total), lambda f: f.total)

# 【財政効果額（単位：千円）】: a row per perspective, then a total per kind (when both occur) and
# the overall total; 累計 with a previous report
EFFECT_COLUMNS: tuple[EffectColumn, ...] = (
    Column("取組の視点", 3.6, "left", lambda e: e.label, lambda e: e.label, lambda e: e.sources),
    Column(
        "目標額",
        1.4,
        "right",
        lambda e: money_cell(e.money.target, e.money.targets),
        lambda e: money_cell(e.money.target, e.money.targets),
    ),
    Column(
        "実績額",
        1.4,
        "right",
        lambda e: money_cell(e.money.actual, e.money.actuals),
        lambda e: money_cell(e.money.actual, e.money.actuals),
    ),
    Column(
        "達成率",
        1.0,
        "right",
        lambda e: rate_text(e.money.rate(e.rounding)),
        lambda e: rate_text(e.money.rate(e.rounding)),
    ),
)
EFFECT_CUMULATIVE: EffectColumn = Column(
    "累計", 1.4, "right", lambda e: cumulative_cell(e), lambda e: cumulative_cell(e)
)

# 資料1-2 活動一覧: one table per perspective, a 小計 row at its foot
LIST_COLUMNS: tuple[ListColumn, ...] = (
    Column("No.", 0.55, "right", lambda e: str(e.number), lambda t: "小計"),
    Column("事業名", 2.7, "left", lambda e: business_label(e.business), marks=lambda e: business_name(e)),
    Column("活動名", 2.6, "left", lambda e: e.activity.name, marks=lambda e: name_source(e.path, e.activity)),
    Column(
        "担当課",
        1.2,
        "left",
        lambda e: department(e.business, e.activity),
        marks=lambda e: department_source(e.path, e.business, e.activity),
    ),
    Column(
        "取組状況", 4.9, "left", lambda e: activity_points(e.activity, e.path), lambda t: status_breakdown(*t)
    ),
    Column(
        "進捗区分",
        1.05,
        "center",
        lambda e: e.activity.status,
        lambda t: str(t.row.total),
        lambda e: text_source(e.path, "status", e.activity.status),
    ),
)
# the narrowest each column gets when the Additions add columns: the added width is taken from
# the names (short texts) and 進捗区分, never from 取組状況, whose lines make a row's height
LIST_NARROWEST = {1: 1.3, 2: 1.3, 3: 1.2, 5: 0.85}
LIST_PREVIOUS: ListColumn = Column("前回", 0.85, "center", lambda e: previous_status(e))
LIST_FIGURES: ListColumn = Column(
    "財政効果額・指標", 2.3, "left", lambda e: figure_points(e), lambda t: subtotal_money(t)
)

# 資料1-3 個票: the business's facts at the head of its sheet
FACTS_COLUMNS: tuple[FactsColumn, ...] = (
    Column("事業名", 2.6, "left", lambda f: f.business.name, marks=lambda f: name_source(f.path, f.business)),
    Column(
        "取組の視点",
        2.6,
        "left",
        lambda f: perspective_label(f.number, f.perspective.name),
        marks=lambda f: label_source(parent_path(f.path), f.number, f.perspective.name),
    ),
    Column("重点", 0.7, "center", lambda f: "重点" if f.business.priority else "－"),
    Column(
        "担当課",
        1.4,
        "left",
        lambda f: f.business.department or "－",
        marks=lambda f: text_source(f.path, "department", f.business.department),
    ),
    Column("活動数", 0.7, "right", lambda f: str(len(f.business.activities))),
)

# 資料1-3 個票: an activity's one-row table, 進捗区分 then text columns chosen and ordered by
# ``sheet_text_columns``; the text columns share SHEET_TEXT_WIDTH equally.
SHEET_TEXT_WIDTH = 7.2
SHEET_STATUS: SheetColumn = Column(
    "進捗区分",
    1.0,
    "center",
    lambda s: s.activity.status,
    marks=lambda s: text_source(s.path, "status", s.activity.status),
)
SHEET_REASON: SheetColumn = Column(
    "「{status}」の理由",
    SHEET_TEXT_WIDTH,
    "left",
    lambda s: s.activity.reason or "",
    marks=lambda s: text_source(s.path, "reason", s.activity.reason),
)
SHEET_PLAN: SheetColumn = Column(
    "今年度の計画",
    SHEET_TEXT_WIDTH,
    "left",
    lambda s: s.activity.plan or MISSING,
    marks=lambda s: cell_source(s.path, "plan", s.activity.plan),
)
SHEET_RESULTS: SheetColumn = Column(
    "取組状況", SHEET_TEXT_WIDTH, "left", lambda s: results_cell(s.activity.results, s.path) or MISSING
)
SHEET_NEXT: SheetColumn = Column(
    "今後の取組",
    SHEET_TEXT_WIDTH,
    "left",
    lambda s: s.activity.next or MISSING,
    marks=lambda s: cell_source(s.path, "next", s.activity.next),
)


SECTION_NUMBER = "{n} "  # 1 進捗状況: a section of the summary
PAREN_NUMBER = "（{n}）"  # （1）民間活力の活用: full-width brackets, half-width digits (公用文)


def perspective_label(number: int, name: str) -> str:
    """（1）民間活力の活用."""
    return PAREN_NUMBER.format(n=number) + name


# --- where printed texts come from: field paths (Source) for the Word draft's review loop --------

PLAN_TITLE = "plan.title"


def parent_path(path: str) -> str:
    """perspectives[1].businesses[2] → perspectives[1]; an activity's → its business's."""
    return path.rpartition(".")[0]


def label_source(perspective_path: str, number: int, name: str) -> Sources:
    """The name in （1）name: the perspective's ``name`` field."""
    if not perspective_path:
        return ()
    start = len(PAREN_NUMBER.format(n=number))
    return (Source(f"{perspective_path}.name", start, start + len(name)),)


def name_source(path: str, owner: Business | Activity | Perspective) -> Sources:
    """A name printed first in its text (【重点】 or a department may follow it)."""
    return (Source(f"{path}.name", 0, len(owner.name)),) if path else ()


def text_source(path: str, key: str, value: str | None) -> Sources:
    """A text field printed as the whole text (nothing when it is absent: 「－」 is gyokaku's)."""
    return whole(f"{path}.{key}", value) if path and value else ()


def cell_source(path: str, key: str, value: str | None) -> Sources:
    """A sheet's text cell: the field ``key``'s value, or its 「－」 when the input leaves it out
    (a reviewer may write it there: the field is then added)."""
    return whole(f"{path}.{key}", value or MISSING) if path else ()


def business_name(entry: ListEntry) -> Sources:
    return name_source(parent_path(entry.path), entry.business)


def department_source(path: str, business: Business, activity: Activity) -> Sources:
    """The department printed for an activity: its own, else its business's."""
    if not path:
        return ()
    if activity.department:
        return whole(f"{path}.department", activity.department)
    return text_source(parent_path(path), "department", business.department)


def results_cell(results: tuple[str, ...], path: str) -> Bullets | None:
    """An activity's results as points in a cell, each from its item of ``results``."""
    if not results:
        return None
    sources = tuple(whole(f"{path}.results[{n}]", r) for n, r in enumerate(results, 1)) if path else ()
    return Bullets(results, sources)


def title_sources(data: ReportInput) -> tuple[Sources, ...]:
    """The title block's: the plan's title opens its first line."""
    return ((Source(PLAN_TITLE, 0, len(data.plan.title)),),)


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


# --- numbers as printed ----------------------------------------------------------------------


def signed(n: int) -> str:
    """A difference as 公用文 prints it: ▲1 for a decrease, 1 for an increase, 0."""
    return f"▲{-n:,}" if n < 0 else f"{n:,}"


def amount_text(n: int) -> str:
    """An amount with thousands separators (12,000)."""
    return signed(n)


def money_cell(amount: int, given: int) -> str:
    """A total of amounts, or － when no effect gave one."""
    return amount_text(amount) if given else "－"


def optional_amount(value: int | float | None) -> str:
    """An effect's amount, or － when it is not given."""
    return "－" if value is None else number_text(value)


def optional_number(value: int | float | None) -> str:
    """An indicator's value, or － when it is not given."""
    return "－" if value is None else number_text(value)


def number_text(value: int | float) -> str:
    """A number as typed, with thousands separators (1,234.5); a negative one with ▲."""
    if isinstance(value, int):
        return signed(value)
    written = repr(abs(value))
    if "e" in written or "inf" in written or "nan" in written:
        body = f"{abs(value):,}"
    else:
        whole, _, fraction = written.partition(".")
        body = f"{int(whole):,}" + (f".{fraction}" if fraction else "")
    return ("▲" if value < 0 else "") + body


def cumulative_cell(line: EffectLine) -> str:
    """累計 of a line: － when neither this period nor an earlier one had an amount."""
    if not line.cumulative and not line.money.actuals:
        return "－"
    return amount_text(line.cumulative or 0)


def rate_text(rate: int | None) -> str:
    """達成率: 79%, or － when it is undefined."""
    return "－" if rate is None else f"{rate}%"


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
        lambda f: f.values[index],
    )


def count_columns(statuses: tuple[Status, ...]) -> tuple[CountColumn, ...]:
    """The count table's columns: the perspective, each status, the total."""
    return (COUNT_PERSPECTIVE, *(status_count_column(i, s) for i, s in enumerate(statuses)), COUNT_TOTAL)


def count_feet(counts: Counts) -> tuple[CountFoot, ...]:
    """合計; with a previous report also 前回 and 増減 (a decrease with ▲)."""
    feet = [CountFoot("合計", tuple(str(n) for n in counts.column_totals), str(counts.activities))]
    before = counts.comparison
    if before is not None:
        feet.append(CountFoot("前回", tuple(str(n) for n in before.column_totals), str(before.activities)))
        feet.append(
            CountFoot("増減", tuple(signed(n) for n in before.differences), signed(before.difference))
        )
    return tuple(feet)


def count_table(counts: Counts) -> Table:
    """【活動数一覧】: perspectives × statuses with row and column totals (and the previous ones)."""
    return Table.of(count_columns(counts.statuses), counts.rows, count_feet(counts))


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
        pp = f"perspectives[{number}]"
        featured = [
            (f"{pp}.businesses[{j}]", b) for j, b in enumerate(perspective.businesses, 1) if b.highlights
        ]
        if not featured:
            continue
        name = whole(f"{pp}.name", perspective.name)
        blocks.append(Heading(2, perspective.name, number=number, number_format=PAREN_NUMBER, sources=name))
        for bp, business in featured:
            blocks.append(Heading(3, business_label(business), sources=name_source(bp, business)))
            items = business.highlights
            sources = tuple(whole(f"{bp}.highlights[{n}]", h) for n, h in enumerate(items, 1))
            blocks.append(BulletList(items, sources))
    if not blocks:
        blocks.append(Paragraph("取組状況の記載はありません。"))
    return blocks


def delayed_section(counts: Counts, data: ReportInput | None = None) -> list[Block]:
    """Section 3's body: each delayed activity and its bullets, in plan order."""
    if not counts.delayed:
        return [Paragraph(f"{delayed_heading(counts)}はありません。")]
    paths = activity_paths(data) if data is not None else {}
    blocks: list[Block] = []
    for item in counts.delayed:
        activity = item.activity
        path = paths.get(id(activity), "")
        blocks.append(Heading(2, delayed_title(item), role="heading3", sources=delayed_sources(item, path)))
        points = ((activity.reason,) if activity.reason else ()) + activity.results
        reason = text_source(path, "reason", activity.reason)
        items: tuple[Sources, ...] = (reason,) if reason else ()
        items += tuple(whole(f"{path}.results[{n}]", r) for n, r in enumerate(activity.results, 1))
        if points:
            blocks.append(BulletList(points, items if path else ()))
    return blocks


def activity_paths(data: ReportInput) -> dict[int, str]:
    """Each activity of ``data`` (by identity) → its field path."""
    return {
        id(a): f"perspectives[{i}].businesses[{j}].activities[{k}]"
        for i, p in enumerate(data.perspectives, 1)
        for j, b in enumerate(p.businesses, 1)
        for k, a in enumerate(b.activities, 1)
    }


def delayed_sources(item: Delayed, path: str) -> Sources:
    """活動名・・・遅れ [事業名]: the activity's name and its business's."""
    if not path:
        return ()
    at = len(f"{item.activity.name}・・・{item.activity.status} [")
    business = Source(f"{parent_path(path)}.name", at, at + len(item.business.name))
    return (*name_source(path, item.activity), business)


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
        TitleBlock(title_lines, title_sources(data)),
        Heading(1, "進捗状況" + detail_reference(details), number=1, number_format=SECTION_NUMBER),
        BulletList(progress_sentences(counts) + additions_sentences(data, counts)),
        Caption(f"【活動数内訳 合計{counts.activities}】"),
        count_chart(counts),
        Caption("【活動数一覧】"),
        count_table(counts),
        *status_legend(counts),
        *effects_blocks(counts.effects),
        Heading(1, "主な事業の取組状況" + sheets_ref, number=2, number_format=SECTION_NUMBER),
        *highlights_section(data),
        Heading(1, delayed_heading(counts) + sheets_ref, number=3, number_format=SECTION_NUMBER),
        *delayed_section(counts, data),
    ]
    if counts.comparison is not None:
        blocks += [
            Heading(1, CHANGES_HEADING, number=4, number_format=SECTION_NUMBER),
            *changes_section(counts.comparison),
        ]
    return Document("summary", summary_meta(data, " ".join(title_lines)), tuple(blocks))


CHANGES_HEADING = "前回から進捗区分が変わった取組"


def additions_sentences(data: ReportInput, counts: Counts) -> tuple[str, ...]:
    """Section 1's further bullets: the effects' totals, the comparison with the previous report."""
    out: list[str] = []
    if counts.effects is not None:
        out.append(effect_sentence(counts.effects))
    if counts.comparison is not None:
        out.append(comparison_sentence(data, counts, counts.comparison))
    return tuple(out)


def effect_sentence(effects: Effects) -> str:
    """財政効果額は、目標額N千円に対し実績額M千円（達成率P%）。"""
    total, unit = effects.total, effects.unit
    target = money_cell(total.target, total.targets) + unit
    actual = money_cell(total.actual, total.actuals) + unit
    achieved = rate_text(total.rate(effects.rounding))
    return f"財政効果額は、目標額{target}に対し実績額{actual}（達成率{achieved}）。"


def report_period(data: ReportInput, report: Report) -> str:
    """A report's period in this report's year style: 令和3（2021）年度下半期."""
    return fiscal_year_label(report.fiscal_year, data.report.year_style) + TERMS[report.term]


def comparison_sentence(data: ReportInput, counts: Counts, comparison: Comparison) -> str:
    """前回（…）と比べ、順調に進捗している活動の割合は95%から98%に3ポイント上昇。…"""
    before, now = comparison.on_track_percent, counts.on_track_percent
    if now == before:
        change = f"{now}%で変わらず"
    else:
        change = f"{before}%から{now}%に{abs(now - before)}ポイント{'上昇' if now > before else '低下'}"
    parts = [f"進捗区分が変わった活動は{len(comparison.changed)}"]
    if comparison.new:
        parts.append(f"新規の活動は{len(comparison.new)}")
    if comparison.removed:
        parts.append(f"今回報告のない活動は{len(comparison.removed)}")
    return (
        f"前回（{report_period(data, comparison.report)}）と比べ、順調に進捗している活動の割合は{change}。"
        + "、".join(parts)
        + "。"
    )


def effect_lines(effects: Effects) -> tuple[list[EffectLine], list[EffectLine]]:
    """The effects table's body (a line per perspective) and foot (per kind when both occur, 合計)."""
    r = effects.rounding
    chained = effects.cumulative is not None
    body = [
        EffectLine(
            perspective_label(row.number, row.perspective),
            row.total,
            row.cumulative,
            r,
            label_source(f"perspectives[{row.number}]", row.number, row.perspective),
        )
        for row in effects.rows
    ]
    foot = []
    if len(effects.kinds) > 1:
        for i, kind in enumerate(EFFECT_KINDS):
            cumulative = effects.cumulative_by_kind[i] if effects.cumulative_by_kind else None
            foot.append(EffectLine(f"{kind}計", effects.by_kind[i], cumulative, r))
    foot.append(EffectLine("合計", effects.total, effects.cumulative if chained else None, r))
    return body, foot


def effects_table(effects: Effects) -> Table:
    """【財政効果額】: perspectives, the kinds' totals and 合計 × 目標額, 実績額, 達成率 (and 累計)."""
    columns = EFFECT_COLUMNS + ((EFFECT_CUMULATIVE,) if effects.cumulative is not None else ())
    body, foot = effect_lines(effects)
    return Table.of(columns, body, foot)


def effects_blocks(effects: Effects | None) -> list[Block]:
    """The effects table under its caption (nothing without effects)."""
    if effects is None:
        return []
    kinds = "・".join(effects.kinds)
    return [Caption(f"【財政効果額（{kinds}、単位：{effects.unit}）】"), effects_table(effects)]


def change_line(change: Change) -> str:
    """活動名・・・前回の区分→今回の区分 [事業名]."""
    item = change.item
    return f"{item.activity.name}・・・{change.before}→{item.activity.status} [{item.business.name}]"


def new_line(item: Placed) -> str:
    """（新規）活動名・・・今回の区分 [事業名]."""
    return f"（新規）{item.activity.name}・・・{item.activity.status} [{item.business.name}]"


def removed_line(item: Placed) -> str:
    """（今回報告なし）活動名・・・前回「区分」 [事業名]."""
    return f"（今回報告なし）{item.activity.name}・・・前回「{item.activity.status}」 [{item.business.name}]"


def changes_section(comparison: Comparison) -> list[Block]:
    """Section 4: each changed activity, then the new ones and those no longer reported."""
    blocks: list[Block] = []
    if comparison.changed:
        blocks.append(BulletList(tuple(change_line(c) for c in comparison.changed)))
    else:
        blocks.append(Paragraph(f"{CHANGES_HEADING}はありません。"))
    if comparison.new:
        blocks.append(BulletList(tuple(new_line(item) for item in comparison.new)))
    if comparison.removed:
        blocks.append(BulletList(tuple(removed_line(item) for item in comparison.removed)))
    return blocks


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


def head_blocks(
    number: str | None, title_lines: tuple[str, ...], sources: tuple[Sources, ...] = ()
) -> list[Block]:
    """The document number (when given) and the title block."""
    blocks: list[Block] = [DocNumber(number)] if number else []
    return [*blocks, TitleBlock(title_lines, sources)]


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


def list_entries(
    perspective: Perspective, start: int, counts: Counts | None = None, path: str = ""
) -> list[ListEntry]:
    """One entry per activity of a perspective (at field ``path``), numbered from ``start``."""
    activities = [
        (b, a, f"{path}.businesses[{j}].activities[{k}]" if path else "")
        for j, b in enumerate(perspective.businesses, 1)
        for k, a in enumerate(b.activities, 1)
    ]
    return [ListEntry(n, b, a, counts, p) for n, (b, a, p) in enumerate(activities, start=start)]


def previous_status(entry: ListEntry) -> str:
    """The activity's status in the previous report, or 新規."""
    comparison = entry.counts.comparison if entry.counts else None
    if comparison is None:
        return ""
    return comparison.previous_statuses[entry.number - 1] or "新規"


Piece = tuple[str, str]  # a part of a printed text, and the field it prints ("": gyokaku's words)


def joined(pieces: Sequence[Piece]) -> tuple[str, Sources]:
    """A text made of ``pieces``, with the parts that print a field marked (the Word draft's
    review loop); a field whose value is missing prints 「－」, gyokaku's own."""
    text, sources = "", []
    for piece, path in pieces:
        if path and piece != MISSING:
            sources.append(Source(path, len(text), len(text) + len(piece)))
        text += piece
    return text, tuple(sources)


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else ""


def effect_point(effect: Effect, rate: int | None, path: str = "") -> tuple[str, Sources]:
    """歳出削減 目標6,000 実績4,800（80%）: one effect (the list's note gives the unit); ``path``: the
    activity's, whose ``effect.target`` and ``effect.actual`` the amounts print."""
    return joined(
        [
            (f"{effect.kind} 目標", ""),
            (optional_amount(effect.target), _at(path, "effect.target")),
            (" 実績", ""),
            (optional_amount(effect.actual), _at(path, "effect.actual")),
            (f"（{rate_text(rate)}）", ""),
        ]
    )


def indicator_point(indicator: Indicator, rate: int | None, path: str = "") -> tuple[str, Sources]:
    """解体した棟数 実績3／目標4棟（75%）; ``path``: the indicator's (``…indicators[1]``)."""
    return joined(
        [
            (indicator.name, _at(path, "name")),
            (" 実績", ""),
            (optional_number(indicator.actual), _at(path, "actual")),
            ("／目標", ""),
            (optional_number(indicator.target), _at(path, "target")),
            (f"{indicator.unit or ''}（{rate_text(rate)}）", ""),
        ]
    )


def figure_points(entry: ListEntry) -> Cell:
    """The list's 財政効果額・指標 cell: the effect, then each indicator."""
    rates = entry.counts.rates if entry.counts else {}
    activity, path = entry.activity, entry.path
    points = [effect_point(activity.effect, rates.get(activity.effect), path)] if activity.effect else []
    points += [
        indicator_point(i, rates.get(i), _at(path, f"indicators[{k}]"))
        for k, i in enumerate(activity.indicators, 1)
    ]
    if not points:
        return ""
    return Bullets(tuple(t for t, _ in points), tuple(s for _, s in points) if path else ())


def subtotal_money(subtotal: ListSubtotal) -> str:
    """A perspective's effects in the 小計 row: 目標18,200 実績15,300（84%）."""
    effects = subtotal.counts.effects
    if effects is None:
        return ""
    money = effects.rows[subtotal.row.number - 1].total
    target, actual = money_cell(money.target, money.targets), money_cell(money.actual, money.actuals)
    return f"目標{target} 実績{actual}（{rate_text(money.rate(effects.rounding))}）"


def list_columns(data: ReportInput, counts: Counts) -> tuple[ListColumn, ...]:
    """The list's columns: the format's six, then 前回 (with a previous report) beside 進捗区分 and
    財政効果額・指標 (with effects or indicators), the names and 担当課 giving up width."""
    columns = list(LIST_COLUMNS)
    extra: list[ListColumn] = [LIST_PREVIOUS] if counts.comparison is not None else []
    if any(a.effect or a.indicators for p in data.perspectives for b in p.businesses for a in b.activities):
        extra.append(LIST_FIGURES)
    if not extra:
        return LIST_COLUMNS
    # the added width comes from each column's room above its narrowest, in proportion; past
    # that the table is wider (the writer scales it to the page); the number column keeps its own
    room = {i: columns[i].width - narrowest for i, narrowest in LIST_NARROWEST.items()}
    added = sum(c.width for c in extra)
    given = min(1.0, added / sum(room.values()))
    for i, spare in room.items():
        columns[i] = replace(columns[i], width=columns[i].width - spare * given)
    before = sum(c.width for c in LIST_COLUMNS)
    after = sum(c.width for c in columns) + added
    columns[0] = replace(columns[0], width=columns[0].width * after / before)
    return (*columns, *extra)


def bullets_text(items: tuple[str, ...]) -> str:
    """Points as plain text, each on its own line marked ・ (a workbook cell, Alt+Enter between)."""
    return Bullets(items).text("・")


def activity_points(activity: Activity, path: str = "") -> Cell:
    """取組状況 in the list: the reason first when there is one, then the results."""
    prefix = f"{activity.status}の理由："
    reason = (prefix + activity.reason,) if activity.reason else ()
    points = reason + activity.results
    if not points:
        return ""
    if not path:
        return Bullets(points)
    sources: tuple[Sources, ...] = tuple(
        whole(f"{path}.results[{n}]", r) for n, r in enumerate(activity.results, 1)
    )
    if reason:
        sources = (whole(f"{path}.reason", reason[0], len(prefix)), *sources)
    return Bullets(points, sources)


def status_breakdown(counts: Counts, row: Row) -> str:
    """済 0、概ね順調 6、… — one perspective's activities by status, as in the count table."""
    return "、".join(f"{s.name} {n}" for s, n in zip(counts.statuses, row.counts))


def activity_list(data: ReportInput, counts: Counts) -> Document:
    """資料1-2 活動一覧: every activity by perspective and business, A4 landscape."""
    number = list_number(data)
    title_lines = (plan_title(data), period_label(data) + "取組状況【活動一覧】")
    blocks: list[Block] = head_blocks(number, title_lines, title_sources(data))
    if counts.effects is not None:
        blocks.append(Paragraph(f"※ 財政効果額の単位は{counts.effects.unit}。", "note"))
    start = 1
    for perspective, row in zip(data.perspectives, counts.rows):
        pp = f"perspectives[{row.number}]"
        name = whole(f"{pp}.name", perspective.name)
        blocks.append(
            Heading(
                1,
                perspective.name,
                role="heading2",
                number=row.number,
                number_format=PAREN_NUMBER,
                sources=name,
            )
        )
        entries = list_entries(perspective, start, counts, pp)
        start += len(entries)
        blocks.append(Table.of(list_columns(data, counts), entries, (ListSubtotal(counts, row),)))
    blocks += [Caption("【活動数一覧】"), count_table(counts), *status_legend(counts)]
    blocks += effects_blocks(counts.effects)
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


def activity_sheet(
    data: ReportInput,
    business: Business,
    number: int,
    activity: Activity,
    counts: Counts | None = None,
    path: str = "",
) -> list[Block]:
    """One activity (at field ``path``) on its business's sheet: a heading and a one-row table."""
    title = activity.name
    sources = name_source(path, activity)
    if activity.department and activity.department != business.department:
        title += f"（{activity.department}）"
        if path:
            at = len(activity.name) + 1
            sources += (Source(f"{path}.department", at, at + len(activity.department)),)
    columns = [SHEET_STATUS, *sheet_text_columns(activity, data.status(activity.status))]
    heading = Heading(2, title, role="heading3", number=number, number_format=PAREN_NUMBER, sources=sources)
    table = Table.of(columns, (SheetActivity(activity, path),))
    return [heading, table, *activity_figures(data, counts, activity, path)]


def activity_figures(
    data: ReportInput, counts: Counts | None, activity: Activity, path: str = ""
) -> list[Block]:
    """An activity's effect and indicators as points under its table (nothing when it has neither):
    財政効果額（歳出削減）：目標額6,000千円、実績額4,800千円、達成率80%
    指標「解体した棟数」：目標値4棟、実績値3棟、達成率75%"""
    rates = counts.rates if counts else {}
    unit = data.report.money_unit
    points = []
    effect = activity.effect
    if effect is not None:
        points.append(
            joined(
                [
                    (f"財政効果額（{effect.kind}）：目標額", ""),
                    (optional_amount(effect.target), _at(path, "effect.target")),
                    (f"{unit}、実績額", ""),
                    (optional_amount(effect.actual), _at(path, "effect.actual")),
                    (f"{unit}、達成率{rate_text(rates.get(effect))}", ""),
                ]
            )
        )
    for k, i in enumerate(activity.indicators, 1):
        at, per = _at(path, f"indicators[{k}]"), i.unit or ""
        points.append(
            joined(
                [
                    ("指標「", ""),
                    (i.name, _at(at, "name")),
                    ("」：目標値", ""),
                    (optional_number(i.target), _at(at, "target")),
                    (f"{per}、実績値", ""),
                    (optional_number(i.actual), _at(at, "actual")),
                    (f"{per}、達成率{rate_text(rates.get(i))}", ""),
                ]
            )
        )
    if not points:
        return []
    return [BulletList(tuple(t for t, _ in points), tuple(s for _, s in points) if path else ())]


def business_sheet(
    data: ReportInput,
    perspective: Perspective,
    number: int,
    business: Business,
    counts: Counts | None = None,
    path: str = "",
) -> list[Block]:
    """One business's sheet (the business at field ``path``): its facts in a table, then each activity."""
    facts = Table.of(FACTS_COLUMNS, (SheetFacts(number, perspective, business, path),))
    blocks: list[Block] = [Heading(1, business_label(business), sources=name_source(path, business)), facts]
    for i, activity in enumerate(business.activities, start=1):
        blocks += activity_sheet(
            data, business, i, activity, counts, f"{path}.activities[{i}]" if path else ""
        )
    return blocks


def sheets(data: ReportInput, counts: Counts | None = None) -> Document:
    """資料1-3 個票: one sheet (page) per business, A4 portrait (``counts``: the rates of the
    effects and indicators, aggregated here when the caller gives none and there are any)."""
    if counts is None and any(
        a.effect or a.indicators for p in data.perspectives for b in p.businesses for a in b.activities
    ):
        counts = aggregate(data)
    number = sheets_number(data)
    title_lines = (plan_title(data), period_label(data) + "取組状況【個票】")
    blocks: list[Block] = head_blocks(number, title_lines, title_sources(data))
    first = True
    for n, perspective in enumerate(data.perspectives, start=1):
        for j, business in enumerate(perspective.businesses, start=1):
            if not first:
                blocks.append(PageBreak())
            first = False
            path = f"perspectives[{n}].businesses[{j}]"
            blocks += business_sheet(data, perspective, n, business, counts, path)
    meta = detail_meta(data, number, " ".join(title_lines))
    return Document("sheets", meta, tuple(blocks))
