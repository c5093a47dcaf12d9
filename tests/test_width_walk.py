"""The width estimate's shortcuts (arguments measured once by their text, plain tokens looked up,
a text measured by its shape with its digits written as 0) give the same widths, to the last bit,
as walking every token (line breaks depend on them)."""

from pathlib import Path

from solgen.pipeline import Options, solve_file
from solgen.render import width as W

ROOT = Path(__file__).resolve().parent.parent


def _sides() -> list[str]:
    out: list[str] = []
    for name in ("mazur", "layers_conv2d_maxpool", "softmax_batch_labels", "seed003_general_formulas"):
        solution = solve_file(ROOT / "specs" / f"{name}.toml", Options(("md",))).solution
        assert solution is not None
        for it in solution.iterations:
            for section in it.sections:
                for eq in section.equations:
                    out += [eq.lhs, *eq.sides, *(t for s in eq.steps for t in s)]
    return sorted(set(out))


def test_argument_shortcut_matches_the_full_walk() -> None:
    sides = _sides()
    assert len(sides) > 200
    for tex in sides:
        for scale in (1.0, 0.7, 0.5):
            walked = W._Walk(W.TOKEN.findall(tex)).run(scale)  # no text: every token walked
            assert W._measured(tex, scale) == walked, tex
            assert W.width(tex, scale) == walked * W.SAFETY, tex  # measured by its shape (digits as 0)


def _one_by_one(tex: str, scale: float) -> float:
    """Every top-level token through ``_Walk.one``, none through the fast paths of ``run``."""
    walk = W._Walk(W.TOKEN.findall(tex))
    total, operand = 0.0, False
    while walk.i < walk.end:
        w, operand = walk.one(walk.next(), scale, operand)
        total += w
    return total


def test_fast_paths_measure_as_one_token_at_a_time() -> None:
    for tex in _sides():
        for scale in (1.0, 0.7):
            assert W._Walk(W.TOKEN.findall(tex)).run(scale) == _one_by_one(tex, scale), tex


def test_unbalanced_markup_is_measured_like_balanced() -> None:
    for tex in ("x^{2", "{a}}b", "\\frac{1}{", "a_{b_{c}"):
        assert W._measured(tex, 1.0) == W._Walk(W.TOKEN.findall(tex)).run(1.0)
        assert W.width(tex) > 0
