"""The Additions read back from both formats: 財政効果額, 指標, and the comparison with the previous
report (issue 10). Every expected figure is computed here from the YAML (PyYAML and plain
arithmetic in fractions), never by ``aggregate``; the documents are built through the CLI and read
with pdfplumber (PDF) and the DOCX XML (Word)."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pdfplumber
import pytest

from .conftest import (
    ROOT,
    activities,
    build,
    docx_tables,
    docx_text,
    load_yaml,
    norm,
    pdf_text,
    statuses,
)

SAMPLE = ROOT / "inputs" / "aoba-2022-h2.yaml"
KINDS = ("歳出削減", "歳入確保")


# --- independent derivations ---------------------------------------------------------------------


def chain(path: Path) -> list[dict]:
    """The report and every earlier one its ``report.previous`` names, newest first."""
    out = []
    here: Path | None = path
    while here is not None and here.exists():
        data = load_yaml(here)
        out.append(data)
        previous = data["report"].get("previous")
        here = here.parent / previous if previous else None
    return out


def percent(part: float, whole: float, rounding: str | None) -> str:
    """達成率 as the documents print it; － when undefined."""
    if whole == 0:
        return "－"
    share = Fraction(100) * Fraction(str(part)) / Fraction(str(whole))
    return f"{math.floor(share) if rounding == 'down' else math.floor(share + Fraction(1, 2))}%"


def money(n: int) -> str:
    return f"▲{-n:,}" if n < 0 else f"{n:,}"


def effect_line(label: str, effects: list[dict], cumulative: int | None, rounding: str | None) -> list[str]:
    """One row of the effects table from the effects it adds up."""
    targets = [e["target"] for e in effects if "target" in e]
    actuals = [e["actual"] for e in effects if "actual" in e]
    target, actual = sum(targets), sum(actuals)
    rate = percent(actual, target, rounding) if targets and actuals else "－"
    row = [label, money(target) if targets else "－", money(actual) if actuals else "－", rate]
    if cumulative is not None:
        row.append("－" if not cumulative and not actuals else money(cumulative))
    return row


def expected_effects(path: Path) -> list[list[str]]:
    """【財政効果額】: header, a row per perspective, per kind when both occur, 合計."""
    data, *earlier = chain(path)
    rounding = data["report"].get("rounding")
    with_previous = "previous" in data["report"]
    done: dict[str, int] = {}
    done_kind: dict[str, int] = {}
    for old in earlier:
        for p, _, a in activities(old):
            if "effect" in a and "actual" in a["effect"]:
                done[p["name"]] = done.get(p["name"], 0) + a["effect"]["actual"]
                done_kind[a["effect"]["kind"]] = done_kind.get(a["effect"]["kind"], 0) + a["effect"]["actual"]
    header = ["取組の視点", "目標額", "実績額", "達成率"] + (["累計"] if with_previous else [])
    rows = [header]
    every: list[dict] = []
    for i, p in enumerate(data["perspectives"], start=1):
        effects = [a["effect"] for b in p["businesses"] for a in b["activities"] if "effect" in a]
        every += effects
        now = sum(e.get("actual", 0) for e in effects)
        cumulative = now + done.get(p["name"], 0) if with_previous else None
        rows.append(effect_line(f"（{i}）{p['name']}", effects, cumulative, rounding))
    kinds = [k for k in KINDS if any(e["kind"] == k for e in every)]
    if len(kinds) > 1:
        for kind in KINDS:
            effects = [e for e in every if e["kind"] == kind]
            now = sum(e.get("actual", 0) for e in effects)
            cumulative = now + done_kind.get(kind, 0) if with_previous else None
            rows.append(effect_line(f"{kind}計", effects, cumulative, rounding))
    total = sum(e.get("actual", 0) for e in every)
    rows.append(effect_line("合計", every, total + sum(done.values()) if with_previous else None, rounding))
    return rows


def match(data: dict, previous: dict) -> tuple[list[tuple[tuple, tuple | None]], list[tuple]]:
    """Activities paired by id when both have one, else by names; the previous ones left over."""
    before = activities(previous)
    used: set[int] = set()
    pairs = []
    for p, b, a in activities(data):
        found = None
        for j, (pp, bb, aa) in enumerate(before):
            if j in used:
                continue
            if "id" in a and "id" in aa:
                same = a["id"] == aa["id"]
            else:
                same = (pp["name"], bb["name"], aa["name"]) == (p["name"], b["name"], a["name"])
            if same:
                found = j
                break
        if found is not None:
            used.add(found)
        pairs.append(((p, b, a), before[found] if found is not None else None))
    return pairs, [x for j, x in enumerate(before) if j not in used]


def column_counts(data: dict, names: list[str]) -> list[int]:
    counts = {n: 0 for n in names}
    for *_, a in activities(data):
        if a["status"] in counts:
            counts[a["status"]] += 1
    return [counts[n] for n in names]


# --- the sample, built once ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("aoba")
    code, output = build(["build", str(SAMPLE), "--out", str(out)])
    assert code == 0, output
    return out


@pytest.fixture(scope="module")
def data() -> dict:
    return load_yaml(SAMPLE)


@pytest.fixture(scope="module")
def previous(data: dict) -> dict:
    return load_yaml(SAMPLE.parent / data["report"]["previous"])


def pdf_tables(path: Path) -> list[list[list[str]]]:
    with pdfplumber.open(path) as pdf:
        return [[[c or "" for c in row] for row in t] for page in pdf.pages for t in page.extract_tables()]


def tables(built: Path, name: str, fmt: str) -> list[list[list[str]]]:
    path = built / f"{name}.{fmt}"
    return pdf_tables(path) if fmt == "pdf" else docx_tables(path)


def text(built: Path, name: str, fmt: str) -> str:
    path = built / f"{name}.{fmt}"
    return pdf_text(path) if fmt == "pdf" else docx_text(path)


def normed(table: list[list[str]]) -> list[list[str]]:
    return [[norm(c) for c in row] for row in table]


FORMATS = ["pdf", "docx"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_effects_table_cells(built: Path, fmt: str) -> None:
    expected = normed(expected_effects(SAMPLE))
    found = [t for t in tables(built, "aoba-2022-h2", fmt) if t and norm(t[0][1]) == "目標額"]
    assert [normed(t) for t in found] == [expected]


@pytest.mark.parametrize("fmt", FORMATS)
def test_effects_caption_and_bullet(built: Path, data: dict, fmt: str) -> None:
    every = [a["effect"] for *_, a in activities(data) if "effect" in a]
    target = sum(e.get("target", 0) for e in every)
    actual = sum(e.get("actual", 0) for e in every)
    rate = percent(actual, target, data["report"].get("rounding"))
    unit = data["report"].get("money_unit", "千円")
    body = norm(text(built, "aoba-2022-h2", fmt))
    assert norm(f"財政効果額は、目標額{target:,}{unit}に対し実績額{actual:,}{unit}（達成率{rate}）。") in body
    kinds = "・".join(k for k in KINDS if any(e["kind"] == k for e in every))
    assert norm(f"【財政効果額（{kinds}、単位：{unit}）】") in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_count_table_has_previous_and_difference_rows(
    built: Path, data: dict, previous: dict, fmt: str
) -> None:
    names = [s["name"] for s in statuses(data)]
    now, before = column_counts(data, names), column_counts(previous, names)
    expected_previous = ["前回", *map(str, before), str(len(activities(previous)))]
    differences = [money(a - b) for a, b in zip(now, before)]
    expected_change = ["増減", *differences, money(len(activities(data)) - len(activities(previous)))]
    assert any(n < 0 for n in (a - b for a, b in zip(now, before)))  # the sample shows a ▲
    for name in ("aoba-2022-h2", "aoba-2022-h2-list"):
        table = next(
            t for t in tables(built, name, fmt) if t and norm(t[0][0]) == "取組の視点" and len(t[0]) > 5
        )
        assert normed(table[-2:]) == normed([expected_previous, expected_change])


@pytest.mark.parametrize("fmt", FORMATS)
def test_changed_new_and_removed_activities(built: Path, data: dict, previous: dict, fmt: str) -> None:
    pairs, removed = match(data, previous)
    lines = [
        f"{a['name']}・・・{old[2]['status']}→{a['status']} [{b['name']}]"
        for (_, b, a), old in pairs
        if old is not None and old[2]["status"] != a["status"]
    ]
    lines += [
        f"（新規）{a['name']}・・・{a['status']} [{b['name']}]" for (_, b, a), old in pairs if old is None
    ]
    lines += [f"（今回報告なし）{a['name']}・・・前回「{a['status']}」 [{b['name']}]" for _, b, a in removed]
    assert len(lines) >= 4 and removed
    body = norm(text(built, "aoba-2022-h2", fmt))
    section = body[body.index(norm("前回から進捗区分が変わった取組")) :]
    at = 0
    for line in lines:
        at = section.index(norm(line), at) + 1
    # a renamed activity that kept its id is matched, not new
    renamed = [a for (_, _, a), old in pairs if old is not None and old[2]["name"] != a["name"]]
    assert renamed and all(norm(f"（新規）{a['name']}") not in body for a in renamed)


@pytest.mark.parametrize("fmt", FORMATS)
def test_on_track_change_sentence(built: Path, data: dict, previous: dict, fmt: str) -> None:
    def share(d: dict) -> int:
        on = {s["name"] for s in statuses(d) if s.get("on_track")}
        acts = activities(d)
        return math.floor(
            Fraction(100 * sum(a["status"] in on for *_, a in acts), len(acts)) + Fraction(1, 2)
        )

    now, before = share(data), share(previous)
    assert now > before
    body = norm(text(built, "aoba-2022-h2", fmt))
    assert norm("前回（令和4（2022）年度上半期）と比べ、") in body
    assert norm(f"{before}%から{now}%に{now - before}ポイント上昇") in body


def figure_points(a: dict, rounding: str | None) -> list[str]:
    """The list's 財政効果額・指標 points of an activity."""
    points = []
    if "effect" in a:
        e = a["effect"]
        target, actual = e.get("target"), e.get("actual")
        rate = percent(actual, target, rounding) if target is not None and actual is not None else "－"
        shown = [money(v) if v is not None else "－" for v in (target, actual)]
        points.append(f"{e['kind']} 目標{shown[0]} 実績{shown[1]}（{rate}）")
    for i in a.get("indicators", []):
        rate = percent(i["actual"], i["target"], rounding) if "actual" in i and "target" in i else "－"
        points.append(f"{i['name']} 実績{i['actual']:,}／目標{i['target']:,}{i.get('unit', '')}（{rate}）")
    return points


