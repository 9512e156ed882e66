"""Dates stage: the words time expressions are made of (weekdays, months, seasons, parts of
the day, units, number words) and the patterns built from them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from extractors.lexicons import words

Date = dt.date

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
# A weekday's name as written in running text, capitalized ("Monday").
WEEKDAY_WORD = re.compile(
    r"\b(?:" + "|".join(n.capitalize() for n in WEEKDAY_NAMES.split("|")) + r")\b"
)
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
