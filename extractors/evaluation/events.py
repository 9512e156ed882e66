"""Evaluation: main-event who/what/where/when against Giveme5W1H gold JSONL.

Gold records: ``{doc_id, date_publish, title, description, text, gold: {who|what|when|where|
why|how: [{text, coder_agreement}]}}`` (the ``parsed`` dates inside are tool output, not gold).
The system reads title, text and publication date only, through the real `Extractor`, and
writes one line per document: ``{"doc_id", "events": [{"who", "what", "whom", "where",
"when", "when_value", "place_geonameid", "event_type", "score", "start", "end"}]}`` sorted by
score, the main event first.

Scoring follows Giveme5W1H's own evaluation: a question is answered for a document when the
main event's answer shares a content word with one of the gold phrases (for ``what`` the
predicted what and whom together); ``top3`` asks the same of any of the first three events.
Only documents whose gold has at least one phrase for the question count. Content words are
alphanumeric tokens outside a stopword list, compared as spaCy lemmas plus lower-cased stems
("met" = "meets" = "meet"), so only a paraphrase with other words fails to match. What is
answered, as Giveme5W1H answers it, with the predicate's verb phrase: the predicate and what
it governs to its right up to a conjoined clause ("have died in a suicide attack on the
consulate"), the event's `phrase_text` as the warehouse stores it. A date the
text does not spell out (an event dated by its publication date) is written in words
("Wednesday, November 9, 2016") so that it is compared like any other date phrase. Who
and whom are written as the text names the participant plus its canonical name when that
adds words ("He (Antony Blinken)"), never as the canonical name alone.

A WikiEvents gold file (``{doc_id, tokens, text, sentences, entity_mentions,
event_mentions}``) gets a diagnostic instead: for the gold triggers that one of our events
has as its predicate, how often our actor overlaps a gold agent argument (Attacker,
Communicator, ...) and our place a gold Place argument.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.records import Article, EventRow

if TYPE_CHECKING:
    from spacy.language import Language

    from extractors.pipeline import Extraction, ExtractionFailure

QUESTIONS = ("who", "what", "where", "when")
TOP_K = 3
_STOPWORD_TEXT = """
a an the and or but of in on at to for from by with as into onto over under about after
before during since until than then this that these those it its it's is are was were be
been being has have had do does did will would can could may might shall should must not
no nor so such too very just also only up down out off he she they we you i me him her
them us our your their his hers theirs my mine who whom whose which what when where why
how there here all any both each few more most other some own same s t than said says
say mr mrs ms dr
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[0-9A-Za-z\u00C0-\u024F]+")


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


class ContentWords:
    """Content words of phrases, as lemmas when a spaCy pipeline is given ("won" = "win").

    Without a pipeline, regular inflection is stripped instead ("meets" = "meet").
    """

    def __init__(self, nlp: Language | None = None) -> None:
        self.nlp = nlp
        self.cache: dict[str, frozenset[str]] = {}

    def prepare(self, phrases: Iterable[str]) -> None:
        """Lemmatize many phrases in one pass (nlp.pipe), filling the cache."""
        todo = sorted({p for p in phrases if p and p not in self.cache})
        if self.nlp is None or not todo:
            return
        for phrase, doc in zip(todo, self.nlp.pipe(todo), strict=True):
            self.cache[phrase] = frozenset(
                _stem(t.lemma_.lower())
                for t in doc
                if _WORD.fullmatch(t.text)
                and t.lower_ not in STOPWORDS
                and t.lemma_.lower() not in STOPWORDS
            ) | frozenset(content_words(phrase))

    def __call__(self, text: str | None) -> frozenset[str]:
        if not text:
            return frozenset()
        if text not in self.cache:
            if self.nlp is not None:
                self.prepare([text])
            else:
                self.cache[text] = frozenset(content_words(text))
        return self.cache[text]


def content_words(text: str | None) -> set[str]:
    """Stemmed content words of a phrase; possessive 's and quotes fall away."""
    if not text:
        return set()
    text = text.replace("’", "'").replace("'s", "")
    words = (w.lower() for w in _WORD.findall(text))
    return {_stem(w) for w in words if w not in STOPWORDS}


def matches(predicted: str | None, gold: list[str], *, words: ContentWords | None = None) -> bool:
    """True when the prediction shares a content word with any gold phrase."""
    words = words or ContentWords()
    found = words(predicted)
    return bool(found) and any(found & words(g) for g in gold)


def read_gold(path: Path, *, limit: int | None = None) -> Iterator[dict]:
    """Gold documents in file order."""
    with open(path, encoding="utf-8") as fh:
        count = 0
        for line in fh:
            if not line.strip():
                continue
            if limit is not None and count >= limit:
                break
            count += 1
            yield json.loads(line)


