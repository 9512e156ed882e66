"""`event-etl server start|stop`: a standing Prefect server that runs find and use."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from extractors.config import load_settings
from tests.conftest import SEEDS

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "event-etl"), *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_a_started_server_is_used_by_runs_and_stopped(tmp_path):
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["EVENT_ETL_CACHE"] = str(cache)  # where the server's state and database go
    # The gazetteer from the usual cache, so the run does not rebuild it.
    config = tmp_path / "gazetteer.toml"
    config.write_text(f'[places]\ncache_dir = "{load_settings().places.cache_path()}"\n')
    port = _free_port()
    started = _cli("server", "start", "--port", str(port), env=env)
    assert started.returncode == 0, started.stderr
    api = f"http://127.0.0.1:{port}/api"
    try:
        assert started.stdout.startswith(f"Prefect server started at {api} (pid ")
        state = json.loads((cache / "prefect-server.json").read_text())
        assert _cli("server", "start", "--port", str(port), env=env).stdout.startswith(
            f"Prefect server already running at {api}"
        )
        run = _cli(
            "run", str(SEEDS), "--out", str(tmp_path / "out"), "--config", str(config), env=env
        )
        assert run.returncode == 0, run.stderr
        flows = httpx.post(f"{api}/flow_runs/filter", json={}, timeout=10).json()
        assert [f["state"]["type"] for f in flows] == ["COMPLETED"]  # the run used the server
    finally:
        stopped = _cli("server", "stop", env=env)
    assert stopped.stdout.strip() == f"stopped the Prefect server at {api}"
    assert not (cache / "prefect-server.json").exists()
    assert _cli("server", "status", env=env).stdout.strip() == "not running"
    try:
        os.kill(state["pid"], 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive
