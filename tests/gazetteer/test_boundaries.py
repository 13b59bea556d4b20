"""import_boundaries: GeoJSON, TopoJSON and shapefiles joined on P-codes, refused features named
with nothing stored, unknown P-codes listed, projected files refused, parents derived from their
children, and a second run that changes nothing."""

import json

import pytest
import shapefile
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from gazetteer.models import Boundary, Place

# Two districts of Kayah sharing the latitude 19 as their border.
NORTH = [[97.0, 19.0], [97.5, 19.0], [97.5, 19.5], [97.0, 19.5], [97.0, 19.0]]
SOUTH = [[97.0, 18.5], [97.5, 18.5], [97.5, 19.0], [97.0, 19.0], [97.0, 18.5]]
BOW_TIE = [[97.0, 19.0], [97.5, 19.5], [97.5, 19.0], [97.0, 19.5], [97.0, 19.0]]


@pytest.fixture
def bawlake(places):
    return Place.objects.create(
        pcode="MMR002D002",
        admin_level=2,
        kind="District",
        parent=places["kayah"],
        path=f"{places['kayah'].path}MMR002D002/",
        name_en="Bawlake",
    )


def feature(pcode, name, ring, field="DT_PCODE", name_field="DT"):
    return {
        "type": "Feature",
        "properties": {"ST_PCODE": "MMR002", field: pcode, name_field: name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def geojson(tmp_path, name, *features, **extra):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}))
    return str(path)


def run(*args):
    """The command's output and errors, or the CommandError's message."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_boundaries", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def outlines():
    return {
        b.place.pcode: (
            b.derived,
            b.source_file,
            (b.min_longitude, b.min_latitude, b.max_longitude, b.max_latitude),
        )
        for b in Boundary.objects.select_related("place")
    }


def test_geojson_districts_joined_on_dt_pcode_parents_derived_unknown_listed(
    tmp_path, places, bawlake
):
    districts = geojson(
        tmp_path,
        "kayah.geojson",
        feature("MMR002D001", "Loikaw", NORTH),
        feature("MMR002D002", "Bawlake", SOUTH),
        feature("MMR013D004", "Yangon (West)", NORTH),
    )
    out, err = run(districts)
    assert out.splitlines()[:3] == [
        "kayah.geojson: 2 created, 0 updated, 0 unchanged, 1 not in the gazetteer, 0 refused",
        "Derived from children: 2 created, 0 updated, 0 unchanged",
        "kayah.geojson: MMR013D004 Yangon (West): not in the gazetteer, skipped",
    ]
    assert err == ""
    assert outlines() == {
        "MMR002D001": (False, "kayah.geojson", (97.0, 19.0, 97.5, 19.5)),
        "MMR002D002": (False, "kayah.geojson", (97.0, 18.5, 97.5, 19.0)),
        "MMR002": (True, "", (97.0, 18.5, 97.5, 19.5)),
        "MMR": (True, "", (97.0, 18.5, 97.5, 19.5)),
    }
    kayah = shapely.from_geojson(Boundary.objects.get(place__pcode="MMR002").geometry)
    assert kayah.geom_type == "Polygon" and kayah.area == pytest.approx(0.5)

    again, _ = run(districts)
    assert "kayah.geojson: 0 created, 0 updated, 2 unchanged, 1 not in the gazetteer" in again
    assert "Derived from children: 0 created, 0 updated, 2 unchanged" in again
    assert "Boundaries: nothing changed" in again

    # A file that outlines the state itself replaces the derived outline.
    state = geojson(
        tmp_path,
        "states.geojson",
        {
            "type": "Feature",
            "properties": {"ST_PCODE": "MMR002", "ST": "Kayah"},
            "geometry": {"type": "Polygon", "coordinates": [NORTH]},
        },
    )
    out, _ = run(state)
    assert "states.geojson: 0 created, 1 updated, 0 unchanged" in out
    assert outlines()["MMR002"] == (False, "states.geojson", (97.0, 19.0, 97.5, 19.5))


def topology():
    """Loikaw and Bawlake as quantised TopoJSON: the shared border is arc 0, walked backwards
    (~0) by Bawlake; positions after an arc's first are deltas."""
    return {
        "type": "Topology",
        "transform": {"scale": [0.001, 0.001], "translate": [97.0, 18.5]},
        "arcs": [
            [[0, 500], [500, 0]],
            [[500, 500], [0, 500], [-500, 0], [0, -500]],
            [[0, 500], [0, -500], [500, 0], [0, 500]],
        ],
        "objects": {
            "kayah": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "arcs": [[0, 1]],
                        "properties": {"DT_PCODE": "MMR002D001", "DT": "Loikaw"},
                    },
                    {
                        "type": "MultiPolygon",
                        "arcs": [[[2, -1]]],
                        "properties": {"DT_PCODE": "MMR002D002", "DT": "Bawlake"},
                    },
                ],
            }
        },
    }


