"""Extractor: frames joined with actors, places, dates, types and the main-event ranking."""

import dataclasses
import datetime as dt
import json

import pytest

from extractors.evaluation import events as evaluation
from extractors.events.rank import preamble_end
from extractors.events.types import load_event_types
from extractors.ingest import build_article
from extractors.pipeline import Extractor
from tests.conftest import SEEDS

TODAY = dt.date(2030, 1, 1)


@pytest.fixture(scope="module")
def extractor(settings, nlp):
    return Extractor(settings, nlp=nlp)


def _rows(extractor, text, *, published="2021-03-18", title=None):
    meta = {"published": published, "title": title}
    article = build_article(text, meta, source_uri="test", record_no=None, today=TODAY)
    [extraction] = extractor.extract([article], run_id="test")
    return extraction.events


@pytest.fixture(scope="module")
def seed_rows(extractor):
    text = (SEEDS / "000_aa8ef520a8eafdd0.txt").read_text("utf-8")
    return _rows(extractor, text)


def test_event_types_have_quad_classes():
    types = load_event_types()
    assert types.type_of("meet") == "CONSULT"
    assert types.type_of("sanction", nominal=True) == "SANCTION"
    assert types.type_of("frobnicate") == "other"
    assert types.quad_of("CONSULT") == "verbal cooperation"
    assert types.quad_of("ASSAULT") == "material conflict"
    assert types.quad_of("STATEMENT") == "neutral"
    assert types.quad_of("other") == "other"
    assert types.type_of("call on") == "REQUEST"
    assert types.type_of("call for") == "REQUEST"
    assert types.type_of("cut") != "SANCTION"
    assert "call on" in types.phrasal


def test_seed_blinken_said_is_reported(seed_rows):
    said = [r for r in seed_rows if r.predicate_lemma == "say" and r.actor_canonical == "Blinken"]
    assert said and all(r.event_type == "STATEMENT" for r in said)


def test_quoted_events_are_reported_by_the_speaker(extractor):
    text = '"We met the envoys in Anchorage on Friday and we pressed them hard," Blinken said.'
    quoted = [r for r in _rows(extractor, text) if r.predicate_lemma in {"meet", "press"}]
    assert len(quoted) == 2
    assert all(r.modality == "reported" and r.reported_by == "Blinken" for r in quoted)


def test_seed_trump_declared_his_love(seed_rows):
    [row] = [r for r in seed_rows if r.predicate_lemma == "declare"]
    assert row.actor_canonical == "Donald J. Trump"
    assert row.target_text == "Kim Jong-un"
    assert row.tense == "past"
    assert not row.negated


def test_seed_he_suggested_is_blinken(seed_rows):
    [row] = [r for r in seed_rows if r.predicate_lemma == "suggest"]
    assert row.actor_text == "He"
    assert row.actor_canonical == "Blinken"
    assert row.actor_type == "person"


def test_seed_meeting_and_sanctions_are_typed(seed_rows):
    meets = [r for r in seed_rows if r.predicate_lemma == "meet" and r.place_geonameid == 5879400]
    assert meets and {r.event_type for r in meets} == {"CONSULT"}
    assert {r.quad_class for r in meets} == {"verbal cooperation"}
    issued = {r.object_text: r for r in seed_rows if r.predicate_lemma == "issue"}
    assert issued["financial sanctions"].event_type in {"SANCTION", "COERCE"}
    assert issued["financial sanctions"].target_country == "CN"
    assert issued["stern warnings"].event_type == "THREATEN"


def test_seed_ranks_and_scores(seed_rows):
    assert sorted(r.rank_in_doc for r in seed_rows) == list(range(1, len(seed_rows) + 1))
    assert all(0.0 <= r.score <= 1.0 for r in seed_rows)
    by_rank = sorted(seed_rows, key=lambda r: r.rank_in_doc)
    assert [r.score for r in by_rank] == sorted((r.score for r in seed_rows), reverse=True)


def test_headline_picks_the_main_event(extractor):
    text = (
        "The storm flooded several streets on Monday. Firefighters rescued twelve residents "
        "from a flooded school in Springfield, officials said."
    )
    rows = _rows(extractor, text, published="2021-05-04", title="Firefighters rescue twelve")
    [main] = [r for r in rows if r.rank_in_doc == 1]
    assert main.predicate_lemma == "rescue"
    assert main.modality == "reported"


