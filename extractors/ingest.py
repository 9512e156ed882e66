"""Ingest stage: read .txt files (with .meta.json sidecars), .jsonl batches, HTML pages, RSS/Atom
feeds and WARC archives into Articles.

Every input ends up as an `Article` or a `Rejection` with a stable code; nothing is dropped.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import errno
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from extractors.dateline import LEADING_DATELINE
from extractors.errors import REASONS, InputError
from extractors.feeds import feed_records
from extractors.records import Article
from extractors.warc import warc_records
from extractors.webpage import page_record

# Keys accepted for the publication date, in order of preference (common corpus spellings).
PUBLISHED_KEYS = ("published", "dct", "date_publish", "pub_date", "date")
SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that could not become an Article, with a stable reason code."""

    source_uri: str
    record_no: int | None
    code: str
    reason: str
    detail: str
    doc_id: str | None = None


# Share of control characters (other than tab, newlines, form feed) above which decoded
# bytes are not text; and share of undecodable bytes up to which they are replaced by U+FFFD
# instead of rejecting the input.
MAX_CONTROL_SHARE = 0.05
MAX_REPLACED_SHARE = 0.01
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


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
    match = LEADING_DATELINE.match(text)
    if match is None:
        return None
    place = match.group("place")
    # A lone short token ("A -", "I -") is a list marker or a word, not a dateline.
    if len(place.replace(".", "")) < 3:
        return None
    return place, match.start("place"), match.end("place")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit in every other byte (BOM-less UTF-16 text)."""
    head = data[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text sensibly; returns (text, encoding).

    BOMs first (UTF-8, UTF-32, UTF-16), BOM-less UTF-16, then strict UTF-8, UTF-8 with a
    few broken bytes replaced by U+FFFD, cp1252 (a superset of latin-1's printable range),
    and cp1252 with a few bytes it leaves undefined replaced.

    Raises:
        UnicodeDecodeError: none of the encodings fits.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32"), "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    if (utf16 := _utf16_without_bom(data)) is not None:
        return data.decode(utf16), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_error = exc
    limit = max(1, int(len(data) * MAX_REPLACED_SHARE))
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    valid_multibyte = sum(1 for ch in lenient if ord(ch) > 127) - broken
    if broken <= limit and valid_multibyte >= broken:
        return lenient, "utf-8+replace"  # UTF-8 with a few corrupted bytes
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    lenient = data.decode("cp1252", errors="replace")
    if lenient.count("\ufffd") <= limit:
        return lenient, "cp1252+replace"
    raise first_error


def _control_share(text: str) -> float:
    return len(_CONTROL.findall(text[:20000])) / max(1, min(len(text), 20000))


def _is_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head and _utf16_without_bom(data) is None


# How far a publication date may lie after the run's UTC date: "today" in UTC+ time zones.
FUTURE_TOLERANCE = dt.timedelta(days=1)


def parse_published(value: Any, *, today: dt.date) -> dt.date | None:
    """ISO or RFC 2822 date or timestamp -> the date as written. None stays None.

    Raises:
        ValueError: neither an ISO nor an RFC 2822 date, or more than a day after `today`
            (the run's own UTC date: a day later is still today east of UTC).
    """
    if value is None or value == "":
        return None
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
        try:
            published = dt.date.fromisoformat(value[:10])
        except ValueError as exc:
            raise ValueError(f"published {value!r} is not a real date: {exc}") from None
    elif isinstance(value, str):
        try:
            # The date in the writer's own time zone, as value[:10] of an ISO timestamp is.
            published = email.utils.parsedate_to_datetime(value).date()
        except (ValueError, TypeError, IndexError):
            raise ValueError(
                f"published {value!r} is neither an ISO date (YYYY-MM-DD...) nor an "
                "RFC 2822 date (Wed, 28 Jun 2023 10:00:00 GMT)"
            ) from None
    else:
        raise ValueError(f"published {value!r} is not a date string (YYYY-MM-DD...)")
    if published > today + FUTURE_TOLERANCE:
        raise ValueError(
            f"published {value!r} ({published}) is more than a day after the run date {today} (UTC)"
        )
    return published


def _optional_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return None if value is None else str(value)


def _crawled_at(value: Any) -> dt.datetime | None:
    """A WARC-Date (ISO 8601, UTC) as a timestamp; None when absent or unreadable."""
    try:
        moment = dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def build_article(
    text: str,
    meta: dict[str, Any],
    *,
    source_uri: str,
    record_no: int | None,
    today: dt.date,
    published_from: str = "metadata",
) -> Article | Rejection:
    """Turn text plus metadata into an Article, or a Rejection saying why not.

    `published_from` names where a publication date in `meta` came from ('page' for an HTML
    page's own markup).
    """
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
        published_from=published_from if published else "none",
        dateline=dateline[0] if dateline else None,
        dateline_start_char=dateline[1] if dateline else None,
        dateline_end_char=dateline[2] if dateline else None,
        author=_optional_str(meta, "author"),
        crawled_at=_crawled_at(meta.get("crawled")),
    )


def _read_bytes(path: Path) -> bytes | Rejection:
    try:
        return path.read_bytes()
    except OSError as exc:
        return _reject(str(path), None, "E108", f"{type(exc).__name__}: {exc.strerror or exc}")


def _decode_file(path: Path, data: bytes, record_no: int | None = None) -> str | Rejection:
    what = "file" if record_no is None else f"line {record_no}"
    if not data.strip():
        return _reject(str(path), record_no, "E101", f"{what} is empty")
    if _is_binary(data):
        return _reject(str(path), record_no, "E102", f"{what} contains NUL bytes: not text")
    try:
        text = decode_bytes(data)[0]
    except UnicodeDecodeError as exc:
        return _reject(
            str(path),
            record_no,
            "E103",
            f"{what} is not UTF-8, UTF-16 or cp1252/latin-1 text: {exc.reason} at byte {exc.start}",
        )
    share = _control_share(text)
    if share > MAX_CONTROL_SHARE:
        return _reject(
            str(path),
            record_no,
            "E102",
            f"{what} is {share:.0%} control characters: binary data, not text",
        )
    return text


def _read_sidecar(path: Path) -> dict[str, Any] | Rejection:
    stem = path.name.removesuffix(path.suffix)
    candidates = (stem + SIDECAR_SUFFIX, stem + SIDECAR_SUFFIX.upper())
    sidecar = next((s for s in map(path.with_name, candidates) if s.exists()), None)
    if sidecar is None:
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


def _jsonl_lines(path: Path, data: bytes) -> Iterator[tuple[int, str | Rejection]]:
    """(line number, decoded line or Rejection); each line is decoded on its own."""
    if data.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
    ) or _utf16_without_bom(data):
        whole = _decode_file(path, data)
        if isinstance(whole, Rejection):
            yield 0, whole
            return
        for record_no, line in enumerate(whole.split("\n"), start=1):
            yield record_no, line if line.strip() else ""
        return
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for record_no, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            yield record_no, ""
        elif raw.isascii() and not _CONTROL.search(raw.decode("ascii")):
            yield record_no, raw.decode("ascii")
        else:
            yield record_no, _decode_file(path, raw, record_no)


def jsonl_articles(path: Path, *, today: dt.date) -> Iterator[Article | Rejection]:
    """One Article per line of a .jsonl file; a bad line is rejected, the others still load.

    Lines are decoded one by one, so one line in another encoding does not garble the rest.
    """
    data = _read_bytes(path)
    if isinstance(data, Rejection):
        yield data
        return
    uri = str(path)
    if not data.strip():
        yield _reject(uri, None, "E101", "file is empty")
        return
    if _is_binary(data):
        yield _reject(uri, None, "E102", "file contains NUL bytes: not text")
        return
    for record_no, line in _jsonl_lines(path, data):
        if isinstance(line, Rejection):
            yield line
            continue
        if line == "":  # a blank line; a line blank only once decoded is still an input
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _reject(
                uri, record_no, "E104", f"line {record_no}: {exc.msg} at column {exc.colno}"
            )
            continue
        except RecursionError:
            yield _reject(uri, record_no, "E104", f"line {record_no}: JSON nested too deeply")
            continue
        if not isinstance(record, dict):
            yield _reject(uri, record_no, "E104", f"line {record_no}: not a JSON object")
            continue
        text = record.get("text")
        if not isinstance(text, str):
            yield _reject(uri, record_no, "E105", f"line {record_no}: no string field 'text'")
            continue
        yield build_article(text, record, source_uri=uri, record_no=record_no, today=today)


def _read_markup(path: Path) -> bytes | Rejection:
    """A page's or feed's bytes (decoded by its parser), or why the file is unusable."""
    data = _read_bytes(path)
    if isinstance(data, Rejection):
        return data
    if not data.strip():
        return _reject(str(path), None, "E101", "file is empty")
    if _is_binary(data):
        return _reject(str(path), None, "E102", "file contains NUL bytes: not text")
    return data


def html_file_articles(path: Path, *, today: dt.date) -> Iterator[Article | Rejection]:
    """One Article from a saved web page: its main text and the page's own metadata.

    A .meta.json sidecar beside the page, as beside a .txt file, overrides what the page says.
    """
    data = _read_markup(path)
    if isinstance(data, Rejection):
        yield data
        return
    meta = _read_sidecar(path)
    if isinstance(meta, Rejection):
        yield meta
        return
    try:
        record = page_record(data)
    except InputError as exc:
        yield _reject(str(path), None, exc.code, exc.detail)
        return
    from_page = not any(meta.get(k) not in (None, "") for k in PUBLISHED_KEYS)
    if not from_page:
        record.pop("published", None)  # the sidecar's date, under whichever key, wins
    record.update((k, v) for k, v in meta.items() if k != "text")  # the page's text stays
    yield build_article(
        record["text"],
        record,
        source_uri=str(path),
        record_no=None,
        today=today,
        published_from="page" if from_page else "metadata",
    )


def _records_articles(
    path: Path,
    records: Iterable[tuple[int, dict[str, Any] | InputError]],
    *,
    today: dt.date,
    published_from: str,
) -> Iterator[Article | Rejection]:
    uri = str(path)
    try:
        for record_no, record in records:
            if isinstance(record, InputError):
                yield _reject(uri, record_no, record.code, record.detail)
            else:
                yield build_article(
                    record["text"],
                    record,
                    source_uri=uri,
                    record_no=record_no,
                    today=today,
                    published_from=published_from,
                )
    except InputError as exc:  # the whole file
        yield _reject(uri, None, exc.code, exc.detail)


def feed_articles(path: Path, *, today: dt.date) -> Iterator[Article | Rejection]:
    """One Article per entry of an RSS or Atom feed (record_no = the entry's number)."""
    data = _read_markup(path)
    if isinstance(data, Rejection):
        yield data
        return
    yield from _records_articles(path, feed_records(data), today=today, published_from="metadata")


def warc_articles(path: Path, *, today: dt.date) -> Iterator[Article | Rejection]:
    """One Article per HTML response record of a WARC file (record_no = its record number)."""
    try:
        if os.path.getsize(path) == 0:
            yield _reject(str(path), None, "E101", "file is empty")
            return
    except OSError as exc:
        yield _reject(str(path), None, "E108", f"{type(exc).__name__}: {exc.strerror or exc}")
        return
    yield from _records_articles(path, warc_records(path), today=today, published_from="page")


# Reader of each kind of file, by the end of its name (lower case); anything else is text.
READERS = {
    ".jsonl": jsonl_articles,
    ".html": html_file_articles,
    ".htm": html_file_articles,
    ".rss": feed_articles,
    ".atom": feed_articles,
    ".xml": feed_articles,
    ".warc": warc_articles,
    ".warc.gz": warc_articles,
}


def reader_of(path: Path):  # noqa: ANN201 - a reader function
    """The reader for a file: the longest READERS suffix its name ends with, else text."""
    name = path.name.lower()
    suffix = max((s for s in READERS if name.endswith(s)), key=len, default=None)
    return READERS[suffix] if suffix else text_file_articles


def matches_patterns(path: Path, patterns: tuple[str, ...]) -> bool:
    """Whether a file name matches one of the patterns, ignoring case (B.TXT is a .txt)."""
    lowered = PurePath(str(path).lower())
    return any(lowered.match(p.lower()) for p in patterns)


def describe_patterns(patterns: tuple[str, ...]) -> str:
    """'.txt, .jsonl or .html' for ("*.txt", "*.jsonl", "*.html"); else the patterns."""
    items = list(patterns)
    if not items:
        return "(no patterns)"
    if all(re.fullmatch(r"\*\.[^*?\[/]+", p) for p in patterns):
        items = [p[1:] for p in patterns]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def ignored_files(paths: Iterable[Path], *, patterns: tuple[str, ...]) -> Iterator[Path]:
    """Files inside the given directories that a run does not read, in a stable order.

    A file is ignored when it matches none of the patterns and is not the .meta.json
    sidecar of a file that does. Symbolic links to directories are not entered.
    """
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            continue
        for directory, subdirs, names in os.walk(path):
            subdirs.sort()
            read = {
                name.lower().removesuffix(PurePath(name.lower()).suffix)
                for name in names
                if matches_patterns(Path(directory, name), patterns)
            }
            for name in sorted(names):
                if matches_patterns(Path(directory, name), patterns):
                    continue
                lowered = name.lower()
                if lowered.endswith(SIDECAR_SUFFIX) and lowered[: -len(SIDECAR_SUFFIX)] in read:
                    continue
                yield Path(directory, name)


def _stat_error(path: Path, exc: OSError) -> Rejection:
    if exc.errno == errno.ELOOP:
        return _reject(str(path), None, "E111", "symbolic link loop: the link never reaches a file")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        detail = "dangling symbolic link" if path.is_symlink() else "no such file or directory"
        return _reject(str(path), None, "E110", detail)
    return _reject(str(path), None, "E108", f"{type(exc).__name__}: {exc.strerror or exc}")


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _walk(
    directory: Path,
    root: str,
    *,
    patterns: tuple[str, ...],
    follow_symlinks: bool,
    visited: set[str],
) -> Iterator[Path | Rejection]:
    """Files under `directory` matching `patterns`; symlinks checked against `root`."""
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        yield _stat_error(directory, exc)
        return
    for entry in entries:
        path = Path(entry.path)
        matches = matches_patterns(path, patterns)
        if entry.is_symlink():
            try:
                real = os.path.realpath(path, strict=True)
                is_dir = os.path.isdir(real)
            except OSError as exc:
                if exc.errno == errno.ELOOP or matches:
                    yield _stat_error(path, exc)
                continue
            if not (is_dir or matches):
                continue
            if not follow_symlinks and not _within(real, root):
                yield _reject(
                    str(path),
                    None,
                    "E112",
                    f"symbolic link to {real}, outside {root}: not followed "
                    "(pass --follow-symlinks to read it)",
                )
                continue
            if is_dir:
                if real in visited:
                    yield _reject(
                        str(path), None, "E111", f"symbolic link loop: {real} is already read"
                    )
                    continue
                visited.add(real)
                yield from _walk(
                    path, root, patterns=patterns, follow_symlinks=follow_symlinks, visited=visited
                )
            elif os.path.isfile(real):
                yield path
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = entry.is_file(follow_symlinks=False)
        except OSError as exc:
            yield _stat_error(path, exc)
            continue
        if is_dir:
            visited.add(os.path.realpath(path))
            yield from _walk(
                path, root, patterns=patterns, follow_symlinks=follow_symlinks, visited=visited
            )
        elif is_file and matches:
            yield path


def discover(
    paths: Iterable[Path], *, patterns: tuple[str, ...], follow_symlinks: bool = False
) -> Iterator[Path | Rejection]:
    """Input files under the given paths, directories recursively, in a stable order.

    A path named on the command line is read even when it is a symbolic link; inside a
    directory, a symbolic link that leads outside that directory is rejected (E112) unless
    `follow_symlinks`, and a link loop is rejected (E111), never followed for ever.
    """
    for path in paths:
        path = Path(path)
        try:
            os.stat(path)
        except OSError as exc:
            yield _stat_error(path, exc)
            continue
        if path.is_dir():
            root = os.path.realpath(path)
            found = _walk(
                path, root, patterns=patterns, follow_symlinks=follow_symlinks, visited={root}
            )
            yield from sorted(found, key=lambda item: str(getattr(item, "source_uri", item)))
        elif path.is_file():
            yield path
        else:
            yield _reject(str(path), None, "E108", "not a regular file or directory")


def articles(
    paths: Iterable[Path],
    *,
    patterns: tuple[str, ...],
    today: dt.date,
    follow_symlinks: bool = False,
) -> Iterator[Article | Rejection]:
    """Stream Articles (and Rejections) from files and directories."""
    for item in discover(paths, patterns=patterns, follow_symlinks=follow_symlinks):
        if isinstance(item, Rejection):
            yield item
        else:
            yield from reader_of(item)(item, today=today)


# Break points for chunking a long text, best first: paragraph, line, sentence, any space.
_BREAKS = (re.compile(r"\n\s*\n\s*"), re.compile(r"\n\s*"), re.compile(r"[.!?]['\"”’)]*\s+"))
_SPACE = re.compile(r"\s+")


def chunk_text(text: str, max_chars: int) -> Iterator[tuple[str, bool]]:
    """Cut a long text into pieces of at most max_chars; yields (piece, is_last).

    Pieces end after a paragraph break, else a line break, a sentence end or a space (a
    hard cut only when a window has none), so "".join(pieces) == text and every offset into
    the joined parse is an offset into the whole text.
    """
    if max_chars <= 0 or len(text) <= max_chars:
        yield text, True
        return
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = 0
        for pattern in (*_BREAKS, _SPACE):
            ends = [m.end() for m in pattern.finditer(window) if m.end() < len(window)]
            if ends and ends[-1] >= max_chars // 2:
                cut = ends[-1]
                break
        if cut == 0:
            cut = max_chars
        yield text[start : start + cut], False
        start += cut
    yield text[start:], True
