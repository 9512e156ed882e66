"""Extract + transform stage: Articles in, table rows out (events, mentions, places, documents).

One `Extractor` holds the loaded model, gazetteer and lexicons; `extract` streams Articles
through `nlp.pipe` and turns each parsed Doc into rows. Nothing here touches Prefect or DuckDB.
"""

from __future__ import annotations

import bisect
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata, resources

from spacy.language import Language
from spacy.tokens import Doc

from extractors.actors import ActorInfo, ActorResolver, load_actor_lexicon
from extractors.config import Settings
from extractors.events import Argument, Frame, frames
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


def load_event_types() -> dict[str, str]:
    """Predicate lemma -> event type, from configs/event_types.toml."""
    data = tomllib.loads(resources.files("configs").joinpath("event_types.toml").read_text("utf-8"))
    return {lemma: event_type for event_type, lemmas in data["types"].items() for lemma in lemmas}


@dataclass(slots=True)
class Extraction:
    """All rows produced from one document."""

    document: DocumentRow
    events: list[EventRow]
    mentions: list[MentionRow]
    places: list[Place] = field(default_factory=list)


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
        self.version = extractor_version(settings.nlp.model)

    def extract(self, articles: Iterable[Article], *, run_id: str) -> Iterator[Extraction]:
        """Parse Articles in batches and yield their rows, in input order."""
        pairs = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(
            pairs, as_tuples=True, batch_size=self.settings.nlp.batch_size
        ):
            yield self.extract_doc(doc, article, run_id=run_id)

    def extract_doc(self, doc: Doc, article: Article, *, run_id: str) -> Extraction:
        """Rows for one parsed document."""
        sentence_starts = [s.start_char for s in doc.sents]
        toponyms = self.places.toponyms(doc, dateline=article.dateline)
        times = timexes(doc, published=article.published)
        dateline_place = self._dateline_place(article, toponyms)
        actors = ActorResolver(doc, lexicon=self.actor_lexicon, country_of=self.places.country_of)
        events = [
            self._event_row(doc, frame, article, toponyms, times, dateline_place, actors, run_id)
            for frame in frames(doc)
        ]
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
        if dateline is not None:
            return None, "dateline"
        return None, None

    def _date_for(self, doc: Doc, frame: Frame, times: list[Timex]) -> Timex | None:
        sent = doc[frame.predicate].sent
        clause_start = doc[frame.clause_start].idx
        clause_end = doc[frame.clause_end - 1].idx + len(doc[frame.clause_end - 1])
        pivot = doc[frame.predicate].idx
        candidates = [
            t for t in times if t.type in POINT_TYPES and sent.start_char <= t.start < sent.end_char
        ]
        in_clause = [t for t in candidates if clause_start <= t.start < clause_end]
        pool = in_clause or candidates
        return min(pool, key=lambda t: abs(t.start - pivot), default=None)

    def _actor(self, actors: ActorResolver, arg: Argument | None) -> ActorInfo | None:
        return None if arg is None else actors.resolve(arg.start, arg.end, arg.head)

    def _event_row(
        self,
        doc: Doc,
        frame: Frame,
        article: Article,
        toponyms: list[Toponym],
        times: list[Timex],
        dateline: Place | None,
        actors: ActorResolver,
        run_id: str,
    ) -> EventRow:
        sent = doc[frame.predicate].sent
        actor = self._actor(actors, frame.actor)
        target = self._actor(actors, frame.target)
        toponym, place_source = self._place_for(doc, frame, toponyms, dateline)
        place = (
            toponym.place
            if toponym is not None
            else (dateline if place_source == "dateline" else None)
        )
        when = self._date_for(doc, frame, times)
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
        lemma = frame.predicate_lemma
        event_type = self.event_types.get(lemma.removeprefix("not "), "other")
        confidence = 0.4 + 0.2 * (actor is not None and actor.type != "pronoun")
        confidence += (
            0.15 * (target is not None) + 0.15 * (place is not None) + 0.1 * (when is not None)
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
            place_start_char=toponym.start if toponym else None,
            place_end_char=toponym.end if toponym else None,
            place_source=place_source if place is not None or toponym is not None else None,
            place_geonameid=place.geonameid if place else None,
            place_name=place.name if place else None,
            place_country=place.country_code if place else None,
            place_lat=place.lat if place else None,
            place_lon=place.lon if place else None,
            date_text=when.text if when else None,
            date_start_char=when.start if when else None,
            date_end_char=when.end if when else None,
            date_type=when.type if when else None,
            date_value=when.value if when else None,
            date_start=when.start_date if when else None,
            date_end=when.end_date if when else None,
            date_granularity=when.granularity if when else None,
            date_anchor=when.anchor if when else None,
            date_resolved=when.resolved if when else None,
            negated=frame.negated,
            modality=modality,
            confidence=round(min(confidence, 1.0), 3),
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
