"""The JSON Schema of one ``[[network.layer]]`` table, by its ``type`` (section 10)."""

from __future__ import annotations

from typing import Any

NUM = {"type": "number"}
COUNT = {"type": "integer", "minimum": 1}
SIZE = {"anyOf": [COUNT, {"type": "array", "items": COUNT, "minItems": 1, "maxItems": 2}]}
TENSOR = {"$ref": "#/$defs/tensor"}
ACT = {"$ref": "#/$defs/activation"}


def _d(text: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": text, **schema}


KEYS: dict[str, dict[str, Any]] = {
    "dense": {
        "units": _d("Number of units.", COUNT),
        "activation": ACT,
        "weights": _d("One row per unit (out_in layout), each with one weight per input.",
                      {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 1, "items": NUM}}),
        "bias": _d("A number: one bias shared by the layer's units; a list: one per unit.",
                   {"anyOf": [NUM, {"type": "array", "minItems": 1, "items": NUM}]}),
        "negative_slope": _d("leaky_relu's slope below 0 (default 0.01).", NUM),
        "alpha": _d("elu's alpha (default 1).", NUM),
    },
    "conv": {
        "weights": _d("(out_channels, in_channels, k) or (out_channels, in_channels, kh, kw), as PyTorch.", TENSOR),
        "bias": _d("One per output channel (optional).", {"type": "array", "items": NUM}),
        "stride": _d("Default 1.", SIZE),
        "padding": _d("Zero padding (default 0).", {"anyOf": [{"type": "integer", "minimum": 0},
                                                            {"type": "array", "items": {"type": "integer",
                                                                                         "minimum": 0}}]}),
        "activation": ACT,
        "out_channels": _d("Architecture only: output channels.", COUNT),
        "in_channels": _d("Architecture only: input channels.", COUNT),
        "kernel_size": _d("Architecture only: the kernel size.", SIZE),
    },
    "pool": {"kernel_size": _d("The window.", SIZE), "stride": _d("Default kernel_size.", SIZE)},
    "flatten": {},
    "dropout": {
        "p": _d("Drop probability, 0 <= p < 1.", {"type": "number", "minimum": 0, "exclusiveMaximum": 1}),
        "mask": _d("0/1 for each entry of the layer's input (one per example in a batch).", TENSOR),
    },
    "batchnorm": {"gamma": _d("Scale (default ones).", {"type": "array", "items": NUM}),
                  "beta": _d("Shift (default zeros).", {"type": "array", "items": NUM}),
                  "eps": _d("Default 1e-5.", {"type": "number", "exclusiveMinimum": 0})},
    "rnn": {
        "units": _d("Hidden units.", COUNT),
        "weights_ih": _d("(units, features).", TENSOR),
        "weights_hh": _d("(units, units).", TENSOR),
        "bias": _d("One per unit (optional).", {"type": "array", "items": NUM}),
        "h0": _d("The initial hidden state (default zeros; constants).", {"type": "array", "items": NUM}),
        "activation": _d("tanh (default) or relu.", {"enum": ["tanh", "relu"]}),
    },
}
GROUP = {"conv1d": "conv", "conv2d": "conv", "maxpool1d": "pool", "maxpool2d": "pool", "avgpool1d": "pool",
         "avgpool2d": "pool"}


def layer_schema(types: list[str]) -> dict[str, Any]:
    """Every key any type takes (for completion), then each type's own keys (for checking)."""
    props: dict[str, Any] = {"type": _d('The layer type (default "dense").', {"enum": types})}
    for keys in KEYS.values():
        for key, value in keys.items():
            if key not in props:
                props[key] = value
            elif props[key] != value:  # the key means different things in different types
                options = props[key].get("anyOf", [props[key]]) if "_merged" in props[key] else [props[key]]
                props[key] = {"description": "Depends on the layer type (docs/layers.md).", "_merged": True,
                              "anyOf": [*options, value]}
    for value in props.values():
        value.pop("_merged", None)
    rules = []
    for name in types:
        own = KEYS.get(GROUP.get(name, name), {})
        cond: dict[str, Any] = {"properties": {"type": {"const": name}}, "required": ["type"]}
        if name == "dense":
            cond = {"anyOf": [cond, {"not": {"required": ["type"]}}]}
        rules.append({"if": cond, "then": {"properties": own, "propertyNames": {"enum": ["type", *own]}}})
    rules.append({"if": {"not": {"required": ["type"]}}, "then": {"required": ["units"]}})
    return _d("One [[network.layer]]: its type and that type's keys.",
              {"type": "object", "properties": props, "additionalProperties": False, "allOf": rules})
