"""The command line: what ``check`` reports is what ``build`` would refuse or warn about."""

from __future__ import annotations

from pathlib import Path

from .conftest import build
from .test_load import VALID


def test_check_reports_what_build_would_warn_about(tmp_path: Path) -> None:
    source = tmp_path / "emoji.yaml"
    text = VALID.replace("業務の見直しを実施。", "業務の見直しを実施😀。")
    source.write_text(text, encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), start=1) if "😀" in s)
    code, checked = build(["check", str(source)])
    assert code == 0 and f"emoji.yaml:{line}:" in checked and "U+1F600" in checked and "警告" in checked
    code, built = build(["build", str(source), "--out", str(tmp_path / "out")])
    assert code == 0
    warning = next(s for s in built.splitlines() if "U+1F600" in s)
    assert warning in checked.splitlines(), "check and build say the same"
    code, checked = build(["check", str(source), "--strict"])
    assert code == 2 and "U+1F600" in checked


def test_check_of_a_clean_input_says_ok(tmp_path: Path) -> None:
    source = tmp_path / "plan.yaml"
    source.write_text(VALID, encoding="utf-8")
    code, output = build(["check", str(source)])
    assert code == 0 and output.startswith(f"OK: {source}") and "警告" not in output


def test_an_unknown_format_is_refused_with_the_registry_s_names() -> None:
    code, output = build(["build", "--format", "docx,odt"])
    assert code == 2 and "odt" in output and "docx, pdf" in output


def test_a_file_name_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    source = tmp_path / "a\x1b[31mred\x07.yaml"
    source.write_text(VALID.replace("status: 遅れ", "status: 遅延"), encoding="utf-8")
    code, output = build(["check", str(source)])
    assert code == 2 and "\x1b" not in output and "\x07" not in output
    assert "a\\u001b[31mred\\u0007.yaml" in output


def test_a_bullet_mark_the_fonts_lack_is_a_located_style_error(tmp_path: Path) -> None:
    from pipeline.style import style_path

    text = style_path("default").read_text(encoding="utf-8")
    assert 'bullet_mark: "・"' in text
    style = tmp_path / "odd.yaml"
    style.write_text(text.replace('bullet_mark: "・"', 'bullet_mark: "😀"'), encoding="utf-8")
    line = next(i for i, s in enumerate(style.read_text("utf-8").splitlines(), 1) if "bullet_mark" in s)
    plan = tmp_path / "plan.yaml"
    plan.write_text(VALID, encoding="utf-8")
    for args in (["check", str(plan)], ["build", str(plan), "--out", str(tmp_path / "o")]):
        code, output = build([*args, "--style", str(style)])
        assert code == 2 and f"odd.yaml:{line}:" in output and "U+1F600" in output, output
    assert not (tmp_path / "o").exists()
