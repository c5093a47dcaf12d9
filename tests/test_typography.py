"""Typography a careful hand would write (issue 9).

dL/dz_j = a_j - t_j for softmax + cross-entropy and sigmoid + binary cross-entropy (issue 9):
stated and used in compact keys, scalar and matrix form; detail = "full" keeps the route through
dL/da and the activation's derivative.  The values are the pipeline's own gradients, which the
oracle suites check against torch; here the key must show a - t and nothing else for them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import solgen

NETS = {
    "softmax": ("cross_entropy", [0, 1, 0], 3),
    "sigmoid": ("binary_cross_entropy", [1, 0], 2),
}


def spec(act: str, form: str, detail: str = "compact") -> dict:
    loss, targets, units = NETS[act]
    rows = [[0.2, -0.3], [0.5, 0.1], [-0.4, 0.6]][:units]
    return {
        "title": f"{act} output, {loss}",
        "network": {
            "inputs": [0.5, -1.0], "targets": targets, "loss": loss, "learning_rate": 0.1,
            "layer": [
                {"units": 2, "activation": "tanh", "weights": [[0.1, -0.2], [0.3, 0.4]], "bias": [0.1, -0.1]},
                {"units": units, "activation": act, "weights": rows, "bias": 0.1},
            ],
        },
        "style": {"form": form, "detail": detail},
    }


@pytest.mark.parametrize("form", ["scalar", "matrix"])
@pytest.mark.parametrize("act", sorted(NETS))
def test_the_shortcut_is_stated_and_used(act: str, form: str) -> None:
    key = solgen.load(spec(act, form)).solve()
    md = key.markdown()
    assert "a_j - t_j" in md, md
    step = key.answers["steps"][0]
    _, targets, units = NETS[act]
    for j in range(1, units + 1):  # the pipeline's gradient is a - t to full precision
        a, dz = step["forward"][f"a2[{j}]"], step["gradients"][f"z2[{j}]"]
        assert dz == pytest.approx(a - targets[j - 1], rel=1e-12, abs=1e-15)
    if form == "matrix":
        assert "\\mathbf{a}^{(2)} - \\mathbf{t}" in md
        assert "J^{\\top}" not in md and "\\partial \\mathbf{a}^{(2)}}" not in md
    else:
        assert "\\frac{\\partial L}{\\partial a^{(2)}_{1}}" not in md  # no route through dL/da


@pytest.mark.parametrize("form", ["scalar", "matrix"])
@pytest.mark.parametrize("act", sorted(NETS))
def test_detail_full_keeps_the_whole_route(act: str, form: str) -> None:
    md = solgen.load(spec(act, form, "full")).solve().markdown()
    assert "a_j - t_j" not in md
    if form == "matrix":
        assert "\\partial \\mathbf{a}^{(2)}}" in md
        assert ("J^{\\top}" in md) == (act == "softmax")
    else:
        assert "\\frac{\\partial L}{\\partial a^{(2)}_{1}}" in md


def test_compact_and_full_give_the_same_numbers() -> None:
    for act in NETS:
        for form in ("scalar", "matrix"):
            compact = solgen.load(spec(act, form)).solve().answers
            full = solgen.load(spec(act, form, "full")).solve().answers
            assert compact == full


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "rmsprop", "adagrad"])
def test_a_squared_gradient_takes_one_pair_of_parentheses(optimizer: str) -> None:
    """g^2 with a negative g is (-0.2261)^2, never ((-0.2261))^2; a positive one needs none."""
    table = {
        "title": "squares",
        "network": {"inputs": [0.5, -0.2], "targets": [1.0], "loss": "half_squared_error",
                    "layer": [{"units": 2, "activation": "tanh", "weights": [[0.3, -0.4], [0.2, 0.5]], "bias": 0.1},
                              {"units": 1, "activation": "linear", "weights": [[0.6, -0.3]]}]},
        "optimizer": {"name": optimizer, "learning_rate": 0.01},
    }
    md = solgen.load(table).solve().markdown()
    squares = [line for line in md.splitlines() if "g^{2} =" in line]
    assert squares, md
    assert not any("\\left(\\left(" in line for line in squares)
    assert any("\\left(-" in line and "\\right)^{2}" in line for line in squares)  # a negative g occurs


SIDE_BY_SIDE = re.compile(r"\d(?:\.\d+)? +-?\d")  # "0.01 3.5" reads as one number
PLUS_MINUS = re.compile(r"[-+] +-\d")  # "+ -0.08" is "- 0.08"


@pytest.mark.parametrize("key", sorted((Path(__file__).parent.parent / "output").glob("*.md")), ids=lambda p: p.stem)
def test_no_two_numbers_side_by_side_in_a_bundled_key(key: Path) -> None:
    md = key.read_text(encoding="utf-8")
    assert not SIDE_BY_SIDE.findall(md) and not PLUS_MINUS.findall(md)


def test_a_scalar_update_in_matrix_form_parenthesizes_its_gradient() -> None:
    table = spec("sigmoid", "matrix")
    table["network"]["layer"][1]["bias"] = 0.1  # one shared bias: a 1x1 update
    md = solgen.load(table).solve().markdown()
    updates = [line for line in md.splitlines() if "\\leftarrow" in line and "\\partial" in line]
    assert updates and not any(SIDE_BY_SIDE.search(line) for line in updates), updates


@pytest.mark.parametrize("batch", [False, True])
def test_a_negative_shared_bias_is_subtracted_in_matrix_form(batch: bool) -> None:
    table = spec("sigmoid", "matrix")
    table["network"]["layer"][1]["bias"] = -0.25
    if batch:
        net = table["network"]
        net["inputs"], net["targets"] = [[0.5, -1.0], [1.0, 0.5]], [[1, 0], [0, 1]]
    md = solgen.load(table).solve().markdown()
    assert "- 0.25 \\mathbf{1}" in md and not PLUS_MINUS.search(md)


def test_wide_examples_take_one_column_each() -> None:
    """A batch of 2 examples with 14 inputs: 17 columns do not fit the page, 3 do."""
    from solgen.messages import text

    inputs = [[round(0.1 * (k - 7) * (n + 1), 2) for k in range(14)] for n in range(2)]
    table = {"title": "wide batch", "network": {
        "inputs": inputs, "targets": [[1.0], [0.0]], "loss": "mse", "learning_rate": 0.1,
        "layer": [{"units": 1, "activation": "sigmoid", "weights": [[0.05] * 14], "bias": 0.0}]}}
    key = solgen.load(table).solve()
    examples = key.solved.solution.examples
    assert len(examples.header) == 3 and len(examples.rows) == 15  # 14 inputs and the target
    assert text("batch.examples_columns") in key.markdown()
    narrow = {**table, "network": {**table["network"], "inputs": [row[:3] for row in inputs],
                                   "layer": [{"units": 1, "activation": "sigmoid", "weights": [[0.05] * 3]}]}}
    assert len(solgen.load(narrow).solve().solved.solution.examples.header) == 5  # example, x1..x3, t1
