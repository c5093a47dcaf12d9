"""Interrupted and concurrent runs: every output file is as it was, or complete.

Each file is written to a hidden temporary file in the same folder and renamed over
the old one, so a run killed at any moment (SIGKILL, a power cut) cannot leave a
half-written answer key, and two runs writing the same folder both leave complete
files.  The kill test renders a folder of 30 specs, kills it after a random delay,
and compares every file with a reference render; it repeats that several times,
with delays spread over the whole run (most of them near the end, when it writes).
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from solgen import write
from solgen.write import stale, write_all, write_atomic

ROOT = Path(__file__).parent.parent
BUNDLED = sorted((ROOT / "specs").glob("*.toml"))
FORMATS = "md,tex,json"
TEMP = re.compile(r"\..+\.tmp\Z")  # what write_atomic's temporary files look like
posix_only = pytest.mark.skipif(os.name != "posix" or not hasattr(signal, "SIGKILL"),
                                reason="SIGKILL is POSIX")


def render_cmd(specs: Path, out: Path, formats: str = FORMATS) -> list[str]:
    return [sys.executable, "-m", "solgen.cli", "render", str(specs), "-o", str(out), "--format", formats]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, dict[str, bytes], float]:
    """A folder of 30 specs, their reference outputs, and how long a render takes."""
    root = tmp_path_factory.mktemp("batch")
    specs = root / "specs"
    specs.mkdir()
    for i in range(30):
        src = BUNDLED[i % len(BUNDLED)]
        (specs / f"s{i:02d}_{src.stem}.toml").write_bytes(src.read_bytes())
    ref = root / "reference"
    start = time.monotonic()
    subprocess.run(render_cmd(specs, ref), check=True, capture_output=True, timeout=600)
    elapsed = time.monotonic() - start
    files = {p.name: p.read_bytes() for p in ref.iterdir()}
    assert len(files) >= 90  # md, tex and json for each (and any extra files a format brings)
    return specs, files, elapsed


def check_folder(out: Path, reference: dict[str, bytes], before: dict[str, bytes]) -> tuple[int, int]:
    """Every file is absent-as-before, as before, or complete; leftovers are hidden temp files only.

    Returns (files complete, files as before) for the report."""
    complete = unchanged = 0
    for p in out.iterdir() if out.exists() else []:
        if p.name not in reference:
            assert TEMP.match(p.name), f"unexpected file left behind: {p.name}"
            continue
        data = p.read_bytes()
        if data == reference[p.name]:
            complete += 1
        else:
            assert p.name in before and data == before[p.name], f"{p.name} is neither as before nor complete"
            unchanged += 1
    for name in before:
        assert (out / name).exists(), f"{name} disappeared"
    return complete, unchanged


@posix_only
def test_a_batch_killed_at_any_moment_leaves_whole_files(batch, tmp_path: Path):
    specs, reference, elapsed = batch
    rng = random.Random(20261124)
    names = sorted(reference)
    killed_mid_write = 0
    for trial in range(8):
        out = tmp_path / f"out{trial}"
        out.mkdir()
        # half of the files exist already, with older content that must survive or be replaced whole
        before = {n: b"an older version of " + n.encode() + b"\n" * 1000 for n in names[trial % 2::2]}
        for n, data in before.items():
            (out / n).write_bytes(data)
        # most kills land near the end of the run, where the files are written
        delay = rng.uniform(0.0, elapsed) if trial < 2 else rng.uniform(0.7 * elapsed, 1.2 * elapsed)
        proc = subprocess.Popen(render_cmd(specs, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        complete, unchanged = check_folder(out, reference, before)
        if 0 < complete < len(reference) and unchanged:
            killed_mid_write += 1
    # the runs that finished or never started writing prove less; this is only informative
    print(f"killed mid-write in {killed_mid_write} of 8 trials")


@posix_only
def test_a_process_dying_between_two_renames(batch, tmp_path: Path):
    """Deterministic: a process killed between two renames (os._exit in the middle of
    write_all) leaves the first files new and the rest as they were."""
    specs, reference, _ = batch
    out = tmp_path / "out"
    out.mkdir()
    before = {n: b"old\n" for n in sorted(reference)}
    for n, data in before.items():
        (out / n).write_bytes(data)
    script = (  # a batch's commit moves each spooled file into place by os.replace
        "import os, sys\n"
        "real = os.replace\n"
        "count = 0\n"
        "def dying(src, dst):\n"
        "    global count\n"
        "    count += 1\n"
        "    if count == 40:\n"
        "        os._exit(137)\n"
        "    real(src, dst)\n"
        "os.replace = dying\n"
        "from solgen.cli import main\n"
        "sys.argv = ['solgen'] + sys.argv[1:]\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, "render", str(specs), "-o", str(out), "--format",
                           FORMATS], capture_output=True, timeout=600)
    assert proc.returncode == 137
    complete, unchanged = check_folder(out, reference, before)
    assert (complete, unchanged) == (39, len(reference) - 39)


def test_write_atomic_leaves_the_old_file_when_writing_fails(tmp_path: Path, monkeypatch):
    target = tmp_path / "a.md"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_write_atomic_cleans_up_after_an_interrupted_write(tmp_path: Path, monkeypatch):
    target = tmp_path / "a.md"
    target.write_bytes(b"old")
    real_fsync = os.fsync

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(write.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new")
    monkeypatch.setattr(write.os, "fsync", real_fsync)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_temporary_files_are_hidden_and_in_the_same_folder(tmp_path: Path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((Path(src), Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(write.os, "replace", spy)
    write_all(tmp_path / "out", {"x.md": b"1", "x.tex": b"2"})
    assert len(seen) == 2
    for src, dst in seen:
        assert src.parent == dst.parent == tmp_path / "out"
        assert TEMP.match(src.name)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x.md", "x.tex"]
    assert oct((tmp_path / "out" / "x.md").stat().st_mode & 0o777) == "0o644"


def test_a_reader_sees_the_old_file_or_the_new_one_never_half(tmp_path: Path):
    target = tmp_path / "key.md"
    versions = [b"A" * 200_000, b"B" * 300_000]
    write_atomic(target, versions[0])
    stop = threading.Event()
    bad: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            data = target.read_bytes()
            if data not in versions:
                bad.append(len(data))

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i in range(200):
            write_atomic(target, versions[i % 2])
    finally:
        stop.set()
        t.join()
    assert not bad


def test_two_runs_writing_the_same_folder_leave_complete_files(batch, tmp_path: Path):
    specs, reference, _ = batch
    for trial in range(3):
        out = tmp_path / f"out{trial}"
        procs = [subprocess.Popen(render_cmd(specs, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(2)]
        for p in procs:
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0, err.decode()
        assert {p.name: p.read_bytes() for p in out.iterdir()} == reference


def test_two_runs_with_different_formats_share_a_folder(batch, tmp_path: Path):
    specs, reference, _ = batch
    out = tmp_path / "out"
    procs = [subprocess.Popen(render_cmd(specs, out, f), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for f in ("md,tex", "json,md")]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == reference


def test_check_reads_without_writing(batch, tmp_path: Path):
    specs, reference, _ = batch
    out = tmp_path / "out"
    out.mkdir()
    (out / sorted(reference)[0]).write_bytes(b"stale")
    assert len(stale(out, reference)) == len(reference)  # one differs, the rest are missing
    proc = subprocess.run(render_cmd(specs, out) + ["--check"], capture_output=True, timeout=600)
    assert proc.returncode == 1
    assert [p.name for p in out.iterdir()] == [sorted(reference)[0]]
    assert (out / sorted(reference)[0]).read_bytes() == b"stale"


def _running_with(text: str) -> list[int]:
    """The processes whose command line mentions ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


@posix_only
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_a_killed_parallel_render_leaves_no_worker_running(batch, tmp_path: Path):
    """SIGKILL of `solgen render -j 2` mid-batch: its pool workers notice and exit."""
    specs, _, elapsed = batch
    out = tmp_path / "killed-parallel"
    proc = subprocess.Popen(render_cmd(specs, out) + ["-j", "2"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(max(0.5, elapsed / 2))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 10
    while _running_with(str(out)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _running_with(str(out)) == []
