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
def evidence_root(settings, tmp_path) -> Path:
    """Evidence files (the screen keeps the text as received) go to a temporary directory,
    never into the repository."""
    root = tmp_path / "evidence"
    settings.STORAGES = settings.STORAGES | {
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        }
    }
    return root


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
