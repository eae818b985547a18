"""gyokaku import: filled workbooks back into YAML, every refusal located, the round trip.

Workbooks are filled the way a person would (openpyxl writes the cells; one is saved through
LibreOffice). Expected data comes from the input YAML read with PyYAML.
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.cli import SAMPLE
from pipeline.intake import bullets, read_workbooks
from pipeline.intake import locate as located
from pipeline.load import load

from .conftest import build, load_yaml
from .test_workbook import PLANS, convert, make, plan_rows

STATUS_COLUMN = "G"
TEST_PLANS = [SAMPLE, *sorted(PLANS.glob("*.yaml"))]  # every test plan, as they are added


def period(plan: Path) -> list[str]:
    report = load_yaml(plan)["report"]
    return ["--fiscal-year", str(report["fiscal_year"]), "--term", report["term"]]


def import_(plan: Path, books: list[Path], out: Path | None, *extra: str) -> tuple[int, str]:
    args = ["import", str(plan), *map(str, books), *period(plan), *extra]
    if out is not None:
        args += ["--out", str(out)]
    return build(args)


def column(ws: Worksheet, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def fill(book: Path, change: Callable[[Worksheet], None] | None = None) -> None:
    """Type each activity's previous status into 進捗区分, then apply ``change``; save."""
    wb = load_workbook(book)
    ws = wb["入力"]
    previous, status = column(ws, "前回の進捗区分"), column(ws, "進捗区分")
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 1).value:
            ws.cell(row, status).value = ws.cell(row, previous).value
    if change is not None:
        change(ws)
    wb.save(book)


def row_of(ws: Worksheet, ident: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == ident)


def with_ids(data: dict[str, Any]) -> dict[str, Any]:
    """What the import writes: the input, plus the derived id of every activity without one."""
    out = copy.deepcopy(data)
    for p, perspective in enumerate(out["perspectives"], start=1):
        for b, business in enumerate(perspective["businesses"], start=1):
            for a, activity in enumerate(business["activities"], start=1):
                activity.setdefault("id", f"P{p}-B{b}-A{a}")
    return out


def without_id_lines(text: str) -> str:
    return "".join(
        line for line in text.splitlines(keepends=True) if not re.match(r"\s*id: P\d+-B\d+-A\d+$", line)
    )


@pytest.fixture(scope="module")
def filled_books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's department workbooks, each with the previous statuses typed in (made once)."""
    out = tmp_path_factory.mktemp("filled") / "books"
    code, output = make(SAMPLE, out)
    assert code == 0, output
    for book in out.glob("*.xlsx"):
        fill(book)
    return out


@pytest.fixture
def books(filled_books: Path, tmp_path: Path) -> Path:
    """A copy of the filled workbooks for one test to change."""
    out = tmp_path / "books"
    out.mkdir()
    for book in filled_books.glob("*.xlsx"):
        shutil.copyfile(book, out / book.name)
    return out


# --- the round trip -------------------------------------------------------------------------------


@pytest.mark.parametrize("plan", TEST_PLANS, ids=lambda p: p.stem)
def test_round_trip_reproduces_the_input(plan: Path, tmp_path: Path) -> None:
    code, output = make(plan, tmp_path / "books")
    assert code == 0, output
    workbooks = sorted((tmp_path / "books").glob("*.xlsx"))
    for book in workbooks:
        fill(book)
    new = tmp_path / "new.yaml"
    code, output = import_(plan, workbooks, new)
    assert code == 0, output
    assert yaml.safe_load(new.read_text(encoding="utf-8")) == with_ids(load_yaml(plan))
    # comments, key order, quoting and block scalars kept: the text is the input's (plus ids)
    assert without_id_lines(new.read_text(encoding="utf-8")) == plan.read_text(encoding="utf-8")
    code, output = build(["check", str(new)])
    assert code == 0, output
    if plan.stem.startswith("odawara"):  # and the documents are made as usual (one, to keep it quick)
        code, output = build(
            ["build", str(new), "--out", str(tmp_path / "out"), "--only", "summary", "--format", "pdf"]
        )
        assert code == 0 and (tmp_path / "out" / "new.pdf").exists(), output


