"""Loading (``load.py``): bad input is refused with located Japanese messages, exit 2, nothing written;
the limits are refused at once."""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Callable
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
def test_yaml_syntax_errors_explained_in_japanese(
    tmp_path: Path, mistake: Callable[[str], str], needle: str | None, hint: str
) -> None:
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


def refused_measured(source: Path) -> tuple[InputError, float, int]:
    """The loader's refusal of ``source``, the seconds it took and the peak of traced memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InputError) as err:
            load(source)
        return err.value, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_alias_bomb_refused_fast_in_bounded_memory(tmp_path: Path) -> None:
    lines = ['x0: &x0 ["ab", "ab", "ab", "ab", "ab", "ab", "ab", "ab", "ab", "ab"]']
    for i in range(1, 9):
        lines.append(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 10) + "]")
    text = VALID.replace(
        "        highlights:\n          - 業務の見直しを実施。\n", "        highlights: *x8\n"
    )
    source = write(tmp_path, "\n".join(lines).replace("x", "k") + "\n" + text.replace("*x8", "*k8"))
    err, elapsed, peak = refused_measured(source)
    assert "エイリアス" in str(err)
    assert elapsed < 5 and peak < 100 * 1024 * 1024


@pytest.mark.parametrize(
    "text",
    [
        "?\n" * 200,  # null keys: one node a character
        "- \n" * 200,
        "- - - x\n" * 200,
        "a:\n" * 200,
        "[" + ",".join(["a"] * 200) + "]",
        "{" + ",".join(["a"] * 200) + "}",  # keys without values
        "{" + ",".join(["? "] * 200) + "}",
        "[" + ",".join(["[]"] * 200) + "]",
        "[" + ",".join(["{}"] * 200) + "]",
    ],
)
def test_no_yaml_form_makes_more_nodes_a_character_than_assumed(text: str) -> None:
    """The walk skips counting aliases in a short file without ``&``: it cannot pass MAX_NODES."""
    import yaml

    import pipeline.load as loader

    nodes = loader.expanded_size(yaml.compose(text, Loader=yaml.SafeLoader))
    assert nodes <= len(text) * loader.NODES_PER_CHAR / 2 + 1


def test_a_short_file_without_anchors_is_not_walked_for_aliases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.load as loader

    walked: list[int] = []
    monkeypatch.setattr(loader, "expanded_size", lambda root: walked.append(1) or 0)
    load(write(tmp_path, VALID))
    assert walked == []
    load(write(tmp_path, "# &anchor-like text in a comment\n" + VALID))
    assert walked == [1]


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


# --- issues 14 and 15: tracebacks on bad input, and limits ------------------------------------

DATED = VALID.replace("  term: second_half\n", "  term: second_half\n  date: 2025-10-31\n")


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("date: 2025-10-31", "date: 2022-02-30", "report.date"),
        ("date: 2025-10-31", "date: 2022-13-01", "report.date"),
        ("date: 2025-10-31", "date: 0000-01-01", "report.date"),
        ("date: 2025-10-31", "date: 2022-10-31 25:00:00", "report.date"),
        ("date: 2025-10-31", "date: 2022-10-31T10:00:00+25:00", "report.date"),
        ("date: 2025-10-31", "date: !!timestamp junk", "report.date"),
        ("date: 2025-10-31", "date: 1970-01-01", "report.date"),
        ("fiscal_year: 2025", 'fiscal_year: !!int "abc"', "report.fiscal_year"),
        ("fiscal_year: 2025", 'fiscal_year: !!float "x"', "report.fiscal_year"),
        ("fiscal_year: 2025", "fiscal_year: !!int .inf", "report.fiscal_year"),
        ("fiscal_year: 2025", "fiscal_year: 0b_", "report.fiscal_year"),
        ("fiscal_year: 2025", "fiscal_year: 0x_", "report.fiscal_year"),
        ("fiscal_year: 2025", "fiscal_year: 0o", "report.fiscal_year"),
        ("fiscal_year: 2025", "fiscal_year: 2_025", "report.fiscal_year"),
        ("fiscal_year: 2025", "fiscal_year: 33:45", "report.fiscal_year"),
        ("fiscal_year: 2025", "fiscal_year: .inf", "report.fiscal_year"),
        ("fiscal_year: 2025", "fiscal_year: .nan", "report.fiscal_year"),
        ("fiscal_year: 2025", "fiscal_year: " + "9" * 5000, "report.fiscal_year"),
        ("fiscal_year: 2025", "fiscal_year: 2101", "report.fiscal_year"),
        ("priority: true", 'priority: !!bool "maybe"', "perspectives[1].businesses[1].priority"),
        ("  - name: 行政の効率化", "  - name: !foo x", "perspectives[1].name"),
        ("report:\n", "report: !foo\n", "report"),
        ("name: 業務改善事業", 'name: "\\ud800"', "perspectives[1].businesses[1].name"),
        ("業務の見直しを実施。", '"\\udfff見直し"', "perspectives[1].businesses[1].highlights[1]"),
        ("priority: true", '"\\ud800": true', "perspectives[1].businesses[1].\\ud800"),
        ("priority: true", "<<: {priority: true}", "perspectives[1].businesses[1]"),
        ("perspectives:\n", "statuses: []\nperspectives:\n", "statuses"),
        ("perspectives:\n", "statuses: [null]\nperspectives:\n", "statuses[1]"),
        ("    businesses:\n", "    businesses: []\n    xbusinesses:\n", "perspectives[1].businesses"),
    ],
    ids=lambda v: v if len(v) < 30 else v[:30],
)
def test_odd_values_are_located_messages(tmp_path: Path, old: str, new: str, path: str) -> None:
    """Each of these gave a traceback (or was taken silently) before."""
    assert old in DATED
    text = DATED.replace(old, new, 1)
    output = refuse(tmp_path, text)
    line = line_of(text, new.strip().splitlines()[0][:12])
    assert f"input.yaml:{line}:" in output and f": {path}: " in output, output


def test_yaml11_integers_are_refused_not_reinterpreted(tmp_path: Path) -> None:
    """``1:00`` is 60 and ``2_025`` is 2025 in YAML 1.1: refused, not read as another number."""
    with pytest.raises(InputError) as err:
        load(write(tmp_path, VALID.replace("fiscal_year: 2025", "fiscal_year: 33:45")))
    assert "「33:45」は整数として読めません" in str(err.value)


def test_directory_as_input(tmp_path: Path) -> None:
    folder = tmp_path / "plan.yaml"
    folder.mkdir()
    for command in (["check", str(folder)], ["build", str(folder), "--out", str(tmp_path / "out")]):
        code, output = build(command)
        assert code == 2 and "Traceback" not in output, output
        assert "plan.yaml: フォルダーです" in output, output
        assert "書き込めません" not in output


def test_fifo_as_input_is_refused_without_blocking(tmp_path: Path) -> None:
    import os
    import threading

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException | object] = []
    worker = threading.Thread(target=lambda: outcome.append(_load_or_error(fifo)), daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "load blocked on a named pipe"
    assert isinstance(outcome[0], InputError) and "通常のファイルではありません" in str(outcome[0])


def _load_or_error(path: Path) -> BaseException | object:
    try:
        return load(path)
    except BaseException as err:  # handed to the test's thread
        return err


def test_refused_problems_never_print_raw_control_characters(tmp_path: Path) -> None:
    text = VALID.replace("priority: true", '"bad\\x1b[31mkey": true')
    output = refuse(tmp_path, text)
    assert "\x1b" not in output and "\\u001b" in output


LIMIT_SECONDS = 1.0


def test_a_10mb_bullet_is_refused_at_once(tmp_path: Path) -> None:
    import pipeline.load as loader

    text = VALID.replace("業務の見直しを実施。", "あ" * 3_400_000)
    source = write(tmp_path, text)
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        load(source)
    assert time.perf_counter() - started < LIMIT_SECONDS
    line = line_of(VALID, "業務の見直しを実施。")
    assert f"input.yaml:{line}:" in str(err.value)
    assert "perspectives[1].businesses[1].highlights[1]: 文字が多すぎます（3,400,000 字" in str(err.value)
    assert f"上限 {loader.MAX_TEXT_CHARS:,} 字" in str(err.value)


def test_text_just_at_the_limit_is_accepted(tmp_path: Path) -> None:
    from pipeline.load import MAX_TEXT_CHARS

    data = load(write(tmp_path, VALID.replace("業務の見直しを実施。", "あ" * MAX_TEXT_CHARS)))
    assert len(data.perspectives[0].businesses[0].highlights[0]) == MAX_TEXT_CHARS


def test_too_many_activities_refused_at_once(tmp_path: Path) -> None:
    from pipeline.load import MAX_ACTIVITIES

    head, _ = VALID.split("        activities:\n")
    acts = "".join(f"          - {{name: 活動{i}, status: 済}}\n" for i in range(MAX_ACTIVITIES + 1))
    text = head + "        activities:\n" + acts
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        load(write(tmp_path, text))
    assert time.perf_counter() - started < LIMIT_SECONDS
    line = line_of(text, f"活動{MAX_ACTIVITIES},")
    assert f"input.yaml:{line}:" in str(err.value)
    assert f"activities[{MAX_ACTIVITIES + 1}]: 活動が多すぎます" in str(err.value)
    exact = head + "        activities:\n" + acts.rsplit("          - ", 1)[0]
    assert load(write(tmp_path, exact)).activity_count() == MAX_ACTIVITIES


def test_a_million_unknown_keys_refused_at_once(tmp_path: Path) -> None:
    from pipeline.load import MAX_KEYS

    text = VALID + "".join(f"k{i}: 1\n" for i in range(1_000_000))
    source = write(tmp_path, text)
    err, elapsed, peak = refused_measured(source)
    assert elapsed < LIMIT_SECONDS and peak < 200 * 1024 * 1024
    first_over = f"k{MAX_KEYS - 4}: 1"  # VALID's mapping has four keys
    assert f"input.yaml:{line_of(text, first_over)}:1: 項目が多すぎます" in str(err)


def test_many_problems_stop_the_walk_and_say_so(tmp_path: Path) -> None:
    from pipeline.load import MAX_MORE_PROBLEMS, MAX_PROBLEMS

    acts = "".join(f"          - {{name: 活動{i}, status: 不明, 謎{i}: 1}}\n" for i in range(5000))
    text = VALID.replace("          - name: 業務プロセスの見直し\n            status: 概ね順調\n", acts)
    with pytest.raises(InputError) as err:
        load(write(tmp_path, text))
    assert len(err.value.problems) == MAX_PROBLEMS
    assert err.value.more == MAX_MORE_PROBLEMS
    assert f"ほかに少なくとも {MAX_MORE_PROBLEMS} 件の問題があります" in str(err.value)


@pytest.mark.parametrize("size", ["small", "large"])
def test_limits_say_the_same_whether_scanned_or_walked(tmp_path: Path, size: str) -> None:
    """Files past ``PRESCAN_CHARS`` are scanned before composing; smaller ones are walked."""
    from pipeline.load import MAX_KEYS, PRESCAN_CHARS

    keys = "".join(f"  k{i}: 1\n" for i in range(MAX_KEYS + 5))
    text = VALID.replace("report:\n", "report:\n" + keys)
    if size == "large":
        text += "#" * (PRESCAN_CHARS + 1) + "\n"
    with pytest.raises(InputError) as err:
        load(write(tmp_path, text))
    first_over = f"k{MAX_KEYS}: 1"  # the 101st key of report (its own two come after)
    assert str(err.value) == f"{tmp_path / 'input.yaml'}:{line_of(text, first_over)}:3: report: " + (
        f"項目が多すぎます（{MAX_KEYS:,} 個を超えています）。字下げがずれていないか確かめてください。"
    )


def test_the_last_accepted_year_and_date_build(tmp_path: Path) -> None:
    """Fiscal year 2200 was accepted, then the DOCX's ZIP dates (which end in 2107) crashed."""
    from pipeline.load import LAST_YEAR

    text = VALID.replace("period: [2024, 2027]", f"period: [2024, {LAST_YEAR}]").replace(
        "fiscal_year: 2025", f"fiscal_year: {LAST_YEAR}"
    )
    out = tmp_path / "out"
    code, output = build(["build", str(write(tmp_path, text)), "--out", str(out), "--only", "summary"])
    assert code == 0, output
    dated = text.replace("  term: second_half\n", "  term: second_half\n  date: 2107-12-31\n")
    code, output = build(
        ["build", str(write(tmp_path, dated, "dated.yaml")), "--out", str(out), "--only", "summary"]
    )
    assert code == 0, output
    import zipfile

    with zipfile.ZipFile(out / "dated.docx") as z:
        assert {info.date_time[:3] for info in z.infolist()} == {(2107, 12, 31)}
    later = tmp_path / "later"
    later.mkdir()
    refuse(later, text.replace(f"fiscal_year: {LAST_YEAR}", f"fiscal_year: {LAST_YEAR + 1}"))


