"""Dates stage: what a date rule reads against and returns (`Context`, `Reading`), the
handler registry the rule table names, and the calendar interval of any TIMEX3 value.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from extractors.dates.vocabulary import SEASON_MONTHS

Date = dt.date

# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Reference:
    """An earlier resolved expression in the document ("previous" anchoring)."""

    value: str  # a resolved DATE value, e.g. 1998-08-07, 1989-Q3, 1998
    start: Date


@dataclass(frozen=True, slots=True)
class Context:
    """What a relative expression is resolved against.

    Attributes:
        anchor: publication date, or None when unknown (relative values stay XXXX).
        tense: "past" | "present" | "future" of the governing verb.
        reference: the last resolved date in the document, for "that day", "a year earlier".
        quarter: the fiscal quarter the document is talking about, as (year, q), for
            "the quarter", "the year-ago period"; None = last completed quarter.
    """

    anchor: Date | None
    tense: str = "past"
    reference: Reference | None = None
    quarter: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """One normalization result."""

    type: str  # DATE | TIME | DURATION | SET
    value: str | None
    rule: str
    anchor: str = "none"  # publication | previous | none

    @property
    def resolved(self) -> bool:
        """False when a relative expression could not be anchored (XXXX left in it)."""
        return self.value is not None and not self.value.startswith("XXXX")


# --------------------------------------------------------------------------- rules

Rule = Callable[[re.Match[str], Context], Reading | None]
# Handlers by name, for configs/dates/rules.toml: each rule there names its pattern and the
# handler that turns a match into a value.
HANDLERS: dict[str, Rule] = {}


def handler(fn: Rule) -> Rule:
    """Register a rule handler under its name (without the leading underscore)."""
    HANDLERS[fn.__name__.lstrip("_")] = fn
    return fn


# The whole rule table's reader, set by extractors.dates.rules once the table is loaded:
# handlers read a part of their expression with it ("March 3" of "March 3 at 5 p.m.").
_READER: list[Callable[[str, Context], Reading | None]] = []


def read_part(text: str, ctx: Context) -> Reading | None:
    """A part of an expression read by the whole rule table (see rules.read)."""
    return _READER[0](text, ctx)


def _pub(value: str, rule_name: str, type_: str = "DATE") -> Reading:
    return Reading(type_, value, rule_name, "publication")


def _none(value: str, rule_name: str, type_: str = "DATE") -> Reading:
    return Reading(type_, value, rule_name, "none")


# --------------------------------------------------------------------------- intervals

_GRAN_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\d{4}-\d\d-\d\dT.+"), "time"),
    (re.compile(r"\d{4}-\d\d-\d\d"), "day"),
    (re.compile(r"\d{4}-W\d\d(-WE)?"), "week"),
    (re.compile(r"\d{4}-\d\d"), "month"),
    (re.compile(r"\d{4}-[QH]\d"), "quarter"),
    (re.compile(r"\d{4}-(SP|SU|FA|WI)"), "season"),
    (re.compile(r"\d{4}"), "year"),
    (re.compile(r"\d{3}X?"), "decade"),
    (re.compile(r"\d{2}(XX)?"), "century"),
]


def granularity_of(value: str | None) -> str | None:
    """Granularity implied by the shape of a resolved TIMEX3 value (None if unresolved)."""
    if not value:
        return None
    for pattern, gran in _GRAN_PATTERNS:
        if pattern.fullmatch(value):
            return gran
    return None


def value_interval(value: str | None) -> tuple[Date | None, Date | None, str | None]:
    """(first day, last day, granularity) covered by a resolved DATE/TIME value."""
    gran = granularity_of(value)
    if gran is None or value is None:
        return None, None, None
    try:
        if gran in ("day", "time"):
            d = Date.fromisoformat(value[:10])
            return d, d, gran
        if gran == "week":
            y, w = int(value[:4]), int(value[6:8])
            mon = Date.fromisocalendar(y, w, 1)
            if value.endswith("-WE"):
                return mon + dt.timedelta(days=5), mon + dt.timedelta(days=6), gran
            return mon, mon + dt.timedelta(days=6), gran
        if gran == "month":
            y, m = int(value[:4]), int(value[5:7])
            if not 1 <= m <= 12:
                return None, None, None
            return Date(y, m, 1), Date(y, m, calendar.monthrange(y, m)[1]), gran
        if gran == "quarter":
            y, n = int(value[:4]), int(value[6])
            months = 3 if value[5] == "Q" else 6
            if not 1 <= n <= 12 // months:
                return None, None, None
            first = (n - 1) * months + 1
            last = first + months - 1
            return Date(y, first, 1), Date(y, last, calendar.monthrange(y, last)[1]), gran
        if gran == "season":
            y = int(value[:4])
            a, b = SEASON_MONTHS[value[5:]]
            end_year = y + 1 if b < a else y
            return Date(y, a, 1), Date(end_year, b, calendar.monthrange(end_year, b)[1]), gran
        if gran == "year":
            y = int(value)
            return Date(y, 1, 1), Date(y, 12, 31), gran
        if gran == "decade":
            y = int(value[:3]) * 10
            return Date(max(y, 1), 1, 1), Date(y + 9, 12, 31), gran
        if gran == "century":
            y = int(value[:2]) * 100
            return Date(max(y, 1), 1, 1), Date(y + 99, 12, 31), gran
    except ValueError:
        return None, None, None
    return None, None, None