def test_one_workbook_with_everything_round_trips(tmp_path: Path) -> None:
    code, output = make(SAMPLE, tmp_path / "books", "--one")
    assert code == 0, output
    every = tmp_path / "books" / "全課.xlsx"
    fill(every)
    new = tmp_path / "new.yaml"
    code, output = import_(SAMPLE, [every], new)
    assert code == 0, output
    assert yaml.safe_load(new.read_text(encoding="utf-8")) == with_ids(load_yaml(SAMPLE))


def test_workbook_saved_by_libreoffice_imports(tmp_path: Path) -> None:
    plan = PLANS / "kamakura-2019-full.yaml"
    code, output = make(plan, tmp_path / "books", "--one")
    assert code == 0, output
    every = tmp_path / "books" / "全課.xlsx"
    first = plan_rows(load_yaml(plan))[0]["id"]

    def entries(ws: Worksheet) -> None:
        r = row_of(ws, first)
        ws.cell(r, column(ws, "進捗区分")).value = "未実施"
        ws.cell(r, column(ws, "取組状況")).value = "・説明会を開催。\n・資料を\n\u3000公開。"

    fill(every, entries)
    saved = tmp_path / "lo"
    saved.mkdir()
    resaved = convert(every, "xlsx:Calc MS Excel 2007 XML", saved)
    new = tmp_path / "new.yaml"
    code, output = import_(plan, [resaved], new)
    assert code == 0, output
    activity = load_yaml(new)["perspectives"][0]["businesses"][0]["activities"][0]
    assert activity["status"] == "未実施"
    assert activity["results"] == ["説明会を開催。", "資料を\n公開。"]


def test_rows_resorted_hidden_filtered_and_blank_rows_still_match(books: Path, tmp_path: Path) -> None:
    book = books / "行政総務課.xlsx"
    data = load_yaml(SAMPLE)
    mine = [r for r in plan_rows(data) if r["department"] == "行政総務課"]
    statuses = ["済", "遅れ", "未着手", "休止"]

    def shuffle(ws: Worksheet) -> None:
        width = ws.max_column
        rows = [[ws.cell(r, c).value for c in range(1, width + 1)] for r in range(2, ws.max_row + 1)]
        rows.reverse()
        for r, values in enumerate(rows, start=2):
            for c, value in enumerate(values, start=1):
                ws.cell(r, c).value = value
        for n, entry in enumerate(mine):  # a distinct status and result per activity
            r = row_of(ws, entry["id"])
            ws.cell(r, column(ws, "進捗区分")).value = statuses[n % len(statuses)]
            ws.cell(r, column(ws, "取組状況")).value = f"{entry['id']} の取組"
        ws.insert_rows(3, 2)  # blank rows
        ws.row_dimensions[5].hidden = True
        ws.auto_filter.add_filter_column(6, ["概ね順調"])

    fill(book, shuffle)
    new = tmp_path / "new.yaml"
    code, output = import_(SAMPLE, sorted(books.glob("*.xlsx")), new)
    assert code == 0, output
    got = {r["id"]: r["activity"] for r in plan_rows(load_yaml(new))}
    for n, entry in enumerate(mine):
        assert got[entry["id"]]["status"] == statuses[n % len(statuses)]
        assert got[entry["id"]]["results"] == [f"{entry['id']} の取組"]
        assert got[entry["id"]]["name"] == entry["activity"]["name"]


