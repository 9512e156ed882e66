"""Run bookkeeping: how the input stream is cut into extraction batches."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from extractors.config import Settings
from tests.conftest import SEEDS
from warehouse import runs


def _settings(docs_per_task: int) -> Settings:
    settings = Settings()
    return dataclasses.replace(
        settings, run=dataclasses.replace(settings.run, docs_per_task=docs_per_task)
    )


@pytest.mark.parametrize(
    ("docs_per_task", "parallelism", "expected"),
    [(500, 1, 500), (500, 0, 500), (500, 2, 62), (500, 4, 31), (2, 2, 1), (1, 8, 1)],
)
def test_parallel_runs_cut_smaller_batches(docs_per_task, parallelism, expected):
    assert runs.batch_size(_settings(docs_per_task), parallelism) == expected


@pytest.mark.parametrize("size", [1, 4, None])
def test_batches_have_the_given_size_and_cover_every_document(tmp_path, size):
    settings = _settings(3)
    run = runs.start_run([SEEDS], settings, out=tmp_path)
    batches = list(runs.article_batches(run, settings, size=size))
    limit = size or 3
    assert all(len(b) <= limit for b in batches)
    assert all(len(b) == limit for b in batches[:-1])
    assert sum(len(b) for b in batches) == 10  # the seeds' documents


def test_a_batch_travels_to_its_task_as_one_payload(tmp_path):
    settings = _settings(3)
    run = runs.start_run([SEEDS], settings, out=tmp_path)
    batch = next(runs.article_batches(run, settings))
    payload = runs.pack_articles(batch)
    assert isinstance(payload, bytes)
    assert runs.unpack_articles(payload) == batch
    with pytest.raises(TypeError, match="list of Articles"):
        runs.unpack_articles(pickle.dumps({"not": "articles"}))
