"""``@record``: a frozen dataclass whose methods are not generated as source code.

``dataclasses.dataclass`` writes ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` of each class as Python source and compiles it
when the module is imported: about 1 ms a class on this machine, some 50 ms of a
seed-sized render, which builds only a handful of objects of most of those classes.
``record`` lets ``dataclass`` collect the fields (so ``fields``, ``replace``, ``asdict``
and ``is_dataclass`` work as usual) and adds generic methods with the same behaviour as
``@dataclass(frozen=True)``: positional or keyword arguments, defaults and
``default_factory``, ``FrozenInstanceError`` on assignment, equality and hashing on the
compared fields, the same ``repr``.  Classes built by the hundred thousand (expression
nodes, graph nodes, equations) stay plain dataclasses: their generated ``__init__`` is
faster per object.  tests/test_record.py checks the behaviour against ``dataclass``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING = dataclasses.MISSING


def record(cls: type[T]) -> type[T]:
    if not cls.__doc__:  # else dataclass writes one from inspect.signature, which is slow
        cls.__doc__ = f"{cls.__name__}: a record."
    dataclasses.dataclass(cls, init=False, repr=False, eq=False)  # fields only: no code compiled
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    init = tuple(f for f in fields if f.init)
    names = tuple(f.name for f in init)
    compared = tuple(f.name for f in fields if f.compare)
    shown = tuple(f.name for f in fields if f.repr)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    post_init = hasattr(cls, "__post_init__")

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}.__init__() takes {len(names) + 1} positional arguments "
                            f"but {len(args) + 1} were given")
        given = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names or key in given:
                raise TypeError(f"{cls.__name__}.__init__() got an unexpected or repeated argument '{key}'")
            given[key] = value
        for f in fields:
            if f.name in given:
                value = given[f.name]
            elif f.default is not _MISSING:
                value = f.default
            elif f.default_factory is not _MISSING:
                value = f.default_factory()
            else:
                raise TypeError(f"{cls.__name__}.__init__() missing required argument: '{f.name}'")
            self.__dict__[f.name] = value  # a record has no slots: its fields live in its __dict__
        if post_init:
            self.__post_init__()

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={self.__dict__[n]!r}" for n in shown)
        return f"{cls.__qualname__}({inner})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        mine, theirs = self.__dict__, other.__dict__
        return all(mine[n] == theirs[n] for n in compared)

    def __hash__(self: Any) -> int:
        return hash(tuple(self.__dict__[n] for n in hashed))

    every = frozenset(f.name for f in fields)

    def __setattr__(self: Any, name: str, value: object) -> None:
        if type(self) is cls or name in every:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field '{name}'")
        object.__setattr__(self, name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in every:
            raise dataclasses.FrozenInstanceError(f"cannot delete field '{name}'")
        object.__delattr__(self, name)

    own = dict(cls.__dict__)  # a method of the class's own wins, as with dataclass
    for fn in (__init__, __repr__, __eq__, __setattr__, __delattr__, __hash__):
        fn.__qualname__ = f"{cls.__qualname__}.{fn.__name__}"
    if "__init__" not in own:
        cls.__init__ = __init__  # type: ignore[misc]
    if "__repr__" not in own:
        cls.__repr__ = __repr__  # type: ignore[method-assign,assignment]
    if "__eq__" not in own:
        cls.__eq__ = __eq__  # type: ignore[method-assign,assignment]
    if "__setattr__" not in own:
        cls.__setattr__ = __setattr__  # type: ignore[method-assign,assignment]
    if "__delattr__" not in own:
        cls.__delattr__ = __delattr__  # type: ignore[method-assign,assignment]
    if own.get("__hash__") is None:  # no hash of its own (or one removed by its __eq__)
        cls.__hash__ = __hash__  # type: ignore[method-assign,assignment]
    cls.__dataclass_params__ = dataclasses._DataclassParams(  # type: ignore[attr-defined]
        True, True, True, False, False, True)
    return cls
