"""Tests for the temporal extractor: rules per family, Doc-level detection, properties."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.dates.detect import Timex, normalize_timex, timexes
from extractors.dates.values import granularity_of, value_interval

PUB = dt.date(2021, 3, 18)  # a Thursday


def value(
    text: str, *, tense: str = "past", anchor: dt.date | None = PUB, reference: str | None = None
) -> str | None:
    return normalize_timex(text, anchor=anchor, tense=tense, reference=reference).value


# --------------------------------------------------------------------------- rule families


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("Thursday", "past", "2021-03-18"),  # the same day counts
        ("Thursday", "future", "2021-03-18"),
        ("on Wednesday", "past", "2021-03-17"),
        ("Wednesday", "future", "2021-03-24"),
        ("Friday", "future", "2021-03-19"),
        ("Friday", "past", "2021-03-12"),
        ("last Thursday", "past", "2021-03-11"),
        ("next Monday", "past", "2021-03-22"),
        ("this coming Sunday", "past", "2021-03-21"),
        ("Tuesday", "present", "2021-03-16"),
    ],
)
def test_weekdays_follow_tense(text: str, tense: str, expected: str) -> None:
    assert value(text, tense=tense) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", "2021-03-18"),
        ("yesterday", "2021-03-17"),
        ("tomorrow", "2021-03-19"),
        ("tonight", "2021-03-18TNI"),
        ("last night", "2021-03-17TNI"),
        ("this morning", "2021-03-18TMO"),
        ("yesterday afternoon", "2021-03-17TAF"),
        ("the day before yesterday", "2021-03-16"),
    ],
)
def test_relative_days(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", "PRESENT_REF"),
        ("currently", "PRESENT_REF"),
        ("right now", "PRESENT_REF"),
        ("recently", "PAST_REF"),
        ("the past", "PAST_REF"),
        ("the future", "FUTURE_REF"),
        ("the near future", "FUTURE_REF"),
    ],
)
def test_reference_words(text: str, expected: str) -> None:
    assert value(text) == expected
    assert value(text, anchor=None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this week", "2021-W11"),
        ("last week", "2021-W10"),
        ("next week", "2021-W12"),
        ("this month", "2021-03"),
        ("earlier this month", "2021-03"),
        ("last month", "2021-02"),
        ("this year", "2021"),
        ("last year", "2020"),
        ("next year", "2022"),
        ("early next year", "2022"),
        ("later this year", "2021"),
        ("this quarter", "2021-Q1"),
        ("next quarter", "2021-Q2"),
        ("the weekend", "2021-W10-WE"),
        ("this decade", "202"),
        ("this century", "20"),
    ],
)
def test_this_last_next_units(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("three years ago", "2018"),
        ("a year ago", "2020"),
        ("two months ago", "2021-01"),
        ("10 days ago", "2021-03-08"),
        ("six weeks ago", "2021-W05"),
        ("a decade ago", "2011"),
        ("several years ago", "PAST_REF"),
    ],
)
def test_ago(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the 1990s", "199"),
        ("the mid-1990s", "199"),
        ("the '80s", "198"),
        ("the nineties", "199"),
        ("the 20th century", "19"),
        ("the 11th century", "10"),
        ("in 1998", "1998"),
        ("1998", "1998"),
        ("fiscal 2021", "2021"),
        ("nineteen ninety-six", "1996"),
        ("the year two thousand", "2000"),
        ("early 2020", "2020"),
        ("late 2019", "2019"),
    ],
)
def test_years_decades_centuries(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("summer 2021", "2021-SU"),
        ("last fall", "2020-FA"),
        ("this summer", "2021-SU"),
        ("the winter of 1994", "1994-WI"),
        ("the third quarter", "2020-Q3"),  # results for a quarter still to come are last year's
        ("the first quarter", "2021-Q1"),
        ("third-quarter", "2020-Q3"),
        ("the fourth quarter of 1990", "1990-Q4"),
        ("Q3 2021", "2021-Q3"),
        ("the first half of 2020", "2020-H1"),
        ("the latest quarter", "2020-Q4"),
    ],
)
def test_seasons_quarters_halves(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("March 18, 2021", "past", "2021-03-18"),
        ("18 March 2021", "past", "2021-03-18"),
        ("Aug. 7, 1998", "past", "1998-08-07"),
        ("2021-03-18", "past", "2021-03-18"),
        ("Jan. 5", "past", "2021-01-05"),
        ("Dec. 15", "past", "2020-12-15"),
        ("Dec. 15", "future", "2021-12-15"),
        ("April 2", "past", "2021-04-02"),  # two weeks ahead beats a year back
        ("March", "past", "2021-03"),
        ("November", "past", "2020-11"),
        ("November", "future", "2021-11"),
        ("last April", "past", "2020-04"),
        ("July 1997", "past", "1997-07"),
        ("Friday, March 12", "past", "2021-03-12"),
        ("the week of March 8", "past", "2021-W10"),
    ],
)
def test_calendar_dates(text: str, tense: str, expected: str) -> None:
    assert value(text, tense=tense) == expected


@pytest.mark.parametrize(
    ("text", "tense", "anchor", "expected"),
    [
        # Past tense: the last such month, even when the next one is only weeks away ...
        ("January", "past", dt.date(2021, 10, 25), "2021-01"),
        ("in December", "past", dt.date(2021, 10, 27), "2020-12"),
        # ... except the month right after publication, which is the coming one.
        ("April", "past", dt.date(2021, 3, 12), "2021-04"),
        ("October", "past", dt.date(2021, 10, 2), "2021-10"),
        # Future tense: the next such month, however far.
        ("December", "future", dt.date(2021, 3, 4), "2021-12"),
        ("February", "future", dt.date(2021, 3, 4), "2022-02"),
        # Present tense: the nearest.
        ("April", "present", dt.date(2021, 12, 5), "2022-04"),
    ],
)
def test_bare_month_follows_tense(text: str, tense: str, anchor: dt.date, expected: str) -> None:
    assert value(text, tense=tense, anchor=anchor) == expected


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("this past spring", dt.date(2021, 10, 30), "2021-SP"),  # the spring just gone
        ("this past spring", dt.date(2021, 4, 10), "2020-SP"),  # this one has not ended
        ("this past winter", dt.date(2021, 3, 1), "2020-WI"),
        ("the past summer", dt.date(2021, 9, 1), "2021-SU"),
        ("last spring", dt.date(2021, 10, 30), "2020-SP"),  # "last": the year before
    ],
)
def test_this_past_season_is_the_last_one_to_end(text: str, anchor: dt.date, expected: str) -> None:
    assert value(text, anchor=anchor) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:35 a.m.", "2021-03-18T10:35"),
        ("3 p.m. Friday", "2021-03-12T15:00"),
        ("noon Thursday", "2021-03-18T12:00"),
        ("Wednesday night", "2021-03-17TNI"),
        ("Thanksgiving", "2020-11-26"),
        ("Christmas", "2020-12-25"),
    ],
)
def test_times_and_holidays(text: str, expected: str) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected_type", "expected"),
    [
        ("three years", "DURATION", "P3Y"),
        ("two hours", "DURATION", "PT2H"),
        ("one day", "DURATION", "P1D"),
        ("the past two months", "DURATION", "P2M"),
        ("the next 14 months", "DURATION", "P14M"),
        ("two-year", "DURATION", "P2Y"),
        ("16-hour", "DURATION", "PT16H"),
        ("2 1/2 years", "DURATION", "P2Y6M"),
        ("5 1/2 hours", "DURATION", "PT5H30M"),
        ("a couple of years", "DURATION", "P2Y"),
        ("several months", "DURATION", "PXM"),
        ("two decades", "DURATION", "P20Y"),
        ("every week", "SET", "P1W"),
        ("daily", "SET", "P1D"),
        ("every two weeks", "SET", "P2W"),
        ("each Thursday", "SET", "XXXX-WXX-4"),
        ("each July", "SET", "XXXX-07"),
    ],
)
def test_durations_and_sets(text: str, expected_type: str, expected: str) -> None:
    t = normalize_timex(text, anchor=PUB)
    assert (t.type, t.value) == (expected_type, expected)
    assert t.start_date is None and t.granularity is None


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("that day", "1998-08-07", "1998-08-07"),
        ("the following week", "1998-08-07", "1998-W33"),
        ("a year earlier", "1998", "1997"),
        ("two days later", "1998-08-07", "1998-08-09"),
    ],
)
def test_previous_anchoring(text: str, reference: str, expected: str) -> None:
    t = normalize_timex(text, anchor=PUB, reference=reference)
    assert t.value == expected
    assert t.anchor == "previous"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thursday", "XXXX-WXX-4"),
        ("yesterday", "XXXX-XX-XX"),
        ("last year", "XXXX"),
        ("this week", "XXXX-WXX"),
        ("March 5", "XXXX-03-05"),
        ("three years ago", "XXXX"),
    ],
)
def test_unknown_publication_date_stays_unresolved(text: str, expected: str) -> None:
    t = normalize_timex(text, anchor=None)
    assert t.value == expected
    assert t.resolved is False
    assert t.start_date is None


def test_absolute_dates_resolve_without_anchor() -> None:
    t = normalize_timex("March 5, 1998", anchor=None)
    assert (t.value, t.resolved, t.start_date) == ("1998-03-05", True, dt.date(1998, 3, 5))


def test_interval_and_granularity() -> None:
    t = normalize_timex("this week", anchor=PUB)
    assert (t.start_date, t.end_date, t.granularity) == (
        dt.date(2021, 3, 15),
        dt.date(2021, 3, 21),
        "week",
    )
    t = normalize_timex("the 1990s", anchor=PUB)
    assert (t.start_date, t.end_date, t.granularity) == (
        dt.date(1990, 1, 1),
        dt.date(1999, 12, 31),
        "decade",
    )
    t = normalize_timex("summer 2021", anchor=PUB)
    assert (t.start_date, t.end_date, t.granularity) == (
        dt.date(2021, 6, 1),
        dt.date(2021, 8, 31),
        "season",
    )


def test_not_a_time_expression() -> None:
    t = normalize_timex("the red house", anchor=PUB)
    assert t.value is None and t.rule == "unparsed"


def test_bad_tense_is_rejected() -> None:
    with pytest.raises(ValueError, match="tense"):
        normalize_timex("Friday", anchor=PUB, tense="later")


# --------------------------------------------------------------------------- Doc level


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    from extractors.nlp import load_pipeline

    try:
        return load_pipeline()
    except Exception as exc:  # noqa: BLE001 - the model package may be absent on a bare machine
        pytest.skip(f"spaCy model not installed: {exc}")


SEED = (
    "Secretary of State Antony Blinken ends his first high-level diplomatic tour of Asia on "
    "Thursday. The picture will be clearer after talks later on Thursday and on Friday in "
    "Anchorage. Washington has issued new sanctions against Beijing, including on Wednesday. "
    "Officials held several meetings this week."
)


def _by_text(found: list[Timex]) -> dict[str, list[str | None]]:
    out: dict[str, list[str | None]] = {}
    for t in found:
        out.setdefault(t.text, []).append(t.value)
    return out


def test_seed_article(nlp) -> None:  # type: ignore[no-untyped-def]
    found = timexes(nlp(SEED), published=PUB)
    values = _by_text(found)
    assert values["Thursday"] == ["2021-03-18", "2021-03-18"]
    assert values["Friday"] == ["2021-03-19"]
    assert values["Wednesday"] == ["2021-03-17"]
    assert values["this week"] == ["2021-W11"]
    assert [t.start for t in found] == sorted(t.start for t in found)
    for t in found:
        assert SEED[t.start : t.end] == t.text


def test_seed_article_without_publication_date(nlp) -> None:  # type: ignore[no-untyped-def]
    found = timexes(nlp(SEED), published=None)
    assert found and all(not t.resolved for t in found)
    assert all(t.value and t.value.startswith("XXXX") for t in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The company posted a loss in the quarter ended Sept. 30, 2020.",
            [("the quarter", None), ("Sept. 30, 2020", "2020-09-30")],
        ),
        ("Smith, 44, joined the firm five years ago.", [("five years ago", "2016")]),
        ("The 6-year-old boy was found Thursday night.", [("Thursday night", "2021-03-18TNI")]),
        (
            "Results will be out from March 3 to March 9.",
            [("March 3", "2021-03-03"), ("March 9", "2021-03-09")],
        ),
        (
            "Prices are now falling, as they did recently.",
            [("now", "PRESENT_REF"), ("recently", "PAST_REF")],
        ),
        ("Last year's profit rose.", [("Last year", "2020")]),
    ],
)
def test_extents(nlp, text: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    found = timexes(nlp(text), published=PUB)
    got = [(t.text, t.value) for t in found]
    for surface, val in expected:
        assert any(s == surface and (val is None or v == val) for s, v in got), got
    assert not any(re.search(r"\b44\b|6-year-old", s) for s, _ in got)


def _found(nlp, text: str) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return [(t.text, t.value) for t in timexes(nlp(text), published=PUB)]


def test_discourse_now_is_not_a_time(nlp) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, "The law changed last year. Now, the question is what comes next.")
    assert not any(s == "Now" for s, _ in got), got


def test_now_that_still_refers_to_the_present(nlp) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, "Aqaba is the only outlet now that the ports are closed.")
    assert ("now", "PRESENT_REF") in got, got


@pytest.mark.parametrize(
    "text",
    [
        "Gonzalez said on CBS's ''60 Minutes.'' He did not elaborate.",
        'Baker, speaking on ABC News\' "This Week," said the request was made.',
        "The poll was published in USA Today on Monday.",
    ],
)
def test_titles_are_not_times(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, text)
    assert not any(s in ("60 Minutes", "This Week", "Today") for s, _ in got), got


@pytest.mark.parametrize(
    ("text", "surface", "expected"),
    [
        # A pluperfect narrative keeps "until" dates behind the story.
        ("Until Wednesday, police had not named him a suspect.", "Wednesday", "2021-03-17"),
        ("The offer had been due to expire Friday evening.", "Friday evening", "2021-03-12TEV"),
        # ... while a live deadline still looks ahead.
        ("The offer was extended until Friday.", "Friday", "2021-03-19"),
    ],
)
def test_pluperfect_deadlines_are_past(nlp, text: str, surface: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert (surface, expected) in _found(nlp, text)


def test_possessive_weekday_names_a_reported_day(nlp) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, "The family said it would appeal Wednesday's ruling.")
    assert ("Wednesday", "2021-03-17") in got, got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Protesters planned a large march on Saturday.", "2021-03-20"),
        ("On Friday, the government planned to pay the first claims.", "2021-03-12"),
    ],
)
def test_planned_events_look_ahead(nlp, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert any(v == expected for _, v in _found(nlp, text)), _found(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("For the year, pet food volume was flat.", ("the year", "2021")),
        ("Sales rose through the first nine months of the year.", ("the year", "2021")),
        ("Profit rose in the year ended June 30.", ("the year", "P1Y")),
        ("Sales fell in the fiscal year ended Jan. 31.", ("the fiscal year", "P1Y")),
        ("Costs will weigh on profit for the fiscal year.", ("the fiscal year", "2021")),
    ],
)
def test_the_year_deictic_or_fiscal(nlp, text: str, expected: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert expected in _found(nlp, text), _found(nlp, text)


def test_calendar_date_inside_another_entity(nlp) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, "Tourism suffered after the Aug. 7 Embassy bombings in Nairobi.")
    assert ("Aug. 7", "2020-08-07") in got, got


def test_unreadable_candidates_are_dropped(nlp) -> None:  # type: ignore[no-untyped-def]
    found = timexes(
        nlp("Officials were not certain whether Stauber or Gingrich had been involved."),
        published=PUB,
    )
    assert all(t.value is not None for t in found), found


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # "can" is an ability from now on: the nearest April, not the one gone by.
        (
            "Now that the treaty is signed, the two states can join the talks in April.",
            dt.date(2021, 12, 5),
            ("April", "2022-04"),
        ),
        # be + to-infinitive is an arrangement still to come.
        ("The exhibition is to reopen in Lyon Tuesday.", PUB, ("Tuesday", "2021-03-23")),
        # a noun of agreement taking a to-infinitive looks ahead too.
        (
            "Shareholders approved an agreement to merge the two mills in March.",
            dt.date(2021, 11, 2),
            ("March", "2022-03"),
        ),
        # a plain past-tense narrative keeps a bare month behind the story.
        (
            "In January, the club hired a new coach.",
            dt.date(2021, 10, 27),
            ("January", "2021-01"),
        ),
    ],
)
def test_tense_of_modals_and_arrangements(
    nlp,  # type: ignore[no-untyped-def]
    text: str,
    published: dt.date,
    expected: tuple[str, str],
) -> None:
    got = [(t.text, t.value) for t in timexes(nlp(text), published=published)]
    assert expected in got, got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Three days later, the river had fallen.", ("Three days", "P3D")),
        ("A few days later, the team signed a striker.", ("A few days", "PXD")),
        ("The ship docked an hour later in the harbour.", ("an hour", "PT1H")),
    ],
)
def test_later_is_a_signal_not_part_of_the_duration(
    nlp, text: str, expected: tuple[str, str]
) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, text)
    assert expected in got, got
    assert not any("later" in s for s, _ in got), got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Engineers hope the probe will one day reach Mars.", ("one day", "FUTURE_REF")),
        ("The strike will last for one day.", ("one day", "P1D")),
    ],
)
def test_will_one_day_is_someday(nlp, text: str, expected: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert expected in _found(nlp, text), _found(nlp, text)


def test_a_year_earlier_stays_a_date(nlp) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, "Exports were 8% higher than a year earlier.")
    assert ("a year earlier", "2020") in got, got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Farmers ended a day-long protest outside the ministry.", ("day-long", "P1D")),
        ("The mill closed after a years-old dispute.", ("years-old", "PXY")),
        ("The two-week-long strike ended on Monday.", ("two-week-long", "P2W")),
    ],
)
def test_duration_adjectives(nlp, text: str, expected: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, text)
    assert expected in got, got


def test_weekday_before_a_calendar_date_is_one_date(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Sales of the toy peaked Friday Oct. 8 in most stores.")
    got = [(t.text, t.value) for t in timexes(doc, published=dt.date(2021, 10, 20))]
    assert got == [("Friday Oct. 8", "2021-10-08")], got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The ferry sails each Friday from May 3.", ("each Friday", "XXXX-WXX-5")),
        ("The village holds a fair each June.", ("each June", "XXXX-06")),
    ],
)
def test_each_weekday_or_month_is_a_set(nlp, text: str, expected: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, text)
    assert expected in got, got


def test_weekday_the_ner_missed_is_still_found(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Late Monday, officials said the visas were approved. Stocks fell on Black Monday.")
    doc.ents = []  # as if the NER had tagged nothing
    got = [(t.text, t.value) for t in timexes(doc, published=PUB)]
    assert ("Monday", "2021-03-15") in got, got
    assert len([s for s, _ in got if "Monday" in s]) == 1, got


def test_ages_are_not_durations(nlp) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, "A 37-year-old nurse and her 8-month-old daughter were unhurt.")
    assert not any("old" in s for s, _ in got), got


@pytest.mark.parametrize(
    "text",
    [
        "Music matters to today's youth more than ever.",
        "Privacy is hard to keep in today's world.",
        "Batteries power most of today's laptop computers.",
    ],
)
def test_present_day_todays_is_not_the_publication_day(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, text)
    assert not any(s.lower().startswith("today") for s, _ in got), got


def test_todays_event_is_the_publication_day(nlp) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, "Today's match starts at noon.")
    assert ("Today", "2021-03-18") in got, got


# --------------------------------------------------------------------------- properties

_WORDS = st.sampled_from(
    [
        "the",
        "last",
        "next",
        "this",
        "early",
        "late",
        "mid",
        "1998",
        "2021",
        "'90s",
        "1990s",
        "Monday",
        "Friday",
        "March",
        "Dec.",
        "15",
        "week",
        "month",
        "year",
        "quarter",
        "decade",
        "century",
        "ago",
        "earlier",
        "later",
        "two",
        "three",
        "a",
        "few",
        "every",
        "each",
        "summer",
        "fall",
        "fiscal",
        "Q3",
        "yesterday",
        "today",
        "tomorrow",
        "now",
        "recently",
        "night",
        "morning",
        "3",
        "p.m.",
        ",",
        "of",
        "in",
        "on",
        "weekend",
        "first",
        "second",
        "third",
        "half",
        "20th",
        "nineteen",
        "ninety-six",
        "hours",
        "days",
    ]
)
_PHRASES = st.lists(_WORDS, min_size=1, max_size=5).map(" ".join)
_ANCHORS = st.one_of(
    st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
)
_TENSES = st.sampled_from(["past", "present", "future"])
_SHAPES = {
    "day": r"\d{4}-\d\d-\d\d",
    "time": r"\d{4}-\d\d-\d\dT.+",
    "week": r"\d{4}-W\d\d(-WE)?",
    "month": r"\d{4}-\d\d",
    "quarter": r"\d{4}-[QH]\d",
    "season": r"\d{4}-(SP|SU|FA|WI)",
    "year": r"\d{4}",
    "decade": r"\d{3}X?",
    "century": r"\d{2}(XX)?",
}


@settings(max_examples=300, deadline=None)
@given(text=_PHRASES, anchor=_ANCHORS, tense=_TENSES)
def test_property_intervals_consistent(text: str, anchor: dt.date | None, tense: str) -> None:
    t = normalize_timex(text, anchor=anchor, tense=tense)
    if t.start_date is not None:
        assert t.end_date is not None and t.start_date <= t.end_date
        assert t.granularity is not None
        assert re.fullmatch(_SHAPES[t.granularity], t.value or "")
        assert granularity_of(t.value) == t.granularity
    else:
        assert t.end_date is None and t.granularity is None


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40), anchor=_ANCHORS, tense=_TENSES)
def test_property_no_exception_on_random_strings(
    text: str, anchor: dt.date | None, tense: str
) -> None:
    t = normalize_timex(text, anchor=anchor, tense=tense)
    assert t.type in ("DATE", "TIME", "DURATION", "SET")


@settings(max_examples=300, deadline=None)
@given(text=_PHRASES, tense=_TENSES)
def test_property_unknown_anchor_never_absolute_relative(text: str, tense: str) -> None:
    t = normalize_timex(text, anchor=None, tense=tense)
    if t.anchor == "publication":
        pytest.fail(f"{text!r} anchored to a publication date that is unknown: {t}")
    if t.value and t.value.startswith("XXXX"):
        assert t.resolved is False and t.start_date is None
    # Whatever resolves without an anchor must spell its own year out.
    if t.start_date is not None and t.granularity in (
        "day",
        "week",
        "month",
        "quarter",
        "season",
        "year",
    ):
        assert t.value is not None and t.value[:4] in text or _spelled_year(text)


def _spelled_year(text: str) -> bool:
    return bool(re.search(r"nineteen|'\d\d|\d{4}", text))


@pytest.mark.parametrize(
    "val",
    [
        "2021-03-18",
        "2021-W11",
        "2021-W10-WE",
        "2021-03",
        "2021-Q1",
        "2021-H2",
        "2021-WI",
        "2021",
        "199X",
        "19",
    ],
)
def test_value_interval_shapes(val: str) -> None:
    first, last, gran = value_interval(val)
    assert first is not None and last is not None and first <= last
    assert gran == granularity_of(val)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The mayor called on the police to free the men by Friday.", "2021-03-19"),
        ("Unions pressed the firm to raise wages by Monday.", "2021-03-22"),
        ("The court ordered the army to withdraw by Tuesday.", "2021-03-23"),
        ("The police freed the men by Friday.", "2021-03-12"),
    ],
)
def test_weekday_deadline_of_a_request_lies_ahead(nlp, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    [(_, found)] = [(s, v) for s, v in _found(nlp, text) if s.endswith("day")]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shipping slowed because of current fuel shortages.", ("current", "PRESENT_REF")),
        ("She kept her current job at the mill.", ("current", "PRESENT_REF")),
        ("Holders may buy shares at half the then current price.", ("then current", "PAST_REF")),
    ],
)
def test_current_as_a_modifier_is_the_present(nlp, text: str, expected: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert expected in _found(nlp, text), _found(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "The country ran a current account deficit of 3% of output.",
        "A strong current pulled the swimmers out to sea.",
    ],
)
def test_current_as_a_term_or_noun_is_not_a_time(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, text)
    assert not any("current" in s.lower() for s, _ in got), got


def test_recent_years_is_a_past_reference() -> None:
    reading = normalize_timex("recent years", anchor=PUB)
    assert (reading.type, reading.value) == ("DATE", "PAST_REF")
    # Other vague plurals stay durations.
    assert normalize_timex("recent months", anchor=PUB).value == "PXM"


def test_latest_period_and_quarter_the_ner_missed(nlp) -> None:  # type: ignore[no-untyped-def]
    got = _found(nlp, "There were no gains in the latest period.")
    assert ("the latest period", "2020-Q4") in got, got
    # The NER tags only "second" (ORDINAL) here.
    got = _found(nlp, "After a flat second quarter tied to weak demand, sales recovered.")
    assert any(s == "second quarter" and (v or "").endswith("-Q2") for s, v in got), got


def test_that_same_day_after_a_month_leaves_the_day_open() -> None:
    assert value("that same day", reference="2020-10") == "2020-10-XX"
    assert value("that same day", reference="2020") == "2020-XX-XX"
    assert value("that same day", reference="2020-10-23") == "2020-10-23"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Traders doubt the rally will last in the short term.", ("the short term", "FUTURE_REF")),
        ("We see risks in the near term.", ("the near term", "FUTURE_REF")),
        ("The road will stay closed for a while.", ("a while", "PXX")),
        ("It made money after several quarters of losses.", ("several quarters", "PXQ")),
    ],
)
def test_vague_spans_the_ner_misses(nlp, text: str, expected: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert expected in _found(nlp, text), _found(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the past decade", ("DURATION", "P10Y")),
        ("the past century", ("DURATION", "P100Y")),
        ("the last decade", ("DATE", "201")),
        ("this decade", ("DATE", "202")),
    ],
)
def test_the_past_decade_is_a_stretch_up_to_now(text: str, expected: tuple[str, str]) -> None:
    reading = normalize_timex(text, anchor=PUB)
    assert (reading.type, reading.value) == expected
