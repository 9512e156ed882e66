"""Orchestration for real: a scheduled deployment on a real Prefect server, and Dask workers."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from tests.conftest import REPO, SEEDS

BIN = Path(sys.executable).parent
SERVER_TIMEOUT_S = 120
RUN_TIMEOUT_S = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """`prefect server start` on 127.0.0.1 with a temporary PREFECT_HOME; stopped afterwards."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
    }
    log = open(home / "server.log", "w")  # noqa: SIM115 - closed in teardown
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + SERVER_TIMEOUT_S
    try:
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((home / "server.log").read_text()[-3000:])
            time.sleep(1)
        yield api, env
    finally:
        _stop(server)
        log.close()


def _wait_for_deployment(api: str, name: str, serve: subprocess.Popen) -> dict:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        response = httpx.get(f"{api}/deployments/name/event-etl-run/{name}", timeout=5)
        if response.status_code == 200:
            return response.json()
        assert serve.poll() is None, "event-etl serve exited early"
        time.sleep(1)
    raise TimeoutError("deployment never appeared")


def test_scheduled_deployment_runs_on_a_real_server(prefect_server, tmp_path):
    api, env = prefect_server
    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    out = tmp_path / "warehouse"
    config = tmp_path / "serve.toml"
    config.write_text(
        f'[schedule]\nname = "test-inbox"\npaths = ["{inbox}"]\nout = "{out}"\n'
        "interval_minutes = 1440\n"
    )
    serve_log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed below
    serve = subprocess.Popen(
        [str(BIN / "event-etl"), "serve", "--config", str(config)],
        env=env,
        cwd=tmp_path,
        stdout=serve_log,
        stderr=subprocess.STDOUT,
    )
    try:
        deployment = _wait_for_deployment(api, "test-inbox", serve)
        schedules = deployment["schedules"]
        assert len(schedules) == 1
        assert schedules[0]["schedule"]["interval"] == 1440 * 60
        assert deployment["parameters"]["paths"] == [str(inbox)]
        # A manual run through the API, as `prefect deployment run` does.
        for _attempt in range(5):
            created = httpx.post(
                f"{api}/deployments/{deployment['id']}/create_flow_run", json={}, timeout=10
            )
            # A busy server answers 503 for a moment (its database is shared with the
            # serving process); Prefect's own client retries it the same way.
            if created.status_code != 503:
                break
            time.sleep(2)
        created.raise_for_status()
        run_id = created.json()["id"]
        deadline = time.monotonic() + RUN_TIMEOUT_S
        state = None
        while time.monotonic() < deadline:
            state = httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()["state"]["type"]
            if state in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
                break
            time.sleep(2)
        assert state == "COMPLETED", (tmp_path / "serve.log").read_text()[-3000:]
    finally:
        _stop(serve)
        serve_log.close()
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from documents").fetchone()[0] == 10
        assert con.execute("select count(*) from events").fetchone()[0] > 20
    finally:
        con.close()
    # [schedule] report = true (the default): each scheduled run rewrites the report.
    assert deployment["parameters"]["report_to"] == str(out / "report.html")
    assert "Plotly" in (out / "report.html").read_text(encoding="utf-8")


def test_serve_without_a_server_says_what_to_do(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path)
    done = subprocess.run(
        [str(BIN / "event-etl"), "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "prefect server start" in done.stderr


def _staged_batches(out: Path) -> int:
    files = (out / "parquet" / "documents").rglob("*.parquet")
    return len({f.name for f in files})


def _rows(out: Path) -> dict[str, list[tuple]]:
    queries = {
        "documents": "select doc_id, n_tokens, n_events from documents order by doc_id",
        "events": "select * exclude (run_id) from events order by event_id",
        "mentions": "select * exclude (run_id) from mentions order by mention_id",
        "places": "select * from places order by geonameid",
    }
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        return {table: con.execute(sql).fetchall() for table, sql in queries.items()}
    finally:
        con.close()


def test_dask_workers_give_exactly_the_local_rows(prefect_harness, tmp_path):
    from flows.etl import dask_task_runner, etl_run

    config = tmp_path / "small-batches.toml"
    config.write_text("[run]\ndocs_per_task = 2\n")
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"
    etl_run(paths=[str(SEEDS)], out=str(local_out), config=str(config))
    summary = etl_run.with_options(task_runner=dask_task_runner(2))(
        paths=[str(SEEDS)], out=str(dask_out), config=str(config), parallelism=2
    )
    assert summary["docs_loaded"] == 10
    # Batches of one document with 2 workers (2 // (4 * 2) rounds up to 1): ten batches.
    assert _staged_batches(dask_out) == 10
    local, dask = _rows(local_out), _rows(dask_out)
    for table in local:
        assert dask[table] == local[table], table
    assert len(local["events"]) > 20


# Run in a fresh process: no PREFECT_API_URL, so the flow runs on an ephemeral server.
_API_OF_WORKERS = """
import json
from prefect import flow, task
from prefect.client.orchestration import get_client
from prefect.server.api.server import SubprocessASGIServer
from flows.etl import dask_task_runner

@task
def api_seen() -> str:
    with get_client(sync_client=True) as client:
        return str(client.api_url)

@flow
def apis() -> list[str]:
    return [f.result() for f in [api_seen.submit(), api_seen.submit()]]

if __name__ == "__main__":
    seen = apis.with_options(task_runner=dask_task_runner(2))()
    print(json.dumps({"flow": SubprocessASGIServer().api_url, "workers": seen}))
"""


def test_dask_workers_report_to_the_flows_ephemeral_server(tmp_path):
    # A worker that is not told the API starts an ephemeral server of its own: 10-20 s
    # before its first task, and a server process competing for the cores.
    script = tmp_path / "apis.py"
    script.write_text(_API_OF_WORKERS)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["workers"] == [result["flow"] + "/"] * 2


def test_runs_on_the_ephemeral_server_send_no_heartbeats():
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    from flows.etl import ephemeral_run_settings

    def heartbeat() -> int | None:
        return get_current_settings().flows.heartbeat_frequency

    with temporary_settings(updates={PREFECT_API_URL: None}):
        default = heartbeat()
        with ephemeral_run_settings():
            assert heartbeat() is None  # nothing outlives the process to read them
        assert heartbeat() == default
    standing = temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"})
    with standing, ephemeral_run_settings():
        assert heartbeat() == default  # a standing server watches for crashed runs
    assert default is not None
