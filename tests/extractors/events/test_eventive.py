"""Which frames state a happening: the rubric's kinds of non-event, on sentences written for
these tests and parsed by the real model."""

import pytest

from extractors.events.eventive import not_event
from extractors.events.frames import frames


def _reasons(nlp, text):
    """{predicate lemma: reason or None} for the frames of `text`."""
    doc = nlp(text)
    return {f.predicate_lemma.removeprefix("not "): not_event(doc, f) for f in frames(doc)}


@pytest.mark.parametrize(
    ("text", "lemma", "reason"),
    [
        ("Police fired tear gas to restore calm in the city.", "restore", "purpose"),
        ("The minister flew to Seoul to discuss the crisis.", "discuss", "purpose"),
        ("Pilgrims crowded into tents occupied by their families.", "occupy", "modifier"),
        ("The army sent a ship carrying food to the island.", "carry", "modifier"),
        ("The senator praised athletes who build muscle.", "build", "modifier"),
        ("Police questioned the man who crashed the tram.", "crash", "modifier"),
        ("The leaders ended talks on forming a government.", "form", "modifier"),
        ("Collingwood batted on to help restore the innings.", "restore", "purpose"),
        ("We want peace so we can focus on the economy, he said.", "focus", "purpose"),
        ("Russia opposes the bid to join the alliance.", "oppose", "state"),
        ("The credit carries a grace period of ten years.", "carry", "state"),
        ("Germany appeared to prefer a delay.", "appear", "state"),
        ("The minister knew that the talks had failed.", "know", "state"),
        ("I feel that the government has betrayed us, he said.", "feel", "state"),
        ("The coach appeared thrilled with the result.", "appear", "state"),
        ("The country was braced for a storm.", "brace", "state"),
        ("The ratio stood at 8.4 percent last year.", "stand", "statistic"),
        ("Exports totalled 6.1 billion dollars in March.", "total", "statistic"),
    ],
)
def test_non_events_are_told_by_kind(nlp, text, lemma, reason):
    assert _reasons(nlp, text).get(lemma) == reason


@pytest.mark.parametrize(
    ("text", "lemma"),
    [
        ("Police fired tear gas to restore calm in the city.", "fire"),
        ("The pressure drove the president to resign his post.", "resign"),
        ("Rebels rejected a decision to cut the aid.", "cut"),
        ("The envoys will meet on Friday in Anchorage, when the talks open.", "open"),
        ("The minister says the talks failed.", "say"),
        ("The council calls on both sides to stop the fighting.", "call"),
        ("A bus overturned on a motorway near Springfield on Monday.", "overturn"),
        ("There were eight women and four men injured in the blast.", "injure"),
        ("The president stood at the podium and announced the plan.", "announce"),
        ("The president stood at the podium and announced the plan.", "stand"),
    ],
)
def test_happenings_stay(nlp, text, lemma):
    reasons = _reasons(nlp, text)
    assert lemma in reasons, reasons
    assert reasons[lemma] is None