def test_topojson_arcs_are_decoded_with_their_transform_and_deltas(tmp_path, places, bawlake):
    path = tmp_path / "kayah.json"
    path.write_text(json.dumps(topology()))
    out, _ = run(str(path), "--tolerance", "0")
    assert "kayah.json: 2 created, 0 updated, 0 unchanged, 0 not in the gazetteer, 0 refused" in out
    found = outlines()
    assert found["MMR002D001"][2] == (97.0, 19.0, 97.5, 19.5)
    assert found["MMR002D002"][2] == (97.0, 18.5, 97.5, 19.0)
    bawlake_outline = shapely.from_geojson(Boundary.objects.get(place=bawlake).geometry)
    assert bawlake_outline.geom_type == "MultiPolygon"
    assert bawlake_outline.equals(shapely.Polygon(SOUTH))


def test_a_shapefile_written_with_pyshp_is_read_on_its_ts_pcode(tmp_path, places):
    path = tmp_path / "townships.shp"
    with shapefile.Writer(str(path), shapeType=shapefile.POLYGON) as writer:
        writer.field("DT_PCODE", "C")
        writer.field("TS_PCODE", "C")
        writer.field("TS", "C")
        # Clockwise: the outer ring of a shapefile polygon.
        writer.poly([[[97.0, 19.5], [97.25, 19.5], [97.25, 19.0], [97.0, 19.0], [97.0, 19.5]]])
        writer.record("MMR002D001", "MMR002001", "Loikaw")
    out, _ = run(str(path))
    assert out.startswith(
        "townships.shp: 1 created, 0 updated, 0 unchanged, 0 not in the gazetteer, 0 refused\n"
        "Derived from children: 3 created"
    )
    assert outlines()["MMR002001"] == (False, "townships.shp", (97.0, 19.0, 97.25, 19.5))
    assert outlines()["MMR002D001"][0] is True  # derived from its one township


def test_a_shapefile_in_a_projected_system_is_refused_naming_the_file(tmp_path, places):
    path = tmp_path / "utm.shp"
    with shapefile.Writer(str(path), shapeType=shapefile.POLYGON) as writer:
        writer.field("TS_PCODE", "C")
        writer.poly([[[200000, 2100000], [210000, 2100000], [210000, 2090000], [200000, 2100000]]])
        writer.record("MMR002001")
    (tmp_path / "utm.prj").write_text('PROJCS["WGS_1984_UTM_Zone_47N",GEOGCS["GCS_WGS_1984"]]')
    with pytest.raises(CommandError) as caught:
        run(str(path))
    assert (
        "utm.shp: coordinates are in a projected system (WGS_1984_UTM_Zone_47N), not "
        "longitude and latitude: reproject it to WGS 84 (EPSG:4326) first"
    ) in str(caught.value)
    assert Boundary.objects.count() == 0


def test_coordinates_in_metres_are_refused_naming_the_feature(tmp_path, places):
    metres = [[200000, 2100000], [210000, 2100000], [210000, 2090000], [200000, 2100000]]
    path = geojson(tmp_path, "metres.geojson", feature("MMR002D001", "Loikaw", metres))
    with pytest.raises(CommandError) as caught:
        run(path)
    assert (
        "metres.geojson: MMR002D001 Loikaw: coordinates (200000, 2.09e+06) – (210000, 2.1e+06) "
        "are not longitude and latitude (a projected system in metres?)"
    ) in str(caught.value)
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32647"}}
    path = geojson(tmp_path, "utm.geojson", feature("MMR002D001", "Loikaw", NORTH), crs=crs)
    with pytest.raises(CommandError, match="utm.geojson: coordinates are in a projected system"):
        run(path)
    assert Boundary.objects.count() == 0


