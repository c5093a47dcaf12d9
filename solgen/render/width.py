"""How wide a piece of solgen's LaTeX math sets, in em of the body font, without running TeX.

A small walk over the markup solgen writes (fractions, scripts, \\left..\\right, matrices, named
operators) with Computer Modern's approximate glyph widths.  It errs on the wide side (``SAFETY``)
so that a line it calls fitting fits; the LaTeX compile tests check the estimate on a broad sample.
"""

from __future__ import annotations

import re
from functools import lru_cache

SAFETY = 1.08
SCRIPT = {1.0: 0.7, 0.7: 0.5, 0.5: 0.5}  # script size for display/text, script, scriptscript

GLYPH = {".": 0.28, ",": 0.28, "(": 0.39, ")": 0.39, "[": 0.28, "]": 0.28, "|": 0.28, "!": 0.28,
         "'": 0.3, "/": 0.5, ";": 0.28, ":": 0.28}
BINARY = {"+": 1.22, "-": 1.22, "*": 1.0}
RELATION = {"=": 1.34, "<": 1.34, ">": 1.34}
COMMANDS = {  # glyph and its spacing
    "partial": 0.57, "cdot": 0.78, "sigma": 0.6, "eta": 0.5, "delta": 0.46, "theta": 0.47, "alpha": 0.64,
    "odot": 1.22, "times": 1.22, "top": 0.78, "le": 1.34, "ge": 1.34, "leftarrow": 1.78, "to": 1.78,
    "quad": 1.0, "qquad": 2.0, ",": 0.17, ";": 0.28, ":": 0.22, "!": -0.17, " ": 0.33, "max": 1.95,
    "min": 1.7, "tanh": 2.3, "log": 1.4, "exp": 1.55, "ln": 0.9, "sum": 1.45, "infty": 1.0, "epsilon": 0.45,
    "lambda": 0.6, "mu": 0.6, "pi": 0.6, "tau": 0.5, "beta": 0.57, "gamma": 0.52, "phi": 0.6, "cdots": 1.5,
    "ldots": 1.5, "dots": 1.5, "{": 0.5, "}": 0.5, "_": 0.5, "%": 0.83, "&": 0.78, "#": 0.83, "$": 0.5,
    "ast": 0.5, "neq": 1.34, "approx": 1.34, "mid": 0.56, "in": 1.2,
}
IGNORED = {"left.", "right.", "displaystyle", "textstyle", "limits", "nolimits", "relax"}
TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_&]|[^\\{}^_&]")


@lru_cache(maxsize=65536)
def width(tex: str, scale: float = 1.0) -> float:
    """The estimated width of math ``tex`` in em, at ``scale`` (1 = display or text style)."""
    return _Walk(TOKEN.findall(tex)).run(scale) * SAFETY


class _Walk:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.i = tokens, 0

    def next(self) -> str:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def group(self) -> list[str]:
        """The tokens of the next argument: a {...} group or one token."""
        if self.i >= len(self.tokens):
            return []
        tok = self.next()
        if tok != "{":
            return [tok]
        depth, out = 1, []
        while self.i < len(self.tokens):
            tok = self.next()
            depth += tok == "{"
            depth -= tok == "}"
            if depth == 0:
                break
            out.append(tok)
        return out

    def run(self, scale: float, stop: str | None = None) -> float:
        total, operand = 0.0, False
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            if stop and tok == stop:
                return total
            self.i += 1
            w, operand = self.one(tok, scale, operand)
            total += w
        return total

    def sub(self, tokens: list[str], scale: float) -> float:
        return _Walk(tokens).run(scale)

    def one(self, tok: str, scale: float, operand: bool) -> tuple[float, bool]:
        if tok in ("^", "_"):
            first = self.sub(self.group(), SCRIPT[scale])
            if self.i < len(self.tokens) and self.tokens[self.i] in ("^", "_"):
                self.i += 1
                first = max(first, self.sub(self.group(), SCRIPT[scale]))
            return first, True
        if tok == "{":
            self.i -= 1
            return self.sub(self.group(), scale), True
        if tok in ("}", "&"):
            return 0.0, operand
        if tok.startswith("\\") and len(tok) > 1:
            return self.command(tok[1:], scale), tok[1:] not in ("cdot", "odot", "times", "quad", "leftarrow")
        if tok.isspace():
            return 0.0, operand
        if tok in BINARY:
            return (BINARY[tok] if operand else 0.78) * scale, False
        if tok in RELATION:
            return RELATION[tok] * scale, False
        if tok.isdigit():
            return 0.5 * scale, True
        if tok.isalpha():
            return (0.76 if tok.isupper() else 0.56) * scale, True
        return GLYPH.get(tok, 0.6) * scale, tok not in "(["

    def command(self, name: str, scale: float) -> float:
        if name == "frac" or name == "dfrac":
            inner = scale if name == "dfrac" else SCRIPT[scale] if scale < 1.0 else 1.0
            num, den = self.sub(self.group(), inner), self.sub(self.group(), inner)
            return max(num, den) + 0.3 * scale
        if name in ("left", "right", "big", "Big", "bigg", "Bigg"):
            delim = self.next()
            if delim == "\\":  # \left\{ style
                delim += self.next()
            return 0.0 if delim == "." else 0.45 * scale
        if name in ("operatorname", "mathrm", "text", "textrm", "mathit", "mathbf", "boldsymbol", "mathbb",
                    "mathcal", "mathsf", "mathtt", "bm"):
            return self.sub(self.group(), scale) * (0.95 if name in ("operatorname", "mathrm", "text") else 1.05)
        if name == "sqrt":
            return self.sub(self.group(), scale) + 0.9 * scale
        if name == "boxed":
            return self.sub(self.group(), scale) + 0.75
        if name == "begin":
            env = "".join(self.group())
            return self.matrix(env, scale)
        if name == "end":
            self.group()
            return 0.0
        if name in ("hat", "bar", "tilde", "vec", "overline", "underline", "mathstrut"):
            return self.sub(self.group(), scale)
        if name in IGNORED or name == "\\":
            return 0.0
        return COMMANDS.get(name, 0.8) * scale

    def matrix(self, env: str, scale: float) -> float:
        """A bmatrix/pmatrix/aligned: columns at their widest entry, with the column gaps."""
        body: list[str] = []
        depth = 0
        while self.i < len(self.tokens):
            tok = self.next()
            if tok == "\\begin":
                depth += 1
            if tok == "\\end":
                if depth == 0:
                    self.group()
                    break
                depth -= 1
            body.append(tok)
        rows: list[list[list[str]]] = [[[]]]
        depth = 0
        for tok in body:
            depth += tok == "{"
            depth -= tok == "}"
            if depth == 0 and tok == "\\\\":
                rows.append([[]])
            elif depth == 0 and tok == "&":
                rows[-1].append([])
            else:
                rows[-1][-1].append(tok)
        cols = max(len(r) for r in rows)
        widest = [max((self.sub(r[c], scale) for r in rows if c < len(r)), default=0.0) for c in range(cols)]
        fences = 0.9 if env.endswith("matrix") and env != "matrix" else 0.0
        return sum(widest) + 0.92 * (cols - 1) * scale + fences * scale


LINE = 44.0  # em of an 11 pt line on A4 with 2 cm margins (483.7 pt)
