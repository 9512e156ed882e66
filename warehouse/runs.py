"""Runs: one run's bookkeeping, from ingested Articles to a committed, loaded run.

Plain functions the Prefect flow wraps in tasks: batching the input stream (skipping what is
already loaded), extracting and staging a batch, committing the run, loading DuckDB.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import dataclasses
import datetime as dt
import functools
import gc
import json
import pickle
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from extractors import language
from extractors.config import Settings
from extractors.errors import REASONS, LoadError, about
from extractors.events.rows import place_rows
from extractors.ingest import Rejection, articles, discover
from extractors.pipeline import ExtractionFailure, Extractor, extractor_version
from extractors.records import (
    Article,
    DocumentRow,
    EventRow,
    MentionRow,
    PlaceRow,
    RejectRow,
    RunRow,
    StoryMemberRow,
    stable_id,
    to_table,
)
from extractors.stories import StoryClusterer, StoryParams, signature, terms
from warehouse import faults
from warehouse.duck import connect_writer, load_pending
from warehouse.store import STORY_STATE, ParquetStore, warehouse_lock

# Set by the CLI to draw a progress bar: called as progress(docs_done, docs_total_or_None).
PROGRESS: contextvars.ContextVar[Callable[[int, int | None], None] | None] = contextvars.ContextVar(
    "event_etl_progress", default=None
)


def count_inputs(paths: Iterable[Path], *, patterns: tuple[str, ...]) -> int:
    """Cheap upper bound of the inputs a run will see (a line per JSONL record), for ETAs."""
    total = 0
    for item in discover(paths, patterns=patterns):
        if isinstance(item, Rejection):
            total += 1
        else:
            try:
                total += _inputs_in(item)
            except OSError:
                total += 1  # unreadable: ingest rejects it (E108), one input
    return total


def _inputs_in(path: Path) -> int:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with open(path, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    if suffix in (".rss", ".atom", ".xml"):
        # Entries of a feed (a small file). A web archive counts 1: reading a large one
        # through just for the progress bar would double its I/O; the bar's total grows.
        count = 0
        with open(path, "rb") as handle:
            for line in handle:
                count += line.count(b"<item") + line.count(b"<entry")
        return max(1, count)
    return 1


def new_run_id(now: dt.datetime) -> str:
    """Sortable, unique: UTC time plus a random suffix."""
    return now.strftime("%Y%m%dT%H%M%S") + "Z" + secrets.token_hex(3)


@dataclass
class RunState:
    """Counters and identity of one run; every input ends in exactly one counter."""

    run_id: str
    out: Path
    started_at: dt.datetime
    inputs: list[str]
    extractor_version: str
    model: str
    known: dict[str, str] = field(default_factory=dict)
    seen: int = 0
    loaded: int = 0
    skipped: int = 0
    rejected: int = 0
    n_events: int = 0
    n_mentions: int = 0
    follow_symlinks: bool = False
    rejects: list[RejectRow] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # Stories: the clusterer continues from the last committed run's state.
    stories: StoryClusterer = field(default_factory=StoryClusterer)
    story_rows: list[StoryMemberRow] = field(default_factory=list)
    # Documents that have a story already: one whose extraction failed (E201) after it was
    # given a story is not given another when a later run retries it.
    storied: set[str] = field(default_factory=set)

    def add_time(self, stage: str, seconds: float) -> None:
        self.timings[stage] = round(self.timings.get(stage, 0.0) + seconds, 4)


def run_lock(out: Path, settings: Settings) -> contextlib.AbstractContextManager[None]:
    """The warehouse's run lock: two runs on one out directory never interleave writes.

    Waits up to [warehouse] lock_timeout_s for a running run, then fails with E404.
    """
    return warehouse_lock(out, timeout_s=settings.warehouse.lock_timeout_s)


def start_run(
    paths: Iterable[Path], settings: Settings, *, out: Path, follow_symlinks: bool = False
) -> RunState:
    """Recover from any crashed run and read which documents are already loaded.

    Call it holding `run_lock(out, ...)`: recovery rolls forward or removes other runs' files.
    """
    store = ParquetStore(out)
    store.recover()
    now = dt.datetime.now(dt.UTC)
    return RunState(
        run_id=new_run_id(now),
        out=out,
        started_at=now,
        inputs=[str(p) for p in paths],
        extractor_version=extractor_version(settings.nlp.model),
        model=settings.nlp.model,
        known=store.known_documents(),
        follow_symlinks=follow_symlinks,
        stories=_story_clusterer(store, settings),
        storied=store.storied_documents(),
    )


def has_new_documents(
    paths: Iterable[Path], settings: Settings, *, out: Path, follow_symlinks: bool = False
) -> bool:
    """Whether any input is a document `out` does not hold at this extractor version.

    A read-only look before a run, without the lock or recovery, that stops at the first
    new document. A wrong answer only costs time: a run that finds new documents after
    all extracts them like any other.
    """
    known = ParquetStore(out).known_documents()
    version = extractor_version(settings.nlp.model)
    stream = articles(
        list(paths),
        patterns=settings.ingest.patterns,
        today=dt.datetime.now(dt.UTC).date(),
        follow_symlinks=follow_symlinks,
    )
    return any(
        not isinstance(item, Rejection) and known.get(item.doc_id) != version for item in stream
    )


def _story_clusterer(store: ParquetStore, settings: Settings) -> StoryClusterer:
    path = store.root / STORY_STATE
    try:
        return StoryClusterer.from_json(store.story_state(), StoryParams.of(settings.stories))
    except ValueError as exc:
        raise LoadError(
            "E408", f"{path} is unreadable ({exc}): move it aside to start stories afresh"
        ) from exc


def _reject_row(run_id: str, rejection: Rejection) -> RejectRow:
    return RejectRow(
        reject_id=stable_id(rejection.source_uri, rejection.record_no, rejection.code),
        run_id=run_id,
        source_uri=rejection.source_uri,
        record_no=rejection.record_no,
        doc_id=rejection.doc_id,
        code=rejection.code,
        reason=rejection.reason,
        detail=rejection.detail,
        rejected_at=dt.datetime.now(dt.UTC),
    )


def batch_size(settings: Settings, parallelism: int = 1) -> int:
    """Documents per extraction task: [run] docs_per_task, or smaller when tasks run in parallel.

    With several workers, one batch per worker would leave a worker idle while the other
    finishes the longer batch, and a run shorter than workers x docs_per_task would not use
    them all. So each worker gets about four batches' worth of every docs_per_task window;
    the extra Prefect tasks cost little (BENCHMARKS.md, "Batches per worker").
    """
    if parallelism <= 1:
        return settings.run.docs_per_task
    return max(1, settings.run.docs_per_task // (4 * parallelism))


def article_batches(
    run: RunState, settings: Settings, *, size: int | None = None
) -> Iterator[list[Article]]:
    """Stream new or changed Articles in batches of `size` (default [run] docs_per_task);
    count skips and rejections on the way."""
    size = size or settings.run.docs_per_task
    ingest = settings.ingest
    batch: list[Article] = []
    in_run: set[str] = set()
    started = time.perf_counter()
    stream = articles(
        [Path(p) for p in run.inputs],
        patterns=settings.ingest.patterns,
        today=run.started_at.date(),
        follow_symlinks=run.follow_symlinks,
    )
    for item in stream:
        run.seen += 1
        if isinstance(item, Rejection):
            run.rejected += 1
            run.rejects.append(_reject_row(run.run_id, item))
            continue
        if run.known.get(item.doc_id) == run.extractor_version or item.doc_id in in_run:
            run.skipped += 1  # already loaded by this extractor version, or repeated input
            continue
        # Only new documents are classified: a re-run with nothing new never loads the model.
        found = language.detect(item.text)
        if language.is_foreign(found, ingest.languages, ingest.language_min_probability):
            run.rejected += 1
            detail = (
                f"written in {found.code!r} (probability {found.probability:.2f}); "
                f"[ingest] languages = {list(ingest.languages)}"
            )
            rejection = Rejection(
                item.source_uri, item.record_no, "E113", REASONS["E113"], detail, item.doc_id
            )
            run.rejects.append(_reject_row(run.run_id, rejection))
            continue
        item = dataclasses.replace(item, language=found.code)
        in_run.add(item.doc_id)
        if item.doc_id not in run.known and item.doc_id not in run.storied:
            assign_story(run, item)  # a reprocessed or retried document keeps its story
        batch.append(item)
        if len(batch) >= size:
            run.add_time("ingest", time.perf_counter() - started)
            yield batch
            batch = []
            started = time.perf_counter()
    run.add_time("ingest", time.perf_counter() - started)
    if batch:
        yield batch


def assign_story(run: RunState, article: Article) -> None:
    """The story a new document joins, in arrival order (extractors/stories.py)."""
    started = time.perf_counter()
    clusterer = run.stories
    day = article.published.toordinal() if article.published else None
    counts = terms(article.title, article.text, clusterer.params)
    got = clusterer.add(article.doc_id, day, counts, signature(article.text))
    run.story_rows.append(
        StoryMemberRow(
            doc_id=article.doc_id,
            story_id=got.story_id,
            similarity=round(got.similarity, 4),
            dup_of=got.dup_of,
            dup_jaccard=got.dup_jaccard,
            run_id=run.run_id,
        )
    )
    run.add_time("stories", time.perf_counter() - started)


def pack_articles(batch: list[Article]) -> bytes:
    """A batch of Articles as one payload for a task on another process (unpack_articles)."""
    return pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_articles(payload: bytes) -> list[Article]:
    """The Articles of pack_articles. The payload only ever comes from this run's flow."""
    batch = pickle.loads(payload)  # noqa: S301 - written by pack_articles in the flow
    if not isinstance(batch, list) or not all(isinstance(a, Article) for a in batch):
        raise TypeError("an extract-batch payload must hold a list of Articles")
    return batch


