"""The gazetteer import: MIMU P-code and OCHA COD-AB files, all or nothing, idempotent."""

from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from gazetteer.importer import GazetteerImportError, import_files
from gazetteer.models import Place

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "gazetteer" / "data"
TOWNS = DATA / "mimu_sample_towns.csv"
VILLAGE_TRACTS = DATA / "mimu_sample_village_tracts.csv"
TOWN_HEADER = TOWNS.read_text(encoding="utf-8").splitlines()[0]
COD_HEADER = "ADM0_PCODE,ADM0_EN,ADM1_PCODE,ADM1_EN,ADM2_PCODE,ADM2_EN"


def town(**changes) -> str:
    """A line of a MIMU towns file: Loikaw Town unless told otherwise."""
    values = {
        "sr": "MMR002",
        "sr_name": "Kayah",
        "district": "MMR002D001",
        "district_name": "Loikaw",
        "tsp": "MMR002001",
        "tsp_name": "Loikaw",
        "code": "MMR002001701",
        "name": "Loikaw Town",
        "name_mmr": "လွိုင်ကော်",
        "lon": "97.20993",
        "lat": "19.67424",
    } | changes
    return ",".join(values.values()) + ",GAD,,,,,Active,N/A,Active,,"


def write(tmp_path: Path, name: str, *lines: str, encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{line}\n" for line in lines), encoding=encoding)
    return path


def rejected(error_info) -> list[str]:
    return [str(rejection) for rejection in error_info.value.rejections]


def summaries(results) -> list[str]:
    return [result.summary() for result in results]


def test_samples_build_the_whole_hierarchy():
    results = import_files([TOWNS, VILLAGE_TRACTS])

    assert summaries(results) == [
        "mimu_sample_towns.csv: 33 created, 0 updated, 0 unchanged, 0 rejected",
        "mimu_sample_village_tracts.csv: 130 created, 0 updated, 17 unchanged, 0 rejected",
    ]
    assert Counter(Place.objects.values_list("admin_level", "kind")) == {
        (0, ""): 1,
        (1, "State"): 2,  # Kayah, Shan (South)
        (2, "District"): 3,  # Loikaw, Bawlake, Taunggyi
        (2, "Self-Administered Zone"): 1,  # Pa-O (Hsihseng, Pinlaung)
        (3, "Township"): 10,
        (4, "Town"): 16,
        (4, "Village tract"): 130,
    }
    loikaw_town = Place.objects.get(pcode="MMR002001701")
    assert loikaw_town.name_en == "Loikaw Town"
    assert loikaw_town.name_local == "လွိုင်ကော်"
    assert loikaw_town.kind == "Town"
    assert loikaw_town.admin_level == 4
    assert (loikaw_town.latitude, loikaw_town.longitude) == (
        Decimal("19.67424"),
        Decimal("97.20993"),
    )
    assert loikaw_town.gazetteer == "MIMU P-code 9.6"
    assert loikaw_town.path == "/MMR/MMR002/MMR002D001/MMR002001/MMR002001701/"
    chain, place = [], loikaw_town.parent
    while place is not None:
        chain.append((place.pcode, place.admin_level, place.kind, place.name_en))
        place = place.parent
    assert chain == [
        ("MMR002001", 3, "Township", "Loikaw"),
        ("MMR002D001", 2, "District", "Loikaw"),
        ("MMR002", 1, "State", "Kayah"),
        ("MMR", 0, "", "Myanmar"),
    ]
    assert loikaw_town.admin_path_display() == "Loikaw Town, Loikaw, Loikaw District, Kayah"
    myanmar = Place.objects.get(pcode="MMR")
    assert (myanmar.name_local, myanmar.default_household_size) == ("မြန်မာ", Decimal("4.4"))
    village_tract = Place.objects.get(pcode="MMR014010001")
    assert (village_tract.name_en, village_tract.kind, village_tract.latitude) == (
        "Moe Bye",
        "Village tract",
        None,
    )
    assert village_tract.path == "/MMR/MMR014/MMR014D001/MMR014010/MMR014010001/"
    assert Place.objects.get(pcode="MMR014009").parent.name_en == "Pa-O Self-Administered Zone"


def test_pages_in_burmese_name_places_by_their_burmese_names():
    import_files([TOWNS, VILLAGE_TRACTS])
    loikaw_town = Place.objects.get(pcode="MMR002001701")
    village_tract = Place.objects.get(pcode="MMR014010001")
    with translation.override("my"):
        assert loikaw_town.display_name == "လွိုင်ကော်မြို့"
        assert village_tract.display_name == f"{village_tract.name_local}ကျေးရွာအုပ်စု"
        # The township is named after its seat town; no Burmese name for the district or
        # state in the sample files (the boundaries give them): English stays.
        assert loikaw_town.admin_path_display() == ("လွိုင်ကော်မြို့, လွိုင်ကော်မြို့နယ်, Loikaw District, Kayah")
        assert loikaw_town.english_name == "Loikaw Town"
    with translation.override("en"):
        assert loikaw_town.display_name == "Loikaw Town"


def test_a_township_takes_its_burmese_name_from_the_town_named_exactly_after_it(tmp_path):
    towns = write(
        tmp_path,
        "towns.csv",
        TOWN_HEADER,
        town(code="MMR002001702", name="Loilen Lay Town", name_mmr="လွိုင်လင်လေး"),
        town(),
        town(tsp="MMR002002", tsp_name="Demoso", code="MMR002002702", name="Nan Mei Khon Town",
             name_mmr="နန်းမယ်ခုံ"),
    )  # fmt: skip

    import_files([towns])

    names = dict(Place.objects.filter(admin_level=3).values_list("pcode", "name_local"))
    assert names == {"MMR002001": "လွိုင်ကော်မြို့နယ်", "MMR002002": ""}
    with translation.override("my"):
        assert Place.objects.get(pcode="MMR002001").display_name == "လွိုင်ကော်မြို့နယ်"
        assert Place.objects.get(pcode="MMR002002").display_name == "Demoso Township"


def test_a_second_run_changes_nothing():
    import_files([TOWNS, VILLAGE_TRACTS])
    before = list(Place.objects.values())

    results = import_files([TOWNS, VILLAGE_TRACTS])

    assert summaries(results) == [
        "mimu_sample_towns.csv: 0 created, 0 updated, 33 unchanged, 0 rejected",
        "mimu_sample_village_tracts.csv: 0 created, 0 updated, 147 unchanged, 0 rejected",
    ]
    assert list(Place.objects.values()) == before


def test_a_changed_name_updates_exactly_one_row(tmp_path):
    import_files([TOWNS])
    before = {p.pcode: p for p in Place.objects.all()}
    renamed = write(
        tmp_path,
        "towns_renamed.csv",
        TOWNS.read_text(encoding="utf-8").replace(",Loikaw Town,", ",Loikaw Myoma,").rstrip("\n"),
    )

    results = import_files([renamed])

    assert summaries(results) == [
        "towns_renamed.csv: 0 created, 1 updated, 32 unchanged, 0 rejected"
    ]
    after = {p.pcode: p for p in Place.objects.all()}
    assert after["MMR002001701"].name_en == "Loikaw Myoma"
    changed = [
        pcode
        for pcode in before
        if (before[pcode].name_en, before[pcode].path) != (after[pcode].name_en, after[pcode].path)
    ]
    assert changed == ["MMR002001701"]


def test_files_given_together_behave_as_if_imported_in_turn(tmp_path):
    renamed = write(tmp_path, "renamed.csv", TOWN_HEADER, town(name="Loikaw Myoma"))

    results = import_files([TOWNS, renamed])

    assert summaries(results) == [
        "mimu_sample_towns.csv: 33 created, 0 updated, 0 unchanged, 0 rejected",
        "renamed.csv: 0 created, 1 updated, 4 unchanged, 0 rejected",
    ]
    assert Place.objects.get(pcode="MMR002001701").name_en == "Loikaw Myoma"


def test_a_new_parent_moves_the_paths_of_everything_beneath(tmp_path):
    import_files([TOWNS, VILLAGE_TRACTS])
    # Ancestors given by P-code only: they must exist, and are left as they are.
    moved = write(
        tmp_path,
        "moved.csv",
        "ADM0_PCODE,ADM1_PCODE,ADM2_PCODE,ADM3_PCODE,ADM3_EN",
        "MMR,MMR002,MMR002D002,MMR002001,Loikaw",
    )

    results = import_files([moved])

    assert summaries(results) == ["moved.csv: 0 created, 1 updated, 3 unchanged, 0 rejected"]
    township = Place.objects.get(pcode="MMR002001")
    assert (township.parent.pcode, township.path, township.kind, township.gazetteer) == (
        "MMR002D002",
        "/MMR/MMR002/MMR002D002/MMR002001/",
        "",
        "OCHA COD-AB",
    )
    assert Place.objects.get(pcode="MMR002001701").path == (
        "/MMR/MMR002/MMR002D002/MMR002001/MMR002001701/"
    )
    assert Place.objects.filter(path__startswith="/MMR/MMR002/MMR002D002/MMR002001/").count() == 17
    assert not Place.objects.filter(path__startswith="/MMR/MMR002/MMR002D001/MMR002001/").exists()
    assert Place.objects.get(pcode="MMR002D002").name_en == "Bawlake"


def test_an_existing_household_size_is_kept():
    import_files([TOWNS])
    Place.objects.filter(pcode="MMR").update(default_household_size=Decimal("5.1"))

    import_files([TOWNS])

    assert Place.objects.get(pcode="MMR").default_household_size == Decimal("5.1")


def test_cod_ab_file_with_local_names_and_points(tmp_path):
    cod = write(
        tmp_path,
        "mmr_adm2.csv",
        "ADM0_PCODE,ADM0_EN,ADM1_PCODE,ADM1_EN,ADM1_MY,ADM2_PCODE,ADM2_EN,latitude,LONGITUDE",
        "MMR,Myanmar,MMR002,Kayah,ကယားပြည်နယ်,MMR002D001,Loikaw,19.6742,97.2099",
        "MMR,Myanmar,MMR002,Kayah,ကယားပြည်နယ်,MMR002D002,Bawlake,19.1726,97.3428",
        encoding="utf-8-sig",  # with a byte order mark, as Excel writes it
    )

    results = import_files([cod])

    assert summaries(results) == ["mmr_adm2.csv: 4 created, 0 updated, 0 unchanged, 0 rejected"]
    places = {
        p.pcode: (p.admin_level, p.kind, p.name_en, p.name_local, p.parent_id and p.parent.pcode)
        for p in Place.objects.all()
    }
    assert places == {
        "MMR": (0, "", "Myanmar", "", None),
        "MMR002": (1, "", "Kayah", "ကယားပြည်နယ်", "MMR"),
        "MMR002D001": (2, "", "Loikaw", "", "MMR002"),
        "MMR002D002": (2, "", "Bawlake", "", "MMR002"),
    }
    bawlake = Place.objects.get(pcode="MMR002D002")
    assert (bawlake.path, bawlake.latitude, bawlake.longitude, bawlake.gazetteer) == (
        "/MMR/MMR002/MMR002D002/",
        Decimal("19.1726"),
        Decimal("97.3428"),
        "OCHA COD-AB",
    )
    assert Place.objects.get(pcode="MMR").default_household_size == Decimal("4.4")
    assert Place.objects.get(pcode="MMR002").latitude is None
    assert summaries(import_files([cod])) == [
        "mmr_adm2.csv: 0 created, 0 updated, 4 unchanged, 0 rejected"
    ]


UNKNOWN_LAYOUT = (
    "bad.csv:1: unknown layout: not MIMU towns (missing Tsp_Pcode), not MIMU village tracts "
    "(missing Tsp_Pcode, VT_Pcode, Village_Tract_Name_Eng, Village_Tract_Name_MMR), "
    "not OCHA COD-AB (missing ADM0_PCODE)"
)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            [
                COD_HEADER,
                "TH,Thailand,TH58,Mae Hong Son,TH5801,Mueang Mae Hong Son",
                "TH,Thailand,TH63,,TH6301,Mueang Tak",
            ],
            ["bad.csv:3: unknown parent ADM1_PCODE=TH63"],
            id="unknown-parent",
        ),
        pytest.param(
            [COD_HEADER, "TH,Thailand,TH58,Mae Hong Son,TG5801,Mueang Mae Hong Son"],
            ["bad.csv:2: ADM2_PCODE 'TG5801' does not start with ADM1_PCODE 'TH58'"],
            id="cod-not-under-parent",
        ),
        pytest.param(
            [TOWN_HEADER, town(), town(code="MMR003001701"), town(tsp="MMR003001")],
            [
                "bad.csv:3: Town_Pcode 'MMR003001701' does not start with Tsp_Pcode 'MMR002001'",
                "bad.csv:4: Tsp_Pcode 'MMR003001' does not start with SR_Pcode 'MMR002'; "
                "Town_Pcode 'MMR002001701' does not start with Tsp_Pcode 'MMR003001'",
            ],
            id="mimu-not-under-parent",
        ),
        pytest.param(
            [
                TOWN_HEADER,
                town(),
                town(code="MMR002001702", name="Loilen Lay Town", tsp_name="Loikaw North"),
                town(name="Loikaw"),
                town(code="MMR002001703", district="MMR002D002", district_name="Bawlake"),
                town(),
            ],
            [
                "bad.csv:3: Tsp_Pcode MMR002001 conflicts with line 2: "
                "name 'Loikaw' there, 'Loikaw North' here",
                "bad.csv:4: Town_Pcode MMR002001701 conflicts with line 2: "
                "name 'Loikaw Town' there, 'Loikaw' here",
                "bad.csv:5: Tsp_Pcode MMR002001 conflicts with line 2: "
                "parent 'MMR002D001' there, 'MMR002D002' here",
            ],
            id="conflicting-duplicates",
        ),
        pytest.param(
            [TOWN_HEADER, town(), town(lat="19.6x"), town(lon="197.2"), town(lat="")],
            [
                "bad.csv:3: Latitude '19.6x' is not a number",
                "bad.csv:4: Longitude 197.2 is out of range (-180 to 180)",
                "bad.csv:5: Latitude is blank but Longitude is not",
            ],
            id="bad-coordinates",
        ),
        pytest.param(
            [TOWN_HEADER, town(), town(code=""), town(code="MMR002001702", name=" ")],
            ["bad.csv:3: Town_Pcode is blank", "bad.csv:4: Town_Name_Eng is blank"],
            id="blank-pcode-and-name",
        ),
        pytest.param(
            [TOWN_HEADER, town(), town(code="MMR002001702", name="Loilen Lay Town") + ",extra"],
            ["bad.csv:3: row has 22 fields, the header has 21"],
            id="wrong-number-of-fields",
        ),
        pytest.param(
            [TOWN_HEADER.replace("Tsp_Pcode", "Township_Pcode"), town()],
            [UNKNOWN_LAYOUT],
            id="unknown-header",
        ),
        pytest.param([], ["bad.csv:1: the file is empty (no header row)"], id="empty-file"),
        pytest.param(
            ["ADM0_PCODE,ADM0_EN,ADM2_PCODE,ADM2_EN", "TH,Thailand,TH5801,Mueang Mae Hong Son"],
            ["bad.csv:1: COD-AB header is missing ADM1_PCODE"],
            id="cod-level-gap",
        ),
    ],
)
def test_a_bad_row_rejects_the_whole_import(tmp_path, lines, expected):
    bad = write(tmp_path, "bad.csv", *lines)

    with pytest.raises(GazetteerImportError) as error:
        import_files([bad])

    assert rejected(error) == expected
    assert Place.objects.count() == 0


