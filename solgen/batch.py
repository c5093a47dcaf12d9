"""Many specs at once: one process pool (``-j N``), results in input order.

Workers run top-level functions and hand back plain data; a SolgenError raised in a
worker comes back as a value (``SpecError`` keeps its file, place and problem) so
the caller reports it exactly as a serial run would.  With one job, or one item,
everything runs in this process.  Outputs never depend on the number of jobs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import SolgenError, SpecError

if TYPE_CHECKING:  # the pool's modules are imported only when a pool starts
    from concurrent.futures import Executor

T = TypeVar("T")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@contextmanager
def pool(jobs: int | None, items: int) -> Iterator[Executor | None]:
    """A process pool of ``jobs`` workers (default: every core), or None to run serially."""
    n = min(jobs or cores(), items)
    if n <= 1:
        yield None
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"),
                             initializer=_watch_parent, initargs=(os.getpid(),)) as ex:
        yield ex


def _watch_parent(parent: int) -> None:
    """In a worker: exit at once when the parent is gone (a killed ``solgen render`` must not
    leave its workers running; they would otherwise wait on the pool's queue for ever)."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _guarded(fn: Callable[[Any], T], item: Any) -> T | SolgenError:
    try:
        return fn(item)
    except SolgenError as e:
        return e


def _portable(r: Any) -> Any:
    """A SolgenError in a form that pickles (its own __init__ takes other arguments)."""
    if isinstance(r, SpecError):
        return ("spec-error", r.file, r.place, r.problem)
    if isinstance(r, SolgenError):
        return ("solgen-error", r.exit_code, r.message)
    return ("ok", r)


def _in_worker(fn: Callable[[Any], T], item: Any) -> Any:
    return _portable(_guarded(fn, item))


def _restore(r: Any) -> Any:
    tag = r[0]
    if tag == "spec-error":
        return SpecError(*r[1:])
    if tag == "solgen-error":
        e = SolgenError(r[2])
        e.exit_code = r[1]
        return e
    return r[1]


def run(fn: Callable[[Any], T], items: Sequence[Any], executor: Executor | None) -> Iterator[T | SolgenError]:
    """``fn`` of every item, in order; an item whose ``fn`` raised a SolgenError gives that error."""
    if executor is None:
        for item in items:
            yield _guarded(fn, item)
        return
    for r in executor.map(partial(_in_worker, fn), items):
        yield _restore(r)


def render_one(job: tuple[Path, Any]) -> dict[str, bytes]:
    """One spec's documents with its options (a worker's job in ``solgen render`` and
    ``solgen variants``)."""
    from .cli import _documents
    from .pipeline import solve_file

    path, options = job
    return _documents(solve_file(path, options), options)


def documents(jobs: Sequence[tuple[Path, Any]],
              executor: Executor | None) -> Iterator[dict[str, bytes] | SolgenError]:
    """Every (spec, options) job's files, in the order of ``jobs``, built by the pool."""
    return run(render_one, jobs, executor)
