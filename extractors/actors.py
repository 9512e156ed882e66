"""Actors stage: actor normalization within a document (canonical name, type, country)."""

from __future__ import annotations

import bisect
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

from spacy.tokens import Doc, Span, Token

from extractors.lexicons import words
from extractors.nlp import doc_ents, doc_sents, doc_text, doc_tokens, sentence_of, token_bounds
from extractors.places.names import Toponym
from extractors.places.schema import COUNTRY_CODES

TITLES = words("actors", "titles")
GOVERNMENT_NOUNS = words("actors", "government_nouns")
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "himself", "herself"})
GROUP_PRONOUNS = frozenset({"it", "they", "them", "its", "their"})
_NOT_STATES: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ActorInfo:
    canonical: str | None
    type: str  # person | government | organization | group | place | pronoun | other
    country: str | None


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    country: str | None
    type: str


def load_actor_lexicon() -> dict[str, LexiconEntry]:
    """The packaged actor dictionary, keyed by lower-cased name and unambiguous surname."""
    data = tomllib.loads(resources.files("configs").joinpath("actors.toml").read_text("utf-8"))
    entries: dict[str, LexiconEntry] = {}
    surnames: dict[str, list[LexiconEntry]] = {}
    for section in ("people", "organizations"):
        for name, value in data.get(section, {}).items():
            entry = LexiconEntry(value.get("country"), value.get("type", "organization"))
            entries[name.lower()] = entry
            if section == "people":
                surnames.setdefault(name.split()[-1].lower(), []).append(entry)
    for surname, found in surnames.items():
        if len(found) == 1 and surname not in entries:
            entries[surname] = found[0]
    return entries


