"""Dates stage: the story's own dates: clock times of the lead, explicit dates, and the news
peg (`lead_date`) that dates the lead's undated events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable

from spacy.tokens import Doc, Token

from extractors.dates.detect import Timex, normalize_timex
from extractors.dates.vocabulary import WEEKDAY_NAMES
from extractors.nlp import (
    children,
    doc_cache_key,
    doc_sents,
)
from extractors.nlp import head as head_of

POINT_TYPES = frozenset({"DATE", "TIME"})


# The lead: news states its main event in the first sentences.
LEAD_SENTENCES = 5


_CLOCK = re.compile(
    r"(?<![\w.:])\d{1,2}(?:[.:]\d{2})?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)"
    r"(?:\s+(?:local time|GMT|BST|UTC))?"
    rf"(?:,?\s+(?:on\s+)?(?:(?:last\s+|this\s+)?(?:{WEEKDAY_NAMES})|today|yesterday))?",
    re.IGNORECASE,
)


# What makes a date explicit: a weekday, a month, a number, or today/yesterday/tonight.
_EXPLICIT = re.compile(
    rf"\b(?:{WEEKDAY_NAMES}|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|"
    r"february|march|april|june|july|august|september|october|november|december|today|"
    r"yesterday|tonight|overnight)\b|\d",
    re.IGNORECASE,
)


def with_clock_times(text: str, times: list[Timex], published: dt.date | None) -> list[Timex]:
    """`times` plus the clock times the recognizer missed ("at 6.13am today", "around
    11:30pm local time"), each read on the day it names, else on the story's day (the
    latest day-level date before it), else the publication date.

    A clock time joined to a day ("6:10am on Wednesday") becomes one expression, replacing
    the day's.
    """
    out = list(times)
    for match in _CLOCK.finditer(text):
        start, end = match.span()
        inside = [t for t in out if overlaps(t.start, t.end, start, end)]
        if any(t.start <= start and end <= t.end for t in inside):
            continue  # already found
        if any(t.start < start or t.end > end for t in inside):
            continue  # overlaps a longer expression: leave it as the recognizer read it
        before = [
            t.value
            for t in out
            if t.end <= start and t.type == "DATE" and t.value and t.granularity == "day"
        ]
        timex = normalize_timex(
            match.group(), anchor=published, reference=before[-1] if before else None
        )
        if timex.value is None or timex.type != "TIME":
            continue
        found = dataclasses.replace(timex, start=start, end=end)
        out = [t for t in out if t not in inside] + [found]
    out.sort(key=lambda t: (t.start, t.end))
    return out


_BARE_NUMBERS = re.compile(r"[\d\s]+")


def is_explicit(timex: Timex) -> bool:
    """A date the text states (a weekday, a month, a number, "today"), not one inferred
    from a phrase ("the morning", "election day")."""
    return bool(_EXPLICIT.search(timex.text)) and timex.rule not in {"holiday"}


def lead_date(
    doc: Doc, times: list[Timex], *, published: dt.date | None, sentences: int = LEAD_SENTENCES
) -> Timex | None:
    """The news peg: the first explicit day-level date or clock time within a week before
    publication of the lead (its first `sentences` sentences), else of the whole text (a
    story whose lead names no day states it further down: "the crash happened at 6.10am").
    A date a continuing state runs since ("have protested since Wednesday") is background,
    never the peg.

    Without a publication date the lead's first explicit day ("Nov. 2", "Thursday
    morning") is the peg, unresolved (XXXX-11-02); nothing then tells a day further down
    from background, so the rest of the text is not searched.
    """
    sents = doc_sents(doc)
    if not sents:
        return None
    lead_end = sents[min(sentences, len(sents)) - 1].end_char
    in_lead = [t for t in times if t.start < lead_end]
    if published is None:
        return next((t for t in in_lead if _names_a_day(t)), None)
    pegs = [t for t in times if not _bounds_a_state(doc, t)]
    in_lead = [t for t in pegs if t.start < lead_end]
    return first_recent(in_lead, published) or first_recent(pegs, published)


def _bounds_a_state(doc: Doc, timex: Timex) -> bool:
    """Whether the date is where a continuing state starts ("have protested since his
    victory was confirmed on Wednesday", "have been closed since Monday"): it dates the
    background, not the news."""
    found = timex_tokens(doc, timex)
    if found is None:
        return False
    start, end, token = found
    for _ in range(6):
        if token.pos_ in {"VERB", "AUX"}:
            return any(c.dep_ == "mark" and c.lower_ == "since" for c in children(token))
        if token.lower_ == "since" and not start <= token.i < end:
            return True
        head = head_of(token)
        if head.i == token.i:
            return False
        token = head
    return False


# A TIMEX3 value of one day or a time of day, resolved or not: 2016-11-02, XXXX-11-02,
# XXXX-WXX-4, XXXX-WXX-4TMO.
_DAY_VALUE = re.compile(r"(?:\d{4}|XXXX)-(?:\d{2}-\d{2}|WXX-\d)(?:T.*)?")


def _names_a_day(timex: Timex) -> bool:
    """An explicit expression of one day, or a time on it ("Nov. 2", "Thursday morning")."""
    return (
        timex.type in POINT_TYPES
        and timex.value is not None
        and _DAY_VALUE.fullmatch(timex.value) is not None
        and is_explicit(timex)
        and not _BARE_NUMBERS.fullmatch(timex.text)
    )


def first_recent(times: Iterable[Timex], published: dt.date) -> Timex | None:
    for timex in times:
        if timex.type not in POINT_TYPES or timex.start_date is None or timex.end_date is None:
            continue
        if (timex.end_date - timex.start_date).days > 1:
            continue  # "this year", "last month": too coarse to date an event
        if not is_explicit(timex) or _BARE_NUMBERS.fullmatch(timex.text):
            continue  # "11 11" ("1 of 11" on a slideshow) is a count, not a stated day
        if published - dt.timedelta(days=7) <= timex.start_date <= published:
            return timex
    return None


_TIMEX_TOKENS_KEY = doc_cache_key("timex_tokens")


def timex_tokens(doc: Doc, timex: Timex) -> tuple[int, int, Token] | None:
    """(start, end, root) of the tokens a time expression covers, found once per Doc: every
    frame of its sentence asks (see `_inside_noun_phrase`)."""
    cache = doc.user_data.get(_TIMEX_TOKENS_KEY)
    if cache is None:
        cache = doc.user_data[_TIMEX_TOKENS_KEY] = {}
    key = (timex.start, timex.end)
    if key not in cache:
        span = doc.char_span(timex.start, timex.end, alignment_mode="expand")
        cache[key] = None if span is None else (span.start, span.end, span.root)
    return cache[key]


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Whether two half-open character spans share a character."""
    return a_start < b_end and b_start < a_end
