"""Intake's tests run on the gazetteer `make demo` loads (the MIMU sample for Kayah, the
Karenni alias, the states' and districts' outlines that carry Burmese names) and the parties a
moderator keeps."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from gazetteer.importer import import_files
from gazetteer.importer.boundaries import import_boundaries
from intake import places
from reports import demo

DATA = Path(settings.BASE_DIR) / "gazetteer" / "data"


@pytest.fixture(autouse=True)
def _evidence_in_a_temporary_directory(evidence_root) -> Path:
    """The screen keeps the text as received: never into the repository."""
    return evidence_root


@pytest.fixture(autouse=True)
def no_places_remembered():
    places.clear_caches()
    yield
    places.clear_caches()


@pytest.fixture
def gazetteer(db):
    import_files(demo.SAMPLE_GAZETTEER)
    call_command("import_place_aliases", str(DATA / "place_aliases.csv"), verbosity=0)
    import_boundaries(
        [
            DATA / "boundaries" / "sample_states.geojson",
            DATA / "boundaries" / "sample_districts.geojson",
        ]
    )
