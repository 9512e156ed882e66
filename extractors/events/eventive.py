"""Events stage: which frames state a happening (`not_event` says why one does not).

A frame read off the parse is an event only when its predicate is an eventive verb (or event
noun) in a clause that states, reports or plans a happening. What is left out, by kind:

- purpose: a to-infinitive that says what another action was for ("fired tear gas to
  restore calm") or what a noun is for ("efforts to boost trade"); a noun of intent
  ("a decision to cut the bars") plans its infinitive and a causative verb ("drove Trump
  to declare") brings it about, so those stay;
- modifier: a participle modifying a noun ("tents occupied by pilgrims", "a ship carrying
  aid") and a present-tense relative clause, which describes rather than reports
  ("athletes who build muscle");
- state: verbs of state and stance (configs/lexicons/events.toml `stative_lemmas`: "knew",
  "I feel", "was braced for"), and copular verbs of appearance with a complement ("appeared
  thrilled");
- statistic: verbs that give a quantity's level (`statistic_lemmas`: "the ratio stood at");
- noun: a word the tagger took for a verb although it takes a determiner or a possessive
  ("the suspect", "its record high").

These classes are read from syntax (dependency labels, tags, morphology) and from verb
classes kept as data, never from a document's words.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from extractors.events.arguments import INTENT_NOUNS, _is_infinitive
from extractors.events.frames import Frame
from extractors.lexicons import words
from extractors.nlp import children, doc_tokens
from extractors.nlp import head as head_of

STATIVE_LEMMAS = words("events", "stative_lemmas")
# "drove Trump to declare his love": the infinitive of a causative verb happened.
CAUSATIVE_LEMMAS = words("events", "causative_lemmas")
STATISTIC_LEMMAS = words("events", "statistic_lemmas")
APPEARANCE_LEMMAS = words("events", "appearance_lemmas")
# Dependents only a noun takes: a verb has no determiner or possessor.
NOUN_ONLY_DEPS = frozenset({"det", "poss"})
# Prepositions before a level: "stood at 4.5 percent", "ranges from 50 to 100".
LEVEL_PREPS = frozenset({"at", "to", "from", "around", "about", "near"})


def not_event(doc: Doc, frame: Frame) -> str | None:
    """Why the frame states no happening ("purpose", "modifier", "state", "statistic",
    "noun"), or None when it is an event."""
    if frame.nominal:
        return None  # an event noun of the lexicon with a participant or a place
    verb = doc_tokens(doc)[frame.predicate]
    if verb.pos_ != "VERB":
        return None  # a copula's eventive state ("five people are dead")
    lemma = verb.lemma_.lower()
    if any(c.dep_ in NOUN_ONLY_DEPS for c in children(verb)):
        return "noun"
    if _is_infinitive(verb) and verb.dep_ in {"advcl", "acl"}:
        head = head_of(verb)
        kept_by = INTENT_NOUNS if verb.dep_ == "acl" else CAUSATIVE_LEMMAS
        if head.lemma_.lower() not in kept_by:
            return "purpose"
    if verb.dep_ == "acl" and verb.tag_ in {"VBN", "VBG"} and not _predicative(head_of(verb)):
        return "modifier"
    if verb.dep_ == "relcl" and _simple_present(verb) and _describes(verb):
        return "modifier"
    if lemma in STATIVE_LEMMAS:
        return "state"
    if lemma in APPEARANCE_LEMMAS and any(c.dep_ in {"acomp", "attr"} for c in children(verb)):
        return "state"
    if lemma in STATISTIC_LEMMAS and _gives_level(verb):
        return "statistic"
    return None


def _predicative(noun: Token) -> bool:
    """Whether a participle on this noun is the sentence's predicate: the noun is the root
    (the parser missed the verb: "A bus overturned near Springfield on Monday.") or what
    an existential names ("There were eight women and four men injured.")."""
    for _ in range(6):  # from the last conjunct, where the parser hangs it, to the first
        if noun.dep_ not in {"conj", "appos"} or head_of(noun).i == noun.i:
            break
        noun = head_of(noun)
    if noun.dep_ == "ROOT":
        return True
    head = head_of(noun)
    return (
        noun.dep_ in {"attr", "nsubj"}
        and head.lemma_ == "be"
        and any(c.dep_ == "expl" for c in children(head))
    )


def _simple_present(verb: Token) -> bool:
    """A finite present-tense verb with no auxiliary: "who build muscle", "which makes"."""
    return verb.tag_ in {"VBP", "VBZ"} and not any(
        c.dep_ in {"aux", "auxpass"} for c in children(verb)
    )


def _describes(verb: Token) -> bool:
    """Whether a relative clause describes its noun through a relative pronoun ("who",
    "which", "that"), unlike one of time or place ("in Anchorage, when X meet Y"), which
    says what happens there."""
    return not any(c.tag_ == "WRB" for c in children(verb))


def _gives_level(verb: Token) -> bool:
    """Whether the verb states a level: a quantity follows, as its object or after "at"
    ("stood at 4.5 percent", "totalled 300 million"; not "stood at the podium")."""
    for child in children(verb):
        if child.dep_ == "prep" and child.lower_ in LEVEL_PREPS:
            child = next((g for g in children(child) if g.dep_ == "pobj"), child)
        elif child.dep_ not in {"dobj", "npadvmod", "attr"} or child.dep_ == "prep":
            continue
        if child.like_num or any(
            g.like_num or g.dep_ in {"nummod", "quantmod"} for g in children(child)
        ):
            return True
    return False