def test_undated_event_is_dated_by_the_story(extractor):
    rows = _rows(extractor, "The council approved the budget.", published="2021-05-04")
    [row] = [r for r in rows if r.predicate_lemma == "approve"]
    assert row.date_value == "2021-05-04"
    assert row.date_source == "publication"


def test_future_event_is_not_dated_by_the_story(extractor):
    rows = _rows(extractor, "The council will vote on the budget.", published="2021-05-04")
    [row] = [r for r in rows if r.predicate_lemma == "vote"]
    assert row.date_value is None


def test_evaluation_matches_content_words():
    assert evaluation.matches("met with Obama", ["meets with Obama"])
    assert not evaluation.matches("the", ["the White House"])
    assert not evaluation.matches(None, ["Saturday"])


def test_evaluation_round_trip(tmp_path):
    gold = tmp_path / "gold.jsonl"
    record = {
        "doc_id": "d1",
        "date_publish": "2021-05-04 10:00:00",
        "title": "Firefighters rescue twelve in Springfield",
        "text": "Firefighters rescued twelve residents from a flooded school in Springfield "
        "on Monday.",
        "gold": {
            "who": [{"text": "Firefighters"}],
            "what": [{"text": "rescued twelve residents"}],
            "where": [{"text": "Springfield"}],
            "when": [{"text": "on Monday"}],
        },
    }
    gold.write_text(json.dumps(record) + "\n")
    predictions = tmp_path / "pred.jsonl"
    metrics = evaluation.evaluate(gold, predictions, metrics=tmp_path / "m.json", limit=None)
    assert {metrics[q]["main"] for q in evaluation.QUESTIONS} == {1.0}
    [line] = predictions.read_text().splitlines()
    events = json.loads(line)["events"]
    assert [e["score"] for e in events] == sorted((e["score"] for e in events), reverse=True)
    assert "who" in evaluation.format_metrics(metrics)


def test_wikievents_diagnostic_matches_agent_and_place(tmp_path):
    words = ["Rebels", "attacked", "a", "convoy", "in", "Kandahar", "on", "Monday", "."]
    spans, start = [], 0
    for word in words:
        start += word != "." and start > 0
        spans.append([word, start, start + len(word)])
        start += len(word)
    text = "Rebels attacked a convoy in Kandahar on Monday."
    assert all(text[a:b] == w for w, a, b in spans)
    record = {
        "doc_id": "w1",
        "tokens": words,
        "text": text,
        "sentences": [[spans, text]],
        "entity_mentions": [
            {"id": "w1-T1", "start": 0, "end": 1, "text": "Rebels"},
            {"id": "w1-T2", "start": 5, "end": 6, "text": "Kandahar"},
        ],
        "event_mentions": [
            {
                "event_type": "Conflict.Attack.Unspecified",
                "trigger": {"start": 1, "end": 2, "text": "attacked"},
                "arguments": [
                    {"entity_id": "w1-T1", "role": "Attacker", "text": "Rebels"},
                    {"entity_id": "w1-T2", "role": "Place", "text": "Kandahar"},
                ],
            }
        ],
    }
    gold = tmp_path / "wikievents.jsonl"
    gold.write_text(json.dumps(record) + "\n")
    metrics = evaluation.evaluate(gold, tmp_path / "unused.jsonl", limit=None)
    assert metrics["trigger_recall"] == 1.0
    assert metrics["agent_match"] == 1.0
    assert metrics["place_match"] == 1.0
    assert "agent" in evaluation.format_metrics(metrics)


# Main-event place and date: small texts written for these tests.


def _main(rows):
    [main] = [r for r in rows if r.rank_in_doc == 1]
    return main


def test_place_inside_a_team_name_or_a_home_town_is_no_setting(extractor):
    text = (
        "The Chicago Cubs beat the Cleveland Indians in Cleveland on Wednesday. "
        "A fan from Springfield said the game was long."
    )
    rows = _rows(extractor, text, published="2016-11-03", title="Chicago Cubs win the title")
    main = _main(rows)
    assert main.place_name == "Cleveland"


def test_dateline_after_page_furniture(extractor):
    text = "Photo LONDON -- The company changed the shape of its chocolate bars."
    rows = _rows(extractor, text, published="2016-11-08")
    [row] = [r for r in rows if r.predicate_lemma == "change"]
    assert row.place_source == "dateline"
    assert row.place_name == "London"
    assert text[row.place_start_char : row.place_end_char] == "LONDON"


