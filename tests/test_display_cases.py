"""Issue 10: every derivative sympy gives is shown or refused at its node; wide matrices compile.

``sqrt(B^2)`` differentiates to sign(B) and ``(B^2)^(1/4)`` to an expression with |B|: both are
shown.  ``(-2)^u`` and ``sqrt(-exp(v))`` have derivatives that are not real (pi, I): a spec error
that names the node, never "a bug in solgen".  A matrix-form network with 12 inputs (amsmath
stops at 10 columns by default) builds its PDF.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen.cli import main

GRAPH = """title = "display"
[graph]
inputs = {{ x = 1 }}
params = {{ u = 2, v = 1 }}
nodes = ["B = u*x", "C = {expr}"]
loss = "C^2 + v"
"""


def run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.mark.parametrize("expr", ["sqrt(B^2)", "(B^2)^(1/4)", "abs(B)*sqrt(B^2)"])
def test_sign_and_abs_derivatives_are_shown(tmp_path: Path, expr: str) -> None:
    spec = tmp_path / "d.toml"
    spec.write_text(GRAPH.format(expr=expr))
    result = run(["render", str(spec), "-o", str(tmp_path / "out"), "--format", "md,tex,json"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "d.md").exists()


@pytest.mark.parametrize("expr", ["(-2)^u", "sqrt(-(exp(v)))"])
def test_a_derivative_that_is_not_real_is_a_spec_error_at_its_node(tmp_path: Path, expr: str) -> None:
    spec = tmp_path / "d.toml"
    spec.write_text(GRAPH.format(expr=expr))
    result = run(["render", str(spec), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("d.toml: graph.nodes[2] (C): ")
    assert "bug in solgen" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not shutil.which("latexmk"), reason="needs TeX")
def test_a_matrix_with_twelve_columns_compiles(tmp_path: Path) -> None:
    cols = 12
    weights = ", ".join(f"{0.01 * (i + 1):.2f}" for i in range(cols))
    spec = tmp_path / "wide.toml"
    spec.write_text(f'title = "wide"\n[network]\ninputs = [{", ".join("1" for _ in range(cols))}]\n'
                    'targets = [0.5]\nloss = "half_squared_error"\nlearning_rate = 0.5\n'
                    f'[[network.layer]]\nunits = 1\nactivation = "sigmoid"\nweights = [[{weights}]]\n'
                    'bias = 0.1\n[style]\nform = "matrix"\n')
    result = run(["render", str(spec), "-o", str(tmp_path / "out"), "--format", "pdf"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "wide.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("name", ["x^1^2", "x_\\hat{y}", "x_1_2", "x^'", "x^2'"])
def test_display_names_tex_cannot_compile_are_spec_errors_at_their_key(tmp_path: Path, name: str) -> None:
    spec = tmp_path / "n.toml"
    spec.write_text(GRAPH.format(expr="B + 1") + "latex = { B = " + json.dumps(name) + " }\n")
    result = run(["render", str(spec), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("n.toml: graph.latex.B: ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["x'^2", "x''", "{x_1}_2", "w^{(1)}_{12}", "\\hat{y}_1"])
def test_display_names_tex_accepts_still_work(tmp_path: Path, name: str) -> None:
    spec = tmp_path / "n.toml"
    spec.write_text(GRAPH.format(expr="B + 1") + "latex = { B = " + json.dumps(name) + " }\n")
    assert run(["render", str(spec), "-o", str(tmp_path / "out")]).exit_code == 0
