"""Helpers of the fault suite: warehouse snapshots and CLI runs in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.dataset as ds

from tests.conftest import REPO

# Columns that differ between two runs of the same inputs by design.
VOLATILE = {"run_id", "rejected_at"}
DATA_TABLES = ("documents", "events", "mentions", "places", "rejects")
KEYS = {"documents": "doc_id", "events": "event_id", "mentions": "mention_id"}


def _stable(columns: list[str], rows: list[tuple]) -> list[tuple]:
    keep = [i for i, c in enumerate(columns) if c not in VOLATILE]
    # A list cell (events.actor_all) becomes a tuple, so rows can be compared as a set.
    return sorted(
        (
            tuple(tuple(v) if isinstance(v, list) else v for v in (row[i] for i in keep))
            for row in rows
        ),
        key=repr,
    )


def duck_snapshot(out: Path) -> dict[str, list[tuple]]:
    """Every data table's rows, minus run ids and timestamps, in a canonical order."""
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        snapshot = {}
        for table in DATA_TABLES:
            cursor = con.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            snapshot[table] = _stable(columns, cursor.fetchall())
        return snapshot
    finally:
        con.close()


def parquet_snapshot(out: Path) -> dict[str, list[tuple]]:
    """The same from the Parquet files (partition columns left out)."""
    snapshot = {}
    for table in DATA_TABLES:
        path = out / "parquet" / table
        if not path.exists():
            snapshot[table] = []
            continue
        data = ds.dataset(path, format="parquet", partitioning="hive").to_table()
        partition = [c for c in ("published_year", "published_month") if c in data.column_names]
        data = data.drop_columns(partition)
        rows = [tuple(r.values()) for r in data.to_pylist()]
        snapshot[table] = _stable(data.column_names, rows)
    return snapshot


def run_cli(
    args: list[str], *, fault: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """`python -m flows.cli ARGS` in a subprocess against the test harness's Prefect server."""
    from prefect.settings import get_current_settings

    env = {k: v for k, v in os.environ.items() if k != "EVENT_ETL_FAULT"}
    env["PREFECT_API_URL"] = str(get_current_settings().api.url)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    if fault:
        env["EVENT_ETL_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
