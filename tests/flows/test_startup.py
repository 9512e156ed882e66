"""What `event-etl run` does before and around the flow: its own ephemeral server, the
run that finds nothing new, and how many workers it starts."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from flows import server, stages
from flows.cli import choose_workers
from tests.conftest import REPO, SEEDS

BATCH = SEEDS / "003_batch.jsonl"


def _args(**given: object) -> argparse.Namespace:
    return argparse.Namespace(
        **{"workers": None, "task_runner": "auto", "dask_address": None, **given}
    )


@pytest.mark.parametrize(
    ("given", "total", "cores", "workers"),
    [
        ({}, 10, 2, 1),  # a handful: one process
        ({}, 399, 2, 1),  # not 200 for each of two
        ({}, 400, 2, 2),
        ({}, 5000, 2, 2),  # no more than the cores
        ({}, 5000, 8, 8),
        ({"workers": 1}, 5000, 8, 1),  # --workers decides
        ({"workers": 3}, 10, 2, 3),
        ({"task_runner": "local"}, 5000, 8, 1),
        ({"task_runner": "dask"}, 10, 2, 2),
        ({"dask_address": "tcp://h:8786"}, 10, 2, 2),
    ],
)
def test_workers_follow_the_cores_and_the_input(given, total, cores, workers):
    chosen, why = choose_workers(_args(**given), total, 200, cores)
    assert chosen == workers
    assert why  # the run summary says why


def _run_fresh(*args: str) -> subprocess.CompletedProcess:
    """`event-etl run` in a fresh process, as a user starts it (no Prefect server given);
    it prints whether it imported Prefect."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    code = (
        "import sys; from flows.cli import main; status = main(sys.argv[1:]); "
        "print('prefect imported:', 'prefect' in sys.modules); sys.exit(status)"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "run", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_rerun_with_nothing_new_skips_prefect_and_is_still_a_run(tmp_path):
    out = str(tmp_path / "out")
    first = _run_fresh(str(BATCH), "--out", out)
    assert first.returncode == 0, first.stderr
    assert "ran in: Prefect flow, this process" in first.stdout
    assert "prefect imported: True" in first.stdout
    again = _run_fresh(str(BATCH), "--out", out)
    assert again.returncode == 0, again.stderr
    assert "3 inputs -> 0 documents loaded, 3 skipped" in again.stdout
    assert "ran in: this process, without Prefect (nothing new to extract)" in again.stdout
    assert "prefect imported: False" in again.stdout
    import duckdb

    with duckdb.connect(str(tmp_path / "out" / "events.duckdb"), read_only=True) as con:
        runs = con.execute("select docs_loaded, docs_skipped from runs order by started_at")
        assert runs.fetchall() == [(3, 0), (0, 3)]  # the re-run is recorded like any run
        assert con.execute("select count(*) from documents").fetchone() == (3,)


def test_nothing_new_is_judged_against_the_warehouse(tmp_path, settings):
    from warehouse.runs import has_new_documents

    out = tmp_path / "out"
    assert has_new_documents([BATCH], settings, out=out)  # an empty warehouse
    first = _run_fresh(str(BATCH), "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert not has_new_documents([BATCH], settings, out=out)
    assert has_new_documents([BATCH, SEEDS / "002_no_date.txt"], settings, out=out)


def test_the_early_server_answers_and_is_stopped_with_its_environment(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    started = server.start_ephemeral()
    try:
        assert server.start_ephemeral() is started  # one per process
        api = started.wait()
        assert os.environ["PREFECT_API_URL"] == api and server.is_ephemeral(api)
        assert server.healthy(api)
    finally:
        server.stop_ephemeral()
    assert started.process.poll() is not None
    assert not server.healthy(api)
    assert "PREFECT_API_URL" not in os.environ and not server.is_ephemeral(api)
    assert server.is_ephemeral(None)  # Prefect's own in-process one


def test_in_process_stages_retry_as_the_flow_tasks_do(monkeypatch):
    monkeypatch.setattr(stages.time, "sleep", lambda _s: None)
    calls = []

    def flaky(value: int) -> int:
        calls.append(value)
        if len(calls) < 3:
            raise OSError("transient")
        return value

    assert stages._retrying(flaky, 2, 1)(7) == 7 and len(calls) == 3
    calls.clear()
    with pytest.raises(OSError):
        stages._retrying(flaky, 1, 1)(7)
