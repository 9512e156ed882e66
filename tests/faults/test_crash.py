"""Crash safety: a run SIGKILLed at each crash point, then re-run, equals a clean run."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.conftest import SEEDS
from tests.faults._support import KEYS, duck_snapshot, parquet_snapshot, run_cli

# Points in warehouse/faults.py; with docs_per_task = 2 the seeds make 3 batches.
CRASH_POINTS = [
    "batch:extracted@2",  # during extraction: batch 1 staged, batch 2 parsed
    "stage:events@2",  # half way through staging a batch's tables
    "commit:prepared",  # rewrites staged, no manifest yet
    "commit:manifest",  # manifest written, nothing moved
    "commit:move@2",  # some files moved into place, the runs file not yet
    "load:documents",  # inside the DuckDB transaction
    "load:before_commit",  # every table inserted, COMMIT not reached
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash-inputs")
    shutil.copytree(SEEDS, root / "seeds")
    (root / "seeds" / "bad.jsonl").write_text('{"text": "Fine line."}\n{oops\n')
    config = root / "config.toml"
    config.write_text("[run]\ndocs_per_task = 2\n[warehouse]\nlock_timeout_s = 5\n")
    return root / "seeds", config


@pytest.fixture(scope="module")
def clean(prefect_harness, inputs, tmp_path_factory):
    from flows.etl import etl_run

    seeds, config = inputs
    out = tmp_path_factory.mktemp("clean")
    etl_run(paths=[str(seeds)], out=str(out), config=str(config))
    return duck_snapshot(out)


def _reloaded(out):
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        return con.execute("SELECT sum(docs_loaded), sum(docs_rejected) FROM runs").fetchone()
    finally:
        con.close()


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_killed_run_then_rerun_equals_a_clean_run(point, clean, inputs, tmp_path):
    from flows.etl import etl_run

    seeds, config = inputs
    out = tmp_path / "out"
    killed = run_cli(["run", str(seeds), "--out", str(out), "--config", str(config)], fault=point)
    assert killed.returncode == -9, killed.stderr[-2000:]
    summary = etl_run(paths=[str(seeds)], out=str(out), config=str(config))
    assert summary["inputs_seen"] == (
        summary["docs_loaded"] + summary["docs_skipped"] + summary["docs_rejected"]
    )
    after = duck_snapshot(out)
    assert after == clean  # row for row: nothing lost, nothing duplicated
    assert parquet_snapshot(out) == clean
    for table in KEYS:
        assert len({row for row in after[table]}) == len(after[table]), table
    assert not (out / "staging").exists() or not any((out / "staging").iterdir())
    # Every document was loaded exactly once over the crashed run and the re-run.
    loaded, _ = _reloaded(out)
    assert loaded == len(clean["documents"])
