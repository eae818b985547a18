"""Issue 3: bad input is refused with located Japanese messages, exit 2, nothing written."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from pipeline.load import InputError, load

from .conftest import build

VALID = """\
format: 1
plan:
  organization: 架空市
  title: 架空市行財政改革計画
  period: [2024, 2027]
report:
  fiscal_year: 2025
  term: second_half
perspectives:
  - name: 行政の効率化
    businesses:
      - name: 業務改善事業
        priority: true
        highlights:
          - 業務の見直しを実施。
        activities:
          - name: 業務プロセスの見直し
            status: 概ね順調
          - name: 文書管理の電子化
            status: 遅れ
            results: [システム更新のため延期。]
"""


def write(tmp_path: Path, text: str | bytes, name: str = "input.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refuse(tmp_path: Path, text: str | bytes) -> str:
    """Both commands refuse the input with exit 2, no traceback, and write nothing."""
    source = write(tmp_path, text)
    out = tmp_path / "out"
    code, output = build(["check", str(source)])
    assert code == 2, output
    assert "Traceback" not in output
    code, built = build(["build", str(source), "--out", str(out)])
    assert code == 2, built
    assert not out.exists() or not any(out.iterdir()), "something was written for a refused input"
    return output


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_valid_input_is_accepted(tmp_path: Path) -> None:
    data = load(write(tmp_path, VALID))
    assert data.plan.organization == "架空市"
    assert [a.status for a in data.perspectives[0].businesses[0].activities] == ["概ね順調", "遅れ"]


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    text = VALID.replace("    businesses:", "    businesses: [")
    output = refuse(tmp_path, text)
    assert "input.yaml:" in output and "YAML の書き方に誤りがあります" in output


@pytest.mark.parametrize(
    ("mistake", "needle", "hint"),
    [
        (lambda t: t.replace("    businesses:", "\tbusinesses:", 1), "businesses:", "タブ文字"),
        (lambda t: t.replace("架空市", '"架空市', 1), None, "引用符や括弧が閉じられない"),
        (lambda t: t.replace("  organization:", " organization:", 1), "organization:", "字下げ"),
    ],
    ids=["tab", "unclosed-quote", "indent"],
)
def test_yaml_syntax_errors_explained_in_japanese(tmp_path: Path, mistake, needle, hint) -> None:
    text = mistake(VALID)
    output = refuse(tmp_path, text)
    assert hint in output, output
    if needle:  # the parser notices a wrong indent on the line itself or the next one
        line = line_of(text, needle)
        assert f"input.yaml:{line}:" in output or f"input.yaml:{line + 1}:" in output, output


def test_not_utf8_names_shift_jis(tmp_path: Path) -> None:
    output = refuse(tmp_path, VALID.encode("cp932"))
    line = line_of(VALID, "架空市")
    assert f"input.yaml:{line}:" in output
    assert "UTF-8" in output and "Shift_JIS" in output


def test_empty_file(tmp_path: Path) -> None:
    assert "空です" in refuse(tmp_path, "")
    assert "空です" in refuse(tmp_path, "# only a comment\n")


def test_wrong_type_names_what_was_found(tmp_path: Path) -> None:
    output = refuse(tmp_path, VALID.replace("fiscal_year: 2025", 'fiscal_year: "2025年"'))
    line = line_of(VALID, "fiscal_year")
    assert f"input.yaml:{line}:16: report.fiscal_year: 整数" in output
    assert "2025年" in output


def test_missing_field(tmp_path: Path) -> None:
    output = refuse(tmp_path, VALID.replace("            status: 概ね順調\n", ""))
    assert "perspectives[1].businesses[1].activities[1].status: 必須の項目「status」がありません" in output


def test_empty_list(tmp_path: Path) -> None:
    text = VALID.replace(
        "        highlights:\n          - 業務の見直しを実施。\n", "        highlights: []\n"
    )
    output = refuse(tmp_path, text)
    assert "perspectives[1].businesses[1].highlights" in output and "空のリスト" in output


def test_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    output = refuse(tmp_path, VALID.replace("priority: true", "priorty: true"))
    line = line_of(VALID, "priority")
    assert f"input.yaml:{line}:9: perspectives[1].businesses[1].priorty" in output
    assert "「priority」の書き間違いではありませんか" in output


def test_status_not_in_the_list(tmp_path: Path) -> None:
    output = refuse(tmp_path, VALID.replace("status: 遅れ", "status: 遅延"))
    assert "「遅延」は進捗区分にありません" in output and "済、概ね順調、遅れ、未着手、休止" in output


def test_custom_statuses_define_what_is_allowed(tmp_path: Path) -> None:
    statuses = "statuses:\n  - {name: 計画どおり, on_track: true}\n  - {name: 遅れ, delayed: true}\n"
    custom = VALID.replace("perspectives:", statuses + "perspectives:")
    data = load(write(tmp_path, custom.replace("status: 概ね順調", "status: 計画どおり")))
    assert [s.name for s in data.statuses] == ["計画どおり", "遅れ"]
    output = refuse(tmp_path, VALID.replace("perspectives:", statuses + "perspectives:"))
    assert "「概ね順調」は進捗区分にありません" in output


def test_duplicate_business_and_activity_names(tmp_path: Path) -> None:
    text = VALID.replace("name: 文書管理の電子化", "name: 業務プロセスの見直し")
    output = refuse(tmp_path, text)
    assert "活動名「業務プロセスの見直し」が1番目と重複しています" in output
    doubled = VALID + VALID.split("    businesses:\n", 1)[1].replace(
        "      - name: 業務改善事業", "      - name: 業務改善事業", 1
    )
    output = refuse(tmp_path, doubled)
    assert "事業名「業務改善事業」が1番目と重複しています" in output


def test_same_name_under_different_parents_is_fine(tmp_path: Path) -> None:
    text = VALID.replace(
        "perspectives:\n",
        "perspectives:\n  - name: 別の視点\n    businesses:\n      - name: 業務改善事業\n"
        "        activities:\n          - {name: 業務プロセスの見直し, status: 済}\n",
    )
    assert len(load(write(tmp_path, text)).perspectives) == 2


def test_control_characters_refused(tmp_path: Path) -> None:
    output = refuse(tmp_path, VALID.replace("業務の見直しを実施。", '"業務の\\u0007見直し"'))
    assert "U+0007" in output and "highlights[1]" in output


def test_many_problems_reported_at_once_and_capped(tmp_path: Path) -> None:
    acts = "".join(f"          - {{name: 活動{i}, status: 不明}}\n" for i in range(100))
    text = VALID.replace("          - name: 業務プロセスの見直し\n            status: 概ね順調\n", acts)
    output = refuse(tmp_path, text)
    assert output.count("進捗区分にありません") >= 20
    assert "ほかに" in output


def test_alias_bomb_refused_fast_in_bounded_memory(tmp_path: Path) -> None:
    lines = ['x0: &x0 ["ab", "ab", "ab", "ab", "ab", "ab", "ab", "ab", "ab", "ab"]']
    for i in range(1, 9):
        lines.append(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 10) + "]")
    text = VALID.replace(
        "        highlights:\n          - 業務の見直しを実施。\n", "        highlights: *x8\n"
    )
    source = write(tmp_path, "\n".join(lines).replace("x", "k") + "\n" + text.replace("*x8", "*k8"))
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        load(source)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "エイリアス" in str(err.value)
    assert elapsed < 5 and peak < 100 * 1024 * 1024


def test_oversized_file_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.load as loader

    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    source = write(tmp_path, VALID + "#" * 2000 + "\n")
    with pytest.raises(InputError) as err:
        load(source)
    assert "大きすぎます" in str(err.value)


def test_deep_nesting_refused(tmp_path: Path) -> None:
    assert "入れ子が深すぎます" in refuse(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n")


def test_missing_file_is_reported(tmp_path: Path) -> None:
    code, output = build(["check", str(tmp_path / "nothing.yaml")])
    assert code == 2 and "見つかりません" in output
