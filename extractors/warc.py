"""Ingest stage: web archives (.warc, .warc.gz), each HTML response record a page, with warcio.

Only `response` records whose HTTP Content-Type is HTML are inputs; requests, metadata,
images and scripts are not articles (as a directory's non-matching files are not). The
record's WARC-Target-URI is the page's URL unless the page names its own canonical one, and
its WARC-Date is when it was crawled, kept apart from the publication date.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from extractors.errors import InputError
from extractors.webpage import page_record

HTML_TYPES = ("text/html", "application/xhtml+xml")


def _check_gzip_end(path: Path) -> None:
    """Raise EOFError when the gzip stream stops before its end marker (a cut-off file).

    warcio takes a record cut off inside its gzip member for the end of the archive, so the
    records after the cut would go unnoticed; gzip itself tells.
    """
    import gzip

    with open(path, "rb") as raw:
        if raw.read(2) != b"\x1f\x8b":
            return  # not gzip at all, whatever its name: warcio read it as plain WARC
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except gzip.BadGzipFile:
        return  # bytes after the last complete member (a newline): not a cut-off record


def warc_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """(record number from 1, the page's record or why it has none) per HTML response.

    A file that stops being readable WARC (truncated, corrupt, not WARC) yields E116 for
    the record where it broke, after the records before it.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    _BROKEN = (  # noqa: N806 - a local constant: warcio is imported only here
        ArchiveLoadFailed,
        EOFError,
        OSError,
        zlib.error,
        ValueError,
        AttributeError,
        TypeError,
        IndexError,
        KeyError,
    )

    done = 0  # records fully read: the next one is where a failure is
    pages = 0
    try:
        with open(path, "rb") as stream:
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                if not record.rec_headers.get_header("WARC-Record-ID"):  # mandatory in WARC
                    raise ValueError("no WARC-Record-ID header: not a WARC record")
                kind = ""
                if record.rec_type == "response" and record.http_headers is not None:
                    kind = (record.http_headers.get_header("Content-Type") or "").lower()
                body = record.content_stream().read()
                if getattr(record.raw_stream, "limit", 0) > 0:
                    missing = record.raw_stream.limit
                    raise EOFError(f"truncated: {missing} bytes of the record are missing")
                done = number
                if not kind.startswith(HTML_TYPES):
                    continue
                pages += 1
                uri = record.rec_headers.get_header("WARC-Target-URI")
                try:
                    page = page_record(body, url=uri)
                except InputError as exc:
                    yield number, exc
                    continue
                page["crawled"] = record.rec_headers.get_header("WARC-Date")
                yield number, page
        _check_gzip_end(path)
    except _BROKEN as exc:
        # warcio reads a broken archive until something gives: its own ArchiveLoadFailed,
        # gzip's and zlib's errors, or a header it could not parse (None where it expected
        # text: AttributeError, TypeError; a line without a colon: ValueError, IndexError).
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        yield done + 1, InputError("E116", f"record {done + 1}: not readable WARC: {first}")
        return
    if pages == 0:  # the file is an input: it is accounted for, never silently empty
        raise InputError("E101", f"no HTML response records among its {done} records")
