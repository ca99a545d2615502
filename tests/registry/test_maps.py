"""Offline region map: packaged geometry, SVG output and distances.

Plain pytest functions: biocommunity.registry.maps imports no Django, so these run
with ``-p no:django`` and need no database.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from importlib import resources

import pytest

from biocommunity.registry.maps import (
    CORE_PREFECTURE_CODES,
    DEFAULT_BBOX,
    MapPoint,
    geodesic_distance_km,
    load_prefectures,
    render_region_svg,
)

SVG = "{http://www.w3.org/2000/svg}"

TOKYO_STATION = MapPoint(35.6812, 139.7671, "Tokyo Station Hub", "/hubs/1/", "hub")
YOKOHAMA = MapPoint(35.4437, 139.6380, "Yokohama Lab", "/orgs/2/", "org")
CHIBA = MapPoint(35.6074, 140.1065, "Chiba Bio", "/orgs/3/", "org")
OSAKA = MapPoint(34.7334, 135.5002, "Osaka Org", "/orgs/4/", "org")


def _parse(svg: str) -> ET.Element:
    # The input is this module's own output, not untrusted XML.
    return ET.fromstring(svg)  # noqa: S314


def _classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


# ------------------------------------------------------------------ geometry


def test_geojson_has_the_core_prefectures() -> None:
    prefectures = load_prefectures()
    codes = {p.code for p in prefectures}
    assert {"08", "11", "12", "13", "14"} <= codes
    assert codes >= CORE_PREFECTURE_CODES
    by_code = {p.code: p for p in prefectures}
    assert by_code["13"].name_ja == "東京都"
    assert by_code["13"].name_en == "Tokyo"
    assert by_code["14"].name("ja") == "神奈川県"
    assert by_code["14"].name("en-GB") == "Kanagawa"
    assert all(len(p.code) == 2 and p.code.isdigit() for p in prefectures)


def test_rings_are_closed_and_plausible() -> None:
    for prefecture in load_prefectures():
        assert prefecture.polygons, prefecture.code
        for polygon in prefecture.polygons:
            for ring in polygon:
                assert len(ring) >= 4, prefecture.code
                assert ring[0] == ring[-1], prefecture.code
                for lon, lat in ring:
                    assert 137.0 < lon < 141.5 and 34.0 < lat < 37.5, prefecture.code
                    assert round(lon, 4) == lon and round(lat, 4) == lat


def test_tokyo_excludes_the_far_islands() -> None:
    tokyo = next(p for p in load_prefectures() if p.code == "13")
    _min_lon, min_lat, max_lon, _max_lat = tokyo.bounds
    assert min_lat > 35.3  # Izu Oshima is at 34.7N, Ogasawara at 27N
    assert max_lon < 140.5


def test_load_prefectures_is_cached_but_returns_a_copy() -> None:
    first = load_prefectures()
    first.clear()
    second = load_prefectures()
    assert second
    assert second[0] is load_prefectures()[0]


def test_packaged_geojson_is_small() -> None:
    resource = resources.files("biocommunity.registry").joinpath(
        "data", "geo", "kanto_prefectures.geojson"
    )
    assert len(resource.read_bytes()) < 300 * 1024


# ------------------------------------------------------------------ SVG


def test_svg_is_well_formed_with_polygons_and_points() -> None:
    svg = render_region_svg([TOKYO_STATION, YOKOHAMA, CHIBA], title="Members")
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
    assert width == 640 and height > 0
    first = root[0]
    assert first.tag == f"{SVG}title" and first.text == "Members"

    prefs = [el for el in root.iter(f"{SVG}path") if "pref" in _classes(el)]
    assert len(prefs) >= 5
    names = {el.find(f"{SVG}title").text for el in prefs}  # type: ignore[union-attr]
    assert {"東京都", "神奈川県", "千葉県", "埼玉県", "茨城県"} <= names
    assert all(el.get("d", "").startswith("M") for el in prefs)

    links = list(root.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == ["/orgs/2/", "/orgs/3/", "/hubs/1/"]
    circles = [a.find(f"{SVG}circle") for a in links]
    assert all(c is not None for c in circles)
    titles = [c.find(f"{SVG}title").text for c in circles]  # type: ignore[union-attr]
    assert titles == ["Yokohama Lab", "Chiba Bio", "Tokyo Station Hub"]
    for circle in circles:
        assert circle is not None
        assert 0 <= float(circle.get("cx", "-1")) <= width
        assert 0 <= float(circle.get("cy", "-1")) <= height


def test_hubs_are_drawn_above_organisations_and_bigger() -> None:
    root = _parse(render_region_svg([TOKYO_STATION, YOKOHAMA]))
    circles = list(root.iter(f"{SVG}circle"))
    assert [_classes(c) & {"hub", "org"} for c in circles] == [{"org"}, {"hub"}]
    assert float(circles[1].get("r", "0")) > float(circles[0].get("r", "0"))


def test_projection_puts_places_in_the_right_order() -> None:
    root = _parse(render_region_svg([TOKYO_STATION, YOKOHAMA, CHIBA]))
    xy = {
        c.find(f"{SVG}title").text: (float(c.get("cx", "0")), float(c.get("cy", "0")))  # type: ignore[union-attr]
        for c in root.iter(f"{SVG}circle")
    }
    assert xy["Chiba Bio"][0] > xy["Tokyo Station Hub"][0] > xy["Yokohama Lab"][0]
    assert xy["Yokohama Lab"][1] > xy["Tokyo Station Hub"][1]  # south is further down
    # Longitude is scaled by cos(mean latitude): 1 degree east is shorter than 1 north.
    dx = xy["Chiba Bio"][0] - xy["Tokyo Station Hub"][0]
    dy = xy["Yokohama Lab"][1] - xy["Tokyo Station Hub"][1]
    ratio = (dx / (140.1065 - 139.7671)) / (dy / (35.6812 - 35.4437))
    mean_lat = (DEFAULT_BBOX[1] + DEFAULT_BBOX[3]) / 2
    assert ratio == pytest.approx(math.cos(math.radians(mean_lat)), rel=0.02)


def test_labels_are_escaped() -> None:
    evil = MapPoint(35.68, 139.76, '<script>alert("x")</script> & co', "/orgs/9/?a=1&b=2", "org")
    svg = render_region_svg([evil], title="<b>Map</b>")
    assert "<script" not in svg
    assert "<b>" not in svg
    root = _parse(svg)
    assert not any(el.tag.endswith("script") for el in root.iter())
    circle = next(root.iter(f"{SVG}circle"))
    assert circle.find(f"{SVG}title").text == '<script>alert("x")</script> & co'  # type: ignore[union-attr]
    assert next(root.iter(f"{SVG}a")).get("href") == "/orgs/9/?a=1&b=2"
    assert root[0].text == "<b>Map</b>"


def test_unsafe_hrefs_and_kinds_are_neutralised() -> None:
    points = [
        MapPoint(35.68, 139.76, "js", "javascript:alert(1)", "org"),
        MapPoint(35.69, 139.77, "js2", " JaVa\tScRiPt:alert(1)", "org"),
        MapPoint(35.70, 139.78, "data", "data:text/html,<script>x</script>", "org"),
        MapPoint(35.71, 139.79, "ok", "https://example.org/x", 'hub" onclick="x'),
    ]
    svg = render_region_svg(points)
    root = _parse(svg)
    assert "javascript" not in svg.lower()
    assert "data:" not in svg
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["https://example.org/x"]
    assert len(list(root.iter(f"{SVG}circle"))) == 4
    assert all(el.get("onclick") is None for el in root.iter())


def test_control_characters_do_not_break_the_xml() -> None:
    svg = render_region_svg([MapPoint(35.68, 139.76, "bad\x00\x07label\ufffe", "/o/", "org")])
    circle = next(_parse(svg).iter(f"{SVG}circle"))
    assert circle.find(f"{SVG}title").text == "badlabel"  # type: ignore[union-attr]


def test_out_of_bbox_points_are_skipped() -> None:
    nan_point = MapPoint(float("nan"), 139.7, "nan", "/n/", "org")
    root = _parse(render_region_svg([OSAKA, TOKYO_STATION, nan_point]))
    titles = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]  # type: ignore[union-attr]
    assert titles == ["Tokyo Station Hub"]


def test_custom_bbox_width_and_language() -> None:
    bbox = (139.5, 35.5, 140.0, 35.8)
    root = _parse(render_region_svg([TOKYO_STATION, CHIBA], bbox=bbox, width=300, language="en"))
    assert root.get("viewBox", "").split()[2] == "300"
    assert root.get("lang") == "en"
    titles = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]  # type: ignore[union-attr]
    assert titles == ["Tokyo Station Hub"]  # Chiba (140.1E) is east of this box
    names = {el.find(f"{SVG}title").text for el in root.iter(f"{SVG}path")}  # type: ignore[union-attr]
    assert "Tokyo" in names and "東京都" not in names
    assert root[0].text  # a default title in the requested language


def test_prefecture_names_are_written_on_the_map() -> None:
    root = _parse(render_region_svg([]))
    labels = {el.text for el in root.iter(f"{SVG}text") if "pref-label" in _classes(el)}
    assert {"東京都", "神奈川県", "千葉県", "埼玉県", "茨城県"} <= labels


def test_no_scripts_or_external_resources() -> None:
    svg = render_region_svg([TOKYO_STATION])
    root = _parse(svg)
    forbidden = {"script", "foreignObject", "image", "use", "style", "iframe"}
    assert not any(el.tag.removeprefix(SVG) in forbidden for el in root.iter())
    assert "url(" not in svg and "xlink:href" not in svg
    assert not any(k.startswith("on") for el in root.iter() for k in el.attrib)


def test_invalid_bbox_is_rejected() -> None:
    with pytest.raises(ValueError, match="bbox"):
        render_region_svg([], bbox=(140.0, 35.0, 139.0, 36.0))


# ------------------------------------------------------------------ distance


def test_distance_tokyo_station_to_shin_osaka() -> None:
    km = geodesic_distance_km(35.6812, 139.7671, 34.7334, 135.5002)
    assert km == pytest.approx(400, rel=0.02)


def test_distance_is_symmetric_and_zero_on_the_spot() -> None:
    a = geodesic_distance_km(35.6812, 139.7671, 35.4437, 139.6380)
    b = geodesic_distance_km(35.4437, 139.6380, 35.6812, 139.7671)
    assert a == pytest.approx(b)
    assert 25 < a < 30  # Tokyo Station to Yokohama Station is about 28 km
    assert geodesic_distance_km(35.0, 139.0, 35.0, 139.0) == 0.0


def test_one_prefecture_can_be_shaded() -> None:
    root = _parse(render_region_svg([], highlight="13"))
    shaded = [el for el in root.iter(f"{SVG}path") if "pref-highlight" in _classes(el)]
    assert [el.get("data-code") for el in shaded] == ["13"]
    plain = _parse(render_region_svg([]))
    assert not [el for el in plain.iter(f"{SVG}path") if "pref-highlight" in _classes(el)]
