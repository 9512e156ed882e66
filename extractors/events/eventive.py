"""Events stage: which frames state a happening (`not_event` says why one does not).

A frame read off the parse is an event only when its predicate is an eventive verb (or event
noun) in a clause that states, reports or plans a happening. What is left out, by kind:

- purpose: a to-infinitive that says what another action was for ("fired tear gas to
  restore calm") or what a noun is for ("efforts to boost trade"); a noun of intent
  ("a decision to cut the bars") plans its infinitive and a causative verb ("drove Trump
  to declare") brings it about, so those stay;
- modifier: a participle modifying a noun ("tents occupied by pilgrims", "a ship carrying
  aid"), a relative clause, which describes its noun ("athletes who build muscle", "the
  substance which killed him"; not one of time: "when they meet"), and a gerund naming a
  noun's topic ("talks on forming a government");
- state: verbs of state and stance (configs/lexicons/events.toml `stative_lemmas`: "knew",
  "I feel", "was braced for"), verbs of appearance with a complement ("appeared thrilled",
  "appeared to prefer"), and the simple present of any verb but saying and asking ("Russia
  opposes the bid": news tells its happenings in the past and perfect);
- statistic: verbs that give a quantity's level (`statistic_lemmas`: "the ratio stood at");
- noun: a word the tagger took for a verb although it takes a determiner or a possessive
  ("the suspect", "its record high").

A complement of a purpose or a modifier is one too ("to help restore the innings"). These
classes are read from syntax (dependency labels, tags, morphology) and from verb
classes kept as data, never from a document's words.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from extractors.events.arguments import INTENT_NOUNS, _is_infinitive
from extractors.events.frames import Frame
from extractors.events.modality import REPORTING_LEMMAS
from extractors.lexicons import words
from extractors.nlp import children, doc_tokens
from extractors.nlp import head as head_of
from extractors.syntax import REQUEST_LEMMAS

STATIVE_LEMMAS = words("events", "stative_lemmas")
# "drove Trump to declare his love": the infinitive of a causative verb happened.
CAUSATIVE_LEMMAS = words("events", "causative_lemmas")
STATISTIC_LEMMAS = words("events", "statistic_lemmas")
APPEARANCE_LEMMAS = words("events", "appearance_lemmas")
# Dependents only a noun takes: a verb has no determiner or possessor.
NOUN_ONLY_DEPS = frozenset({"det", "poss"})
# Subordinators of a purpose or result clause: "so we can focus on the economy".
PURPOSE_MARKS = frozenset({"so"})
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
    reason = _clause_reason(verb)
    if reason is not None:
        return reason
    if lemma in STATIVE_LEMMAS:
        return "state"
    if lemma in APPEARANCE_LEMMAS and any(
        c.dep_ in {"acomp", "attr", "xcomp"} for c in children(verb)
    ):
        return "state"  # "appeared thrilled", "appeared to prefer"
    if (
        _simple_present(verb)
        and lemma not in REPORTING_LEMMAS | REQUEST_LEMMAS
        and not _subordinate(verb)
    ):
        # News tells happenings in the past or perfect; the simple present states what
        # holds ("Russia opposes the bid", "the credit carries a grace period"). Sayings
        # ("says"), requests ("calls on") and a time or condition ahead ("when the talks
        # open") are the exception.
        return "state"
    if lemma in STATISTIC_LEMMAS and _gives_level(verb):
        return "statistic"
    return None


def _clause_reason(verb: Token) -> str | None:
    """Why the verb's clause, by its relation to the sentence, states no happening: a
    purpose, a modifier of a noun, or a clause that a verb's complement of one of those
    inherits ("to help restore the innings": restore serves the purpose too)."""
    for _ in range(4):
        head = head_of(verb)
        if _is_infinitive(verb) and verb.dep_ in {"advcl", "acl"}:
            kept_by = INTENT_NOUNS if verb.dep_ == "acl" else CAUSATIVE_LEMMAS
            if head.lemma_.lower() not in kept_by:
                return "purpose"
        if verb.dep_ == "advcl" and any(
            c.dep_ == "mark" and c.lower_ in PURPOSE_MARKS for c in children(verb)
        ):
            return "purpose"  # "so we can focus on the economy"
        if verb.dep_ == "acl" and verb.tag_ in {"VBN", "VBG"} and not _predicative(head):
            return "modifier"
        if verb.dep_ == "relcl" and not _temporal(verb):
            return "modifier"  # "the substance which killed Litvinenko"
        if verb.dep_ == "pcomp" and verb.tag_ == "VBG" and head_of(head).pos_ in {"NOUN", "ADJ"}:
            return "modifier"  # "talks on forming a government": the topic of a noun
        if verb.dep_ != "xcomp" or head.i == verb.i or head.pos_ not in {"VERB", "AUX"}:
            return None
        verb = head
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


def _subordinate(verb: Token) -> bool:
    """Whether the clause is introduced by a subordinator ("when", "if", "after")."""
    return any(c.dep_ == "mark" or c.tag_ == "WRB" for c in children(verb))


def _temporal(verb: Token) -> bool:
    """Whether a relative clause tells when its noun's time comes ("on Thursday and
    Friday in Anchorage, when X meet Y"): what happens then, not a description."""
    return any(c.tag_ == "WRB" and c.lower_ == "when" for c in children(verb))


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
