"""Place resolver costs: gazetteer load time, toponyms resolved per second, peak memory.

    .venv/bin/python bench/places.py [GOLD.jsonl ...]

Resolves every gold toponym span of the given files (default: ../shared/eval/places/*.jsonl)
twice: the first pass starts with empty caches, the second shows the warm rate.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = sorted((REPO.parent / "shared" / "eval" / "places").glob("*.jsonl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="*", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    if not args.gold:
        parser.error("no gold files given and none under ../shared/eval/places")
    from extractors.places.gazetteer import load_gazetteer
    from extractors.places.resolve import PlaceResolver

    started = time.perf_counter()
    gazetteer = load_gazetteer()
    loaded = time.perf_counter() - started
    resolver = PlaceResolver(gazetteer)
    docs = [json.loads(line) for path in args.gold for line in path.open(encoding="utf-8")]
    spans = [[(t["start"], t["end"]) for t in d["toponyms"]] for d in docs]
    n = sum(map(len, spans))
    rates = []
    for _ in range(2):
        started = time.perf_counter()
        for doc, doc_spans in zip(docs, spans, strict=True):
            resolver.resolve_spans(doc["text"], doc_spans)
        rates.append(n / (time.perf_counter() - started))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"gazetteer load {loaded:.2f} s; {n} toponyms: {rates[0]:,.0f}/s cold, "
        f"{rates[1]:,.0f}/s warm; peak RSS {rss:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
