"""The analyst views: which day an event is counted on, and what the view says about it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import pytest

from extractors.records import DocumentRow, EventRow, to_table
from tests.warehouse._rows import document_row
from warehouse.duck import ensure_schema

PUBLISHED = dt.date(2021, 3, 18)


def _document(doc_id: str, published: dt.date | None) -> DocumentRow:
    return document_row(
        doc_id,
        published=published,
        version="test",
        source_uri=f"{doc_id}.txt",
        text="Some text.",
        n_tokens=2,
        n_events=1,
    )


def _event(event_id: str, doc_id: str = "d1", **date: object) -> EventRow:
    row = EventRow(
        event_id=event_id,
        doc_id=doc_id,
        sentence_index=0,
        sentence_start_char=0,
        sentence_end_char=10,
        sentence_text="Some text.",
        actor_text=None,
        actor_start_char=None,
        actor_end_char=None,
        actor_canonical="Seoul",
        actor_type="government",
        actor_country="KR",
        predicate_text="met",
        predicate_lemma="meet",
        predicate_start_char=0,
        predicate_end_char=3,
        phrase_text=None,
        phrase_end_char=None,
        event_type="CONSULT",
        object_text=None,
        target_text=None,
        target_start_char=None,
        target_end_char=None,
        target_canonical="Tokyo",
        target_type="government",
        target_country="JP",
        place_text=None,
        place_start_char=None,
        place_end_char=None,
        place_source=None,
        place_geonameid=None,
        place_name=None,
        place_country="KR",
        place_lat=None,
        place_lon=None,
        date_text=None,
        date_start_char=None,
        date_end_char=None,
        date_type=None,
        date_value=None,
        date_start=None,
        date_end=None,
        date_granularity=None,
        date_anchor=None,
        date_resolved=None,
        negated=False,
        modality="asserted",
        confidence=0.5,
        tense="past",
        reported_by=None,
        quad_class="verbal cooperation",
        score=0.5,
        rank_in_doc=1,
        date_source=None,
        place_confidence=None,
        actor_all=None,
        target_all=None,
        run_id="r1",
        extractor_version="test",
    )
    return dataclasses.replace(row, **date)  # type: ignore[arg-type]


def _dated(value: str, start: dt.date, end: dt.date, granularity: str, source: str) -> dict:
    return {
        "date_type": "DATE",
        "date_value": value,
        "date_start": start,
        "date_end": end,
        "date_granularity": granularity,
        "date_anchor": "publication",
        "date_resolved": True,
        "date_source": source,
    }


# (event_id, date columns, expected event_date, event_date_source, event_date_granularity)
CASES = [
    (
        "on-tuesday",
        _dated("2021-03-16", dt.date(2021, 3, 16), dt.date(2021, 3, 16), "day", "clause"),
        dt.date(2021, 3, 16),
        "text",
        "day",
    ),
    (
        "at-noon",
        _dated("2021-03-17T12:00", dt.date(2021, 3, 17), dt.date(2021, 3, 17), "time", "sentence"),
        dt.date(2021, 3, 17),
        "text",
        "time",
    ),
    (
        "in-december",
        _dated("2020-12", dt.date(2020, 12, 1), dt.date(2020, 12, 31), "month", "clause"),
        None,
        None,
        "month",
    ),
    (
        "before-the-summer",
        _dated("2020-SU", dt.date(2020, 6, 1), dt.date(2020, 8, 31), "season", "clause"),
        None,
        None,
        "season",
    ),
    (
        "this-century",
        _dated("20", dt.date(2000, 1, 1), dt.date(2099, 12, 31), "century", "document"),
        None,
        None,
        "century",
    ),
    (
        "undated",
        _dated("2021-03-18", PUBLISHED, PUBLISHED, "day", "publication"),
        PUBLISHED,
        "published",
        None,
    ),
    ("no-date-at-all", {}, PUBLISHED, "published", None),
    # "has previously said": before the story's time, by how much the text does not say
    ("marked-earlier", {"date_source": "none"}, None, None, None),
]


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "views.duckdb"))
    ensure_schema(connection)
    documents = to_table(DocumentRow, [_document("d1", PUBLISHED), _document("d2", None)])
    events = to_table(
        EventRow,
        [_event(event_id, **date) for event_id, date, *_ in CASES]
        + [
            _event(
                "undated-vague",
                "d2",
                **_dated("2020-12", dt.date(2020, 12, 1), dt.date(2020, 12, 31), "month", "clause"),
            ),
            _event(
                "undated-day",
                "d2",
                **_dated("2020-12-02", dt.date(2020, 12, 2), dt.date(2020, 12, 2), "day", "clause"),
            ),
        ],
    )
    connection.register("new_documents", documents)
    connection.register("new_events", events)
    connection.execute("INSERT INTO documents SELECT * FROM new_documents")
    connection.execute("INSERT INTO events SELECT * FROM new_events")
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("event_id", "expected"), [(c[0], c[2:]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_event_date_is_the_texts_day_else_none_or_the_publication_date(con, event_id, expected):
    got = con.execute(
        "SELECT event_date, event_date_source, event_date_granularity FROM events_resolved "
        "WHERE event_id = ?",
        [event_id],
    ).fetchone()
    assert got == expected


def test_without_a_publication_date_only_a_day_of_the_text_dates_the_event(con):
    got = con.execute(
        "SELECT event_id, event_date, event_date_source, event_date_granularity "
        "FROM events_resolved WHERE doc_id = 'd2' ORDER BY event_id"
    ).fetchall()
    assert got == [
        ("undated-day", dt.date(2020, 12, 2), "text", "day"),
        ("undated-vague", None, None, "month"),
    ]


def test_daily_counts_count_vague_dates_on_no_day(con):
    got = con.execute(
        "SELECT day, n_events, n_dated_in_text FROM daily_counts WHERE country = 'KR' ORDER BY day"
    ).fetchall()
    # Nothing lands on the first day of December, of the summer or of the century, nor on
    # the publication day: only the undated events are counted there.
    assert got == [
        (dt.date(2020, 12, 2), 1, 1),
        (dt.date(2021, 3, 16), 1, 1),
        (dt.date(2021, 3, 17), 1, 1),
        (PUBLISHED, 2, 0),
    ]


def test_monthly_pairs_and_first_last_dates_use_the_same_event_date(con):
    months = con.execute(
        "SELECT month, sum(n_events) FROM actor_pairs_monthly GROUP BY ALL ORDER BY month"
    ).fetchall()
    assert months == [(dt.date(2020, 12, 1), 1), (dt.date(2021, 3, 1), 4)]
    pair = con.execute("SELECT n_events, first_date, last_date FROM actor_pairs").fetchone()
    assert pair == (10, dt.date(2020, 12, 2), PUBLISHED)
