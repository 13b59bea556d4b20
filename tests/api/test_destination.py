"""A figure's destination through the API and KoboToolbox: a P-code, named in the error when
it is unknown or not allowed, nothing stored then; read back in the public shape."""

import copy

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from gazetteer.models import Place
from reports import services
from reports.models import KoboSubmission, Report
from tests.api.test_kobo import MAPPING, SUBMISSION
from tests.api.test_write import URL, details, report

pytestmark = pytest.mark.usefixtures("api_with_the_key")


def displaced(**extra):
    return {"metric": "newly_displaced", "qualifier": "approximately", "value": 35000} | extra


def test_a_destination_is_written_by_its_pcode(api):
    response = api.post(URL, report(figures=[displaced(destination="MMR002002")]), format="json")
    assert response.status_code == 201
    figure = Report.objects.get().figures.get()
    assert (figure.destination.pcode, figure.destination.name_en) == ("MMR002002", "Demoso")


@pytest.mark.parametrize(
    "figures, attr, detail",
    [
        (
            [displaced(), displaced(destination="MMR999")],
            "figures.2.destination",
            "Figure 2: Unknown destination place 'MMR999'.",
        ),
        (
            [{"metric": "killed", "value": 3, "destination": "MMR002002"}],
            "figures.1.destination",
            "Figure 1: Only figures of people currently displaced or people newly displaced can "
            "say where people went; civilians killed cannot have a destination.",
        ),
    ],
)
def test_a_bad_destination_is_a_400_naming_the_field(api, figures, attr, detail):
    response = api.post(URL, report(figures=figures), format="json")
    assert response.status_code == 400
    assert details(response) == [(attr, detail)]
    assert Report.objects.count() == 0


def test_the_public_shape_says_where_people_went(
    api, field_partner, moderator, file_report, places
):
    filed = file_report(
        field_partner,
        figures=[displaced(destination=places["demoso"]), {"metric": "killed", "value": 3}],
    )
    services.report_submit(report=filed, actor=field_partner)
    # Approved from a Burmese page: the record keeps the English name, whatever the language.
    Place.objects.filter(pk=places["demoso"].pk).update(name_local="ဒီးမော့ဆို")
    with translation.override("my"):
        services.report_approve(report=filed, actor=moderator)
    figures = api.get(f"/api/v1/reports/{filed.pk}/").json()["figures"]
    assert [(f["metric"], f["destination"]) for f in figures] == [
        ("killed", None),
        (
            "newly_displaced",
            {"pcode": "MMR002002", "name": "Demoso Township", "admin_level": 3},
        ),
    ]


# --- KoboToolbox ----------------------------------------------------------------------------

WITH_DESTINATION = copy.deepcopy(MAPPING)
WITH_DESTINATION["figures"]["newly_displaced"]["destination"] = "group_figures/went_to"


@pytest.fixture
def kobo(client_and_key, admin_user):
    form, token = services.kobo_form_create(
        actor=admin_user, name="Arrivals form", client=client_and_key[0], mapping=WITH_DESTINATION
    )

    def send(**changes):
        payload = copy.deepcopy(SUBMISSION) | changes
        return APIClient().post(f"/api/v1/ingest/kobo/{token}/", payload, format="json")

    return send


def test_a_kobo_field_gives_the_destination(kobo):
    assert kobo(**{"group_figures/went_to": "MMR002002"}).status_code == 201
    figure = Report.objects.get().figures.get(metric="newly_displaced")
    assert figure.destination.pcode == "MMR002002"


def test_an_unknown_kobo_destination_is_kept_unmapped_with_the_field_named(kobo):
    response = kobo(**{"group_figures/went_to": "MMR999"})
    assert response.status_code == 202
    assert response.json()["reason"] == (
        "group_figures/went_to: Figure 1: Unknown destination place 'MMR999'."
    )
    assert KoboSubmission.objects.get().status == "unmapped"
    assert Report.objects.count() == 0


def test_a_kobo_mapping_refuses_a_destination_on_other_metrics():
    from django.core.exceptions import ValidationError

    from reports.kobo import clean_mapping

    mapping = copy.deepcopy(MAPPING)
    mapping["figures"]["killed"] = {"path": "group_figures/civilians_killed", "destination": "x"}
    with pytest.raises(ValidationError) as refused:
        clean_mapping(mapping)
    assert refused.value.messages == [
        "Only the figures for currently_displaced, newly_displaced can have a destination, "
        "not 'killed'."
    ]


def test_the_aggregates_answer_by_destination(api, field_partner, moderator, file_report, places):
    for destination, value in ((places["demoso"], 35000), (None, 500)):
        filed = file_report(
            field_partner, figures=[displaced(value=value, destination=destination)]
        )
        services.report_submit(report=filed, actor=field_partner)
        services.report_approve(report=filed, actor=moderator)
    data = api.get(
        "/api/v1/aggregates/?area=MMR002&start=2023-11-01&end=2023-11-30&level=3"
        "&metric=newly_displaced&by=destination"
    ).json()
    assert [
        (r["pcode"], r["name"], r["where"], r["totals"]["newly_displaced"]["best"])
        for r in data["by_area"]
    ] == [
        ("MMR002002", "Demoso Township", "", 35000),
        (None, "Destination unknown", "unknown", 500),
    ]
    arrivals = api.get(
        "/api/v1/aggregates/?destination=MMR002002&start=2023-11-01&end=2023-11-30"
        "&metric=newly_displaced"
    ).json()
    assert arrivals["totals"]["newly_displaced"]["best"] == 35000
    bad = api.get("/api/v1/aggregates/?destination=MMR999")
    assert bad.status_code == 400
    assert [e["attr"] for e in bad.json()["errors"]] == ["destination"]
