"""Draw events from a warehouse for judging by reading (docs/EVALUATING.md).

    .venv/bin/python bench/sample_events.py DATABASE [--n 100] [--seed s1] [--main]
                                            [--where SQL] [--out sample.jsonl]

Random events are drawn as the product owner draws them, `order by hash(event_id || seed)`;
with --main, the main event (rank 1) of random documents instead; --where keeps the draw to
rows an SQL condition over `e` (events) and `d` (documents) admits, e.g. the half of a
corpus nobody read: `--where "d.record_no >= 500"`. Each line holds what a
judge reads (title, dateline, the article's start, the sentence) and every field judged,
with one empty verdict per field.
Keep the file outside the repository: it quotes the articles.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

FIELDS = ("event", "actor", "target", "place", "date", "modality")

QUERY = """
SELECT e.event_id, e.doc_id, d.title, d.published, d.dateline,
       left(ltrim(d.text), 900) AS lead, e.sentence_text,
       e.actor_text, e.actor_canonical, e.actor_all, e.predicate_text, e.phrase_text,
       e.event_type, e.target_text, e.target_canonical, e.target_all, e.place_text,
       e.place_name, e.place_country, e.place_source, e.place_confidence, e.date_text,
       e.date_value, e.date_source, e.modality, e.negated,
       e.reported_by, e.rank_in_doc
FROM events e JOIN documents d USING (doc_id)
WHERE {where}
ORDER BY hash({key} || $seed)
LIMIT $n
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", default="s1")
    parser.add_argument("--main", action="store_true", help="rank-1 events of random documents")
    parser.add_argument("--where", default="true", help="SQL condition over e and d")
    parser.add_argument("--out", default="-")
    args = parser.parse_args()
    con = duckdb.connect(args.database, read_only=True)
    sql = QUERY.format(
        where=("e.rank_in_doc = 1" if args.main else "true") + f" AND ({args.where})",
        key="e.doc_id" if args.main else "e.event_id",
    )
    cur = con.execute(sql, {"seed": args.seed, "n": args.n})
    names = [c[0] for c in cur.description]
    fields = (*FIELDS, "main") if args.main else FIELDS
    lines = []
    for values in cur.fetchall():
        row = dict(zip(names, values, strict=True))
        row["published"] = None if row["published"] is None else str(row["published"])
        row["verdict"] = {f: "" for f in fields}
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    if args.out == "-":
        sys.stdout.writelines(lines)
    else:
        Path(args.out).write_text("".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
