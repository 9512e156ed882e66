"""Shared fixtures: the real spaCy model and settings, loaded once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# An ephemeral Prefect server started while the suite keeps both cores busy can take longer
# than Prefect's default 20 s to answer (seen once in the Dask orchestration test).
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


@pytest.fixture(scope="session")
def settings():
    from extractors.config import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def nlp(settings):
    from extractors.nlp import load_pipeline

    return load_pipeline(settings.nlp.model)


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect database and ephemeral server for flow tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def shared_file(relative: str) -> Path:
    """A file under ../shared, or skip the test when the folder is absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} not present (../shared is only there for evaluation)")
    return path
