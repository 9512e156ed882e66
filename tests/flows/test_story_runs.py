"""Stories in the warehouse: the same stories whether documents come in one run or many."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from flows.etl import etl_run
from tests.extractors.test_stories import DOCS


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
    assert one == {
        "quake-1": "quake-1",
        "quake-2": "quake-1",
        "vote-1": "vote-1",
        "vote-2": "vote-1",
        "strike-1": "strike-1",
        "strike-2": "strike-1",
    }
    assert one_view == [(2, 2), (2, 2), (2, 2)] and untagged == 0
    assert _stories(tmp_path / "many") == _stories(tmp_path / "one")
    # A re-run of everything adds nothing and changes no story.
    summary = etl_run(paths=[str(whole)], out=str(tmp_path / "many"))
    assert summary["docs_loaded"] == 0
    assert _stories(tmp_path / "many")[0] == one
