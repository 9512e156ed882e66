"""Events stage: attach participants, a place and a date to each frame, from its clause, its
sentence or the story (`participants_of`, `place_of`, `date_of`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Generic, Protocol, TypeVar

from spacy.tokens import Doc, Token

from extractors.actors import ActorInfo, ActorResolver
from extractors.dates.anchor import LEAD_SENTENCES, POINT_TYPES, overlaps, timex_tokens
from extractors.dates.detect import Timex
from extractors.events.arguments import Argument
from extractors.events.frames import Frame
from extractors.events.headline import Headline
from extractors.events.modality import REPORTING_LEMMAS, is_request
from extractors.lexicons import words
from extractors.nlp import (
    children,
    doc_sents,
    doc_tokens,
    sentence_of,
    subtree_bounds,
    token_bounds,
)
from extractors.nlp import head as head_of
from extractors.places.names import Place, Toponym
from extractors.places.setting import (
    PLACE_LEAD_SENTENCES,
    most_specific,
    place_in_text,
    setting_head,
    setting_name,
)


class _Starts(Protocol):
    @property
    def start(self) -> int: ...


_Located = TypeVar("_Located", bound=_Starts)


class ByOffset(Generic[_Located]):
    """A document's toponyms or time expressions, found by where they start: a frame asks
    only for its sentence's, so an event costs the same in a long document as in a short one.
    `within` keeps the items' own order."""

    def __init__(self, items: Sequence[_Located]) -> None:
        self.items = list(items)
        self._order = sorted(range(len(self.items)), key=lambda i: self.items[i].start)
        self._starts = [self.items[i].start for i in self._order]

    def within(self, start: int, end: int) -> list[_Located]:
        """The items that start in [start, end), in their own order."""
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_left(self._starts, end)
        return [self.items[i] for i in sorted(self._order[lo:hi])]


@dataclass(frozen=True, slots=True)
class DocContext:
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
    event_nouns: frozenset[str] = frozenset()  # lemmas of nouns that name events
    masked: tuple[int, int] | None = None  # character offsets of the dateline
    # Verb phrase offsets per predicate span, filled as rows are built: frames that share a
    # predicate (one per actor or target conjunct) share its phrase.
    phrases: dict[tuple[int, int], tuple[int, int] | None] = field(default_factory=dict)
    # The toponyms and times again, by offset (built from the two lists above).
    toponyms_at: ByOffset[Toponym] = field(default_factory=lambda: ByOffset([]))
    times_at: ByOffset[Timex] = field(default_factory=lambda: ByOffset([]))


FIRST_PERSON = frozenset({"i", "we", "me", "us"})
AUX_DEPS = frozenset({"aux", "auxpass"})
ANTERIOR_ADVERBS = words("events", "anterior_adverbs")
ANTERIOR_MODIFIERS = words("events", "anterior_modifiers")
# Clause relations under a predicate that stay in its scene: adverbial clauses ("after a
# tram overturned in Croydon") and what a preposition takes ("after derailing in Croydon").
SCENE_DEPS = frozenset({"advcl", "pcomp", "prep"})


BOILERPLATE_LEMMAS = words("events", "boilerplate_lemmas")


def is_boilerplate(doc: Doc, frame: Frame) -> bool:
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


def _locative_name(doc: Doc, frame: Frame) -> Toponym | None:
    """A named setting the gazetteer does not know: "outside Trump Tower", "at Wrigley Field".

    Returned as an unresolved Toponym (no place), so the event keeps the setting's text.
    """
    return setting_name(doc, [doc_tokens(doc)[frame.predicate]])


def lead_sentences(doc: Doc, found: Sequence[Frame]) -> int:
    """How many sentences, from the first, hold the lead: its first LEAD_SENTENCES story
    sentences, those stating an event ("X was arrested" as well as "X arrested Y"); page
    furniture and bare captions state none."""
    story = sorted({f.sentence_index for f in found if not f.nominal})
    if len(story) < LEAD_SENTENCES:
        return max(LEAD_SENTENCES, story[-1] + 1 if story else 0)
    return max(LEAD_SENTENCES, story[LEAD_SENTENCES - 1] + 1)


def _inside_noun_phrase(doc: Doc, timex: Timex, frame: Frame) -> bool:
    """Whether a date of the clause modifies a noun on its way to the predicate ("the 2007
    world champion", "the closure two days before election day"): it dates that noun,
    not the event."""
    found = timex_tokens(doc, timex)
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


