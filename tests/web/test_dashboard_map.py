"""The dashboard's map at state, district and township level: which areas are drawn as shapes,
in which class, the legend's bounds, the circles of areas without an outline, the hatched area
for what lies nowhere below it, the drill-down links, and exact points only once released."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from gazetteer.models import Place
from reports import services
from tests.dashboard_data import QUESTION

KAYAH = [[96.8, 18.5], [97.8, 18.5], [97.8, 19.9], [96.8, 19.9], [96.8, 18.5]]
LOIKAW_DISTRICT = [[96.8, 19.2], [97.8, 19.2], [97.8, 19.9], [96.8, 19.9], [96.8, 19.2]]
SHAN_SOUTH = [[96.8, 19.9], [98.0, 19.9], [98.0, 21.0], [96.8, 21.0], [96.8, 19.9]]
DATES = "start=2023-11-01&end=2023-12-31&period=month"

SHAPE = re.compile(
    r'(?:<a href="(?P<href>[^"]*)">)?<path class="(?P<fill>c\d)" d="(?P<d>[^"]+)">'
    r"<title>(?P<title>[^<]*)</title>"
)
MARKER = re.compile(
    r'(?:<a href="(?P<href>[^"]*)">)?<circle class="marker (?P<fill>c\d)" cx="\d+" cy="\d+" '
    r'r="7"><title>(?P<title>[^<]*)</title>'
)
LEGEND = re.compile(r'<li><span class="swatch ([\w-]+)"></span>([^<]*)</li>')


@pytest.fixture
def outlines(db, places, tmp_path):
    kayah = places["kayah"]
    Place.objects.create(
        pcode="MMR014",
        admin_level=1,
        kind="State",
        parent=places["MMR"],
        path="/MMR/MMR014/",
        name_en="Shan (South)",
    )

    def feature(properties, ring):
        geometry = {"type": "Polygon", "coordinates": [ring]}
        return {"type": "Feature", "properties": properties, "geometry": geometry}

    states = tmp_path / "states.geojson"
    states.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    feature({"ST_PCODE": "MMR002", "ST": "Kayah"}, KAYAH),
                    feature({"ST_PCODE": "MMR014", "ST": "Shan (South)"}, SHAN_SOUTH),
                ],
            }
        )
    )
    districts = tmp_path / "districts.geojson"
    districts.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [feature({"DT_PCODE": "MMR002D001", "DT": "Loikaw"}, LOIKAW_DISTRICT)],
            }
        )
    )
    call_command("import_boundaries", str(states), str(districts), stdout=StringIO())
    return kayah


def map_of(client, query):
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<figure class="map-figure">')
    return page[start : page.index("</figure>", start)]


def shapes(figure):
    return {
        m["title"].split(":")[0]: (m["fill"], (m["href"] or "").replace("&amp;", "&"))
        for m in SHAPE.finditer(figure)
    }


def test_state_level_each_state_shaded_by_its_class_and_drills_down_keeping_the_map_metric(
    client, scenario, outlines
):
    figure = map_of(client, f"{DATES}&map=killed")
    assert shapes(figure) == {
        "Kayah": (
            "c4",
            "/dashboard/?start=2023-11-01&end=2023-12-31&area=MMR002&period=month&map=killed#map",
        ),
        "Shan (South)": (
            "c0",
            "/dashboard/?start=2023-11-01&end=2023-12-31&area=MMR014&period=month&map=killed#map",
        ),
    }
    assert LEGEND.findall(figure) == [("c4", "1–21"), ("c0", "nothing approved")]
    assert "<title>Kayah: Exactly 21; 3 events, 3 reports, 3 sources</title>" in figure
    assert "<title>Shan (South): nothing approved</title>" in figure
    assert 'class="marker' not in figure and "area-outline" not in figure
    assert "Boundaries: MIMU" in figure


def test_district_level_hatches_kayah_for_what_lies_nowhere_below_it(client, scenario, outlines):
    figure = map_of(client, f"{QUESTION}&map=killed")
    assert shapes(figure) == {
        "Loikaw District": (
            "c4",
            "/dashboard/?start=2023-11-01&end=2023-12-31&area=MMR002D001&period=month&map=killed#map",
        ),
    }
    assert LEGEND.findall(figure) == [
        ("c4", "1–5"),
        ("c0", "nothing approved"),
        ("hatch-key", "not located below this area"),
    ]
    assert '<path class="area-outline" d="M' in figure
    assert 'fill="url(#map-hatch)"/>' in figure
    assert (
        '<a href="/dashboard/evidence/?start=2023-11-01&amp;end=2023-12-31&amp;area=MMR002'
        '&amp;metric=killed&amp;period=month&amp;unspecified=1">Unspecified within Kayah: 16</a>, '
        "not placed on the map" in figure
    )


def test_township_level_has_no_outlines_so_townships_are_marked_circles(client, scenario, outlines):
    figure = map_of(client, "area=MMR002D001&start=2023-11-01&end=2023-12-31&map=killed")
    assert shapes(figure) == {}
    markers = {
        m["title"].split(":")[0]: (m["fill"], m["href"].replace("&amp;", "&"))
        for m in MARKER.finditer(figure)
    }
    assert markers == {
        "Loikaw Township": (
            "c0",
            "/dashboard/?start=2023-11-01&end=2023-12-31&area=MMR002001&map=killed#map",
        ),
    }
    assert LEGEND.findall(figure)[:2] == [("c4", "1–5"), ("c0", "nothing approved")]
    assert "no boundary available (placed at a representative point)" in figure
    assert "No boundary available, shown as circles: Loikaw Township." in figure
    # Demoso has neither an outline nor a town with a point in the test gazetteer.
    assert "Not on the map (no boundary and no point in the gazetteer): Demoso Township." in figure
    # The district's outline frames the circles; nothing is hatched.
    assert '<path class="area-outline" d="M' in figure and "map-hatch" not in figure


def test_only_exact_points_a_moderator_released_are_drawn(
    client, scenario, outlines, places, field_partner, moderator, file_report
):
    def approved(title, latitude, longitude):
        report = file_report(
            field_partner,
            title=title,
            place=places["demoso"],
            latitude=latitude,
            longitude=longitude,
            location_precision="exact",
            figures=[dict(metric="killed", qualifier="exact", value=1)],
        )
        services.report_submit(report=report, actor=field_partner)
        return services.report_approve(report=report, actor=moderator)

    released = approved("Released point", "19.30", "97.30")
    approved("Unreleased point", "19.40", "97.40")
    services.report_update(report=released, actor=moderator, point_released=True)
    figure = map_of(client, f"{QUESTION}&map=killed")
    points = re.findall(r'<circle class="point" cx="\d+" cy="\d+" r="3"><title>([^<]*)<', figure)
    assert points == ["Released point (exact point released by a moderator)"]
    assert "Unreleased point" not in figure
    assert ("point-key", "exact point released by a moderator") in LEGEND.findall(figure)


def test_classes_cut_the_distinct_numbers_into_groups_with_contiguous_bounds():
    from reports.views.maps import classes

    assert classes([]) == [] and classes([0, 0]) == []
    assert [(c.fill, c.label) for c in classes([0, 7])] == [("c4", "1–7")]
    assert [(c.fill, c.label) for c in classes([3, 1, 2])] == [
        ("c1", "1"),
        ("c3", "2"),
        ("c5", "3"),
    ]
    values = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 40000]
    assert [(c.fill, c.low, c.high) for c in classes(values)] == [
        ("c1", 1, 5),
        ("c2", 6, 20),
        ("c3", 21, 200),
        ("c4", 201, 1000),
        ("c5", 1001, 40000),
    ]
