"""What the TikZ and the SVG share: fill and line colours, and how coordinates are written."""

from __future__ import annotations

# fill colours: (TikZ xcolor, SVG)
_FILL = {
    "input": ("black!7", "#ededed"),
    "unit": ("blue!7", "#ededfd"),
    "param": ("orange!12", "#fdf0e0"),
    "target": ("green!10", "#e6f5e6"),
    "loss": ("red!9", "#fbe8e8"),
    "none": ("white", "#ffffff"),
    "ground": ("white", "#ffffff"),  # text on a white ground, over any edge
}
_EDGE_COLOUR = ("black!70", "#4d4d4d")
_GREY = ("black!60", "#666666")  # frozen: grey that still prints, and dashed
_TEXT_COLOUR = {"gradient": ("red!70!black", "#b30000")}  # gradients on [graph] nodes (CS231n's red)


def _f(v: float) -> str:
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
