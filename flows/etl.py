"""Orchestration: the Prefect flow. It runs flows/stages.py's stages as tasks; logic lives in
warehouse/.

Tasks are coarse (one per batch of documents, never per document): each task run costs
Prefect bookkeeping, so per-document tasks would cost more than the extraction itself.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from extractors.config import Settings, load_settings
from flows import server, stages
from warehouse import runs
from warehouse.runs import BatchResult, RunState

if TYPE_CHECKING:
    from prefect_dask import DaskTaskRunner


@contextlib.contextmanager
def ephemeral_run_settings() -> Iterator[None]:
    """Prefect settings for flow runs on a server that ends with this process (Prefect's own
    ephemeral one, or the one `event-etl run` starts: flows/server.py): no flow-run heartbeats.

    Heartbeats let a standing server mark a run whose process died as crashed; an ephemeral
    server dies with the process, so nothing reads them. And a run with heartbeats ends up to
    a second late: Prefect joins their thread, which sleeps in 1-second steps (BENCHMARKS.md,
    "Flow-run heartbeats"). With a standing server, nothing changes.
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        temporary_settings,
    )

    if not server.is_ephemeral(PREFECT_API_URL.value()):
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

        ephemeral = SubprocessASGIServer()
        ephemeral.start()
        api = ephemeral.api_url
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
    return stages.start_run(paths, settings, out, follow_symlinks)


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(
    run_id: str, batch_no: int, articles: bytes, settings: Settings, out: str
) -> BatchResult:
    """Parse one batch of documents and stage its rows as Parquet."""
    return stages.extract_batch(run_id, batch_no, articles, settings, out)


@task(
    name="commit-run",
    cache_policy=NO_CACHE,
    retries=stages.COMMIT_RETRIES,
    retry_delay_seconds=stages.COMMIT_DELAY_S,
)
def commit_run(run: RunState) -> runs.RunRow:
    """Move the staged Parquet into place; the runs row is written last."""
    return runs.commit_run(run)


@task(
    name="load-warehouse",
    cache_policy=NO_CACHE,
    retries=stages.LOAD_RETRIES,
    retry_delay_seconds=stages.LOAD_DELAY_S,
)
def load_warehouse(out: str, settings: Settings) -> list[str]:
    """Load committed runs into DuckDB in one transaction."""
    return stages.load_warehouse(out, settings)


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
    return stages.write_report(out, settings, output)


IN_PREFECT = stages.Stages(
    start_run=start_run,
    submit_batch=extract_batch.submit,
    commit_run=commit_run,
    load_warehouse=load_warehouse,
    write_report=write_report,
)


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
    outcome = stages.execute(
        IN_PREFECT,
        paths=paths,
        out=out,
        settings=settings,
        parallelism=parallelism,
        follow_symlinks=follow_symlinks,
        report_to=report_to,
        logger=logger,
    )
    row, run, loaded, elapsed = outcome.row, outcome.run, outcome.loaded, outcome.seconds
    report_rows, report_error = outcome.report_rows, outcome.report_error
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
    return stages.summary(outcome, out=out, settings=settings, report_to=report_to)
