"""Evaluation: story clustering against documents labelled with the event they report.

Gold records: ``{doc_id, title, date_publish, text, event_id, ...}`` (Giveme5W1H's
news_cluster). Documents are clustered in arrival order (publication time, then id), as a
run would load them. Scores: B-cubed precision, recall and F1 (Bagga & Baldwin 1998: per
document, the share of its cluster that shares its event, and of its event that shares its
cluster) and the adjusted Rand index; beside them two baselines: one story per document,
and the same clustering on title words alone. The events are also split in two halves
(alternate event ids) and each half clustered on its own, so a setting chosen on one half
can be read on the other.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from extractors.config import load_settings
from extractors.stories import StoryParams, cluster


def read_gold(path: Path, *, limit: int | None = None) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    records.sort(key=lambda r: (r.get("date_publish") or "", r["doc_id"]))
    return records[:limit] if limit is not None else records


def _day(value: str | None) -> int | None:
    try:
        return dt.date.fromisoformat((value or "")[:10]).toordinal()
    except ValueError:
        return None


def bcubed(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    by_pred: dict[str, set[int]] = defaultdict(set)
    by_gold: dict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        by_pred[p].add(i)
        by_gold[g].add(i)
    precision = recall = 0.0
    for p, g in zip(predicted, gold, strict=True):
        shared = len(by_pred[p] & by_gold[g])
        precision += shared / len(by_pred[p])
        recall += shared / len(by_gold[g])
    n = len(gold) or 1
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def adjusted_rand(predicted: Sequence[str], gold: Sequence[str]) -> float:
    def pairs(n: int) -> float:
        return n * (n - 1) / 2

    table = Counter(zip(predicted, gold, strict=True))
    index = sum(pairs(n) for n in table.values())
    rows = sum(pairs(n) for n in Counter(predicted).values())
    cols = sum(pairs(n) for n in Counter(gold).values())
    total = pairs(len(gold))
    expected = rows * cols / total if total else 0.0
    best = (rows + cols) / 2
    return (index - expected) / (best - expected) if best != expected else 1.0


def _scores(records: list[dict[str, Any]], params: StoryParams, *, titles_only: bool) -> dict:
    docs = [
        (r["doc_id"], _day(r.get("date_publish")), r.get("title"), "" if titles_only else r["text"])
        for r in records
    ]
    assigned = cluster(docs, params)
    predicted = [assigned[r["doc_id"]] for r in records]
    gold = [str(r["event_id"]) for r in records]
    return {
        **bcubed(predicted, gold),
        "ari": adjusted_rand(predicted, gold),
        "stories": len(set(predicted)),
        "events": len(set(gold)),
        "documents": len(records),
        "assigned": assigned,
    }


def evaluate(
    gold_path: Path, predictions: Path, *, metrics: Path | None = None, limit: int | None = None
) -> dict[str, Any]:
    records = read_gold(gold_path, limit=limit)
    params = StoryParams.of(load_settings().stories)
    main = _scores(records, params, titles_only=False)
    with open(predictions, "w", encoding="utf-8") as out:
        for r in records:
            row = {"doc_id": r["doc_id"], "story_id": main["assigned"][r["doc_id"]]}
            out.write(json.dumps({**row, "event_id": r["event_id"]}) + "\n")
    singletons = [r["doc_id"] for r in records]
    gold = [str(r["event_id"]) for r in records]
    events = sorted({str(r["event_id"]) for r in records})
    halves = {}
    for half in (0, 1):
        chosen = {e for i, e in enumerate(events) if i % 2 == half}
        subset = [r for r in records if str(r["event_id"]) in chosen]
        scores = _scores(subset, params, titles_only=False)
        halves[f"half_{half}"] = {k: v for k, v in scores.items() if k != "assigned"}
    result = {
        "params": {
            "threshold": params.threshold,
            "window_days": params.window_days,
            "lead_chars": params.lead_chars,
            "title_weight": params.title_weight,
        },
        "stories": {k: v for k, v in main.items() if k != "assigned"},
        "baseline_one_story_per_document": {
            **bcubed(singletons, gold),
            "ari": adjusted_rand(singletons, gold),
        },
        "baseline_titles_only": {
            k: v for k, v in _scores(records, params, titles_only=True).items() if k != "assigned"
        },
        **halves,
    }
    if metrics:
        metrics.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def format_metrics(m: dict[str, Any]) -> str:
    def line(name: str, s: dict[str, float]) -> str:
        extra = f"  ({s['stories']} stories, {s['events']} events)" if "stories" in s else ""
        return (
            f"  {name:<34} B-cubed P {s['precision']:.3f}  R {s['recall']:.3f}  "
            f"F1 {s['f1']:.3f}  ARI {s['ari']:.3f}{extra}"
        )

    p = m["params"]
    n = m["stories"]["documents"]
    return "\n".join(
        [
            f"stories: {n} documents; threshold {p['threshold']}, window {p['window_days']} "
            f"days, lead {p['lead_chars']} chars, title x{p['title_weight']}",
            line("title + lead (event-etl)", m["stories"]),
            line("baseline: one story per document", m["baseline_one_story_per_document"]),
            line("baseline: titles only", m["baseline_titles_only"]),
            line("event halves: half 0", m["half_0"]),
            line("event halves: half 1", m["half_1"]),
        ]
    )
