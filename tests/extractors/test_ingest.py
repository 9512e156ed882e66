import codecs
import datetime as dt
import json
from pathlib import Path

import pytest

from extractors.ingest import (
    Rejection,
    articles,
    decode_bytes,
    describe_patterns,
    detect_dateline,
    doc_id_of,
    ignored_files,
    normalize_text,
    parse_published,
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


def test_upper_case_extensions_are_read_with_their_sidecar(tmp_path: Path):
    (tmp_path / "B.TXT").write_text("ROME — The minister visited Berlin on Tuesday.")
    (tmp_path / "B.meta.json").write_text(json.dumps({"published": "2023-06-28"}))
    (tmp_path / "C.JSONL").write_text(json.dumps({"text": "Oslo talks.", "id": "c1"}) + "\n")
    (tmp_path / "D.Txt").write_text("Text.")
    (tmp_path / "D.META.JSON").write_text(json.dumps({"title": "Upper sidecar"}))
    items = _all(tmp_path)
    assert all(isinstance(i, Article) for i in items)
    by_name = {Path(i.source_uri).name: i for i in items}
    assert sorted(by_name) == ["B.TXT", "C.JSONL", "D.Txt"]
    assert by_name["B.TXT"].published == dt.date(2023, 6, 28)
    assert by_name["C.JSONL"].source_id == "c1" and by_name["C.JSONL"].record_no == 1
    assert by_name["D.Txt"].title == "Upper sidecar"


def test_ignored_files_are_listed_but_not_sidecars(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("A.")
    (tmp_path / "a.meta.json").write_text("{}")
    (tmp_path / "orphan.meta.json").write_text("{}")
    (tmp_path / "notes.md").write_text("x")
    (tmp_path / "sub" / "report.pdf").write_bytes(b"%PDF")
    (tmp_path / "sub" / "B.TXT").write_text("B.")
    found = list(ignored_files([tmp_path], patterns=PATTERNS))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "notes.md",
        "orphan.meta.json",
        "sub/report.pdf",
    ]
    assert list(ignored_files([tmp_path / "a.txt"], patterns=PATTERNS)) == []
    assert describe_patterns(PATTERNS) == ".txt or .jsonl"
    assert describe_patterns(("news_*.txt",)) == "news_*.txt"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-06-28", dt.date(2023, 6, 28)),
        ("2023-06-28T23:30:00-05:00", dt.date(2023, 6, 28)),
        ("Wed, 28 Jun 2023 10:00:00 GMT", dt.date(2023, 6, 28)),
        ("Thu, 29 Jun 2023 01:30:00 +1000", dt.date(2023, 6, 29)),
        ("28 Jun 2023 10:00 EST", dt.date(2023, 6, 28)),
        # The day after the run's UTC date is still today east of UTC.
        ("2026-11-29", dt.date(2026, 11, 29)),
        ("Sun, 29 Nov 2026 08:00:00 +1300", dt.date(2026, 11, 29)),
        (None, None),
    ],
)
def test_published_accepts_iso_and_rfc_2822(value: str | None, expected: dt.date | None):
    assert parse_published(value, today=TODAY) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("yesterday", "E106"),
        ("Wed, 31 Feb 2023 10:00:00 GMT", "E106"),
        ("Mon, 45 Foo 2023 10:00:00 GMT", "E106"),
        ("12 34 5678 10:00", "E106"),
        ("2023-13-45", "E106"),
        (20230628, "E106"),
        ("2026-11-30", "E107"),
        ("Mon, 30 Nov 2026 10:00:00 GMT", "E107"),
    ],
)
def test_bad_or_future_published_is_rejected(tmp_path: Path, value: object, code: str):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"text": "Talks in Oslo.", "published": value}) + "\n")
    [item] = _all(path)
    assert isinstance(item, Rejection) and item.code == code
    assert repr(value) in item.detail or str(value) in item.detail
