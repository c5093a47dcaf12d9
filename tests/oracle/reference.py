"""Independent oracles for solgen's answers: PyTorch float64 autograd and mpmath central differences.

Nothing here imports solgen. Both oracles read the spec dict exactly as ``tomllib.loads`` returns it
and produce a dict shaped like the JSON answers of ``solgen solve`` (spec-format.md, section 3):

    {"title": ..., "steps": [{"iteration", "forward", "loss", "gradients", "updated"?, "params"}],
     "facts": {"parameters": N}, "kink_margin": float}

``params`` (the parameter values used by that iteration's forward pass) and ``kink_margin`` (the
smallest |argument| of any relu/abs met, ``inf`` if none) are extras for the tests.

* :func:`torch_reference` : layered nets use tensor algebra (``W @ a`` or ``a @ W`` as typed,
  ``torch.softmax``, ``torch.nn.functional`` losses), graphs use torch scalars; gradients by autograd
  with ``retain_grad`` on every node. Values are torch's own; three local derivatives are taken
  from algebraically equal forms that keep their digits where torch's formulas lose them to
  rounding (sigmoid and tanh near saturation, binary cross-entropy with a near 1), see
  :func:`torch_sigmoid`, :func:`torch_tanh` and :func:`_torch_loss`.
* :func:`mpmath_reference` : a scalar re-implementation at 50 digits; every gradient is a central
  difference, perturbing one parameter, input or node (additively) and re-running what follows.

The two share only the spec reading and the expression parser (a small ``ast`` walk that never
evaluates Python). Conventions: relu'(0) = 0 and abs'(0) = 0 (torch's too); a term t*log(a) with
t = 0 counts as 0. :func:`well_conditioned` says which generated problems a float oracle can answer
to 1e-9 (no relu/abs argument near 0, no huge numbers, no BCE output within 1e-6 of 0 or 1).
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import mpmath
import torch

ACTIVATIONS = ("linear", "identity", "relu", "sigmoid", "tanh", "softmax")
LOSSES = ("squared_error", "half_squared_error", "mse", "binary_cross_entropy", "cross_entropy")
FUNCTIONS = ("sigmoid", "relu", "tanh", "exp", "log", "sqrt", "abs")
KINK_FUNCTIONS = ("relu", "abs")

Answers = dict[str, Any]


# --------------------------------------------------------------------------------------------------
# Expressions: parsed with ast, walked by hand; no eval, no attribute access, no calls but FUNCTIONS.
# --------------------------------------------------------------------------------------------------


class ExprError(ValueError):
    """An expression outside the contract's language."""


# An expression tree: ("num", float) | ("name", str) | ("neg", E) | ("bin", op, E, E) | ("call", fn, E)
Expr = tuple[Any, ...]

_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "^",
}


