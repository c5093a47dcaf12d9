"""The render-time self-check: a wrong gradient stops everything with exit 3."""

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen.cli import main
from solgen.core import derive as derive_module
from solgen.core.derive import Iteration
from solgen.errors import VerifyError
from solgen.pipeline import solve_text

SPECS = Path(__file__).resolve().parent.parent / "specs"


def corrupt(name: str, factor: float):
    real = derive_module._iteration

    def wrong(*args, **kwargs) -> Iteration:
        step = real(*args, **kwargs)
        adjoint = dict(step.adjoint)
        adjoint[name] = adjoint[name] * factor
        return dataclasses.replace(step, adjoint=adjoint)

    return wrong


@pytest.mark.parametrize("name", ["W1[1,1]", "a1[2]", "x[2]", "b2"])
def test_a_wrong_gradient_exits_3_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     name: str) -> None:
    monkeypatch.setattr(derive_module, "_iteration", corrupt(name, 1.001))
    result = CliRunner().invoke(main, ["render", str(SPECS / "mazur.toml"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 3
    assert f"dL/d{name} is" in result.stderr and "central differences give" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    solve = CliRunner().invoke(main, ["solve", str(SPECS / "mazur.toml")])
    assert solve.exit_code == 3 and solve.stdout == ""


def test_no_verify_skips_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(derive_module, "_iteration", corrupt("W1[1,1]", 1.001))
    result = CliRunner().invoke(main, ["render", str(SPECS / "mazur.toml"), "-o", str(tmp_path), "--no-verify"])
    assert result.exit_code == 0


def test_relu_exactly_at_zero_follows_the_convention() -> None:
    text = """title = "kink"
[graph]
inputs = { x = 1 }
params = { w = 1, b = -1 }
nodes = ["z = w*x + b", "y = relu(z)", "q = abs(z) + 2*y"]
loss = "(q - 3)^2 + y"
"""
    step = solve_text(text, "kink.toml").answers["steps"][0]  # verification passes at z = 0
    assert step["forward"]["z"] == 0
    assert step["gradients"]["z"] == 0  # relu'(0) = 0 and abs'(0) = 0


def test_verify_error_is_exit_code_3() -> None:
    assert VerifyError("x").exit_code == 3
