"""The analysts' report (`event-etl report`, `run --report`) and the GeoJSON export.

The browser tests open the written file in Debian's headless chromium with networking off
and check what the charts drew against what the warehouse holds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from tests import browser
from tests.conftest import SEEDS
from warehouse.report import TOP_N, ReportFilter, gather

REPO = Path(__file__).resolve().parents[2]
# The seeds' screenshot is kept as a test artifact (build/ is not committed); docs/report.png,
# shown in the README, is a copy of it.
ARTIFACTS = REPO / "build" / "test-artifacts"

HOSTILE = {
    "title": "<script>window.__pwned = 1</script>Quake hits <b>Chile</b>",
    "url": "javascript:window.__pwned=2",
    "published": "2010-03-01",
    "text": "SANTIAGO, Chile (AP) — Rescuers pulled survivors from the rubble in Concepcion on "
    "Monday after an earthquake struck central Chile, officials said.",
}


@pytest.fixture(scope="module")
def seeded(prefect_harness, tmp_path_factory):
    """A warehouse of the seeds, loaded with `run --report` (as `make run` does)."""
    out = tmp_path_factory.mktemp("report")
    assert main(["run", str(SEEDS), "--out", str(out), "--report"]) == 0
    return out


def _scalar(out: Path, sql: str) -> object:
    con = duckdb.connect(str(out / "events.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_run_report_writes_one_self_contained_file(seeded, capsys):
    page = (seeded / "report.html").read_text(encoding="utf-8")
    assert len(page.encode()) < 10 * 2**20
    # No element loads anything: no src/href to a network address, no external stylesheet.
    assert not re.search(r"<(script|img|iframe|link)[^>]+(src|href)=", page)
    assert "Plotly" in page and "cdn.plot.ly/plotly" not in page
    assert "default-src 'none'" in page  # the page's own policy forbids fetching
    assert 'id="map"' in page and 'id="timeline"' in page and 'id="actors"' in page


def test_report_counts_are_the_warehouses(seeded):
    data = gather(seeded / "events.duckdb", ReportFilter())
    events = _scalar(seeded, "select count(*) from events")
    assert data.one("quality")["events"] == events
    resolved = _scalar(seeded, "select count(*) from events where place_geonameid is not null")
    assert sum(p["n"] for p in data.tables["places"]) == resolved
    assert data.one("quality")["place_resolved"] == resolved
    dated = _scalar(seeded, "select count(*) from events_resolved where event_date is not null")
    assert sum(r["n"] for r in data.tables["daily"]) == dated
    assert sum(r["n"] for r in data.tables["types"]) == events
    assert len(data.tables["actors"]) <= TOP_N
    main_events = _scalar(seeded, "select count(*) from events where rank_in_doc = 1")
    assert len(data.tables["main_events"]) == main_events


def test_filters_narrow_the_report(seeded):
    db = seeded / "events.duckdb"
    everything = gather(db, ReportFilter()).one("quality")["events"]
    kenya = _scalar(
        seeded,
        "select count(*) from events where 'KE' in (place_country, actor_country, target_country)",
    )
    assert 0 < kenya < everything
    assert gather(db, ReportFilter(country="ke")).one("quality")["events"] == kenya
    import datetime as dt

    day = dt.date(2021, 3, 18)
    on_day = gather(db, ReportFilter(date_from=day, date_to=day))
    assert {r["day"] for r in on_day.tables["daily"]} == {day}
    conflict = gather(db, ReportFilter(where="quad_class like '%conflict'"))
    assert {r["label"] for r in conflict.tables["types"]} <= {
        "DEMAND",
        "DISAPPROVE",
        "ACCUSE",
        "REJECT",
        "THREATEN",
        "PROTEST",
        "SANCTION",
        "MOBILIZE",
        "COERCE",
        "ASSAULT",
    }


def test_report_command_and_its_errors(seeded, tmp_path, capsys):
    output = tmp_path / "sub" / "ke.html"
    assert main(["report", "--out", str(seeded), "--country", "KE", "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"report: {output} (") and "in or involving KE" in printed
    assert output.exists()
    assert main(["report", "--out", str(seeded), "--query", "no_such_column = 1"]) == 2
    assert "error E405: BinderException" in capsys.readouterr().err
    args = ["report", "--out", str(seeded), "--from", "2021-03-19", "--to", "2021-03-18"]
    assert main(args) == 2
    assert "error E011: --from 2021-03-19 is after --to 2021-03-18" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path / "none")]) == 2
    assert "error E402" in capsys.readouterr().err
    assert main(["report", "--out", str(seeded), "--output", str(tmp_path)]) == 2
    assert "error E407: cannot write the report to" in capsys.readouterr().err
    assert not list(tmp_path.parent.glob(f".{tmp_path.name}.tmp"))
    with pytest.raises(SystemExit):
        main(["report", "--out", str(seeded), "--country", "Kenya"])
    assert "not an ISO 3166-1 alpha-2 country code" in capsys.readouterr().err


def test_run_report_is_linked_in_prefect_artifacts(seeded):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    keys = ArtifactFilterKey(any_=["run-report", "report-summary"])
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=keys))
    latest = {}
    for artifact in sorted(artifacts, key=lambda a: a.created):
        latest[artifact.key] = artifact
    report_file = (seeded / "report.html").resolve()
    assert report_file.as_uri() in str(latest["run-report"].data)
    rows = latest["report-summary"].data
    rows = json.loads(rows) if isinstance(rows, str) else rows
    events = _scalar(seeded, "select count(*) from events")
    assert {"chart": "coverage", "item": "events", "value": events} in rows


def test_geojson_export_round_trips(seeded, tmp_path, capsys):
    sql = (
        "select event_id, place_name, place_lat, place_lon, event_date from events_resolved "
        "order by event_id"
    )
    output = tmp_path / "events.geojson"
    assert (
        main(["query", sql, "--out", str(seeded), "--format", "geojson", "--output", str(output)])
        == 0
    )
    collection = json.loads(output.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    con = duckdb.connect(str(seeded / "events.duckdb"), read_only=True)
    rows = con.execute(sql).fetchall()
    con.close()
    features = collection["features"]
    assert len(features) == len(rows)  # a row without a place keeps a null geometry
    for (event_id, name, lat, lon, day), feature in zip(rows, features, strict=True):
        assert feature["properties"] == {
            "event_id": event_id,
            "place_name": name,
            "event_date": day.isoformat() if day else None,
        }
        if lat is None:
            assert feature["geometry"] is None
        else:  # GeoJSON's order is longitude, latitude
            assert feature["geometry"] == {"type": "Point", "coordinates": [lon, lat]}
    # Another reader: DuckDB reads a .geojson file as rows of a GEOMETRY and the properties.
    reader = duckdb.connect()
    back = reader.execute(
        "select event_id, geometry::varchar from read_json(?) order by event_id", [str(output)]
    ).fetchall()
    reader.close()
    points = [
        (event_id, None if wkt is None else tuple(map(float, wkt[7:-1].split())))
        for event_id, wkt in back
    ]
    assert points == [(e, None if lat is None else (lon, lat)) for e, _, lat, lon, _ in rows]


def test_geojson_without_coordinates_is_a_coded_error(seeded, capsys):
    assert main(["query", "select 1 as a", "--out", str(seeded), "--format", "geojson"]) == 2
    assert "error E013: --format geojson needs latitude and longitude" in capsys.readouterr().err


@pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))
def test_report_renders_offline_in_chromium(seeded):
    data = gather(seeded / "events.duckdb", ReportFilter())
    shot = ARTIFACTS / "report_seeds.png"
    result = browser.render(
        seeded / "report.html",
        {
            "map": "#map .scatterlayer .trace .point",
            "timeline": "#timeline .barlayer .point",
            "actors": "#actors .barlayer .point",
            "types": "#types .barlayer .point",
            "table": "table.events tbody tr",
        },
        screenshot=shot,
    )
    assert result.requests == [(seeded / "report.html").resolve().as_uri()]
    assert result.console == []
    t = data.tables
    assert result.counts["map"] == len(t["places"]) > 0
    assert result.counts["timeline"] == len(t["daily"]) + len(t["daily_documents"]) > 0
    assert result.counts["actors"] == len(t["actors"]) > 0
    assert result.counts["types"] == len(t["types"]) > 0
    assert result.counts["table"] == len(t["main_events"]) > 0
    assert result.seconds < 5
    assert shot.stat().st_size > 20_000


@pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))
def test_report_shows_hostile_metadata_as_text(prefect_harness, tmp_path):
    source = tmp_path / "in" / "hostile.jsonl"
    source.parent.mkdir()
    source.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    out = tmp_path / "wh"
    assert main(["run", str(source), "--out", str(out), "--report"]) == 0
    result = browser.render(
        out / "report.html",
        {"links": "table.events a", "bold": "table.events b"},
        expressions={
            "pwned": "typeof window.__pwned",
            "title": "document.querySelector('table.events tbody tr').innerText",
        },
    )
    assert result.values["pwned"] == "undefined"
    assert "<script>window.__pwned = 1</script>Quake hits <b>Chile</b>" in str(
        result.values["title"]
    )
    assert result.counts == {"links": 0, "bold": 0}  # a javascript: URL is no link
    assert result.console == []
