"""Story clustering: who joins whom, the window, a state that continues, and the scores."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.evaluation.stories import adjusted_rand, bcubed
from extractors.stories import StoryClusterer, StoryParams, cluster, jaccard, signature, terms

DAY = dt.date(2024, 3, 4).toordinal()
# Three happenings, each reported by more than one outlet in its own words.
DOCS = [
    (
        "quake-1",
        DAY,
        "Earthquake shakes southern Chile",
        "A magnitude 6.8 earthquake struck southern Chile near Valdivia on Monday, damaging "
        "houses and cutting power, officials said.",
    ),
    (
        "vote-1",
        DAY,
        "Portugal votes in snap election",
        "Portuguese voters went to the polls on Sunday in a snap parliamentary election called "
        "after the prime minister resigned.",
    ),
    (
        "quake-2",
        DAY + 1,
        "Chile counts damage after Valdivia earthquake",
        "Rescue teams in Valdivia searched damaged houses a day after the magnitude 6.8 "
        "earthquake in southern Chile; power was restored to most homes.",
    ),
    (
        "strike-1",
        DAY + 1,
        "Rail strike halts trains in Belgium",
        "A national rail strike halted most trains in Belgium on Tuesday as unions protested "
        "against pension reforms.",
    ),
    (
        "vote-2",
        DAY + 2,
        "Portugal election result: no majority",
        "No party won a majority in Portugal's snap parliamentary election, leaving the prime "
        "minister's successor to seek partners; voters turned out in large numbers.",
    ),
    (
        "strike-2",
        DAY + 2,
        "Belgian unions extend rail strike",
        "Belgian rail unions extended their strike against pension reforms to Wednesday, and "
        "most trains stayed in their depots.",
    ),
]
GOLD = {
    "quake-1": "q",
    "quake-2": "q",
    "vote-1": "v",
    "vote-2": "v",
    "strike-1": "s",
    "strike-2": "s",
}


# Each story is named after its first document.
EXPECTED_STORIES = {
    "quake-1": "quake-1",
    "quake-2": "quake-1",
    "vote-1": "vote-1",
    "vote-2": "vote-1",
    "strike-1": "strike-1",
    "strike-2": "strike-1",
}


def test_reports_of_one_happening_share_a_story_named_after_the_first():
    assert cluster(DOCS) == EXPECTED_STORIES


def test_a_document_outside_the_window_starts_a_story_of_its_own():
    late = ("quake-3", DAY + 90, DOCS[2][2], DOCS[2][3])
    stories = cluster([*DOCS, late], StoryParams(window_days=30))
    assert stories["quake-3"] == "quake-3"
    assert cluster([*DOCS, late], StoryParams(window_days=100))["quake-3"] == "quake-1"


def test_continuing_from_saved_state_gives_what_one_pass_gives():
    params = StoryParams()
    whole = cluster(DOCS, params)
    state = None
    pieces = {}
    for part in (DOCS[:2], DOCS[2:3], DOCS[3:]):
        clusterer = StoryClusterer.from_json(state, params)
        for doc_id, day, title, text in part:
            pieces[doc_id] = clusterer.add(doc_id, day, terms(title, text, params)).story_id
        state = clusterer.to_json()
    assert pieces == whole


def test_stories_out_of_every_window_are_closed_and_leave_the_state():
    params = StoryParams(window_days=5)
    clusterer = StoryClusterer(params=params)
    for doc_id, day, title, text in DOCS:
        clusterer.add(doc_id, day, terms(title, text, params))
    assert len(clusterer.stories) == 3
    clusterer.add("later", DAY + 60, terms("Floods in Jakarta", "Floods hit Jakarta.", params))
    assert list(clusterer.stories) == ["later"]
    assert set(clusterer.postings) == set(clusterer.stories["later"].centroid)


def test_a_reprint_is_marked_a_near_duplicate_of_the_first_report():
    params = StoryParams()
    clusterer = StoryClusterer(params=params)
    got = {}
    # The wire's full report, and a second outlet running it with a line of its own added.
    report = (
        DOCS[0][3] + " The quake was centred 40 kilometres south of the city at a depth of "
        "30 kilometres, the national seismology centre said. Schools in the region will stay "
        "closed on Tuesday while engineers inspect the buildings, the education ministry said."
    )
    reprint = report + " Aftershocks were felt in Puerto Montt."
    first = [("quake-1", DAY, DOCS[0][2], report), *DOCS[1:]]
    for doc_id, day, title, text in [*first, ("quake-1b", DAY + 1, DOCS[0][2], reprint)]:
        got[doc_id] = clusterer.add(doc_id, day, terms(title, text, params), signature(text))
    assert (got["quake-1b"].story_id, got["quake-1b"].dup_of) == ("quake-1", "quake-1")
    assert got["quake-1b"].dup_jaccard >= params.duplicate_jaccard
    assert got["quake-2"].dup_of is None  # the same happening, told in other words
    assert jaccard(signature(DOCS[0][3]), signature(DOCS[0][3])) == 1.0


def test_terms_are_content_words_with_the_title_counted_twice():
    counts = terms(
        "Floods in Jakarta", "Floods forced 3,000 people from their homes.", StoryParams()
    )
    assert counts["floods"] == 3 and counts["jakarta"] == 2
    assert "in" not in counts and "their" not in counts and "000" not in counts


def test_bcubed_and_adjusted_rand_on_known_partitions():
    gold = ["a", "a", "b", "b"]
    assert bcubed(["x", "x", "y", "y"], gold) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert adjusted_rand(["x", "x", "y", "y"], gold) == 1.0
    lumped = bcubed(["x", "x", "x", "x"], gold)
    assert lumped["precision"] == 0.5 and lumped["recall"] == 1.0
    assert lumped["f1"] == pytest.approx(2 / 3)
    assert bcubed(["1", "2", "3", "4"], gold)["recall"] == 0.5
    assert adjusted_rand(["x", "y", "x", "y"], gold) == pytest.approx(-0.5)
    stories = cluster(DOCS)
    ids = [doc_id for doc_id, *_ in DOCS]
    scores = bcubed([stories[d] for d in ids], [GOLD[d] for d in ids])
    assert scores["f1"] == 1.0


def test_a_damaged_state_is_an_error_not_a_fresh_start():
    with pytest.raises(ValueError, match="not a stories state"):
        StoryClusterer.from_json(b'{"n_docs": 3}', StoryParams())