def parse_expr(text: str) -> Expr:
    """Parse one expression of the contract's language (``^`` and ``**`` are both powers)."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError(f"empty expression: {text!r}")
    try:
        tree = ast.parse(text.replace("^", "**").strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"bad syntax: {text!r}") from exc
    return _walk(tree.body)


def _walk(node: ast.AST) -> Expr:
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return ("bin", _BINOPS[type(node.op)], _walk(node.left), _walk(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return ("neg", _walk(node.operand))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
        return _walk(node.operand)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = float(node.value)
        if not math.isfinite(value):
            raise ExprError(f"non-finite literal {node.value!r}")
        return ("num", value)
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in FUNCTIONS
        and len(node.args) == 1
        and not node.keywords
        and not isinstance(node.args[0], ast.Starred)
    ):
        return ("call", node.func.id, _walk(node.args[0]))
    raise ExprError(f"not in the expression language: {ast.dump(node)[:80]}")


def parse_definition(text: str) -> tuple[str, Expr]:
    """``"NAME = EXPR"`` -> (NAME, tree)."""
    name, eq, rhs = text.partition("=")
    name = name.strip()
    if not eq or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ExprError(f"not a definition: {text!r}")
    return name, parse_expr(rhs)


def expr_names(expr: Expr) -> set[str]:
    """Every name an expression reads."""
    kind = expr[0]
    if kind == "num":
        return set()
    if kind == "name":
        return {expr[1]}
    if kind == "neg":
        return expr_names(expr[1])
    if kind == "bin":
        return expr_names(expr[2]) | expr_names(expr[3])
    return expr_names(expr[2])


@dataclass(frozen=True)
class Ops:
    """The arithmetic an evaluator uses: how to make a number and apply each function."""

    num: Callable[[float], Any]
    funcs: Mapping[str, Callable[[Any], Any]]


Compiled = Callable[[Mapping[str, Any]], Any]


def compile_expr(expr: Expr, ops: Ops, kinks: list[float] | None = None) -> Compiled:
    """Turn a tree into a closure ``env -> value``; relu/abs arguments are appended to ``kinks``."""
    kind = expr[0]
    if kind == "num":
        value = ops.num(expr[1])
        return lambda env: value
    if kind == "name":
        name = expr[1]
        return lambda env: env[name]
    if kind == "neg":
        inner = compile_expr(expr[1], ops, kinks)
        return lambda env: -inner(env)
    if kind == "bin":
        left = compile_expr(expr[2], ops, kinks)
        right = compile_expr(expr[3], ops, kinks)
        op = expr[1]
        if op == "+":
            return lambda env: left(env) + right(env)
        if op == "-":
            return lambda env: left(env) - right(env)
        if op == "*":
            return lambda env: left(env) * right(env)
        if op == "/":
            return lambda env: left(env) / right(env)
        return lambda env: left(env) ** right(env)
    fn = ops.funcs[expr[1]]
    arg = compile_expr(expr[2], ops, kinks)
    if kinks is not None and expr[1] in KINK_FUNCTIONS:

        def kinked(env: Mapping[str, Any]) -> Any:
            value = arg(env)
            kinks.append(abs(float(value.detach() if isinstance(value, torch.Tensor) else value)))
            return fn(value)

        return kinked
    return lambda env: fn(arg(env))


# --------------------------------------------------------------------------------------------------
# Reading a spec dict (the contract's meaning of every key).
# --------------------------------------------------------------------------------------------------


@dataclass
class Layer:
    index: int  # 1-based
    n_in: int
    units: int
    activation: str
    weights: list[list[float]]  # exactly as typed
    bias: None | float | list[float]

    def weight_name(self, unit: int, source: int, layout: str) -> str:
        """Canonical name of the weight from sending unit ``source`` to unit ``unit`` (0-based)."""
        r, c = (unit, source) if layout == "out_in" else (source, unit)
        return f"W{self.index}[{r + 1},{c + 1}]"

    def bias_name(self, unit: int) -> str | None:
        if self.bias is None:
            return None
        if isinstance(self.bias, list):
            return f"b{self.index}[{unit + 1}]"
        return f"b{self.index}"


@dataclass
class Network:
    title: str
    inputs: list[float]
    targets: list[float] | None
    loss: str | None
    upstream: list[float] | None
    learning_rate: float | None
    iterations: int
    layout: str
    frozen: list[str]
    layers: list[Layer]

    def param_names(self) -> list[str]:
        """Canonical parameter names, layer by layer: the weights row by row as typed, then the bias."""
        names: list[str] = []
        for layer in self.layers:
            for r, row in enumerate(layer.weights):
                names.extend(f"W{layer.index}[{r + 1},{c + 1}]" for c in range(len(row)))
            if isinstance(layer.bias, list):
                names.extend(f"b{layer.index}[{j + 1}]" for j in range(layer.units))
            elif layer.bias is not None:
                names.append(f"b{layer.index}")
        return names

    def param_values(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for layer in self.layers:
            for r, row in enumerate(layer.weights):
                for c, w in enumerate(row):
                    values[f"W{layer.index}[{r + 1},{c + 1}]"] = w
            if isinstance(layer.bias, list):
                for j, b in enumerate(layer.bias):
                    values[f"b{layer.index}[{j + 1}]"] = b
            elif layer.bias is not None:
                values[f"b{layer.index}"] = layer.bias
        return values

    def node_names(self) -> list[str]:
        names: list[str] = []
        for layer in self.layers:
            names.extend(f"z{layer.index}[{j + 1}]" for j in range(layer.units))
            names.extend(f"a{layer.index}[{j + 1}]" for j in range(layer.units))
        return names

    def input_names(self) -> list[str]:
        return [f"x[{i + 1}]" for i in range(len(self.inputs))]


def is_frozen(name: str, frozen: Sequence[str]) -> bool:
    """``W1`` freezes every ``W1[r,c]``; ``b1`` freezes ``b1`` and every ``b1[j]``; entries freeze themselves."""
    return name in frozen or name.split("[", 1)[0] in frozen


def _floats(values: Sequence[Any]) -> list[float]:
    return [float(v) for v in values]


def read_network(spec: Mapping[str, Any]) -> Network:
    net = spec["network"]
    inputs = _floats(net["inputs"])
    layout = net.get("layout", "out_in")
    if layout not in ("out_in", "in_out"):
        raise ValueError(f"unknown layout {layout!r}")
    layers: list[Layer] = []
    n_in = len(inputs)
    for k, raw in enumerate(net["layer"], start=1):
        units = int(raw["units"])
        activation = raw["activation"]
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}")
        weights = [_floats(row) for row in raw["weights"]]
        rows, cols = (units, n_in) if layout == "out_in" else (n_in, units)
        if len(weights) != rows or any(len(row) != cols for row in weights):
            raise ValueError(f"layer {k}: weights are not {rows}x{cols}")
        bias_raw = raw.get("bias")
        bias: None | float | list[float]
        if bias_raw is None:
            bias = None
        elif isinstance(bias_raw, list):
            bias = _floats(bias_raw)
            if len(bias) != units:
                raise ValueError(f"layer {k}: {len(bias)} biases for {units} units")
        else:
            bias = float(bias_raw)
        layers.append(Layer(k, n_in, units, activation, weights, bias))
        n_in = units
    loss = net.get("loss")
    upstream = net.get("upstream")
    if (loss is None) == (upstream is None):
        raise ValueError("exactly one of loss and upstream")
    if loss is not None and loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}")
    targets = _floats(net["targets"]) if loss is not None else None
    lr = net.get("learning_rate")
    return Network(
        title=spec["title"],
        inputs=inputs,
        targets=targets,
        loss=loss,
        upstream=_floats(upstream) if upstream is not None else None,
        learning_rate=float(lr) if lr is not None else None,
        iterations=int(net.get("iterations", 1)),
        layout=layout,
        frozen=list(net.get("frozen", [])),
        layers=layers,
    )


@dataclass
class Graph:
    title: str
    inputs: dict[str, float]
    constants: dict[str, float]
    params: dict[str, float]
    nodes: list[tuple[str, Expr]]
    loss: Expr | None
    upstream: dict[str, float] | None
    learning_rate: float | None
    iterations: int
    frozen: list[str]
    node_names: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.node_names = [name for name, _ in self.nodes]


def read_graph(spec: Mapping[str, Any]) -> Graph:
    g = spec["graph"]
    loss = g.get("loss")
    upstream = g.get("upstream")
    if (loss is None) == (upstream is None):
        raise ValueError("exactly one of loss and upstream")
    lr = g.get("learning_rate")
    return Graph(
        title=spec["title"],
        inputs={k: float(v) for k, v in g.get("inputs", {}).items()},
        constants={k: float(v) for k, v in g.get("constants", {}).items()},
        params={k: float(v) for k, v in g.get("params", {}).items()},
        nodes=[parse_definition(text) for text in g["nodes"]],
        loss=parse_expr(loss) if loss is not None else None,
        upstream={k: float(v) for k, v in upstream.items()} if upstream is not None else None,
        learning_rate=float(lr) if lr is not None else None,
        iterations=int(g.get("iterations", 1)),
        frozen=list(g.get("frozen", [])),
    )


# --------------------------------------------------------------------------------------------------
# Oracle 1: PyTorch float64 autograd.
# --------------------------------------------------------------------------------------------------


@contextmanager
def float64() -> Iterator[None]:
    """Make float64 torch's default dtype for the block only (every tensor here also names its dtype)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