@pytest.mark.parametrize("fmt", FORMATS)
def test_list_previous_and_figures_columns(built: Path, data: dict, previous: dict, fmt: str) -> None:
    rounding = data["report"].get("rounding")
    pairs, _ = match(data, previous)
    found = [normed(t) for t in tables(built, "aoba-2022-h2-list", fmt) if t and norm(t[0][0]) == "No."]
    rows = [row for t in found for row in t[1:] if row[0].isdigit()]
    header = found[0][0]
    at = {name: header.index(norm(name)) for name in ("進捗区分", "前回", "財政効果額・指標")}
    assert at["前回"] == at["進捗区分"] + 1
    assert len(rows) == len(pairs)
    for row, ((_, _, a), old) in zip(rows, pairs):
        assert row[at["前回"]] == (old[2]["status"] if old else "新規")
        assert row[at["財政効果額・指標"]] == norm("".join("・" + p for p in figure_points(a, rounding)))


def header_cells(path: Path) -> dict[str, tuple[float, str]]:
    """The list PDF's first table: each header's column width and its activities' raw texts."""
    with pdfplumber.open(path) as pdf:
        table = pdf.pages[0].find_tables()[0]
        texts = table.extract()
        widths = [cell[2] - cell[0] for cell in table.rows[0].cells]
        return {
            (head or "").replace("\n", ""): (
                width,
                "|".join(row[j] or "" for row in texts[1:] if (row[0] or "").isdigit()),
            )
            for j, (head, width) in enumerate(zip(texts[0], widths))
        }


