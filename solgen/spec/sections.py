"""TOML text -> a validated ``Spec``.

Every problem is reported as ``SpecError(file, place, problem)`` where the
place is the TOML key path (``network.layer[2].weights``).  Numbers are read
exactly: ``0.15`` becomes the rational 3/20, never a binary float.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import field
from fractions import Fraction
from pathlib import Path
from typing import Any

from solgen.core.ir import Expr
from solgen.errors import ExprError
from solgen.layers import LAYER_KINDS
from solgen.layers.shapes import Shape, depth, nested, show_shape, size
from solgen.record import record
from solgen.render.latexsafe import check_display_name
from solgen.train.losses import LOSSES
from solgen.train.optimizers import OptimizerChoice

from .expr import parse_definition, parse_expression
from .files import read_text
from .grading import GradingPolicy, read_grading
from .reader import Reader, did_you_mean, key_path, kind_of, plural
from .tomltext import read_toml
from .training import read_optimizer, read_penalties

MAX_ITERATIONS = 20
MAX_LAYERS = 2_000  # checked before any layer is read (issue 16 renders 2,000 one-unit layers)
MAX_NODES = 40_000  # graph nodes, checked before any is parsed (4 x the default parameter limit)
#: the keys of [network] beyond section 1 (batches and the loss keys)
BATCH_KEYS = ("labels", "reduction", "delta", "margin", "l1", "l2")


@record
class Style:
    form: str = "scalar"
    chain: str = "adjoint"
    digits: int = 4
    decimal: str = "."
    rounding: str = "display"
    detail: str = "compact"  # "full": one quantity per display, every chain-rule step
    language: str = "en"  # the message catalog: templates/messages/<language>.toml


LANGUAGES = ("en", "de", "fr", "es", "pt")  # each has templates/messages/<language>.toml


@record
class Layer:
    units: int
    activation: str
    weights: tuple[tuple[Fraction, ...], ...] | None
    bias: Fraction | tuple[Fraction, ...] | None
    type: str = "dense"  # a key of solgen.layers.LAYER_KINDS
    parameter: Fraction | None = None  # the activation's parameter (negative_slope, alpha), if given

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.units,)


@record
class Network:
    inputs: tuple[Fraction, ...] | None  # None: architecture only
    input_count: int
    layers: tuple[Layer, ...]
    layout: str = "out_in"
    targets: tuple[Fraction, ...] | None = None
    loss: str | None = None
    upstream: tuple[Fraction, ...] | None = None
    symbolic: bool = False  # no values: the general formulas only
    # a batch (section 6): every example's rows; inputs/targets/upstream above are example 1's
    batch: bool = False  # inputs was a list of examples (names then carry the example index)
    examples: tuple[tuple[Fraction, ...], ...] = ()  # each example's inputs (one row if not a batch)
    example_targets: tuple[tuple[Fraction, ...], ...] = ()
    example_upstream: tuple[tuple[Fraction, ...], ...] = ()
    labels: tuple[int, ...] = ()  # 1-based classes, one per example, when given as labels
    reduction: str = "mean"  # L = mean or sum of the examples' losses L[n]
    delta: Fraction = Fraction(1)  # huber
    margin: Fraction = Fraction(1)  # multiclass_hinge
    input_shape: tuple[int, ...] = ()  # one example's shape (section 10); () means (input_count,)

    @property
    def size(self) -> int:
        """N, the number of examples."""
        return max(len(self.examples), 1)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.input_shape or (self.input_count,)

    @property
    def dense_only(self) -> bool:
        return all(layer.type == "dense" for layer in self.layers)


@record
class Graph:
    inputs: dict[str, Fraction]
    constants: dict[str, Fraction]
    params: dict[str, Fraction]
    nodes: tuple[tuple[str, Expr], ...]
    loss: Expr | None = None
    upstream: dict[str, Fraction] | None = None
    latex: dict[str, str] = field(default_factory=dict)


@record
class VariantTag:
    """The ``[variant]`` table ``solgen variants`` writes into each student's spec."""

    student: str
    id: str
    seed: int
    problem: str


