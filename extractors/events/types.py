"""Events stage: the event-type lexicon (configs/event_types.toml): lemma -> PLOVER-style
type -> quad class.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class EventTypes:
    """The event type lexicon: lemma -> type, type -> quad class, and the event nouns."""

    verbs: dict[str, str]
    nouns: dict[str, str]
    quad: dict[str, str]
    # Verb lemmas of more than one word ("call on", "back down"), for `frames`.
    phrasal: frozenset[str] = frozenset()

    def type_of(self, lemma: str, *, nominal: bool = False) -> str:
        """PLOVER-style type of a lemma; "other" when the lexicon does not list it."""
        lemma = lemma.removeprefix("not ")
        table = self.nouns if nominal else self.verbs
        return table.get(lemma, "other")

    def quad_of(self, event_type: str) -> str:
        return self.quad.get(event_type, "other")


def load_event_types() -> EventTypes:
    """The event type lexicon from configs/event_types.toml.

    Raises:
        ValueError: a type without a quad class, or a quad class for an unknown type.
    """
    text = resources.files("configs").joinpath("event_types.toml").read_text("utf-8")
    data = tomllib.loads(text)
    verbs = {lemma: etype for etype, lemmas in data["types"].items() for lemma in lemmas}
    nouns = {lemma: etype for etype, lemmas in data.get("nouns", {}).items() for lemma in lemmas}
    quad = dict(data.get("quad", {}))
    types = set(data["types"]) | set(data.get("nouns", {}))
    if missing := types - set(quad):
        raise ValueError(f"event_types.toml: no [quad] class for {sorted(missing)}")
    if unknown := set(quad) - types:
        raise ValueError(f"event_types.toml: [quad] names unknown types {sorted(unknown)}")
    return EventTypes(verbs, nouns, quad, frozenset(v for v in verbs if " " in v))
