"""Extract stage: event frames (who did what to whom) from spaCy's dependency parse.

A frame is built around a verb: its actor (the subject, or the by-agent of a passive), its
target (the direct object, or the object of with/against/to for verbs that take one), and the
clause's negation and modality. Places and dates are attached later by `attach` from the
document's toponyms and time expressions, preferring those tied to the clause.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
OBJECT_DEPS = frozenset({"dobj", "obj"})
# Prepositions whose object is the target when the verb has no direct object.
VERB_TARGET_PREPS = frozenset({"with", "against", "to", "toward", "towards", "at"})
# Prepositions on a thing-object that name the real target: "sanctions against Beijing".
OBJECT_TARGET_PREPS = frozenset({"against", "on", "with", "to", "for", "toward", "towards", "at"})
# Clause relations whose verbs can head their own event.
CLAUSE_DEPS = frozenset(
    {"ROOT", "conj", "ccomp", "xcomp", "advcl", "relcl", "acl", "pcomp", "csubj", "parataxis"}
)
SKIP_LEMMAS = frozenset({"be", "have", "do", "get", "seem", "become", "remain"})
REPORTING_LEMMAS = frozenset(
    {
        "say",
        "tell",
        "announce",
        "report",
        "claim",
        "state",
        "add",
        "note",
        "suggest",
        "acknowledge",
        "insist",
        "argue",
        "confirm",
        "deny",
        "explain",
        "write",
        "declare",
        "warn",
        "assert",
        "believe",
        "think",
        "predict",
        "allege",
        "indicate",
        "reveal",
    }
)
PLANNING_LEMMAS = frozenset(
    {
        "plan",
        "intend",
        "expect",
        "aim",
        "hope",
        "want",
        "seek",
        "schedule",
        "prepare",
        "vow",
        "pledge",
        "promise",
        "agree",
        "decide",
        "threaten",
        "try",
        "attempt",
        "propose",
    }
)
FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo"})
HYPOTHETICAL_AUX = frozenset({"would", "could", "might", "may", "should", "can", "ca"})
HYPOTHETICAL_MARKS = frozenset({"if", "unless", "whether"})
DENIAL_LEMMAS = frozenset({"deny", "refuse", "reject"})
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


@dataclass(frozen=True, slots=True)
class Frame:
    """One event frame as read off the parse, before places and dates are attached."""

    sentence_index: int
    predicate: int  # token index of the verb
    predicate_text: str
    predicate_lemma: str
    predicate_start_char: int
    predicate_end_char: int
    actor: Argument | None
    target: Argument | None
    object: Argument | None  # a thing-object when the target is named elsewhere
    negated: bool
    modality: str  # asserted | planned | hypothetical | reported
    tense: str  # past | present | future
    clause_start: int  # token span of the clause (the verb's subtree)
    clause_end: int


def argument(doc: Doc, head: Token) -> Argument:
    """The phrase headed by `head`, without relative clauses and trailing modifiers."""
    kept = {head.i}
    for child in head.children:
        if child.dep_ in TRIM_DEPS:
            continue
        if child.dep_ == "appos" and head.ent_type_ != "":
            continue  # "Kim Jong-un, the leader of North Korea": the name is the argument
        kept.update(t.i for t in child.subtree)
    # Hyphens and appositive commas sit between kept tokens: keep them too.
    low, high = min(kept), max(kept)
    kept.update(c.i for c in head.children if c.dep_ == "punct" and low < c.i < high)
    start = end = head.i
    while start - 1 in kept:
        start -= 1
    while end + 1 in kept:
        end += 1
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end].is_punct or doc[end].is_space or doc[end].dep_ == "case"):
        end -= 1
    span = doc[start : end + 1]
    return Argument(start, end + 1, head.i, span.start_char, span.end_char, span.text)


def _conjuncts(token: Token) -> list[Token]:
    return [token, *(t for t in token.conjuncts if t.i > token.i)]


def _own_subject(verb: Token) -> tuple[Token | None, bool]:
    """(subject head, is_passive_agent) read directly off the verb."""
    for child in verb.children:
        if child.dep_ == "agent":
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj, True
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            return child, False
    return None, False


def _controller(verb: Token) -> Token | None:
    """Subject inherited by a verb without its own: conjoined or controlled clauses."""
    head = verb.head
    if head.i == verb.i:
        return None
    if verb.dep_ == "conj" and head.pos_ in {"VERB", "AUX"}:
        subject, _ = _own_subject(head)
        return subject if subject is not None else _controller(head)
    if verb.dep_ in {"xcomp", "advcl"} and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in verb.children
    ):
        # Object control ("drove Trump to declare"), else subject control ("plans to visit").
        obj = next((c for c in head.children if c.dep_ in OBJECT_DEPS), None)
        if obj is not None and obj.pos_ in {"PROPN", "PRON"} or (obj is not None and obj.ent_type_):
            return obj
        subject, _ = _own_subject(head)
        return subject if subject is not None else _controller(head)
    if verb.dep_ in {"relcl", "acl"} and head.pos_ in {"NOUN", "PROPN", "PRON"}:
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
            # "attempts by the administration to open": the nominal's by-phrase acts.
            return _prep_object(head, frozenset({"by"}))
        # "officials who met X": the modified noun is the subject unless the clause has one.
        if verb.tag_ != "VBN" and not any(c.dep_ in SUBJECT_DEPS for c in verb.children):
            return head
    return None


def _passive_subject(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ in PASSIVE_SUBJECT_DEPS), None)


def _prep_object(token: Token, preps: frozenset[str]) -> Token | None:
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in preps:
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    return None


def _is_named(token: Token) -> bool:
    return token.pos_ in {"PROPN", "PRON"} or token.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"}


def _targets(verb: Token, passive: bool) -> list[tuple[Token, Token | None]]:
    """(target head, thing-object head) pairs, one per conjunct."""
    if passive:
        subject = _passive_subject(verb)
        if subject is None and verb.dep_ == "acl" and verb.head.pos_ in {"NOUN", "PROPN"}:
            subject = verb.head  # "the threat posed by X": the noun is what X poses
        return [(t, None) for t in _conjuncts(subject)] if subject is not None else []
    obj = next((c for c in verb.children if c.dep_ in OBJECT_DEPS), None)
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
    prep = pobj.head.lower_
    if prep in {"to", "at"} and (pobj.ent_type_ in {"GPE", "LOC", "FAC"} or not _is_named(pobj)):
        return []  # "went to Paris", "at the meeting": a place or a setting, not a target
    return [(t, None) for t in _conjuncts(pobj)]


def _predicate_tokens(verb: Token) -> list[Token]:
    keep = {"aux", "auxpass", "neg", "prt"}
    return sorted([verb, *(c for c in verb.children if c.dep_ in keep)], key=lambda t: t.i)


def _tense(verb: Token) -> str:
    auxes = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
    if any(a.lower_ in FUTURE_AUX for a in auxes):
        return "future"
    if any(a.lower_ == "going" for a in auxes) or (
        verb.dep_ == "xcomp" and verb.head.lower_ == "going"
    ):
        return "future"
    if verb.tag_ in {"VBD", "VBN"} or any(a.tag_ in {"VBD"} for a in auxes):
        return "past"
    if any(a.lemma_ == "have" for a in auxes):
        return "past"
    return "present"


def _modality(verb: Token) -> str:
    auxes = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
    marks = {c.lower_ for c in verb.children if c.dep_ == "mark"}
    if marks & HYPOTHETICAL_MARKS or any(a.lower_ in HYPOTHETICAL_AUX for a in auxes):
        return "hypothetical"
    if any(a.lower_ in FUTURE_AUX for a in auxes):
        return "planned"
    head = verb.head
    if verb.dep_ in {"ccomp", "parataxis"} and head.lemma_ in REPORTING_LEMMAS:
        return "reported"
    if verb.dep_ == "xcomp" and head.lemma_ in PLANNING_LEMMAS:
        return "planned"
    return "asserted"


def _negated(verb: Token) -> bool:
    if any(c.dep_ == "neg" for c in verb.children):
        return True
    # "denied attacking", "refused to meet": the embedded event did not happen as asserted.
    return verb.dep_ in {"xcomp", "ccomp", "pcomp"} and verb.head.lemma_ in DENIAL_LEMMAS


def _is_event_verb(token: Token) -> bool:
    if token.pos_ != "VERB" or token.lemma_ in SKIP_LEMMAS:
        return False
    if token.dep_ == "amod":
        return False  # "a thwarted drive": an adjective, not an event
    return token.dep_ in CLAUSE_DEPS


def frames(doc: Doc) -> Iterator[Frame]:
    """Yield one frame per verb and conjunct of its actor/target, in text order.

    A verb with neither an actor nor a target yields nothing: it cannot answer "who did what".
    """
    sentence_of = {}
    for index, sent in enumerate(doc.sents):
        for token in sent:
            sentence_of[token.i] = index
    for verb in doc:
        if not _is_event_verb(verb):
            continue
        subject, passive = _own_subject(verb)
        if subject is None and verb.dep_ == "acl" and verb.tag_ == "VBN":
            subject, passive = None, True
        if subject is None:
            subject = _controller(verb)
        is_passive = passive or _passive_subject(verb) is not None
        actors: list[Token | None] = [*_conjuncts(subject)] if subject is not None else [None]
        found = _targets(verb, is_passive)
        if subject is None and not found:
            continue
        targets: list[tuple[Token | None, Token | None]] = [*found] if found else [(None, None)]
        pred_tokens = _predicate_tokens(verb)
        lemma = verb.lemma_.lower()
        particles = [c.lower_ for c in verb.children if c.dep_ == "prt"]
        if particles:
            lemma = " ".join([lemma, *particles])
        negated = _negated(verb)
        subtree = list(verb.subtree)
        for actor_token in actors:
            for target_token, thing in targets:
                yield Frame(
                    sentence_index=sentence_of[verb.i],
                    predicate=verb.i,
                    predicate_text=" ".join(t.text for t in pred_tokens),
                    predicate_lemma=("not " if negated else "") + lemma,
                    predicate_start_char=pred_tokens[0].idx,
                    predicate_end_char=pred_tokens[-1].idx + len(pred_tokens[-1].text),
                    actor=argument(doc, actor_token) if actor_token is not None else None,
                    target=argument(doc, target_token) if target_token is not None else None,
                    object=argument(doc, thing) if thing is not None else None,
                    negated=negated,
                    modality=_modality(verb),
                    tense=_tense(verb),
                    clause_start=subtree[0].i,
                    clause_end=subtree[-1].i + 1,
                )


def sentence_span(doc: Doc, index: int) -> Span:
    """The index-th sentence of doc."""
    for i, sent in enumerate(doc.sents):
        if i == index:
            return sent
    raise IndexError(f"doc has no sentence {index}")
