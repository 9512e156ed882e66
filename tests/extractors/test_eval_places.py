"""The printed summary of `event-etl evaluate places`."""

from __future__ import annotations

import json

import pytest

from extractors.evaluation.places import evaluate, format_metrics


@pytest.mark.parametrize(("exact_id", "shown"), [(None, "exact id n/a"), (81.5, "exact id 81.5")])
def test_given_spans_summary_says_n_a_when_the_gold_has_no_ids(exact_id, shown):
    metrics = {
        "gold": "/x/geovirus.jsonl",
        "given_spans": True,
        "gold_toponyms": 10,
        "acc161": 80.0,
        "exact_id": exact_id,
        "auc": 0.1,
        "answered": 100.0,
        "approximate": 0.0,
        "acc161_approximate": 0.0,
        "toponyms_per_s": 50.0,
    }
    line = format_metrics(metrics)
    assert shown in line
    assert "None" not in line


def test_end_to_end_summary_says_n_a_when_nothing_matched():
    prf = {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    metrics = {
        "gold": "/x/geovirus.jsonl",
        "given_spans": False,
        "gold_toponyms": 10,
        "predicted_toponyms": 0,
        "exact": prf,
        "overlap": prf,
        "acc161_matched": 0.0,
        "auc_matched": None,
    }
    assert format_metrics(metrics).endswith("AUC n/a")


def test_given_spans_answer_a_place_with_no_entry_by_its_container(tmp_path):
    # A made-up hospital the gazetteer cannot know, placed by the text in Galway.
    text = "Nurses at Saint Fictional Hospital in Galway walked out on Monday."
    galway = {"lat": 53.27194, "lon": -9.04889, "offset_ok": True}

    def span(name):
        start = text.index(name)
        return {"start": start, "end": start + len(name), "text": name, **galway}

    gold = tmp_path / "gold.jsonl"
    record = {
        "doc_id": "d1",
        "text": text,
        "toponyms": [span("Saint Fictional Hospital"), span("Galway")],
    }
    gold.write_text(json.dumps(record) + "\n")
    metrics = evaluate(gold, tmp_path / "pred.jsonl", given_spans=True)
    assert metrics["acc161"] == 100.0 and metrics["answered"] == 100.0
    assert metrics["approximate"] == 50.0 and metrics["acc161_approximate"] == 100.0
    [pred] = [json.loads(line) for line in (tmp_path / "pred.jsonl").read_text().splitlines()]
    flags = {p["text"]: p["approximate"] for p in pred["places"]}
    assert flags == {"Saint Fictional Hospital": True, "Galway": False}