def _published(value: str | None) -> dt.date | None:
    if not value or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        return None
    return dt.date.fromisoformat(value[:10])


def article_of(record: dict) -> Article:
    """The Article the system sees: title, text and publication date, nothing of the gold."""
    from extractors.ingest import detect_dateline, doc_id_of, normalize_text

    text = normalize_text(record.get("text") or "")
    published = _published(record.get("date_publish"))
    dateline = detect_dateline(text)
    return Article(
        doc_id=doc_id_of(text),
        text=text,
        source_uri="giveme5w1h",
        record_no=None,
        source_id=record.get("doc_id"),
        title=record.get("title"),
        url=None,
        source=None,
        published=published,
        published_from="metadata" if published else "none",
        dateline=dateline[0] if dateline else None,
        dateline_start_char=dateline[1] if dateline else None,
        dateline_end_char=dateline[2] if dateline else None,
    )


def _spelled_date(value: str | None) -> str | None:
    """A date the text does not spell (the publication date) in words: 2016-11-09 ->
    "Wednesday, November 9, 2016"; other values stay as they are."""
    if value is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    day = dt.date.fromisoformat(value)
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def participant(text: str | None, canonical: str | None) -> str | None:
    """An actor as a reader would name it: the phrase in the text with its canonical name
    ("He (Antony Blinken)", "the White House national security adviser, Jake Sullivan"),
    or just one of them when it already contains the other."""
    if not text or not canonical:
        return text or canonical
    if canonical.lower() in text.lower():
        return text
    if text.lower() in canonical.lower():
        return canonical
    return f"{text} ({canonical})"


def _events(extraction: Extraction | ExtractionFailure) -> list[EventRow]:
    """A document's events; none when its extraction failed (logged by the Extractor), so
    the document counts as missed rather than stopping the evaluation."""
    return list(getattr(extraction, "events", []))


def event_json(row: EventRow) -> dict:
    """One predicted event in the evaluation format; what is the event's verb phrase
    (`phrase_text`), else the predicate with its object."""
    who = participant(row.actor_text, row.actor_canonical)
    whom = participant(row.target_text, row.target_canonical)
    if who is None and row.target_text is not None and row.actor_text is None:
        # "Seven people were killed": the only participant answers who.
        who, whom = whom, None
    what = row.phrase_text or " ".join(x for x in (row.predicate_text, row.object_text) if x)
    offsets = [
        o
        for o in (
            row.actor_start_char,
            row.actor_end_char,
            row.predicate_start_char,
            row.predicate_end_char,
            row.target_start_char,
            row.target_end_char,
        )
        if o is not None
    ]
    return {
        "who": who,
        "what": what,
        "whom": whom,
        "where": row.place_text or row.place_name,
        "when": row.date_text or _spelled_date(row.date_value),
        "when_value": row.date_value,
        "place_geonameid": row.place_geonameid,
        "event_type": row.event_type,
        "score": row.score,
        "start": min(offsets),
        "end": max(offsets),
    }


def predict(gold: Path, predictions: Path, *, limit: int | None = None) -> float:
    """Run the Extractor over the gold documents and write predictions; returns seconds."""
    from extractors.config import load_settings
    from extractors.pipeline import Extractor

    extractor = Extractor(load_settings())
    records = list(read_gold(gold, limit=limit))
    started = time.perf_counter()
    predictions.parent.mkdir(parents=True, exist_ok=True)
    with open(predictions, "w", encoding="utf-8") as out:
        articles = [article_of(r) for r in records]
        extractions = extractor.extract(articles, run_id="evaluation")
        for record, extraction in zip(records, extractions, strict=True):
            rows = sorted(_events(extraction), key=lambda e: e.rank_in_doc)
            line = {"doc_id": record["doc_id"], "events": [event_json(r) for r in rows]}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return time.perf_counter() - started


