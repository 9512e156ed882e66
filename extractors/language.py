"""Ingest stage: the language a document is written in (py3langid, its model in the package).

py3langid (langid.py's model: 97 languages, character n-grams, naive Bayes) is offline,
needs only numpy, and classifies a news article in under a millisecond; its model takes
about a second to load, so it is loaded on the first document that needs it, or by
`preload` while `event-etl run` starts up.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

# Characters read from the start of a text: the lead decides, and the cost stays flat.
SAMPLE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1 ('en'), as py3langid names them
    probability: float  # normalized over py3langid's languages


_LOADING = threading.Lock()


@functools.cache
def _load() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _identifier() -> Any:
    with _LOADING:  # one load, even when preload's thread is still at it
        return _load()


def preload() -> None:
    """Load the model in a background thread (while a run starts its Prefect server)."""
    threading.Thread(target=_identifier, name="language-model", daemon=True).start()


def detect(text: str) -> Language:
    """The most probable language of the text's first SAMPLE_CHARS characters."""
    code, probability = _identifier().classify(text[:SAMPLE_CHARS])
    return Language(str(code), float(probability))


def is_foreign(language: Language, accepted: tuple[str, ...], min_probability: float) -> bool:
    """Whether a text is confidently in a language the pipeline does not read.

    A short or mixed text gets a low probability for every language ("Seoul, March 18."
    is 'en' at 0.04): it is kept, as is any text whose best guess is an accepted language.
    """
    return language.code not in accepted and language.probability >= min_probability
