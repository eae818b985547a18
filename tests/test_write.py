"""Writing (``write.py``): a set replaced as a whole or not at all (kills at every step, full disks),
edited drafts never lost, the folder lock, damaged records, leftovers, byte-identical rebuilds."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
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
    assert all(i.date_time[:3] == (2026, 4, 15) for i in zipfile.ZipFile(tmp_path / "dated.docx").infolist())
    pdf_bytes = (tmp_path / "dated.pdf").read_bytes()
    pdf = re.search(rb"/CreationDate \(D:(\d{14})([+-])(\d\d)'(\d\d)'\)", pdf_bytes)
    assert pdf is not None and pdf.group(1)[:8] == b"20260415", "the PDF is dated the input's day, in Japan"
    sign = 1 if pdf.group(2) == b"+" else -1
    offset = dt.timedelta(hours=int(pdf.group(3)), minutes=int(pdf.group(4))) * sign
    pdf_local = dt.datetime.strptime(pdf.group(1).decode(), "%Y%m%d%H%M%S")
    pdf_created = pdf_local.replace(tzinfo=dt.timezone(offset))
    created = re.search(r"<dcterms:created[^>]*>([^<]+)</dcterms:created>", core)
    assert created is not None
    word_created = dt.datetime.fromisoformat(created.group(1).replace("Z", "+00:00"))
    assert word_created == pdf_created, "the draft and the PDF were created at the same instant"


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


KILL_DRIVER = r"""
import os, signal, sys
from pipeline import write
n, count, active = int(sys.argv[1]), [0], [False]
def counted(fn):
    def call(*args, **kwargs):
        if active[0]:
            count[0] += 1
            if count[0] == n:
                os.kill(os.getpid(), signal.SIGKILL)
        return fn(*args, **kwargs)
    return call
for name in ("replace", "rename", "fsync", "unlink", "rmdir", "mkdir", "open", "write", "close"):
    setattr(os, name, counted(getattr(os, name)))
real = write.write_set
def traced(*args, **kwargs):
    active[0] = True
    try:
        return real(*args, **kwargs)
    finally:
        active[0] = False
write.write_set = traced
from pipeline.cli import main
try:
    main(sys.argv[2:], prog_name="gyokaku")
except SystemExit as end:
    os._exit(end.code or 0)
"""


def _outputs(folder: Path) -> dict[str, str]:
    """Every entry of the folder but gyokaku's own records folder (files by digest)."""
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.name != writer.RECORD_DIR:
            found[entry.name] = hashlib.sha256(entry.read_bytes()).hexdigest() if entry.is_file() else "dir"
    return found


def _records_agree(folder: Path) -> bool:
    """Every Word draft in the folder is what its record says gyokaku wrote."""
    records = writer.read_records(folder)
    return not records.unreadable and all(
        not writer.is_edited(path, records) for path in folder.glob("*.docx") if ".edited-" not in path.name
    )


def _two_versions(tmp_path: Path, *options: str) -> tuple[Path, Path, dict[str, str], dict[str, str]]:
    """An input, its edited next version, and the sets each builds (in folders of their own)."""
    first = tmp_path / "plan.yaml"
    first.write_text(VALID, encoding="utf-8")
    second = tmp_path / "next" / "plan.yaml"
    second.parent.mkdir()
    second.write_text(VALID.replace("業務の見直しを実施。", "業務の見直しを大きく実施。"), encoding="utf-8")
    sets = []
    for source, name in ((first, "old"), (second, "new")):
        code, output = build(["build", str(source), "--out", str(tmp_path / name), "--jobs", "1", *options])
        assert code == 0, output
        sets.append(_outputs(tmp_path / name))
    assert sets[0] != sets[1] and set(sets[0]) == set(sets[1])
    return first, second, sets[0], sets[1]


