"""Concurrency: runs never interleave; an analyst's session makes a run wait, then fail clearly."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from extractors.errors import LoadError
from tests.conftest import SEEDS
from warehouse.store import ParquetStore, warehouse_lock


def _holder(code: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=str(SEEDS.parent)
    )
    assert process.stdout.readline().strip() == "ok"
    return process


def _stop(process: subprocess.Popen) -> None:
    process.kill()
    process.wait()
    process.stdout.close()


def test_second_run_waits_for_the_first_then_fails_clearly(tmp_path):
    holder = _holder(
        "import time; from pathlib import Path; from warehouse.store import warehouse_lock\n"
        f"with warehouse_lock(Path({str(tmp_path)!r}), timeout_s=1):\n"
        "    print('ok', flush=True); time.sleep(30)"
    )
    try:
        started = time.monotonic()
        with pytest.raises(LoadError) as info, warehouse_lock(tmp_path, timeout_s=1.0):
            pass
        assert info.value.code == "E404"
        assert "another event-etl run (pid" in info.value.detail
        assert 0.9 <= time.monotonic() - started < 10
    finally:
        _stop(holder)
    with warehouse_lock(tmp_path, timeout_s=5):  # released when the holder died
        pass


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "fast-lock.toml"
    path.write_text("[warehouse]\nlock_timeout_s = 1\n")
    return path


def test_a_concurrent_flow_run_fails_with_e404_and_writes_nothing(
    prefect_harness, tmp_path, config
):
    from flows.etl import etl_run

    holder = _holder(
        "import time; from pathlib import Path; from warehouse.store import warehouse_lock\n"
        f"with warehouse_lock(Path({str(tmp_path)!r}), timeout_s=1):\n"
        "    print('ok', flush=True); time.sleep(30)"
    )
    try:
        with pytest.raises(LoadError) as info:
            etl_run(paths=[str(SEEDS / "003_batch.jsonl")], out=str(tmp_path), config=str(config))
        assert info.value.code == "E404"
    finally:
        _stop(holder)
    assert ParquetStore(tmp_path).committed_runs() == set()


def test_analyst_session_makes_the_load_fail_and_the_next_run_loads_the_parquet(
    prefect_harness, tmp_path, config
):
    from flows.etl import etl_run

    db = tmp_path / "events.duckdb"
    etl_run(paths=[str(SEEDS / "002_no_date.txt")], out=str(tmp_path), config=str(config))
    analyst = _holder(
        f"import duckdb, time; c = duckdb.connect({str(db)!r}, read_only=True); "
        "print('ok', flush=True); time.sleep(30)"
    )
    try:
        with pytest.raises(LoadError) as info:
            etl_run(paths=[str(SEEDS / "003_batch.jsonl")], out=str(tmp_path), config=str(config))
        assert info.value.code == "E401"
        assert "Close that session" in info.value.detail
    finally:
        _stop(analyst)
    # The blocked run's Parquet is committed; the next run loads it without re-extracting.
    assert len(ParquetStore(tmp_path).committed_runs()) == 2
    summary = etl_run(paths=[str(SEEDS / "003_batch.jsonl")], out=str(tmp_path), config=str(config))
    assert summary["docs_loaded"] == 0 and summary["docs_skipped"] == 3
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 3
    finally:
        con.close()
