"""Minimal hand-built rows for warehouse tests that need no NLP."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from extractors.records import DocumentRow, RunRow, to_table

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def document_row(
    doc_id: str,
    *,
    run_id: str = "r1",
    published: dt.date | None = None,
    version: str = "v1",
    source_uri: str = "src",
    text: str = "x",
    n_tokens: int = 1,
    n_events: int = 0,
) -> DocumentRow:
    """A documents row with only what a warehouse test varies; the rest empty."""
    return DocumentRow(
        doc_id=doc_id,
        source_uri=source_uri,
        record_no=None,
        source_id=None,
        title=None,
        url=None,
        source=None,
        published=published,
        published_from="metadata" if published else "none",
        dateline=None,
        dateline_geonameid=None,
        dateline_country=None,
        n_chars=len(text),
        n_tokens=n_tokens,
        n_sentences=1,
        n_events=n_events,
        text=text,
        run_id=run_id,
        extractor_version=version,
    )


def runs_table(run_id: str) -> pa.Table:
    """A completed run's `runs` row, as a commit writes it."""
    row = RunRow(run_id, NOW, NOW, "completed", "[]", 1, 1, 0, 0, 0, 0, "v1", "m", "{}")
    return to_table(RunRow, [row])
