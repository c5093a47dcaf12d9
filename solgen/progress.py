"""A progress bar for batches, shown only on a terminal (never in CI logs)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

DELAY = 0.5  # seconds before a bar is worth showing


@contextmanager
def progress(paths: list[Path]) -> Iterator[Iterator[Path]]:
    interactive = sys.stderr.isatty() and not os.environ.get("CI") and len(paths) > 1
    if not interactive:
        yield iter(paths)
        return
    start = time.monotonic()

    def items() -> Iterator[Path]:
        bar = None
        for i, p in enumerate(paths):
            if bar is None and time.monotonic() - start > DELAY:
                bar = click.progressbar(length=len(paths), label="rendering", file=sys.stderr)
                bar.update(i)
            yield p
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.render_finish()

    yield items()
