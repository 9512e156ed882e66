import dataclasses
import os
import subprocess
import sys
import time
import typing

import duckdb
import pytest

from extractors.errors import LoadError
from extractors.records import TABLES, DocumentRow, schema_of, to_table
from tests.conftest import REPO
from tests.warehouse._rows import document_row, runs_table
from warehouse.duck import (
    WRITER_ROW_GROUP_SIZE,
    connect_reader,
    connect_writer,
    ensure_schema,
    load_pending,
)
from warehouse.store import ParquetStore


@pytest.mark.parametrize("table", sorted(TABLES))
def test_contract_dataclass_arrow_duckdb_agree(tmp_path, table):
    record = TABLES[table]
    names = [f.name for f in dataclasses.fields(record)]
    schema = schema_of(record)
    assert schema.names == names
    hints = typing.get_type_hints(record)
    for field in schema:
        optional = type(None) in typing.get_args(hints[field.name])
        assert field.nullable == optional, field.name
    con = duckdb.connect(str(tmp_path / "c.duckdb"))
    ensure_schema(con)
    described = con.execute(f"DESCRIBE {table}").fetchall()
    assert [row[0] for row in described] == names
    nullable = {row[0]: row[2] == "YES" for row in described}
    for field in schema:
        if not field.nullable:
            assert not nullable[field.name], field.name


def test_writer_waits_then_fails_clearly_when_an_analyst_holds_the_file(tmp_path):
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}, read_only=True); "
            "print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        started = time.monotonic()
        with pytest.raises(LoadError) as info:
            connect_writer(path, timeout_s=1.0)
        assert info.value.code == "E401"
        assert "Parquet files are kept" in info.value.detail
        assert 0.9 <= time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    connect_writer(path, timeout_s=5).close()


def test_reader_is_read_only(tmp_path):
    path = tmp_path / "r.duckdb"
    con = duckdb.connect(str(path))
    ensure_schema(con)
    con.close()
    reader = connect_reader(path)
    with pytest.raises(duckdb.Error):
        reader.execute("DELETE FROM runs")
    reader.close()


def test_reader_needs_an_existing_warehouse(tmp_path):
    with pytest.raises(LoadError) as info:
        connect_reader(tmp_path / "none.duckdb")
    assert info.value.code == "E402"


def _query(db, sql):
    con = connect_reader(db)
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


def test_a_load_of_several_row_groups_is_one_transaction_and_loads_once(tmp_path):
    # More rows than fit in memory-held row groups: the writer puts them in the file before
    # COMMIT. A load killed there must still leave nothing of the run, and the next load
    # must load it exactly once.
    n = 2 * WRITER_ROW_GROUP_SIZE + 7
    store = ParquetStore(tmp_path)
    rows = [document_row(f"d{i:06d}", text=f"Text of document {i}. " * 4) for i in range(n)]
    store.stage_batch("r1", 1, {"documents": to_table(DocumentRow, rows)})
    store.commit("r1", runs_table("r1"), None)
    db = tmp_path / "events.duckdb"
    load = (
        "from pathlib import Path\n"
        "from warehouse.duck import connect_writer, load_pending\n"
        "from warehouse.store import ParquetStore\n"
        f"con = connect_writer(Path({str(db)!r}), timeout_s=5)\n"
        f"load_pending(con, ParquetStore(Path({str(tmp_path)!r})))\n"
    )
    env = {**os.environ, "EVENT_ETL_FAULT": "load:before_commit"}
    killed = subprocess.run(
        [sys.executable, "-c", load], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert _query(db, "SELECT count(*) FROM documents") == (0,)
    assert _query(db, "SELECT count(*) FROM runs") == (0,)

    con = connect_writer(db, timeout_s=5)
    try:
        assert load_pending(con, store) == ["r1"]
        assert load_pending(con, store) == []
    finally:
        con.close()
    assert _query(db, "SELECT count(*), count(DISTINCT doc_id) FROM documents") == (n, n)
    # The rows went in as row groups of the writer's size, not held in memory until COMMIT.
    groups = "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('documents')"
    assert _query(db, groups)[0] >= 3
