"""What reading saved web pages costs, and whether their text survives: pages vs. plain text.

    .venv/bin/python bench/web_inputs.py [--corpus ../shared/corpus/newswire.jsonl] [--n 200]
                                         [--repeats 3]

The first N newswire articles (read at benchmark time, never copied) are written twice into
a temporary folder: as one JSONL file, and as N HTML pages, each the article's paragraphs
inside a realistic news page (cookie banner, menu, byline, figure caption, related links,
footer; title and publication date in the page's meta tags). `event-etl run` is timed on
each, as a user runs it (a fresh process and warehouse each time, start-up included),
alternating the two, and the pages' extracted texts are compared with the originals.
"""

from __future__ import annotations

import argparse
import html
import json
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | The Example Herald</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="The Example Herald">
<meta property="article:published_time" content="{published}T09:00:00+00:00">
<link rel="stylesheet" href="/static/site.css">
</head><body>
<div class="consent-banner"><p>We use cookies and similar technologies to improve your
experience and to show you personalised ads.</p><button>Accept all</button>
<button>Manage preferences</button></div>
<header><a class="logo" href="/">The Example Herald</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li></ul></nav>
<form class="search"><input name="q" placeholder="Search"></form></header>
<main><article>
<h1>{title}</h1>
<div class="byline">By Staff Reporter · {published}</div>
<figure><img src="/img/lead.jpg" alt=""><figcaption>A file photo. Photo: Example Agency
</figcaption></figure>
{paragraphs}
<div class="share"><a href="#">Share on social media</a> <a href="#">Email</a></div>
</article></main>
<aside class="related"><h2>Related stories</h2><ul>
<li><a href="/r1">Markets close higher as oil prices ease</a></li>
<li><a href="/r2">Weather service warns of heavy rain this weekend</a></li>
<li><a href="/r3">Opinion: what the new budget means for families</a></li></ul>
<h2>Most read</h2><ol><li><a href="/m1">Ten things to do this summer</a></li>
<li><a href="/m2">The week in pictures</a></li></ol></aside>
<footer><p>© 2024 The Example Herald. All rights reserved.</p>
<ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy policy</a></li>
<li><a href="/terms">Terms of use</a></li><li><a href="/contact">Contact</a></li></ul></footer>
</body></html>
"""


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def write_inputs(corpus: Path, n: int, root: Path) -> list[dict]:
    records = []
    with open(corpus, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("title") and record.get("dct") and record.get("text", "").strip():
                records.append(record)
            if len(records) >= n:
                break
    (root / "text").mkdir()
    (root / "pages").mkdir()
    with open(root / "text" / "articles.jsonl", "w", encoding="utf-8") as out:
        for r in records:
            out.write(
                json.dumps({"text": r["text"], "title": r["title"], "published": r["dct"]}) + "\n"
            )
    for i, r in enumerate(records):
        paragraphs = "\n".join(
            f"<p>{html.escape(p.strip())}</p>" for p in r["text"].split("\n\n") if p.strip()
        )
        page = PAGE.format(title=html.escape(r["title"]), published=r["dct"], paragraphs=paragraphs)
        (root / "pages" / f"{i:04d}.html").write_text(page, encoding="utf-8")
    return records


def timed_run(cli: Path, inputs: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(cli), "run", str(inputs), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REPO.parent / "shared/corpus/newswire.jsonl"))
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cli = Path(sys.executable).with_name("event-etl")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        records = write_inputs(Path(args.corpus), args.n, root)
        times: dict[str, list[float]] = {"text": [], "pages": []}
        for repeat in range(args.repeats):
            for kind in ("text", "pages") if repeat % 2 == 0 else ("pages", "text"):
                times[kind].append(timed_run(cli, root / kind, root / f"out-{kind}-{repeat}"))
        import duckdb

        con = duckdb.connect(str(root / "out-pages-0" / "events.duckdb"), read_only=True)
        got = dict(con.execute("SELECT source_uri, text FROM documents").fetchall())
        published = dict(con.execute("SELECT source_uri, published FROM documents").fetchall())
        con.close()
        same = dated = 0
        for i, r in enumerate(records):
            uri = str(root / "pages" / f"{i:04d}.html")
            same += _normal(got.get(uri, "")) == _normal(r["text"])
            dated += str(published.get(uri)) == r["dct"]
    text, pages = statistics.median(times["text"]), statistics.median(times["pages"])
    print(f"{len(records)} articles; median of {args.repeats} `event-etl run` processes each")
    print(f"as JSONL text: {text:.2f} s  {[round(t, 2) for t in times['text']]}")
    print(f"as HTML pages: {pages:.2f} s  {[round(t, 2) for t in times['pages']]}")
    print(f"pages / text: {pages / text:.3f}")
    print(
        f"pages whose extracted text equals the article (whitespace aside): {same}/{len(records)}"
    )
    print(f"pages whose publication date was read from the page: {dated}/{len(records)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
