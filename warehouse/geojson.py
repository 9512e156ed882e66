"""Load stage: a query result as a GeoJSON FeatureCollection (RFC 7946) for QGIS, kepler.gl & co.

Each row is a Feature: its point from the result's longitude/latitude columns, every other
column a property. A row with no coordinates keeps its place in the collection with a null
geometry (RFC 7946 section 3.2), so the export has exactly the query's rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections.abc import Sequence
from typing import Any

from extractors.errors import ConfigError

# (longitude, latitude) column names looked for, in this order.
COORDINATE_COLUMNS = (
    ("place_lon", "place_lat"),
    ("lon", "lat"),
    ("longitude", "latitude"),
    ("lng", "lat"),
)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN and Infinity are not JSON
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, bytes):
        return value.hex()
    return value


def feature_collection(columns: Sequence[str], rows: Sequence[tuple]) -> dict[str, Any]:
    """The rows as a FeatureCollection.

    Raises:
        ConfigError: E013 when the result has no longitude/latitude pair of columns, or a
            coordinate that is not a number of degrees in range.
    """
    lower = [c.lower() for c in columns]
    pair = next(((x, y) for x, y in COORDINATE_COLUMNS if x in lower and y in lower), None)
    if pair is None:
        names = ", ".join(f"{y}/{x}" for x, y in COORDINATE_COLUMNS)
        raise ConfigError(
            "E013",
            f"--format geojson needs latitude and longitude columns ({names}); the query "
            f"returned: {', '.join(columns) or 'no columns'}",
        )
    ix, iy = lower.index(pair[0]), lower.index(pair[1])
    features = []
    for n, row in enumerate(rows, 1):
        lon, lat = row[ix], row[iy]
        geometry = None
        if lon is not None and lat is not None:
            try:
                lon, lat = float(lon), float(lat)
            except (TypeError, ValueError):
                raise ConfigError(
                    "E013", f"row {n}: coordinates ({lat!r}, {lon!r}) are not numbers"
                ) from None
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ConfigError("E013", f"row {n}: latitude {lat} / longitude {lon} out of range")
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        properties = {
            c: _json_value(v)
            for i, (c, v) in enumerate(zip(columns, row, strict=True))
            if i not in (ix, iy)
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def dumps(collection: dict[str, Any]) -> str:
    return json.dumps(collection, ensure_ascii=False, default=str) + "\n"
