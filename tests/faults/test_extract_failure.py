"""A bug while building one document's rows rejects that document (E201); the run goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
BROKEN = "001_dateline_nairobi.txt"


def _docs(out: Path) -> set[str]:
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        return {uri for (uri,) in con.execute("SELECT source_uri FROM documents").fetchall()}
    finally:
        con.close()


def test_a_document_whose_extraction_raises_is_rejected_and_retried(
    prefect_harness, tmp_path, monkeypatch
):
    from extractors.pipeline import Extractor
    from flows.etl import etl_run

    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    out = tmp_path / "out"
    original = Extractor.extract_doc

    def fails_on_one(self, doc, article, **kwargs):  # a stand-in for a bug on one input
        if article.source_uri.endswith(BROKEN):
            raise ZeroDivisionError("division by zero in a test")
        return original(self, doc, article, **kwargs)

    monkeypatch.setattr(Extractor, "extract_doc", fails_on_one)
    first = etl_run(paths=[str(seeds)], out=str(out))
    assert first["docs_rejected"] == 1
    assert first["docs_loaded"] == first["inputs_seen"] - 1 > 0
    assert not any(uri.endswith(BROKEN) for uri in _docs(out))
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        rejects = con.execute(
            "SELECT code, reason, detail, doc_id, source_uri FROM rejects"
        ).fetchall()
        orphans = con.execute(
            "SELECT count(*) FROM events WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
        ).fetchone()
    finally:
        con.close()
    [(code, reason, detail, doc_id, uri)] = rejects
    assert (code, reason) == ("E201", "extraction_failed")
    assert detail == "ZeroDivisionError: division by zero in a test"
    assert doc_id and uri.endswith(BROKEN)
    assert orphans == (0,)
    assert list((out / "parquet" / "rejects").glob("*.parquet"))  # readable beside DuckDB

    monkeypatch.setattr(Extractor, "extract_doc", original)  # the bug is fixed
    second = etl_run(paths=[str(seeds)], out=str(out))
    assert (second["docs_loaded"], second["docs_rejected"]) == (1, 0)
    assert second["docs_skipped"] == first["docs_loaded"]
    assert any(uri.endswith(BROKEN) for uri in _docs(out))
    # Its story was given when it first arrived: the retry keeps it, and it is neither
    # counted twice nor a near-duplicate of itself.
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        members = con.execute(
            "SELECT m.story_id, m.dup_of, m.doc_id FROM story_members m JOIN documents d "
            "USING (doc_id) WHERE d.source_uri LIKE ?",
            [f"%{BROKEN}"],
        ).fetchall()
    finally:
        con.close()
    [(story_id, dup_of, doc_id_now)] = members
    assert story_id == doc_id_now and dup_of is None
