"""Ingest stage: a saved web page's main text and metadata, with trafilatura, offline.

trafilatura keeps the article and sets aside what surrounds it (menus, captions, related
links, cookie banners, footers); its metadata comes from the page's own markup (Open Graph,
JSON-LD, <meta>, <title>) and its publication date from htmldate. htmldate's "extensive
search" is off: it guesses from any date in the page, and a footer's "© 2024" then becomes
the publication date. A page with no date of its own has none (never the file's mtime).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from html import unescape
from typing import Any

from extractors.errors import InputError

# htmldate: dates the page states as its own (original publication, not last update).
DATE_PARAMS = {"extensive_search": False, "original_date": True}
# Main text shorter than this many characters is no article: a page of only a menu would
# otherwise give its menu ("Home") as text, by trafilatura's fallback extraction.
MIN_TEXT_CHARS = 40


@functools.lru_cache(maxsize=1)
def _config() -> Any:
    from trafilatura.settings import use_config

    # What trafilatura logs about a page it cannot use becomes the page's rejects row.
    for name in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    config = use_config()
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", str(MIN_TEXT_CHARS))
    return config


def _comparable(text: str) -> str:
    return re.sub(r"\W+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def page_record(html: str | bytes, *, url: str | None = None) -> dict[str, Any]:
    """The page as a record: text (paragraphs split by blank lines) and metadata keys.

    Keys as in a JSONL record: text, title, url, source (the site name), author, and
    published (an ISO date) when the page gives one.

    Raises:
        InputError: E114 when the page has no main text (or is not parseable HTML).
    """
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            # Events are read from every sentence kept: a caption or a banner kept by
            # trafilatura's recall-minded fallback would become events of the story.
            favor_precision=True,
            date_extraction_params=DATE_PARAMS,
            config=_config(),
        )
    except (ValueError, TypeError) as exc:  # lxml's parse errors
        raise InputError("E114", f"not parseable HTML: {exc}") from exc
    lines = [line.strip() for line in (getattr(doc, "text", None) or "").split("\n")]
    lines = [line for line in lines if line]
    title = getattr(doc, "title", None) or None
    # The headline is the title, not the first paragraph: events are read from it once.
    if lines and title and _comparable(lines[0]) == _comparable(title):
        lines = lines[1:]
    if not lines:
        raise InputError("E114", "no main text in the page (only navigation or boilerplate)")
    record: dict[str, Any] = {
        "text": "\n\n".join(lines),
        "title": title,
        "url": getattr(doc, "url", None) or url,
        "source": getattr(doc, "sitename", None) or None,
        "author": getattr(doc, "author", None) or None,
    }
    published = getattr(doc, "date", None)
    if published:
        record["published"] = published
    return record


def fragment_text(html: str) -> str:
    """The text of an HTML fragment (a feed entry's content), paragraphs by blank lines."""
    import trafilatura

    _config()  # quiets trafilatura's logs
    if "<" not in html:  # plain text, perhaps with entities ("AT&amp;T")
        return unescape(html).strip()
    text = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
    if not text.strip():  # too short for trafilatura's main-text heuristics: keep it all
        text = trafilatura.html2txt(f"<html><body>{html}</body></html>") or ""
    return "\n\n".join(line.strip() for line in text.split("\n") if line.strip())
