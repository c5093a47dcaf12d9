"""The picture as a standalone SVG document: plain text and shapes, generic font families, deterministic."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .geometry import _label_box, _paths
from .model import Picture, Shape
from .style import _EDGE_COLOUR, _FILL, _GREY, _TEXT_COLOUR, _f
from .text import _FONT, Text

_SVG_SCALE = 40.0  # px per cm
_SVG_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
_SVG_MATH_FONT = "DejaVu Serif, Times New Roman, serif"


def _xml(text: str) -> str:
    """XML text and attribute escaping (as xml.sax.saxutils.escape with '"', without importing
    it: it pulls in urllib, http and ssl)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace('"', "&quot;")


class _Svg:
    def __init__(self, pic: Picture) -> None:
        self.body = pic.body()
        x0, y0, x1, y1 = pic.bounds(self.body)
        pad = 0.3
        self.x0, self.y1 = x0 - pad, y1 + pad
        self.width = (x1 - x0 + 2 * pad) * _SVG_SCALE
        self.height = (y1 - y0 + 2 * pad) * _SVG_SCALE

    def px(self, x: float) -> str:
        return _f((x - self.x0) * _SVG_SCALE)

    def py(self, y: float) -> str:
        return _f((self.y1 - y) * _SVG_SCALE)

    def text(self, x: float, y: float, text: Text, anchor: str = "middle", grey: bool = False) -> str:
        size = _FONT[text.size] * _SVG_SCALE * 0.9
        colour = _GREY[1] if grey else _TEXT_COLOUR[text.colour][1] if text.colour else "#000000"
        family = f' font-family="{_SVG_MATH_FONT}"' if text.tex.startswith("$") else ""
        baseline = y - 0.33 * _FONT[text.size]
        return (f'<text x="{self.px(x)}" y="{self.py(baseline)}" font-size="{_f(size)}" text-anchor="{anchor}" '
                f'fill="{colour}"{family}>{_xml(text.plain)}</text>')

    def label(self, at: tuple[float, float], text: Text, grey: bool, angle: float = 0.0) -> Iterator[str]:
        """An edge label on a white ground (as TikZ's fill=white), turned by ``angle`` degrees."""
        x0, y0, x1, y1 = _label_box(text, at)
        if angle:
            yield f'<g transform="rotate({_f(-angle)} {self.px(at[0])} {self.py(at[1])})">'
        yield (f'<rect x="{self.px(x0)}" y="{self.py(y1)}" width="{_f((x1 - x0) * _SVG_SCALE)}" '
               f'height="{_f((y1 - y0) * _SVG_SCALE)}" fill="#ffffff"/>')
        yield self.text(at[0], at[1], text, grey=grey)
        if angle:
            yield "</g>"

    def lines(self, x: float, y: float, lines: Sequence[Text], grey: bool) -> Iterator[str]:
        heights = [t.height for t in lines]
        top = y + sum(heights) / 2
        for t, h in zip(lines, heights):
            yield self.text(x, top - h / 2, t, grey=grey)
            top -= h

    def shape(self, s: Shape) -> Iterator[str]:
        k = _SVG_SCALE
        fill = _FILL[s.fill][1]
        stroke = _GREY[1] if s.grey else "#000000"
        if s.kind == "text":
            if s.fill == "ground":
                x0, y0, x1, y1 = s.extent()
                yield (f'<rect x="{self.px(x0 - 0.04)}" y="{self.py(y1 + 0.03)}" width="{_f((x1 - x0 + 0.08) * k)}" '
                       f'height="{_f((y1 - y0 + 0.06) * k)}" fill="#ffffff"/>')
            if s.anchor == "center":
                yield from self.lines(s.x, s.y, s.lines, s.grey)
            else:
                yield self.text(s.x, s.y, s.lines[0], "end" if s.anchor == "east" else "start", s.grey)
        elif s.kind in ("circle", "unit"):
            r = s.w / 2
            yield (f'<circle cx="{self.px(s.x)}" cy="{self.py(s.y)}" r="{_f(r * k)}" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="1"/>')
            if s.kind == "circle":
                yield from self.lines(s.x, s.y, s.lines, s.grey)
                return
            act, z, a = s.lines
            yield (f'<line x1="{self.px(s.x)}" y1="{self.py(s.y + 0.22 * r)}" x2="{self.px(s.x)}" '
                   f'y2="{self.py(s.y - r)}" stroke="#a6a6a6" stroke-width="0.8"/>')
            yield self.text(s.x, s.y + 0.5 * r, act)
            yield self.text(s.x - 0.47 * r, s.y - 0.28 * r, z)
            yield self.text(s.x + 0.47 * r, s.y - 0.28 * r, a)
        else:
            yield (f'<rect x="{self.px(s.x - s.w / 2)}" y="{self.py(s.y + s.h / 2)}" width="{_f(s.w * k)}" '
                   f'height="{_f(s.h * k)}" rx="{0 if s.kind == "cell" else 3}" fill="{fill}" stroke="{stroke}" '
                   'stroke-width="1"/>')
            yield from self.lines(s.x, s.y, s.lines, s.grey)


def _to_svg(pic: Picture, title: str) -> str:
    out = _Svg(pic)
    width, height = _f(out.width), _f(out.height)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="{_SVG_FONT}">',
             f"<title>{_xml(title)}</title>",
             '<defs>' + "".join(
                 f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
                 f'orient="auto"><path d="M0,1 L10,5 L0,9 L3,5 z" fill="{colour}"/></marker>'
                 for name, colour in (("solgen-arrow", _EDGE_COLOUR[1]), ("solgen-arrow-grey", _GREY[1]))) + "</defs>",
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for e, path in zip(pic.edges, _paths(pic)):
        colour = _GREY[1] if e.grey else _EDGE_COLOUR[1]
        dash = ' stroke-dasharray="4 3"' if e.dashed else ""
        marker = "solgen-arrow-grey" if e.grey else "solgen-arrow"
        (x0, y0), (x1, y1) = path.start, path.end
        if path.control is None:
            parts.append(f'<line x1="{out.px(x0)}" y1="{out.py(y0)}" x2="{out.px(x1)}" y2="{out.py(y1)}" '
                         f'stroke="{colour}" stroke-width="1"{dash} marker-end="url(#{marker})"/>')
        else:
            cx, cy = path.control
            parts.append(f'<path d="M{out.px(x0)},{out.py(y0)} Q{out.px(cx)},{out.py(cy)} {out.px(x1)},'
                         f'{out.py(y1)}" fill="none" stroke="{colour}" stroke-width="1"{dash} '
                         f'marker-end="url(#{marker})"/>')
    for s in pic.shapes:
        if s.fill != "ground":
            parts.extend(out.shape(s))
    for e in pic.edges:
        if e.label is not None and e.at is not None:
            parts.extend(out.label(e.at, e.label, e.grey, e.angle))
    for s in pic.shapes:
        if s.fill == "ground":
            parts.extend(out.shape(s))
    x0, bottom = out.body[0], out.body[1]
    for i, note in enumerate(pic.notes):
        parts.append(out.text(x0, pic.note_y(i, bottom), note, anchor="start"))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
