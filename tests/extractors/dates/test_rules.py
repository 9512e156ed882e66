"""configs/dates/rules.toml: every rule's examples are read by that very rule."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.dates import rules as R
from extractors.dates.arithmetic import normalize_surface
from extractors.dates.points import HOLIDAYS, load_holidays
from extractors.dates.values import HANDLERS, Context, Reference, value_interval

PUB = dt.date(2021, 3, 18)  # a Thursday, as the examples assume


def _reading(text: str, tense: str, reference: str | None) -> tuple[str, str | None] | None:
    """(rule name, value) of the first rule that reads `text`, in priority order."""
    ref = None
    if reference is not None:
        start, _, _ = value_interval(reference)
        assert start is not None
        ref = Reference(reference, start)
    ctx = Context(PUB, tense, ref)
    surface = normalize_surface(text)
    for date_rule in R.RULES:
        match = date_rule.pattern.fullmatch(surface)
        if match is not None and (out := date_rule.handler(match, ctx)) is not None:
            return date_rule.name, out.value
    return None


EXAMPLES = [
    pytest.param(r.name, e, id=f"{r.name}:{e['text']}") for r in R.RULES for e in r.examples
]


@pytest.mark.parametrize(("name", "example"), EXAMPLES)
def test_each_example_is_read_by_its_rule(name: str, example: dict[str, str]):
    got = _reading(example["text"], example.get("tense", "past"), example.get("reference"))
    assert got == (name, example["value"])


def test_every_rule_has_an_example_and_every_handler_a_rule():
    assert all(r.examples for r in R.RULES), [r.name for r in R.RULES if not r.examples]
    assert {r.handler for r in R.RULES} == set(HANDLERS.values())


def test_examples_agree_with_the_public_entry_point():
    # read() is what the dates stage calls: dateparser comes after the rules.
    for r in R.RULES:
        for e in r.examples:
            if "reference" not in e:
                ctx = Context(PUB, e.get("tense", "past"))
                reading = R.read(e["text"], ctx)
                assert reading is not None and reading.value == e["value"], e


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[rule]]\nname = "x"\npriority = 1\nhandler = "nope"\npattern = "a"\n', "handler"),
        ('[[rule]]\nname = "x"\npriority = 1\nhandler = "refs"\npattern = "%{nope}"\n', "nope"),
        ('[[rule]]\nname = "x"\npriority = 1\nhandler = "refs"\npattern = "(a"\n', "bad pattern"),
        (
            '[[rule]]\nname = "x"\npriority = 1\nhandler = "refs"\npattern = "a"\n'
            '[[rule]]\nname = "y"\npriority = 1\nhandler = "refs"\npattern = "b"\n',
            "priority",
        ),
    ],
)
def test_a_bad_rule_table_is_a_clear_error(toml: str, message: str):
    with pytest.raises(ValueError, match=message):
        R.load_rules(toml)


@pytest.mark.parametrize(
    ("name", "year", "day"),
    [
        ("christmas eve", 2021, dt.date(2021, 12, 24)),  # fixed
        ("thanksgiving", 2021, dt.date(2021, 11, 25)),  # fourth Thursday
        ("memorial day", 2021, dt.date(2021, 5, 31)),  # last Monday
        ("election day", 2020, dt.date(2020, 11, 3)),  # the day after the first Monday
        ("good friday", 2021, dt.date(2021, 4, 2)),  # Easter - 2
        ("easter monday", 2019, dt.date(2019, 4, 22)),  # Easter + 1
    ],
)
def test_holidays_are_read_from_the_table(name: str, year: int, day: dt.date):
    assert HOLIDAYS[name](year) == day


def test_a_holiday_without_a_rule_for_its_day_is_a_clear_error():
    with pytest.raises(ValueError, match="needs names"):
        load_holidays('[[holiday]]\nnames = ["pi day"]\nmonth = 3\n')
    with pytest.raises(ValueError, match="needs names"):
        load_holidays('[[holiday]]\nnames = ["x"]\nmonth = 3\nday = 14\neaster_offset = 1\n')