def test_lead_place_refines_a_broader_clause_place(extractor):
    text = "A tram derailed in south London on Wednesday. It crashed near a stop in Croydon."
    rows = _rows(extractor, text, published="2016-11-09", title="Tram crash in Croydon")
    [row] = [r for r in rows if r.predicate_lemma == "derail"]
    assert row.place_name == "Croydon"
    assert row.place_source == "document"
    assert text[row.place_start_char : row.place_end_char] == "Croydon"


def test_clock_time_in_the_lead_dates_an_undated_event(extractor):
    text = (
        "Seven people were killed when a tram overturned. "
        "The crash happened at 6.10am on Wednesday, police said."
    )
    rows = _rows(extractor, text, published="2016-11-10")
    [row] = [r for r in rows if r.predicate_lemma == "kill"]
    assert row.date_text == "6.10am on Wednesday"
    assert row.date_value == "2016-11-09T06:10"
    assert row.date_source == "document"


def test_vague_day_part_does_not_date_the_lead(extractor):
    text = "The morning after the vote, the senator conceded defeat."
    rows = _rows(extractor, text, published="2016-11-12")
    [row] = [r for r in rows if r.predicate_lemma == "concede"]
    assert row.date_source == "publication"
    assert row.date_value == "2016-11-12"


def test_evaluation_names_participants_in_full():
    assert evaluation.participant("He", "Antony Blinken") == "He (Antony Blinken)"
    assert evaluation.participant("Mr. Blinken", "Blinken") == "Mr. Blinken"
    assert evaluation.participant("Trump", "Donald Trump") == "Donald Trump"
    assert evaluation.participant(None, "Blinken") == "Blinken"


def test_place_naming_a_fan_or_resident_is_no_setting(extractor):
    text = (
        "A Leeds fan was injured when a wall collapsed. "
        "The wall collapsed in Sheffield on Saturday, police said."
    )
    rows = _rows(extractor, text, published="2016-11-12", title="Wall collapse injures fan")
    assert "Leeds" not in {r.place_name for r in rows}
    assert "Sheffield" in {r.place_name for r in rows}


def test_story_without_a_known_place_is_set_where_the_headline_says(extractor):
    text = "The race was stopped twice after heavy rain. Two drivers crashed out."
    title = "Drivers crash out at the Zorblax Grand Prix"
    rows = _rows(extractor, text, published="2016-11-13", title=title)
    main = _main(rows)
    assert main.place_text is not None and "Zorblax" in main.place_text
    assert main.place_geonameid is None


def test_named_stop_in_the_lead_sets_an_unplaced_story(extractor):
    text = "Forty people were hurt. The tram came off the tracks near the Wexcombe stop."
    rows = _rows(extractor, text, published="2016-11-09")
    [row] = [r for r in rows if r.predicate_lemma == "hurt"]
    assert row.place_text == "Wexcombe stop"
    # The story's setting stands in, with nothing tying the event to it: low confidence.
    assert row.place_source == "document" and row.place_confidence == 0.3


def test_headline_main_predicate_outranks_its_circumstance(extractor):
    text = (
        "The Rovers ended a long drought on Sunday with a win over United. "
        "Thousands of fans celebrated in the streets of the city."
    )
    title = "Fans celebrate as Rovers end drought"
    main = _main(_rows(extractor, text, published="2016-11-07", title=title))
    assert main.predicate_lemma == "celebrate"


def test_headline_circumstance_verb_does_not_pick_the_main_event(extractor):
    # "after changing its recipe" is the headline's circumstance: the recipe change told
    # in the second sentence is not the news the lead opens with.
    text = (
        "The bakery has come under fire from its customers. "
        "The bakery changed the recipe of its famous loaf last month. "
        "Regulars said the bread tasted of cardboard. "
        "The new recipe uses less butter, and the old recipe is gone."
    )
    title = "Bakery sparks fury after changing recipe of famous loaf"
    main = _main(_rows(extractor, text, published="2016-11-08", title=title))
    assert main.predicate_lemma == "come"


def test_headline_word_family_matches_the_event(extractor):
    text = (
        "Three people were killed and two others were hurt when a bus hit a wall "
        "on Monday, police said."
    )
    main = _main(_rows(extractor, text, published="2016-11-08", title="Three dead in bus crash"))
    assert main.predicate_lemma == "kill"