@pytest.mark.parametrize("char", ["\x00", "\x07", "\ufffe"], ids=["nul", "bell", "fffe"])
def test_raw_unprintable_character_in_the_file_is_located(tmp_path: Path, char: str) -> None:
    text = VALID.replace("業務改善事業", "業務" + char + "改善事業")
    output = refuse(tmp_path, text)
    line = line_of(text, "業務" + char)
    column = text.splitlines()[line - 1].index(char) + 1
    assert f"input.yaml:{line}:{column}: YAML に書けない文字 U+{ord(char):04X}" in output, output


@pytest.mark.parametrize("size", ["small", "large"])
def test_a_list_too_long_is_refused_at_its_first_item_over(tmp_path: Path, size: str) -> None:
    """A million highlights took 1.5 s to count as nodes; a list past ``MAX_ITEMS`` stops at once.

    The same message whether the file is scanned (large) or walked (small: a flow list).
    """
    from pipeline.load import MAX_ITEMS, PRESCAN_CHARS

    items = [f"h{i}" for i in range(MAX_ITEMS + 1)]
    if size == "small":
        listed = "        highlights: [" + ", ".join(items) + "]\n"
    else:
        listed = "        highlights:\n" + "".join(f"          - {item}\n" for item in items)
    old = "        highlights:\n          - 業務の見直しを実施。\n"
    text = VALID.replace(old, listed)
    assert (len(text) > PRESCAN_CHARS) == (size == "large")
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        load(write(tmp_path, text))
    assert time.perf_counter() - started < LIMIT_SECONDS
    last = items[-1]
    line = line_of(text, last)
    found = re.search(rf"\b{last}\b", text.splitlines()[line - 1])
    assert found is not None
    path = f"perspectives[1].businesses[1].highlights[{MAX_ITEMS + 1}]"
    assert str(err.value) == (
        f"{tmp_path / 'input.yaml'}:{line}:{found.start() + 1}: {path}: "
        f"リストの項目が多すぎます（1つのリストに {MAX_ITEMS:,} 個まで）。"
    )


