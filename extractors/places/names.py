"""Places stage: the gazetteer's names as candidates: the records a mention resolves to
(`Place`, `Toponym`), candidate rows of a surface string by prior (exact, alternate and short
names, demonyms, spelling variants via rapidfuzz), and the country a name means.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from extractors.places.gazetteer import Gazetteer
from extractors.places.schema import (
    COUNTRY_CODES,
    NAME_ALTERNATE,
    NAME_DEMONYM,
    NAME_PRIMARY,
    NAME_SHORT,
    normalize_name,
)


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    geonameid: int
    name: str
    country_code: str | None  # ISO 3166-1 alpha-2
    admin1: str | None  # admin1 name (or code when the name is unknown)
    lat: float
    lon: float
    feature_class: str  # GeoNames class: P, A, L, ...
    feature_code: str  # PPLC, PCLI, ADM1, CONT, RGN ...
    population: int


@dataclass(frozen=True, slots=True)
class Toponym:
    """A place mention in a document and what it resolved to."""

    start: int
    end: int
    text: str  # char offsets into doc.text
    label: str  # GPE | LOC | FAC | GAZ (gazetteer match)
    place: Place | None  # None = recognized but unresolved
    metonymy: bool  # used as a government/actor ("Beijing said")
    score: float  # resolution confidence 0..1


@dataclass(frozen=True, slots=True)
class Weights:
    """Scoring weights: prior (population, class, name kind) and context terms."""

    population: float = 1.0
    country_ctx: float = 0.5
    admin1_ctx: float = 2.0
    admin2_ctx: float = 5.0
    near_ctx: float = 4.0
    near_km: float = 50.0
    pattern: float = 6.0
    type_word: float = 4.0
    list_ctx: float = 2.0
    dateline: float = 2.0
    same_name_dateline: float = 3.0
    ctx_cap: float = 20.0
    rounds: int = 3


# Per-resolver caches are cleared when full, so a long-running worker's memory stays flat:
# about 20k distinct names are seen in 2,500 news articles (three small arrays each).
CANDIDATE_CACHE_SIZE = 20_000


FUZZY_CACHE_SIZE = 50_000


# Curated physical features and former divisions (configs/places.toml [features]).
WATER_CODES = frozenset({"SEA", "GULF", "BAY", "SD", "STRT", "CHN", "CNL", "LK", "LKS", "STM"})


LAND_CODES = frozenset({"ISL", "ISLS", "PEN", "MTS", "MT", "PLAT", "DSRT", "VAL", "PLN", "DLTA"})


FEATURE_CODES = WATER_CODES | LAND_CODES | {"FRST", "ADM1H"}


AREA_CODES = COUNTRY_CODES | {"CONT", "RGN", "OCN", "ZN"} | FEATURE_CODES


# Prior bonus by feature code: news mentions big containers far more often than hamlets.
_CLASS_PRIOR = {
    "PCLI": 3.0,
    "PCLD": 1.5,
    "CONT": 2.0,
    "RGN": 9.0,
    "OCN": 9.0,
    "ZN": 9.0,
    "ADM1": 1.5,
    "ADM2": 0.3,
    "PPLC": 1.5,
    "PPL": 0.0,
    # Named physical features have no population; their bonus puts them level with a town of
    # 1-100M, so "the Red Sea" beats Sudan's Red Sea state and "Java" a hamlet of that name,
    # while context can still pick a same-named town.
    **dict.fromkeys(WATER_CODES - {"STM"}, 8.0),
    "STM": 6.0,
    **dict.fromkeys(LAND_CODES - {"MT"}, 7.0),
    "MT": 6.0,
    "FRST": 7.0,
    "ADM1H": 7.0,
}


_KIND_PRIOR = {NAME_PRIMARY: 0.0, NAME_ALTERNATE: -1.5, NAME_SHORT: -0.2, NAME_DEMONYM: 0.0}


_DIRECTIONS = re.compile(
    r"^(?:north|south|east|west|central|northern|southern|eastern|western|north ?east(?:ern)?|"
    r"north ?west(?:ern)?|south ?east(?:ern)?|south ?west(?:ern)?|upstate|downstate|downtown|"
    r"greater|metro|metropolitan|rural|coastal|inner|outer|mid|midtown|lower|upper) (.+)$"
)


_SUFFIXES = re.compile(
    r"^(.+?) (?:city|area|region|province|state|metro area|county|parish|"
    r"district|municipality|prefecture|governorate|oblast|township)$"
)


_VARIANTS = (
    ("saint ", "st "),
    ("st ", "saint "),
    ("mount ", "mt "),
    ("mt ", "mount "),
    ("fort ", "ft "),
    ("ft ", "fort "),
    ("sainte ", "ste "),
    ("ste ", "sainte "),
)


_POSSESSIVE = re.compile(r"['’]s?$")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


class NameIndex:
    """Candidate gazetteer rows for a surface string, by prior; places by row or id."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        *,
        fuzzy: bool = True,
        max_candidates: int = 25,
        weights: Weights | None = None,
    ) -> None:
        self.gaz = gazetteer
        self.fuzzy = fuzzy
        self.max_candidates = max_candidates
        self.w = weights or Weights()
        self._cand_cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._fuzzy_cache: dict[str, str | None] = {}
        self._fuzzy_buckets: dict[tuple[str, int], list[str]] = {}
        self._fuzzy_pools: dict[tuple[str, int], list[str]] = {}
        self._place_cache: dict[int, Place] = {}
        g = gazetteer
        logpop = np.log10(np.maximum(g.population.astype(np.float64), 1.0) + 1.0)
        cls = np.array([_CLASS_PRIOR.get(c, -0.5) for c in g.fcode.tolist()])
        self._prior = self.w.population * logpop + cls

    def place_by_id(self, geonameid: int) -> Place | None:
        """The gazetteer entry with this GeoNames id, or None."""
        row = self.gaz.row_of_id(geonameid)
        return None if row is None else self.place(row)

    def country_of(self, text: str) -> str | None:
        """ISO2 country that a name, demonym or city refers to ("Chinese" -> "CN"), else None."""
        rows, kinds, prior = self.candidates(text)
        if not len(rows):
            return None
        j = int(np.argmax(prior))
        row = int(rows[j])
        if kinds[j] == NAME_ALTERNATE and self.gaz.fcode[row] not in COUNTRY_CODES:
            return None  # an alias of some town is too weak to name a country
        fcode = self.gaz.fcode[row]
        if (
            fcode not in AREA_CODES
            and fcode not in ("ADM1", "PPLC")
            and (self.gaz.fclass[row] != "P" or self.gaz.population[row] < 100_000)
        ):
            return None  # a small town or county says little about a country
        return self.gaz.country[row] or None

    def place(self, row: int) -> Place:
        gid = int(self.gaz.geonameid[row])
        place = self._place_cache.get(gid)
        if place is None:
            g = self.gaz
            cc, a1 = g.country[row], g.admin1[row]
            place = Place(
                geonameid=gid,
                name=str(g.name[row]),
                country_code=cc or None,
                admin1=(g.admin1_name(cc, a1) or a1) if a1 else None,
                lat=round(float(g.lat[row]), 5),
                lon=round(float(g.lon[row]), 5),
                feature_class=str(g.fclass[row]),
                feature_code=str(g.fcode[row]),
                population=int(g.population[row]),
            )
            self._place_cache[gid] = place
        return place

    def candidates(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, name kinds, prior scores) for a surface string, best prior first."""
        norm = normalize_name(_POSSESSIVE.sub("", text))
        hit = self._cand_cache.get(norm)
        if hit is not None:
            return hit
        pairs, penalty = self._lookup_norm(norm)
        best: dict[int, int] = {}
        for row, kind in pairs:
            if kind < best.get(row, 99):
                best[row] = kind
        if best:
            rows = np.fromiter(best.keys(), dtype=np.int64, count=len(best))
            kinds = np.fromiter(best.values(), dtype=np.int64, count=len(best))
            prior = self._prior[rows] + np.array([_KIND_PRIOR[k] for k in kinds.tolist()])
            fcodes = self.gaz.fcode[rows]
            capital = fcodes == "PPLC"
            if capital.any() and (fcodes == "ADM1").any():
                # "Washington" alone means the capital, not the state of the same name.
                adm1_cc = set(self.gaz.country[rows[fcodes == "ADM1"]].tolist())
                prior = prior + 1.5 * (capital & np.isin(self.gaz.country[rows], list(adm1_cc)))
            if (kinds != NAME_ALTERNATE).any():
                # An exact primary name or short form elsewhere beats an alias match.
                prior = prior - 1.5 * (kinds == NAME_ALTERNATE)
            prior = prior - penalty
            order = np.argsort(-prior, kind="stable")[: self.max_candidates]
            hit = (rows[order], kinds[order], prior[order])
        else:
            empty = np.zeros(0, dtype=np.int64)
            hit = (empty, empty, np.zeros(0))
        if len(self._cand_cache) >= CANDIDATE_CACHE_SIZE:
            self._cand_cache.clear()
        self._cand_cache[norm] = hit
        return hit

    def _lookup_norm(self, norm: str) -> tuple[list[tuple[int, int]], float]:
        """Exact lookup, then forms with articles, directions and suffixes removed, then
        spelling variants; returns the pairs and a prior penalty for the looser match."""
        lookup = self.gaz.lookup
        if norm.startswith("the "):
            norm = norm[4:]
        if norm.endswith(" s") and len(norm) > 3:  # "China's" -> "china s"
            norm = norm[:-2]
        pairs = lookup(norm, normalized=True)
        for a, b in _VARIANTS:
            # "Mt. Pleasant" and "Mount Pleasant" are one name: pool both spellings.
            if norm.startswith(a):
                pairs = pairs + lookup(b + norm[len(a) :], normalized=True)
        if pairs:
            return pairs, 0.0
        m = _DIRECTIONS.match(norm)
        if m:
            pairs, pen = self._lookup_norm(m.group(1))
            if pairs:
                return pairs, pen + 0.3
        m = _SUFFIXES.match(norm)
        if m:
            pairs = lookup(m.group(1), normalized=True)
            if pairs:
                return pairs, 0.5
        if norm.endswith("s") and len(norm) > 4:  # plural demonym: "Iraqis"
            pairs = [(r, k) for r, k in lookup(norm[:-1], normalized=True) if k == NAME_DEMONYM]
            if pairs:
                return pairs, 0.0
        for suffix in ("ians", "ans", "ns", "ian", "an", "n", "i", "ese", "s"):
            # Adjectival forms of regions: "Ohioans", "Ontarians", "South Ossetian".
            stem = norm[: -len(suffix)]
            if not norm.endswith(suffix) or len(stem) < 4:
                continue
            for ending in ("", "a", "ia", "o"):
                pairs = [
                    (r, k)
                    for r, k in lookup(stem + ending, normalized=True)
                    if self.gaz.fcode[r] in AREA_CODES or self.gaz.fcode[r] == "ADM1"
                ]
                if pairs:
                    return pairs, 0.3
        if self.fuzzy and len(norm) >= 5:
            alt = self._fuzzy_match(norm)
            if alt:
                return lookup(alt, normalized=True), 1.0
        return [], 0.0

    def _fuzzy_match(self, norm: str) -> str | None:
        """Closest gazetteer name with rapidfuzz ratio >= 90, among names that share the
        first letter and have a similar length (a misspelling rarely changes either)."""
        if norm in self._fuzzy_cache:
            return self._fuzzy_cache[norm]
        from rapidfuzz import fuzz, process

        pool = self._fuzzy_pool(norm[0], len(norm))
        out = None
        if pool:
            # Every score at once (a third faster than process.extractOne); the first best
            # name wins a tie, as with extractOne.
            scores = process.cdist([norm], pool, scorer=fuzz.ratio, score_cutoff=90)[0]
            best = int(np.argmax(scores))
            out = pool[best] if scores[best] >= 90 else None
        if len(self._fuzzy_cache) >= FUZZY_CACHE_SIZE:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[norm] = out
        return out

    def _fuzzy_pool(self, initial: str, n: int) -> list[str]:
        """Gazetteer names that start with `initial` and have a length that can reach a
        ratio of 90 with a name of length n, by length (made once per initial and length)."""
        pool = self._fuzzy_pools.get((initial, n))
        if pool is None:
            if not self._fuzzy_buckets:
                for name in self.gaz.fuzzy_vocabulary():
                    self._fuzzy_buckets.setdefault((name[0], len(name)), []).append(name)
            pool = []
            for length in range(n - 2, n + 3):
                # fuzz.ratio is at most 200 * min(n, m) / (n + m): names of a length that
                # cannot reach 90 are left out of the pool, which changes no match.
                if 200 * min(n, length) < 90 * (n + length):
                    continue
                pool.extend(self._fuzzy_buckets.get((initial, length), ()))
            self._fuzzy_pools[(initial, n)] = pool
        return pool
