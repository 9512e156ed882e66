"""Load stage: the Parquet store, the durable source of truth of the warehouse.

Layout under `<out>/parquet/` (stable; see docs/DATA_DICTIONARY.md):

    documents/published_year=YYYY/published_month=M/<run_id>-<batch>.parquet
    events/published_year=YYYY/published_month=M/<run_id>-<batch>.parquet
    mentions/published_year=YYYY/published_month=M/<run_id>-<batch>.parquet
    rejects/<run_id>-00000.parquet
    story_members/<run_id>-00000.parquet   the story of each document, given on arrival
    places/places.parquet                  one deduplicated file
    _state/stories.json                    the story clusterer's state after the last run
    runs/run-<run_id>.parquet              the commit marker of a run

documents, events and mentions are Hive-partitioned by the publication year and month of
their document (so all rows of a document sit in one partition); a document without a
publication date goes to `published_year=__HIVE_DEFAULT_PARTITION__/published_month=
__HIVE_DEFAULT_PARTITION__`, which pyarrow, polars and DuckDB all read as NULL. The
partition columns are not stored inside the files.

A run stages its files under `<out>/staging/<run_id>/`. `commit` prepares every change
(new files, older files rewritten without the replaced keys, the merged places file, the
stories state, the runs file) inside staging, writes a manifest, and only then moves files
into place, the runs file last. A crash before the manifest leaves a run that never
happened (its staging is removed by the next run); a crash after it is rolled forward by
the next run. Every file is written aside and renamed, so no reader ever sees a
half-written file. One run at a time holds `<out>/.event-etl.lock`.

Compaction (`compact`, driven by warehouse/compact.py) merges a partition's small files into
`<run_id>-c<n>.parquet`, named after the newest run among them, with the same protocol:
stage, manifest, then delete the sources and move the merged file in; `recover` rolls a
decided compaction forward like a run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import time
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractors.errors import LoadError
from extractors.records import KEYS, SCHEMA_VERSION, TABLES, schema_of
from warehouse import faults

KEYED_TABLES = ("documents", "events", "mentions", "rejects", "story_members")
# The story clusterer's state after the last committed run (extractors/stories.py): the
# document frequencies and the stories still open, committed with the run that left them.
STORY_STATE = Path("_state") / "stories.json"
PARTITIONED_TABLES = ("documents", "events", "mentions")
PARTITION_COLUMNS = ("published_year", "published_month")
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
COMPRESSION = "zstd"
ROW_GROUP_SIZE = 128_000
MANIFEST = "COMMIT.json"
LOCK_FILE = ".event-etl.lock"


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """Write Parquet to a temporary name in the same directory, fsync, then rename."""
    write_tables_atomic([table], table.schema, path)


def write_tables_atomic(parts: Iterable[pa.Table], schema: pa.Schema, path: Path) -> int:
    """Write tables of one schema as one Parquet file, aside then renamed; returns its rows.

    The store's only Parquet writer: zstd, `ROW_GROUP_SIZE`-row groups however the rows
    arrive (parts are buffered up to one row group, so a stream of small parts stays
    flat in memory), and the `event_etl.schema_version` metadata.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    metadata = dict(schema.metadata or {})
    metadata[b"event_etl.schema_version"] = str(SCHEMA_VERSION).encode()
    schema = schema.with_metadata(metadata)
    rows = 0
    pending: list[pa.Table] = []
    buffered = 0
    with pq.ParquetWriter(tmp, schema, compression=COMPRESSION) as writer:
        for part in parts:
            pending.append(part.replace_schema_metadata(metadata))
            buffered += part.num_rows
            rows += part.num_rows
            if buffered >= ROW_GROUP_SIZE:
                merged = pa.concat_tables(pending)
                full = buffered - buffered % ROW_GROUP_SIZE
                writer.write_table(merged.slice(0, full), row_group_size=ROW_GROUP_SIZE)
                pending, buffered = [merged.slice(full)], buffered - full
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_SIZE)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return rows


def _write_json_atomic(data: object, path: Path) -> None:
    _write_bytes_atomic(json.dumps(data).encode("utf-8"), path)


