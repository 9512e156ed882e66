"""Benchmark guard: optimizations must not change a single extracted row.

Snapshot the rows (documents, events, mentions, places; run_id left out) that `Extractor`
produces for the seed documents and the first N corpus documents, then check later code
against that snapshot:

    .venv/bin/python bench/equivalence.py --write /tmp/rows.pickle   # before changing code
    .venv/bin/python bench/equivalence.py --check /tmp/rows.pickle   # after every change

The snapshot holds corpus text, so it lives outside the repository (e.g. under /tmp).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

from pipeline import _write_inputs  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "newswire.jsonl"


def _rows(record: object) -> tuple:
    # The input's temporary directory is not part of what is compared.
    return tuple(
        (f.name, Path(value).name if f.name == "source_uri" else value)
        for f in dataclasses.fields(record)  # type: ignore[arg-type]
        if f.name != "run_id"
        for value in [getattr(record, f.name)]
    )


def extract_rows(corpus: Path, n_docs: int) -> dict[str, list[tuple]]:
    """Sorted row tuples per table, for the seeds plus the first n_docs of the corpus."""
    from extractors.config import load_settings
    from extractors.events.rows import place_rows
    from extractors.ingest import Rejection, articles
    from extractors.pipeline import Extractor

    settings = load_settings()
    extractor = Extractor(settings)
    out: dict[str, list[tuple]] = {"documents": [], "events": [], "mentions": [], "places": []}
    with tempfile.TemporaryDirectory(prefix="event-etl-equiv-") as tmp:
        inputs = [REPO / "seeds", _write_inputs(corpus, n_docs, Path(tmp), name="corpus.jsonl")]
        stream = articles(inputs, patterns=settings.ingest.patterns, today=dt.date(2100, 1, 1))
        batch = [a for a in stream if not isinstance(a, Rejection)]
        for extraction in extractor.extract(batch, run_id="equivalence"):
            out["documents"].append(_rows(extraction.document))
            out["events"].extend(_rows(r) for r in extraction.events)
            out["mentions"].extend(_rows(r) for r in extraction.mentions)
            out["places"].extend(_rows(r) for r in place_rows(extraction.places))
    return {table: sorted(rows, key=repr) for table, rows in out.items()}


def compare(expected: dict[str, list[tuple]], actual: dict[str, list[tuple]]) -> list[str]:
    """Human-readable differences, empty when the rows are identical."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table, []), actual.get(table, [])
        if want == got:
            continue
        have, had = set(got), set(want)
        missing = [r for r in want if r not in have]
        extra = [r for r in got if r not in had]
        problems.append(
            f"{table}: {len(want)} expected, {len(got)} now, {len(missing)} rows differ"
        )
        for old, new in zip(missing[:5], extra[:5], strict=False):
            changed = [(a[0], a[1], b[1]) for a, b in zip(old, new, strict=False) if a != b]
            problems.append(f"  {old[0]}: {changed}")
    return problems


def main(argv: list[str] | None = None) -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # A precaution: both sides of the comparison run with one fixed hash seed, so set
        # iteration order can never explain a difference.
        os.environ["PYTHONHASHSEED"] = "0"
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        os.execv(sys.executable, [sys.executable, __file__, *(argv or sys.argv[1:])])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path, help="write the snapshot to this file")
    mode.add_argument("--check", type=Path, help="compare against this snapshot")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--docs", type=int, default=300)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = extract_rows(args.corpus, args.docs)
    seconds = time.perf_counter() - started
    counts = ", ".join(f"{len(v)} {k}" for k, v in rows.items())
    if args.write:
        args.write.write_bytes(pickle.dumps(rows))
        print(f"snapshot written to {args.write}: {counts} ({seconds:.1f} s)")
        return 0
    problems = compare(pickle.loads(args.check.read_bytes()), rows)
    if problems:
        print("ROWS DIFFER:\n" + "\n".join(problems))
        return 1
    print(f"identical: {counts} ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