def strip_possessive(text: str) -> str:
    """ "North Korea’s" -> "North Korea"."""
    for suffix in ("’s", "'s", "’", "'"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def strip_titles(name: str) -> str:
    """'Mr. Blinken' -> 'Blinken'; 'former President Donald J. Trump' -> 'Donald J. Trump'."""
    words = name.replace("’s", "").replace("'s", "").split()
    while len(words) > 1 and words[0].lower() in TITLES:
        words.pop(0)
    return " ".join(words)


class ActorResolver:
    """Resolves argument spans of one document to canonical actors.

    People get one canonical name per document, the fullest mention without titles
    ("Mr. Blinken" -> "Antony Blinken" when the full name appears). Pronouns take the
    nearest compatible actor before them. Countries, capitals used as governments ("Beijing
    said", the Toponym.metonymy flag) and demonyms map to an ISO country with type
    government; organizations keep the country the text gives them.
    """

    def __init__(
        self,
        doc: Doc,
        *,
        lexicon: dict[str, LexiconEntry],
        country_of: Callable[[str], str | None],
        toponyms: Sequence[Toponym] = (),
        dateline: tuple[int, int] | None = None,
    ) -> None:
        self.doc = doc
        # Character offsets of the dateline ("NAIROBI, Kenya (AP) —"), when ingest found one.
        self.dateline = dateline
        self.lexicon = lexicon
        self.country_of = country_of
        self.people = [e for e in doc_ents(doc) if e.label_ == "PERSON" and strip_titles(e.text)]
        self.groups = [e for e in doc_ents(doc) if e.label_ in {"ORG", "GPE", "NORP"}]
        self.toponyms = {(t.start, t.end): t for t in toponyms}
        # resolve() is a pure function of its span within one document: answers are kept.
        self._resolved: dict[tuple[int, int, int], ActorInfo] = {}
        # doc.ents are sorted and never overlap: their token bounds, for bisection.
        self._ents = doc_ents(doc)
        self._ent_starts = [e.start for e in self._ents]
        self._ent_ends = [e.end for e in self._ents]
        # The fullest mention of each surname is the canonical name of that person.
        self.canonical_by_surname: dict[str, str] = {}
        for ent in self.people:
            name = strip_possessive(strip_titles(ent.text))
            surname = name.split()[-1].lower() if name else ""
            if len(name) > len(self.canonical_by_surname.get(surname, "")):
                self.canonical_by_surname[surname] = name

    def person_name(self, text: str) -> str:
        name = strip_possessive(strip_titles(text))
        return self.canonical_by_surname.get(name.split()[-1].lower(), name) if name else text

    def _lexicon_entry(self, names: Sequence[str]) -> LexiconEntry | None:
        for name in names:
            key = strip_possessive(strip_titles(name)).lower()
            if key in self.lexicon:
                return self.lexicon[key]
            surname = key.split()[-1] if key else ""
            if surname in self.lexicon:
                return self.lexicon[surname]
        return None

    def _person(self, text: str) -> ActorInfo:
        name = self.person_name(text)
        entry = self._lexicon_entry([name])
        return ActorInfo(name, "person", entry.country if entry else None)

    def _antecedent(self, token: Token) -> ActorInfo | None:
        """Nearest compatible actor before a pronoun, within the last three sentences."""
        lower = token.lower_
        sents = doc_sents(self.doc)
        index = sentence_of(self.doc)[token.i]
        window_start = sents[max(0, index - 3)].start_char
        if lower in PERSON_PRONOUNS:
            before = [e for e in self.people if window_start <= e.start_char and e.end <= token.i]
            # Subjects are the likelier antecedents: prefer the last person in subject role.
            subjects = [e for e in before if e.root.dep_ in {"nsubj", "nsubjpass"}]
            chosen = (
                subjects[-1]
                if subjects and _sentences(subjects[-1]) == _sentences(before[-1])
                else (before[-1] if before else None)
            )
            return self._person(chosen.text) if chosen is not None else None
        if lower in GROUP_PRONOUNS:
            before = [e for e in self.groups if window_start <= e.start_char and e.end <= token.i]
            if lower == "it":
                before = [e for e in before if e.label_ in {"ORG", "GPE"}]
            # A dateline ("SEOUL —") names where the story was filed, not an actor.
            before = [e for e in before if not _is_dateline(e, self.dateline)]
            if not before:
                return None
            ent = before[-1]
            return self.resolve(ent.start, ent.end, ent.root.i)
        return None

    def _ents_within(self, start: int, end: int) -> list[Span]:
        """The entities inside tokens [start, end), in order: a run of the sorted,
        non-overlapping doc.ents from the first that starts at or after `start`."""
        out = []
        ends = self._ent_ends
        i = bisect.bisect_left(self._ent_starts, start)
        while i < len(ends) and ends[i] <= end:
            out.append(self._ents[i])
            i += 1
        return out

    def _toponym_of(self, span: Span) -> Toponym | None:
        return self.toponyms.get((span.start_char, span.end_char)) or self.toponyms.get(
            (span.start_char, span.start_char + len(strip_possessive(span.text)))
        )

    def resolve(self, start: int, end: int, head: int) -> ActorInfo:
        """Actor info for the token span [start, end) whose head token is `head`."""
        key = (start, end, head)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(start, end, head)
        return found

    def _resolve(self, start: int, end: int, head: int) -> ActorInfo:
        doc = self.doc
        starts, ends = token_bounds(doc)
        # Span.text, read off the document text (the tokenizer is lossless).
        span_text = doc_text(doc)[starts[start] : ends[end - 1]] if end > start else ""
        head_token = doc_tokens(doc)[head]
        ents = self._ents_within(start, end)
        head_ent = next((e for e in ents if e.start <= head < e.end), None)
        if head_token.pos_ == "PRON" or head_token.lower_ in PERSON_PRONOUNS:
            found = self._antecedent(head_token)
            return found if found is not None else ActorInfo(None, "pronoun", None)
        if head_ent is not None and head_ent.label_ == "PERSON":
            return self._person(head_ent.text)
        if head_ent is None:
            # "the national security adviser, Jake Sullivan": the apposed name is the actor.
            named = next(
                (
                    e
                    for e in ents
                    if e.label_ == "PERSON" and e.root.dep_ == "appos" and e.root.head.i == head
                ),
                None,
            )
            if named is not None:
                return self._person(named.text)
        if head_ent is not None and head_ent.label_ in {"GPE", "NORP"}:
            name = strip_possessive(head_ent.text)
            country = self.country_of(name)
            toponym = self._toponym_of(head_ent)
            if toponym is not None and toponym.place is not None and not country:
                country = toponym.place.country_code
            # A country, a demonym or a capital as an actor stands for its government.
            if country and (head_ent.label_ == "NORP" or self._is_state(name, toponym)):
                return ActorInfo(name, "government", country)
            return ActorInfo(name, "group" if head_ent.label_ == "NORP" else "place", country)
        entry = self._lexicon_entry([e.text for e in ents] + [span_text])
        if head_ent is not None and head_ent.label_ == "ORG":
            country = entry.country if entry else self._country_in(ents)
            if country is None:
                country = self._country_in_name(head_ent)
            return ActorInfo(
                strip_possessive(strip_titles(head_ent.text)),
                entry.type if entry else "organization",
                country,
            )
        country = self._country_in(ents) or (entry.country if entry else None)
        if head_token.lower_ in GOVERNMENT_NOUNS and country:
            return ActorInfo(span_text, "government", country)
        return ActorInfo(span_text, entry.type if entry else "other", country)

    def _is_state(self, name: str, toponym: Toponym | None) -> bool:
        if toponym is not None and toponym.metonymy:
            return True
        if toponym is not None and toponym.place is not None:
            return toponym.place.feature_code in COUNTRY_CODES or (
                toponym.place.feature_code == "PPLC"
            )
        return self.country_of(name) is not None and name.lower() not in _NOT_STATES

    def _country_in(self, ents: Sequence[Span]) -> str | None:
        for ent in ents:
            if ent.label_ in {"GPE", "NORP"}:
                country = self.country_of(strip_possessive(ent.text))
                if country:
                    return country
        return None

    def _country_in_name(self, ent: Span) -> str | None:
        """ "British Transport Police", "Chinese Foreign Ministry": a leading demonym."""
        first = ent[0]
        capitalized = first.pos_ in {"ADJ", "PROPN"} and first.text[:1].isupper()
        demonym = first.ent_type_ == "NORP" or first.lower_.endswith(("ese", "ish", "ian", "an"))
        if capitalized and demonym and len(ent) > 1:
            return self.country_of(first.text)
        return None


def _sentences(span: Span) -> tuple[int, int]:
    """The sentences span.sent covers (first, last), without building span.sent."""
    index = sentence_of(span.doc)
    return index[span.start], index[span.end - 1]


def _is_dateline(ent: Span, dateline: tuple[int, int] | None = None) -> bool:
    """Whether the entity is (part of) the dateline: it starts inside the dateline's
    offsets when they are known, else it opens the text and a dash follows it."""
    if dateline is not None and dateline[0] <= ent.start_char < dateline[1]:
        return True
    following = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    return ent.start <= 2 and following is not None and following.text in {"—", "–", "-", "--"}
