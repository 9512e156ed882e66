"""Actor normalization on small texts written for these tests, parsed by the real model."""

import pytest

from extractors.actors import ActorResolver, strip_titles
from extractors.events.frames import frames

COUNTRIES = {"China": "CN", "Chinese": "CN", "Beijing": "CN", "France": "FR", "British": "GB"}


def _resolver(doc):
    return ActorResolver(doc, lexicon={}, country_of=COUNTRIES.get)


def _actor_of(nlp, text, lemma):
    doc = nlp(text)
    resolver = _resolver(doc)
    [frame] = [f for f in frames(doc) if f.predicate_lemma == lemma]
    return resolver.resolve(frame.actor.start, frame.actor.end, frame.actor.head)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mr. Blinken", "Blinken"),
        ("former President Donald J. Trump", "Donald J. Trump"),
        ("Prime Minister Jane Doe", "Jane Doe"),
    ],
)
def test_titles_are_removed(name, expected):
    assert strip_titles(name) == expected


def test_short_mentions_join_the_fullest_name(nlp):
    text = (
        "Antony Blinken arrived in Tokyo on Monday. Mr. Blinken met the prime minister. "
        "Blinken praised the alliance."
    )
    assert _actor_of(nlp, text, "meet").canonical == "Antony Blinken"
    assert _actor_of(nlp, text, "praise").canonical == "Antony Blinken"


def test_pronoun_takes_the_nearest_person(nlp):
    text = "Maria Lopez met the mayor on Friday. She criticized the budget."
    actor = _actor_of(nlp, text, "criticize")
    assert actor.canonical == "Maria Lopez"
    assert actor.type == "person"


def test_capital_as_subject_is_its_government(nlp):
    actor = _actor_of(nlp, "Beijing rejected the proposal on Monday.", "reject")
    assert actor.type == "government"
    assert actor.country == "CN"


def test_demonym_officials_are_government(nlp):
    actor = _actor_of(nlp, "Chinese officials criticized the decision.", "criticize")
    assert actor.type == "government"
    assert actor.country == "CN"


def test_unresolved_pronoun_says_so(nlp):
    actor = _actor_of(nlp, "They criticized the decision.", "criticize")
    assert actor.canonical is None
    assert actor.type == "pronoun"


def test_dateline_span_is_no_antecedent(nlp):
    # "(AP)" is an organization before the pronoun, but it is the dateline's wire service.
    text = "NAIROBI, Kenya (AP) — Police arrested 14 protesters. They said it was illegal."
    doc = nlp(text)
    resolver = ActorResolver(
        doc, lexicon={}, country_of=COUNTRIES.get, dateline=(0, text.index("—") + 2)
    )
    [frame] = [f for f in frames(doc) if f.predicate_lemma == "say"]
    actor = resolver.resolve(frame.actor.start, frame.actor.end, frame.actor.head)
    assert actor.canonical != "AP"
    assert actor.type == "pronoun"
