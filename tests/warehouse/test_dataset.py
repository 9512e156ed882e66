"""The warehouse as a dataset: layout, readers, incremental loads, dictionary, examples."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shlex
import shutil
import typing
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from extractors.records import (
    COLUMN_DOCS,
    PRIMARY_KEYS,
    TABLE_DOCS,
    TABLES,
    builder,
    schema_of,
)
from tests.conftest import REPO, SEEDS
from warehouse import runs
from warehouse.duck import connect_reader, ensure_schema
from warehouse.store import PARTITIONED_TABLES, ParquetStore

TABLE_NAMES = tuple(TABLES)


def plain_run(paths: list[Path], out: Path, settings, *, extractor=None) -> runs.RunRow:
    """One run through the same functions the flow wraps, without Prefect."""
    run = runs.start_run(paths, settings, out=out)
    if extractor is not None:
        run.extractor_version = extractor.version
    for number, batch in enumerate(runs.article_batches(run, settings), start=1):
        if extractor is None:
            result = runs.extract_batch(run.run_id, number, batch, settings, out=out)
        else:
            original = runs.get_extractor
            runs.get_extractor = lambda _settings: extractor  # type: ignore[assignment]
            try:
                result = runs.extract_batch(run.run_id, number, batch, settings, out=out)
            finally:
                runs.get_extractor = original
        runs.record_batch(run, result)
    row = runs.commit_run(run)
    runs.load_warehouse(out, settings)
    return row


def duck_counts(out: Path) -> dict[str, int]:
    con = connect_reader(out / "events.duckdb")
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLE_NAMES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("dataset")
    inputs = tmp_path_factory.mktemp("dataset-in")
    shutil.copytree(SEEDS, inputs / "seeds")
    (inputs / "seeds" / "bad.jsonl").write_text('{"text": "Fine."}\n{oops\n')
    plain_run([inputs / "seeds"], out, settings)
    return out


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_pyarrow_polars_and_another_duckdb_read_the_same_rows(warehouse, table):
    expected = duck_counts(warehouse)[table]
    root = warehouse / "parquet" / table
    assert ds.dataset(root, format="parquet", partitioning="hive").count_rows() == expected
    frame = pl.scan_parquet(str(root / "**" / "*.parquet"), hive_partitioning=True).collect()
    assert frame.height == expected
    other = duckdb.connect()
    sql = "SELECT count(*) FROM read_parquet(?, hive_partitioning = true, union_by_name = true)"
    assert other.execute(sql, [str(root.resolve() / "**" / "*.parquet")]).fetchone()[0] == expected
    other.close()
    assert expected > 0 or table == "rejects"


@pytest.mark.parametrize("table", PARTITIONED_TABLES)
def test_partitions_follow_the_documents_publication_month(warehouse, table):
    data = ds.dataset(warehouse / "parquet" / table, partitioning="hive").to_table()
    docs = ds.dataset(warehouse / "parquet" / "documents", partitioning="hive").to_table()
    published = dict(zip(docs["doc_id"].to_pylist(), docs["published"].to_pylist(), strict=True))
    years = data["published_year"].to_pylist()
    months = data["published_month"].to_pylist()
    for doc_id, year, month in zip(data["doc_id"].to_pylist(), years, months, strict=True):
        date = published[doc_id]
        assert (year, month) == ((date.year, date.month) if date else (None, None))
    assert None in years  # the seed without a date sits in the NULL partition


def test_every_file_is_zstd_and_carries_the_schema_version(warehouse):
    files = list((warehouse / "parquet").rglob("*.parquet"))
    assert files
    for path in files:
        meta = pq.ParquetFile(path).metadata
        assert meta.metadata[b"event_etl.schema_version"] == b"1"
        assert meta.row_group(0).column(0).compression == "ZSTD"


def test_rerun_adds_nothing_and_a_new_extractor_version_replaces(warehouse, settings):
    inputs = Path(json.loads(ParquetStore(warehouse).read("runs")["inputs"][0].as_py())[0])
    before = duck_counts(warehouse)
    row = plain_run([inputs], warehouse, settings)
    assert (row.docs_loaded, row.docs_rejected) == (0, 1)
    after = duck_counts(warehouse)
    assert {t: after[t] for t in after if t != "runs"} == {
        t: before[t] for t in before if t != "runs"
    }
    newer = copy.copy(runs.get_extractor(settings))
    newer.version = "test-v2"
    row = plain_run([inputs], warehouse, settings, extractor=newer)
    assert row.docs_loaded == before["documents"]
    again = duck_counts(warehouse)
    assert {t: again[t] for t in again if t != "runs"} == {
        t: before[t] for t in before if t != "runs"
    }
    con = connect_reader(warehouse / "events.duckdb")
    try:
        for table in ("documents", "events", "mentions"):
            versions = con.execute(f"SELECT DISTINCT extractor_version FROM {table}").fetchall()
            assert versions == [("test-v2",)], table
    finally:
        con.close()
    for table in ("documents", "events", "mentions"):
        parquet = ParquetStore(warehouse).read(table, ["extractor_version"])
        assert set(parquet["extractor_version"].to_pylist()) == {"test-v2"}, table


def test_a_document_whose_date_changes_moves_partition(settings, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("The mayor met the governor in Denver.")
    (tmp_path / "in" / "a.meta.json").write_text('{"published": "2020-01-05"}')
    plain_run([tmp_path / "in"], tmp_path / "out", settings)
    (tmp_path / "in" / "a.meta.json").write_text('{"published": "2021-07-05"}')
    newer = copy.copy(runs.get_extractor(settings))
    newer.version = "test-v3"
    plain_run([tmp_path / "in"], tmp_path / "out", settings, extractor=newer)
    docs = ds.dataset(tmp_path / "out" / "parquet" / "documents", partitioning="hive").to_table()
    assert docs.num_rows == 1
    assert (docs["published_year"][0].as_py(), docs["published_month"][0].as_py()) == (2021, 7)
    assert duck_counts(tmp_path / "out")["documents"] == 1


def test_old_databases_gain_new_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("CREATE TABLE documents (doc_id VARCHAR NOT NULL, source_uri VARCHAR NOT NULL)")
    ensure_schema(con)
    names = [r[0] for r in con.execute("DESCRIBE documents").fetchall()]
    assert set(names) == set(schema_of(TABLES["documents"]).names)
    con.close()


def _older_warehouse(warehouse, tmp_path, added: list[str]):
    """A copy of the warehouse as code before the `added` events columns wrote it."""
    old = tmp_path / "old"
    shutil.copytree(warehouse, old)
    files = ParquetStore(old).files("events")
    assert files
    for path in files:
        table = pq.read_table(path, partitioning=None)
        pq.write_table(table.drop_columns(added), path, compression="zstd")
    con = duckdb.connect(str(old / "events.duckdb"))
    con.execute("DROP VIEW IF EXISTS events_near")
    con.execute("DROP VIEW IF EXISTS events_resolved")
    for column in added:
        con.execute(f"ALTER TABLE events DROP COLUMN {column}")
    con.close()
    return old


def test_a_warehouse_written_before_the_verb_phrase_loads_and_gains_it(
    warehouse, settings, tmp_path
):
    # Events files and a database from before phrase_text / phrase_end_char existed.
    old = _older_warehouse(warehouse, tmp_path, ["phrase_text", "phrase_end_char"])
    assert set(ParquetStore(old).read("events")["phrase_text"].to_pylist()) == {None}
    picked = ParquetStore(old).read("events", ["event_id", "phrase_text"])
    assert picked.column_names == ["event_id", "phrase_text"]
    assert set(picked["phrase_text"].to_pylist()) == {None}
    (old / "in").mkdir()
    (old / "in" / "new.txt").write_text("The mayor met the governor in Denver on Monday.")
    plain_run([old / "in"], old, settings)
    con = connect_reader(old / "events.duckdb")
    try:
        rows = con.execute(
            "SELECT e.phrase_text, e.phrase_end_char, d.source_uri LIKE '%new.txt' FROM events e "
            "JOIN documents d USING (doc_id)"
        ).fetchall()
    finally:
        con.close()
    older = [r for r in rows if not r[2]]
    newer = [r for r in rows if r[2]]
    assert older and all(r[0] is None and r[1] is None for r in older)
    assert "met the governor in Denver on Monday" in {r[0] for r in newer}
    # A database rebuilt from the Parquet files reads NULL for the older files' rows.
    (old / "events.duckdb").unlink()
    runs.load_warehouse(old, settings)
    con = connect_reader(old / "events.duckdb")
    try:
        nulls, total = con.execute(
            "SELECT count(*) FILTER (WHERE phrase_text IS NULL), count(*) FROM events"
        ).fetchone()
    finally:
        con.close()
    assert (nulls, total) == (len(older), len(rows))


def test_phrase_text_is_the_text_from_the_predicate_to_phrase_end(warehouse):
    rows = _query(
        warehouse,
        "SELECT e.phrase_text, substr(d.text, e.predicate_start_char + 1, "
        "e.phrase_end_char - e.predicate_start_char), e.phrase_end_char >= "
        "e.predicate_end_char, e.phrase_end_char <= e.sentence_end_char "
        "FROM events e JOIN documents d USING (doc_id)",
    )
    assert rows
    for phrase, span, covers_predicate, in_sentence in rows:
        assert phrase is not None and phrase == span
        assert covers_predicate and in_sentence, phrase


def test_events_resolved_counts_only_day_level_dates_of_the_text(warehouse):
    rows = _query(
        warehouse,
        "SELECT date_granularity, date_source, date_start, published, event_date, "
        "event_date_source, event_date_granularity FROM events_resolved",
    )
    # The seeds date events by a season, a week and a month, and by the publication date.
    assert {"season", "week", "month"} <= {row[0] for row in rows}
    assert "publication" in {row[1] for row in rows}
    for granularity, source, start, published, day, day_source, day_granularity in rows:
        own_day = granularity in ("day", "time") and source != "publication"
        # A vaguer date of the text, or an event put before the story's time, has no day.
        no_day = not own_day and (
            source == "none" or (start is not None and source != "publication")
        )
        assert day == (start if own_day else None if no_day else published)
        expected = "text" if own_day else None if no_day else "published" if published else None
        assert day_source == expected
        assert day_granularity == (None if source == "publication" else granularity)


# -- the contract and the data dictionary ------------------------------------------------


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_every_column_is_documented(table):
    record = TABLES[table]
    fields = [f.name for f in dataclasses.fields(record)]
    assert table in TABLE_DOCS
    assert set(COLUMN_DOCS[table]) == set(fields), "document new columns in COLUMN_DOCS"
    hints = typing.get_type_hints(record)
    for name in fields:
        doc = COLUMN_DOCS[table][name]
        assert doc.meaning.strip()
        nullable = type(None) in typing.get_args(hints[name])
        assert bool(doc.null) == nullable, f"{table}.{name}: say what NULL means iff nullable"


@pytest.mark.parametrize("table", ["events", "mentions"])
def test_a_built_row_is_the_record_itself(table):
    record = TABLES[table]
    values = [f"v{i}" for i, _ in enumerate(dataclasses.fields(record))]
    built, called = builder(record)(*values), record(*values)
    assert type(built) is record
    assert built == called and hash(built) == hash(called)
    assert dataclasses.astuple(built) == tuple(values)
    names = [f.name for f in dataclasses.fields(record)]
    by_name = builder(record)(**dict(zip(names, values, strict=True)))
    assert by_name == called
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.doc_id = "changed"
    with pytest.raises(TypeError):
        builder(record)(*values[:-1])  # a missing field is an error, as with the class


def test_columns_are_only_ever_added():
    snapshot = json.loads((REPO / "tests" / "warehouse" / "schema_v1.json").read_text())
    for table, columns in snapshot["tables"].items():
        schema = schema_of(TABLES[table])
        for name, arrow_type in columns.items():
            assert name in schema.names, f"{table}.{name} was removed or renamed"
            assert str(schema.field(name).type) == arrow_type, f"{table}.{name} was retyped"


def test_the_data_dictionary_file_is_generated_from_the_code():
    from warehouse.dictionary import render_markdown

    written = (REPO / "docs" / "DATA_DICTIONARY.md").read_text("utf-8")
    assert written == render_markdown(), (
        "run: event-etl dictionary --output docs/DATA_DICTIONARY.md"
    )


def test_duckdb_carries_the_dictionary_as_comments(warehouse):
    con = connect_reader(warehouse / "events.duckdb")
    try:
        missing = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND internal = false AND comment IS NULL "
            "AND table_name IN (SELECT table_name FROM duckdb_tables())"
        ).fetchall()
        tables = con.execute("SELECT count(*) FROM duckdb_tables() WHERE comment IS NOT NULL")
        assert tables.fetchone()[0] == len(TABLES)
    finally:
        con.close()
    assert missing == []


def test_each_tables_key_identifies_its_rows_and_the_dictionary_says_so(warehouse):
    from warehouse.dictionary import render_markdown

    con = connect_reader(warehouse / "events.duckdb")
    try:
        for table, key in PRIMARY_KEYS.items():
            total, distinct = con.execute(
                f"SELECT count(*), count(DISTINCT {key}) FROM {table}"
            ).fetchone()
            assert total == distinct, f"{table}.{key} is not unique"
    finally:
        con.close()
    markdown = render_markdown()
    assert "Key `event_id`; rows are replaced per `doc_id`" in markdown
    assert "Key `mention_id`; rows are replaced per `doc_id`" in markdown


# Columns whose documentation lists their values; every value the seeds produce must be listed.
ENUMERATED = {
    "documents": ("published_from",),
    "events": (
        "actor_type",
        "target_type",
        "place_source",
        "date_type",
        "date_granularity",
        "date_anchor",
        "modality",
        "tense",
        "quad_class",
        "date_source",
    ),
}


@pytest.mark.parametrize(
    ("table", "column"), [(t, c) for t, columns in ENUMERATED.items() for c in columns]
)
def test_documented_value_lists_cover_the_values_written(warehouse, table, column):
    con = connect_reader(warehouse / "events.duckdb")
    try:
        values = {
            row[0]
            for row in con.execute(
                f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"
            ).fetchall()
        }
    finally:
        con.close()
    assert values
    doc = COLUMN_DOCS[table][column].meaning
    if column == "target_type":
        doc = COLUMN_DOCS["events"]["actor_type"].meaning
    listed = set(re.findall(r"(?:^|: |\| )([A-Za-z][\w ]*?)(?= \(| \||[.;]|$)", doc))
    assert values <= listed, f"{table}.{column}: {sorted(values - listed)} not documented"


def test_predicate_text_is_the_words_of_the_predicate_span_in_order(warehouse):
    rows = _query(
        warehouse,
        "SELECT e.predicate_text, substr(d.text, e.predicate_start_char + 1, "
        "e.predicate_end_char - e.predicate_start_char) FROM events e JOIN documents d "
        "USING (doc_id)",
    )
    assert rows
    for predicate, span in rows:
        words = predicate.split(" ")
        assert span.startswith(words[0]) and span.endswith(words[-1]), (predicate, span)
        position = 0
        for word in words:
            position = span.index(word, position) + len(word)


def test_readme_synopsis_lists_every_option_of_every_command():
    import argparse

    from flows.cli import build_parser

    readme = (REPO / "README.md").read_text("utf-8")
    synopsis = readme.split("## Using it", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    lines: dict[str, str] = {}
    command = ""
    for line in synopsis.splitlines():
        if "event-etl " in line:
            command = line.split("event-etl ", 1)[1].split()[0]
        if command.startswith("-"):  # a top-level option such as --version
            continue
        lines[command] = lines.get(command, "") + line
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(lines) == set(commands.choices)
    for name, parser in commands.choices.items():
        for action in parser._actions:
            options = [o for o in action.option_strings if o not in ("-h", "--help")]
            if options:
                found = [o for o in options if re.search(rf"{re.escape(o)}\b", lines[name])]
                assert found, f"README synopsis of {name} lacks {options[-1]}"


def _query(warehouse: Path, sql: str) -> list[tuple]:
    """All rows of one query on the warehouse's DuckDB, read as an analyst reads it."""
    con = connect_reader(warehouse / "events.duckdb")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _readme_queries() -> list[str]:
    readme = (REPO / "README.md").read_text("utf-8")
    queries = []
    for block in re.findall(r"```sh\n(.*?)```", readme, flags=re.S):
        for command in re.findall(r"event-etl query (\".*?\"|'.*?')", block, flags=re.S):
            queries.append(shlex.split(command)[0])
    return queries


