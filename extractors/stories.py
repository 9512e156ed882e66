"""Stories stage: documents about the same real-world happening, grouped as they arrive.

A document is a TF-IDF vector of the content words of its title (counted twice) and lead.
Documents are taken one at a time in arrival order; each joins the story it is closest to
on average (the mean cosine to the story's documents, which is the dot product with the
story's summed vectors over its size) when that mean reaches `threshold` and the document
is dated between the story's first date minus `window_days` and its last date plus
`window_days`; else it starts a story of its own, named after it. IDF is
counted over the documents that arrived before, so a document's vector, and the story it
joins, depend only on what came before it: one run of N documents and ten runs of N/10 give
the same stories, and a story's id never changes.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.lang.en.stop_words import STOP_WORDS

from extractors.config import StoriesSettings

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]")


_DEFAULTS = StoriesSettings()


@dataclass(frozen=True, slots=True)
class StoryParams:
    threshold: float = _DEFAULTS.threshold  # mean cosine to a story's documents to join it
    window_days: int = _DEFAULTS.window_days  # days from a story's documents a new one may be
    duplicate_jaccard: float = _DEFAULTS.duplicate_jaccard  # near-duplicate at or above
    lead_chars: int = 1500  # the text read after the title: the lead carries the story
    title_weight: int = 2  # a title word counts this many times

    @classmethod
    def of(cls, settings: StoriesSettings) -> StoryParams:
        return cls(
            threshold=settings.threshold,
            window_days=settings.window_days,
            duplicate_jaccard=settings.duplicate_jaccard,
        )


def terms(title: str | None, text: str, params: StoryParams) -> Counter[str]:
    """Content-word counts of a document: title words `title_weight` times, then the lead."""

    def words(s: str) -> list[str]:
        found = (w.casefold() for w in _WORD.findall(s))
        return [w for w in found if len(w) > 2 and w not in STOP_WORDS]

    counts = Counter(words(title or "") * params.title_weight)
    counts.update(words(text[: params.lead_chars]))
    return counts


SHINGLE_WORDS = 5  # near-duplicates share most runs of this many words
NUM_PERM = 64  # MinHash permutations: Jaccard estimated to about +-0.06
# datasketch's hashing scheme, named so that signatures kept in a run's state stay
# comparable with new ones when datasketch changes its default.
SCHEME = "affine32"


def signature(text: str) -> list[int]:
    """MinHash (datasketch) of the text's word 5-shingles, lowercased."""
    from datasketch import MinHash

    words = text.casefold().split()
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(max(1, len(words) - SHINGLE_WORDS + 1))
    }
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    minhash.update_batch(sorted(shingles))
    return [int(v) for v in minhash.hashvalues]


