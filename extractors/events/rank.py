"""Events stage: rank a document's events (rank 1 = the main event) and date the main event
by the story's news peg.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy
from spacy.attrs import LEMMA, POS
from spacy.parts_of_speech import NOUN as NOUN_POS
from spacy.tokens import Doc, Token

from extractors.dates.anchor import first_recent, timex_tokens
from extractors.dates.detect import Timex
from extractors.events.frames import Frame, hangs_on_dateline
from extractors.events.headline import Headline, content_lemmas, with_families
from extractors.events.modality import REPORTING_LEMMAS
from extractors.events.rows import with_rank
from extractors.nlp import (
    doc_ents,
    doc_text,
    doc_tokens,
)
from extractors.nlp import head as head_of
from extractors.records import (
    EventRow,
)

# Second-person actors are the reader or anyone ("you have to gamble"), never the news.
GENERIC_ACTORS = frozenset({"you", "one"})


@dataclass(frozen=True, slots=True)
class Ranking:
    """The main-event score's weights and discounts (configs/ranking.toml)."""

    position: float
    title: float
    salience: float
    complete: float
    factual: float
    main_clause: float
    statement: float
    generic_actor: float
    background: float
    preamble: float
    background_days: int

    @property
    def total(self) -> float:
        return (
            self.position
            + self.title
            + self.salience
            + self.complete
            + self.factual
            + self.main_clause
        )


def load_ranking() -> Ranking:
    """The weights of configs/ranking.toml.

    Raises:
        ValueError: a weight or discount missing, unknown or not a number.
    """
    data = tomllib.loads(resources.files("configs").joinpath("ranking.toml").read_text("utf-8"))
    values = {**data.get("weights", {}), **data.get("discounts", {})}
    values["background_days"] = data.get("background", {}).get("days")
    names = {f.name for f in dataclasses.fields(Ranking)}
    if set(values) != names or not all(isinstance(v, int | float) for v in values.values()):
        raise ValueError(f"ranking.toml: expected numbers for {sorted(names)}, got {values}")
    return Ranking(**values)


RANKING = load_ranking()


def clause_weight(doc: Doc, frame: Frame) -> float:
    """1 for the sentence's main clause (or its conjuncts), less the deeper the clause.

    "Seven people died after a tram overturned": the main clause is the news, the
    subordinate clause its circumstance; what was said outranks a relative clause.
    """
    token = doc_tokens(doc)[frame.predicate]
    if frame.nominal:
        return 0.4
    weight = 1.0
    for _ in range(8):
        dep = token.dep_
        parent = head_of(token)
        if dep == "ROOT" or parent.i == token.i or hangs_on_dateline(token):
            return weight
        if dep in {"ccomp", "parataxis"} and parent.lemma_ in REPORTING_LEMMAS:
            weight *= 0.9
        elif dep in {"xcomp", "conj"}:
            weight *= 0.95
        elif dep in {"advcl", "ccomp", "pcomp"}:
            weight *= 0.55
        else:
            weight *= 0.4
        token = parent
    return weight


def _participant_heads(doc: Doc, frame: Frame) -> list[Token]:
    tokens = doc_tokens(doc)
    return [tokens[a.head] for a in (frame.actor, frame.target, frame.object) if a is not None]


def _mention_counts(doc: Doc) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ent in doc_ents(doc):
        if ent.label_ in {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}:
            key = ent.root.lower_
            counts[key] = counts.get(key, 0) + 1
    if not len(doc):
        return counts
    strings = doc.vocab.strings
    array = doc.to_array([POS, LEMMA])
    ids, numbers = numpy.unique(array[array[:, 0] == NOUN_POS, 1], return_counts=True)
    for lemma_id, number in zip(ids.tolist(), numbers.tolist(), strict=True):
        lemma = strings[lemma_id].lower()
        counts[lemma] = counts.get(lemma, 0) + number
    return counts


