"""Issue 16 behaviour (not speed, which the benchmark measures): batch writes sync once, a batch
is spooled to disk as it goes, `solve` builds no document, the paths chain refuses early."""

from __future__ import annotations

from pathlib import Path

import pytest

from solgen import write
from solgen.errors import SpecError
from solgen.pipeline import Options, solve_text

SPECS = Path(__file__).resolve().parent.parent / "specs"


def test_a_batch_of_files_is_not_one_fsync_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = write.os.fsync
    monkeypatch.setattr(write.os, "fsync", lambda fd: (calls.append(fd), real(fd))[1])
    files = {f"k{i:02d}.md": f"key {i}\n".encode() for i in range(40)}
    write.write_all(tmp_path / "out", files)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == files
    assert len(calls) <= 1  # the folder, once (the data by one os.sync)


def test_a_spool_keeps_each_spec_on_disk_until_commit(tmp_path: Path) -> None:
    out = tmp_path / "out"
    spool = write.Spool(out)
    spool.add({"a.md": b"A" * 1000, "a.tex": b"T"})
    spool.add({"b.md": b"B"})
    hidden = sorted(p.name for p in out.iterdir())
    assert len(hidden) == 3 and all(n.startswith(".") and n.endswith(".tmp") for n in hidden)
    assert sorted(spool.commit()) == [out / "a.md", out / "a.tex", out / "b.md"]
    assert sorted(p.name for p in out.iterdir()) == ["a.md", "a.tex", "b.md"]
    assert (out / "a.md").read_bytes() == b"A" * 1000


def test_a_discarded_spool_leaves_nothing_not_even_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    spool = write.Spool(out)
    spool.add({"a.md": b"A"})
    spool.discard()
    assert not out.exists()


def test_solve_for_the_json_builds_no_explanation_and_no_diagram(monkeypatch: pytest.MonkeyPatch) -> None:
    import solgen.explain as base
    import solgen.render.diagram as diagram

    def refuse(*args: object) -> None:
        raise AssertionError("built although only the JSON was asked for")

    monkeypatch.setattr(base, "explain", refuse)
    monkeypatch.setattr(diagram, "both", refuse)
    solved = solve_text((SPECS / "mazur.toml").read_text(), "mazur.toml", Options(formats=("json",)))
    assert solved.solution is None
    assert solved.answers["steps"][0]["gradients"]["W1[1,1]"]


def test_the_paths_chain_refuses_a_large_network_before_deriving(monkeypatch: pytest.MonkeyPatch) -> None:
    import solgen.core.derive as derive

    monkeypatch.setattr(derive, "derive", lambda *a, **k: pytest.fail("derived before refusing"))
    layer = '[[network.layer]]\nunits = 5\nactivation = "sigmoid"\nweights = {w}\nbias = 0.1\n'
    text = ('title = "wide"\n[network]\ninputs = [0.1, 0.2, 0.3, 0.4, 0.5]\ntargets = [0.5, 0.5, 0.5, 0.5, 0.5]\n'
            'loss = "half_squared_error"\n' + "".join(layer.format(w=[[0.1] * 5] * 5) for _ in range(3))
            + '[style]\nchain = "paths"\n')
    with pytest.raises(SpecError, match="paths to the loss"):
        solve_text(text, "wide.toml", Options(formats=("json",)))
