"""Orchestration: a standing local Prefect server that later runs reuse (`event-etl server`).

Without PREFECT_API_URL every `event-etl run` starts Prefect's ephemeral server, seconds
before its first document. `event-etl server start` leaves one running on 127.0.0.1 (its
database under the cache directory), and every later `event-etl run` or `serve` without
PREFECT_API_URL finds it through a small state file and uses it; `server stop` ends it.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
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


# -- this run's own ephemeral server, started before anything else --------------------------

# Set while `event-etl run` uses the ephemeral server it started itself: the server ends with
# the run, so what only a standing server reads (flow-run heartbeats) is left off.
EPHEMERAL_MARK = "EVENT_ETL_EPHEMERAL_API"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Ephemeral:
    """Prefect's ephemeral API server, started by this process in the background.

    Prefect starts the same server (`uvicorn prefect.server.api.server:create_app`, UI off)
    when a flow first runs without PREFECT_API_URL: only then, after importing its server
    code into this process too, and it waits for it. Started first, as here, it comes up
    while the input scan, the imports and the model load go on (BENCHMARKS.md, "Start-up").
    """

    def __init__(self) -> None:
        self.port = _free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        env.pop("PREFECT_API_URL", None)
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "--factory"),
                "prefect.server.api.server:create_app",
                *("--host", "127.0.0.1", "--port", str(self.port)),
                *("--log-level", "error", "--lifespan", "on"),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout_s: float = START_TIMEOUT_S) -> str:
        """Its API URL, once it answers.

        Raises:
            ConfigError: E014 when it exits or does not answer in time, with its last output.
        """
        deadline = time.monotonic() + timeout_s
        while not healthy(self.api, timeout_s=1.0):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                tail = self.log.read().decode("utf-8", "replace").strip()[-2000:]
                self.stop()
                raise ConfigError(
                    "E014", f"Prefect's ephemeral server did not start: {tail or 'no output'}"
                )
            time.sleep(0.05)
        return self.api

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


_started: Ephemeral | None = None


def start_ephemeral() -> Ephemeral:
    """This process's ephemeral server, started once and stopped when the process exits.

    PREFECT_API_URL names it from now on, for Prefect (which reads its settings when first
    imported: so call this before) and for the Dask workers this process starts.
    """
    global _started
    if _started is None:
        _started = Ephemeral()
        atexit.register(stop_ephemeral)
        os.environ["PREFECT_API_URL"] = _started.api
        os.environ[EPHEMERAL_MARK] = _started.api
    return _started


def stop_ephemeral() -> None:
    """Stop the server start_ephemeral started (nothing when there is none)."""
    global _started
    if _started is None:
        return
    _started.stop()
    for key in ("PREFECT_API_URL", EPHEMERAL_MARK):
        if os.environ.get(key) == _started.api:
            del os.environ[key]
    _started = None


def is_ephemeral(api: str | None) -> bool:
    """Whether Prefect talks to a server that ends with this process: its own in-process one
    (no API URL), or the one start_ephemeral started."""
    return not api or os.environ.get(EPHEMERAL_MARK) == api
