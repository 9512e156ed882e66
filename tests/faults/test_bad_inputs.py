"""Every kind of bad input ends in exactly one place: loaded, skipped or rejected with its code."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from extractors.errors import REASONS
from extractors.ingest import Rejection, articles
from extractors.records import Article

TODAY = dt.date(2026, 11, 28)
PATTERNS = ("*.txt", "*.jsonl")
GOOD = "PARIS — The French president met the German chancellor in Paris on Monday."
LONG = "\n\n".join(
    f"Paragraph {i}: The minister visited Berlin and met officials on Tuesday." for i in range(120)
)


def _jsonl(*records: object) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


def build_corpus(root: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Write one file per kind of bad (and awkward but good) input.

    Returns (kind -> expected outcome), and a list of (kind, outcome) per input, where the
    outcome is 'loaded' or a reject code.
    """
    root.mkdir(parents=True, exist_ok=True)
    inputs: list[tuple[str, str]] = []

    def put(name: str, data: bytes | str, kind: str, outcome: str) -> None:
        path = root / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        inputs.append((kind, outcome))

    put("empty.txt", b"", "empty file", "E101")
    put("blank.txt", b"  \n\t \n", "whitespace-only file", "E101")
    put("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary", "E102")
    put("controls.txt", bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 40, "control characters", "E102")
    put("undecodable.txt", b"\x81\x8d\x8f\x90\x9d" * 20, "undecodable bytes", "E103")
    put("bom8.txt", codecs.BOM_UTF8 + GOOD.encode(), "UTF-8 with BOM", "loaded")
    put("bom16.txt", (GOOD + " (16)").encode("utf-16"), "UTF-16 with BOM", "loaded")
    put("le16.txt", (GOOD + " (16le)").encode("utf-16-le"), "UTF-16 without BOM", "loaded")
    put("cp1252.txt", "Caf\u00e9 \u201cquoted\u201d in Paris.".encode("cp1252"), "cp1252", "loaded")
    put(
        "latin1.txt",
        "Se\u00f1or Mu\u00f1oz visit\u00f3 Sevilla.".encode("latin-1"),
        "latin-1",
        "loaded",
    )
    put("long.txt", LONG, "very long document (chunked)", "loaded")
    put("future.txt", "A text with a future date.", "future date (sidecar)", "E107")
    (root / "future.meta.json").write_text(json.dumps({"published": "2999-01-01"}))
    put("UPPER.TXT", "LISBON — The minister met officials in Lisbon.", "upper-case name", "loaded")
    (root / "UPPER.meta.json").write_text(json.dumps({"published": "Tue, 27 Jun 2023 09:00 +0100"}))
    # Not an input: matches no pattern, so it is neither read nor rejected (the CLI lists it).
    (root / "README.md").write_text("Notes about this folder.")
    put("sidecar.txt", "A text with a broken sidecar.", "invalid sidecar", "E109")
    (root / "sidecar.meta.json").write_text("{broken")
    lines = _jsonl(
        {"text": "A good line from Rome.", "published": "2020-05-01"},
        "{not json",
        "[1, 2, 3]",
        {"title": "no text"},
        {"text": 42},
        {"text": "   "},
        {"text": "Bad date.", "published": "2020-13-45"},
        {"text": "Word date.", "published": "yesterday"},
        {"text": "Future.", "published": "2999-01-01"},
        {"text": "Numeric date.", "published": 20200101},
        {"text": "An RSS item from Bergen.", "published": "Wed, 28 Jun 2023 10:00:00 GMT"},
        {"text": "Garbled RSS date.", "published": "Wed, 45 Foo 2023 10:00:00 GMT"},
        {"text": "A good line from Oslo.", "published": "2020-05-02"},
    )
    (root / "mixed.jsonl").write_text(lines)
    inputs += [
        ("JSONL good line", "loaded"),
        ("invalid JSON line", "E104"),
        ("JSON line not an object", "E104"),
        ("record without text", "E105"),
        ("text not a string", "E105"),
        ("empty text", "E101"),
        ("impossible date", "E106"),
        ("non-ISO date", "E106"),
        ("future date", "E107"),
        ("non-string date", "E106"),
        ("RFC 2822 date (RSS)", "loaded"),
        ("garbled RFC 2822 date", "E106"),
        ("JSONL good line", "loaded"),
    ]
    # One line in cp1252 inside a UTF-8 file: decoded on its own, the others stay intact.
    mixed = json.dumps({"text": "Z\u00fcrich \u2014 talks."}).encode() + b"\n"
    mixed += b'{"text": "Caf\xe9 in Lyon."}\n'
    (root / "encodings.jsonl").write_bytes(mixed)
    inputs += [("JSONL UTF-8 line", "loaded"), ("JSONL cp1252 line", "loaded")]
    put("dup.txt", GOOD, "same text twice in a run", "skipped")
    put("sqlish.txt", "Robert'); DROP TABLE events; -- met Alice in Rome.", "SQL in text", "loaded")
    os.symlink(root / "loop_b.txt", root / "loop_a.txt")
    os.symlink(root / "loop_a.txt", root / "loop_b.txt")
    inputs += [("symlink loop", "E111"), ("symlink loop", "E111")]
    outside = root.parent / "outside.txt"
    outside.write_text("A secret text outside the input directory.")
    os.symlink(outside, root / "escape.txt")
    inputs.append(("symlink leading outside", "E112"))
    (root / "sub").mkdir()
    os.symlink(root, root / "sub" / "back")
    inputs.append(("directory symlink back into the tree", "E111"))
    kinds = {kind: outcome for kind, outcome in inputs}
    return kinds, inputs


