"""Stories in the warehouse: the same stories whether documents come in one run or many."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from flows.etl import etl_run
from tests.extractors.test_stories import DOCS, EXPECTED_STORIES


def _write(path, docs):
    with open(path, "w", encoding="utf-8") as out:
        for doc_id, day, title, text in docs:
            published = dt.date.fromordinal(day).isoformat()
            out.write(
                json.dumps(
                    {
                        "id": doc_id,
                        "title": title,
                        "text": text,
                        "published": published,
                        "source": f"outlet-{doc_id}",
                    }
                )
                + "\n"
            )


def _stories(out):
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        members = dict(
            con.execute(
                "select d.source_id, m.story_id from story_members m join documents d using "
                "(doc_id)"
            ).fetchall()
        )
        ids = dict(con.execute("select doc_id, source_id from documents").fetchall())
        view = con.execute(
            "select n_documents, n_sources from stories order by n_documents desc, story_id"
        ).fetchall()
        tagged = con.execute(
            "select count(*) from events_resolved where story_id is null"
        ).fetchone()[0]
    finally:
        con.close()
    return {k: ids[v] for k, v in members.items()}, view, tagged


def test_one_run_and_one_run_per_document_give_the_same_stories(prefect_harness, tmp_path):
    whole = tmp_path / "whole.jsonl"
    _write(whole, DOCS)
    assert etl_run(paths=[str(whole)], out=str(tmp_path / "one"))["docs_loaded"] == 6
    for i, doc in enumerate(DOCS):
        part = tmp_path / f"part{i}.jsonl"
        _write(part, [doc])
        etl_run(paths=[str(part)], out=str(tmp_path / "many"))
    one, one_view, untagged = _stories(tmp_path / "one")
    assert one == EXPECTED_STORIES
    assert one_view == [(2, 2), (2, 2), (2, 2)] and untagged == 0
    assert _stories(tmp_path / "many") == _stories(tmp_path / "one")
    # A re-run of everything adds nothing and changes no story.
    summary = etl_run(paths=[str(whole)], out=str(tmp_path / "many"))
    assert summary["docs_loaded"] == 0
    assert _stories(tmp_path / "many")[0] == one


def test_a_reprint_is_a_near_duplicate_and_its_events_the_same_happenings(
    prefect_harness, tmp_path
):
    report = (
        "SANTIAGO, Chile — Rescue teams pulled 12 survivors from collapsed houses in Valdivia "
        "on Monday after a strong earthquake struck southern Chile, the interior ministry said. "
        "President Gabriel Boric visited the city and promised reconstruction aid to the "
        "families who lost their homes."
    )
    reprint = report + " (Reporting by wire staff.)"  # the same text with a credit line
    source = tmp_path / "in.jsonl"
    with open(source, "w", encoding="utf-8") as out:
        for n, (doc_id, text) in enumerate([("wire", report), ("paper", reprint)]):
            record = {
                "id": doc_id,
                "title": "Rescuers pull survivors from Chile quake rubble",
                "published": "2024-03-04",
                "source": f"outlet-{n}",
                "text": text,
            }
            out.write(json.dumps(record) + "\n")
    out_dir = tmp_path / "out"
    etl_run(paths=[str(source)], out=str(out_dir))
    con = duckdb.connect(str(out_dir / "events.duckdb"), read_only=True)
    try:
        dup = con.execute(
            "select d.source_id, f.source_id, m.dup_jaccard > 0.8 from story_members m "
            "join documents d using (doc_id) left join documents f on f.doc_id = m.dup_of "
            "order by 1"
        ).fetchall()
        story = con.execute(
            "select n_documents, n_distinct_documents, n_sources from stories"
        ).fetchall()
        shared = con.execute(
            "select count(*) from event_clusters where n_documents = 2 and n_sources = 2"
        ).fetchone()[0]
        events = con.execute("select count(*) from events").fetchone()[0]
        happenings = con.execute("select count(*) from event_clusters").fetchone()[0]
    finally:
        con.close()
    assert dup == [("paper", "wire", True), ("wire", None, None)]
    assert story == [(2, 1, 2)]
    assert shared >= 2  # the rescue and the visit, told by both outlets
    assert happenings < events