def test_second_person_is_never_the_main_actor(extractor):
    text = 'The coach praised the team on Sunday. "You have to win races to win titles," he said.'
    title = "You have to win races, says coach"
    main = _main(_rows(extractor, text, published="2016-11-07", title=title))
    assert main.actor_text != "You"


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("The mayor opened the bridge on Monday.", 0),
        ("Crowds cheer. (Jane Doe/Reuters) The mayor opened the bridge.", 32),
        ("Click to share on Twitter (Opens in new window) The mayor opened it.", 47),
    ],
)
def test_preamble_end(text, end):
    assert preamble_end(text) == end


def test_caption_before_the_story_is_not_its_main_event(extractor):
    text = (
        "Angry fans protest against the club's manager outside the stadium. (Photo: Jane Doe) "
        "The club sacked its manager on Monday after five defeats in a row."
    )
    title = "Club sacks manager as fans protest"
    main = _main(_rows(extractor, text, published="2016-11-08", title=title))
    assert main.predicate_lemma == "sack"


def test_furniture_does_not_push_the_lead_date_out_of_reach(extractor):
    text = (
        "Click to share on Facebook. Subscribe now. Thank you for subscribing! "
        "Sign up for our newsletter. "
        "A bus overturned on a motorway at 7.20am today. Ten passengers were hurt. "
        "Witnesses said the road was icy. Police closed the road. "
        "The driver was arrested on suspicion of dangerous driving."
    )
    rows = _rows(extractor, text, published="2016-11-08")
    [row] = [r for r in rows if r.predicate_lemma == "arrest"]
    assert row.date_text == "7.20am today"
    assert row.date_source == "document"


def test_story_dated_further_down_when_the_lead_names_no_day(extractor):
    text = (
        "Five people are dead after a bus overturned in the hills. "
        "Twenty passengers were hurt. The road was closed. "
        "Rescuers worked through the day. Police praised the volunteers. "
        "Officials said the bus left the depot at 6.10am."
    )
    rows = _rows(extractor, text, published="2016-11-09")
    [row] = [r for r in rows if r.predicate_lemma == "dead"]
    assert row.date_text == "6.10am"
    assert row.date_source == "document"


def test_date_of_a_noun_does_not_date_the_event(extractor):
    text = "The 2007 world champion crashed out of the race, officials said on Sunday."
    rows = _rows(extractor, text, published="2016-11-14")
    [row] = [r for r in rows if r.predicate_lemma == "crash"]
    assert row.date_text != "2007"


def test_event_dated_long_before_publication_is_background(extractor):
    text = (
        "The Rovers won the cup in 1965. The Rovers beat United on Saturday to win the cup again."
    )
    rows = _rows(extractor, text, published="2016-11-14", title="Rovers win the cup again")
    main = _main(rows)
    assert main.date_text == "Saturday"


def test_nairobi_seed_dateline_is_no_participant(extractor):
    path = SEEDS / "001_dateline_nairobi.txt"
    meta = json.loads((SEEDS / "001_dateline_nairobi.meta.json").read_text("utf-8"))
    rows = _rows(extractor, path.read_text("utf-8"), published=meta["published"])
    dateline_end = path.read_text("utf-8").index("—") + 1
    for row in rows:
        for start in (row.actor_start_char, row.target_start_char):
            assert start is None or start >= dateline_end, row
    main = _main(rows)
    assert main.actor_text == "Kenyan police"
    assert main.predicate_lemma == "arrest"
    assert main.place_country == "KE"


def test_dateline_is_not_the_passive_subject(extractor):
    text = "NAIROBI, Kenya (AP) — Fourteen protesters were arrested outside parliament on Tuesday."
    rows = _rows(extractor, text, published="2023-06-28")
    [row] = [r for r in rows if r.predicate_lemma == "arrest"]
    assert row.target_text == "Fourteen protesters"
    assert row.place_country == "KE"


def test_weekday_is_no_target(extractor):
    text = "CAIRO — Egypt and Sudan signed an agreement on Thursday to share data, officials said."
    rows = _rows(extractor, text, published="2019-11-14")
    signed = [r for r in rows if r.predicate_lemma == "sign"]
    assert {r.actor_canonical for r in signed} == {"Egypt", "Sudan"}
    assert all(r.target_text != "Thursday" for r in signed)
    assert all(r.date_text == "Thursday" for r in signed)


