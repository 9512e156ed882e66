"""Events stage: event frames (who did what to whom) from spaCy's dependency parse.

A frame is built around a verb: its actor (the subject, or the by-agent of a passive), its
target (the direct object, or the object of with/against/to for verbs that take one), and the
clause's negation and modality. Places and dates are attached later by `attach` from the
document's toponyms and time expressions, preferring those tied to the clause.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy
from spacy.attrs import DEP, HEAD, LEMMA, ORTH, POS
from spacy.parts_of_speech import NOUN as NOUN_POS
from spacy.parts_of_speech import VERB as VERB_POS
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from extractors.lexicons import words
from extractors.nlp import (
    children,
    doc_sents,
    doc_text,
    doc_tokens,
    isin_sorted,
    sent_of,
    subtree_bounds,
    subtree_indices,
    token_bounds,
)
from extractors.nlp import head as head_of
from extractors.nlp import sentence_of as sentence_index
from extractors.syntax import FUTURE_AUX, REQUEST_LEMMAS

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
# Clause relations whose verbs can head their own event.
CLAUSE_DEPS = frozenset(
    {"ROOT", "conj", "ccomp", "xcomp", "advcl", "relcl", "acl", "pcomp", "csubj", "parataxis"}
)
SKIP_LEMMAS = frozenset({"be", "have", "do", "get", "seem", "become", "remain"})
REPORTING_LEMMAS = words("events", "reporting_lemmas")
PLANNING_LEMMAS = words("events", "planning_lemmas")
# Prepositions that introduce whom a request is made of: "called on", "appealed to",
# "pleaded with".
REQUESTEE_PREPS = frozenset({"on", "upon", "to", "with"})
HYPOTHETICAL_AUX = frozenset({"would", "could", "might", "may", "should", "can", "ca"})
HYPOTHETICAL_MARKS = frozenset({"if", "unless", "whether"})
DENIAL_LEMMAS = frozenset({"deny", "refuse", "reject", "fail", "decline"})
STATE_WORDS = words("events", "state_words")
LIGHT_VERBS = words("events", "light_verbs")
ROLE_NOUNS = words("events", "role_nouns")
INTENT_NOUNS = words("events", "intent_nouns")
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
    # Lemma the event is typed by: the noun of a light-verb construction ("held talks" ->
    # "talk"), the noun of a nominal event, else the predicate lemma without negation.
    event_lemma: str = ""
    reporter: Argument | None = None  # X of "X said that Y did Z"
    nominal: bool = False  # headed by a noun ("talks in Anchorage")


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


_MASK_KEY = "event_etl.masked_tokens"


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


def _predicate_tokens(verb: Token) -> list[Token]:
    keep = {"aux", "auxpass", "neg", "prt"}
    return sorted([verb, *(c for c in children(verb) if c.dep_ in keep)], key=lambda t: t.i)


def _is_infinitive(verb: Token) -> bool:
    return verb.dep_ in {"xcomp", "advcl", "acl", "relcl"} and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in children(verb)
    )


def _tense(verb: Token, depth: int = 0) -> str:
    auxes = [c for c in children(verb) if c.dep_ in {"aux", "auxpass"}]
    if any(a.lower_ in FUTURE_AUX for a in auxes):
        return "future"
    if any(a.lower_ == "going" for a in auxes) or (
        verb.dep_ == "xcomp" and head_of(verb).lower_ == "going"
    ):
        return "future"
    if _is_infinitive(verb) and depth < 4 and head_of(verb).pos_ in {"VERB", "AUX"}:
        # "plans to visit" lies ahead; "drove Trump to declare" happened when the driving did.
        if head_of(verb).lemma_ in PLANNING_LEMMAS or is_request(verb):
            return "future"
        return _tense(head_of(verb), depth + 1)
    if verb.tag_ in {"VBD", "VBN"} or any(a.tag_ in {"VBD"} for a in auxes):
        return "past"
    if any(a.lemma_ == "have" for a in auxes):
        return "past"
    if verb.tag_ == "VBG" and depth < 4 and verb.dep_ in {"xcomp", "pcomp", "advcl", "conj"}:
        return (
            _tense(head_of(verb), depth + 1) if head_of(verb).pos_ in {"VERB", "AUX"} else "present"
        )
    return "present"


def _reporting_head(verb: Token) -> Token | None:
    """The saying verb a clause is reported under ("X said [that Y will do Z]"), if any.

    Everything in the complement of a saying verb is reported, however deep ("X said Y
    hopes to help deal with it"), so the walk goes up through any relation; the nearest
    saying verb wins.
    """
    token = verb
    for _ in range(12):
        head = head_of(token)
        if head.i == token.i:
            break
        if token.dep_ in {"ccomp", "parataxis"} and head.lemma_ in REPORTING_LEMMAS:
            return head
        if head.pos_ in {"VERB", "AUX"} and head.lemma_ in REPORTING_LEMMAS:
            break  # a subject or adjunct of a saying verb is not what was said
        token = head
    # “..., ” Mr. Blinken said: the quote's verb heads the sentence, the saying hangs off it.
    for child in children(verb):
        if child.dep_ == "parataxis" and child.lemma_ in REPORTING_LEMMAS:
            return child
    return None


_QUOTE_MARKS = {get_string_id(mark): mark for mark in ("“", "‘‘", "``", '"', "”", "''")}
_QUOTE_IDS = numpy.array(sorted(_QUOTE_MARKS), dtype="uint64")


def quote_reporters(doc: Doc) -> dict[int, Token]:
    """Token index inside a quotation -> the saying verb it is attributed to.

    A quotation belongs to the saying verb outside it in the sentence where it ends (“...,”
    she said) or starts (she said: “...”); a quotation with none continues the previous
    one's speaker when it follows in the next sentence.
    """
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    # Only quotation marks change the state below: find them in the token array.
    orths = doc.to_array(ORTH) if len(doc) else numpy.zeros(0, dtype="uint64")
    for i in numpy.flatnonzero(isin_sorted(orths, _QUOTE_IDS)).tolist():
        text = _QUOTE_MARKS[int(orths[i])]
        if text in {"“", "‘‘", "``"} or (text == '"' and opened is None):
            opened = i
        elif text in {"”", "''"} or (text == '"' and opened is not None):
            if opened is not None and i - opened > 2:
                spans.append((opened, i))
            opened = None
    out: dict[int, Token] = {}
    previous: tuple[int, Token] | None = None  # (sentence end token, saying verb)
    tokens = doc_tokens(doc)
    for open_i, close_i in spans:
        first, last = sent_of(tokens[open_i]), sent_of(tokens[close_i])
        outside = [
            t
            for t in [*tokens[last.start : last.end], *tokens[first.start : first.end]]
            if not open_i <= t.i <= close_i
            and t.pos_ == "VERB"
            and t.lemma_ in REPORTING_LEMMAS
            and _own_subject(t)[0] is not None
        ]
        after = [t for t in outside if t.i > close_i]
        verb = after[0] if after else (outside[-1] if outside else None)
        if verb is None and previous is not None and open_i - previous[0] <= 2:
            verb = previous[1]
        if verb is None:
            previous = None
            continue
        for i in range(open_i + 1, close_i):
            out[i] = verb
        previous = (max(last.end, close_i + 1), verb)
    return out


def _reporter(verb: Token, quotes: dict[int, Token] | None = None) -> Token | None:
    """Who reports the clause: the subject of its saying verb, or "according to X"."""
    for child in children(verb):
        if child.dep_ == "prep" and child.lower_ == "according":
            to = next((c for c in children(child) if c.lower_ == "to"), None)
            pobj = next((c for c in (children(to) if to else []) if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    head = _reporting_head(verb)
    if head is None and quotes and verb.lemma_ not in REPORTING_LEMMAS:
        head = quotes.get(verb.i)
    if head is None or head.i == verb.i:
        return None
    subject, _ = _own_subject(head)
    return subject if subject is not None else _controller(head)


def _modality(verb: Token, quotes: dict[int, Token] | None = None) -> str:
    auxes = [c for c in children(verb) if c.dep_ in {"aux", "auxpass"}]
    marks = {c.lower_ for c in children(verb) if c.dep_ == "mark"}
    if marks & HYPOTHETICAL_MARKS or any(a.lower_ in HYPOTHETICAL_AUX for a in auxes):
        return "hypothetical"
    # Reported speech wins over tense: "X said Y will visit" is X's claim about a plan.
    if _reporter(verb, quotes) is not None:
        return "reported"
    if any(a.lower_ in FUTURE_AUX for a in auxes):
        return "planned"
    token = verb
    for _ in range(4):
        if token.dep_ not in {"xcomp", "conj"} or head_of(token).i == token.i:
            break
        if token.dep_ == "xcomp" and head_of(token).lemma_ in PLANNING_LEMMAS:
            return "planned"
        if is_request(token):
            return "planned"  # asked for, not done: "urged them to release the detainees"
        token = head_of(token)
    return "asserted"


def is_request(verb: Token) -> bool:
    """Whether the verb is the to-infinitive of a request: "urged X to go", "called on X
    to go" (a "call" needs whom it is made of: "called to say" is a phone call)."""
    head = head_of(verb)
    if verb.dep_ not in {"xcomp", "advcl"} or head.i == verb.i or not _is_infinitive(verb):
        return False
    if head.lemma_ not in REQUEST_LEMMAS:
        return False
    return head.lemma_ != "call" or _prep_object(head, REQUESTEE_PREPS) is not None


def _negated(verb: Token) -> bool:
    if any(c.dep_ == "neg" for c in children(verb)):
        return True
    # "denied attacking", "refused to meet": the embedded event did not happen as asserted.
    return verb.dep_ in {"xcomp", "ccomp", "pcomp"} and head_of(verb).lemma_ in DENIAL_LEMMAS


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
        subject, passive = _own_subject(verb)
        if subject is None and verb.dep_ == "acl" and verb.tag_ == "VBN":
            subject, passive = None, True
        if subject is None and _passive_subject(verb) is None:
            # A passive without a by-agent names no actor ("the talks were not expected
            # to ..."); a clause with no subject of its own inherits one.
            subject = _controller(verb)
        is_passive = passive or _passive_subject(verb) is not None
        actors: list[Token | None] = [
            t for t in (_conjuncts(subject) if subject is not None else []) if usable(t)
        ] or [None]
        lemma = verb.lemma_.lower()
        particles = [c.lower_ for c in children(verb) if c.dep_ == "prt"]
        if particles:
            lemma = " ".join([lemma, *particles])
        found = _targets(verb, is_passive)
        if not particles and phrasal:
            # A prepositional verb the lexicon lists ("call on", "call for"): the
            # preposition belongs to the predicate, its object is the target.
            prep = next(
                (
                    c
                    for c in children(verb)
                    if c.dep_ == "prep" and f"{lemma} {c.lower_}" in phrasal
                ),
                None,
            )
            if prep is not None:
                lemma = f"{lemma} {prep.lower_}"
                pobj = next((c for c in children(prep) if c.dep_ == "pobj"), None)
                if not found and pobj is not None and not is_passive:
                    found = [(t, None) for t in _conjuncts(pobj)]
        if not found and not is_passive:
            found = _shared_object(verb)
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
        for actor_token in actors:
            for target_token, thing in targets:
                # The object noun of a light verb names the event, whether or not a
                # recipient was found ("held talks" and "imposed sanctions on X" alike).
                noun = (
                    thing
                    if thing is not None
                    else (
                        target_token
                        if target_token is not None
                        and head_of(target_token) == verb
                        and target_token.dep_ in OBJECT_DEPS
                        else direct
                    )
                )
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
                )