def test_a_pcode_at_another_level_than_in_the_database_is_rejected(tmp_path):
    import_files([TOWNS])
    bad = write(
        tmp_path,
        "bad.csv",
        "ADM0_PCODE,ADM0_EN,ADM1_PCODE,ADM1_EN,ADM2_PCODE,ADM2_EN",
        "MMR,Myanmar,MMR002,Kayah,MMR002D009,New District",
        "MMR,Myanmar,MMR002,Kayah,MMR002001,Loikaw",
    )

    with pytest.raises(GazetteerImportError) as error:
        import_files([bad])

    assert rejected(error) == [
        "bad.csv:3: ADM2_PCODE MMR002001 is admin level 3 in the database, not 2"
    ]
    assert Place.objects.count() == 33
    assert not Place.objects.filter(pcode="MMR002D009").exists()


def test_one_bad_file_stops_the_good_ones(tmp_path):
    bad = write(tmp_path, "bad.csv", TOWN_HEADER, town(lat="north"))

    with pytest.raises(GazetteerImportError) as error:
        import_files([TOWNS, VILLAGE_TRACTS, bad])

    assert rejected(error) == ["bad.csv:2: Latitude 'north' is not a number"]
    assert Place.objects.count() == 0


def test_skip_invalid_imports_the_good_rows(tmp_path):
    mixed = write(
        tmp_path,
        "mixed.csv",
        TOWN_HEADER,
        town(),
        town(code="MMR002001702", name="", lat="91"),
        town(code="MMR002001703", name="Law Pi Ta Town", lat="19.54909", lon="97.32929"),
    )

    [result] = import_files([mixed], skip_invalid=True)

    assert result.summary() == "mixed.csv: 6 created, 0 updated, 0 unchanged, 1 rejected"
    assert result.rejected == [
        (3, "Town_Name_Eng is blank; Latitude 91 is out of range (-90 to 90)")
    ]
    assert sorted(Place.objects.filter(admin_level=4).values_list("pcode", flat=True)) == [
        "MMR002001701",
        "MMR002001703",
    ]


