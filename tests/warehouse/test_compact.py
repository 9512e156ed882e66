"""Compaction: small files merged per partition, rows unchanged, runs and crashes still safe."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import time

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extractors.errors import LoadError
from extractors.records import DocumentRow, RejectRow, to_table
from tests.faults._support import duck_snapshot, parquet_snapshot, run_cli
from tests.warehouse._rows import document_row, runs_table
from warehouse.compact import COMPACTED_TABLES, compact, plan_groups
from warehouse.duck import connect_writer, load_pending
from warehouse.store import COMPRESSION, ROW_GROUP_SIZE, ParquetStore, warehouse_lock

MB = 1024 * 1024


def _doc(doc_id: str, run_id: str, published: dt.date | None, version: str = "v1"):
    return document_row(doc_id, run_id=run_id, published=published, version=version)


def _run(run_id: str) -> pa.Table:
    return runs_table(run_id)


def _reject(run_id: str, n: int) -> RejectRow:
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    return RejectRow(f"x{run_id}{n}", run_id, "f.jsonl", n, None, "E105", "no text", "", now)


def _commit(store: ParquetStore, run_id: str, docs: list[DocumentRow], rejects=()) -> None:
    tables = {"documents": to_table(DocumentRow, docs)}
    if rejects:
        tables["rejects"] = to_table(RejectRow, list(rejects))
    store.stage_batch(run_id, 1, tables)
    store.commit(run_id, _run(run_id), None)


JAN, FEB = dt.date(2024, 1, 5), dt.date(2024, 2, 7)


@pytest.fixture
def small_runs(tmp_path):
    """Five runs, each a document in January, one in February or undated, and a reject."""
    store = ParquetStore(tmp_path)
    for i in range(5):
        run = f"r{i}"
        docs = [_doc(f"jan{i}", run, JAN), _doc(f"other{i}", run, FEB if i % 2 else None)]
        _commit(store, run, docs, [_reject(run, i)])
    return store


def _sorted(store: ParquetStore, table: str) -> list[dict]:
    return sorted(store.read(table).to_pylist(), key=repr)


def test_compaction_keeps_every_row_and_leaves_one_file_per_partition(small_runs):
    store = small_runs
    before = {t: _sorted(store, t) for t in COMPACTED_TABLES}
    assert len(store.files("documents")) == 10
    results = compact(store.out, database=store.out / "none.duckdb", target_bytes=MB, timeout_s=5)
    assert {t: _sorted(store, t) for t in COMPACTED_TABLES} == before
    # January, February and the undated partition: one file each; rejects: one file.
    assert [p.parent.name for p in store.files("documents")] == [
        "published_month=1",
        "published_month=2",
        "published_month=__HIVE_DEFAULT_PARTITION__",
    ]
    assert len(store.files("rejects")) == 1
    docs = next(r for r in results if r.table == "documents")
    assert (docs.files_before, docs.files_after, docs.rows_before, docs.rows_after) == (
        10,
        3,
        10,
        10,
    )
    # The store's writer: zstd, its row-group size, the schema version; named after a run.
    merged = store.files("documents")[0]
    assert merged.name == "r4-c00000.parquet"
    meta = pq.read_metadata(merged)
    assert meta.schema.to_arrow_schema().metadata[b"event_etl.schema_version"] == b"1"
    assert meta.row_group(0).column(0).compression == COMPRESSION.upper()
    assert store.committed_runs() == {f"r{i}" for i in range(5)}
    assert store.recover() == []  # nothing looks abandoned: merged files belong to a run
    assert not (store.out / "staging").exists() or not any((store.out / "staging").iterdir())
    again = compact(store.out, database=store.out / "none.duckdb", target_bytes=MB, timeout_s=5)
    assert all(r.files_before == r.files_after for r in again)


def test_dry_run_changes_nothing(small_runs):
    store = small_runs
    files = {t: store.files(t) for t in COMPACTED_TABLES}
    results = compact(
        store.out, database=store.out / "x.duckdb", target_bytes=MB, timeout_s=5, dry_run=True
    )
    assert {t: store.files(t) for t in COMPACTED_TABLES} == files
    assert {r.table: r.files_after for r in results} == {
        "documents": 3,
        "events": 0,
        "mentions": 0,
        "rejects": 1,
        "story_members": 0,  # these runs were committed by hand, with no stories
    }


def test_reprocessed_document_after_compaction_replaces_its_rows(small_runs):
    store = small_runs
    compact(store.out, database=store.out / "none.duckdb", target_bytes=MB, timeout_s=5)
    _commit(store, "r5", [_doc("jan2", "r5", JAN, version="v2")])
    docs = store.read("documents")
    assert docs["doc_id"].to_pylist().count("jan2") == 1
    assert store.known_documents()["jan2"] == "v2"
    assert store.known_documents()["jan3"] == "v1"
    assert docs.num_rows == 10
    # The merged January file was rewritten without jan2; the new run's file holds it.
    jan = [p.name for p in store.files("documents") if p.parent.name == "published_month=1"]
    assert jan == ["r4-c00000.parquet", "r5-00001.parquet"]
    compact(store.out, database=store.out / "none.duckdb", target_bytes=MB, timeout_s=5)
    jan = [p.name for p in store.files("documents") if p.parent.name == "published_month=1"]
    assert jan == ["r5-c00000.parquet"]
    assert store.read("documents").num_rows == 10


def test_files_above_the_target_size_and_of_unloaded_runs_stay(tmp_path):
    store = ParquetStore(tmp_path)
    for i in range(3):
        _commit(store, f"r{i}", [_doc(f"d{i}", f"r{i}", JAN)])
    database = tmp_path / "events.duckdb"
    con = connect_writer(database, timeout_s=5)
    try:
        load_pending(con, store)
    finally:
        con.close()
    _commit(store, "r3", [_doc("d3", "r3", JAN)])  # committed, DuckDB not loaded yet
    results = compact(tmp_path, database=database, target_bytes=MB, timeout_s=5)
    names = [p.name for p in store.files("documents")]
    assert names == ["r2-c00000.parquet", "r3-00001.parquet"]
    assert next(r for r in results if r.table == "documents").kept_unloaded == 1
    con = connect_writer(database, timeout_s=5)
    try:
        assert load_pending(con, store) == ["r3"]
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (4,)
    finally:
        con.close()
    # A target below every file's size: nothing is small, nothing merges.
    sizes = {p: p.stat().st_size for p in store.files("documents")}
    assert plan_groups(list(sizes), target_bytes=min(sizes.values()), eligible_runs=None) == []


def test_plan_groups_bins_small_files_up_to_the_target(tmp_path):
    part = tmp_path / "documents" / "published_year=2024" / "published_month=1"
    part.mkdir(parents=True)
    files = []
    for i in range(5):
        path = part / f"r{i}-00001.parquet"
        path.write_bytes(b"x" * 400)
        files.append(path)
    groups = plan_groups(files, target_bytes=1000, eligible_runs=None)
    assert groups == [files[:3], files[3:]]
    only = plan_groups(files, target_bytes=1000, eligible_runs={"r0", "r4"})
    assert only == [[files[0], files[4]]]
    assert plan_groups(files, target_bytes=1000, eligible_runs={"r2"}) == []


def test_row_groups_have_the_store_size_across_many_small_parts(tmp_path):
    from warehouse.store import write_tables_atomic

    schema = pa.schema([("n", pa.int64())])
    parts = (pa.table({"n": range(i * 50_000, (i + 1) * 50_000)}) for i in range(6))
    path = tmp_path / "t.parquet"
    assert write_tables_atomic(parts, schema, path) == 300_000
    meta = pq.read_metadata(path)
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [
        ROW_GROUP_SIZE,
        ROW_GROUP_SIZE,
        300_000 - 2 * ROW_GROUP_SIZE,
    ]
    assert pq.read_table(path)["n"].to_pylist() == list(range(300_000))


def test_compaction_waits_for_the_run_lock_then_fails_with_e404(small_runs):
    out = small_runs.out
    files = small_runs.files("documents")
    with warehouse_lock(out, timeout_s=1), pytest.raises(LoadError) as info:
        compact(out, database=out / "x.duckdb", target_bytes=MB, timeout_s=0.5)
    assert info.value.code == "E404"
    assert small_runs.files("documents") == files

    release = threading.Event()

    def hold() -> None:
        with warehouse_lock(out, timeout_s=1):
            release.set()
            time.sleep(1.0)

    holder = threading.Thread(target=hold)
    holder.start()
    release.wait(5)
    started = time.monotonic()
    compact(out, database=out / "x.duckdb", target_bytes=MB, timeout_s=10)
    holder.join()
    assert time.monotonic() - started >= 0.5  # it waited for the holder
    assert len(small_runs.files("documents")) == 3


# -- end to end: real runs, the CLI, crashes --------------------------------------------------

ARTICLES = [
    ("The mayor of {city} met union leaders on Tuesday to discuss bus fares.", "2024-01-{d:02d}"),
    ("Farmers blocked a highway near {city} on Monday, police said.", "2024-02-{d:02d}"),
    ("Ministers from {city} signed a water agreement on Friday.", None),
]
CITIES = ["Lyon", "Nairobi", "Lima", "Oslo"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("compact-inputs")
    paths = []
    for i, city in enumerate(CITIES):
        path = root / f"part{i}.jsonl"
        lines = []
        for text, published in ARTICLES:
            record = {"text": text.format(city=city)}
            if published:
                record["published"] = published.format(d=10 + i)
            lines.append(json.dumps(record))
        path.write_text("\n".join(lines) + "\n{broken\n", encoding="utf-8")
        paths.append(path)
    config = root / "config.toml"
    config.write_text("[warehouse]\nlock_timeout_s = 5\n")
    return paths, config


@pytest.fixture(scope="module")
def small_warehouse(prefect_harness, inputs, tmp_path_factory):
    """A warehouse fed by one run per input file, as a frequent schedule would."""
    from flows.etl import etl_run

    paths, config = inputs
    out = tmp_path_factory.mktemp("small") / "out"
    for path in paths:
        etl_run(paths=[str(path)], out=str(out), config=str(config))
    return out


def _count_files(out) -> dict[str, int]:
    return {t: len(ParquetStore(out).files(t)) for t in COMPACTED_TABLES}


def test_compact_command_keeps_duckdb_and_parquet_rows_and_reruns_add_nothing(
    small_warehouse, inputs, tmp_path, capsys
):
    from flows.cli import main
    from flows.etl import etl_run

    paths, config = inputs
    out = tmp_path / "out"
    shutil.copytree(small_warehouse, out)
    duck_before, parquet_before = duck_snapshot(out), parquet_snapshot(out)
    assert duck_before == parquet_before
    files_before = _count_files(out)
    assert main(["compact", "--out", str(out), "--config", str(config)]) == 0
    printed = capsys.readouterr().out
    assert f"documents: files {files_before['documents']} -> 3," in printed
    assert "rows (unchanged)" in printed
    assert duck_snapshot(out) == duck_before
    assert parquet_snapshot(out) == parquet_before
    files_after = _count_files(out)
    assert files_after == {
        "documents": 3,
        "events": 3,
        "mentions": 3,
        "rejects": 1,
        "story_members": 1,
    }
    assert all(files_after[t] < files_before[t] for t in COMPACTED_TABLES)
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(out, rebuilt)
    assert main(["rebuild", "--out", str(rebuilt)]) == 0
    assert duck_snapshot(rebuilt) == duck_before  # the merged files load like the runs' own
    summary = etl_run(paths=[str(p) for p in paths], out=str(out), config=str(config))
    assert summary["docs_loaded"] == 0
    assert summary["docs_skipped"] == 3 * len(CITIES)
    after = duck_snapshot(out)
    assert {t: after[t] for t in ("documents", "events", "mentions")} == {
        t: duck_before[t] for t in ("documents", "events", "mentions")
    }
    assert parquet_snapshot(out) == after


def test_compact_table_option_and_dry_run(small_warehouse, inputs, tmp_path, capsys):
    from flows.cli import main

    _, config = inputs
    out = tmp_path / "out"
    shutil.copytree(small_warehouse, out)
    before = _count_files(out)
    assert main(["compact", "--out", str(out), "--config", str(config), "--dry-run"]) == 0
    assert "would compact events" in capsys.readouterr().out
    assert _count_files(out) == before
    assert main(["compact", "--out", str(out), "--table", "events"]) == 0
    after = _count_files(out)
    assert after["events"] == 3
    assert {t: after[t] for t in ("documents", "mentions", "rejects")} == {
        t: before[t] for t in ("documents", "mentions", "rejects")
    }


CRASH_POINTS = [
    "compact:staged",  # a merged documents file staged, no manifest
    "compact:prepared",  # every merged documents file staged, no manifest
    "compact:manifest",  # documents' manifest written, nothing deleted or moved
    "compact:delete@2",  # two source files deleted, no merged file in place
    "compact:move",  # one merged file moved in, the others not
    "compact:manifest@2",  # documents compacted, events' manifest written
]


@pytest.mark.parametrize("recover_with", ["run", "compact", "rebuild"])
@pytest.mark.parametrize("point", CRASH_POINTS)
def test_crash_during_compaction_loses_and_duplicates_nothing(
    point, recover_with, small_warehouse, inputs, tmp_path
):
    from flows.etl import etl_run

    paths, config = inputs
    out = tmp_path / "out"
    shutil.copytree(small_warehouse, out)
    duck_before, parquet_before = duck_snapshot(out), parquet_snapshot(out)
    killed = run_cli(["compact", "--out", str(out), "--config", str(config)], fault=point)
    assert killed.returncode == -9, killed.stderr[-2000:]
    staged = list((out / "staging").glob("compact-*/COMMIT.json"))
    assert bool(staged) == (
        point.split("@")[0] in {"compact:manifest", "compact:delete", "compact:move"}
    )
    torn = parquet_snapshot(out)
    if point.startswith(("compact:staged", "compact:prepared", "compact:manifest")):
        assert torn == parquet_before  # not applied yet: the sources are all still there
    elif point.startswith("compact:delete"):
        assert len(torn["documents"]) < len(parquet_before["documents"])  # recovery must finish
    if recover_with == "run":
        summary = etl_run(paths=[str(p) for p in paths], out=str(out), config=str(config))
        assert summary["docs_loaded"] == 0
    elif recover_with == "rebuild":  # rebuilding DuckDB first finishes the decided swap
        rebuilt = run_cli(["rebuild", "--out", str(out), "--config", str(config)])
        assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    else:
        finished = run_cli(["compact", "--out", str(out), "--config", str(config)])
        assert finished.returncode == 0, finished.stderr[-2000:]
        assert _count_files(out) == {
            "documents": 3,
            "events": 3,
            "mentions": 3,
            "rejects": 1,
            "story_members": 1,
        }
    data = ("documents", "events", "mentions", "places")
    duck_after, parquet_after = duck_snapshot(out), parquet_snapshot(out)
    assert {t: duck_after[t] for t in data} == {t: duck_before[t] for t in data}
    assert {t: parquet_after[t] for t in data} == {t: parquet_before[t] for t in data}
    assert parquet_after == duck_after  # nothing lost, nothing duplicated
    assert not (out / "staging").exists() or not any((out / "staging").iterdir())
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) - count(DISTINCT event_id) FROM events").fetchone() == (
            0,
        )
    finally:
        con.close()
