"""Load stage: the DuckDB database, loaded from the committed Parquet runs.

DuckDB allows one writer process. `connect_writer` waits (bounded) for an analyst's session
to let go of the file and then fails with a message saying what to do. Loading is one
transaction per call: an analyst never sees half a run. The Parquet store stays the source of
truth; a run that could not load is loaded by the next one, and `rebuild` recreates the file.
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from extractors.errors import LoadError
from extractors.records import KEYS, TABLES, schema_of
from warehouse.store import KEYED_TABLES, ParquetStore

_DUCK_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
}
LOAD_ORDER = ("documents", "events", "mentions", "rejects")


def ddl(table: str) -> str:
    """CREATE TABLE statement generated from the table's Arrow schema."""
    schema = schema_of(TABLES[table])
    columns = []
    for field in schema:
        column = f'"{field.name}" {_DUCK_TYPES[field.type]}'
        if not field.nullable:
            column += " NOT NULL"
        columns.append(column)
    if table in {"places", "runs"}:
        columns.append(f'PRIMARY KEY ("{KEYS[table]}")')
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  " + ",\n  ".join(columns) + "\n)"


def views_sql() -> str:
    """The analyst views and macros (warehouse/sql/views.sql)."""
    return resources.files("warehouse").joinpath("sql/views.sql").read_text("utf-8")


def connect_writer(path: Path, *, timeout_s: float) -> duckdb.DuckDBPyConnection:
    """Open the database for writing, waiting up to timeout_s for another process's lock.

    Raises:
        LoadError: E401 when the file stays locked for the whole wait.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    delay = 0.1
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise LoadError(
                    "E401",
                    f"{path} is locked by another process (an analyst's session or another "
                    f"run) and stayed locked for {timeout_s:.0f}s. Close that session, then run "
                    "again: this run's Parquet files are kept and will be loaded then. "
                    f"DuckDB said: {exc}",
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def connect_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the database read-only (for queries); fails clearly if it does not exist."""
    if not path.exists():
        raise LoadError("E402", f"no warehouse at {path}: run `event-etl run` first")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        raise LoadError(
            "E403", f"cannot open {path} read-only while a run is loading it: {exc}"
        ) from exc


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES:
        con.execute(ddl(table))
    con.execute(views_sql())


def loaded_runs(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT run_id FROM runs").fetchall()}


def load_pending(con: duckdb.DuckDBPyConnection, store: ParquetStore) -> list[str]:
    """Load every committed Parquet run the database does not have yet, in one transaction.

    For each table keyed by document, the rows of the documents being loaded are deleted first,
    so reprocessed documents are replaced and a re-run never duplicates rows.
    Returns the run ids loaded.
    """
    ensure_schema(con)
    pending = sorted(store.committed_runs() - loaded_runs(con))
    if not pending:
        return []
    con.execute("BEGIN TRANSACTION")
    try:
        for table in LOAD_ORDER:
            files = [str(p) for p in store.files(table) if p.stem.rsplit("-", 1)[0] in pending]
            if not files:
                continue
            key = KEYS[table]
            con.execute(
                f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM read_parquet(?))", [files]
            )
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)", [files])
        places = store.table_dir("places") / "places.parquet"
        if places.exists():
            con.execute(
                "INSERT OR IGNORE INTO places BY NAME SELECT * FROM read_parquet(?)", [str(places)]
            )
        run_files = [str(store.table_dir("runs") / f"run-{r}.parquet") for r in pending]
        con.execute("INSERT INTO runs BY NAME SELECT * FROM read_parquet(?)", [run_files])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return pending


def rebuild(db_path: Path, store: ParquetStore, *, timeout_s: float) -> list[str]:
    """Recreate the database from the Parquet store (write aside, then swap in)."""
    tmp = db_path.with_name(db_path.name + ".rebuild")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        loaded = load_pending(con, store)
    finally:
        con.close()
    # Take the writer lock on the live file so no analyst is mid-query when it is replaced.
    connect_writer(db_path, timeout_s=timeout_s).close()
    tmp.replace(db_path)
    return loaded


__all__ = ["KEYED_TABLES", "connect_reader", "connect_writer", "ddl", "load_pending", "rebuild"]
