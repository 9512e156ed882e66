"""Extract + transform stage: Articles in, table rows out (events, mentions, places, documents).

One `Extractor` holds the loaded model, gazetteer and lexicons; `extract` streams Articles
through `nlp.pipe` and turns each parsed Doc into rows. Nothing here touches Prefect or DuckDB.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import math
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources

from spacy.language import Language
from spacy.tokens import Doc, Token

from extractors.actors import ActorInfo, ActorResolver, load_actor_lexicon
from extractors.config import Settings
from extractors.events import REPORTING_LEMMAS, Argument, Frame, frames
from extractors.gazetteer import load_gazetteer
from extractors.nlp import load_pipeline
from extractors.places import Place, PlaceResolver, Toponym
from extractors.records import Article, DocumentRow, EventRow, MentionRow, PlaceRow, stable_id
from extractors.temporal import Timex, timexes

LOCATIVE_PREPS = frozenset(
    {"in", "at", "near", "outside", "inside", "across", "throughout", "from"}
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
    return EventTypes(verbs, nouns, quad)


@dataclass(slots=True)
class Extraction:
    """All rows produced from one document."""

    document: DocumentRow
    events: list[EventRow]
    mentions: list[MentionRow]
    places: list[Place] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Headline:
    """Content lemmas of a headline, the lemmas of its predicates and of its subject."""

    words: frozenset[str]
    predicates: frozenset[str]
    subjects: frozenset[str]
    toponyms: tuple[Toponym, ...] = ()


@dataclass(frozen=True, slots=True)
class _DocContext:
    """What every event of one document is resolved against."""

    toponyms: list[Toponym]
    times: list[Timex]
    dateline: Place | None
    actors: ActorResolver
    document_place: tuple[Toponym | None, str | None]
    lead_date: Timex | None


# The lead: news states its main event in the first sentences.
LEAD_SENTENCES = 5
FIRST_PERSON = frozenset({"i", "we", "me", "us"})
# Page furniture that survives scraping ("Click to share", "Subscribe", "Image copyright").
BOILERPLATE_LEMMAS = frozenset(
    {"click", "share", "subscribe", "get", "thank", "follow", "sign", "read", "watch", "skip"}
)


def _is_boilerplate(doc: Doc, frame: Frame) -> bool:
    """Imperatives and page furniture: a verb with no subject that opens its clause."""
    verb = doc[frame.predicate]
    if frame.nominal or frame.actor is not None and verb.lemma_.lower() not in BOILERPLATE_LEMMAS:
        return False
    imperative = (
        verb.tag_ == "VB"
        and verb.dep_ == "ROOT"
        and not any(c.dep_ in {"aux", "nsubj", "nsubjpass"} for c in verb.children)
    )
    furniture = verb.lemma_.lower() in BOILERPLATE_LEMMAS and verb.text[:1].isupper()
    return imperative or furniture


COUNTRY_FEATURES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR", "CONT"})
NAMED_SETTING_LABELS = frozenset({"FAC", "ORG", "LOC", "GPE", "WORK_OF_ART", "EVENT"})


def _locative_name(doc: Doc, frame: Frame) -> Toponym | None:
    """A named setting the gazetteer does not know: "outside Trump Tower", "at Wrigley Field".

    Returned as an unresolved Toponym (no place), so the event keeps the setting's text.
    """
    predicate = doc[frame.predicate]
    for prep in predicate.children:
        if prep.dep_ != "prep" or prep.lower_ not in LOCATIVE_PREPS | {"outside", "inside"}:
            continue
        for pobj in prep.children:
            if pobj.dep_ != "pobj":
                continue
            if pobj.pos_ != "PROPN" and pobj.ent_type_ not in NAMED_SETTING_LABELS:
                continue
            if pobj.ent_type_ in {"PERSON", "NORP", "DATE", "TIME"}:
                continue
            words = [t for t in pobj.subtree if t.dep_ in {"compound", "det", "amod"} or t == pobj]
            words = [t for t in words if t.i <= pobj.i and t.lower_ not in {"the", "a", "an"}]
            start = min(t.i for t in words)
            span = doc[start : pobj.i + 1]
            return Toponym(span.start_char, span.end_char, span.text, "NAME", None, False, 0.0)
    return None


def document_place(
    doc: Doc, toponyms: list[Toponym], *, title: Sequence[Toponym] = ()
) -> tuple[Toponym | None, str | None]:
    """The story's main setting and where it was found ("document" or "title").

    A place scores by how often the text names it, how early, and whether the headline
    names it too; a city or region inherits part of its country's score when the country is
    named as well, so the most specific setting wins. Demonyms, people's names and
    metonymous mentions ("Beijing said") are actors, not settings, and are left out. A
    place only the headline names is returned with source "title".
    """
    mentions: dict[int, int] = {}
    earliest: dict[int, int] = {}
    first: dict[int, Toponym] = {}
    sentence_starts = [s.start_char for s in doc.sents]
    for toponym in toponyms:
        if toponym.place is None or toponym.metonymy:
            continue
        span = doc.char_span(toponym.start, toponym.end, alignment_mode="expand")
        if span is not None and (
            span.root.pos_ == "ADJ" or span.root.ent_type_ in {"NORP", "PERSON"}
        ):
            continue  # "German consulate", "Hamilton said": whose or who, not where
        gid = toponym.place.geonameid
        mentions[gid] = mentions.get(gid, 0) + 1
        earliest.setdefault(gid, bisect.bisect_right(sentence_starts, toponym.start) - 1)
        first.setdefault(gid, toponym)
    in_title = {t.place.geonameid: t for t in title if t.place is not None and not t.metonymy}
    scores = {
        gid: math.log1p(mentions[gid]) + 1.5 / (1.0 + earliest[gid]) + 1.5 * (gid in in_title)
        for gid in first
    }
    for gid, toponym in in_title.items():
        if gid not in scores:
            first[gid] = toponym
            scores[gid] = 1.5
    if not scores:
        return None, None
    # The most specific setting wins when the broader one is also named: "a city in north
    # Afghanistan ... Mazar-i-Sharif" is set in Mazar-i-Sharif.
    by_country: dict[str, float] = {}
    for gid, toponym in first.items():
        place = toponym.place
        if place is not None and place.feature_code in COUNTRY_FEATURES and place.country_code:
            by_country[place.country_code] = scores[gid]
    for gid, toponym in first.items():
        place = toponym.place
        if place is not None and place.feature_code not in COUNTRY_FEATURES:
            scores[gid] += 0.5 * by_country.get(place.country_code or "", 0.0)
    best = max(scores, key=lambda gid: (scores[gid], gid in mentions, -first[gid].start))
    return first[best], "document" if best in mentions else "title"


def lead_date(doc: Doc, times: list[Timex], *, published: dt.date | None) -> Timex | None:
    """The news peg: the first day-level date of the lead within a week before publication."""
    if published is None:
        return None
    sentences = list(doc.sents)
    if not sentences:
        return None
    lead_end = sentences[min(LEAD_SENTENCES, len(sentences)) - 1].end_char
    for timex in times:
        if timex.start >= lead_end:
            break
        if timex.type not in POINT_TYPES or timex.start_date is None or timex.end_date is None:
            continue
        if (timex.end_date - timex.start_date).days > 1:
            continue  # "this year", "last month": too coarse to date an event
        if published - dt.timedelta(days=7) <= timex.start_date <= published:
            return timex
    return None


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


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

    def extract(self, articles: Iterable[Article], *, run_id: str) -> Iterator[Extraction]:
        """Parse Articles in batches and yield their rows, in input order.

        A text longer than [ingest] max_chars is parsed in pieces cut at paragraph or
        sentence breaks, joined back into one Doc: offsets stay relative to the whole text,
        the doc_id is unchanged, and no document is dropped for its length.
        """
        from extractors.ingest import chunk_text  # the cutting rule lives with ingest

        max_chars = self.settings.ingest.max_chars
        pieces = (
            (piece, (article, last))
            for article in articles
            for piece, last in chunk_text(article.text, max_chars)
        )
        parts: list[Doc] = []
        for doc, (article, last) in self.nlp.pipe(
            pieces, as_tuples=True, batch_size=self.settings.nlp.batch_size
        ):
            parts.append(doc)
            if not last:
                continue
            whole = parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
            parts = []
            yield self.extract_doc(whole, article, run_id=run_id)

    def extract_doc(self, doc: Doc, article: Article, *, run_id: str) -> Extraction:
        """Rows for one parsed document."""
        sentence_starts = [s.start_char for s in doc.sents]
        toponyms = self.places.toponyms(doc, dateline=article.dateline)
        times = timexes(doc, published=article.published)
        dateline_place = self._dateline_place(article, toponyms)
        actors = ActorResolver(
            doc,
            lexicon=self.actor_lexicon,
            country_of=self.places.country_of,
            toponyms=toponyms,
        )
        title = self._title_lemmas(article.title)
        context = _DocContext(
            toponyms=toponyms,
            times=times,
            dateline=dateline_place,
            actors=actors,
            document_place=document_place(doc, toponyms, title=title.toponyms),
            lead_date=lead_date(doc, times, published=article.published),
        )
        found = [
            f for f in frames(doc, event_nouns=self.event_nouns) if not _is_boilerplate(doc, f)
        ]
        events = rank_events(
            doc,
            found,
            [self._event_row(doc, f, article, context, run_id) for f in found],
            title=title,
        )
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
        return Extraction(document, events, mentions, list(referenced.values()))

    def _title_lemmas(self, title: str | None) -> Headline:
        """The headline's content lemmas and main clause: it names the main event."""
        if not title:
            return Headline(frozenset(), frozenset(), frozenset())
        parsed = self.nlp(title)
        roots = [t for t in parsed if t.dep_ == "ROOT"]
        # Headlinese tags verbs as nouns often enough ("Trump meets Obama"), so the root's
        # conjuncts and any verb of the headline count as its predicates.
        predicates = {t.lemma_.lower() for r in roots for t in [r, *r.conjuncts]}
        predicates |= {t.lemma_.lower() for t in parsed if t.pos_ == "VERB"}
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
        )

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
        self, doc: Doc, frame: Frame, toponyms: list[Toponym], dateline: Place | None
    ) -> tuple[Toponym | None, str | None]:
        sent = doc[frame.predicate].sent
        clause_start = doc[frame.clause_start].idx
        clause_end = doc[frame.clause_end - 1].idx + len(doc[frame.clause_end - 1])
        taken = [a for a in (frame.actor, frame.target) if a is not None]
        best: tuple[float, Toponym] | None = None
        for toponym in toponyms:
            if not (sent.start_char <= toponym.start < sent.end_char) or toponym.metonymy:
                continue
            if any(_overlaps(toponym.start, toponym.end, a.start_char, a.end_char) for a in taken):
                continue
            span = doc.char_span(toponym.start, toponym.end, alignment_mode="expand")
            head = span.root if span is not None else None
            if head is None:
                continue
            # "in Anchorage, Alaska": the appositive/compound rides on its anchor's preposition.
            anchor = head.head if head.dep_ in {"appos", "conj", "compound"} else head
            locative = anchor.dep_ == "pobj" and anchor.head.lower_ in LOCATIVE_PREPS
            predicate = doc[frame.predicate]
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
        sent = doc[frame.predicate].sent
        clause_start = doc[frame.clause_start].idx
        clause_end = doc[frame.clause_end - 1].idx + len(doc[frame.clause_end - 1])
        pivot = doc[frame.predicate].idx
        candidates = [
            t
            for t in times
            if t.type in POINT_TYPES
            and t.value is not None
            and not t.value.endswith("_REF")  # "now", "recently" date nothing
            and sent.start_char <= t.start < sent.end_char
        ]
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
        sent = doc[frame.predicate].sent
        actors = context.actors
        reported_by = self._actor(actors, frame.reporter)
        actor = self._actor(actors, frame.actor)
        if (
            frame.actor is not None
            and doc[frame.actor.head].lower_ in FIRST_PERSON
            and reported_by is not None
        ):
            actor = reported_by  # "I've seen many races," said Jos: I is the speaker
        target = self._actor(actors, frame.target)
        toponym, place_source = self._place_for(doc, frame, context.toponyms, context.dateline)
        place = (
            toponym.place
            if toponym is not None
            else (context.dateline if place_source == "dateline" else None)
        )
        setting, setting_source = context.document_place
        if place is None and toponym is None and setting is not None:
            # The story's main setting stands in for a clause that names none.
            toponym, place_source = setting, setting_source
            place = toponym.place
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
            if context.lead_date is not None and frame.sentence_index < LEAD_SENTENCES:
                when, date_source = context.lead_date, "document"
            elif article.published is not None:
                published_date, date_source = article.published, "publication"
        lemma = frame.predicate_lemma
        verb_lemma = lemma.removeprefix("not ")
        noun_typed = frame.nominal or (bool(frame.event_lemma) and frame.event_lemma != verb_lemma)
        event_type = self.event_types.type_of(frame.event_lemma or lemma, nominal=noun_typed)
        confidence = 0.4 + 0.2 * (actor is not None and actor.type != "pronoun")
        confidence += (
            0.15 * (target is not None)
            + 0.15 * (place is not None and place_source != "document")
            + 0.1 * (when is not None and date_source in {"clause", "sentence"})
        )
        return EventRow(
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
            sentence_text=sent.text.strip(),
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
            return MentionRow(
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
            for e in doc.ents
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


# Weights of the main-event score. Position dominates in news (the lead states the main
# event), the headline confirms which of the lead's events it is, and participants the
# article keeps returning to mark the story's protagonists.
W_POSITION = 0.25
W_TITLE = 0.35
W_SALIENCE = 0.1
W_COMPLETE = 0.1
W_FACTUAL = 0.05
W_MAIN_CLAUSE = 0.15


def clause_weight(doc: Doc, frame: Frame) -> float:
    """1 for the sentence's main clause (or its conjuncts), less the deeper the clause.

    "Seven people died after a tram overturned": the main clause is the news, the
    subordinate clause its circumstance; what was said outranks a relative clause.
    """
    token = doc[frame.predicate]
    if frame.nominal:
        return 0.4
    weight = 1.0
    for _ in range(8):
        dep = token.dep_
        if dep == "ROOT" or token.head.i == token.i:
            return weight
        if dep in {"ccomp", "parataxis"} and token.head.lemma_ in REPORTING_LEMMAS:
            weight *= 0.9
        elif dep in {"xcomp", "conj"}:
            weight *= 0.95
        elif dep in {"advcl", "ccomp", "pcomp"}:
            weight *= 0.55
        else:
            weight *= 0.4
        token = token.head
    return weight


def _participant_heads(doc: Doc, frame: Frame) -> list[Token]:
    return [doc[a.head] for a in (frame.actor, frame.target, frame.object) if a is not None]


def _mention_counts(doc: Doc) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ent in doc.ents:
        if ent.label_ in {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}:
            key = ent.root.lower_
            counts[key] = counts.get(key, 0) + 1
    for token in doc:
        if token.pos_ == "NOUN":
            counts[token.lemma_.lower()] = counts.get(token.lemma_.lower(), 0) + 1
    return counts


def rank_events(
    doc: Doc, found: list[Frame], rows: list[EventRow], *, title: Headline
) -> list[EventRow]:
    """Give every event a score in [0, 1] and its rank in the document (1 = main event).

    The score mixes the sentence position, the overlap of the event's words with the
    headline, how often its participants are mentioned, how complete the frame is (actor,
    target, place, date) and whether it is asserted to have happened. Statements ("X said")
    weigh less than what was said: the news is usually the reported event.
    """
    if not rows:
        return rows
    counts = _mention_counts(doc)
    top = max(counts.values(), default=1)
    scored = []
    for frame, row in zip(found, rows, strict=True):
        position = 1.0 / (1.0 + 0.4 * frame.sentence_index)
        words = set(content_lemmas([doc[frame.predicate]]))
        words.add(frame.event_lemma)
        for arg in (frame.actor, frame.target, frame.object):
            if arg is not None:
                words.update(content_lemmas(doc[arg.start : arg.end]))
        for name in (row.actor_canonical, row.target_canonical):
            if name:
                words.update(w.lower() for w in name.split())
        actor_words = (
            set(content_lemmas(doc[frame.actor.start : frame.actor.end])) if frame.actor else set()
        )
        if row.actor_canonical:
            actor_words.update(w.lower() for w in row.actor_canonical.split())
        lemmas = {frame.event_lemma, doc[frame.predicate].lemma_.lower()}
        title_score = 0.0
        if title.words:
            title_score = min(
                1.0,
                0.15 * min(len(words & title.words), 3)
                + 0.2 * bool(lemmas & title.words)
                + 0.3 * bool(lemmas & title.predicates)
                + 0.25 * bool(actor_words & title.subjects),
            )
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
        value = (
            W_MAIN_CLAUSE * clause_weight(doc, frame)
            + W_POSITION * position
            + W_TITLE * title_score
            + W_SALIENCE * min(salience, 1.0)
            + W_COMPLETE * complete
            + W_FACTUAL * factual
        )
        if row.event_type == "STATEMENT":
            value *= 0.8
        scored.append(round(min(max(value, 0.0), 1.0), 4))
    order = sorted(range(len(rows)), key=lambda i: (-scored[i], rows[i].predicate_start_char))
    rank = {index: position + 1 for position, index in enumerate(order)}
    return [
        dataclasses.replace(row, score=scored[i], rank_in_doc=rank[i]) for i, row in enumerate(rows)
    ]
