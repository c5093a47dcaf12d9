"""``solgen schema``: a JSON Schema (draft 2020-12) of the spec, for editors and CI.

Taplo / Even Better TOML complete and check a spec as it is typed when its first line is
``#:schema ./solgen.schema.json`` (the file ``solgen schema > solgen.schema.json`` writes).
The schema checks structure (keys, types, enums, ranges); what only the reader can check
(shapes, names in expressions, domains) stays with ``solgen check``.

The enums are the registries' names (so they cannot drift) together with the names the
contract lists, some of which other modules implement (kept here so a test can compare
them with the contract's tables).
"""

from __future__ import annotations

from typing import Any

CONTRACT_ACTIVATIONS = ("linear", "identity", "relu", "sigmoid", "tanh", "softmax",
                        "leaky_relu", "elu", "softplus", "gelu", "silu")
CONTRACT_LOSSES = ("squared_error", "half_squared_error", "mse", "binary_cross_entropy", "cross_entropy",
                   "mae", "huber", "softmax_cross_entropy", "multiclass_hinge")
CONTRACT_OPTIMIZERS = ("sgd", "rmsprop", "adagrad", "adam", "adamw")
CONTRACT_LAYER_TYPES = ("dense", "conv1d", "conv2d", "maxpool1d", "maxpool2d", "avgpool1d", "avgpool2d",
                        "flatten", "dropout", "batchnorm", "rnn")
OPTIMIZER_KEYS = {  # the torch.optim arguments each optimizer takes besides name and learning_rate
    "sgd": ("momentum", "dampening", "nesterov", "weight_decay"),
    "rmsprop": ("alpha", "eps", "momentum", "weight_decay"),
    "adagrad": ("eps", "weight_decay", "lr_decay", "initial_accumulator_value"),
    "adam": ("betas", "eps", "weight_decay"),
    "adamw": ("betas", "eps", "weight_decay"),
}
MAX_ITERATIONS = 20  # solgen.spec.sections.MAX_ITERATIONS (a test keeps them equal)


def _names(registry: Any, contract: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys([*registry, *contract]))


def enums() -> dict[str, list[str]]:
    from solgen.layers import LAYER_KINDS
    from solgen.train.activations import ACTIVATIONS
    from solgen.train.losses import LOSSES
    from solgen.train.optimizers import OPTIMIZERS

    return {"activation": _names(ACTIVATIONS, CONTRACT_ACTIVATIONS), "loss": _names(LOSSES, CONTRACT_LOSSES),
            "optimizer": _names(OPTIMIZERS, CONTRACT_OPTIMIZERS), "layer": _names(LAYER_KINDS, CONTRACT_LAYER_TYPES)}


