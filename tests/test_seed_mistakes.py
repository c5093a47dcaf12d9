"""The mistakes in ../shared/seeds, each as a regression test of solgen's text and value.

Values come from solgen's JSON and are checked against quantities computed here
from the forward values (a(1 - a) from a), or against the oracle suite
(tests/oracle), never typed in by hand.
"""

import re
from pathlib import Path

import pytest

from solgen.pipeline import Options, documents, solve_file

SPECS = Path(__file__).resolve().parent.parent / "specs"


def rendered(stem: str) -> tuple[dict, str]:
    options = Options(formats=("md",))
    solved = solve_file(SPECS / f"{stem}.toml", options)
    return solved.answers, documents(solved, options)[f"{stem}.md"].decode()


def block(md: str, lhs: str) -> str:
    """The display equation whose left side is ``lhs``."""
    m = re.search(r"(?:\$\$\n(?:\\begin\{aligned\}\n)?|\n\\\\\[2pt\]\n|\n& )" + re.escape(lhs)
                  + r" &?(?:=|\\leftarrow)(.*?)(?=\n\\\\\[2pt\]\n|\n& |\\end\{aligned\}|\$\$)", md, re.S)
    assert m, lhs
    return m.group(1)


def test_missed_path_seed002_B1_sums_both_children() -> None:
    answers, md = rendered("seed002_graph_abcd")
    eq = block(md, "\\frac{\\partial L}{\\partial B_{1}}")
    # both paths, the leaf local derivatives (the weights) written in
    assert "\\frac{\\partial L}{\\partial C_{1}} v_{11} + \\frac{\\partial L}{\\partial C_{2}} v_{21}" in eq
    g = answers["steps"][0]["gradients"]
    # the sum of both paths, from solgen's own adjoints of C1, C2 and the weights v11, v21
    params = {"v11": 1, "v21": -1}  # as given in the spec
    assert g["B1"] == g["C1"] * params["v11"] + g["C2"] * params["v21"]
    assert g["B1"] != g["C1"] * params["v11"]  # the seed's single path would differ
    assert "A quantity that feeds several others sums the products along each of them." in md


def test_sigmoid_derivative_is_a_times_one_minus_a_seed001() -> None:
    answers, md = rendered("seed001_mazur_paths")
    eq = block(md, "\\frac{\\partial a^{(2)}_{1}}{\\partial z^{(2)}_{1}}")
    assert eq.strip().startswith("a^{(2)}_{1}\\left(1 - a^{(2)}_{1}\\right)")
    a = answers["steps"][0]["forward"]["a2[1]"]
    shown = eq.strip().split("= ")[-1].strip()
    assert shown == f"{a * (1 - a):.3g}".replace(".", "{,}")  # 3 digits, decimal comma
    assert shown != f"{a / (1 - a) ** 2:.3g}".replace(".", "{,}")


def test_relu_blocks_negative_values_seed004_q3() -> None:
    answers, md = rendered("seed004_q3_mse")
    f = answers["steps"][0]["forward"]
    assert f["z2[1]"] < 0 and f["a2[1]"] == 0  # relu(-2) = 0, not -2
    assert f["z1[2]"] < 0 and f["a1[2]"] == 0
    g = answers["steps"][0]["gradients"]
    assert g["z2[1]"] == 0 and g["z1[2]"] == 0  # inactive units pass no gradient
    a2 = block(md, "\\mathbf{a}^{(2)}")
    assert a2.strip() == "\\operatorname{ReLU}\\left(\\mathbf{z}^{(2)}\\right) = \\begin{bmatrix} 0 & 4 \\end{bmatrix}"


def test_next_iteration_uses_the_updated_bias_seed003() -> None:
    answers, md = rendered("seed003_relu_iterations")
    first, second = answers["steps"][0], answers["steps"][1]
    b = first["updated"]["b2[1]"]
    assert b == pytest.approx(-0.5 - 0.01 * first["gradients"]["b2[1]"], abs=1e-15)
    iteration2 = md.split("## Iteration 2")[1].split("## Iteration 3")[0]
    z2 = block(iteration2, "\\mathbf{z}^{(2)}")
    assert "\\begin{bmatrix} -0.535 \\\\ -0.535 \\end{bmatrix}" in z2  # not the seed's -0.335
    a1 = second["forward"]["a1[1]"]
    w = first["updated"]["W2[1,1]"]
    assert second["forward"]["z2[1]"] == pytest.approx(2 * w * a1 + b, abs=1e-12)


def test_input_gradient_uses_the_right_weights_seed000() -> None:
    answers, md = rendered("seed000_linear_three_layer")
    eq = block(md, "\\frac{\\partial L}{\\partial x_{1}}")
    assert "\\frac{\\partial L}{\\partial z^{(1)}_{1}} w^{(1)}_{11} + \\frac{\\partial L}{\\partial z^{(1)}_{2}} " \
           "w^{(1)}_{12}" in eq
    g = answers["steps"][0]["gradients"]
    assert g["x[1]"] == g["z1[1]"] * 2 + g["z1[2]"] * 0  # w111 = 2, w112 = 0 as given
    assert eq.replace("\\end{aligned}", "").strip().endswith(f"\\boxed{{{g['x[1]']:g}}}")
