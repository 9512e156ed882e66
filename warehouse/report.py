"""Load stage: the analysts' report, one self-contained HTML file drawn from the DuckDB warehouse.

Everything the page needs is inside it: plotly.js is inlined once and the map is drawn on
plain lon/lat axes with country outlines from countryinfo's polygons (an installed package).
plotly's geo charts are avoided on purpose: they fetch their base map (topojson) from
cdn.plot.ly when the page opens, and the report must open with no network.
"""

from __future__ import annotations

import html
import json
import math
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from extractors.errors import LoadError
from warehouse.duck import connect_reader, query_error

# Colours of the quad classes (configs/event_types.toml [quad]): conflict warm, cooperation
# cool, verbal light, material dark; the same colour in every chart.
QUAD_COLOURS = {
    "verbal cooperation": "#6baed6",
    "material cooperation": "#08519c",
    "verbal conflict": "#fd8d3c",
    "material conflict": "#a50f15",
    "neutral": "#969696",
    "other": "#d9d9d9",
}
TOP_N = 15  # bars in each top-N chart
TABLE_ROWS = 100  # main events listed in the table
# The timeline counts per day while the events span at most this many days, else per week,
# else per month: one-day bars over decades are too thin to see.
TIMELINE_BINS = (("day", 400), ("week", 5 * 366), ("month", None))
# Outline points are rounded to this many decimals (about 1 km): the 110m outlines gain
# nothing from more, and the file stays small.
OUTLINE_DECIMALS = 2


@dataclass(frozen=True)
class ReportFilter:
    """Which events the report covers. `where` is an SQL condition over events_resolved."""

    date_from: date | None = None
    date_to: date | None = None
    country: str | None = None
    where: str | None = None

    def sql(self) -> tuple[str, list[Any]]:
        """The WHERE clause over events_resolved and its parameters."""
        conditions: list[str] = ["TRUE"]
        params: list[Any] = []
        if self.date_from:
            conditions.append("event_date >= ?")
            params.append(self.date_from)
        if self.date_to:
            conditions.append("event_date <= ?")
            params.append(self.date_to)
        if self.country:
            # Events in the country or involving it: analysts of a country want both.
            conditions.append("? IN (place_country, actor_country, target_country)")
            params.append(self.country.upper())
        if self.where:
            conditions.append(f"({self.where})")
        return " AND ".join(conditions), params

    def describe(self) -> str:
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"event dates {self.date_from or '…'} to {self.date_to or '…'}")
        if self.country:
            parts.append(f"in or involving {self.country.upper()}")
        if self.where:
            parts.append(f"where {self.where}")
        return "; ".join(parts) or "all events"


# Each query reads the filtered events as `f` (a CTE over events_resolved).
QUERIES = {
    "places": """
        SELECT place_geonameid, any_value(place_name) AS name, any_value(place_country) AS cc,
               any_value(place_lat) AS lat, any_value(place_lon) AS lon, count(*) AS n,
               -- Coloured by its commonest quad class other than 'other' (unlisted verbs).
               coalesce(mode(quad_class) FILTER (WHERE quad_class <> 'other'), 'other') AS quad,
               string_agg(DISTINCT event_type, ', ') AS types,
               min(event_date) AS first, max(event_date) AS last
        FROM f WHERE place_geonameid IS NOT NULL AND place_lat IS NOT NULL
        GROUP BY place_geonameid ORDER BY n DESC, place_geonameid""",
    "daily": """
        SELECT date_trunc('{bin}', event_date)::DATE AS day, quad_class AS quad, count(*) AS n
        FROM f WHERE event_date IS NOT NULL GROUP BY ALL ORDER BY day, quad""",
    "daily_documents": """
        SELECT date_trunc('{bin}', published)::DATE AS day, count(DISTINCT doc_id) AS n
        FROM f WHERE published IS NOT NULL GROUP BY ALL ORDER BY day""",
    "actors": """
        SELECT actor_canonical AS label, count(*) AS n FROM f
        WHERE actor_canonical IS NOT NULL GROUP BY ALL ORDER BY n DESC, label LIMIT {top}""",
    "pairs": """
        SELECT actor_canonical || ' → ' || target_canonical AS label, count(*) AS n FROM f
        WHERE actor_canonical IS NOT NULL AND target_canonical IS NOT NULL
        GROUP BY ALL ORDER BY n DESC, label LIMIT {top}""",
    "types": """
        SELECT event_type AS label, any_value(quad_class) AS quad, count(*) AS n FROM f
        GROUP BY event_type ORDER BY n DESC, label""",
    "quality": """
        SELECT count(*) AS events, count(DISTINCT doc_id) AS documents,
               count(*) FILTER (WHERE place_geonameid IS NOT NULL) AS place_resolved,
               count(*) FILTER (WHERE event_date_source = 'text') AS day_dated,
               count(*) FILTER (WHERE actor_country IS NOT NULL) AS actor_country,
               min(event_date) AS first, max(event_date) AS last
        FROM f""",
    "date_sources": """
        SELECT coalesce(date_source, '(none)') AS label, count(*) AS n FROM f
        GROUP BY ALL ORDER BY n DESC, label""",
    "place_sources": """
        SELECT coalesce(place_source, '(none)') AS label, count(*) AS n FROM f
        GROUP BY ALL ORDER BY n DESC, label""",
    "main_events": """
        SELECT f.event_date, f.actor_canonical, f.predicate_lemma, f.target_canonical,
               f.place_name, f.place_country, f.sentence_text, f.title, d.url, f.event_type
        FROM f JOIN documents d USING (doc_id) WHERE f.rank_in_doc = 1
        ORDER BY f.event_date DESC NULLS LAST, f.score DESC, f.event_id LIMIT {rows}""",
}
# Not filtered: what the warehouse holds and refused.
WAREHOUSE_QUERIES = {
    "runs": """
        SELECT count(*) AS n, min(started_at) AS first, max(finished_at) AS last,
               sum(docs_loaded) AS docs FROM runs""",
    "documents": "SELECT count(*) AS n FROM documents",
    "rejects": """
        SELECT code || ' ' || reason AS label, count(*) AS n FROM rejects
        GROUP BY ALL ORDER BY n DESC, label""",
}


