"""Stage 5, write: put rendered files in place atomically, never losing a reviewer's edits.

Each file is written to a temporary file beside it and renamed over the old one, so a reader
sees the old file or the new one, never half of one. gyokaku records the SHA-256 of every Word
draft it writes (``.gyokaku/NAME.sha256`` beside it); a draft whose bytes no longer match was
edited since, and is not replaced unless forced, and then a copy of it is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

RECORD_DIR = ".gyokaku"
GUARDED_SUFFIXES = (".docx",)


class EditedError(Exception):
    """Outputs that were edited after gyokaku wrote them."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        names = "、".join(str(p) for p in paths)
        super().__init__(
            f"{names} は gyokaku が書いた後に編集されています。上書きしませんでした。"
            "編集を残したまま作り直すには --force を付けてください（編集版は別名で保存されます）。"
        )


@dataclass(frozen=True)
class Written:
    """A file written, and the backup kept of an edited file it replaced."""

    path: Path
    backup: Path | None = None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_path(path: Path) -> Path:
    return path.parent / RECORD_DIR / (path.name + ".sha256")


def is_edited(path: Path) -> bool:
    """Was ``path`` changed since gyokaku wrote it (or written by someone else)?"""
    if path.suffix not in GUARDED_SUFFIXES or not path.exists():
        return False
    record = record_path(path)
    if not record.exists():
        return True
    return digest(path.read_bytes()) != record.read_text(encoding="ascii").strip()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _no_interrupt() -> Iterator[None]:
    """Hold Ctrl-C until the files of one input are all in place (main thread only)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def backup_name(path: Path, data: bytes) -> Path:
    """NAME.edited-<hash>.docx: named by content, so the same edit is never kept twice."""
    return path.with_name(f"{path.stem}.edited-{digest(data)[:8]}{path.suffix}")


def write_all(files: dict[Path, bytes], force: bool = False) -> list[Written]:
    """Write every file or none: edited drafts are checked first, then all are put in place."""
    edited = [p for p in files if is_edited(p)]
    if edited and not force:
        raise EditedError(edited)
    done: list[Written] = []
    with _no_interrupt():
        for path, data in files.items():
            backup = None
            if path in edited:
                old = path.read_bytes()
                backup = backup_name(path, old)
                atomic_write(backup, old)
            atomic_write(path, data)
            if path.suffix in GUARDED_SUFFIXES:
                atomic_write(record_path(path), (digest(data) + "\n").encode("ascii"))
            done.append(Written(path, backup))
    return done
