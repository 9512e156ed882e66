"""Places stage: the offline, columnar gazetteer: loaded from its Parquet build (made on first
use, see build.py), and looked up by row; `python -m extractors.places.gazetteer` builds it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from extractors.config import default_cache_dir
from extractors.places.build import build_gazetteer
from extractors.places.schema import (
    COUNTRY_CODES,
    DEFAULT_MIN_CITY_POPULATION,
    SCHEMA_VERSION,
    _build_dir,
    _versions,
    name_key,
    normalize_name,
)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Columnar, read-only gazetteer: one row per place, plus a hashed name index."""

    geonameid: np.ndarray  # int64
    name: np.ndarray  # object (str)
    country: np.ndarray  # object (ISO2 or "")
    admin1: np.ndarray  # object (GeoNames admin1 code or "")
    admin2: np.ndarray  # object (GeoNames admin2 code or "")
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    fclass: np.ndarray  # object
    fcode: np.ndarray  # object
    population: np.ndarray  # int64
    country_id: np.ndarray  # int32 codes, 0 = none
    admin1_id: np.ndarray
    admin2_id: np.ndarray
    key_hash: np.ndarray  # uint64, sorted
    key_row: np.ndarray  # int32, row of each key
    key_kind: np.ndarray  # uint8, NAME_* of each key
    path: Path
    manifest: dict
    _row_of_id: dict
    _admin1_row: dict
    _country_row: dict
    _fuzzy: list

    def __len__(self) -> int:
        return len(self.geonameid)

    def lookup(self, name: str, *, normalized: bool = False) -> list[tuple[int, int]]:
        """All (row, name kind) pairs whose name equals ``name`` after normalization."""
        norm = name if normalized else normalize_name(name)
        if not norm:
            return []
        key = np.uint64(name_key(norm))
        lo = int(np.searchsorted(self.key_hash, key, side="left"))
        hi = int(np.searchsorted(self.key_hash, key, side="right"))
        return [(int(self.key_row[i]), int(self.key_kind[i])) for i in range(lo, hi)]

    def row_of_id(self, geonameid: int) -> int | None:
        """Row index of a GeoNames id (or a negative region id), or None."""
        return self._row_of_id.get(int(geonameid))

    def admin1_row(self, country: str, admin1: str) -> int | None:
        """Row of the first-level division ``admin1`` of ``country``."""
        return self._admin1_row.get((country, admin1))

    def country_row(self, country: str) -> int | None:
        """Row of the country with ISO code ``country``."""
        return self._country_row.get(country)

    def admin1_name(self, country: str, admin1: str) -> str | None:
        """Readable name of an admin1 code, or None."""
        row = self._admin1_row.get((country, admin1))
        return None if row is None else str(self.name[row])

    def fuzzy_vocabulary(self) -> list[str]:
        """Normalized names worth matching approximately (loaded on first use)."""
        if not self._fuzzy:
            table = pq.read_table(self.path / "fuzzy.parquet")
            self._fuzzy.extend(table.column("name").to_pylist())
        return self._fuzzy


def load_gazetteer(
    cache_dir: Path | None = None,
    *,
    min_city_population: int = DEFAULT_MIN_CITY_POPULATION,
    rebuild: bool = False,
) -> Gazetteer:
    """Load the cached gazetteer, building it first if it is missing or stale.

    Args:
        cache_dir: where builds live; default ``$EVENT_ETL_CACHE`` or ``~/.cache/event-etl``.
        min_city_population: smallest city kept (500, 1000, 5000 or 15000).
        rebuild: build even if a fresh cache exists.

    Raises:
        PlaceError: the source packages are missing or the cache cannot be written.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = _build_dir(cache_dir, min_city_population)
    manifest = _read_manifest(path)
    if rebuild or manifest is None or manifest.get("sources") != _versions():
        build_gazetteer(cache_dir, min_city_population=min_city_population)
        manifest = _read_manifest(path)
    assert manifest is not None
    return _load(path, manifest)


def _read_manifest(path: Path) -> dict | None:
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return manifest if manifest.get("schema") == SCHEMA_VERSION else None


def _load(path: Path, manifest: dict) -> Gazetteer:
    places = pq.read_table(path / "places.parquet")
    names = pq.read_table(path / "names.parquet")

    def obj(col: str) -> np.ndarray:
        return np.asarray(places.column(col).to_pylist(), dtype=object)

    geonameid = places.column("geonameid").to_numpy()
    country, admin1, fcode, name = obj("country"), obj("admin1"), obj("fcode"), obj("name")
    row_of_id = dict(zip(geonameid.tolist(), range(len(geonameid)), strict=True))
    admin1_row: dict[tuple[str, str], int] = {}
    country_row: dict[str, int] = {}
    for row in np.flatnonzero(fcode == "ADM1").tolist():
        admin1_row.setdefault((country[row], admin1[row]), row)
    for row in np.flatnonzero(np.isin(fcode, list(COUNTRY_CODES))).tolist():
        country_row.setdefault(country[row], row)
    return Gazetteer(
        geonameid=geonameid,
        name=name,
        country=country,
        admin1=admin1,
        admin2=obj("admin2"),
        lat=places.column("lat").to_numpy(),
        lon=places.column("lon").to_numpy(),
        fclass=obj("fclass"),
        fcode=fcode,
        population=places.column("population").to_numpy(),
        country_id=places.column("country_id").to_numpy(),
        admin1_id=places.column("admin1_id").to_numpy(),
        admin2_id=places.column("admin2_id").to_numpy(),
        key_hash=names.column("key").to_numpy(),
        key_row=names.column("row").to_numpy(),
        key_kind=names.column("kind").to_numpy(),
        path=path,
        manifest=manifest,
        _row_of_id=row_of_id,
        _admin1_row=admin1_row,
        _country_row=country_row,
        _fuzzy=[],
    )


# --------------------------------------------------------------------------- build


def main(argv: list[str] | None = None) -> int:
    """``python -m extractors.places.gazetteer [--cache DIR] [--rebuild]``: build and report."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--min-city-population", type=int, default=DEFAULT_MIN_CITY_POPULATION)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    gaz = load_gazetteer(
        args.cache, min_city_population=args.min_city_population, rebuild=args.rebuild
    )
    print(
        f"{len(gaz)} places, {len(gaz.key_hash)} names at {gaz.path} "
        f"({time.perf_counter() - started:.2f}s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
