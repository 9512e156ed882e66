"""Orchestration: the Prefect flow. It only wires stages together; logic lives in warehouse/.

Tasks are coarse (one per batch of documents, never per document): each task run costs
Prefect bookkeeping, so per-document tasks would cost more than the extraction itself.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter, deque
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from extractors.config import Settings, load_settings
from extractors.errors import EventETLError, about
from warehouse import report, runs
from warehouse.runs import BatchResult, RunState

if TYPE_CHECKING:
    from prefect_dask import DaskTaskRunner


@contextlib.contextmanager
def ephemeral_run_settings() -> Iterator[None]:
    """Prefect settings for flow runs on this process's ephemeral server (no PREFECT_API_URL):
    no flow-run heartbeats.

    Heartbeats let a standing server mark a run whose process died as crashed; an ephemeral
    server dies with the process, so nothing reads them. And a run with heartbeats ends up to
    a second late: Prefect joins their thread, which sleeps in 1-second steps (BENCHMARKS.md,
    "Flow-run heartbeats"). With PREFECT_API_URL set, nothing changes.
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        temporary_settings,
    )

    if PREFECT_API_URL.value():
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def local_cluster_kwargs(workers: int) -> dict[str, Any]:
    """Arguments for a dask.distributed LocalCluster whose workers run this flow's tasks.

    The workers are told this process's Prefect API. Without it, each spawned worker starts
    an ephemeral Prefect server of its own when it runs its first task: about 10-20 s before
    any work, and a server process competing with extraction for the cores.
    """
    from prefect.settings import PREFECT_API_URL

    api = PREFECT_API_URL.value()
    if not api:
        # The ephemeral server this process's flow run will use (a per-process singleton).
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        server.start()
        api = server.api_url
    # Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536, which also turns off
    # glibc's adaptive mmap threshold: every array over 128 KB is then mapped and unmapped,
    # and spaCy's parse ran slower per worker (BENCHMARKS.md, "Dask workers' malloc trim
    # threshold"). Memory is handed back after each batch anyway (runs.release_free_heap).
    import dask

    dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})
    # The workers' statistical profiler samples the task thread's stack every 10 ms, taking
    # the GIL from extraction each time; the dashboard's profile is not worth that.
    dask.config.set({"distributed.worker.profile.enabled": False})
    return {
        "n_workers": max(workers, 1),
        "threads_per_worker": 1,
        "processes": True,
        # Passed to each worker process (Dask's nanny already sets one BLAS/OpenMP thread).
        "env": {"PREFECT_API_URL": api},
    }


def dask_task_runner(workers: int, *, address: str | None = None) -> DaskTaskRunner:
    """A Prefect task runner on a dask.distributed cluster: `address`'s, else a local one."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs=local_cluster_kwargs(workers))


@task(name="start-run", cache_policy=NO_CACHE)
def start_run(
    paths: list[str], settings: Settings, out: str, follow_symlinks: bool = False
) -> RunState:
    """Recover from crashed runs and note what is already loaded."""
    return runs.start_run(
        [Path(p) for p in paths], settings, out=Path(out), follow_symlinks=follow_symlinks
    )


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(
    run_id: str, batch_no: int, articles: bytes, settings: Settings, out: str
) -> BatchResult:
    """Parse one batch of documents (`articles`: runs.pack_articles) and stage its rows as
    Parquet."""
    return runs.extract_batch(
        run_id, batch_no, runs.unpack_articles(articles), settings, out=Path(out)
    )


@task(name="commit-run", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def commit_run(run: RunState) -> runs.RunRow:
    """Move the staged Parquet into place; the runs row is written last."""
    return runs.commit_run(run)


@task(name="load-warehouse", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def load_warehouse(out: str, settings: Settings) -> list[str]:
    """Load committed runs into DuckDB in one transaction."""
    return runs.load_warehouse(Path(out), settings)


def summary_rows(
    row: runs.RunRow, run: RunState, loaded_runs: list[str], seconds: float
) -> list[dict[str, Any]]:
    """The run's table artifact: counts per stage, rejects by reason, timings, throughput."""
    table: list[dict[str, Any]] = [
        {"item": "inputs seen", "value": row.inputs_seen},
        {"item": "documents loaded", "value": row.docs_loaded},
        {"item": "skipped (already loaded)", "value": row.docs_skipped},
        {"item": "rejected", "value": row.docs_rejected},
        {"item": "events", "value": row.n_events},
        {"item": "mentions", "value": row.n_mentions},
        {"item": "runs loaded into DuckDB", "value": len(loaded_runs)},
    ]
    reasons = Counter(f"{r.code} {r.reason}" for r in run.rejects)
    table += [{"item": f"rejected: {reason}", "value": n} for reason, n in sorted(reasons.items())]
    table += [{"item": f"seconds: {stage}", "value": t} for stage, t in sorted(run.timings.items())]
    rate = row.docs_loaded / seconds if seconds > 0 else 0.0
    table.append({"item": "documents/s", "value": round(rate, 2)})
    return table