def test_readme_and_dictionary_examples_run(warehouse, capsys):
    from flows.cli import main
    from warehouse.dictionary import EXAMPLES

    queries = _readme_queries() + [sql for _, sql in EXAMPLES]
    assert len(queries) > len(EXAMPLES)
    for sql in queries:
        assert main(["query", sql, "--out", str(warehouse), "--format", "csv"]) == 0, sql
    capsys.readouterr()


def test_a_warehouse_written_before_coordinations_loads_and_gains_them(
    warehouse, settings, tmp_path
):
    # Events files and a database from before place_confidence, actor_all, target_all.
    old = _older_warehouse(warehouse, tmp_path, ["place_confidence", "actor_all", "target_all"])
    (old / "in").mkdir()
    (old / "in" / "new.txt").write_text("Police and firefighters rescued two men on Monday.")
    plain_run([old / "in"], old, settings)
    con = connect_reader(old / "events.duckdb")
    try:
        types = dict(
            con.execute("SELECT column_name, column_type FROM (DESCRIBE events)").fetchall()
        )
        rows = con.execute(
            "SELECT e.actor_text, e.actor_all FROM events e JOIN documents d USING (doc_id) "
            "WHERE d.source_uri LIKE '%new.txt' AND e.predicate_lemma = 'rescue'"
        ).fetchall()
    finally:
        con.close()
    assert types["actor_all"] == "VARCHAR[]" and types["place_confidence"] == "DOUBLE"
    assert sorted(rows) == [
        ("Police", ["Police", "firefighters"]),
        ("firefighters", ["Police", "firefighters"]),
    ]
    # Downstream tools read the list column from Parquet as a list.
    table = ParquetStore(old).read("events", ["actor_text", "actor_all"])
    assert str(table.schema.field("actor_all").type) == "list<item: string>"
    assert ["Police", "firefighters"] in table["actor_all"].to_pylist()
