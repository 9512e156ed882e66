"""Warehouse figures: incremental re-run cost, and analyst query latency at >= 1M events.

    .venv/bin/python bench/warehouse_bench.py [--docs 1000] [--target-events 1000000]

1. Writes the first N documents of ../shared/corpus/newswire.jsonl to a temporary JSONL
   (never into the repository) and runs the flow twice on it in one process, after a warm-up
   flow so neither run pays the Prefect server start. Reports each run's wall time, the rows
   the second run added (must be 0) and the ratio (must be <= 5%).
2. Scales the real output up by replication to >= target events in a separate DuckDB file:
   each copy k of a document and its events gets `-k` appended to its ids and its dates
   (publication, event dates) shifted by k weeks, so the copies spread over time like a
   longer corpus would. Then times the three typical analyst queries (dictionary EXAMPLES 0-2:
   top actor pairs in a month, events within 500 km of a point, daily counts by type for a
   country): one cold run, then the median and max of 5 warm runs, each through a fresh
   read-only connection as `event-etl query` opens it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "newswire.jsonl"
TABLES = ("documents", "events", "mentions", "places", "rejects", "runs")


def counts(db: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def incremental(docs: int, work: Path) -> dict[str, object]:
    from prefect import flow

    from flows.etl import etl_run

    @flow(name="warm-up")
    def warm_up() -> int:
        return 1

    inputs = work / f"first_{docs}.jsonl"
    with open(CORPUS, encoding="utf-8") as src, open(inputs, "w", encoding="utf-8") as dst:
        dst.writelines(islice(src, docs))
    out = work / "out"
    warm_up()
    started = time.perf_counter()
    first = etl_run(paths=[str(inputs)], out=str(out))
    first_s = time.perf_counter() - started
    before = counts(out / "events.duckdb")
    started = time.perf_counter()
    second = etl_run(paths=[str(inputs)], out=str(out))
    second_s = time.perf_counter() - started
    after = counts(out / "events.duckdb")
    added = {t: after[t] - before[t] for t in TABLES}
    return {
        "docs": docs,
        "first_run_s": round(first_s, 2),
        "second_run_s": round(second_s, 2),
        "second_over_first": round(second_s / first_s, 4),
        "rows_after_first": before,
        "rows_added_by_second": added,
        "first": {k: first[k] for k in ("docs_loaded", "docs_rejected", "events", "mentions")},
        "second": {k: second[k] for k in ("docs_loaded", "docs_skipped", "docs_rejected")},
        "out": str(out),
    }


def scale_up(source_db: Path, target_events: int, work: Path) -> tuple[Path, int, int]:
    import duckdb

    from warehouse.duck import ensure_schema

    n_events = counts(source_db)["events"]
    copies = max(1, math.ceil(target_events / n_events))
    db = work / "scaled.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    ensure_schema(con)
    con.execute("ATTACH ? AS src (READ_ONLY)", [str(source_db)])
    con.execute(
        "INSERT INTO documents BY NAME SELECT d.* REPLACE (doc_id || '-' || k AS doc_id, "
        "published + CAST(k * 7 AS INTEGER) AS published) "
        "FROM src.documents d, range(?) AS r(k)",
        [copies],
    )
    con.execute(
        "INSERT INTO events BY NAME SELECT e.* REPLACE (event_id || '-' || k AS event_id, "
        "doc_id || '-' || k AS doc_id, date_start + CAST(k * 7 AS INTEGER) AS date_start, "
        "date_end + CAST(k * 7 AS INTEGER) AS date_end) "
        "FROM src.events e, range(?) AS r(k)",
        [copies],
    )
    con.execute("INSERT INTO places SELECT * FROM src.places")
    con.execute("CHECKPOINT")
    total = con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.close()
    return db, copies, total


def time_queries(db: Path) -> list[dict[str, object]]:
    from warehouse.dictionary import EXAMPLES
    from warehouse.duck import connect_reader

    con = connect_reader(db)
    busiest = con.execute(
        "SELECT month FROM actor_pairs_monthly GROUP BY month ORDER BY sum(n_events) DESC LIMIT 1"
    ).fetchone()[0]
    con.close()
    results = []
    for question, sql in EXAMPLES[:3]:
        # The example's month may not be in this corpus: ask about its busiest month instead.
        sql = sql.replace("DATE '2021-03-01'", f"DATE '{busiest}'")
        question = question.replace("March 2021", f"{busiest:%B %Y}")
        timings = []
        rows = 0
        for _ in range(6):
            started = time.perf_counter()
            con = connect_reader(db)
            rows = len(con.execute(sql).fetchall())
            con.close()
            timings.append(time.perf_counter() - started)
        results.append(
            {
                "question": question,
                "rows": rows,
                "cold_s": round(timings[0], 4),
                "warm_median_s": round(statistics.median(timings[1:]), 4),
                "warm_max_s": round(max(timings[1:]), 4),
            }
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--target-events", type=int, default=1_000_000)
    parser.add_argument("--keep", help="work directory to keep (default: a temporary one)")
    parser.add_argument(
        "--queries-only",
        action="store_true",
        help="reuse the warehouse of an earlier --keep run; only scale up and time queries",
    )
    args = parser.parse_args()
    for key, value in {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }.items():
        os.environ.setdefault(key, value)
    if not CORPUS.exists():
        print(f"{CORPUS} not found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        report: dict[str, object] = {}
        if not args.queries_only:
            report["incremental"] = incremental(args.docs, work)
        db, copies, total = scale_up(work / "out" / "events.duckdb", args.target_events, work)
        report["scaled"] = {"copies": copies, "events": total}
        report["queries"] = time_queries(db)
    print(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
