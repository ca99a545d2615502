"""Offline maps of the Greater Tokyo region, drawn on the server as SVG.

Why: the registry shows where hubs and organisations are without map tiles, a
JavaScript map library or any request to a third party. Prefecture outlines are
packaged with the code (``data/geo/kanto_prefectures.geojson``, built by
``scripts/build_prefecture_geometry.py``; see ``data/geo/SOURCE.md`` for origin
and licence) and the SVG is a plain string a template can inline.

This module imports no Django models so it can be used and tested anywhere.
"""

from __future__ import annotations

import heapq
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise
from urllib.parse import urlsplit

__all__ = [
    "CORE_PREFECTURE_CODES",
    "DEFAULT_BBOX",
    "EARTH_RADIUS_KM",
    "MapPoint",
    "Prefecture",
    "geodesic_distance_km",
    "load_prefectures",
    "render_region_svg",
]

LonLat = tuple[float, float]
Ring = tuple[LonLat, ...]
XY = tuple[float, float]
BBox = tuple[float, float, float, float]

#: (min_lon, min_lat, max_lon, max_lat) of the Greater Tokyo core: Tokyo, Kanagawa,
#: Saitama, Chiba and southern Ibaraki, with a margin of their neighbours.
DEFAULT_BBOX: BBox = (138.9, 34.9, 140.9, 36.6)

#: JIS X 0401 codes of 1都4県 (Tokyo, Kanagawa, Chiba, Saitama, Ibaraki); the other
#: packaged prefectures are drawn only as context.
CORE_PREFECTURE_CODES: frozenset[str] = frozenset({"08", "11", "12", "13", "14"})

#: Mean Earth radius (IUGG R1) used by :func:`geodesic_distance_km`.
EARTH_RADIUS_KM = 6371.0088

_GEOJSON_PACKAGE = "biocommunity.registry"
_GEOJSON_PATH = ("data", "geo", "kanto_prefectures.geojson")
_SVG_NS = "http://www.w3.org/2000/svg"

# Radius in viewBox units by point kind; hubs are bigger and drawn on top.
_RADIUS = {"hub": 7.0, "org": 4.5}
_DEFAULT_RADIUS = 4.5
_KIND_ORDER = {"hub": 1}  # higher is drawn later, i.e. above

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CSS_UNSAFE = re.compile(r"[^a-z0-9_-]+")
_URL_CONTROL = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class Prefecture:
    """One prefecture outline: polygons of rings of (lon, lat); first ring is the exterior."""

    code: str
    name_ja: str
    name_en: str
    polygons: tuple[tuple[Ring, ...], ...]

    def name(self, language: str) -> str:
        """The name to show for a language code such as ``ja`` or ``en-GB``."""
        return self.name_ja if language.lower().startswith("ja") else self.name_en

    @property
    def bounds(self) -> BBox:
        """(min_lon, min_lat, max_lon, max_lat) over all exterior rings."""
        lons = [p[0] for polygon in self.polygons for p in polygon[0]]
        lats = [p[1] for polygon in self.polygons for p in polygon[0]]
        return (min(lons), min(lats), max(lons), max(lats))


@dataclass(frozen=True)
class MapPoint:
    """A marker: ``label`` and ``href`` may come from user data and are escaped.

    ``kind`` becomes a CSS class (``hub`` or ``org``) and picks the radius.
    """

    lat: float
    lon: float
    label: str
    href: str
    kind: str


@cache
def _load() -> tuple[Prefecture, ...]:
    """Parse the packaged GeoJSON once per process."""
    resource = resources.files(_GEOJSON_PACKAGE).joinpath(*_GEOJSON_PATH)
    data = json.loads(resource.read_text(encoding="utf-8"))
    prefectures = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        raw = geometry["coordinates"]
        polygons = [raw] if geometry["type"] == "Polygon" else raw
        props = feature["properties"]
        prefectures.append(
            Prefecture(
                code=str(props["code"]),
                name_ja=str(props["name_ja"]),
                name_en=str(props["name_en"]),
                polygons=tuple(
                    tuple(tuple((float(x), float(y)) for x, y in ring) for ring in polygon)
                    for polygon in polygons
                ),
            )
        )
    return tuple(prefectures)


