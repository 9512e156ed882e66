"""Extract + transform stage: Articles in, table rows out (events, mentions, places, documents).

One `Extractor` holds the loaded model, gazetteer and lexicons; `extract` streams Articles
through `nlp.pipe` and turns each parsed Doc into rows. Nothing here touches Prefect or DuckDB.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import logging
import math
import operator
import re
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources

import numpy
from spacy.attrs import LEMMA, POS
from spacy.language import Language
from spacy.parts_of_speech import NOUN as NOUN_POS
from spacy.tokens import Doc, Token

from extractors.actors import ActorInfo, ActorResolver, load_actor_lexicon
from extractors.config import Settings
from extractors.events import (
    REPORTING_LEMMAS,
    Argument,
    Frame,
    frames,
    hangs_on_dateline,
    is_request,
    verb_phrase,
)
from extractors.gazetteer import COUNTRY_CODES, load_gazetteer
from extractors.ingest import LEADING_DATELINE
from extractors.nlp import (
    children,
    doc_ents,
    doc_sents,
    doc_text,
    doc_tokens,
    entity_of,
    load_pipeline,
    remember_text,
    sentence_of,
    subtree_bounds,
    token_bounds,
)
from extractors.nlp import head as head_of
from extractors.places import COMPASS_POINTS, Place, PlaceResolver, Toponym, haversine_km
from extractors.records import (
    Article,
    DocumentRow,
    EventRow,
    MentionRow,
    PlaceRow,
    builder,
    stable_id,
)
from extractors.temporal import Timex, normalize_timex, timexes

_log = logging.getLogger(__name__)

# Prepositions whose object place is where the clause happens ("in", "off the coast of
# Kent", "ferries between Calais and Dover"). Not "on": its objects are mostly dates and
# topics ("on Monday", "talks on Ukraine", "sanctions on Russia").
LOCATIVE_PREPS = frozenset(
    {
        "in",
        "at",
        "near",
        "outside",
        "inside",
        "across",
        "throughout",
        "from",
        "off",
        "along",
        "between",
        "over",
    }
)
# Prepositions of a named setting the gazetteer does not know ("at Wrigley Field"): not
# "between" or "over", whose objects are as often organizations ("talks between Apple and
# Google", "a dispute over Huawei").
NAMED_SETTING_PREPS = frozenset(
    {"in", "at", "near", "outside", "inside", "across", "throughout", "off", "along"}
)
# Nouns for a part or the surroundings of a place, whose "of" names the place: "off the
# coast of Kent", "on the outskirts of Kabul", "in the north of France".
PART_NOUNS = (
    frozenset(
        {
            "coast",
            "coastline",
            "shore",
            "shores",
            "waters",
            "outskirts",
            "suburbs",
            "edge",
            "border",
            "centre",
            "center",
            "heart",
            "middle",
            "part",
            "region",
            "area",
            "city",
            "town",
            "village",
            "capital",
            "province",
            "state",
            "county",
            "district",
            "island",
            "streets",
        }
    )
    | COMPASS_POINTS
)
POINT_TYPES = frozenset({"DATE", "TIME"})


def extractor_version(model: str) -> str:
    """Version stamp of extraction: a change here reprocesses documents."""
    try:
        model_version = metadata.version(model.replace("_", "-"))
    except metadata.PackageNotFoundError:
        model_version = "unknown"
    return f"{metadata.version('event-etl')}+{model}-{model_version}"


@dataclass(frozen=True, slots=True)
class EventTypes:
    """The event type lexicon: lemma -> type, type -> quad class, and the event nouns."""

    verbs: dict[str, str]
    nouns: dict[str, str]
    quad: dict[str, str]
    # Verb lemmas of more than one word ("call on", "back down"), for `frames`.
    phrasal: frozenset[str] = frozenset()

    def type_of(self, lemma: str, *, nominal: bool = False) -> str:
        """PLOVER-style type of a lemma; "other" when the lexicon does not list it."""
        lemma = lemma.removeprefix("not ")
        table = self.nouns if nominal else self.verbs
        return table.get(lemma, "other")

    def quad_of(self, event_type: str) -> str:
        return self.quad.get(event_type, "other")


def load_event_types() -> EventTypes:
    """The event type lexicon from configs/event_types.toml.

    Raises:
        ValueError: a type without a quad class, or a quad class for an unknown type.
    """
    text = resources.files("configs").joinpath("event_types.toml").read_text("utf-8")
    data = tomllib.loads(text)
    verbs = {lemma: etype for etype, lemmas in data["types"].items() for lemma in lemmas}
    nouns = {lemma: etype for etype, lemmas in data.get("nouns", {}).items() for lemma in lemmas}
    quad = dict(data.get("quad", {}))
    types = set(data["types"]) | set(data.get("nouns", {}))
    if missing := types - set(quad):
        raise ValueError(f"event_types.toml: no [quad] class for {sorted(missing)}")
    if unknown := set(quad) - types:
        raise ValueError(f"event_types.toml: [quad] names unknown types {sorted(unknown)}")
    return EventTypes(verbs, nouns, quad, frozenset(v for v in verbs if " " in v))


@dataclass(slots=True)
class Extraction:
    """All rows produced from one document."""

    document: DocumentRow
    events: list[EventRow]
    mentions: list[MentionRow]
    places: list[Place] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ExtractionFailure:
    """A document whose extraction raised (a bug): the run rejects it and goes on."""

    article: Article
    error: str  # "<exception type>: <message>"


@dataclass(frozen=True, slots=True)
class Headline:
    """Content lemmas of a headline, the lemmas of its predicates and of its subject."""

    words: frozenset[str]
    predicates: frozenset[str]
    subjects: frozenset[str]
    toponyms: tuple[Toponym, ...] = ()
    doc: Doc | None = None  # the parsed headline
    setting: Toponym | None = None  # "... at the White House": offsets into the headline
    # Lemmas of the main clause's predicate(s) ("Fans outraged after X changes Y": outrage),
    # with their word families (see EVENT_FAMILIES).
    main: frozenset[str] = frozenset()
    # Event types of the main predicates (typed by the event lexicon, "other" left out).
    types: frozenset[str] = frozenset()
    # Lemmas of verbs in an adverbial clause ("... after changing its shape", "as tram
    # derails"): the main event's circumstances, not the main event.
    circumstances: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _DocContext:
    """What every event of one document is resolved against."""

    toponyms: list[Toponym]
    times: list[Timex]
    dateline: Place | None
    actors: ActorResolver
    document_place: tuple[Toponym | None, str | None]
    lead_date: Timex | None
    # A dateline found after page furniture ("Photo LONDON --"), with its offsets.
    dateline_toponym: Toponym | None = None
    # Settings the headline and the lead name, in order: they refine a broader place.
    lead_places: tuple[tuple[Toponym, str], ...] = ()  # (toponym, "title" | "document")
    headline: Headline | None = None
    lead_sentences: int = 5  # sentences, from the first, that hold the lead (see lead_sentences)
    masked: tuple[int, int] | None = None  # character offsets of the dateline
    # Verb phrase offsets per predicate span, filled as rows are built: frames that share a
    # predicate (one per actor or target conjunct) share its phrase.
    phrases: dict[tuple[int, int], tuple[int, int] | None] = field(default_factory=dict)


# The lead: news states its main event in the first sentences.
LEAD_SENTENCES = 5
# The sentences that state where the main event happened, after the headline.
PLACE_LEAD_SENTENCES = 3
FIRST_PERSON = frozenset({"i", "we", "me", "us"})
# Page furniture that survives scraping ("Click to share", "Subscribe", "Image copyright").
BOILERPLATE_LEMMAS = frozenset(
    {"click", "share", "subscribe", "get", "thank", "follow", "sign", "read", "watch", "skip"}
)


def _is_boilerplate(doc: Doc, frame: Frame) -> bool:
    """Imperatives and page furniture: a verb with no subject that opens its clause."""
    verb = doc_tokens(doc)[frame.predicate]
    if frame.nominal or frame.actor is not None and verb.lemma_.lower() not in BOILERPLATE_LEMMAS:
        return False
    imperative = (
        verb.tag_ == "VB"
        and verb.dep_ == "ROOT"
        and not any(c.dep_ in {"aux", "nsubj", "nsubjpass"} for c in children(verb))
    )
    furniture = verb.lemma_.lower() in BOILERPLATE_LEMMAS and verb.text[:1].isupper()
    return imperative or furniture


# A continent contains its countries' places as a country contains its own.
COUNTRY_FEATURES = COUNTRY_CODES | {"CONT"}
NAMED_SETTING_LABELS = frozenset({"FAC", "ORG", "LOC", "GPE", "WORK_OF_ART", "EVENT"})


def _locative_name(doc: Doc, frame: Frame) -> Toponym | None:
    """A named setting the gazetteer does not know: "outside Trump Tower", "at Wrigley Field".

    Returned as an unresolved Toponym (no place), so the event keeps the setting's text.
    """
    return _named_setting(doc, [doc_tokens(doc)[frame.predicate]])


def _named_setting(doc: Doc, heads: Iterable[Token]) -> Toponym | None:
    """The first named setting in a locative phrase on one of `heads`."""
    for prep in (c for head in heads for c in children(head)):
        if prep.dep_ != "prep" or prep.lower_ not in NAMED_SETTING_PREPS:
            continue
        for pobj in children(prep):
            if pobj.dep_ != "pobj":
                continue
            if (
                pobj.pos_ != "PROPN"
                and pobj.ent_type_ not in NAMED_SETTING_LABELS
                and not _named_compound(pobj)
            ):
                continue
            if pobj.ent_type_ in {"PERSON", "NORP", "DATE", "TIME"}:
                continue
            words = [t for t in pobj.subtree if t.dep_ in {"compound", "det", "amod"} or t == pobj]
            words = [t for t in words if t.i <= pobj.i and t.lower_ not in {"the", "a", "an"}]
            start = min(t.i for t in words)
            span = doc[start : pobj.i + 1]
            return Toponym(span.start_char, span.end_char, span.text, "NAME", None, False, 0.0)
    return None


def _named_compound(noun: Token) -> bool:
    """A kind of site named by a proper-noun modifier: "the Sandilands stop", "the
    Interlagos circuit" ("a Taliban raid", "the Smith family" name no site)."""
    return noun.lemma_.lower() in SITE_NOUNS and any(
        c.dep_ == "compound" and c.pos_ == "PROPN" for c in children(noun)
    )


