"""The network diagram: one layout, drawn as TikZ (LaTeX) and as standalone SVG (Markdown).

``tikz(spec, graph)`` and ``svg(spec, graph)`` draw the same picture:

* a layered ``[network]``: the inputs with their values; one circle per unit,
  its activation at the top and split below into the pre-activation z (left)
  and the activation a (right); the weights on the edges, near the sending
  unit, as ``name = value`` (values only from 4 units a layer, none above
  ``LABEL_LIMIT``, with a note saying so); the biases (a bias node per layer
  for a shared bias, a label under each unit otherwise); then the loss L with
  the targets feeding it from the right, or the given upstream gradients
  pointing back at the outputs.  Columns of more than ``SHOW_LIMIT`` units are
  drawn as 1, 2, 3, ..., n-1, n.
* a ``[graph]``: nodes left to right by depth (longest path from the inputs);
  a parameter that multiplies one parent of one node is drawn as that edge's
  label, every other parameter and every constant as a small node with its
  value, below and left of the node it feeds.
* an architecture-only network: one box per layer with its unit count and
  activation, the arrows labelled with the weight-matrix shapes and biases.

Only given values are drawn, never computed ones, so the picture suits a
question sheet as well as an answer key.  Edge labels (and the per-unit bias
labels) are placed where they cover no node and no other label and as few
edges as possible; an edge that would run through a node is bent round it.
Output is deterministic (no random ids, no dates, no set or hash order).

The TikZ needs only ``\\usepackage{tikz}`` (core arrow tips, no libraries, no
amsmath); it comes wrapped in a ``\\resizebox`` (graphicx, which TikZ loads)
that shrinks it to the line width when wider, never enlarges it.  The SVG is
plain text and shapes with generic font families, to be written beside the
Markdown as ``svg_filename(spec)`` and shown with ``markdown_image(spec)``.
"""

from __future__ import annotations

from urllib.parse import quote

from solgen.core.graph import Graph, build_graph
from solgen.core.numbers import NumberFormat
from solgen.spec.sections import Network, Spec

from .geometry import Box as Box
from .geometry import Point as Point
from .geometry import Segment as Segment
from .graphs import NodeValues, _GraphDrawer
from .layers import layers_picture
from .maps import _MapsDrawer, drawable
from .model import Edge as Edge
from .model import Picture
from .model import Shape as Shape
from .names import plain_name, tex_to_unicode
from .network import LABEL_LIMIT, MIN_DX, NAME_LIMIT, SHOW_LIMIT, _architecture, _NetworkDrawer
from .placement import label_faults, place_labels, route_edges
from .svg_output import _to_svg
from .text import Text as Text
from .tikz_output import _to_tikz

#: the widest picture drawn (cm): shrunk to A4's 17 cm line, its 8 pt labels keep 7 pt or more
MAX_WIDTH = 19.4


def tikz(spec: Spec, graph: Graph | None = None, fit: bool = True) -> str:
    """The diagram as a LaTeX ``tikzpicture`` (needs ``\\usepackage{tikz}`` only).

    ``graph`` is ``build_graph(spec)`` (built here when None); an architecture-only
    network has none.  With ``fit`` the picture is wrapped in a ``\\resizebox`` that
    shrinks it to the line width when it is wider (never enlarges it).
    """
    return _to_tikz(layout(spec, graph), fit)


def svg(spec: Spec, graph: Graph | None = None) -> str:
    """The diagram as a standalone SVG document (plain text labels, generic fonts, deterministic)."""
    return _to_svg(layout(spec, graph), spec.title)


def both(spec: Spec, graph: Graph | None = None, values: NodeValues | None = None) -> tuple[str, str]:
    """``(tikz(spec, graph), svg(spec, graph))`` from one layout (laying out is the costly part);
    ``values`` (a [graph]'s forward values and gradients) makes it the answer key's picture."""
    pic = layout(spec, graph, values)
    return _to_tikz(pic, True), _to_svg(pic, spec.title)


class SheetPicture:
    """A question sheet's diagram when it differs from the key's: ``both(spec, graph)`` without
    ``values``, so only given values show (never a computed one).  It is laid out the first time
    its ``tikz`` or ``svg`` is asked for (in the spec's language), then kept: a render of the key
    alone never pays for a second layout.  Neither is ever empty, so no reader can fall back to
    the key's picture (which shows the answers)."""

    def __init__(self, spec: Spec, graph: Graph | None) -> None:
        self.spec, self.graph = spec, graph
        self._drawn: tuple[str, str] | None = None

    def _pictures(self) -> tuple[str, str]:
        if self._drawn is None:
            from solgen.messages import speaking

            with speaking(self.spec.style.language):
                tikz, svg = both(self.spec, self.graph)
            assert tikz and svg
            self._drawn = tikz, svg
        return self._drawn

    @property
    def tikz(self) -> str:
        return self._pictures()[0]

    @property
    def svg(self) -> str:
        return self._pictures()[1]