@functools.lru_cache(maxsize=2)
def get_extractor(settings: Settings) -> Extractor:
    """One Extractor (model, gazetteer, lexicons) per process and settings."""
    extractor = Extractor(settings)
    # The model and gazetteer live as long as the process: moved out of the collector's
    # generations, full collections during extraction no longer walk them.
    gc.collect()
    gc.freeze()
    return extractor


@dataclass(frozen=True)
class BatchResult:
    batch: int
    documents: int
    events: int
    mentions: int
    seconds: float
    # Seconds per stage inside the batch: parse, places, dates, events, rows (Extractor),
    # arrow (building the tables), parquet (writing them to staging), release (handing
    # freed memory back to the system).
    timings: dict[str, float] = field(default_factory=dict)
    rejected: int = 0  # documents whose extraction raised (E201 rejects, staged with it)


def extract_batch(
    run_id: str, batch_no: int, batch: list[Article], settings: Settings, *, out: Path
) -> BatchResult:
    """Extract one batch of Articles and stage its rows as Parquet; an error says its run."""
    with about(run_id=run_id):
        return _extract_batch(run_id, batch_no, batch, settings, out=out)


def _extract_batch(
    run_id: str, batch_no: int, batch: list[Article], settings: Settings, *, out: Path
) -> BatchResult:
    started = time.perf_counter()
    extractor = get_extractor(settings)
    before = dict(extractor.timings)
    documents: list[DocumentRow] = []
    events: list[EventRow] = []
    mentions: list[MentionRow] = []
    places: list[PlaceRow] = []
    rejects: list[RejectRow] = []
    for extraction in extractor.extract(batch, run_id=run_id):
        if isinstance(extraction, ExtractionFailure):
            article = extraction.article
            rejection = Rejection(
                article.source_uri,
                article.record_no,
                "E201",
                REASONS["E201"],
                extraction.error,
                article.doc_id,
            )
            rejects.append(_reject_row(run_id, rejection))
            continue
        documents.append(extraction.document)
        events.extend(extraction.events)
        mentions.extend(extraction.mentions)
        places.extend(place_rows(extraction.places))
    timings = {k: v - before.get(k, 0.0) for k, v in extractor.timings.items()}
    faults.checkpoint("batch:extracted")
    clock = time.perf_counter()
    tables = {
        "documents": to_table(DocumentRow, documents),
        "events": to_table(EventRow, events),
        "mentions": to_table(MentionRow, mentions),
        "places": to_table(PlaceRow, places),
        "rejects": to_table(RejectRow, rejects),
    }
    timings["arrow"] = time.perf_counter() - clock
    clock = time.perf_counter()
    ParquetStore(out).stage_batch(run_id, batch_no, tables)
    timings["parquet"] = time.perf_counter() - clock
    counts = len(documents), len(events), len(mentions)
    rejected = len(rejects)
    clock = time.perf_counter()
    del tables, documents, events, mentions, places, rejects
    # What the batch freed goes back to the system, so the next batch and the final load
    # start from the same footprint however long the run (the memory-growth benchmark).
    release_free_heap()
    timings["release"] = time.perf_counter() - clock
    return BatchResult(batch_no, *counts, time.perf_counter() - started, timings, rejected)