def test_added_list_columns_take_width_from_the_names_not_the_results(
    built: Path, sample_dir: Path, data: dict
) -> None:
    """取組状況's lines make a row's height: the Additions' columns leave its width as it was,
    and the status columns hold a status on one line."""
    plain = header_cells(sample_dir / "hiratsuka-2022-h1-list.pdf")
    added = header_cells(built / "aoba-2022-h2-list.pdf")
    assert {"前回", "財政効果額・指標"} <= added.keys()
    assert added["取組状況"][0] >= 0.97 * plain["取組状況"][0]
    assert added["活動名"][0] < plain["活動名"][0]
    for name in ("進捗区分", "前回"):
        cells = added[name][1].split("|")
        assert cells and all(cell and "\n" not in cell for cell in cells), (name, cells)


@pytest.mark.parametrize("fmt", FORMATS)
def test_sheets_effects_and_indicators(built: Path, data: dict, fmt: str) -> None:
    rounding = data["report"].get("rounding")
    unit = data["report"].get("money_unit", "千円")
    lines = []
    for *_, a in activities(data):
        if "effect" in a:
            e = a["effect"]
            target, actual = e.get("target"), e.get("actual")
            rate = percent(actual, target, rounding) if target is not None and actual is not None else "－"
            shown = [money(v) if v is not None else "－" for v in (target, actual)]
            lines.append(
                f"財政効果額（{e['kind']}）：目標額{shown[0]}{unit}、実績額{shown[1]}{unit}、達成率{rate}"
            )
        for i in a.get("indicators", []):
            rate = percent(i["actual"], i["target"], rounding) if "actual" in i and "target" in i else "－"
            u = i.get("unit", "")
            lines.append(
                f"指標「{i['name']}」：目標値{i['target']:,}{u}、実績値{i['actual']:,}{u}、達成率{rate}"
            )
    assert any(line.endswith("－") for line in lines)  # the sample has a target of 0
    body = norm(text(built, "aoba-2022-h2-sheets", fmt))
    at = 0
    for line in lines:
        at = body.index(norm(line), at) + 1


