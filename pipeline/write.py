"""Stage 5, write: replace one input's set of files as a whole, never losing a reviewer's edits.

A set is written as a transaction inside the output folder's ``.gyokaku/`` (same file system, so
every rename is atomic):

1. stage: every new file, the backup of every edited draft being replaced and the new draft
   records are written into ``.gyokaku/staging-XXXX/`` and fsynced. A failure here (a full disk,
   a name too long) removes the staging folder: nothing of the outputs has changed.
2. commit: a journal listing the renames is written and fsynced, then renamed to ``journal.json``
   inside the staging folder. From that instant the set counts as written.
3. apply: the staged files are renamed into place, backups first, the draft records last; then
   the staging folder is removed.

Whatever stops a run (a crash, SIGKILL, a power cut between two renames), the next run that
opens the folder finishes a committed staging folder (roll forward) and removes an uncommitted
one (roll back) before it reads the records or writes anything, so a mixed set never outlives
the run that made it, and a draft's record always ends up describing the file beside it.

gyokaku records the SHA-256 of every Word draft it writes (``.gyokaku/drafts.json``); a draft
whose bytes no longer match was edited since (or written by someone else) and is not replaced
unless forced, and then a copy of it is kept. The folder is locked while a command writes to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

RECORD_DIR = ".gyokaku"
RECORDS = "drafts.json"
LOCK = "lock"
JOURNAL = "journal.json"
STAGING_PREFIX = "staging-"
GUARDED_SUFFIXES = (".docx",)
RECORDS_FORMAT = 1
# what gyokaku 0.1's atomic_write left behind when killed: .NAME.XXXXXXXX.tmp (mkstemp's 8 characters)
_OLD_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


class EditedError(Exception):
    """Outputs that were edited after gyokaku wrote them."""

    def __init__(self, paths: list[Path], unreadable: list[str] | None = None) -> None:
        self.paths = paths
        names = "、".join(str(p) for p in paths)
        damaged = (
            f"（記録 {'、'.join(unreadable)} が壊れているため、gyokaku が書いたままか確かめられません）"
            if unreadable
            else ""
        )
        super().__init__(
            f"{names} は gyokaku が書いた後に編集されています{damaged}。上書きしませんでした。"
            "編集内容は `gyokaku diff` で確かめ、`gyokaku apply` で入力に取り込めます。"
            "編集を残したまま作り直すには --force を付けてください（編集版は別名で保存されます）。"
        )


class OutputError(Exception):
    """A set that cannot be written as asked (names, folders); nothing was changed."""


class LockedError(Exception):
    """Another gyokaku is writing to the same output folder."""


class IncompleteError(Exception):
    """The set was committed but could not all be put in place; the next run finishes it."""


@dataclass(frozen=True)
class Written:
    """A file written, and the backup kept of an edited file it replaced."""

    path: Path
    backup: Path | None = None


@dataclass
class Records:
    """The draft records of one folder: file name → SHA-256, and what could not be read."""

    digests: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)


def digest(data: bytes) -> str:
    """The SHA-256 of ``data`` as hex."""
    return hashlib.sha256(data).hexdigest()


def backup_name(path: Path, data: bytes, limit: int = 255) -> Path:
    """NAME.edited-<hash>.docx: named by content, so the same edit is never kept twice.

    NAME is shortened (by whole characters) when the name would pass the file system's
    ``limit`` in bytes, so that a long draft name can always be kept.
    """
    tail = f".edited-{digest(data)[:8]}{path.suffix}"
    stem = path.stem
    while stem and len(os.fsencode(stem + tail)) > limit:
        stem = stem[:-1]
    return path.with_name(stem + tail)


# --- plain files ------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_file(path: Path, data: bytes) -> None:
    """Create ``path`` (which must not exist) with ``data``, flushed to the disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(path: Path) -> None:
    """Make the folder's entries (new names, renames) durable; a no-op where folders can't be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write one file through a temporary file beside it and a rename (an input's YAML, caches):
    a file replaced keeps its permissions, a new one gets the umask's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _no_interrupt() -> Iterator[None]:
    """Hold Ctrl-C while staged files are renamed into place (main thread only)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# --- records ----------------------------------------------------------------------------------


def _legacy_record(folder: Path, name: str) -> Path:
    """Where gyokaku 0.1 kept a draft's digest: ``.gyokaku/NAME.sha256``."""
    return folder / RECORD_DIR / (name + ".sha256")


