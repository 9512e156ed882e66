"""Dates stage: the date rule table, and `read`, which turns one time-expression string into
a TIMEX3 value with it.

Nothing here needs spaCy. `read` takes the surface text of a time expression plus a
`Context` (publication date, tense of the governing verb, the last date mentioned in the
document) and returns a `Reading` (type, value, rule name, what it was anchored on). The
rules of configs/dates/rules.toml are tried by priority; the first that matches and whose
handler (points.py, periods.py) returns a value wins. dateparser is the last resort for
explicit calendar dates written in a shape the rules do not know.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from extractors.dates.arithmetic import _iso_week, normalize_surface
from extractors.dates.periods import _AGO, _FISCAL, _ORDINAL_RE, _QWORD, _REL_RE
from extractors.dates.points import (
    _CLOCK_RE,
    _DATE_PREFIX,
    _HOLIDAY_RE,
    _PART_OF,
    _PART_RE,
    _WD_PREFIX,
    _YEAR_RE,
)
from extractors.dates.values import _READER, HANDLERS, Context, Reading, Rule
from extractors.dates.vocabulary import _MONTH_RE, _NUM_RE, _UNIT_RE, _WD_RE, WEEKDAY_NAMES

Date = dt.date

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


_READER.append(read)
