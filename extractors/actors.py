"""Extract stage: actor normalization within a document (canonical name, type, country)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

from spacy.tokens import Doc, Span

TITLES = frozenset(
    {
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "dr",
        "dr.",
        "sir",
        "president",
        "vice",
        "prime",
        "minister",
        "secretary",
        "former",
        "general",
        "gen.",
        "senator",
        "sen.",
        "rep.",
        "gov.",
        "governor",
        "mayor",
        "king",
        "queen",
        "prince",
        "chancellor",
        "premier",
        "chairman",
        "leader",
        "foreign",
        "defense",
        "defence",
        "state",
        "the",
        "deputy",
        "chief",
        "lt.",
        "col.",
        "adm.",
        "judge",
        "justice",
        "pope",
        "ambassador",
    }
)
GOVERNMENT_NOUNS = frozenset(
    {
        "administration",
        "government",
        "ministry",
        "minister",
        "ministers",
        "official",
        "officials",
        "diplomat",
        "diplomats",
        "president",
        "army",
        "military",
        "troops",
        "police",
        "forces",
        "embassy",
        "cabinet",
        "parliament",
        "regime",
        "authorities",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "negotiators",
        "envoy",
        "ambassador",
        "navy",
        "leadership",
        "state",
        "senate",
        "legislature",
        "court",
        "prosecutors",
    }
)
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})


@dataclass(frozen=True, slots=True)
class ActorInfo:
    canonical: str | None
    type: str  # person | government | organization | group | pronoun | other
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
    """Resolves argument spans of one document to canonical actors."""

    def __init__(
        self,
        doc: Doc,
        *,
        lexicon: dict[str, LexiconEntry],
        country_of: Callable[[str], str | None],
    ) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.country_of = country_of
        self.people = [e for e in doc.ents if e.label_ == "PERSON"]
        # The fullest mention of each surname is the canonical name of that person.
        self.canonical_by_surname: dict[str, str] = {}
        for ent in self.people:
            name = strip_titles(ent.text)
            surname = name.split()[-1].lower() if name else ""
            if len(name) > len(self.canonical_by_surname.get(surname, "")):
                self.canonical_by_surname[surname] = name

    def person_name(self, text: str) -> str:
        name = strip_titles(text)
        return self.canonical_by_surname.get(name.split()[-1].lower(), name) if name else text

    def _lexicon_entry(self, names: Sequence[str]) -> LexiconEntry | None:
        for name in names:
            key = strip_titles(name).lower()
            if key in self.lexicon:
                return self.lexicon[key]
            surname = key.split()[-1] if key else ""
            if surname in self.lexicon:
                return self.lexicon[surname]
        return None

    def _pronoun_antecedent(self, start_char: int) -> Span | None:
        before = [e for e in self.people if e.end_char <= start_char]
        return before[-1] if before else None

    def resolve(self, start: int, end: int, head: int) -> ActorInfo:
        """Actor info for the token span [start, end) whose head token is `head`."""
        doc = self.doc
        span = doc[start:end]
        head_token = doc[head]
        ents = [e for e in doc.ents if e.start >= start and e.end <= end]
        head_ent = next((e for e in ents if e.start <= head < e.end), None)
        if head_token.lower_ in PERSON_PRONOUNS:
            antecedent = self._pronoun_antecedent(head_token.idx)
            if antecedent is None:
                return ActorInfo(None, "pronoun", None)
            name = self.person_name(antecedent.text)
            entry = self._lexicon_entry([name])
            return ActorInfo(name, "person", entry.country if entry else None)
        if head_ent is not None and head_ent.label_ == "PERSON":
            name = self.person_name(head_ent.text)
            entry = self._lexicon_entry([name])
            return ActorInfo(name, "person", entry.country if entry else None)
        if head_ent is not None and head_ent.label_ in {"GPE", "NORP"}:
            name = strip_possessive(head_ent.text)
            country = self.country_of(name)
            return ActorInfo(name, "government" if country else "group", country)
        entry = self._lexicon_entry([e.text for e in ents] + [span.text])
        if head_ent is not None and head_ent.label_ == "ORG":
            country = entry.country if entry else self._country_in(ents)
            return ActorInfo(
                strip_titles(head_ent.text), entry.type if entry else "organization", country
            )
        country = self._country_in(ents) or (entry.country if entry else None)
        if head_token.lower_ in GOVERNMENT_NOUNS and country:
            return ActorInfo(span.text, "government", country)
        if head_token.pos_ == "PRON":
            return ActorInfo(None, "pronoun", None)
        return ActorInfo(span.text, entry.type if entry else "other", country)

    def _country_in(self, ents: Sequence[Span]) -> str | None:
        for ent in ents:
            if ent.label_ in {"GPE", "NORP"}:
                country = self.country_of(strip_possessive(ent.text))
                if country:
                    return country
        return None
