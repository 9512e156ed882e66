"""The event-etl command line, called in-process."""

import json

import pytest

from flows.cli import main
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def warehouse(prefect_harness, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    assert main(["run", str(SEEDS / "003_batch.jsonl"), "--out", str(out)]) == 0
    return out


def test_run_prints_a_summary(warehouse, capsys):
    assert main(["run", str(SEEDS / "003_batch.jsonl"), "--out", str(warehouse)]) == 0
    printed = capsys.readouterr().out
    assert "3 inputs -> 0 documents loaded, 3 skipped" in printed


def test_query_table_csv_json(warehouse, capsys):
    sql = "select count(*) as n from documents"
    assert main(["query", sql, "--out", str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines()[2].strip() == "3"
    assert main(["query", sql, "--out", str(warehouse), "--format", "csv"]) == 0
    assert capsys.readouterr().out.split() == ["n", "3"]
    assert main(["query", sql, "--out", str(warehouse), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"n": 3}


def test_query_cannot_write(warehouse):
    import duckdb

    with pytest.raises(duckdb.Error):
        main(["query", "delete from events", "--out", str(warehouse)])


def test_query_without_warehouse_is_a_clear_error(tmp_path, capsys):
    assert main(["query", "select 1", "--out", str(tmp_path)]) == 2
    assert "E402" in capsys.readouterr().err


def test_views_answer(warehouse, capsys):
    assert (
        main(
            [
                "query",
                "select count(*) from events_resolved",
                "--out",
                str(warehouse),
                "--format",
                "csv",
            ]
        )
        == 0
    )
    n = int(capsys.readouterr().out.split()[-1])
    assert n > 0
    sql = "select count(*) from events_near(30.04, 31.24, 50)"  # within 50 km of Cairo
    assert main(["query", sql, "--out", str(warehouse), "--format", "csv"]) == 0
    assert int(capsys.readouterr().out.split()[-1]) >= 0


def test_rebuild_gives_the_same_counts(warehouse, capsys):
    sql = "select (select count(*) from events) || '/' || (select count(*) from mentions)"
    main(["query", sql, "--out", str(warehouse), "--format", "csv"])
    before = capsys.readouterr().out.split()[-1]
    assert main(["rebuild", "--out", str(warehouse)]) == 0
    capsys.readouterr()
    main(["query", sql, "--out", str(warehouse), "--format", "csv"])
    assert capsys.readouterr().out.split()[-1] == before
