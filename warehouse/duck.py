"""Load stage: the DuckDB database, loaded from the committed Parquet runs.

DuckDB allows one writer process. `connect_writer` waits (bounded) for an analyst's session
to let go of the file and then fails with a message saying what to do. Loading is one
transaction per call: an analyst never sees half a run. The Parquet store stays the source of
truth; a run that could not load is loaded by the next one, and `rebuild` recreates the file.
Readers (`connect_reader`) are read-only and have no access to files outside the database, so
`event-etl query` cannot write, attach, copy out or read arbitrary files.

The writer (`WRITER_CONFIG`, `WRITER_ROW_GROUP_SIZE`) writes the rows a load inserts to the
database file a row group at a time, invisible to readers until COMMIT, instead of holding the
whole run in memory until COMMIT.
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from extractors.errors import LoadError
from extractors.records import COLUMN_DOCS, KEYS, TABLE_DOCS, TABLES, ColumnDoc, schema_of
from warehouse import faults
from warehouse.store import KEYED_TABLES, ParquetStore, run_of, warehouse_lock

_DUCK_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
    pa.list_(pa.string()): "VARCHAR[]",
}
LOAD_ORDER = ("documents", "events", "mentions", "rejects", "story_members")
# Files are listed explicitly: partition columns come from the path and are not table
# columns; union_by_name gives files written before a column was added NULLs for it.
_READ_PARQUET = "read_parquet(?, hive_partitioning = false, union_by_name = true)"

READER_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "access_mode": "READ_ONLY",
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}

# A transaction's inserted rows stay in memory until COMMIT unless they fill row groups, which
# DuckDB then writes to the file at once ("optimistic writes"; readers see them only after
# COMMIT). With DuckDB's defaults a run's events and mentions (some 30 rows per document) all
# stayed in memory; each setting below lowers the load's peak (BENCHMARKS.md, "DuckDB writer
# settings"). Row groups only set how rows are stored in the file; no query depends on them.
WRITER_ROW_GROUP_SIZE = 16_384
WRITER_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    # One thread: a parallel insert keeps a row group in flight per thread.
    "threads": 1,
    # Write each full row group at once rather than buffering five of them.
    "write_buffer_row_group_count": 1,
    # Hand DuckDB's freed allocator memory back after a query that used more than this
    # (DuckDB's default is 128 MB).
    "allocator_flush_threshold": "16MB",
}

# What the views and macros of sql/views.sql answer (data dictionary + COMMENT ON VIEW).
VIEW_DOCS: dict[str, str] = {
    "events_resolved": "Events with their document's title, publication date and source, and "
    "the day each event is counted on: event_date is the event's own date when the text dates "
    "it to the day (date_granularity 'day' or 'time'); NULL (counted on no day) when the text "
    "dates it more vaguely ('in 1999', 'December') or puts it before the story's time "
    "without a date (date_source = 'none'); else the publication date; event_date_source "
    "says which (text | published, NULL with event_date; 'published' also when the "
    "extractor took the event's date from the publication date, date_source = "
    "'publication'); "
    "event_date_granularity is the granularity of the event's own date (day, week, month, "
    "season, year, ...; NULL when the text gives none); story_id is the document's story "
    "(story_members).",
    "actor_pairs": "Who acts on whom: canonical actor and target with their countries, the "
    "number of events, first and last event_date.",
    "actor_pairs_monthly": "actor_pairs per calendar month of event_date (month = its first day).",
    "daily_counts": "Events per place country, day (event_date) and event type: n_events, and "
    "n_dated_in_text of them dated to that day by the text (the rest by publication date; "
    "events with no day are in no row); "
    "n_stories and n_happenings (event clusters): the distinct happenings those mentions "
    "report.",
    "event_mentions": "Each event with its event_cluster_id: the mentions of one happening in "
    "the documents of one story share it (same event type, or predicate lemma for 'other'; "
    "same actor and target by country, else canonical name; same place country and "
    "event_date; for a statement, the same sentence). An event with neither actor nor target, "
    "or of a document without a story, is a cluster of its own (its event_id).",
    "event_clusters": "One row per event cluster: story, type, n_mentions, n_documents, "
    "n_sources, first/last publication date, the highest-scored mention (event id and "
    "sentence) and the most frequent day-dated event_date and resolved place of its mentions.",
    "stories": "One row per story: first/last publication date, n_documents, "
    "n_distinct_documents (not near-duplicates), n_sources and their names, n_events, and the "
    "first report's title and url.",
}
MACRO_DOCS: dict[str, str] = {
    "haversine_km(lat1, lon1, lat2, lon2)": "Great-circle distance in km between two points "
    "given in degrees (mean Earth radius 6371.0088 km).",
    "events_near(lat, lon, km)": "Table macro: events_resolved rows whose place lies within km "
    "of (lat, lon), with their distance_km.",
}


def duck_type(field: pa.Field) -> str:
    """DuckDB type of an Arrow field of the contract."""
    return _DUCK_TYPES[field.type]


def ddl(table: str) -> str:
    """CREATE TABLE statement generated from the table's Arrow schema."""
    schema = schema_of(TABLES[table])
    columns = []
    for field in schema:
        column = f'"{field.name}" {duck_type(field)}'
        if not field.nullable:
            column += " NOT NULL"
        columns.append(column)
    if table in {"places", "runs"}:
        columns.append(f'PRIMARY KEY ("{KEYS[table]}")')
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  " + ",\n  ".join(columns) + "\n)"


