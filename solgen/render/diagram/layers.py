"""The diagram of a network with layers beyond dense: one box per layer, top to bottom.

Each box gives what the spec gives (the layer's type and settings), never a computed
value, so the picture suits a question sheet as well as an answer key.
"""

from __future__ import annotations

from typing import Any

from solgen.layers import LAYER_KINDS
from solgen.render.latexsafe import tex_escape
from solgen.spec.sections import Network

from .model import Picture
from .network import activation_text
from .text import Text, _kind_words, _say, _words


def _setting(key: str, **words: Any) -> str:
    return _say(key, **words).plain


def _settings(layer: Any) -> str:
    """The given settings of a layer, in a few words (plain text: no LaTeX specials)."""
    parts = []
    channels, units = getattr(layer, "out_channels", None), getattr(layer, "units", None)
    if channels is not None:
        parts.append(_setting("channels", n=channels))
    if units is not None:
        parts.append(_setting("units", n=units))
    kernel, stride, padding = (getattr(layer, "kernel", None), getattr(layer, "stride", None),
                               getattr(layer, "padding", None))
    for label, value, default in (("kernel", kernel, None), ("stride", stride, 1), ("padding", padding, 0)):
        if value is not None and any(v != default for v in value):
            parts.append(_setting(label, value="×".join(str(v) for v in value)))
    p = getattr(layer, "p", None)
    if p is not None:
        parts.append(f"p = {float(p):g}")
    activation = getattr(layer, "activation", None)
    if activation and activation not in ("linear", "identity"):
        parts.append(activation_text(activation))
    return ", ".join(parts)


def layers_picture(net: Network) -> Picture:
    pic = Picture()
    shape = " × ".join(str(s) for s in net.shape)
    boxes: list[tuple[Text, ...]] = [(_say("input"), _words(shape, "normal"))]
    for c, layer in enumerate(net.layers, 1):
        lines = [_say("layer_kind", c=c, kind=_kind_words(layer.type, LAYER_KINDS[layer.type].words))]
        settings = _settings(layer)
        if settings:
            lines.append(Text(tex_escape(settings), settings, "tiny"))
        boxes.append(tuple(lines))
    w = max(max(t.width for t in lines) for lines in boxes) + 0.5
    shapes = [pic.add("box", 0.0, -1.5 * c, *lines, w=w, h=1.0, fill="input" if c == 0 else "unit")
              for c, lines in enumerate(boxes)]
    for a, b in zip(shapes, shapes[1:]):
        pic.connect(a, b)
    return pic
