"""Orchestration: the Prefect flow. It only wires stages together; logic lives in warehouse/.

Tasks are coarse (one per batch of documents, never per document): each task run costs
Prefect bookkeeping, so per-document tasks would cost more than the extraction itself.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from extractors.config import Settings, load_settings
from warehouse import runs
from warehouse.runs import BatchResult, RunState


@task(name="start-run", cache_policy=NO_CACHE)
def start_run(paths: list[str], settings: Settings, out: str) -> RunState:
    """Recover from crashed runs and note what is already loaded."""
    return runs.start_run([Path(p) for p in paths], settings, out=Path(out))


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(
    run_id: str, batch_no: int, batch: list[Any], settings: Settings, out: str
) -> BatchResult:
    """Parse one batch of documents and stage its rows as Parquet."""
    return runs.extract_batch(run_id, batch_no, batch, settings, out=Path(out))


@task(name="commit-run", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def commit_run(run: RunState) -> runs.RunRow:
    """Move the staged Parquet into place; the runs row is written last."""
    return runs.commit_run(run)


@task(name="load-warehouse", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def load_warehouse(out: str, settings: Settings) -> list[str]:
    """Load committed runs into DuckDB in one transaction."""
    return runs.load_warehouse(Path(out), settings)


def summary_rows(row: runs.RunRow, loaded_runs: list[str]) -> list[dict[str, Any]]:
    return [
        {"stage": "inputs seen", "count": row.inputs_seen},
        {"stage": "documents loaded", "count": row.docs_loaded},
        {"stage": "skipped (already loaded)", "count": row.docs_skipped},
        {"stage": "rejected", "count": row.docs_rejected},
        {"stage": "events", "count": row.n_events},
        {"stage": "mentions", "count": row.n_mentions},
        {"stage": "runs loaded into DuckDB", "count": len(loaded_runs)},
    ]


@flow(name="event-etl-run", log_prints=False)
def etl_run(paths: list[str], out: str | None = None, config: str | None = None) -> dict[str, Any]:
    """Ingest, extract, write Parquet and load DuckDB for the given files and directories."""
    logger = get_run_logger()
    settings = load_settings(Path(config) if config else None)
    out = out or settings.run.out
    run = start_run(paths, settings, out)
    started = time.perf_counter()
    for batch_no, batch in enumerate(runs.article_batches(run, settings), start=1):
        result = extract_batch(run.run_id, batch_no, batch, settings, out)
        runs.record_batch(run, result)
        logger.info("batch %d: %d documents, %d events", batch_no, result.documents, result.events)
    row = commit_run(run)
    loaded = load_warehouse(out, settings)
    elapsed = time.perf_counter() - started
    table = summary_rows(row, loaded)
    create_table_artifact(table=table, key="run-summary", description=f"event-etl run {row.run_id}")
    create_markdown_artifact(
        key="run-report",
        markdown=(
            f"# event-etl run `{row.run_id}`\n\n"
            f"{row.docs_loaded} documents loaded, {row.docs_skipped} skipped, "
            f"{row.docs_rejected} rejected; {row.n_events} events in {elapsed:.1f} s.\n"
        ),
    )
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
        "seconds": round(elapsed, 2),
        "timings": run.timings,
    }