def jaccard(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


@dataclass
class Story:
    story_id: str
    first_day: int  # proleptic ordinal of the earliest document's date
    last_day: int
    n_documents: int = 0
    centroid: Counter[str] = field(default_factory=Counter)  # sum of the members' vectors
    # (doc_id, signature) of its documents in arrival order, for near-duplicates.
    members: list[tuple[str, list[int]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Assignment:
    story_id: str
    similarity: float  # mean cosine to the story's documents (1.0: it started the story)
    dup_of: str | None  # the story's first document this one nearly repeats
    dup_jaccard: float | None  # their estimated shingle Jaccard


@dataclass
class StoryClusterer:
    """The single pass. `df` and `n_docs` are the document frequencies of what came before;
    `stories` the open stories (those a new document may still join)."""

    params: StoryParams = field(default_factory=StoryParams)
    df: Counter[str] = field(default_factory=Counter)
    n_docs: int = 0
    stories: dict[str, Story] = field(default_factory=dict)

    def vector(self, counts: Counter[str]) -> dict[str, float]:
        """Unit TF-IDF vector against the documents seen so far (this one included)."""
        n = self.n_docs + 1
        weights = {
            w: (1 + math.log(c)) * math.log((n + 1) / (self.df[w] + 1.5)) for w, c in counts.items()
        }
        norm = math.sqrt(sum(x * x for x in weights.values())) or 1.0
        return {w: x / norm for w, x in weights.items()}

    def __post_init__(self) -> None:
        # Which open stories have each word: only those can score above zero.
        self.postings: dict[str, set[str]] = {}
        for story in self.stories.values():
            for word in story.centroid:
                self.postings.setdefault(word, set()).add(story.story_id)

    def add(
        self,
        doc_id: str,
        day: int | None,
        counts: Counter[str],
        minhash: list[int] | None = None,
    ) -> Assignment:
        """The story the document joins (or starts), and what it nearly repeats there.

        A near-duplicate (a reprint, a lightly edited rewrite) is looked for among the
        documents of the story it joins: one that says the same nearly word for word also
        shares its title and lead words.
        """
        if day is not None:
            # A margin of a second window for documents that arrive out of date order.
            self.close_before(day - self.params.window_days)
        vec = self.vector(counts)
        self.n_docs += 1
        self.df.update(counts.keys())
        best, best_score = None, 0.0
        candidates = set().union(*(self.postings.get(w, ()) for w in vec))
        for story_id in sorted(candidates):
            story = self.stories[story_id]
            if day is not None and not (
                story.first_day - self.params.window_days
                <= day
                <= story.last_day + self.params.window_days
            ):
                continue
            score = sum(x * story.centroid.get(w, 0.0) for w, x in vec.items())
            score /= story.n_documents
            if score > best_score:  # ties go to the smallest id: candidates are sorted
                best, best_score = story, score
        dup_of, dup_jaccard = None, None
        if best is None or best_score < self.params.threshold:
            best = Story(doc_id, day or 0, day or 0)
            self.stories[doc_id] = best
            best_score = 1.0
        elif minhash is not None:
            for member, theirs in best.members:
                estimate = jaccard(minhash, theirs)
                if estimate >= self.params.duplicate_jaccard:
                    dup_of, dup_jaccard = member, estimate
                    break
        if minhash is not None:
            best.members.append((doc_id, minhash))
        best.n_documents += 1
        best.centroid.update(vec)
        for word in vec:
            self.postings.setdefault(word, set()).add(best.story_id)
        if day is not None:
            best.first_day = min(best.first_day, day) if best.n_documents > 1 else day
            best.last_day = max(best.last_day, day)
        return Assignment(best.story_id, best_score, dup_of, dup_jaccard)

    def to_json(self) -> bytes:
        """The state a later run continues from: frequencies and the stories still open."""
        stories = [
            {
                "story_id": s.story_id,
                "first_day": s.first_day,
                "last_day": s.last_day,
                "n_documents": s.n_documents,
                "centroid": s.centroid,
                "members": s.members,
            }
            for s in self.stories.values()
        ]
        state = {"n_docs": self.n_docs, "df": self.df, "stories": stories}
        return json.dumps(state, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes | None, params: StoryParams) -> StoryClusterer:
        """The clusterer where `to_json` left it.

        Raises:
            ValueError: the data is not a state `to_json` wrote.
        """
        if not data:
            return cls(params)
        try:
            state = json.loads(data)
            state["n_docs"], state["df"], state["stories"]  # noqa: B018 - the keys must be there
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not a stories state: {exc}") from exc
        stories = {
            s["story_id"]: Story(
                s["story_id"],
                s["first_day"],
                s["last_day"],
                s["n_documents"],
                Counter(s["centroid"]),
                [(doc_id, list(sig)) for doc_id, sig in s.get("members", [])],
            )
            for s in state["stories"]
        }
        return cls(params, Counter(state["df"]), state["n_docs"], stories)

    def close_before(self, day: int) -> list[Story]:
        """Stories no document dated `day` or later can join: out of memory, returned."""
        closed = [s for s in self.stories.values() if s.last_day + self.params.window_days < day]
        for story in closed:
            del self.stories[story.story_id]
            for word in story.centroid:
                holders = self.postings[word]
                holders.discard(story.story_id)
                if not holders:
                    del self.postings[word]
        return closed


def cluster(
    docs: Iterable[tuple[str, int | None, str | None, str]], params: StoryParams | None = None
) -> dict[str, str]:
    """doc_id -> story_id for (doc_id, day, title, text) in arrival order."""
    params = params or StoryParams()
    clusterer = StoryClusterer(params)
    return {
        doc_id: clusterer.add(doc_id, day, terms(title, text, params)).story_id
        for doc_id, day, title, text in docs
    }