@record
class Spec:
    file: str
    title: str
    description: str
    problem: Network | Graph
    learning_rate: Fraction | None = None
    iterations: int = 1
    frozen: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()
    style: Style = Style()
    grading: GradingPolicy = GradingPolicy()  # the optional [grading] table (solgen grade)
    variant: VariantTag | None = None  # recorded by ``solgen variants``; shown on sheet and key
    optimizer: OptimizerChoice | None = None  # None: plain gradient descent with learning_rate (if any)
    l1: Fraction = Fraction(0)  # penalties added once to L (section 8)
    l2: Fraction = Fraction(0)

    @property
    def stem(self) -> str:
        return Path(self.file).stem


def load_spec(path: Path) -> Spec:
    """Read and validate the spec file at ``path``."""
    name = path.name
    return parse_spec(read_text(path, name, "a spec file"), name)


def parse_spec(text: str, file: str = "spec.toml") -> Spec:
    """Validate spec ``text``; ``file`` is the name the error messages use."""
    return _SpecReader(file).spec(read_toml(text, file))


class _SpecReader(Reader):
    """The spec's own sections: top level, [style], [network] and its layers, [graph]."""

    def spec(self, raw: dict[str, Any]) -> Spec:
        top = ("title", "description", "network", "graph", "style", "ask", "optimizer", "grading", "variants",
               "variant")
        self.keys(raw, top, "")
        if "title" not in raw:
            raise self.fail("title", "missing: every spec needs a title")
        title = self.text(raw["title"], "title", newlines=False).strip()
        if not title:
            raise self.fail("title", "empty: give the problem a title")
        description = self.text(raw.get("description", ""), "description", newlines=True)
        if "network" not in raw and "graph" not in raw:
            raise self.fail("network", "missing: add a [network] table (a layered network) "
                            "or a [graph] table (named nodes)")
        if "network" in raw and "graph" in raw:
            raise self.fail("graph", "a spec holds exactly one of [network] and [graph], and this one has both")
        section = "network" if "network" in raw else "graph"
        body = self.table(raw[section], section)
        problem = self.network(body) if section == "network" else self.graph(body)
        lr = None
        if "learning_rate" in body:
            lr = self.number(body["learning_rate"], f"{section}.learning_rate")
            if lr <= 0:
                raise self.fail(f"{section}.learning_rate", f"must be positive, got {float(lr):g}")
        iterations = self.integer(body.get("iterations", 1), f"{section}.iterations", 1, MAX_ITERATIONS)
        frozen = self.names_list(body.get("frozen", []), f"{section}.frozen")
        ask = self.names_list(raw.get("ask", []), "ask")
        self.table(raw.get("variants", {}), "variants")  # read by ``solgen variants`` only
        optimizer = None
        if "optimizer" in raw:
            if isinstance(problem, Network) and (problem.symbolic or problem.inputs is None):
                raise self.fail("optimizer", "not used by a network without values")
            optimizer = read_optimizer(self, raw["optimizer"], lr, section)
            lr = optimizer.hyper["lr"]
        l1, l2 = read_penalties(self, body, section)
        return Spec(
            self.file, title, description, problem, lr, iterations, frozen, ask,
            self.style(raw.get("style", {})), read_grading(self, raw.get("grading", {})),
            self.variant_tag(raw.get("variant")), optimizer, l1, l2,
        )

    def variant_tag(self, value: Any) -> VariantTag | None:
        if value is None:
            return None
        table = self.table(value, "variant")
        keys = ("student", "id", "seed", "problem")
        self.keys(table, keys, "variant")
        for key in keys:
            if key not in table:
                raise self.fail(f"variant.{key}", "missing: solgen variants writes student, id, seed and problem")
        words = [self.text(table[k], f"variant.{k}", newlines=False) for k in ("student", "id", "problem")]
        return VariantTag(words[0], words[1], self.integer(table["seed"], "variant.seed", 0), words[2])

    def names_list(self, value: Any, place: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(place, f"expected a list of names, got {kind_of(value)}")
        return tuple(self.string(v, f"{place}[{i}]") for i, v in enumerate(value, 1))

    def style(self, value: Any) -> Style:
        table = self.table(value, "style")
        self.keys(table, ("form", "chain", "digits", "decimal", "rounding", "detail", "language"),
                  "style")
        d = Style()
        return Style(
            form=self.choice(table.get("form", d.form), "style.form", ("scalar", "matrix")),
            chain=self.choice(table.get("chain", d.chain), "style.chain", ("adjoint", "paths")),
            digits=self.integer(table.get("digits", d.digits), "style.digits", 1, 15),
            decimal=self.choice(table.get("decimal", d.decimal), "style.decimal", (".", ",")),
            rounding=self.choice(table.get("rounding", d.rounding), "style.rounding", ("display", "carry")),
            detail=self.choice(table.get("detail", d.detail), "style.detail", ("compact", "full")),
            language=self.choice(table.get("language", d.language), "style.language", LANGUAGES),
        )

    def network(self, body: dict[str, Any]) -> Network:
        allowed = ("inputs", "targets", "loss", "upstream", "learning_rate", "iterations",
                   "layout", "frozen", "layer", "symbolic", "input_shape", *BATCH_KEYS)
        self.keys(body, allowed, "network")
        symbolic = body.get("symbolic", False)
        if not isinstance(symbolic, bool):
            raise self.fail("network.symbolic", f"expected true or false, got {kind_of(symbolic)}")
        raw_layers = body.get("layer")
        first = raw_layers[0] if isinstance(raw_layers, list) and raw_layers else {}
        examples, shape, arch_only, batch = self.network_inputs(body, first)
        inputs = examples[0] if examples else None
        count = size(shape)
        self.batch_size = len(examples) if batch else None  # what dropout and batchnorm layers read
        layout = self.choice(body.get("layout", "out_in"), "network.layout", ("out_in", "in_out"))
        if isinstance(raw_layers, dict):
            raise self.fail("network.layer", "expected a list of layers: write [[network.layer]] "
                            "(double brackets), not [network.layer]")
        if raw_layers is not None and not isinstance(raw_layers, list):
            raise self.fail("network.layer", f"expected a list of [[network.layer]] tables, got {kind_of(raw_layers)}")
        if not raw_layers:
            raise self.fail("network.layer", "missing: add at least one [[network.layer]]")
        if len(raw_layers) > MAX_LAYERS:
            raise self.fail("network.layer", f"{len(raw_layers):,} layers is more than solgen takes "
                            f"(at most {MAX_LAYERS:,})")
        layers: list[Any] = []
        previous = shape
        for i, raw in enumerate(raw_layers, 1):
            layers.append(self.layer(raw, f"network.layer[{i}]", previous, layout, arch_only))
            previous = layers[-1].shape
        input_shape = shape if len(shape) > 1 or "input_shape" in body else ()
        if not all(layer.type == "dense" for layer in layers) and symbolic:
            raise self.fail("network.symbolic", "a symbolic network has dense layers only")
        if not arch_only and len(previous) != 1:
            raise self.fail(f"network.layer[{len(layers)}]", f"the last layer's output has shape "
                            f"{show_shape(previous)}; the loss takes a vector: end with flatten (and a dense layer)")
        outputs = previous[0]
        if symbolic:
            return self.symbolic_network(body, count, layers, layout, arch_only)
        if arch_only:
            for key in ("targets", "loss", "upstream", "learning_rate", *BATCH_KEYS):
                if key in body:
                    raise self.fail(f"network.{key}", "not used by an architecture-only network "
                                    "(inputs is a count, so there is nothing to compute)")
            return Network(None, count, tuple(layers), layout, input_shape=input_shape)
        net = Network(inputs, count, tuple(layers), layout, batch=batch, examples=examples,
                      reduction=self.choice(body.get("reduction", "mean"), "network.reduction", ("mean", "sum")),
                      input_shape=input_shape)
        if "upstream" in body:
            for key in ("loss", "targets", "labels"):
                if key in body:
                    raise self.fail(f"network.{key}", "give either upstream or loss and targets, not both")
            upstream = self.rows(body["upstream"], "network.upstream", net, outputs, "value")
            return dataclasses.replace(net, upstream=upstream[0], example_upstream=upstream)
        if "loss" not in body:
            raise self.fail("network.loss", "missing: give a loss (or upstream gradients)")
        return self.targets(body, net, self.choice(body["loss"], "network.loss", tuple(LOSSES)), outputs)

    def network_inputs(self, body: dict[str, Any], first: Any
                       ) -> tuple[tuple[tuple[Fraction, ...], ...], Shape, bool, bool]:
        """Each example's values (row-major; none: architecture only), one example's shape, whether
        only counts are asked, and whether inputs is a batch."""
        kind_name = first.get("type", "dense") if isinstance(first, dict) else "dense"
        kind = LAYER_KINDS.get(kind_name) if isinstance(kind_name, str) else None
        rank = kind.rank if kind is not None else 1
        if kind is not None and rank is None:
            raise self.fail("network.layer[1].type", f"{kind_name} cannot be the first layer: give the "
                            "inputs in the shape the next layer takes")
        assert rank is not None
        if "input_shape" in body:
            if "inputs" in body:
                raise self.fail("network.input_shape", "give either inputs or input_shape, not both")
            raw = body["input_shape"]
            if not isinstance(raw, list):
                raise self.fail("network.input_shape", f"expected a list of whole numbers, got {kind_of(raw)}")
            if len(raw) != rank:
                raise self.fail("network.input_shape", f"{plural(len(raw), 'number')}, but a first layer of "
                                f"type {kind_name} takes examples of {rank} dimension{'s' if rank > 1 else ''}")
            shape = tuple(self.integer(v, f"network.input_shape[{i}]", 1) for i, v in enumerate(raw, 1))
            return (), shape, True, False
        if "inputs" not in body:
            raise self.fail("network.inputs", "missing: give the input values (or their count)")
        raw_inputs = body["inputs"]
        if isinstance(raw_inputs, int) and not isinstance(raw_inputs, bool):
            if rank != 1:
                raise self.fail("network.inputs", f"a first layer of type {kind_name} takes examples of "
                                f"{rank} dimensions: give input_shape (or the input values)")
            return (), (self.integer(raw_inputs, "network.inputs", 1),), True, False
        if rank == 1:
            rows = self.examples(raw_inputs)
            batch = isinstance(raw_inputs, list) and bool(raw_inputs) and isinstance(raw_inputs[0], list)
            return rows, (len(rows[0]),), False, batch
        if depth(raw_inputs) != rank + 1:
            shape, values = nested(self, raw_inputs, "network.inputs", rank)
            return (values,), shape, False, False
        read = [nested(self, ex, f"network.inputs[{n}]", rank) for n, ex in enumerate(raw_inputs, 1)]
        for n, (shape, _) in enumerate(read, 1):
            if shape != read[0][0]:
                raise self.fail(f"network.inputs[{n}]", f"shape {show_shape(shape)}, but example 1 has shape "
                                f"{show_shape(read[0][0])} (every example has the shape the first layer takes)")
        return tuple(values for _, values in read), read[0][0], False, True

    def examples(self, raw: Any) -> tuple[tuple[Fraction, ...], ...]:
        """``inputs``: one example (a list of numbers) or a batch (a list of examples)."""
        if not (isinstance(raw, list) and raw and isinstance(raw[0], list)):
            return (self.numbers(raw, "network.inputs"),)
        rows = tuple(self.numbers(row, f"network.inputs[{n}]") for n, row in enumerate(raw, 1))
        for n, row in enumerate(rows, 1):
            if len(row) != len(rows[0]):
                raise self.fail(f"network.inputs[{n}]", f"{plural(len(row), 'input')}, but example 1 has "
                                f"{len(rows[0])} (every example has the shape the first layer takes)")
        return rows

    def rows(self, raw: Any, place: str, net: Network, outputs: int, what: str) -> tuple[tuple[Fraction, ...], ...]:
        """One row per example (a batch) or one flat row (a single example)."""
        if not net.batch:
            values = self.numbers(raw, place)
            self.length(values, outputs, place, what)
            return (values,)
        if not isinstance(raw, list) or not all(isinstance(row, list) for row in raw):
            raise self.fail(place, f"expected one row per example (inputs is a batch of {net.size}), got "
                            + (kind_of(raw) if not isinstance(raw, list) else "a list that is not all rows"))
        if len(raw) != net.size:
            raise self.fail(place, f"{plural(len(raw), 'row')}, but the batch has {plural(net.size, 'example')}")
        out = []
        for n, row in enumerate(raw, 1):
            values = self.numbers(row, f"{place}[{n}]")
            self.length(values, outputs, f"{place}[{n}]", what)
            out.append(values)
        return tuple(out)

    def targets(self, body: dict[str, Any], net: Network, loss: str, outputs: int) -> Network:
        """targets (one row per example) or labels (one class per example) for ``loss``, and its keys."""
        kind = LOSSES[loss]
        keys = {k: Fraction(1) for k in ("delta", "margin")}
        for key in keys:
            if key in body:
                if key not in kind.keys:
                    raise self.fail(f"network.{key}", f"not used by the {loss} loss")
                keys[key] = self.number(body[key], f"network.{key}")
                if keys[key] <= 0 if key == "delta" else keys[key] < 0:
                    raise self.fail(f"network.{key}", f"must be {'positive' if key == 'delta' else 'at least 0'}, "
                                    f"got {float(keys[key]):g}")
        if outputs < kind.min_outputs:
            raise self.fail("network.loss", f"the {loss} loss needs at least {kind.min_outputs} outputs, "
                            f"but the last layer has {plural(outputs, 'unit')}")
        net = dataclasses.replace(net, loss=loss, delta=keys["delta"], margin=keys["margin"])
        if "labels" in body:
            if "targets" in body:
                raise self.fail("network.labels", "give either targets or labels, not both")
            if not kind.classes:
                raise self.fail("network.labels", f"the {loss} loss takes targets, not labels (labels are for "
                                "cross_entropy, softmax_cross_entropy and multiclass_hinge)")
            labels = self.labels(body["labels"], net, outputs)
            rows = tuple(tuple(Fraction(int(j == y)) for j in range(1, outputs + 1)) for y in labels)
            return dataclasses.replace(net, targets=rows[0], example_targets=rows, labels=labels)
        if "targets" not in body:
            raise self.fail("network.targets", f"missing: the {loss} loss needs targets"
                            + (" (or labels)" if kind.classes else ""))
        rows = self.rows(body["targets"], "network.targets", net, outputs, "target")
        if loss == "multiclass_hinge":
            for n, row in enumerate(rows, 1):
                if sorted(row) != [0] * (outputs - 1) + [1]:
                    where = f"network.targets[{n}]" if net.batch else "network.targets"
                    raise self.fail(where, "the multiclass_hinge loss needs one-hot targets (one 1, the rest 0), "
                                    "or give labels")
        if loss == "binary_cross_entropy":
            for n, row in enumerate(rows, 1):
                for i, t in enumerate(row, 1):
                    if not 0 <= t <= 1:
                        where = f"network.targets[{n}][{i}]" if net.batch else f"network.targets[{i}]"
                        raise self.fail(where, f"binary_cross_entropy needs targets between 0 and 1 "
                                        f"(probabilities), got {float(t):g}")
        return dataclasses.replace(net, targets=rows[0], example_targets=rows)

    def labels(self, raw: Any, net: Network, outputs: int) -> tuple[int, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail("network.labels", f"expected a list of class numbers, got {kind_of(raw)}")
        labels = tuple(self.integer(v, f"network.labels[{n}]", 1, outputs) for n, v in enumerate(raw, 1))
        if len(labels) != net.size:
            raise self.fail("network.labels", f"{plural(len(labels), 'label')}, but there "
                            f"{'is' if net.size == 1 else 'are'} {plural(net.size, 'example')} (one class each)")
        return labels

    def symbolic_network(self, body: dict[str, Any], count: int, layers: list[Layer], layout: str,
                         counted: bool) -> Network:
        if not counted:
            raise self.fail("network.inputs", "a symbolic network takes inputs as a count (no values)")
        for key in ("targets", "upstream", "learning_rate", "iterations", "frozen", *BATCH_KEYS):
            if key in body:
                raise self.fail(f"network.{key}", "not used by a symbolic network (it has no values)")
        if "loss" not in body:
            raise self.fail("network.loss", "missing: a symbolic network needs a loss")
        loss = self.choice(body["loss"], "network.loss", tuple(LOSSES))
        per_unit = [dataclasses.replace(layer, bias=(Fraction(0),) * layer.units if layer.bias is not None else None)
                    for layer in layers]
        return Network(None, count, tuple(per_unit), layout, None, loss, None, symbolic=True)

    def length(self, values: tuple[Fraction, ...], outputs: int, place: str, what: str) -> None:
        if len(values) != outputs:
            raise self.fail(place, f"{plural(len(values), what)}, but the last layer has {plural(outputs, 'unit')}")

    def layer(self, raw: Any, place: str, previous: Shape, layout: str, arch_only: bool) -> Any:
        table = dict(self.table(raw, place))
        kind = LAYER_KINDS[self.choice(table.pop("type", "dense"), f"{place}.type", tuple(LAYER_KINDS))]
        return kind.read(self, table, place, previous, layout, arch_only)

    def graph(self, body: dict[str, Any]) -> Graph:
        allowed = ("inputs", "constants", "params", "nodes", "loss", "upstream", "learning_rate",
                   "iterations", "frozen", "latex", "l1", "l2")
        self.keys(body, allowed, "graph")
        groups = {k: self.named_numbers(body.get(k, {}), f"graph.{k}") for k in ("inputs", "constants", "params")}
        defined: dict[str, str] = {}
        for kind, values in groups.items():
            for name in values:
                if name in defined:
                    raise self.fail(key_path(f"graph.{kind}", name), f"{name!r} is already one of the {defined[name]}")
                defined[name] = kind
        raw_nodes = body.get("nodes")
        if raw_nodes is not None and not isinstance(raw_nodes, list):
            raise self.fail("graph.nodes", f'expected a list of "NAME = EXPR" strings, got {kind_of(raw_nodes)}')
        if not raw_nodes:
            raise self.fail("graph.nodes", 'missing: give a list of "NAME = EXPR" strings')
        if len(raw_nodes) > MAX_NODES:
            raise self.fail("graph.nodes", f"{len(raw_nodes):,} nodes is more than solgen takes "
                            f"(at most {MAX_NODES:,})")
        nodes: list[tuple[str, Expr]] = []
        for i, text in enumerate(raw_nodes, 1):
            place = f"graph.nodes[{i}]"
            try:
                name, expr = parse_definition(text)
            except ExprError as e:
                raise self.fail(place, str(e)) from None
            if name in defined:
                raise self.fail(place, f"{name!r} is defined twice (already one of the {defined[name]})")
            self.known(expr, defined, place, own=name, later=lambda i=i: {n for n, _ in _later(raw_nodes, i)})
            defined[name] = "nodes"
            nodes.append((name, expr))
        loss = upstream = None
        if "upstream" in body:
            if "loss" in body:
                raise self.fail("graph.loss", "give either loss or upstream, not both")
            upstream = self.named_numbers(body["upstream"], "graph.upstream")
            for name in upstream:
                if defined.get(name) != "nodes":
                    raise self.fail(key_path("graph.upstream", name), f"{name!r} is not a node" + (
                        f" (it is one of the {defined[name]})" if name in defined else ""))
        elif "loss" in body:
            try:
                loss = parse_expression(self.string(body["loss"], "graph.loss"))
            except ExprError as e:
                raise self.fail("graph.loss", str(e)) from None
            self.known(loss, defined, "graph.loss")
        else:
            raise self.fail("graph.loss", "missing: give a loss expression (or upstream gradients)")
        latex = {}
        for name, value in self.table(body.get("latex", {}), "graph.latex").items():
            place = key_path("graph.latex", name)
            if name not in defined and name != "L":
                raise self.fail(place, f"{name!r} is not a name in this graph" + did_you_mean(name, tuple(defined)))
            problem = check_display_name(self.string(value, place))
            if problem:
                raise self.fail(place, problem)
            latex[name] = value
        return Graph(groups["inputs"], groups["constants"], groups["params"], tuple(nodes), loss, upstream, latex)

    def known(self, expr: Expr, defined: dict[str, str], place: str, own: str = "",
              later: Callable[[], set[str]] | None = None) -> None:
        """Every name of ``expr`` is defined; ``later`` (the names defined further on) is asked
        for only when one is not, so checking n nodes stays linear."""
        from solgen.core.ir import variables

        for name in variables(expr):
            if name == own:
                raise self.fail(place, f"{name!r} uses itself")
            if name not in defined:
                if later and name in later():
                    raise self.fail(place, f"{name!r} is used before it is defined")
                raise self.fail(place, f"unknown name {name!r}" + did_you_mean(name, tuple(defined)))


def _later(raw_nodes: list[Any], i: int) -> list[tuple[str, None]]:
    out = []
    for text in raw_nodes[i:]:
        if isinstance(text, str) and "=" in text:
            out.append((text.partition("=")[0].strip(), None))
    return out
