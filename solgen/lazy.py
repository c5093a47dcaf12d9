"""Registry entries that import their module on first use.

A registry (layer kinds, output formats) names every entry up front, but a render needs only
a few of them: ``lazy("solgen.export.qti", "write")`` is a function that imports the module
the first time it is called, so a seed-sized render never pays for XML, zip or
convolution code it does not use.  ``lazy(module, factory, *args)`` calls
``module.factory(*args)`` once and uses the function it returns (``conv.reader(2)``).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


class Lazy:
    __slots__ = ("module", "name", "args", "_target")

    def __init__(self, module: str, name: str, *args: Any) -> None:
        self.module, self.name, self.args = module, name, args
        self._target: Callable[..., Any] | None = None

    def target(self) -> Callable[..., Any]:
        if self._target is None:
            found = getattr(import_module(self.module), self.name)
            self._target = found(*self.args) if self.args else found
        return self._target

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.target()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"lazy({self.module}.{self.name}{self.args or ''})"


def lazy(module: str, name: str, *args: Any) -> Lazy:
    return Lazy(module, name, *args)
