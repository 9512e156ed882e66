import dataclasses
import subprocess
import sys
import time
import typing

import duckdb
import pytest

from extractors.errors import LoadError
from extractors.records import TABLES, schema_of
from warehouse.duck import connect_reader, connect_writer, ensure_schema


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
