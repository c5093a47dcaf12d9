"""Tensor form (``[style] form = "matrix"``) of the section-10 layers.

For every bundled layers_* spec and for generated small problems (channels 1-2, kernels 1-3,
strides 1-2, padding 0-1, pooling, dropout, batch normalization, RNNs, single examples and
batches): the JSON equals PyTorch float64, every number printed in the Markdown and LaTeX equals
the JSON at the shown digits, and the formulas shown are true with the matrices shown (the
cross-correlations and full convolutions recomputed with torch from the printed matrices' values).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from solgen.pipeline import Options, documents, solve, solve_text
from solgen.spec.sections import load_spec
from tests.oracle.layer_strategies import batchnorm_networks, conv_networks, dropout_networks, rnn_networks, to_toml
from tests.oracle.layers import torch_layers
from tests.printed import check_printed

SPECS = Path(__file__).resolve().parent.parent / "specs"
LAYER_SPECS = sorted(p for p in SPECS.glob("layers_*.toml") if "architecture" not in p.stem)
EXAMPLES = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _matrix(spec: Any) -> Any:
    return dataclasses.replace(spec, style=dataclasses.replace(spec.style, form="matrix"))


def _solved_text(spec: dict[str, Any]) -> Any:
    return solve_text(to_toml(spec) + '\n[style]\nform = "matrix"\n', "gen.toml", Options(formats=("md", "tex")))


@pytest.mark.parametrize("path", LAYER_SPECS, ids=lambda p: p.stem)
def test_bundled_layer_specs_in_tensor_form(path: Path) -> None:
    solved = solve(_matrix(load_spec(path)), Options(formats=("md", "tex")))
    assert solved.solution is not None
    checked = sum(check_printed(solved, fmt) for fmt in ("md", "tex"))
    assert checked > 20
    forward = [e for it in solved.solution.iterations for s in it.sections for e in s.equations]
    assert any(e.kind == "vector-forward" for e in forward)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _check(spec: dict[str, Any], drawn: bool = True) -> None:
    ref = torch_layers(spec)
    if drawn:
        assume(ref["margin"] > 1e-6)
    else:
        assert ref["margin"] > 1e-6
    solved = _solved_text(spec)
    got = solved.answers["steps"][0]
    for part in ("forward", "gradients"):
        for name, want in ref[part].items():
            assert _close(got[part][name], want), (part, name, got[part][name], want)
    for fmt in ("md", "tex"):
        check_printed(solved, fmt)
    _formulas_hold(solved)


@EXAMPLES
@given(spec=st.sampled_from([1, 2]).flatmap(lambda d: conv_networks(d, batch=False)))
def test_generated_conv_and_pooling(spec: dict[str, Any]) -> None:
    _check(_small(spec))


@EXAMPLES
@given(spec=st.sampled_from([1, 2]).flatmap(lambda d: conv_networks(d, batch=True)))
def test_generated_conv_batches(spec: dict[str, Any]) -> None:
    _check(_small(spec))


@EXAMPLES
@given(spec=st.booleans().flatmap(lambda b: dropout_networks(batch=b)))
def test_generated_dropout(spec: dict[str, Any]) -> None:
    _check(spec)


@EXAMPLES
@given(spec=batchnorm_networks())
def test_generated_batchnorm(spec: dict[str, Any]) -> None:
    _check(spec)


@EXAMPLES
@given(spec=st.booleans().flatmap(lambda b: rnn_networks(batch=b)))
def test_generated_rnn(spec: dict[str, Any]) -> None:
    _check(spec)


def _small(spec: dict[str, Any]) -> dict[str, Any]:
    """Channels 1-2 (the strategies draw up to 3): the layer keeps its first two."""
    net = spec["network"]
    conv = net["layer"][0]
    assume(len(conv["weights"]) <= 2 and len(conv["weights"][0]) <= 2)
    return spec


# -- the formulas shown hold with the matrices shown ------------------------------------------
def _formulas_hold(solved: Any) -> None:
    """Every conv layer's dL/dW (input (*) dilated delta) and dL/dX (padded dilated delta (*) the
    turned kernel, cropped) recomputed by torch from the cells the explainer shows."""
    from solgen.explain import explainer_for
    from solgen.explain.tensor import conv
    from solgen.layers import LAYER_KINDS

    spec, der = solved.spec, solved.derivation
    ex = explainer_for(spec)(spec, der)
    step = der.iterations[0]
    _pooling_maps_hold(ex, step)
    _batchnorm_holds(ex, step)
    _bptt_holds(ex, step)

    def t(cells: list[list[str | None]], values: dict[str, Any]) -> torch.Tensor:
        return torch.tensor([[0.0 if c is None else float(values[c]) for c in row] for row in cells],
                            dtype=torch.float64)

    for l, layer in enumerate(spec.problem.layers, 1):
        if LAYER_KINDS[layer.type].tensor != "conv":
            continue
        (h, w), _, _, _, (ph, pw) = conv._two(layer)
        hd, wd = conv.used(layer)
        for o in range(1, layer.out_channels + 1):
            for c in range(1, layer.in_shape[0] + 1):
                total = sum(torch.nn.functional.conv2d(
                    t(conv.padded(layer, ex.input_table(l, n), c, hd, wd), step.values)[None, None],
                    t(conv.dilated(layer, ex.table(l, "z", n), o), step.adjoint)[None, None])[0, 0]
                    for n in ex.examples())
                grid = conv.kernel(layer, ex.table(l, "W", 0), o, c)
                want = t(grid, step.adjoint) - t(grid, _penalty_terms(step))  # the l1/l2 term shown beside it
                assert torch.allclose(total, want, rtol=1e-9, atol=1e-12)
        for n in ex.examples():
            for c in range(1, layer.in_shape[0] + 1):
                full = sum(torch.nn.functional.conv2d(
                    t(conv.dilated(layer, ex.table(l, "z", n), o, ring=True), step.adjoint)[None, None],
                    t(conv.kernel(layer, ex.table(l, "W", 0), o, c, flip=True), step.values)[None, None])[0, 0]
                    for o in range(1, layer.out_channels + 1))
                grown = torch.zeros(h + 2 * ph, w + 2 * pw, dtype=torch.float64)
                grown[:full.shape[0], :full.shape[1]] = full
                cropped = grown[ph:ph + h, pw:pw + w]
                from solgen.explain.tensor import plane

                want = t(plane(ex.input_table(l, n), layer.in_shape, (c,)), step.adjoint)
                assert torch.allclose(cropped, want.reshape(cropped.shape), rtol=1e-9, atol=1e-12)


def _pooling_maps_hold(ex: Any, step: Any) -> None:
    """Max pooling's mask and average pooling's share times up(dL/dP) give dL/dA (windows apart)."""
    from solgen.explain.tensor import plane, pool
    from solgen.layers import LAYER_KINDS

    for l, layer in enumerate(ex.net.layers, 1):
        if LAYER_KINDS[layer.type].tensor != "pool" or pool._owner(layer) is None:
            continue
        owner = pool._owner(layer)
        for n in ex.examples():
            ins, at = ex.input_table(l, n), ex.table(l, "a", n)
            for c in range(1, layer.in_shape[0] + 1):
                for row in plane(ins, layer.in_shape, (c,)):
                    for cell in row:
                        idx = ex.graph.by_name[cell].index
                        up = float(step.adjoint[at[owner[idx]]]) if idx in owner else 0.0
                        share = float(pool._mask(step, at, owner, ex, layer, cell)) if layer.mode == "max" \
                            else 1 / math.prod(layer.kernel)
                        assert math.isclose(share * up, float(step.adjoint[cell]), rel_tol=1e-9, abs_tol=1e-12)


def _batchnorm_holds(ex: Any, step: Any) -> None:
    """dL/dX = dL/dXhat / sqrt(var + eps) + 2/m (X - mu) dL/dvar + 1/m dL/dmu, with the values shown."""
    from solgen.explain.tensor import norm
    from solgen.layers import LAYER_KINDS

    v, g = step.values, step.adjoint
    for l, layer in enumerate(ex.net.layers, 1):
        if LAYER_KINDS[layer.type].tensor != "norm":
            continue
        for sub, cols, params in norm._blocks(ex, l, layer):
            b = norm._Block(ex, l, layer, sub, cols, params)
            mu, var = ex.table(l, "mu", 0), ex.table(l, "var", 0)
            for x_row, h_row in zip(b.x, b.xhat):
                for x, h, p in zip(x_row, h_row, params):
                    want = (float(g[h]) / math.sqrt(float(v[var[p]]) + float(layer.eps))
                            + 2 / b.m * (float(v[x]) - float(v[mu[p]])) * float(g[var[p]]) + float(g[mu[p]]) / b.m)
                    assert math.isclose(want, float(g[x]), rel_tol=1e-9, abs_tol=1e-12)


def _bptt_holds(ex: Any, step: Any) -> None:
    """dL/dW_ih = sum_s delta_s x_s^T, dL/dW_hh = sum_s delta_s h_{s-1}^T, dL/dh_{s-1} = W_hh^T delta_s."""
    from solgen.explain.tensor import rnn
    from solgen.layers import LAYER_KINDS

    v, g = step.values, step.adjoint

    def t(cells: list[list[str]], values: dict[str, Any]) -> torch.Tensor:
        return torch.tensor([[float(values[c]) for c in row] for row in cells], dtype=torch.float64)

    for l, layer in enumerate(ex.net.layers, 1):
        if LAYER_KINDS[layer.type].tensor != "rnn":
            continue
        wih, whh = (t(rnn._weights(ex, l, r), g) for r in ("Wih", "Whh"))
        sum_ih, sum_hh = torch.zeros_like(wih), torch.zeros_like(whh)
        for n in ex.examples():
            ins, h, z = ex.input_table(l, n), rnn._h(ex, l, n), ex.table(l, "z", n)
            for s in range(1, layer.steps + 1):
                delta = t(rnn._col(z, s, layer.units), g)
                sum_ih += delta @ t(rnn._col(ins, s, layer.in_shape[1]), v).T
                sum_hh += delta @ t(rnn._col(h, s - 1, layer.units), v).T
                if s > 1:
                    back = t(rnn._weights(ex, l, "Whh"), v).T @ delta
                    assert torch.allclose(back, t(rnn._col(h, s - 1, layer.units), g), rtol=1e-9, atol=1e-12)
        pen = _penalty_terms(step)
        assert torch.allclose(sum_ih, wih - t(rnn._weights(ex, l, "Wih"), pen), rtol=1e-9, atol=1e-12)
        assert torch.allclose(sum_hh, whh - t(rnn._weights(ex, l, "Whh"), pen), rtol=1e-9, atol=1e-12)


def _penalty_terms(step: Any) -> dict[str, float]:
    """Each weight's direct l1/l2 term dR/dw (0 without a penalty)."""
    from collections import defaultdict

    out: dict[str, float] = defaultdict(float)
    for (child, parent), value in step.local.items():
        if child == "L":
            out[parent] = float(value)
    return out


