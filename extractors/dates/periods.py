"""Dates stage: rule handlers for periods: decades, centuries, years, seasons, quarters and
halves, relative units ("last week", "three days ago") and durations.
"""

from __future__ import annotations

import datetime as dt
import re

from extractors.dates.arithmetic import (
    _day,
    _iso_week,
    _last_completed_quarter,
    _parse_year,
    _quarter_of,
    _season_for,
    _shift,
    _shift_quarter,
    _unit_of,
    _unresolved_shape,
    _weekday_date,
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
)
from extractors.dates.vocabulary import DAYPARTS, ORDINALS, SEASONS

Date = dt.date

# -- decades, centuries, years ---------------------------------------------------------


# A decade's value is its first three digits, "199" for the 1990s, as the TimeML 1.2.1
# guidelines and TimeBank write it (AQUAINT writes "199X"; the guidelines are the target).
@handler
def _decade(m: re.Match[str], ctx: Context) -> Reading | None:
    if m.group(1):
        return _none(m.group(1), "decade")
    if m.group(2):
        # "the '80s": the century of the publication date, or the 1900s when unknown.
        century = 19 if ctx.anchor is None else ctx.anchor.year // 100
        if ctx.anchor is not None and int(m.group(2)) * 10 > ctx.anchor.year % 100:
            century -= 1
        return _none(f"{century}{m.group(2)}", "decade")
    return _none(f"{m.group(3)}{m.group(4)}", "decade")


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
    return _none(f"{century}{_DECADE_WORDS[m.group(2)]}", "decade")


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
    inner = read_part(m.group(1), ctx)
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