def read_records(folder: Path) -> Records:
    """The folder's draft records; a damaged record file is named, never trusted."""
    records = Records()
    path = folder / RECORD_DIR / RECORDS
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return records
    except OSError:
        records.unreadable.append(str(path))
        return records
    try:
        parsed = json.loads(raw.decode("utf-8"))
        drafts = parsed["drafts"]
        if parsed.get("format") != RECORDS_FORMAT or not isinstance(drafts, dict):
            raise ValueError("format")
        for name, value in drafts.items():
            if isinstance(name, str) and isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value):
                records.digests[name] = value
            else:
                raise ValueError(name)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        records.digests.clear()
        records.unreadable.append(str(path))
    return records


def _recorded(folder: Path, records: Records, name: str) -> str | None:
    """The digest recorded for ``name``: the records file, else gyokaku 0.1's record beside it."""
    if name in records.digests:
        return records.digests[name]
    legacy = _legacy_record(folder, name)
    try:
        value = legacy.read_bytes().decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return value if re.fullmatch(r"[0-9a-f]{64}", value) else None


def is_edited(path: Path, records: Records | None = None) -> bool:
    """Was ``path`` changed since gyokaku wrote it (or written by someone else)?"""
    if path.suffix not in GUARDED_SUFFIXES or not path.is_file():
        return False
    records = records if records is not None else read_records(path.parent)
    recorded = _recorded(path.parent, records, path.name)
    return recorded is None or digest(path.read_bytes()) != recorded


def _records_bytes(digests: dict[str, str]) -> bytes:
    body = {"format": RECORDS_FORMAT, "drafts": dict(sorted(digests.items()))}
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# --- the transaction --------------------------------------------------------------------------


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (AttributeError, OSError, ValueError):
        return 255


def _check_targets(folder: Path, names: list[str]) -> None:
    """Refuse names the folder cannot hold, and targets that are folders, before anything is written."""
    limit = _name_max(folder)
    too_long = [n for n in names if len(os.fsencode(n)) > limit]
    if too_long:
        raise OutputError(
            f"出力ファイル名が長すぎます（{limit} バイトまで）: {'、'.join(too_long)}。"
            "入力ファイルの名前を短くしてください。何も書き換えていません。"
        )
    folders = [n for n in names if os.path.isdir(folder / n) and not os.path.islink(folder / n)]
    if folders:
        raise OutputError(
            f"出力先に同じ名前のフォルダーがあります: {'、'.join(str(folder / n) for n in folders)}。"
            "何も書き換えていません。"
        )


