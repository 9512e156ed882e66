"""Events stage: event frames (who did what to whom) from spaCy's dependency parse.

A frame is built around a verb: its actor (the subject, or the by-agent of a passive), its
target (the direct object, or the object of with/against/to for verbs that take one), and the
clause's negation and modality. Places and dates are attached later by `attach` from the
document's toponyms and time expressions, preferring those tied to the clause.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy
from spacy.attrs import DEP, HEAD, LEMMA, POS
from spacy.parts_of_speech import NOUN as NOUN_POS
from spacy.parts_of_speech import VERB as VERB_POS
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from extractors.events.arguments import (
    _MASK_KEY,
    OBJECT_DEPS,
    Argument,
    _argument,
    _conjuncts,
    _controller,
    _is_named,
    _masked,
    _own_subject,
    _passive_subject,
    _prep_object,
    _referent,
    _targets,
    argument,
    mask_tokens,
)
from extractors.events.modality import _modality, _negated, _reporter, _tense, quote_reporters
from extractors.lexicons import words
from extractors.nlp import (
    children,
    doc_tokens,
    isin_sorted,
    subtree_bounds,
)
from extractors.nlp import head as head_of
from extractors.nlp import sentence_of as sentence_index

# Clause relations whose verbs can head their own event.
CLAUSE_DEPS = frozenset(
    {"ROOT", "conj", "ccomp", "xcomp", "advcl", "relcl", "acl", "pcomp", "csubj", "parataxis"}
)
SKIP_LEMMAS = frozenset({"be", "have", "do", "get", "seem", "become", "remain"})
STATE_WORDS = words("events", "state_words")
LIGHT_VERBS = words("events", "light_verbs")


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
    # Lemma the event is typed by: the noun of a light-verb construction ("held talks" ->
    # "talk"), the noun of a nominal event, else the predicate lemma without negation.
    event_lemma: str = ""
    reporter: Argument | None = None  # X of "X said that Y did Z"
    nominal: bool = False  # headed by a noun ("talks in Anchorage")
    # Every conjunct of a coordinated actor or target ("police and firefighters"), of which
    # `actor` and `target` are one: a frame is yielded per conjunct (one dyad per row).
    actors: tuple[Argument, ...] = ()
    targets: tuple[Argument, ...] = ()


def _predicate_tokens(verb: Token) -> list[Token]:
    keep = {"aux", "auxpass", "neg", "prt"}
    return sorted([verb, *(c for c in children(verb) if c.dep_ in keep)], key=lambda t: t.i)


def _is_event_verb(token: Token) -> bool:
    if token.pos_ != "VERB" or token.lemma_ in SKIP_LEMMAS:
        return False
    if token.dep_ == "amod":
        return False  # "a thwarted drive": an adjective, not an event
    return token.dep_ in CLAUSE_DEPS or hangs_on_dateline(token)


def hangs_on_dateline(token: Token) -> bool:
    """Whether the parser hung the token on the dateline ("SEOUL — ... the administration
    is banking on ...": "banking" as an apposition of SEOUL): the dateline is no word of
    the sentence, so such a verb heads the sentence's main clause."""
    head = head_of(token)
    return head.i != token.i and _masked(head) and not _masked(token)


def _shared_object(verb: Token) -> list[tuple[Token, Token | None]]:
    """ "met and praised the envoy": adjacent conjoined verbs share the later one's object."""
    for conj in children(verb):
        if conj.dep_ != "conj" or conj.pos_ != "VERB" or conj.i > verb.i + 3:
            continue
        between = verb.doc[verb.i + 1 : conj.i]
        if not all(t.dep_ in {"cc", "punct"} for t in between):
            continue
        if _own_subject(conj)[0] is not None:
            continue
        return _targets(conj, passive=False)
    return []


def _light_noun(verb: Token, thing: Token | None, event_nouns: frozenset[str]) -> str | None:
    """The event noun of a light-verb construction: "held talks", "imposed sanctions"."""
    if thing is None or verb.lemma_.lower() not in LIGHT_VERBS:
        return None
    lemma = thing.lemma_.lower()
    return lemma if lemma in event_nouns else None


def frames(
    doc: Doc,
    *,
    event_nouns: frozenset[str] = frozenset(),
    masked: tuple[int, int] | None = None,
    phrasal: frozenset[str] = frozenset(),
) -> Iterator[Frame]:
    """Yield one frame per verb and conjunct of its actor/target, in text order.

    A verb with neither an actor nor a target yields nothing: it cannot answer "who did what".
    Nouns whose lemma is in `event_nouns` head their own (nominal) frame when they name a
    participant or a place ("talks with Beijing", "the attack in Kabul") and are not the
    object of a light verb, whose frame already carries them.

    Args:
        doc: a parsed Doc.
        event_nouns: lemmas of nouns that denote events (from the event type lexicon).
        masked: (start, end) character offsets of text that names no participant, the
            dateline ("NAIROBI, Kenya (AP) —"): no actor or target starts inside it, and a
            verb the parser gives a dateline subject takes its next subject, if any.
        phrasal: verb lemmas with a preposition that the lexicon types ("call on"): a verb
            with that preposition gets that lemma ("called on the government"), as a verb
            with a particle always does ("backed down").

    Yields:
        Frame records, verbs and nominal events in text order.
    """
    mask_tokens(doc, masked)
    sentence_of = sentence_index(doc)
    quotes = quote_reporters(doc)
    tokens = doc_tokens(doc)
    arguments: dict[int, Argument] = {}

    def argument_of(head: Token) -> Argument:
        found = arguments.get(head.i)
        if found is None:
            found = arguments[head.i] = _argument(doc, head)
        return found

    def usable(token: Token | None) -> bool:
        return token is None or not (_masked(token) or _masked(tokens[argument_of(token).start]))

    for i in _frame_candidates(doc, event_nouns):
        verb = tokens[i]
        if verb.pos_ == "NOUN" and event_nouns:
            yield from _nominal_frames(doc, verb, sentence_of, event_nouns)
            continue
        if verb.lemma_ == "be":
            yield from _state_frames(doc, verb, sentence_of, quotes)
            continue
        if not _is_event_verb(verb):
            continue
        actors, is_passive = _actors(verb, usable)
        lemma, found = _lemma_and_targets(verb, is_passive, phrasal)
        found = [
            (t, _referent(o))
            for t, o in ((_referent(t), o) for t, o in found)
            if t is not None and usable(t) and usable(o)
        ]
        if actors == [None] and not found:
            continue
        targets: list[tuple[Token | None, Token | None]] = [*found] if found else [(None, None)]
        pred_tokens = _predicate_tokens(verb)
        negated = _negated(verb)
        modality = _modality(verb, quotes)
        tense = _tense(verb)
        reporter_token = _reporter(verb, quotes) if modality == "reported" else None
        reporter = argument_of(reporter_token) if reporter_token is not None else None
        direct = next((c for c in children(verb) if c.dep_ in OBJECT_DEPS), None)
        subtree_first, subtree_last = subtree_bounds(verb)
        all_actors = _coordination([argument_of(t) for t in actors if t is not None])
        all_targets = _coordination([argument_of(t) for t, _ in targets if t is not None])
        for actor_token in actors:
            for target_token, thing in targets:
                noun = _object_noun(verb, target_token, thing, direct)
                light = _light_noun(verb, noun, event_nouns)
                yield Frame(
                    sentence_index=sentence_of[verb.i],
                    predicate=verb.i,
                    predicate_text=" ".join(t.text for t in pred_tokens),
                    predicate_lemma=("not " if negated else "") + lemma,
                    predicate_start_char=pred_tokens[0].idx,
                    predicate_end_char=pred_tokens[-1].idx + len(pred_tokens[-1].text),
                    actor=argument_of(actor_token) if actor_token is not None else None,
                    target=argument_of(target_token) if target_token is not None else None,
                    object=argument_of(thing) if thing is not None else None,
                    negated=negated,
                    modality=modality,
                    tense=tense,
                    clause_start=subtree_first,
                    clause_end=subtree_last + 1,
                    event_lemma=light or lemma,
                    reporter=reporter,
                    nominal=False,
                    actors=all_actors,
                    targets=all_targets,
                )


def _actors(verb: Token, usable: Callable[[Token | None], bool]) -> tuple[list[Token | None], bool]:
    """The verb's actors (its subject's conjuncts; [None] when it has none) and whether it
    is passive."""
    subject, passive = _own_subject(verb)
    if subject is None and verb.dep_ == "acl" and verb.tag_ == "VBN":
        subject, passive = None, True
    if subject is None and _passive_subject(verb) is None:
        # A passive without a by-agent names no actor ("the talks were not expected to
        # ..."); a clause with no subject of its own inherits one.
        subject = _controller(verb)
    is_passive = passive or _passive_subject(verb) is not None
    actors: list[Token | None] = [
        t for t in (_conjuncts(subject) if subject is not None else []) if usable(t)
    ] or [None]
    return actors, is_passive


def _lemma_and_targets(
    verb: Token, is_passive: bool, phrasal: frozenset[str]
) -> tuple[str, list[tuple[Token, Token | None]]]:
    """The predicate's lemma (with its particle or listed preposition: "back down", "call
    on") and its (target, thing) pairs."""
    lemma = verb.lemma_.lower()
    particles = [c.lower_ for c in children(verb) if c.dep_ == "prt"]
    if particles:
        lemma = " ".join([lemma, *particles])
    found = _targets(verb, is_passive)
    if not particles and phrasal:
        # A prepositional verb the lexicon lists ("call on", "call for"): the preposition
        # belongs to the predicate, its object is the target.
        prep = next(
            (c for c in children(verb) if c.dep_ == "prep" and f"{lemma} {c.lower_}" in phrasal),
            None,
        )
        if prep is not None:
            lemma = f"{lemma} {prep.lower_}"
            pobj = next((c for c in children(prep) if c.dep_ == "pobj"), None)
            if not found and pobj is not None and not is_passive:
                found = [(t, None) for t in _conjuncts(pobj)]
    if not found and not is_passive:
        found = _shared_object(verb)
    return lemma, found


def _object_noun(
    verb: Token, target: Token | None, thing: Token | None, direct: Token | None
) -> Token | None:
    """The object noun of a light verb, which names the event whether or not a recipient
    was found ("held talks" and "imposed sanctions on X" alike)."""
    if thing is not None:
        return thing
    if target is not None and head_of(target) == verb and target.dep_ in OBJECT_DEPS:
        return target
    return direct


def _state_frames(
    doc: Doc, copula: Token, sentence_of: list[int], quotes: dict[int, Token]
) -> Iterator[Frame]:
    """ "Five people are dead", "two remain missing": a copula with an eventive state."""
    state = next(
        (c for c in children(copula) if c.dep_ == "acomp" and c.lemma_.lower() in STATE_WORDS),
        None,
    )
    subject, _ = _own_subject(copula)
    if state is None or subject is None or _masked(doc_tokens(doc)[subtree_bounds(subject)[0]]):
        return
    tokens = sorted(
        [copula, state, *(c for c in children(copula) if c.dep_ in {"aux", "neg"})],
        key=lambda t: t.i,
    )
    negated = _negated(copula)
    modality = _modality(copula, quotes)
    reporter = _reporter(copula, quotes) if modality == "reported" else None
    subtree_first, subtree_last = subtree_bounds(copula)
    all_actors = _coordination([argument(doc, a) for a in _conjuncts(subject)])
    for actor in _conjuncts(subject):
        yield Frame(
            sentence_index=sentence_of[copula.i],
            predicate=state.i,
            predicate_text=" ".join(t.text for t in tokens),
            predicate_lemma=("not " if negated else "") + state.lemma_.lower(),
            predicate_start_char=tokens[0].idx,
            predicate_end_char=tokens[-1].idx + len(tokens[-1].text),
            actor=argument(doc, actor),
            target=None,
            object=None,
            negated=negated,
            modality=modality,
            tense=_tense(copula),
            clause_start=subtree_first,
            clause_end=subtree_last + 1,
            event_lemma=state.lemma_.lower(),
            reporter=argument(doc, reporter) if reporter is not None else None,
            nominal=False,
            actors=all_actors,
        )


def _nominal_frames(
    doc: Doc, noun: Token, sentence_of: list[int], event_nouns: frozenset[str]
) -> Iterator[Frame]:
    lemma = noun.lemma_.lower()
    if lemma not in event_nouns:
        return
    head = head_of(noun)
    if noun.dep_ in OBJECT_DEPS and head.lemma_.lower() in LIGHT_VERBS:
        return  # the light verb's frame carries it
    if noun.dep_ == "conj" and head.dep_ in OBJECT_DEPS and head_of(head).lemma_ in LIGHT_VERBS:
        return
    if (
        noun.dep_ in {"nsubj", "nsubjpass", "dobj"}
        and head.pos_ == "VERB"
        and (head.lemma_ not in SKIP_LEMMAS)
    ):
        return  # an argument of a verb frame ("the talks ended"), not an event of its own
    actor = None
    for child in children(noun):
        if child.dep_ == "poss" and _is_named(child):
            actor = child
        elif child.dep_ == "compound" and child.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"}:
            actor = actor or child
    by = _prep_object(noun, frozenset({"by"}))
    if by is not None:
        actor = by
    if actor is not None and _masked(actor):
        actor = None
    target = _prep_object(noun, frozenset({"with", "against", "on", "between", "to"}))
    if target is not None and not _is_named(target):
        target = None
    located = any(
        c.dep_ == "prep"
        and c.lower_ in {"in", "at", "near", "outside"}
        and any(g.dep_ == "pobj" and g.ent_type_ in {"GPE", "LOC", "FAC"} for g in children(c))
        for c in children(noun)
    )
    if actor is None and target is None and not located:
        return
    subtree_first, subtree_last = subtree_bounds(noun)
    verb = head if head.pos_ in {"VERB", "AUX"} else None
    negated = any(c.dep_ == "neg" or c.lower_ == "no" for c in children(noun))
    actors = _conjuncts(actor) if actor is not None else [None]
    targets = _conjuncts(target) if target is not None else [None]
    all_actors = _coordination([argument(doc, t) for t in actors if t is not None])
    all_targets = _coordination([argument(doc, t) for t in targets if t is not None])
    for actor_token in actors:
        for target_token in targets:
            yield Frame(
                sentence_index=sentence_of[noun.i],
                predicate=noun.i,
                predicate_text=noun.text,
                predicate_lemma=("not " if negated else "") + lemma,
                predicate_start_char=noun.idx,
                predicate_end_char=noun.idx + len(noun.text),
                actor=argument(doc, actor_token) if actor_token is not None else None,
                target=argument(doc, target_token) if target_token is not None else None,
                object=None,
                negated=negated,
                modality=_modality(verb) if verb is not None else "asserted",
                tense=_tense(verb) if verb is not None else "present",
                clause_start=subtree_first,
                clause_end=subtree_last + 1,
                event_lemma=lemma,
                reporter=None,
                nominal=True,
                actors=all_actors,
                targets=all_targets,
            )


def _coordination(arguments: list[Argument]) -> tuple[Argument, ...]:
    """The conjuncts of a coordination, in text order; empty for a single argument."""
    unique = list({a.head: a for a in arguments}.values())
    return tuple(unique) if len(unique) > 1 else ()


def _frame_candidates(doc: Doc, event_nouns: frozenset[str]) -> list[int]:
    """Indices of the tokens `frames` can read a frame off, from the token arrays (no Token
    objects): event nouns, copulas and event verbs, in text order."""
    if not len(doc):
        return []
    array = doc.to_array([POS, LEMMA, DEP])
    pos, lemma, dep = array[:, 0], array[:, 1], array[:, 2]
    noun = pos == NOUN_POS if event_nouns else numpy.zeros(len(doc), dtype=bool)
    wanted = numpy.zeros(len(doc), dtype=bool)
    if event_nouns:
        strings = doc.vocab.strings
        ids = numpy.unique(lemma[noun]).tolist()
        known = [i for i in ids if strings[i].lower() in event_nouns]
        wanted |= noun & isin_sorted(lemma, numpy.array(known, dtype=lemma.dtype))
    copula = ~noun & (lemma == _BE_ID)
    wanted |= copula
    clause = isin_sorted(dep, _EVENT_DEP_IDS)
    mask = doc.user_data.get(_MASK_KEY)
    if mask is not None:
        # A verb the parser hung on the dateline heads its sentence (see hangs_on_dateline).
        heads = numpy.arange(len(doc)) + doc.to_array(HEAD).astype("int64")
        clause |= (heads >= mask[0]) & (heads < mask[1]) & (numpy.arange(len(doc)) >= mask[1])
    wanted |= ~noun & ~copula & (pos == VERB_POS) & ~isin_sorted(lemma, _SKIP_IDS) & clause
    return numpy.flatnonzero(wanted).tolist()


_BE_ID = get_string_id("be")
# Sorted by id, as isin_sorted needs.
_SKIP_IDS = numpy.array(sorted(get_string_id(w) for w in SKIP_LEMMAS), dtype="uint64")
_EVENT_DEP_IDS = numpy.array(
    sorted(get_string_id(d) for d in CLAUSE_DEPS - {"amod"}), dtype="uint64"
)
