"""Dates stage: pure rules that turn one time-expression string into a TIMEX3 value.

Nothing here needs spaCy.  `read` takes the surface text of a time expression plus a
`Context` (publication date, tense of the governing verb, the last date mentioned in the
document) and returns a `Reading` (type, value, rule name, what it was anchored on).
`value_interval` maps any TIMEX3 value we produce to the calendar interval it covers.

The rules are tried in a fixed order; the first that matches wins.  dateparser is the last
resort for explicit calendar dates written in a shape the rules do not know.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from dateutil.easter import easter

from extractors.lexicons import words

__all__ = [
    "Context",
    "Reading",
    "Reference",
    "read",
    "value_interval",
    "granularity_of",
    "normalize_surface",
]

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


# --------------------------------------------------------------------------- lexicon

MONTHS: dict[str, int] = {}
for _i, _name in enumerate(calendar.month_name):
    if _name:
        MONTHS[_name.lower()] = _i
        MONTHS[_name[:3].lower()] = _i
MONTHS["sept"] = 9
WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
# Season intervals (northern hemisphere, meteorological); winter spans the year boundary.
SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 2)}
DAYPARTS = {
    "morning": "MO",
    "afternoon": "AF",
    "mid afternoon": "AF",
    "midafternoon": "AF",
    "evening": "EV",
    "night": "NI",
    "overnight": "NI",
    "tonight": "NI",
}
CLOCK_WORDS = {"noon": "12:00", "midday": "12:00", "midnight": "24:00"}

UNITS = {
    "second": "S",
    "sec": "S",
    "minute": "MIN",
    "min": "MIN",
    "hour": "H",
    "hr": "H",
    "day": "D",
    "night": "D",
    "week": "W",
    "fortnight": "FN",
    "month": "M",
    "quarter": "Q",
    "year": "Y",
    "yr": "Y",
    "decade": "E",
    "century": "C",
    "millennium": "L",
}
_UNIT_RE = (
    r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|fortnights?|months?"
    r"|quarters?|years?|yrs?|decades?|centuries|century|millenni(?:a|um))"
)

SMALL = {
    "couple of": 2,
    "zero": 0,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "couple": 2,
    "dozen": 12,
    "a couple of": 2,
    "a couple": 2,
    "a dozen": 12,
    "half a": 0.5,
    "a half": 0.5,
}
VAGUE = words("dates", "vague")
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "last": -1,
    "final": -1,
}

_MONTH_RE = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
# The weekdays' full names, "monday|tuesday|...|sunday": the one pattern of them.
WEEKDAY_NAMES = "|".join(k for k in WEEKDAYS if k.endswith("day"))
_WD_RE = r"(?:" + WEEKDAY_NAMES + r"|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)\.?"
_NUMWORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty"
    r"|sixty|seventy|eighty|ninety|hundred|thousand|and)"
)
_NUM_RE = (
    r"(?:\d+(?:[.,]\d+)?(?: \d/\d)?|(?:" + _NUMWORD + r")(?: " + _NUMWORD + r")*"
    r"(?: and a half)?|a couple of|a couple|couple of|a dozen|a half|half an?|an?(?: and a half)?"
    r"|a few|few|several|some|many|a number of|numerous|a handful of|dozens of|hundreds of"
    r"|thousands of)"
)
_ORD_RE = (
    r"(?:\d{1,2}(?:st|nd|rd|th)?|"
    + "|".join(k for k in ORDINALS if k not in ("last", "final"))
    + r")"
)
_MOD_RE = (
    r"(?:(?:about|around|approximately|nearly|almost|roughly|some|more than|less than|fewer than"
    r"|at least|at most|up to|no more than|no less than|not quite|just over|just under"
    r"|well over|over|under|only|just|barely|fully|within|for|in|an additional|another"
    r"|additional|a further|each of|all|the|a|an|its|their|his|her|our|this|that|these|those"
    r"|mid|early|late|first|last|past|next|previous|coming|following|latest|final|same"
    r"|entire|whole|full|remaining|ensuing|preceding|intervening|succeeding|subsequent"
    r"|prior|recent|initial|upcoming|trading|business|calendar|straight|consecutive"
    r"|long|short|more|other|few|several|further) )*"
)

# --------------------------------------------------------------------------- helpers


def normalize_surface(text: str) -> str:
    """Lower-case, join hyphens, drop possessives and edge punctuation."""
    s = text.lower().replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    s = re.sub(r"(?<=\w)'s\b", "", s)
    s = re.sub(r"(?<=\w)s'(?=\s|$)", "s", s)
    s = re.sub(r"(?<=[a-z])-(?=[a-z0-9])|(?<=[0-9])-(?=[a-z])", " ", s)
    s = re.sub(r"[\s\u00a0]+", " ", s)
    s = s.strip(' ,;:!?"()[]{}')
    # A final "." ends the sentence unless it closes a.m./p.m. or a month abbreviation.
    if s.endswith(".") and not re.search(
        r"(?:[ap]\.m|\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec))\.$", s
    ):
        s = s[:-1].rstrip()
    return s


def parse_number(s: str) -> float | None:
    """A cardinal in digits or words ("twenty four", "2 1/2", "a couple of"); None = vague."""
    s = s.strip().replace(",", "")
    if not s or s in VAGUE:
        return None
    if s in SMALL:
        return SMALL[s]
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?: (\d)/(\d))?", s)
    if m:
        n = float(m.group(1))
        if m.group(2):
            n += int(m.group(2)) / int(m.group(3))
        return n
    if s.endswith(" and a half"):
        base = parse_number(s[: -len(" and a half")])
        return None if base is None else base + 0.5
    if s in ("half an", "half a"):
        return 0.5
    total, current = 0, 0
    for word in s.split():
        if word == "and":
            continue
        if word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        elif word in SMALL and float(SMALL[word]).is_integer():
            current += int(SMALL[word])
        else:
            return None
    return float(total + current)


def _year_words(s: str) -> int | None:
    """Spoken years: "nineteen ninety-six", "two thousand one", "the year two thousand"."""
    s = s.replace("-", " ")
    m = re.fullmatch(
        r"(?:the year )?(ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
        r"|seventeen|eighteen|nineteen|twenty) (.+)",
        s,
    )
    if m and not m.group(2).startswith(("thousand", "hundred")):
        century = int(SMALL[m.group(1)])
        rest = m.group(2)
        rest = re.sub(r"^(?:oh|o) ", "", rest)
        tail = parse_number(rest)
        if tail is not None and 0 <= tail < 100 and float(tail).is_integer():
            return century * 100 + int(tail)
        return None
    m = re.fullmatch(r"(?:the year )?two thousand(?: and)?(?: (.+))?", s)
    if m:
        tail = parse_number(m.group(1)) if m.group(1) else 0
        if tail is not None and 0 <= tail < 100:
            return 2000 + int(tail)
    return None


def _parse_year(s: str) -> int | None:
    """A year in digits (4 digits, or '98 style) or words."""
    s = s.strip()
    m = re.fullmatch(r"(1[0-9]{3}|20[0-9]{2}|2100)", s)
    if m:
        return int(s)
    m = re.fullmatch(r"'(\d\d)", s)
    if m:
        two = int(m.group(1))
        return 1900 + two if two >= 30 else 2000 + two
    return _year_words(s)


def _parse_day(s: str) -> int | None:
    s = s.strip().rstrip(".")
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", s)
    if m:
        d = int(m.group(1))
        return d if 1 <= d <= 31 else None
    if s in ORDINALS and ORDINALS[s] > 0:
        return ORDINALS[s]
    m = re.fullmatch(r"(twenty|thirty) (\w+)", s)
    if m and m.group(2) in ORDINALS:
        d = int(SMALL[m.group(1)]) + ORDINALS[m.group(2)]
        return d if d <= 31 else None
    return None


def _month(s: str) -> int:
    return MONTHS[s.rstrip(".")]


def _weekday(s: str) -> int:
    return WEEKDAYS[s.rstrip(".")]


def _valid(y: int, m: int, d: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


def _add_months(y: int, m: int, n: int) -> tuple[int, int]:
    k = y * 12 + (m - 1) + n
    return k // 12, k % 12 + 1


def _iso_week(d: Date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _quarter_of(d: Date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def _shift_quarter(y: int, q: int, n: int) -> tuple[int, int]:
    k = y * 4 + (q - 1) + n
    return k // 4, k % 4 + 1


def _last_completed_quarter(d: Date) -> tuple[int, int]:
    y, q = _quarter_of(d)
    return _shift_quarter(y, q, -1)


def _day(d: Date) -> str:
    return d.isoformat()


def _weekday_date(anchor: Date, wd: int, direction: str) -> Date:
    """The weekday nearest the anchor in a direction.

    direction: "past" (on or before), "future" (on or after), "before" / "after" (strictly).
    """
    delta = (anchor.weekday() - wd) % 7
    if direction == "past":
        return anchor - dt.timedelta(days=delta)
    if direction == "before":
        return anchor - dt.timedelta(days=delta or 7)
    ahead = (wd - anchor.weekday()) % 7
    if direction == "future":
        return anchor + dt.timedelta(days=ahead)
    return anchor + dt.timedelta(days=ahead or 7)


# A day on the "wrong" side of the publication date for the verb's tense is still chosen
# when it is this many times closer: "payable Dec. 7" in a past-tense sentence is December
# to come, not a year ago.
_TENSE_BIAS = 3.0


def _year_for(month: int, day: int | None, ctx: Context) -> int | None:
    """Year of a month (and day) written without one, from the anchor and tense."""
    a = ctx.anchor
    if a is None:
        return None
    if day is None and ctx.tense in ("past", "future"):
        return _year_for_month(month, a, ctx.tense)
    best, best_cost = a.year, None
    for y in (a.year - 1, a.year, a.year + 1):
        if day is not None:
            if not _valid(y, month, day):
                continue
            first = last = Date(y, month, day)
        else:
            first = Date(y, month, 1)
            last = Date(y, month, calendar.monthrange(y, month)[1])
        if first <= a <= last:
            cost = 0.0
        elif last < a:
            cost = (a - last).days * (_TENSE_BIAS if ctx.tense == "future" else 1.0)
        else:
            cost = (first - a).days * (_TENSE_BIAS if ctx.tense == "past" else 1.0)
        if best_cost is None or cost < best_cost:
            best, best_cost = y, cost
    return best


def _year_for_month(month: int, a: Date, tense: str) -> int:
    """Year of a bare month name, by the tense of its verb (HeidelTime's month rule).

    Past tense takes the last such month ("In January, the company hired ..." told in
    October), future tense the next one; the month of publication is always this year's.
    One exception in the past tense: the month right after publication is the coming one
    ("the summit set for April" in March) -- an event eleven months back is told with
    "last April", and such sentences are planning participles the tense reading missed.
    """
    ahead = (month - a.month) % 12  # 0 = the month of publication
    if ahead == 0:
        return a.year
    if tense == "future" or ahead == 1:
        return a.year if month > a.month else a.year + 1
    return a.year if month < a.month else a.year - 1


def _season_value(year: int, code: str) -> str:
    return f"{year}-{code}"


def _season_for(code: str, ctx: Context, *, relation: str) -> str:
    """A season written without a year ("last fall", "this summer", "the winter")."""
    a = ctx.anchor
    if a is None:
        return f"XXXX-{code}"
    if relation == "last":
        return _season_value(a.year - 1, code)
    if relation == "most_recent":
        # "this past spring" told in October is this year's spring, the last one to have
        # ended; "last spring" (above) is read as the year before, as TimeBank marks it.
        year = a.year
        _, end, _ = value_interval(_season_value(year, code))
        if end is None or end >= a:
            year -= 1
        return _season_value(year, code)
    if relation == "next":
        return _season_value(a.year + 1, code)
    first_month = SEASON_MONTHS[code][0]
    year = a.year
    if relation == "bare":
        if ctx.tense == "past" and first_month > a.month and code != "WI":
            year -= 1
        elif ctx.tense == "future" and SEASON_MONTHS[code][1] < a.month and code != "WI":
            year += 1
    return _season_value(year, code)


def duration_value(n: float | None, unit: str) -> str:
    """ISO-8601 duration for n units; None -> X (unspecified count)."""
    time_unit = unit in ("H", "MIN", "S")
    if unit == "FN":
        unit, n = "W", (None if n is None else n * 2)
    if n is None:
        sym = {"MIN": "M"}.get(unit, unit)
        return f"PTX{sym}" if time_unit else f"PX{sym}"
    if unit == "E":
        unit, n = "Y", n * 10
    elif unit == "C":
        unit, n = "Y", n * 100
    elif unit == "L":
        unit, n = "Y", n * 1000
    whole = int(n)
    frac = n - whole
    sym = {"MIN": "M"}.get(unit, unit)
    if frac == 0:
        return f"PT{whole}{sym}" if time_unit else f"P{whole}{sym}"
    # Fractions are spelled out in the next unit down, as TIMEX3 annotators do.
    down = {
        "Y": (12, "M", False),
        "M": (30, "D", False),
        "W": (7, "D", False),
        "D": (24, "H", True),
        "H": (60, "M", True),
        "MIN": (60, "S", True),
        "Q": (3, "M", False),
    }
    if unit in down:
        mult, sub, sub_time = down[unit]
        sub_n = round(frac * mult)
        head = f"{whole}{sym}" if whole else ""
        if time_unit:
            return f"PT{head}{sub_n}{sub}"
        if sub_time:
            return f"P{head}T{sub_n}{sub}"
        return f"P{head}{sub_n}{sub}"
    return f"P{n:g}{sym}"


def _unit_of(word: str) -> str | None:
    w = word.rstrip(".")
    if w in ("centuries",):
        return "C"
    if w.startswith("millenni"):
        return "L"
    if w.endswith("s") and w[:-1] in UNITS:
        w = w[:-1]
    return UNITS.get(w)


def _shift(anchor: Date, n: int, unit: str) -> tuple[str, Date] | None:
    """anchor moved by n units, rendered at that unit's granularity."""
    if unit == "D":
        d = anchor + dt.timedelta(days=n)
        return _day(d), d
    if unit in ("W", "FN"):
        d = anchor + dt.timedelta(weeks=n * (2 if unit == "FN" else 1))
        return _iso_week(d), d
    if unit == "M":
        y, m = _add_months(anchor.year, anchor.month, n)
        return f"{y:04d}-{m:02d}", Date(y, m, 1)
    if unit == "Q":
        y, q = _shift_quarter(*_quarter_of(anchor), n)
        return f"{y:04d}-Q{q}", Date(y, 3 * q - 2, 1)
    if unit == "Y":
        y = anchor.year + n
        return (f"{y:04d}", Date(y, 1, 1)) if 1 <= y <= 9999 else None
    if unit == "E":
        y = anchor.year + 10 * n
        return (f"{y // 10:03d}X", Date(y // 10 * 10, 1, 1)) if 10 <= y <= 9999 else None
    if unit == "C":
        y = anchor.year + 100 * n
        return (f"{y // 100:02d}", Date(max(y // 100 * 100, 1), 1, 1)) if 100 <= y <= 9999 else None
    return None


def _unresolved_shape(unit: str) -> str:
    return {
        "D": "XXXX-XX-XX",
        "W": "XXXX-WXX",
        "FN": "XXXX-WXX",
        "M": "XXXX-XX",
        "Q": "XXXX-QX",
        "Y": "XXXX",
        "E": "XXXX",
        "C": "XXXX",
    }.get(unit, "XXXX-XX-XX")


# --------------------------------------------------------------------------- rules

Rule = Callable[[re.Match[str], Context], Reading | None]
# Handlers by name, for configs/dates/rules.toml: each rule there names its pattern and the
# handler that turns a match into a value.
HANDLERS: dict[str, Rule] = {}


def handler(fn: Rule) -> Rule:
    """Register a rule handler under its name (without the leading underscore)."""
    HANDLERS[fn.__name__.lstrip("_")] = fn
    return fn


def _pub(value: str, rule_name: str, type_: str = "DATE") -> Reading:
    return Reading(type_, value, rule_name, "publication")


def _none(value: str, rule_name: str, type_: str = "DATE") -> Reading:
    return Reading(type_, value, rule_name, "none")


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
        inner = read(rest, ctx)
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
    inner = read(m.group(1), ctx)
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
    inner = read(m.group(1), ctx)
    if inner is None or inner.value is None:
        return None
    first, _, gran = value_interval(inner.value)
    if first is None or gran != "day":
        return None
    return Reading("DATE", _iso_week(first), "week_of", inner.anchor)


@handler
def _part_of(m: re.Match[str], ctx: Context) -> Reading | None:
    inner = read(m.group(1), ctx)
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


# -- decades, centuries, years ---------------------------------------------------------


@handler
def _decade(m: re.Match[str], ctx: Context) -> Reading | None:
    if m.group(1):
        return _none(f"{m.group(1)}X", "decade")
    if m.group(2):
        # "the '80s": the century of the publication date, or the 1900s when unknown.
        century = 19 if ctx.anchor is None else ctx.anchor.year // 100
        if ctx.anchor is not None and int(m.group(2)) * 10 > ctx.anchor.year % 100:
            century -= 1
        return _none(f"{century}{m.group(2)}X", "decade")
    return _none(f"{m.group(3)}{m.group(4)}X", "decade")


_DECADE_WORDS = {
    "twenties": 2,
    "thirties": 3,
    "forties": 4,
    "fifties": 5,
    "sixties": 6,
    "seventies": 7,
    "eighties": 8,
    "nineties": 9,
}


@handler
def _decade_words(m: re.Match[str], ctx: Context) -> Reading | None:
    century = {"nineteen": 19, "eighteen": 18}.get(m.group(1) or "", 19)
    return _none(f"{century}{_DECADE_WORDS[m.group(2)]}X", "decade")


_ORDINAL_RE = "|".join(k for k in ORDINALS if ORDINALS[k] > 0)  # "first" ... "twenty-first"


@handler
def _century(m: re.Match[str], ctx: Context) -> Reading | None:
    n = int(m.group(1)) if m.group(1) else ORDINALS[m.group(2)]
    return _none(f"{n - 1:02d}", "century") if 1 <= n <= 30 else None


@handler
def _rel_century(m: re.Match[str], ctx: Context) -> Reading | None:
    word = m.group(0).split()[-2]
    n = {"this": 0, "the": 0, "last": -1, "past": -1, "previous": -1, "next": 1}[word]
    unit = {"century": "C", "decade": "E", "millennium": "L"}[m.group(1)]
    if unit == "L":
        return None
    if word == "past":
        # "the past decade" is the ten years up to now, as "the past two years" is two.
        return _none("P10Y" if unit == "E" else "P100Y", "duration", "DURATION")
    if ctx.anchor is None:
        return _none("XXXX", "relative_unit")
    shifted = _shift(ctx.anchor, n, unit)
    return None if shifted is None else _pub(shifted[0], "relative_unit")


@handler
def _half_year(m: re.Match[str], ctx: Context) -> Reading | None:
    half = 1 if m.group(1) in ("first", "front") else 2
    if m.group(2):
        y = _parse_year(m.group(2))
        return None if y is None else _none(f"{y:04d}-H{half}", "half_year")
    if ctx.anchor is None:
        return _none(f"XXXX-H{half}", "half_year")
    y = ctx.anchor.year + {"this": 0, "the": 0, "last": -1, "next": 1}[m.group(3)]
    return _pub(f"{y:04d}-H{half}", "half_year")


_FISCAL = (
    r"(?:(?:fiscal|fiscal year|calendar|calendar year|the year|year|fy|model year|the fiscal year"
    r"|the calendar year|the season) ?)?"
)


@handler
def _year(m: re.Match[str], ctx: Context) -> Reading | None:
    y = _parse_year(m.group(1))
    if y is None:
        return None
    return _none(f"{y:04d}", "year")


@handler
def _year_prefixed(m: re.Match[str], ctx: Context) -> Reading | None:
    return _none(m.group(1), "year")


@handler
def _year_range(m: re.Match[str], ctx: Context) -> Reading | None:
    # "the 1998-99 season": TIMEX3 marks the first year; ranges are split by the detector.
    return _none(m.group(1), "year")


# -- seasons ---------------------------------------------------------------------------


@handler
def _season(m: re.Match[str], ctx: Context) -> Reading | None:
    code = SEASONS[m.group(2)]
    if m.group(3):
        y = _parse_year(m.group(3))
        return None if y is None else _none(f"{y:04d}-{code}", "season")
    rel = {
        "last": "last",
        "this past": "most_recent",
        "the past": "most_recent",
        "next": "next",
        "this coming": "next",
        "the coming": "next",
        "this": "this",
    }.get(m.group(1) or "", "bare")
    value = _season_for(code, ctx, relation=rel)
    return Reading("DATE", value, "season", "none" if ctx.anchor is None else "publication")


# -- quarters and halves ----------------------------------------------------------------

_QORD = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "final": 4,
    "last": 4,
}
_QWORD = r"(first|second|third|fourth|1st|2nd|3rd|4th|final|last)"


def _quarter_year(q: int, ctx: Context) -> int | None:
    a = ctx.anchor
    if a is None:
        return None
    cur = _quarter_of(a)[1]
    if q > cur and ctx.tense != "future":
        # Results for a quarter later in the year than today are last year's.
        return a.year - 1
    return a.year


@handler
def _quarter(m: re.Match[str], ctx: Context) -> Reading | None:
    s = m.group(0)
    n = _QORD[m.group(3)]
    unit = m.group(4)
    if unit == "quarters":
        if "fourth" in s or n == 4:
            return _none(f"XXXX-Q{n}", "set", "SET")
        return None
    year_text = m.group(5) or m.group(1) or m.group(2)
    if unit == "half" and n > 2:
        n = 2
    y: int | None
    anchor = "none"
    if year_text and year_text[0].isdigit() or (year_text and _parse_year(year_text)):
        y = _parse_year(year_text)
    elif ctx.anchor is None:
        y = None
    else:
        anchor = "publication"
        rel = year_text or ""
        if (
            s.startswith("last year")
            or "year ago" in s
            or "year earlier" in s
            or rel in ("last year", "the year before", "the previous year")
        ):
            y = ctx.anchor.year - 1
        elif s.startswith("next year") or rel == "next year":
            y = ctx.anchor.year + 1
        elif s.startswith("this year") or rel in ("this year",) or unit == "half":
            y = ctx.anchor.year
        else:
            y = _quarter_year(n, ctx)
    prefix = "XXXX" if y is None else f"{y:04d}"
    return Reading("DATE", f"{prefix}-{'Q' if unit == 'quarter' else 'H'}{n}", "quarter", anchor)


@handler
def _quarter_code(m: re.Match[str], ctx: Context) -> Reading | None:
    kind, n = (m.group(1), int(m.group(2))) if m.group(1) else (m.group(4), int(m.group(3)))
    if kind == "h" and n > 2:
        return None
    year_text = m.group(5)
    if year_text:
        y = _parse_year(year_text) if len(year_text) != 2 else 2000 + int(year_text)
        return None if y is None else _none(f"{y:04d}-{kind.upper()}{n}", "quarter")
    if ctx.anchor is None:
        return _none(f"XXXX-{kind.upper()}{n}", "quarter")
    y = _quarter_year(n, ctx) if kind == "q" else ctx.anchor.year
    return _pub(f"{y:04d}-{kind.upper()}{n}", "quarter")


@handler
def _two_quarters(m: re.Match[str], ctx: Context) -> Reading | None:
    if m.group(2) != "two":
        return None
    half = 1 if m.group(1) == "first" else 2
    y = _parse_year(m.group(3)) if m.group(3) else (ctx.anchor.year if ctx.anchor else None)
    return _none(f"{'XXXX' if y is None else y}-H{half}", "quarter")


def _context_quarter(ctx: Context) -> tuple[int, int] | None:
    if ctx.quarter is not None:
        return ctx.quarter
    if ctx.anchor is None:
        return None
    return _last_completed_quarter(ctx.anchor)


@handler
def _the_quarter(m: re.Match[str], ctx: Context) -> Reading | None:
    s = m.group(0)
    if m.group(2) == "period" and not re.search(r"latest|current|same|just", s):
        return None
    if ctx.anchor is None:
        return _none("XXXX-QX", "quarter_context")
    if "current" in s:
        y, q = _quarter_of(ctx.anchor)
    elif re.search(r"\b(?:latest|most recent|just ended|just completed)\b", s):
        y, q = _last_completed_quarter(ctx.anchor)
    elif "next" in s or "coming" in s:
        y, q = _shift_quarter(*_quarter_of(ctx.anchor), 1)
    elif re.search(r"\b(last|past|previous)\b", s) and "latest" not in s:
        y, q = _last_completed_quarter(ctx.anchor)
    else:
        y, q = _context_quarter(ctx)  # type: ignore[misc]
    return _pub(f"{y:04d}-Q{q}", "quarter_context")


@handler
def _year_ago_quarter(m: re.Match[str], ctx: Context) -> Reading | None:
    s = m.group(0)
    if not re.search(r"quarter|period", s) and m.group(3) not in _QORD:
        if (
            m.group(3) is not None
            or not re.search(r"year (?:ago|earlier)$", s)
            or s.startswith(("a ", "an "))
        ):
            return None  # "a year earlier" is the relative-offset rule's
        # Adjectival "year-ago"/"year-earlier" (profit): the quarter under discussion a year back.
        if ctx.quarter is not None:
            return _pub(f"{ctx.quarter[0] - 1:04d}-Q{ctx.quarter[1]}", "year_ago_quarter")
        return None if ctx.anchor is None else _pub(f"{ctx.anchor.year - 1:04d}", "year_ago")
    q_ctx = _context_quarter(ctx)
    if q_ctx is None:
        return _none("XXXX-QX", "year_ago_quarter")
    y, q = q_ctx
    if m.group(3) in _QORD:
        q = _QORD[m.group(3)]
    return _pub(f"{y - 1:04d}-Q{q}", "year_ago_quarter")


@handler
def _year_period(m: re.Match[str], ctx: Context) -> Reading | None:
    q_ctx = _context_quarter(ctx)
    q = _QORD.get(m.group(2) or "", q_ctx[1] if q_ctx else 0)
    if not q:
        return _none(m.group(1), "year_period")
    return _none(f"{m.group(1)}-Q{q}", "year_period")


# -- relative units: this/last/next week, N days ago -----------------------------------

_REL_WORDS = {
    "this": 0,
    "the current": 0,
    "current": 0,
    "the present": 0,
    "this current": 0,
    "last": -1,
    "past": -1,
    "previous": -1,
    "the previous": -1,
    "the past": -1,
    "the last": -1,
    "the prior": -1,
    "prior": -1,
    "this past": -1,
    "the preceding": -1,
    "next": 1,
    "the next": 1,
    "coming": 1,
    "the coming": 1,
    "the following": 1,
    "following": 1,
    "this coming": 1,
    "the upcoming": 1,
    "upcoming": 1,
    "the same": 0,
    "that": 0,
    "the": 0,
}
_REL_RE = "|".join(sorted((re.escape(k) for k in _REL_WORDS), key=len, reverse=True))


@handler
def _relative_unit(m: re.Match[str], ctx: Context) -> Reading | None:
    rel, unit_word = m.group(1), m.group(2)
    s = m.group(0)
    n = _REL_WORDS[rel]
    full_phrase = s == f"{rel} {unit_word}"
    if rel == "the":
        # "the week", "the year": TimeBank reads a bare "the year" as a duration.
        if unit_word == "year" and full_phrase:
            return _none("P1Y", "the_unit", "DURATION")
        if unit_word == "quarter":
            return None  # handled by the quarter-context rule
        if unit_word == "day" and ctx.reference is not None:
            return Reading(
                "DATE",
                ctx.reference.value
                if len(ctx.reference.value) == 10
                else _day(ctx.anchor)
                if ctx.anchor
                else "XXXX-XX-XX",
                "the_day",
                "previous",
            )
    if (
        rel
        in (
            "the following",
            "following",
            "the previous",
            "the prior",
            "prior",
            "the preceding",
            "that",
            "the same",
        )
        and ctx.reference is not None
    ):
        base, kind = ctx.reference.start, "previous"
        if rel in ("the previous", "the prior", "prior", "the preceding"):
            n = -1
    elif rel == "the next" and unit_word == "day" and ctx.reference is not None:
        base, kind = ctx.reference.start, "previous"
    elif rel in ("the past", "the last") and unit_word == "week":
        base, kind, n = ctx.anchor, "publication", 0  # type: ignore[assignment]
    else:
        base, kind = ctx.anchor, "publication"  # type: ignore[assignment]
    if base is None:
        shape = (
            "XXXX-WXX-WE"
            if unit_word == "weekend"
            else _unresolved_shape(_unit_of(unit_word) or "D")
        )
        return _none(shape, "relative_unit")
    if unit_word == "weekend":
        sat = _weekday_date(base, 5, "past" if n == 0 and ctx.tense == "past" else "future")
        if n == 0 and ctx.tense != "past" and base.weekday() == 6:
            sat = base - dt.timedelta(days=1)
        if n == -1:
            sat = (
                _weekday_date(base, 5, "before")
                if base.weekday() not in (5, 6)
                else base - dt.timedelta(days=base.weekday() - 5 + 7)
            )
        elif n == 1:
            sat = _weekday_date(base, 5, "after")
        return Reading("DATE", f"{_iso_week(sat)}-WE", "weekend", kind)
    unit = _unit_of(unit_word)
    shifted = _shift(base, n, unit or "D")
    if shifted is None:
        return None
    value = shifted[0]
    return Reading("DATE", value, "relative_unit", kind)


@handler
def _year_end(m: re.Match[str], ctx: Context) -> Reading | None:
    if ctx.anchor is None:
        return _none("XXXX", "year_end")
    return _pub(f"{ctx.anchor.year:04d}", "year_end")


@handler
def _in_the_unit(m: re.Match[str], ctx: Context) -> Reading | None:
    s = m.group(0)
    if not re.match(r"(earlier|later|early|late) ", s):
        return None
    unit = _unit_of(m.group(1)) or "D"
    if ctx.reference is not None and m.group(1) == "day":
        return Reading("DATE", _shift(ctx.reference.start, 0, unit)[0], "in_the_unit", "previous")  # type: ignore[index]
    if ctx.anchor is None:
        return _none(_unresolved_shape(unit), "in_the_unit")
    return _pub(_shift(ctx.anchor, 0, unit)[0], "in_the_unit")  # type: ignore[index]


@handler
def _that_day(m: re.Match[str], ctx: Context) -> Reading | None:
    word = m.group(1)
    s = m.group(0)
    shift = (
        -1
        if s.startswith("the previous")
        else 1
        if s.startswith(("the next", "the following"))
        else 0
    )
    if word in ("day", "week", "month", "year") and re.match(r"(?:the|in the|during the|by) ", s):
        return None
    ref = ctx.reference
    if ref is None:
        if ctx.anchor is None or shift or s.startswith("that"):
            return _none(
                "XXXX-XX-XX"
                if word not in ("year", "month", "week")
                else _unresolved_shape(_unit_of(word) or "D"),
                "that_unit",
            )
        base, kind = ctx.anchor, "publication"
    else:
        base, kind = ref.start, "previous"
    if word in ("morning", "afternoon", "evening", "night"):
        d = base + dt.timedelta(days=shift)
        return Reading("TIME", f"{_day(d)}T{DAYPARTS[word]}", "that_daypart", kind)
    if ref is not None and word == "day" and not shift:
        gran = granularity_of(ref.value)
        if gran in ("month", "year"):
            # "last October ... that same day": a day of the month (year) told before,
            # which one is not said -- not its first day.
            return Reading(
                "DATE", ref.value + ("-XX" if gran == "month" else "-XX-XX"), "that_unit", kind
            )
    shifted = _shift(base, shift, _unit_of(word) or "D")
    return None if shifted is None else Reading("DATE", shifted[0], "that_unit", kind)


_AGO = (
    r"(ago|earlier|before|later|after|from now|hence|back|before that|after that|since|previously"
    r"|prior)"
)


@handler
def _ago(m: re.Match[str], ctx: Context) -> Reading | None:
    n = parse_number(m.group(1))
    unit = _unit_of(m.group(2))
    if unit is None:
        return None
    direction = m.group(3)
    sign = (
        -1
        if direction in ("ago", "earlier", "before", "back", "before that", "previously", "prior")
        else 1
    )
    if direction in ("ago", "from now", "hence", "back"):
        base, kind = ctx.anchor, "publication"
    else:
        base, kind = (
            (ctx.reference.start, "previous") if ctx.reference else (ctx.anchor, "publication")
        )
    if n is None:
        if direction == "ago":
            return _none("PAST_REF", "vague_ago")
        return _none(duration_value(None, unit), "vague_ago", "DURATION")
    if base is None:
        return _none(_unresolved_shape(unit), "ago")
    if not float(n).is_integer():
        n = round(n)
    if unit in ("H", "MIN", "S"):
        return Reading("DATE", _day(base), "ago", kind)
    if unit == "E":
        unit, n = "Y", n * 10
    if unit == "C":
        unit, n = "Y", n * 100
    if unit == "W" and n >= 2 and direction == "ago":
        # "two weeks ago" points at a day, "six weeks ago" at a week: annotators go by size.
        unit_out = "D" if n <= 3 else "W"
        shifted = _shift(base, int(-7 * n) if unit_out == "D" else int(sign * n), unit_out)
    else:
        shifted = _shift(base, int(sign * n), unit)
    if shifted is None:
        return None
    if ctx.quarter and unit == "Y" and n == 1 and direction in ("ago", "earlier", "before"):
        # Earnings reports: "up from $3 a year ago" compares with the same quarter.
        y, q = ctx.quarter
        return Reading("DATE", f"{y - 1:04d}-Q{q}", "year_ago_quarter", kind)
    return Reading("DATE", shifted[0], "ago", kind)


@handler
def _in_n_units(m: re.Match[str], ctx: Context) -> Reading | None:
    n = parse_number(m.group(1))
    unit = _unit_of(m.group(2))
    if unit is None:
        return None
    if m.group(0).startswith("within") or n is None:
        return _none(duration_value(n, unit), "duration", "DURATION")
    return _none(duration_value(n, unit), "duration", "DURATION")


# -- durations -----------------------------------------------------------------------------


@handler
def _duration(m: re.Match[str], ctx: Context) -> Reading | None:
    n = parse_number(m.group(1))
    unit = _unit_of(m.group(2))
    if unit is None:
        return None
    if n is not None and n == 0:
        return None
    return _none(duration_value(n, unit), "duration", "DURATION")


@handler
def _hedge(m: re.Match[str], ctx: Context) -> Reading | None:
    inner = read(m.group(1), ctx)
    if inner is None or inner.type not in ("DURATION", "TIME", "DATE"):
        return None
    return inner


@handler
def _unit_alone(m: re.Match[str], ctx: Context) -> Reading | None:
    s = m.group(0)
    word = m.group(2)
    if s in ("the day", "day", "the night"):
        if ctx.anchor is None:
            return _none("XXXX-XX-XX", "the_day")
        if ctx.reference is not None and len(ctx.reference.value) == 10:
            return Reading("DATE", ctx.reference.value, "the_day", "previous")
        return _pub(_day(ctx.anchor), "the_day")
    if s in ("the week",) and ctx.anchor is not None:
        return _pub(_iso_week(ctx.anchor), "the_week")
    if s in ("the month",) and ctx.anchor is not None:
        return _pub(f"{ctx.anchor.year:04d}-{ctx.anchor.month:02d}", "the_month")
    if s in ("the fiscal year", "a fiscal year"):
        return _none("P1Y", "duration", "DURATION")
    if (
        re.search(r"full|entire|whole|fiscal|calendar", s)
        and word == "year"
        and ctx.anchor is not None
        and not m.group(1)
    ):
        return _pub(f"{ctx.anchor.year:04d}", "the_year")
    unit = _unit_of(word)
    if unit is None:
        return None
    return _none(duration_value(1, unit), "duration", "DURATION")


@handler
def _plural_unit(m: re.Match[str], ctx: Context) -> Reading | None:
    unit = _unit_of(m.group(1))
    if unit is None:
        return None
    return _none(duration_value(None, unit), "vague_duration", "DURATION")


@handler
def _vague_period(m: re.Match[str], ctx: Context) -> Reading | None:
    return _none("PXX", "vague_duration", "DURATION")


# --------------------------------------------------------------------------- dateparser


@functools.lru_cache(maxsize=64)
def _parser(anchor: Date | None, prefer: str):  # type: ignore[no-untyped-def]
    """One dateparser per (anchor, preference): building one costs far more than a parse."""
    from dateparser.date import DateDataParser  # slow import, only when needed

    settings: dict[str, object] = {
        "PREFER_DATES_FROM": prefer,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": False,
        "PARSERS": ["absolute-time", "relative-time"],
    }
    if anchor is not None:
        settings["RELATIVE_BASE"] = dt.datetime(anchor.year, anchor.month, anchor.day, 12, 0)
    return DateDataParser(languages=["en"], settings=settings)


@functools.lru_cache(maxsize=8192)
def _dateparser_value(text: str, anchor: Date | None, prefer: str) -> str | None:
    # dateparser invents missing parts from the base date; we only trust it when the text
    # carries at least a month name or digits, and never when no anchor is known unless
    # the text spells out a full year.
    if not re.search(r"\d|" + _MONTH_RE.replace(r"\.?", ""), text):
        return None
    if anchor is None and not re.search(r"\b\d{4}\b", text):
        return None
    if re.fullmatch(r"\d{1,3}|[\d.,]+ ?(?:%|percent)?", text):
        return None
    try:
        data = _parser(anchor, prefer).get_date_data(text)
    except (ValueError, OverflowError, TypeError, KeyError, IndexError):
        return None
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj
    period = data.period
    if not 1000 <= d.year <= 2200:
        return None
    if str(d.year) not in text and anchor is not None and abs(d.year - anchor.year) > 1:
        return None  # a year dateparser made up (e.g. from a stray day number)
    if period == "year":
        return f"{d.year:04d}"
    if period == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if period == "week":
        return _iso_week(d.date())
    if period == "time" and (d.hour or d.minute):
        return f"{d.date().isoformat()}T{d.hour:02d}:{d.minute:02d}"
    return d.date().isoformat()


# --------------------------------------------------------------------------- the rule table

# The named patterns rules.toml writes as %{name}, built above from the word tables.
MACROS = {
    "ago": _AGO,
    "clock": _CLOCK_RE,
    "date_prefix": _DATE_PREFIX,
    "daypart": _PART_RE,
    "fiscal": _FISCAL,
    "holiday": _HOLIDAY_RE,
    "month": _MONTH_RE,
    "number": _NUM_RE,
    "ordinal": _ORDINAL_RE,
    "part_of": _PART_OF,
    "quarter_word": _QWORD,
    "relative_word": _REL_RE,
    "unit": _UNIT_RE,
    "weekday": _WD_RE,
    "weekday_name": WEEKDAY_NAMES,
    "weekday_prefix": _WD_PREFIX,
    "year": _YEAR_RE,
}
_MACRO = re.compile(r"%\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class DateRule:
    """One row of configs/dates/rules.toml, its pattern expanded and compiled."""

    name: str
    priority: int
    pattern: re.Pattern[str]
    handler: Rule
    examples: tuple[dict[str, str], ...] = ()


def expand_macros(pattern: str) -> str:
    """The pattern with every %{name} replaced by its macro (see MACROS).

    Raises:
        ValueError: the pattern names a macro that does not exist.
    """

    def macro(m: re.Match[str]) -> str:
        if m.group(1) not in MACROS:
            raise ValueError(f"unknown macro %{{{m.group(1)}}} (known: {sorted(MACROS)})")
        return MACROS[m.group(1)]

    return _MACRO.sub(macro, pattern).replace("%%{", "%{")


def load_rules(text: str | None = None) -> tuple[DateRule, ...]:
    """The date rules of configs/dates/rules.toml (or of `text`), in priority order.

    Raises:
        ValueError: a rule without a name, pattern or known handler, a bad pattern, or two
            rules with one name or one priority.
    """
    if text is None:
        text = resources.files("configs").joinpath("dates", "rules.toml").read_text("utf-8")
    rules = []
    for row in tomllib.loads(text).get("rule", []):
        name = row.get("name")
        fn = HANDLERS.get(row.get("handler", ""))
        if not name or fn is None or not isinstance(row.get("priority"), int):
            raise ValueError(
                f"dates/rules.toml: rule {row!r} needs a name, a priority and a "
                f"handler among {sorted(HANDLERS)}"
            )
        try:
            pattern = re.compile(expand_macros(row["pattern"]))
        except (KeyError, re.error) as exc:
            raise ValueError(f"dates/rules.toml: rule {name!r}: bad pattern: {exc}") from exc
        rules.append(DateRule(name, row["priority"], pattern, fn, tuple(row.get("examples", ()))))
    for attr in ("name", "priority"):
        seen = [getattr(r, attr) for r in rules]
        if len(set(seen)) != len(seen):
            raise ValueError(f"dates/rules.toml: two rules share a {attr}")
    return tuple(sorted(rules, key=lambda r: r.priority))


RULES = load_rules()


# --------------------------------------------------------------------------- entry points


def read(text: str, ctx: Context) -> Reading | None:
    """Normalize one time-expression surface string; None when nothing matches.

    Args:
        text: the expression as written ("last Thursday", "the 1990s").
        ctx: anchor date, tense, previous reference.
    Returns:
        A Reading, or None when neither the rules nor dateparser understand the text.
    """
    s = normalize_surface(text)
    if not s or len(s) > 80:
        return None
    return _read_normalized(s, ctx)


def _read_normalized(s: str, ctx: Context) -> Reading | None:
    for date_rule in RULES:
        m = date_rule.pattern.fullmatch(s)
        if m is None:
            continue
        out = date_rule.handler(m, ctx)
        if out is not None:
            return out
    prefer = "future" if ctx.tense == "future" else "past"
    value = _dateparser_value(s, ctx.anchor, prefer)
    if value is None:
        return None
    kind = "none" if re.search(r"\b\d{4}\b", s) else "publication"
    return Reading("TIME" if "T" in value else "DATE", value, "dateparser", kind)


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
