"""How wide a piece of solgen's LaTeX math sets, in em of the body font, without running TeX.

A small walk over the markup solgen writes (fractions, scripts, \\left..\\right, matrices, named
operators) with Computer Modern's approximate glyph widths.  It errs on the wide side (``SAFETY``)
so that a line it calls fitting fits; the LaTeX compile tests check the estimate on a broad sample.

Every ASCII digit sets as wide as every other (one token of 0.5 em), so a text is measured by its
shape, its digits written as 0: ``w^{(1999)}_{11}`` and ``w^{(1998)}_{11}``, or ``0.4863`` and
``0.2498``, are measured once between them (a 2,000-layer key has a few hundred shapes among its
sixty thousand sides).  The widths are the same to the last bit as measuring the text itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate

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


@lru_cache(maxsize=1 << 17)
def width(tex: str, scale: float = 1.0) -> float:
    """The estimated width of math ``tex`` in em, at ``scale`` (1 = display or text style)."""
    return _measured(tex.translate(_ZEROS), scale) * SAFETY


_ZEROS = str.maketrans("123456789", "000000000")  # a digit's width does not depend on which it is


@lru_cache(maxsize=1 << 17)
def _measured(tex: str, scale: float) -> float:
    """The width of ``tex`` before ``SAFETY``; an argument ({...}) is measured by its text, once
    (``\\partial L``, ``(3)`` and ``13`` recur in thousands of equations)."""
    return _Walk(TOKEN.findall(tex), tex).run(scale)


class _Walk:
    """A walk over the tokens ``[i, end)``: an argument is a span of the same token list (its
    braces matched once, up front), measured by its text when the tokens spell ``tex``."""

    def __init__(self, tokens: list[str], tex: str | None = None) -> None:
        self.tokens, self.i, self.end = tokens, 0, len(tokens)
        self.close: dict[int, int] = {}  # a "{" -> its "}"
        opened: list[int] = []
        for k in [k for k, tok in enumerate(tokens) if tok == "{" or tok == "}"]:
            if tokens[k] == "{":
                opened.append(k)
            elif opened:
                self.close[opened.pop()] = k
        self.tex, self.at = None, [0]
        if tex is not None:
            self.at += accumulate(map(len, tokens))  # where each token starts in tex
            if self.at[-1] == len(tex):  # every character in some token: a span is a substring
                self.tex = tex

    def next(self) -> str:
        if self.i >= self.end:
            raise IndexError("the math ends inside a command")
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def group(self) -> tuple[int, int]:
        """The span of the next argument: the inside of a {...} group, or one token."""
        if self.i >= self.end:
            return self.i, self.i
        tok = self.next()
        if tok != "{":
            return self.i - 1, self.i
        start = self.i
        stop = min(self.close.get(start - 1, self.end), self.end)
        self.i = min(stop + 1, self.end)
        return start, stop

    def run(self, scale: float) -> float:
        total, operand = 0.0, False
        tokens, plain = self.tokens, PLAIN
        while self.i < self.end:
            tok = tokens[self.i]
            self.i += 1
            known = plain.get(tok)
            if known is None:
                known = plain[tok] = _plain(tok)
            if known is STRUCTURE:  # scripts, groups, fractions, ...: walked by ``one``
                w, operand = self.one(tok, scale, operand)
                total += w
                continue
            if known is DELIMITER:  # \left( and the like, as ``command`` measures them
                total += self.delimiter(scale)
                operand = True
                continue
            glyph, after = known
            if glyph is None:  # a binary operator, or a sign when nothing precedes it
                total += (BINARY[tok] if operand else 0.78) * scale
            else:
                total += glyph * scale
            if after is not None:
                operand = after
        return total

    def sub(self, span: tuple[int, int], scale: float) -> float:
        """The width of a span (the walk goes on after the span's argument)."""
        if self.tex is not None:
            return _measured(self.tex[self.at[span[0]]:self.at[span[1]]], scale)
        saved = self.i, self.end
        self.i, self.end = span
        try:
            return self.run(scale)
        finally:
            self.i, self.end = saved

    def one(self, tok: str, scale: float, operand: bool) -> tuple[float, bool]:
        if tok in ("^", "_"):
            first = self.sub(self.group(), SCRIPT[scale])
            if self.i < self.end and self.tokens[self.i] in ("^", "_"):
                self.i += 1
                first = max(first, self.sub(self.group(), SCRIPT[scale]))
            return first, True
        if tok == "{":
            self.i -= 1
            return self.sub(self.group(), scale), True
        if tok in ("}", "&"):
            return 0.0, operand
        if tok.startswith("\\") and len(tok) > 1:
            return self.command(tok[1:], scale), tok[1:] not in NOT_OPERAND
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
        if name in DELIMITED:
            return self.delimiter(scale)
        if name in ("operatorname", "mathrm", "text", "textrm", "mathit", "mathbf", "boldsymbol", "mathbb",
                    "mathcal", "mathsf", "mathtt", "bm"):
            return self.sub(self.group(), scale) * (0.95 if name in ("operatorname", "mathrm", "text") else 1.05)
        if name == "sqrt":
            return self.sub(self.group(), scale) + 0.9 * scale
        if name == "boxed":
            return self.sub(self.group(), scale) + 0.75
        if name == "begin":
            a, b = self.group()
            env = "".join(self.tokens[a:b])
            return self.matrix(env, scale)
        if name == "end":
            self.group()
            return 0.0
        if name in ("hat", "bar", "tilde", "vec", "overline", "underline", "mathstrut"):
            return self.sub(self.group(), scale)
        if name in IGNORED or name == "\\":
            return 0.0
        return COMMANDS.get(name, 0.8) * scale

    def delimiter(self, scale: float) -> float:
        """The delimiter after \\left, \\right, \\big, ...: none (``.``) or one."""
        delim = self.next()
        if delim == "\\":  # \left\{ style
            delim += self.next()
        return 0.0 if delim == "." else 0.45 * scale

    def matrix(self, env: str, scale: float) -> float:
        """A bmatrix/pmatrix/aligned: columns at their widest entry, with the column gaps."""
        body: list[str] = []
        depth = 0
        while self.i < self.end:
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
        # an entry is measured by its text (a run of the tokens, so they spell it): the same
        # entries recur (a 48 x 40 weight matrix has a few dozen shapes among its 1,920)
        widest = [max((_measured("".join(r[c]), scale) for r in rows if c < len(r)), default=0.0)
                  for c in range(cols)]
        fences = 0.9 if env.endswith("matrix") and env != "matrix" else 0.0
        return sum(widest) + 0.92 * (cols - 1) * scale + fences * scale


#: the commands that take arguments (or a delimiter) and so are walked, not looked up
WALKED = {"frac", "dfrac", "left", "right", "big", "Big", "bigg", "Bigg", "operatorname", "mathrm", "text",
          "textrm", "mathit", "mathbf", "boldsymbol", "mathbb", "mathcal", "mathsf", "mathtt", "bm", "sqrt",
          "boxed", "begin", "end", "hat", "bar", "tilde", "vec", "overline", "underline", "mathstrut"}
NOT_OPERAND = ("cdot", "odot", "times", "quad", "leftarrow")  # a sign after these is unary
Plain = tuple[float | None, bool | None]
STRUCTURE: Plain = (None, None)
DELIMITER: Plain = (None, True)  # \left and the like: the delimiter after them measured at once
DELIMITED = ("left", "right", "big", "Big", "bigg", "Bigg")
#: token -> (glyph width at scale 1, or None for a binary operator; whether an operand precedes
#: what follows, or None for unchanged), or STRUCTURE; filled as tokens are first met
PLAIN: dict[str, Plain] = {}


def _plain(tok: str) -> Plain:
    """What ``_Walk.one`` does with a token that needs no walking (the same numbers: the fast
    path in ``run`` must give the same widths to the last bit)."""
    if tok in ("^", "_", "{"):
        return STRUCTURE
    if tok in ("}", "&") or tok.isspace():
        return (0.0, None)
    if tok.startswith("\\") and len(tok) > 1:
        name = tok[1:]
        if name in DELIMITED:
            return DELIMITER
        if name in WALKED:
            return STRUCTURE
        glyph = 0.0 if name in IGNORED or name == "\\" else COMMANDS.get(name, 0.8)
        return (glyph, name not in NOT_OPERAND)
    if tok in BINARY:
        return (None, False)
    if tok in RELATION:
        return (RELATION[tok], False)
    if tok.isdigit():
        return (0.5, True)
    if tok.isalpha():
        return (0.76 if tok.isupper() else 0.56, True)
    return (GLYPH.get(tok, 0.6), tok not in "([")



LINE = 44.0  # em of an 11 pt line on A4 with 2 cm margins (483.7 pt)
