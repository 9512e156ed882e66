"""Events stage: a frame's participants: the actor, target and object of a verb or event noun,
resolved through relative pronouns, control verbs and conjunctions; tokens of the dateline
are masked out."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from extractors.lexicons import words
from extractors.nlp import (
    children,
    doc_cache_key,
    doc_text,
    doc_tokens,
    subtree_indices,
    token_bounds,
)
from extractors.nlp import head as head_of
from extractors.syntax import REQUEST_LEMMAS

SUBJECT_DEPS = frozenset({"nsubj", "csubj"})


PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})


OBJECT_DEPS = frozenset({"dobj", "obj"})


# Prepositions whose object is the target when the verb has no direct object.
VERB_TARGET_PREPS = frozenset({"with", "against", "to", "toward", "towards", "at"})


OBJECT_TARGET_PREPS = words("events", "object_target_preps")


# Entity types that are quantities or times, never participants ("on Thursday", "by 5%").
NOT_PARTICIPANT_ENTS = frozenset(
    {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}
)


RELATIVE_PRONOUNS = frozenset({"which", "that", "who", "whom"})


# Pronouns that point at a stretch of text, not at a participant: "dealt with this".
DEMONSTRATIVE_PRONOUNS = frozenset({"this", "that"})


ROLE_NOUNS = words("events", "role_nouns")


# Modifiers cut from an argument's span: they describe it but are not the argument.
TRIM_DEPS = frozenset({"relcl", "acl", "punct", "advcl", "cc", "prep"})


@dataclass(frozen=True, slots=True)
class Argument:
    """An actor or target: its span in the text plus its head token index."""

    start: int  # token index, inclusive
    end: int  # token index, exclusive
    head: int
    start_char: int
    end_char: int
    text: str


def argument(doc: Doc, head: Token) -> Argument:
    """The phrase headed by `head`, without relative clauses and trailing modifiers."""
    return _argument(doc, head)


def _argument(doc: Doc, head: Token) -> Argument:
    kept = {head.i}
    lemma = head.lemma_.lower()
    for child in children(head):
        if child.dep_ in TRIM_DEPS and not (
            (child.dep_ == "prep" and child.lower_ == "of" and head.pos_ in {"NOUN", "NUM"})
            or (child.dep_ == "prep" and child.lower_ in {"to", "for"} and lemma in ROLE_NOUNS)
            or (child.dep_ == "acl" and lemma in INTENT_NOUNS and _is_infinitive(child))
        ):
            # "the makers of Toblerone", "an aide to Clinton", "a decision to cut the bars"
            # keep the phrase that says whose or what.
            continue
        if child.dep_ == "appos" and head.ent_type_ != "":
            continue  # "Kim Jong-un, the leader of North Korea": the name is the argument
        kept.update(subtree_indices(child))
    # Hyphens and appositive commas sit between kept tokens: keep them too.
    low, high = min(kept), max(kept)
    kept.update(c.i for c in children(head) if c.dep_ == "punct" and low < c.i < high)
    start = end = head.i
    while start - 1 in kept:
        start -= 1
    while end + 1 in kept:
        end += 1
    tokens = doc_tokens(doc)
    while start < end and (tokens[start].is_punct or tokens[start].is_space):
        start += 1
    while end > start and (
        tokens[end].is_punct
        or tokens[end].is_space
        or tokens[end].dep_ == "case"
        or tokens[end].pos_ == "ADP"
    ):
        end -= 1  # a preposition whose object the parser hung elsewhere ends nothing
    starts, ends = token_bounds(doc)
    start_char, end_char = starts[start], ends[end]
    # Span.text, read off the document text (the tokenizer is lossless).
    return Argument(
        start, end + 1, head.i, start_char, end_char, doc_text(doc)[start_char:end_char]
    )


def _conjuncts(token: Token) -> list[Token]:
    return [token, *(t for t in token.conjuncts if t.i > token.i)]


_MASK_KEY = doc_cache_key("masked_tokens")


def _masked(token: Token) -> bool:
    """Whether the token lies in a part of the text that names no participant (a dateline,
    "NAIROBI, Kenya (AP) —"): see `frames`' `masked` argument."""
    found = token.doc.user_data.get(_MASK_KEY)
    return found is not None and found[0] <= token.i < found[1]


def _own_subject(verb: Token) -> tuple[Token | None, bool]:
    """(subject head, is_passive_agent) read directly off the verb."""
    for child in children(verb):
        if child.dep_ == "agent":
            pobj = next((c for c in children(child) if c.dep_ == "pobj"), None)
            if pobj is not None and not _masked(pobj):
                return pobj, True
    subjects = [c for c in children(verb) if c.dep_ in SUBJECT_DEPS and not _masked(c)]
    if len(subjects) > 1:
        # Two subjects are a misparse, as a caption credit or a split noun phrase before
        # the subject ("(Jane Doe/Reuters) Hillary Clinton blamed", "An aide to ...
        # Clinton has blamed"): the one next to the verb is kept.
        before = [c for c in subjects if c.i < verb.i]
        return (before[-1] if before else subjects[0]), False
    return (subjects[0], False) if subjects else (None, False)