@pytest.mark.parametrize("penalty", ["", "l2 = 0.1", "l1 = 0.05"])
def test_penalty_terms_in_tensor_form(penalty: str) -> None:
    """With l1/l2 the kernels' and an RNN's weight gradients show dR/dW beside the correlation or
    sum, and the identities still hold."""
    for spec in (_two_convs(), {"title": "rnn", "network": {
            "inputs": [[1.0, -0.5], [0.5, 0.25], [-1.0, 0.75]], "targets": [0.5], "loss": "half_squared_error",
            "layer": [{"type": "rnn", "units": 2, "weights_ih": [[0.5, -0.25], [-0.3, 0.2]],
                       "weights_hh": [[0.1, 0.4], [-0.2, 0.3]], "bias": [0.0, 0.1]},
                      {"units": 1, "weights": [[1.0, -1.0]], "bias": [0.0]}]}}):
        text = to_toml(spec).replace("[network]\n", f"[network]\n{penalty}\n")
        solved = solve_text(text + '\n[style]\nform = "matrix"\n', "gen.toml", Options(formats=("md", "tex")))
        for fmt in ("md", "tex"):
            check_printed(solved, fmt)
        _formulas_hold(solved)
        md = documents(solved, Options(formats=("md",)))["gen.md"].decode()
        assert ("\\frac{\\partial R}{\\partial W^{(" in md) == bool(penalty)


