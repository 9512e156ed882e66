"""Ingest stage: RSS and Atom feed files, one record per entry, with feedparser, offline.

An entry's text is its content (else its summary), with the HTML stripped as a page's is;
its date is its published (else updated) date as written, so RFC 2822 and ISO dates are
read by the same rules as metadata anywhere else (feedparser's own parsed times are in UTC
and would move a late-evening story to the next day).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from extractors.errors import InputError
from extractors.webpage import fragment_text


def _entry_html(entry: Any) -> str:
    for content in entry.get("content") or []:
        if (content.get("value") or "").strip():
            return str(content["value"])
    return str(entry.get("summary") or "")


# What expat says when the document ends before its elements do: a cut-off file.
TRUNCATED = ("no element found", "unclosed token")


def _breaks_off_at_end(problem: Exception) -> bool:
    """Whether the XML parser stopped because the document ended too soon."""
    message = getattr(problem, "getMessage", lambda: str(problem))()
    return str(message).startswith(TRUNCATED)


def feed_records(data: bytes) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """(entry number from 1, its record or why it has none) for each entry of the feed.

    Raises:
        InputError: E115 when the bytes are not an RSS or Atom feed.
    """
    import feedparser

    # A stream, never a string: feedparser fetches a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False)
    if not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        raise InputError(
            "E115",
            "not an RSS or Atom feed" + (f": {problem}" if problem else " (no feed element)"),
        )
    problem = parsed.get("bozo_exception")
    if problem is not None and _breaks_off_at_end(problem):
        # A truncated file, whose last entry would load cut short. (Errors elsewhere, such
        # as an undefined entity, feedparser reads past.)
        raise InputError("E115", f"the feed breaks off at its end (truncated?): {problem}")
    if not parsed.entries:  # the file is an input: it is accounted for, never silently empty
        if problem:
            raise InputError("E115", f"not a well-formed feed: {problem}")
        raise InputError("E101", "the feed has no entries")
    site = parsed.feed.get("title") or None
    for number, entry in enumerate(parsed.entries, start=1):
        text = fragment_text(_entry_html(entry))
        if not text:
            yield number, InputError("E115", f"entry {number} has neither content nor summary")
            continue
        # RSS takes a guid for the permalink unless told otherwise; only a web address is one.
        link = entry.get("link") or ""
        yield (
            number,
            {
                "text": text,
                "title": entry.get("title") or None,
                "url": link if link.startswith(("http://", "https://")) else None,
                "id": entry.get("id") or None,
                "source": site,
                "author": entry.get("author") or None,
                "published": entry.get("published") or entry.get("updated") or None,
            },
        )