def _on_other_event(token: Token, frame: Frame, event_nouns: frozenset[str]) -> bool:
    """Whether the phrase at `token` hangs, on its way up to the predicate, on a noun that
    names another event ("condemned the attack in Kabul", "a mission into the killings in
    Gaza"): the place is that event's, which this one is about."""
    for _ in range(12):
        parent = head_of(token)
        if parent.i == token.i or parent.i == frame.predicate:
            return False
        if parent.pos_ == "NOUN" and parent.lemma_.lower() in event_nouns:
            return True
        token = parent
    return False


def _time_ties_to(doc: Doc, timex: Timex, frame: Frame) -> bool:
    """Whether a time expression of the sentence belongs to the frame's clause (`ties_to`,
    a report's time not passed on to what it reports)."""
    found = timex_tokens(doc, timex)
    return found is None or ties_to(doc, frame, found[2], reports=False)


def _abroad(doc: Doc, frame: Frame, toponyms: ByOffset[Toponym], setting: Toponym) -> bool:
    """Whether the frame's sentence names a place in another country than the story's
    setting, and not the setting itself ("... rescued two fishermen near Dover" in a story
    set in France): the clause then happens elsewhere, so the setting does not stand in."""
    if setting.place is None:
        return False
    sent = doc_sents(doc)[sentence_of(doc)[frame.predicate]]
    named = [
        t.place
        for t in toponyms.within(sent.start_char, sent.end_char)
        if t.place is not None and setting_head(doc, t)[0] is not None
    ]
    country = setting.place.country_code
    return any(p.country_code != country for p in named) and not any(
        p.geonameid == setting.place.geonameid for p in named
    )


@dataclass(frozen=True, slots=True)
class PlaceConfidence:
    """events.place_confidence by how the place was tied (configs/place_confidence.toml)."""

    sources: dict[str, float]

    def of(self, source: str | None, *, stand_in: bool) -> float:
        """The confidence of a place found with `source` ("document" is the story's setting:
        `stand_in` when nothing ties the event to it, see `place_of`; no source is a
        setting too, an unresolved one)."""
        if source in {"document", None}:
            return self.sources["setting" if stand_in else "setting_tied"]
        return self.sources[source]


def load_place_confidence(text: str | None = None) -> PlaceConfidence:
    """The table of configs/place_confidence.toml (or of `text`, in its format).

    Raises:
        ValueError: a source missing or unknown, or a value not in [0, 1].
    """
    if text is None:
        text = resources.files("configs").joinpath("place_confidence.toml").read_text("utf-8")
    sources = tomllib.loads(text).get("sources", {})
    expected = {"clause", "sentence", "dateline", "title", "setting_tied", "setting"}
    if set(sources) != expected or not all(
        isinstance(v, int | float) and 0.0 <= v <= 1.0 for v in sources.values()
    ):
        raise ValueError(
            f"place_confidence.toml: expected values in [0, 1] for {sorted(expected)}, "
            f"got {sources}"
        )
    return PlaceConfidence({k: float(v) for k, v in sources.items()})


PLACE_CONFIDENCE = load_place_confidence()


def _belongs(participants: Sequence[ActorInfo | None], setting: Toponym) -> bool:
    """Whether a participant is known to be of the setting's country and none of another
    ("Vietnam called on its ministries" in a story set in Hanoi)."""
    if setting.place is None:
        return False
    countries = {p.country for p in participants if p is not None and p.country}
    return countries == {setting.place.country_code}


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


def _governor(token: Token, stop: int) -> Token | None:
    """The verb whose clause the token sits in: the first verb above it (or the token at
    index `stop`, the frame's predicate, when the walk meets it first); None at the root."""
    for _ in range(12):
        parent = head_of(token)
        if parent.i == token.i:
            return None
        if parent.i == stop or (parent.pos_ in {"VERB", "AUX"} and parent.dep_ not in AUX_DEPS):
            return parent
        token = parent
    return None


def ties_to(doc: Doc, frame: Frame, token: Token, *, reports: bool = True) -> bool:
    """Whether a place or time at `token` belongs to the frame's clause: the clause it sits
    in is the predicate's own, or one the predicate's clause is part of ("In Kabul, police
    said they arrested ..."), but not a clause under the predicate or beside it ("X was
    attacked in Kabul, police said": Kabul is not where the saying was). With
    reports=False, a reporting verb's clause does not pass its time on to what it
    reports: "a report said on Saturday that ... had been arrested" dates the report."""
    predicate = doc_tokens(doc)[frame.predicate]
    governor = _governor(token, frame.predicate)
    if governor is None or governor.i == frame.predicate:
        return True
    if predicate.dep_ == "parataxis" and predicate.lemma_ in REPORTING_LEMMAS:
        return False  # "..., police said": the reporting verb's own clause is itself only
    if predicate.is_ancestor(governor):
        # An adverbial clause under the predicate tells of the same scene ("were injured
        # after a tram overturned in Croydon"); a reported or relative one does not.
        return _through(governor, frame.predicate, SCENE_DEPS)
    if not governor.is_ancestor(predicate):
        return False
    return reports or governor.lemma_ not in REPORTING_LEMMAS