def _story_sentences(doc: Doc, found: list[Frame], *, preamble: int = 0) -> dict[int, int]:
    """Sentence index -> its rank among the sentences that state an event with an actor
    (page furniture, captions without a clause and bylines have none) after the page's
    preamble (see `preamble_end`)."""
    telling = sorted(
        {
            f.sentence_index
            for f in found
            if f.actor is not None and not f.nominal and f.predicate_start_char >= preamble
        }
    )
    return {index: rank for rank, index in enumerate(telling)}


# Page furniture and picture credits that scraping leaves before the story: "(Photo: PA)",
# "(Melina Mara/The Washington Post)", "Image caption", "Click to share".
_FURNITURE = re.compile(
    r"\((?:Photo|Image|Video|Picture)s?:[^()]{1,80}\)"
    r"|\([^()/]{1,60}/[^()]{1,60}\)"
    r"|\((?:The )?(?:Washington Post|Associated Press|AP|Reuters|AFP|Getty Images|EPA|PA)\)"
    r"|Image copyright|Image caption|Click to share|\(Opens in new window\)|Subscribe"
    r"|Invalid Email"
)


# The preamble is furniture that starts within this many characters of the text and any
# that follows it closely.
PREAMBLE_START = 300


PREAMBLE_GAP = 80


def preamble_end(text: str) -> int:
    """End offset of the page preamble: the captions, credits and sharing links scraped
    pages put before the story ("... speech. (Melina Mara/The Washington Post) Hillary
    Clinton blamed ..."); 0 when the text starts with the story."""
    end = 0
    for match in _FURNITURE.finditer(text, 0, PREAMBLE_START + 2000):
        if match.start() > (PREAMBLE_START if end == 0 else end + PREAMBLE_GAP):
            break
        end = match.end()
    return end


def rank_events(
    doc: Doc,
    found: list[Frame],
    rows: list[EventRow],
    *,
    title: Headline,
    published: dt.date | None = None,
    lead_date: Timex | None = None,
    times: Sequence[Timex] = (),
) -> list[EventRow]:
    """Give every event a score in [0, 1] and its rank in the document (1 = main event).

    The score mixes the sentence position, the overlap of the event's words with the
    headline, how often its participants are mentioned, how complete the frame is (actor,
    target, place, date) and whether it is asserted to have happened. Statements ("X said")
    weigh less than what was said: the news is usually the reported event.

    The main event is the story's news, so when its own sentence states no date it takes
    the lead's (`lead_date`, the news peg) rather than the publication date, wherever in
    the text it was found (see `dated_by_lead`). A main event named by a noun ("the
    bombing") whose own phrase has no date takes the date another mention of that noun
    carries ("the bombing late Thursday", see `noun_date`).
    """
    if not rows:
        return rows
    counts = _mention_counts(doc)
    top = max(counts.values(), default=1)
    preamble = preamble_end(doc_text(doc))
    ordinal = _story_sentences(doc, found, preamble=preamble)
    scored = []
    # Content lemmas per token and per span, read once per document: frames share
    # predicates and arguments.
    token_words: dict[int, tuple[str, ...]] = {}
    span_words: dict[tuple[int, int], tuple[str, ...]] = {}
    tokens = doc_tokens(doc)

    def words_of(start: int, end: int) -> tuple[str, ...]:
        found_words = span_words.get((start, end))
        if found_words is None:
            words: list[str] = []
            for i in range(start, end):
                lemmas = token_words.get(i)
                if lemmas is None:
                    lemmas = token_words[i] = tuple(content_lemmas([tokens[i]]))
                words.extend(lemmas)
            found_words = span_words[(start, end)] = tuple(words)
        return found_words

    for frame, row in zip(found, rows, strict=True):
        parts = score_parts(
            doc,
            frame,
            row,
            title=title,
            counts=counts,
            top=top,
            ordinal=ordinal,
            words_of=words_of,
            preamble=preamble,
            published=published,
        )
        score = combine(parts, RANKING)
        scored.append(score)
    order = sorted(range(len(rows)), key=lambda i: (-scored[i], rows[i].predicate_start_char))
    rank = {index: position + 1 for position, index in enumerate(order)}
    # dataclasses.replace, without its per-call field introspection.
    out = []
    for i, row in enumerate(rows):
        row = with_rank(row, scored[i], rank[i])
        if rank[i] == 1:
            mention = None
            if found[i].nominal and row.date_source != "clause" and published is not None:
                mention = noun_date(doc, found[i].event_lemma, times, published)
            row = dated_by(row, mention) if mention is not None else dated_by_lead(row, lead_date)
        out.append(row)
    return out