def test_a_rejected_row_cannot_be_the_only_source_of_a_parent(tmp_path):
    cod = write(
        tmp_path,
        "cod.csv",
        "ADM0_PCODE,ADM0_EN,ADM1_PCODE,ADM1_EN,ADM2_PCODE,ADM2_EN,LAT,LON",
        "TH,Thailand,TH58,Mae Hong Son,TH5801,Mueang Mae Hong Son,95,98",
        "TH,,TH58,,TH5802,Khun Yuam,,",
    )

    [result] = import_files([cod], skip_invalid=True)

    assert result.rejected == [
        (2, "LAT 95 is out of range (-90 to 90)"),
        (3, "unknown parent ADM0_PCODE=TH; unknown parent ADM1_PCODE=TH58"),
    ]
    assert Place.objects.count() == 0


def test_a_pcode_without_a_name_cannot_move_a_place(tmp_path):
    import_files(
        [
            write(
                tmp_path,
                "first.csv",
                COD_HEADER,
                "X,Xland,X1,One,X123,One-two-three",
                "X,Xland,X12,Twelve,X129,Twelve-nine",
            )
        ]
    )
    second = write(
        tmp_path,
        "second.csv",
        "ADM0_PCODE,ADM1_PCODE,ADM2_PCODE,ADM3_PCODE,ADM3_EN",
        "X,X12,X123,X1234,Four",
    )

    with pytest.raises(GazetteerImportError) as error:
        import_files([second])

    assert rejected(error) == [
        "second.csv:2: ADM2_PCODE X123 is under X1 in the database, not under X12"
    ]
    assert Place.objects.get(pcode="X123").parent.pcode == "X1"


