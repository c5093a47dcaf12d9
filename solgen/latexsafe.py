"""User text into LaTeX and Markdown, safely.

Titles and descriptions are plain text: every special character is escaped.
Display names (``latex = { u11 = "w_{11}" }``) are math fragments from a small
safe subset; anything else (``\\input``, ``\\write``, ``\\def``, ``\\catcode``,
``$``, ``%``, ``#`` ...) is rejected.
"""

from __future__ import annotations

import re

GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta "
    "Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()
SAFE_COMMANDS = frozenset(
    GREEK
    + "hat bar tilde vec dot ddot check breve widehat widetilde overline underline mathrm "
    "mathbf mathit mathsf mathtt mathcal boldsymbol prime ell partial nabla cdot ast star "
    "circ dagger top intercal infty".split()
)
_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|([A-Za-z0-9^_{}(),'+\- ])|(.)", re.S)

_TEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$~&])")


def check_display_name(text: str) -> str | None:
    """Return None if ``text`` is a safe math fragment, else what is wrong."""
    if len(text) > 200:
        return "longer than 200 characters"
    depth = 0
    for m in _TOKEN.finditer(text):
        command, escaped, plain, other = m.groups()
        if command is not None and command not in SAFE_COMMANDS:
            return f"\\{command} is not allowed in a display name"
        if escaped is not None and escaped not in ",; ":
            return f"\\{escaped} is not allowed in a display name"
        if other is not None:
            return f"{other!r} is not allowed in a display name"
        if plain == "{":
            depth += 1
        elif plain == "}":
            depth -= 1
            if depth < 0:
                return "unbalanced braces"
    if depth:
        return "unbalanced braces"
    if not text.strip():
        return "empty"
    return None


def tex_escape(text: str) -> str:
    """Plain text for a LaTeX document: prints exactly as written."""
    return "".join(_TEX_ESCAPES.get(c, c) for c in text)


def md_escape(text: str) -> str:
    """Plain text for Markdown (GitHub, Pandoc, Jupyter): no markup, no math."""
    return _MD_SPECIAL.sub(r"\\\1", text)
