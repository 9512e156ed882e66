"""Language detection: accuracy on English vs other news text, and its cost per document.

    .venv/bin/python bench/language.py [--corpus ../shared/corpus/newswire.jsonl] [--n 2000]

English: the paragraphs of the first N newswire documents (read at benchmark time, never
copied), and whole documents. Other languages: the example sentences spaCy ships for each of
its languages (spacy/lang/*/examples.py), one by one and joined three at a time into
paragraphs. A text counts as correct when `is_foreign` says foreign exactly for the others.
The documents are split by position (odd/even) so a threshold chosen on one half is
reported on the other.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractors.config import load_settings  # noqa: E402
from extractors.language import detect, is_foreign  # noqa: E402


def foreign_samples() -> list[tuple[str, str]]:
    import spacy.lang

    out = []
    for module in pkgutil.iter_modules(spacy.lang.__path__):
        if module.name in ("en", "xx"):  # English, and the multi-language mix
            continue
        try:
            examples = importlib.import_module(f"spacy.lang.{module.name}.examples")
        except ImportError:
            continue
        sentences = [s for s in getattr(examples, "sentences", []) if len(s) >= 20]
        out += [(module.name, s) for s in sentences]
        out += [
            (f"{module.name}-para", " ".join(sentences[i : i + 3]))
            for i in range(0, len(sentences), 3)
        ]
    return out


def english_samples(corpus: Path, n: int) -> list[tuple[str, str]]:
    out = []
    with open(corpus, encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i >= n:
                break
            text = json.loads(line)["text"].strip()
            out.append(("en-doc", text))
            out += [("en", p.strip()) for p in text.split("\n\n") if len(p.strip()) >= 20]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REPO.parent / "shared/corpus/newswire.jsonl"))
    parser.add_argument("--n", type=int, default=2000, help="newswire documents")
    args = parser.parse_args()
    ingest = load_settings().ingest
    samples = english_samples(Path(args.corpus), args.n) + foreign_samples()
    detect("warm-up: the model loads on first use")
    started = time.perf_counter()
    results = [(kind, text, detect(text)) for kind, text in samples]
    seconds = time.perf_counter() - started
    groups = {
        "English documents": lambda k: k == "en-doc",
        "English paragraphs": lambda k: k == "en",
        "other-language sentences": lambda k: not k.startswith("en") and "-para" not in k,
        "other-language paragraphs (3 sentences)": lambda k: k.endswith("-para"),
    }
    for half in (0, 1):
        rows = [r for i, r in enumerate(results) if i % 2 == half]
        for name, member in groups.items():
            chosen = [r for r in rows if member(r[0])]
            right = sum(
                is_foreign(lang, ingest.languages, ingest.language_min_probability)
                == (not kind.startswith("en"))
                for kind, _, lang in chosen
            )
            print(f"half {half}: {name}: {right}/{len(chosen)} = {right / len(chosen):.4f}")
    print(f"{len(results)} texts in {seconds:.2f} s ({1000 * seconds / len(results):.3f} ms each)")
    wrong = [
        (k, round(lang.probability, 3), lang.code, t[:70])
        for k, t, lang in results
        if is_foreign(lang, ingest.languages, ingest.language_min_probability) != (k[:2] != "en")
    ]
    print(f"wrong ({len(wrong)}):")
    for w in wrong[:40]:
        print("  ", w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