# --- bad input: refused with file, line, column and field; warnings ----------------------------

BASE = """\
format: 1
plan:
  organization: 青葉市
  title: 青葉市行財政改革プラン
  period: [2021, 2024]
report:
  fiscal_year: {year}
  term: {term}
{report}perspectives:
  - name: 歳出の見直し
    businesses:
      - name: 事務事業の見直し
        activities:
{activities}"""

ACTIVITY = """\
          - name: {name}
            status: {status}
{extra}"""


EFFECT = (
    "            effect:\n              kind: 歳出削減\n"
    "              target: {target}\n              actual: {actual}\n"
)


def plan_text(
    activities: str = "",
    report: str = "",
    year: int = 2022,
    term: str = "second_half",
    title: str | None = None,
) -> str:
    text = BASE.format(year=year, term=term, report=report, activities=activities or activity())
    return text if title is None else text.replace("青葉市行財政改革プラン", title)


def activity(name: str = "補助金の見直し", status: str = "概ね順調", extra: str = "") -> str:
    return ACTIVITY.format(name=name, status=status, extra=extra)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def check(path: Path) -> tuple[int, str]:
    return build(["check", str(path)])


@pytest.mark.parametrize(
    ("extra", "where", "words"),
    [
        (
            "            effect:\n              kind: 歳出増加\n",
            "activities[1].effect.kind:17:21",
            "歳出増加",
        ),
        (
            "            effect:\n              kind: 歳出削減\n              target: -5\n",
            ".effect.target:18:23",
            "負の数",
        ),
        (
            "            effect:\n              kind: 歳出削減\n              actual: 12.5\n",
            ".effect.actual:18:23",
            "整数",
        ),
        ("            effect:\n              target: 5\n", ".effect.kind:17:15", "kind"),
        (
            "            indicators:\n              - name: 棟数\n                target: 三\n",
            ".indicators[1].target:18:25",
            "数値",
        ),
        ("            indicators: []\n", ".indicators:16:25", "指標"),
    ],
)
def test_bad_effect_and_indicator_values_are_located(
    tmp_path: Path, extra: str, where: str, words: str
) -> None:
    path = write(tmp_path / "plan.yaml", plan_text(activity(extra=extra)))
    code, output = check(path)
    assert code == 2, output
    field, line, column = where.rsplit(":", 2)
    located = next(x for x in output.splitlines() if f"{path}:{line}:{column}:" in x)
    assert field in located and words in located


def test_two_activities_with_one_id(tmp_path: Path) -> None:
    text = plan_text(
        activity("甲", extra="            id: X-1\n") + activity("乙", extra="            id: X-1\n")
    )
    path = write(tmp_path / "plan.yaml", text)
    code, output = check(path)
    assert code == 2
    assert f"{path}:19:17: perspectives[1].businesses[1].activities[2].id:" in output
    assert "activities[1].id" in output  # the first place is named


def test_money_unit_must_be_one_of_three(tmp_path: Path) -> None:
    path = write(tmp_path / "plan.yaml", plan_text(report="  money_unit: 万円\n"))
    code, output = check(path)
    assert code == 2
    assert f"{path}:9:15: report.money_unit:" in output and "百万円" in output


def test_target_zero_with_an_actual_prints_a_dash(tmp_path: Path) -> None:
    extra = EFFECT.format(target=0, actual=300)
    path = write(tmp_path / "plan.yaml", plan_text(activity(extra=extra)))
    out = tmp_path / "out"
    code, output = build(["build", str(path), "--out", str(out), "--only", "summary", "--format", "pdf"])
    assert code == 0, output
    body = norm(pdf_text(out / "plan.pdf"))
    assert norm("目標額0千円に対し実績額300千円（達成率－）") in body


def previous_pair(tmp_path: Path, previous_text: str, name: str = "old.yaml") -> Path:
    write(tmp_path / name, previous_text)
    return write(tmp_path / "new.yaml", plan_text(report=f"  previous: {name}\n"))


