"""Writing outputs: atomic (temp file + rename in the same folder), or checking them.

A batch (``Spool``) writes each spec's files to hidden temporary files in the output folder
as soon as the spec is done, so memory stays flat however many specs there are; only when
every spec has succeeded are they moved into place, each by an atomic rename, followed by
one sync for the whole batch (not one fsync per file).  A failed batch leaves nothing.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

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


def _temp(folder: Path, name: str, data: bytes) -> str:
    """``data`` in a new hidden temporary file beside ``name`` (mode 0644); its path."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if _sync_each:
                os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
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


def write_all(outdir: Path, files: dict[str, bytes]) -> list[Path]:
    written = []
    with _one_sync({outdir}):
        for name, data in files.items():
            path = outdir / name
            write_atomic(path, data)
            written.append(path)
    return written


class Spool:
    """A batch's outputs, held in hidden temporary files in the output folder until ``commit``."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.files: dict[str, str] = {}
        self.made_folder = False

    def add(self, files: dict[str, bytes]) -> None:
        global _sync_each
        if not self.outdir.exists():
            self.outdir.mkdir(parents=True)
            self.made_folder = True
        _sync_each, was = False, _sync_each
        try:
            for name, data in files.items():
                old = self.files.pop(name, None)
                if old:
                    os.unlink(old)
                self.files[name] = _temp(self.outdir, name, data)
        finally:
            _sync_each = was

    def commit(self) -> list[Path]:
        """Every file into place in name order, each by write_atomic (temp file + rename), one sync."""
        written = []
        with _one_sync({self.outdir}):
            for name in sorted(self.files):
                tmp = Path(self.files[name])
                write_atomic(self.outdir / name, tmp.read_bytes())
                tmp.unlink()
                del self.files[name]
                written.append(self.outdir / name)
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
