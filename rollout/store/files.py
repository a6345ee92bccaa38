"""The database as a file: who holds it, where files may be written, replacing it safely, leftovers.

DuckDB holds an OS lock on its file while a process has it open (POSIX `fcntl` locks: exclusive
when read-write, shared when read-only). A command that replaces the file (`demo --force`,
`restore`) asks the OS, without opening the database, whether another process holds such a lock,
and refuses if one does: swapping the file under a running app would let the app go on saving
into the deleted file. Replacement itself is built aside (a hidden file next to the database,
named after the process that builds it) and moved into place atomically; a builder killed with
`kill -9` leaves its hidden file behind, and the next open or restore removes it.

Caveat (POSIX locks): closing any descriptor of a file drops every lock this process holds on it,
so `lock_holder` is only asked about files this process has not opened (the CLI asks before it
opens; the app never asks).
"""

from __future__ import annotations

import contextlib
import os
import struct
import sys
import tempfile
import time
from pathlib import Path

from rollout.core.errors import DatabaseLockedError, RolloutError
from rollout.core.i18n import _

try:
    import fcntl
except ImportError:  # Windows: DuckDB locks there too, and the OS refuses to replace an open file
    fcntl = None  # type: ignore[assignment]

# struct flock as the OS lays it out (Linux: type, whence, start, len, pid; macOS/BSD: start, len, pid,
# type, whence).
_FLOCK = struct.Struct("qqihh" if sys.platform == "darwin" or "bsd" in sys.platform else "hhqqi4x")
STAGING_SUFFIXES = (".restoring", ".replacing")
STALE_AFTER_S = 600  # a staged file nobody holds, older than this, whose builder is unknown: left over


def lock_holder(path: Path, for_write: bool = True) -> int | None:
    """The process id of another process whose lock on `path` conflicts with a write lock (any holder,
    when for_write) or with a read lock (a read-write holder); None when none does or the OS cannot
    tell. Does not open the database and takes no lock."""
    if fcntl is None or not Path(path).is_file():
        return None
    wanted = fcntl.F_WRLCK if for_write else fcntl.F_RDLCK
    fields = (0, 0, 0, wanted, os.SEEK_SET) if _FLOCK.format.startswith("qq") else (wanted, os.SEEK_SET, 0, 0, 0)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None  # unreadable: opening the database will say so
    try:
        answer = _FLOCK.unpack(fcntl.fcntl(fd, fcntl.F_GETLK, _FLOCK.pack(*fields)))
    except OSError:
        return None
    finally:
        os.close(fd)
    kind, pid = (answer[3], answer[2]) if _FLOCK.format.startswith("qq") else (answer[0], answer[4])
    return None if kind == fcntl.F_UNLCK else pid


def refuse_if_held(path: Path, for_write: bool = True) -> None:
    """DatabaseLockedError, naming the process, when another process holds the database file."""
    pid = lock_holder(path, for_write)
    if pid is not None:
        raise DatabaseLockedError(_("the database {path} is in use by another process (PID {pid}): close the app or "
                                    "the other command, then retry").format(path=path, pid=pid))


def check_database_path(path: Path) -> None:
    """A path that can be a database file: not a folder, and no file where a folder should be."""
    path = Path(path)
    if path.is_dir():
        raise RolloutError(_("{path} is a folder (expected a database file, e.g. {example})").format(
            path=path, example=path / "rollout.duckdb"))
    _check_parents(path)


def check_output_path(path: Path, folder: bool = False) -> None:
    """A path a new file (or, folder=True, a folder of files) can be written to: refuses a folder where
    a file is meant, a file where a folder is meant, and a file standing where a parent folder should."""
    path = Path(path)
    if folder and path.exists() and not path.is_dir():
        raise RolloutError(_("cannot write to {path}: it is a file (expected a folder, or a name ending in .xlsx or "
                             ".zip)").format(path=path))
    if not folder and path.is_dir():
        raise RolloutError(_("cannot write to {path}: it is a folder (expected a file name)").format(path=path))
    _check_parents(path)


def _check_parents(path: Path) -> None:
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise RolloutError(_("cannot use {path}: {parent} is a file, not a folder").format(path=path,
                                                                                                 parent=parent))
            return


def staging_path(target: Path, suffix: str) -> Path:
    """A new hidden name next to `target` for a replacement being built (the builder's process id in
    its name, so a leftover of a killed builder is recognised); the file itself is not created."""
    target = Path(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=suffix, dir=target.parent)
    os.close(handle)
    os.unlink(name)  # DuckDB must create the file itself
    return Path(name)


def remove_file(path: Path) -> None:
    """A database file and its write-ahead log, if there."""
    for leftover in (Path(path), Path(str(path) + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def replace_database(staged: Path, target: Path) -> None:
    """Move a closed, checkpointed database file into place atomically, unless another process holds
    the target (checked again at the last moment). The target's old write-ahead log goes first, so
    it is never replayed onto the new file."""
    refuse_if_held(target)
    with contextlib.suppress(FileNotFoundError):
        Path(str(target) + ".wal").unlink()
    os.replace(staged, target)


def remove_leftovers(target: Path) -> list[Path]:
    """Hidden staged files next to `target` left by a replacement that was killed: those whose builder
    process is gone, or (builder unknown) older than STALE_AFTER_S, and that nobody holds. Returns
    the files removed; never fails (a leftover that cannot be removed stays)."""
    target = Path(target)
    removed: list[Path] = []
    try:
        candidates = [p for p in target.parent.glob(f".{target.name}.*") if p.name.endswith(STAGING_SUFFIXES)
                      or p.name.endswith(tuple(s + ".wal" for s in STAGING_SUFFIXES))]
    except OSError:
        return removed
    for path in candidates:
        main = Path(str(path).removesuffix(".wal"))
        if not _abandoned(target, main) or lock_holder(main) is not None:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def _abandoned(target: Path, staged: Path) -> bool:
    """Whether the process that built this staged file is gone (or, unknown, the file is old)."""
    middle = staged.name.removeprefix(f".{target.name}.").split(".", 1)[0]
    if middle.isdigit() and os.name == "posix":  # (os.kill(pid, 0) would end a process on Windows)
        pid = int(middle)
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except OSError:  # alive, owned by someone else
            return False
        return False
    try:
        return time.time() - staged.stat().st_mtime > STALE_AFTER_S
    except OSError:
        return True  # only its .wal is left