_F64 = torch.float64


def _tensor(value: Any, grad: bool = False) -> torch.Tensor:
    return torch.tensor(value, dtype=_F64, requires_grad=grad)


def _grad_of(t: torch.Tensor) -> torch.Tensor:
    return t.grad if t.grad is not None else torch.zeros_like(t)


def torch_reference(spec: Mapping[str, Any]) -> Answers:
    """The full expected answers of a spec, by PyTorch float64 autograd."""
    with float64(), torch.enable_grad():
        if "network" in spec:
            return _torch_network(read_network(spec))
        return _torch_graph(read_graph(spec))


def _with_gradient_of(value: torch.Tensor, surrogate: torch.Tensor) -> torch.Tensor:
    """``value`` exactly (``surrogate - surrogate`` is an exact 0), differentiated as ``surrogate``."""
    return value.detach() + (surrogate - surrogate.detach())


def torch_sigmoid(z: torch.Tensor) -> torch.Tensor:
    """``torch.sigmoid`` values with a derivative that keeps its digits when sigmoid saturates.

    torch differentiates sigmoid as y(1 - y) from the rounded output y, so for y near 1 the factor
    1 - y has relative error ~1e-16/(1 - y): 5e-8 at z = 20, too coarse for a 1e-9 comparison. Here
    autograd differentiates s/(1 + e) with e = exp(-|z|) and s = sign(z) held constant, which is
    sigmoid(z) up to a constant and whose derivative e/(1 + e)^2 is built only from products.
    """
    s = torch.where(z.detach() >= 0, 1.0, -1.0).to(_F64)
    e = torch.exp(-s * z)
    return _with_gradient_of(torch.sigmoid(z), s / (1 + e))


def torch_tanh(z: torch.Tensor) -> torch.Tensor:
    """``torch.tanh`` values with the derivative of s*2/(1 + exp(-2|z|)) (= tanh(z) + s), i.e.
    4e/(1 + e)^2 = sech^2(z), accurate where torch's 1 - y^2 loses digits (|tanh z| near 1)."""
    s = torch.where(z.detach() >= 0, 1.0, -1.0).to(_F64)
    e = torch.exp(-2 * s * z)
    return _with_gradient_of(torch.tanh(z), s * 2 / (1 + e))


def _torch_activation(name: str, z: torch.Tensor) -> torch.Tensor:
    if name in ("linear", "identity"):
        return z.clone()  # a distinct tensor, so a{l} gets its own gradient
    if name == "relu":
        return torch.relu(z)
    if name == "sigmoid":
        return torch_sigmoid(z)
    if name == "tanh":
        return torch_tanh(z)
    return torch.softmax(z, dim=0)


