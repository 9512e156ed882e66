"""Orchestration: one run's stages in order, whoever runs them.

The Prefect flow (flows/etl.py) runs each stage as a task. A run whose input scan finds
nothing new runs them here in-process instead (`event-etl run`, flows/cli.py): with nothing
to extract, starting Prefect's ephemeral server would be nearly all of its time, and that
server's records end with the process anyway. The stages and the runs row are the same.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from extractors.config import Settings
from extractors.errors import EventETLError, about
from warehouse import runs
from warehouse.runs import BatchResult, RunState


class Pending(Protocol):
    """What submitting a batch gives back: a Prefect future, or a batch already done."""

    def result(self) -> BatchResult: ...


@dataclass(frozen=True)
class Stages:
    """The stage callables a run goes through (runs.py does the work)."""

    start_run: Callable[[list[str], Settings, str, bool], RunState]
    submit_batch: Callable[[str, int, bytes, Settings, str], Pending]
    commit_run: Callable[[RunState], runs.RunRow]
    load_warehouse: Callable[[str, Settings], list[str]]
    write_report: Callable[[str, Settings, str], list[dict[str, Any]]]


@dataclass(frozen=True)
class Outcome:
    """What a run did, for its summary and its Prefect artifacts."""

    row: runs.RunRow
    run: RunState
    loaded: list[str]
    seconds: float
    load_seconds: float
    report_rows: list[dict[str, Any]] | None
    report_error: str | None


def execute(
    stages: Stages,
    *,
    paths: list[str],
    out: str,
    settings: Settings,
    parallelism: int,
    follow_symlinks: bool,
    report_to: str | None,
    logger: logging.Logger | logging.LoggerAdapter[Any],
) -> Outcome:
    """Lock, start, extract in a bounded window of batches, commit, load, report."""
    # One run at a time per warehouse: a second waits (bounded) or fails with E404.
    with runs.run_lock(Path(out), settings):
        run = stages.start_run(paths, settings, out, follow_symlinks)
        # An error of the run says which run it was (the CLI prints it).
        with about(run_id=run.run_id):
            started = time.perf_counter()
            in_flight: deque[Pending] = deque()
            # A bounded window keeps memory flat: batches are read only as workers free up.
            window = 1 if parallelism <= 1 else 2 * parallelism

            def finish_oldest() -> None:
                result = in_flight.popleft().result()
                runs.record_batch(run, result)
                logger.info(
                    "batch %d: %d documents, %d events",
                    result.batch,
                    result.documents,
                    result.events,
                )

            size = runs.batch_size(settings, parallelism)
            for batch_no, batch in enumerate(runs.article_batches(run, settings, size=size), 1):
                # The Articles travel as one pickled payload: as a list, Prefect walks every
                # one looking for futures and Dask hashes every text for the task key, in this
                # process, taken from the workers (BENCHMARKS.md, "Articles as one payload").
                payload = runs.pack_articles(batch)
                in_flight.append(stages.submit_batch(run.run_id, batch_no, payload, settings, out))
                while len(in_flight) >= window:
                    finish_oldest()
            while in_flight:
                finish_oldest()
            row = stages.commit_run(run)
            loading = time.perf_counter()
            loaded = stages.load_warehouse(out, settings)
            # After the runs row is written, so it is reported here, not in timings_json.
            load_seconds = round(time.perf_counter() - loading, 4)
            # Under the run lock: the report shows the warehouse as this run left it. The run
            # is committed and loaded by now: a report that cannot be written is a warning.
            report_rows, report_error = None, None
            if report_to:
                try:
                    report_rows = stages.write_report(out, settings, report_to)
                except EventETLError as exc:
                    report_error = f"error {exc.code}: {exc.detail}"
                    logger.warning("report not written: %s", report_error)
    return Outcome(
        row=row,
        run=run,
        loaded=loaded,
        seconds=time.perf_counter() - started,
        load_seconds=load_seconds,
        report_rows=report_rows,
        report_error=report_error,
    )


def summary(
    outcome: Outcome, *, out: str, settings: Settings, report_to: str | None
) -> dict[str, Any]:
    """The run's summary, as `event-etl run` prints it and the flow returns it."""
    row = outcome.row
    return {
        "run_id": row.run_id,
        "out": out,
        "database": str(Path(out) / settings.warehouse.database),
        "inputs_seen": row.inputs_seen,
        "docs_loaded": row.docs_loaded,
        "docs_skipped": row.docs_skipped,
        "docs_rejected": row.docs_rejected,
        "events": row.n_events,
        "mentions": row.n_mentions,
        "seconds": round(outcome.seconds, 2),
        "timings": {**outcome.run.timings, "load": outcome.load_seconds},
        "report": report_to if outcome.report_rows is not None else None,
        "report_error": outcome.report_error,
    }


# -- the stages in this process, without Prefect --------------------------------------------


@dataclass(frozen=True)
class _Done:
    value: BatchResult

    def result(self) -> BatchResult:
        return self.value


def _retrying(fn: Callable[..., Any], retries: int, delay_s: float) -> Callable[..., Any]:
    """`fn` retried as its Prefect task is (flows/etl.py gives the same counts)."""

    def call(*args: Any) -> Any:
        for attempt in range(retries + 1):
            try:
                return fn(*args)
            except Exception:
                if attempt == retries:
                    raise
                time.sleep(delay_s)
        raise AssertionError("unreachable")

    return call


def start_run(paths: list[str], settings: Settings, out: str, follow_symlinks: bool) -> RunState:
    """Recover from crashed runs and note what is already loaded."""
    return runs.start_run(
        [Path(p) for p in paths], settings, out=Path(out), follow_symlinks=follow_symlinks
    )


def extract_batch(
    run_id: str, batch_no: int, articles: bytes, settings: Settings, out: str
) -> BatchResult:
    """Parse one batch of documents (`articles`: runs.pack_articles) and stage its rows as
    Parquet."""
    batch = runs.unpack_articles(articles)
    return runs.extract_batch(run_id, batch_no, batch, settings, out=Path(out))


def load_warehouse(out: str, settings: Settings) -> list[str]:
    """Load committed runs into DuckDB in one transaction."""
    return runs.load_warehouse(Path(out), settings)


def write_report(out: str, settings: Settings, output: str) -> list[dict[str, Any]]:
    """The warehouse's HTML report, rewritten after the load; its charts in brief."""
    from warehouse import report  # plotly and jinja: only when a report is asked for

    data = report.write_report(Path(out) / settings.warehouse.database, Path(output))
    return report.summary_rows(data)


# Retries as the flow's tasks have them: commit 2 (1 s apart), load 1 (5 s).
COMMIT_RETRIES, COMMIT_DELAY_S = 2, 1
LOAD_RETRIES, LOAD_DELAY_S = 1, 5

IN_PROCESS = Stages(
    start_run=start_run,
    submit_batch=lambda *args: _Done(extract_batch(*args)),
    commit_run=_retrying(runs.commit_run, COMMIT_RETRIES, COMMIT_DELAY_S),
    load_warehouse=_retrying(load_warehouse, LOAD_RETRIES, LOAD_DELAY_S),
    write_report=write_report,
)
