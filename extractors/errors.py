"""All stages: every error and reject code with its meaning, and the exception types.

Codes: E0xx configuration and command-line usage, E1xx input (a `rejects` row each), E2xx
extraction, E3xx places, E4xx load and query. README.md lists them as `CODES` does (a test
checks), and every code the source raises or rejects with is one of `CODES`.
A bad *input* becomes a `rejects` row with its code; a bug is never caught and hidden.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

# Codes that stop a command, with their meaning (README's table of errors).
STOP_CODES: dict[str, str] = {
    "E001": "the [nlp] model package is not installed",
    "E002": "unknown section or key in a config file",
    "E003": "a config value of the wrong type or out of range",
    "E004": "the --config file does not exist",
    "E005": "the --config file is not valid TOML",
    "E010": "serve without a Prefect server (PREFECT_API_URL)",
    "E011": "options that do not go together",
    "E012": "evaluate: the --gold file does not exist",
    "E013": "query --format geojson: no latitude/longitude columns, or a bad coordinate",
    "E014": "server start: the Prefect server did not come up, or the port is taken",
    "E301": "the gazetteer cannot be built: a source package is missing",
    "E302": "the gazetteer cannot be built: a bad population threshold",
    "E303": "the gazetteer cannot be built: the cache is not writable",
    "E401": "the DuckDB file stayed locked by another process for lock_timeout_s",
    "E402": "query: no warehouse in --out yet",
    "E403": "query: the DuckDB file is locked by another process",
    "E404": "another run kept the --out directory for lock_timeout_s; nothing was written",
    "E405": "query: the SQL failed",
    "E406": "compact: a merged file's row count differs from its source files'",
    "E407": "report: the HTML file cannot be written",
    "E408": "the stories state (parquet/_state/stories.json) is unreadable",
}


# Codes of `rejects` rows: an input (E1xx) or a document (E201) the run skips, and goes on.
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
    "E111": "symlink_loop",
    "E112": "symlink_outside_root",
    "E113": "unsupported_language",
    "E114": "no_main_text",
    "E115": "invalid_feed",
    "E116": "invalid_warc",
    "E201": "extraction_failed",
}

# When each code is used: the data dictionary's table of reject codes.
REASON_DOCS = {
    "E101": "The file, JSONL line or text field is empty or only whitespace.",
    "E102": "Binary data: NUL bytes (not UTF-16) or more than 5% control characters.",
    "E103": "Not decodable as UTF-8/UTF-16/UTF-32 (BOM), UTF-8 or cp1252/latin-1, even with "
    "up to 1% of bytes replaced.",
    "E104": "A JSONL line that is not valid JSON, or not a JSON object; other lines still load.",
    "E105": "A JSONL record without a string `text` field.",
    "E106": "A publication date that is neither an ISO date (YYYY-MM-DD...) nor an RFC 2822 "
    "date ('Wed, 28 Jun 2023 10:00:00 GMT', as in RSS feeds), or not a real date.",
    "E107": "A publication date more than one day after the run's own (UTC) date.",
    "E108": "The file or directory cannot be read (permissions, I/O error, not a regular file).",
    "E109": "The .meta.json sidecar is not a readable JSON object.",
    "E110": "The path does not exist (or is a dangling symbolic link).",
    "E111": "A symbolic link loop, or a directory link back into a directory already read.",
    "E112": "A symbolic link inside an input directory that leads outside it (allowed with "
    "--follow-symlinks).",
    "E113": "A new document detected, with at least [ingest] language_min_probability, as a "
    "language not in [ingest] languages; the detail names the language and its probability.",
    "E114": "An HTML page (a file, or a WARC response record) with no main text once menus, "
    "captions, related links and banners are set aside, or that is not parseable HTML.",
    "E115": "A feed file (.rss, .atom, or an .xml file) that is not an RSS or Atom feed; or an "
    "entry of a feed with neither content nor summary (record_no = the entry's number).",
    "E116": "A WARC file that cannot be read from some record on: not WARC, truncated or "
    "corrupt (record_no = the first record that failed; the records before it still load).",
    "E201": "Building the document's rows raised an error: a bug in event-etl, not in the input. "
    "The detail has the exception; the traceback is in the run's log. The document is not "
    "loaded, the rest of the run is, and the next run tries it again.",
}

CODES: dict[str, str] = {**STOP_CODES, **REASON_DOCS}


class EventETLError(Exception):
    """Base class: a stable code plus a readable detail, and the run and document it concerns
    when they are known (see `about`)."""

    def __init__(
        self, code: str, detail: str, *, run_id: str | None = None, doc_id: str | None = None
    ) -> None:
        if code not in CODES:
            raise ValueError(f"{code!r} is not in extractors.errors.CODES")
        super().__init__(code, detail)
        self.code = code
        self.detail = detail
        self.run_id = run_id
        self.doc_id = doc_id

    def where(self) -> str:
        """ "run R, document D", or the part of it that is known, or ""."""
        parts = [
            f"run {self.run_id}" if self.run_id else "",
            f"document {self.doc_id}" if self.doc_id else "",
        ]
        return ", ".join(p for p in parts if p)

    def __str__(self) -> str:
        where = self.where()
        return f"[{self.code}] {self.detail}" + (f" ({where})" if where else "")

    def __reduce__(self) -> tuple:
        # Errors cross process boundaries (a Dask worker's task to the flow): rebuild them
        # with their keywords, which Exception's default pickling drops.
        return (_rebuild, (type(self), self.code, self.detail, self.run_id, self.doc_id))


def _rebuild(
    cls: type[EventETLError], code: str, detail: str, run_id: str | None, doc_id: str | None
) -> EventETLError:
    return cls(code, detail, run_id=run_id, doc_id=doc_id)


@contextlib.contextmanager
def about(*, run_id: str | None = None, doc_id: str | None = None) -> Iterator[None]:
    """Stamp the run and document on any EventETLError raised inside, unless it has its own."""
    try:
        yield
    except EventETLError as exc:
        exc.run_id = exc.run_id or run_id
        exc.doc_id = exc.doc_id or doc_id
        raise


class ConfigError(EventETLError):
    """Configuration or command-line options are invalid, or name something missing (E0xx)."""


class PlaceError(EventETLError):
    """The gazetteer cannot be built or loaded (E3xx)."""


class LoadError(EventETLError):
    """Writing Parquet, loading DuckDB or querying it failed (E4xx)."""


class InputError(Exception):
    """A reader's verdict on one input (a page, a feed entry, a WARC record): a reject code
    (one of REASONS) and why. Ingest turns it into a `rejects` row; the run goes on."""

    def __init__(self, code: str, detail: str) -> None:
        if code not in REASONS:
            raise ValueError(f"{code!r} is not a reject code (extractors.errors.REASONS)")
        super().__init__(code, detail)
        self.code = code
        self.detail = detail
