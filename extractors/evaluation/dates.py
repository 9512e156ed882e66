"""Evaluation: TempEval-3 style scoring of the temporal extractor on TIMEX3 gold.

Reads gold JSONL (`{doc_id, dct, title, text, timex3: [...]}`), runs `extractors.dates.detect`
on `text` + `dct` only, writes predictions JSONL (`{doc_id, timex: [{start, end, text,
type, value}]}`) and scores them:

- relaxed extent P/R/F1: a system and a gold expression match when their spans overlap;
- strict extent P/R/F1: identical offsets;
- value P/R/F1 (the TempEval-3 ranking figure): relaxed matches whose value string equals
  the gold value, over all system / all gold expressions;
- type accuracy over relaxed matches.

Matching is one-to-one (each gold expression pairs with at most one system expression,
largest overlap first), so a gold span split in two counts one hit and one false positive.

Run: `python -m extractors.evaluation.dates --gold F --predictions OUT [--metrics M]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["evaluate", "format_metrics", "predict", "score", "match", "benchmark"]


def _dct(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _read_jsonl(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                return
            if line.strip():
                yield json.loads(line)


def predict(records: Iterable[dict[str, Any]], *, batch_size: int = 32) -> Iterator[dict[str, Any]]:
    """Run the extractor on `{doc_id, dct, text}` records; yields prediction records."""
    from extractors.dates.detect import timexes
    from extractors.nlp import load_pipeline

    nlp = load_pipeline()
    pairs = ((r["text"], r) for r in records)
    for doc, rec in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        found = timexes(doc, published=_dct(rec.get("dct")))
        yield {
            "doc_id": rec["doc_id"],
            "timex": [
                {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value}
                for t in found
            ],
        }


def match(
    gold: Sequence[dict[str, Any]], system: Sequence[dict[str, Any]]
) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, system index) of overlapping spans, largest overlap first."""
    scored = []
    for gi, g in enumerate(gold):
        for si, s in enumerate(system):
            overlap = min(g["end"], s["end"]) - max(g["start"], s["start"])
            if overlap > 0:
                scored.append((-overlap, gi, si))
    scored.sort()
    used_g: set[int] = set()
    used_s: set[int] = set()
    pairs = []
    for _, gi, si in scored:
        if gi in used_g or si in used_s:
            continue
        used_g.add(gi)
        used_s.add(si)
        pairs.append((gi, si))
    return pairs


def _canonical(value: str | None) -> str | None:
    # Equivalent spellings of one TIMEX3 value: a decade is "199" or "199X", a century "19"
    # or "19XX", an ISO week "2000-W07" or "2000-W7".
    if value and re.fullmatch(r"\d{2,3}X+", value):
        return value.rstrip("X")
    if value:
        return re.sub(r"-W0(\d)\b", r"-W\1", value)
    return value


def _prf(hits_sys: int, n_sys: int, hits_gold: int, n_gold: int) -> dict[str, float]:
    p = hits_sys / n_sys if n_sys else 0.0
    r = hits_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(100 * p, 2), "recall": round(100 * r, 2), "f1": round(100 * f, 2)}


