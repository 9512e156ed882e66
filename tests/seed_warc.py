"""Writes seeds/006_archive.warc.gz, the sample web archive (`python -m tests.seed_warc`).

Three records, as a crawler writes them: the request for a news page, its HTML response,
and a robots.txt response (not an article). Dates and record ids are fixed so the file is
the same bytes every time (tests/extractors/test_web_inputs.py checks it is).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "seeds" / "006_archive.warc.gz"
CRAWLED = "2024-02-20T08:15:00Z"
PAGE_URI = "https://news.example.org/2024/02/19/bridge"
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Engineers reopen Danube bridge after repairs | event-etl sample news</title>
<meta property="og:site_name" content="event-etl sample news">
<meta property="article:published_time" content="2024-02-19T11:00:00+01:00">
</head><body>
<nav><a href="/">Home</a> | <a href="/europe">Europe</a> | <a href="/business">Business</a></nav>
<article><h1>Engineers reopen Danube bridge after repairs</h1>
<p>BUDAPEST, Hungary — Engineers reopened the Margaret Bridge in Budapest to traffic on Monday
after two years of repairs, the city council said.</p>
<p>Mayor Gergely Karacsony thanked residents for their patience and said trams would return
to the bridge next month.</p></article>
<footer>A sample page written for event-etl's tests.</footer>
</body></html>
"""


def build(path: Path = SEED) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    records = [
        ("request", PAGE_URI, None, None),
        ("response", PAGE_URI, "text/html; charset=utf-8", PAGE.encode("utf-8")),
        ("response", "https://news.example.org/robots.txt", "text/plain", b"User-agent: *\n"),
    ]
    for number, (kind, uri, content_type, body) in enumerate(records, start=1):
        headers = {
            "WARC-Date": CRAWLED,
            "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>",
        }
        if kind == "request":
            http = StatusAndHeaders(
                "GET /2024/02/19/bridge HTTP/1.1",
                [("Host", "news.example.org")],
                is_http_request=True,
            )
            record = writer.create_warc_record(
                uri,
                "request",
                payload=io.BytesIO(b""),
                http_headers=http,
                warc_headers_dict=headers,
            )
        else:
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(body),
                http_headers=http,
                warc_headers_dict=headers,
            )
        writer.write_record(record)
        record.raw_stream.close()  # warcio spools the block to a temporary file
    data = buffer.getvalue()
    path.write_bytes(data)
    return data


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else SEED)
