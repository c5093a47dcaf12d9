"""Hypothesis strategies for random solgen problems, drawn as TOML text (and its ``tomllib`` dict).

* :func:`networks` : layered nets, 1 to 4 layers of 1 to 5 units, every activation, every loss with a
  fitting output layer (binary cross-entropy after sigmoid, cross-entropy mostly after softmax),
  ``upstream`` instead of a loss, both layouts (and the default), no/shared/per-unit bias, frozen
  matrices, biases and single entries, 1 to 3 iterations with a learning rate.
* :func:`graphs` : named computation graphs using the whole expression language (+ - * / ^ **, unary
  minus, parentheses, sigmoid relu tanh exp log sqrt abs), nodes read by several later nodes, deep
  chains, a loss expression or ``upstream``. log and sqrt only see positive arguments by
  construction (log(E^2 + 1), log(exp(E) + 1), sqrt(E^2 + 1), ...); denominators are positive too.
* :func:`relu_zero_networks` / :func:`relu_zero_graphs` : values that are exact in binary floating
  point (small integers and halves) so that relu/abs arguments are often exactly 0 in any arithmetic.

Numbers come "as a homework would have them" (small integers, 1 or 2 decimals) or as random floats,
or mixed. The strategies do not reject ill-conditioned draws (a ReLU input at 0, an overflowing
exp); the tests do that with ``assume(well_conditioned(...))`` after computing the reference.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st

from tests.oracle.reference import ACTIVATIONS, LOSSES, expr_names, parse_definition, parse_expr

Draw = Callable[[st.SearchStrategy[Any]], Any]


@dataclass(frozen=True)
class Problem:
    """One generated problem: the spec text as a user would write it, and what ``tomllib`` makes of it."""

    toml: str
    spec: dict[str, Any]
    kind: str  # "network" or "graph"
    tags: tuple[str, ...] = ()  # for hypothesis.event: activation/loss/layout combinations

    def __repr__(self) -> str:
        return f"Problem({self.kind}):\n{self.toml}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis shows a failing spec as text
        printer.text(repr(self))


def _problem(toml: str, kind: str, tags: Sequence[str] = ()) -> Problem:
    return Problem(toml, tomllib.loads(toml), kind, tuple(tags))


# --------------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------------

STYLES = ("homework", "float", "mixed")


def _decimal_text(k: int, places: int) -> str:
    """``k * 10**-places`` written the way a person would: 0.15, -0.5, 2 (never 2.00 or 1E+1)."""
    return format(Decimal(k).scaleb(-places).normalize(), "f")


@cache
def homework_numbers(lo: float, hi: float) -> st.SearchStrategy[str]:
    """Small integers, one-decimal and two-decimal numbers in [lo, hi], as TOML literals."""
    return st.one_of(
        st.integers(int(lo), int(hi)).map(str),
        st.integers(round(lo * 10), round(hi * 10)).map(lambda k: _decimal_text(k, 1)),
        st.integers(round(lo * 100), round(hi * 100)).map(lambda k: _decimal_text(k, 2)),
    )


@cache
def float_numbers(lo: float, hi: float) -> st.SearchStrategy[str]:
    """Random doubles in [lo, hi], written with ``repr`` (exact through TOML); a range around 0
    keeps |v| >= 0.01 (1e-300 and friends are not numbers anyone puts in an exercise)."""
    if lo < 0 < hi:
        values = st.one_of(st.floats(0.01, hi), st.floats(0.01, -lo).map(lambda v: -v))
    else:
        values = st.floats(lo, hi)
    return values.map(repr)


@cache
def numbers(style: str, lo: float, hi: float) -> st.SearchStrategy[str]:
    if style == "homework":
        return homework_numbers(lo, hi)
    if style == "float":
        return float_numbers(lo, hi)
    return st.one_of(homework_numbers(lo, hi), float_numbers(lo, hi))


@cache
def dyadic_numbers(lo: int = -2, hi: int = 2) -> st.SearchStrategy[str]:
    """Integers and halves: every sum and product of a few of them is exact in binary floating point."""
    return st.integers(2 * lo, 2 * hi).map(lambda k: _decimal_text(k * 5, 1))


LEARNING_RATES = ("0.1", "0.5", "0.01", "1", "0.05", "0.25", "0.2")


def _array(items: Sequence[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _inline_table(pairs: Sequence[tuple[str, str]]) -> str:
    return "{ " + ", ".join(f"{k} = {v}" for k, v in pairs) + " }"


# --------------------------------------------------------------------------------------------------
# Layered networks
# --------------------------------------------------------------------------------------------------

HIDDEN_ACTIVATIONS = ("linear", "identity", "relu", "relu", "sigmoid", "sigmoid", "tanh", "tanh", "softmax")
MODES = (*LOSSES, "upstream")


def output_activations(mode: str) -> tuple[str, ...]:
    """The output activations a loss is generated with (the contract's "matching output")."""
    if mode == "binary_cross_entropy":
        return ("sigmoid",)
    if mode == "cross_entropy":
        return ("softmax", "sigmoid")
    return ACTIVATIONS


def _output_activation(draw: Draw, mode: str) -> str:
    if mode == "binary_cross_entropy":
        return "sigmoid"
    if mode == "cross_entropy":
        return draw(st.sampled_from(("softmax", "softmax", "softmax", "sigmoid")))
    return draw(st.sampled_from(ACTIVATIONS))


def _targets(draw: Draw, mode: str, style: str, n: int) -> list[str]:
    if mode == "binary_cross_entropy":
        inside = st.one_of(
            st.integers(1, 99).map(lambda k: _decimal_text(k, 2)),
            st.integers(1, 9).map(lambda k: _decimal_text(k, 1)),
            st.floats(0.001, 0.999).map(repr),
        )
        return [draw(st.one_of(st.sampled_from(("0", "1")), inside)) for _ in range(n)]
    if mode == "cross_entropy":
        if n == 1 or draw(st.booleans()):
            hot = draw(st.integers(0, n - 1))
            return ["1" if j == hot else "0" for j in range(n)]
        # a distribution in hundredths: cut points in 0..100
        cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
        edges = [0, *cuts, 100]
        return [_decimal_text(edges[j + 1] - edges[j], 2) for j in range(n)]
    return [draw(numbers(style, -2, 2)) for _ in range(n)]


def _frozen_candidates(layers: Sequence[tuple[int, int, str]], n_in: int, layout: str) -> list[str]:
    """Every name ``frozen`` may hold: whole matrices/biases and single entries."""
    names: list[str] = []
    fan_in = n_in
    for index, (units, _, bias_kind) in enumerate(layers, start=1):
        rows, cols = (units, fan_in) if layout == "out_in" else (fan_in, units)
        names.append(f"W{index}")
        names.extend(f"W{index}[{r},{c}]" for r in range(1, rows + 1) for c in range(1, cols + 1))
        if bias_kind != "none":
            names.append(f"b{index}")
        if bias_kind == "list":
            names.extend(f"b{index}[{j}]" for j in range(1, units + 1))
        fan_in = units
    return names


@st.composite
def networks(
    draw: Draw,
    max_layers: int = 4,
    max_units: int = 5,
    mode: str | None = None,
    layout: str = "any",
    output: str | None = None,
) -> Problem:
    """A layered net. ``mode``: one of LOSSES or "upstream"; ``output``: the last layer's activation
    (None: drawn, fitting the loss). ``layout``: "in_out", "out_in" (written out or left to the
    default, drawn), "default" (the key left out) or "any" (drawn)."""
    style = draw(st.sampled_from(STYLES))
    n_layers = draw(st.integers(1, max_layers))
    n_in = draw(st.integers(1, max_units))
    if mode is None:
        mode = draw(st.sampled_from(MODES))
    out_act = output if output is not None else _output_activation(draw, mode)
    layers: list[tuple[int, str, str]] = []  # (units, activation, bias kind)
    for k in range(n_layers):
        last = k == n_layers - 1
        act = out_act if last else draw(st.sampled_from(HIDDEN_ACTIVATIONS))
        units = draw(st.integers(2 if act == "softmax" else 1, max_units))
        layers.append((units, act, draw(st.sampled_from(("none", "shared", "list")))))
    if layout == "any":
        layout_key = draw(st.sampled_from((None, "out_in", "in_out")))
    elif layout == "out_in":
        layout_key = draw(st.sampled_from((None, "out_in")))
    else:
        layout_key = None if layout == "default" else layout
    layout = layout_key or "out_in"

    lr = draw(st.one_of(st.none(), st.sampled_from(LEARNING_RATES), float_numbers(0.001, 1.0)))
    iterations = draw(st.sampled_from((None, 1, 2, 3)) if lr is not None else st.sampled_from((None, 1)))
    frozen: list[str] | None = None
    if draw(st.integers(0, 3)) == 0:
        candidates = _frozen_candidates(layers, n_in, layout)
        frozen = draw(st.lists(st.sampled_from(candidates), max_size=3, unique=True))

    w_lo, w_hi = (-3, 3) if style == "homework" else (-2, 2)
    lines = ['title = "Generated network"', "", "[network]"]
    lines.append(f"inputs = {_array([draw(numbers(style, -3, 3)) for _ in range(n_in)])}")
    n_out = layers[-1][0]
    if mode == "upstream":
        lines.append(f"upstream = {_array([draw(numbers(style, -5, 5)) for _ in range(n_out)])}")
    else:
        lines.append(f"targets = {_array(_targets(draw, mode, style, n_out))}")
        lines.append(f'loss = "{mode}"')
    if lr is not None:
        lines.append(f"learning_rate = {lr}")
    if iterations is not None:
        lines.append(f"iterations = {iterations}")
    if layout_key is not None:
        lines.append(f'layout = "{layout_key}"')
    if frozen is not None:
        lines.append(f"frozen = {_array([json.dumps(f) for f in frozen])}")
    fan_in = n_in
    for units, act, bias_kind in layers:
        rows, cols = (units, fan_in) if layout == "out_in" else (fan_in, units)
        matrix = [_array([draw(numbers(style, w_lo, w_hi)) for _ in range(cols)]) for _ in range(rows)]
        lines += ["", "[[network.layer]]", f"units = {units}", f'activation = "{act}"']
        lines.append(f"weights = {_array(matrix)}")
        if bias_kind == "shared":
            lines.append(f"bias = {draw(numbers(style, -2, 2))}")
        elif bias_kind == "list":
            lines.append(f"bias = {_array([draw(numbers(style, -2, 2)) for _ in range(units)])}")
        fan_in = units
    tags = (
        f"output {out_act} / {mode} / {layout}",
        *{f"hidden {act}" for _, act, _ in layers[:-1]},
        *{f"bias {b}" for _, _, b in layers},
        f"{n_layers} layers",
        f"{iterations or 1} iterations" + (" with updates" if lr is not None else ""),
        *(["frozen"] if frozen else []),
    )
    return _problem("\n".join(lines) + "\n", "network", tags)


@st.composite
def relu_zero_networks(draw: Draw) -> Problem:
    """Small relu nets with values in halves, so pre-activations are often exactly 0 (exact in floats too)."""
    n_layers = draw(st.integers(2, 3))
    n_in = draw(st.integers(1, 3))
    mode = draw(st.sampled_from(("half_squared_error", "squared_error", "mse", "upstream")))
    layout = draw(st.sampled_from(("out_in", "in_out")))
    lines = ['title = "ReLU at zero"', "", "[network]"]
    lines.append(f"inputs = {_array([draw(dyadic_numbers()) for _ in range(n_in)])}")
    units_list = [draw(st.integers(1, 3)) for _ in range(n_layers)]
    if mode == "upstream":
        lines.append(f"upstream = {_array([draw(dyadic_numbers()) for _ in range(units_list[-1])])}")
    else:
        lines.append(f"targets = {_array([draw(dyadic_numbers()) for _ in range(units_list[-1])])}")
        lines.append(f'loss = "{mode}"')
    out_act = draw(st.sampled_from(("relu", "linear", "sigmoid")))
    if draw(st.booleans()):
        lines.append("learning_rate = 0.5")
        # a second iteration only where the first one's updates stay exact in binary (no sigmoid, no 1/3)
        if out_act != "sigmoid" and mode != "mse":
            lines.append(f"iterations = {draw(st.integers(1, 2))}")
    lines.append(f'layout = "{layout}"')
    fan_in = n_in
    for k, units in enumerate(units_list):
        act = "relu" if k < n_layers - 1 else out_act
        rows, cols = (units, fan_in) if layout == "out_in" else (fan_in, units)
        matrix = [_array([draw(dyadic_numbers()) for _ in range(cols)]) for _ in range(rows)]
        lines += ["", "[[network.layer]]", f"units = {units}", f'activation = "{act}"']
        lines.append(f"weights = {_array(matrix)}")
        bias_kind = draw(st.sampled_from(("none", "shared", "list")))
        if bias_kind == "shared":
            lines.append(f"bias = {draw(dyadic_numbers())}")
        elif bias_kind == "list":
            lines.append(f"bias = {_array([draw(dyadic_numbers()) for _ in range(units)])}")
        fan_in = units
    return _problem("\n".join(lines) + "\n", "network")


# --------------------------------------------------------------------------------------------------
# Computation graphs
# --------------------------------------------------------------------------------------------------

# (inputs, params, constants, nodes): names from different course conventions; none is a function or L
NAME_STYLES: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (("x1", "x2", "x3"), ("w1", "w2", "w3", "w4", "w5", "b"), ("t", "c"), tuple(f"h{i}" for i in range(1, 16))),
    (
        ("A1", "A2", "A3"),
        ("u11", "u12", "u21", "u22", "v1", "v2"),
        ("t", "k"),
        ("B1", "B2", "C1", "C2", "D", "E", "F", "G", "H", "J", "K", "M", "N", "P", "Q"),
    ),
    (("a", "b", "c"), ("p", "q", "r", "s", "u", "v"), ("y", "k0"), tuple(f"n_{i}" for i in range(1, 16))),
)