# Common nouns for sites, which a proper-noun modifier names ("the Sandilands stop").
SITE_NOUNS = frozenset(
    {
        "stop",
        "station",
        "circuit",
        "track",
        "stadium",
        "arena",
        "airport",
        "park",
        "road",
        "street",
        "avenue",
        "bridge",
        "square",
        "hospital",
        "school",
        "university",
        "hotel",
        "tower",
        "building",
        "field",
        "church",
        "mosque",
        "temple",
        "prison",
        "port",
        "harbour",
        "harbor",
        "camp",
        "village",
        "district",
        "market",
        "mall",
        "centre",
        "center",
        "consulate",
        "embassy",
        "base",
        "palace",
        "court",
        "tunnel",
        "motorway",
        "highway",
        "beach",
        "river",
        "lake",
        "mountain",
        "valley",
        "estate",
    }
)


# Entities a toponym can sit inside without naming a setting: "Chicago Cubs", "Croydon
# Council", "the Brazilian Grand Prix" name a team, a body or an occasion.
NON_SETTING_LABELS = frozenset({"ORG", "PERSON", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW"})
# Nouns for people: a place that modifies one says where they are from or what they
# support ("a Crystal Palace fan", "a Croydon resident"), not where anything happened.
PERSON_NOUNS = frozenset(
    {
        "fan",
        "supporter",
        "resident",
        "native",
        "man",
        "woman",
        "boy",
        "girl",
        "teenager",
        "father",
        "mother",
        "mum",
        "dad",
        "son",
        "daughter",
        "student",
        "pensioner",
        "commuter",
        "voter",
        "worker",
        "player",
        "striker",
        "midfielder",
        "defender",
        "goalkeeper",
        "manager",
        "owner",
        "mp",
        "councillor",
        "senator",
        "congressman",
        "congresswoman",
        "lawmaker",
        "businessman",
        "businesswoman",
    }
)
# Radius within which a smaller populated place counts as part of a larger one.
CONTAINED_KM = 30.0


def is_setting(doc: Doc, toponym: Toponym) -> bool:
    """Whether a place mention can be where something happens.

    Not when it is an actor ("Beijing said"), a demonym or adjective ("German consulate"), a
    person's name, part of a larger name ("Chicago Cubs"), or a person's origin or home
    ("a 42-year-old from Beckenham", "Donald Collett, 62, of Croydon").
    """
    if toponym.metonymy:
        return False
    span = doc.char_span(toponym.start, toponym.end, alignment_mode="expand")
    if span is None:
        return True
    root = span.root
    if root.pos_ == "ADJ" or root.ent_type_ == "NORP":
        return False
    if root.ent_type_ == "PERSON" and not (toponym.label == "GAZ" and _is_locative(root)):
        # A name the recognizer took for a person is a setting only when the gazetteer
        # knows it and a locative phrase governs it ("off the coast of Kent").
        return False
    own = entity_of(root)
    if own is not None:
        larger = own.start_char < toponym.start or own.end_char > toponym.end
        if larger and own.label_ in NON_SETTING_LABELS:
            return False
    head = root.head
    if root.dep_ == "compound" and head.pos_ == "PROPN" and head.i >= span.end:
        # "Chicago Cubs", "south east London": a modifier of another name; the place, if
        # any, is the name it modifies. A split name ("Mazar-i-Sharif") is one entity.
        other = entity_of(head)
        split = not any(c.isspace() for c in doc_text(doc)[toponym.end : head.idx])
        if not split and (other is None or other != own):
            return False
    if root.dep_ in {"compound", "nmod", "amod"} and head.lemma_.lower() in PERSON_NOUNS:
        return False  # "a Crystal Palace fan", "a Croydon resident": who, not where
    anchor = root.head if root.dep_ in {"appos", "conj", "compound"} else root
    if anchor.dep_ == "pobj":
        prep = anchor.head
        governor = prep.head
        if prep.lower_ == "from" and governor.pos_ in {"NOUN", "PROPN", "NUM", "PRON"}:
            return False  # "a man from Beckenham": where he is from, not where it happened
        if prep.lower_ == "of" and (governor.ent_type_ == "PERSON" or governor.pos_ == "NUM"):
            return False  # "Donald Collett, 62, of Croydon"
    return True


_SETTING_KEY = "event_etl.setting_heads"


def _setting_head(doc: Doc, toponym: Toponym) -> tuple[Token | None, bool]:
    """(head token, whether it sits in a locative phrase) of a place mention that can be a
    setting, (None, False) when it cannot; computed once per mention of a Doc."""
    cache = doc.user_data.get(_SETTING_KEY)
    if cache is None:
        cache = doc.user_data[_SETTING_KEY] = {}
    key = (toponym.start, toponym.end, toponym.metonymy, toponym.place is not None)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _find_setting_head(doc, toponym)
    return found


def _find_setting_head(doc: Doc, toponym: Toponym) -> tuple[Token | None, bool]:
    if toponym.place is not None and not is_setting(doc, toponym):
        return None, False
    span = doc.char_span(toponym.start, toponym.end, alignment_mode="expand")
    head = span.root if span is not None else None
    if head is None:
        return None, False
    return head, _is_locative(head)


def _is_locative(token: Token) -> bool:
    """Whether a place mention's head is the object of a locative preposition: its own
    ("in Anchorage"), its anchor's ("in Anchorage, Alaska": the appositive, conjunct or
    compound rides on the name it belongs to) or through "of" after a noun for a part of
    a place ("off the coast of Kent", "in the north of France"), where "on" is locative
    too ("on the outskirts of Kabul")."""
    anchor = token.head if token.dep_ in {"appos", "conj", "compound"} else token
    preps = LOCATIVE_PREPS
    for _ in range(3):
        prep = anchor.head
        if not (anchor.dep_ == "pobj" and prep.lower_ == "of"):
            break
        part = prep.head
        if part.pos_ != "NOUN" or not {part.lemma_.lower(), part.lower_} & PART_NOUNS:
            return False
        anchor = part.head if part.dep_ in {"appos", "conj"} else part
        preps = LOCATIVE_PREPS | {"on"}
    return anchor.dep_ == "pobj" and anchor.head.lower_ in preps


def contains(big: Place, small: Place) -> bool:
    """Whether `small` lies within `big`: a country's or region's place, a city's district."""
    if big.geonameid == small.geonameid or big.country_code != small.country_code:
        return False
    if big.feature_code in COUNTRY_FEATURES:
        return small.feature_code not in COUNTRY_FEATURES
    if big.feature_code == "ADM1":
        return small.admin1 == big.admin1 and small.feature_code != "ADM1"
    if big.feature_class == "P" and small.feature_class == "P":
        near = haversine_km(big.lat, big.lon, small.lat, small.lon) <= CONTAINED_KM
        return near and big.population >= 5 * max(small.population, 1)
    return False


def title_places(
    title: Doc | None, toponyms: Sequence[Toponym], found: Sequence[Toponym]
) -> list[Toponym]:
    """Places the headline names: its own toponyms plus document places it repeats by name.

    Headlines are terse ("Croydon tram crash: ..."), so a name the recognizer misses there
    is still found when the text names and resolves the same place.
    """
    if title is None:
        return [t for t in found if t.place is not None and not t.metonymy]
    out = [t for t in found if t.place is not None and is_setting(title, t)]
    seen = {t.place.geonameid for t in out if t.place is not None}
    for toponym in toponyms:
        if toponym.place is None or toponym.place.geonameid in seen or toponym.metonymy:
            continue
        pattern = r"(?<!\w)" + re.escape(toponym.text) + r"(?!\w)"
        match = re.search(pattern, title.text, flags=re.IGNORECASE)
        if match is None:
            continue
        named = dataclasses.replace(toponym, start=match.start(), end=match.end())
        if is_setting(title, named):
            out.append(named)
            seen.add(toponym.place.geonameid)
    return out


def document_place(
    doc: Doc, toponyms: list[Toponym], *, title: Sequence[Toponym] = ()
) -> tuple[Toponym | None, str | None]:
    """The story's main setting and where it was found ("document" or "title").

    News names its main setting in the headline and the lead, so a place scores by whether
    the headline names it, how early the text first names it, and (less) how often. A place
    inherits part of the score of a broader place that contains it and is also named (a
    city of a named country or region, a district of a named city), so the most specific
    setting wins. Places that are no setting (see `is_setting`) are left out. A place only
    the headline names is returned with source "title".
    """
    mentions: dict[int, int] = {}
    earliest: dict[int, int] = {}
    first: dict[int, Toponym] = {}
    sentence_starts = [s.start_char for s in doc_sents(doc)]
    for toponym in toponyms:
        if toponym.place is None or not is_setting(doc, toponym):
            continue
        gid = toponym.place.geonameid
        mentions[gid] = mentions.get(gid, 0) + 1
        earliest.setdefault(gid, bisect.bisect_right(sentence_starts, toponym.start) - 1)
        first.setdefault(gid, toponym)
    in_title = {t.place.geonameid: t for t in title if t.place is not None and not t.metonymy}
    scores = {
        gid: 0.5 * math.log1p(mentions[gid])
        + 2.0 / (1.0 + 0.5 * earliest[gid])
        + 2.0 * (gid in in_title)
        for gid in first
    }
    for gid, toponym in in_title.items():
        if gid not in scores:
            first[gid] = toponym
            scores[gid] = 2.0
    if not scores:
        return None, None
    # The most specific setting wins when the broader one is also named: "a city in north
    # Afghanistan ... Mazar-i-Sharif" is set in Mazar-i-Sharif.
    base = dict(scores)
    for gid, toponym in first.items():
        place = toponym.place
        if place is None:
            continue
        broader = [
            base[other]
            for other, t in first.items()
            if t.place is not None and contains(t.place, place)
        ]
        scores[gid] += 0.6 * max(broader, default=0.0)
    best = max(scores, key=lambda gid: (scores[gid], gid in mentions, -first[gid].start))
    return first[best], "document" if best in mentions else "title"


def named_setting(
    doc: Doc, headline: Headline | None, toponyms: Sequence[Toponym]
) -> tuple[Toponym | None, str | None]:
    """The story's setting when no resolved place is named: the headline's named setting
    ("... at wet Brazilian Grand Prix"), else the first one of the lead ("at Interlagos"),
    as unresolved names (source "title" when only the headline names it)."""
    if headline is not None and headline.setting is not None:
        return _in_text(doc, headline.setting, toponyms)
    sentences = doc_sents(doc)[:PLACE_LEAD_SENTENCES]
    found = _named_setting(doc, (t for sent in sentences for t in sent))
    return (found, "document") if found is not None else (None, None)


def dateline_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of datelines after page furniture ("Photo LONDON -- The peaks ...").

    The place is written in capitals and followed by a dash, optionally with its region or
    a wire service in between ("SAO PAULO (AP) --"); only the start of the text is searched.
    """
    for match in _DATELINE.finditer(text[:DATELINE_WINDOW]):
        yield match.start("place"), match.end("place")


DATELINE_WINDOW = 1500
_DATELINE = re.compile(
    r"(?<![\w-])(?P<place>[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){0,3})"
    r"(?:,[ A-Za-z.]{2,30})?\s*(?:\([A-Za-z ]{1,20}\))?\s*(?:--|—|–)\s"
)


def dateline_extent(text: str, place_start: int) -> tuple[int, int]:
    """Character offsets of the dateline whose place name starts at `place_start`: from
    the place to after its dash ("NAIROBI, Kenya (AP) — "), with the region or date and the
    wire service between; the place name's first word when no dateline pattern matches."""
    match = LEADING_DATELINE.match(text)
    if match is None or match.start("place") != place_start:
        match = _DATELINE.match(text, place_start)
    if match is not None:
        return place_start, match.end()
    word = re.match(r"\S+", text[place_start:])
    return place_start, place_start + (word.end() if word else 0)


def _in_text(doc: Doc, named: Toponym, toponyms: Sequence[Toponym]) -> tuple[Toponym, str]:
    """A headline's place as the text names it (resolved, with offsets into the text),
    else as the headline gives it (source "title")."""
    key = named.text.lower().removeprefix("the ")
    for toponym in toponyms:
        if toponym.place is not None and toponym.text.lower().removeprefix("the ") == key:
            return toponym, "document"
    pattern = r"(?<!\w)" + re.escape(named.text) + r"(?!\w)"
    match = re.search(pattern, doc_text(doc), flags=re.IGNORECASE)
    if match is None:
        return named, "title"
    found = dataclasses.replace(named, start=match.start(), end=match.end(), text=match.group())
    return found, "document"


def lead_settings(
    doc: Doc, toponyms: Sequence[Toponym], dateline: Toponym | None = None
) -> list[Toponym]:
    """Resolved settings the lead names (its first LEAD_SENTENCES sentences), in order."""
    sentences = doc_sents(doc)
    if not sentences:
        return []
    lead_end = sentences[min(PLACE_LEAD_SENTENCES, len(sentences)) - 1].end_char
    found = [dateline] if dateline is not None else []
    found += [
        t
        for t in toponyms
        if t.start < lead_end and t.place is not None and t is not dateline and is_setting(doc, t)
    ]
    return found


def most_specific(
    place: Place, candidates: Sequence[tuple[Toponym, str]]
) -> tuple[Toponym, str] | None:
    """The named place most deeply inside `place` (a city in a country, a district in a
    city) with its source, or None when no candidate lies inside it."""
    best: tuple[Toponym, str] | None = None
    current = place
    for _ in range(3):
        inner = next(
            (c for c in candidates if c[0].place is not None and contains(current, c[0].place)),
            None,
        )
        if inner is None or inner[0].place is None:
            break
        best, current = inner, inner[0].place
    return best


def _lead_places(
    doc: Doc,
    toponyms: Sequence[Toponym],
    headline: Sequence[Toponym],
    dateline: Toponym | None,
) -> tuple[tuple[Toponym, str], ...]:
    """Headline places first, then the lead's; a headline place the text also names is
    given by its first mention in the text (offsets into the text, source "document")."""
    in_text: dict[int, Toponym] = {}
    for toponym in toponyms:
        if toponym.place is not None and not toponym.metonymy:
            in_text.setdefault(toponym.place.geonameid, toponym)
    out: list[tuple[Toponym, str]] = []
    for toponym in headline:
        if toponym.place is None:
            continue
        mention = in_text.get(toponym.place.geonameid)
        out.append((mention, "document") if mention is not None else (toponym, "title"))
    out += [(t, "document") for t in lead_settings(doc, toponyms, dateline)]
    return tuple(out)


_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_CLOCK = re.compile(
    r"(?<![\w.:])\d{1,2}(?:[.:]\d{2})?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)"
    r"(?:\s+(?:local time|GMT|BST|UTC))?"
    rf"(?:,?\s+(?:on\s+)?(?:(?:last\s+|this\s+)?(?:{_WEEKDAYS})|today|yesterday))?",
    re.IGNORECASE,
)
# What makes a date explicit: a weekday, a month, a number, or today/yesterday/tonight.
_EXPLICIT = re.compile(
    rf"\b(?:{_WEEKDAYS}|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|"
    r"february|march|april|june|july|august|september|october|november|december|today|"
    r"yesterday|tonight|overnight)\b|\d",
    re.IGNORECASE,
)


def with_clock_times(text: str, times: list[Timex], published: dt.date | None) -> list[Timex]:
    """`times` plus the clock times the recognizer missed ("at 6.13am today", "around
    11:30pm local time"), each read on the day it names, else on the story's day (the
    latest day-level date before it), else the publication date.

    A clock time joined to a day ("6:10am on Wednesday") becomes one expression, replacing
    the day's.
    """
    out = list(times)
    for match in _CLOCK.finditer(text):
        start, end = match.span()
        inside = [t for t in out if _overlaps(t.start, t.end, start, end)]
        if any(t.start <= start and end <= t.end for t in inside):
            continue  # already found
        if any(t.start < start or t.end > end for t in inside):
            continue  # overlaps a longer expression: leave it as the recognizer read it
        before = [
            t.value
            for t in out
            if t.end <= start and t.type == "DATE" and t.value and t.granularity == "day"
        ]
        timex = normalize_timex(
            match.group(), anchor=published, reference=before[-1] if before else None
        )
        if timex.value is None or timex.type != "TIME":
            continue
        found = dataclasses.replace(timex, start=start, end=end)
        out = [t for t in out if t not in inside] + [found]
    out.sort(key=lambda t: (t.start, t.end))
    return out


_BARE_NUMBERS = re.compile(r"[\d\s]+")


def is_explicit(timex: Timex) -> bool:
    """A date the text states (a weekday, a month, a number, "today"), not one inferred
    from a phrase ("the morning", "election day")."""
    return bool(_EXPLICIT.search(timex.text)) and timex.rule not in {"holiday"}


def lead_sentences(doc: Doc, found: Sequence[Frame]) -> int:
    """How many sentences, from the first, hold the lead: its first LEAD_SENTENCES story
    sentences, those stating an event ("X was arrested" as well as "X arrested Y"); page
    furniture and bare captions state none."""
    story = sorted({f.sentence_index for f in found if not f.nominal})
    if len(story) < LEAD_SENTENCES:
        return max(LEAD_SENTENCES, story[-1] + 1 if story else 0)
    return max(LEAD_SENTENCES, story[LEAD_SENTENCES - 1] + 1)


def lead_date(
    doc: Doc, times: list[Timex], *, published: dt.date | None, sentences: int = LEAD_SENTENCES
) -> Timex | None:
    """The news peg: the first explicit day-level date or clock time within a week before
    publication of the lead (its first `sentences` sentences), else of the whole text (a
    story whose lead names no day states it further down: "the crash happened at 6.10am").
    A date a continuing state runs since ("have protested since Wednesday") is background,
    never the peg.

    Without a publication date the lead's first explicit day ("Nov. 2", "Thursday
    morning") is the peg, unresolved (XXXX-11-02); nothing then tells a day further down
    from background, so the rest of the text is not searched.
    """
    sents = doc_sents(doc)
    if not sents:
        return None
    lead_end = sents[min(sentences, len(sents)) - 1].end_char
    in_lead = [t for t in times if t.start < lead_end]
    if published is None:
        return next((t for t in in_lead if _names_a_day(t)), None)
    pegs = [t for t in times if not _bounds_a_state(doc, t)]
    in_lead = [t for t in pegs if t.start < lead_end]
    return _first_recent(in_lead, published) or _first_recent(pegs, published)


def _bounds_a_state(doc: Doc, timex: Timex) -> bool:
    """Whether the date is where a continuing state starts ("have protested since his
    victory was confirmed on Wednesday", "have been closed since Monday"): it dates the
    background, not the news."""
    found = _timex_tokens(doc, timex)
    if found is None:
        return False
    start, end, token = found
    for _ in range(6):
        if token.pos_ in {"VERB", "AUX"}:
            return any(c.dep_ == "mark" and c.lower_ == "since" for c in children(token))
        if token.lower_ == "since" and not start <= token.i < end:
            return True
        head = head_of(token)
        if head.i == token.i:
            return False
        token = head
    return False


# A TIMEX3 value of one day or a time of day, resolved or not: 2016-11-02, XXXX-11-02,
# XXXX-WXX-4, XXXX-WXX-4TMO.
_DAY_VALUE = re.compile(r"(?:\d{4}|XXXX)-(?:\d{2}-\d{2}|WXX-\d)(?:T.*)?")


def _names_a_day(timex: Timex) -> bool:
    """An explicit expression of one day, or a time on it ("Nov. 2", "Thursday morning")."""
    return (
        timex.type in POINT_TYPES
        and timex.value is not None
        and _DAY_VALUE.fullmatch(timex.value) is not None
        and is_explicit(timex)
        and not _BARE_NUMBERS.fullmatch(timex.text)
    )


def _first_recent(times: Iterable[Timex], published: dt.date) -> Timex | None:
    for timex in times:
        if timex.type not in POINT_TYPES or timex.start_date is None or timex.end_date is None:
            continue
        if (timex.end_date - timex.start_date).days > 1:
            continue  # "this year", "last month": too coarse to date an event
        if not is_explicit(timex) or _BARE_NUMBERS.fullmatch(timex.text):
            continue  # "11 11" ("1 of 11" on a slideshow) is a count, not a stated day
        if published - dt.timedelta(days=7) <= timex.start_date <= published:
            return timex
    return None


def _inside_noun_phrase(doc: Doc, timex: Timex, frame: Frame) -> bool:
    """Whether a date of the clause modifies a noun on its way to the predicate ("the 2007
    world champion", "the closure two days before election day"): it dates that noun,
    not the event."""
    found = _timex_tokens(doc, timex)
    if found is None:
        return False
    start, end, token = found
    for _ in range(8):
        head = head_of(token)
        if head.i == token.i or head.i == frame.predicate:
            return False
        if head.pos_ in {"NOUN", "PROPN"} and not start <= head.i < end:
            return True
        token = head
    return False


_TIMEX_TOKENS_KEY = "event_etl.timex_tokens"


def _timex_tokens(doc: Doc, timex: Timex) -> tuple[int, int, Token] | None:
    """(start, end, root) of the tokens a time expression covers, found once per Doc: every
    frame of its sentence asks (see `_inside_noun_phrase`)."""
    cache = doc.user_data.get(_TIMEX_TOKENS_KEY)
    if cache is None:
        cache = doc.user_data[_TIMEX_TOKENS_KEY] = {}
    key = (timex.start, timex.end)
    if key not in cache:
        span = doc.char_span(timex.start, timex.end, alignment_mode="expand")
        cache[key] = None if span is None else (span.start, span.end, span.root)
    return cache[key]


def _abroad(doc: Doc, frame: Frame, toponyms: Sequence[Toponym], setting: Toponym) -> bool:
    """Whether the frame's sentence names a place in another country than the story's
    setting, and not the setting itself ("... rescued two fishermen near Dover" in a story
    set in France): the clause then happens elsewhere, so the setting does not stand in."""
    if setting.place is None:
        return False
    sent = doc_sents(doc)[sentence_of(doc)[frame.predicate]]
    named = [
        t.place
        for t in toponyms
        if t.place is not None
        and sent.start_char <= t.start < sent.end_char
        and _setting_head(doc, t)[0] is not None
    ]
    country = setting.place.country_code
    return any(p.country_code != country for p in named) and not any(
        p.geonameid == setting.place.geonameid for p in named
    )


def _conjoined_clauses(doc: Doc, frame: Frame) -> list[tuple[int, int]]:
    """Character spans of the clauses under the frame's verb that are events of their own
    with their own dates: conjoined verbs ("condemned X and [called on Y to act]") and
    what a request asks for ("called on Y [to act by Friday]")."""
    if frame.nominal:
        return []
    starts, ends = token_bounds(doc)
    out = []
    pending = [doc_tokens(doc)[frame.predicate]]
    while pending:
        for child in children(pending.pop()):
            conjoined = child.dep_ == "conj" and child.pos_ in {"VERB", "AUX"}
            if conjoined or is_request(child):
                first, last = subtree_bounds(child)
                out.append((starts[first], ends[last]))
                pending.append(child)
    return out


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


# A made-up article for Extractor._warm_up: a dateline, places, quoted speech, and dates
# for both the rules and dateparser.
_WARM_UP_TITLE = "Floods force thousands from homes in Springfield, Illinois"
_WARM_UP_TEXT = (
    "SPRINGFIELD, Ill. (AP) — Heavy rain forced thousands of residents of Springfield to "
    "leave their homes on Tuesday, officials said.\n\n"
    "“We have never seen the river this high,” Mayor Jane Doe told reporters in Chicago "
    "three weeks ago. The governor met aid groups in Paris, France, in mid-July 2019 and "
    "will visit Canada next month, the Red Cross said in the early morning of March 17."
)


# A text to parse (a headline, a whole text or a piece of one) and what it is of its Article.
_Piece = tuple[str, tuple[Article, str]]


class Extractor:
    """Turns Articles into rows; build once per process and reuse across batches."""

    def __init__(self, settings: Settings, *, nlp: Language | None = None) -> None:
        self.settings = settings
        self.nlp = nlp if nlp is not None else load_pipeline(settings.nlp.model)
        self.places = PlaceResolver(load_gazetteer())
        self.actor_lexicon = load_actor_lexicon()
        self.event_types = load_event_types()
        self.event_nouns = frozenset(self.event_types.nouns)
        self.version = extractor_version(settings.nlp.model)
        # Seconds per stage (parse, places, dates, events, rows), summed over all documents.
        self.timings: dict[str, float] = {}
        self._warm_up()

    def _warm_up(self) -> None:
        """Extract one small made-up article now, so that one-time costs (dateparser's
        import and timezone patterns, the first gazetteer and lexicon look-ups, about a
        second) are paid where the Extractor is built, not by a run's first document."""
        from extractors.ingest import build_article

        article = build_article(
            _WARM_UP_TEXT,
            {"published": "2021-03-18", "title": _WARM_UP_TITLE},
            source_uri="warm-up",
            record_no=None,
            today=dt.date(2100, 1, 1),
        )
        if isinstance(article, Article):
            for _ in self.extract([article], run_id="warm-up"):
                pass
        self.timings.clear()

    def extract(
        self, articles: Iterable[Article], *, run_id: str
    ) -> Iterator[Extraction | ExtractionFailure]:
        """Parse Articles in batches and yield their rows, in input order.

        An exception while building one document's rows (a bug, not bad input: ingest has
        vetted the text) yields an ExtractionFailure for it, logged with its traceback, and
        the other documents go on.

        A text longer than [ingest] max_chars is parsed in pieces cut at paragraph or
        sentence breaks, joined back into one Doc: offsets stay relative to the whole text,
        the doc_id is unchanged, and no document is dropped for its length. Headlines go
        through the same `nlp.pipe` batches, just before their text: a batch is [nlp]
        batch_size texts (or pieces) plus their headlines.

        Seconds spent per stage accumulate in `self.timings` (see `extract_doc`).
        """
        from extractors.ingest import chunk_text  # the cutting rule lives with ingest

        max_chars = self.settings.ingest.max_chars
        size = self.settings.nlp.batch_size

        def batches() -> Iterator[list[_Piece]]:
            # [nlp] batch_size texts (or pieces of one) per batch, with their headlines: a
            # headline is a few tokens, and counting it as a text would halve the batches.
            batch: list[_Piece] = []
            texts = 0
            for article in articles:
                if article.title:
                    batch.append((article.title, (article, "title")))
                for piece, last in chunk_text(article.text, max_chars):
                    if texts == size:
                        yield batch
                        batch, texts = [], 0
                    batch.append((piece, (article, "last" if last else "part")))
                    texts += 1
            if batch:
                yield batch

        def parsed() -> Iterator[tuple[Doc, tuple[Article, str]]]:
            for batch in batches():
                yield from self.nlp.pipe(batch, as_tuples=True, batch_size=len(batch))

        parts: list[Doc] = []
        title: Doc | None = None
        timings = self.timings
        # Strings and lexemes the texts add to the vocabulary are freed when the call ends,
        # so a long-running worker does not grow with every batch. No Doc leaves the zone:
        # only rows (plain Python values) are yielded.
        with self.nlp.memory_zone():
            stream = parsed()
            while True:
                started = time.perf_counter()
                item = next(stream, None)
                timings["parse"] = timings.get("parse", 0.0) + time.perf_counter() - started
                if item is None:
                    return
                doc, (article, kind) = item
                if kind == "title":
                    title = doc
                    continue
                parts.append(doc)
                if kind != "last":
                    continue
                whole = (
                    parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
                )
                parts = []
                # "".join(pieces) == article.text (see chunk_text), and so is the Doc's text.
                remember_text(whole, article.text)
                try:
                    extraction: Extraction | ExtractionFailure = self.extract_doc(
                        whole, article, run_id=run_id, title=title
                    )
                except Exception as exc:  # one document's bug must not sink the batch
                    _log.exception("extraction failed for %s", article.source_uri)
                    extraction = ExtractionFailure(article, f"{type(exc).__name__}: {exc}")
                # The per-Doc caches hold Tokens and Spans, which point back at the Doc:
                # dropping them frees the Doc now, not at the next cyclic garbage collection.
                whole.user_data.clear()
                if title is not None:
                    title.user_data.clear()
                yield extraction
                title = None

    def extract_doc(
        self, doc: Doc, article: Article, *, run_id: str, title: Doc | None = None
    ) -> Extraction:
        """Rows for one parsed document.

        Args:
            doc: the parsed text.
            article: the Article it was parsed from.
            run_id: stamped on every row.
            title: the parsed headline; parsed here when not given and the article has one.

        Seconds per stage (places, dates, events, rows) accumulate in `self.timings`.
        """
        timings = self.timings
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = timings.get(stage, 0.0) + now - clock
            clock = now

        if title is None and article.title:
            title = self.nlp(article.title)
            lap("parse")
        sentence_starts = [s.start_char for s in doc_sents(doc)]
        toponyms = self.places.toponyms(doc, dateline=article.dateline)
        dateline_place = self._dateline_place(article, toponyms)
        dateline_toponym = None
        if dateline_place is None:
            dateline_toponym = self._inline_dateline(doc_text(doc), toponyms)
        lap("places")
        times = with_clock_times(
            doc_text(doc), timexes(doc, published=article.published), article.published
        )
        lap("dates")
        headline = self._title_lemmas(article.title, title)
        headline_places = title_places(headline.doc, toponyms, headline.toponyms)
        setting = document_place(doc, toponyms, title=headline_places)
        if setting[0] is None:
            setting = named_setting(doc, headline, toponyms)
        lead_places = _lead_places(doc, toponyms, headline_places, dateline_toponym)
        # The dateline names where the story was filed: no actor, target or clause place.
        dateline_start = (
            article.dateline_start_char
            if article.dateline_start_char is not None
            else (dateline_toponym.start if dateline_toponym is not None else None)
        )
        masked = (
            dateline_extent(doc_text(doc), dateline_start) if dateline_start is not None else None
        )
        lap("places")
        actors = ActorResolver(
            doc,
            lexicon=self.actor_lexicon,
            country_of=self.places.country_of,
            toponyms=toponyms,
            dateline=masked,
        )
        found = [
            f
            for f in frames(
                doc,
                event_nouns=self.event_nouns,
                masked=masked,
                phrasal=self.event_types.phrasal,
            )
            if not _is_boilerplate(doc, f)
        ]
        # The lead is counted in the story's own sentences: captions and page furniture
        # before it do not push its date out of reach.
        lead = lead_sentences(doc, found)
        leading = lead_date(doc, times, published=article.published, sentences=lead)
        context = _DocContext(
            toponyms=toponyms,
            times=times,
            dateline=dateline_place
            or (dateline_toponym.place if dateline_toponym is not None else None),
            actors=actors,
            document_place=setting,
            lead_date=leading,
            dateline_toponym=dateline_toponym,
            lead_places=lead_places,
            headline=headline,
            lead_sentences=lead,
            masked=masked,
        )
        events = rank_events(
            doc,
            found,
            [self._event_row(doc, f, article, context, run_id) for f in found],
            title=headline,
            published=article.published,
            lead_date=leading,
            times=times,
        )
        lap("events")
        mentions = self._mentions(doc, article, toponyms, times, sentence_starts, run_id)
        referenced = {t.place.geonameid: t.place for t in toponyms if t.place is not None}
        if dateline_place is not None:
            referenced[dateline_place.geonameid] = dateline_place
        document = DocumentRow(
            doc_id=article.doc_id,
            source_uri=article.source_uri,
            record_no=article.record_no,
            source_id=article.source_id,
            title=article.title,
            url=article.url,
            source=article.source,
            published=article.published,
            published_from=article.published_from,
            dateline=article.dateline,
            dateline_geonameid=dateline_place.geonameid if dateline_place else None,
            dateline_country=dateline_place.country_code if dateline_place else None,
            n_chars=len(article.text),
            n_tokens=len(doc),
            n_sentences=len(sentence_starts),
            n_events=len(events),
            text=article.text,
            run_id=run_id,
            extractor_version=self.version,
        )
        lap("rows")
        return Extraction(document, events, mentions, list(referenced.values()))

    def _title_lemmas(self, title: str | None, parsed: Doc | None) -> Headline:
        """The headline's content lemmas and main clause: it names the main event."""
        if not title or parsed is None:
            return Headline(frozenset(), frozenset(), frozenset())
        roots = [t for t in parsed if t.dep_ == "ROOT"]
        # Headlinese tags verbs as nouns often enough ("Trump meets Obama"), so the root's
        # conjuncts and any verb of the headline count as its predicates.
        main = {t.lemma_.lower() for r in roots for t in [r, *r.conjuncts]}
        # "Seven killed as ...", "Fans outraged after ...": a participle left of the root
        # that heads the first clause is the headline's main predicate too.
        main |= {
            t.lemma_.lower()
            for r in roots
            for t in r.children
            if t.i < r.i and t.tag_ == "VBN" and t.dep_ in {"acl", "amod", "ccomp", "advcl"}
        }
        # Headlines put their main predicate first, and their parse is often wrong: the
        # first finite verb or participle (after a "Topic:" label) counts as main too.
        colon = next((t.i for t in parsed if t.text == ":"), -1)
        first = next(
            (
                t
                for t in parsed
                if t.i > colon and t.pos_ in {"VERB", "AUX"} and t.tag_ in HEADLINE_VERB_TAGS
            ),
            None,
        )
        if first is not None and first.lemma_.lower() not in SKIP_HEADLINE_LEMMAS:
            main.add(first.lemma_.lower())
        main = {lemma for lemma in main if lemma[:1].isalnum()}  # not a stray quote mark
        predicates = main | {t.lemma_.lower() for t in parsed if t.pos_ == "VERB"}
        circumstances = {
            t.lemma_.lower()
            for t in parsed
            if t.pos_ == "VERB" and any(a.dep_ in {"advcl", "pcomp"} for a in [t, *t.ancestors])
        } - main
        types = {
            self.event_types.type_of(lemma, nominal=t.pos_ == "NOUN")
            for r in roots
            for t in [r, *r.conjuncts]
            for lemma in [t.lemma_.lower()]
        } - {"other"}
        subjects = {
            w
            for r in roots
            for c in r.children
            if c.dep_ in {"nsubj", "nsubjpass"}
            for w in content_lemmas(c.subtree)
        }
        return Headline(
            frozenset(content_lemmas(parsed)),
            frozenset(predicates),
            frozenset(subjects),
            tuple(self.places.toponyms(parsed)),
            parsed,
            _named_setting(parsed, parsed),
            frozenset(with_families(main)),
            frozenset(types),
            frozenset(circumstances),
        )

    def _inline_dateline(self, text: str, toponyms: list[Toponym]) -> Toponym | None:
        """The first dateline after page furniture that resolves to a place."""
        for start, end in dateline_spans(text):
            if len(text[start:end].replace(".", "")) < 3:
                continue
            known = next((t for t in toponyms if t.start == start and t.end == end), None)
            if known is not None and known.place is not None:
                return known
            [place] = self.places.resolve_spans(text, [(start, end)])
            if place is not None:
                return Toponym(start, end, text[start:end], "GPE", place, False, 1.0)
        return None

    def _dateline_place(self, article: Article, toponyms: list[Toponym]) -> Place | None:
        if article.dateline_start_char is None or article.dateline_end_char is None:
            return None
        for toponym in toponyms:
            if toponym.start == article.dateline_start_char and toponym.place is not None:
                return toponym.place
        [place] = self.places.resolve_spans(
            article.text, [(article.dateline_start_char, article.dateline_end_char)]
        )
        return place

    def _place_for(
        self,
        doc: Doc,
        frame: Frame,
        toponyms: list[Toponym],
        dateline: Place | None,
        *,
        masked: tuple[int, int] | None = None,
    ) -> tuple[Toponym | None, str | None]:
        sent = doc_sents(doc)[sentence_of(doc)[frame.predicate]]
        starts, ends = token_bounds(doc)
        clause_start = starts[frame.clause_start]
        clause_end = ends[frame.clause_end - 1]
        taken = [a for a in (frame.actor, frame.target) if a is not None]
        best: tuple[float, Toponym] | None = None
        predicate = doc_tokens(doc)[frame.predicate]
        sent_start, sent_end = sent.start_char, sent.end_char  # a Span computes them per access
        for toponym in toponyms:
            if not (sent_start <= toponym.start < sent_end) or toponym.metonymy:
                continue
            if masked is not None and masked[0] <= toponym.start < masked[1]:
                continue  # the dateline says where the story was filed (see `dateline`)
            head, locative = _setting_head(doc, toponym)
            if head is None:
                continue
            if any(_overlaps(toponym.start, toponym.end, a.start_char, a.end_char) for a in taken):
                continue
            # "Anchorage, when X meet Y": a clause attached to the place noun happens there.
            relative_head = predicate.dep_ in {"relcl", "acl"} and predicate.head.i == head.i
            if not (locative or relative_head):
                continue  # a place named as a participant ("North Korea's missiles") is no setting
            in_clause = clause_start <= toponym.start < clause_end
            score = 2.0 * in_clause + 3.0 * relative_head
            score -= abs(toponym.start - predicate.idx) / 1000.0
            if best is None or score > best[0]:
                best = (score, toponym)
        if best is not None:
            clause_tied = clause_start <= best[1].start < clause_end
            return best[1], "clause" if clause_tied else "sentence"
        named = _locative_name(doc, frame)
        if named is not None:
            return named, "clause"
        if dateline is not None:
            return None, "dateline"
        return None, None

    def _date_for(
        self, doc: Doc, frame: Frame, times: list[Timex]
    ) -> tuple[Timex | None, str | None]:
        """The time expression of the frame's clause, else of its sentence."""
        sent = doc_sents(doc)[sentence_of(doc)[frame.predicate]]
        starts, ends = token_bounds(doc)
        clause_start = starts[frame.clause_start]
        clause_end = ends[frame.clause_end - 1]
        pivot = starts[frame.predicate]
        sent_start, sent_end = sent.start_char, sent.end_char  # a Span computes them per access
        candidates = [
            t
            for t in times
            if t.type in POINT_TYPES
            and t.value is not None
            and not t.value.endswith("_REF")  # "now", "recently" date nothing
            # "The morning after losing ...": a part of a day the phrase itself does not say
            and not (t.rule == "daypart" and t.text.lower().startswith("the "))
            and sent_start <= t.start < sent_end
        ]
        candidates = [t for t in candidates if not _inside_noun_phrase(doc, t, frame)]
        others = _conjoined_clauses(doc, frame)
        if others:
            # "rejected X, and the talks were not expected before the summer": a date inside
            # a conjoined verb's clause dates that verb, not this one.
            candidates = [t for t in candidates if not any(a <= t.start < b for a, b in others)]
        in_clause = [t for t in candidates if clause_start <= t.start < clause_end]
        pool = in_clause or candidates
        best = min(pool, key=lambda t: abs(t.start - pivot), default=None)
        if best is None:
            return None, None
        return best, "clause" if in_clause else "sentence"

    def _actor(self, actors: ActorResolver, arg: Argument | None) -> ActorInfo | None:
        return None if arg is None else actors.resolve(arg.start, arg.end, arg.head)

    def _event_row(
        self, doc: Doc, frame: Frame, article: Article, context: _DocContext, run_id: str
    ) -> EventRow:
        sent = doc_sents(doc)[sentence_of(doc)[frame.predicate]]
        actors = context.actors
        reported_by = self._actor(actors, frame.reporter)
        actor = self._actor(actors, frame.actor)
        if (
            frame.actor is not None
            and doc_tokens(doc)[frame.actor.head].lower_ in FIRST_PERSON
            and reported_by is not None
        ):
            actor = reported_by  # "I've seen many races," said Jos: I is the speaker
        target = self._actor(actors, frame.target)
        toponym, place_source = self._place_for(
            doc, frame, context.toponyms, context.dateline, masked=context.masked
        )
        if toponym is None and place_source == "dateline":
            toponym = context.dateline_toponym  # None for a leading dateline (no offsets kept)
        place = (
            toponym.place
            if toponym is not None
            else (context.dateline if place_source == "dateline" else None)
        )
        setting, setting_source = context.document_place
        if (
            place is None
            and toponym is None
            and setting is not None
            and not _abroad(doc, frame, context.toponyms, setting)
        ):
            # The story's main setting stands in for a clause that names none.
            toponym, place_source = setting, setting_source
            place = toponym.place
        headline = context.headline
        if (
            headline is not None
            and headline.setting is not None
            and place_source != "clause"
            and frame.sentence_index < context.lead_sentences
            and {frame.event_lemma, doc_tokens(doc)[frame.predicate].lemma_.lower()}
            & headline.predicates
        ):
            # The headline's event ("Lady Gaga protests outside Trump Tower") happened at
            # the setting the headline gives it.
            named, source = _in_text(doc, headline.setting, context.toponyms)
            if named.place is not None or place_source not in {"sentence"}:
                # A resolved place of the sentence is kept over an unresolved name.
                toponym, place_source, place = named, source, named.place
        if place is not None and frame.sentence_index < PLACE_LEAD_SENTENCES:
            # "derailed in London" when the headline and lead say where in London (Croydon):
            # a lead event is placed at the most specific setting the lead names inside it.
            narrower = most_specific(place, context.lead_places)
            if narrower is not None and narrower[0].place is not None:
                toponym, place_source = narrower
                place = narrower[0].place
        when, date_source = self._date_for(doc, frame, context.times)
        modality = frame.modality
        if (
            modality == "asserted"
            and frame.tense != "past"
            and when is not None
            and when.start_date is not None
            and article.published is not None
            and when.start_date > article.published
        ):
            modality = "planned"  # a present-tense event dated after publication is scheduled
        published_date: dt.date | None = None
        if when is None and frame.tense != "future" and modality in {"asserted", "reported"}:
            # An undated past or present event is dated by the story: the lead's date for
            # the lead's events, else the publication date (date_source says which).
            if context.lead_date is not None and frame.sentence_index < context.lead_sentences:
                when, date_source = context.lead_date, "document"
            elif article.published is not None:
                published_date, date_source = article.published, "publication"
        lemma = frame.predicate_lemma
        verb_lemma = lemma.removeprefix("not ")
        noun_typed = frame.nominal or (bool(frame.event_lemma) and frame.event_lemma != verb_lemma)
        event_type = self.event_types.type_of(frame.event_lemma or lemma, nominal=noun_typed)
        predicate_span = (frame.predicate_start_char, frame.predicate_end_char)
        if predicate_span in context.phrases:
            phrase = context.phrases[predicate_span]
        else:
            phrase = context.phrases[predicate_span] = verb_phrase(doc, *predicate_span)
        confidence = 0.4 + 0.2 * (actor is not None and actor.type != "pronoun")
        confidence += (
            0.15 * (target is not None)
            + 0.15 * (place is not None and place_source != "document")
            + 0.1 * (when is not None and date_source in {"clause", "sentence"})
        )
        return _new_event_row(
            event_id=stable_id(
                article.doc_id,
                frame.predicate_start_char,
                frame.actor.start_char if frame.actor else "",
                frame.target.start_char if frame.target else "",
                frame.object.start_char if frame.object else "",
            ),
            doc_id=article.doc_id,
            sentence_index=frame.sentence_index,
            sentence_start_char=sent.start_char,
            sentence_end_char=sent.end_char,
            sentence_text=doc_text(doc)[sent.start_char : sent.end_char].strip(),
            actor_text=frame.actor.text if frame.actor else None,
            actor_start_char=frame.actor.start_char if frame.actor else None,
            actor_end_char=frame.actor.end_char if frame.actor else None,
            actor_canonical=actor.canonical if actor else None,
            actor_type=actor.type if actor else None,
            actor_country=actor.country if actor else None,
            predicate_text=frame.predicate_text,
            predicate_lemma=lemma,
            predicate_start_char=frame.predicate_start_char,
            predicate_end_char=frame.predicate_end_char,
            phrase_text=doc_text(doc)[phrase[0] : phrase[1]] if phrase else None,
            phrase_end_char=phrase[1] if phrase else None,
            event_type=event_type,
            object_text=frame.object.text if frame.object else None,
            target_text=frame.target.text if frame.target else None,
            target_start_char=frame.target.start_char if frame.target else None,
            target_end_char=frame.target.end_char if frame.target else None,
            target_canonical=target.canonical if target else None,
            target_type=target.type if target else None,
            target_country=target.country if target else None,
            place_text=toponym.text if toponym else (article.dateline if place else None),
            # A place only the headline names has no offsets in the text.
            place_start_char=toponym.start if toponym and place_source != "title" else None,
            place_end_char=toponym.end if toponym and place_source != "title" else None,
            place_source=place_source if place is not None or toponym is not None else None,
            place_geonameid=place.geonameid if place else None,
            place_name=place.name if place else None,
            place_country=place.country_code if place else None,
            place_lat=place.lat if place else None,
            place_lon=place.lon if place else None,
            date_text=when.text if when else None,
            date_start_char=when.start if when else None,
            date_end_char=when.end if when else None,
            date_type=when.type if when else ("DATE" if published_date else None),
            date_value=(
                when.value if when else (published_date.isoformat() if published_date else None)
            ),
            date_start=when.start_date if when else published_date,
            date_end=when.end_date if when else published_date,
            date_granularity=when.granularity if when else ("day" if published_date else None),
            date_anchor=when.anchor if when else ("publication" if published_date else None),
            date_resolved=when.resolved if when else (True if published_date else None),
            date_source=date_source if when is not None or published_date else None,
            negated=frame.negated,
            modality=modality,
            confidence=round(min(confidence, 1.0), 3),
            tense=frame.tense,
            reported_by=(
                (reported_by.canonical or frame.reporter.text)
                if reported_by is not None and frame.reporter is not None
                else None
            ),
            quad_class=self.event_types.quad_of(event_type),
            score=0.0,  # set by rank_events, which sees all events of the document
            rank_in_doc=0,
            run_id=run_id,
            extractor_version=self.version,
        )

    def _mentions(
        self,
        doc: Doc,
        article: Article,
        toponyms: list[Toponym],
        times: list[Timex],
        sentence_starts: list[int],
        run_id: str,
    ) -> list[MentionRow]:
        def row(
            start: int, end: int, text: str, label: str, place: Place | None, value: str | None
        ) -> MentionRow:
            return _new_mention_row(
                mention_id=stable_id(article.doc_id, start, end, label),
                doc_id=article.doc_id,
                sentence_index=max(bisect.bisect_right(sentence_starts, start) - 1, 0),
                start_char=start,
                end_char=end,
                text=text,
                label=label,
                geonameid=place.geonameid if place else None,
                country_code=place.country_code if place else None,
                lat=place.lat if place else None,
                lon=place.lon if place else None,
                date_value=value,
                run_id=run_id,
                extractor_version=self.version,
            )

        rows = [row(t.start, t.end, t.text, t.label, t.place, None) for t in toponyms]
        rows += [row(t.start, t.end, t.text, t.type, None, t.value) for t in times]
        covered = {(r.start_char, r.end_char) for r in rows}
        skip_labels = {"GPE", "LOC", "FAC", "DATE", "TIME"}
        rows += [
            row(e.start_char, e.end_char, e.text, e.label_, None, None)
            for e in doc_ents(doc)
            if e.label_ not in skip_labels and (e.start_char, e.end_char) not in covered
        ]
        rows.sort(key=lambda r: (r.start_char, r.end_char, r.label))
        return rows


def place_rows(places: Iterable[Place]) -> list[PlaceRow]:
    """Gazetteer rows referenced by a batch, one per geonameid."""
    unique = {p.geonameid: p for p in places}
    return [
        PlaceRow(
            p.geonameid,
            p.name,
            p.country_code,
            p.admin1,
            p.lat,
            p.lon,
            p.feature_class,
            p.feature_code,
            p.population,
        )
        for p in unique.values()
    ]


def content_lemmas(tokens: Iterable[Token]) -> Iterator[str]:
    """Lower-case lemmas of the content words among tokens (no stopwords or punctuation)."""
    for token in tokens:
        if token.is_stop or token.is_punct or token.is_space or not token.text.strip():
            continue
        if token.pos_ in {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}:
            yield token.lemma_.lower()
            if token.pos_ == "PROPN":
                yield token.lower_


# Words of one event that headlines and text swap for each other ("Seven dead" for "seven
# people were killed"): a headline word stands for the others of its family.
EVENT_FAMILIES = (
    frozenset({"kill", "die", "dead", "death", "fatal"}),
    frozenset({"injure", "injured", "wound", "wounded", "hurt"}),
    frozenset({"win", "victory", "champion", "clinch", "triumph", "beat"}),
    frozenset({"arrest", "detain", "hold", "custody"}),
    frozenset({"outrage", "anger", "angry", "fury", "furious", "outraged", "backlash"}),
)
_FAMILY_OF = {word: family for family in EVENT_FAMILIES for word in family}


def with_families(words: Iterable[str]) -> set[str]:
    """Words plus the other members of their families (see EVENT_FAMILIES)."""
    out = set(words)
    for word in list(out):
        family = _FAMILY_OF.get(word)
        if family is not None:
            out |= family
    return out


# An event the text dates more than this many days before publication is background.
BACKGROUND_DAYS = 30
HEADLINE_VERB_TAGS = frozenset({"VBZ", "VBD", "VBN", "VBP"})
SKIP_HEADLINE_LEMMAS = frozenset({"be", "have", "do"})
# Second-person actors are the reader or anyone ("you have to gamble"), never the news.
GENERIC_ACTORS = frozenset({"you", "one"})
# Weights of the main-event score. Position dominates in news (the lead states the main
# event), the headline confirms which of the lead's events it is, and participants the
# article keeps returning to mark the story's protagonists.
W_POSITION = 0.25
W_TITLE = 0.45
W_SALIENCE = 0.1
W_COMPLETE = 0.1
W_FACTUAL = 0.05
W_MAIN_CLAUSE = 0.15
W_TOTAL = W_POSITION + W_TITLE + W_SALIENCE + W_COMPLETE + W_FACTUAL + W_MAIN_CLAUSE


def clause_weight(doc: Doc, frame: Frame) -> float:
    """1 for the sentence's main clause (or its conjuncts), less the deeper the clause.

    "Seven people died after a tram overturned": the main clause is the news, the
    subordinate clause its circumstance; what was said outranks a relative clause.
    """
    token = doc_tokens(doc)[frame.predicate]
    if frame.nominal:
        return 0.4
    weight = 1.0
    for _ in range(8):
        dep = token.dep_
        parent = head_of(token)
        if dep == "ROOT" or parent.i == token.i or hangs_on_dateline(token):
            return weight
        if dep in {"ccomp", "parataxis"} and parent.lemma_ in REPORTING_LEMMAS:
            weight *= 0.9
        elif dep in {"xcomp", "conj"}:
            weight *= 0.95
        elif dep in {"advcl", "ccomp", "pcomp"}:
            weight *= 0.55
        else:
            weight *= 0.4
        token = parent
    return weight


def _participant_heads(doc: Doc, frame: Frame) -> list[Token]:
    tokens = doc_tokens(doc)
    return [tokens[a.head] for a in (frame.actor, frame.target, frame.object) if a is not None]


def _mention_counts(doc: Doc) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ent in doc_ents(doc):
        if ent.label_ in {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}:
            key = ent.root.lower_
            counts[key] = counts.get(key, 0) + 1
    if not len(doc):
        return counts
    strings = doc.vocab.strings
    array = doc.to_array([POS, LEMMA])
    ids, numbers = numpy.unique(array[array[:, 0] == NOUN_POS, 1], return_counts=True)
    for lemma_id, number in zip(ids.tolist(), numbers.tolist(), strict=True):
        lemma = strings[lemma_id].lower()
        counts[lemma] = counts.get(lemma, 0) + number
    return counts


def _story_sentences(doc: Doc, found: list[Frame], *, preamble: int = 0) -> dict[int, int]:
    """Sentence index -> its rank among the sentences that state an event with an actor
    (page furniture, captions without a clause and bylines have none) after the page's
    preamble (see `preamble_end`)."""
    telling = sorted(
        {
            f.sentence_index
            for f in found
            if f.actor is not None and not f.nominal and f.predicate_start_char >= preamble
        }
    )
    return {index: rank for rank, index in enumerate(telling)}


# Page furniture and picture credits that scraping leaves before the story: "(Photo: PA)",
# "(Melina Mara/The Washington Post)", "Image caption", "Click to share".
_FURNITURE = re.compile(
    r"\((?:Photo|Image|Video|Picture)s?:[^()]{1,80}\)"
    r"|\([^()/]{1,60}/[^()]{1,60}\)"
    r"|\((?:The )?(?:Washington Post|Associated Press|AP|Reuters|AFP|Getty Images|EPA|PA)\)"
    r"|Image copyright|Image caption|Click to share|\(Opens in new window\)|Subscribe"
    r"|Invalid Email"
)
# The preamble is furniture that starts within this many characters of the text and any
# that follows it closely.
PREAMBLE_START = 300
PREAMBLE_GAP = 80


def preamble_end(text: str) -> int:
    """End offset of the page preamble: the captions, credits and sharing links scraped
    pages put before the story ("... speech. (Melina Mara/The Washington Post) Hillary
    Clinton blamed ..."); 0 when the text starts with the story."""
    end = 0
    for match in _FURNITURE.finditer(text, 0, PREAMBLE_START + 2000):
        if match.start() > (PREAMBLE_START if end == 0 else end + PREAMBLE_GAP):
            break
        end = match.end()
    return end


def rank_events(
    doc: Doc,
    found: list[Frame],
    rows: list[EventRow],
    *,
    title: Headline,
    published: dt.date | None = None,
    lead_date: Timex | None = None,
    times: Sequence[Timex] = (),
) -> list[EventRow]:
    """Give every event a score in [0, 1] and its rank in the document (1 = main event).

    The score mixes the sentence position, the overlap of the event's words with the
    headline, how often its participants are mentioned, how complete the frame is (actor,
    target, place, date) and whether it is asserted to have happened. Statements ("X said")
    weigh less than what was said: the news is usually the reported event.

    The main event is the story's news, so when its own sentence states no date it takes
    the lead's (`lead_date`, the news peg) rather than the publication date, wherever in
    the text it was found (see `dated_by_lead`). A main event named by a noun ("the
    bombing") whose own phrase has no date takes the date another mention of that noun
    carries ("the bombing late Thursday", see `noun_date`).
    """
    if not rows:
        return rows
    counts = _mention_counts(doc)
    top = max(counts.values(), default=1)
    preamble = preamble_end(doc_text(doc))
    ordinal = _story_sentences(doc, found, preamble=preamble)
    scored = []
    # Content lemmas per token and per span, read once per document: frames share
    # predicates and arguments.
    token_words: dict[int, tuple[str, ...]] = {}
    span_words: dict[tuple[int, int], tuple[str, ...]] = {}
    tokens = doc_tokens(doc)

    def words_of(start: int, end: int) -> tuple[str, ...]:
        found_words = span_words.get((start, end))
        if found_words is None:
            words: list[str] = []
            for i in range(start, end):
                lemmas = token_words.get(i)
                if lemmas is None:
                    lemmas = token_words[i] = tuple(content_lemmas([tokens[i]]))
                words.extend(lemmas)
            found_words = span_words[(start, end)] = tuple(words)
        return found_words

    for frame, row in zip(found, rows, strict=True):
        parts = score_parts(
            doc,
            frame,
            row,
            title=title,
            counts=counts,
            top=top,
            ordinal=ordinal,
            words_of=words_of,
            preamble=preamble,
            published=published,
        )
        scored.append(parts["score"])
    order = sorted(range(len(rows)), key=lambda i: (-scored[i], rows[i].predicate_start_char))
    rank = {index: position + 1 for position, index in enumerate(order)}
    # dataclasses.replace, without its per-call field introspection.
    names = _EVENT_FIELDS
    score_at, rank_at = names.index("score"), names.index("rank_in_doc")
    out = []
    for i, row in enumerate(rows):
        values = list(_EVENT_VALUES(row))
        values[score_at] = scored[i]
        values[rank_at] = rank[i]
        row = _new_event_row(*values)
        if rank[i] == 1:
            mention = None
            if found[i].nominal and row.date_source != "clause" and published is not None:
                mention = noun_date(doc, found[i].event_lemma, times, published)
            row = dated_by(row, mention) if mention is not None else dated_by_lead(row, lead_date)
        out.append(row)
    return out


def noun_date(doc: Doc, lemma: str, times: Sequence[Timex], published: dt.date) -> Timex | None:
    """The first explicit recent day an event noun is given in the text: "late Thursday"
    in "the Taliban said the bombing late Thursday was revenge" for "bombing", "on Monday"
    in "the attack on Monday". One pass over the document's time expressions."""
    for timex in times:
        if _first_recent([timex], published) is None:
            continue
        found = _timex_tokens(doc, timex)
        if found is None:
            continue
        start, end, token = found
        for _ in range(3):
            head = head_of(token)
            if head.i == token.i or start <= head.i < end:
                break
            if head.pos_ == "NOUN":
                if head.lemma_.lower() == lemma:
                    return timex
                break
            if head.pos_ != "ADP":
                break
            token = head
    return None


def dated_by_lead(row: EventRow, lead: Timex | None) -> EventRow:
    """The main event dated by the story's news peg when its own sentence states no date.

    An undated main event found past the lead ("The driver was arrested", paragraph six)
    or one the publication-date rule skips ("rescuers race to reach the boy") happened
    when the lead says the story did ("at 6.13am today"), not on the publication day.
    A future, planned or hypothetical event and one already dated by its clause or
    sentence keep their date, as for the lead's own events.
    """
    if (
        lead is None
        or row.tense == "future"
        or row.modality not in {"asserted", "reported"}
        or row.date_source not in {None, "publication"}
    ):
        return row
    return dated_by(row, lead)


def dated_by(row: EventRow, timex: Timex) -> EventRow:
    """The row with its date taken from `timex`, the story's date (date_source document)."""
    return dataclasses.replace(
        row,
        date_text=timex.text,
        date_start_char=timex.start,
        date_end_char=timex.end,
        date_type=timex.type,
        date_value=timex.value,
        date_start=timex.start_date,
        date_end=timex.end_date,
        date_granularity=timex.granularity,
        date_anchor=timex.anchor,
        date_resolved=timex.resolved,
        date_source="document",
    )


def score_parts(
    doc: Doc,
    frame: Frame,
    row: EventRow,
    *,
    title: Headline,
    counts: dict[str, int],
    top: int,
    ordinal: dict[int, int],
    words_of: Callable[[int, int], Iterable[str]],
    preamble: int = 0,
    published: dt.date | None = None,
) -> dict[str, float]:
    """The parts of one event's main-event score and the score itself (key "score")."""
    # Position counts the story's own sentences: page furniture before the lead
    # ("Click to share", "Subscribe") does not push the lead down.
    position = 1.0 / (1.0 + 0.4 * ordinal.get(frame.sentence_index, frame.sentence_index))
    words = set(words_of(frame.predicate, frame.predicate + 1))
    words.add(frame.event_lemma)
    for arg in (frame.actor, frame.target, frame.object):
        if arg is not None:
            words.update(words_of(arg.start, arg.end))
    for name in (row.actor_canonical, row.target_canonical):
        if name:
            words.update(w.lower() for w in name.split())
    actor_words = set(words_of(frame.actor.start, frame.actor.end)) if frame.actor else set()
    if row.actor_canonical:
        actor_words.update(w.lower() for w in row.actor_canonical.split())
    tokens = doc_tokens(doc)
    lemmas = with_families({frame.event_lemma, tokens[frame.predicate].lemma_.lower()})
    title_score = 0.0
    reporting_title = bool(title.main & REPORTING_LEMMAS)
    if title.words:
        # The headline's main predicate names the main event; its other predicates name
        # circumstances ("Obama leads celebrations as Cubs end curse"). A reporting
        # headline ("FBI declares ...") is matched by any saying verb.
        main_match = bool(lemmas & title.main) or (
            reporting_title and bool(lemmas & REPORTING_LEMMAS)
        )
        typed_match = row.event_type in title.types
        # Parts sum to at most 1.3: scaled, not capped, so that matching the main
        # predicate still tells apart two events that share many headline words.
        title_score = (
            0.15 * min(len(words & title.words), 3)
            + 0.2 * bool(lemmas & title.words)
            + 0.15 * bool(lemmas & (title.predicates - title.circumstances))
            + 0.15 * (main_match or typed_match)
            + 0.1 * main_match
            + 0.25 * bool(actor_words & title.subjects)
        ) / 1.3
    heads = _participant_heads(doc, frame)
    salience = max(
        (counts.get(h.lower_, counts.get(h.lemma_.lower(), 0)) for h in heads), default=0
    ) / max(top, 1)
    complete = (
        0.4 * (row.actor_text is not None and row.actor_type != "pronoun")
        + 0.2 * (row.target_text is not None or row.object_text is not None)
        + 0.2 * (row.place_geonameid is not None)
        + 0.2 * (row.date_value is not None)
    )
    factual = 1.0 if not row.negated and row.modality in {"asserted", "reported"} else 0.3
    clause = clause_weight(doc, frame)
    value = (
        W_MAIN_CLAUSE * clause
        + W_POSITION * position
        + W_TITLE * title_score
        + W_SALIENCE * min(salience, 1.0)
        + W_COMPLETE * complete
        + W_FACTUAL * factual
    )
    if row.event_type == "STATEMENT" and not reporting_title:
        value *= 0.8
    if frame.actor is not None and tokens[frame.actor.head].lower_ in GENERIC_ACTORS:
        value *= 0.7
    if (
        published is not None
        and row.date_start is not None
        and row.date_source in {"clause", "sentence"}
        and row.date_start < published - dt.timedelta(days=BACKGROUND_DAYS)
    ):
        value *= 0.8  # "won seven pennants in 1945": background, not the news
    if row.predicate_start_char < preamble:
        value *= 0.6  # a caption or teaser before the story, not its lead
    score = round(min(max(value / W_TOTAL, 0.0), 1.0), 4)
    return {
        "score": score,
        "position": position,
        "title": title_score,
        "salience": min(salience, 1.0),
        "complete": complete,
        "factual": factual,
        "clause": clause,
    }


# Rows are built once per event and mention: without object.__setattr__ per field.
_new_event_row = builder(EventRow)
_new_mention_row = builder(MentionRow)
_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(EventRow))
_EVENT_VALUES = operator.attrgetter(*_EVENT_FIELDS)  # a row's values in field order