def test_spaces_and_character_width_in_a_status_are_accepted(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "perspectives:\n",
        "statuses:\n  - name: A評価\n    on_track: true\n  - name: 済\n  - name: 概ね順調\n"
        "  - name: 遅れ\n    delayed: true\n  - name: 未着手\n  - name: 休止\n\nperspectives:\n",
        1,
    )
    plan.write_text(text, encoding="utf-8")
    code, output = make(plan, tmp_path / "books", "--one")
    assert code == 0, output
    every = tmp_path / "books" / "全課.xlsx"
    first, second = (r["id"] for r in plan_rows(load_yaml(plan))[:2])

    def typed(ws: Worksheet) -> None:
        ws.cell(row_of(ws, first), column(ws, "進捗区分")).value = "　Ａ評価 "  # full-width A, spaces
        ws.cell(row_of(ws, second), column(ws, "進捗区分")).value = " 概ね 順調\u3000"

    fill(every, typed)
    new = tmp_path / "new.yaml"
    code, output = import_(plan, [every], new)
    assert code == 0, output
    got = {r["id"]: r["activity"]["status"] for r in plan_rows(load_yaml(new))}
    assert (got[first], got[second]) == ("A評価", "概ね順調")


def test_bullets_one_a_line_continued_by_an_indent() -> None:
    assert bullets("・一つ目\n・二つ目\n\u3000二つ目の続き\n\n三つ目") == (
        "一つ目",
        "二つ目\n二つ目の続き",
        "三つ目",
    )
    assert bullets("a\nb") == ("a", "b")
    assert bullets("・・中黒で始まる") == ("・中黒で始まる",)


def test_a_new_period_updates_the_report_and_drops_the_old_date(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        SAMPLE.read_text(encoding="utf-8").replace(
            "  term: first_half\n", "  term: first_half\n  date: 2022-10-31\n"
        ),
        encoding="utf-8",
    )
    args = ["--fiscal-year", "2022", "--term", "second_half"]
    code, output = build(["workbook", str(plan), *args, "--out", str(tmp_path / "books"), "--one"])
    assert code == 0, output
    every = tmp_path / "books" / "全課.xlsx"
    fill(every)
    new = tmp_path / "new.yaml"
    code, output = build(["import", str(plan), str(every), *args, "--out", str(new)])
    assert code == 0, output
    report = load_yaml(new)["report"]
    assert (report["fiscal_year"], report["term"]) == (2022, "second_half")
    assert "date" not in report and "report.date" in output
    assert report["previous"] == "plan.yaml"  # the new report compares with the one it came from


# --- refusals: located, nothing written ------------------------------------------------------------


def refused(books_dir: Path, tmp_path: Path, *extra: str, books: list[Path] | None = None) -> str:
    new = tmp_path / "new.yaml"
    code, output = import_(SAMPLE, books or sorted(books_dir.glob("*.xlsx")), new, *extra)
    assert code == 2, output
    assert not new.exists(), "nothing may be written when anything is refused"
    assert "Traceback" not in output
    return output


def test_empty_and_unknown_statuses_are_refused_with_their_cells(books: Path, tmp_path: Path) -> None:
    mine = [r["id"] for r in plan_rows(load_yaml(SAMPLE)) if r["department"] == "財政課"]
    rows: dict[str, int] = {}

    def bad(ws: Worksheet) -> None:
        rows["empty"], rows["unknown"] = row_of(ws, mine[0]), row_of(ws, mine[1])
        ws.cell(rows["empty"], column(ws, "進捗区分")).value = None
        ws.cell(rows["unknown"], column(ws, "進捗区分")).value = "遅延"

    fill(books / "財政課.xlsx", bad)
    output = refused(books, tmp_path)
    assert f"財政課.xlsx 入力!{STATUS_COLUMN}{rows['empty']}: 進捗区分が空です" in output
    assert f"財政課.xlsx 入力!{STATUS_COLUMN}{rows['unknown']}: 「遅延」は進捗区分にありません" in output
    assert "済、概ね順調、遅れ、未着手、休止" in output


