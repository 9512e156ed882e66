"""extractors/errors.py is the one catalogue of codes: the source and README agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractors.errors import CODES, REASON_DOCS, REASONS, STOP_CODES, ConfigError

REPO = Path(__file__).resolve().parents[2]
CODE = re.compile(r"\bE\d{3}\b")


def _source_codes() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for package in ("extractors", "warehouse", "flows"):
        for path in (REPO / package).rglob("*.py"):
            for code in re.findall(r"[\"'](E\d{3})[\"']", path.read_text(encoding="utf-8")):
                found.setdefault(code, set()).add(str(path.relative_to(REPO)))
    return found


def test_every_code_the_source_uses_is_in_the_catalogue():
    unknown = {code: files for code, files in _source_codes().items() if code not in CODES}
    assert not unknown


def test_every_catalogued_code_is_used_and_documented_in_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(CODE.findall(readme))
    for first, last in re.findall(r"`(E\d{3})`-`(E\d{3})`", readme):  # "`E301`-`E303`"
        documented |= {f"E{n:03d}" for n in range(int(first[1:]), int(last[1:]) + 1)}
    assert set(CODES) - documented == set()
    assert documented - set(CODES) == set()
    assert set(CODES) - set(_source_codes()) == set()


def test_reject_codes_have_a_reason_and_a_description_and_stop_codes_do_not_overlap():
    assert set(REASONS) == set(REASON_DOCS)
    assert not set(REASONS) & set(STOP_CODES)
    assert all(re.fullmatch(r"[a-z_]+", slug) for slug in REASONS.values())


def test_an_error_with_a_code_outside_the_catalogue_is_a_bug():
    with pytest.raises(ValueError, match="E999"):
        ConfigError("E999", "made up")
    assert ConfigError("E002", "unknown key").code == "E002"


def test_an_error_says_its_run_and_document_and_survives_pickling():
    import pickle

    from extractors.errors import LoadError, about

    with pytest.raises(LoadError) as caught, about(run_id="r1"), about(doc_id="d9"):
        raise LoadError("E401", "locked")
    exc = caught.value
    assert (exc.run_id, exc.doc_id) == ("r1", "d9")
    assert str(exc) == "[E401] locked (run r1, document d9)"
    # A Dask worker's error reaches the flow as the same error, with its run and document.
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is LoadError
    assert (back.code, back.detail, back.run_id, back.doc_id) == ("E401", "locked", "r1", "d9")
    assert str(ConfigError("E002", "unknown key")) == "[E002] unknown key"
