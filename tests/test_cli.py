"""The command line (``cli.py``): what it prints and exits with — ``check`` saying what ``build`` would refuse
or warn about, names that clash, a closed terminal, Ctrl-C, control characters in file names."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pipeline

from .conftest import build
from .test_load import VALID
from .test_write import _outputs


@pytest.fixture()
def valid(tmp_path: Path) -> Path:
    """A valid plan, ``plan.yaml``."""
    path = tmp_path / "plan.yaml"
    path.write_text(VALID, encoding="utf-8")
    return path


def _python_m(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command as its own process (``python -m pipeline``), its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8"
    )


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


def test_process_ends_with_the_exit_code_and_every_message(tmp_path: Path, valid: Path) -> None:
    """``run`` ends the process with ``os._exit``: codes and piped messages must survive it."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: [\n", encoding="utf-8")
    done = _python_m(["build", str(valid), str(bad), "--out", str(tmp_path / "out"), "-j", "1"], tmp_path)
    assert done.returncode == 2
    made = [line for line in done.stdout.splitlines() if line.startswith("作成: ")]
    assert len(made) == len(os.listdir(tmp_path / "out")) - 1  # each file reported (.gyokaku aside)
    assert "bad.yaml" in done.stderr and "1 件の入力が失敗しました" in done.stderr
    assert _python_m(["--version"], tmp_path).returncode == 0
    assert _python_m(["build", "--format", "rtf"], tmp_path).returncode == 2
    assert _python_m(["check", str(valid)], tmp_path).stdout.startswith("OK: ")


def test_exit_code_of_sys_exit_arguments() -> None:
    from pipeline.cli import _exit_code

    assert (_exit_code(None), _exit_code(0), _exit_code(2)) == (0, 0, 2)
    assert _exit_code("message") == 1


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


# --- the write phase as a transaction: kills, full disks, locks, damaged records -----------------

# Runs the command in a child process whose file-system calls during the write phase are counted;
# the Nth one kills the process with SIGKILL before it happens (nothing of gyokaku's runs after).


def test_inputs_whose_other_files_share_names_are_refused(tmp_path: Path, valid: Path) -> None:
    """``x.yaml`` writes ``x-list.pdf``; so does ``x-list.yaml`` (as its summary)."""
    clash = valid.with_name("plan-list.yaml")
    clash.write_text(VALID, encoding="utf-8")
    out = tmp_path / "out"
    code, output = build(["build", str(valid), str(clash), "--out", str(out)])
    assert code == 2 and "plan-list.pdf" in output and "出力名が同じ" in output
    assert not out.exists()
    code, output = build(["build", str(valid), str(clash), "--out", str(out), "--only", "summary"])
    assert code == 0, "with the list not built, the names do not meet"


def test_a_closed_stdout_or_a_vanished_reader_is_not_a_failure(tmp_path: Path, valid: Path) -> None:
    out = tmp_path / "closed"
    run = subprocess.run(
        f'"{sys.executable}" -m pipeline build "{valid}" --out "{out}" >&-',
        shell=True,
        capture_output=False,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert (out / "plan.pdf").exists()
    out = tmp_path / "gone"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", str(valid), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before anything is printed
    err = proc.stderr.read()
    assert proc.wait() == 0 and "Traceback" not in err, err
    assert len([p for p in out.iterdir() if p.is_file()]) == 6


def _gyokaku_frames(err: str) -> list[str]:
    """The traceback lines that name a file of gyokaku's (the package, or the installed command)."""
    package = str(Path(pipeline.__file__).parent)
    command = str(Path(sys.executable).parent / "gyokaku")
    frames = [line for line in err.splitlines() if line.strip().startswith("File ")]
    return [line for line in frames if package in line or command in line]


@pytest.mark.parametrize("command", ["python -m pipeline", "gyokaku"])
def test_ctrl_c_at_any_moment_gives_no_traceback(tmp_path: Path, valid: Path, command: str) -> None:
    """Ctrl-C while the command starts, reads, renders or writes: no traceback of gyokaku's, exit 130.

    CPython itself prints a traceback when interrupted before it has started the command (its
    own start-up: "Could not import runpy module"); that is not gyokaku's code and is let pass.
    """
    installed = [str(Path(sys.executable).parent / "gyokaku")]
    start = installed if command == "gyokaku" else [sys.executable, "-m", "pipeline"]
    for delay in (0.05, 0.1, 0.15, 0.2, 0.3, 0.45):
        proc = subprocess.Popen(
            [*start, "build", str(valid), "--out", str(tmp_path / "out")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert not _gyokaku_frames(err), (delay, err)
        if "Traceback" in err:  # interrupted before the command began: nothing of it ran
            assert not (tmp_path / "out").exists() or len(_outputs(tmp_path / "out")) in (0, 6)
            continue
        assert proc.returncode in (0, 130, -signal.SIGINT), (delay, proc.returncode, err)
        if proc.returncode == 130:
            assert "中断しました" in err
        found = _outputs(tmp_path / "out") if (tmp_path / "out").exists() else {}
        assert not found or len(found) == 6, f"a part of the set: {sorted(found)}"