def noun_date(doc: Doc, lemma: str, times: Sequence[Timex], published: dt.date) -> Timex | None:
    """The first explicit recent day an event noun is given in the text: "late Thursday"
    in "the Taliban said the bombing late Thursday was revenge" for "bombing", "on Monday"
    in "the attack on Monday". One pass over the document's time expressions."""
    for timex in times:
        if first_recent([timex], published) is None:
            continue
        found = timex_tokens(doc, timex)
        if found is None:
            continue
        start, end, token = found
        for _ in range(3):
            head = head_of(token)
            if head.i == token.i or start <= head.i < end:
                break
            if head.pos_ == "NOUN":
                if head.lemma_.lower() == lemma:
                    return timex
                break
            if head.pos_ != "ADP":
                break
            token = head
    return None


def dated_by_lead(row: EventRow, lead: Timex | None) -> EventRow:
    """The main event dated by the story's news peg when its own sentence states no date.

    An undated main event found past the lead ("The driver was arrested", paragraph six)
    or one the publication-date rule skips ("rescuers race to reach the boy") happened
    when the lead says the story did ("at 6.13am today"), not on the publication day.
    A future, planned or hypothetical event and one already dated by its clause or
    sentence keep their date, as for the lead's own events.
    """
    if (
        lead is None
        or row.tense == "future"
        or row.modality not in {"asserted", "reported"}
        or row.date_source not in {None, "publication"}
    ):
        return row
    return dated_by(row, lead)


def dated_by(row: EventRow, timex: Timex) -> EventRow:
    """The row with its date taken from `timex`, the story's date (date_source document)."""
    return dataclasses.replace(
        row,
        date_text=timex.text,
        date_start_char=timex.start,
        date_end_char=timex.end,
        date_type=timex.type,
        date_value=timex.value,
        date_start=timex.start_date,
        date_end=timex.end_date,
        date_granularity=timex.granularity,
        date_anchor=timex.anchor,
        date_resolved=timex.resolved,
        date_source="document",
    )


@dataclass(frozen=True, slots=True)
class ScoreParts:
    """What an event's main-event score is made of, before the weights (`combine`)."""

    position: float  # 1 / (1 + 0.4 * the rank of its sentence among the story's)
    title: float  # overlap with the headline, in [0, 1]
    salience: float  # its participants' mentions against the most mentioned, in [0, 1]
    complete: float  # actor, target, place and date found, in [0, 1]
    factual: float  # 1 asserted or reported and not negated, else 0.3
    main_clause: float  # clause_weight
    statement: bool  # a STATEMENT under a headline that reports no saying
    generic_actor: bool  # "you", "anyone"
    background: bool  # dated by its clause more than background_days before publication
    preamble: bool  # before the story's lead (a caption or teaser)


def combine(parts: ScoreParts, w: Ranking) -> float:
    """The score in [0, 1]: the weighted sum of the parts over the weights' total, times
    each discount that applies."""
    value = (
        w.main_clause * parts.main_clause
        + w.position * parts.position
        + w.title * parts.title
        + w.salience * parts.salience
        + w.complete * parts.complete
        + w.factual * parts.factual
    )
    if parts.statement:
        value *= w.statement
    if parts.generic_actor:
        value *= w.generic_actor
    if parts.background:
        value *= w.background  # "won seven pennants in 1945": background, not the news
    if parts.preamble:
        value *= w.preamble  # a caption or teaser before the story, not its lead
    return round(min(max(value / w.total, 0.0), 1.0), 4)


