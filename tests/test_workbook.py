"""gyokaku workbook: the entry workbooks read back with openpyxl, LibreOffice and openxml-audit.

Expected values come from the input YAML (read with PyYAML here), never from gyokaku's model.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.cli import SAMPLE

from .conftest import build, load_yaml

PLANS = Path(__file__).parent / "plans"
HEADERS = [
    "活動ID",
    "取組の視点",
    "事業名",
    "活動名",
    "担当課",
    "前回の進捗区分",
    "進捗区分",
    "今年度の計画",
    "取組状況",
    "今後の取組",
    "遅れの理由",
]
LOCKED = {"活動ID", "取組の視点", "事業名", "活動名", "担当課", "前回の進捗区分"}
DEFAULT_STATUSES = ["済", "概ね順調", "遅れ", "未着手", "休止"]


def plan_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every activity of a parsed input with its 活動ID (own id, else P<p>-B<b>-A<a>) and 担当課."""
    rows = []
    for p, perspective in enumerate(data["perspectives"], start=1):
        for b, business in enumerate(perspective["businesses"], start=1):
            for a, activity in enumerate(business["activities"], start=1):
                rows.append(
                    {
                        "id": str(activity.get("id") or f"P{p}-B{b}-A{a}"),
                        "perspective": perspective["name"],
                        "business": business["name"],
                        "activity": activity,
                        "department": activity.get("department")
                        or business.get("department")
                        or "担当課なし",
                    }
                )
    return rows


def sheet_rows(ws: Worksheet) -> list[dict[str, Any]]:
    """The sheet's data rows as dicts keyed by header."""
    values = list(ws.iter_rows(values_only=True))
    header = [str(v) for v in values[0]]
    return [dict(zip(header, row)) for row in values[1:] if any(v is not None for v in row)]


def make(plan: Path, out: Path, *extra: str) -> tuple[int, str]:
    data = load_yaml(plan)
    year, term = str(data["report"]["fiscal_year"]), data["report"]["term"]
    return build(["workbook", str(plan), "--fiscal-year", year, "--term", term, "--out", str(out), *extra])


@pytest.fixture(scope="module")
def sample_books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("books")
    code, output = make(SAMPLE, out, "--one", "--due", "2022-10-14")
    assert code == 0, output
    return out


def test_one_workbook_per_department_with_its_activities(sample_books: Path) -> None:
    rows = plan_rows(load_yaml(SAMPLE))
    departments = {r["department"] for r in rows}
    assert {p.stem for p in sample_books.glob("*.xlsx")} == departments | {"全課"}
    for department in departments:
        ws = load_workbook(sample_books / f"{department}.xlsx")["入力"]
        got = sheet_rows(ws)
        want = [r for r in rows if r["department"] == department]
        assert [g["活動ID"] for g in got] == [w["id"] for w in want]
        for g, w in zip(got, want):
            assert (g["取組の視点"], g["事業名"], g["活動名"], g["担当課"]) == (
                w["perspective"],
                w["business"],
                w["activity"]["name"],
                department,
            )
            assert g["前回の進捗区分"] == w["activity"]["status"]
            assert g["進捗区分"] is None  # left for the department
            assert g["今年度の計画"] == w["activity"].get("plan")
            assert g["今後の取組"] == w["activity"].get("next")
            results = w["activity"].get("results") or []
            assert g["取組状況"] == ("\n".join("・" + r.replace("\n", "\n\u3000") for r in results) or None)
    every = sheet_rows(load_workbook(sample_books / "全課.xlsx")["入力"])
    assert [g["活動ID"] for g in every] == [r["id"] for r in rows]


