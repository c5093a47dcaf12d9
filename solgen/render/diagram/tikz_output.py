"""The picture as a LaTeX ``tikzpicture`` (core TikZ only), optionally shrunk to the line width."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .geometry import Point, _paths
from .model import Picture, Shape
from .style import _FILL, _TEXT_COLOUR, _f
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
    out = [r"\begin{tikzpicture}[x=1cm,y=1cm,>=stealth,every node/.style={inner sep=1pt},",
           r"  wire/.style={->,draw=black!70,line width=0.5pt},",
           r"  elabel/.style={fill=white,inner sep=0.7pt,font=\scriptsize},",
           r"  faded/.style={draw=black!60,text=black!65}]"]
    grounded = [s for s in pic.shapes if s.fill == "ground"]
    for s in pic.shapes:
        if s.fill != "ground":
            out.extend(_tikz_shape(s))
    for e, path in zip(pic.edges, _paths(pic)):
        opts = ["wire"] + (["dashed"] if e.dashed else []) + (["faded"] if e.grey else [])
        if path.control is None:
            out.append(f"\\draw[{','.join(opts)}] ({e.src}) -- ({e.dst});")
        else:
            c1, c2 = path.cubic()
            out.append(f"\\draw[{','.join(opts)}] ({_point(path.start)}) .. controls ({_point(c1)}) and "
                       f"({_point(c2)}) .. ({_point(path.end)});")
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