def test_unknown_and_duplicated_ids_are_refused(books: Path, tmp_path: Path) -> None:
    mine = [r["id"] for r in plan_rows(load_yaml(SAMPLE)) if r["department"] == "市民課"]
    at: dict[str, int] = {}

    def bad(ws: Worksheet) -> None:
        at["changed"] = row_of(ws, mine[0])
        ws.cell(at["changed"], 1).value = "P9-B9-A9"
        source = row_of(ws, mine[1])
        at["copy"] = ws.max_row + 1
        for c in range(1, ws.max_column + 1):
            ws.cell(at["copy"], c).value = ws.cell(source, c).value
        at["first"] = source

    fill(books / "市民課.xlsx", bad)
    output = refused(books, tmp_path)
    assert f"市民課.xlsx 入力!A{at['changed']}: 活動ID「P9-B9-A9」はこの計画にありません" in output
    assert (
        f"市民課.xlsx 入力!A{at['copy']}: 活動ID「{mine[1]}」の行が2つあります"
        f"（もう一つは 入力!A{at['first']}）" in output
    )
    # the changed ID's activity has no row now
    assert f"市民課.xlsx 入力: 活動ID「{mine[0]}」" in output and "行がありません" in output


def test_the_same_activity_in_two_workbooks_is_refused(books: Path, tmp_path: Path) -> None:
    code, output = make(SAMPLE, tmp_path / "all", "--one")
    assert code == 0, output
    every = tmp_path / "all" / "全課.xlsx"
    fill(every)
    output = refused(books, tmp_path, books=[*sorted(books.glob("*.xlsx")), every])
    first = plan_rows(load_yaml(SAMPLE))[0]
    department = first["department"]
    row = row_of(load_workbook(books / f"{department}.xlsx")["入力"], first["id"])
    assert (
        f"全課.xlsx 入力!A2: 活動ID「{first['id']}」は {department}.xlsx 入力!A{row} にもあります" in output
    )


def test_a_changed_protected_cell_is_refused(books: Path, tmp_path: Path) -> None:
    first = next(r for r in plan_rows(load_yaml(SAMPLE)) if r["department"] == "広報課")
    at: dict[str, int] = {}

    def bad(ws: Worksheet) -> None:
        ws.protection.sheet = False  # the department unprotected the sheet
        at["row"] = row_of(ws, first["id"])
        ws.cell(at["row"], column(ws, "活動名")).value = "別の名前"
        ws.cell(at["row"], column(ws, "前回の進捗区分")).value = "済"

    fill(books / "広報課.xlsx", bad)
    output = refused(books, tmp_path)
    assert (
        f"広報課.xlsx 入力!D{at['row']}: 活動名は変更できません"
        f"（「{first['activity']['name']}」が「別の名前」" in output
    )
    assert f"広報課.xlsx 入力!F{at['row']}: 前回の進捗区分は変更できません" in output


def test_workbooks_of_another_plan_or_period_are_refused(books: Path, tmp_path: Path) -> None:
    other = PLANS / "odawara-2018-h2.yaml"
    code, output = make(other, tmp_path / "other")
    assert code == 0, output
    foreign = next((tmp_path / "other").glob("*.xlsx"))
    code, output = build(
        [
            "workbook",
            str(SAMPLE),
            "--fiscal-year",
            "2022",
            "--term",
            "second_half",
            "--out",
            str(tmp_path / "later"),
        ]
    )
    assert code == 0, output
    later = tmp_path / "later" / "財政課.xlsx"
    output = refused(books, tmp_path, books=[*sorted(books.glob("*.xlsx")), foreign, later])
    assert (
        f"{foreign.name}: 別の計画（小田原町 小田原町行政改革大綱実施計画、2016-2020）の記入用ファイルです"
        in output
    )
    assert (
        "財政課.xlsx: 令和4（2022）年度下半期 用の記入用ファイルです。"
        "取り込もうとしているのは 令和4（2022）年度上半期" in output
    )


