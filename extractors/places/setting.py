"""Places stage: the story's settings: which named places are where events happen
(`is_setting`), the document's main setting, and the lead's and headline's places.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Token

from extractors.lexicons import words
from extractors.nlp import (
    children,
    doc_cache_key,
    doc_sents,
    doc_text,
    entity_of,
)
from extractors.places.names import Place, Toponym, haversine_km
from extractors.places.recognize import COMPASS_POINTS
from extractors.places.schema import COUNTRY_CODES

LOCATIVE_PREPS = words("places", "locative_preps")


NAMED_SETTING_PREPS = words("places", "named_setting_preps")


PART_NOUNS = words("places", "part_nouns") | COMPASS_POINTS


# The sentences that state where the main event happened, after the headline.
PLACE_LEAD_SENTENCES = 3


# A continent contains its countries' places as a country contains its own.
COUNTRY_FEATURES = COUNTRY_CODES | {"CONT"}


NAMED_SETTING_LABELS = frozenset({"FAC", "ORG", "LOC", "GPE", "WORK_OF_ART", "EVENT"})


def setting_name(doc: Doc, heads: Iterable[Token]) -> Toponym | None:
    """The first named setting in a locative phrase on one of `heads`."""
    for prep in (c for head in heads for c in children(head)):
        if prep.dep_ != "prep" or prep.lower_ not in NAMED_SETTING_PREPS:
            continue
        for pobj in children(prep):
            if pobj.dep_ != "pobj":
                continue
            if (
                pobj.pos_ != "PROPN"
                and pobj.ent_type_ not in NAMED_SETTING_LABELS
                and not _named_compound(pobj)
            ):
                continue
            if pobj.ent_type_ in {"PERSON", "NORP", "DATE", "TIME"}:
                continue
            words = [t for t in pobj.subtree if t.dep_ in {"compound", "det", "amod"} or t == pobj]
            words = [t for t in words if t.i <= pobj.i and t.lower_ not in {"the", "a", "an"}]
            start = min(t.i for t in words)
            span = doc[start : pobj.i + 1]
            return Toponym(span.start_char, span.end_char, span.text, "NAME", None, False, 0.0)
    return None


def _named_compound(noun: Token) -> bool:
    """A kind of site named by a proper-noun modifier: "the Sandilands stop", "the
    Interlagos circuit" ("a Taliban raid", "the Smith family" name no site)."""
    return noun.lemma_.lower() in SITE_NOUNS and any(
        c.dep_ == "compound" and c.pos_ == "PROPN" for c in children(noun)
    )


SITE_NOUNS = words("places", "site_nouns")


