"""Load stage: the data dictionary, generated from the schema module so it cannot drift.

`render_markdown` builds docs/DATA_DICTIONARY.md (`event-etl dictionary --output ...`) from
the record dataclasses, `COLUMN_DOCS`/`TABLE_DOCS` (extractors/records.py), the view docs
(warehouse/duck.py), the Parquet layout (warehouse/store.py) and the reject codes
(extractors/ingest.py). The same texts go into DuckDB as `COMMENT ON`. `EXAMPLES` are the
analyst queries the dictionary shows; tests and the benchmark run them.
"""

from __future__ import annotations

from extractors.errors import REASON_DOCS, REASONS
from extractors.records import (
    COLUMN_DOCS,
    KEYS,
    PRIMARY_KEYS,
    SCHEMA_VERSION,
    TABLE_DOCS,
    TABLES,
    schema_of,
)
from warehouse.duck import MACRO_DOCS, VIEW_DOCS, duck_type
from warehouse.store import KEYED_TABLES, NULL_PARTITION, PARTITION_COLUMNS, PARTITIONED_TABLES

# (question, SQL): common analyst questions, answered by the views and macros.
EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Top actor pairs in a month (March 2021)",
        "SELECT actor, target, n_events FROM actor_pairs_monthly "
        "WHERE month = DATE '2021-03-01' ORDER BY n_events DESC, actor, target LIMIT 10",
    ),
    (
        "Events within 500 km of a point (Paris)",
        "SELECT event_date, actor_canonical, predicate_lemma, place_name, "
        "round(distance_km) AS km FROM events_near(48.8566, 2.3522, 500) "
        "ORDER BY distance_km, event_id LIMIT 20",
    ),
    (
        "Daily event counts by type for a country (US)",
        "SELECT day, event_type, n_events FROM daily_counts WHERE country = 'US' "
        "ORDER BY day, event_type",
    ),
    (
        "Events with their resolved place and date",
        "SELECT event_date, event_date_source, event_date_granularity, actor_canonical, "
        "predicate_lemma, target_canonical, place_name, place_country FROM events_resolved "
        "ORDER BY event_date, event_id LIMIT 20",
    ),
    (
        "Rejected inputs by reason",
        "SELECT code, reason, count(*) AS n FROM rejects GROUP BY ALL ORDER BY code",
    ),
    (
        "Input accounting of every run",
        "SELECT run_id, inputs_seen, docs_loaded, docs_skipped, docs_rejected FROM runs "
        "ORDER BY run_id",
    ),
)