def load_prefectures() -> list[Prefecture]:
    """The packaged prefecture outlines (cached; the list is a fresh copy each call)."""
    return list(_load())


def geodesic_distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km by the haversine formula on a 6371.0088 km sphere.

    Why a sphere: within Japan this is within ~0.5% of the ellipsoidal (Vincenty)
    distance, which is plenty for "near me" sorting and display.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# --------------------------------------------------------------------------- SVG


@dataclass(frozen=True)
class _Projection:
    """Equirectangular projection, longitude scaled by cos(mean latitude) of the bbox."""

    bbox: BBox
    width: int

    @property
    def kx(self) -> float:
        mean_lat = (self.bbox[1] + self.bbox[3]) / 2
        return math.cos(math.radians(mean_lat))

    @property
    def scale(self) -> float:
        return self.width / ((self.bbox[2] - self.bbox[0]) * self.kx)

    @property
    def height(self) -> int:
        return max(1, round((self.bbox[3] - self.bbox[1]) * self.scale))

    def __call__(self, lon: float, lat: float) -> XY:
        return ((lon - self.bbox[0]) * self.kx * self.scale, (self.bbox[3] - lat) * self.scale)


def _text(value: str) -> str:
    """Escape for XML text and attribute values; drop characters XML 1.0 forbids."""
    value = _XML_INVALID.sub("", value)
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _safe_href(href: str) -> str | None:
    """Allow relative, http(s) and mailto links only: a `javascript:` URL in inline SVG runs."""
    href = href.strip()
    if not href or _URL_CONTROL.search(href):
        return None
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    return href if scheme in {"", "http", "https", "mailto"} else None


def _css_class(kind: str) -> str:
    """Reduce a kind to a safe CSS class token."""
    return _CSS_UNSAFE.sub("-", kind.strip().lower()).strip("-") or "point"


def _fmt(value: float) -> str:
    """Compact coordinate: one decimal in viewBox units is sub-pixel."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _intersects(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _path_data(polygons: Iterable[Sequence[Ring]], project: _Projection) -> str:
    parts = []
    for polygon in polygons:
        for ring in polygon:
            xy = [project(lon, lat) for lon, lat in ring[:-1]]
            if len(xy) >= 3:
                parts.append("M" + "L".join(f"{_fmt(x)} {_fmt(y)}" for x, y in xy) + "Z")
    return "".join(parts)


def _clip(ring: Sequence[XY], width: float, height: float) -> list[XY]:
    """Sutherland-Hodgman clip of a ring to the rectangle [0, width] x [0, height]."""
    edges: list[tuple[int, float, bool]] = [  # axis, limit, keep values >= limit
        (0, 0.0, True),
        (0, width, False),
        (1, 0.0, True),
        (1, height, False),
    ]
    out = list(ring)
    for axis, limit, keep_above in edges:
        if not out:
            break
        source, out = out, []
        for i, cur in enumerate(source):
            prev = source[i - 1]
            cur_in = (cur[axis] >= limit) if keep_above else (cur[axis] <= limit)
            prev_in = (prev[axis] >= limit) if keep_above else (prev[axis] <= limit)
            if cur_in != prev_in:
                t = (limit - prev[axis]) / (cur[axis] - prev[axis])
                out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
            if cur_in:
                out.append(cur)
    return out


def _area(ring: Sequence[XY]) -> float:
    closed = [*ring, ring[0]]
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in pairwise(closed))) / 2


def _signed_distance(x: float, y: float, ring: Sequence[XY]) -> float:
    """Distance from (x, y) to the ring's boundary, negative outside."""
    inside = False
    best = math.inf
    for i, (bx, by) in enumerate(ring):
        ax, ay = ring[i - 1]
        if (ay > y) != (by > y) and x < (bx - ax) * (y - ay) / (by - ay) + ax:
            inside = not inside
        dx, dy = bx - ax, by - ay
        seg = dx * dx + dy * dy
        t = 0.0 if seg == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / seg))
        best = min(best, math.hypot(x - ax - t * dx, y - ay - t * dy))
    return best if inside else -best