def score_parts(
    doc: Doc,
    frame: Frame,
    row: EventRow,
    *,
    title: Headline,
    counts: dict[str, int],
    top: int,
    ordinal: dict[int, int],
    words_of: Callable[[int, int], Iterable[str]],
    preamble: int = 0,
    published: dt.date | None = None,
) -> ScoreParts:
    """The parts of one event's main-event score (see `rank_events`)."""
    # Position counts the story's own sentences: page furniture before the lead
    # ("Click to share", "Subscribe") does not push the lead down.
    position = 1.0 / (1.0 + 0.4 * ordinal.get(frame.sentence_index, frame.sentence_index))
    tokens = doc_tokens(doc)
    reporting_title = bool(title.main & REPORTING_LEMMAS)
    title_score = _title_score(
        frame, row, title, words_of, tokens[frame.predicate], reporting_title
    )
    heads = _participant_heads(doc, frame)
    salience = max(
        (counts.get(h.lower_, counts.get(h.lemma_.lower(), 0)) for h in heads), default=0
    ) / max(top, 1)
    complete = (
        0.4 * (row.actor_text is not None and row.actor_type != "pronoun")
        + 0.2 * (row.target_text is not None or row.object_text is not None)
        + 0.2 * (row.place_geonameid is not None)
        + 0.2 * (row.date_value is not None)
    )
    return ScoreParts(
        position=position,
        title=title_score,
        salience=min(salience, 1.0),
        complete=complete,
        factual=1.0 if not row.negated and row.modality in {"asserted", "reported"} else 0.3,
        main_clause=clause_weight(doc, frame),
        statement=row.event_type == "STATEMENT" and not reporting_title,
        generic_actor=frame.actor is not None and tokens[frame.actor.head].lower_ in GENERIC_ACTORS,
        background=published is not None
        and row.date_start is not None
        and row.date_source in {"clause", "sentence"}
        and row.date_start < published - dt.timedelta(days=RANKING.background_days),
        preamble=row.predicate_start_char < preamble,
    )


def _title_score(
    frame: Frame,
    row: EventRow,
    title: Headline,
    words_of: Callable[[int, int], Iterable[str]],
    predicate: Token,
    reporting_title: bool,
) -> float:
    """How well the event matches the headline, in [0, 1]: its words, its predicate (the
    headline's main one, or one of its type), its actor as the headline's subject."""
    if not title.words:
        return 0.0
    words = set(words_of(frame.predicate, frame.predicate + 1))
    words.add(frame.event_lemma)
    for arg in (frame.actor, frame.target, frame.object):
        if arg is not None:
            words.update(words_of(arg.start, arg.end))
    for name in (row.actor_canonical, row.target_canonical):
        if name:
            words.update(w.lower() for w in name.split())
    actor_words = set(words_of(frame.actor.start, frame.actor.end)) if frame.actor else set()
    if row.actor_canonical:
        actor_words.update(w.lower() for w in row.actor_canonical.split())
    lemmas = with_families({frame.event_lemma, predicate.lemma_.lower()})
    # The headline's main predicate names the main event; its other predicates name
    # circumstances ("Obama leads celebrations as Cubs end curse"). A reporting headline
    # ("FBI declares ...") is matched by any saying verb.
    main_match = bool(lemmas & title.main) or (reporting_title and bool(lemmas & REPORTING_LEMMAS))
    typed_match = row.event_type in title.types
    # Parts sum to at most 1.3: scaled, not capped, so that matching the main predicate
    # still tells apart two events that share many headline words.
    return (
        0.15 * min(len(words & title.words), 3)
        + 0.2 * bool(lemmas & title.words)
        + 0.15 * bool(lemmas & (title.predicates - title.circumstances))
        + 0.15 * (main_match or typed_match)
        + 0.1 * main_match
        + 0.25 * bool(actor_words & title.subjects)
    ) / 1.3
