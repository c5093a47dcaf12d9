"""Display names (the safe LaTeX math subset) as Unicode text: ``w^{(1)}_{11}`` -> ``w₁₁⁽¹⁾``."""

from __future__ import annotations

import unicodedata

from solgen.core.graph import Node

_SUB = dict(zip("0123456789+-=(),aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎,ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUP = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW′",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ′"))
_TALL = (frozenset(_SUB.values()) | frozenset("⁽⁾∂")) - {","}  # subscripts: a label needs more height
_GREEK_CHARS = dict(zip(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi "
    "varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi "
    "Pi Sigma Upsilon Phi Psi Omega".split(),
    "αβγδϵεζηθϑικλμνξπϖρϱσςτυϕφχψωΓΔΘΛΞΠΣΥΦΨΩ"))
_SYMBOLS = {"prime": "′", "ell": "ℓ", "partial": "∂", "nabla": "∇", "cdot": "·", "ast": "∗", "star": "⋆",
            "circ": "∘", "dagger": "†", "top": "⊤", "intercal": "⊺", "infty": "∞", ",": " ", ";": " ", " ": " ",
            "ldots": "…"}
_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305", "tilde": "\u0303",
            "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "check": "\u030c",
            "breve": "\u0306", "underline": "\u0332"}
_FONT_COMMANDS = frozenset("mathrm mathbf mathit mathsf mathtt mathcal boldsymbol".split())


def plain_name(node: Node) -> str:
    """A node's display name as Unicode text (``w₁₁⁽¹⁾``, ``u₁₁``, ``ŷ``), else its ASCII name."""
    converted = tex_to_unicode(node.latex)
    return converted if converted else node.name


def tex_to_unicode(tex: str) -> str | None:
    """A display name (the safe math subset) as Unicode text; None if it has no simple form.

    Subscripts come before superscripts (``w^{(1)}_{11}`` -> ``w₁₁⁽¹⁾``); a script
    with no Unicode form is written ``x_(ab)``.
    """
    try:
        out, end = _tex_seq(tex, 0)
    except (IndexError, KeyError, ValueError):
        return None
    return unicodedata.normalize("NFC", out.strip()) if end == len(tex) else None


def _tex_seq(s: str, i: int, stop: str = "") -> tuple[str, int]:
    out = []
    while i < len(s) and s[i] != stop:
        if s[i] == "}":
            raise ValueError("unbalanced")
        if s[i] == " ":  # spaces do not show in math
            i += 1
            continue
        atom, i = _tex_atom(s, i)
        subs, sups = "", ""
        while (i := _skip_space(s, i)) < len(s) and s[i] in "_^'":
            if s[i] == "'":
                sups, i = sups + "′", i + 1
                continue
            mark = s[i]
            script, i = _tex_atom(s, i + 1)
            if mark == "_":
                subs += script
            else:
                sups += script
        out.append(atom + _script(subs, _SUB, "_") + _script(sups, _SUP, "^"))
    return "".join(out), i


def _script(text: str, table: dict[str, str], mark: str) -> str:
    if not text:
        return ""
    if all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}({text})" if len(text) > 1 else mark + text


def _tex_atom(s: str, i: int) -> tuple[str, int]:
    c = s[i]
    if c == "{":
        inner, j = _tex_seq(s, i + 1, "}")
        if j >= len(s):
            raise ValueError("unbalanced")
        return inner, j + 1
    if c in "}_^":
        raise ValueError(c)
    if c != "\\":
        return ("′" if c == "'" else c), i + 1
    j = i + 1
    while j < len(s) and s[j].isalpha():
        j += 1
    name = s[i + 1:j] if j > i + 1 else s[i + 1]
    j = max(j, i + 2)
    if name in _GREEK_CHARS:
        return _GREEK_CHARS[name], j
    if name in _SYMBOLS:
        return _SYMBOLS[name], j
    if name in _FONT_COMMANDS:
        return _tex_atom(s, _skip_space(s, j))
    if name in _ACCENTS:
        arg, k = _tex_atom(s, _skip_space(s, j))
        return arg + _ACCENTS[name], k
    raise KeyError(name)


def _skip_space(s: str, i: int) -> int:
    while i < len(s) and s[i] == " ":
        i += 1
    return i


def _sup(n: int) -> str:
    return "".join(_SUP[c] for c in str(n))