def _through(token: Token, stop: int, deps: frozenset[str]) -> bool:
    """Whether the path up from a clause's verb to the token at `stop` enters it through a
    clause relation in `deps`, with only those and conjuncts on the way ("after a tram
    derailed and overturned in Croydon")."""
    last = None
    for _ in range(12):
        if token.i == stop:
            return last in deps
        if token.dep_ not in deps and token.dep_ != "conj":
            return False
        last = token.dep_
        token = head_of(token)
    return False


def clause_place(
    doc: Doc,
    frame: Frame,
    toponyms: ByOffset[Toponym],
    dateline: Place | None,
    *,
    masked: tuple[int, int] | None = None,
    event_nouns: frozenset[str] = frozenset(),
) -> tuple[Toponym | None, str | None]:
    """The place the frame's clause (else its sentence) names as its setting, with where it
    was found; source "dateline" when none is named and the story has a dateline."""
    sent = doc_sents(doc)[sentence_of(doc)[frame.predicate]]
    starts, ends = token_bounds(doc)
    clause_start = starts[frame.clause_start]
    clause_end = ends[frame.clause_end - 1]
    taken = [a for a in (frame.actor, frame.target) if a is not None]
    best: tuple[float, Toponym] | None = None
    predicate = doc_tokens(doc)[frame.predicate]
    sent_start, sent_end = sent.start_char, sent.end_char  # a Span computes them per access
    for toponym in toponyms.within(sent_start, sent_end):
        if toponym.metonymy:
            continue
        if masked is not None and masked[0] <= toponym.start < masked[1]:
            continue  # the dateline says where the story was filed (see `dateline`)
        head, locative = setting_head(doc, toponym)
        if head is None:
            continue
        if any(overlaps(toponym.start, toponym.end, a.start_char, a.end_char) for a in taken):
            continue
        # "Anchorage, when X meet Y": a clause attached to the place noun happens there.
        relative_head = predicate.dep_ in {"relcl", "acl"} and predicate.head.i == head.i
        if not (locative or relative_head):
            continue  # a place named as a participant ("North Korea's missiles") is no setting
        if not relative_head and not ties_to(doc, frame, head):
            continue  # another clause's place
        if _on_other_event(head, frame, event_nouns):
            continue  # "condemned the attack in Kabul": that attack's place, not this event's
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


def clause_date(doc: Doc, frame: Frame, times: ByOffset[Timex]) -> tuple[Timex | None, str | None]:
    """The time expression of the frame's clause, else of its sentence."""
    sent = doc_sents(doc)[sentence_of(doc)[frame.predicate]]
    starts, ends = token_bounds(doc)
    clause_start = starts[frame.clause_start]
    clause_end = ends[frame.clause_end - 1]
    pivot = starts[frame.predicate]
    sent_start, sent_end = sent.start_char, sent.end_char  # a Span computes them per access
    candidates = [
        t
        for t in times.within(sent_start, sent_end)
        if t.type in POINT_TYPES
        and t.value is not None
        and not t.value.endswith("_REF")  # "now", "recently" date nothing
        # "The morning after losing ...": a part of a day the phrase itself does not say
        and not (t.rule == "daypart" and t.text.lower().startswith("the "))
    ]
    candidates = [
        t
        for t in candidates
        if not _inside_noun_phrase(doc, t, frame) and _time_ties_to(doc, t, frame)
    ]
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


def participants_of(
    doc: Doc, frame: Frame, actors: ActorResolver
) -> tuple[ActorInfo | None, ActorInfo | None, ActorInfo | None]:
    """The frame's actor, target and reporter, resolved to canonical names."""

    def resolve(arg: Argument | None) -> ActorInfo | None:
        return None if arg is None else actors.resolve(arg.start, arg.end, arg.head)

    reported_by = resolve(frame.reporter)
    actor = resolve(frame.actor)
    if (
        frame.actor is not None
        and doc_tokens(doc)[frame.actor.head].lower_ in FIRST_PERSON
        and reported_by is not None
    ):
        actor = reported_by  # "I've seen many races," said Jos: I is the speaker
    return actor, resolve(frame.target), reported_by


