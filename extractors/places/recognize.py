"""Places stage: recognize toponyms and resolve them to gazetteer entries.

Recognition takes spaCy's GPE/LOC/FAC entities, adds gazetteer-backed matches that NER tags
as ORG/PERSON/NORP or misses (countries and states anywhere; towns only where the parse puts
the name in a place slot: "Police in Lyon", "the mayor of Calais", "a Huntsville man"), and
marks metonymy ("Beijing said"). Resolution ranks each mention's candidates (exact names,
alternate names, short forms, demonyms, spelling variants via rapidfuzz) by a prior
(population, feature class, kind of name match) plus document
context: "City, State"/"City, Country" patterns, the dateline, and the countries, admin1 and
admin2 regions that the document's other mentions probably refer to (a few rounds of
mean-field updates, so that "Georgia" and "Atlanta" settle on each other).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from spacy.attrs import IS_STOP, IS_TITLE, SENT_START

from extractors.dateline import DATELINE_HEAD
from extractors.lexicons import words
from extractors.nlp import doc_ents, doc_text, token_bounds
from extractors.places.gazetteer import Gazetteer
from extractors.places.schema import (
    COUNTRY_CODES,
    NAME_ALTERNATE,
    NAME_DEMONYM,
    NAME_PRIMARY,
    NAME_SHORT,
    normalize_name,
)

if TYPE_CHECKING:
    import spacy.tokens


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
_NAMING_FEATURES = (FEATURE_CODES - {"ADM1H"}) | {"OCN"}
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
_AFTER_COMMA = re.compile(
    r"^\s*,\s*((?:the )?[A-Z][A-Za-z.'’-]*\.?(?: [A-Z][A-Za-z.'’-]*\.?){0,3})"
)
# A type word next to the mention says which kind of place is meant: "Washington state",
# "the state of Washington", "Sindh province" -> a division; "the city of Georgia" -> a town.
# Lowercase only: "San Diego State" and "Kansas City" are names, not type words.
_DIVISION_AFTER = re.compile(r"^\s+(state|province)\b")
_DIVISION_BEFORE = re.compile(r"\b(?:state|province) of\s+(?:the\s+)?$")
_TOWN_AFTER = re.compile(r"^\s+city\b")
_TOWN_BEFORE = re.compile(r"\b(?:city|town|village) of\s+$")
# Items of a list ("Oregon, Utah, Washington and Wyoming") are usually of one kind.
_LIST_JOIN = re.compile(r"^\s*(?:,|;|,?\s*\b(?:and|or)\b)\s*$")
_POSSESSIVE = re.compile(r"['’]s?$")
_METONYMY_VERBS = words("places", "metonymy_verbs")
_METONYMY_CODES = COUNTRY_CODES | {"PPLC", "ADM1"}

# Place slots for a name that NER tagged ORG/PERSON or left untagged: spaCy's small model
# often reads towns as organisations or people ("Police in Lyon", "between Calais and
# Dover"). Objects of "in" and of prepositions that take places, "the <place noun> of X",
# "the X <civic noun>" and coordination with a recognized place are strong evidence, enough
# for a town of 10k+; "at", "to" and "from" take people and companies as often, so there the
# town must have 100k+. Floors chosen on halves of the LGL and GeoVirus development sets:
# lower floors in strong slots add more towns than false hits, but below 10k they admit
# hamlets named like institutions ("in Congress").
_STRONG_MIN_POPULATION = 10_000
_WEAK_MIN_POPULATION = 100_000
_STRONG_PREPS = words("places", "strong_preps")
COMPASS_POINTS = words("places", "compass_points")
_WEAK_PREPS = words("places", "weak_preps")
_PLACE_HEADS = words("places", "place_heads") | COMPASS_POINTS
_COMPOUND_HEADS = words("places", "compound_heads")


class PlaceResolver:
    """Find toponyms in spaCy docs and resolve them against a :class:`Gazetteer`."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        *,
        fuzzy: bool = True,
        demonyms: bool = False,
        max_candidates: int = 25,
        weights: Weights | None = None,
    ) -> None:
        """Args:
        gazetteer: from :func:`extractors.places.gazetteer.load_gazetteer`.
        fuzzy: match spelling variants with rapidfuzz when no exact name matches.
        demonyms: also report adjectival forms ("Chinese officials") as toponyms (label
            GAZ). Off by default: a demonym names an attribute, not where something
            happened; :meth:`country_of` maps them to countries either way.
        max_candidates: candidates kept per mention, by prior.
        weights: scoring weights (defaults tuned on development data).
        """
        self.gaz = gazetteer
        self.fuzzy = fuzzy
        self.demonyms = demonyms
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
        # Rows that are points, not areas: only these are "nearby" one another (_compat).
        areas = AREA_CODES | {"ADM1"}
        self._local = np.fromiter((c not in areas for c in g.fcode.tolist()), bool, len(g.fcode))

    # ------------------------------------------------------------------ public API

    def place_by_id(self, geonameid: int) -> Place | None:
        """The gazetteer entry with this GeoNames id, or None."""
        row = self.gaz.row_of_id(geonameid)
        return None if row is None else self._place(row)

    def country_of(self, text: str) -> str | None:
        """ISO2 country that a name, demonym or city refers to ("Chinese" -> "CN"), else None."""
        rows, kinds, prior = self._candidates(text)
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

    def resolve_spans(
        self,
        text: str,
        spans: list[tuple[int, int]],
        *,
        doc: spacy.tokens.Doc | None = None,
        dateline: str | None = None,
    ) -> list[Place | None]:
        """Resolve given character spans of ``text`` jointly, as one document."""
        del doc  # the spans and raw text carry all the context used
        mentions = [(s, e, text[s:e]) for s, e in spans]
        return [p for p, _ in self._resolve(text, mentions, dateline)]

    def toponyms(self, doc: spacy.tokens.Doc, *, dateline: str | None = None) -> list[Toponym]:
        """Recognize and resolve the toponyms of a parsed document, in text order."""
        text = doc_text(doc)
        found = self._recognize(doc)
        resolved = self._resolve(text, [(s, e, text[s:e]) for s, e, _ in found], dateline)
        out = []
        for (start, end, label), (place, score) in zip(found, resolved, strict=True):
            if label in ("GAZ", "FAC") and place is None:
                continue  # a facility or gazetteer guess that resolves to nothing
            out.append(
                Toponym(
                    start,
                    end,
                    text[start:end],
                    label,
                    place,
                    self._metonymy(doc, start, end, place),
                    score,
                )
            )
        return out

    # ------------------------------------------------------------------ candidates

    def _place(self, row: int) -> Place:
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

    def _candidates(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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

    # ------------------------------------------------------------------ resolution

    def _dateline_place(self, text: str, dateline: str | None) -> int | None:
        """Row of the dateline's place: "SEOUL —", "PARIS, Texas (AP) -"."""
        if dateline is None:
            m = DATELINE_HEAD.match(text[:120])
            if not m:
                return None
            dateline = m.group(1)
        head = re.split(r"\s*(?:—|–|--|\(|:)\s*", dateline.strip())[0].strip(" -")
        parts = [p.strip() for p in head.split(",") if p.strip()]
        if not parts:
            return None
        rows, kinds, prior = self._candidates(parts[0].title())
        if not len(rows):
            return None
        scores = prior.copy()
        if len(parts) > 1:
            scores += self._pattern_bonus(rows, parts[1])
        # A dateline names a town more often than a region of the same name.
        scores += np.array([1.0 if self.gaz.fclass[r] == "P" else 0.0 for r in rows.tolist()])
        return int(rows[int(np.argmax(scores))])

    def _pattern_bonus(self, rows: np.ndarray, container: str) -> np.ndarray:
        """Bonus for candidates inside the admin1/country named after a comma."""
        words = container.split()
        g = self.gaz
        for n in range(len(words), 0, -1):
            crows, _, _ = self._candidates(" ".join(words[:n]))
            targets = [
                int(r)
                for r in crows.tolist()
                if g.fcode[r] == "ADM1" or g.fcode[r] in COUNTRY_CODES
            ]
            if targets:
                out = np.zeros(len(rows))
                for i, r in enumerate(rows.tolist()):
                    for t in targets:
                        if g.fcode[t] == "ADM1":
                            if (
                                g.country[r] == g.country[t]
                                and g.admin1[r] == g.admin1[t]
                                and r != t
                            ):
                                out[i] = 1.0
                                break
                        elif g.country[r] == g.country[t] and r != t:
                            out[i] = max(out[i], 0.8)
                return out
        return np.zeros(len(rows))

    def _resolve(
        self, text: str, mentions: list[tuple[int, int, str]], dateline: str | None
    ) -> list[tuple[Place | None, float]]:
        """Resolve all mentions of one document jointly.

        Same-named mentions form one group (one sense per discourse). Each group's
        candidates get a prior plus local evidence ("City, State", dateline); then a few
        rounds of max-sum messages between groups reward candidates that share a country,
        admin1 or admin2 with a plausible candidate of another group, or lie near one.
        """
        g, w = self.gaz, self.w
        if not mentions:
            return []
        group_of: dict[str, int] = {}
        gi = []
        for _, _, t in mentions:
            gi.append(group_of.setdefault(normalize_name(t), len(group_of)))
        n_groups = len(group_of)
        g_rows: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n_groups
        g_base: list[np.ndarray] = [np.zeros(0)] * n_groups
        list_pair = self._list_links(text, mentions, gi, n_groups)
        for (start, end, t), k in zip(mentions, gi, strict=True):
            rows, _, prior = self._candidates(t)
            if not len(g_rows[k]):
                g_rows[k], g_base[k] = rows, prior.copy()
            if len(rows) > 1:
                m = _AFTER_COMMA.match(text[end : end + 60])
                if m:
                    bonus = w.pattern * self._pattern_bonus(rows, m.group(1))
                    g_base[k] = np.maximum(g_base[k], prior + bonus)
                kind = self._type_word(text, start, end)
                if kind is not None:
                    fit = (
                        g.fclass[rows] == "P"
                        if kind == "town"
                        else np.isin(g.fcode[rows], ["ADM1", "ADM2"])
                    )
                    g_base[k] = np.maximum(g_base[k], prior + w.type_word * fit)

        rows = np.concatenate(g_rows) if n_groups else np.zeros(0, dtype=np.int64)
        if not len(rows):
            return [(None, 0.0)] * len(mentions)
        base = np.concatenate(g_base)
        grp = np.concatenate([np.full(len(r), k) for k, r in enumerate(g_rows)])

        # Dateline: a fixed pseudo-mention whose place supports its country and admin1.
        dl = self._dateline_place(text, dateline)
        if dl is not None:
            base = base + w.same_name_dateline * (rows == dl)
            same_c = (g.country_id[rows] == g.country_id[dl]) & (g.country_id[dl] > 0)
            same_a1 = (g.admin1_id[rows] == g.admin1_id[dl]) & (g.admin1_id[dl] > 0)
            base = base + 0.5 * w.dateline * (same_c & ~np.isin(g.fcode[rows], list(AREA_CODES)))
            base = base + 0.5 * w.dateline * same_a1

        compat = self._compat(rows)
        if list_pair is not None:
            # Adjacent list items support candidates of the same kind: countries with
            # countries, first-level divisions with divisions (towns are left out: in
            # "Vancouver, Washington, and Portland, Oregon" towns and states alternate).
            fc = g.fcode[rows]
            level = np.where(np.isin(fc, list(COUNTRY_CODES)), 1, np.where(fc == "ADM1", 2, 0))
            same = (level[:, None] == level[None, :]) & (level[:, None] > 0)
            compat = compat + w.list_ctx * (same & list_pair[grp][:, grp])
        scores = base.copy()
        starts = np.flatnonzero(np.r_[True, grp[1:] != grp[:-1]])
        seg = np.cumsum(np.r_[True, grp[1:] != grp[:-1]]) - 1  # segment of each candidate
        same_group = grp[:, None] == grp[None, :]
        for _ in range(w.rounds):
            gmax = np.maximum.reduceat(scores, starts)
            rel = scores - gmax[seg]  # 0 for each group's current best, negative otherwise
            msg = compat + rel[None, :]
            msg[same_group] = -np.inf
            per_group = np.maximum.reduceat(msg, starts, axis=1)  # receiver x sender group
            support = np.clip(per_group, 0.0, None).sum(axis=1)
            scores = base + w.ctx_cap * np.tanh(support / w.ctx_cap)

        out: list[tuple[Place | None, float]] = []
        best: list[tuple[Place | None, float]] = []
        for k in range(n_groups):
            sel = np.flatnonzero(grp == k)
            if not len(sel):
                best.append((None, 0.0))
                continue
            s = scores[sel]
            j = int(np.argmax(s))
            p = _softmax(s)
            best.append((self._place(int(rows[sel[j]])), round(float(p[j]), 4)))
        for k in gi:
            out.append(best[k])
        return out

    @staticmethod
    def _list_links(
        text: str, mentions: list[tuple[int, int, str]], gi: list[int], n_groups: int
    ) -> np.ndarray | None:
        """Group x group matrix: True where mentions of the two are adjacent list items."""
        order = sorted(range(len(mentions)), key=lambda i: mentions[i][0])
        links = []
        for a, b in zip(order, order[1:], strict=False):
            between = text[mentions[a][1] : mentions[b][0]]
            if len(between) <= 8 and _LIST_JOIN.match(between):
                links.append((gi[a], gi[b]))
        if not links:
            return None
        pair = np.zeros((n_groups, n_groups), dtype=bool)
        for a, b in links:
            if a != b:
                pair[a, b] = pair[b, a] = True
        return pair

    @staticmethod
    def _type_word(text: str, start: int, end: int) -> str | None:
        """ "division" or "town" if a type word next to the mention says so, else None."""
        after, before = text[end : end + 12], text[max(0, start - 20) : start]
        if _DIVISION_AFTER.match(after) or _DIVISION_BEFORE.search(before):
            return "division"
        if _TOWN_AFTER.match(after) or _TOWN_BEFORE.search(before):
            return "town"
        return None

    def _compat(self, rows: np.ndarray) -> np.ndarray:
        """Pairwise evidence that two candidates belong to one story: shared admin2 >
        nearby (< 50 km) > shared admin1 > shared country; areas only by containment."""
        g, w = self.gaz, self.w
        c, a1, a2 = g.country_id[rows], g.admin1_id[rows], g.admin2_id[rows]
        out = np.where((c[:, None] == c[None, :]) & (c[:, None] > 0), w.country_ctx, 0.0)
        out = np.maximum(
            out, np.where((a1[:, None] == a1[None, :]) & (a1[:, None] > 0), w.admin1_ctx, 0.0)
        )
        out = np.maximum(
            out, np.where((a2[:, None] == a2[None, :]) & (a2[:, None] > 0), w.admin2_ctx, 0.0)
        )
        lat, lon = np.radians(g.lat[rows]), np.radians(g.lon[rows])
        dy = lat[:, None] - lat[None, :]
        dx = (lon[:, None] - lon[None, :]) * np.cos((lat[:, None] + lat[None, :]) / 2)
        near = np.sqrt(dx * dx + dy * dy) * 6371.0 < w.near_km
        local = self._local[rows]
        out = np.maximum(out, np.where(near & local[:, None] & local[None, :], w.near_ctx, 0.0))
        return out

    # ------------------------------------------------------------------ recognition

    def _recognize(self, doc: spacy.tokens.Doc) -> list[tuple[int, int, str]]:
        """(start, end, label) of toponym candidates: NER places plus gazetteer matches."""
        g = self.gaz
        found: list[tuple[int, int, str]] = []
        covered = np.zeros(len(doc), dtype=bool)
        for ent in doc_ents(doc):
            covered[ent.start : ent.end] = True
            span = ent
            if len(span) > 1 and span[0].lower_ == "the":
                span = span[1:]
            start, end = span.start_char, span.end_char
            if len(span) > 1 and span[-1].tag_ == "POS":
                end = span[-2].idx + len(span[-2])
            elif span.text.endswith(("'s", "’s")):
                end -= 2
            if ent.label_ in ("GPE", "LOC", "FAC"):
                found.append((start, end, ent.label_))
                continue
            if ent.label_ not in ("NORP", "ORG", "PERSON"):
                continue
            named = self._gazetteer_name(span.text, allow_demonym=ent.label_ == "NORP")
            if named and ent.label_ == "PERSON" and span.root.dep_ in ("nsubj", "nsubjpass"):
                # "Jordan said he would retire": a name NER calls a person, as the subject,
                # is one, unless it is coordinated with a place ("Jordan and Syria agreed").
                named = _place_slot(span) is not None
            if named or (ent.label_ != "NORP" and self._town_in_place_slot(span)):
                found.append((start, end, "GAZ"))
            elif ent.label_ == "ORG" and len(span) > 1:
                # A place that names an organisation: "Gainesville Police Department",
                # "Texas Department of Transportation", "University of Georgia".
                inner = self._place_in_org(span)
                if inner is not None:
                    found.append((inner.start_char, inner.end_char, "GAZ"))
        # A dateline in capitals ("COLUMBUS, Ohio —") is seldom tagged by NER.
        lead = doc[: min(len(doc), 40)].text
        m = DATELINE_HEAD.match(lead[:120])
        if m:
            head = m.group(1).split(",")[0].strip()
            at = lead.find(head)
            head_span = doc.char_span(at, at + len(head)) if at >= 0 else None
            if (
                head_span is not None
                and not covered[head_span.start : head_span.end].any()
                and len(self._candidates(head.title())[0])
            ):
                found.append((head_span.start_char, head_span.end_char, "GAZ"))
                covered[head_span.start : head_span.end] = True
        # Names of countries and states that NER missed altogether. Token attributes are
        # read into lists once: every doc[i] builds a new Token.
        n = len(doc)
        flags = doc.to_array([IS_TITLE, IS_STOP, SENT_START]).tolist() if n else []
        titled = [f[0] == 1 for f in flags]
        opens_with_stop = [f[2] == 1 and f[1] == 1 for f in flags]
        taken = covered.tolist()
        text = doc_text(doc)
        starts, ends = token_bounds(doc)
        i = 0
        while i < n:
            if taken[i] or not titled[i] or opens_with_stop[i]:
                i += 1
                continue
            j = i
            while j + 1 < n and titled[j + 1] and not taken[j + 1] and j - i < 3:
                j += 1
            hit = None
            for k in range(j, i - 1, -1):
                # The text of doc[i : k + 1], without building the Span.
                rows, kinds, _ = self._candidates(text[starts[i] : ends[k]])
                if any(
                    kd == NAME_PRIMARY and _names_area(g.fcode[r], k > i)
                    for r, kd in zip(rows.tolist(), kinds.tolist(), strict=True)
                ):
                    hit = doc[i : k + 1]
                    break
            if hit is None and j - i < 2:
                # An untagged proper noun in a place slot: "schools in Hounslow".
                span = doc[i : j + 1]
                if all(t.tag_ in ("NNP", "NNPS") for t in span) and self._town_in_place_slot(span):
                    hit = span
            if hit is not None:
                found.append((hit.start_char, hit.end_char, "GAZ"))
                i = hit.end
            else:
                i = j + 1
        found.sort()
        return found

    def _gazetteer_name(self, text: str, *, allow_demonym: bool) -> bool:
        """Is ``text`` itself a demonym, a country/state/region, or a city of 1M+?"""
        g = self.gaz
        rows, kinds, _ = self._candidates(text)
        for r, k in zip(rows.tolist(), kinds.tolist(), strict=True):
            if k == NAME_DEMONYM:
                if allow_demonym and self.demonyms:
                    return True
                continue
            fc = g.fcode[r]
            if k in (NAME_PRIMARY, NAME_SHORT) and (
                _names_area(fc, " " in text.strip()) or g.population[r] >= 1_000_000
            ):
                return True
        return False

    def _town_in_place_slot(self, span: spacy.tokens.Span) -> bool:
        """Is a one- or two-word name that NER tagged ORG/PERSON (or missed) a town the parse
        puts in a place slot ("Police in Lyon", "the council of Lyon", "Calais and Dover")?"""
        if span[-1].tag_ == "POS":
            span = span[:-1]
        if not 0 < len(span) <= 2:
            return False
        slot = _place_slot(span)
        if slot is None:
            return False
        floor = _STRONG_MIN_POPULATION if slot == "strong" else _WEAK_MIN_POPULATION
        g = self.gaz
        rows, kinds, _ = self._candidates(span.text)
        return any(
            k in (NAME_PRIMARY, NAME_SHORT)
            and (g.fclass[r] == "P" or g.fcode[r] == "ADM2")
            and g.population[r] >= floor
            for r, k in zip(rows.tolist(), kinds.tolist(), strict=True)
        )

    def _place_in_org(self, span: spacy.tokens.Span) -> spacy.tokens.Span | None:
        """The leading place name of an organisation, or the place after "of"."""
        g = self.gaz

        def is_place(sub: spacy.tokens.Span) -> bool:
            if not all(t.is_title or t.is_upper for t in sub) or sub[0].is_stop:
                return False
            rows, kinds, _ = self._candidates(sub.text)
            # A sea, river or range in a name ("Pacific Coast Federation", "Thames Valley
            # District School Board", "Rocky Mountain National Park") is the name's, not where
            # the organisation is.
            return any(
                k in (NAME_PRIMARY, NAME_SHORT)
                and g.fcode[r] not in _NAMING_FEATURES
                and (
                    g.fcode[r] in AREA_CODES
                    or g.fcode[r] in ("ADM1", "ADM2")
                    or g.population[r] >= 10_000
                )
                for r, k in zip(rows.tolist(), kinds.tolist(), strict=True)
            )

        for n in range(min(3, len(span) - 1), 0, -1):
            # "University of Georgia": a prefix followed by "of" is the head noun, not a place.
            if span[n].lower_ != "of" and is_place(span[:n]):
                return span[:n]
        for i, tok in enumerate(span[:-1]):
            if tok.lower_ == "of":
                for n in range(min(3, len(span) - i - 1), 0, -1):
                    if i + 1 + n == len(span) and is_place(span[i + 1 : i + 1 + n]):
                        return span[i + 1 : i + 1 + n]
        return None

    def _metonymy(self, doc: spacy.tokens.Doc, start: int, end: int, place: Place | None) -> bool:
        """A country, capital or state as the subject of a speech/action verb."""
        if place is not None and place.feature_code not in _METONYMY_CODES:
            return False
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return False
        root = span.root
        if root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_.lower() in _METONYMY_VERBS:
            return True
        # "X's government" is not metonymy; "X, which said" is rare enough to leave out.
        return (
            root.dep_ == "conj"
            and root.head.dep_ == "nsubj"
            and root.head.head.lemma_.lower() in _METONYMY_VERBS
        )


def _names_area(fcode: str, several_words: bool) -> bool:
    """Does a name of this feature code, found outside NER's places, name an area worth
    reporting? Countries, regions and states always; the curated physical features and
    former divisions only with two or more words ("Black Sea", "Rift Valley Province"):
    one-word ones ("Java", "Burgundy", "Nile") are as often a product, a wine or a name."""
    if fcode in FEATURE_CODES:
        return several_words
    return fcode in AREA_CODES or fcode == "ADM1"


def _place_slot(span: spacy.tokens.Span) -> str | None:
    """How surely the parse puts ``span`` where a place goes: "strong", "weak" or None."""
    doc = span.doc
    before = doc[span.start - 1] if span.start else None
    if before is not None and before.dep_ == "det" and span.start <= before.head.i < span.end:
        return None  # "the White House", "the Duma": a named building or body, not a town
    root = span.root
    first = root
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    if any(
        t.ent_type_ in ("GPE", "LOC") and not span.start <= t.i < span.end
        for t in (first, *first.conjuncts)
    ):
        return "strong"  # coordinated with a place NER found: "Calais and Dover"
    dep, head = first.dep_, first.head
    if dep == "pobj":
        word = head.lower_
        if word in _STRONG_PREPS:
            return "strong"
        if word in _WEAK_PREPS:
            return "weak"
        if word == "of" and head.head.lower_ in _PLACE_HEADS:
            return "strong"
    elif dep == "compound" and head.lower_ in _COMPOUND_HEADS and head.i >= span.end:
        return "strong"
    return None


def _softmax(scores: np.ndarray) -> np.ndarray:
    if not len(scores):
        return scores
    e = np.exp(scores - scores.max())
    return e / e.sum()


def _total(per_group: dict[str, dict]) -> dict:
    tot: dict = defaultdict(float)
    for d in per_group.values():
        for k, v in d.items():
            tot[k] += v
    return tot


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))
