"""Issue 3: atomic writes, edited drafts never lost, byte-identical rebuilds, unprintable text."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline import write as writer
from pipeline.cli import SAMPLE

from .conftest import build
from .test_load import VALID


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


@pytest.fixture()
def valid(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(VALID, encoding="utf-8")
    return path


def test_same_input_gives_identical_bytes(tmp_path: Path) -> None:
    """Once in this process, once in a fresh one through ``python -m pipeline``."""
    code, output = build(["build", str(SAMPLE), "--out", str(tmp_path / "a")])
    assert code == 0, output
    subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(SAMPLE), "--out", str(tmp_path / "b")],
        check=True,
        capture_output=True,
    )
    first, second = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert first == second and len(first) >= 2


def test_document_dates_come_from_the_input(tmp_path: Path, valid: Path) -> None:
    dated = valid.with_name("dated.yaml")
    dated.write_text(
        VALID.replace("  term: second_half\n", "  term: second_half\n  date: 2026-04-15\n"), "utf-8"
    )
    code, output = build(["build", str(dated), "--out", str(tmp_path)])
    assert code == 0, output
    core = zipfile.ZipFile(tmp_path / "dated.docx").read("docProps/core.xml").decode()
    assert "2026-04-15T00:00:00Z" in core
    assert all(i.date_time[:3] == (2026, 4, 15) for i in zipfile.ZipFile(tmp_path / "dated.docx").infolist())
    assert b"/CreationDate (D:20260415" in (tmp_path / "dated.pdf").read_bytes()


def test_failed_render_leaves_earlier_outputs_untouched(
    tmp_path: Path, valid: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert build(["build", str(valid), "--out", str(out)])[0] == 0
    before = digests(out)
    valid.write_text(VALID.replace("業務の見直しを実施。", "業務の見直しを大きく実施。"), "utf-8")
    from pipeline.render import pdf

    def broken(self, doc):
        raise OSError(28, "No space left on device", "x.pdf")

    monkeypatch.setattr(pdf.PdfWriter, "render", broken)
    code, output = build(["build", str(valid), "--out", str(out)])
    assert code == 2 and "書き込めませんでした" in output
    assert digests(out) == before


def test_interrupted_write_never_leaves_half_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    real_replace = os.replace

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writer.atomic_write(target, b"new" * 1000)
    monkeypatch.setattr(os, "replace", real_replace)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"], "a temporary file was left behind"


def test_batch_reports_which_input_failed(tmp_path: Path, valid: Path) -> None:
    bad = valid.with_name("bad.yaml")
    bad.write_text(VALID.replace("status: 遅れ", "status: 不明"), "utf-8")
    out = tmp_path / "out"
    code, output = build(["build", str(valid), str(bad), "--out", str(out)])
    assert code == 2
    assert "bad.yaml" in output and "不明" in output
    assert {"plan.docx", "plan.pdf"} <= set(os.listdir(out))
    assert not any(name.startswith("bad.") for name in os.listdir(out))


def test_inputs_with_the_same_output_names_are_refused(tmp_path: Path, valid: Path) -> None:
    other = tmp_path / "other" / valid.name
    other.parent.mkdir()
    other.write_text(VALID, "utf-8")
    out = tmp_path / "out"
    code, output = build(["build", str(valid), str(other), "--out", str(out)])
    assert code == 2
    assert str(valid) in output and str(other) in output and "出力名が同じ" in output
    assert not out.exists() or not os.listdir(out)


def test_an_input_named_twice_is_built_once(tmp_path: Path, valid: Path) -> None:
    out = tmp_path / "out"
    code, output = build(["build", str(valid), str(valid), "--out", str(out), "--only", "summary"])
    assert code == 0
    assert output.count("plan.pdf") == 1


def test_edited_draft_is_not_overwritten_silently(tmp_path: Path, valid: Path) -> None:
    out = tmp_path / "out"
    assert build(["build", str(valid), "--out", str(out)])[0] == 0
    draft = out / "plan.docx"
    edited = draft.read_bytes() + b"reviewer's edit"
    draft.write_bytes(edited)
    pdf_before = (out / "plan.pdf").read_bytes()

    code, output = build(["build", str(valid), "--out", str(out)])
    assert code == 2 and "編集されています" in output and "--force" in output
    assert draft.read_bytes() == edited
    assert (out / "plan.pdf").read_bytes() == pdf_before, "nothing of the set is written when refused"

    code, output = build(["build", str(valid), "--out", str(out), "--force"])
    assert code == 0, output
    backups = list(out.glob("plan.edited-*.docx"))
    assert len(backups) == 1 and backups[0].read_bytes() == edited
    assert draft.read_bytes() != edited

    assert build(["build", str(valid), "--out", str(out)])[0] == 0, "an unedited draft is rebuilt freely"


def test_a_draft_gyokaku_did_not_write_is_protected(tmp_path: Path, valid: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.docx").write_bytes(b"someone's own file")
    code, output = build(["build", str(valid), "--out", str(out)])
    assert code == 2 and (out / "plan.docx").read_bytes() == b"someone's own file"


def test_unprintable_characters_are_located_before_rendering(tmp_path: Path) -> None:
    source = tmp_path / "emoji.yaml"
    text = VALID.replace("業務の見直しを実施。", "業務の見直しを実施😀。")
    source.write_text(text, encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), start=1) if "😀" in s)
    code, output = build(["build", str(source), "--out", str(tmp_path / "out")])
    assert code == 0
    assert f"emoji.yaml:{line}:" in output and "U+1F600" in output and "警告" in output
    code, output = build(["build", str(source), "--out", str(tmp_path / "strict"), "--strict"])
    assert code == 2 and "U+1F600" in output
    assert not (tmp_path / "strict").exists()