def place_of(
    doc: Doc,
    frame: Frame,
    context: DocContext,
    participants: Sequence[ActorInfo | None] = (),
) -> tuple[Toponym | None, str | None, Place | None, bool]:
    """Where the event happened: the place its clause or sentence names, else the
    dateline's, else the story's setting; the headline's setting for the headline's event;
    narrowed to the most specific setting the lead names inside it. Returns the toponym
    (None for a leading dateline, whose offsets are not kept), its source, its place and
    whether that place is only the story's setting standing in with nothing to tie this
    event to it (no participant of the setting's country): such a place is kept for the
    main event alone (`Extractor`), since a story's setting is as often its topic
    ("Japan's machinery orders", "sanctions on Iraq") as the place of its other events."""
    toponym, place_source = clause_place(
        doc,
        frame,
        context.toponyms_at,
        context.dateline,
        masked=context.masked,
        event_nouns=context.event_nouns,
    )
    if toponym is None and place_source == "dateline":
        toponym = context.dateline_toponym  # None for a leading dateline (no offsets kept)
    place = (
        toponym.place
        if toponym is not None
        else (context.dateline if place_source == "dateline" else None)
    )
    stand_in = False
    setting, setting_source = context.document_place
    if (
        place is None
        and toponym is None
        and setting is not None
        and not _abroad(doc, frame, context.toponyms_at, setting)
    ):
        # The story's main setting stands in for a clause that names none.
        toponym, place_source = setting, setting_source
        place = toponym.place
        stand_in = not _belongs(participants, setting)
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
        named, source = place_in_text(doc, headline.setting, context.toponyms)
        if named.place is not None or place_source not in {"sentence"}:
            # A resolved place of the sentence is kept over an unresolved name.
            toponym, place_source, place = named, source, named.place
            stand_in = False
    if place is not None and frame.sentence_index < PLACE_LEAD_SENTENCES:
        # "derailed in London" when the headline and lead say where in London (Croydon):
        # a lead event is placed at the most specific setting the lead names inside it.
        narrower = most_specific(place, context.lead_places)
        if narrower is not None and narrower[0].place is not None:
            toponym, place_source = narrower
            place = narrower[0].place
    return toponym, place_source, place, stand_in


def marked_earlier(doc: Doc, frame: Frame) -> bool:
    """Whether the clause puts its event before the story's time without dating it: an
    adverb of anteriority ("previously", "earlier", "ago"), an event noun's modifier ("an
    earlier ruling", "the previous attack") or the pluperfect ("had been declining")."""
    token = doc_tokens(doc)[frame.predicate]
    for child in children(token):
        word = child.lower_
        if child.dep_ in {"advmod", "npadvmod"} and word in ANTERIOR_ADVERBS:
            return True
        if frame.nominal and child.dep_ == "amod" and word in ANTERIOR_MODIFIERS:
            return True
    return not frame.nominal and any(
        c.dep_ in AUX_DEPS and c.lower_ == "had" for c in children(token)
    )


def date_of(
    doc: Doc, frame: Frame, published: dt.date | None, context: DocContext
) -> tuple[Timex | None, str | None, str, dt.date | None]:
    """When the event happened, where that was found, and its modality (a present-tense
    event dated after publication is planned). An undated past or present event is dated
    by the story: the lead's date for the lead's events, else the publication date,
    returned as the last item (date_source "publication"); one the text marks as earlier
    than that, with no date of its own, gets none (date_source "none")."""
    when, date_source = clause_date(doc, frame, context.times_at)
    modality = frame.modality
    if (
        modality == "asserted"
        and frame.tense != "past"
        and when is not None
        and when.start_date is not None
        and published is not None
        and when.start_date > published
    ):
        modality = "planned"  # a present-tense event dated after publication is scheduled
    published_date: dt.date | None = None
    if when is None and frame.tense != "future" and modality in {"asserted", "reported"}:
        if marked_earlier(doc, frame):
            # "has previously said", "an earlier ruling", "had been declining": before the
            # story's day, by how much the text does not say.
            return None, "none", modality, None
        if context.lead_date is not None and frame.sentence_index < context.lead_sentences:
            when, date_source = context.lead_date, "document"
        elif published is not None:
            published_date, date_source = published, "publication"
    return when, date_source, modality, published_date
