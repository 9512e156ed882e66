"""Runs over web inputs and mixed languages: accounting, language, E113, re-runs."""

from __future__ import annotations

import json

import duckdb

from flows.cli import main
from tests.conftest import SEEDS

FOREIGN = {
    "fr": "Le gouvernement a annoncé mardi de nouvelles mesures contre la hausse des prix de "
    "l'énergie, a déclaré le ministre de l'Économie devant l'Assemblée nationale.",
    "de": "Die Regierung hat am Dienstag neue Maßnahmen gegen die steigenden Energiepreise "
    "beschlossen, sagte der Wirtschaftsminister vor dem Bundestag in Berlin.",
    "es": "El gobierno anunció el martes nuevas medidas contra la subida de los precios de la "
    "energía, según declaró el ministro de Economía ante el Congreso.",
}
ENGLISH = (
    "The government announced new measures against rising energy prices on Tuesday, the "
    "economy minister told parliament in Madrid."
)


def _rows(out, sql):
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_mixed_language_folder_loads_english_and_rejects_the_rest(prefect_harness, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for code, text in FOREIGN.items():
        (inputs / f"{code}.txt").write_text(text, encoding="utf-8")
    (inputs / "en.txt").write_text(ENGLISH, encoding="utf-8")
    (inputs / "short.txt").write_text("Madrid, Tuesday.", encoding="utf-8")  # too short to tell
    out = tmp_path / "out"
    assert main(["run", str(inputs), "--out", str(out)]) == 0
    loaded = _rows(out, "select source_uri, language from documents order by source_uri")
    assert loaded == [(str(inputs / "en.txt"), "en"), (str(inputs / "short.txt"), "en")]
    rejects = _rows(out, "select source_uri, code, reason, detail, doc_id from rejects order by 1")
    assert [(r[0], r[1], r[2]) for r in rejects] == [
        (str(inputs / f"{code}.txt"), "E113", "unsupported_language") for code in ("de", "es", "fr")
    ]
    assert all(f"written in '{uri[-6:-4]}'" in detail for uri, _, _, detail, _ in rejects)
    assert all(doc_id for *_, doc_id in rejects)  # the text was read: its id is known
    run = _rows(out, "select inputs_seen, docs_loaded, docs_skipped, docs_rejected from runs")
    assert run == [(5, 2, 0, 3)]
    assert main(["run", str(inputs), "--out", str(out)]) == 0  # a re-run duplicates nothing
    assert _rows(out, "select count(*) from rejects") == [(3,)]
    assert _rows(out, "select count(*) from documents") == [(2,)]


def test_the_seeds_web_inputs_load_with_their_metadata(prefect_harness, tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(SEEDS), "--out", str(out)]) == 0
    rows = _rows(
        out,
        "select source_uri, record_no, title, url, published, published_from, crawled_at, "
        "n_events > 0 from documents where source_uri similar to '.*(html|rss|warc.gz)' "
        "order by source_uri, record_no",
    )
    names = [(r[0].rsplit("/", 1)[1], r[1], r[5], r[7]) for r in rows]
    assert names == [
        ("004_page.html", None, "page", True),
        ("005_feed.rss", 1, "metadata", True),
        ("005_feed.rss", 2, "metadata", True),
        ("006_archive.warc.gz", 2, "page", True),
    ]
    assert str(rows[0][4]) == "2022-09-16" and rows[0][3].endswith("/rotterdam-strike")
    assert str(rows[1][4]) == "2021-05-04"  # 21:30 at UTC-4 is still the 4th where written
    assert rows[3][6].isoformat() == "2024-02-20T08:15:00+00:00"
    summary = _rows(out, "select inputs_seen, docs_loaded, docs_rejected from runs")
    assert summary == [(10, 10, 0)]
    assert json.loads(_rows(out, "select inputs from runs")[0][0]) == [str(SEEDS)]
