"""Dates stage: find time expressions in a parsed Doc and normalize them to TIMEX3.

Detection starts from spaCy's DATE/TIME entities and repairs them the way TimeML draws
extents (drop ages and bare numbers, strip leading prepositions and possessives, split
"the quarter ended Sept. 30", merge "Wednesday" + "night" and "Friday" + "Oct. 13", leave
"later" out of "three days later", take in the "each" of "each July"), then adds what the
NER never or rarely tags ("now", "current", "recently", "daily", "the future", "the
latest period", "day-long", a missed weekday name).  Normalization is
`rules.read`, fed with the publication date, the tense of the governing verb and
the last date the document mentioned.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc

from extractors.dates.rules import read
from extractors.dates.tense import span_pluperfect, tense_of
from extractors.dates.values import Context, Reading, Reference, granularity_of, value_interval
from extractors.dates.vocabulary import WEEKDAY_WORD
from extractors.lexicons import words
from extractors.nlp import doc_ents, doc_text

__all__ = ["Timex", "timexes", "normalize_timex", "TENSES"]

TENSES = ("past", "present", "future")


@dataclass(frozen=True, slots=True)
class Timex:
    """One normalized time expression; offsets are characters into doc.text."""

    start: int
    end: int
    text: str
    type: str  # DATE | TIME | DURATION | SET
    value: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    granularity: str | None
    anchor: str  # publication | previous | none
    rule: str
    resolved: bool


def _make(start: int, end: int, text: str, reading: Reading | None, fallback_type: str) -> Timex:
    if reading is None:
        return Timex(
            start, end, text, fallback_type, None, None, None, None, "none", "unparsed", True
        )
    first, last, gran = (None, None, None)
    if reading.type in ("DATE", "TIME"):
        first, last, gran = value_interval(reading.value)
    return Timex(
        start=start,
        end=end,
        text=text,
        type=reading.type,
        value=reading.value,
        start_date=first,
        end_date=last,
        granularity=gran,
        anchor=reading.anchor,
        rule=reading.rule,
        resolved=reading.resolved,
    )


def normalize_timex(
    text: str,
    *,
    anchor: dt.date | None,
    tense: str = "past",
    reference: str | None = None,
) -> Timex:
    """Normalize one time expression without a Doc.

    Args:
        text: the expression ("on Thursday" is fine; so is "the 1990s").
        anchor: publication date; None leaves relative values underspecified (XXXX...).
        tense: tense of the governing verb: "past" | "present" | "future".
        reference: optional earlier resolved value in the same document ("1998-08-07"),
            used by "that day", "a year earlier", "the following week".
    Returns:
        A Timex spanning the whole string (start=0, end=len(text)); value None and
        rule "unparsed" when the text is not a time expression we understand.
    Raises:
        ValueError: tense is not one of TENSES.
    """
    if tense not in TENSES:
        raise ValueError(f"tense must be one of {TENSES}, got {tense!r}")
    ref = None
    if reference:
        first, _, _ = value_interval(reference)
        if first is not None:
            ref = Reference(reference, first)
    quarter = _quarter_from(reference) if reference else None
    reading = read(text, Context(anchor, tense, ref, quarter))
    return _make(0, len(text), text, reading, "DATE")


# --------------------------------------------------------------------------- tense


# --------------------------------------------------------------------------- detection

# The lookahead lists every first character of the alternatives: the scan runs over whole
# texts, and most word starts are rejected before any alternative is tried.
_LEXICON = re.compile(
    r"\b(?=[0-9acdefhlmnprstwy])(?:right now|now|currently|recently|(?:then[ -])?current"
    r"|th(?:e (?:(?:near |distant |foreseeable )?future|(?:latest|most recent) (?:period|quarter)"
    r"|(?:near|short|long|longer) term|(?:very )?same (?:day|week|month|year))"
    r"|at (?:very )?same (?:day|week|month|year))"
    r"|(?:fiscal )?(?:first|second|third|fourth)[ -]quarter"
    r"|for (?:a while|some time)|(?:several|a few|many) (?:quarters|weeks|months|years|days)"
    r"|future|as soon as possible|the past|nowadays|these days|at present|presently|lately|daily|"
    r"weekly"
    r"|hourly|every (?:day|week|month|year|quarter)|each (?:day|week|month|year)"
    r"|today|tonight|yesterday|tomorrow|(?:last |this |next )?thanksgiving(?: day)?|christmas(?: "
    r"day| eve)?"
    r"|(?:\d+(?: \d/\d)?|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty"
    r"|forty|fifty)"
    r"(?: more)?[ -](?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)(?: ago)?"
    r"|new year's (?:day|eve)|(?:pre|post|mid)-(?:1[5-9]|20)\d\d|(?<![$\d.,-])(?:1[5-9]|20)\d\d(?"
    r"![\d%-]|,\d|\.\d))\b",
    re.IGNORECASE,
)
_EXPLICIT_DATE = re.compile(
    r"\b(?:(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.|January|February|March|April|June|July|August"
    r"|September|October|November|December)\s+(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
    r"(?:,\s+(?:1[89]|20)\d\d)?(?![\d,.]?\d)"
)
_AGE = re.compile(
    r"^\d+(?:\s|-)(?:years?|months?|weeks?|days?)(?:\s|-)old$|^aged?\s+\d+|^\d{1,3}$|^\d+s$"
    r"|^(?:ages?|aged)\b|^\d{5,}$",
    re.IGNORECASE,
)
_AGE_WORDS = re.compile(r"(?:\s|-)(?:years?|months?)(?:\s|-)old$", re.IGNORECASE)
# Hyphenated duration adjectives TimeML marks as DURATIONs ("a day-long meeting", "the
# decades-long feud", "a years-old slump"); "-old" after a count ("a 44-year-old man") is
# an age and is not one.
_HYPHEN_SUFFIX = re.compile(r"-(?:long|old)\b", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"[\w-]+$")
_ADJ_DURATION = re.compile(
    r"(?<![\w-])(?:(?:(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)-)?"
    r"(?:hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))-long"
    r"|(?:weeks|months|years|decades|centuries)-old)$",
    re.IGNORECASE,
)
_LEADING_JUNK = re.compile(
    r"^(?:(?:in|on|at(?!\s+(?:least|most))|by|since|until|till|from|during|for|between|of|as of|a"
    r"s early as"
    r"|as late as|as recently as|as far back as|through|throughout|over|before|after|around"
    r"|within|starting|beginning|ending|effective|dated|just|only|barely|even|also|and|or|both"
    r"|but|to|that|which)\s+)+",
    re.IGNORECASE,
)
_TRAILING_JUNK = re.compile(
    r"(?:'s|’s|\s+of|\s+and|\s+or|\s+to|,|\.(?<![ap]\.m\.)(?<!\b[A-Z][a-z]{2}\.))+$"
)
_SPLIT = re.compile(
    r"\s+(?:ended|ending|ends|that ended|which ended|through|to|until|and|-|–)\s+", re.IGNORECASE
)
_NOT_TIME = re.compile(
    r"^(?:annual|annually|quarterly|seasonally|semiannual|olympic|the night of|ages?|previously|s"
    r"oon)$",
    re.IGNORECASE,
)
_LATER = re.compile(
    r"\S\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)(\s+later)$",
    re.IGNORECASE,
)
# Too vague on their own, but fine as half of "Thursday night".
_NOT_ALONE = re.compile(r"^(?:the day|the night|morning|evening|afternoon|night)$", re.IGNORECASE)
_TIME_OF_DAY = re.compile(
    r"\b(?:morning|afternoon|evening|night|noon|midday|midnight|overnight|a\.?m\.?|p\.?m\.?|\d:\d"
    r"\d)",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    label: str
    source: str


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) to a TimeML extent: no leading preposition or trailing junk."""
    while True:
        chunk = text[start:end]
        m = _LEADING_JUNK.match(chunk)
        if m and m.end() < len(chunk):
            start += m.end()
            continue
        m = _TRAILING_JUNK.search(chunk)
        if (
            m
            and m.start() > 0
            and not re.search(
                r"(?:a|p)\.m\.$|\b(?:[Jj]an|[Ff]eb|[Aa]ug|[Ss]ept?|[Oo]ct|[Nn]ov|[Dd]ec|[Aa]pr|[M"
                r"m]ar|[Jj]un|[Jj]ul)\.$",
                chunk,
            )
        ):
            end = start + m.start()
            continue
        break
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _candidates(doc: Doc) -> list[_Cand]:
    text = doc_text(doc)
    cands = [
        _Cand(e.start_char, e.end_char, e.label_, "ner")
        for e in doc_ents(doc)
        if e.label_ in ("DATE", "TIME")
    ]
    taken = [(c.start, c.end) for c in cands]
    for m in _LEXICON.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        if not _lexical_ok(doc, m.start(), m.end()):
            continue
        cands.append(_Cand(m.start(), m.end(), "DATE", "lexicon"))
    for m in WEEKDAY_WORD.finditer(text):
        # A weekday name the NER missed ("Late Monday, officials said ..."); a weekday
        # that names an event ("Black Monday", "Super Tuesday") is left alone.
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        before = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start() - 1)
        if before is not None and before.group().lower() in _WEEKDAY_EPITHETS:
            continue
        cands.append(_Cand(m.start(), m.end(), "DATE", "lexicon"))
    for m in _HYPHEN_SUFFIX.finditer(text):
        # "a day-long meeting", "a years-old slump" (the NER rarely tags them); the scan
        # looks for the rare "-long"/"-old" first and reads the word back from there.
        word = _WORD_BEFORE.search(text, max(0, m.start() - 30), m.start())
        start = m.start() if word is None else word.start()
        if _ADJ_DURATION.fullmatch(text, start, m.end()) and not any(
            s < m.end() and start < e for s, e in taken
        ):
            cands.append(_Cand(start, m.end(), "DATE", "lexicon"))
    for m in _EXPLICIT_DATE.finditer(text):
        # A calendar date the NER folded into another entity ("the Aug. 7 embassy
        # bombings" tagged EVENT) is still a date.
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        cands.append(_Cand(m.start(), m.end(), "DATE", "lexicon"))
    cands.sort(key=lambda c: (c.start, -c.end))
    return cands


