"""configs/lexicons/: every list is read by the code, and every list the code reads exists."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from extractors.lexicons import words

REPO = Path(__file__).resolve().parents[2]
CALL = re.compile(r"""words\(\s*["'](\w+)["'],\s*["'](\w+)["']\s*\)""")


def _calls() -> set[tuple[str, str]]:
    return {
        match
        for path in (REPO / "extractors").rglob("*.py")
        for match in CALL.findall(path.read_text(encoding="utf-8"))
    }


def _lists() -> set[tuple[str, str]]:
    return {
        (path.stem, key)
        for path in (REPO / "configs" / "lexicons").glob("*.toml")
        for key in tomllib.loads(path.read_text(encoding="utf-8"))
    }


def test_every_list_is_read_and_every_read_list_exists():
    assert _calls(), "no words() calls found: the pattern is out of date"
    assert _lists() - _calls() == set(), "lists no code reads"
    assert _calls() - _lists() == set(), "lists the code reads that do not exist"


def test_lists_hold_distinct_non_empty_strings():
    for path in (REPO / "configs" / "lexicons").glob("*.toml"):
        for key, values in tomllib.loads(path.read_text(encoding="utf-8")).items():
            assert values and all(isinstance(v, str) and v for v in values), (path.name, key)
            assert len(set(values)) == len(values), (path.name, key, "repeats a word")


def test_an_unknown_list_is_a_clear_error():
    assert "stop" in words("places", "site_nouns")
    with pytest.raises(KeyError, match="no list 'nope'"):
        words("places", "nope")