def _d(text: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": text, **schema}


NUM = {"type": "number"}
POSITIVE = {"type": "number", "exclusiveMinimum": 0}
COUNT = {"type": "integer", "minimum": 1}
NAMES = {"type": "array", "items": {"type": "string"}}
NAMED = {"type": "object", "additionalProperties": NUM, "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}}


def _obj(props: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False, **extra}
    if required:
        out["required"] = list(required)
    return out


def schema() -> dict[str, Any]:
    """The whole schema as a dict (``solgen schema`` prints it as JSON)."""
    e = enums()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "solgen-spec.schema.json",
        "title": "solgen spec",
        "description": "A neural-network problem for solgen: exactly one of [network] and [graph]. "
                       "See docs/reference.md.",
        **_obj({
            "title": _d("The problem's title (plain text, escaped in every output).",
                        {"type": "string", "pattern": "\\S"}),
            "description": _d("Optional plain text shown under the title.", {"type": "string"}),
            "network": {"$ref": "#/$defs/network"},
            "graph": {"$ref": "#/$defs/graph"},
            "style": {"$ref": "#/$defs/style"},
            "optimizer": {"$ref": "#/$defs/optimizer"},
            "variants": {"$ref": "#/$defs/variants"},
            "variant": _d("Written by `solgen variants` into each variant's spec: who it is for.", {"type": "object"}),
            "grading": _d("Options of `solgen grade` (see docs/grading.md).", {"type": "object"}),
            "ask": _d("Canonical names of the quantities boxed as the answers (default: L and what the gradients "
                     "and updates of the parameters give).", NAMES),
        }, ("title",), oneOf=[{"required": ["network"]}, {"required": ["graph"]}]),
        "$defs": _defs(e),
    }


def _defs(e: dict[str, list[str]]) -> dict[str, Any]:
    from .schema_layers import layer_schema

    return {
        "tensor": {"anyOf": [NUM, {"type": "array", "items": {"$ref": "#/$defs/tensor"}}]},
        "activation": _d("An activation (docs/reference.md#activations).", {"enum": e["activation"]}),
        "loss": _d("A loss (docs/reference.md#losses).", {"enum": e["loss"]}),
        "network": _network(),
        "layer": layer_schema(e["layer"]),
        "graph": _graph(),
        "style": _style(),
        "optimizer": _optimizer(e["optimizer"]),
        "variants": _variants(),
        "variant_rule": _variants_file()["$defs"]["rule"],
    }


def _variants_file() -> dict[str, Any]:
    import json
    from pathlib import Path

    return json.loads((Path(__file__).parent / "classroom" / "variants.schema.json").read_text(encoding="utf-8"))


def _variants() -> dict[str, Any]:
    """The [variants] table: solgen/classroom/variants.schema.json, its rule moved to $defs."""
    table = {k: v for k, v in _variants_file().items() if k not in ("$schema", "title", "$defs")}
    table["properties"]["vary"]["additionalProperties"] = {"$ref": "#/$defs/variant_rule"}
    return table


def _common(section: str) -> dict[str, Any]:
    return {
        "learning_rate": _d("With it, each iteration ends with gradient-descent updates (> 0).", POSITIVE),
        "iterations": _d("Forward + backward (+ update) passes shown (default 1).",
                         {"type": "integer", "minimum": 1, "maximum": MAX_ITERATIONS}),
        "frozen": _d(f"Parameters shown but never updated ({section}: names like "
                     + ('"W1", "b2", "W1[1,2]").' if section == "network" else '"u11").'), NAMES),
        "l1": _d("Adds l1 * sum |w| to L (section 8).", {"type": "number", "minimum": 0}),
        "l2": _d("Adds (l2 / 2) * sum w^2 to L (section 8).", {"type": "number", "minimum": 0}),
    }


def _network() -> dict[str, Any]:
    return _d("A layered network: [network] with its [[network.layer]] list.", _obj({
        "inputs": _d("One example (a list of numbers, or the shape the first layer takes), a batch "
                     "(a list of examples), or a count (architecture only).",
                     {"anyOf": [COUNT, {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/tensor"}}]}),
        "input_shape": _d("Architecture only: the shape of one example, e.g. [3, 32, 32].",
                          {"type": "array", "items": COUNT, "minItems": 1}),
        "targets": _d("One target per output (a batch: one row per example).",
                      {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/tensor"}}),
        "labels": _d("Instead of targets for a classification loss: one class (1-based) per example.",
                     {"type": "array", "minItems": 1, "items": COUNT}),
        "loss": {"$ref": "#/$defs/loss"},
        "upstream": _d("Instead of loss and targets: the gradient arriving at each output.",
                       {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/tensor"}}),
        "reduction": _d("How a batch's losses combine (default mean).", {"enum": ["mean", "sum"]}),
        "delta": _d("huber's delta (default 1).", POSITIVE),
        "margin": _d("multiclass_hinge's margin (default 1).", NUM),
        "layout": _d("out_in (default): weights[j][i] from unit i to unit j, as nn.Linear; in_out: weights[i][j].",
                     {"enum": ["out_in", "in_out"]}),
        "symbolic": _d("No values: the general formulas only (inputs is a count).", {"type": "boolean"}),
        "layer": _d("The layers, in order: [[network.layer]] tables.",
                    {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/layer"}}),
        **_common("network"),
    }, ("layer",), allOf=_network_rules()))


def _network_rules() -> list[dict[str, Any]]:
    values = {"properties": {"inputs": {"type": "array"}}, "required": ["inputs"]}
    counted = {"properties": {"inputs": {"type": "integer"}, "symbolic": {"const": False}}, "required": ["inputs"]}
    symbolic = {"properties": {"symbolic": {"const": True}}, "required": ["symbolic"]}
    return [
        {"anyOf": [{"required": ["inputs"]}, {"required": ["input_shape"]}]},  # values, a count or a shape
        {"not": {"required": ["inputs", "input_shape"]}},
        {"if": {"required": ["input_shape"]},  # architecture only: nothing to compute
         "then": {"not": {"anyOf": [{"required": [k]} for k in ("targets", "labels", "loss", "upstream",
                                                                  "learning_rate")]}}},
        {"not": {"required": ["upstream", "loss"]}},
        {"not": {"required": ["upstream", "targets"]}},
        {"if": values, "then": {"anyOf": [{"required": ["loss"]}, {"required": ["upstream"]}]}},
        {"if": {**values, "required": ["inputs", "loss"]},
         "then": {"anyOf": [{"required": ["targets"]}, {"required": ["labels"]}]}},
        {"if": {"allOf": [counted, {"not": symbolic}]},  # architecture only: nothing to compute
         "then": {"not": {"anyOf": [{"required": [k]} for k in ("targets", "labels", "loss", "upstream",
                                                                  "learning_rate")]}}},
    ]


def _graph() -> dict[str, Any]:
    return _d("A named computation graph.", _obj({
        "inputs": _d("Input name -> value.", NAMED),
        "constants": _d("Constant name -> value (never differentiated or updated).", NAMED),
        "params": _d("Parameter name -> value.", NAMED),
        "nodes": _d('Evaluated in order, each "NAME = EXPR".',
                    {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "="}}),
        "loss": _d('The loss expression, e.g. "(D - t)^2".', {"type": "string", "minLength": 1}),
        "upstream": _d("Instead of loss: node name -> the gradient arriving at it.", NAMED),
        "latex": _d("Display names: name -> a safe math-mode fragment.",
                    {"type": "object", "additionalProperties": {"type": "string"}}),
        **_common("graph"),
    }, ("nodes",), oneOf=[{"required": ["loss"]}, {"required": ["upstream"]}]))


def _style() -> dict[str, Any]:
    return _d("Presentation (all optional).", _obj({
        "form": _d("scalar: one equation per unit and weight; matrix: vectors and matrices per layer.",
                   {"enum": ["scalar", "matrix"]}),
        "chain": _d("adjoint: reuse the upstream result; paths: every product written out.",
                    {"enum": ["adjoint", "paths"]}),
        "digits": _d("Significant digits shown (computation keeps full precision).",
                     {"type": "integer", "minimum": 1, "maximum": 15}),
        "decimal": _d('"," writes 0,3825.', {"enum": [".", ","]}),
        "rounding": _d("display: round only what is shown; carry: carry the rounded values, as by hand.",
                       {"enum": ["display", "carry"]}),
        "detail": _d("compact (default) or full: one quantity per display.", {"enum": ["compact", "full"]}),
    }))


def _optimizer(names: list[str]) -> dict[str, Any]:
    keys = {
        "name": _d("The optimizer (torch.optim's meaning and defaults).", {"enum": names}),
        "learning_rate": _d("Or the problem's learning_rate; giving both is an error.", POSITIVE),
        "betas": _d("adam, adamw.", {"type": "array", "items": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                                     "minItems": 2, "maxItems": 2}),
        "eps": _d("rmsprop, adagrad, adam, adamw.", {"type": "number", "minimum": 0}),
        "weight_decay": _d("Every optimizer.", {"type": "number", "minimum": 0}),
        "momentum": _d("sgd, rmsprop (default 0).", {"type": "number", "minimum": 0}),
        "dampening": _d("sgd.", {"type": "number", "minimum": 0, "maximum": 1}),
        "nesterov": _d("sgd.", {"type": "boolean"}),
        "alpha": _d("rmsprop.", {"type": "number", "minimum": 0, "maximum": 1}),
        "lr_decay": _d("adagrad.", {"type": "number", "minimum": 0}),
        "initial_accumulator_value": _d("adagrad.", {"type": "number", "minimum": 0}),
    }
    per_name = [{"if": {"properties": {"name": {"const": n}}, "required": ["name"]},
                 "then": {"propertyNames": {"enum": ["name", "learning_rate", *OPTIMIZER_KEYS[n]]}}}
                for n in names if n in OPTIMIZER_KEYS]
    sgd = {"if": {"not": {"required": ["name"]}},
           "then": {"propertyNames": {"enum": ["name", "learning_rate", *OPTIMIZER_KEYS["sgd"]]}}}
    return _d("[optimizer]: sgd (default), rmsprop, adagrad, adam, adamw.", _obj(keys, allOf=[*per_name, sgd]))
