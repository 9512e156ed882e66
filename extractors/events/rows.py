"""Events stage: table rows: events (a frame with everything attached), mentions, places
and the document.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import operator
from collections.abc import Iterable

from spacy.tokens import Doc

from extractors.actors import ActorInfo
from extractors.dates.detect import Timex
from extractors.events.arguments import Argument
from extractors.events.attach import (
    PLACE_CONFIDENCE,
    DocContext,
    date_of,
    participants_of,
    place_of,
)
from extractors.events.frames import Frame
from extractors.events.phrase import verb_phrase
from extractors.events.types import EventTypes
from extractors.nlp import (
    doc_ents,
    doc_sents,
    doc_text,
    sentence_of,
)
from extractors.places.names import Place, Toponym
from extractors.records import (
    Article,
    DocumentRow,
    EventRow,
    MentionRow,
    PlaceRow,
    builder,
    stable_id,
)


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


# Rows are built once per event and mention: without object.__setattr__ per field.
_new_event_row = builder(EventRow)


_new_mention_row = builder(MentionRow)


_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(EventRow))


_EVENT_VALUES = operator.attrgetter(*_EVENT_FIELDS)  # a row's values in field order


def with_rank(row: EventRow, score: float, rank: int) -> EventRow:
    """The row with its main-event score and rank (dataclasses.replace without its
    per-call field introspection)."""
    values = list(_EVENT_VALUES(row))
    values[_SCORE_AT] = score
    values[_RANK_AT] = rank
    return _new_event_row(*values)


_SCORE_AT, _RANK_AT = _EVENT_FIELDS.index("score"), _EVENT_FIELDS.index("rank_in_doc")


def _party(role: str, arg: Argument | None, info: ActorInfo | None) -> dict[str, object]:
    """The actor_* or target_* columns of one participant."""
    return {
        f"{role}_text": arg.text if arg else None,
        f"{role}_start_char": arg.start_char if arg else None,
        f"{role}_end_char": arg.end_char if arg else None,
        f"{role}_canonical": info.canonical if info else None,
        f"{role}_type": info.type if info else None,
        f"{role}_country": info.country if info else None,
    }


def _place_columns(
    toponym: Toponym | None,
    source: str | None,
    place: Place | None,
    dateline: str | None,
    stand_in: bool = False,
) -> dict[str, object]:
    """The place_* columns; place_confidence by how the place was tied (see `place_of`)."""
    found = place is not None or toponym is not None
    return {
        "place_confidence": PLACE_CONFIDENCE.of(source, stand_in=stand_in) if found else None,
        "place_text": toponym.text if toponym else (dateline if place else None),
        # A place only the headline names has no offsets in the text.
        "place_start_char": toponym.start if toponym and source != "title" else None,
        "place_end_char": toponym.end if toponym and source != "title" else None,
        "place_source": source if place is not None or toponym is not None else None,
        "place_geonameid": place.geonameid if place else None,
        "place_name": place.name if place else None,
        "place_country": place.country_code if place else None,
        "place_lat": place.lat if place else None,
        "place_lon": place.lon if place else None,
    }


def _date_columns(
    when: Timex | None, source: str | None, published: dt.date | None
) -> dict[str, object]:
    """The date_* columns: from the time expression, else the publication date's."""
    return {
        "date_text": when.text if when else None,
        "date_start_char": when.start if when else None,
        "date_end_char": when.end if when else None,
        "date_type": when.type if when else ("DATE" if published else None),
        "date_value": when.value if when else (published.isoformat() if published else None),
        "date_start": when.start_date if when else published,
        "date_end": when.end_date if when else published,
        "date_granularity": when.granularity if when else ("day" if published else None),
        "date_anchor": when.anchor if when else ("publication" if published else None),
        "date_resolved": when.resolved if when else (True if published else None),
        "date_source": source if when is not None or published or source == "none" else None,
    }


def _names(conjuncts: tuple[Argument, ...], context: DocContext) -> tuple[str, ...] | None:
    """A coordination's conjuncts by canonical name (else as written); None for none."""
    if not conjuncts:
        return None
    resolved = (context.actors.resolve(a.start, a.end, a.head) for a in conjuncts)
    return tuple(
        (info.canonical if info is not None and info.canonical else a.text)
        for a, info in zip(conjuncts, resolved, strict=True)
    )


def event_row(
    doc: Doc,
    frame: Frame,
    article: Article,
    context: DocContext,
    *,
    event_types: EventTypes,
    run_id: str,
    version: str,
) -> EventRow:
    """One event's row: its frame with participants, place and date attached."""
    sent = doc_sents(doc)[sentence_of(doc)[frame.predicate]]
    actor, target, reported_by = participants_of(doc, frame, context.actors)
    actor_all = _names(frame.actors, context)
    target_all = _names(frame.targets, context)
    toponym, place_source, place, stand_in = place_of(doc, frame, context, (actor, target))
    when, date_source, modality, published_date = date_of(doc, frame, article.published, context)
    lemma = frame.predicate_lemma
    verb_lemma = lemma.removeprefix("not ")
    noun_typed = frame.nominal or (bool(frame.event_lemma) and frame.event_lemma != verb_lemma)
    event_type = event_types.type_of(frame.event_lemma or lemma, nominal=noun_typed)
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
    text = doc_text(doc)
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
        sentence_text=text[sent.start_char : sent.end_char].strip(),
        **_party("actor", frame.actor, actor),
        predicate_text=frame.predicate_text,
        predicate_lemma=lemma,
        predicate_start_char=frame.predicate_start_char,
        predicate_end_char=frame.predicate_end_char,
        phrase_text=text[phrase[0] : phrase[1]] if phrase else None,
        phrase_end_char=phrase[1] if phrase else None,
        event_type=event_type,
        object_text=frame.object.text if frame.object else None,
        **_party("target", frame.target, target),
        **_place_columns(toponym, place_source, place, article.dateline, stand_in),
        **_date_columns(when, date_source, published_date),
        actor_all=actor_all,
        target_all=target_all,
        negated=frame.negated,
        modality=modality,
        confidence=round(min(confidence, 1.0), 3),
        tense=frame.tense,
        reported_by=(
            (reported_by.canonical or frame.reporter.text)
            if reported_by is not None and frame.reporter is not None
            else None
        ),
        quad_class=event_types.quad_of(event_type),
        score=0.0,  # set by rank_events, which sees all events of the document
        rank_in_doc=0,
        run_id=run_id,
        extractor_version=version,
    )


def mention_rows(
    doc: Doc,
    article: Article,
    toponyms: list[Toponym],
    times: list[Timex],
    sentence_starts: list[int],
    *,
    run_id: str,
    version: str,
) -> list[MentionRow]:
    """One row per place and time expression, and per other named entity."""

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
            extractor_version=version,
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


def document_row(
    article: Article,
    doc: Doc,
    dateline: Place | None,
    *,
    n_events: int,
    run_id: str,
    version: str,
) -> DocumentRow:
    """The document's row: its source, publication date, dateline and sizes."""
    return DocumentRow(
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
        dateline_geonameid=dateline.geonameid if dateline else None,
        dateline_country=dateline.country_code if dateline else None,
        n_chars=len(article.text),
        n_tokens=len(doc),
        n_sentences=len(doc_sents(doc)),
        n_events=n_events,
        text=article.text,
        run_id=run_id,
        extractor_version=version,
        author=article.author,
        crawled_at=article.crawled_at,
        language=article.language,
    )