_CURRENT_TERMS = words("dates", "current_terms")


def _lexical_ok(doc: Doc, start: int, end: int) -> bool:
    """Filter lexicon hits whose word is not temporal here ("now that", "future growth")."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    word = span.text.lower()
    nxt = doc[span.end] if span.end < len(doc) else None
    if word == "future" and nxt is not None and nxt.pos_ in ("NOUN", "PROPN", "ADJ"):
        return False
    if word.endswith("current"):
        # "current market conditions", "its current position" (PRESENT_REF); not the noun
        # ("the current swept them away") nor an accounting term ("current account").
        return (
            span[-1].pos_ == "ADJ"
            and nxt is not None
            and nxt.lower_ not in _CURRENT_TERMS
            and not (nxt.text == "-" and span.end + 1 < len(doc))
        )
    if word in ("today", "yesterday", "tomorrow") and span[0].ent_type_ not in ("", "DATE", "TIME"):
        return False
    if word.isdigit():
        # A bare year the NER missed: only after a preposition or determiner ("in 1995").
        prev = doc[span.start - 1] if span.start > 0 else None
        return prev is not None and prev.lower_ in (
            "in",
            "since",
            "from",
            "until",
            "by",
            "the",
            "of",
            "to",
            "and",
            "before",
            "after",
            "during",
            "through",
            "a",
        )

    return True


_QUOTES = words("dates", "quotes")
_CALENDAR_NAMES = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun"
    r"|christmas|easter|thanksgiving|new|year's|eve|day)",
    re.IGNORECASE,
)


_PRESENT_DAY_NOUNS = words("dates", "present_day_nouns")


def _not_temporal_here(doc: Doc, start: int, end: int) -> bool:
    """Uses of a temporal word that TimeML does not annotate.

    - "Now," opening a sentence is a discourse connective, not a reference to the present
      ("Now, the question is ...");
    - a quoted title with a capitalized inner word is a name ("''60 Minutes''", "This Week");
    - a capitalized "Today"/"Tonight" right after a proper noun names a paper or programme
      ("USA Today", "VOA Today");
    - "today's" owning a generic noun means "present-day" ("today's youth", "in today's
      world"), not the day of the story ("today's vote" still is).
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    first = span[0]
    prev = doc[span.start - 1] if span.start > 0 else None
    nxt = doc[span.end] if span.end < len(doc) else None
    if (
        len(span) == 1
        and first.lower_ == "today"
        and nxt is not None
        and nxt.lower_ in ("'s", "\u2019s")
        and first.dep_ == "poss"
        and first.head.lemma_.lower() in _PRESENT_DAY_NOUNS
    ):
        return True
    if len(span) == 1 and first.text == "Now" and nxt is not None and nxt.text == ",":
        return (
            first.is_sent_start
            or prev is None
            or prev.text in _QUOTES
            or prev.text in (".", "!", "?", ":", ";")
        )
    after = nxt
    if nxt is not None and nxt.text in (",", ".") and span.end + 1 < len(doc):
        after = doc[span.end + 1]  # American punctuation inside the closing quote
    if prev is not None and after is not None and prev.text in _QUOTES and after.text in _QUOTES:
        words = span.text.split()
        if len(words) > 1 and any(
            w[0].isupper() and not _CALENDAR_NAMES.match(w) for w in words[1:]
        ):
            return True
    return (
        len(span) == 1
        and first.text in ("Today", "Tonight")
        and not first.is_sent_start
        and prev is not None
        and prev.pos_ == "PROPN"
    )


def _refine(doc: Doc, cands: Iterable[_Cand]) -> Iterator[_Cand]:
    """Trim, split and filter candidates; merge a date with an adjacent time of day."""
    text = doc_text(doc)
    out: list[_Cand] = []
    for c in cands:
        s, e = _trim(text, c.start, c.end)
        if e <= s:
            continue
        chunk = text[s:e]
        suffix = re.match(r"-(?:long|old)\b", text[e : e + 5])
        if suffix and _ADJ_DURATION.search(chunk + suffix.group(0)):
            # "a day-long meeting", "a years-old slump": the whole adjective is the
            # DURATION; only a numbered "-old" is a person's age (dropped below).
            e = s + len(chunk) + len(suffix.group(0))
            chunk = text[s:e]
        adjective = _ADJ_DURATION.search(chunk)
        if adjective is not None:
            # The determiner belongs to the noun the adjective modifies ("a [day-long] talk").
            s += adjective.start()
            chunk = text[s:e]
        elif _AGE.search(chunk) or _AGE_WORDS.search(chunk) or _NOT_TIME.match(chunk):
            continue
        if _not_temporal_here(doc, s, e):
            continue
        if (
            e < len(text)
            and re.match(r"[-\s]?(?:years?|months?)?[-\s]?old\b", text[e : e + 12])
            and re.search(r"\d|year", chunk)
            and not _ADJ_DURATION.search(chunk)
        ):
            continue
        later = _LATER.search(chunk)
        if later is not None:
            # "Three days later": TimeML marks the span "three days" (a DURATION) and
            # leaves "later" to a SIGNAL; "a year earlier" and "two weeks ago" stay whole.
            e = s + later.start(1)
        parts = list(_split(text, s, e))
        for ps, pe in parts:
            out.append(_Cand(ps, pe, c.label, c.source))
    out.sort(key=lambda c: (c.start, -c.end))
    merged: list[_Cand] = []
    for c in out:
        if merged and c.start < merged[-1].end:
            if c.end > merged[-1].end:
                merged[-1].end = c.end
            continue
        if merged and _adjacent_time(text, merged[-1], c):
            merged[-1].end = c.end
            merged[-1].label = "TIME"
            continue
        if (
            merged
            and WEEKDAY_WORD.fullmatch(text, merged[-1].start, merged[-1].end)
            and re.fullmatch(r",?\s", text[merged[-1].end : c.start])
            and _EXPLICIT_DATE.fullmatch(text, c.start, c.end)
        ):
            # "Friday Oct. 13" is one date, as "Friday, Oct. 13" already is.
            merged[-1].end = c.end
            continue
        merged.append(c)
    yield from (c for c in merged if not _NOT_ALONE.match(text[c.start : c.end]))


_WEEKDAY_EPITHETS = words("dates", "weekday_epithets")


def _adjacent_time(text: str, a: _Cand, b: _Cand) -> bool:
    gap = text[a.end : b.start]
    if not re.fullmatch(r",?\s{1,2}|\s(?:on|of)\s", gap):
        return False
    left, right = text[a.start : a.end], text[b.start : b.end]
    return bool(_TIME_OF_DAY.search(left) or _TIME_OF_DAY.search(right)) and not (
        _TIME_OF_DAY.search(left) and _TIME_OF_DAY.search(right)
    )


_DAY_PAIR = re.compile(
    r"^((?:[A-Z][a-z]+\.?\s+)?[A-Z][a-z]+\.?\s+\d{1,2})(?:st|nd|rd|th)?\s*(?:and|to|through|-|–)"
    r"\s*(\d{1,2})(?:st|nd|rd|th)?$"
)


def _split(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split ranges and "the quarter ended Sept. 30" into their TIMEX3 parts."""
    chunk = text[start:end]
    m = _DAY_PAIR.match(chunk)
    if m:
        # "April 24 and 25": two dates; the second borrows the month when it is read.
        yield start, start + m.end(1)
        yield start + m.start(2), start + m.end(2)
        return
    for m in _SPLIT.finditer(chunk):
        left, right = chunk[: m.start()], chunk[m.end() :]
        lr, rr = (
            read(left, Context(dt.date(2000, 6, 15))),
            read(right, Context(dt.date(2000, 6, 15))),
        )
        if lr is None or rr is None:
            continue
        if m.group(0).strip().lower() in ("and", "to", "through", "until", "-", "–") and not (
            lr.type == rr.type == "DATE"
        ):
            continue
        yield from _split(text, start, start + len(left.rstrip(" ,")))
        yield from _split(text, start + m.end(), end)
        return
    m = re.search(r"\s+of\s+(?=(?:\d{4}|the year|this year|last year)\b)", chunk, re.IGNORECASE)
    if m:
        left = chunk[: m.start()]
        lr = read(left, Context(dt.date(2000, 6, 15)))
        if lr is not None and lr.type == "DURATION":
            yield start, start + m.start()
            yield start + m.end(), end
            return
    yield start, end


# --------------------------------------------------------------------------- discourse


def _quarter_from(value: str | None) -> tuple[int, int] | None:
    m = re.fullmatch(r"(\d{4})-Q(\d)", value or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


_POSSESSIVE = re.compile(r"['\u2019]s\b")
_FORWARD_CUES = {"effective", "until", "till", "starting", "pending"}
_EXTENDERS = words("dates", "extenders")


def _extend_left(doc: Doc, start: int, end: int, ctx: Context) -> tuple[int, int]:
    """Pull in a determiner the NER left out ("this" + "year's results", "each" + "July")."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or span.start == 0:
        return start, end
    prev = doc[span.start - 1]
    quantifier = prev.lower_ in ("each", "every")
    if not quantifier and (prev.lower_ not in _EXTENDERS or prev.lower_ == "the"):
        return start, end
    own = read(doc_text(doc)[start:end], ctx)
    extended = read(doc_text(doc)[prev.idx : end], ctx)
    if extended is None:
        return start, end
    if quantifier:
        # "departing each Thursday", "march each July": a SET, not one Thursday.
        return (prev.idx, end) if extended.type == "SET" else (start, end)
    if own is None or own.type == "DURATION" and extended.type == "DATE":
        return prev.idx, end
    return start, end


_PERIOD_END = re.compile(r"\s+(?:that |which )?(?:ended|ending|ends|to date|through)\b", re.I)


def _the_year(text: str, end: int, published: dt.date | None, reading: Reading) -> Reading:
    """A bare "the year": a fiscal period when its end is given, else the current year.

    "the year ended Sept. 30" measures a twelve-month period (DURATION P1Y, as TimeBank
    marks it); "for the year, volume was flat" / "the first nine months of the year" point
    at the calendar year of the story (DATE).
    """
    if _PERIOD_END.match(text, end):
        return reading
    if published is None:
        return Reading("DATE", "XXXX", "the_year_deictic", "none")
    return Reading("DATE", f"{published.year:04d}", "the_year_deictic", "publication")


def _read_span(text: str, start: int, end: int, ctx: Context) -> tuple[int, int, Reading | None]:
    """Read a span; if that fails, drop up to three leading or two trailing words."""
    reading = read(text[start:end], ctx)
    if reading is not None:
        return start, end, reading
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    for k in range(1, min(4, len(words))):
        s = words[k][0]
        reading = read(text[s:end], ctx)
        if reading is not None:
            return s, end, reading
    for k in range(1, min(3, len(words))):
        e = words[-1 - k][1]
        reading = read(text[start:e], ctx)
        if reading is not None:
            return start, _trim(text, start, e)[1], reading
    return start, end, None


def timexes(doc: Doc, *, published: dt.date | None) -> list[Timex]:
    """Find every time expression in doc and normalize it, sorted by start.

    Args:
        doc: a parsed Doc (tagger, parser and ner are needed).
        published: publication date; None leaves relative expressions unresolved.
    Returns:
        Timex records sorted by start offset.
    """
    text = doc_text(doc)
    out: list[Timex] = []
    reference: Reference | None = None
    quarter: tuple[int, int] | None = None
    for c in _refine(doc, _candidates(doc)):
        span = doc.char_span(c.start, c.end, alignment_mode="expand")
        tense = tense_of(span) if span is not None else "past"
        if (
            span is not None
            and span.start > 0
            and doc[span.start - 1].lower_ in _FORWARD_CUES
            and not span_pluperfect(span)
        ):
            # "effective Feb. 1", "until Tuesday": deadlines look ahead -- but not in a
            # pluperfect narrative ("Until Thursday, they had not called him a suspect").
            tense = "future"
        if _POSSESSIVE.match(text, c.end) and WEEKDAY_WORD.search(text, c.start, c.end):
            # "Wednesday's ruling", "Friday's close": a weekday owning an event names one
            # already reported, whatever the tense of the verb around the noun phrase.
            tense = "past"
        ctx = Context(published, tense, reference, quarter)
        start, end = _extend_left(doc, c.start, c.end, ctx)
        start, end, reading = _read_span(text, start, end, ctx)
        if reading is None:
            # Neither a rule nor dateparser can read it: an NER false alarm ("Stauber",
            # "as little as 99 cents", "the comparable") far more often than a time.
            continue
        if reading is not None and reading.rule == "the_unit" and reading.value == "P1Y":
            reading = _the_year(text, end, published, reading)
        elif text[start:end].lower() == "the fiscal year" and _PERIOD_END.match(text, end):
            # "the fiscal year ended Jan. 31" measures the twelve months, as "the year
            # ended Sept. 30" does.
            reading = Reading("DURATION", "P1Y", "the_unit", "none")
        if (
            tense == "future"
            and text[start:end].lower() == "one day"
            and not re.search(
                r"\b(?:for|in|within|than|about|after|a|every|each)\s+$", text[:start]
            )
        ):
            # "Islam will one day be ...": someday, not a day long.
            reading = Reading("DATE", "FUTURE_REF", "future_ref", "none")
        timex = _make(start, end, text[start:end], reading, c.label)
        out.append(timex)
        if timex.anchor == "previous" or timex.type != "DATE" or timex.start_date is None:
            continue
        # Only expressions anchored outside the chain may anchor later ones ("a year earlier"
        # after "a year earlier" must not drift another year back).
        if granularity_of(timex.value) in ("day", "month", "quarter", "year", "week"):
            reference = Reference(timex.value, timex.start_date)  # type: ignore[arg-type]
        if timex.rule in ("quarter", "quarter_context", "year_period"):
            quarter = _quarter_from(timex.value) or quarter
    return out