LITERALS = ("2", "3", "0.5", "1.5", "0.1", "0.25", "1")

# An expression fragment: (text, precedence) with 1 = + -, 2 = * /, 3 = unary minus, 4 = power, 5 = atom.
Frag = tuple[str, int]


def _wrap(frag: Frag, min_prec: int) -> str:
    text, prec = frag
    return text if prec >= min_prec else f"({text})"


def add(a: Frag, b: Frag, op: str = "+") -> Frag:
    right = f"({b[0]})" if b[1] == 3 else _wrap(b, 2 if op == "-" else 1)  # never "a - -b"
    return f"{a[0]} {op} {right}", 1


def mul(a: Frag, b: Frag, op: str = "*") -> Frag:
    return f"{_wrap(a, 2)}{op}{_wrap(b, 4)}", 2


def power(base: Frag, exponent: Frag, op: str = "^") -> Frag:
    return f"{_wrap(base, 5)}{op}{_wrap(exponent, 5)}", 4


def neg(a: Frag) -> Frag:
    return f"-{_wrap(a, 5)}", 3


def call(fn: str, a: Frag) -> Frag:
    return f"{fn}({a[0]})", 5


def atom(text: str) -> Frag:
    return text, 5


@st.composite
def _leaf(draw: Draw, names: Sequence[str], recent: Sequence[str]) -> Frag:
    choice = draw(st.integers(0, 9))
    if recent and choice < 4:  # favour the newest nodes: deep chains
        return atom(draw(st.sampled_from(recent)))
    if choice < 9:
        return atom(draw(st.sampled_from(names)))
    return atom(draw(st.sampled_from(LITERALS)))


