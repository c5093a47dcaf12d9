"""Reading a user's file (a spec, a roster, a student's answers): a regular file of bounded
size, as UTF-8 text.  A FIFO, a device or /dev/zero is refused at once, without reading
from it, so no input can hang solgen or fill its memory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from solgen.errors import SpecError

from .tomltext import decode

MAX_SPEC_BYTES = 4 * 1024 * 1024  # 4 MiB: ten times a 10,000-parameter network written out


def read_bounded(path: Path, name: str, what: str = "a spec file") -> bytes:
    """The file's bytes: a regular file of at most ``MAX_SPEC_BYTES``; ``what`` names the
    kind of file the message asks for."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise SpecError(name, "", f"cannot read the file ({e.strerror or e})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SpecError(name, "", f"not a regular file (a FIFO, a device or a socket): give {what}")
        if info.st_size > MAX_SPEC_BYTES:
            raise SpecError(name, "", f"the file has {info.st_size:,} bytes; solgen reads at most "
                            f"{MAX_SPEC_BYTES:,} (4 MiB)")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_SPEC_BYTES + 1)
    except OSError as e:
        raise SpecError(name, "", f"cannot read the file ({e.strerror or e})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError(name, "", f"the file has more than {MAX_SPEC_BYTES:,} bytes (4 MiB), the most solgen reads")
    return data


def read_text(path: Path, name: str, what: str) -> str:
    """A bounded regular file as UTF-8 text (a byte-order mark allowed)."""
    return decode(read_bounded(path, name, what), name)
