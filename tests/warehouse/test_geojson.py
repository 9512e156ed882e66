"""GeoJSON export of query rows: point order, null geometries, coded errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from extractors.errors import ConfigError
from warehouse.geojson import dumps, feature_collection


def test_rows_become_points_lon_lat_and_rows_without_coordinates_stay():
    columns = ["name", "LAT", "Lon", "day"]
    rows = [("Nairobi", -1.28, 36.82, dt.date(2023, 6, 27)), ("nowhere", None, None, None)]
    collection = json.loads(dumps(feature_collection(columns, rows)))
    assert collection == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [36.82, -1.28]},
                "properties": {"name": "Nairobi", "day": "2023-06-27"},
            },
            {"type": "Feature", "geometry": None, "properties": {"name": "nowhere", "day": None}},
        ],
    }


def test_place_columns_win_over_other_coordinates():
    columns = ["lat", "lon", "place_lat", "place_lon"]
    feature = feature_collection(columns, [(1.0, 2.0, 3.0, 4.0)])["features"][0]
    assert feature["geometry"]["coordinates"] == [4.0, 3.0]
    assert feature["properties"] == {"lat": 1.0, "lon": 2.0}


@pytest.mark.parametrize(
    ("columns", "rows", "message"),
    [
        (["a"], [(1,)], "needs latitude and longitude columns"),
        (["lat", "lon"], [(91.0, 0.0)], "row 1: latitude 91.0 / longitude 0.0 out of range"),
        (["lat", "lon"], [(0.0, 0.0), ("x", 1.0)], "row 2: coordinates ('x', 1.0) are not numbers"),
    ],
)
def test_bad_coordinates_are_coded_errors(columns, rows, message):
    with pytest.raises(ConfigError) as caught:
        feature_collection(columns, rows)
    assert caught.value.code == "E013" and message in caught.value.detail


def test_values_json_cannot_hold_become_null():
    feature = feature_collection(["lat", "lon", "x"], [(1.0, 2.0, float("nan"))])["features"][0]
    assert json.loads(dumps({"f": feature}))["f"]["properties"] == {"x": None}
