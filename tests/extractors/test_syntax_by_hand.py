"""Rules about syntax, tested on Docs built by hand: each test states the parse it is about,
so it runs without the model and fails only when the rule does."""

from __future__ import annotations

import datetime as dt

import spacy
from spacy.tokens import Doc

from extractors.dates.detect import normalize_timex
from extractors.dates.tense import tense_of
from extractors.events.frames import frames
from extractors.events.modality import is_request

# English lexical attributes (lower case, stop words), no model.
VOCAB = spacy.blank("en").vocab


def parsed(rows: list[tuple[str, str, str, str, int, str]]) -> Doc:
    """A Doc from (word, lemma, pos, tag, head index, dep) rows."""
    words, lemmas, pos, tags, heads, deps = (list(col) for col in zip(*rows, strict=True))
    return Doc(VOCAB, words=words, lemmas=lemmas, pos=pos, tags=tags, heads=heads, deps=deps)


# "Police will meet protesters on Friday ."
MEET = parsed(
    [
        ("Police", "police", "NOUN", "NNS", 2, "nsubj"),
        ("will", "will", "AUX", "MD", 2, "aux"),
        ("meet", "meet", "VERB", "VB", 2, "ROOT"),
        ("protesters", "protester", "NOUN", "NNS", 2, "dobj"),
        ("on", "on", "ADP", "IN", 2, "prep"),
        ("Friday", "Friday", "PROPN", "NNP", 4, "pobj"),
        (".", ".", "PUNCT", ".", 2, "punct"),
    ]
)
# "Police met protesters on Friday ."
MET = parsed(
    [
        ("Police", "police", "NOUN", "NNS", 1, "nsubj"),
        ("met", "meet", "VERB", "VBD", 1, "ROOT"),
        ("protesters", "protester", "NOUN", "NNS", 1, "dobj"),
        ("on", "on", "ADP", "IN", 1, "prep"),
        ("Friday", "Friday", "PROPN", "NNP", 3, "pobj"),
        (".", ".", "PUNCT", ".", 1, "punct"),
    ]
)
# "They urged the government to release them ."
URGED = parsed(
    [
        ("They", "they", "PRON", "PRP", 1, "nsubj"),
        ("urged", "urge", "VERB", "VBD", 1, "ROOT"),
        ("the", "the", "DET", "DT", 3, "det"),
        ("government", "government", "NOUN", "NN", 1, "dobj"),
        ("to", "to", "PART", "TO", 5, "aux"),
        ("release", "release", "VERB", "VB", 1, "xcomp"),
        ("them", "they", "PRON", "PRP", 5, "dobj"),
        (".", ".", "PUNCT", ".", 1, "punct"),
    ]
)


def test_a_date_under_will_points_forward_and_under_a_past_verb_back():
    assert tense_of(MEET[5:6]) == "future"
    assert tense_of(MET[4:5]) == "past"
    thursday = dt.date(2021, 3, 18)
    forward = normalize_timex("Friday", anchor=thursday, tense=tense_of(MEET[5:6]))
    back = normalize_timex("Friday", anchor=thursday, tense=tense_of(MET[4:5]))
    assert (forward.value, back.value) == ("2021-03-19", "2021-03-12")


def test_a_frame_takes_the_subject_as_actor_and_the_object_as_target():
    [frame] = list(frames(MET))
    assert (frame.predicate_lemma, frame.tense, frame.modality) == ("meet", "past", "asserted")
    assert frame.actor is not None and frame.actor.text == "Police"
    assert frame.target is not None and frame.target.text == "protesters"


def test_what_a_request_asks_for_has_not_happened():
    release = URGED[5]
    assert is_request(release)
    by_lemma = {f.predicate_lemma: f for f in frames(URGED)}
    assert by_lemma["urge"].modality == "asserted"
    assert by_lemma["release"].modality != "asserted"
    assert by_lemma["release"].actor is not None
    assert by_lemma["release"].actor.text == "the government"