def _controller(verb: Token) -> Token | None:
    """Subject inherited by a verb without its own: conjoined or controlled clauses."""
    head = head_of(verb)
    if head.i == verb.i:
        return None
    if verb.dep_ == "conj" and head.pos_ in {"VERB", "AUX"}:
        subject, _ = _own_subject(head)
        return subject if subject is not None else _controller(head)
    if verb.dep_ in {"xcomp", "advcl"} and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in children(verb)
    ):
        # Object control ("drove Trump to declare"), else subject control ("plans to visit").
        # "V NP to VP" is object control in English, "promise" being the exception.
        obj = next((c for c in children(head) if c.dep_ in OBJECT_DEPS), None)
        if obj is None and head.lemma_ in REQUEST_LEMMAS:
            obj = _prep_object(head, REQUESTEE_PREPS)  # "called on the government to act"
        if obj is not None and head.lemma_ != "promise" and obj.i < verb.i:
            return obj
        patient = _passive_subject(head)
        if patient is not None:
            return patient  # "the talks were expected to produce a deal": the talks do
        subject, _ = _own_subject(head)
        return subject if subject is not None else _controller(head)
    if (
        verb.dep_ == "advcl"
        and verb.tag_ == "VBG"
        and head.pos_ in {"VERB", "AUX"}
        and not any(c.dep_ == "mark" for c in children(verb))
    ):
        # "A bomber rammed the wall, killing four": the participle's doer is the subject
        # of the clause it hangs off (a passive one's by-agent; "after X did Y" has a mark
        # and is left alone).
        subject, _ = _own_subject(head)
        return subject if subject is not None else _controller(head)
    if verb.dep_ in {"relcl", "acl"} and head.pos_ in {"NOUN", "PROPN", "PRON"}:
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in children(verb)):
            # "attempts by the administration to open": the nominal's by-phrase acts.
            return _prep_object(head, frozenset({"by"}))
        # "officials who met X": the modified noun is the subject unless the clause has one.
        if verb.tag_ != "VBN" and not any(c.dep_ in SUBJECT_DEPS for c in children(verb)):
            return head
    return None


def _passive_subject(verb: Token) -> Token | None:
    return next(
        (c for c in children(verb) if c.dep_ in PASSIVE_SUBJECT_DEPS and not _masked(c)), None
    )


def _prep_object(token: Token, preps: frozenset[str]) -> Token | None:
    for child in children(token):
        if child.dep_ == "prep" and child.lower_ in preps:
            pobj = next((c for c in children(child) if c.dep_ == "pobj" and not _masked(c)), None)
            if pobj is not None:
                return pobj
    return None


def _is_named(token: Token) -> bool:
    if token.ent_type_ in NOT_PARTICIPANT_ENTS:
        return False  # "signed an agreement on Thursday": a date, not whom it was signed with
    return token.pos_ in {"PROPN", "PRON"} or token.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"}


def _referent(token: Token | None) -> Token | None:
    """What an argument token stands for: a relative pronoun's antecedent ("the deal, which
    Beijing signed": the deal), None for a relative pronoun the parse gives no antecedent
    ("which is why") and for a demonstrative pronoun ("dealt with this"), else the token."""
    if token is None:
        return None
    lower = token.lower_
    if lower in RELATIVE_PRONOUNS and token.tag_ in {"WDT", "WP"}:
        clause = head_of(token)
        for _ in range(4):
            if clause.dep_ == "relcl":
                antecedent = head_of(clause)
                return antecedent if antecedent.pos_ in {"NOUN", "PROPN", "PRON"} else None
            if head_of(clause).i == clause.i:
                break
            clause = head_of(clause)
        return None
    if lower in DEMONSTRATIVE_PRONOUNS and token.pos_ in {"PRON", "DET", "SCONJ"}:
        return None
    return token


def _targets(verb: Token, passive: bool) -> list[tuple[Token, Token | None]]:
    """(target head, thing-object head) pairs, one per conjunct."""
    if passive:
        subject = _passive_subject(verb)
        if subject is None and verb.dep_ == "acl" and head_of(verb).pos_ in {"NOUN", "PROPN"}:
            subject = head_of(verb)  # "the threat posed by X": the noun is what X poses
        return [(t, None) for t in _conjuncts(subject)] if subject is not None else []
    obj = next((c for c in children(verb) if c.dep_ in OBJECT_DEPS and not _masked(c)), None)
    if obj is not None:
        if not _is_named(obj):
            # "issued sanctions against Beijing": Beijing is the target, sanctions the thing.
            recipient = _prep_object(obj, OBJECT_TARGET_PREPS)
            if recipient is None:
                recipient = _prep_object(verb, VERB_TARGET_PREPS - {"to", "at"})
            if recipient is not None and _is_named(recipient):
                return [(t, o) for o in _conjuncts(obj) for t in _conjuncts(recipient)]
        return [(t, None) for t in _conjuncts(obj)]
    pobj = _prep_object(verb, VERB_TARGET_PREPS)
    if pobj is None:
        return []
    prep = head_of(pobj).lower_
    if prep in {"to", "at"} and (pobj.ent_type_ in {"GPE", "LOC", "FAC"} or not _is_named(pobj)):
        return []  # "went to Paris", "at the meeting": a place or a setting, not a target
    return [(t, None) for t in _conjuncts(pobj)]


def mask_tokens(doc: Doc, masked: tuple[int, int] | None) -> None:
    """Mark the tokens within character offsets `masked` as naming no participant."""
    if masked is None or masked[1] <= masked[0]:
        doc.user_data.pop(_MASK_KEY, None)
        return
    starts, _ = token_bounds(doc)
    first = bisect.bisect_left(starts, masked[0])
    last = bisect.bisect_left(starts, masked[1])
    doc.user_data[_MASK_KEY] = (first, last)


INTENT_NOUNS = words("events", "intent_nouns")


def _is_infinitive(verb: Token) -> bool:
    return verb.dep_ in {"xcomp", "advcl", "acl", "relcl"} and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in children(verb)
    )


# Prepositions that introduce whom a request is made of: "called on", "appealed to",
# "pleaded with".
REQUESTEE_PREPS = frozenset({"on", "upon", "to", "with"})