def svg_filename(spec: Spec) -> str:
    """Where the SVG goes: beside the Markdown, as ``<stem>.svg``."""
    return f"{spec.stem}.svg"


def markdown_image(spec: Spec) -> str:
    """The Markdown line that shows the SVG (GitHub and Pandoc alike)."""
    name = quote(svg_filename(spec), errors="surrogateescape")  # a file name that is not UTF-8, too
    from solgen.messages import text

    return f"![{text('variants.diagram', spec.style.language)}]({name})"


def one_network(spec: Spec) -> Spec:
    """A batch's network as a single example without values (what its diagram draws)."""
    import dataclasses

    net = spec.problem
    assert isinstance(net, Network)
    blank = (None,) * net.input_count
    outputs = net.layers[-1].units
    single = dataclasses.replace(net, batch=False, examples=(blank,), labels=(),  # type: ignore[arg-type]
                                 example_targets=((None,) * outputs,) if net.loss else (),
                                 example_upstream=(),
                                 upstream=(None,) * outputs if net.upstream is not None else None)
    return dataclasses.replace(spec, problem=single)


def layout(spec: Spec, graph: Graph | None = None, values: NodeValues | None = None) -> Picture:
    """The picture both outputs draw: coordinates in cm, y upwards."""
    problem = spec.problem
    fmt = NumberFormat(spec.style.digits, spec.style.decimal)
    if isinstance(problem, Network) and not problem.dense_only:
        if drawable(problem):
            pic = _MapsDrawer(problem, graph or build_graph(spec, max_parameters=10**9), fmt, values).picture()
        else:
            pic = layers_picture(problem)
    elif isinstance(problem, Network) and problem.inputs is None and not problem.symbolic:
        pic = _architecture(problem)
    else:
        if isinstance(problem, Network) and problem.batch:  # the diagram shows one network, no example's values
            spec = one_network(spec)
            graph = None
        if graph is None:
            graph = build_graph(spec, max_parameters=10**9)
        if isinstance(problem, Network):
            return _network_layout(problem, graph, fmt)
        return _graph_layout(graph, fmt, values)
    route_edges(pic)
    place_labels(pic)
    return pic


def _graph_layout(graph: Graph, fmt: NumberFormat, values: NodeValues | None) -> Picture:
    """A [graph] with ``name = value`` on its weighted edges, else (where one of those would cross
    an edge or touch a node) with the names only."""
    for short in (False, True):
        pic = _GraphDrawer(graph, fmt, values, short).picture()
        route_edges(pic)
        place_labels(pic)
        if not label_faults(pic):
            break
    return pic


def _network_layout(net: Network, graph: Graph, fmt: NumberFormat) -> Picture:
    """The layered picture with weight labels named, else values only, else none: the first that
    fits MAX_WIDTH and whose labels all lie clear of other edges and of the nodes (``label_faults``).
    A picture wider than MAX_WIDTH even so is shrunk to the page: its labels would be too small to
    read, so it gets none (and no time is spent placing them)."""
    for labels in ("named", "values", "none") if len(net.layers) * MIN_DX <= MAX_WIDTH else ():
        for squeeze in (0.0, 0.6, 1.2) if len(net.layers) <= 8 else (0.0,):  # narrower until it fits
            pic = _NetworkDrawer(net, graph, fmt, labels, squeeze).picture()
            x0, _, x1, _ = pic.bounds()
            if x1 - x0 <= MAX_WIDTH:
                break
        else:
            continue
        route_edges(pic)
        place_labels(pic)
        if labels == "none" or not label_faults(pic):
            return pic
    pic = _NetworkDrawer(net, graph, fmt, "wide").picture()
    route_edges(pic)
    return pic


__all__ = ["NodeValues", "SheetPicture", "both", "LABEL_LIMIT", "MAX_WIDTH", "NAME_LIMIT", "SHOW_LIMIT", "Picture",
           "layout", "place_labels", "plain_name",
           "svg", "tex_to_unicode", "tikz"]