def _stage(folder: Path, moves: list[tuple[str, bytes]]) -> Path:
    """Write every file into a new staging folder and commit it; returns the staging folder."""
    work = folder / RECORD_DIR
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=work))
    try:
        journal = []
        for i, (target, data) in enumerate(moves):
            staged = f"{i}.part"
            _write_file(staging / staged, data)
            journal.append([staged, target])
        text = json.dumps({"format": RECORDS_FORMAT, "moves": journal}, ensure_ascii=False)
        _write_file(staging / (JOURNAL + ".new"), text.encode("utf-8"))
        _sync_dir(staging)
        os.replace(staging / (JOURNAL + ".new"), staging / JOURNAL)  # the commit point
        _sync_dir(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _apply(folder: Path, staging: Path) -> list[str]:
    """Rename a committed staging folder's files into place (again, if half done); their names."""
    journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    moves: list[tuple[str, str]] = [(str(a), str(b)) for a, b in journal["moves"]]
    with _no_interrupt():
        for staged, target in moves:
            source = staging / staged
            if source.exists():
                os.replace(source, folder / target)
        _sync_dir(folder)
        _sync_dir(folder / RECORD_DIR)
        for _, target in moves:  # gyokaku 0.1's records of drafts now in drafts.json
            if Path(target).suffix in GUARDED_SUFFIXES:
                with contextlib.suppress(OSError):
                    _legacy_record(folder, target).unlink()
        shutil.rmtree(staging, ignore_errors=True)
    return [target for _, target in moves if target != f"{RECORD_DIR}/{RECORDS}"]


@dataclass(frozen=True)
class Recovery:
    """What opening a folder found of an interrupted run: sets finished, staging folders removed."""

    finished: list[str]
    removed: int
    old_temporaries: int


def recover(folder: Path) -> Recovery:
    """Finish committed sets of an interrupted run and remove uncommitted ones (call under the lock)."""
    finished: list[str] = []
    removed = 0
    work = folder / RECORD_DIR
    if work.is_dir():
        for staging in sorted(work.glob(STAGING_PREFIX + "*")):
            if not staging.is_dir():
                continue
            if (staging / JOURNAL).is_file():
                try:
                    finished += _apply(folder, staging)
                except (OSError, ValueError, KeyError, TypeError) as err:
                    raise IncompleteError(
                        f"{staging} の書き込みを完了できませんでした（{err}）。"
                        "前回中断された出力が混在しています。このフォルダーを確認してください。"
                    ) from None
            else:
                shutil.rmtree(staging, ignore_errors=True)
                removed += 1
    old = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if _OLD_TEMP.match(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    old += 1
    return Recovery(finished, removed, old)


def write_set(folder: Path, files: dict[Path, bytes], force: bool = False) -> list[Written]:
    """Replace the set ``files`` (all in ``folder``) as a whole (call under the folder's lock)."""
    if any(path.parent != folder for path in files):
        raise ValueError("every file of a set must be in its folder")
    _check_targets(folder, [path.name for path in files])
    records = read_records(folder)
    edited = [p for p in files if is_edited(p, records)]
    if edited and not force:
        raise EditedError(edited, records.unreadable)
    moves: list[tuple[str, bytes]] = []
    backups: dict[Path, Path] = {}
    limit = _name_max(folder)
    for path in edited:
        old = path.read_bytes()
        backups[path] = backup_name(path, old, limit)
        moves.append((backups[path].name, old))
    digests = dict(records.digests)
    for path, data in files.items():
        moves.append((path.name, data))
        if path.suffix in GUARDED_SUFFIXES:
            digests[path.name] = digest(data)
    _check_targets(folder, [name for name, _ in moves])
    moves.append((f"{RECORD_DIR}/{RECORDS}", _records_bytes(digests)))
    staging = _stage(folder, moves)
    try:
        _apply(folder, staging)
    except OSError as err:
        raise IncompleteError(
            f"{folder} への書き込みが途中で止まりました（{err.strerror}: {err.filename}）。"
            "新しい出力の一部だけが置き換わっています。原因を取り除いてもう一度実行すると、残りを書き込みます。"
        ) from None
    return [Written(path, backups.get(path)) for path in files]


# --- the folder lock --------------------------------------------------------------------------


def _try_lock(handle: IO[bytes]) -> bool:
    """Lock the open file without waiting; False when another process holds it."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _holder(raw: bytes) -> str:
    """Who holds the lock, as its file says."""
    try:
        info = json.loads(raw.decode("utf-8"))
        return f"プロセス {int(info['pid'])}（{info['host']}、{info['started']} 開始）"
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return "別のプロセス"


class OutputFolder:
    """An output folder: locked from the first write until closed, interrupted writes finished first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock: IO[bytes] | None = None
        self.recovery: Recovery | None = None

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> Recovery:
        """Create and lock the folder, then recover from an interrupted run (once)."""
        if self._lock is None:
            (self.path / RECORD_DIR).mkdir(parents=True, exist_ok=True)
            handle = open(self.path / RECORD_DIR / LOCK, "a+b")  # held until close()
            try:
                if not _try_lock(handle):
                    handle.seek(0)
                    who = _holder(handle.read())
                    raise LockedError(
                        f"出力先 {self.path} は {who} が書き込み中です。"
                        "終わってからもう一度実行してください。"
                    )
                handle.seek(0)
                handle.truncate()
                started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
                info = {"pid": os.getpid(), "host": socket.gethostname(), "started": started}
                handle.write(json.dumps(info).encode("utf-8"))
                handle.flush()
                self.recovery = recover(self.path)
            except BaseException:
                handle.close()
                raise
            self._lock = handle
        assert self.recovery is not None
        return self.recovery

    def write(self, files: dict[Path, bytes], force: bool = False) -> list[Written]:
        """Replace one input's set of files as a whole."""
        self.open()
        return write_set(self.path, files, force)

    def close(self) -> None:
        """Release the lock (the lock file stays; it is empty of meaning without a holder)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def write_all(files: dict[Path, bytes], force: bool = False) -> list[Written]:
    """Write one set into its folder under the folder's lock (a command of its own)."""
    folders = {path.parent for path in files}
    if len(folders) != 1:
        raise ValueError("write_all takes the files of one folder")
    with OutputFolder(folders.pop()) as out:
        return out.write(files, force)
