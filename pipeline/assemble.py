"""Stage 3, assemble: a validated input and its counts → neutral documents.

All wording of the documents lives here; the numbers come from ``aggregate``.
"""

from __future__ import annotations

from .aggregate import Counts, Delayed
from .docmodel import (
    Block,
    BulletList,
    Caption,
    Chart,
    DocNumber,
    Document,
    Heading,
    Meta,
    Paragraph,
    Slice,
    Table,
    TitleBlock,
)
from .era import fiscal_year_label
from .model import TERMS, Business, ReportInput


def perspective_label(number: int, name: str) -> str:
    """（1）民間活力の活用: full-width brackets, half-width digits, as 公用文 numbers a level."""
    return f"（{number}）{name}"


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
    on_track = [(s.name, n) for s, n in counts.by_status() if s.on_track and n > 0]
    status_sentence = "活動の状況は、"
    if on_track:
        status_sentence += join_counts(on_track) + "、"
    status_sentence += f"全体の{counts.on_track_percent}%は順調に進捗。"
    others = [(s.name, n) for s, n in counts.by_status() if not s.on_track and n > 0]
    if others:
        last = join_counts(others) + "。"
    else:
        names = "・".join(f"「{s.name}」" for s in counts.statuses if s.delayed) or "「遅れ」"
        last = f"{names}の活動はなし。"
    return first, status_sentence, last


def delayed_heading(counts: Counts) -> str:
    """「遅れ」とした取組 — named after the statuses flagged as delayed."""
    names = "・".join(f"「{s.name}」" for s in counts.statuses if s.delayed) or "「遅れ」"
    return f"{names}とした取組"


def count_table(counts: Counts) -> Table:
    """【活動数一覧】: perspectives × statuses with row and column totals."""
    header = ("取組の視点", *(s.name for s in counts.statuses), "合計")
    rows = tuple(
        (perspective_label(r.number, r.perspective), *map(str, r.counts), str(r.total)) for r in counts.rows
    )
    totals = (("合計", *map(str, counts.column_totals), str(counts.activities)),)
    n = len(counts.statuses)
    return Table(
        header=(header,),
        rows=rows,
        totals=totals,
        widths=(3.6, *([1.0] * n), 1.0),
        align=("left", *(["right"] * (n + 1))),
    )


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
        blocks.append(Heading(2, perspective_label(number, perspective.name)))
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
        blocks.append(Heading(3, delayed_title(item)))
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
        Heading(1, "1 進捗状況" + detail_reference(details)),
        BulletList(progress_sentences(counts)),
        Caption(f"【活動数内訳 合計{counts.activities}】"),
        count_chart(counts),
        Caption("【活動数一覧】"),
        count_table(counts),
        Heading(1, "2 主な事業の取組状況" + sheets_ref),
        *highlights_section(data),
        Heading(1, f"3 {delayed_heading(counts)}" + sheets_ref),
        *delayed_section(counts),
    ]
    return Document("summary", summary_meta(data, " ".join(title_lines)), tuple(blocks))
