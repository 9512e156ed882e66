"""Places stage: datelines found after page furniture ("Photo LONDON --"), their extent in
the text, and the place a dateline names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.dateline import INLINE_DATELINE, LEADING_DATELINE
from extractors.places.names import Place, Toponym
from extractors.places.resolve import PlaceResolver
from extractors.records import (
    Article,
)


def dateline_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of datelines after page furniture ("Photo LONDON -- The peaks ...").

    The place is written in capitals and followed by a dash, optionally with its region or
    a wire service in between ("SAO PAULO (AP) --"); only the start of the text is searched.
    """
    for match in INLINE_DATELINE.finditer(text[:DATELINE_WINDOW]):
        yield match.start("place"), match.end("place")


DATELINE_WINDOW = 1500


def dateline_extent(text: str, place_start: int) -> tuple[int, int]:
    """Character offsets of the dateline whose place name starts at `place_start`: from
    the place to after its dash ("NAIROBI, Kenya (AP) — "), with the region or date and the
    wire service between; the place name's first word when no dateline pattern matches."""
    match = LEADING_DATELINE.match(text)
    if match is None or match.start("place") != place_start:
        match = INLINE_DATELINE.match(text, place_start)
    if match is not None:
        return place_start, match.end()
    word = re.match(r"\S+", text[place_start:])
    return place_start, place_start + (word.end() if word else 0)


def inline_dateline(text: str, toponyms: list[Toponym], *, places: PlaceResolver) -> Toponym | None:
    """The first dateline after page furniture that resolves to a place."""
    for start, end in dateline_spans(text):
        if len(text[start:end].replace(".", "")) < 3:
            continue
        known = next((t for t in toponyms if t.start == start and t.end == end), None)
        if known is not None and known.place is not None:
            return known
        [place] = places.resolve_spans(text, [(start, end)])
        if place is not None:
            return Toponym(start, end, text[start:end], "GPE", place, False, 1.0)
    return None


def dateline_place(
    article: Article, toponyms: list[Toponym], *, places: PlaceResolver
) -> Place | None:
    """The place of the dateline ingest found at the start of the text, if it resolves."""
    if article.dateline_start_char is None or article.dateline_end_char is None:
        return None
    for toponym in toponyms:
        if toponym.start == article.dateline_start_char and toponym.place is not None:
            return toponym.place
    [place] = places.resolve_spans(
        article.text, [(article.dateline_start_char, article.dateline_end_char)]
    )
    return place