def _torch_loss(name: str, a: torch.Tensor, t: torch.Tensor, z: torch.Tensor, activation: str) -> torch.Tensor:
    f = torch.nn.functional
    if name == "squared_error":
        return f.mse_loss(a, t, reduction="sum")
    if name == "half_squared_error":
        return 0.5 * f.mse_loss(a, t, reduction="sum")
    if name == "mse":
        return f.mse_loss(a, t, reduction="mean")
    if name == "binary_cross_entropy":
        if activation != "sigmoid":
            return f.binary_cross_entropy(a, t, reduction="sum")
        # After a sigmoid, 1 - a is sigmoid(-z): computed from z it keeps the digits that 1 - a (from
        # the rounded a) loses when a is near 1 (torch's BCE backward divides by a(1 - a)). Its value
        # is sigmoid(-z), its derivative with respect to a is still -1.
        one_minus_a = _with_gradient_of(torch.sigmoid(-z), 1 - a)
        pos = t != 0  # 0 * log(.) terms are left out, as 0 * log(0) would be nan
        neg = t != 1
        return -((t[pos] * torch.log(a[pos])).sum() + ((1 - t[neg]) * torch.log(one_minus_a[neg])).sum())
    hit = t != 0  # 0 * log(a) is 0 even where a underflows to 0
    return -(t[hit] * torch.log(a[hit])).sum()


def _torch_network(net: Network) -> Answers:
    weights = [_tensor(layer.weights) for layer in net.layers]
    biases: list[torch.Tensor | None] = [None if layer.bias is None else _tensor(layer.bias) for layer in net.layers]
    # 1 where a parameter entry is trained, 0 where frozen
    w_masks = [
        _tensor(
            [
                [0.0 if is_frozen(f"W{layer.index}[{r + 1},{c + 1}]", net.frozen) else 1.0 for c in range(len(row))]
                for r, row in enumerate(layer.weights)
            ]
        )
        for layer in net.layers
    ]
    b_masks: list[torch.Tensor | None] = []
    for layer in net.layers:
        if layer.bias is None:
            b_masks.append(None)
        elif isinstance(layer.bias, list):
            b_masks.append(
                _tensor([0.0 if is_frozen(f"b{layer.index}[{j + 1}]", net.frozen) else 1.0 for j in range(layer.units)])
            )
        else:
            b_masks.append(_tensor(0.0 if is_frozen(f"b{layer.index}", net.frozen) else 1.0))

    kinks: list[float] = []
    steps: list[dict[str, Any]] = []
    for iteration in range(net.iterations):
        x = _tensor(net.inputs, grad=True)
        W = [w.detach().clone().requires_grad_(True) for w in weights]
        B = [None if b is None else b.detach().clone().requires_grad_(True) for b in biases]
        zs: list[torch.Tensor] = []
        acts: list[torch.Tensor] = []
        a = x
        for layer, w, b in zip(net.layers, W, B):
            z = w @ a if net.layout == "out_in" else a @ w
            if b is not None:
                z = z + b  # a 0-d shared bias broadcasts to every unit
            z.retain_grad()
            a = _torch_activation(layer.activation, z)
            a.retain_grad()
            if layer.activation == "relu":
                kinks.extend(abs(v) for v in z.detach().tolist())
            zs.append(z)
            acts.append(a)

        loss: torch.Tensor | None = None
        if net.loss is not None:
            assert net.targets is not None
            loss = _torch_loss(net.loss, a, _tensor(net.targets), zs[-1], net.layers[-1].activation)
            loss.backward()
        else:
            assert net.upstream is not None
            a.backward(gradient=_tensor(net.upstream))

        forward: dict[str, float] = {}
        gradients: dict[str, float] = {}
        params: dict[str, float] = {}
        for i, (v, g) in enumerate(zip(x.detach().tolist(), _grad_of(x).tolist()), start=1):
            forward[f"x[{i}]"] = v
            gradients[f"x[{i}]"] = g
        for layer, w, b, z, act in zip(net.layers, W, B, zs, acts):
            for r, (row, grow) in enumerate(zip(w.detach().tolist(), _grad_of(w).tolist()), start=1):
                for c, (v, g) in enumerate(zip(row, grow), start=1):
                    params[f"W{layer.index}[{r},{c}]"] = v
                    gradients[f"W{layer.index}[{r},{c}]"] = g
            if b is not None:
                if b.dim() == 0:
                    params[f"b{layer.index}"] = b.item()
                    gradients[f"b{layer.index}"] = _grad_of(b).item()
                else:
                    for j, (v, g) in enumerate(zip(b.detach().tolist(), _grad_of(b).tolist()), start=1):
                        params[f"b{layer.index}[{j}]"] = v
                        gradients[f"b{layer.index}[{j}]"] = g
            for prefix, t in (("z", z), ("a", act)):
                for j, (v, g) in enumerate(zip(t.detach().tolist(), _grad_of(t).tolist()), start=1):
                    forward[f"{prefix}{layer.index}[{j}]"] = v
                    gradients[f"{prefix}{layer.index}[{j}]"] = g
        if net.targets is not None and loss is not None:
            for j, v in enumerate(net.targets, start=1):
                forward[f"t[{j}]"] = v
            forward["L"] = loss.item()

        step: dict[str, Any] = {
            "iteration": iteration,
            "forward": forward,
            "loss": loss.item() if loss is not None else None,
            "gradients": gradients,
            "params": params,
        }
        if net.learning_rate is not None:
            lr = net.learning_rate
            with torch.no_grad():
                weights = [w - lr * _grad_of(w) * m for w, m in zip(W, w_masks)]
                biases = [
                    None if b is None else b - lr * _grad_of(b) * m  # type: ignore[operator]
                    for b, m in zip(B, b_masks)
                ]
            step["updated"] = {
                name: params[name] - lr * gradients[name]
                for name in net.param_names()
                if not is_frozen(name, net.frozen)
            }
        steps.append(step)
    return {
        "title": net.title,
        "steps": steps,
        "facts": {"parameters": len(net.param_names())},
        "kink_margin": min(kinks, default=math.inf),
    }


