"""Events stage: what the headline says: its content lemmas, main predicates, subjects and
setting, which name the article's main event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from extractors.events.types import EventTypes
from extractors.places.names import Toponym
from extractors.places.resolve import PlaceResolver
from extractors.places.setting import setting_name


@dataclass(frozen=True, slots=True)
class Headline:
    """Content lemmas of a headline, the lemmas of its predicates and of its subject."""

    words: frozenset[str]
    predicates: frozenset[str]
    subjects: frozenset[str]
    toponyms: tuple[Toponym, ...] = ()
    doc: Doc | None = None  # the parsed headline
    setting: Toponym | None = None  # "... at the White House": offsets into the headline
    # Lemmas of the main clause's predicate(s) ("Fans outraged after X changes Y": outrage),
    # with their word families (see EVENT_FAMILIES).
    main: frozenset[str] = frozenset()
    # Event types of the main predicates (typed by the event lexicon, "other" left out).
    types: frozenset[str] = frozenset()
    # Lemmas of verbs in an adverbial clause ("... after changing its shape", "as tram
    # derails"): the main event's circumstances, not the main event.
    circumstances: frozenset[str] = frozenset()


def content_lemmas(tokens: Iterable[Token]) -> Iterator[str]:
    """Lower-case lemmas of the content words among tokens (no stopwords or punctuation)."""
    for token in tokens:
        if token.is_stop or token.is_punct or token.is_space or not token.text.strip():
            continue
        if token.pos_ in {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}:
            yield token.lemma_.lower()
            if token.pos_ == "PROPN":
                yield token.lower_


# Words of one event that headlines and text swap for each other ("Seven dead" for "seven
# people were killed"): a headline word stands for the others of its family.
EVENT_FAMILIES = (
    frozenset({"kill", "die", "dead", "death", "fatal"}),
    frozenset({"injure", "injured", "wound", "wounded", "hurt"}),
    frozenset({"win", "victory", "champion", "clinch", "triumph", "beat"}),
    frozenset({"arrest", "detain", "hold", "custody"}),
    frozenset({"outrage", "anger", "angry", "fury", "furious", "outraged", "backlash"}),
)


_FAMILY_OF = {word: family for family in EVENT_FAMILIES for word in family}


def with_families(words: Iterable[str]) -> set[str]:
    """Words plus the other members of their families (see EVENT_FAMILIES)."""
    out = set(words)
    for word in list(out):
        family = _FAMILY_OF.get(word)
        if family is not None:
            out |= family
    return out


HEADLINE_VERB_TAGS = frozenset({"VBZ", "VBD", "VBN", "VBP"})


SKIP_HEADLINE_LEMMAS = frozenset({"be", "have", "do"})


def read_headline(
    title: str | None, parsed: Doc | None, *, event_types: EventTypes, places: PlaceResolver
) -> Headline:
    """The headline's content lemmas and main clause: it names the main event."""
    if not title or parsed is None:
        return Headline(frozenset(), frozenset(), frozenset())
    roots = [t for t in parsed if t.dep_ == "ROOT"]
    # Headlinese tags verbs as nouns often enough ("Trump meets Obama"), so the root's
    # conjuncts and any verb of the headline count as its predicates.
    main = {t.lemma_.lower() for r in roots for t in [r, *r.conjuncts]}
    # "Seven killed as ...", "Fans outraged after ...": a participle left of the root
    # that heads the first clause is the headline's main predicate too.
    main |= {
        t.lemma_.lower()
        for r in roots
        for t in r.children
        if t.i < r.i and t.tag_ == "VBN" and t.dep_ in {"acl", "amod", "ccomp", "advcl"}
    }
    # Headlines put their main predicate first, and their parse is often wrong: the
    # first finite verb or participle (after a "Topic:" label) counts as main too.
    colon = next((t.i for t in parsed if t.text == ":"), -1)
    first = next(
        (
            t
            for t in parsed
            if t.i > colon and t.pos_ in {"VERB", "AUX"} and t.tag_ in HEADLINE_VERB_TAGS
        ),
        None,
    )
    if first is not None and first.lemma_.lower() not in SKIP_HEADLINE_LEMMAS:
        main.add(first.lemma_.lower())
    main = {lemma for lemma in main if lemma[:1].isalnum()}  # not a stray quote mark
    predicates = main | {t.lemma_.lower() for t in parsed if t.pos_ == "VERB"}
    circumstances = {
        t.lemma_.lower()
        for t in parsed
        if t.pos_ == "VERB" and any(a.dep_ in {"advcl", "pcomp"} for a in [t, *t.ancestors])
    } - main
    types = {
        event_types.type_of(lemma, nominal=t.pos_ == "NOUN")
        for r in roots
        for t in [r, *r.conjuncts]
        for lemma in [t.lemma_.lower()]
    } - {"other"}
    subjects = {
        w
        for r in roots
        for c in r.children
        if c.dep_ in {"nsubj", "nsubjpass"}
        for w in content_lemmas(c.subtree)
    }
    return Headline(
        frozenset(content_lemmas(parsed)),
        frozenset(predicates),
        frozenset(subjects),
        tuple(places.toponyms(parsed)),
        parsed,
        setting_name(parsed, parsed),
        frozenset(with_families(main)),
        frozenset(types),
        frozenset(circumstances),
    )