def test_dry_run_counts_but_writes_nothing():
    results = import_files([TOWNS], dry_run=True)

    assert summaries(results) == [
        "mimu_sample_towns.csv: 33 created, 0 updated, 0 unchanged, 0 rejected"
    ]
    assert Place.objects.count() == 0


def test_real_mimu_quirks(tmp_path):
    # Copied from MIMU 9.6: capital cities are coded <state/region>000777, not under their
    # township's code; and the last rows of the village-tract file are shifted one column.
    towns = write(
        tmp_path,
        "towns.csv",
        TOWN_HEADER,
        "MMR013,Yangon,MMR013D004,Yangon (West),MMR013033,Kyauktada,MMR013000777,Yangon City,"
        "ရန်ကုန်,96.16093,16.77819,GAD,,,,,Active,N/A,Active,,Capital Town",
    )
    village_tracts = write(
        tmp_path,
        "village_tracts.csv",
        VILLAGE_TRACTS.read_text(encoding="utf-8").splitlines()[0],
        "MMR013,Yangon,MMR013D003,Yangon (South),MMR013027,Twantay,Yae Twin Kone,"
        "yangontwantayyaetwinkone,MMR013027008,ရေတွင်းကုန်း,GAD,,,,,Active,N/A,Active,,",
    )

    results = import_files([towns, village_tracts], skip_invalid=True)

    assert summaries(results) == [
        "towns.csv: 5 created, 0 updated, 0 unchanged, 0 rejected",
        "village_tracts.csv: 0 created, 0 updated, 0 unchanged, 1 rejected",
    ]
    assert results[1].rejected == [
        (2, "VT_Pcode 'Yae Twin Kone' is not a P-code (letters, digits, '-' and '_' only)")
    ]
    assert Place.objects.get(pcode="MMR013000777").parent.name_en == "Kyauktada"
    assert Place.objects.get(pcode="MMR013").kind == "Region"