def _pole_of_inaccessibility(ring: Sequence[XY], precision: float = 1.0) -> tuple[XY, float]:
    """Interior point farthest from the edges, and that distance (the 'polylabel' search).

    Why not the centroid: for crescent shapes such as Kanagawa or Chiba around Tokyo Bay
    the centroid can fall in the sea or on a neighbour.
    """
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    min_x, min_y, max_x, max_y = min(xs), min(ys), max(xs), max(ys)
    cell = min(max_x - min_x, max_y - min_y)
    if cell <= 0:
        return (min_x, min_y), 0.0

    def entry(x: float, y: float, h: float) -> tuple[float, float, float, float, float]:
        d = _signed_distance(x, y, ring)
        return (-(d + h * math.sqrt(2)), d, x, y, h)

    heap: list[tuple[float, float, float, float, float]] = []
    h = cell / 2
    x = min_x
    while x < max_x:
        y = min_y
        while y < max_y:
            heapq.heappush(heap, entry(x + h, y + h, h))
            y += cell
        x += cell
    best_x, best_y = (min_x + max_x) / 2, (min_y + max_y) / 2
    best_d = _signed_distance(best_x, best_y, ring)
    while heap:
        neg_max, d, cx, cy, ch = heapq.heappop(heap)
        if d > best_d:
            best_d, best_x, best_y = d, cx, cy
        if -neg_max - best_d <= precision:
            continue
        half = ch / 2
        for ox in (-half, half):
            for oy in (-half, half):
                heapq.heappush(heap, entry(cx + ox, cy + oy, half))
    return (best_x, best_y), best_d


def _text_width(text: str, font_size: float) -> float:
    """Rough advance width of a sans-serif string: CJK is square, Latin about 0.62 em."""
    return sum(font_size * (0.62 if ord(ch) < 0x2E80 else 1.0) for ch in text)


@lru_cache(maxsize=128)
def _label_position(code: str, bbox: BBox, width: int, text: str, font_size: float) -> XY | None:
    """Where a prefecture's name fits inside its visible part of the map, or None.

    The anchor is the pole of inaccessibility of the largest visible piece; the name is
    written there only if its whole text box lies inside that piece, so names of
    neighbours that are barely on the map are left out instead of spilling over.
    """
    prefecture = next((p for p in _load() if p.code == code), None)
    if prefecture is None:
        return None
    project = _Projection(bbox, width)
    best: tuple[float, list[XY]] | None = None
    for polygon in prefecture.polygons:
        clipped = _clip([project(lon, lat) for lon, lat in polygon[0][:-1]], width, project.height)
        if len(clipped) >= 3:
            area = _area(clipped)
            if best is None or area > best[0]:
                best = (area, clipped)
    if best is None:
        return None
    ring = best[1]
    (x, y), room = _pole_of_inaccessibility(ring)
    if room < font_size * 0.6:
        return None
    half_w = _text_width(text, font_size) / 2 + 2
    half_h = font_size * 0.6
    probes = [
        (x + dx * half_w, y + dy * half_h)
        for dx in (-1.0, -0.5, 0.0, 0.5, 1.0)
        for dy in (-1.0, 1.0)
    ] + [(x - half_w, y), (x + half_w, y)]
    if all(_signed_distance(px, py, ring) >= 0 for px, py in probes):
        return (x, y)
    return None


