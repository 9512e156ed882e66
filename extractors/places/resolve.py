"""Places stage: resolve a document's toponyms to gazetteer entries, jointly: each mention's
candidates (see names.py) ranked by their prior plus the document's context ("City, State"
patterns, the dateline, and the countries and regions its other mentions probably mean,
settled over a few rounds of mean-field updates, so that "Georgia" and "Atlanta" agree).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from extractors.dateline import DATELINE_HEAD
from extractors.lexicons import words
from extractors.nlp import doc_text
from extractors.places.gazetteer import Gazetteer
from extractors.places.names import AREA_CODES, NameIndex, Place, Toponym, Weights
from extractors.places.recognize import COMPASS_POINTS, Recognizer
from extractors.places.schema import (
    COUNTRY_CODES,
    normalize_name,
)

if TYPE_CHECKING:
    import spacy.tokens

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


# A lowercase compass word before a name modifies it ("south Lebanon", "northern Iraq"): the
# place meant is the name's, not a town that happens to be called "South Lebanon".
_COMPASS = "|".join(sorted(COMPASS_POINTS, key=len, reverse=True))


_MODIFIER = re.compile(rf"^(?:{_COMPASS})(?:ern)?\s+(?=[A-Z])")


# "St. Mary's Hospital in Galway", "Main Street, Galway", "the port of Brindisi": a place
# named just after an unresolved one, on the same line, contains it.
_JOINS = "|".join(sorted(words("places", "container_joins")))


_CONTAINER_JOIN = re.compile(rf"^[^\S\n]*(?:,|\b(?:{_JOINS})\b)[^\S\n]*(?:the[^\S\n]+)?$")


_CONTAINER_GAP = 40


# Items of a list ("Oregon, Utah, Washington and Wyoming") are usually of one kind.
_LIST_JOIN = re.compile(r"^\s*(?:,|;|,?\s*\b(?:and|or)\b)\s*$")


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
        self.names = NameIndex(
            gazetteer, fuzzy=fuzzy, max_candidates=max_candidates, weights=weights
        )
        self.recognizer = Recognizer(self.names, demonyms=demonyms)
        self.gaz = gazetteer
        self.w = self.names.w
        # Rows that are points, not areas: only these are "nearby" one another (_compat).
        areas = AREA_CODES | {"ADM1"}
        g = gazetteer
        self._local = np.fromiter((c not in areas for c in g.fcode.tolist()), bool, len(g.fcode))

    def place_by_id(self, geonameid: int) -> Place | None:
        """The gazetteer entry with this GeoNames id, or None."""
        return self.names.place_by_id(geonameid)

    def country_of(self, text: str) -> str | None:
        """ISO2 country that a name, demonym or city refers to ("Chinese" -> "CN"), else None."""
        return self.names.country_of(text)

    # ------------------------------------------------------------------ public API

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

    def approximate(
        self, text: str, spans: list[tuple[int, int]], places: list[Place | None]
    ) -> list[Place | None]:
        """For spans that resolved to nothing (a street, a hospital, a hamlet the gazetteer
        lacks), the place that contains them, approximately: the resolved place the text
        puts them in ("St. Mary's Hospital in Galway" -> Galway), else the town the
        document mentions most, else its most mentioned place. Resolved spans keep their
        place; a document with no resolved place gives no approximation.

        Only for spans known to be places (given spans): a recognized span that resolves
        to nothing may be no place at all, so `toponyms` leaves it unresolved.
        """
        resolved = sorted(
            (span, place) for span, place in zip(spans, places, strict=True) if place is not None
        )
        if not resolved:
            return list(places)
        counts = Counter(p.geonameid for _, p in resolved)
        by_id = {p.geonameid: p for _, p in resolved}
        towns = [
            g
            for g, _ in counts.most_common()
            if by_id[g].feature_class == "P" or by_id[g].feature_code == "ADM2"
        ]
        focus = by_id[towns[0] if towns else counts.most_common(1)[0][0]]
        out: list[Place | None] = []
        for (_, end), place in zip(spans, places, strict=True):
            if place is None:
                place = next(
                    (
                        p
                        for (s, _), p in resolved
                        if end <= s <= end + _CONTAINER_GAP and _CONTAINER_JOIN.match(text[end:s])
                    ),
                    focus,
                )
            out.append(place)
        return out

    def toponyms(self, doc: spacy.tokens.Doc, *, dateline: str | None = None) -> list[Toponym]:
        """Recognize and resolve the toponyms of a parsed document, in text order."""
        text = doc_text(doc)
        found = self.recognizer.recognize(doc)
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
                    self.recognizer.metonymy(doc, start, end, place),
                    score,
                )
            )
        return out

    # ------------------------------------------------------------------ candidates

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
        rows, kinds, prior = self.names.candidates(parts[0].title())
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
            crows, _, _ = self.names.candidates(" ".join(words[:n]))
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
        names = [_MODIFIER.sub("", t) for _, _, t in mentions]
        group_of: dict[str, int] = {}
        gi = [group_of.setdefault(normalize_name(t), len(group_of)) for t in names]
        n_groups = len(group_of)
        g_rows: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n_groups
        g_base: list[np.ndarray] = [np.zeros(0)] * n_groups
        list_pair = self._list_links(text, mentions, gi, n_groups)
        for (start, end, _), t, k in zip(mentions, names, gi, strict=True):
            rows, _, prior = self.names.candidates(t)
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
            best.append((self.names.place(int(rows[sel[j]])), round(float(p[j]), 4)))
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


def _softmax(scores: np.ndarray) -> np.ndarray:
    if not len(scores):
        return scores
    e = np.exp(scores - scores.max())
    return e / e.sum()