def _torch_function(fn: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[Any], torch.Tensor]:
    return lambda v: fn(v if isinstance(v, torch.Tensor) else _tensor(v))


TORCH_OPS = Ops(
    num=float,
    funcs={
        "sigmoid": _torch_function(torch_sigmoid),
        "relu": _torch_function(torch.relu),
        "tanh": _torch_function(torch_tanh),
        "exp": _torch_function(torch.exp),
        "log": _torch_function(torch.log),
        "sqrt": _torch_function(torch.sqrt),
        "abs": _torch_function(torch.abs),
    },
)


def _torch_graph(g: Graph) -> Answers:
    kinks: list[float] = []
    node_fns = [(name, compile_expr(expr, TORCH_OPS, kinks)) for name, expr in g.nodes]
    loss_fn = compile_expr(g.loss, TORCH_OPS, kinks) if g.loss is not None else None
    params = dict(g.params)
    steps: list[dict[str, Any]] = []
    for iteration in range(g.iterations):
        leaves = {name: _tensor(v, grad=True) for name, v in g.inputs.items()}
        leaves.update({name: _tensor(v, grad=True) for name, v in params.items()})
        env: dict[str, Any] = dict(leaves)
        env.update({name: _tensor(v) for name, v in g.constants.items()})
        nodes: dict[str, torch.Tensor] = {}
        for name, fn in node_fns:
            value = fn(env)
            if not isinstance(value, torch.Tensor):
                value = _tensor(value)
            if value.requires_grad:
                node = value.clone()  # a distinct tensor even for "B = A"
                node.retain_grad()
            else:  # a node made of constants only: a leaf, so dL/dnode still exists
                node = value.detach().clone().requires_grad_(True)
            nodes[name] = node
            env[name] = node
        loss: torch.Tensor | None = None
        if loss_fn is not None:
            value = loss_fn(env)
            loss = value if isinstance(value, torch.Tensor) else _tensor(value)
            if loss.requires_grad:
                loss.backward()
        else:
            assert g.upstream is not None
            torch.autograd.backward([nodes[n] for n in g.upstream], [_tensor(v) for v in g.upstream.values()])
        forward: dict[str, float] = {}
        gradients: dict[str, float] = {}
        for name in g.inputs:
            forward[name] = leaves[name].item()
            gradients[name] = _grad_of(leaves[name]).item()
        for name, value in g.constants.items():
            forward[name] = value
        for name in params:
            gradients[name] = _grad_of(leaves[name]).item()
        for name, node in nodes.items():
            forward[name] = node.item()
            gradients[name] = _grad_of(node).item()
        if loss is not None:
            forward["L"] = loss.item()
        step: dict[str, Any] = {
            "iteration": iteration,
            "forward": forward,
            "loss": loss.item() if loss is not None else None,
            "gradients": gradients,
            "params": dict(params),
        }
        if g.learning_rate is not None:
            lr = g.learning_rate
            updated = {n: v - lr * gradients[n] for n, v in params.items() if not is_frozen(n, g.frozen)}
            step["updated"] = updated
            params.update(updated)
        steps.append(step)
    return {
        "title": g.title,
        "steps": steps,
        "facts": {"parameters": len(g.params)},
        "kink_margin": min(kinks, default=math.inf),
    }


# --------------------------------------------------------------------------------------------------
# Oracle 2: mpmath, 50 digits, central differences for every gradient.
# --------------------------------------------------------------------------------------------------

MP_DPS = 50
MP_STEP = "1e-20"


def _mp_sigmoid(v: Any) -> Any:
    return 1 / (1 + mpmath.exp(-v))


def _mp_relu(v: Any) -> Any:
    return v if v > 0 else mpmath.mpf(0)


MP_OPS = Ops(
    num=lambda v: mpmath.mpf(v),
    funcs={
        "sigmoid": _mp_sigmoid,
        "relu": _mp_relu,
        "tanh": mpmath.tanh,
        "exp": mpmath.exp,
        "log": mpmath.log,
        "sqrt": mpmath.sqrt,
        "abs": mpmath.fabs,
    },
)

# An evaluation: (values of every input/node/target/L, loss or None, objective to differentiate)
_Eval = tuple[dict[str, Any], Any, Any]