def _write_bytes_atomic(data: bytes, path: Path) -> None:
    """Write aside, fsync, rename: a crash leaves the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def partition_path(year: int | None, month: int | None) -> str:
    """Hive directory of a publication year/month (NULL -> the Hive default partition)."""
    y = NULL_PARTITION if year is None else str(year)
    m = NULL_PARTITION if month is None else str(month)
    return f"{PARTITION_COLUMNS[0]}={y}/{PARTITION_COLUMNS[1]}={m}"


def split_by_partition(table: pa.Table, published: pa.Array) -> Iterator[tuple[str, pa.Table]]:
    """(partition directory, rows) pairs for rows whose publication dates are `published`."""
    years = pc.year(published)
    months = pc.month(published)
    keys = pa.table({"y": years, "m": months})
    for pair in keys.group_by(["y", "m"]).aggregate([]).to_pylist():
        y, m = pair["y"], pair["m"]
        mask = pc.is_null(years) if y is None else pc.and_(pc.equal(years, y), pc.equal(months, m))
        yield partition_path(y, m), table.filter(pc.fill_null(mask, False))


def run_of(path: Path) -> str:
    """Run id of a data file named `<run_id>-<batch>.parquet` or `run-<run_id>.parquet`."""
    if path.stem.startswith("run-"):
        return path.stem.removeprefix("run-")
    return path.stem.rsplit("-", 1)[0]


@contextlib.contextmanager
def warehouse_lock(out: Path, *, timeout_s: float) -> Iterator[None]:
    """Hold the warehouse directory's run lock; wait up to timeout_s for another run.

    Raises:
        LoadError: E404 when another run keeps the lock for the whole wait.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_FILE
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the with-block
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown process"
                    raise LoadError(
                        "E404",
                        f"another event-etl run ({holder}) is writing to {out} and kept it for "
                        f"{timeout_s:.0f}s. Wait for that run to finish and run again; nothing "
                        "was written by this one.",
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ}")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the flock


