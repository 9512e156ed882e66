"""HTML pages, RSS/Atom feeds and WARC archives as inputs: exact text, metadata, reject codes.

Every file here is written by the test (the WARCs with warcio, as a crawler would).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.ingest import Rejection, articles
from extractors.records import Article
from tests import seed_warc
from tests.conftest import SEEDS

TODAY = dt.date(2026, 12, 4)
PATTERNS = ("*.html", "*.htm", "*.rss", "*.atom", "*.xml", "*.warc", "*.warc.gz")

BODY = (
    "<p>LIMA, Peru — Farmers blocked the Pan-American Highway south of Lima on Thursday to "
    "protest against water rationing, police said.</p>\n"
    "<p>The agriculture ministry said it would meet their leaders on Monday.</p>"
)
TEXT = (
    "LIMA, Peru — Farmers blocked the Pan-American Highway south of Lima on Thursday to protest "
    "against water rationing, police said.\n\nThe agriculture ministry said it would meet their "
    "leaders on Monday."
)


def page(body: str = BODY, head: str = "") -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Farmers block highway | Sample Times</title>"
        "<meta property='og:title' content='Farmers block highway'>"
        "<meta property='og:site_name' content='Sample Times'>"
        f"{head}</head><body>"
        "<div id='consent'>We use cookies. Accept all cookies to continue.</div>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>Farmers block highway</h1>{body}"
        "<figure><img src='a.jpg'><figcaption>Trucks wait at the blockade. Photo: Sample"
        "</figcaption></figure></article>"
        "<aside><h3>Most read</h3><ul><li><a href='/1'>Markets rally</a></li></ul></aside>"
        "<footer>© 2024 Sample Times. All rights reserved.</footer></body></html>"
    )


def read(*paths: Path) -> list[Article | Rejection]:
    return list(articles(list(paths), patterns=PATTERNS, today=TODAY))


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_html_page_main_text_without_boilerplate_and_its_metadata(tmp_path):
    head = (
        "<meta name='author' content='Rosa Quispe'>"
        "<meta property='article:published_time' content='2023-08-17T22:40:00-05:00'>"
        "<link rel='canonical' href='https://times.example.org/peru/blockade'>"
    )
    [article] = read(write(tmp_path / "a.html", page(head=head)))
    assert isinstance(article, Article)
    assert article.text == TEXT  # no banner, menu, headline repeat, caption, links or footer
    assert (article.title, article.source, article.author) == (
        "Farmers block highway",
        "Sample Times",
        "Rosa Quispe",
    )
    assert article.url == "https://times.example.org/peru/blockade"
    # The date as the page writes it (its own time zone), not converted to UTC.
    assert (article.published, article.published_from) == (dt.date(2023, 8, 17), "page")
    assert article.dateline == "LIMA, Peru"
    assert article.record_no is None and article.crawled_at is None


def test_a_page_without_its_own_date_has_none_not_the_footers_year(tmp_path):
    [article] = read(write(tmp_path / "a.htm", page()))
    assert (article.published, article.published_from) == (None, "none")


def test_a_sidecar_date_under_any_key_wins_over_the_page(tmp_path):
    head = "<meta property='article:published_time' content='2023-08-17T22:40:00-05:00'>"
    path = write(tmp_path / "c.html", page(head=head))
    write(tmp_path / "c.meta.json", '{"date": "2023-08-20"}')
    [article] = read(path)
    assert (article.published, article.published_from) == (dt.date(2023, 8, 20), "metadata")


def test_a_sidecar_beside_a_page_overrides_it(tmp_path):
    path = write(tmp_path / "b.html", page())
    write(tmp_path / "b.meta.json", '{"published": "2023-08-18", "title": "Edited title"}')
    [article] = read(path)
    assert (article.published, article.published_from) == (dt.date(2023, 8, 18), "metadata")
    assert article.title == "Edited title" and article.text == TEXT


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("<html><body><nav><a href='/'>Home</a></nav></body></html>", "E114"),
        ("", "E101"),
        (b"\x00\x01\x02binary\x00", "E102"),
    ],
)
def test_pages_without_text_are_rejected_with_a_code(tmp_path, content, code):
    [rejection] = read(write(tmp_path / "bad.html", content))
    assert isinstance(rejection, Rejection)
    assert (rejection.code, rejection.source_uri) == (code, str(tmp_path / "bad.html"))


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Sample Wire</title><link>https://wire.example.org/</link>
<item><title>Farmers block highway</title><link>https://wire.example.org/1</link>
<guid>w-1</guid><pubDate>Thu, 17 Aug 2023 22:40:00 -0500</pubDate>
<description>{body}</description></item>
<item><title>Nothing here</title><link>https://wire.example.org/2</link></item>
<item><title>Plain</title><guid>w-3</guid><pubDate>2023-08-19T08:00:00Z</pubDate>
<description>The ministry met farmers' leaders in Lima on Saturday.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Sample Atom</title><id>urn:s</id>
<updated>2023-08-18T10:00:00Z</updated>
<entry><title>Farmers block highway</title><link href="https://atom.example.org/1"/>
<id>urn:a1</id><author><name>Rosa Quispe</name></author>
<published>2023-08-17T22:40:00-05:00</published><updated>2023-08-18T09:00:00Z</updated>
<summary>Short summary.</summary>
<content type="html">{body}</content></entry></feed>"""


