"""The 16 MIMU boundary files of ../shared/data/boundaries (beside the MIMU P-code files that
TRACKER_MIMU_DIR names; `.ci/run` sets it) against the full gazetteer: the mismatches their
README lists are reported, never guessed, and every state and region gets a shape."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from gazetteer.models import Place

MIMU_DIR = Path(os.environ.get("TRACKER_MIMU_DIR", "/nonexistent"))
VILLAGE_TRACTS = MIMU_DIR / "mimu_pcode_9.6_village_tracts.csv"
TOWNS = MIMU_DIR / "mimu_pcode_9.6_towns.csv"
BOUNDARIES = sorted(str(p) for p in (MIMU_DIR.parent / "boundaries").glob("*.json"))

pytestmark = pytest.mark.skipif(
    not VILLAGE_TRACTS.exists() or len(BOUNDARIES) != 16,
    reason="set TRACKER_MIMU_DIR to the MIMU P-code files (boundaries/ beside them)",
)

# Three polygons of the release cross themselves (quantisation); they are refused by name and
# their places fall back: Tanintharyi to the union of its districts.
REFUSED = [
    "myanmar.json: MMR006 Tanintharyi: broken geometry: Self-intersection[98.014519305754 "
    "11.8016187025111]: refused, skipped",
    "rakhine.json: MMR012D002 Maungdaw: broken geometry: Self-intersection[92.3790399412566 "
    "20.8920220633171]: refused, skipped",
    "yangon.json: MMR013D003 Yangon (South): broken geometry: Ring Self-intersection"
    "[96.1201937791857 16.7565787538236]: refused, skipped",
]


def boundaries(*args):
    out, err = StringIO(), StringIO()
    call_command("import_boundaries", *BOUNDARIES, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_all_sixteen_files_against_the_full_gazetteer(db):
    call_command("import_gazetteer", str(VILLAGE_TRACTS), "--skip-invalid", stdout=StringIO())
    out, err = boundaries("--skip-invalid")
    unmatched = [line for line in out.splitlines() if "not in the gazetteer, skipped" in line]
    assert unmatched == [
        "myanmar.json: MMR111 Bago: not in the gazetteer, skipped",
        "myanmar.json: MMR222 Shan: not in the gazetteer, skipped",
        "yangon.json: MMR013D004 Yangon (West): not in the gazetteer, skipped",
    ]
    assert err.splitlines() == REFUSED
    assert "Derived from children: 7 created, 0 updated, 0 unchanged" in out

    states = Place.objects.filter(admin_level=1)
    assert states.count() == 18
    assert states.filter(boundary__isnull=True).count() == 0
    derived = states.filter(boundary__derived=True).values_list("pcode", flat=True)
    assert sorted(derived) == ["MMR006", "MMR007", "MMR008", "MMR014", "MMR015", "MMR016"]
    assert Place.objects.get(pcode="MMR").boundary.derived
    districts = Place.objects.filter(admin_level=2)
    assert districts.count() == 83
    assert sorted(districts.filter(boundary__isnull=True).values_list("pcode", flat=True)) == [
        "MMR012D002",  # refused above
        "MMR013D003",  # refused above
        "MMR015D221",
        "MMR015D331",
        "MMR015D332",
        "MMR016D333",
    ]

    again, _ = boundaries("--skip-invalid")
    assert "Boundaries: nothing changed" in again

    # The towns file of the same release has Yangon (West): it then gets its outline.
    call_command("import_gazetteer", str(TOWNS), "--skip-invalid", stdout=StringIO())
    out, _ = boundaries("--skip-invalid")
    assert (
        "yangon.json: 1 created, 0 updated, 2 unchanged, 0 not in the gazetteer, 1 refused" in out
    )
