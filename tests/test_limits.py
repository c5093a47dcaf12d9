"""Issue 10: hostile or unlucky input and output, each a clean message with its own exit code.

Input: FIFOs, devices and oversized specs are refused at once, and so are more layers or nodes
than solgen takes, BCE targets outside [0, 1] and counted networks beyond --max-parameters.
Output: an operating-system error (``-o`` a file or below one, a folder where a file goes, a full
disk) is one line with the path and the reason, exit 4; Ctrl-C exits 130; files get the mode the
umask allows; temporary files of killed runs are removed by the next run; a PDF build that does
not finish is stopped, TeX processes and all.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen import write
from solgen.cli import main
from solgen.spec.files import MAX_SPEC_BYTES
from solgen.spec.sections import MAX_LAYERS, MAX_NODES

ROOT = Path(__file__).resolve().parent.parent
MAZUR = ROOT / "specs" / "mazur.toml"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX")
needs_tex = pytest.mark.skipif(not shutil.which("latexmk"), reason="needs TeX")


def run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def one_line(result, code: int, *words: str) -> None:
    assert result.exit_code == code, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and "bug in solgen" not in result.stderr
    for w in words:
        assert w in result.stderr, result.stderr


# -- input -------------------------------------------------------------------------------------

@posix_only
def test_a_fifo_spec_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    start = time.monotonic()
    for target in (fifo, tmp_path):  # the file itself, and a folder holding it
        result = run(["render", str(target), "-o", str(tmp_path / "out")])
        one_line(result, 2, "pipe.toml", "not a regular file")
    assert time.monotonic() - start < 10
    assert not (tmp_path / "out").exists()


@posix_only
@pytest.mark.parametrize("args", [
    ["grade", str(MAZUR), "{fifo}", "-o", "{out}"],  # a student's answers
    ["variants", str(ROOT / "specs" / "hw_variants.toml"), "--roster", "{fifo}", "-o", "{out}"],
])
def test_a_fifo_roster_or_answers_file_is_refused_at_once(tmp_path: Path, args: list[str]) -> None:
    fifo, out = tmp_path / "class.csv", tmp_path / "out"
    os.mkfifo(fifo)
    argv = [a.format(fifo=fifo, out=out) for a in args]
    # a subprocess with a timeout: a regression hangs on the FIFO instead of failing
    done = subprocess.run([sys.executable, "-m", "solgen.cli", *argv], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "class.csv" in done.stderr
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


@posix_only
def test_dev_zero_is_refused_at_once() -> None:
    start = time.monotonic()
    one_line(run(["solve", "/dev/zero"]), 2, "zero", "not a regular file")
    assert time.monotonic() - start < 10


def test_a_spec_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(MAZUR.read_bytes() + b"#" * MAX_SPEC_BYTES)
    start = time.monotonic()
    one_line(run(["solve", str(big)]), 2, "big.toml", "at most 4,194,304")
    assert time.monotonic() - start < 5


def test_too_many_layers_are_refused_before_they_are_read(tmp_path: Path) -> None:
    spec = tmp_path / "deep.toml"
    layer = "[[network.layer]]\nunits = 1\nweights = [[1]]\n"
    spec.write_text('title = "deep"\n[network]\ninputs = [1]\nupstream = [1]\n' + layer * (MAX_LAYERS + 1))
    one_line(run(["solve", str(spec), "--no-verify"]), 2, "network.layer", f"at most {MAX_LAYERS:,}")


def test_too_many_graph_nodes_are_refused_before_they_are_parsed(tmp_path: Path) -> None:
    spec = tmp_path / "wide.toml"
    nodes = ", ".join(f'"N{i} = u*x"' for i in range(MAX_NODES + 1))
    spec.write_text(f'title = "wide"\n[graph]\ninputs = {{ x = 1 }}\nparams = {{ u = 1 }}\n'
                    f'nodes = [{nodes}]\nloss = "N0"\n')
    start = time.monotonic()
    one_line(run(["solve", str(spec)]), 2, "graph.nodes", "at most 40,000")
    assert time.monotonic() - start < 20


@pytest.mark.parametrize("target", ["-0.5", "1.5"])
def test_bce_target_outside_zero_one_is_a_spec_error(tmp_path: Path, target: str) -> None:
    spec = tmp_path / "bce.toml"
    spec.write_text('title = "bce"\n[network]\ninputs = [1]\n'
                    f'targets = [0.5, {target}]\nloss = "binary_cross_entropy"\n'
                    '[[network.layer]]\nunits = 2\nactivation = "sigmoid"\nweights = [[1], [2]]\n')
    one_line(run(["solve", str(spec)]), 2, "network.targets[2]", "between 0 and 1")


def _architecture(tmp_path: Path, units: int, layers: int = 3) -> Path:
    spec = tmp_path / "arch.toml"
    spec.write_text('title = "arch"\n[network]\ninputs = 4\n'
                    + f"[[network.layer]]\nunits = {units}\n" * layers)
    return spec


def test_architecture_only_networks_obey_max_parameters(tmp_path: Path) -> None:
    spec = _architecture(tmp_path, 100)  # 4*100+100 + 2*(100*100+100) = 20,700 parameters
    one_line(run(["solve", str(spec), "--max-parameters", "1000"]), 2, "network", "20700 parameters")
    assert run(["solve", str(spec), "--max-parameters", "30000"]).exit_code == 0


def test_a_count_beyond_a_double_is_refused(tmp_path: Path) -> None:
    """10^37 parameters cannot be carried exactly by JSON's doubles: refused, not rounded."""
    spec = _architecture(tmp_path, 10**18)
    one_line(run(["solve", str(spec)]), 2, "network", "parameters is more than solgen counts")