def test_a_broken_geometry_is_refused_by_name_and_nothing_is_stored(tmp_path, places, bawlake):
    path = geojson(
        tmp_path,
        "kayah.geojson",
        feature("MMR002D001", "Loikaw", BOW_TIE),
        feature("MMR002D002", "Bawlake", SOUTH),
    )
    with pytest.raises(CommandError) as caught:
        run(path)
    assert str(caught.value).splitlines() == [
        "1 feature or file refused; nothing was imported.",
        "kayah.geojson: MMR002D001 Loikaw: broken geometry: Self-intersection[97.25 19.25]",
        "Fix them, or use --skip-invalid to import the others.",
    ]
    assert Boundary.objects.count() == 0

    out, err = run(path, "--skip-invalid")
    assert (
        "kayah.geojson: 1 created, 0 updated, 0 unchanged, 0 not in the gazetteer, 1 refused" in out
    )
    assert err == (
        "kayah.geojson: MMR002D001 Loikaw: broken geometry: Self-intersection[97.25 19.25]: "
        "refused, skipped\n"
    )
    assert set(outlines()) == {"MMR002D002", "MMR002", "MMR"}


def test_the_pcode_field_can_be_named_and_a_file_without_one_is_refused(tmp_path, places):
    loikaw = feature("MMR002D001", "Loikaw", NORTH, "code", "label")
    del loikaw["properties"]["ST_PCODE"]
    odd = geojson(tmp_path, "odd.geojson", loikaw)
    with pytest.raises(CommandError, match="odd.geojson: no P-code property .* --pcode-field"):
        run(odd)
    out, _ = run(odd, "--pcode-field", "code")
    assert "odd.geojson: 1 created" in out
    assert outlines()["MMR002D001"][:2] == (False, "odd.geojson")


def test_adm_pcode_layers_use_the_deepest_level(tmp_path, places):
    path = geojson(
        tmp_path,
        "cod.geojson",
        {
            "type": "Feature",
            "properties": {"ADM1_PCODE": "MMR002", "ADM2_PCODE": "MMR002D001", "ADM2_EN": "Loikaw"},
            "geometry": {"type": "Polygon", "coordinates": [NORTH]},
        },
    )
    run(path)
    assert outlines()["MMR002D001"][:2] == (False, "cod.geojson")


def test_a_zipped_shapefile_is_read_with_its_prj(tmp_path, places):
    import zipfile

    base = tmp_path / "mmr_tsp"
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON) as writer:
        writer.field("TS_PCODE", "C")
        writer.field("TS", "C")
        writer.poly([[[97.0, 19.5], [97.25, 19.5], [97.25, 19.0], [97.0, 19.0], [97.0, 19.5]]])
        writer.record("MMR002002", "Demoso")
    (tmp_path / "mmr_tsp.prj").write_text('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984"]]')
    archive = tmp_path / "mmr_tsp.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for suffix in (".shp", ".shx", ".dbf", ".prj"):
            zipped.write(tmp_path / f"mmr_tsp{suffix}", f"mmr_tsp{suffix}")
    out, _ = run(str(archive))
    assert (
        "mmr_tsp.zip: 1 created, 0 updated, 0 unchanged, 0 not in the gazetteer, 0 refused" in out
    )
    assert outlines()["MMR002002"] == (False, "mmr_tsp.zip", (97.0, 19.0, 97.25, 19.5))


def test_a_layers_burmese_names_fill_only_the_names_the_gazetteer_lacks(tmp_path, places, bawlake):
    Place.objects.filter(pcode="MMR002D001").update(name_local="လွိုင်ကော် (gazetteer)")
    loikaw = feature("MMR002D001", "Loikaw", NORTH)
    loikaw["properties"]["DT_MMR4"] = "လွိုင်ကော်ခရိုင်"
    bawlake_feature = feature("MMR002D002", "Bawlake", SOUTH)
    bawlake_feature["properties"]["DT_MMR4"] = "ဘောလခဲခရိုင်"
    districts = geojson(tmp_path, "kayah.geojson", loikaw, bawlake_feature)

    out, _ = run(districts)

    assert out.splitlines()[0] == (
        "kayah.geojson: 2 created, 0 updated, 0 unchanged, 0 not in the gazetteer, 0 refused, "
        "1 local names added"
    )
    names = dict(Place.objects.filter(admin_level=2).values_list("pcode", "name_local"))
    assert names == {"MMR002D001": "လွိုင်ကော် (gazetteer)", "MMR002D002": "ဘောလခဲခရိုင်"}
    out, _ = run(districts)
    assert "nothing changed" in out.splitlines()[-1]