def views_sql() -> str:
    """The analyst views and macros (warehouse/sql/views.sql)."""
    return resources.files("warehouse").joinpath("sql/views.sql").read_text("utf-8")


def _open_writer(path: Path) -> duckdb.DuckDBPyConnection:
    """The database file attached as the current database of a writer with WRITER_CONFIG.

    ATTACH is the only place DuckDB takes a row group size; the in-memory database the
    connection starts in stays empty.
    """
    con = duckdb.connect(config=WRITER_CONFIG)
    try:
        con.execute(f"ATTACH ? AS warehouse (ROW_GROUP_SIZE {WRITER_ROW_GROUP_SIZE})", [str(path)])
        con.execute("USE warehouse")
    except BaseException:
        con.close()
        raise
    return con


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
            return _open_writer(path)
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


def connect_reader(path: Path, *, timeout_s: float = 10.0) -> duckdb.DuckDBPyConnection:
    """Open the database read-only, without external file access, for analysts' queries.

    Waits up to timeout_s while a run holds the file for its (short) load transaction.

    Raises:
        LoadError: E402 when there is no database, E403 when it stays locked.
    """
    if not path.exists():
        raise LoadError("E402", f"no warehouse at {path}: run `event-etl run` first")
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=True, config=READER_CONFIG)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise LoadError(
                    "E403",
                    f"cannot open {path} read-only: it is locked by another process (a run "
                    "or a read-write session). Try again when that process has finished or "
                    f"closed the file. DuckDB said: {exc}",
                ) from exc
            time.sleep(0.2)


# What an analyst can query, listed in the E405 hint.
_LIST_TABLES = (
    "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name"
)
_LIST_VIEWS = (
    "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal "
    "ORDER BY view_name"
)


