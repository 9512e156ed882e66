"""Extract stage: read .txt files (with .meta.json sidecars) and .jsonl batches into Articles.

Every input ends up as an `Article` or a `Rejection` with a stable code; nothing is dropped.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.records import Article

# Keys accepted for the publication date, in order of preference (common corpus spellings).
PUBLISHED_KEYS = ("published", "dct", "date_publish", "pub_date", "date")
SIDECAR_SUFFIX = ".meta.json"

# "SEOUL —", "WASHINGTON (AP) —", "BEIJING, March 3 (Xinhua) --", "PARIS, France (AFP) -"
_DATELINE = re.compile(
    r"""\A\s*
    (?P<place>[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,3}      # upper-case place name
       (?:,\s*[A-Z][A-Za-z.'’]+(?:\ [A-Z][A-Za-z.'’]+){0,2})?)  # optional ", State/Country"
    (?:,\s*(?P<date>[A-Z][a-z]{2,8}\.?\ \d{1,2}))?              # optional ", March 3"
    \s*(?:\((?P<agency>[A-Za-z][A-Za-z .&-]{0,30})\))?          # optional "(AP)"
    \s*(?:—|–|--|-|:)\s+""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that could not become an Article, with a stable reason code."""

    source_uri: str
    record_no: int | None
    code: str
    reason: str
    detail: str
    doc_id: str | None = None


REASONS = {
    "E101": "empty",
    "E102": "binary",
    "E103": "undecodable",
    "E104": "invalid_json",
    "E105": "missing_text",
    "E106": "invalid_published",
    "E107": "future_published",
    "E108": "unreadable",
    "E109": "invalid_sidecar",
    "E110": "not_found",
}


def _reject(
    uri: str, record_no: int | None, code: str, detail: str, doc_id: str | None = None
) -> Rejection:
    return Rejection(uri, record_no, code, REASONS[code], detail, doc_id)


def normalize_text(text: str) -> str:
    """Canonical form the doc_id is computed on and all offsets refer to."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def doc_id_of(text: str) -> str:
    """sha256 hex digest of the normalized text."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def detect_dateline(text: str) -> tuple[str, int, int] | None:
    """Return (place, start, end) of a leading dateline like "SEOUL —", else None."""
    match = _DATELINE.match(text)
    if match is None:
        return None
    place = match.group("place")
    # A lone short token ("A -", "I -") is a list marker or a word, not a dateline.
    if len(place.replace(".", "")) < 3:
        return None
    return place, match.start("place"), match.end("place")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text sensibly: BOMs first, then UTF-8, then cp1252. Returns (text, encoding).

    Raises:
        UnicodeDecodeError: none of the encodings fits.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def _is_binary(data: bytes) -> bool:
    head = data[:8192]
    return b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def parse_published(value: Any, *, today: dt.date) -> dt.date | None:
    """ISO date or timestamp -> date. None stays None.

    Raises:
        ValueError: not an ISO date, or later than `today` (the run's own date).
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"published {value!r} is not an ISO date (YYYY-MM-DD...)")
    published = dt.date.fromisoformat(value[:10])
    if published > today:
        raise ValueError(f"published {published} is after the run date {today}")
    return published


def _optional_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return None if value is None else str(value)


def build_article(
    text: str,
    meta: dict[str, Any],
    *,
    source_uri: str,
    record_no: int | None,
    today: dt.date,
) -> Article | Rejection:
    """Turn text plus metadata into an Article, or a Rejection saying why not."""
    text = normalize_text(text)
    if not text:
        return _reject(source_uri, record_no, "E101", "no text after stripping whitespace")
    doc_id = doc_id_of(text)
    raw_published = next((meta[k] for k in PUBLISHED_KEYS if meta.get(k) not in (None, "")), None)
    try:
        published = parse_published(raw_published, today=today)
    except ValueError as exc:
        code = "E107" if "after the run date" in str(exc) else "E106"
        return _reject(source_uri, record_no, code, str(exc), doc_id)
    dateline = detect_dateline(text)
    return Article(
        doc_id=doc_id,
        text=text,
        source_uri=source_uri,
        record_no=record_no,
        source_id=_optional_str(meta, "id") or _optional_str(meta, "doc_id"),
        title=_optional_str(meta, "title"),
        url=_optional_str(meta, "url"),
        source=_optional_str(meta, "source"),
        published=published,
        published_from="metadata" if published else "none",
        dateline=dateline[0] if dateline else None,
        dateline_start_char=dateline[1] if dateline else None,
        dateline_end_char=dateline[2] if dateline else None,
    )