def test_a_kill_at_any_step_of_the_write_leaves_the_old_set_or_the_new(tmp_path: Path) -> None:
    """SIGKILL before each file-system call of the write phase; the next run ends it whole.

    The summary alone (its draft, its PDF and the draft's record) keeps the steps few.
    """
    only = ("--only", "summary")
    first, second, old, new = _two_versions(tmp_path, *only)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    outcomes = {"old": 0, "new": 0}
    step = 0
    while True:
        step += 1
        out = tmp_path / f"kill-{step}"
        assert build(["build", str(first), "--out", str(out), "--jobs", "1", *only])[0] == 0
        args = ["build", str(second), "--out", str(out), "-j", "1", *only]
        run = subprocess.run(
            [sys.executable, "-c", KILL_DRIVER, str(step), *args],
            capture_output=True,
            text=True,
            env=env,
        )
        assert "Traceback" not in run.stderr, run.stderr
        if run.returncode == 0:  # the write phase ran out of steps before the count: all done
            assert _outputs(out) == new
            break
        assert run.returncode == -9, (step, run.returncode, run.stderr)
        with writer.OutputFolder(out) as folder:
            folder.open()  # what any next run does first: finish or undo what was left
        found = _outputs(out)
        assert found in (old, new), f"step {step}: a mixed set {found}"
        outcomes["old" if found == old else "new"] += 1
        leftovers = sorted(p.name for p in (out / writer.RECORD_DIR).iterdir())
        assert leftovers == [writer.RECORDS, writer.LOCK], f"step {step}: left {leftovers}"
        assert _records_agree(out), f"step {step}: a draft's record disagrees with the draft"
        code, output = build(["build", str(second), "--out", str(out), "--jobs", "1", *only])
        assert code == 0 and "編集されています" not in output, f"step {step}: {output}"
        assert _outputs(out) == new
    assert step > 10 and outcomes["old"] and outcomes["new"], (step, outcomes)


def test_a_full_disk_while_writing_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills after N bytes of the new set, for N across the whole set: old set, whole."""
    first, second, old, new = _two_versions(tmp_path)
    total = sum((tmp_path / "new" / name).stat().st_size for name in new)
    out = tmp_path / "out"
    assert build(["build", str(first), "--out", str(out), "--jobs", "1"])[0] == 0
    real_write = os.write
    for room in (0, 1000, total // 3, total // 2, total - 1):
        written = [0]

        def full(fd: int, data: bytes, room: int = room, written: list[int] = written) -> int:
            if written[0] + len(data) > room:
                raise OSError(28, "No space left on device")
            written[0] += len(data)
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", full)
        code, output = build(["build", str(second), "--out", str(out), "--jobs", "1"])
        monkeypatch.setattr(os, "write", real_write)
        assert code == 2 and "ディスクの空きがありません" in output and "前のまま" in output, output
        assert "作成:" not in output, "a message claims a file was written"
        assert _outputs(out) == old
        assert sorted(p.name for p in (out / writer.RECORD_DIR).iterdir()) == [writer.RECORDS, writer.LOCK]
        assert _records_agree(out)
    assert build(["build", str(second), "--out", str(out), "--jobs", "1"])[0] == 0
    assert _outputs(out) == new


def _mount_tmpfs(path: Path, size: int) -> bool:
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    return mounted.returncode == 0


def test_a_real_full_disk_changes_nothing(tmp_path: Path) -> None:
    """A tmpfs with room for one set and a half: the rebuild cannot stage and leaves the old set."""
    first, second, old, new = _two_versions(tmp_path)
    size = sum((tmp_path / "new" / name).stat().st_size for name in new)
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, size * 3 // 2 + 64 * 1024):
        pytest.skip("mounting a tmpfs needs root (the injected full disk above covers the same path)")
    try:
        out = disk / "out"
        assert build(["build", str(first), "--out", str(out), "--jobs", "1"])[0] == 0
        code, output = build(["build", str(second), "--out", str(out), "--jobs", "1"])
        assert code == 2 and "前のまま" in output, output
        assert _outputs(out) == old and _records_agree(out)
        assert sorted(p.name for p in (out / writer.RECORD_DIR).iterdir()) == [writer.RECORDS, writer.LOCK]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_very_long_input_name_builds_and_keeps_backups(tmp_path: Path) -> None:
    """77 kanji (231 bytes): the files fit the 255-byte limit; a backup's name is shortened to fit."""
    source = tmp_path / ("行" * 77 + ".yaml")
    source.write_text(VALID, encoding="utf-8")
    out = tmp_path / "out"
    code, output = build(["build", str(source), "--out", str(out), "--jobs", "1"])
    assert code == 0, output
    sheets = out / ("行" * 77 + "-sheets.docx")
    edited = sheets.read_bytes() + b"edit"
    sheets.write_bytes(edited)
    code, output = build(["build", str(source), "--out", str(out), "--jobs", "1"])
    assert code == 2 and "編集されています" in output
    code, output = build(["build", str(source), "--out", str(out), "--jobs", "1", "--force"])
    assert code == 0, output
    backups = [p for p in out.iterdir() if ".edited-" in p.name]
    assert len(backups) == 1 and backups[0].read_bytes() == edited
    assert len(os.fsencode(backups[0].name)) <= 255
    assert build(["build", str(source), "--out", str(out), "--jobs", "1"])[0] == 0


