"""The printed summary of `event-etl evaluate places`."""

from __future__ import annotations

import pytest

from extractors.evaluation.places import format_metrics


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