def mpmath_reference(spec: Mapping[str, Any], dps: int = MP_DPS, step: str = MP_STEP) -> Answers:
    """The full answers with every gradient a central difference at ``dps`` digits (floats out)."""
    with mpmath.mp.workdps(dps):
        h = mpmath.mpf(step)
        if "network" in spec:
            net = read_network(spec)
            model: _MpModel = _MpNetwork(net)
        else:
            model = _MpGraph(read_graph(spec))
        return model.run(h)


class _MpModel:
    title: str
    iterations: int
    learning_rate: float | None
    frozen: list[str]
    params: dict[str, Any]
    inputs: dict[str, Any]
    node_names: list[str]
    with_loss: bool
    n_params: int

    def evaluate(self, params: Mapping[str, Any], inputs: Mapping[str, Any], bump: str | None, delta: Any) -> _Eval:
        """Every value, the loss, and the objective; ``bump`` (a node) gets ``delta`` added."""
        raise NotImplementedError

    def objective(
        self, params: Mapping[str, Any], inputs: Mapping[str, Any], bump: str | None, delta: Any, changed: str
    ) -> Any:
        """The objective alone, after ``changed`` (a parameter, input or the bumped node) moved; may
        reuse what the last unperturbed ``evaluate`` computed upstream of ``changed``."""
        return self.evaluate(params, inputs, bump, delta)[2]

    def run(self, h: Any) -> Answers:
        params = dict(self.params)
        steps: list[dict[str, Any]] = []
        for iteration in range(self.iterations):
            values, loss, _ = self.evaluate(params, self.inputs, None, 0)
            f = self.objective
            grads: dict[str, Any] = {}
            for name in self.inputs:
                hi = dict(self.inputs)
                lo = dict(self.inputs)
                hi[name] += h
                lo[name] -= h
                grads[name] = (f(params, hi, None, 0, name) - f(params, lo, None, 0, name)) / (2 * h)
            for name in params:
                hi = dict(params)
                lo = dict(params)
                hi[name] += h
                lo[name] -= h
                grads[name] = (f(hi, self.inputs, None, 0, name) - f(lo, self.inputs, None, 0, name)) / (2 * h)
            for name in self.node_names:
                up = f(params, self.inputs, name, h, name)
                down = f(params, self.inputs, name, -h, name)
                grads[name] = (up - down) / (2 * h)
            step: dict[str, Any] = {
                "iteration": iteration,
                "forward": {k: float(v) for k, v in values.items()},
                "loss": float(loss) if loss is not None else None,
                "gradients": {k: float(v) for k, v in grads.items()},
                "params": {k: float(v) for k, v in params.items()},
            }
            if self.learning_rate is not None:
                lr = mpmath.mpf(self.learning_rate)
                new = {n: v - lr * grads[n] for n, v in params.items() if not is_frozen(n, self.frozen)}
                step["updated"] = {k: float(v) for k, v in new.items()}
                params.update(new)
            steps.append(step)
        return {
            "title": self.title,
            "steps": steps,
            "facts": {"parameters": self.n_params},
            "kink_margin": math.nan,  # not tracked here
        }


class _MpNetwork(_MpModel):
    def __init__(self, net: Network) -> None:
        self.net = net
        self.title = net.title
        self.iterations = net.iterations
        self.learning_rate = net.learning_rate
        self.frozen = net.frozen
        self.params = {k: mpmath.mpf(v) for k, v in net.param_values().items()}
        self.inputs = {name: mpmath.mpf(v) for name, v in zip(net.input_names(), net.inputs)}
        self.node_names = net.node_names()
        self.with_loss = net.loss is not None
        self.n_params = len(self.params)
        # per layer: (weight names [unit][source], bias names [unit], z names, a names)
        self.plan = [
            (
                [[layer.weight_name(j, i, net.layout) for i in range(layer.n_in)] for j in range(layer.units)],
                [layer.bias_name(j) for j in range(layer.units)],
                [f"z{layer.index}[{j + 1}]" for j in range(layer.units)],
                [f"a{layer.index}[{j + 1}]" for j in range(layer.units)],
                layer.activation,
            )
            for layer in net.layers
        ]
        self.targets = [mpmath.mpf(t) for t in net.targets] if net.targets is not None else None
        self.upstream = [mpmath.mpf(u) for u in net.upstream] if net.upstream is not None else None

        # the layer (0-based) each parameter and node belongs to; inputs are absent (layer 0 onwards)
        self.layer_of: dict[str, int] = {}
        for k, (wnames, bnames, znames, anames, _) in enumerate(self.plan):
            for name in [*(n for row in wnames for n in row), *(b for b in bnames if b), *znames, *anames]:
                self.layer_of[name] = k
        self._layer_inputs: list[list[Any]] = []  # what enters each layer in the last plain evaluate

    def _layers(
        self,
        params: Mapping[str, Any],
        a: list[Any],
        start: int,
        bump: str | None,
        delta: Any,
        values: dict[str, Any] | None,
    ) -> list[Any]:
        """Run layers ``start``.. on ``a``; record into ``values`` (and the layer inputs) if given."""
        for wnames, bnames, znames, anames, activation in self.plan[start:]:
            if values is not None:
                self._layer_inputs.append(a)
            z = []
            for j, row in enumerate(wnames):
                s = mpmath.fdot([params[wn] for wn in row], a)
                if bnames[j] is not None:
                    s += params[bnames[j]]
                if znames[j] == bump:
                    s += delta
                z.append(s)
            a = _mp_activation(activation, z)
            if bump is not None:
                for j in range(len(a)):
                    if anames[j] == bump:
                        a[j] += delta
            if values is not None:
                values.update(zip(znames, z))
                values.update(zip(anames, a))
        return a

    def _objective_of(self, a: list[Any]) -> Any:
        if self.targets is not None:
            assert self.net.loss is not None
            return _mp_loss(self.net.loss, a, self.targets)
        assert self.upstream is not None
        return mpmath.fdot(self.upstream, a)

    def evaluate(self, params: Mapping[str, Any], inputs: Mapping[str, Any], bump: str | None, delta: Any) -> _Eval:
        values: dict[str, Any] = dict(inputs)
        self._layer_inputs = []
        a = self._layers(params, list(inputs.values()), 0, bump, delta, values)
        objective = self._objective_of(a)
        if self.targets is not None:
            for j, t in enumerate(self.targets, start=1):
                values[f"t[{j}]"] = t
            values["L"] = objective
            return values, objective, objective
        return values, None, objective

    def objective(
        self, params: Mapping[str, Any], inputs: Mapping[str, Any], bump: str | None, delta: Any, changed: str
    ) -> Any:
        start = self.layer_of.get(changed, 0)
        a = self._layer_inputs[start] if start > 0 else list(inputs.values())
        return self._objective_of(self._layers(params, a, start, bump, delta, None))