def test_sheets_headers_protection_and_validation(sample_books: Path) -> None:
    wb = load_workbook(sample_books / "行政総務課.xlsx")
    assert wb.sheetnames[:2] == ["記入方法", "入力"]
    assert wb.active is not None and wb.active.title == "記入方法"
    assert sum(bool(sheet.sheet_view.tabSelected) for sheet in wb.worksheets) <= 1  # never opened grouped
    ws = wb["入力"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.protection.sheet
    assert ws.freeze_panes == "A2"
    for cell in ws[2]:
        header = ws.cell(row=1, column=int(cell.column or 0)).value
        assert cell.protection.locked == (header in LOCKED), header
        if header in LOCKED:
            assert cell.fill.fgColor.rgb.endswith("E7E6E6"), header  # shaded
        if header in ("今年度の計画", "取組状況", "今後の取組", "遅れの理由"):
            assert cell.alignment.wrap_text
        assert cell.font.name in ("BIZ UDゴシック", "BIZ UD明朝")
    # the status drop-down reads the statuses listed on 記入方法 through a defined name
    (validation,) = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert validation.showErrorMessage and validation.errorStyle in (None, "stop")
    assert str(validation.sqref) == f"G2:G{ws.max_row}"
    name = wb.defined_names[validation.formula1]
    (sheet, ref), *_ = list(name.destinations)
    listed = [c.value for (c,) in wb[sheet][ref.replace("$", "")]]
    assert listed == DEFAULT_STATUSES  # the sample has no statuses: the default list
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"  # A4
    fit = ws.sheet_properties.pageSetUpPr
    assert ws.page_setup.fitToWidth == 1 and fit is not None and fit.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert ws.auto_filter.ref == f"A1:K{ws.max_row}"


def test_guide_sheet_names_period_deadline_columns_and_statuses(sample_books: Path, tmp_path: Path) -> None:
    guide = load_workbook(sample_books / "行政総務課.xlsx")["記入方法"]
    text = "\n".join(str(v) for row in guide.iter_rows(values_only=True) for v in row if v)
    assert "令和4（2022）年度上半期" in text and "2022年10月14日（金）" in text
    for header in HEADERS:
        assert header in text
    plan = PLANS / "kamakura-2019-full.yaml"
    code, output = make(plan, tmp_path)
    assert code == 0, output
    guide = load_workbook(next(tmp_path.glob("*.xlsx")))["記入方法"]
    pairs = {row[0]: row[1] for row in guide.iter_rows(values_only=True)}
    for status in load_yaml(plan)["statuses"]:
        assert pairs[status["name"]] == status["description"]


def test_existing_workbooks_are_not_overwritten(tmp_path: Path) -> None:
    code, output = make(SAMPLE, tmp_path)
    assert code == 0, output
    filled = tmp_path / "財政課.xlsx"
    filled.write_bytes(b"filled in by the department")
    code, output = make(SAMPLE, tmp_path)
    departments = {r["department"] for r in plan_rows(load_yaml(SAMPLE))}
    assert (
        code == 2 and f"同じ名前のファイルが {len(departments)} 件あります" in output and "--force" in output
    )
    assert filled.read_bytes() == b"filled in by the department"
    code, output = make(SAMPLE, tmp_path, "--force")
    assert code == 0 and load_workbook(filled)["入力"]["A2"].value


def test_refusals_of_the_workbook_command(tmp_path: Path) -> None:
    code, output = build(
        ["workbook", str(SAMPLE), "--fiscal-year", "2030", "--term", "first_half", "--out", str(tmp_path)]
    )
    assert code == 2 and "計画期間（2020-2023）の外" in output
    code, output = build(
        [
            "workbook",
            str(tmp_path / "none.yaml"),
            "--fiscal-year",
            "2022",
            "--term",
            "first_half",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2 and "none.yaml" in output and "Traceback" not in output
    code, output = build(
        [
            "workbook",
            str(SAMPLE),
            "--fiscal-year",
            "2022",
            "--term",
            "first_half",
            "--out",
            str(tmp_path),
            "--due",
            "10/14",
        ]
    )
    assert code == 2 and "10/14" in output
    assert not list(tmp_path.glob("*.xlsx"))


def test_openxml_audit_finds_no_schema_errors(sample_books: Path) -> None:
    audit = shutil.which("openxml-audit") or str(Path(sys.executable).parent / "openxml-audit")
    if not Path(audit).exists():
        pytest.skip("openxml-audit is not installed (pip install openxml-audit)")
    for name in ("全課.xlsx", "行政総務課.xlsx"):
        run = subprocess.run(
            [audit, "--output", "json", str(sample_books / name)], capture_output=True, text=True, timeout=120
        )
        (report,) = json.loads(run.stdout)
        errors = [e for e in report["errors"] if e["severity"] == "error"]
        assert errors == [] and report["error_count"] == 0, errors
        assert run.returncode == 0


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed: the workbook was not opened by a spreadsheet")
    return found


def convert(source: Path, target: str, out: Path) -> Path:
    """Convert with LibreOffice (its own profile, so parallel tests do not share one)."""
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    name = source.stem + "." + target.split(":")[0]
    if not (out / name).exists():  # one sheet of several chosen: NAME-SHEET.csv
        name = next(p.name for p in out.glob(f"{source.stem}-*"))
    return out / name


def test_libreoffice_reads_the_entry_sheet(sample_books: Path, tmp_path: Path) -> None:
    # the 12th filter token chooses the sheet: 2 = 入力
    target = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2"
    converted = convert(sample_books / "財政課.xlsx", target, tmp_path)
    table = list(csv.reader(converted.read_text(encoding="utf-8").splitlines()))
    assert table[0] == HEADERS
    want = [r for r in plan_rows(load_yaml(SAMPLE)) if r["department"] == "財政課"]
    assert [row[0] for row in table[1:] if row and row[0]] == [w["id"] for w in want]
    assert [row[3] for row in table[1:] if row and row[0]] == [w["activity"]["name"] for w in want]


def test_libreoffice_prints_the_entry_sheet_on_a4_landscape(sample_books: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    pdf = convert(sample_books / "財政課.xlsx", "pdf", tmp_path)
    pages = PdfReader(pdf).pages
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages}
    assert (842, 595) in sizes  # the entry sheet: A4 landscape (points)
    text = "\n".join(p.extract_text() for p in pages)
    assert "記入のしかた" in text and "進捗区分" in text


def test_the_period_follows_the_plans_year_style(tmp_path: Path) -> None:
    plan = PLANS / "kamakura-2019-full.yaml"  # year_style: era_year_paren
    code, output = build(
        ["workbook", str(plan), "--fiscal-year", "2020", "--term", "first_half", "--out", str(tmp_path)]
    )
    assert code == 0, output
    guide = load_workbook(tmp_path / "財政課.xlsx")["記入方法"]
    assert ("対象期間", "令和2年（2020年）度上半期") in [row[:2] for row in guide.iter_rows(values_only=True)]


def test_the_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    plan = PLANS / "odawara-2018-h2.yaml"
    first, second = tmp_path / "1", tmp_path / "2"
    assert make(plan, first)[0] == 0
    time.sleep(2.1)  # a ZIP entry's time has a resolution of two seconds
    assert make(plan, second)[0] == 0
    names = sorted(p.name for p in first.glob("*.xlsx"))
    assert names and names == sorted(p.name for p in second.glob("*.xlsx"))
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
