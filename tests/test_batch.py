"""Issue 5: batch builds on every core (--jobs), a progress bar only on a terminal."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import batch
from pipeline.build import render_input
from pipeline.progress import Progress, columns
from pipeline.render import fontcache
from pipeline.render.pdf import register_font

from .conftest import build
from .test_load import VALID

OTHER = VALID.replace("架空市", "見本町").replace("業務改善事業", "窓口改革事業")


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


@pytest.fixture()
def inputs(tmp_path: Path) -> list[Path]:
    paths = []
    for name, text in (("a.yaml", VALID), ("b.yaml", OTHER)):
        path = tmp_path / "in" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_parallel_build_gives_the_same_bytes_as_serial(tmp_path: Path, inputs: list[Path]) -> None:
    code, output = build(["build", *map(str, inputs), "--out", str(tmp_path / "par"), "--jobs", "2"])
    assert code == 0, output
    code, output = build(["build", *map(str, inputs), "--out", str(tmp_path / "ser"), "--jobs", "1"])
    assert code == 0, output
    parallel, serial = digests(tmp_path / "par"), digests(tmp_path / "ser")
    assert parallel == serial
    assert {"a.docx", "a.pdf", "b.docx", "b.pdf"} <= set(parallel)


def test_one_input_split_over_two_cores_gives_the_same_bytes(tmp_path: Path, inputs: list[Path]) -> None:
    """With one input, the Word draft is made in a forked child while the PDF is made here."""
    code, split = build(["build", str(inputs[0]), "--out", str(tmp_path / "split"), "--jobs", "2"])
    assert code == 0, split
    code, serial = build(["build", str(inputs[0]), "--out", str(tmp_path / "one"), "--jobs", "1"])
    assert code == 0, serial
    assert digests(tmp_path / "split") == digests(tmp_path / "one")
    assert split.replace(str(tmp_path / "split"), str(tmp_path / "one")) == serial


def test_a_refused_input_on_two_cores_is_reported_once(tmp_path: Path, inputs: list[Path]) -> None:
    bad = inputs[0].with_name("bad.yaml")
    bad.write_text(VALID.replace("status: 遅れ", "status: 遅延"), encoding="utf-8")
    code, output = build(["build", str(bad), "--out", str(tmp_path / "out"), "--jobs", "2"])
    assert code == 2
    assert output.count("「遅延」は進捗区分にありません") == 1
    assert not (tmp_path / "out").exists()


def test_a_failing_input_is_reported_and_the_others_are_written(tmp_path: Path, inputs: list[Path]) -> None:
    bad = inputs[0].with_name("bad.yaml")
    bad.write_text(VALID.replace("status: 遅れ", "status: 遅延"), encoding="utf-8")
    out = tmp_path / "out"
    code, output = build(["build", str(inputs[0]), str(bad), str(inputs[1]), "--out", str(out), "-j", "2"])
    assert code == 2
    assert f"エラー: {bad} は読み込めませんでした（1 件）。" in output
    assert "「遅延」は進捗区分にありません" in output
    assert "1 件の入力が失敗しました" in output
    assert {"a.docx", "a.pdf", "b.docx", "b.pdf"} <= set(digests(out))
    assert not any(p.name.startswith("bad") for p in out.iterdir())


def test_no_progress_bar_when_output_is_not_a_terminal(tmp_path: Path, inputs: list[Path]) -> None:
    code, output = build(["build", *map(str, inputs), "--out", str(tmp_path), "--jobs", "2"])
    assert code == 0, output
    assert "作成中" not in output and "\r" not in output and "#" not in output
    assert output.count("作成: ") == len([p for p in tmp_path.iterdir() if p.is_file()]) >= 4


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_is_drawn_in_place_on_a_terminal() -> None:
    stream = _Terminal()
    with Progress(4, stream=stream) as progress:
        progress.advance()
        progress.advance()
        assert stream.getvalue().endswith("\r" + progress.line())
    text = stream.getvalue()
    assert "作成中 [" in text and "2/4" in text and "\n" not in text
    assert text.endswith(" " * columns(progress.line()) + "\r")
    quiet = io.StringIO()
    with Progress(4, stream=quiet) as progress:
        progress.advance()
    assert quiet.getvalue() == ""


def test_jobs_default_to_the_cores_the_process_may_use() -> None:
    """Measured against ``nproc`` (coreutils), also when the process is held to one core."""
    probe = [sys.executable, "-c", "from pipeline.batch import default_jobs; print(default_jobs())"]
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    assert subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip() == nproc
    held = subprocess.run(["taskset", "-c", "0", *probe], capture_output=True, text=True, check=True)
    assert held.stdout.strip() == "1"


def _children(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_workers_end_when_the_command_is_killed(tmp_path: Path, inputs: list[Path]) -> None:
    more = [inputs[0].with_name(f"c{i}.yaml") for i in range(4)]
    for path in more:
        path.write_text(VALID, encoding="utf-8")
    args = ["build", *map(str, inputs + more), "--out", str(tmp_path / "o"), "-j", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.02)
    assert len(workers) >= 2, "the batch never started its workers"
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, 9)
    assert not left, f"workers {left} outlived the killed command"


def test_fonts_are_parsed_once_per_process(tmp_path: Path, inputs: list[Path]) -> None:
    renderers = batch.warm("default", ("docx", "pdf"))
    assert batch.shared_renderers("default") is renderers
    parsed = register_font.cache_info().misses
    for source in inputs:
        render_input(source, batch.shared_renderers("default"), tmp_path, ("pdf",))
    assert batch.warm("default", ("pdf",)) is renderers
    assert register_font.cache_info().misses == parsed


def test_font_cache_restores_the_parsed_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached face is the parsed one; a broken cache entry is parsed again, never trusted."""
    monkeypatch.setenv("GYOKAKU_CACHE_DIR", str(tmp_path / "cache"))
    path = batch.shared_renderers("default").font_files["mincho"]
    parsed = fontcache.ttfont("a", path)
    (entry,) = (tmp_path / "cache").iterdir()
    restored = fontcache.ttfont("b", path)
    assert restored.fontName == "b" and restored.face._ttf_data[:] == parsed.face._ttf_data
    assert "glyphToChar" not in vars(restored.face)  # unpickled only when asked for
    tables = ("charToGlyph", "charWidths", "hmetrics", "glyphPos", "glyphToChar")
    for key in (*tables, "ascent", "descent", "bbox"):
        assert getattr(restored.face, key) == getattr(parsed.face, key)
    for codes in (range(64, 128), [ord(c) for c in "進捗状況、概ね順調"]):  # the 2nd from kept tables
        assert restored.face.makeSubset(codes) == parsed.face.makeSubset(codes)
    with pytest.raises(AttributeError):
        restored.face.no_such_table  # noqa: B018
    assert restored.stringWidth("進捗状況1,543", 10.5) == parsed.stringWidth("進捗状況1,543", 10.5)
    assert [restored.face._pdfScale(v) for v in (1, 977, 2048)] == [
        parsed.face._pdfScale(v) for v in (1, 977, 2048)
    ]
    entry.write_bytes(b"broken")
    again = fontcache.ttfont("c", path)
    assert again.face.charWidths == parsed.face.charWidths