def test_command_prints_a_summary_per_file():
    out = StringIO()

    call_command("import_gazetteer", str(TOWNS), str(VILLAGE_TRACTS), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[:2] == [
        "mimu_sample_towns.csv: 33 created, 0 updated, 0 unchanged, 0 rejected",
        "mimu_sample_village_tracts.csv: 130 created, 0 updated, 17 unchanged, 0 rejected",
    ]
    assert lines[2].startswith("Done in ")
    assert Place.objects.count() == 163


def test_command_refuses_a_file_with_a_bad_row(tmp_path):
    bad = write(tmp_path, "bad.csv", TOWN_HEADER, town(), town(code="MMR002001702", name=""))

    with pytest.raises(CommandError) as error:
        call_command("import_gazetteer", str(TOWNS), str(bad), stdout=StringIO())

    assert str(error.value) == (
        "1 row rejected; nothing was imported.\n"
        "bad.csv:3: Town_Name_Eng is blank\n"
        "Fix the rows, or use --skip-invalid to import the others."
    )
    assert Place.objects.count() == 0


def test_command_skip_invalid_and_dry_run(tmp_path):
    bad = write(tmp_path, "bad.csv", TOWN_HEADER, town(), town(code="MMR002001702", name=""))
    out, err = StringIO(), StringIO()

    call_command(
        "import_gazetteer", str(bad), "--skip-invalid", "--dry-run", stdout=out, stderr=err
    )

    assert out.getvalue().splitlines()[0] == (
        "bad.csv: 5 created, 0 updated, 0 unchanged, 1 rejected"
    )
    assert out.getvalue().splitlines()[1].startswith("Dry run: nothing was written (")
    assert err.getvalue() == "bad.csv:3: Town_Name_Eng is blank\n"
    assert Place.objects.count() == 0

    call_command("import_gazetteer", str(bad), "--skip-invalid", stdout=out, stderr=err)

    assert Place.objects.count() == 5


def test_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("import_gazetteer", str(tmp_path / "nowhere.csv"))

    assert str(error.value) == f"{tmp_path / 'nowhere.csv'}: No such file or directory"