def test_files_that_are_not_xlsx_say_what_they_are(books: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "学校給食課.csv"
    csv_file.write_text("活動ID,進捗区分\nP1-B1-A1,済\n", encoding="cp932")
    encrypted = tmp_path / "保育課.xlsx"  # what Excel writes for a password: an OLE2 file with these streams
    encrypted.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(504)
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(64)
        + "EncryptedPackage".encode("utf-16-le")
    )
    plain = tmp_path / "メモ.xlsx"
    plain.write_text("メモ", encoding="utf-8")
    lock = tmp_path / "~$財政課.xlsx"
    lock.write_bytes(b"\x00" * 165)
    given = [csv_file, encrypted, plain, lock]
    if shutil.which("soffice") or shutil.which("libreoffice"):
        old = tmp_path / "old"
        old.mkdir()
        given.append(convert(books / "広報課.xlsx", "xls", old))
    output = refused(books, tmp_path, books=[*sorted(books.glob("*.xlsx")), *given])
    assert "学校給食課.csv: CSV（文字だけの表）のファイルです" in output
    assert (
        "保育課.xlsx: パスワードで保護（暗号化）されたファイルです" in output
        and "パスワードを消して" in output
    )
    assert "メモ.xlsx: 文字だけのファイルです" in output
    assert "~$財政課.xlsx: Excel がファイルを開いている間に作る一時ファイルです" in output
    if len(given) == 5:
        assert (
            "広報課.xls: 古い Excel 97-2003 形式（.xls）のファイルです" in output
            and "Excel ブック (*.xlsx)" in output
        )


def test_at_most_thirty_problems_are_listed(tmp_path: Path) -> None:
    code, output = make(SAMPLE, tmp_path / "books", "--one")
    assert code == 0, output
    every = tmp_path / "books" / "全課.xlsx"  # nothing typed: every status is empty
    output = refused(tmp_path / "books", tmp_path, books=[every])
    count = len(plan_rows(load_yaml(SAMPLE)))
    assert f"取り込めませんでした（{count} 件）" in output
    assert output.count("進捗区分が空です") == 30
    assert f"（ほかに {count - 30} 件の問題があります）" in output


def test_non_integer_amounts_are_refused(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "            status: 概ね順調\n",
        "            status: 概ね順調\n            effect:\n              kind: 歳出削減\n"
        "              target: 12000\n              actual: 9500\n",
        1,
    )
    plan.write_text(text, encoding="utf-8")
    code, output = make(plan, tmp_path / "books", "--one")
    assert code == 0, output
    every = tmp_path / "books" / "全課.xlsx"
    at: dict[str, str] = {}

    def bad(ws: Worksheet) -> None:
        r = row_of(ws, plan_rows(load_yaml(plan))[0]["id"])
        cell = ws.cell(r, column(ws, "実績額"))
        cell.value = "約9500"
        at["cell"] = cell.coordinate

    fill(every, bad)
    new = tmp_path / "new.yaml"
    code, output = import_(plan, [every], new)
    assert code == 2 and not new.exists()
    assert f"全課.xlsx 入力!{at['cell']}: 実績額「約9500」は 0 以上の整数ではありません" in output


# --- missing workbooks and the 提出状況 ------------------------------------------------------------


def test_a_missing_department_is_named_and_can_be_kept(books: Path, tmp_path: Path) -> None:
    gone = [r for r in plan_rows(load_yaml(SAMPLE)) if r["department"] == "会計課"]
    (books / "会計課.xlsx").unlink()
    output = refused(books, tmp_path)
    assert f"会計課（{len(gone)} 件）: {gone[0]['id']} {gone[0]['activity']['name']}" in output
    assert "--keep-missing" in output
    new = tmp_path / "new.yaml"
    code, output = import_(SAMPLE, sorted(books.glob("*.xlsx")), new, "--keep-missing")
    assert code == 0, output
    assert f"会計課 の記入用ファイルが届いていないため、{len(gone)} 件の活動は前回の内容のまま" in output
    # the others typed their previous statuses in, and 会計課's activities were carried over
    assert load_yaml(new) == with_ids(load_yaml(SAMPLE))


