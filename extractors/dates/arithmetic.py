"""Dates stage: calendar arithmetic for the rules: numbers and years as written, weekdays
and months near an anchor, quarters, seasons, shifts by a unit.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from extractors.dates.values import Context, value_interval
from extractors.dates.vocabulary import (
    MONTHS,
    ORDINALS,
    SEASON_MONTHS,
    SMALL,
    UNITS,
    VAGUE,
    WEEKDAYS,
)

Date = dt.date

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
        return (f"{y // 10:03d}", Date(y // 10 * 10, 1, 1)) if 10 <= y <= 9999 else None
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