def test_too_many_statuses_for_the_count_table(tmp_path: Path) -> None:
    """500 statuses made a count table no page holds; the limit is said where it is passed."""
    from pipeline.load import MAX_STATUSES

    def with_statuses(n: int) -> str:
        listed = "statuses:\n" + "".join(f"  - name: 区分{i}\n" for i in range(1, n + 1))
        return VALID.replace("perspectives:", listed + "perspectives:").replace(
            "status: 概ね順調", "status: 区分1"
        )

    text = with_statuses(MAX_STATUSES + 1).replace("status: 遅れ", "status: 区分2")
    output = refuse(tmp_path, text)
    line = line_of(text, f"name: 区分{MAX_STATUSES + 1}")
    assert f"input.yaml:{line}:5: statuses[{MAX_STATUSES + 1}]: 進捗区分が多すぎます" in output, output
    exact = with_statuses(MAX_STATUSES).replace("status: 遅れ", "status: 区分2")
    assert len(load(write(tmp_path, exact, "exact.yaml")).statuses) == MAX_STATUSES


def test_one_line_texts_and_status_names_have_shorter_limits(tmp_path: Path) -> None:
    """A name is a table cell or a heading: 400 characters of a status's name made a count
    table whose heading row no page holds."""
    from pipeline.load import MAX_LINE_CHARS, MAX_STATUS_CHARS

    long_name = "業" * (MAX_LINE_CHARS + 1)
    output = refuse(tmp_path, VALID.replace("name: 業務改善事業", f"name: {long_name}"))
    assert f"perspectives[1].businesses[1].name: 長すぎます（{MAX_LINE_CHARS + 1} 字、" in output, output
    status = "区" * (MAX_STATUS_CHARS + 1)
    listed = f"statuses:\n  - name: {status}\n    on_track: true\n  - name: 遅れ\n"
    text = VALID.replace("perspectives:", listed + "perspectives:").replace(
        "status: 概ね順調", f"status: {status}"
    )
    second = tmp_path / "second"
    second.mkdir()
    output = refuse(second, text)
    assert f"input.yaml:{line_of(text, status)}:11: statuses[1].name: 長すぎます" in output, output
    just = VALID.replace("name: 業務改善事業", "name: " + "業" * MAX_LINE_CHARS)
    assert (
        load(write(tmp_path, just, "just.yaml")).perspectives[0].businesses[0].name == "業" * MAX_LINE_CHARS
    )