def _batch_record(record_id):
    for line in (SEEDS / "003_batch.jsonl").read_text("utf-8").splitlines():
        record = json.loads(line)
        if record["id"] == record_id:
            return record
    raise KeyError(record_id)


def test_places_of_off_and_between_phrases(extractor):
    record = _batch_record("sample-3b")
    rows = _rows(extractor, record["text"], published=record["published"], title=record["title"])
    [rescue] = [r for r in rows if r.predicate_lemma == "rescue"]
    assert rescue.place_text == "Kent"
    assert rescue.place_country == "GB"
    assert rescue.place_source == "clause"
    [cancel] = [r for r in rows if r.predicate_lemma == "cancel"]
    assert cancel.place_country == "GB"
    assert cancel.place_source == "clause"


@pytest.mark.parametrize(
    ("text", "lemma", "place"),
    [
        ("Rescuers found a yacht off the coast of Sardinia on Monday.", "find", "Sardinia"),
        ("Tanks drove over the Golan Heights on Monday.", "drive", "Golan Heights"),
        ("A bomb exploded on the outskirts of Kabul on Monday.", "explode", "Kabul"),
        ("Two climbers died in the north of Scotland on Monday.", "die", "Scotland"),
    ],
)
def test_place_named_through_a_part_of_it(extractor, text, lemma, place):
    rows = _rows(extractor, text, published="2020-02-11")
    [row] = [r for r in rows if r.predicate_lemma == lemma]
    assert row.place_text == place
    assert row.place_source == "clause"


def test_place_abroad_in_the_sentence_keeps_the_story_setting_out(extractor):
    text = (
        "Heavy rain flooded streets in Lyon on Sunday. Lyon officials closed the river banks. "
        "Dover officials praised the rescue crews."
    )
    rows = _rows(extractor, text, published="2020-02-10")
    [closed] = [r for r in rows if r.predicate_lemma == "close"]
    assert closed.place_country == "FR"
    [praised] = [r for r in rows if r.predicate_lemma == "praise"]
    assert praised.place_country != "FR"


def test_nairobi_seed_request_clause(extractor):
    path = SEEDS / "001_dateline_nairobi.txt"
    meta = json.loads((SEEDS / "001_dateline_nairobi.meta.json").read_text("utf-8"))
    rows = _rows(extractor, path.read_text("utf-8"), published=meta["published"])
    [release] = [r for r in rows if r.predicate_lemma == "release"]
    assert release.actor_text == "the government"
    assert release.modality == "planned"
    assert release.date_text == "Friday"
    assert release.date_value == "2023-06-30"  # published Wednesday 2023-06-28: ahead
    [condemn] = [r for r in rows if r.predicate_lemma == "condemn"]
    assert condemn.date_text != "Friday"
    [call] = [r for r in rows if r.predicate_lemma.startswith("call")]
    assert call.predicate_lemma == "call on"
    assert call.event_type == "REQUEST"
    assert call.target_text == "the government"
    assert call.date_text != "Friday"


def test_trade_seed_dates_actors_and_types(extractor):
    record = _batch_record("sample-3c")
    rows = _rows(extractor, record["text"], published=record["published"], title=record["title"])
    [reject] = [r for r in rows if r.predicate_lemma == "reject"]
    assert reject.actor_text == "Beijing"
    assert reject.date_text != "the summer"
    # "the talks were not expected before the summer" is a stance, no event (eventive.py)
    assert not [r for r in rows if r.predicate_lemma.removeprefix("not ") == "expect"]
    # "demands to cut its trade surplus": what a noun asks for is no event (eventive.py)
    assert not [r for r in rows if r.predicate_lemma == "cut"]


def test_main_clause_hung_on_the_dateline_is_the_main_event(extractor):
    text = (
        "SEOUL — As she ends her visit to Asia on Friday, the foreign minister is counting "
        "on regional partners to help ease the crisis. Her predecessor had angered the "
        "partners and driven the talks to collapse, officials said."
    )
    main = _main(_rows(extractor, text, published="2021-03-19"))
    assert main.predicate_lemma == "count"