def test_report_shows_each_department_received_or_not(books: Path, tmp_path: Path) -> None:
    rows = plan_rows(load_yaml(SAMPLE))
    (books / "会計課.xlsx").unlink()

    def half(ws: Worksheet) -> None:
        ws.cell(2, column(ws, "進捗区分")).value = None

    fill(books / "市民課.xlsx", half)
    code, output = import_(SAMPLE, sorted(books.glob("*.xlsx")), None, "--report")
    lines = {
        line.split()[0]: line.split()
        for line in output.splitlines()
        if line.startswith("  ") and line.split()
    }
    for department in {r["department"] for r in rows}:
        count = sum(1 for r in rows if r["department"] == department)
        cells = lines[department]
        if department == "会計課":
            assert cells[1:] == ["未提出", str(count), "0"]
        elif department == "市民課":
            assert cells[1:] == ["市民課.xlsx", str(count), str(count - 1)]
        else:
            assert cells[1:] == [f"{department}.xlsx", str(count), str(count)]
    assert code == 2  # the empty status is still a problem
    assert not list(tmp_path.glob("*.yaml"))


# --- activities with ids ---------------------------------------------------------------------------


def test_ids_of_the_input_are_the_workbook_ids_and_are_kept(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    text = (PLANS / "odawara-2018-h2.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "          - name: 旧庁舎の解体\n", "          - name: 旧庁舎の解体\n            id: A-01\n", 1
    )
    plan.write_text(text, encoding="utf-8")
    code, output = make(plan, tmp_path / "books", "--one")
    assert code == 0, output
    every = tmp_path / "books" / "全課.xlsx"
    ws = load_workbook(every)["入力"]
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == [
        "A-01",
        "P1-B1-A2",
        "P1-B1-A3",
        "P1-B2-A1",
    ]
    fill(every)
    new = tmp_path / "new.yaml"
    code, output = import_(plan, [every], new)
    assert code == 0, output
    assert yaml.safe_load(new.read_text(encoding="utf-8")) == with_ids(load_yaml(plan))
    # the next period matches by the written ids even when an activity is added in front
    later = new.read_text(encoding="utf-8").replace(
        "        activities:\n",
        "        activities:\n          - name: 新しい活動\n            status: 未着手\n",
        1,
    )
    new.write_text(later, encoding="utf-8")
    code, output = make(new, tmp_path / "next", "--one")
    assert code == 0, output
    ids = [
        c.value
        for (c,) in load_workbook(tmp_path / "next" / "全課.xlsx")["入力"].iter_rows(min_row=2, max_col=1)
    ]
    assert ids == ["P1-B1-A1", "A-01", "P1-B1-A2", "P1-B1-A3", "P1-B2-A1"]


# --- effects and indicators (the Additions) ---------------------------------------------------------


ODAWARA = PLANS / "odawara-2018-h2.yaml"
ODAWARA_ADDITIONS = (
    "            status: 済\n"
    "            effect:\n"
    "              kind: 歳出削減\n              target: 12000\n              actual: 9500\n"
    "            indicators:\n"
    "              - name: 解体した棟数\n"
    "                unit: 棟\n                target: 3\n                actual: 2\n"
)


def plan_with_additions(tmp_path: Path) -> Path:
    """Odawara's plan with an effect and an indicator on its first activity."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        ODAWARA.read_text(encoding="utf-8").replace("            status: 済\n", ODAWARA_ADDITIONS, 1),
        encoding="utf-8",
    )
    return plan


def test_effects_and_indicators_go_out_and_come_back(tmp_path: Path) -> None:
    plan = plan_with_additions(tmp_path)
    code, output = make(plan, tmp_path / "books", "--one")
    assert code == 0, output
    book = tmp_path / "books" / "全課.xlsx"
    wb = load_workbook(book)
    ws = wb["入力"]
    headers = [str(c.value) for c in ws[1]]
    assert headers[-3:] == ["効果額の区分", "目標額", "実績額"]
    assert [ws.cell(2, column(ws, h)).value for h in headers[-3:]] == ["歳出削減", 12000, 9500]
    assert [ws.cell(3, column(ws, h)).value for h in headers[-3:]] == [None, None, None]
    assert ws.cell(2, column(ws, "目標額")).number_format == "#,##0"  # 12,000 (never 12,000.)
    whole = [v for v in ws.data_validations.dataValidation if v.type == "whole"]
    assert len(whole) == 1 and str(whole[0].sqref) == f"M2:N{ws.max_row}"
    indicators = wb["指標"]
    assert [c.value for c in indicators[1]] == ["活動ID", "指標名", "単位", "目標値", "実績値"]
    assert [c.value for c in indicators[2]] == ["P1-B1-A1", "解体した棟数", "棟", 3, 2]
    assert indicators["E2"].protection.locked is False and indicators["B2"].protection.locked is not False

    untouched = tmp_path / "untouched.xlsx"
    shutil.copyfile(book, untouched)
    fill(untouched)
    new = tmp_path / "same.yaml"
    code, output = import_(plan, [untouched], new)
    assert code == 0, output
    assert load_yaml(new) == with_ids(load_yaml(plan))

    def typed(ws: Worksheet) -> None:
        ws.cell(2, column(ws, "実績額")).value = "１０,５００"  # full-width digits and a comma
        ws.cell(3, column(ws, "効果額の区分")).value = "歳入確保"
        ws.cell(3, column(ws, "目標額")).value = 500

    fill(book, typed)
    wb = load_workbook(book)
    wb["指標"]["E2"].value = 3
    wb.save(book)
    new = tmp_path / "new.yaml"
    code, output = import_(plan, [book], new)
    assert code == 0, output
    activities = load_yaml(new)["perspectives"][0]["businesses"][0]["activities"]
    assert activities[0]["effect"] == {"kind": "歳出削減", "target": 12000, "actual": 10500}
    assert activities[0]["indicators"] == [{"name": "解体した棟数", "unit": "棟", "target": 3, "actual": 3}]
    assert activities[1]["effect"] == {"kind": "歳入確保", "target": 500}
    # what the loader might still refuse in the new YAML is placed in the cell it came from
    intake = read_workbooks(load(plan), [book], 2018, "second_half")
    first = "perspectives[1].businesses[1].activities[1]"
    assert str(located(f"{first}.indicators[1].actual", "", "x", intake)) == "全課.xlsx 指標!E2: x"
    assert str(located(f"{first}.effect.actual", "", "x", intake)) == "全課.xlsx 入力!N2: x"
    assert str(located(f"{first}.results[2]", "", "x", intake)) == "全課.xlsx 入力!I2: x"


def test_bad_amounts_and_indicator_values_are_refused_with_their_cells(tmp_path: Path) -> None:
    plan = plan_with_additions(tmp_path)
    code, output = make(plan, tmp_path / "books", "--one")
    assert code == 0, output
    book = tmp_path / "books" / "全課.xlsx"

    def bad(ws: Worksheet) -> None:
        ws.cell(2, column(ws, "実績額")).value = "約9500"
        ws.cell(3, column(ws, "目標額")).value = 12.5
        ws.cell(4, column(ws, "実績額")).value = -3

    fill(book, bad)
    wb = load_workbook(book)
    wb["指標"]["E2"].value = "三"
    wb.save(book)
    new = tmp_path / "new.yaml"
    code, output = import_(plan, [book], new)
    assert code == 2 and not new.exists()
    assert "全課.xlsx 入力!N2: 実績額「約9500」は 0 以上の整数ではありません。" in output
    assert "全課.xlsx 入力!L3: 効果額の区分が空です。歳出削減・歳入確保 から選んでください。" in output
    assert "全課.xlsx 入力!M3: 目標額「12.5」" in output
    assert "全課.xlsx 入力!N4: 実績額「-3」" in output
    assert "全課.xlsx 指標!E2: 実績値「三」は数値ではありません。" in output


def test_what_the_loader_refuses_in_the_new_yaml_is_located_in_its_cell(books: Path, tmp_path: Path) -> None:
    first = next(r for r in plan_rows(load_yaml(SAMPLE)) if r["department"] == "財政課")
    at: dict[str, str] = {}

    def long(ws: Worksheet) -> None:
        cell = ws.cell(row_of(ws, first["id"]), column(ws, "今年度の計画"))
        cell.value = "計" * 20_001  # fits a cell (32,767), not the input format (20,000)
        at["cell"] = cell.coordinate

    fill(books / "財政課.xlsx", long)
    output = refused(books, tmp_path)
    assert f"財政課.xlsx 入力!{at['cell']}: 文字が多すぎます（20,001 字" in output
    assert not list(tmp_path.glob(".new.yaml*")), "the check's temporary file is removed"


def test_out_must_be_given_and_must_not_be_previous(books: Path, tmp_path: Path) -> None:
    code, output = import_(SAMPLE, sorted(books.glob("*.xlsx")), None)
    assert code == 2 and "--out" in output
    copy_of = tmp_path / "prev.yaml"
    copy_of.write_bytes(SAMPLE.read_bytes())
    code, output = import_(copy_of, sorted(books.glob("*.xlsx")), copy_of)
    assert code == 2 and "PREVIOUS と同じファイル" in output
    assert copy_of.read_bytes() == SAMPLE.read_bytes()


def test_a_file_named_twice_is_read_once_and_two_copies_of_one_workbook_are_refused(
    books: Path, tmp_path: Path
) -> None:
    given = sorted(books.glob("*.xlsx"))
    code, output = import_(
        SAMPLE, [*given, given[0]], tmp_path / "first.yaml"
    )  # a pattern and the file again
    assert code == 0, output
    copy_of = tmp_path / "財政課 (2).xlsx"
    shutil.copyfile(books / "財政課.xlsx", copy_of)
    other = tmp_path / "other"
    other.mkdir()
    shutil.copyfile(books / "財政課.xlsx", other / "財政課.xlsx")
    output = refused(books, tmp_path, books=[*given, copy_of, other / "財政課.xlsx"])
    assert "財政課 (2).xlsx: 財政課 の記入用ファイルが2つあります（もう一つは " in output
    assert f"{other / '財政課.xlsx'}: 財政課 の記入用ファイルが2つあります" in output
    assert "にもあります" not in output  # not one message per row


def test_an_unwritable_destination_is_refused_without_a_traceback(books: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    code, output = import_(SAMPLE, sorted(books.glob("*.xlsx")), blocker / "new.yaml")
    assert code == 2 and "書き込めませんでした" in output and "Traceback" not in output


def test_report_previous_points_at_the_same_file_from_the_new_folder(tmp_path: Path) -> None:
    here = tmp_path / "a"
    here.mkdir()
    shutil.copyfile(SAMPLE, here / "older.yaml")
    plan = here / "plan.yaml"
    plan.write_text(
        SAMPLE.read_text(encoding="utf-8").replace(
            "  term: first_half\n", "  term: first_half\n  previous: older.yaml\n"
        ),
        encoding="utf-8",
    )
    code, output = make(plan, tmp_path / "books", "--one")
    assert code == 0, output
    every = tmp_path / "books" / "全課.xlsx"
    fill(every)
    new = tmp_path / "b" / "new.yaml"
    code, output = import_(plan, [every], new)
    assert code == 0, output
    assert load_yaml(new)["report"]["previous"] == "../a/older.yaml"
    code, output = build(
        ["import", str(plan), str(every), "--fiscal-year", "2022", "--term", "second_half", "--out", str(new)]
    )
    assert code == 2  # the workbook is for 上半期
