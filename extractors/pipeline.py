"""Pipeline: Articles in, table rows out; loads the model, gazetteer and lexicons once and runs
the stages (parse, places, dates, actors, events, rows) on each parsed Doc.

Nothing here touches Prefect or DuckDB.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata

from spacy.language import Language
from spacy.tokens import Doc

from extractors.actors import ActorResolver, load_actor_lexicon
from extractors.config import Settings
from extractors.dates.anchor import lead_date, with_clock_times
from extractors.dates.detect import Timex, timexes
from extractors.events.attach import ByOffset, DocContext, is_boilerplate, lead_sentences
from extractors.events.eventive import not_event
from extractors.events.frames import (
    frames,
)
from extractors.events.headline import read_headline
from extractors.events.rank import rank_events
from extractors.events.rows import document_row, event_row, mention_rows
from extractors.events.types import load_event_types
from extractors.nlp import (
    doc_sents,
    doc_text,
    load_pipeline,
    remember_text,
)
from extractors.places.dateline import dateline_extent, dateline_place, inline_dateline
from extractors.places.gazetteer import load_gazetteer
from extractors.places.names import Place, Toponym
from extractors.places.resolve import PlaceResolver
from extractors.places.setting import document_place, lead_places, named_setting, title_places
from extractors.records import (
    Article,
    DocumentRow,
    EventRow,
    MentionRow,
)

_log = logging.getLogger(__name__)


def extractor_version(model: str) -> str:
    """Version stamp of extraction: a change here reprocesses documents."""
    try:
        model_version = metadata.version(model.replace("_", "-"))
    except metadata.PackageNotFoundError:
        model_version = "unknown"
    return f"{metadata.version('event-etl')}+{model}-{model_version}"


@dataclass(slots=True)
class Extraction:
    """All rows produced from one document."""

    document: DocumentRow
    events: list[EventRow]
    mentions: list[MentionRow]
    places: list[Place] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ExtractionFailure:
    """A document whose extraction raised (a bug): the run rejects it and goes on."""

    article: Article
    error: str  # "<exception type>: <message>"


# A made-up article for Extractor._warm_up: a dateline, places, quoted speech, and dates
# for both the rules and dateparser.
_WARM_UP_TITLE = "Floods force thousands from homes in Springfield, Illinois"


_WARM_UP_TEXT = (
    "SPRINGFIELD, Ill. (AP) — Heavy rain forced thousands of residents of Springfield to "
    "leave their homes on Tuesday, officials said.\n\n"
    "“We have never seen the river this high,” Mayor Jane Doe told reporters in Chicago "
    "three weeks ago. The governor met aid groups in Paris, France, in mid-July 2019 and "
    "will visit Canada next month, the Red Cross said in the early morning of March 17."
)


# A text to parse (a headline, a whole text or a piece of one) and what it is of its Article.
_Piece = tuple[str, tuple[Article, str]]


def _dateline_mask(text: str, article: Article, inline: Toponym | None) -> tuple[int, int] | None:
    """Character offsets of the dateline, which names where the story was filed: no actor,
    target or clause place is taken from it."""
    start = article.dateline_start_char
    if start is None and inline is not None:
        start = inline.start
    return dateline_extent(text, start) if start is not None else None


def batches(articles: Iterable[Article], *, max_chars: int, size: int) -> Iterator[list[_Piece]]:
    """`size` texts (or pieces of one, cut at max_chars) per batch, with their headlines
    just before them: a headline is a few tokens, and counting it as a text would halve the
    batches.

    A batch also ends before its texts pass max_chars characters (one text may fill it):
    the parser's working memory grows with the characters of a batch, so the pieces of a
    long document are parsed one after another, not all at once, and peak memory depends
    on max_chars, not on the document's length (BENCHMARKS.md, "Measurements behind the
    code"). Sixteen news articles come to well under max_chars, so their batches are as
    before."""
    from extractors.ingest import chunk_text  # the cutting rule lives with ingest

    batch: list[_Piece] = []
    texts = chars = 0
    for article in articles:
        pieces = chunk_text(article.text, max_chars)
        for n, (piece, last) in enumerate(pieces):
            if texts == size or (texts and chars + len(piece) > max_chars):
                yield batch
                batch, texts, chars = [], 0, 0
            if n == 0 and article.title:
                batch.append((article.title, (article, "title")))
            batch.append((piece, (article, "last" if last else "part")))
            texts += 1
            chars += len(piece)
    if batch:
        yield batch


class Extractor:
    """Turns Articles into rows; build once per process and reuse across batches."""

    def __init__(self, settings: Settings, *, nlp: Language | None = None) -> None:
        self.settings = settings
        self.nlp = nlp if nlp is not None else load_pipeline(settings.nlp.model)
        self.places = PlaceResolver(load_gazetteer(cache_dir=settings.places.cache_path()))
        self.actor_lexicon = load_actor_lexicon()
        self.event_types = load_event_types()
        self.event_nouns = frozenset(self.event_types.nouns)
        self.version = extractor_version(settings.nlp.model)
        # Seconds per stage (parse, places, dates, events, rows), summed over all documents.
        self.timings: dict[str, float] = {}
        self._warm_up()

    def _warm_up(self) -> None:
        """Extract one small made-up article now, so that one-time costs (dateparser's
        import and timezone patterns, the first gazetteer and lexicon look-ups, about a
        second) are paid where the Extractor is built, not by a run's first document."""
        from extractors.ingest import build_article

        article = build_article(
            _WARM_UP_TEXT,
            {"published": "2021-03-18", "title": _WARM_UP_TITLE},
            source_uri="warm-up",
            record_no=None,
            today=dt.date(2100, 1, 1),
        )
        if isinstance(article, Article):
            for _ in self.extract([article], run_id="warm-up"):
                pass
        self.timings.clear()

    def extract(
        self, articles: Iterable[Article], *, run_id: str
    ) -> Iterator[Extraction | ExtractionFailure]:
        """Parse Articles in batches and yield their rows, in input order.

        An exception while building one document's rows (a bug, not bad input: ingest has
        vetted the text) yields an ExtractionFailure for it, logged with its traceback, and
        the other documents go on.

        A text longer than [ingest] max_chars is parsed in pieces cut at paragraph or
        sentence breaks, joined back into one Doc: offsets stay relative to the whole text,
        the doc_id is unchanged, and no document is dropped for its length. Headlines go
        through the same `nlp.pipe` batches, just before their text: a batch is [nlp]
        batch_size texts (or pieces) plus their headlines.

        Seconds spent per stage accumulate in `self.timings` (see `extract_doc`).
        """
        ingest = self.settings.ingest

        def parsed() -> Iterator[tuple[Doc, tuple[Article, str]]]:
            pieces = batches(
                articles, max_chars=ingest.max_chars, size=self.settings.nlp.batch_size
            )
            for batch in pieces:
                yield from self.nlp.pipe(batch, as_tuples=True, batch_size=len(batch))

        parts: list[Doc] = []
        title: Doc | None = None
        timings = self.timings
        # Strings and lexemes the texts add to the vocabulary are freed when the call ends,
        # so a long-running worker does not grow with every batch. No Doc leaves the zone:
        # only rows (plain Python values) are yielded.
        with self.nlp.memory_zone():
            stream = parsed()
            while True:
                started = time.perf_counter()
                item = next(stream, None)
                timings["parse"] = timings.get("parse", 0.0) + time.perf_counter() - started
                if item is None:
                    return
                doc, (article, kind) = item
                if kind == "title":
                    title = doc
                    continue
                parts.append(doc)
                if kind != "last":
                    continue
                whole = (
                    parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
                )
                parts = []
                yield self._extract_or_fail(whole, article, run_id=run_id, title=title)
                title = None

    def _extract_or_fail(
        self, doc: Doc, article: Article, *, run_id: str, title: Doc | None
    ) -> Extraction | ExtractionFailure:
        """extract_doc, or the failure it raised (logged with its traceback)."""
        # "".join(pieces) == article.text (see chunk_text), and so is the Doc's text.
        remember_text(doc, article.text)
        try:
            return self.extract_doc(doc, article, run_id=run_id, title=title)
        except Exception as exc:  # one document's bug must not sink the batch
            _log.exception("extraction failed for %s", article.source_uri)
            return ExtractionFailure(article, f"{type(exc).__name__}: {exc}")
        finally:
            # The per-Doc caches hold Tokens and Spans, which point back at the Doc:
            # dropping them frees the Doc now, not at the next cyclic garbage collection.
            doc.user_data.clear()
            if title is not None:
                title.user_data.clear()

    def extract_doc(
        self, doc: Doc, article: Article, *, run_id: str, title: Doc | None = None
    ) -> Extraction:
        """Rows for one parsed document (`article`'s text) with its parsed headline (parsed
        here when not given): the stages in order, each timed into `self.timings`."""
        lap = self._stopwatch()
        if title is None and article.title:
            title = self.nlp(article.title)
            lap("parse")
        text, places = doc_text(doc), self.places
        toponyms = places.toponyms(doc, dateline=article.dateline)
        filed_at = dateline_place(article, toponyms, places=places)
        # A dateline after page furniture ("Photo LONDON --") when ingest found none.
        inline = inline_dateline(text, toponyms, places=places) if filed_at is None else None
        lap("places")
        times = with_clock_times(text, timexes(doc, published=article.published), article.published)
        lap("dates")
        headline = read_headline(article.title, title, event_types=self.event_types, places=places)
        headline_places = title_places(headline.doc, toponyms, headline.toponyms)
        setting = document_place(doc, toponyms, title=headline_places)
        if setting[0] is None:
            setting = named_setting(doc, headline.setting, toponyms)
        masked = _dateline_mask(text, article, inline)
        lap("places")
        found = [
            f
            for f in frames(
                doc, event_nouns=self.event_nouns, masked=masked, phrasal=self.event_types.phrasal
            )
            if not is_boilerplate(doc, f) and not_event(doc, f) is None
        ]
        # The lead is counted in the story's own sentences: captions and page furniture
        # before it do not push its date out of reach.
        lead = lead_sentences(doc, found)
        leading = lead_date(doc, times, published=article.published, sentences=lead)
        context = DocContext(
            toponyms=toponyms,
            times=times,
            dateline=filed_at or (inline.place if inline is not None else None),
            actors=ActorResolver(
                doc,
                lexicon=self.actor_lexicon,
                country_of=places.country_of,
                toponyms=toponyms,
                dateline=masked,
            ),
            document_place=setting,
            lead_date=leading,
            dateline_toponym=inline,
            lead_places=lead_places(doc, toponyms, headline_places, inline),
            headline=headline,
            lead_sentences=lead,
            event_nouns=self.event_nouns,
            masked=masked,
            toponyms_at=ByOffset(toponyms),
            times_at=ByOffset(times),
        )
        rows = [
            event_row(
                doc,
                f,
                article,
                context,
                event_types=self.event_types,
                run_id=run_id,
                version=self.version,
            )
            for f in found
        ]
        events = rank_events(
            doc,
            found,
            rows,
            title=headline,
            published=article.published,
            lead_date=leading,
            times=times,
        )
        lap("events")
        return self._rows(doc, article, events, toponyms, times, filed_at, run_id=run_id, lap=lap)

    def _rows(
        self,
        doc: Doc,
        article: Article,
        events: list[EventRow],
        toponyms: list[Toponym],
        times: list[Timex],
        filed_at: Place | None,
        *,
        run_id: str,
        lap: Callable[[str], None],
    ) -> Extraction:
        """The document's rows: its events, mentions, the places they name, and itself."""
        sentence_starts = [s.start_char for s in doc_sents(doc)]
        mentions = mention_rows(
            doc, article, toponyms, times, sentence_starts, run_id=run_id, version=self.version
        )
        referenced = {t.place.geonameid: t.place for t in toponyms if t.place is not None}
        if filed_at is not None:
            referenced[filed_at.geonameid] = filed_at
        document = document_row(
            article, doc, filed_at, n_events=len(events), run_id=run_id, version=self.version
        )
        lap("rows")
        return Extraction(document, events, mentions, list(referenced.values()))

    def _stopwatch(self) -> Callable[[str], None]:
        """A lap timer: each call adds the seconds since the last to `self.timings[stage]`."""
        timings = self.timings
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = timings.get(stage, 0.0) + now - clock
            clock = now

        return lap