def test_seed_main_event_is_the_lead_main_clause(seed_rows):
    main = min(seed_rows, key=lambda r: r.rank_in_doc)
    assert main.sentence_index == 0
    assert main.predicate_lemma == "bank"
    assert main.actor_canonical == "the Biden administration"


def test_main_event_past_the_lead_is_dated_by_the_lead(extractor):
    # The headline makes the arrest, told in the seventh sentence, the main event: its
    # sentence names no day, so the lead's day dates it rather than the publication date.
    text = (
        "A bus overturned on a motorway near Springfield on Monday. "
        "Ten passengers were hurt. Witnesses said the road was icy. "
        "Police closed the road for hours. Engineers inspected the barrier. "
        "Volunteers brought blankets to the passengers. "
        "The driver of the bus was arrested on suspicion of dangerous driving."
    )
    rows = _rows(extractor, text, published="2016-11-09", title="Bus driver arrested")
    main = _main(rows)
    assert main.predicate_lemma == "arrest"
    assert main.sentence_index >= 5
    assert main.date_text == "Monday"
    assert main.date_value == "2016-11-07"
    assert main.date_source == "document"
    # Other undated events past the lead keep the publication date.
    later = [r for r in rows if r.sentence_index >= 5 and r.rank_in_doc != 1]
    assert later and all(r.date_source in {"publication", None} for r in later)


def test_bare_numbers_are_no_lead_date(nlp):
    from extractors.dates.anchor import lead_date
    from extractors.dates.detect import timexes

    # A slideshow counter ("1 of 11 11.") reads as a day of the month; it states no day.
    doc = nlp("Photo 1 of 11 11. Rescuers pulled a boy from a well on Sunday.")
    published = dt.date(2016, 11, 13)
    times = timexes(doc, published=published)
    assert "11 11" in [t.text for t in times]
    found = lead_date(doc, times, published=published)
    assert found is not None and found.text == "Sunday"


def test_every_event_row_carries_its_verb_phrase_and_the_evaluation_answers_with_it(extractor):
    text = (
        "Two guards died in a suicide attack on the consulate, and ten people were injured.\n\n"
        "The mayor thanked the rescuers."
    )
    rows = _rows(extractor, text)
    assert rows
    for row in rows:
        assert row.phrase_text == text[row.predicate_start_char : row.phrase_end_char]
        assert row.phrase_text.startswith(text[row.predicate_start_char : row.predicate_end_char])
    phrases = {r.predicate_lemma: r.phrase_text for r in rows}
    assert phrases["die"] == "died in a suicide attack on the consulate"
    assert phrases["injure"] == "were injured"
    # The paragraph break ends the sentence: the phrase does not run into the next one.
    assert phrases["thank"] == "thanked the rescuers"
    [died] = [r for r in rows if r.predicate_lemma == "die"]
    assert evaluation.event_json(died)["what"] == "died in a suicide attack on the consulate"
    assert evaluation.event_json(dataclasses.replace(died, phrase_text=None))["what"] == "died"


def test_lead_day_dates_the_main_event_without_a_publication_date(extractor):
    text = (
        "Fans filled the streets after the Rovers won the cup on Nov. 2. "
        "The mayor congratulated the players. "
        "The club thanked its supporters."
    )
    rows = _rows(extractor, text, published=None, title="Rovers win the cup")
    main = _main(rows)
    assert main.date_text == "Nov. 2"
    assert main.date_value == "XXXX-11-02"
    assert main.date_resolved is False
    thanked = [r for r in rows if r.predicate_lemma == "thank"]
    assert thanked and all(r.date_source == "document" for r in thanked)


def test_main_event_noun_is_dated_by_another_mention_of_it(extractor):
    # "on Friday" dates the death toll's rise; the bombing itself happened "late Thursday".
    text = (
        "The death toll from a Taliban bombing at the embassy in Kabul rose to six on Friday. "
        "The Taliban said the bombing late Thursday, which tore a crater in the road, was "
        "revenge for air strikes. Police closed the roads around the embassy."
    )
    rows = _rows(extractor, text, published="2016-11-11", title="Taliban bombing at embassy")
    main = _main(rows)
    assert main.predicate_lemma == "bombing"
    assert main.date_text == "late Thursday"
    assert main.date_value == "2016-11-10"
    assert main.date_source == "document"
    [rise] = [r for r in rows if r.predicate_lemma == "rise"]
    assert rise.date_text == "Friday"