def _positive(draw: Draw, inner: Frag) -> Frag:
    """A fragment that is > 0 whatever ``inner`` is."""
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return add(power(inner, atom("2")), atom(draw(st.sampled_from(("1", "0.5", "2")))))
    if kind == 1:
        return add(call("exp", inner), atom("1"))
    if kind == 2:
        return call("exp", inner)
    if kind == 3:
        return call("sigmoid", inner)
    return add(call("abs", inner), atom("1"))


@st.composite
def expressions(draw: Draw, names: Sequence[str], recent: Sequence[str], depth: int) -> Frag:
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return draw(_leaf(names, recent))
    sub = expressions(names, recent, depth - 1)
    kind = draw(st.integers(0, 15))
    if kind <= 2:
        return add(draw(sub), draw(sub), draw(st.sampled_from(("+", "-"))))
    if kind <= 5:
        return mul(draw(sub), draw(sub))
    if kind == 6:  # division by something positive or a non-zero literal
        if draw(st.booleans()):
            return mul(draw(sub), atom(draw(st.sampled_from(("2", "4", "0.5", "3")))), "/")
        return mul(draw(sub), _positive(draw, draw(sub)), "/")
    if kind == 7:
        return power(draw(sub), atom(draw(st.sampled_from(("2", "3")))), draw(st.sampled_from(("^", "^", "**"))))
    if kind == 8:  # positive base, any exponent (also a variable one)
        exponent = draw(
            st.one_of(st.sampled_from(("0.5", "1.5")).map(atom), st.just(neg(atom("1"))), expressions(names, recent, 0))
        )
        return power(_positive(draw, draw(sub)), exponent)
    if kind == 9:
        return neg(draw(sub))
    if kind == 10:
        return call("log", _positive(draw, draw(sub)))
    if kind == 11:
        return call("sqrt", _positive(draw, draw(sub)))
    if kind == 12:
        return call(draw(st.sampled_from(("relu", "abs"))), draw(sub))
    if kind == 13:
        return call("exp", mul(draw(sub), atom("0.5")))
    return call(draw(st.sampled_from(("sigmoid", "tanh"))), draw(sub))