def test_counts_are_exact_integers(tmp_path: Path) -> None:
    import json

    spec = _architecture(tmp_path, 3_000_001, layers=2)  # 4*3000001 + 3000001 + 3000001^2 + 3000001
    result = run(["solve", str(spec)])
    facts = json.loads(result.stdout)["facts"]
    n = 3_000_001
    assert facts["parameters"] == 4 * n + n + n * n + n
    assert isinstance(facts["parameters"], int)


# -- output ------------------------------------------------------------------------------------

def test_output_below_a_file_is_exit_4(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    one_line(run(["render", str(MAZUR), "-o", str(afile)]), 4, str(afile))
    one_line(run(["render", str(MAZUR), "-o", str(afile / "sub")]), 4, "Not a directory")
    assert afile.read_text() == "x"


def test_a_folder_where_a_file_goes_is_exit_4(tmp_path: Path) -> None:
    (tmp_path / "out" / "mazur.md").mkdir(parents=True)
    result = run(["render", str(MAZUR), "-o", str(tmp_path / "out")])
    one_line(result, 4, str(tmp_path / "out" / "mazur.md"), "Is a directory")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["mazur.md"]  # no temp file left


def test_a_full_disk_is_exit_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    # a full disk refuses the file that would hold the output (each file, or a batch's spool)
    monkeypatch.setattr(write.tempfile, "mkstemp", full)
    one_line(run(["render", str(MAZUR), "-o", str(tmp_path / "out")]), 4, "No space left on device")
    out = tmp_path / "out"
    assert not out.exists() or not list(out.iterdir())  # nothing written (the folder it made is gone too)


@posix_only
def test_a_spec_name_that_is_not_utf8_renders(tmp_path: Path) -> None:
    name = os.fsdecode(b"b\xe9ad.toml")
    spec = tmp_path / name
    spec.write_bytes(MAZUR.read_bytes())
    result = run(["render", str(spec), "-o", str(tmp_path / "out"), "--format", "md,json"])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "out" / os.fsdecode(b"b\xe9ad.md")).read_text()
    assert "(b%E9ad.svg)" in md


def test_ctrl_c_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import solgen.pipeline

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(solgen.pipeline, "solve_file", interrupted)
    one_line(run(["render", str(MAZUR), "-o", str(tmp_path / "out")]), 130, "interrupted")


@posix_only
def test_sigint_to_a_real_run_exits_130(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    for i in range(20):
        (specs / f"s{i}.toml").write_bytes(MAZUR.read_bytes())
    proc = subprocess.Popen([sys.executable, "-m", "solgen.cli", "render", str(specs), "-o",
                             str(tmp_path / "out")], stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # finished before the signal: nothing to learn
        pytest.skip("the run finished before SIGINT")
    assert proc.returncode == 130 and "Traceback" not in err


@posix_only
def test_files_respect_the_umask(tmp_path: Path) -> None:
    code = ("import os, sys; os.umask(0o077); from solgen.cli import main; "
            "sys.argv = ['solgen', 'render', sys.argv[1], '-o', sys.argv[2]]; main()")
    subprocess.run([sys.executable, "-c", code, str(MAZUR), str(tmp_path / "out")], check=True,
                   capture_output=True, timeout=120)
    for p in (tmp_path / "out").iterdir():
        assert p.stat().st_mode & 0o777 == 0o600, p


def test_a_rerun_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = out / f".mazur.md.{dead.pid}.abc123.tmp"
    leftover.write_text("half an answer key")
    live = out / f".mazur.md.{os.getpid()}.def456.tmp"  # a run still writing: kept
    live.write_text("being written")
    assert run(["render", str(MAZUR), "-o", str(out)]).exit_code == 0
    assert not leftover.exists() and live.exists()


@posix_only
def test_a_killed_pdf_builds_folder_is_removed_by_the_next_build(tmp_path: Path) -> None:
    import tempfile

    from solgen.render import pdf

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folder = Path(tempfile.gettempdir()) / f"solgen-{dead.pid}-leftover"
    folder.mkdir()
    (folder / "doc.tex").write_text("the full answer key")
    pdf.remove_leftovers()
    assert not folder.exists()


@needs_tex
@posix_only
def test_a_looping_pdf_build_is_stopped_with_its_tex_processes(tmp_path: Path, monkeypatch) -> None:
    templates = tmp_path / "loop"
    (templates / "latex").mkdir(parents=True)
    (templates / "latex" / "solution.tex.j2").write_text(
        "\\documentclass{article}\\begin{document}\\def\\x{\\x}\\x\\end{document}\n")
    monkeypatch.setenv("SOLGEN_PDF_TIMEOUT", "3")
    start = time.monotonic()
    result = run(["render", str(MAZUR), "-o", str(tmp_path / "out"), "--format", "pdf",
                  "--templates", str(templates)])
    one_line(result, 2, "did not finish within 3 s")
    assert time.monotonic() - start < 30
    assert not (tmp_path / "out").exists()
    time.sleep(0.5)
    mine = subprocess.run(["pgrep", "-f", f"{tempfile_prefix()}.*doc.tex"], capture_output=True, text=True)
    assert mine.stdout.strip() == ""


def tempfile_prefix() -> str:
    return f"solgen-{os.getpid()}-"


def test_threads_do_not_break_the_sigterm_handler() -> None:
    """The CLI installs its SIGTERM handler only where it can (the main thread)."""
    errors = []

    def call() -> None:
        try:
            CliRunner().invoke(main, ["solve", str(MAZUR)])
        except Exception as e:  # pragma: no cover
            errors.append(e)

    t = threading.Thread(target=call)
    t.start()
    t.join()
    assert not errors
