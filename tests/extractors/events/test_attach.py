"""events.attach: a frame looks only at its own sentence's places and times."""

from __future__ import annotations

from dataclasses import dataclass

from extractors.events.attach import ByOffset


@dataclass(frozen=True)
class Item:
    start: int
    name: str


def test_within_gives_the_items_that_start_in_the_span_in_their_own_order():
    # Not sorted by offset on purpose: the index must not reorder what it returns.
    items = [Item(50, "c"), Item(10, "a"), Item(30, "b"), Item(30, "b2"), Item(70, "d")]
    index = ByOffset(items)
    assert [i.name for i in index.within(10, 51)] == ["c", "a", "b", "b2"]
    assert [i.name for i in index.within(30, 31)] == ["b", "b2"]
    assert index.within(11, 30) == []
    assert [i.name for i in index.within(0, 1000)] == ["c", "a", "b", "b2", "d"]
    assert ByOffset([]).within(0, 10) == []