@pytest.mark.parametrize(
    ("previous_text", "words"),
    [
        (None, "見つかりません"),
        (plan_text(title="別の計画"), "別の計画"),
        (plan_text(year=2023, term="first_half"), "より後の期間"),
        ("format: 1\nplan: [\n", "YAML"),
    ],
    ids=["missing", "another-plan", "later", "broken"],
)
def test_bad_previous_is_refused_naming_both_files(
    tmp_path: Path, previous_text: str | None, words: str
) -> None:
    if previous_text is None:
        path = write(tmp_path / "new.yaml", plan_text(report="  previous: old.yaml\n"))
    else:
        path = previous_pair(tmp_path, previous_text)
    code, output = check(path)
    assert code == 2, output
    assert f"{path}:9:13: report.previous:" in output
    assert str(tmp_path / "old.yaml") in output and words in output
    assert "Traceback" not in output


def test_previous_that_is_this_file_or_a_loop(tmp_path: Path) -> None:
    path = write(tmp_path / "new.yaml", plan_text(report="  previous: ./new.yaml\n"))
    code, output = check(path)
    assert code == 2 and f"{path}:9:13: report.previous:" in output and "このファイル自身" in output
    write(tmp_path / "a.yaml", plan_text(report="  previous: b.yaml\n", term="first_half"))
    write(tmp_path / "b.yaml", plan_text(report="  previous: a.yaml\n", term="first_half"))
    code, output = check(tmp_path / "a.yaml")
    assert code == 2 and "循環" in output and str(tmp_path / "b.yaml") in output


def test_a_missing_file_further_back_ends_the_chain_with_a_warning(tmp_path: Path) -> None:
    from pipeline.load import load

    effect = EFFECT.replace("{target}", "100").replace("{actual}", "{n}")
    write(
        tmp_path / "old.yaml",
        plan_text(activity(extra=effect.format(n=30)), "  previous: gone.yaml\n", term="first_half"),
    )
    path = write(
        tmp_path / "new.yaml", plan_text(activity(extra=effect.format(n=50)), "  previous: old.yaml\n")
    )
    data = load(path)
    assert data.previous is not None and data.previous.previous is None
    assert [w.path for w in data.warnings] == ["report.previous"]
    assert "gone.yaml" in str(data.warnings[0]) and str(data.warnings[0]).startswith(
        f"{tmp_path / 'old.yaml'}:9:13:"
    )
    assert expected_effects(path)[-1][-1] == "80"  # 累計: both periods' actuals
    out = tmp_path / "out"
    code, output = build(["build", str(path), "--out", str(out), "--only", "summary", "--format", "docx"])
    assert code == 0, output
    table = next(t for t in docx_tables(out / "new.docx") if t and norm(t[0][1]) == "目標額")
    assert normed(table) == normed(expected_effects(path))


def test_a_renamed_activity_without_id_is_new_and_removed_and_warned(tmp_path: Path) -> None:
    from pipeline.load import load

    write(tmp_path / "old.yaml", plan_text(activity("補助金の見直し"), term="first_half"))
    path = write(tmp_path / "new.yaml", plan_text(activity("市単独補助金の見直し"), "  previous: old.yaml\n"))
    data = load(path)
    assert len(data.warnings) == 1
    warning = data.warnings[0]
    assert (warning.loc.file, warning.loc.line, warning.loc.column) == (str(path), 15, 13)
    assert warning.path == "perspectives[1].businesses[1].activities[1]"
    assert "市単独補助金の見直し" in warning.message and "補助金の見直し" in warning.message
    out = tmp_path / "out"
    code, output = build(["build", str(path), "--out", str(out), "--only", "summary", "--format", "pdf"])
    assert code == 0, output
    located = f"警告: {path}:15:13: perspectives[1].businesses[1].activities[1]: "
    assert located in output, "build prints the loader's warning, located"
    code, checked = build(["check", str(path)])
    assert code == 0 and located in checked, "check says what build warns about"
    body = norm(pdf_text(out / "new.pdf"))
    assert norm("（新規）市単独補助金の見直し・・・概ね順調") in body
    assert norm("（今回報告なし）補助金の見直し・・・前回「概ね順調」") in body
    # with the same id on both sides it is one activity, and no warning
    write(
        tmp_path / "old.yaml",
        plan_text(activity("補助金の見直し", extra="            id: A-1\n"), term="first_half"),
    )
    path = write(
        tmp_path / "new.yaml",
        plan_text(activity("市単独補助金の見直し", extra="            id: A-1\n"), "  previous: old.yaml\n"),
    )
    assert load(path).warnings == ()