def mask_tokens(doc: Doc, masked: tuple[int, int] | None) -> None:
    """Mark the tokens within character offsets `masked` as naming no participant."""
    if masked is None or masked[1] <= masked[0]:
        doc.user_data.pop(_MASK_KEY, None)
        return
    starts, _ = token_bounds(doc)
    first = bisect.bisect_left(starts, masked[0])
    last = bisect.bisect_left(starts, masked[1])
    doc.user_data[_MASK_KEY] = (first, last)


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
            )


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


# Dependents that end the verb phrase: a conjoined verb or clause is an event of its own
# ("died [and 50 were injured]"), and a sentence-level aside follows a dash or a colon.
_PHRASE_ENDS = frozenset({"cc", "conj", "parataxis"})
_PHRASE_EDGES = frozenset({"punct"})


def verb_phrase(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """The verb phrase of the predicate at character offsets [start, end) of a parsed
    document, as Giveme5W1H answers "what": the predicate with everything it governs to
    its right (objects, complements, prepositional phrases, subordinate clauses), up to
    the first conjoined verb or clause, which is an event of its own.

    Returns the phrase's character offsets: "have died in a suicide attack on the German
    consulate" for the predicate "have died"; None when no token starts inside [start, end).
    Reads the per-Doc token caches: a few token reads per predicate, no walk of its sentence.
    """
    starts, ends = token_bounds(doc)
    first = bisect.bisect_left(starts, start)
    stop = bisect.bisect_left(starts, end)
    if first >= stop:
        return None
    tokens = doc_tokens(doc)
    inside = tokens[first:stop]
    head = next(
        (t for t in inside if not first <= (h := head_of(t).i) < stop or h == t.i), inside[-1]
    )
    last = stop - 1
    for child in children(head):
        if child.i <= last:
            continue
        if child.dep_ in _PHRASE_ENDS:
            break
        if child.dep_ in _PHRASE_EDGES:
            continue
        last = max(last, child.right_edge.i)
    # The phrase stays in the predicate's sentence and ends on a word, not a line break.
    last = min(last, doc_sents(doc)[sentence_index(doc)[head.i]].end - 1)
    while last > first and _loose_end(tokens, first, last):
        last -= 1
    return starts[first], ends[last]


_OPENERS = {'"': '"', "'": "'", "\u201d": "\u201c", "\u2019": "\u2018", ")": "(", "]": "["}


def _loose_end(tokens: Sequence[Token], first: int, last: int) -> bool:
    """Whether the phrase's last token is a loose end to trim: a line break, punctuation
    (comma, dash, colon, full stop), a conjunction with nothing after it, or a closing quote
    or bracket the phrase did not open."""
    token = tokens[last]
    if token.is_space or token.pos_ == "CCONJ":
        return True
    text = token.text
    opener = _OPENERS.get(text)
    if opener is None:
        return token.is_punct
    opened = sum(t.text.count(opener) for t in tokens[first:last])
    if opener == text:  # the same mark opens and closes: an even count leaves this one open
        return opened % 2 == 0
    closed = sum(t.text.count(text) for t in tokens[first:last])
    return opened <= closed
