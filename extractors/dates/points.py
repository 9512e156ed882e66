"""Dates stage: rule handlers for points in time: references to now, days relative to the
publication date, sets, clock times, weekdays, calendar dates and holidays.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
from collections.abc import Callable
from importlib import resources
from typing import Any

from dateutil.easter import easter

from extractors.dates.arithmetic import (
    _day,
    _iso_week,
    _month,
    _parse_day,
    _parse_year,
    _unit_of,
    _valid,
    _weekday,
    _weekday_date,
    _year_for,
    duration_value,
    parse_number,
)
from extractors.dates.values import (
    Context,
    Reading,
    _none,
    _pub,
    granularity_of,
    handler,
    read_part,
    value_interval,
)
from extractors.dates.vocabulary import CLOCK_WORDS, DAYPARTS, SEASONS, WEEKDAYS
from extractors.lexicons import words

Date = dt.date

# -- references to the present / past / future --------------------------------------

_PRESENT = words("dates", "present")
_PAST = words("dates", "past")
_FUTURE = words("dates", "future")


@handler
def _refs(m: re.Match[str], ctx: Context) -> Reading | None:
    s = m.group(1)
    if s in _PRESENT:
        return _none("PRESENT_REF", "present_ref")
    if s in _PAST:
        return _none("PAST_REF", "past_ref")
    if s in _FUTURE:
        return _none("FUTURE_REF", "future_ref")
    return None


# -- today / yesterday / tomorrow ----------------------------------------------------

_REL_DAY = {
    "today": 0,
    "this day": 0,
    "tonight": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "the day before yesterday": -2,
    "the day after tomorrow": 2,
    "last night": -1,
    "the previous night": -1,
    "overnight": 0,
}
_PART_RE = (
    r"(?:(morning|afternoon|mid afternoon|midafternoon|evening|night|overnight)|(noon|midday|midn"
    r"ight))"
)


def _rel_day(word: str, ctx: Context) -> Date | None:
    return None if ctx.anchor is None else ctx.anchor + dt.timedelta(days=_REL_DAY[word])


@handler
def _today(m: re.Match[str], ctx: Context) -> Reading | None:
    word = m.group(1)
    d = _rel_day(word, ctx)
    part = "NI" if word in ("tonight", "last night", "the previous night", "overnight") else ""
    if d is None:
        return _none("XXXX-XX-XX" + (f"T{part}" if part else ""), "relative_day")
    if part:
        return _pub(f"{_day(d)}T{part}", "relative_day", "TIME")
    return _pub(_day(d), "relative_day")


@handler
def _this_morning(m: re.Match[str], ctx: Context) -> Reading | None:
    word = {"this": "today"}.get(m.group(1), m.group(1))
    d = _rel_day(word, ctx)
    return _with_part(d, m.group(2), m.group(3), "relative_daypart")


@handler
def _morning_yesterday(m: re.Match[str], ctx: Context) -> Reading | None:
    return _with_part(_rel_day(m.group(3), ctx), m.group(1), m.group(2), "relative_daypart")


def _with_part(d: Date | None, part: str | None, clock: str | None, rule_name: str) -> Reading:
    base = "XXXX-XX-XX" if d is None else _day(d)
    suffix = f"T{DAYPARTS[part]}" if part else f"T{CLOCK_WORDS[clock or 'noon']}"
    mk = _none if d is None else _pub
    return mk(base + suffix, rule_name, "TIME")


@handler
def _bare_daypart(m: re.Match[str], ctx: Context) -> Reading | None:
    if ctx.reference is not None and len(ctx.reference.value) == 10:
        return Reading(
            "TIME", f"{ctx.reference.value}T{DAYPARTS[m.group(1)]}", "daypart", "previous"
        )
    return _with_part(ctx.anchor, m.group(1), None, "daypart")


# -- sets ----------------------------------------------------------------------------

_ADVERB_SETS = {
    "daily": "P1D",
    "nightly": "P1D",
    "weekly": "P1W",
    "biweekly": "P2W",
    "monthly": "P1M",
    "quarterly": "P3M",
    "yearly": "P1Y",
    "annually": "P1Y",
    "annual": "P1Y",
    "hourly": "PT1H",
    "semiannually": "P6M",
    "every day": "P1D",
    "each day": "P1D",
    "day after day": "P1D",
    "year after year": "P1Y",
    "every other day": "P2D",
    "every other week": "P2W",
    "every other year": "P2Y",
}


@handler
def _set_adverb(m: re.Match[str], ctx: Context) -> Reading | None:
    return _none(_ADVERB_SETS[m.group(1)], "set", "SET")


@handler
def _set_unit(m: re.Match[str], ctx: Context) -> Reading | None:
    unit = _unit_of(m.group(2))
    if unit is None:
        return None
    n = parse_number(m.group(1)) if m.group(1) else 1.0
    return _none(duration_value(n or 1.0, unit), "set", "SET")


@handler
def _set_weekday(m: re.Match[str], ctx: Context) -> Reading | None:
    part = f"T{DAYPARTS[m.group(2)]}" if m.group(2) else ""
    return _none(f"XXXX-WXX-{_weekday(m.group(1)) + 1}{part}", "set", "SET")


@handler
def _set_weekday_plural(m: re.Match[str], ctx: Context) -> Reading | None:
    part = f"T{DAYPARTS[m.group(2)]}" if m.group(2) else ""
    return _none(f"XXXX-WXX-{_weekday(m.group(1)) + 1}{part}", "set", "SET")


@handler
def _set_weekday_parts(m: re.Match[str], ctx: Context) -> Reading | None:
    return _none(f"XXXX-WXX-{_weekday(m.group(1)) + 1}T{DAYPARTS[m.group(2)]}", "set", "SET")


@handler
def _set_month(m: re.Match[str], ctx: Context) -> Reading | None:
    return _none(f"XXXX-{_month(m.group(1)):02d}", "set", "SET")


@handler
def _set_season(m: re.Match[str], ctx: Context) -> Reading | None:
    return _none(f"XXXX-{SEASONS[m.group(1) or m.group(2)]}", "set", "SET")


# -- clock times ----------------------------------------------------------------------

_CLOCK_RE = (
    r"(?:(?:at|around|about|approximately|shortly after|shortly before|just after|just before"
    r"|after|before|until|by|since|from) )?"
    r"(?:(\d{1,2})(?:[:.](\d\d))? ?(a\.?m\.?|p\.?m\.?|o'clock)|(\d{1,2}):(\d\d)|(noon|midday|midn"
    r"ight)"
    r"|(\d{1,2}) in the (morning|afternoon|evening))"
    r"(?: (?:[a-z]{1,2}[sd]t|gmt|utc|local time|et|pt|ct))?"
)


def _clock(m: re.Match[str], base: int = 0) -> str | None:
    g = m.groups()[base : base + 8]
    if g[0]:
        h = int(g[0])
        mins = int(g[1]) if g[1] else 0
        ampm = g[2].replace(".", "")
        if h > 12 or mins > 59:
            return None
        if ampm == "pm" and h != 12:
            h += 12
        elif ampm == "am" and h == 12:
            h = 0
        return f"{h:02d}:{mins:02d}"
    if g[3]:
        h, mins = int(g[3]), int(g[4])
        return f"{h:02d}:{mins:02d}" if h <= 24 and mins <= 59 else None
    if g[5]:
        return CLOCK_WORDS[g[5]]
    if g[6]:
        h = int(g[6])
        if g[7] in ("afternoon", "evening") and h < 12:
            h += 12
        return f"{h:02d}:00" if h <= 24 else None
    return None


@handler
def _clock_time(m: re.Match[str], ctx: Context) -> Reading | None:
    hhmm = _clock(m)
    if hhmm is None:
        return None
    rest = m.group(9)
    if rest:
        inner = read_part(rest, ctx)
        if (
            inner is None
            or inner.value is None
            or not re.fullmatch(r"(\d{4}|XXXX)-\d\d-\d\d|XXXX-XX-XX|XXXX-WXX-\d", inner.value)
        ):
            return None
        return Reading("TIME", f"{inner.value}T{hhmm}", "clock+" + inner.rule, inner.anchor)
    if ctx.reference is not None and granularity_of(ctx.reference.value) == "day":
        # A bare clock time belongs to the day the story is telling ("at 10 p.m.").
        return Reading("TIME", f"{ctx.reference.value}T{hhmm}", "clock", "previous")
    if ctx.anchor is None:
        return _none(f"XXXX-XX-XXT{hhmm}", "clock", "TIME")
    return _pub(f"{_day(ctx.anchor)}T{hhmm}", "clock", "TIME")


@handler
def _date_then_clock(m: re.Match[str], ctx: Context) -> Reading | None:
    hhmm = _clock(m, 1)
    inner = read_part(m.group(1), ctx)
    if hhmm is None or inner is None or inner.value is None:
        return None
    if not re.fullmatch(r"(\d{4}|XXXX)-\d\d-\d\d|XXXX-XX-XX|XXXX-WXX-\d", inner.value):
        return None
    return Reading("TIME", f"{inner.value}T{hhmm}", inner.rule + "+clock", inner.anchor)


# -- weekdays ---------------------------------------------------------------------------

_WD_PREFIX = (
    r"(?:(this coming|this past|this|last|next|coming|the previous|the following"
    r"|the next|past|previous|following|early|late|earlier|later|by|until|since|on|from"
    r"|as of|before|after) )?"
)


def _weekday_reading(
    prefix: str | None, wd: int, ctx: Context, rule_name: str
) -> tuple[str, str] | None:
    """(value, anchor kind) for a weekday with an optional relation word."""
    prefix = (prefix or "").strip()
    if prefix in ("the previous", "the following", "the next") and ctx.reference is not None:
        ref = ctx.reference.start
        d = _weekday_date(ref, wd, "before" if prefix == "the previous" else "after")
        return _day(d), "previous"
    a = ctx.anchor
    if a is None:
        return f"XXXX-WXX-{wd + 1}", "none"
    if prefix in ("last", "this past", "past", "previous", "the previous"):
        d = _weekday_date(a, wd, "before")
    elif prefix in ("next", "this coming", "coming", "the following", "the next"):
        d = _weekday_date(a, wd, "after")
    elif prefix in ("since", "after") or ctx.tense == "past":
        d = _weekday_date(a, wd, "past")
    elif prefix in ("until", "by", "before") or ctx.tense == "future":
        d = _weekday_date(a, wd, "future")
    else:
        d = _weekday_date(a, wd, "future" if ctx.tense == "future" else "past")
    return _day(d), "publication"


@handler
def _weekday_rule(m: re.Match[str], ctx: Context) -> Reading | None:
    wd = _weekday(m.group(2))
    value, anchor = _weekday_reading(m.group(1), wd, ctx, "weekday")  # type: ignore[misc]
    return Reading("DATE", value, f"weekday_{ctx.tense}", anchor)


@handler
def _weekday_part(m: re.Match[str], ctx: Context) -> Reading | None:
    value, anchor = _weekday_reading(m.group(1), _weekday(m.group(2)), ctx, "weekday")  # type: ignore[misc]
    suffix = f"T{DAYPARTS[m.group(3)]}" if m.group(3) else f"T{CLOCK_WORDS[m.group(4)]}"
    return Reading("TIME", value + suffix, f"weekday_{ctx.tense}+part", anchor)


@handler
def _part_weekday(m: re.Match[str], ctx: Context) -> Reading | None:
    value, anchor = _weekday_reading(m.group(3), _weekday(m.group(4)), ctx, "weekday")  # type: ignore[misc]
    suffix = f"T{DAYPARTS[m.group(1)]}" if m.group(1) else f"T{CLOCK_WORDS[m.group(2)]}"
    return Reading("TIME", value + suffix, f"weekday_{ctx.tense}+part", anchor)


# -- calendar dates -------------------------------------------------------------------

_YEAR_RE = (
    r"(?:\d{4}|'\d\d|(?:the year )?(?:(?:nineteen|twenty|eighteen) [a-z ]+|two thousand(?: and)?("
    r"?: [a-z]+)*))"
)


def _date_reading(
    y: int | None, mo: int, d: int | None, ctx: Context, rule_name: str, weekday: int | None = None
) -> Reading | None:
    """A month(-day) with an explicit or inferred year."""
    if d is not None and not _valid(y or 2000, mo, d):
        return None
    anchor = "none"
    if y is None:
        if weekday is not None and d is not None and ctx.anchor is not None:
            # "Friday, Oct. 23": the weekday picks the year among the nearby ones.
            for cand in (ctx.anchor.year, ctx.anchor.year - 1, ctx.anchor.year + 1):
                if _valid(cand, mo, d) and Date(cand, mo, d).weekday() == weekday:
                    y = cand
                    break
        if y is None:
            y = _year_for(mo, d, ctx)
        if y is None:
            return _none(f"XXXX-{mo:02d}" + (f"-{d:02d}" if d else ""), rule_name)
        anchor = "publication"
        rule_name += f"_{ctx.tense}"
    if d is None:
        return Reading("DATE", f"{y:04d}-{mo:02d}", rule_name, anchor)
    if not _valid(y, mo, d):
        return None
    return Reading("DATE", f"{y:04d}-{mo:02d}-{d:02d}", rule_name, anchor)


_DATE_PREFIX = (
    r"(?:(?:on|by|until|till|through|since|from|as of|before|after|around|about|early|late|mid|th"
    r"e end of|the beginning of|the start of|the middle of|the first days of) )?"
)


@handler
def _month_day(m: re.Match[str], ctx: Context) -> Reading | None:
    return _calendar_reading(m, ctx, weekday=1, month=2, day=3, year=4)


def _calendar_reading(
    m: re.Match[str], ctx: Context, *, weekday: int, month: int, day: int, year: int
) -> Reading | None:
    """A written calendar date whose parts sit in the given regex groups."""
    day_number = _parse_day(m.group(day))
    if day_number is None:
        return None
    y = _parse_year(m.group(year)) if m.group(year) else None
    if m.group(year) and y is None:
        return None
    wd = _weekday(m.group(weekday)) if m.group(weekday) else None
    rule_name = "month_day" if y is None else "calendar_date"
    return _date_reading(y, _month(m.group(month)), day_number, ctx, rule_name, wd)


@handler
def _day_month(m: re.Match[str], ctx: Context) -> Reading | None:
    return _calendar_reading(m, ctx, weekday=1, month=3, day=2, year=4)


@handler
def _numeric_date(m: re.Match[str], ctx: Context) -> Reading | None:
    if m.group(1):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        # US newswire convention: month first.
        mo, d, y = int(m.group(4)), int(m.group(5)), int(m.group(6))
        if y < 100:
            y += 1900 if y >= 30 else 2000
        if mo > 12 >= d:
            mo, d = d, mo
    if not _valid(y, mo, d):
        return None
    return _none(f"{y:04d}-{mo:02d}-{d:02d}", "numeric_date")


_PART_OF = (
    r"(?:(?:(?:the )?(?:early|mid|middle|late|end|start|beginning|first half|second half"
    r"|latter half|last half|first part|latter part|remainder|rest|balance|course|close)"
    r"(?: part)? (?:of )?(?:the )?|(?:earlier|later|early|late|mid|through|throughout) (?"
    r":in )?"
    r"(?:the )?|(?:in|during|by|until|since|from|before|after|as of|as early as|as late a"
    r"s|around|about) ))?"
)


@handler
def _month_year(m: re.Match[str], ctx: Context) -> Reading | None:
    y = _parse_year(m.group(2))
    if y is None:
        return None
    return _none(f"{y:04d}-{_month(m.group(1)):02d}", "month_year")


@handler
def _month_rel_year(m: re.Match[str], ctx: Context) -> Reading | None:
    mo = _month(m.group(1))
    if ctx.anchor is None:
        return _none(f"XXXX-{mo:02d}", "month_rel_year")
    y = ctx.anchor.year + {"this": 0, "last": -1, "next": 1}[m.group(2)]
    return _pub(f"{y:04d}-{mo:02d}", "month_rel_year")


@handler
def _month_alone(m: re.Match[str], ctx: Context) -> Reading | None:
    rel, mo = m.group(1), _month(m.group(2))
    if rel in ("the previous", "the following", "that") and ctx.reference is not None:
        ref = ctx.reference.start
        y = ref.year
        if rel == "the previous" and mo >= ref.month:
            y -= 1
        elif rel == "the following" and mo <= ref.month:
            y += 1
        return Reading("DATE", f"{y:04d}-{mo:02d}", "month_previous", "previous")
    a = ctx.anchor
    if a is None:
        return _none(f"XXXX-{mo:02d}", "month")
    if rel in ("last", "this past", "the previous"):
        y = a.year if mo < a.month else a.year - 1
    elif rel in ("next", "this coming", "the following"):
        y = a.year if mo > a.month else a.year + 1
    elif rel == "this":
        y = a.year
    else:
        y = _year_for(mo, None, ctx) or a.year
    return _pub(f"{y:04d}-{mo:02d}", f"month_{rel or ctx.tense}")


@handler
def _week_of(m: re.Match[str], ctx: Context) -> Reading | None:
    inner = read_part(m.group(1), ctx)
    if inner is None or inner.value is None:
        return None
    first, _, gran = value_interval(inner.value)
    if first is None or gran != "day":
        return None
    return Reading("DATE", _iso_week(first), "week_of", inner.anchor)


@handler
def _part_of(m: re.Match[str], ctx: Context) -> Reading | None:
    inner = read_part(m.group(1), ctx)
    if inner is None or inner.type not in ("DATE", "TIME"):
        return None
    return inner


@handler
def _bare_day(m: re.Match[str], ctx: Context) -> Reading | None:
    # Only the second half of "April 24 and 25": the month comes from the previous date.
    ref = ctx.reference
    if ref is None or granularity_of(ref.value) != "day":
        return None
    d = int(m.group(1))
    if not _valid(ref.start.year, ref.start.month, d) or d <= ref.start.day:
        return None
    return Reading("DATE", f"{ref.value[:8]}{d:02d}", "day_of_previous_month", "previous")


# -- holidays ---------------------------------------------------------------------------


def _nth_weekday(y: int, mo: int, wd: int, n: int) -> Date:
    if n > 0:
        first = Date(y, mo, 1)
        return first + dt.timedelta(days=(wd - first.weekday()) % 7 + 7 * (n - 1))
    last = Date(y, mo, calendar.monthrange(y, mo)[1])
    return last - dt.timedelta(days=(last.weekday() - wd) % 7)


def _holiday_day(row: dict[str, Any]) -> Callable[[int], Date]:
    """The day of one holiday of configs/dates/holidays.toml, as a function of the year."""
    if "easter_offset" in row:
        days = dt.timedelta(days=row["easter_offset"])
        return lambda y: easter(y) + days
    month = row["month"]
    if "day" in row:
        day = row["day"]
        return lambda y: Date(y, month, day)
    weekday, nth = WEEKDAYS[row["weekday"]], row["nth"]
    offset = dt.timedelta(days=row.get("offset", 0))
    return lambda y: _nth_weekday(y, month, weekday, nth) + offset


def load_holidays(text: str | None = None) -> dict[str, Callable[[int], Date]]:
    """Holiday name -> its day in a given year, from configs/dates/holidays.toml.

    Raises:
        ValueError: a holiday without names, or neither a fixed day, an nth weekday nor an
            Easter offset.
    """
    if text is None:
        text = resources.files("configs").joinpath("dates", "holidays.toml").read_text("utf-8")
    out: dict[str, Callable[[int], Date]] = {}
    for row in tomllib.loads(text).get("holiday", []):
        kinds = [
            "easter_offset" in row,
            {"month", "day"} <= row.keys(),
            {"month", "weekday", "nth"} <= row.keys() and row.get("weekday") in WEEKDAYS,
        ]
        if not row.get("names") or sum(kinds) != 1:
            raise ValueError(
                f"dates/holidays.toml: {row!r} needs names and one of: month and day; month, "
                "weekday and nth; easter_offset"
            )
        day_of = _holiday_day(row)
        for name in row["names"]:
            out[name] = day_of
    return out


HOLIDAYS = load_holidays()
_HOLIDAY_RE = "|".join(sorted((re.escape(k) for k in HOLIDAYS), key=len, reverse=True))


@handler
def _holiday(m: re.Match[str], ctx: Context) -> Reading | None:
    fn = HOLIDAYS[m.group(2)]
    if m.group(3):
        y = _parse_year(m.group(3))
        return None if y is None else _none(_day(fn(y)), "holiday")
    a = ctx.anchor
    if a is None:
        return _none("XXXX-XX-XX", "holiday")
    rel = m.group(1)
    this_year = fn(a.year)
    if rel in ("last", "this past") or (rel is None and ctx.tense == "past"):
        d = this_year if this_year <= a and rel is None or this_year < a else fn(a.year - 1)
    elif rel in ("next", "this coming") or ctx.tense == "future":
        d = this_year if this_year >= a else fn(a.year + 1)
    else:
        d = this_year
    return _pub(_day(d), "holiday")


@handler
def _holiday_week(m: re.Match[str], ctx: Context) -> Reading | None:
    if ctx.anchor is None:
        return _none("XXXX-WXX", "holiday")
    fn = HOLIDAYS[m.group(1)]
    d = fn(ctx.anchor.year)
    if ctx.tense == "past" and d > ctx.anchor + dt.timedelta(days=7):
        d = fn(ctx.anchor.year - 1)
    return _pub(_iso_week(d), "holiday")
