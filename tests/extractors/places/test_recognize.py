"""Tests for toponym recognition and resolution against the real gazetteer and model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.places.gazetteer import load_gazetteer
from extractors.places.names import Place, Toponym, haversine_km
from extractors.places.recognize import _names_area
from extractors.places.resolve import PlaceResolver

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "seeds" / "000_aa8ef520a8eafdd0.txt"
SHARED_PLACES = REPO.parent / "shared" / "eval" / "places"


@pytest.fixture(scope="session")
def gazetteer():
    return load_gazetteer()


@pytest.fixture(scope="session")
def resolver(gazetteer) -> PlaceResolver:
    return PlaceResolver(gazetteer)


def _resolve(resolver: PlaceResolver, text: str, *names: str) -> list[Place | None]:
    spans = []
    for name in names:
        start = text.index(name)
        spans.append((start, start + len(name)))
    return resolver.resolve_spans(text, spans)


# --------------------------------------------------------------------------- seed article

SEED_PLACES = {
    "Seoul": 1835848,
    "South Korea": 1835841,
    "Japan": 1861060,
    "North Korea": 1873107,
    "Pyongyang": 1871859,
    "China": 1814991,
    "Beijing": 1816670,
    "Anchorage": 5879400,
    "Alaska": 5879092,
    "United States": 6252001,
    "Asia": 6255147,
}


@pytest.fixture(scope="module")
def seed_toponyms(nlp, resolver: PlaceResolver) -> list[Toponym]:
    return resolver.toponyms(nlp(SEED.read_text(encoding="utf-8")), dateline="SEOUL —")


@pytest.mark.parametrize(("name", "geonameid"), sorted(SEED_PLACES.items()))
def test_seed_places_resolve(seed_toponyms: list[Toponym], name: str, geonameid: int) -> None:
    hits = [t for t in seed_toponyms if t.text.casefold() == name.casefold()]
    assert hits, f"{name} not recognized"
    assert {t.place.geonameid for t in hits if t.place} == {geonameid}


def test_seed_toponyms_are_well_formed(seed_toponyms: list[Toponym]) -> None:
    text = SEED.read_text(encoding="utf-8")
    for t in seed_toponyms:
        assert text[t.start : t.end] == t.text
        assert not t.text.endswith(("'s", "’s"))
        assert 0.0 <= t.score <= 1.0
        assert t.label in {"GPE", "LOC", "FAC", "GAZ"}


# --------------------------------------------------------------------------- context


@pytest.mark.parametrize(
    ("text", "name", "country", "admin1"),
    [
        ("The fair opened in Paris, Texas, on Friday.", "Paris", "US", "Texas"),
        ("The summit opened in Paris on Friday, hosted by France.", "Paris", "FR", None),
        ("Fans drove from Athens, Ga., to the game.", "Athens", "US", "Georgia"),
        ("He flew home to Athens after the talks in Greece.", "Athens", "GR", None),
    ],
)
def test_city_state_pattern(
    resolver: PlaceResolver, text: str, name: str, country: str, admin1: str | None
) -> None:
    [place] = _resolve(resolver, text, name)
    assert place is not None and place.country_code == country
    if admin1:
        assert place.admin1 == admin1


@pytest.mark.parametrize(
    ("text", "country", "fcode"),
    [
        ("Georgia lawmakers met in Atlanta to debate the budget.", "US", "ADM1"),
        ("Georgia accused Russia of shelling villages near Tbilisi.", "GE", "PCLI"),
    ],
)
def test_georgia_by_context(resolver: PlaceResolver, text: str, country: str, fcode: str) -> None:
    names = ["Georgia", "Atlanta"] if "Atlanta" in text else ["Georgia", "Tbilisi"]
    georgia, _ = _resolve(resolver, text, *names)
    assert georgia is not None
    assert (georgia.country_code, georgia.feature_code) == (country, fcode)


@pytest.mark.parametrize(
    ("text", "fcode"),
    [
        ("A cow from a Washington state farm tested positive.", "ADM1"),
        ("The first case turned up in the state of Washington last year.", "ADM1"),
        ("Lawmakers in Washington passed the bill on Friday.", "PPLC"),
        ("Washington State University opened a new lab.", "PPLC"),
    ],
)
def test_type_word_picks_the_kind(resolver: PlaceResolver, text: str, fcode: str) -> None:
    [place] = _resolve(resolver, text, "Washington")
    assert place is not None and place.country_code == "US"
    assert place.feature_code == fcode


def _resolve_in_order(resolver: PlaceResolver, text: str, *names: str) -> list[Place | None]:
    spans, pos = [], 0
    for name in names:
        start = text.index(name, pos)
        spans.append((start, start + len(name)))
        pos = start + len(name)
    return resolver.resolve_spans(text, spans)


@pytest.mark.parametrize(
    ("text", "names", "fcodes"),
    [
        (
            "Cases were reported in Oregon, Utah, Washington and Wyoming.",
            ("Oregon", "Utah", "Washington", "Wyoming"),
            ("ADM1",) * 4,
        ),
        (
            "Delegates from Armenia, Georgia and Azerbaijan met on Monday.",
            ("Armenia", "Georgia", "Azerbaijan"),
            ("PCLI",) * 3,
        ),
        (
            "The finalists are Louisville, Ky., New Haven, Conn., and Sioux Falls, S.D.",
            ("Louisville", "Ky.", "New Haven", "Conn.", "Sioux Falls", "S.D."),
            ("PPL", "ADM1") * 3,
        ),
    ],
)
def test_list_items_share_a_kind(
    resolver: PlaceResolver, text: str, names: tuple[str, ...], fcodes: tuple[str, ...]
) -> None:
    places = _resolve_in_order(resolver, text, *names)
    assert [p.feature_code if p else None for p in places] == list(fcodes)


def test_dateline_disambiguates(resolver: PlaceResolver) -> None:
    text = "SPRINGFIELD, Ill. — Lawmakers in Springfield passed the bill."
    start = text.rindex("Springfield")
    [place] = resolver.resolve_spans(text, [(start, start + 11)])
    assert place is not None and place.admin1 == "Illinois"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("American", "US"),
        ("Americans", "US"),
        ("Chinese", "CN"),
        ("Israeli", "IL"),
        ("Palestinian", "PS"),
        ("British", "GB"),
        ("Beijing", "CN"),
        ("the United States", "US"),
        ("U.S.", "US"),
        ("UK", "GB"),
        ("Tokyo", "JP"),
        ("Nonexistentplaceville", None),
        ("banana", None),
    ],
)
def test_country_of(resolver: PlaceResolver, text: str, iso: str | None) -> None:
    assert resolver.country_of(text) == iso


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ohioans", "Ohio"),
        ("W.Va.", "West Virginia"),
        ("Calif.", "California"),
        ("the Middle East", "Middle East"),
        ("Mt. Pleasant", "Mount Pleasant"),
    ],
)
def test_name_forms(resolver: PlaceResolver, text: str, expected: str) -> None:
    [place] = resolver.resolve_spans(text, [(0, len(text))])
    assert place is not None and place.name == expected


def test_place_by_id(resolver: PlaceResolver) -> None:
    place = resolver.place_by_id(5879400)
    assert place is not None and place.name == "Anchorage" and place.admin1 == "Alaska"
    assert resolver.place_by_id(-999_999_999) is None


# --------------------------------------------------------------------------- curated features


@pytest.mark.parametrize(
    ("text", "name", "fcode", "country"),
    [
        ("Trawlers crossed the Black Sea before dawn.", "Black Sea", "SEA", None),
        ("Two tankers were seized in the Strait of Hormuz.", "Strait of Hormuz", "STRT", None),
        ("Floods on Java and Sumatra left thousands homeless.", "Java", "ISL", "ID"),
        ("Floods on Java and Sumatra left thousands homeless.", "Sumatra", "ISL", "ID"),
        ("A freighter from Virginia sank in the Pacific on Tuesday.", "Pacific", "OCN", None),
        ("Pirates roam the Red Sea off the coast of Sudan.", "Red Sea", "SEA", None),
        ("Migrants crossed the Mediterranean in small boats.", "Mediterranean", "SEA", None),
        ("Oil prices rose after threats in the Persian Gulf.", "Persian Gulf", "GULF", None),
        ("Climbers returned from the Himalayas exhausted.", "Himalayas", "MTS", None),
        ("Cholera reached Nyanza Province in western Kenya.", "Nyanza Province", "ADM1H", "KE"),
        ("Rains flooded villages in Brong-Ahafo Region.", "Brong-Ahafo Region", "ADM1H", "GH"),
        ("Fishermen on Lake Athabasca reported low water.", "Lake Athabasca", "LK", "CA"),
        ("Barges moved grain down the Paraguay River.", "Paraguay River", "STM", None),
    ],
)
def test_physical_features_resolve(
    resolver: PlaceResolver, text: str, name: str, fcode: str, country: str | None
) -> None:
    [place] = _resolve(resolver, text, name)
    assert place is not None
    assert place.feature_code == fcode
    assert place.country_code == country
    assert place.geonameid < 0  # curated, not a GeoNames entry
    assert place.feature_class == {"ISL": "T", "MTS": "T", "ADM1H": "A"}.get(fcode, "H")


def test_former_division_beats_a_same_named_town(resolver: PlaceResolver) -> None:
    # Grand Casablanca (Morocco's region until 2015) is not a town of that name.
    [place] = _resolve(resolver, "Police in Grand Casablanca arrested two men.", "Grand Casablanca")
    assert place is not None and place.feature_code == "ADM1H" and place.country_code == "MA"


def test_a_sea_is_not_an_actor(nlp, resolver: PlaceResolver) -> None:
    tops = {t.text: t for t in resolver.toponyms(nlp("The Caspian Sea claimed three ships."))}
    top = tops.get("Caspian Sea") or tops.get("the Caspian Sea")
    assert top is not None and top.place is not None and top.place.feature_code == "LK"
    assert top.metonymy is False


def test_large_division_points_are_territory_centres(resolver: PlaceResolver) -> None:
    # Ontario's towns crowd its southern edge; the point is the territory's centre.
    text = "Forest fires burned across northern Ontario and Quebec."
    ontario, quebec = _resolve(resolver, text, "Ontario", "Quebec")
    assert ontario is not None and ontario.feature_code == "ADM1"
    assert haversine_km(ontario.lat, ontario.lon, 49.25, -84.5) < 50
    assert quebec is not None and haversine_km(quebec.lat, quebec.lon, 52.0, -72.0) < 50


@pytest.mark.parametrize(
    ("fcode", "several_words", "expected"),
    [("PCLI", False, True), ("ADM1", False, True), ("SEA", True, True), ("ISL", False, False)],
)
def test_one_word_features_need_ner(fcode: str, several_words: bool, expected: bool) -> None:
    # Outside NER's places, "Java" or "Burgundy" alone is as often a product or a wine.
    assert _names_area(fcode, several_words) is expected


# --------------------------------------------------------------------------- recognition


@pytest.mark.parametrize(
    ("text", "name", "metonymy"),
    [
        ("Beijing said on Monday that it would retaliate.", "Beijing", True),
        ("Russia warned Ukraine against joining the alliance.", "Russia", True),
        ("Tourists flocked to Beijing for the holiday.", "Beijing", False),
    ],
)
def test_metonymy(nlp, resolver: PlaceResolver, text: str, name: str, metonymy: bool) -> None:
    tops = {t.text: t for t in resolver.toponyms(nlp(text))}
    assert tops[name].place is not None
    assert tops[name].metonymy is metonymy


@pytest.mark.parametrize("demonyms", [True, False])
def test_demonyms_recognized_on_request(nlp, gazetteer, demonyms: bool) -> None:
    resolver = PlaceResolver(gazetteer, demonyms=demonyms)
    tops = resolver.toponyms(nlp("Chinese officials met Canadian diplomats in Ottawa."))
    by_text = {t.text: t for t in tops}
    assert by_text["Ottawa"].place.country_code == "CA"
    assert ("Chinese" in by_text) is demonyms
    if demonyms:
        assert by_text["Chinese"].place.country_code == "CN"


def test_place_inside_organisation(nlp, resolver: PlaceResolver) -> None:
    text = "The Gainesville Police Department and the University of Georgia signed a deal."
    names = {t.text for t in resolver.toponyms(nlp(text))}
    assert "Georgia" in names
    assert "University" not in names


# spaCy's small model tags these towns ORG or PERSON (checked in the first test), so only
# the place slot they stand in can make them toponyms.
PLACE_SLOTS = [
    ("Police in Lyon arrested two men on Friday night.", "Lyon", "ORG", "FR"),
    ("The city council of Lyon voted on Tuesday to close the old bridge.", "Lyon", "PERSON", "FR"),
    (
        "Ferries between Calais and Dover were cancelled because of the storm.",
        "Calais",
        "PERSON",
        "FR",
    ),
    ("Officials said the mayor of Calais would meet the minister.", "Calais", "PERSON", "FR"),
    ("A Huntsville man was arrested on Monday.", "Huntsville", "ORG", "US"),
]


@pytest.mark.parametrize(("text", "name", "label", "country"), PLACE_SLOTS)
def test_town_in_place_slot(
    nlp, resolver: PlaceResolver, text: str, name: str, label: str, country: str
) -> None:
    doc = nlp(text)
    assert [e.label_ for e in doc.ents if e.text == name] == [label]
    tops = {t.text: t for t in resolver.toponyms(doc)}
    assert tops[name].label == "GAZ"
    assert tops[name].place is not None and tops[name].place.country_code == country


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Shares of Apple fell in early trading.", "Apple"),  # a company, no place slot
        ("He has worked at Honda for ten years.", "Honda"),  # "at" a company
        ("She handed the award to Taylor after the show.", "Taylor"),  # "to" a person
        ("The senator spoke in the White House on Monday.", "White House"),  # "the" + name
        ("Lawmakers in Congress rejected the bill.", "Congress"),  # a hamlet, below the floor
        ("Jordan said he would retire.", "Jordan"),  # a person as subject, not the country
    ],
)
def test_organisations_and_people_stay_out(
    nlp, resolver: PlaceResolver, text: str, name: str
) -> None:
    doc = nlp(text)
    assert any(name in e.text and e.label_ in ("ORG", "PERSON") for e in doc.ents)
    assert all(name not in t.text for t in resolver.toponyms(doc))


def test_empty_inputs(nlp, resolver: PlaceResolver) -> None:
    assert resolver.toponyms(nlp("")) == []
    assert resolver.resolve_spans("nothing here", []) == []


# --------------------------------------------------------------------------- evaluation


@pytest.mark.skipif(not SHARED_PLACES.exists(), reason="shared eval data not present")
def test_evaluate_given_spans_smoke(tmp_path: Path, resolver: PlaceResolver) -> None:
    from extractors.evaluation.places import evaluate, format_metrics

    metrics = evaluate(
        SHARED_PLACES / "lgl.jsonl",
        tmp_path / "pred.jsonl",
        given_spans=True,
        metrics=tmp_path / "m.json",
        limit=40,
        resolver=resolver,
    )
    assert metrics["acc161"] > 70
    assert json.loads((tmp_path / "m.json").read_text())["gold_toponyms"] > 0
    assert "Acc@161km" in format_metrics(metrics)


def test_name_caches_stay_bounded(gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    import extractors.places.names as places

    monkeypatch.setattr(places, "CANDIDATE_CACHE_SIZE", 4)
    monkeypatch.setattr(places, "FUZZY_CACHE_SIZE", 3)
    resolver = PlaceResolver(gazetteer)
    names = ["Tokyo", "Paris", "Lagos", "Lima", "Oslo", "Quito", "Hanoi", "Dakar", "Parris"]
    names += ["Berlinn", "Madrdi", "Viennna", "Pragueh"]
    for name in names:
        resolver.country_of(name)
        resolver.resolve_spans(name, [(0, len(name))])
    assert 0 < len(resolver.names._cand_cache) <= 4
    assert 0 < len(resolver.names._fuzzy_cache) <= 3
    assert resolver.country_of("Tokyo") == "JP"  # a cleared cache answers the same


def test_lowercase_compass_word_modifies_the_name(resolver: PlaceResolver) -> None:
    # "south Lebanon" is the south of the country, not the town of South Lebanon, Ohio; a
    # capitalized "South Lebanon" stays a name of its own.
    text = "Israel has occupied a zone in south Lebanon since 1985."
    [place] = _resolve(resolver, text, "south Lebanon")
    assert place is not None and place.feature_code == "PCLI" and place.country_code == "LB"
    [town] = _resolve(resolver, "Police in South Lebanon, Ohio, said on Monday.", "South Lebanon")
    assert town is not None and town.country_code == "US"


def test_a_span_with_no_entry_is_placed_by_its_container_or_the_story(
    resolver: PlaceResolver,
) -> None:
    text = (
        "Firefighters from Springfield, Illinois were called to Quarry Lane in Springfield. "
        "Later, smoke drifted over Riverbend Meadow Park."
    )
    names = ["Springfield, Illinois", "Quarry Lane", "Springfield", "Riverbend Meadow Park"]
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    spans[0] = (spans[0][0], spans[0][0] + len("Springfield"))
    places = resolver.resolve_spans(text, spans)
    assert places[1] is None and places[3] is None  # no gazetteer entry
    located = resolver.approximate(text, spans, places)
    springfield = places[2]
    assert springfield is not None and springfield.admin1 == "Illinois"
    # "Quarry Lane in Springfield": the place after "in"; the park: the story's town.
    assert located[1] == springfield and located[3] == springfield
    assert located[0] == places[0] and located[2] == places[2]  # resolved spans keep theirs
    # With nothing resolved there is nothing to approximate from.
    assert resolver.approximate("At Quarry Lane.", [(3, 14)], [None]) == [None]
