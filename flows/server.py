"""Orchestration: a standing local Prefect server that later runs reuse (`event-etl server`).

Without PREFECT_API_URL every `event-etl run` starts Prefect's ephemeral server, seconds
before its first document. `event-etl server start` leaves one running on 127.0.0.1 (its
database under the cache directory), and every later `event-etl run` or `serve` without
PREFECT_API_URL finds it through a small state file and uses it; `server stop` ends it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from extractors.config import default_cache_dir
from extractors.errors import ConfigError

STATE_NAME = "prefect-server.json"
DEFAULT_PORT = 4200
START_TIMEOUT_S = 120


def state_path() -> Path:
    return default_cache_dir() / STATE_NAME


def healthy(api: str, timeout_s: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=timeout_s) as response:  # noqa: S310 - our own loopback URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running() -> dict[str, Any] | None:
    """The server `start` left, when its process is alive and answers; else None."""
    path = state_path()
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        pid, api = int(state["pid"]), str(state["api"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid) or not healthy(api, timeout_s=0.5):
        return None
    return state


def start(port: int = DEFAULT_PORT) -> tuple[dict[str, Any], bool]:
    """Start the server (or find it running); returns its state and whether it was started.

    Raises:
        ConfigError: E014 when it does not come up (the port is taken, say); its log is named.
    """
    existing = running()
    if existing:
        return existing, False
    home = default_cache_dir() / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    api = f"http://127.0.0.1:{port}/api"
    if healthy(api, timeout_s=0.5):
        raise ConfigError(
            "E014",
            f"something already answers at {api}: choose another --port, or set "
            f"PREFECT_API_URL={api} to use that server",
        )
    log_path = home / "server.log"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": api,
    }
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # it outlives this command, and Ctrl-C here
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not healthy(api):
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                process.terminate()
            raise ConfigError("E014", f"the Prefect server did not start; see {log_path}")
        time.sleep(0.5)
    state = {"pid": process.pid, "api": api, "home": str(home), "log": str(log_path)}
    path = state_path()
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(path)
    return state, True


def stop(timeout_s: float = 30) -> dict[str, Any] | None:
    """Stop the server `start` left; returns its state, or None when none was running."""
    path = state_path()
    state = running()
    if state is None:
        path.unlink(missing_ok=True)  # a stale file of a server that is gone
        return None
    pid = int(state["pid"])
    os.killpg(pid, signal.SIGTERM)  # the server and the workers it started
    deadline = time.monotonic() + timeout_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    return state
