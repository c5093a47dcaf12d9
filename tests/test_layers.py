"""Section-10 layers: spec errors that name the place, architecture facts against PyTorch,
the bundled layer problems' key sentences, and max-pooling ties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from solgen.errors import SpecError
from solgen.pipeline import Options, solve_text
from solgen.spec.sections import parse_spec

SPECS = Path(__file__).resolve().parent.parent / "specs"

CONV = """\
title = "conv"
[network]
inputs = [[[1, 2, 0], [0, 1, 3], [2, 1, 1]]]
targets = [1]
loss = "half_squared_error"
[[network.layer]]
type = "conv2d"
weights = [[[[0.5, -0.25], [0.125, 1.0]]]]
[[network.layer]]
type = "flatten"
[[network.layer]]
units = 1
weights = [[0.5, 0.5, 0.5, 0.5]]
"""


def _error(text: str) -> str:
    with pytest.raises(SpecError) as e:
        parse_spec(text, "hw.toml")
    return str(e.value)


def test_conv_weight_shape_message_names_the_place() -> None:
    """The message of the issue: shape got, in_channels and kernel_size, and the shape they give."""
    bad = CONV.replace('type = "conv2d"\n', 'type = "conv2d"\nkernel_size = 2\n').replace(
        "weights = [[[[0.5, -0.25], [0.125, 1.0]]]]",
        "weights = [[[[1, 1, 1], [1, 1, 1], [1, 1, 1]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]]]]")
    assert _error(bad) == ("hw.toml: network.layer[1].weights: shape (1, 2, 3, 3), but in_channels is 1 "
                           "and kernel_size 2 gives (1, 1, 2, 2)")


@pytest.mark.parametrize(("change", "place", "words"), [
    (("[[network.layer]]\ntype = \"flatten\"\n", ""), "network.layer[2]", "a dense layer takes a vector"),
    (("inputs = [[[1, 2, 0], [0, 1, 3], [2, 1, 1]]]", "inputs = [[[1, 2, 0], [0, 1], [2, 1, 1]]]"),
     "network.inputs[1][2]", "shape (2)"),
    (('type = "conv2d"\n', 'type = "conv2d"\nstride = 0\n'), "network.layer[1].stride", "at least 1"),
    (('type = "flatten"\n', 'type = "dropout"\nmask = [[[1, 2], [0, 1]]]\n'), "network.layer[2].mask", "0 or 1"),
    (('type = "flatten"\n', 'type = "batchnorm"\n'), "network.layer[2]", "a batch of 2 or more"),
    (('type = "flatten"\n', 'type = "maxpool2d"\nkernel_size = 3\n'), "network.layer[2].kernel_size",
     "does not fit"),
])
def test_layer_errors(change: tuple[str, str], place: str, words: str) -> None:
    message = _error(CONV.replace(*change))
    assert message.startswith(f"hw.toml: {place}: "), message
    assert words in message


def test_lenet5_facts_match_pytorch() -> None:
    """Each layer's output shape and parameter count equal those of the same torch.nn model."""
    answers = solve_text((SPECS / "layers_lenet5_architecture.toml").read_text(), "lenet.toml").answers
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5), torch.nn.Tanh(), torch.nn.AvgPool2d(2), torch.nn.Conv2d(6, 16, 5),
        torch.nn.Tanh(), torch.nn.AvgPool2d(2), torch.nn.Flatten(), torch.nn.Linear(400, 120), torch.nn.Tanh(),
        torch.nn.Linear(120, 84), torch.nn.Tanh(), torch.nn.Linear(84, 10))
    x = torch.zeros(1, 1, 32, 32)
    shapes, params = [], []
    for module in model:
        x = module(x)
        if not isinstance(module, torch.nn.Tanh):
            shapes.append(list(x.shape[1:]))
            params.append(sum(p.numel() for p in module.parameters()))
    facts = answers["facts"]
    assert [row["output_shape"] for row in facts["layers"]] == shapes
    assert [row["parameters"] for row in facts["layers"]] == params
    assert facts["parameters"] == sum(p.numel() for p in model.parameters())
    # MACs: one per weight use: conv O*C*k*k per output position, dense n_in*n_out
    assert facts["macs"] == 6 * 28 * 28 * 25 + 16 * 10 * 10 * 6 * 25 + 400 * 120 + 120 * 84 + 84 * 10
    assert answers["steps"] == []


def test_conv1d_stride_padding_shape_matches_pytorch() -> None:
    spec = (SPECS / "layers_conv1d_stride_padding.toml").read_text()
    answers = solve_text(spec, "c.toml").answers
    z = [v for k, v in answers["steps"][0]["forward"].items() if k.startswith("z1[")]
    x = torch.tensor([[[1.0, -2.0, 0.5, 3.0, -1.0]]], dtype=torch.float64)
    w = torch.tensor([[[0.2, -0.5, 1.0]]], dtype=torch.float64)
    want = torch.nn.functional.conv1d(x, w, torch.tensor([0.1], dtype=torch.float64), stride=2, padding=1)
    assert z == pytest.approx(want.flatten().tolist(), rel=1e-12)


def test_max_pool_tie_goes_to_the_first_maximum() -> None:
    """A tie (two equal maxima): the whole gradient goes to the first in row-major order, as
    torch.nn.functional.max_pool2d; the self-check accepts it."""
    spec = """\
title = "tie"
[network]
inputs = [[[1, 3], [3, 0]]]
upstream = [2]
[[network.layer]]
type = "maxpool2d"
kernel_size = 2
[[network.layer]]
type = "flatten"
"""
    grads = solve_text(spec, "t.toml").answers["steps"][0]["gradients"]
    x = torch.tensor([[[[1.0, 3.0], [3.0, 0.0]]]], requires_grad=True)
    (torch.nn.functional.max_pool2d(x, 2).flatten() * 2).sum().backward()
    assert [grads[f"x[1,{r},{q}]"] for r in (1, 2) for q in (1, 2)] == x.grad.flatten().tolist() == [0, 2, 0, 0]


@pytest.mark.parametrize(("stem", "sentence"), [
    ("layers_conv2d_maxpool", "is applied at 4 positions, so its gradient sums 4 terms"),
    ("layers_conv2d_maxpool", "The window's first maximum is"),
    ("layers_dropout", "Dropped (mask 0):"),
    ("layers_rnn", "is used at each of the 3 time steps, so its gradient sums 3 terms"),
    ("layers_batchnorm", "batch normalization, training mode, over the 3 examples"),
])
def test_bundled_keys_say_it(stem: str, sentence: str) -> None:
    solved = solve_text((SPECS / f"{stem}.toml").read_text(), f"{stem}.toml", Options(formats=("md",)))
    from solgen.pipeline import documents

    md = documents(solved, Options(formats=("md",)))[f"{stem}.md"].decode()
    assert sentence in md


def test_batchnorm_json_names() -> None:
    answers = solve_text((SPECS / "layers_batchnorm.toml").read_text(), "bn.toml").answers
    step = answers["steps"][0]
    for name in ("mu2[1]", "var2[2]", "xhat2[3,1]", "a2[2,2]", "L[1]"):
        assert name in step["forward"], name
    for name in ("gamma2[1]", "beta2[2]", "xhat2[1,2]", "mu2[1]"):
        assert name in step["gradients"], name
    assert json.dumps(answers)  # plain JSON