class ParquetStore:
    """The Parquet side of one warehouse directory."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.root = self.out / "parquet"

    def table_dir(self, table: str) -> Path:
        return self.root / table

    def files(self, table: str) -> list[Path]:
        """Committed data files of a table (all partitions), in path order."""
        directory = self.table_dir(table)
        if not directory.exists():
            return []
        return sorted(p for p in directory.rglob("*.parquet") if not p.name.startswith("."))

    def staging(self, run_id: str) -> Path:
        return self.out / "staging" / run_id

    def committed_runs(self) -> set[str]:
        return {run_of(p) for p in self.files("runs")}

    def read(self, table: str, columns: list[str] | None = None) -> pa.Table:
        """All committed rows of a table (empty table with the schema when none).

        Files written before a column was added get NULLs for it (columns are only added).
        """
        schema = schema_of(TABLES[table])
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns], metadata=schema.metadata)
        parts = [_read_part(f, columns) for f in self.files(table)]
        if not parts:
            return schema.empty_table()
        unified = [_conform(part, schema) for part in parts]
        return pa.concat_tables(unified)

    def story_state(self) -> bytes | None:
        """The story clusterer's state as the last committed run left it (None: no stories)."""
        path = self.root / STORY_STATE
        return path.read_bytes() if path.exists() else None

    def storied_documents(self) -> set[str]:
        """Documents that already have a story (story_members), whatever became of them."""
        return set(self.read("story_members", ["doc_id"])["doc_id"].to_pylist())

    def known_documents(self) -> dict[str, str]:
        """doc_id -> extractor_version of every committed document."""
        table = self.read("documents", ["doc_id", "extractor_version"])
        return dict(
            zip(table["doc_id"].to_pylist(), table["extractor_version"].to_pylist(), strict=True)
        )

    # -- crash recovery -------------------------------------------------------------------

    def recover(self) -> list[str]:
        """Finish or remove what earlier runs left behind; returns the abandoned run ids.

        A staged run with a manifest was decided: its commit is rolled forward. Anything else
        in staging, and any data file of a run without a runs file, never happened.
        """
        abandoned: set[str] = set()
        staging_root = self.out / "staging"
        if staging_root.exists():
            for run_dir in sorted(staging_root.iterdir()):
                manifest = run_dir / MANIFEST
                if manifest.exists():
                    self._apply(json.loads(manifest.read_text("utf-8")))
                else:
                    abandoned.add(run_dir.name)
                shutil.rmtree(run_dir, ignore_errors=True)
        committed = self.committed_runs()
        for table in KEYED_TABLES:
            for path in self.files(table):
                if run_of(path) not in committed:
                    abandoned.add(run_of(path))
                    path.unlink()
        if self.root.exists():
            for tmp in self.root.rglob(".*.tmp"):
                tmp.unlink()
        return sorted(abandoned)

    # -- staging --------------------------------------------------------------------------

    def stage_batch(self, run_id: str, batch: int, tables: dict[str, pa.Table]) -> None:
        """Write one batch's tables into the run's staging directory, partitioned.

        documents, events and mentions are split by their document's publication year/month;
        the documents table of the same batch says which document has which date.
        """
        name = f"{run_id}-{batch:05d}.parquet"
        staged = self.staging(run_id)
        published = _published_by_doc(tables.get("documents"))
        for table_name, table in tables.items():
            if not table.num_rows:
                continue
            if table_name in PARTITIONED_TABLES:
                dates = _published_of(table, published)
                for partition, rows in split_by_partition(table, dates):
                    write_table_atomic(rows, staged / table_name / partition / name)
            else:
                write_table_atomic(table, staged / table_name / name)
            faults.checkpoint(f"stage:{table_name}")

    # -- commit ---------------------------------------------------------------------------

    def commit(
        self,
        run_id: str,
        runs_row: pa.Table,
        places: pa.Table | None,
        story_state: bytes | None = None,
    ) -> None:
        """Make a staged run durable: replace older rows by key, move files, write runs last."""
        staged = self.staging(run_id)
        staged.mkdir(parents=True, exist_ok=True)
        moves: list[tuple[str, str]] = []
        deletes: list[str] = []
        new_docs = self._staged_keys(staged, "documents")
        existing_docs = set(self.read("documents", ["doc_id"])["doc_id"].to_pylist())
        replacing_docs = bool(existing_docs.intersection(new_docs.to_pylist()))
        for table in KEYED_TABLES:
            source = staged / table
            if not source.exists():
                continue
            keys = self._staged_keys(staged, table)
            if table not in ("rejects", "story_members") and not replacing_docs:
                keys = pa.array([], pa.string())  # all new documents: nothing to replace
            rewrites, removals = self._prepare_key_removal(table, keys, run_id, staged)
            moves += rewrites
            deletes += removals
            for path in sorted(source.rglob("*.parquet")):
                if path.name.startswith("."):
                    continue
                moves.append((str(path), str(self.table_dir(table) / path.relative_to(source))))
        if places is not None and places.num_rows:
            merged = staged / "_places" / "places.parquet"
            write_table_atomic(self._merged_places(places), merged)
            moves.append((str(merged), str(self.table_dir("places") / "places.parquet")))
        if story_state is not None:
            state = staged / STORY_STATE
            _write_bytes_atomic(story_state, state)
            moves.append((str(state), str(self.root / STORY_STATE)))
        runs_file = staged / "_runs" / f"run-{run_id}.parquet"
        write_table_atomic(runs_row, runs_file)
        moves.append((str(runs_file), str(self.table_dir("runs") / runs_file.name)))
        faults.checkpoint("commit:prepared")
        _write_json_atomic(
            {"run_id": run_id, "deletes": deletes, "moves": moves}, staged / MANIFEST
        )
        faults.checkpoint("commit:manifest")
        self._apply({"run_id": run_id, "deletes": deletes, "moves": moves})
        shutil.rmtree(staged, ignore_errors=True)

    def _staged_keys(self, staged: Path, table: str) -> pa.Array:
        column = KEYS[table]
        files = sorted((staged / table).rglob("*.parquet")) if (staged / table).exists() else []
        if not files:
            return pa.array([], pa.string())
        arrays = [pq.read_table(f, columns=[column], partitioning=None)[column] for f in files]
        return pa.chunked_array(arrays).combine_chunks().unique()

    def _prepare_key_removal(
        self, table: str, keys: pa.Array, run_id: str, staged: Path
    ) -> tuple[list[tuple[str, str]], list[str]]:
        """Stage rewritten copies of older files without the rows whose key is in `keys`."""
        moves: list[tuple[str, str]] = []
        deletes: list[str] = []
        if not len(keys):
            return moves, deletes
        column = KEYS[table]
        for path in self.files(table):
            if run_of(path) == run_id:
                continue
            key_column = pq.read_table(path, columns=[column], partitioning=None)[column]
            hits = pc.is_in(key_column, value_set=keys)
            if not pc.any(hits).as_py():
                continue
            data = pq.read_table(path, partitioning=None)
            kept = data.filter(pc.invert(hits))
            if kept.num_rows:
                rewritten = staged / "_rewrite" / path.relative_to(self.root)
                write_table_atomic(kept, rewritten)
                moves.append((str(rewritten), str(path)))
            else:
                deletes.append(str(path))
        return moves, deletes

    def _apply(self, manifest: dict[str, typing.Any]) -> None:
        """Carry out a commit or compaction manifest; safe to repeat after a crash half way."""
        kind = manifest.get("kind", "commit")
        for path in manifest["deletes"]:
            Path(path).unlink(missing_ok=True)
            faults.checkpoint(f"{kind}:delete")
        for source, target in manifest["moves"]:
            src, dst = Path(source), Path(target)
            if not src.exists():
                continue  # moved before a crash
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
            faults.checkpoint(f"{kind}:move")

    # -- compaction -----------------------------------------------------------------------

    def compact(self, compact_id: str, table: str, groups: list[list[Path]]) -> list[Path]:
        """Merge each group of a table's committed files (one partition each) into one file.

        The merged file is named after the newest run among its sources,
        `<run_id>-c<n>.parquet`, so recovery and DuckDB loading treat it as that committed
        run's file; its rows keep their own run_id and the sources' order (the store does
        not sort). The swap is a commit: merged files are staged and their row counts
        checked, then a manifest (delete the sources, move the merged files in) decides;
        a crash before it leaves the sources, a crash after it is rolled forward by
        `recover`. Call it holding the run lock. Returns the merged files.

        Raises:
            LoadError: E406 when a merged file's row count differs from its sources'.
        """
        staged = self.staging(compact_id)
        schema = schema_of(TABLES[table])
        moves: list[tuple[str, str]] = []
        deletes: list[str] = []
        merged: list[Path] = []
        for group in groups:
            directory = group[0].parent
            run = max(run_of(p) for p in group)
            n = 0
            target = directory / f"{run}-c{n:05d}.parquet"
            while target in merged or (target.exists() and target not in group):
                n += 1
                target = directory / f"{run}-c{n:05d}.parquet"
            expected = sum(pq.read_metadata(p).num_rows for p in group)
            staged_file = staged / table / target.relative_to(self.table_dir(table))
            parts = (_conform(pq.read_table(p, partitioning=None), schema) for p in group)
            written = write_tables_atomic(parts, schema, staged_file)
            if written != expected or pq.read_metadata(staged_file).num_rows != expected:
                shutil.rmtree(staged, ignore_errors=True)
                raise LoadError(
                    "E406",
                    f"compacting {directory}: the merged file has {written} rows, its "
                    f"{len(group)} sources {expected}. Nothing was changed.",
                )
            faults.checkpoint("compact:staged")
            moves.append((str(staged_file), str(target)))
            deletes += [str(p) for p in group if p != target]  # the target is replaced
            merged.append(target)
        faults.checkpoint("compact:prepared")
        manifest = {"run_id": compact_id, "kind": "compact", "deletes": deletes, "moves": moves}
        _write_json_atomic(manifest, staged / MANIFEST)
        faults.checkpoint("compact:manifest")
        self._apply(manifest)
        shutil.rmtree(staged, ignore_errors=True)
        return merged

    def _merged_places(self, places: pa.Table) -> pa.Table:
        path = self.table_dir("places") / "places.parquet"
        schema = schema_of(TABLES["places"])
        parts = [pq.read_table(path, partitioning=None)] if path.exists() else []
        merged = pa.concat_tables([_conform(p, schema) for p in [*parts, places]])
        ids = merged["geonameid"]
        # First occurrence wins: a geonameid's row never changes once written.
        first = pc.index_in(pc.unique(ids), value_set=ids)
        return merged.take(first).sort_by("geonameid")

    def merge_places(self, places: pa.Table) -> None:
        """Add gazetteer rows to the single deduplicated places file."""
        write_table_atomic(self._merged_places(places), self.table_dir("places") / "places.parquet")


def _read_part(path: Path, columns: list[str] | None) -> pa.Table:
    """One Parquet file, or those of `columns` it has (a file predating a column lacks it)."""
    if columns is not None:
        present = set(pq.read_schema(path).names)
        columns = [c for c in columns if c in present]
    return pq.read_table(path, columns=columns, partitioning=None)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Table in `schema`'s column order; columns a file predates become NULL."""
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table[field.name].cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema.with_metadata(schema.metadata or {}))


def _published_by_doc(documents: pa.Table | None) -> dict[str, object]:
    if documents is None or not documents.num_rows:
        return {}
    return dict(
        zip(documents["doc_id"].to_pylist(), documents["published"].to_pylist(), strict=True)
    )


def _published_of(table: pa.Table, published: dict[str, object]) -> pa.Array:
    if "published" in table.column_names:
        return table["published"].combine_chunks()
    return pa.array([published.get(d) for d in table["doc_id"].to_pylist()], pa.date32())