@dataclass
class ReportData:
    """What the report shows: query results as lists of dicts."""

    database: str
    filter: ReportFilter
    generated_at: datetime
    bin: str = "day"  # the timeline's unit: day | week | month
    window: tuple[date, date] | None = None  # the timeline's initial range (1st-99th pct.)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def one(self, name: str) -> dict[str, Any]:
        return self.tables[name][0]


def _records(cursor: Any) -> list[dict[str, Any]]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def gather(db_path: Path, flt: ReportFilter) -> ReportData:
    """Run the report's queries on a read-only connection.

    Raises:
        LoadError: E402/E403 as connect_reader; E405 when the filter's SQL fails.
    """
    import duckdb

    where, params = flt.sql()
    data = ReportData(str(db_path), flt, datetime.now(UTC))
    filtered = f"WITH f AS (SELECT * FROM events_resolved WHERE {where}) "
    con = connect_reader(db_path)
    try:
        # The span the timeline opens on leaves out the odd event dated decades away.
        low, high = con.execute(
            filtered + "SELECT quantile_disc(event_date, 0.01), quantile_disc(event_date, 0.99) "
            "FROM f",
            params,
        ).fetchone() or (None, None)
        days = (high - low).days if low and high else 0
        data.bin = next(b for b, limit in TIMELINE_BINS if limit is None or days <= limit)
        data.window = (low, high) if low and high else None
        for name, sql in QUERIES.items():
            text = sql.format(top=TOP_N, rows=TABLE_ROWS, bin=data.bin)
            data.tables[name] = _records(con.execute(filtered + text, params))
        for name, sql in WAREHOUSE_QUERIES.items():
            data.tables[name] = _records(con.execute(sql))
    except duckdb.Error as exc:
        raise query_error(con, exc) from exc
    finally:
        con.close()
    return data