def score(
    gold: Path, predictions: Path, *, limit: int | None = None, nlp: Language | None = None
) -> dict:
    """Main-event and top-3 match rates per question, plus the per-document misses.

    With `nlp`, words are compared as lemmas ("won" matches "win"); without, as stems.
    """
    words = ContentWords(nlp)
    predicted = {}
    with open(predictions, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                predicted[rec["doc_id"]] = rec["events"]
    records = list(read_gold(gold, limit=limit))
    phrases_seen = [g["text"] for r in records for q in QUESTIONS for g in r["gold"].get(q, [])]
    phrases_seen += [
        _answer(e, q) or ""
        for events in predicted.values()
        for e in events[:TOP_K]
        for q in QUESTIONS
    ]
    words.prepare(phrases_seen)
    hits: list[tuple[dict, str, bool, bool]] = []  # (record, question, main, top3)
    misses: list[dict] = []
    for record in records:
        events = predicted.get(record["doc_id"], [])
        for question in QUESTIONS:
            phrases = [g["text"] for g in record["gold"].get(question, []) if g.get("text")]
            if not phrases:
                continue
            answers = [_answer(e, question) for e in events[:TOP_K]]
            hit_main = bool(answers) and matches(answers[0], phrases, words=words)
            hit_top = any(matches(a, phrases, words=words) for a in answers)
            hits.append((record, question, hit_main, hit_top))
            if not hit_main:
                misses.append(
                    {
                        "doc_id": record["doc_id"],
                        "question": question,
                        "predicted": answers[0] if answers else None,
                        "gold": phrases,
                    }
                )
    result: dict = {"documents": len({m["doc_id"] for m in misses} | set(predicted))}
    result.update(_rates(hits))
    # Halves by story: the gold's stories (event_cluster) alternate between A and B in order
    # of first appearance, so a rule fitted on one half can be read on the other.
    stories = list(dict.fromkeys(str(r.get("event_cluster", r["doc_id"])) for r in records))
    half_of = {story: "AB"[i % 2] for i, story in enumerate(stories)}
    result["halves"] = {
        half: _rates(
            [h for h in hits if half_of[str(h[0].get("event_cluster", h[0]["doc_id"]))] == half]
        )
        | {
            "documents": sum(
                half_of[str(r.get("event_cluster", r["doc_id"]))] == half for r in records
            )
        }
        for half in "AB"
    }
    result["misses"] = misses
    return result


def _rates(hits: list[tuple[dict, str, bool, bool]]) -> dict:
    """Main-event and top-3 match rates per question over (record, question, main, top3)."""
    out = {}
    for question in QUESTIONS:
        mine = [(main, top) for _, q, main, top in hits if q == question]
        n = len(mine)
        out[question] = {
            "docs": n,
            "main": round(sum(m for m, _ in mine) / n, 4) if n else None,
            "top3": round(sum(t for _, t in mine) / n, 4) if n else None,
        }
    return out


def _answer(event: dict, question: str) -> str | None:
    if question == "what":
        return " ".join(x for x in (event.get("what"), event.get("whom")) if x)
    return event.get(question)


# WikiEvents roles that name who acts (an event's agent) and where it happens.
AGENT_ROLES = frozenset(
    {
        "Attacker",
        "Killer",
        "Communicator",
        "Participant",
        "Transporter",
        "Giver",
        "Perpetrator",
        "Injurer",
        "Jailer",
        "Investigator",
        "Demonstrator",
        "Impeder",
    }
)
PLACE_ROLES = frozenset({"Place"})


def is_wikievents(gold: Path) -> bool:
    """Whether a gold file is WikiEvents (event mentions with role-labelled arguments)."""
    first = next(read_gold(gold, limit=1), None)
    return first is not None and "event_mentions" in first


def _token_spans(record: dict) -> list[tuple[int, int]]:
    """Character span of every document token, from the sentences' [token, start, end]."""
    return [(start, end) for sentence in record["sentences"] for _, start, end in sentence[0]]


def wikievents_diagnostic(gold: Path, *, limit: int | None = None) -> dict:
    """For the gold triggers an event of ours also has as its predicate, how often our actor
    overlaps a gold agent argument and our place a gold Place argument.

    The system reads the text only (WikiEvents gives no title or publication date); gold
    token offsets are mapped to characters through the records' sentence token offsets.
    """
    from extractors.config import load_settings
    from extractors.ingest import doc_id_of
    from extractors.pipeline import Extractor

    records = list(read_gold(gold, limit=limit))
    articles = [
        Article(
            doc_id=doc_id_of(r["text"]),
            text=r["text"],
            source_uri="wikievents",
            record_no=None,
            source_id=r["doc_id"],
            title=None,
            url=None,
            source=None,
            published=None,
            published_from="none",
            dateline=None,
            dateline_start_char=None,
            dateline_end_char=None,
        )
        for r in records
    ]
    started = time.perf_counter()
    extractions = Extractor(load_settings()).extract(articles, run_id="evaluation")
    counts = dict.fromkeys(
        ("triggers", "detected", "agent_gold", "agent_ours", "agent_match"), 0
    ) | dict.fromkeys(("place_gold", "place_ours", "place_match"), 0)
    for record, extraction in zip(records, extractions, strict=True):
        spans = _token_spans(record)
        entities = {e["id"]: e for e in record["entity_mentions"]}

        def chars(start: int, end: int, spans: list[tuple[int, int]] = spans) -> tuple[int, int]:
            return spans[start][0], spans[end - 1][1]

        for mention in record["event_mentions"]:
            counts["triggers"] += 1
            t_start, t_end = chars(mention["trigger"]["start"], mention["trigger"]["end"])
            ours = [
                e
                for e in _events(extraction)
                if _overlaps(e.predicate_start_char, e.predicate_end_char, t_start, t_end)
            ]
            if not ours:
                continue
            counts["detected"] += 1
            for kind, roles in (("agent", AGENT_ROLES), ("place", PLACE_ROLES)):
                gold_spans = [
                    chars(entities[a["entity_id"]]["start"], entities[a["entity_id"]]["end"])
                    for a in mention["arguments"]
                    if a["role"] in roles and a["entity_id"] in entities
                ]
                if not gold_spans:
                    continue
                counts[f"{kind}_gold"] += 1
                found = [
                    (e.actor_start_char, e.actor_end_char)
                    if kind == "agent"
                    else (e.place_start_char, e.place_end_char)
                    for e in ours
                ]
                found = [(a, b) for a, b in found if a is not None and b is not None]
                counts[f"{kind}_ours"] += bool(found)
                counts[f"{kind}_match"] += any(
                    _overlaps(a, b, g_start, g_end)
                    for a, b in found
                    for g_start, g_end in gold_spans
                )

    def rate(numerator: int, denominator: int) -> float | None:
        return round(numerator / denominator, 4) if denominator else None

    return {
        "dataset": "wikievents",
        "documents": len(records),
        **counts,
        "trigger_recall": rate(counts["detected"], counts["triggers"]),
        "agent_match": rate(counts["agent_match"], counts["agent_gold"]),
        "agent_answered": rate(counts["agent_ours"], counts["agent_gold"]),
        "place_match": rate(counts["place_match"], counts["place_gold"]),
        "place_answered": rate(counts["place_ours"], counts["place_gold"]),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _overlaps(a_start: int | None, a_end: int | None, b_start: int, b_end: int) -> bool:
    return a_start is not None and a_end is not None and a_start < b_end and b_start < a_end


def evaluate(
    gold: Path, predictions: Path, *, metrics: Path | None = None, limit: int | None = None
) -> dict:
    """Predict, score and optionally write the metrics JSON.

    A WikiEvents gold file gets the argument diagnostic (`wikievents_diagnostic`) instead;
    it writes no predictions.
    """
    from extractors.config import load_settings
    from extractors.nlp import load_pipeline

    if is_wikievents(gold):
        result = wikievents_diagnostic(gold, limit=limit)
    else:
        seconds = predict(gold, predictions, limit=limit)
        result = score(gold, predictions, limit=limit, nlp=load_pipeline(load_settings().nlp.model))
        result["seconds"] = round(seconds, 2)
    if metrics is not None:
        metrics.parent.mkdir(parents=True, exist_ok=True)
        metrics.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return result


def format_metrics(metrics: dict) -> str:
    """Human-readable summary: one line per question (WikiEvents: one per argument kind)."""
    lines = [f"events: {metrics.get('documents', 0)} documents in {metrics.get('seconds')} s"]
    if metrics.get("dataset") == "wikievents":
        lines.append(
            f"triggers {metrics['triggers']}, ours on {metrics['detected']} "
            f"(recall {metrics['trigger_recall']})"
        )
        for kind in ("agent", "place"):
            lines.append(
                f"{kind:<6} gold on {metrics[f'{kind}_gold']} detected triggers: ours answered "
                f"{metrics[f'{kind}_answered']}, overlaps gold {metrics[f'{kind}_match']}"
            )
        return "\n".join(lines)
    lines.append(f"{'question':<8} {'docs':>5} {'main':>7} {'top3':>7}")
    for question in QUESTIONS:
        m = metrics[question]
        main = "-" if m["main"] is None else f"{m['main']:.3f}"
        top3 = "-" if m["top3"] is None else f"{m['top3']:.3f}"
        lines.append(f"{question:<8} {m['docs']:>5} {main:>7} {top3:>7}")
    for half, h in metrics.get("halves", {}).items():
        parts = [
            f"{q} {'-' if h[q]['main'] is None else format(h[q]['main'], '.3f')}" for q in QUESTIONS
        ]
        lines.append(
            f"half {half} ({h['documents']} documents, by story): main " + ", ".join(parts)
        )
    return "\n".join(lines)