def test_a_quoted_date_is_a_date(tmp_path: Path) -> None:
    data = load(write(tmp_path, DATED.replace("date: 2025-10-31", 'date: "2025-10-31"')))
    assert data.report.date is not None and data.report.date.isoformat() == "2025-10-31"
    output = refuse(tmp_path, DATED.replace("date: 2025-10-31", 'date: "2025-02-30"'))
    assert "report.date: 「2025-02-30」は日付として正しくありません" in output


# --- issue 10: the Additions' fields under the same rules and limits ------------------------------


def test_an_indicator_list_too_long_is_refused_at_its_first_item_over(tmp_path: Path) -> None:
    from pipeline.load import MAX_ITEMS

    items = ", ".join(f"{{name: i{i}}}" for i in range(MAX_ITEMS + 1))
    text = VALID.replace(
        "            status: 概ね順調\n", f"            status: 概ね順調\n            indicators: [{items}]\n"
    )
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        load(write(tmp_path, text))
    assert time.perf_counter() - started < LIMIT_SECONDS
    path = f"perspectives[1].businesses[1].activities[1].indicators[{MAX_ITEMS + 1}]"
    assert f"{path}: リストの項目が多すぎます" in str(err.value)


@pytest.mark.parametrize(
    ("lines", "path", "words"),
    [
        ("            id: 12\n", "activities[1].id", "文字列が必要です"),
        ("            id: ''\n", "activities[1].id", "空の文字列"),
        ("            effect: [歳出削減, 100]\n", "activities[1].effect", "マッピング"),
        (
            "            effect: {kind: 歳出削減, targte: 5}\n",
            "activities[1].effect.targte",
            "「target」の書き間違い",
        ),
        ("            indicators: {name: x}\n", "activities[1].indicators", "リスト"),
        ("            indicators: [{unit: 件}]\n", "activities[1].indicators[1].name", "必須の項目"),
        ("            indicators: [{name: a}, {name: a}]\n", "activities[1].indicators[2].name", "重複"),
        ("            indicators: [{name: a, actual: .inf}]\n", "activities[1].indicators[1].actual", "数値"),
    ],
)
def test_additions_fields_wrong_shapes_are_located(tmp_path: Path, lines: str, path: str, words: str) -> None:
    text = VALID.replace("            status: 概ね順調\n", "            status: 概ね順調\n" + lines)
    with pytest.raises(InputError) as err:
        load(write(tmp_path, text))
    message = str(err.value)
    assert re.search(
        rf"input\.yaml:\d+:\d+: perspectives\[1\]\.businesses\[1\]\.{re.escape(path)}: ", message
    ), message
    assert words in message