def country_outlines() -> tuple[list[float | None], list[float | None]]:
    """Country borders as one polyline (lon, lat lists; None between rings) from countryinfo."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    folder = Path(str(resources.files("countryinfo").joinpath("data")))
    seen: set[str] = set()
    for path in sorted(folder.glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        iso = (rec.get("ISO") or {}).get("alpha2")
        if not iso or iso in seen:
            continue
        seen.add(iso)
        for feat in (rec.get("geoJSON") or {}).get("features", []):
            geom = feat.get("geometry") or {}
            polys = geom.get("coordinates", [])
            polys = polys if geom.get("type") == "MultiPolygon" else [polys]
            for poly in polys:
                for ring in poly[:1]:  # outer ring; holes are lakes at this scale
                    last = None
                    for lon, lat in ring:
                        point = (round(lon, OUTLINE_DECIMALS), round(lat, OUTLINE_DECIMALS))
                        if point != last:
                            lons.append(point[0])
                            lats.append(point[1])
                            last = point
                    lons.append(None)
                    lats.append(None)
    return lons, lats


def _minute(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "–"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _bar(rows: Sequence[dict[str, Any]], title: str, colour: str = "#4a6fa5") -> Any:
    import plotly.graph_objects as go

    rows = list(reversed(rows))  # largest on top
    colours = [QUAD_COLOURS.get(r.get("quad", ""), colour) for r in rows]
    fig = go.Figure(
        go.Bar(
            x=[r["n"] for r in rows],
            y=[r["label"] for r in rows],
            orientation="h",
            marker_color=colours,
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=max(220, 60 + 22 * len(rows)),
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        yaxis={"automargin": True},
    )
    return fig


def _map(places: list[dict[str, Any]]) -> Any:
    import plotly.graph_objects as go

    lons, lats = country_outlines()
    fig = go.Figure(
        go.Scatter(
            x=lons,
            y=lats,
            mode="lines",
            line={"color": "#b0b0b0", "width": 0.6},
            hoverinfo="skip",
            showlegend=False,
            name="outlines",
        )
    )
    biggest = max((p["n"] for p in places), default=1)
    for quad, colour in QUAD_COLOURS.items():
        group = [p for p in places if p["quad"] == quad]
        if not group:
            continue
        fig.add_trace(
            go.Scatter(
                x=[p["lon"] for p in group],
                y=[p["lat"] for p in group],
                mode="markers",
                name=quad,
                marker={
                    "size": [6 + 30 * math.sqrt(p["n"] / biggest) for p in group],
                    "color": colour,
                    "opacity": 0.75,
                    "line": {"color": "#333", "width": 0.5},
                },
                customdata=[
                    [p["name"], p["cc"] or "", p["n"], p["types"], str(p["first"]), str(p["last"])]
                    for p in group
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b> %{customdata[1]}<br>%{customdata[2]} events: "
                    "%{customdata[3]}<br>%{customdata[4]} to %{customdata[5]}<extra></extra>"
                ),
            )
        )
    fig.update_layout(
        height=520,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"range": [-180, 180], "visible": False},
        yaxis={"range": [-60, 85], "visible": False, "scaleanchor": "x"},
        plot_bgcolor="#eef3f8",
        legend={"title": "quad class", "orientation": "h"},
    )
    return fig


def _timeline(
    daily: list[dict[str, Any]],
    documents: list[dict[str, Any]],
    unit: str,
    window: tuple[date, date] | None,
) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.06
    )
    for quad, colour in QUAD_COLOURS.items():
        rows = [r for r in daily if r["quad"] == quad]
        if rows:
            fig.add_trace(
                go.Bar(
                    x=[str(r["day"]) for r in rows],
                    y=[r["n"] for r in rows],
                    name=quad,
                    marker_color=colour,
                ),
                row=1,
                col=1,
            )
    fig.add_trace(
        go.Bar(
            x=[str(r["day"]) for r in documents],
            y=[r["n"] for r in documents],
            name="documents published",
            marker_color="#333",
        ),
        row=2,
        col=1,
    )
    fig.update_layout(
        barmode="stack",
        height=420,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        legend={"orientation": "h"},
    )
    if window:
        pad = timedelta(days={"day": 1, "week": 7, "month": 31}[unit])
        fig.update_xaxes(range=[str(window[0] - pad), str(window[1] + pad)])
    fig.update_yaxes(title_text=f"events per {unit}", row=1, col=1)
    fig.update_yaxes(title_text=f"documents per {unit}", row=2, col=1)
    return fig


def _div(fig: Any, div_id: str) -> str:
    return str(
        fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=div_id,
            config={"displaylogo": False, "responsive": True},
        )
    )


def _table(rows: list[dict[str, Any]]) -> str:
    def cell(value: Any) -> str:
        return html.escape("" if value is None else str(value))

    out = [
        "<table class='events'><thead><tr><th>date</th><th>who</th><th>did</th><th>whom</th>"
        "<th>where</th><th>sentence</th><th>article</th></tr></thead><tbody>"
    ]
    for r in rows:
        place = r["place_name"] and (
            r["place_name"] + (f" ({r['place_country']})" if r["place_country"] else "")
        )
        title = cell(r["title"] or "(untitled)")
        url = r["url"] or ""
        # Only web links become anchors; nothing is fetched unless the reader clicks.
        article = (
            f"<a href='{html.escape(url, quote=True)}'>{title}</a>"
            if url.startswith(("http://", "https://"))
            else title
        )
        out.append(
            f"<tr><td>{cell(r['event_date'])}</td><td>{cell(r['actor_canonical'])}</td>"
            f"<td>{cell(r['predicate_lemma'])} <small>{cell(r['event_type'])}</small></td>"
            f"<td>{cell(r['target_canonical'])}</td>"
            f"<td>{cell(place)}</td>"
            f"<td>{cell(r['sentence_text'])}</td><td>{article}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _page() -> string.Template:
    """The page's HTML and CSS (warehouse/templates/report.html) with $names to fill."""
    text = resources.files("warehouse").joinpath("templates/report.html").read_text("utf-8")
    return string.Template(text)