def _mp_activation(name: str, z: list[Any]) -> list[Any]:
    if name in ("linear", "identity"):
        return list(z)
    if name == "relu":
        return [_mp_relu(v) for v in z]
    if name == "sigmoid":
        return [_mp_sigmoid(v) for v in z]
    if name == "tanh":
        return [mpmath.tanh(v) for v in z]
    exps = [mpmath.exp(v) for v in z]
    total = mpmath.fsum(exps)
    return [e / total for e in exps]


def _mp_loss(name: str, a: list[Any], t: list[Any]) -> Any:
    if name == "squared_error":
        return mpmath.fsum((aj - tj) ** 2 for aj, tj in zip(a, t))
    if name == "half_squared_error":
        return mpmath.fsum((tj - aj) ** 2 for aj, tj in zip(a, t)) / 2
    if name == "mse":
        return mpmath.fsum((aj - tj) ** 2 for aj, tj in zip(a, t)) / len(a)
    # terms with a zero weight are left out: 0 * log(a) is 0, even where a +- h would be negative
    if name == "binary_cross_entropy":
        return -mpmath.fsum(
            (tj * mpmath.log(aj) if tj != 0 else 0) + ((1 - tj) * mpmath.log(1 - aj) if tj != 1 else 0)
            for aj, tj in zip(a, t)
        )
    return -mpmath.fsum(tj * mpmath.log(aj) for aj, tj in zip(a, t) if tj != 0)


class _MpGraph(_MpModel):
    def __init__(self, g: Graph) -> None:
        self.g = g
        self.title = g.title
        self.iterations = g.iterations
        self.learning_rate = g.learning_rate
        self.frozen = g.frozen
        self.params = {k: mpmath.mpf(v) for k, v in g.params.items()}
        self.inputs = {k: mpmath.mpf(v) for k, v in g.inputs.items()}
        self.constants = {k: mpmath.mpf(v) for k, v in g.constants.items()}
        self.node_names = list(g.node_names)
        self.with_loss = g.loss is not None
        self.n_params = len(self.params)
        self.node_fns = [(name, compile_expr(expr, MP_OPS)) for name, expr in g.nodes]
        self.loss_fn = compile_expr(g.loss, MP_OPS) if g.loss is not None else None
        self.upstream = {k: mpmath.mpf(v) for k, v in g.upstream.items()} if g.upstream is not None else None

    def evaluate(self, params: Mapping[str, Any], inputs: Mapping[str, Any], bump: str | None, delta: Any) -> _Eval:
        env: dict[str, Any] = dict(inputs)
        env.update(self.constants)
        env.update(params)
        values: dict[str, Any] = dict(inputs)
        values.update(self.constants)
        for name, fn in self.node_fns:
            v = mpmath.mpf(fn(env))
            if name == bump:
                v += delta
            env[name] = v
            values[name] = v
        if self.loss_fn is not None:
            loss = mpmath.mpf(self.loss_fn(env))
            values["L"] = loss
            return values, loss, loss
        assert self.upstream is not None
        return values, None, mpmath.fsum(u * env[n] for n, u in self.upstream.items())


# --------------------------------------------------------------------------------------------------
# Comparing answers.
# --------------------------------------------------------------------------------------------------

REL_TOL = 1e-9
ABS_TOL = 1e-12


