import codecs
import datetime as dt
import json
from pathlib import Path

import pytest

from extractors.ingest import (
    Rejection,
    articles,
    decode_bytes,
    detect_dateline,
    doc_id_of,
    normalize_text,
)
from extractors.records import Article

TODAY = dt.date(2026, 11, 28)
PATTERNS = ("*.txt", "*.jsonl")


def _all(*paths: Path) -> list[Article | Rejection]:
    return list(articles(list(paths), patterns=PATTERNS, today=TODAY))


def test_doc_id_is_sha256_of_normalized_text():
    assert doc_id_of("  a\r\nb ") == doc_id_of("a\nb")
    assert len(doc_id_of("x")) == 64
    assert normalize_text("e\u0301") == "\u00e9"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("SEOUL — As it ends", "SEOUL"),
        ("WASHINGTON (AP) — The", "WASHINGTON"),
        ("BEIJING, March 3 (Reuters) -- China", "BEIJING"),
        ("NAIROBI, Kenya (AP) — Kenyan police", "NAIROBI, Kenya"),
        ("NEW YORK - Stocks", "NEW YORK"),
        ("The US - a country", None),
        ("A - list", None),
        ("Storm Ciara forced", None),
    ],
)
def test_dateline(text: str, place: str | None):
    found = detect_dateline(text)
    assert (found[0] if found else None) == place
    if found:
        assert text[found[1] : found[2]] == place


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "café".encode(), "utf-8-sig"),
        ("café".encode("utf-16"), "utf-16"),
        ("café".encode(), "utf-8"),
        ("café “quoted”".encode("cp1252"), "cp1252"),
    ],
)
def test_decode_bytes(data: bytes, encoding: str):
    text, used = decode_bytes(data)
    assert used == encoding
    assert text.startswith("café")


def test_text_file_with_sidecar(tmp_path: Path):
    (tmp_path / "a.txt").write_text("PARIS — Something happened.")
    (tmp_path / "a.meta.json").write_text(json.dumps({"published": "2020-01-02", "title": "T"}))
    [article] = _all(tmp_path)
    assert isinstance(article, Article)
    assert article.published == dt.date(2020, 1, 2)
    assert article.published_from == "metadata"
    assert article.title == "T"
    assert article.dateline == "PARIS"


def test_no_date_stays_null(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Something happened yesterday.")
    [article] = _all(tmp_path)
    assert isinstance(article, Article)
    assert article.published is None
    assert article.published_from == "none"


def test_jsonl_bad_line_rejected_others_load(tmp_path: Path):
    path = tmp_path / "b.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"text": "One.", "published": "2020-01-01", "id": "x1"}),
                "{not json",
                json.dumps({"title": "no text"}),
                json.dumps(["a list"]),
                json.dumps({"text": "Two.", "published": "yesterday"}),
                json.dumps({"text": "Three.", "published": "2999-01-01"}),
                json.dumps({"text": "   "}),
            ]
        )
    )
    items = _all(path)
    loaded = [i for i in items if isinstance(i, Article)]
    codes = [i.code for i in items if isinstance(i, Rejection)]
    assert [a.source_id for a in loaded] == ["x1"]
    assert codes == ["E104", "E105", "E104", "E106", "E107", "E101"]
    assert all(i.record_no is not None for i in items)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "E101"),
        (b"  \n ", "E101"),
        (b"\x00\x01\x02binary", "E102"),
        (b"\x81\x8d\x8f\x90\x9d", "E103"),
    ],
)
def test_bad_files_are_rejected_with_a_reason(tmp_path: Path, content: bytes, code: str):
    (tmp_path / "bad.txt").write_bytes(content)
    [item] = _all(tmp_path)
    assert isinstance(item, Rejection)
    assert item.code == code
    assert item.detail


def test_bad_sidecar_is_rejected(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Text.")
    (tmp_path / "a.meta.json").write_text("{broken")
    [item] = _all(tmp_path)
    assert isinstance(item, Rejection) and item.code == "E109"


def test_missing_path_is_rejected(tmp_path: Path):
    [item] = _all(tmp_path / "nope")
    assert isinstance(item, Rejection) and item.code == "E110"


def test_directories_are_read_recursively_in_stable_order(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("B.")
    (tmp_path / "a.txt").write_text("A.")
    (tmp_path / "ignored.csv").write_text("x")
    (tmp_path / "a.meta.json").write_text("{}")
    items = _all(tmp_path)
    assert [Path(i.source_uri).name for i in items] == ["a.txt", "b.txt"]
