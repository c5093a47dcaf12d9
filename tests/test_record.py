"""``@record`` behaves as ``@dataclass(frozen=True)`` (solgen/record.py): each check runs the same
operations on a record and on the equivalent dataclass and compares what they do."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from solgen.record import record


def pair(body: Any, annotations: dict[str, str]) -> tuple[type, type]:
    """The same class body (a function giving a fresh dict) as a record and as a dataclass."""
    def make(name: str) -> type:
        return type(name, (), {"__annotations__": dict(annotations), "__module__": __name__,
                               "__qualname__": name, **body()})
    return record(make("Point")), dataclass(frozen=True)(make("Point"))


FIELDS = {"x": "int", "label": "str", "tags": "list[str]"}
def BODY() -> dict[str, Any]:
    return {"label": "p", "tags": field(default_factory=list)}


def outcome(fn: Any) -> Any:
    try:
        return ("value", fn())
    except Exception as e:  # the type of error is part of the behaviour
        return ("error", type(e))


CALLS = [((1,), {}), ((1, "q"), {}), ((), {"x": 2, "tags": ["a"]}), ((), {}), ((1, 2, 3, 4), {}),
         ((1,), {"x": 2}), ((1,), {"colour": 3})]


@pytest.mark.parametrize("args,kwargs", CALLS)
def test_construction_repr_and_fields_match_dataclass(args: tuple, kwargs: dict) -> None:
    rec, dc = pair(BODY, FIELDS)
    got, want = outcome(lambda: rec(*args, **kwargs)), outcome(lambda: dc(*args, **kwargs))
    assert got[0] == want[0]
    if got[0] == "error":
        assert got[1] is want[1]
        return
    assert repr(got[1]) == repr(want[1])
    assert dataclasses.asdict(got[1]) == dataclasses.asdict(want[1])
    assert [f.name for f in dataclasses.fields(got[1])] == [f.name for f in dataclasses.fields(want[1])]


def test_frozen_equality_hash_replace_pickle() -> None:
    rec, dc = pair(lambda: {"label": "p"}, {"x": "int", "label": "str"})
    a, b, c = rec(1), rec(1), rec(2)
    assert a == b and a != c and hash(a) == hash(b) == hash(dc(1))
    assert a != dc(1)  # another class is never equal, as between two dataclasses
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.x = 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        del a.label
    assert dataclasses.replace(a, label="z") == rec(1, "z")
    assert dataclasses.is_dataclass(a)
    assert {a, b, c} == {rec(1), rec(2)}


def test_default_factory_gives_each_object_its_own_value() -> None:
    rec, _ = pair(BODY, FIELDS)
    first, second = rec(1), rec(1)
    first.tags.append("t")
    assert second.tags == []


def test_fields_left_out_of_repr_and_comparison() -> None:
    rec, dc = pair(lambda: {"note": field(default="", repr=False, compare=False)}, {"x": "int", "note": "str"})
    assert repr(rec(1, "n")) == repr(dc(1, "n")) == "Point(x=1)"
    assert rec(1, "a") == rec(1, "b") and hash(rec(1, "a")) == hash(rec(1, "b"))


def test_methods_of_the_class_win() -> None:
    rec, dc = pair(lambda: {"__repr__": lambda self: "mine", "__eq__": lambda self, other: True}, {"x": "int"})
    assert repr(rec(1)) == repr(dc(1)) == "mine"
    assert rec(1) == rec(2)
    assert hash(rec(1)) == hash(dc(1))  # dataclass adds a field hash when only __eq__ is the class's


def test_a_record_survives_pickling() -> None:
    from solgen.core.numbers import NumberFormat

    fmt = NumberFormat(4, ".")
    assert pickle.loads(pickle.dumps(fmt)) == fmt