@task(name="write-report", cache_policy=NO_CACHE)
def write_report(out: str, settings: Settings, output: str) -> list[dict[str, Any]]:
    """The warehouse's HTML report, rewritten after the load; its charts in brief."""
    data = report.write_report(Path(out) / settings.warehouse.database, Path(output))
    return report.summary_rows(data)


@flow(name="event-etl-run", log_prints=False)
def etl_run(
    paths: list[str],
    out: str | None = None,
    config: str | None = None,
    parallelism: int = 1,
    follow_symlinks: bool = False,
    report_to: str | None = None,
) -> dict[str, Any]:
    """Ingest, extract, write Parquet and load DuckDB for the given files and directories.

    `parallelism` is how many extraction batches may run at once: 1 with the default task
    runner (one model in this process), the number of workers with a Dask task runner.
    `follow_symlinks` lets symbolic links inside the given directories lead outside them.
    `report_to`: write the HTML report of the loaded warehouse to this file after the load.
    """
    logger = get_run_logger()
    settings = load_settings(Path(config) if config else None)
    out = out or settings.run.out
    # One run at a time per warehouse: a second waits (bounded) or fails with E404.
    with runs.run_lock(Path(out), settings):
        run = start_run(paths, settings, out, follow_symlinks)
        # An error of the run says which run it was (the CLI prints it).
        with about(run_id=run.run_id):
            started = time.perf_counter()
            in_flight: deque[PrefectFuture[BatchResult]] = deque()
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
                in_flight.append(extract_batch.submit(run.run_id, batch_no, payload, settings, out))
                while len(in_flight) >= window:
                    finish_oldest()
            while in_flight:
                finish_oldest()
            row = commit_run(run)
            loading = time.perf_counter()
            loaded = load_warehouse(out, settings)
            # After the runs row is written, so it is reported here, not in timings_json.
            load_seconds = round(time.perf_counter() - loading, 4)
            # Under the run lock: the report shows the warehouse as this run left it. The run
            # is committed and loaded by now: a report that cannot be written is a warning.
            report_rows, report_error = None, None
            if report_to:
                try:
                    report_rows = write_report(out, settings, report_to)
                except EventETLError as exc:
                    report_error = f"error {exc.code}: {exc.detail}"
                    logger.warning("report not written: %s", report_error)
    elapsed = time.perf_counter() - started
    create_table_artifact(
        table=summary_rows(row, run, loaded, elapsed),
        key="run-summary",
        description=f"event-etl run {row.run_id}",
    )
    create_markdown_artifact(
        key="run-report",
        markdown=(
            f"# event-etl run `{row.run_id}`\n\n"
            f"{row.inputs_seen} inputs: {row.docs_loaded} documents loaded, "
            f"{row.docs_skipped} skipped (already loaded), {row.docs_rejected} rejected; "
            f"{row.n_events} events and {row.n_mentions} mentions in {elapsed:.1f} s.\n\n"
            f"Warehouse: `{Path(out) / settings.warehouse.database}`\n"
            + (
                f"\nReport: [{report_to}]({Path(report_to).resolve().as_uri()})\n"
                if report_rows is not None and report_to
                else ""
            )
            + (f"\nReport not written: {report_error}\n" if report_error else "")
        ),
    )
    if report_rows is not None:
        create_table_artifact(
            table=report_rows, key="report-summary", description=f"report {report_to}"
        )
    logger.info("run %s loaded %d documents in %.1f s", row.run_id, row.docs_loaded, elapsed)
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
        "timings": {**run.timings, "load": load_seconds},
        "report": report_to if report_rows is not None else None,
        "report_error": report_error,
    }