def close(a: float, b: float, rel: float = REL_TOL, abs_: float = ABS_TOL) -> bool:
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def compare_steps(
    actual: Answers,
    expected: Answers,
    *,
    parts: Sequence[str] = ("forward", "loss", "gradients", "updated"),
    rel: float = REL_TOL,
    abs_: float = ABS_TOL,
    strict_keys: bool = True,
) -> list[str]:
    """Every disagreement between two answers dicts, as readable lines (empty: they agree).

    With ``strict_keys`` the key sets of ``gradients`` and ``updated`` must be equal, ``forward``
    must hold every expected key (and may add parameter values, checked against ``params``),
    ``updated`` must be absent exactly when the expected step has none.
    """
    problems: list[str] = []
    if len(actual["steps"]) != len(expected["steps"]):
        return [f"{len(actual['steps'])} steps, expected {len(expected['steps'])}"]
    for a_step, e_step in zip(actual["steps"], expected["steps"]):
        it = e_step["iteration"]
        if a_step.get("iteration") != it:
            problems.append(f"step {it}: iteration = {a_step.get('iteration')!r}")
        for part in parts:
            if part == "loss":
                a_loss, e_loss = a_step.get("loss", "missing"), e_step["loss"]
                if e_loss is None or a_loss is None or a_loss == "missing":
                    if a_loss != e_loss:
                        problems.append(f"step {it}: loss = {a_loss!r}, expected {e_loss!r}")
                elif not close(a_loss, e_loss, rel, abs_):
                    problems.append(f"step {it}: loss = {a_loss!r}, expected {e_loss!r}")
                continue
            e_part = e_step.get(part)
            a_part = a_step.get(part)
            if part == "updated" and e_part == {} and a_part is None:
                continue  # everything frozen: an empty or absent "updated" both say "nothing changed"
            if e_part is None or a_part is None:
                if strict_keys and (e_part is None) != (a_part is None):
                    problems.append(f"step {it}: {part} is {a_part!r}, expected {e_part!r}")
                continue
            allowed_extra: Mapping[str, float] = {}
            if part == "forward":
                allowed_extra = e_step.get("params", {})
            elif part == "gradients":
                allowed_extra = {"L": 1.0}
            for key, e_val in e_part.items():
                if key not in a_part:
                    if strict_keys:
                        problems.append(f"step {it}: {part}[{key!r}] missing, expected {e_val!r}")
                    continue
                a_val = a_part[key]
                if not isinstance(a_val, int | float) or not close(float(a_val), e_val, rel, abs_):
                    problems.append(f"step {it}: {part}[{key!r}] = {a_val!r}, expected {e_val!r}")
            if strict_keys:
                for key in a_part.keys() - e_part.keys():
                    if key not in allowed_extra:
                        problems.append(f"step {it}: {part}[{key!r}] = {a_part[key]!r} is not expected")
                    elif not close(float(a_part[key]), allowed_extra[key], rel, abs_):
                        problems.append(
                            f"step {it}: {part}[{key!r}] = {a_part[key]!r}, expected {allowed_extra[key]!r}"
                        )
    return problems


def well_conditioned(ref: Answers, spec: Mapping[str, Any], *, kink_margin: float = 1e-6, bound: float = 1e6) -> bool:
    """Whether a generated problem is fit for a 1e-9 comparison of float and exact arithmetic.

    Rejects non-finite or huge numbers, relu/abs arguments within ``kink_margin`` of 0 (where exact
    and float arithmetic may take different branches), and binary cross-entropy outputs within 1e-6
    of 0 or 1 (where ``1 - a`` loses the digits the comparison needs).
    """
    if ref["kink_margin"] < kink_margin:
        return False
    for step in ref["steps"]:
        numbers: list[float] = []
        for part in ("forward", "gradients", "updated", "params"):
            numbers.extend(step.get(part, {}).values())
        if step["loss"] is not None:
            numbers.append(step["loss"])
        if not all(math.isfinite(v) and abs(v) <= bound for v in numbers):
            return False
    if "network" in spec:
        return not _saturated(ref, spec["network"])
    return True


def _saturated(ref: Answers, network: Mapping[str, Any]) -> bool:
    """A sigmoid or softmax unit within 1e-6 of 0 or 1, or a tanh unit within 1e-6 of +-1 (any layer;
    any output under binary cross-entropy): float64's ``1 - a`` (``1 - a^2``) keeps too few digits
    for a 1e-9 comparison (torch was 3e-9 off where solgen matched mpmath).  Such cases are checked
    against 800-digit mpmath in tests/test_precision.py."""
    layers = network["layer"]
    last = len(layers)
    for step in ref["steps"]:
        for key, v in step["forward"].items():
            if not key.startswith("a") or "[" not in key or not key[1:key.index("[")].isdigit():
                continue
            l = int(key[1:key.index("[")])
            act = layers[l - 1].get("activation", "linear") if l <= last else "linear"
            near = min(abs(v), abs(1 - v))
            if act in ("sigmoid", "softmax") and near < 1e-6 or act == "tanh" and 1 - abs(v) < 1e-6:
                return True
            if l == last and network.get("loss") == "binary_cross_entropy" and min(v, 1 - v) < 1e-6:
                return True
    return False