_LAYOUT = f"""\
## Where the data is

`event-etl run --out OUT` writes the Parquet files (the source of truth) and the DuckDB file
(`OUT/events.duckdb`, rebuilt from the Parquet by `event-etl rebuild`).

```
OUT/parquet/documents/published_year=YYYY/published_month=M/<run_id>-<batch>.parquet
OUT/parquet/events/published_year=YYYY/published_month=M/<run_id>-<batch>.parquet
OUT/parquet/mentions/published_year=YYYY/published_month=M/<run_id>-<batch>.parquet
OUT/parquet/rejects/<run_id>-00000.parquet
OUT/parquet/places/places.parquet
OUT/parquet/runs/run-<run_id>.parquet
```

- One directory per table. {", ".join(f"`{t}`" for t in PARTITIONED_TABLES)} are Hive-partitioned
  by `{PARTITION_COLUMNS[0]}` and `{PARTITION_COLUMNS[1]}` (1-12, no leading zero) of the
  **document's** publication date, so all rows of a document sit in one partition. A document
  without a publication date goes to `{PARTITION_COLUMNS[0]}={NULL_PARTITION}/
  {PARTITION_COLUMNS[1]}={NULL_PARTITION}`, which pyarrow, polars and DuckDB read as NULL.
  The partition columns exist only in the paths, not inside the files or the DuckDB tables.
- zstd compression, row groups of at most 128,000 rows; every file carries
  `event_etl.schema_version` = `{SCHEMA_VERSION}` in its key-value metadata.
- Compatibility: columns are only ever added, never renamed or retyped. Read with
  `union_by_name` (DuckDB) or a unified schema so older files get NULL for newer columns.
- Files are written aside and renamed; a run's files appear only when its `runs` file is
  written (last). Readers never see half-written files; a crashed run is rolled forward or
  removed by the next run.
- `event-etl compact` merges a partition's small files into `<run_id>-c<n>.parquet` (named after
  the newest run it holds), with the same rows, order and `run_id` values.

Reading the Parquet directly:

```python
import pyarrow.dataset as ds

events = ds.dataset("OUT/parquet/events", format="parquet", partitioning="hive").to_table()

import polars as pl

events = pl.scan_parquet("OUT/parquet/events/**/*.parquet", hive_partitioning=True).collect()
```

```sql
-- another DuckDB (absolute paths: a view's relative path resolves against the reader's cwd)
SELECT count(*) FROM read_parquet('/abs/OUT/parquet/events/**/*.parquet',
                                  hive_partitioning = true, union_by_name = true);
```
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _key_text(table: str) -> str:
    """Which column identifies a row, and how a later run replaces rows (`KEYS`)."""
    key, replaced_by = PRIMARY_KEYS[table], KEYS[table]
    if table in KEYED_TABLES and key != replaced_by:
        return (
            f"Key `{key}`; rows are replaced per `{replaced_by}`: when a document is "
            "reprocessed, its new rows replace all of its older ones."
        )
    if table in KEYED_TABLES:
        return f"Key `{key}`; a later row with the same `{key}` replaces the older one."
    if table == "places":
        return (
            f"Key `{key}`; one deduplicated Parquet file that each run merges its places into; "
            "DuckDB keeps the row it loaded first for each id."
        )
    return f"Key `{key}`; rows are only ever added."


def _table_section(table: str) -> list[str]:
    schema = schema_of(TABLES[table])
    docs = COLUMN_DOCS[table]
    where = (
        f"`parquet/{table}/{PARTITION_COLUMNS[0]}=…/{PARTITION_COLUMNS[1]}=…/`"
        if table in PARTITIONED_TABLES
        else f"`parquet/{table}/`"
    )
    lines = [
        f"### `{table}`",
        "",
        f"{TABLE_DOCS[table]} {_key_text(table)} Parquet: {where}.",
        "",
        "| column | type | null | meaning | unit |",
        "|---|---|---|---|---|",
    ]
    for field in schema:
        doc = docs[field.name]
        null = f"NULL: {doc.null}" if field.nullable else "never"
        lines.append(
            f"| `{field.name}` | {duck_type(field)} | {_cell(null)} | {_cell(doc.meaning)} "
            f"| {_cell(doc.unit)} |"
        )
    lines.append("")
    return lines


def render_markdown() -> str:
    """The whole data dictionary as Markdown."""
    lines = [
        "# Data dictionary",
        "",
        "Generated by `event-etl dictionary --output docs/DATA_DICTIONARY.md` from the record",
        "types in `extractors/records.py` (`COLUMN_DOCS`, `TABLE_DOCS`), the views in",
        "`warehouse/duck.py` and the reject codes in `extractors/ingest.py`; a test fails when",
        "this file and the code disagree. The same texts are the DuckDB comments",
        "(`SELECT * FROM duckdb_columns()`, column `comment`).",
        f"Schema version {SCHEMA_VERSION}. Types are DuckDB's (Arrow: VARCHAR = string,",
        "BIGINT = int64, DOUBLE = float64, DATE = date32, TIMESTAMPTZ = timestamp[us, UTC]).",
        "",
        _LAYOUT,
        "## Tables",
        "",
    ]
    for table in TABLES:
        lines += _table_section(table)
    lines += ["## Views and macros", "", "| name | what it answers |", "|---|---|"]
    lines += [f"| `{name}` | {_cell(doc)} |" for name, doc in VIEW_DOCS.items()]
    lines += [f"| `{name}` | {_cell(doc)} |" for name, doc in MACRO_DOCS.items()]
    lines += ["", "## Reject codes", "", "| code | reason | when |", "|---|---|---|"]
    lines += [f"| `{code}` | `{REASONS[code]}` | {_cell(REASON_DOCS[code])} |" for code in REASONS]
    lines += ["", "## Example queries", ""]
    lines.append('Run with `event-etl query "SQL"` (read-only); a test runs every one.')
    lines.append("")
    for question, sql in EXAMPLES:
        lines += [f"**{question}**", "", "```sql", sql, "```", ""]
    return "\n".join(lines).rstrip() + "\n"
