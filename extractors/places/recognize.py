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

from typing import TYPE_CHECKING

import numpy as np
from spacy.attrs import IS_STOP, IS_TITLE, SENT_START

from extractors.dateline import DATELINE_HEAD
from extractors.lexicons import words
from extractors.nlp import doc_ents, doc_text, token_bounds
from extractors.places.names import AREA_CODES, FEATURE_CODES, NameIndex, Place
from extractors.places.schema import (
    COUNTRY_CODES,
    NAME_DEMONYM,
    NAME_PRIMARY,
    NAME_SHORT,
)

if TYPE_CHECKING:
    import spacy.tokens


_NAMING_FEATURES = (FEATURE_CODES - {"ADM1H"}) | {"OCN"}
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


class Recognizer:
    """Finds the toponyms of a parsed document and marks metonymy (see the module docstring)."""

    def __init__(self, names: NameIndex, *, demonyms: bool = False) -> None:
        self.names = names
        self.gaz = names.gaz
        self.demonyms = demonyms

    def recognize(self, doc: spacy.tokens.Doc) -> list[tuple[int, int, str]]:
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
                and len(self.names.candidates(head.title())[0])
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
                rows, kinds, _ = self.names.candidates(text[starts[i] : ends[k]])
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
        rows, kinds, _ = self.names.candidates(text)
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
        rows, kinds, _ = self.names.candidates(span.text)
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
            rows, kinds, _ = self.names.candidates(sub.text)
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

    def metonymy(self, doc: spacy.tokens.Doc, start: int, end: int, place: Place | None) -> bool:
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
