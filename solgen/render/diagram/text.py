"""Labels: one ``Text`` in both outputs (LaTeX and Unicode), its estimated size, and the usual labels."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from solgen.core.graph import Node
from solgen.core.numbers import NumberFormat

from .names import _TALL, plain_name

# em in cm of \normalsize \footnotesize \scriptsize \tiny in an 11pt document
_FONT = {"normal": 0.39, "small": 0.32, "tiny": 0.28}  # none below 8 pt (7 pt once shrunk to MAX_WIDTH)
_NARROW = frozenset("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ′"
                     "ilj1()[]|.,:; ")

# widths (em) in math mode, where relations and binary minus carry their spacing
_WIDE = {"=": 0.78, "-": 0.78, "−": 0.78, "+": 0.78, "×": 0.78, " ": 0.3, ".": 0.28, ",": 0.28, "/": 0.5}


@dataclass(frozen=True)
class Text:
    """One label in both outputs: LaTeX source (math in $...$) and plain Unicode text."""

    tex: str
    plain: str
    size: str = "small"
    colour: str = ""  # "" (black) or "gradient" (a dark red that prints as a mid grey)

    @property
    def width(self) -> float:
        """Estimated width in cm (both outputs are laid out with it)."""
        return _width(self.plain, self.tex.startswith("$"), self.size)

    @property
    def height(self) -> float:
        return _height(self.plain, self.size)


@lru_cache(maxsize=4096)
def _width(plain: str, in_math: bool, size: str) -> float:
    ems = sum(0.72 if c.isupper() else _WIDE.get(c, 0.34 if c in _NARROW else 0.52) if in_math
              else 0.3 if c in _NARROW else 0.5 for c in plain)
    return max(ems, 0.6) * _FONT[size]


@lru_cache(maxsize=4096)
def _height(plain: str, size: str) -> float:
    tall = any(c in _TALL for c in plain)
    return _FONT[size] * (1.45 if tall else 1.05)


def _math(tex: str, plain: str, size: str = "small") -> Text:
    return Text(f"${tex}$", plain, size)


def _words(text: str, size: str = "small") -> Text:
    """Fixed text (ours or the catalog's, never the user's, no LaTeX specials): the same in both outputs."""
    return Text(text, text, size)


def _say(key: str, size: str = "small", math: str = "", plain: str = "", **words: object) -> Text:
    """A word or sentence from the catalog's ``[diagram]``, in the language being spoken.

    ``{math}`` in the message is ``math`` in LaTeX and ``plain`` in the Unicode text (a formula
    or symbol between the words); every other character is escaped for LaTeX.
    """
    from solgen.messages import text
    from solgen.render.latexsafe import tex_escape

    said = text(f"diagram.{key}", math=plain, **words)
    tex = tex_escape(text(f"diagram.{key}", math="\x00", **words)).replace("\x00", math)
    return Text(tex, said, size)


def _kind_words(layer_type: str, registry_words: str) -> str:
    """What a layer is ("2-D convolution"), from the catalog's [layers.kind] (else the registry's words)."""
    from solgen.messages import catalog, text

    key = f"layers.kind.{layer_type}"
    return text(key) if key in catalog("en") else registry_words


def _value(fmt: NumberFormat, v: Fraction | None) -> tuple[str, str] | None:
    if v is None:
        return None
    return fmt.latex(v, exact=True), fmt.text(v, exact=True)


def _named(node: Node, fmt: NumberFormat, size: str = "tiny") -> Text:
    """``w^{(1)}_{11} = 0.15`` (the name alone when the value is not given)."""
    plain = plain_name(node)
    v = _value(fmt, node.value)
    if v is None:
        return _math(node.latex, plain, size)
    return _math(f"{node.latex} = {v[0]}", f"{plain} = {v[1]}", size)


def _number(fmt: NumberFormat, v: Fraction, size: str = "tiny") -> Text:
    tex, plain = _value(fmt, v) or ("", "")
    return _math(tex, plain, size)