def record_batch(run: RunState, result: BatchResult) -> None:
    run.loaded += result.documents
    run.rejected += result.rejected
    run.n_events += result.events
    run.n_mentions += result.mentions
    run.add_time("extract", result.seconds)
    for stage, seconds in result.timings.items():
        run.add_time(f"extract.{stage}", seconds)
    report = PROGRESS.get()
    if report is not None:
        report(run.loaded + run.skipped + run.rejected, None)


def commit_run(run: RunState, *, status: str = "completed") -> RunRow:
    """Check the input accounting, then make the run's Parquet durable."""
    if run.seen != run.loaded + run.skipped + run.rejected:
        raise AssertionError(
            f"run {run.run_id}: {run.seen} inputs seen but {run.loaded} loaded + "
            f"{run.skipped} skipped + {run.rejected} rejected"
        )
    started = time.perf_counter()
    store = ParquetStore(run.out)
    staged: dict[str, pa.Table] = {}
    if run.rejects:
        staged["rejects"] = to_table(RejectRow, run.rejects)
    if run.story_rows:
        staged["story_members"] = to_table(StoryMemberRow, run.story_rows)
    if staged:
        store.stage_batch(run.run_id, 0, staged)
    staged_places = sorted((store.staging(run.run_id) / "places").glob("*.parquet"))
    places = pa.concat_tables(pq.read_table(p) for p in staged_places) if staged_places else None
    run.add_time("commit", time.perf_counter() - started)
    row = RunRow(
        run_id=run.run_id,
        started_at=run.started_at,
        finished_at=dt.datetime.now(dt.UTC),
        status=status,
        inputs=json.dumps(run.inputs),
        inputs_seen=run.seen,
        docs_loaded=run.loaded,
        docs_skipped=run.skipped,
        docs_rejected=run.rejected,
        n_events=run.n_events,
        n_mentions=run.n_mentions,
        extractor_version=run.extractor_version,
        model=run.model,
        timings_json=json.dumps(run.timings, sort_keys=True),
    )
    state = run.stories.to_json() if run.story_rows else None
    store.commit(run.run_id, to_table(RunRow, [row]), places, story_state=state)
    return row


def release_free_heap() -> None:
    """Return memory the process freed but its allocators keep to the system.

    Extraction allocates and frees hundreds of MB of small objects, which glibc keeps in the
    heap (given back by malloc_trim; other C libraries have none), and the batches' Arrow
    tables, whose memory pyarrow's allocator (mimalloc or jemalloc) keeps for reuse. DuckDB
    allocates with its own jemalloc and cannot reuse either, so without this a load's
    memory comes on top of the extraction's leftovers.
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return  # not glibc
    trim(0)


def load_warehouse(out: Path, settings: Settings) -> list[str]:
    """Load all committed, not yet loaded runs into DuckDB; returns their run ids."""
    release_free_heap()
    con = connect_writer(
        out / settings.warehouse.database, timeout_s=settings.warehouse.lock_timeout_s
    )
    try:
        return load_pending(con, ParquetStore(out))
    finally:
        con.close()
