"""Tests for the offline gazetteer: name keys, build/load round trip, cache location."""

from __future__ import annotations

import math
import time
import tomllib
from pathlib import Path

import pytest

from extractors.errors import PlaceError
from extractors.places.build import HEDGE_MAX_KM, build_gazetteer
from extractors.places.build import _division_point as division_point
from extractors.places.build import _hedged_point as hedged_point
from extractors.places.build import _off_outline as off_outline
from extractors.places.gazetteer import load_gazetteer
from extractors.places.schema import (
    FEATURE_CLASSES,
    NAME_DEMONYM,
    NAME_PRIMARY,
    NAME_SHORT,
    name_key,
    normalize_name,
)


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("U.S.", "us"),
        ("São Paulo", "sao paulo"),
        ("St. Louis", "st louis"),
        ("W.Va.", "wva"),
        ("Côte d'Ivoire", "cote divoire"),
        ("Trinidad & Tobago", "trinidad and tobago"),
        ("  Winston-Salem ", "winston salem"),
    ],
)
def test_normalize_name(raw: str, norm: str) -> None:
    assert normalize_name(raw) == norm


def test_name_key_is_stable() -> None:
    # Keys are written to disk: they must not depend on the process's hash seed.
    assert name_key("paris") == 0x16FFF8BCF3676F91
    assert name_key("paris") != name_key("paris texas")
    assert 0 <= name_key("paris") < 2**64


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gazetteer built from the 15,000+ city file: same code path, a quarter of the time."""
    cache = tmp_path_factory.mktemp("gazetteer")
    build_gazetteer(cache, min_city_population=15000)
    return cache


def test_round_trip_loads_fast(small: Path) -> None:
    started = time.perf_counter()
    gaz = load_gazetteer(small, min_city_population=15000)
    assert time.perf_counter() - started < 1.0
    assert len(gaz) > 30_000
    assert gaz.manifest["min_city_population"] == 15000
    assert "CC BY 4.0" in gaz.manifest["licences"].values()


@pytest.mark.parametrize(
    ("name", "geonameid", "fcode"),
    [
        ("Seoul", 1835848, "PPLC"),
        ("United States", 6252001, "PCLI"),
        ("Texas", 4736286, "ADM1"),
        ("Asia", 6255147, "CONT"),
        ("Ontario", 6093943, "ADM1"),
    ],
)
def test_round_trip_lookup(small: Path, name: str, geonameid: int, fcode: str) -> None:
    gaz = load_gazetteer(small, min_city_population=15000)
    rows = [r for r, kind in gaz.lookup(name) if kind == NAME_PRIMARY]
    assert geonameid in {int(gaz.geonameid[r]) for r in rows}
    row = gaz.row_of_id(geonameid)
    assert row is not None and gaz.fcode[row] == fcode
    assert -90 <= gaz.lat[row] <= 90 and -180 <= gaz.lon[row] <= 180


def test_countries_and_admin1_have_coordinates(small: Path) -> None:
    gaz = load_gazetteer(small, min_city_population=15000)
    us = gaz.country_row("US")
    assert us is not None and abs(gaz.lat[us] - 39.76) < 1 and abs(gaz.lon[us] + 98.5) < 1
    tx = gaz.admin1_row("US", "TX")
    assert tx is not None and 28 < gaz.lat[tx] < 34 and -103 < gaz.lon[tx] < -96
    assert gaz.admin1_name("US", "GA") == "Georgia"


def test_demonyms_are_indexed(small: Path) -> None:
    gaz = load_gazetteer(small, min_city_population=15000)
    hits = {gaz.country[r] for r, kind in gaz.lookup("Chinese") if kind == NAME_DEMONYM}
    assert "CN" in hits


def test_unsupported_population_threshold(tmp_path: Path) -> None:
    with pytest.raises(PlaceError) as err:
        build_gazetteer(tmp_path, min_city_population=123)
    assert err.value.code == "E302"


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 111.2
    dx = (a[1] - b[1]) * 111.2 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


def test_hedged_point_moves_halfway_at_most_the_cap() -> None:
    # Conventions 4 degrees of latitude apart (~445 km): move the cap toward the landmass.
    moved = hedged_point((30.0, 100.0), (34.0, 100.0, 0.95))
    assert moved[1] == pytest.approx(100.0)
    assert _km(moved, (30.0, 100.0)) == pytest.approx(HEDGE_MAX_KM, rel=1e-3)
    # ~178 km apart: halfway, which is under the cap.
    moved = hedged_point((30.0, 100.0), (31.6, 100.0, 0.95))
    assert moved == pytest.approx((30.8, 100.0))


@pytest.mark.parametrize(
    "landmass",
    [
        (30.5, 100.0, 0.95),  # the two points agree within 161 km: stay exact
        (34.0, 100.0, 0.40),  # archipelago: the largest island says little
        None,  # no outline
    ],
)
def test_hedged_point_keeps_the_published_point(
    landmass: tuple[float, float, float] | None,
) -> None:
    assert hedged_point((30.0, 100.0), landmass) == (30.0, 100.0)


def _square(lat: float, lon: float, size: float = 1.0) -> list[list[float]]:
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]


@pytest.mark.parametrize(
    ("point", "off"),
    [
        ((10.5, 10.5), False),  # on the first island
        ((10.5, 14.0), False),  # at sea between the islands, inside their box
        ((10.5, 25.0), True),  # far outside: a wrong published point
        ((10.1, 9.9), False),  # just offshore
    ],
)
def test_off_outline_spares_points_between_islands(point: tuple[float, float], off: bool) -> None:
    archipelago = [_square(10.0, 10.0), _square(10.0, 18.0)]
    assert off_outline(*point, archipelago) is off


def test_off_outline_across_the_antimeridian() -> None:
    islands = [_square(-18.0, 178.0), _square(-18.0, -179.5, 0.5)]
    assert off_outline(-17.5, 179.7, islands) is False  # between the two, across 180
    assert off_outline(-17.5, 175.0, islands) is True


def test_country_points_and_name_variants(small: Path) -> None:
    gaz = load_gazetteer(small, min_city_population=15000)
    ph = gaz.country_row("PH")
    assert ph is not None and (gaz.lat[ph], gaz.lon[ph]) == (13.0, 122.0)
    cd = gaz.country_row("CD")
    for name in ("Democratic Republic of Congo", "Democratic Republic of the Congo", "Zaire"):
        assert cd in {r for r, _ in gaz.lookup(name)}, name


def test_one_capital_per_country(small: Path) -> None:
    gaz = load_gazetteer(small, min_city_population=15000)
    capitals = [str(c) for c in gaz.country[gaz.fcode == "PPLC"]]
    assert len(capitals) == len(set(capitals)) > 150
    dc = gaz.row_of_id(4140963)  # Washington, D.C.
    assert dc is not None and gaz.fcode[dc] == "PPLC"


def _grid(lat0: float, lat1: float, lon0: float, lon1: float, n: int) -> list[tuple[float, float]]:
    return [
        (lat0 + (lat1 - lat0) * i / (n - 1), lon0 + (lon1 - lon0) * j / (n - 1))
        for i in range(n)
        for j in range(n)
    ]


def _point(towns: list[tuple[float, float]]) -> tuple[float, float]:
    return division_point([t[0] for t in towns], [t[1] for t in towns])


def test_division_point_of_an_evenly_settled_region() -> None:
    lat, lon = _point(_grid(40.0, 42.0, -80.0, -76.0, 12))
    assert (lat, lon) == (pytest.approx(41.0), pytest.approx(-78.0))


def test_division_point_ignores_misassigned_towns() -> None:
    towns = _grid(38.0, 41.0, 114.0, 119.0, 15) + [(42.0, 87.0), (43.5, 88.0), (41.0, 89.5)]
    lat, lon = _point(towns)
    assert 39.0 < lat < 40.0 and 116.0 < lon < 117.0


def test_division_point_of_a_thinly_settled_region_is_its_middle() -> None:
    # 900 towns along the southern edge, 11 spread over a large north: the 1st-99th
    # percentile box would stop short of them, at about 44.5N.
    towns = _grid(42.0, 45.0, -95.0, -75.0, 30) + [(46.0 + i, -85.0) for i in range(11)]
    lat, lon = _point(towns)
    assert (lat, lon) == (pytest.approx(49.0), pytest.approx(-85.0))


def test_curated_features_are_indexed(small: Path) -> None:
    gaz = load_gazetteer(small, min_city_population=15000)
    [sea] = [r for r, kind in gaz.lookup("Black Sea") if kind == NAME_PRIMARY]
    assert (gaz.fcode[sea], gaz.fclass[sea], gaz.country[sea]) == ("SEA", "H", "")
    assert int(gaz.geonameid[sea]) < 0
    [island] = [r for r, _ in gaz.lookup("Sumatera") if gaz.fcode[r] == "ISL"]
    assert gaz.name[island] == "Sumatra" and gaz.country[island] == "ID"
    pacific = [(r, kind) for r, kind in gaz.lookup("Pacific") if gaz.fcode[r] == "OCN"]
    assert [kind for _, kind in pacific] == [NAME_SHORT]
    [former] = [r for r, _ in gaz.lookup("Rift Valley") if gaz.fcode[r] == "ADM1H"]
    assert gaz.country[former] == "KE" and gaz.fclass[former] == "A"


def test_feature_codes_are_known() -> None:
    config = Path(__file__).resolve().parents[3] / "configs" / "places.toml"
    features = tomllib.loads(config.read_text(encoding="utf-8"))["features"]
    assert len(features) > 300
    assert {spec["code"] for spec in features.values()} <= set(FEATURE_CLASSES)
    for name, spec in features.items():
        lat, lon = spec["at"]
        assert -90 <= lat <= 90 and -180 <= lon <= 180, name


def test_division_point_overrides(small: Path) -> None:
    gaz = load_gazetteer(small, min_city_population=15000)
    on = gaz.admin1_row("CA", "08")
    assert on is not None and (gaz.lat[on], gaz.lon[on]) == (49.25, -84.5)
    cd = gaz.country_row("CD")
    assert cd is not None and (gaz.lat[cd], gaz.lon[cd]) == (-2.5, 23.5)
    # Small divisions get the GeoNames point too, not only those whose derived point is off.
    ri = gaz.admin1_row("US", "RI")
    assert ri is not None and (gaz.lat[ri], gaz.lon[ri]) == (41.75, -71.5)


def test_division_points_cover_whole_countries(small: Path) -> None:
    # The criterion is by country, not by division: every first-level division of the US,
    # Canada and Australia and the four UK countries has a point in [coordinates].
    gaz = load_gazetteer(small, min_city_population=15000)
    config = Path(__file__).resolve().parents[3] / "configs" / "places.toml"
    points = tomllib.loads(config.read_text(encoding="utf-8"))["coordinates"]
    divisions = {
        f"{gaz.country[r]}-{gaz.admin1[r]}"
        for r in range(len(gaz))
        if gaz.fcode[r] == "ADM1" and gaz.country[r] in ("US", "CA", "AU", "GB")
    }
    assert len(divisions) >= 70
    assert divisions == {c for c in points if c[:3] in ("US-", "CA-", "AU-", "GB-")}


def test_division_points_lie_among_their_towns(small: Path) -> None:
    # A typo (sign, swapped lat/lon) in [coordinates] would put a division far from its towns.
    gaz = load_gazetteer(small, min_city_population=15000)
    config = Path(__file__).resolve().parents[3] / "configs" / "places.toml"
    points = tomllib.loads(config.read_text(encoding="utf-8"))["coordinates"]
    checked = 0
    for code, (lat, lon) in points.items():
        if "-" not in code:
            continue
        cc, admin1 = code.split("-", 1)
        towns = (gaz.fcode == "PPL") & (gaz.country == cc) & (gaz.admin1 == admin1)
        if towns.sum() < 2:
            continue
        nearest = min(
            _km((lat, lon), (t_lat, t_lon))
            for t_lat, t_lon in zip(gaz.lat[towns], gaz.lon[towns], strict=True)
        )
        # Large thinly settled divisions have no town of 15,000 near their centre
        # (Manitoba's nearest is Winnipeg, ~570 km); a typo lands thousands of km off.
        assert nearest < 800, code
        checked += 1
    assert checked >= 60
