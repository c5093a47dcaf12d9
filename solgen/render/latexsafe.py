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
TAKES_ARGUMENT = frozenset(
    "hat bar tilde vec dot ddot check breve widehat widetilde overline underline mathrm mathbf "
    "mathit mathsf mathtt mathcal boldsymbol".split()
)
_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|([A-Za-z0-9^_{}(),'+\- ])|(.)", re.S)

_TEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    # the OT1 text fonts have no ASCII ^ _ ~ (\_ is a rule, \textasciicircum an accent):
    # the typewriter font's glyphs look, copy and search as written
    "^": r"{\ttfamily\char94}",
    "_": r"{\ttfamily\char95}",
    "%": r"\%",
    "~": r"{\ttfamily\char126}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$~&^])")
_MD_LINE_START = re.compile(r"(?m)^([ \t]*)([-+=]|\d+(?=[.)]))")


def check_display_name(text: str) -> str | None:
    """Return None if ``text`` is a safe math fragment, else what is wrong."""
    if len(text) > 200:
        return "longer than 200 characters"
    if "^^" in text:  # TeX reads ^^5c as a backslash: \\input spelled another way
        return "'^^' is not allowed in a display name"
    depth = 0
    tokens = list(_TOKEN.finditer(text))
    for i, m in enumerate(tokens):
        command, escaped, plain, other = m.groups()
        nxt = next((t.group() for t in tokens[i + 1:] if t.group() != " "), "")
        if command is not None and command not in SAFE_COMMANDS:
            return f"\\{command} is not allowed in a display name"
        if command in TAKES_ARGUMENT and nxt in ("", "}", "^", "_"):
            return f"\\{command} needs an argument, as in \\{command}{{w}}"
        if escaped is not None and escaped not in ",; ":
            if escaped.isprintable():
                return f"\\{escaped} is not allowed in a display name"
            return f"a backslash followed by {escaped!r} is not allowed in a display name"
        if other is not None:
            return f"{other!r} is not allowed in a display name"
        if plain in ("^", "_") and nxt in ("", "}", "^", "_"):
            return f"'{plain}' needs something after it, as in w{plain}{{1}}"
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
    out = "".join(_TEX_ESCAPES.get(c, c) for c in text)
    return out.replace("--", "-{}-").replace("--", "-{}-")  # no en/em-dash ligatures


def md_escape(text: str) -> str:
    """Plain text for Markdown (GitHub, Pandoc, Jupyter): no markup, no math, and no line
    that starts a list, a numbered list or a heading underline."""
    out = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + (
        m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)), out)
