"""events.attach: a frame looks only at its own sentence's places and times."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from extractors.events.attach import PLACE_CONFIDENCE, ByOffset, load_place_confidence


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


def test_place_confidence_table_is_checked():
    assert PLACE_CONFIDENCE.of("clause", stand_in=False) > PLACE_CONFIDENCE.of(
        "document", stand_in=True
    )
    assert (
        PLACE_CONFIDENCE.of("document", stand_in=False) == PLACE_CONFIDENCE.sources["setting_tied"]
    )
    with pytest.raises(ValueError, match="place_confidence.toml"):
        load_place_confidence("[sources]\nclause = 0.8\n")
    bad = "[sources]\n" + "\n".join(
        f"{k} = {1.5 if k == 'clause' else 0.5}"
        for k in ("clause", "sentence", "dateline", "title", "setting_tied", "setting")
    )
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        load_place_confidence(bad)
