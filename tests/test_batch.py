"""Batches (``batch.py``): inputs built on every core (--jobs) with the same bytes as one by one, one
input shared between two cores, failures kept to their input, workers that end with the command, the
progress bar."""

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
from pipeline.render.pdf import register_font

from .conftest import build
from .test_load import VALID

OTHER = VALID.replace("架空市", "見本町").replace("業務改善事業", "窓口改革事業")


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


@pytest.fixture()
def valid(inputs: list[Path]) -> Path:
    """The first of the inputs, ``a.yaml``."""
    return inputs[0]


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


def test_an_unexpected_failure_of_one_input_spares_the_others(
    tmp_path: Path, valid: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import build as stages

    other = valid.with_name("other.yaml")
    other.write_text(VALID, encoding="utf-8")
    real = stages.load

    def load(path: object, *args: object) -> object:
        if str(path).endswith(valid.name):
            raise ValueError("a defect")
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(stages, "load", load)
    out = tmp_path / "out"
    code, output = build(["build", str(valid), str(other), "--out", str(out), "--jobs", "1"])
    assert code == 2 and "内部エラー" in output and "a defect" in output and "Traceback" not in output
    assert (out / "other.pdf").exists() and not (out / valid.with_suffix(".pdf").name).exists()


def test_fonts_are_parsed_once_per_process(tmp_path: Path, inputs: list[Path]) -> None:
    renderers = batch.warm("default", ("docx", "pdf"))
    assert batch.shared_renderers("default") is renderers
    parsed = register_font.cache_info().misses
    for source in inputs:
        render_input(source, batch.shared_renderers("default"), tmp_path, ("pdf",))
    assert batch.warm("default", ("pdf",)) is renderers
    assert register_font.cache_info().misses == parsed