def render(data: ReportData) -> str:
    """The report as one HTML page with everything inlined."""
    from plotly.offline import get_plotlyjs

    t = data.tables
    quality = data.one("quality")
    runs = data.one("runs")
    events = quality["events"] or 0

    def chart(rows: list[dict[str, Any]], div_id: str, title: str) -> str:
        if not rows:
            return f"<p class='empty' id='{div_id}'>{html.escape(title)}: none</p>"
        return _div(_bar(rows, title), div_id)

    empty = "<p class='empty'>No events match.</p>"
    return _page().substitute(
        title=html.escape(data.filter.describe()),
        # A literal "</script>" inside the library would end the script element early.
        plotlyjs=get_plotlyjs().replace("</script>", "<\\/script>"),
        database=html.escape(data.database),
        runs=runs["n"],
        documents=t["documents"][0]["n"],
        first_run=_minute(runs["first"]),
        last_run=_minute(runs["last"]),
        filter=html.escape(data.filter.describe()),
        events=events,
        report_documents=quality["documents"],
        first=quality["first"] or "–",
        last=quality["last"] or "–",
        generated=_minute(data.generated_at),
        map=_div(_map(t["places"]), "map") if t["places"] else empty,
        timeline=(
            _div(_timeline(t["daily"], t["daily_documents"], data.bin, data.window), "timeline")
            if t["daily"]
            else empty
        ),
        actors=chart(t["actors"], "actors", f"top {TOP_N} actors"),
        pairs=chart(t["pairs"], "pairs", f"top {TOP_N} actor → target pairs"),
        types=chart(t["types"], "types", "event types"),
        place_resolved=_share(quality["place_resolved"], events),
        day_dated=_share(quality["day_dated"], events),
        actor_country=_share(quality["actor_country"], events),
        date_sources=chart(t["date_sources"], "date-sources", "date_source"),
        place_sources=chart(t["place_sources"], "place-sources", "place_source"),
        rejects=chart(t["rejects"], "rejects", "rejects by reason (whole warehouse)"),
        table_rows=TABLE_ROWS,
        table=_table(t["main_events"]) if t["main_events"] else empty,
    )


def summary_rows(data: ReportData) -> list[dict[str, Any]]:
    """The report's charts in brief, as rows for a Prefect table artifact."""
    t = data.tables
    quality = data.one("quality")
    events = quality["events"] or 0
    rows: list[dict[str, Any]] = [
        {"chart": "coverage", "item": "events", "value": events},
        {"chart": "coverage", "item": "documents", "value": quality["documents"]},
        {"chart": "map", "item": "places", "value": len(t["places"])},
    ]
    for key, item in (
        ("place_resolved", "resolved place"),
        ("day_dated", "dated to the day"),
        ("actor_country", "actor with a country"),
    ):
        rows.append({"chart": "quality", "item": item, "value": _share(quality[key], events)})
    rows += [{"chart": "places", "item": p["name"], "value": p["n"]} for p in t["places"][:5]]
    rows += [{"chart": "actors", "item": r["label"], "value": r["n"]} for r in t["actors"][:5]]
    rows += [{"chart": "event types", "item": r["label"], "value": r["n"]} for r in t["types"][:5]]
    rows += [{"chart": "rejects", "item": r["label"], "value": r["n"]} for r in t["rejects"]]
    return rows


def write_report(db_path: Path, output: Path, flt: ReportFilter | None = None) -> ReportData:
    """Gather, render and write the report atomically; returns what it showed.

    Raises:
        LoadError: E402/E403/E405 as `gather`; E407 when the file cannot be written.
    """
    data = gather(db_path, flt or ReportFilter())
    page = render(data)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        if output.is_dir():
            raise IsADirectoryError(21, "is a directory (give a file name)", str(output))
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LoadError(
            "E407", f"cannot write the report to {output}: {exc.strerror or exc}"
        ) from exc
    return data
