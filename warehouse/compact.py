"""Load stage: compaction, merging the small Parquet files that incremental runs leave.

Every run writes a file per batch and partition, so a warehouse fed every 15 minutes grows
thousands of small files per partition. `compact` merges, per table and partition, the
files smaller than `[warehouse] compact_target_mb` into files of about that size (the store
does the crash-safe swap). The DuckDB tables hold copies of the rows, loaded per run, so
compaction leaves them alone; it only merges files of runs DuckDB has loaded, so the next
run still finds the files of a run that is committed but not loaded yet under its own name.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from warehouse.duck import connect_reader, loaded_runs
from warehouse.store import KEYED_TABLES, ParquetStore, run_of, warehouse_lock

COMPACTED_TABLES = KEYED_TABLES  # places is one file already; runs files mark commits


@dataclass(frozen=True)
class TableCompaction:
    """What compacting one table did (or, in a dry run, would do)."""

    table: str
    files_before: int
    files_after: int
    rows_before: int
    rows_after: int
    bytes_before: int
    bytes_after: int
    seconds: float
    kept_unloaded: int = 0  # files of runs DuckDB has not loaded yet, left as they are


def plan_groups(
    files: Sequence[Path], *, target_bytes: int, eligible_runs: set[str] | None
) -> list[list[Path]]:
    """Groups of two or more files of one partition to merge, each about target_bytes.

    A file counts when it is below target_bytes and its run is eligible (None: every run).
    Files are taken in path order (run order), so merged files keep the rows' run order.
    """
    by_partition: dict[Path, list[Path]] = {}
    for path in sorted(files):
        if eligible_runs is not None and run_of(path) not in eligible_runs:
            continue
        if path.stat().st_size < target_bytes:
            by_partition.setdefault(path.parent, []).append(path)
    groups: list[list[Path]] = []
    for small in by_partition.values():
        group: list[Path] = []
        size = 0
        for path in small:
            group.append(path)
            size += path.stat().st_size
            if size >= target_bytes:
                groups.append(group)
                group, size = [], 0
        groups.append(group)
    return [g for g in groups if len(g) > 1]


def _rows(files: Sequence[Path]) -> int:
    return sum(pq.read_metadata(p).num_rows for p in files)


def _bytes(files: Sequence[Path]) -> int:
    return sum(p.stat().st_size for p in files)


def _loaded_runs(database: Path) -> set[str] | None:
    """Runs the DuckDB file has loaded; None when there is no database yet (all count)."""
    if not database.exists():
        return None
    con = connect_reader(database)
    try:
        return loaded_runs(con)
    finally:
        con.close()


def compact(
    out: Path,
    *,
    database: Path,
    target_bytes: int,
    timeout_s: float,
    tables: Sequence[str] = COMPACTED_TABLES,
    dry_run: bool = False,
) -> list[TableCompaction]:
    """Merge each table's small files per partition; returns a summary per table.

    Holds the run lock (waits up to timeout_s for a run, then E404) and first recovers what
    a crashed run or compaction left. A dry run takes no lock and changes nothing.

    Raises:
        ValueError: a table that is not compacted.
        LoadError: E404 (a run holds the lock), E403 (DuckDB stays locked), E406 (row
            counts of a merged file differ from its sources; nothing changed).
    """
    unknown = set(tables) - set(COMPACTED_TABLES)
    if unknown:
        raise ValueError(f"cannot compact {sorted(unknown)}: choose from {COMPACTED_TABLES}")
    store = ParquetStore(out)
    if dry_run:
        return _compact_tables(store, database, target_bytes, tables, dry_run=True)
    with warehouse_lock(out, timeout_s=timeout_s):
        store.recover()
        return _compact_tables(store, database, target_bytes, tables, dry_run=False)


def _compact_tables(
    store: ParquetStore,
    database: Path,
    target_bytes: int,
    tables: Sequence[str],
    *,
    dry_run: bool,
) -> list[TableCompaction]:
    eligible = _loaded_runs(database)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    results = []
    for table in tables:
        started = time.perf_counter()
        before = store.files(table)
        groups = plan_groups(before, target_bytes=target_bytes, eligible_runs=eligible)
        kept = 0 if eligible is None else sum(run_of(p) not in eligible for p in before)
        rows_before, bytes_before = _rows(before), _bytes(before)
        if dry_run:
            merged = [p for g in groups for p in g]
            files_after = len(before) - len(merged) + len(groups)
            bytes_after = bytes_before
            rows_after = rows_before
        else:
            if groups:
                store.compact(f"compact-{stamp}-{table}", table, groups)
            after = store.files(table)
            files_after, rows_after, bytes_after = len(after), _rows(after), _bytes(after)
        results.append(
            TableCompaction(
                table,
                len(before),
                files_after,
                rows_before,
                rows_after,
                bytes_before,
                bytes_after,
                round(time.perf_counter() - started, 3),
                kept,
            )
        )
    return results
