"""Security: `event-etl query` is read-only and cannot reach files outside the warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def warehouse(prefect_harness, tmp_path_factory):
    out = tmp_path_factory.mktemp("secure")
    assert main(["run", str(SEEDS / "002_no_date.txt"), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM events",
        "INSERT INTO runs SELECT * FROM runs",
        "DROP TABLE documents",
        "CREATE TABLE x (a INT)",
        "COPY documents TO '/tmp/event-etl-leak.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "ATTACH '/tmp/event-etl-other.duckdb' AS other",
        "INSTALL httpfs",
        "SET enable_external_access = true",
    ],
)
def test_query_cannot_write_or_reach_outside(warehouse, sql, tmp_path, capsys):
    # Refused by DuckDB, reported as one coded line (E405), not a traceback.
    assert main(["query", sql, "--out", str(warehouse)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("event-etl: error E405: ")
    assert not Path("/tmp/event-etl-leak.csv").exists()
    assert not Path("/tmp/event-etl-other.duckdb").exists()


def test_query_writes_parquet_only_where_asked(warehouse, tmp_path, capsys):
    import pyarrow.parquet as pq

    target = tmp_path / "docs.parquet"
    assert (
        main(
            [
                "query",
                "SELECT doc_id FROM documents",
                "--out",
                str(warehouse),
                "--format",
                "parquet",
                "--output",
                str(target),
            ]
        )
        == 0
    )
    assert pq.read_table(target).num_rows == 1
    assert main(["query", "SELECT 1", "--out", str(warehouse), "--format", "parquet"]) == 2
    assert "E011" in capsys.readouterr().err