@st.composite
def graphs(draw: Draw, max_nodes: int = 8) -> Problem:
    style = draw(st.sampled_from(STYLES))
    inputs_pool, params_pool, consts_pool, nodes_pool = draw(st.sampled_from(NAME_STYLES))
    n_inputs = draw(st.integers(1, len(inputs_pool)))
    inputs = inputs_pool[:n_inputs]
    chain = draw(st.integers(0, 4)) == 0
    n_nodes = draw(st.integers(8, 14) if chain else st.integers(1, max_nodes))
    nodes = nodes_pool[:n_nodes]
    params = list(params_pool)
    leaves = [*inputs, *params, *consts_pool]

    # first node: a weighted sum, as in most homework graphs
    terms = [mul(atom(p), atom(x)) for p, x in zip(params, inputs)]
    first = terms[0]
    for term in terms[1:]:
        first = add(first, term)
    if draw(st.booleans()):
        first = add(first, atom(params[len(terms)]))
    definitions = [f"{nodes[0]} = {first[0]}"]
    for k in range(1, n_nodes):
        earlier = list(nodes[:k])
        if chain:  # a deep chain: one layer-like step per node, reading the previous one
            inner = add(mul(atom(draw(st.sampled_from(params))), atom(earlier[-1])), draw(_leaf(leaves, ())))
            fn = draw(st.sampled_from(("sigmoid", "tanh", "relu", "exp", "")))
            body = call(fn, inner if fn != "exp" else mul(inner, atom("0.25"))) if fn else inner
        else:
            body = draw(expressions([*leaves, *earlier], earlier[-2:], draw(st.integers(1, 3))))
        definitions.append(f"{nodes[k]} = {body[0]}")

    used_by_later: set[str] = set()
    for text in definitions:
        used_by_later |= expr_names(parse_definition(text)[1])
    sinks = [n for n in nodes if n not in used_by_later]  # always holds the last node

    upstream: list[tuple[str, str]] | None = None
    loss: str | None = None
    if draw(st.integers(0, 4)) == 0:
        chosen = [nodes[-1]] + [s for s in sinks[:-1] if draw(st.booleans())]
        upstream = [(n, draw(numbers(style, -5, 5))) for n in chosen]
    else:
        out = atom(nodes[-1])
        kind = draw(st.integers(0, 5))
        t = atom(consts_pool[0])
        if kind == 0:
            loss = power(add(out, t, "-"), atom("2"))[0]
        elif kind == 1:
            loss = mul(atom("0.5"), power(add(out, t, "-"), atom("2")))[0]
        elif kind == 2:  # every dangling node in the loss
            total = power(add(out, t, "-"), atom("2"))
            for s in sinks[:-1]:
                total = add(total, power(add(atom(s), atom(consts_pool[1]), "-"), atom("2")))
            loss = total[0]
        elif kind == 3:  # a cross-entropy-like loss
            loss = neg(call("log", call("sigmoid", out)))[0]
        elif kind == 4:  # weight decay on top
            loss = add(power(add(out, t, "-"), atom("2")), mul(atom("0.1"), power(atom(params[0]), atom("2"))))[0]
        else:
            loss = draw(expressions([*leaves, *nodes], [nodes[-1]], 2))[0]
            if nodes[-1] not in expr_names(parse_expr(loss)):
                loss = add(atom(nodes[-1]), (loss, 1))[0]

    used: set[str] = set()
    for text in definitions:
        used |= expr_names(parse_definition(text)[1])
    if loss is not None:
        used |= expr_names(parse_expr(loss))

    lo, hi = (-3, 3) if style == "homework" else (-2, 2)
    lines = ['title = "Generated graph"', "", "[graph]"]
    lines.append(f"inputs = {_inline_table([(x, draw(numbers(style, lo, hi))) for x in inputs if x in used])}")
    consts = [(c, draw(numbers(style, lo, hi))) for c in consts_pool if c in used]
    if consts:
        lines.append(f"constants = {_inline_table(consts)}")
    used_params = [p for p in params if p in used]
    lines.append(f"params = {_inline_table([(p, draw(numbers(style, lo, hi))) for p in used_params])}")
    lines.append("nodes = [")
    lines.extend(f"  {json.dumps(d)}," for d in definitions)
    lines.append("]")
    if loss is not None:
        lines.append(f"loss = {json.dumps(loss)}")
    else:
        assert upstream is not None
        lines.append(f"upstream = {_inline_table(upstream)}")
    lr = draw(st.one_of(st.none(), st.sampled_from(LEARNING_RATES)))
    if lr is not None:
        lines.append(f"learning_rate = {lr}")
        iterations = draw(st.sampled_from((None, 1, 2, 3)))
        if iterations is not None:
            lines.append(f"iterations = {iterations}")
    if draw(st.integers(0, 3)) == 0:
        frozen = draw(st.lists(st.sampled_from(used_params), max_size=2, unique=True))
        lines.append(f"frozen = {_array([json.dumps(f) for f in frozen])}")
    tags = (
        "graph chain" if chain else "graph",
        "graph upstream" if upstream else "graph loss",
        *sorted(_features(definitions, loss)),
    )
    return _problem("\n".join(lines) + "\n", "graph", tags)


