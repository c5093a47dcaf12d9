"""Registry entries that import their module on first use.

A registry (layer kinds, output formats) names every entry up front, but a render needs only
a few of them: ``lazy(find)`` is a function that calls ``find()`` the first time it is
itself called, and from then on the function ``find`` returned.  ``find`` is a small
function of the registry's own with a plain ``from . import conv`` in it, so a seed-sized
render never pays for XML, zip or convolution code it does not use, and no module name is
ever looked up from a string.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Lazy:
    __slots__ = ("find", "_target")

    def __init__(self, find: Callable[[], Callable[..., Any]]) -> None:
        self.find = find
        self._target: Callable[..., Any] | None = None

    def target(self) -> Callable[..., Any]:
        if self._target is None:
            self._target = self.find()
        return self._target

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.target()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"lazy({self.find.__qualname__})"


def lazy(find: Callable[[], Callable[..., Any]]) -> Lazy:
    return Lazy(find)