def _escaped(html: str) -> str:
    return html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_rss_entries_become_documents_and_a_bare_entry_a_reject(tmp_path):
    path = write(tmp_path / "wire.rss", RSS.format(body=_escaped(BODY)))
    first, bare, plain = read(path)
    assert isinstance(first, Article) and first.text == TEXT
    assert (first.record_no, first.source_id, first.url) == (1, "w-1", "https://wire.example.org/1")
    assert (first.title, first.source) == ("Farmers block highway", "Sample Wire")
    # RFC 2822 as written: 22:40 in Lima is still the 17th there.
    assert (first.published, first.published_from) == (dt.date(2023, 8, 17), "metadata")
    assert isinstance(bare, Rejection) and (bare.code, bare.record_no) == ("E115", 2)
    assert plain.text == "The ministry met farmers' leaders in Lima on Saturday."
    assert plain.published == dt.date(2023, 8, 19) and plain.url is None


def test_a_one_line_feed_with_a_stray_entity_loads_and_entities_are_text(tmp_path):
    line = (
        "<rss version='2.0'><channel><title>W</title><item><title>A</title><description>"
        "AT&amp;T bought a firm in Dallas&nbsp;on Monday, the company said.</description>"
        "</item></channel></rss>"
    )
    [entry] = read(write(tmp_path / "one.rss", line))
    assert isinstance(entry, Article)
    assert entry.text == "AT&T bought a firm in Dallas\xa0on Monday, the company said."


def test_atom_content_wins_over_summary(tmp_path):
    [entry] = read(write(tmp_path / "wire.atom", ATOM.format(body=_escaped(BODY))))
    assert entry.text == TEXT and entry.author == "Rosa Quispe"
    assert (entry.published, entry.source_id) == (dt.date(2023, 8, 17), "urn:a1")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("sitemap.xml", "<?xml version='1.0'?><urlset><url><loc>x</loc></url></urlset>", "E115"),
        ("cut.rss", RSS[:200], "E115"),
        ("none.rss", "<rss version='2.0'><channel><title>t</title></channel></rss>", "E101"),
        ("page.atom", page(), "E115"),
    ],
)
def test_what_is_not_a_usable_feed_is_one_reject_for_the_file(tmp_path, name, content, code):
    [rejection] = read(write(tmp_path / name, content))
    assert isinstance(rejection, Rejection)
    assert (rejection.code, rejection.record_no) == (code, None)