def test_dense_matrix_form_shows_the_penalty_term() -> None:
    """The matrix form of a single example: dL/dW = delta a^T + dR/dW, and that sum is the gradient."""
    solved = solve(_matrix(load_spec(SPECS / "l2_regularized.toml")), Options(formats=("md",)))
    step = solved.derivation.iterations[0]
    eqs = [e for it in solved.solution.iterations for s in it.sections for e in s.equations if e.name == "W1"]
    assert eqs and "\\frac{\\partial R}{\\partial W^{(1)}}" in eqs[0].sides[0]
    pen = _penalty_terms(step)
    for name in eqs[0].entries:
        r, c = (int(i) for i in name[3:-1].split(","))
        product = float(step.adjoint[f"z1[{r}]"]) * float(step.values[f"x[{c}]"])
        assert math.isclose(product + pen[name], float(step.adjoint[name]), rel_tol=1e-12)


def _two_convs() -> dict[str, Any]:
    return {"title": "two convs", "network": {
        "inputs": [[[((r * 5 + q * 3) % 7 - 3) / 4 for q in range(5)] for r in range(5)]],
        "layer": [{"type": "conv2d", "weights": [[[[0.5, -0.25], [0.125, 1.0]]], [[[-0.5, 0.75], [0.25, 0.5]]]],
                   "bias": [0.1, -0.1], "activation": "tanh"},
                  {"type": "maxpool2d", "kernel_size": 2},
                  {"type": "conv2d", "weights": [[[[0.3, -0.2], [0.1, 0.4]], [[-0.6, 0.2], [0.5, -0.1]]]],
                   "padding": 1, "stride": 2},
                  {"type": "flatten"}, {"units": 1, "weights": [[0.5, -1.0, 0.25, 0.75]], "bias": [0.0]}],
        "targets": [0.5], "loss": "half_squared_error"}}


