"""Evaluation: toponym resolution and recognition against gold JSONL.

Gold records: ``{dataset, doc_id, title, pub_date, text, toponyms: [{start, end, text,
geonameid, lat, lon, offset_ok, ...}]}``; only toponyms with coordinates and ``offset_ok``
not false are scored. Predictions: ``{"doc_id", "places": [{"start", "end", "text",
"geonameid", "name", "country_code", "lat", "lon"}]}``.

With ``given_spans`` the system resolves exactly the gold spans (reading only their offsets)
and we report Acc@161km (unanswered = wrong), the exact GeoNames id rate and the AUC of the
normalized log error (Gritta et al. 2018; lower is better). Without, it finds toponyms itself
and we report span precision/recall/F1 (exact and overlapping) plus Acc@161 over matches.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Iterator
from pathlib import Path

from extractors.places.names import haversine_km
from extractors.places.resolve import PlaceResolver

ACC_KM = 161.0
EARTH_HALF_CIRCUMFERENCE_KM = 20039.0


def read_gold(path: Path, *, limit: int | None = None) -> Iterator[dict]:
    """Gold documents, with only the scorable toponyms kept in ``gold``."""
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                break
            if not line.strip():
                continue
            rec = json.loads(line)
            rec["gold"], rec["unscored"] = [], []
            for t in rec.get("toponyms", []):
                ok = (
                    t.get("lat") is not None
                    and t.get("lon") is not None
                    and t.get("offset_ok") is not False
                )
                rec["gold" if ok else "unscored"].append(t)
            yield rec


def _place_json(start: int, end: int, text: str, place, *, approximate: bool = False) -> dict:
    out = {
        "start": start,
        "end": end,
        "text": text,
        "geonameid": None,
        "name": None,
        "country_code": None,
        "lat": None,
        "lon": None,
        "approximate": approximate,  # the place containing it; it has no entry of its own
    }
    if place is not None:
        out.update(
            geonameid=place.geonameid,
            name=place.name,
            country_code=place.country_code,
            lat=place.lat,
            lon=place.lon,
        )
    return out


def predict(
    gold: Path,
    predictions: Path,
    *,
    given_spans: bool,
    resolver: PlaceResolver,
    limit: int | None = None,
    batch_size: int = 32,
) -> float:
    """Write predictions for every gold document; returns seconds spent resolving."""
    docs = list(read_gold(gold, limit=limit))
    spent = 0.0
    predictions.parent.mkdir(parents=True, exist_ok=True)
    with open(predictions, "w", encoding="utf-8") as out:
        if given_spans:
            for rec in docs:
                text = rec["text"]
                spans = [(t["start"], t["end"]) for t in rec["gold"]]
                t0 = time.perf_counter()
                places = resolver.resolve_spans(text, spans)
                located = resolver.approximate(text, spans, places)
                spent += time.perf_counter() - t0
                items = [
                    _place_json(s, e, text[s:e], q, approximate=p is None and q is not None)
                    for (s, e), p, q in zip(spans, places, located, strict=True)
                ]
                out.write(json.dumps({"doc_id": rec["doc_id"], "places": items}) + "\n")
        else:
            from extractors.nlp import load_pipeline

            nlp = load_pipeline()
            for doc, rec in nlp.pipe(
                ((r["text"], r) for r in docs), as_tuples=True, batch_size=batch_size
            ):
                t0 = time.perf_counter()
                tops = resolver.toponyms(doc)
                spent += time.perf_counter() - t0
                items = [_place_json(t.start, t.end, t.text, t.place) for t in tops]
                out.write(json.dumps({"doc_id": rec["doc_id"], "places": items}) + "\n")
    return spent


def _auc(errors_km: list[float]) -> float:
    """Area under the curve of sorted normalized log errors (Gritta et al. 2018)."""
    if not errors_km:
        return float("nan")
    scaled = sorted(math.log(1 + e) / math.log(EARTH_HALF_CIRCUMFERENCE_KM) for e in errors_km)
    n = len(scaled)
    if n == 1:
        return scaled[0]
    # Trapezoidal integral over x in [0, 1] of the sorted curve.
    return sum((scaled[i] + scaled[i + 1]) / 2 for i in range(n - 1)) / (n - 1)


def _error(gold: dict, pred: dict | None) -> float:
    if pred is None or pred.get("lat") is None:
        return EARTH_HALF_CIRCUMFERENCE_KM
    return haversine_km(gold["lat"], gold["lon"], pred["lat"], pred["lon"])


def evaluate(
    gold: Path,
    predictions: Path,
    *,
    given_spans: bool = False,
    metrics: Path | None = None,
    limit: int | None = None,
    resolver: PlaceResolver | None = None,
) -> dict:
    """Predict for ``gold`` into ``predictions``, score, optionally write ``metrics`` JSON.

    Args:
        gold: gold JSONL.
        predictions: where the prediction JSONL is written.
        given_spans: resolve the gold spans instead of finding toponyms.
        metrics: optional path for the metrics JSON.
        limit: only the first ``limit`` documents.
        resolver: reuse a resolver (default: load the cached gazetteer).
    """
    gold, predictions = Path(gold), Path(predictions)
    t0 = time.perf_counter()
    if resolver is None:
        from extractors.places.gazetteer import load_gazetteer

        resolver = PlaceResolver(load_gazetteer())
    load_s = time.perf_counter() - t0
    spent = predict(gold, predictions, given_spans=given_spans, resolver=resolver, limit=limit)
    preds = {}
    with open(predictions, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            preds[str(rec["doc_id"])] = rec["places"]

    errors: list[float] = []
    exact = answered = approx = approx_right = 0
    n_pred = n_gold = match_exact = match_overlap = 0
    per_doc = []
    for rec in read_gold(gold, limit=limit):
        ps = preds.get(str(rec["doc_id"]), [])
        g = rec["gold"]
        n_gold += len(g)
        if given_spans:
            by_span = {(p["start"], p["end"]): p for p in ps}
            for t in g:
                p = by_span.get((t["start"], t["end"]))
                err = _error(t, p)
                errors.append(err)
                answered += p is not None and p.get("lat") is not None
                if p is not None and p.get("approximate"):
                    approx += 1
                    approx_right += err <= ACC_KM
                if p and t.get("geonameid") and str(p.get("geonameid")) == str(t["geonameid"]):
                    exact += 1
                per_doc.append((rec["doc_id"], t, p, err))
        else:
            # A prediction on a gold toponym that has no coordinates is neither right nor
            # wrong: leave it out of precision.
            skip = [(t["start"], t["end"]) for t in rec["unscored"]]
            ps = [p for p in ps if not any(p["start"] < e and s < p["end"] for s, e in skip)]
            n_pred += len(ps)
            exact_spans = {(p["start"], p["end"]) for p in ps}
            used: set[int] = set()
            for t in g:
                match_exact += (t["start"], t["end"]) in exact_spans
                best = None
                for k, p in enumerate(ps):
                    if k not in used and p["start"] < t["end"] and t["start"] < p["end"]:
                        best = k
                        break
                if best is not None:
                    used.add(best)
                    match_overlap += 1
                    err = _error(t, ps[best])
                    errors.append(err)
                    if t.get("geonameid") and str(ps[best].get("geonameid")) == str(t["geonameid"]):
                        exact += 1
    n_with_id = sum(
        1 for rec in read_gold(gold, limit=limit) for t in rec["gold"] if t.get("geonameid")
    )
    out: dict = {
        "gold": str(gold),
        "given_spans": given_spans,
        "gold_toponyms": n_gold,
        "gazetteer_load_s": round(load_s, 3),
        "resolve_s": round(spent, 3),
    }
    if given_spans:
        out.update(
            acc161=_ratio(sum(e <= ACC_KM for e in errors), n_gold),
            answered=_ratio(answered, n_gold),
            # Answered by the place containing the toponym (it has no entry of its own).
            approximate=_ratio(approx, n_gold),
            acc161_approximate=_ratio(approx_right, approx),
            exact_id=_ratio(exact, n_with_id) if n_with_id else None,
            auc=round(_auc(errors), 4),
            mean_error_km=round(sum(errors) / len(errors), 1) if errors else None,
            toponyms_per_s=round(n_gold / spent, 1) if spent else None,
        )
    else:

        def prf(m: int) -> dict:
            p = m / n_pred if n_pred else 0.0
            r = m / n_gold if n_gold else 0.0
            return {
                "precision": round(100 * p, 2),
                "recall": round(100 * r, 2),
                "f1": round(200 * p * r / (p + r), 2) if p + r else 0.0,
            }

        out.update(
            predicted_toponyms=n_pred,
            exact=prf(match_exact),
            overlap=prf(match_overlap),
            acc161_matched=_ratio(sum(e <= ACC_KM for e in errors), len(errors)),
            exact_id_matched=_ratio(exact, len(errors)),
            auc_matched=round(_auc(errors), 4) if errors else None,
        )
    if metrics is not None:
        Path(metrics).parent.mkdir(parents=True, exist_ok=True)
        Path(metrics).write_text(json.dumps(out, indent=2))
    return out


def _ratio(k: int, n: int) -> float:
    return round(100.0 * k / n, 2) if n else 0.0


def format_metrics(metrics: dict) -> str:
    """Human-readable summary of :func:`evaluate`'s result."""
    name = Path(metrics["gold"]).name
    if metrics["given_spans"]:
        return (
            f"{name} (given spans, n={metrics['gold_toponyms']}): "
            f"Acc@161km {metrics['acc161']:.2f}  exact id {_or_na(metrics['exact_id'])}  "
            f"AUC {metrics['auc']:.4f}  answered {metrics['answered']:.2f}  "
            f"(approximate {metrics['approximate']:.2f}, Acc@161 "
            f"{metrics['acc161_approximate']:.2f})  speed {metrics['toponyms_per_s']}/s"
        )
    e, o = metrics["exact"], metrics["overlap"]
    return (
        f"{name} (end to end, gold={metrics['gold_toponyms']}, "
        f"pred={metrics['predicted_toponyms']}): "
        f"exact P/R/F1 {e['precision']:.2f}/{e['recall']:.2f}/{e['f1']:.2f}  "
        f"overlap P/R/F1 {o['precision']:.2f}/{o['recall']:.2f}/{o['f1']:.2f}  "
        f"Acc@161 on matches {metrics['acc161_matched']:.2f}  "
        f"AUC {_or_na(metrics['auc_matched'])}"
    )


def _or_na(value: float | None) -> str:
    # None when the gold gives no ids (GeoVirus has coordinates only) or nothing matched.
    return "n/a" if value is None else str(value)


def main(argv: list[str] | None = None) -> int:
    """``python -m extractors.evaluation.places --gold F --predictions OUT [--given-spans]``."""
    parser = argparse.ArgumentParser(description="Score toponym resolution against gold JSONL.")
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--predictions", type=Path, required=True)
    parser.add_argument("--given-spans", action="store_true")
    parser.add_argument("--metrics", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    m = evaluate(
        args.gold,
        args.predictions,
        given_spans=args.given_spans,
        metrics=args.metrics,
        limit=args.limit,
    )
    print(format_metrics(m))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