def test_date_a_state_runs_since_is_no_news_peg(extractor):
    # "since the result was confirmed on Wednesday" starts the protests' run; the story's
    # own day is the call on Saturday.
    text = (
        "The senator has blamed the press for her defeat in the election. "
        "Her aides said the coverage had hurt her campaign. "
        "Protesters have marched in the capital every day since the result was confirmed "
        "on Wednesday. The party has not commented. Donors were upset. "
        "Her rival thanked his voters. "
        "The senator spoke to her donors in a conference call on Saturday."
    )
    rows = _rows(extractor, text, published="2016-11-13", title="Senator blames press for defeat")
    main = _main(rows)
    assert main.predicate_lemma == "blame"
    assert main.date_text == "Saturday"
    assert main.date_source == "document"


_BATCHED = [
    (
        "Lawmakers met in Washington on Monday. The Senate passed the budget bill after a long "
        "debate, the majority leader said.",
        "Senate passes budget bill",
    ),
    ("Police arrested two men in Leeds on Friday. The men denied the charges.", None),
    (
        "Officials said on Sunday that a storm killed three people in Houston. Schools closed "
        "across the city.",
        "Storm kills three in Texas",
    ),
    ("The company recalled 5,000 cars on Tuesday, its chief executive said.", "Carmaker recalls"),
    ("Farmers protested in Paris on Thursday. The minister promised new subsidies.", None),
]


def _article(text, title, number):
    meta = {"published": "2021-03-18", "title": title}
    return build_article(text, meta, source_uri=f"test-{number}", record_no=None, today=TODAY)


def test_batches_pair_every_headline_with_its_text(settings, nlp):
    # Two documents per batch, not all with a headline: each one is extracted with its own
    # headline, as when it is extracted alone.
    small = dataclasses.replace(settings, nlp=dataclasses.replace(settings.nlp, batch_size=2))
    extractor = Extractor(small, nlp=nlp)
    articles = [_article(text, title, i) for i, (text, title) in enumerate(_BATCHED)]
    together = [x.events for x in extractor.extract(articles, run_id="test")]
    alone = [x.events for a in articles for x in extractor.extract([a], run_id="test")]
    assert together == alone
    # The headline does move the scores, so a headline given to the wrong text would show.
    swapped = _article(_BATCHED[0][0], _BATCHED[2][1], 0)
    [other] = extractor.extract([swapped], run_id="test")
    assert [r.score for r in other.events] != [r.score for r in together[0]]


def test_an_event_the_text_puts_earlier_gets_no_publication_date(extractor):
    text = "Shares fell sharply on Monday. The firm had previously sold the unit to a rival."
    rows = {r.predicate_lemma: r for r in _rows(extractor, text, published="2006-01-07")}
    earlier = rows["sell"]
    assert (earlier.date_source, earlier.date_value, earlier.date_start) == ("none", None, None)
    assert rows["fall"].date_value == "2006-01-02"


def test_place_confidence_follows_how_the_place_was_tied(extractor):
    text = (
        "Police arrested three men in Kabul on Monday. "
        "Officials said the men were questioned for hours."
    )
    rows = {r.predicate_lemma: r for r in _rows(extractor, text, published="2021-03-18")}
    assert rows["arrest"].place_source == "clause" and rows["arrest"].place_confidence == 0.8
    assert rows["question"].place_source == "document"
    assert rows["question"].place_confidence < rows["arrest"].place_confidence
    assert all(r.place_confidence is None for r in rows.values() if r.place_source is None)


def test_a_coordination_is_kept_whole_beside_each_conjunct(extractor):
    text = "Police and firefighters rescued two men and a woman from the river on Monday."
    rows = [r for r in _rows(extractor, text) if r.predicate_lemma == "rescue"]
    # One row per actor-target dyad, each with the whole coordinations it belongs to.
    assert {(r.actor_text, r.target_text) for r in rows} == {
        ("Police", "two men"),
        ("Police", "a woman"),
        ("firefighters", "two men"),
        ("firefighters", "a woman"),
    }
    assert {r.actor_all for r in rows} == {("Police", "firefighters")}
    assert {r.target_all for r in rows} == {("two men", "a woman")}
    [single] = [
        r for r in _rows(extractor, "Police rescued a man.") if r.predicate_lemma == "rescue"
    ]
    assert single.actor_all is None and single.target_all is None
