"""The open-data CSV read back with Python's csv module (and LibreOffice Calc) against the YAML."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ROOT, activities, build, load_yaml, norm

SAMPLE = ROOT / "inputs" / "hiratsuka-2022-h1.yaml"
PLANS = sorted((ROOT / "tests" / "plans").glob("*.yaml"))
SOURCES = [SAMPLE, *PLANS]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csv")
    code, output = build(["build", *map(str, SOURCES), "--out", str(folder), "--format", "csv"])
    assert code == 0, output
    return folder


def rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would not read it as UTF-8"
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), "CRLF line ends, no line break in a cell"
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("src", SOURCES, ids=[s.stem for s in SOURCES])
def test_one_row_per_activity_as_the_yaml_says(out: Path, src: Path) -> None:
    assert sorted(p.name for p in out.glob(f"{src.stem}*")) == [f"{src.stem}-list.csv"]  # the list only
    data = load_yaml(src)
    found = rows(out / f"{src.stem}-list.csv")
    expected = activities(data)
    assert len(found) == len(expected)
    org = data["plan"]["organization"]
    for number, (row, (p, b, a)) in enumerate(zip(found, expected), start=1):
        assert row["地方公共団体名"] == org
        assert row["取組の視点番号"] == str(data["perspectives"].index(p) + 1)
        assert row["取組の視点"] == p["name"]
        assert row["No."] == str(number)
        assert row["事業名"] == b["name"] + ("【重点】" if b.get("priority") else "")
        assert row["活動名"] == a["name"]
        # its own department, else its business's
        assert row["担当課"] == (a.get("department") or b.get("department") or "")
        assert row["進捗区分"] == a["status"]
        for result in a.get("results") or []:  # every point of the results, on one line
            assert norm(result) in norm(row["取組状況"])
    # per perspective × status, the counts derived from the YAML
    assert Counter((r["取組の視点"], r["進捗区分"]) for r in found) == Counter(
        (p["name"], a["status"]) for p, _, a in expected
    )


def test_same_input_same_bytes(out: Path, tmp_path: Path) -> None:
    code, output = build(["build", str(SAMPLE), "--out", str(tmp_path), "--format", "csv"])
    assert code == 0, output
    name = f"{SAMPLE.stem}-list.csv"
    assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


def test_libreoffice_calc_opens_it(out: Path, tmp_path: Path) -> None:
    """Calc reads the sample's CSV as UTF-8 (its BOM) into the same cells, one row per activity."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: bash scripts/setup.sh --test")
    source = out / f"{SAMPLE.stem}-list.csv"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(tmp_path / "calc"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    back = (tmp_path / "calc" / source.name).read_text(encoding="utf-8-sig")
    calc = list(csv.reader(io.StringIO(back, newline="")))
    mine = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    assert calc == mine
    assert len(calc) == 1 + len(activities(load_yaml(SAMPLE)))
