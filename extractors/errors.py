"""All stages: the project's exception types, each carrying a stable code.

Codes: E0xx configuration and command-line usage, E1xx input, E2xx dates, E3xx places,
E4xx load and query, E5xx flow. README.md lists them.
A bad *input* becomes a `rejects` row with its code; a bug is never caught and hidden.
"""

from __future__ import annotations


class EventETLError(Exception):
    """Base class: a stable code plus a readable detail."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"[{code}] {detail}")
        self.code = code
        self.detail = detail


class ConfigError(EventETLError):
    """Configuration or command-line options are invalid, or name something missing (E0xx)."""


class InputError(EventETLError):
    """An input cannot be turned into a document (E1xx); becomes a rejects row."""


class DateError(EventETLError):
    """A date cannot be normalized (E2xx)."""


class PlaceError(EventETLError):
    """The gazetteer cannot be built or loaded (E3xx)."""


class LoadError(EventETLError):
    """Writing Parquet, loading DuckDB or querying it failed (E4xx)."""