def test_a_name_the_folder_cannot_hold_is_refused_before_writing(tmp_path: Path) -> None:
    source = tmp_path / ("行" * 82 + ".yaml")  # 246 bytes: the summary fits, "-sheets.docx" does not
    source.write_text(VALID, encoding="utf-8")
    out = tmp_path / "out"
    code, output = build(["build", str(source), "--out", str(out), "--jobs", "1"])
    assert code == 2 and "長すぎます" in output and "Traceback" not in output
    assert not [p for p in out.iterdir() if p.name != writer.RECORD_DIR]
    assert build(["build", str(source), "--out", str(out), "--only", "summary"])[0] == 0


HOLDER = r"""
import sys, time
from pathlib import Path
from pipeline.write import OutputFolder
folder = OutputFolder(Path(sys.argv[1]))
folder.open()
print("held", flush=True)
time.sleep(60)
"""


def test_a_folder_in_use_is_refused_naming_who_holds_it(tmp_path: Path, valid: Path) -> None:
    out = tmp_path / "out"
    assert build(["build", str(valid), "--out", str(out)])[0] == 0
    before = _outputs(out)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, output = build(["build", str(valid), "--out", str(out), "--force"])
        assert code == 2 and "書き込み中" in output and f"プロセス {holder.pid}" in output, output
        assert _outputs(out) == before
    finally:
        holder.kill()
        holder.wait()
    assert build(["build", str(valid), "--out", str(out)])[0] == 0, "the lock ends with its holder"


def test_damaged_records_never_crash_and_never_lose_a_draft(tmp_path: Path, valid: Path) -> None:
    out = tmp_path / "out"
    assert build(["build", str(valid), "--out", str(out)])[0] == 0
    draft = (out / "plan.docx").read_bytes()
    for damage in (b"\xff\xfe garbage", b"", b'{"format": 1, "drafts": []}', b'{"format": 9}', b"[1, 2]"):
        (out / writer.RECORD_DIR / writer.RECORDS).write_bytes(damage)
        code, output = build(["build", str(valid), "--out", str(out)])
        assert code == 2 and "壊れている" in output and "Traceback" not in output, output
        assert (out / "plan.docx").read_bytes() == draft
    code, output = build(["build", str(valid), "--out", str(out), "--force"])
    assert code == 0, output
    assert [p.read_bytes() for p in out.glob("plan.edited-*.docx")] == [draft]
    assert _records_agree(out)
    assert build(["build", str(valid), "--out", str(out)])[0] == 0


def test_records_of_the_previous_version_are_honoured(tmp_path: Path, valid: Path) -> None:
    """gyokaku 0.1 kept ``.gyokaku/NAME.sha256``: its drafts are not called edited after an upgrade."""
    out = tmp_path / "out"
    assert build(["build", str(valid), "--out", str(out)])[0] == 0
    (out / writer.RECORD_DIR / writer.RECORDS).unlink()
    for draft in out.glob("*.docx"):
        (out / writer.RECORD_DIR / (draft.name + ".sha256")).write_text(
            hashlib.sha256(draft.read_bytes()).hexdigest() + "\n", encoding="ascii"
        )
    (out / writer.RECORD_DIR / "plan-list.docx.sha256").write_bytes(b"\x00\xff")  # damaged: edited
    code, output = build(["build", str(valid), "--out", str(out)])
    assert code == 2 and "plan-list.docx" in output and "plan.docx " not in output
    code, output = build(["build", str(valid), "--out", str(out), "--force"])
    assert code == 0 and _records_agree(out)
    assert not list((out / writer.RECORD_DIR).glob("*.sha256")), "old records replaced by drafts.json"


def test_leftovers_of_an_interrupted_run_are_cleaned(tmp_path: Path, valid: Path) -> None:
    out = tmp_path / "out"
    assert build(["build", str(valid), "--out", str(out)])[0] == 0
    before = _outputs(out)
    stale = out / writer.RECORD_DIR / "staging-abc"
    stale.mkdir()
    (stale / "0.part").write_bytes(b"half a file")
    old_tmp = out / ".plan.pdf.k2j4_x9a.tmp"  # what gyokaku 0.1 left when killed
    old_tmp.write_bytes(b"half")
    code, output = build(["build", str(valid), "--out", str(out)])
    assert code == 0 and "片付けました" in output
    assert not stale.exists() and not old_tmp.exists()
    assert _outputs(out) == before


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "pipeline", *args], text=True, capture_output=True, **kwargs
    )