def _outcomes(items: list[Article | Rejection]) -> Counter[str]:
    seen: set[str] = set()
    counts: Counter[str] = Counter()
    for item in items:
        if isinstance(item, Rejection):
            counts[item.code] += 1
        elif item.doc_id in seen:
            counts["skipped"] += 1
        else:
            seen.add(item.doc_id)
            counts["loaded"] += 1
    return counts


def test_ingest_gives_every_bad_input_its_reason(tmp_path):
    _, inputs = build_corpus(tmp_path / "in")
    items = list(articles([tmp_path / "in"], patterns=PATTERNS, today=TODAY))
    assert _outcomes(items) == Counter(outcome for _, outcome in inputs)
    for item in items:
        if isinstance(item, Rejection):
            assert REASONS[item.code] == item.reason and item.detail


def test_unreadable_file_is_rejected(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("Fine.")
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "a.txt":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    [item] = list(articles([tmp_path], patterns=PATTERNS, today=TODAY))
    assert isinstance(item, Rejection) and item.code == "E108"
    assert "Permission denied" in item.detail


def test_symlinks_outside_are_read_with_the_flag(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "outside.txt").write_text("Outside text.")
    os.symlink(tmp_path / "outside.txt", tmp_path / "in" / "link.txt")
    [blocked] = list(articles([tmp_path / "in"], patterns=PATTERNS, today=TODAY))
    assert isinstance(blocked, Rejection) and blocked.code == "E112"
    assert "--follow-symlinks" in blocked.detail
    [read] = list(articles([tmp_path / "in"], patterns=PATTERNS, today=TODAY, follow_symlinks=True))
    assert isinstance(read, Article) and read.text == "Outside text."


@pytest.fixture(scope="module")
def bad_run(prefect_harness, tmp_path_factory):
    from flows.etl import etl_run

    root = tmp_path_factory.mktemp("bad")
    kinds, inputs = build_corpus(root / "in")
    config = root / "config.toml"
    config.write_text("[ingest]\nmax_chars = 2000\n")
    out = root / "out"
    summary = etl_run(
        paths=[str(root / "in"), str(root / "missing")], out=str(out), config=str(config)
    )
    inputs.append(("path not found", "E110"))
    kinds["path not found"] = "E110"
    return kinds, inputs, summary, out


def test_the_flow_accounts_for_every_bad_input(bad_run):
    kinds, inputs, summary, out = bad_run
    expected = Counter(outcome for _, outcome in inputs)
    rejected = sum(n for outcome, n in expected.items() if outcome.startswith("E"))
    assert summary["inputs_seen"] == len(inputs)
    assert summary["docs_loaded"] == expected["loaded"]
    assert summary["docs_skipped"] == expected["skipped"]
    assert summary["docs_rejected"] == rejected
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        codes = Counter(
            dict(con.execute("SELECT code, count(*) FROM rejects GROUP BY code").fetchall())
        )
        docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        long_doc = con.execute(
            "SELECT n_chars, n_events FROM documents WHERE n_chars > 2000"
        ).fetchall()
        events_ok = con.execute(
            "SELECT count(*) = count(*) FILTER (WHERE substr(d.text, e.predicate_start_char + 1,"
            " e.predicate_end_char - e.predicate_start_char) = e.predicate_text)"
            " FROM events e JOIN documents d USING (doc_id)"
        ).fetchone()[0]
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    finally:
        con.close()
    assert codes == Counter({k: v for k, v in expected.items() if k.startswith("E")})
    assert docs == expected["loaded"]
    lost = len(inputs) - (docs + expected["skipped"] + sum(codes.values()))
    assert lost == 0
    # The long document was parsed in chunks: loaded whole, offsets into the whole text.
    assert long_doc and long_doc[0][0] == len(LONG) and long_doc[0][1] > 100
    assert events_ok
    assert "events" in tables  # the text with SQL in it was only ever data
    print(
        f"\nbad-input figures: {len(kinds)} kinds, {len(inputs)} inputs, "
        f"{sum(codes.values())} rejected with the expected code, {lost} lost"
    )
