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
import types
import typing
from dataclasses import dataclass

import pyarrow as pa

SCHEMA_VERSION = 1


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
}

# Key column of each table: rows a run writes replace older rows with the same key, so a
# re-run never appends duplicates. `places` is one deduplicated file, rewritten per run.
KEYS: dict[str, str] = {
    "documents": "doc_id",
    "events": "doc_id",
    "mentions": "doc_id",
    "places": "geonameid",
    "rejects": "reject_id",
    "runs": "run_id",
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
    columns = [[getattr(r, name) for r in rows] for name in schema.names]
    return pa.Table.from_arrays(
        [pa.array(col, type=field.type) for col, field in zip(columns, schema, strict=True)],
        schema=schema,
    )


def stable_id(*parts: object) -> str:
    """Deterministic row id from its identifying parts: a re-run yields the same ids."""
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:24]