def test_two_conv_layers_with_pooling_between() -> None:
    """conv -> max pool -> conv -> flatten -> dense: a conv layer reads a pooled map."""
    spec = _two_convs()
    _check(spec, drawn=False)


def test_conv_stride_and_padding_formula_against_torch() -> None:
    """A 6x6 input, a 3x3 kernel, stride 2, padding 1, two channels each way: the dilated and
    padded deltas give torch's gradients (the compile test checks that its matrices fit the page)."""
    spec = _wide()
    _check(spec, drawn=False)
    solved = _solved_text(spec)
    tex = documents(solved, Options(formats=("tex",)))["gen.tex"].decode()
    assert "\\star" in tex and "\\operatorname{rot}_{180}" in tex and "\\operatorname{crop}" in tex


# -- documents: LaTeX compiles and fits the page, MathJax typesets the Markdown -----------------
def _documents(fmt: str) -> list[tuple[str, str]]:
    """Every bundled layers spec in tensor form, the wide 6x6 problem and a generated sample."""
    from hypothesis import find

    out = []
    for path in LAYER_SPECS:
        solved = solve(_matrix(load_spec(path)), Options(formats=(fmt,)))
        out.append((path.stem, documents(solved, Options(formats=(fmt,)))[f"{path.stem}.{fmt}"].decode()))
    drawn = [find(conv_networks(2, batch=True), lambda s: len(s["network"]["layer"]) == 4),
             find(conv_networks(1), lambda s: s["network"]["layer"][0].get("padding") == 1),
             find(rnn_networks(batch=True), lambda s: len(s["network"]["inputs"][0]) >= 3),
             find(batchnorm_networks(), lambda s: s["network"]["layer"][0].get("type") == "conv1d"),
             find(dropout_networks(batch=True), lambda s: True), _wide()]
    for k, spec in enumerate(drawn):
        solved = _solved_text(spec)
        out.append((f"gen{k}", documents(solved, Options(formats=(fmt,)))[f"gen.{fmt}"].decode()))
    return out


def _wide() -> dict[str, Any]:
    return {"title": "wide", "network": {
        "inputs": [[[((r * 6 + q) % 7 - 3) / 4 for q in range(6)] for r in range(6)],
                   [[((r + 2 * q) % 5 - 2) / 4 for q in range(6)] for r in range(6)]],
        "layer": [{"type": "conv2d", "weights": [[[[((o + c + i * 3 + j) % 5 - 2) / 5 for j in range(3)]
                                                    for i in range(3)] for c in range(2)] for o in range(2)],
                   "bias": [0.1, -0.2], "stride": 2, "padding": 1},
                  {"type": "flatten"},
                  {"units": 1, "weights": [[(k % 4 - 1.5) / 4 for k in range(18)]], "bias": [0.0]}],
        "targets": [0.5], "loss": "half_squared_error"}}


def test_tensor_form_latex_compiles_without_overfull_lines(tmp_path: Path) -> None:
    from tests.docs.compile import compile_batch

    code, problems = compile_batch(_documents("tex"), tmp_path)
    assert not problems, "\n".join(f"{k}: {p}" for k, v in problems.items() for p in v[:3])
    assert code == 0


def test_tensor_form_markdown_typesets_in_mathjax() -> None:
    from tests.docs.mathjax import math_blocks, mathjax_errors

    items = [b for label, md in _documents("md") for b in math_blocks(label, md)]
    checked, errors = mathjax_errors(items)
    assert checked == len(items) > 100
    assert not errors, errors[:10]


def test_every_layer_kind_names_a_tensor_form() -> None:
    """Each kind beyond dense names a module with forward and backward; dense keeps the matrix form."""
    from types import SimpleNamespace

    from solgen.explain.tensor import form
    from solgen.layers import LAYER_KINDS

    for name in LAYER_KINDS:
        module = form(SimpleNamespace(type=name))
        assert (module is None) == (name == "dense"), name
        if module is not None:
            assert callable(module.forward) and callable(module.backward), name