def score(
    gold_docs: Iterable[dict[str, Any]], predictions: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    """TempEval-3 style metrics for predictions against gold (matched on doc_id)."""
    by_id = {p["doc_id"]: p.get("timex", []) for p in predictions}
    n_gold = n_sys = relaxed = strict = value_ok = value_canon = type_ok = 0
    n_docs = 0
    for doc in gold_docs:
        n_docs += 1
        gold = doc["timex3"]
        system = by_id.get(doc["doc_id"], [])
        n_gold += len(gold)
        n_sys += len(system)
        for gi, si in match(gold, system):
            g, s = gold[gi], system[si]
            relaxed += 1
            strict += g["start"] == s["start"] and g["end"] == s["end"]
            value_ok += s.get("value") == g.get("value")
            value_canon += _canonical(s.get("value")) == _canonical(g.get("value"))
            type_ok += s.get("type") == g.get("type")
    return {
        "docs": n_docs,
        "gold": n_gold,
        "system": n_sys,
        "relaxed": _prf(relaxed, n_sys, relaxed, n_gold),
        "strict": _prf(strict, n_sys, strict, n_gold),
        "value": _prf(value_ok, n_sys, value_ok, n_gold),
        "value_canonical": _prf(value_canon, n_sys, value_canon, n_gold),
        "type_accuracy": round(100 * type_ok / relaxed, 2) if relaxed else 0.0,
        "counts": {
            "relaxed_matches": relaxed,
            "strict_matches": strict,
            "value_correct": value_ok,
            "type_correct": type_ok,
        },
    }


def evaluate(
    gold: Path, predictions: Path, *, metrics: Path | None = None, limit: int | None = None
) -> dict[str, Any]:
    """Run the extractor over a gold file, write predictions, score them.

    Args:
        gold: TIMEX3 gold JSONL.
        predictions: where to write the predictions JSONL.
        metrics: optional path for the metrics JSON.
        limit: only the first `limit` documents.
    Returns:
        The metrics dict (see `score`).
    """
    gold, predictions = Path(gold), Path(predictions)
    gold_docs = list(_read_jsonl(gold, limit))
    predictions.parent.mkdir(parents=True, exist_ok=True)
    preds = []
    with predictions.open("w", encoding="utf-8") as fh:
        for rec in predict(gold_docs):
            preds.append(rec)
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    result = score(gold_docs, preds)
    # Odd and even documents scored apart: a rule fitted to one half must hold on the other.
    result["halves"] = {
        "even": score(gold_docs[0::2], preds),
        "odd": score(gold_docs[1::2], preds),
    }
    result["gold_file"] = str(gold)
    if metrics is not None:
        Path(metrics).parent.mkdir(parents=True, exist_ok=True)
        Path(metrics).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def format_metrics(metrics: dict[str, Any]) -> str:
    """A short human-readable table of the metrics."""
    lines = [
        f"dates: {metrics.get('gold_file', '')}  docs={metrics['docs']} "
        f"gold={metrics['gold']} system={metrics['system']}"
    ]
    for key in ("relaxed", "strict", "value", "value_canonical"):
        m = metrics[key]
        lines.append(
            f"  {key:<16} P {m['precision']:6.2f}  R {m['recall']:6.2f}  F1 {m['f1']:6.2f}"
        )
    lines.append(f"  type accuracy    {metrics['type_accuracy']:6.2f}")
    for half, m in metrics.get("halves", {}).items():
        lines.append(
            f"  {half} documents ({m['docs']}): relaxed F1 {m['relaxed']['f1']:6.2f}  "
            f"strict F1 {m['strict']['f1']:6.2f}  value F1 {m['value']['f1']:6.2f}"
        )
    return "\n".join(lines)


def benchmark(corpus: Path, *, limit: int = 500, batch_size: int = 32) -> dict[str, Any]:
    """Time spaCy parsing against temporal normalization over the first `limit` documents.

    Both are measured in one pass: the clock runs inside `nlp.pipe` for parsing and inside
    `timexes` for detection + normalization, so the ratio is the extractor's overhead.
    """
    import time

    from extractors.dates.detect import timexes
    from extractors.nlp import load_pipeline

    nlp = load_pipeline()
    records = list(_read_jsonl(Path(corpus), limit))
    nlp("warm up")  # first call pays for lazy initialisation
    parse = norm = 0.0
    n_timex = n_tokens = 0
    stream = nlp.pipe(((r["text"], r) for r in records), as_tuples=True, batch_size=batch_size)
    while True:
        t0 = time.perf_counter()
        try:
            doc, rec = next(stream)
        except StopIteration:
            break
        t1 = time.perf_counter()
        n_timex += len(timexes(doc, published=_dct(rec.get("dct"))))
        t2 = time.perf_counter()
        parse += t1 - t0
        norm += t2 - t1
        n_tokens += len(doc)
    return {
        "docs": len(records),
        "tokens": n_tokens,
        "timexes": n_timex,
        "parse_seconds": round(parse, 3),
        "temporal_seconds": round(norm, 3),
        "overhead_ratio": round(norm / parse, 4) if parse else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m extractors.evaluation.dates", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--gold", type=Path)
    parser.add_argument("--predictions", type=Path)
    parser.add_argument(
        "--bench", type=Path, default=None, help="corpus JSONL: time parse vs temporal instead"
    )
    parser.add_argument("--metrics", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    if args.bench is not None:
        print(json.dumps(benchmark(args.bench, limit=args.limit or 500), indent=2))
        return 0
    if args.gold is None or args.predictions is None:
        parser.error("--gold and --predictions are required (or --bench CORPUS)")
    result = evaluate(args.gold, args.predictions, metrics=args.metrics, limit=args.limit)
    print(format_metrics(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
