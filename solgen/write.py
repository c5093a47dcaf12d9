"""Writing outputs: atomic (temp file + rename in the same folder), or checking them.

A temporary file is named ``.<file>.<pid>.<random>.tmp`` beside its target, so a
later run can tell the leftovers of a killed run (whose process is gone) from the
temporary files of a run still writing, and removes the former.  Files get the
mode the umask allows (0644 under the usual 022, 0600 under 077).  An operating
system error (a read-only or full disk, ``-o`` naming a file) becomes
``OutputError``: one line naming the path and the reason, exit 4.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import OutputError

_LEFTOVER = re.compile(r"\.(.+)\.(\d+)\.[^.]+\.tmp\Z")


def stale(outdir: Path, files: dict[str, bytes]) -> list[Path]:
    """The files that are missing or differ from what would be written."""
    out = []
    for name, data in files.items():
        path = outdir / name
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            pass
        out.append(path)
    return out


def _mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: bytes) -> None:
    """A reader, or a run killed at any moment, sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_leftovers(outdir: Path, names: set[str]) -> None:
    """Delete the temporary files that killed runs left for these outputs."""
    try:
        entries = list(os.scandir(outdir))
    except OSError:
        return
    for entry in entries:
        m = _LEFTOVER.match(entry.name)
        if m and m.group(1) in names and not _alive(int(m.group(2))) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def write_all(outdir: Path, files: dict[str, bytes]) -> list[Path]:
    written = []
    remove_leftovers(outdir, set(files))
    for name, data in files.items():
        path = outdir / name
        try:
            write_atomic(path, data)
        except OSError as e:
            raise OutputError(_where(e, path), e) from None
        written.append(path)
    return written


def _where(e: OSError, path: Path) -> str:
    """The path the error is about: a folder the OS names (``-o`` below a file), else the
    output file (never our temporary file)."""
    named = os.fsdecode(e.filename) if e.filename else ""
    if named and not _LEFTOVER.match(os.path.basename(named)):
        return named
    return os.fsdecode(path)