def _features(definitions: Sequence[str], loss: str | None) -> set[str]:
    """The parts of the expression language a graph uses, for hypothesis.event statistics."""
    found: set[str] = set()

    def walk(expr: tuple[Any, ...]) -> None:
        kind = expr[0]
        if kind == "bin":
            found.add(f"uses {expr[1]}")
            walk(expr[2])
            walk(expr[3])
        elif kind == "neg":
            found.add("uses unary minus")
            walk(expr[1])
        elif kind == "call":
            found.add(f"uses {expr[1]}")
            walk(expr[2])

    if any("**" in text for text in [*definitions, loss or ""]):
        found.add("uses **")
    trees = [parse_definition(d)[1] for d in definitions]
    if loss is not None:
        trees.append(parse_expr(loss))
    for tree in trees:
        walk(tree)
    reads: dict[str, int] = {}
    for tree in trees:
        for name in expr_names(tree):
            reads[name] = reads.get(name, 0) + 1
    if any(reads.get(parse_definition(d)[0], 0) > 1 for d in definitions):
        found.add("a node read by several others")
    return found


@st.composite
def relu_zero_graphs(draw: Draw) -> Problem:
    """relu/abs of weighted sums of halves: the argument is often exactly 0."""
    x = [draw(dyadic_numbers()) for _ in range(2)]
    w = [draw(dyadic_numbers()) for _ in range(3)]
    fn = draw(st.sampled_from(("relu", "abs")))
    after = draw(st.sampled_from(("h2", "sigmoid(h2)", "2*h2 + w3*h1", "h2^2")))
    text = "\n".join(
        [
            'title = "ReLU or abs at zero"',
            "",
            "[graph]",
            f"inputs = {{ x1 = {x[0]}, x2 = {x[1]} }}",
            f"constants = {{ t = {draw(dyadic_numbers())} }}",
            f"params = {{ w1 = {w[0]}, w2 = {w[1]}, w3 = {w[2]} }}",
            "nodes = [",
            '  "h1 = w1*x1 + w2*x2",',
            f'  "h2 = {fn}(h1 + w3)",',
            f'  "h3 = {after}",',
            "]",
            'loss = "(h3 - t)^2"',
            "learning_rate = 0.5",
        ]
    )
    return _problem(text + "\n", "graph")