def render_region_svg(
    points: Sequence[MapPoint],
    *,
    bbox: tuple[float, float, float, float] | None = None,
    width: int = 640,
    language: str = "ja",
    title: str = "",
    highlight: str = "",
) -> str:
    """A self-contained ``<svg>`` map of the region with the given points.

    ``highlight`` shades one prefecture (a JIS code): where an organisation is known only by
    its prefecture, the map shows that much instead of nothing.

    ``bbox`` is (min_lon, min_lat, max_lon, max_lat), default :data:`DEFAULT_BBOX`.
    Points outside it are skipped. Output has no script, no style sheet and no
    external reference; colours are presentation attributes, so a page's CSS can
    restyle the classes ``pref``, ``pref-core``, ``pref-highlight``, ``pref-label``,
    ``point``, ``hub`` and ``org``. Labels and hrefs are escaped; unsafe hrefs are dropped.
    """
    lo_lon, lo_lat, hi_lon, hi_lat = DEFAULT_BBOX if bbox is None else bbox
    box: BBox = (float(lo_lon), float(lo_lat), float(hi_lon), float(hi_lat))
    if not (box[0] < box[2] and box[1] < box[3]) or not all(map(math.isfinite, box)):
        raise ValueError(f"invalid bbox {bbox!r}: expected (min_lon, min_lat, max_lon, max_lat)")
    if width <= 0:
        raise ValueError("width must be positive")
    project = _Projection(box, width)
    height = project.height
    japanese = language.lower().startswith("ja")
    if not title:
        title = "首都圏の地図" if japanese else "Map of the Greater Tokyo region"
    unit = max(0.75, width / 640)  # markers and strokes grow with the drawing
    font_size = max(9.0, round(12.8 * unit, 1))

    out = [
        f'<svg xmlns="{_SVG_NS}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" class="region-map" lang="{_text(language)}" '
        'font-family="sans-serif">',
        f"<title>{_text(title)}</title>",
        f'<rect class="sea" width="{width}" height="{height}" fill="#e6f0f7"/>',
    ]

    visible = [p for p in _load() if _intersects(p.bounds, box)]
    for pref in visible:
        core = pref.code in CORE_PREFECTURE_CODES
        css = "pref pref-core" if core else "pref pref-context"
        fill = "#f7f4ec" if core else "#ecebe6"
        if highlight and pref.code == highlight:
            css, fill = f"{css} pref-highlight", "#f2c98a"
        out.append(
            f'<path class="{css}" data-code="{_text(pref.code)}" '
            f'd="{_path_data(pref.polygons, project)}" fill="{fill}" stroke="#8c8c8c" '
            f'stroke-width="{_fmt(unit)}" stroke-linejoin="round" fill-rule="evenodd">'
            f"<title>{_text(pref.name(language))}</title></path>"
        )

    for pref in visible:
        name = pref.name(language)
        position = _label_position(pref.code, box, width, name, font_size)
        if position is None:
            continue  # too little of it is on the map to write its name
        x, y = position
        core = pref.code in CORE_PREFECTURE_CODES
        out.append(
            f'<text class="pref-label" x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="middle" '
            f'dominant-baseline="central" font-size="{_fmt(font_size)}" '
            f'fill="{"#555" if core else "#888"}" stroke="#fff" stroke-width="3" '
            f'stroke-linejoin="round" paint-order="stroke" pointer-events="none">'
            f"{_text(name)}</text>"
        )

    on_map = [
        p
        for p in points
        if math.isfinite(p.lat)
        and math.isfinite(p.lon)
        and box[0] <= p.lon <= box[2]
        and box[1] <= p.lat <= box[3]
    ]
    on_map.sort(key=lambda p: _KIND_ORDER.get(_css_class(p.kind), 0))  # stable: hubs last
    for point in on_map:
        kind = _css_class(point.kind)
        radius = _RADIUS.get(kind, _DEFAULT_RADIUS) * unit
        cx, cy = project(point.lon, point.lat)
        fill = "#c0392b" if kind == "hub" else "#2874a6"
        circle = (
            f'<circle class="point {kind}" cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(radius)}" '
            f'fill="{fill}" fill-opacity="0.85" stroke="#fff" stroke-width="{_fmt(1.5 * unit)}">'
            f"<title>{_text(point.label)}</title></circle>"
        )
        href = _safe_href(point.href)
        out.append(f'<a href="{_text(href)}">{circle}</a>' if href is not None else circle)

    out.append("</svg>")
    return "\n".join(out)
