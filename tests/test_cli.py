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