def test_font_cache_keeps_one_entry_per_font_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry made for another version of the font or cache is removed when the new one is stored."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GYOKAKU_CACHE_DIR", str(cache))
    path = batch.shared_renderers("default").font_files["mincho"]
    cache.mkdir()
    stale = cache / f"{path.stem}-0123456789abcdef.pickle"
    others = [cache / f"{path.stem}-Extra-0123456789abcdef.pickle", cache / "Other-0123456789abcdef.pickle"]
    for old in [stale, *others]:
        old.write_bytes(b"old")
    fontcache.ttfont("a", path)
    entry = fontcache._entry(path, 0)
    assert entry.exists() and not stale.exists()
    assert all(other.exists() for other in others)
    assert sorted(cache.iterdir()) == sorted([entry, *others])


def test_long_pdf_table_laid_out_by_window_as_in_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long table is split page by page from a window of rows: same pages, same text."""
    import datetime as dt

    import pdfplumber

    from pipeline import docmodel as dm
    from pipeline.render import pdf

    rows = tuple((str(i), f"活動{i}の実施" * (1 + i % 3), "概ね順調") for i in range(1, 181))
    table = dm.Table(header=(("No.", "活動", "状況"),), rows=rows, totals=(("", "合計", "180"),))
    doc = dm.Document("list", dm.Meta("t", "a", "s", dt.date(2022, 10, 1)), (table,))
    writer = batch.warm("default", ("pdf",)).writer("pdf")

    def pages(data: bytes) -> list[str]:
        with pdfplumber.open(io.BytesIO(data)) as document:
            return [page.extract_text() for page in document.pages]

    windowed = pages(writer.render(doc))
    monkeypatch.setattr(pdf, "WINDOW_ROWS", 10_000)
    whole = pages(writer.render(doc))
    assert len(whole) > 3 and windowed == whole


def _python_m(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8"
    )


def test_process_ends_with_the_exit_code_and_every_message(tmp_path: Path, inputs: list[Path]) -> None:
    """``run`` ends the process with ``os._exit``: codes and piped messages must survive it."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: [\n", encoding="utf-8")
    done = _python_m(["build", str(inputs[0]), str(bad), "--out", str(tmp_path / "out"), "-j", "1"], tmp_path)
    assert done.returncode == 2
    made = [line for line in done.stdout.splitlines() if line.startswith("作成: ")]
    assert len(made) == len(os.listdir(tmp_path / "out")) - 1  # each file reported (.gyokaku aside)
    assert "bad.yaml" in done.stderr and "1 件の入力が失敗しました" in done.stderr
    assert _python_m(["--version"], tmp_path).returncode == 0
    assert _python_m(["build", "--format", "rtf"], tmp_path).returncode == 2
    assert _python_m(["check", str(inputs[0])], tmp_path).stdout.startswith("OK: ")


def test_exit_code_of_sys_exit_arguments() -> None:
    from pipeline.cli import _exit_code

    assert (_exit_code(None), _exit_code(0), _exit_code(2)) == (0, 0, 2)
    assert _exit_code("message") == 1