def query_error(con: duckdb.DuckDBPyConnection, exc: duckdb.Error) -> LoadError:
    """E405: the DuckDB error's type and first line, and what can be queried."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    try:
        names = con.execute(_LIST_TABLES).fetchall()
        views = con.execute(_LIST_VIEWS).fetchall()
        listing = f"tables: {', '.join(n for (n,) in names)}"
        if views:
            listing += f"; views: {', '.join(n for (n,) in views)}"
    except duckdb.Error:  # the listing is only a hint
        listing = "tables: documents, events, mentions, places, rejects, runs"
    hint = f"({listing}; see docs/DATA_DICTIONARY.md)"
    if "read-only" in first or "disabled by configuration" in first:
        hint = (
            "(queries are read-only and cannot read or write files: export a result with "
            "--format csv|json|parquet --output FILE)"
        )
    return LoadError("E405", f"{type(exc).__name__}: {first} {hint}")


def query(db_path: Path, sql: str) -> tuple[list[str], list[tuple]]:
    """An analyst's SQL on a read-only connection: column names and rows.

    Raises:
        LoadError: E402/E403 as connect_reader; E405 when DuckDB rejects the SQL (a mistake
            of the user's, not a bug).
    """
    con = connect_reader(db_path)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall()
    except duckdb.Error as exc:
        raise query_error(con, exc) from exc
    finally:
        con.close()


def query_arrow(db_path: Path, sql: str) -> pa.Table:
    """An analyst's SQL on a read-only connection, as an Arrow table (errors as `query`)."""
    con = connect_reader(db_path)
    try:
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as exc:
        raise query_error(con, exc) from exc
    finally:
        con.close()


def comment_text(doc: ColumnDoc) -> str:
    """The COMMENT ON text of a column: meaning, unit, what NULL means."""
    text = doc.meaning
    if doc.unit:
        text += f" Unit: {doc.unit}."
    if doc.null:
        text += f" NULL: {doc.null}."
    return text


def _sql_literal(text: str) -> str:
    # COMMENT ON takes no bound parameters; the text comes from our own constants.
    return "'" + text.replace("'", "''") + "'"


def apply_comments(con: duckdb.DuckDBPyConnection) -> int:
    """COMMENT ON every table, column and view whose comment differs; returns how many."""
    rows = con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE schema_name = 'main' "
        "UNION ALL SELECT table_name, NULL, comment FROM duckdb_tables() "
        "WHERE schema_name = 'main' "
        "UNION ALL SELECT view_name, NULL, comment FROM duckdb_views() "
        "WHERE schema_name = 'main' AND NOT internal"
    ).fetchall()
    have = {(table, column): comment for table, column, comment in rows}
    statements = []
    for table, doc in TABLE_DOCS.items():
        if have.get((table, None)) != doc:
            statements.append(f"COMMENT ON TABLE {table} IS {_sql_literal(doc)}")
        for column, column_doc in COLUMN_DOCS[table].items():
            text = comment_text(column_doc)
            if have.get((table, column)) != text:
                statements.append(f'COMMENT ON COLUMN {table}."{column}" IS {_sql_literal(text)}')
    for view, doc in VIEW_DOCS.items():
        if have.get((view, None)) != doc:
            statements.append(f"COMMENT ON VIEW {view} IS {_sql_literal(doc)}")
    for statement in statements:
        con.execute(statement)
    return len(statements)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables, add columns newer code has, (re)create views, set comments."""
    for table in TABLES:
        con.execute(ddl(table))
        have = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
        for field in schema_of(TABLES[table]):
            if field.name not in have:
                # Columns are only ever added, never renamed or retyped; older rows read NULL.
                con.execute(f'ALTER TABLE {table} ADD COLUMN "{field.name}" {duck_type(field)}')
    con.execute(views_sql())
    apply_comments(con)


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
            files = [str(p) for p in store.files(table) if run_of(p) in pending]
            if not files:
                continue
            key = KEYS[table]
            con.execute(
                f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {_READ_PARQUET})",
                [files],
            )
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {_READ_PARQUET}", [files])
            faults.checkpoint(f"load:{table}")
        places = store.table_dir("places") / "places.parquet"
        if places.exists():
            con.execute(
                f"INSERT OR IGNORE INTO places BY NAME SELECT * FROM {_READ_PARQUET}",
                [[str(places)]],
            )
        run_files = [str(store.table_dir("runs") / f"run-{r}.parquet") for r in pending]
        con.execute(f"INSERT INTO runs BY NAME SELECT * FROM {_READ_PARQUET}", [run_files])
        faults.checkpoint("load:before_commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return pending


def rebuild(db_path: Path, store: ParquetStore, *, timeout_s: float) -> list[str]:
    """Recreate the database from the Parquet store (write aside, then swap in).

    Holds the run lock, so no run commits or loads meanwhile.
    """
    with warehouse_lock(store.out, timeout_s=timeout_s):
        store.recover()  # finish a commit or compaction a crash left decided but not applied
        tmp = db_path.with_name(db_path.name + ".rebuild")
        for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
            stale.unlink(missing_ok=True)
        con = _open_writer(tmp)
        try:
            ensure_schema(con)
            loaded = load_pending(con, store)
        finally:
            con.close()
        # Take the writer lock on the live file so no analyst is mid-query when it is
        # replaced; opening it also checkpoints any WAL the old file had.
        if db_path.exists():
            connect_writer(db_path, timeout_s=timeout_s).close()
        db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
        tmp.replace(db_path)
    return loaded


__all__ = [
    "KEYED_TABLES",
    "apply_comments",
    "connect_reader",
    "connect_writer",
    "ddl",
    "ensure_schema",
    "load_pending",
    "rebuild",
]
