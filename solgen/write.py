"""Writing outputs: atomic (temp file + rename in the same folder), or checking them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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


def write_atomic(path: Path, data: bytes) -> None:
    """A reader, or a run killed at any moment, sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_all(outdir: Path, files: dict[str, bytes]) -> list[Path]:
    written = []
    for name, data in files.items():
        path = outdir / name
        write_atomic(path, data)
        written.append(path)
    return written