# Entities a toponym can sit inside without naming a setting: "Chicago Cubs", "Croydon
# Council", "the Brazilian Grand Prix" name a team, a body or an occasion.
NON_SETTING_LABELS = frozenset({"ORG", "PERSON", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW"})


PERSON_NOUNS = words("places", "person_nouns")


# Radius within which a smaller populated place counts as part of a larger one.
CONTAINED_KM = 30.0


def is_setting(doc: Doc, toponym: Toponym) -> bool:
    """Whether a place mention can be where something happens.

    Not when it is an actor ("Beijing said"), a demonym or adjective ("German consulate"), a
    person's name, part of a larger name ("Chicago Cubs"), or a person's origin or home
    ("a 42-year-old from Beckenham", "Donald Collett, 62, of Croydon").
    """
    if toponym.metonymy:
        return False
    span = doc.char_span(toponym.start, toponym.end, alignment_mode="expand")
    if span is None:
        return True
    root = span.root
    if root.pos_ == "ADJ" or root.ent_type_ == "NORP":
        return False
    if root.ent_type_ == "PERSON" and not (toponym.label == "GAZ" and _is_locative(root)):
        # A name the recognizer took for a person is a setting only when the gazetteer
        # knows it and a locative phrase governs it ("off the coast of Kent").
        return False
    own = entity_of(root)
    if own is not None:
        larger = own.start_char < toponym.start or own.end_char > toponym.end
        if larger and own.label_ in NON_SETTING_LABELS:
            return False
    head = root.head
    if root.dep_ == "compound" and head.pos_ == "PROPN" and head.i >= span.end:
        # "Chicago Cubs", "south east London": a modifier of another name; the place, if
        # any, is the name it modifies. A split name ("Mazar-i-Sharif") is one entity.
        other = entity_of(head)
        split = not any(c.isspace() for c in doc_text(doc)[toponym.end : head.idx])
        if not split and (other is None or other != own):
            return False
    if root.dep_ in {"compound", "nmod", "amod"} and head.lemma_.lower() in PERSON_NOUNS:
        return False  # "a Crystal Palace fan", "a Croydon resident": who, not where
    anchor = root.head if root.dep_ in {"appos", "conj", "compound"} else root
    if anchor.dep_ == "pobj":
        prep = anchor.head
        governor = prep.head
        if prep.lower_ == "from" and governor.pos_ in {"NOUN", "PROPN", "NUM", "PRON"}:
            return False  # "a man from Beckenham": where he is from, not where it happened
        if prep.lower_ == "of" and (governor.ent_type_ == "PERSON" or governor.pos_ == "NUM"):
            return False  # "Donald Collett, 62, of Croydon"
    return True


_SETTING_KEY = doc_cache_key("setting_heads")


def setting_head(doc: Doc, toponym: Toponym) -> tuple[Token | None, bool]:
    """(head token, whether it sits in a locative phrase) of a place mention that can be a
    setting, (None, False) when it cannot; computed once per mention of a Doc."""
    cache = doc.user_data.get(_SETTING_KEY)
    if cache is None:
        cache = doc.user_data[_SETTING_KEY] = {}
    key = (toponym.start, toponym.end, toponym.metonymy, toponym.place is not None)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _find_setting_head(doc, toponym)
    return found


def _find_setting_head(doc: Doc, toponym: Toponym) -> tuple[Token | None, bool]:
    if toponym.place is not None and not is_setting(doc, toponym):
        return None, False
    span = doc.char_span(toponym.start, toponym.end, alignment_mode="expand")
    head = span.root if span is not None else None
    if head is None:
        return None, False
    return head, _is_locative(head)


def _is_locative(token: Token) -> bool:
    """Whether a place mention's head is the object of a locative preposition: its own
    ("in Anchorage"), its anchor's ("in Anchorage, Alaska": the appositive, conjunct or
    compound rides on the name it belongs to) or through "of" after a noun for a part of
    a place ("off the coast of Kent", "in the north of France"), where "on" is locative
    too ("on the outskirts of Kabul")."""
    anchor = token.head if token.dep_ in {"appos", "conj", "compound"} else token
    preps = LOCATIVE_PREPS
    for _ in range(3):
        prep = anchor.head
        if not (anchor.dep_ == "pobj" and prep.lower_ == "of"):
            break
        part = prep.head
        if part.pos_ != "NOUN" or not {part.lemma_.lower(), part.lower_} & PART_NOUNS:
            return False
        anchor = part.head if part.dep_ in {"appos", "conj"} else part
        preps = LOCATIVE_PREPS | {"on"}
    return anchor.dep_ == "pobj" and anchor.head.lower_ in preps


def contains(big: Place, small: Place) -> bool:
    """Whether `small` lies within `big`: a country's or region's place, a city's district."""
    if big.geonameid == small.geonameid or big.country_code != small.country_code:
        return False
    if big.feature_code in COUNTRY_FEATURES:
        return small.feature_code not in COUNTRY_FEATURES
    if big.feature_code == "ADM1":
        return small.admin1 == big.admin1 and small.feature_code != "ADM1"
    if big.feature_class == "P" and small.feature_class == "P":
        near = haversine_km(big.lat, big.lon, small.lat, small.lon) <= CONTAINED_KM
        return near and big.population >= 5 * max(small.population, 1)
    return False


def title_places(
    title: Doc | None, toponyms: Sequence[Toponym], found: Sequence[Toponym]
) -> list[Toponym]:
    """Places the headline names: its own toponyms plus document places it repeats by name.

    Headlines are terse ("Croydon tram crash: ..."), so a name the recognizer misses there
    is still found when the text names and resolves the same place.
    """
    if title is None:
        return [t for t in found if t.place is not None and not t.metonymy]
    out = [t for t in found if t.place is not None and is_setting(title, t)]
    seen = {t.place.geonameid for t in out if t.place is not None}
    for toponym in toponyms:
        if toponym.place is None or toponym.place.geonameid in seen or toponym.metonymy:
            continue
        pattern = r"(?<!\w)" + re.escape(toponym.text) + r"(?!\w)"
        match = re.search(pattern, title.text, flags=re.IGNORECASE)
        if match is None:
            continue
        named = dataclasses.replace(toponym, start=match.start(), end=match.end())
        if is_setting(title, named):
            out.append(named)
            seen.add(toponym.place.geonameid)
    return out


def document_place(
    doc: Doc, toponyms: list[Toponym], *, title: Sequence[Toponym] = ()
) -> tuple[Toponym | None, str | None]:
    """The story's main setting and where it was found ("document" or "title").

    News names its main setting in the headline and the lead, so a place scores by whether
    the headline names it, how early the text first names it, and (less) how often. A place
    inherits part of the score of a broader place that contains it and is also named (a
    city of a named country or region, a district of a named city), so the most specific
    setting wins. Places that are no setting (see `is_setting`) are left out. A place only
    the headline names is returned with source "title".
    """
    mentions: dict[int, int] = {}
    earliest: dict[int, int] = {}
    first: dict[int, Toponym] = {}
    sentence_starts = [s.start_char for s in doc_sents(doc)]
    for toponym in toponyms:
        if toponym.place is None or not is_setting(doc, toponym):
            continue
        gid = toponym.place.geonameid
        mentions[gid] = mentions.get(gid, 0) + 1
        earliest.setdefault(gid, bisect.bisect_right(sentence_starts, toponym.start) - 1)
        first.setdefault(gid, toponym)
    in_title = {t.place.geonameid: t for t in title if t.place is not None and not t.metonymy}
    scores = {
        gid: 0.5 * math.log1p(mentions[gid])
        + 2.0 / (1.0 + 0.5 * earliest[gid])
        + 2.0 * (gid in in_title)
        for gid in first
    }
    for gid, toponym in in_title.items():
        if gid not in scores:
            first[gid] = toponym
            scores[gid] = 2.0
    if not scores:
        return None, None
    # The most specific setting wins when the broader one is also named: "a city in north
    # Afghanistan ... Mazar-i-Sharif" is set in Mazar-i-Sharif.
    base = dict(scores)
    for gid, toponym in first.items():
        place = toponym.place
        if place is None:
            continue
        broader = [
            base[other]
            for other, t in first.items()
            if t.place is not None and contains(t.place, place)
        ]
        scores[gid] += 0.6 * max(broader, default=0.0)
    best = max(scores, key=lambda gid: (scores[gid], gid in mentions, -first[gid].start))
    return first[best], "document" if best in mentions else "title"


def named_setting(
    doc: Doc, headline_setting: Toponym | None, toponyms: Sequence[Toponym]
) -> tuple[Toponym | None, str | None]:
    """The story's setting when no resolved place is named: the headline's named setting
    ("... at wet Brazilian Grand Prix"), else the first one of the lead ("at Interlagos"),
    as unresolved names (source "title" when only the headline names it)."""
    if headline_setting is not None:
        return place_in_text(doc, headline_setting, toponyms)
    sentences = doc_sents(doc)[:PLACE_LEAD_SENTENCES]
    found = setting_name(doc, (t for sent in sentences for t in sent))
    return (found, "document") if found is not None else (None, None)


def place_in_text(doc: Doc, named: Toponym, toponyms: Sequence[Toponym]) -> tuple[Toponym, str]:
    """A headline's place as the text names it (resolved, with offsets into the text),
    else as the headline gives it (source "title")."""
    key = named.text.lower().removeprefix("the ")
    for toponym in toponyms:
        if toponym.place is not None and toponym.text.lower().removeprefix("the ") == key:
            return toponym, "document"
    pattern = r"(?<!\w)" + re.escape(named.text) + r"(?!\w)"
    match = re.search(pattern, doc_text(doc), flags=re.IGNORECASE)
    if match is None:
        return named, "title"
    found = dataclasses.replace(named, start=match.start(), end=match.end(), text=match.group())
    return found, "document"


def lead_settings(
    doc: Doc, toponyms: Sequence[Toponym], dateline: Toponym | None = None
) -> list[Toponym]:
    """Resolved settings the lead names (its first LEAD_SENTENCES sentences), in order."""
    sentences = doc_sents(doc)
    if not sentences:
        return []
    lead_end = sentences[min(PLACE_LEAD_SENTENCES, len(sentences)) - 1].end_char
    found = [dateline] if dateline is not None else []
    found += [
        t
        for t in toponyms
        if t.start < lead_end and t.place is not None and t is not dateline and is_setting(doc, t)
    ]
    return found


def most_specific(
    place: Place, candidates: Sequence[tuple[Toponym, str]]
) -> tuple[Toponym, str] | None:
    """The named place most deeply inside `place` (a city in a country, a district in a
    city) with its source, or None when no candidate lies inside it."""
    best: tuple[Toponym, str] | None = None
    current = place
    for _ in range(3):
        inner = next(
            (c for c in candidates if c[0].place is not None and contains(current, c[0].place)),
            None,
        )
        if inner is None or inner[0].place is None:
            break
        best, current = inner, inner[0].place
    return best


def lead_places(
    doc: Doc,
    toponyms: Sequence[Toponym],
    headline: Sequence[Toponym],
    dateline: Toponym | None,
) -> tuple[tuple[Toponym, str], ...]:
    """Headline places first, then the lead's; a headline place the text also names is
    given by its first mention in the text (offsets into the text, source "document")."""
    in_text: dict[int, Toponym] = {}
    for toponym in toponyms:
        if toponym.place is not None and not toponym.metonymy:
            in_text.setdefault(toponym.place.geonameid, toponym)
    out: list[tuple[Toponym, str]] = []
    for toponym in headline:
        if toponym.place is None:
            continue
        mention = in_text.get(toponym.place.geonameid)
        out.append((mention, "document") if mention is not None else (toponym, "title"))
    out += [(t, "document") for t in lead_settings(doc, toponyms, dateline)]
    return tuple(out)
