"""Writing outputs: atomic (temp file + rename in the same folder), or checking them.

A temporary file is named ``.<file>.<pid>.<random>.tmp`` beside its target, so a
later run can tell the leftovers of a killed run (whose process is gone) from the
temporary files of a run still writing, and removes the former.  Files get the
mode the umask allows (0644 under the usual 022, 0600 under 077).  An operating
system error (a read-only or full disk, ``-o`` naming a file) becomes
``OutputError``: one line naming the path and the reason, exit 4.

A batch (``Spool``) writes each spec's files to hidden temporary files in the output folder
as soon as the spec is done, so memory stays flat however many specs there are; only when
every spec has succeeded are they moved into place, each by an atomic rename, followed by
one sync for the whole batch (not one fsync per file).  A failed batch leaves nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError

_LEFTOVER = re.compile(r"\.(.+)\.(\d+)\.[^.]+\.tmp\Z")
_sync_each = True  # False inside ``_one_sync``: the batch syncs once at the end


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


def _temp(folder: Path, name: str, data: bytes) -> str:
    """``data`` in a new hidden temporary file beside ``name`` (the umask's mode); its path."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if _sync_each:
                os.fsync(f.fileno())
        os.chmod(tmp, _mode())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """A reader, or a run killed at any moment, sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp(path.parent, path.name, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _one_sync(folders: set[Path]) -> Iterator[None]:
    """Inside: write_atomic does not fsync each file; at the end one sync of everything written
    and of the folders (so the renames are on disk too)."""
    global _sync_each
    _sync_each = False
    try:
        yield
    finally:
        _sync_each = True
    if hasattr(os, "sync"):
        os.sync()
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def process_alive(pid: int) -> bool:
    """Whether a process of that id runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def leftovers(outdir: Path) -> dict[str, list[str]]:
    """The temporary files that killed runs left in ``outdir``, by the output they were for."""
    try:
        entries = list(os.scandir(outdir))
    except OSError:
        return {}
    found: dict[str, list[str]] = {}
    for entry in entries:
        m = _LEFTOVER.match(entry.name)
        if m and not process_alive(int(m.group(2))) and entry.is_file(follow_symlinks=False):
            found.setdefault(m.group(1), []).append(entry.path)
    return found


def remove_leftovers(outdir: Path, names: set[str], found: dict[str, list[str]] | None = None) -> None:
    """Delete the temporary files that killed runs left for these outputs (``found``: the
    folder's leftovers, scanned once by the caller for many calls)."""
    found = leftovers(outdir) if found is None else found
    for name in names:
        for path in found.pop(name, ()):
            with contextlib.suppress(OSError):
                os.unlink(path)


def write_all(outdir: Path, files: dict[str, bytes]) -> list[Path]:
    written = []
    remove_leftovers(outdir, set(files))
    with _one_sync({outdir}):
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


class Spool:
    """A batch's outputs, held in hidden temporary files in the output folder until ``commit``."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.files: dict[str, str] = {}
        self.made_folder = False
        self.leftovers: dict[str, list[str]] | None = None  # scanned once, at the first spec

    def add(self, files: dict[str, bytes]) -> None:
        global _sync_each
        _sync_each, was = False, _sync_each
        try:
            if not self.outdir.exists():
                self.outdir.mkdir(parents=True)
                self.made_folder = True
            if self.leftovers is None:
                self.leftovers = leftovers(self.outdir)
            remove_leftovers(self.outdir, set(files), self.leftovers)
            for name, data in files.items():
                old = self.files.pop(name, None)
                if old:
                    os.unlink(old)
                try:
                    self.files[name] = _temp(self.outdir, name, data)
                except OSError as e:
                    raise OutputError(_where(e, self.outdir / name), e) from None
        except OSError as e:
            raise OutputError(_where(e, self.outdir), e) from None
        finally:
            _sync_each = was

    def commit(self) -> list[Path]:
        """Every file into place in name order, each by an atomic rename of its temporary file
        (beside it, with its mode already set), then one sync."""
        written = []
        with _one_sync({self.outdir}):
            for name in sorted(self.files):
                path = self.outdir / name
                try:
                    os.replace(self.files[name], path)
                except OSError as e:
                    raise OutputError(_where(e, path), e) from None
                del self.files[name]
                written.append(path)
        return written

    def discard(self) -> None:
        """Nothing of the batch is left (not even the folder, if the batch made it)."""
        for tmp in self.files.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self.files.clear()
        if self.made_folder:
            with contextlib.suppress(OSError):
                self.outdir.rmdir()
