"""Line breaking measures each equation once and shares the measures between the documents of
one solution (solgen.render.breaking.share): the blocks are the same with or without sharing, and
the measures are dropped when another solution is rendered or the solution is gone."""

import gc
from pathlib import Path

from solgen.pipeline import Options, solve_file
from solgen.render import breaking

ROOT = Path(__file__).resolve().parent.parent


def _blocks(solution: object) -> list[object]:
    sections = [s for it in solution.iterations for s in it.sections]  # type: ignore[attr-defined]
    return [breaking.blocks(s.equations, full, notes, chars=chars)
            for s in sections for full in (False, True) for notes, chars in ((False, 3500), (True, 100_000))]


def test_shared_measures_break_as_fresh_ones() -> None:
    solution = solve_file(ROOT / "specs" / "mazur.toml", Options(("md",))).solution
    breaking._OWNER.clear()
    breaking._SHARED.clear()
    alone = _blocks(solution)  # nothing shared: every equation measured afresh
    assert not breaking._SHARED
    breaking.share(solution)
    first = _blocks(solution)
    assert breaking._SHARED  # measured once ...
    again = _blocks(solution)  # ... and reused
    assert alone == first == again


def test_measures_are_dropped_with_their_solution() -> None:
    one = solve_file(ROOT / "specs" / "mazur.toml", Options(("md",))).solution
    two = solve_file(ROOT / "specs" / "seed002_graph_abcd.toml", Options(("md",))).solution
    breaking.share(one)
    _blocks(one)
    kept = set(breaking._SHARED)
    breaking.share(two)  # another solution: the first one's measures go
    assert not kept & set(breaking._SHARED)
    _blocks(two)
    assert breaking._SHARED
    del two
    gc.collect()
    assert not breaking._SHARED and not breaking._OWNER
