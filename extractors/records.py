"""All stages: the record types handed between stages and their Arrow schemas.

This module is the contract: the dataclasses below define every column of every table,
`schema_of` derives the Arrow schema from them, and warehouse DDL is generated from that
schema, so the three cannot drift apart. Column meanings live in `COLUMN_DOCS` and feed the
data dictionary and DuckDB `COMMENT ON`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import operator
import types
import typing
from dataclasses import dataclass

import pyarrow as pa

SCHEMA_VERSION = 1
R = typing.TypeVar("R")


@dataclass(frozen=True, slots=True)
class Article:
    """One input document after ingest, before NLP."""

    doc_id: str
    text: str
    source_uri: str
    record_no: int | None
    source_id: str | None
    title: str | None
    url: str | None
    source: str | None
    published: dt.date | None
    published_from: str
    dateline: str | None
    dateline_start_char: int | None
    dateline_end_char: int | None
    author: str | None = None
    crawled_at: dt.datetime | None = None
    language: str | None = None  # set by the run once the document is known to be new


@dataclass(frozen=True, slots=True)
class DocumentRow:
    doc_id: str
    source_uri: str
    record_no: int | None
    source_id: str | None
    title: str | None
    url: str | None
    source: str | None
    published: dt.date | None
    published_from: str
    dateline: str | None
    dateline_geonameid: int | None
    dateline_country: str | None
    n_chars: int
    n_tokens: int
    n_sentences: int
    n_events: int
    text: str
    run_id: str
    extractor_version: str
    author: str | None = None
    crawled_at: dt.datetime | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    event_id: str
    doc_id: str
    sentence_index: int
    sentence_start_char: int
    sentence_end_char: int
    sentence_text: str
    actor_text: str | None
    actor_start_char: int | None
    actor_end_char: int | None
    actor_canonical: str | None
    actor_type: str | None
    actor_country: str | None
    predicate_text: str
    predicate_lemma: str
    predicate_start_char: int
    predicate_end_char: int
    phrase_text: str | None
    phrase_end_char: int | None
    event_type: str
    object_text: str | None
    target_text: str | None
    target_start_char: int | None
    target_end_char: int | None
    target_canonical: str | None
    target_type: str | None
    target_country: str | None
    place_text: str | None
    place_start_char: int | None
    place_end_char: int | None
    place_source: str | None
    place_geonameid: int | None
    place_name: str | None
    place_country: str | None
    place_lat: float | None
    place_lon: float | None
    date_text: str | None
    date_start_char: int | None
    date_end_char: int | None
    date_type: str | None
    date_value: str | None
    date_start: dt.date | None
    date_end: dt.date | None
    date_granularity: str | None
    date_anchor: str | None
    date_resolved: bool | None
    negated: bool
    modality: str
    confidence: float
    tense: str | None
    reported_by: str | None
    quad_class: str
    score: float
    rank_in_doc: int
    date_source: str | None
    place_confidence: float | None
    actor_all: tuple[str, ...] | None
    target_all: tuple[str, ...] | None
    run_id: str
    extractor_version: str


@dataclass(frozen=True, slots=True)
class MentionRow:
    mention_id: str
    doc_id: str
    sentence_index: int
    start_char: int
    end_char: int
    text: str
    label: str
    geonameid: int | None
    country_code: str | None
    lat: float | None
    lon: float | None
    date_value: str | None
    run_id: str
    extractor_version: str


@dataclass(frozen=True, slots=True)
class PlaceRow:
    geonameid: int
    name: str
    country_code: str | None
    admin1: str | None
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    population: int


@dataclass(frozen=True, slots=True)
class StoryMemberRow:
    doc_id: str
    story_id: str
    similarity: float
    dup_of: str | None
    dup_jaccard: float | None
    run_id: str


@dataclass(frozen=True, slots=True)
class RejectRow:
    reject_id: str
    run_id: str
    source_uri: str
    record_no: int | None
    doc_id: str | None
    code: str
    reason: str
    detail: str
    rejected_at: dt.datetime


@dataclass(frozen=True, slots=True)
class RunRow:
    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime
    status: str
    inputs: str
    inputs_seen: int
    docs_loaded: int
    docs_skipped: int
    docs_rejected: int
    n_events: int
    n_mentions: int
    extractor_version: str
    model: str
    timings_json: str


TABLES: dict[str, type] = {
    "documents": DocumentRow,
    "events": EventRow,
    "mentions": MentionRow,
    "places": PlaceRow,
    "rejects": RejectRow,
    "runs": RunRow,
    "story_members": StoryMemberRow,
}

# Replacement key of each table: rows a run writes replace older rows with the same value
# in this column, so a re-run never appends duplicates. For events and mentions that is the
# document: a reprocessed document's rows replace all of its older rows, including events
# the new extractor no longer finds. `places` is one deduplicated file, rewritten per run.
# Not the column that identifies a row: that is PRIMARY_KEYS.
KEYS: dict[str, str] = {
    "documents": "doc_id",
    "events": "doc_id",
    "mentions": "doc_id",
    "places": "geonameid",
    "rejects": "reject_id",
    "runs": "run_id",
    "story_members": "doc_id",
}

# Column that identifies one row of each table (unique in it), for the data dictionary.
PRIMARY_KEYS: dict[str, str] = {
    "documents": "doc_id",
    "events": "event_id",
    "mentions": "mention_id",
    "places": "geonameid",
    "rejects": "reject_id",
    "runs": "run_id",
    "story_members": "doc_id",
}


@dataclass(frozen=True, slots=True)
class ColumnDoc:
    """What a column means, for the data dictionary and DuckDB `COMMENT ON`.

    `null` says what a NULL means; every nullable column must say it (a test checks).
    """

    meaning: str
    unit: str = ""
    null: str = ""


_OFFSET = "characters, 0-based, into documents.text (end exclusive)"
_RUN_ID = ColumnDoc("Run that wrote this row (runs.run_id); changes when the row is rewritten.")
_VERSION = ColumnDoc(
    "Extractor version that produced the row: package version + spaCy model and its version. "
    "A document is reprocessed when this changes."
)

# One line per table: what one row is. Shown in the data dictionary and as COMMENT ON TABLE.
TABLE_DOCS: dict[str, str] = {
    "documents": "One row per loaded input article, identified by the sha256 of its text.",
    "events": "One row per event frame: who did what to whom, where and when, in one sentence.",
    "mentions": "One row per entity mention, toponym or time expression found in a document.",
    "places": "One row per gazetteer entry referenced by any document, event or mention.",
    "rejects": "One row per input that could not be used, with a stable reason code.",
    "runs": "One row per committed run: input accounting, versions and timings.",
    "story_members": "One row per document: the story (real-world happening) it reports, "
    "given when the document first arrived (extractors/stories.py); the `stories` view "
    "sums them up.",
}

# Meaning of every column of every table. A contract test checks this covers exactly the
# dataclass fields, so a new column cannot ship undocumented.
COLUMN_DOCS: dict[str, dict[str, ColumnDoc]] = {
    "documents": {
        "doc_id": ColumnDoc("sha256 hex digest of the NFC-normalized, stripped text; the key."),
        "source_uri": ColumnDoc("Path of the file the article was read from."),
        "record_no": ColumnDoc(
            "Line number (1-based) in a .jsonl file; entry number in a feed; record number in "
            "a WARC file.",
            null="the input was a whole file (.txt, .html)",
        ),
        "source_id": ColumnDoc(
            "The article's own id from its metadata (`id` or `doc_id`).", null="none given"
        ),
        "title": ColumnDoc("Headline from the metadata.", null="none given"),
        "url": ColumnDoc("URL from the metadata.", null="none given"),
        "source": ColumnDoc("Publisher or feed name from the metadata.", null="none given"),
        "published": ColumnDoc(
            "Publication date (the document creation time relative dates are resolved against).",
            unit="date",
            null="unknown: relative dates in the text stay unresolved",
        ),
        "published_from": ColumnDoc(
            "Where the publication date came from: metadata (the sidecar's or JSONL record's "
            "`published`, `dct`, `date_publish`, `pub_date` or `date` field, or a feed entry's "
            "published/updated date) | page (an HTML page's own markup: its meta tags, "
            "structured data or URL, read by trafilatura/htmldate) | none (no date given; the "
            "article text is never searched for one)."
        ),
        "dateline": ColumnDoc(
            "Leading dateline place as written ('SEOUL', 'NAIROBI, Kenya').", null="no dateline"
        ),
        "dateline_geonameid": ColumnDoc(
            "GeoNames id the dateline resolved to (places.geonameid).",
            null="no dateline, or it did not resolve",
        ),
        "dateline_country": ColumnDoc(
            "ISO 3166-1 alpha-2 country of the dateline place.",
            null="no dateline, or it did not resolve",
        ),
        "n_chars": ColumnDoc("Length of the text.", unit="characters"),
        "n_tokens": ColumnDoc("spaCy tokens in the text.", unit="tokens"),
        "n_sentences": ColumnDoc("Sentences in the text.", unit="sentences"),
        "n_events": ColumnDoc("Rows this document has in `events`.", unit="events"),
        "text": ColumnDoc("The normalized text all character offsets refer to."),
        "run_id": _RUN_ID,
        "extractor_version": _VERSION,
        "author": ColumnDoc(
            "Author from the metadata, an HTML page's byline or a feed entry's author.",
            null="none given",
        ),
        "crawled_at": ColumnDoc(
            "When a web archive's crawler fetched the page (its WARC-Date); not the "
            "publication date.",
            unit="timestamp, UTC",
            null="not read from a WARC file",
        ),
        "language": ColumnDoc(
            "Language detected from the text's start (ISO 639-1, py3langid); documents "
            "confidently in a language outside [ingest] languages are rejected (E113).",
            null="a row written before this column existed",
        ),
    },
    "events": {
        "event_id": ColumnDoc(
            "Stable id from the document and the predicate/argument offsets; the same event "
            "gets the same id on every run; the key."
        ),
        "doc_id": ColumnDoc("Document the event was read from (documents.doc_id)."),
        "sentence_index": ColumnDoc("0-based index of the sentence in the document."),
        "sentence_start_char": ColumnDoc("Start of the sentence.", unit=_OFFSET),
        "sentence_end_char": ColumnDoc("End of the sentence.", unit=_OFFSET),
        "sentence_text": ColumnDoc("The sentence, stripped."),
        "actor_text": ColumnDoc("Who acted, as written.", null="no actor (e.g. passive)"),
        "actor_start_char": ColumnDoc("Start of actor_text.", unit=_OFFSET, null="no actor"),
        "actor_end_char": ColumnDoc("End of actor_text.", unit=_OFFSET, null="no actor"),
        "actor_canonical": ColumnDoc(
            "Canonical actor name (actor dictionary or longest co-referring mention).",
            null="no actor, or a pronoun that could not be resolved",
        ),
        "actor_type": ColumnDoc(
            "person | government (a state, its capital, a nationality standing for it, or an "
            "official body) | organization | group (a nationality or other group that stands "
            "for no state) | place (a town or region that is not a state) | pronoun (a pronoun "
            "that could not be resolved) | other.",
            null="no actor",
        ),
        "actor_country": ColumnDoc(
            "ISO 3166-1 alpha-2 country the actor belongs to.", null="no actor, or unknown"
        ),
        "predicate_text": ColumnDoc(
            "The event verb with its auxiliaries, negation and particles, joined by single "
            "spaces ('met', 'did not attack', 'has viewed'); words between them are left out, so "
            "the text at predicate_start_char..predicate_end_char can be longer ('has "
            "increasingly viewed'). A state is its copula and adjective ('are dead'); an event "
            "noun is the noun ('talks')."
        ),
        "predicate_lemma": ColumnDoc(
            "Lemma of the predicate; 'not ' prefix when negated. A phrasal or prepositional verb "
            "the event-type lexicon lists keeps its particle or preposition ('call on', "
            "'call for')."
        ),
        "predicate_start_char": ColumnDoc("Start of the predicate.", unit=_OFFSET),
        "predicate_end_char": ColumnDoc("End of the predicate.", unit=_OFFSET),
        "phrase_text": ColumnDoc(
            "The predicate's verb phrase, as the text writes it from predicate_start_char to "
            "phrase_end_char: the predicate with everything it governs to its right (objects, "
            "complements, prepositional phrases, subordinate clauses) up to the first conjoined "
            "verb or clause, which is an event of its own ('have died in a suicide attack on "
            "the consulate' in '... have died in a suicide attack on the consulate, and ten "
            "were injured'); for an event noun, the noun with what it governs to its right "
            "('talks with Beijing'). It stays in its sentence and ends on a word (no trailing "
            "comma, dash or 'and'). It answers 'what happened' the way Giveme5W1H does.",
            null="a row written before this column existed (older Parquet files read NULL)",
        ),
        "phrase_end_char": ColumnDoc(
            "End of phrase_text, which starts at predicate_start_char.",
            unit=_OFFSET,
            null="a row written before this column existed",
        ),
        "event_type": ColumnDoc(
            "PLOVER-style event type from configs/event_types.toml ('CONSULT', 'ASSAULT', ...; "
            "'other' when the lemma is not in the lexicon)."
        ),
        "object_text": ColumnDoc(
            "Direct object that is not a target actor ('a statement').", null="none"
        ),
        "target_text": ColumnDoc("Whom the event was directed at, as written.", null="no target"),
        "target_start_char": ColumnDoc("Start of target_text.", unit=_OFFSET, null="no target"),
        "target_end_char": ColumnDoc("End of target_text.", unit=_OFFSET, null="no target"),
        "target_canonical": ColumnDoc(
            "Canonical target name.", null="no target, or a pronoun that could not be resolved"
        ),
        "target_type": ColumnDoc("Same values as actor_type.", null="no target"),
        "target_country": ColumnDoc(
            "ISO 3166-1 alpha-2 country of the target.", null="no target, or unknown"
        ),
        "place_text": ColumnDoc(
            "Where, as written (the dateline text when place_source = 'dateline', the "
            "headline's words when it is 'title').",
            null="no place found",
        ),
        "place_start_char": ColumnDoc(
            "Start of place_text.",
            unit=_OFFSET,
            null="no place, a leading dateline, or place_source = 'title'",
        ),
        "place_end_char": ColumnDoc(
            "End of place_text.",
            unit=_OFFSET,
            null="no place, a leading dateline, or place_source = 'title'",
        ),
        "place_source": ColumnDoc(
            "How the place is tied to the event: clause (named in the event's clause) | "
            "sentence (elsewhere in its sentence) | dateline (the article's dateline) | "
            "document (a setting the story gives: its main setting when the event names none "
            "(see place_confidence), the "
            "headline's setting for the headline's event, or a place of the headline or "
            "lead inside the event's place, e.g. a district of its city) | title (such a place "
            "that only the headline names; no offsets).",
            null="no place found",
        ),
        "place_geonameid": ColumnDoc(
            "GeoNames id of the place (places.geonameid).", null="no place, or it did not resolve"
        ),
        "place_name": ColumnDoc("Gazetteer name of the place.", null="unresolved or no place"),
        "place_country": ColumnDoc(
            "ISO 3166-1 alpha-2 country of the place.", null="unresolved or no place"
        ),
        "place_lat": ColumnDoc(
            "Latitude of the place.", unit="degrees, WGS84", null="unresolved or no place"
        ),
        "place_lon": ColumnDoc(
            "Longitude of the place.", unit="degrees, WGS84", null="unresolved or no place"
        ),
        "date_text": ColumnDoc(
            "When, as written ('on Thursday').",
            null="no date expression (also when date_source = 'publication')",
        ),
        "date_start_char": ColumnDoc(
            "Start of date_text.", unit=_OFFSET, null="no date expression (as date_text)"
        ),
        "date_end_char": ColumnDoc(
            "End of date_text.", unit=_OFFSET, null="no date expression (as date_text)"
        ),
        "date_type": ColumnDoc(
            "TIMEX3 type: DATE | TIME (an event is dated only by a point in time, never by a "
            "DURATION or SET); DATE when date_source = 'publication'.",
            null="no date",
        ),
        "date_value": ColumnDoc(
            "TIMEX3 value ('2021-03-18', '2021-W11', 'XXXX-XX-XX' when unresolvable); the "
            "publication date when date_source = 'publication'.",
            null="no date, or the expression could not be read",
        ),
        "date_start": ColumnDoc(
            "First day of the date's interval ('December 2019' starts on 2019-12-01, so only a "
            "day-level date_granularity dates the event to this day); the publication date when "
            "date_source = 'publication'.",
            unit="date",
            null="no date, or not resolved to a calendar interval",
        ),
        "date_end": ColumnDoc(
            "Last day of the date's interval (inclusive); the publication date when "
            "date_source = 'publication'.",
            unit="date",
            null="no date, or not resolved to a calendar interval",
        ),
        "date_granularity": ColumnDoc(
            "time | day | week (also a weekend) | month | quarter (also a half year) | season | "
            "year | decade | century; day when date_source = 'publication'.",
            null="no date, or not resolved",
        ),
        "date_anchor": ColumnDoc(
            "What a relative date was resolved against: publication (also when date_source = "
            "'publication') | previous (an earlier date of the text) | none (an absolute date, "
            "or no publication date to resolve against).",
            null="no date",
        ),
        "date_resolved": ColumnDoc(
            "True when the value is absolute (no 'X' placeholders left); true when date_source "
            "= 'publication'.",
            null="no date",
        ),
        "negated": ColumnDoc("True when the clause is negated ('did not meet')."),
        "modality": ColumnDoc(
            "asserted | planned | hypothetical | reported. 'planned' also covers what is asked "
            "for but not yet done ('urged the government to release them')."
        ),
        "confidence": ColumnDoc(
            "Heuristic completeness of the frame: 0.4 base, more for a named actor, a target, "
            "a place and a date.",
            unit="0..1",
        ),
        "tense": ColumnDoc(
            "Grammatical tense of the predicate: past | present | future.", null="unknown"
        ),
        "reported_by": ColumnDoc(
            "Who reported the event ('X said ...'): canonical name or text.",
            null="not reported speech",
        ),
        "quad_class": ColumnDoc(
            "QuadClass of the event type: neutral | verbal cooperation | material cooperation "
            "| verbal conflict | material conflict | other."
        ),
        "score": ColumnDoc(
            "Salience of the event in its document (position, headline overlap, participants, "
            "completeness).",
            unit="0..1",
        ),
        "rank_in_doc": ColumnDoc("Rank of the event by score in its document (1 = main event)."),
        "date_source": ColumnDoc(
            "Where the event's date comes from: clause | sentence (a time expression there) | "
            "document (the story's date, for an undated event of the lead and for an undated "
            "main event (rank_in_doc 1) wherever it is told: the first explicit day or clock "
            "time within the week before publication that the lead names, else that the text "
            "names, not one a state runs since ('since Wednesday'); without a publication "
            "date, the first explicit day the lead names, unresolved; for a main event named "
            "by a noun, the recent day another mention of that noun is given, 'the bombing "
            "late Thursday') | publication (an undated past or present event: the publication "
            "date stands in, and the date_* columns hold it) | none (an undated event the "
            "text puts before the story's time: 'has previously said', 'an earlier ruling', "
            "'had been declining'; the date_* columns are null and the views count it on no "
            "day).",
            null="no date",
        ),
        "place_confidence": ColumnDoc(
            "How sure the place is, in [0, 1], by how it was tied to the event "
            "(configs/place_confidence.toml): highest when the event's clause names it, "
            "lowest (about 0.3, the share found right by reading) when it is the story's "
            "setting standing in with no participant of the setting's country.",
            null="no place",
        ),
        "actor_all": ColumnDoc(
            "Every conjunct of a coordinated actor, in text order, each by its canonical name "
            "(else as written): 'police and firefighters' gives [police, firefighters] on "
            "both rows, one per conjunct (actor_* is this row's conjunct).",
            null="the actor is no coordination (or there is none)",
        ),
        "target_all": ColumnDoc(
            "Every conjunct of a coordinated target, as actor_all is of the actor.",
            null="the target is no coordination (or there is none)",
        ),
        "run_id": _RUN_ID,
        "extractor_version": _VERSION,
    },
    "mentions": {
        "mention_id": ColumnDoc("Stable id from the document, offsets and label; the key."),
        "doc_id": ColumnDoc("Document of the mention (documents.doc_id)."),
        "sentence_index": ColumnDoc("0-based index of the sentence holding the mention."),
        "start_char": ColumnDoc("Start of the mention.", unit=_OFFSET),
        "end_char": ColumnDoc("End of the mention.", unit=_OFFSET),
        "text": ColumnDoc("The mention as written."),
        "label": ColumnDoc(
            "spaCy entity label (PERSON, ORG, GPE, LOC, FAC, NORP, ...), GAZ for a toponym found "
            "in the gazetteer rather than by spaCy, or TIMEX3 type (DATE, TIME, DURATION, SET) "
            "for time expressions."
        ),
        "geonameid": ColumnDoc(
            "GeoNames id of a toponym (places.geonameid).", null="not a toponym, or unresolved"
        ),
        "country_code": ColumnDoc(
            "ISO 3166-1 alpha-2 country of a resolved toponym.", null="not a resolved toponym"
        ),
        "lat": ColumnDoc(
            "Latitude of a resolved toponym.", unit="degrees, WGS84", null="not a resolved toponym"
        ),
        "lon": ColumnDoc(
            "Longitude of a resolved toponym.", unit="degrees, WGS84", null="not a resolved toponym"
        ),
        "date_value": ColumnDoc(
            "TIMEX3 value of a time expression.", null="not a time expression, or unreadable"
        ),
        "run_id": _RUN_ID,
        "extractor_version": _VERSION,
    },
    "places": {
        "geonameid": ColumnDoc("GeoNames id; the key."),
        "name": ColumnDoc("Gazetteer name."),
        "country_code": ColumnDoc(
            "ISO 3166-1 alpha-2 country.", null="not inside one country (oceans, regions)"
        ),
        "admin1": ColumnDoc("First-level administrative division code.", null="unknown or n/a"),
        "lat": ColumnDoc("Latitude.", unit="degrees, WGS84"),
        "lon": ColumnDoc("Longitude.", unit="degrees, WGS84"),
        "feature_class": ColumnDoc("GeoNames feature class (P populated place, A admin, ...)."),
        "feature_code": ColumnDoc("GeoNames feature code (PPLC capital, PCLI country, ...)."),
        "population": ColumnDoc("Population from the gazetteer (0 when unknown).", unit="people"),
    },
    "story_members": {
        "doc_id": ColumnDoc("The document (documents.doc_id); the key."),
        "story_id": ColumnDoc(
            "The story: the doc_id of its first document. Given once, never changed: a "
            "reprocessed document keeps its story."
        ),
        "similarity": ColumnDoc(
            "Mean cosine similarity of the document's title-and-lead TF-IDF vector to the "
            "story's documents when it joined (1.0 for the document that started the story).",
            unit="cosine, 0-1",
        ),
        "dup_of": ColumnDoc(
            "The earliest document of the same story this one nearly repeats (a reprint or "
            "light rewrite: word 5-shingle Jaccard >= [stories] duplicate_jaccard).",
            null="not a near-duplicate of an earlier document",
        ),
        "dup_jaccard": ColumnDoc(
            "Estimated Jaccard similarity (MinHash, 64 permutations) to dup_of.",
            unit="0-1",
            null="no dup_of",
        ),
        "run_id": _RUN_ID,
    },
    "rejects": {
        "reject_id": ColumnDoc("Stable id from source_uri, record_no and code; the key."),
        "run_id": _RUN_ID,
        "source_uri": ColumnDoc("Path of the input (file, sidecar or directory entry)."),
        "record_no": ColumnDoc("Line number (1-based) in a .jsonl file.", null="a whole file"),
        "doc_id": ColumnDoc(
            "sha256 of the text when it could be read.", null="the text could not be read"
        ),
        "code": ColumnDoc(
            "Stable reason code: E1xx for bad input, E201 for a failed extraction (see the reject "
            "codes below)."
        ),
        "reason": ColumnDoc("Short name of the code ('empty', 'binary', ...)."),
        "detail": ColumnDoc("Readable explanation naming what was wrong."),
        "rejected_at": ColumnDoc("When the input was rejected.", unit="timestamp, UTC"),
    },
    "runs": {
        "run_id": ColumnDoc("Sortable run id: UTC start time plus a random suffix; the key."),
        "started_at": ColumnDoc("Run start.", unit="timestamp, UTC"),
        "finished_at": ColumnDoc("When the run's Parquet was committed.", unit="timestamp, UTC"),
        "status": ColumnDoc("completed (only committed runs have a row)."),
        "inputs": ColumnDoc("JSON list of the paths given to the run."),
        "inputs_seen": ColumnDoc(
            "Inputs seen (files, JSONL lines); = docs_loaded + docs_skipped + docs_rejected.",
            unit="inputs",
        ),
        "docs_loaded": ColumnDoc("Documents extracted and written by this run.", unit="documents"),
        "docs_skipped": ColumnDoc(
            "Inputs skipped: already loaded by the same extractor version, or repeated in the run.",
            unit="inputs",
        ),
        "docs_rejected": ColumnDoc("Inputs rejected (rows in `rejects`).", unit="inputs"),
        "n_events": ColumnDoc("Event rows written.", unit="events"),
        "n_mentions": ColumnDoc("Mention rows written.", unit="mentions"),
        "extractor_version": ColumnDoc("Extractor version of the run."),
        "model": ColumnDoc("spaCy pipeline used."),
        "timings_json": ColumnDoc(
            "JSON object: seconds per stage: ingest, extract (whole batches), its parts "
            "extract.parse / .places / .dates / .events / .rows / .arrow / .parquet, commit."
        ),
    },
}

_ARROW_TYPES: dict[object, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.date: pa.date32(),
    dt.datetime: pa.timestamp("us", tz="UTC"),
}


def _arrow_field(name: str, annotation: object) -> pa.Field:
    args = typing.get_args(annotation)
    nullable = isinstance(annotation, types.UnionType) and type(None) in args
    base = next(a for a in args if a is not type(None)) if nullable else annotation
    if typing.get_origin(base) is tuple:  # tuple[str, ...]: a list column
        return pa.field(name, pa.list_(_ARROW_TYPES[typing.get_args(base)[0]]), nullable=nullable)
    return pa.field(name, _ARROW_TYPES[base], nullable=nullable)


def schema_of(record: type) -> pa.Schema:
    """Arrow schema for a record dataclass, with the schema version in its metadata."""
    hints = typing.get_type_hints(record)
    return pa.schema(
        [_arrow_field(f.name, hints[f.name]) for f in dataclasses.fields(record)],
        metadata={"event_etl.schema_version": str(SCHEMA_VERSION)},
    )


def to_table(record: type, rows: typing.Sequence[object]) -> pa.Table:
    """Column-wise Arrow table from records of one type (no per-row dicts)."""
    schema = schema_of(record)
    columns = [list(map(operator.attrgetter(name), rows)) for name in schema.names]
    return pa.Table.from_arrays(
        [pa.array(col, type=field.type) for col, field in zip(columns, schema, strict=True)],
        schema=schema,
    )


def builder(record: type[R]) -> typing.Callable[..., R]:
    """A constructor for a frozen record class, taking the same arguments, several times
    faster than calling the class, for the rows built once per event or mention.

    A frozen dataclass's __init__ sets every field through object.__setattr__, ten times the
    cost of plain assignment (BENCHMARKS.md, "Row builder"). The builder fills a mutable
    twin of the class (same fields, defaults and slots, in the same order) and then gives
    the object the record's class, so what it returns is an ordinary instance of `record`:
    frozen, equal to and hashing like `record(...)` with the same arguments (a test checks).
    """
    twin = dataclasses.make_dataclass(
        f"_{record.__name__}Draft",
        [
            (
                f.name,
                f.type,
                dataclasses.field(default=f.default, default_factory=f.default_factory),
            )
            for f in dataclasses.fields(record)  # type: ignore[arg-type]
        ],
        slots=True,
    )

    def build(*args: object, **kwargs: object) -> R:
        row = twin(*args, **kwargs)
        row.__class__ = record
        return row  # type: ignore[return-value]

    build.__doc__ = f"{record.__name__}(...), built without per-field object.__setattr__."
    return build


def stable_id(*parts: object) -> str:
    """Deterministic row id from its identifying parts: a re-run yields the same ids."""
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:24]
