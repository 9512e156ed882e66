"""Event frames on small texts written for these tests, parsed by the real model."""

import pytest

from extractors.events import frames


def _frames(nlp, text):
    return list(frames(nlp(text)))


def _by_lemma(nlp, text, lemma):
    found = [f for f in _frames(nlp, text) if f.predicate_lemma.removeprefix("not ") == lemma]
    assert found, f"no frame for {lemma!r} in {[f.predicate_lemma for f in _frames(nlp, text)]}"
    return found


def test_passive_by_agent_is_the_actor(nlp):
    [frame] = _by_lemma(nlp, "The proposal was rejected by the parliament on Monday.", "reject")
    assert frame.actor.text == "the parliament"
    assert frame.target.text == "The proposal"
    assert frame.tense == "past"


def test_negation_is_kept(nlp):
    [frame] = _by_lemma(nlp, "Officials did not confirm the report.", "confirm")
    assert frame.negated
    assert frame.predicate_lemma == "not confirm"
    assert "not" in frame.predicate_text.split()


def test_prepositional_target(nlp):
    [frame] = _by_lemma(nlp, "The minister met with the ambassador in Paris.", "meet")
    assert frame.actor.text == "The minister"
    assert frame.target.text == "the ambassador"


def test_thing_object_with_named_recipient(nlp):
    [frame] = _by_lemma(nlp, "The government imposed sanctions against Iran.", "impose")
    assert frame.target.text == "Iran"
    assert frame.object.text == "sanctions"


def test_object_control_gives_the_actor(nlp):
    [frame] = _by_lemma(nlp, "The scandal drove Smith to sue the newspaper.", "sue")
    assert frame.actor.text == "Smith"
    assert frame.target.text == "the newspaper"


def test_conjoined_targets_fan_out(nlp):
    found = _by_lemma(nlp, "Police arrested Ali and Omar.", "arrest")
    assert sorted(f.target.text for f in found) == ["Ali", "Omar"]
    assert {f.actor.text for f in found} == {"Police"}


def test_phrasal_verb_keeps_its_particle(nlp):
    [frame] = _by_lemma(nlp, "The company called off the strike.", "call off")
    assert frame.target.text == "the strike"


@pytest.mark.parametrize(
    ("text", "lemma", "modality"),
    [
        ("The leaders will meet in Geneva.", "meet", "planned"),
        ("If talks fail, the union could strike.", "strike", "hypothetical"),
        ("The spokesman said the army attacked the village.", "attack", "reported"),
        ("The army attacked the village.", "attack", "asserted"),
        ("The company plans to close the factory.", "close", "planned"),
    ],
)
def test_modality(nlp, text, lemma, modality):
    [frame] = _by_lemma(nlp, text, lemma)
    assert frame.modality == modality


def test_argument_spans_point_into_the_text(nlp):
    text = "Former President Donald J. Trump declared his love for Kim Jong-un, the leader."
    doc = nlp(text)
    for frame in frames(doc):
        for arg in (frame.actor, frame.target):
            if arg is not None:
                assert text[arg.start_char : arg.end_char] == arg.text
        assert text[frame.predicate_start_char : frame.predicate_end_char].startswith(
            frame.predicate_text.split()[0]
        )
    [frame] = [f for f in frames(doc) if f.predicate_lemma == "declare"]
    assert frame.target.text == "Kim Jong-un"
