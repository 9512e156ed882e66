"""Load stage: the Parquet store, the durable source of truth of the warehouse.

Layout under `<out>/parquet/`: one directory per table; documents, events, mentions and
rejects hold one file per run and batch (`<run_id>-<batch>.parquet`), `places` is one
deduplicated file, `runs` one file per run. A run writes into `<out>/staging/<run_id>/`
first; `commit` moves its files into place and writes the run's `runs` file last, so a run
without a `runs` row never happened: its leftovers are removed by the next run.
Every file is written aside and renamed, never left half written.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractors.records import KEYS, TABLES, schema_of

KEYED_TABLES = ("documents", "events", "mentions", "rejects")
COMPRESSION = "zstd"


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """Write Parquet to a temporary name in the same directory, fsync, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression=COMPRESSION, row_group_size=64_000)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class ParquetStore:
    """The Parquet side of one warehouse directory."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.root = self.out / "parquet"

    def table_dir(self, table: str) -> Path:
        return self.root / table

    def files(self, table: str) -> list[Path]:
        """Committed data files of a table, in name (= run, batch) order."""
        directory = self.table_dir(table)
        return sorted(directory.glob("*.parquet")) if directory.exists() else []

    def staging(self, run_id: str) -> Path:
        return self.out / "staging" / run_id

    def committed_runs(self) -> set[str]:
        return {p.stem.removeprefix("run-") for p in self.files("runs")}

    def read(self, table: str, columns: list[str] | None = None) -> pa.Table:
        """All committed rows of a table (empty table with the schema when none)."""
        schema = schema_of(TABLES[table])
        files = self.files(table)
        if not files:
            return schema.empty_table() if columns is None else schema.empty_table().select(columns)
        return pa.concat_tables(pq.read_table(f, columns=columns) for f in files)

    def known_documents(self) -> dict[str, str]:
        """doc_id -> extractor_version of every committed document."""
        table = self.read("documents", ["doc_id", "extractor_version"])
        return dict(
            zip(table["doc_id"].to_pylist(), table["extractor_version"].to_pylist(), strict=True)
        )

    def recover(self) -> list[str]:
        """Remove what runs that never committed left behind; returns their run ids."""
        committed = self.committed_runs()
        abandoned: set[str] = set()
        staging_root = self.out / "staging"
        if staging_root.exists():
            for run_dir in staging_root.iterdir():
                abandoned.add(run_dir.name)
                shutil.rmtree(run_dir)
        for table in KEYED_TABLES:
            for path in self.files(table):
                run_id = path.stem.rsplit("-", 1)[0]
                if run_id not in committed:
                    abandoned.add(run_id)
                    path.unlink()
        for directory in (self.table_dir(t) for t in TABLES):
            if directory.exists():
                for tmp in directory.glob(".*.tmp"):
                    tmp.unlink()
        return sorted(abandoned)

    def stage_batch(self, run_id: str, batch: int, tables: dict[str, pa.Table]) -> None:
        """Write one batch's tables into the run's staging directory."""
        for name, table in tables.items():
            if table.num_rows:
                write_table_atomic(
                    table, self.staging(run_id) / name / f"{run_id}-{batch:05d}.parquet"
                )

    def _remove_keys(self, table: str, keys: pa.Array, keep_run: str) -> int:
        """Rewrite older files of `table` without the rows whose key is in `keys`."""
        removed = 0
        column = KEYS[table]
        for path in self.files(table):
            if path.stem.startswith(keep_run):
                continue
            key_column = pq.read_table(path, columns=[column])[column]
            hits = pc.is_in(key_column, value_set=keys)
            if not pc.any(hits).as_py():
                continue
            data = pq.read_table(path)
            kept = data.filter(pc.invert(hits))
            removed += data.num_rows - kept.num_rows
            if kept.num_rows:
                write_table_atomic(kept, path)
            else:
                path.unlink()
        return removed

    def commit(self, run_id: str, runs_row: pa.Table, places: pa.Table | None) -> None:
        """Make a staged run durable: replace older rows by key, move files, write runs last."""
        staged = self.staging(run_id)
        for table in KEYED_TABLES:
            source = staged / table
            if not source.exists():
                continue
            new_files = sorted(source.glob("*.parquet"))
            keys = pa.concat_arrays(
                [
                    pq.read_table(f, columns=[KEYS[table]])[KEYS[table]].combine_chunks()
                    for f in new_files
                ]
            ).unique()
            self._remove_keys(table, keys, keep_run=run_id)
            target = self.table_dir(table)
            target.mkdir(parents=True, exist_ok=True)
            for path in new_files:
                os.replace(path, target / path.name)
        if places is not None and places.num_rows:
            self.merge_places(places)
        write_table_atomic(runs_row, self.table_dir("runs") / f"run-{run_id}.parquet")
        shutil.rmtree(staged, ignore_errors=True)

    def merge_places(self, places: pa.Table) -> None:
        """Add gazetteer rows to the single deduplicated places file."""
        path = self.table_dir("places") / "places.parquet"
        merged = pa.concat_tables([pq.read_table(path), places]) if path.exists() else places
        ids = merged["geonameid"]
        # First occurrence wins: a geonameid's row never changes once written.
        _, first = pc.unique(ids), pc.index_in(pc.unique(ids), value_set=ids)
        merged = merged.take(first).sort_by("geonameid")
        write_table_atomic(merged, path)


def concat_rows(tables: Iterable[pa.Table], schema: pa.Schema) -> pa.Table:
    """Concatenate tables of one schema (an empty table when there are none)."""
    parts = list(tables)
    return pa.concat_tables(parts) if parts else schema.empty_table()