def _read_bytes(path: Path) -> bytes | Rejection:
    try:
        return path.read_bytes()
    except OSError as exc:
        return _reject(str(path), None, "E108", f"{type(exc).__name__}: {exc.strerror or exc}")


def _decode_file(path: Path, data: bytes, record_no: int | None = None) -> str | Rejection:
    if not data.strip():
        return _reject(str(path), record_no, "E101", "file is empty")
    if _is_binary(data):
        return _reject(str(path), record_no, "E102", "file contains NUL bytes: not text")
    try:
        return decode_bytes(data)[0]
    except UnicodeDecodeError as exc:
        return _reject(str(path), record_no, "E103", f"not UTF-8, UTF-16 or cp1252: {exc.reason}")


def _read_sidecar(path: Path) -> dict[str, Any] | Rejection:
    sidecar = path.with_name(path.name.removesuffix(path.suffix) + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        meta = json.loads(sidecar.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _reject(str(sidecar), None, "E109", f"sidecar is not readable JSON: {exc}")
    if not isinstance(meta, dict):
        return _reject(str(sidecar), None, "E109", "sidecar must hold a JSON object")
    return meta


def text_file_articles(path: Path, *, today: dt.date) -> Iterator[Article | Rejection]:
    """One Article from a .txt file and its optional <name>.meta.json sidecar."""
    data = _read_bytes(path)
    if isinstance(data, Rejection):
        yield data
        return
    text = _decode_file(path, data)
    if isinstance(text, Rejection):
        yield text
        return
    meta = _read_sidecar(path)
    if isinstance(meta, Rejection):
        yield meta
        return
    yield build_article(text, meta, source_uri=str(path), record_no=None, today=today)


def jsonl_articles(path: Path, *, today: dt.date) -> Iterator[Article | Rejection]:
    """One Article per line of a .jsonl file; a bad line is rejected, the others still load."""
    data = _read_bytes(path)
    if isinstance(data, Rejection):
        yield data
        return
    content = _decode_file(path, data)
    if isinstance(content, Rejection):
        yield content
        return
    uri = str(path)
    for record_no, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _reject(
                uri, record_no, "E104", f"line {record_no}: {exc.msg} at column {exc.colno}"
            )
            continue
        if not isinstance(record, dict):
            yield _reject(uri, record_no, "E104", f"line {record_no}: not a JSON object")
            continue
        text = record.get("text")
        if not isinstance(text, str):
            yield _reject(uri, record_no, "E105", f"line {record_no}: no string field 'text'")
            continue
        yield build_article(text, record, source_uri=uri, record_no=record_no, today=today)


def discover(paths: Iterable[Path], *, patterns: tuple[str, ...]) -> Iterator[Path | Rejection]:
    """Input files under the given paths, directories recursively, in a stable order."""
    for path in paths:
        if path.is_dir():
            found = {p for pattern in patterns for p in path.rglob(pattern) if p.is_file()}
            yield from sorted(found)
        elif path.is_file():
            yield path
        else:
            yield _reject(str(path), None, "E110", "no such file or directory")


def articles(
    paths: Iterable[Path], *, patterns: tuple[str, ...], today: dt.date
) -> Iterator[Article | Rejection]:
    """Stream Articles (and Rejections) from files and directories."""
    for item in discover(paths, patterns=patterns):
        if isinstance(item, Rejection):
            yield item
        elif item.suffix == ".jsonl":
            yield from jsonl_articles(item, today=today)
        else:
            yield from text_file_articles(item, today=today)
