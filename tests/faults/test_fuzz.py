"""Property tests: random bytes and random Unicode never crash ingestion or extraction."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.config import Settings
from extractors.errors import REASONS
from extractors.ingest import Rejection, articles, build_article
from extractors.records import Article
from warehouse.runs import RunState, article_batches

TODAY = dt.date(2026, 11, 28)
PATTERNS = ("*.txt", "*.jsonl")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def extractor(settings):  # noqa: F811 - the session fixture of the same name
    """The flow's extractor with a tiny max_chars, so random texts are also parsed in chunks."""
    from warehouse.runs import get_extractor

    small = copy.copy(get_extractor(settings))
    small.settings = dataclasses.replace(
        settings, ingest=dataclasses.replace(settings.ingest, max_chars=150)
    )
    return small


def _check(item: object) -> None:
    assert isinstance(item, Article | Rejection)
    if isinstance(item, Rejection):
        assert REASONS[item.code] == item.reason and item.detail


@FAST
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".jsonl"]))
def test_random_bytes_end_loaded_or_rejected(data: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"x{suffix}"
        path.write_bytes(data)
        items = list(articles([path], patterns=PATTERNS, today=TODAY))
    for item in items:
        _check(item)
    if suffix == ".txt":
        assert len(items) == 1  # one file, one input
    else:
        assert items or not data.strip()  # a JSONL with any content yields something


@FAST
@given(
    lines=st.lists(
        st.one_of(
            st.text(max_size=200),
            st.fixed_dictionaries(
                {"text": st.text(max_size=200)},
                optional={"published": st.one_of(st.text(max_size=12), st.dates().map(str))},
            ).map(json.dumps),
        ),
        max_size=8,
    )
)
def test_random_jsonl_lines_are_each_accounted_for(lines: list[str]):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.jsonl"
        path.write_text("\n".join(line.replace("\n", " ") for line in lines), encoding="utf-8")
        now = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
        run = RunState("r", Path(tmp), now, [str(path)], "v", "m")
        loaded = sum(len(b) for b in article_batches(run, Settings()))
    assert run.seen == loaded + run.skipped + run.rejected
    if any("\x00" in line for line in lines):
        assert run.seen == run.rejected == 1  # NUL bytes: the file is binary, one input
    else:
        assert run.seen >= sum(1 for line in lines if line.replace("\n", " ").strip())


@FAST
@given(text=st.text(max_size=2000), published=st.one_of(st.none(), st.text(max_size=12)))
def test_random_unicode_builds_an_article_or_a_rejection(text: str, published: str | None):
    _check(build_article(text, {"published": published}, source_uri="x", record_no=1, today=TODAY))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(
        st.text(
            alphabet=st.one_of(
                st.characters(codec="utf-8"), st.sampled_from(list(" .,\n—'\"()AaBbPARIS"))
            ),
            min_size=1,
            max_size=400,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_random_unicode_through_extraction(extractor, texts: list[str]):
    built = [
        build_article(t, {}, source_uri="x", record_no=i, today=TODAY) for i, t in enumerate(texts)
    ]
    batch = [a for a in built if isinstance(a, Article)]
    results = list(extractor.extract(batch, run_id="fuzz"))
    assert [r.document.doc_id for r in results] == [a.doc_id for a in batch]
    for result, article in zip(results, batch, strict=True):
        for event in result.events:
            assert 0 <= event.predicate_start_char <= event.predicate_end_char <= len(article.text)
