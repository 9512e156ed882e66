"""End to end: the Prefect flow over seeds/ into a temporary warehouse, under a test harness."""

import json
import shutil

import duckdb
import pyarrow.dataset as ds
import pytest

from tests.conftest import REPO, SEEDS

TABLES = ("documents", "events", "mentions", "places", "rejects", "runs")


@pytest.fixture(scope="module")
def first_run(prefect_harness, tmp_path_factory):
    from flows.etl import etl_run

    inputs = tmp_path_factory.mktemp("inputs")
    shutil.copytree(SEEDS, inputs / "seeds")
    (inputs / "seeds" / "broken.jsonl").write_text('{"text": "Fine line."}\n{oops\n')
    # The same text twice in one run is loaded once.
    shutil.copy(SEEDS / "002_no_date.txt", inputs / "seeds" / "repeat.txt")
    out = tmp_path_factory.mktemp("warehouse")
    summary = etl_run(paths=[str(inputs / "seeds")], out=str(out))
    return inputs, out, summary


def _counts(out):
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def test_every_input_is_accounted_for(first_run):
    _, _, summary = first_run
    # 10 seed articles (3 in the JSONL, 2 in the feed, 1 page in the archive) + a repeated
    # text + a JSONL with a good and a bad line.
    assert summary["inputs_seen"] == 13
    assert summary["docs_loaded"] == 11
    assert summary["docs_rejected"] == 1
    assert summary["docs_skipped"] == 1
    assert (
        summary["inputs_seen"]
        == summary["docs_loaded"] + summary["docs_skipped"] + summary["docs_rejected"]
    )


def test_parquet_read_back_matches_duckdb(first_run):
    _, out, _ = first_run
    counts = _counts(out)
    for table in TABLES:
        dataset = ds.dataset(out / "parquet" / table, format="parquet")
        assert dataset.count_rows() == counts[table], table
    assert counts["events"] > 20
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    reason = con.execute("select code, reason from rejects").fetchall()
    con.close()
    assert reason == [("E104", "invalid_json")]


def _matches(row, expected):
    for column, value in expected.items():
        if column == "what":
            continue
        allowed = value if isinstance(value, list) else [value]
        if row.get(column) not in allowed:
            return False
    return True


def test_seed_article_golden_events(first_run):
    _, out, _ = first_run
    golden = json.loads((REPO / "tests" / "golden" / "seed_events.json").read_text())
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    cursor = con.execute(
        "select e.* from events e join documents d using (doc_id)"
        " where d.published = date '2021-03-18'"
    )
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
    con.close()
    for expected in golden["must_contain"]:
        assert any(_matches(r, expected) for r in rows), expected["what"]


def test_rerun_adds_no_rows(first_run):
    from flows.etl import etl_run

    inputs, out, _ = first_run
    before = _counts(out)
    summary = etl_run(paths=[str(inputs / "seeds")], out=str(out))
    after = _counts(out)
    assert summary["docs_loaded"] == 0
    assert summary["docs_skipped"] == before["documents"] + 1  # + the repeated text
    assert {t: after[t] for t in TABLES if t != "runs"} == {
        t: before[t] for t in TABLES if t != "runs"
    }
    assert after["runs"] == before["runs"] + 1
