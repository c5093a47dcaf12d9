"""The picture as a LaTeX ``tikzpicture`` (core TikZ only), optionally shrunk to the line width.

The edges are drawn with PGF's basic layer, the one TikZ itself is built on: each run of edges
of one style is one stroked path, and their arrowheads one filled path (the dart of the SVG's
marker, 0.12 cm long).  TikZ's own ``\\draw[->] (a) -- (b)`` parses its coordinates and sets up
an arrow tip for every edge: about 1.6 ms of pdflatex each, most of the time of a large key's
PDF; the basic layer takes a few microseconds an edge.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from itertools import groupby

from .geometry import Point, _Path, _paths
from .model import Edge, Picture, Shape
from .style import _EDGE_COLOUR, _FILL, _GREY, _TEXT_COLOUR, _f
from .text import Text

_TEX_FONT = {"normal": "", "small": r"\footnotesize", "tiny": r"\scriptsize"}


def _point(p: Point) -> str:
    return f"{_f(p[0])},{_f(p[1])}"


def _tex_lines(lines: Sequence[Text]) -> str:
    parts = []
    for t in lines:
        size = _TEX_FONT[t.size]
        tex = f"\\textcolor{{{_TEXT_COLOUR[t.colour][0]}}}{{{t.tex}}}" if t.colour else t.tex
        parts.append(f"{size} {tex}" if size else tex)
    return "{" + r" \\ ".join(parts) + "}"


def _to_tikz(pic: Picture, fit: bool) -> str:
    out = [r"\begin{tikzpicture}[x=1cm,y=1cm,every node/.style={inner sep=1pt},",
           r"  elabel/.style={fill=white,inner sep=0.7pt,font=\scriptsize},",
           r"  faded/.style={draw=black!60,text=black!65}]"]
    grounded = [s for s in pic.shapes if s.fill == "ground"]
    for s in pic.shapes:
        if s.fill != "ground":
            out.extend(_tikz_shape(s))
    out.extend(_wires(pic))
    for e in pic.edges:
        if e.label is not None and e.at is not None:
            grey = ",text=black!50" if e.grey else ""
            turn = f",rotate={_f(e.angle)}" if e.angle else ""
            out.append(f"\\node[elabel{grey}{turn}] at ({_f(e.at[0])},{_f(e.at[1])}) {{{e.label.tex}}};")
    for s in grounded:
        out.extend(_tikz_shape(s))
    x0, bottom, _, _ = pic.body()
    for i, note in enumerate(pic.notes):
        out.append(f"\\node[anchor=west,font=\\footnotesize] at ({_f(x0)},{_f(pic.note_y(i, bottom))}) "
                   f"{{{note.tex}}};")
    out.append(r"\end{tikzpicture}")
    text = "\n".join(out) + "\n"
    if fit:
        text = "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n" + text + "}\n"
    return text


ARROW = 0.12  # cm from the back of an arrowhead to its tip
_DASH = "\\pgfsetdash{{3pt}{3pt}}{0pt}"  # TikZ's ``dashed``


def _wires(pic: Picture) -> Iterator[str]:
    """The edges in their order, each run of one style as one path, then its arrowheads."""
    def style(edge_path: tuple[Edge, _Path]) -> tuple[bool, bool]:
        return edge_path[0].dashed, edge_path[0].grey

    for (dashed, grey), run in groupby(zip(pic.edges, _paths(pic)), key=style):
        paths = [p for _, p in run]
        colour = (_GREY if grey else _EDGE_COLOUR)[0]
        lines = "\n".join(_stroke(p) for p in paths)
        heads = "\n".join(_dart(p) for p in paths)
        yield (f"{{\\pgfsetlinewidth{{0.5pt}}\\pgfsetstrokecolor{{{colour}}}{_DASH if dashed else ''}%\n"
               f"{lines}\n\\pgfusepath{{stroke}}}}")
        yield f"{{\\pgfsetfillcolor{{{colour}}}%\n{heads}\n\\pgfusepath{{fill}}}}"


def _q(p: Point) -> str:
    return f"\\pgfqpoint{{{_f(p[0])}cm}}{{{_f(p[1])}cm}}"


def _stroke(path: _Path) -> str:
    """The edge up to the middle of its arrowhead (the line's end stays under the dart)."""
    (x0, y0), (x1, y1) = path.start, path.end
    if path.control is None:
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        t = max(0.0, 1 - ARROW / 2 / length)
        return f"\\pgfpathmoveto{{{_q(path.start)}}}\\pgfpathlineto{{{_q(path.at(t))}}}"
    cx, cy = path.control
    t = max(0.0, 1 - ARROW / 2 / (2 * math.hypot(x1 - cx, y1 - cy) or 1.0))
    cut = _Path(path.start, path.at(t), (x0 + t * (cx - x0), y0 + t * (cy - y0)))  # the curve on [0, t]
    c1, c2 = cut.cubic()
    return f"\\pgfpathmoveto{{{_q(cut.start)}}}\\pgfpathcurveto{{{_q(c1)}}}{{{_q(c2)}}}{{{_q(cut.end)}}}"


def _dart(path: _Path) -> str:
    """The SVG marker's shape (M0,1 L10,5 L0,9 L3,5 z) at the edge's end, along its last direction."""
    tip = path.end
    back = path.control if path.control is not None else path.start
    length = math.hypot(tip[0] - back[0], tip[1] - back[1]) or 1.0
    ux, uy = (tip[0] - back[0]) / length, (tip[1] - back[1]) / length

    def at(along: float, side: float) -> str:  # along: back from the tip; side: to the left
        return _q((tip[0] - ux * along - uy * side, tip[1] - uy * along + ux * side))

    half = 0.4 * ARROW
    return (f"\\pgfpathmoveto{{{_q(tip)}}}\\pgfpathlineto{{{at(ARROW, half)}}}"
            f"\\pgfpathlineto{{{at(0.7 * ARROW, 0)}}}\\pgfpathlineto{{{at(ARROW, -half)}}}\\pgfpathclose")


def _tikz_shape(s: Shape) -> Iterator[str]:
    at = f"({s.id}) at ({_f(s.x)},{_f(s.y)})"
    style = f"draw,fill={_FILL[s.fill][0]}" + (",faded" if s.grey else "")
    if s.kind == "text":
        anchor = {"center": "", "east": "anchor=east,", "west": "anchor=west,"}[s.anchor]
        colour = "text=black!50," if s.grey else ""
        ground = "fill=white," if s.fill == "ground" else ""
        yield f"\\node[{anchor}{colour}{ground}align=center] {at} {_tex_lines(s.lines)};"
    elif s.kind == "circle":
        yield f"\\node[circle,{style},minimum size={_f(s.w)}cm,align=center] {at} {_tex_lines(s.lines)};"
    elif s.kind == "unit":
        r = s.w / 2
        act, z, a = s.lines
        yield f"\\node[circle,{style},minimum size={_f(s.w)}cm] {at} {{}};"
        yield f"\\draw[black!35] ({_f(s.x)},{_f(s.y + 0.22 * r)}) -- ({_f(s.x)},{_f(s.y - r)});"
        yield f"\\node at ({_f(s.x)},{_f(s.y + 0.5 * r)}) {_tex_lines([act])};"
        yield f"\\node at ({_f(s.x - 0.47 * r)},{_f(s.y - 0.28 * r)}) {_tex_lines([z])};"
        yield f"\\node at ({_f(s.x + 0.47 * r)},{_f(s.y - 0.28 * r)}) {_tex_lines([a])};"
    elif s.kind == "cell":
        yield (f"\\node[rectangle,{style},minimum width={_f(s.w)}cm,minimum height={_f(s.h)}cm] {at} "
               f"{_tex_lines(s.lines)};")
    else:
        yield (f"\\node[rectangle,rounded corners=2pt,{style},minimum width={_f(s.w)}cm,"
               f"minimum height={_f(s.h)}cm,align=center] {at} {_tex_lines(s.lines)};")