def warc(records: list[tuple[str, str, str | None, bytes]], *, gzip: bool = True) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    for kind, uri, content_type, body in records:
        if kind == "request":
            http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
        else:
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        headers = {"WARC-Date": "2023-08-20T07:00:00Z"}
        record = writer.create_warc_record(
            uri, kind, payload=io.BytesIO(body), http_headers=http, warc_headers_dict=headers
        )
        writer.write_record(record)
        record.raw_stream.close()  # warcio spools the block to a temporary file
    return buffer.getvalue()


RECORDS = [
    ("request", "https://times.example.org/a", None, b""),
    ("response", "https://times.example.org/a", "text/html; charset=utf-8", page().encode()),
    ("response", "https://times.example.org/logo.png", "image/png", b"\x89PNG\r\n\x1a\n...."),
    ("response", "https://times.example.org/menu", "text/html", b"<html><nav>Home</nav></html>"),
]


@pytest.mark.parametrize("gzip", [True, False])
def test_warc_html_responses_become_documents_with_their_crawl_date(tmp_path, gzip):
    path = write(tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc"), warc(RECORDS, gzip=gzip))
    page_article, menu = read(path)
    assert isinstance(page_article, Article) and page_article.text == TEXT
    assert (page_article.record_no, page_article.url) == (2, "https://times.example.org/a")
    assert page_article.crawled_at == dt.datetime(2023, 8, 20, 7, tzinfo=dt.UTC)
    assert page_article.published is None  # the crawl date is not the publication date
    assert isinstance(menu, Rejection) and (menu.code, menu.record_no) == ("E114", 4)


def test_a_truncated_warc_keeps_the_records_before_the_break(tmp_path):
    data = warc(RECORDS)
    whole = warc(RECORDS[:2])
    cut = write(tmp_path / "cut.warc.gz", data[: len(whole) + 40])  # into record 3
    first, broken = read(cut)
    assert isinstance(first, Article) and first.record_no == 2
    assert isinstance(broken, Rejection) and (broken.code, broken.record_no) == ("E116", 3)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"this is not a web archive\n", "E116"),
        (b"", "E101"),
        (None, "E101"),  # a WARC of only a request and an image: no article in it
    ],
)
def test_warc_files_without_pages_are_accounted_for(tmp_path, content, code):
    if content is None:
        content = warc([RECORDS[0], RECORDS[2]])
    [rejection] = read(write(tmp_path / "x.warc.gz", content))
    assert isinstance(rejection, Rejection) and rejection.code == code


def test_a_plain_archive_named_gz_and_a_trailing_newline_are_no_break(tmp_path):
    plain = write(tmp_path / "plain.warc.gz", warc(RECORDS[:2], gzip=False))
    padded = write(tmp_path / "padded.warc.gz", warc(RECORDS[:2]) + b"\n")
    for path in (plain, padded):
        assert [type(x).__name__ for x in read(path)] == ["Article"]


def test_the_seed_archive_is_what_its_script_writes(tmp_path):
    assert (
        seed_warc.build(tmp_path / "again.warc.gz") == (SEEDS / "006_archive.warc.gz").read_bytes()
    )


SUFFIXES = (".html", ".rss", ".atom", ".xml", ".warc", ".warc.gz")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    suffix=st.sampled_from(SUFFIXES),
    data=st.one_of(
        st.binary(max_size=400),
        st.integers(0, 4000).map(lambda n: warc(RECORDS)[:n]),
        st.integers(0, 2000).map(lambda n: RSS.format(body=_escaped(BODY)).encode()[:n]),
        st.integers(0, 1500).map(lambda n: page().encode()[:n]),
    ),
)
def test_random_and_truncated_files_never_crash_and_are_accounted_for(tmp_path, suffix, data):
    path = write(tmp_path / f"fuzz{suffix}", data)
    items = read(path)
    assert items, "every input file gives at least one document or reject"
    for item in items:
        assert isinstance(item, Article | Rejection)
        if isinstance(item, Rejection):
            assert item.code.startswith("E1") and item.source_uri == str(path)
