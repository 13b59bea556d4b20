"""The place search takes names as the tracker shows them, with or without the unit word, in
English or Burmese, in other romanisations, with small typos, and P-codes; every choice says
its kind and path. Run on the shipped MIMU sample with its state and district outlines (which
give the Burmese names of Kayah and its districts)."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from gazetteer.importer import import_files
from gazetteer.importer.boundaries import import_boundaries
from gazetteer.models import Place, PlaceAlias
from gazetteer.selectors import resolve_place, search_places
from reports import demo

BOUNDARIES = Path(settings.BASE_DIR) / "gazetteer" / "data" / "boundaries"


@pytest.fixture
def gazetteer(db):
    import_files(demo.SAMPLE_GAZETTEER)
    import_boundaries(
        [BOUNDARIES / "sample_states.geojson", BOUNDARIES / "sample_districts.geojson"]
    )


# typed -> the one place it names (resolve_place settles on it, and it comes first)
NAMES_ONE_PLACE = [
    # names as pages show them, with the unit word
    ("Loikaw Township", "MMR002001"),
    ("loikaw township", "MMR002001"),
    ("Loikaw District", "MMR002D001"),
    ("Loikaw Town", "MMR002001701"),
    ("Demoso Town", "MMR002002701"),
    ("Demoso Township", "MMR002002"),
    ("Demoso Village Tract", "MMR002002011"),
    ("Demoso VT", "MMR002002011"),
    ("Kayah State", "MMR002"),
    ("Kayah", "MMR002"),
    ("Bu Khu Village Tract", "MMR002005001"),
    ("Bu Khu", "MMR002005001"),
    ("Pa-O Self-Administered Zone", "MMR014S002"),
    # romanisation variants with the unit word
    ("Loi Kaw Township", "MMR002001"),
    ("Dee Maw Soe Town", "MMR002002701"),
    ("Phruso Township", "MMR002003"),
    ("Hpasawng Town", "MMR002006701"),
    ("Pasaung Township", "MMR002006"),
    ("Ywa Thit", "MMR002005702"),
    # Burmese, with the unit word (townships take it from the town they are named after)
    ("လွိုင်ကော်မြို့", "MMR002001701"),
    ("လွိုင်ကော် မြို့", "MMR002001701"),
    ("လွိုင်ကော်မြို့နယ်", "MMR002001"),
    ("လွိုင်ကော်ခရိုင်", "MMR002D001"),
    ("ကယားပြည်နယ်", "MMR002"),
    ("ကယား", "MMR002"),
    ("ဒီးမော့ဆိုမြို့", "MMR002002701"),
    ("ဒီးမော့ဆိုမြို့နယ်", "MMR002002"),
    ("ဒီးမော့ဆိုကျေးရွာအုပ်စု", "MMR002002011"),
    ("ဘူးခူ", "MMR002005001"),
    # P-codes and labels
    ("MMR002001", "MMR002001"),
    ("mmr002001", "MMR002001"),
    ("Anything at all (MMR002002701)", "MMR002002701"),
    ("Demoso Town, Demoso Township, Loikaw District, Kayah State (MMR002002701)", "MMR002002701"),
    # the paths pages print, typed back without the P-code
    ("Loikaw Town, Loikaw, Loikaw District, Kayah", "MMR002001701"),
    ("Demoso Township, Loikaw District, Kayah State", "MMR002002"),
]


@pytest.mark.parametrize(("typed", "pcode"), NAMES_ONE_PLACE)
def test_a_name_of_one_place_resolves_to_it_and_comes_first(gazetteer, typed, pcode):
    place, candidates = resolve_place(typed)
    assert (place.pcode if place else None, candidates) == (pcode, [])
    assert search_places(typed)[0].place.pcode == pcode


# typed -> the places it may mean, best first (resolve_place asks "Which place?")
NAMES_SEVERAL_PLACES = [
    ("Loikaw", ["MMR002D001", "MMR002001", "MMR002001701"]),
    ("Loi Kaw", ["MMR002D001", "MMR002001", "MMR002001701"]),
    ("Demoso", ["MMR002002", "MMR002002011", "MMR002002701"]),
    ("Dee Maw Soe", ["MMR002002", "MMR002002011", "MMR002002701"]),
    ("Hpruso", ["MMR002003", "MMR002003001", "MMR002003701"]),
    ("Phruso", ["MMR002003", "MMR002003001", "MMR002003701"]),
    ("Demoso, Kayah", ["MMR002002", "MMR002002011", "MMR002002701"]),
    # the bare Burmese name: the town and the village tract of the same name
    ("ဒီးမော့ဆို", ["MMR002002", "MMR002002011", "MMR002002701"]),
    # MIMU's Burmese name of the district carries its unit word, the township's is the seat
    # town's with it; bare, it is the town's too
    ("လွိုင်ကော်", ["MMR002D001", "MMR002001", "MMR002001701"]),
]


@pytest.mark.parametrize(("typed", "pcodes"), NAMES_SEVERAL_PLACES)
def test_a_name_of_several_places_offers_them_larger_first(gazetteer, typed, pcodes):
    place, candidates = resolve_place(typed)
    assert place is None
    assert [m.place.pcode for m in candidates] == pcodes


# typed (a typo or a partial name) -> the first suggestion; never settled on without a choice
SUGGESTED = [
    ("Hpurso", "MMR002003"),
    ("Hpurso Township", "MMR002003"),
    ("Loikow", "MMR002D001"),
    ("Loikow Township", "MMR002001"),
    ("Demso Town", "MMR002002701"),
    ("Kaya State", "MMR002"),
    ("Bu Khoo Village Tract", "MMR002005001"),
    ("Mehse Township", "MMR002007"),
    ("Loi", "MMR002D001"),
    ("Demo", "MMR002002"),
    ("MMR002002", "MMR002002"),
    ("လွိုင်ကေ်ာမြို့", "MMR002001701"),
]


@pytest.mark.parametrize(("typed", "pcode"), SUGGESTED)
def test_a_typo_or_a_start_suggests_the_place_first(gazetteer, typed, pcode):
    assert search_places(typed)[0].place.pcode == pcode
    place, candidates = resolve_place(typed)
    assert (place.pcode if place else candidates[0].place.pcode) == pcode


def test_nothing_like_a_name_finds_nothing(gazetteer):
    assert search_places("Atlantis") == []
    assert resolve_place("Atlantis") == (None, [])
    assert search_places("   ") == []
    assert resolve_place("\x00") == (None, [])


def test_every_choice_says_its_kind_and_path(gazetteer):
    labels = [m.label for m in search_places("Demoso", limit=3)]
    assert labels == [
        "Demoso Township, Loikaw District, Kayah State (MMR002002)",
        "Demoso Village Tract, Demoso Township, Loikaw District, Kayah State (MMR002002011)",
        "Demoso Town, Demoso Township, Loikaw District, Kayah State (MMR002002701)",
    ]
    with translation.override("my"):
        [town] = [m.label for m in search_places("ဒီးမော့ဆိုမြို့", limit=1)]
    assert town == "ဒီးမော့ဆိုမြို့, ဒီးမော့ဆိုမြို့နယ်, လွိုင်ကော်ခရိုင်, ကယားပြည်နယ် (MMR002002701)"


def test_ranking_exact_then_within_then_typo_larger_units_first(gazetteer):
    pcodes = [m.place.pcode for m in search_places("Mo So", limit=8)]
    assert pcodes == [
        "MMR002003006",  # the village tract Mo So
        "MMR002002",  # then the names holding it: Demoso Township, village tract, town
        "MMR002002011",
        "MMR002002701",
        "MMR002003010",  # then a typo away: Do Mo Saw
    ]


def test_a_renamed_place_is_found_by_its_new_name(gazetteer):
    assert search_places("Loikaw Town")[0].place.pcode == "MMR002001701"
    town = Place.objects.get(pcode="MMR002001701")
    town.name_en = "Kantarawadi Town"
    town.save()
    assert [m.place.pcode for m in search_places("Kantarawadi")] == ["MMR002001701"]
    assert resolve_place("Loikaw Town") == (None, resolve_place("Loikaw Town")[1])


def test_place_suggestions_over_http(gazetteer, client, django_user_model):
    user = django_user_model.objects.create_user("someone", password="x-secret-pass-1")
    client.force_login(user)
    response = client.get("/partner/places/", {"q": "Loikaw Township"})
    assert response.status_code == 200
    assert response.json()["places"][0] == {
        "pcode": "MMR002001",
        "label": "Loikaw Township, Loikaw District, Kayah State (MMR002001)",
    }
    burmese = client.get("/partner/places/", {"q": "ဒီးမော့ဆိုမြို့နယ်"}).json()["places"]
    assert burmese[0]["pcode"] == "MMR002002"
    assert client.get("/partner/places/", {"q": "Atlantis"}).json() == {"places": []}


ALIASES = Path(settings.BASE_DIR) / "gazetteer" / "data" / "place_aliases.csv"


def test_shipped_aliases_name_their_place_and_load_once(gazetteer):
    assert resolve_place("Karenni State")[0] is None  # a village tract a typo away, at best
    out = StringIO()
    call_command("import_place_aliases", str(ALIASES), stdout=out)
    call_command("import_place_aliases", str(ALIASES), stdout=out)
    assert out.getvalue().splitlines() == [
        "place_aliases.csv: 2 aliases added, 0 rows skipped",
        "place_aliases.csv: 0 aliases added, 0 rows skipped",
    ]
    for typed in ("Karenni", "Karenni State", "karreni", "ကရင်နီ", "ကရင်နီပြည်နယ်"):
        place, candidates = resolve_place(typed)
        assert (place.pcode if place else candidates[0].place.pcode) == "MMR002", typed


def test_an_alias_added_or_removed_in_the_admin_is_searched_at_once(gazetteer):
    town = Place.objects.get(pcode="MMR002002701")
    alias = PlaceAlias.objects.create(place=town, name="Dimawso")
    assert resolve_place("Dimawso Town")[0] == town
    alias.delete()
    assert resolve_place("Dimawso Town")[0] is None


def test_an_alias_for_an_unknown_place_is_skipped(gazetteer, tmp_path):
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("pcode,alias\nMMR999,Nowhere\nMMR002001,Loikaw City\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_place_aliases", str(aliases), stdout=out, stderr=err)
    assert out.getvalue() == "aliases.csv: 1 aliases added, 1 rows skipped\n"
    assert err.getvalue() == "aliases.csv:2: no place 'MMR999' or no alias\n"
    assert resolve_place("Loikaw City")[0].pcode == "MMR002001"


def test_a_place_renamed_by_a_new_gazetteer_release_is_found_by_its_new_name(gazetteer, tmp_path):
    towns = tmp_path / "towns.csv"
    text = demo.SAMPLE_GAZETTEER[1].read_text(encoding="utf-8")
    towns.write_text(text.replace("Demoso Town", "Dimawso Town"), encoding="utf-8")
    import_files([towns])
    assert resolve_place("Dimawso Town")[0].pcode == "MMR002002701"
    assert [m.place.pcode for m in search_places("Dimawso")][:1] == ["MMR002002701"]
