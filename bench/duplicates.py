"""Near-duplicates on the newswire corpus: what the threshold finds, for reading.

    .venv/bin/python bench/duplicates.py [--corpus ../shared/corpus/newswire.jsonl]
                                         [--n 5000] [--sample 15] [--out pairs.jsonl]

Clusters the first N articles into stories in arrival order (as runs do) and records each
document's best match among its story's earlier documents (estimated word 5-shingle
Jaccard). Independently, every pair with an estimate >= 0.5 across the whole set is found
with datasketch's MinHash LSH, to see how many of the pairs above the threshold the
story-scoped search misses. Writes a random sample of pairs above the threshold and just
below it (0.6 to the threshold) with both texts' starts, for a reader to judge.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractors.config import load_settings  # noqa: E402
from extractors.stories import (  # noqa: E402
    SCHEME,
    StoryClusterer,
    StoryParams,
    jaccard,
    signature,
    terms,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REPO.parent / "shared/corpus/newswire.jsonl"))
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=15)
    parser.add_argument("--out", default="duplicate_pairs.jsonl")
    args = parser.parse_args()
    params = StoryParams.of(load_settings().stories)
    docs = []
    with open(args.corpus, encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i >= args.n:
                break
            r = json.loads(line)
            docs.append((r["doc_id"], r.get("dct"), r.get("title"), r["text"]))
    clusterer = StoryClusterer(params)
    sigs, story_of, best = {}, {}, {}
    for doc_id, dct, title, text in docs:
        day = dt.date.fromisoformat(dct).toordinal() if dct else None
        sig = signature(text)
        sigs[doc_id] = sig
        got = clusterer.add(doc_id, day, terms(title, text, params), sig)
        story_of[doc_id] = got.story_id
        earlier = [d for d in best if story_of[d] == got.story_id and d != doc_id]
        scored = [(jaccard(sig, sigs[d]), d) for d in earlier]
        best[doc_id] = max(scored) if scored else (0.0, None)
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=len(next(iter(sigs.values()))))
    high_global = set()
    for doc_id, sig in sigs.items():
        m = MinHash(num_perm=len(sig), seed=1, hashvalues=sig, scheme=SCHEME)
        for other in lsh.query(m):
            if jaccard(sig, sigs[other]) >= params.duplicate_jaccard:
                high_global.add(doc_id)
        lsh.insert(doc_id, m)
    above = [(d, s, o) for d, (s, o) in best.items() if o and s >= params.duplicate_jaccard]
    below = [(d, s, o) for d, (s, o) in best.items() if o and 0.6 <= s < params.duplicate_jaccard]
    print(f"{len(docs)} documents, {len(set(story_of.values()))} stories")
    print(f"near-duplicates (>= {params.duplicate_jaccard}) found in their story: {len(above)}")
    print(f"documents with an earlier pair >= threshold anywhere (LSH): {len(high_global)}")
    print(f"story-scoped search finds {len({d for d, _, _ in above} & high_global)} of them")
    print(f"pairs just below (0.6 - threshold) in the same story: {len(below)}")
    rng = random.Random(7)
    text = {d: (t or "", x) for d, _, t, x in docs}
    with open(args.out, "w", encoding="utf-8") as out:
        for kind, pairs in (("above", above), ("below", below)):
            for d, s, o in rng.sample(pairs, min(args.sample, len(pairs))):
                out.write(
                    json.dumps(
                        {
                            "kind": kind,
                            "jaccard": round(s, 3),
                            "a": {"doc_id": o, "title": text[o][0], "text": text[o][1][:1200]},
                            "b": {"doc_id": d, "title": text[d][0], "text": text[d][1][:1200]},
                        }
                    )
                    + "\n"
                )
    print(f"sample written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
