"""The alleged perpetrator through the API: written with a submission (a party's slug,
"unknown", the sources attributing it), refused with a 400 naming the field, read in a report's
public shape and its CSV/HXL rows, filtered on in the report list and the aggregates, the
parties listed, and mapped from a KoboToolbox form."""

import copy
from datetime import date

import pytest
from rest_framework.test import APIClient

from reports import services
from reports.models import KoboSubmission, Report
from tests.api.test_kobo import MAPPING, SUBMISSION

URL = "/api/v1/submissions/"


def body(**overrides):
    data = {
        "title": "Shelling of Loikaw ward 3",
        "place": "MMR002001701",
        "start_date": "2023-11-13",
        "cause": "artillery",
        "figures": [{"metric": "killed", "value": 3}],
    }
    return data | overrides


def details(response):
    return [(e["attr"], e["detail"]) for e in response.json()["errors"]]


@pytest.mark.usefixtures("api_with_the_key")
def test_a_submission_names_the_perpetrator_and_its_sources(api, news_source, parties):
    response = api.post(
        URL,
        body(
            sources=[news_source.public_id],
            perpetrator="sac",
            perpetrator_sources=[news_source.public_id],
            new_sources=[
                {
                    "source_type": "party_to_conflict",
                    "name": "KNDF information office",
                    "party": "kndf",
                    "attributes_perpetrator": True,
                }
            ],
        ),
        format="json",
    )
    assert response.status_code == 201
    saved = Report.objects.get()
    assert saved.perpetrator == parties["sac"]
    assert sorted(s.name for s in saved.perpetrator_sources.all()) == [
        "KNDF information office",
        "The Irrawaddy",
    ]
    assert saved.sources.get(name="KNDF information office").party == parties["kndf"]


@pytest.mark.usefixtures("api_with_the_key")
def test_unknown_and_left_out_are_told_apart(api, parties):
    assert api.post(URL, body(perpetrator="unknown"), format="json").status_code == 201
    assert api.post(URL, body(title="Another"), format="json").status_code == 201
    first, second = Report.objects.order_by("pk")
    assert (first.perpetrator_code, second.perpetrator_code) == ("unknown", "")


@pytest.mark.usefixtures("api_with_the_key")
def test_an_unknown_party_or_a_source_not_cited_is_400_naming_the_field(api, news_source, parties):
    response = api.post(URL, body(perpetrator="tatmadaw"), format="json")
    assert response.status_code == 400
    assert details(response) == [
        (
            "perpetrator",
            "Unknown party 'tatmadaw': choose a party from the list moderators keep, "
            "'unknown', or leave it empty (not stated).",
        )
    ]
    response = api.post(
        URL, body(perpetrator="sac", perpetrator_sources=[news_source.public_id]), format="json"
    )
    assert response.status_code == 400
    assert details(response) == [
        (
            "perpetrator_sources",
            f"Source #{news_source.public_id} is not among the report's sources: only a source the "
            "report cites can attribute the harm.",
        )
    ]
    response = api.post(
        URL,
        body(new_sources=[{"source_type": "news_media", "name": "Myanmar Now", "party": "kndf"}]),
        format="json",
    )
    assert details(response) == [
        ("new_sources.1.party", "Source 1: Only a source of type “party to the conflict” is "
         "issued by a party.")
    ]  # fmt: skip
    assert Report.objects.count() == 0


@pytest.fixture
def approved(file_report, field_partner, moderator, news_source, parties):
    made = {}
    for key, perpetrator, killed in (("sac", "sac", 3), ("unknown", "unknown", 2), ("none", "", 4)):
        report = file_report(
            field_partner,
            title=f"Killed ({key})",
            figures=[{"metric": "killed", "value": killed}],
            perpetrator=perpetrator,
            perpetrator_sources=[news_source] if perpetrator else [],
        )
        services.report_submit(report=report, actor=field_partner)
        services.report_approve(report=report, actor=moderator)
        made[key] = report
    return made


def test_a_report_reads_with_its_alleged_perpetrator(api, approved, news_source):
    data = api.get(f"/api/v1/reports/{approved['sac'].pk}/").json()
    assert data["alleged_perpetrator"] == {
        "code": "sac",
        "party": {
            "slug": "sac",
            "name": "Myanmar military",
            "name_my": "",
            "short_name": "SAC",
            "kind": "state_forces",
        },
        "sources": [
            {
                "id": news_source.public_id,
                "source_type": "news_media",
                "label": "The Irrawaddy, 13 Nov 2023: Karenni Armed Group Seizes Seven Myanmar "
                "Junta Bases Since Saturday",
                "is_confidential": False,
                "conflict_of_interest": False,
                "name": "The Irrawaddy",
                "title": "Karenni Armed Group Seizes Seven Myanmar Junta Bases Since Saturday",
                "url": "https://www.irrawaddy.com/",
                "published_on": "2023-11-13",
                "language": "en",
                "claim": "",
            }
        ],
    }
    none = api.get(f"/api/v1/reports/{approved['none'].pk}/").json()
    assert none["alleged_perpetrator"] == {"code": None, "party": None, "sources": []}


def test_the_csv_and_hxl_rows_carry_it(api, approved):
    hxl = api.get("/api/v1/reports/?format=hxl&perpetrator=sac").content.decode().splitlines()
    header, tags, row = hxl[0].split(","), hxl[1].split(","), hxl[2].split(",")
    at = header.index("perpetrator")
    assert header[at : at + 3] == ["perpetrator", "perpetrator_name", "perpetrator_sources"]
    assert tags[at : at + 3] == [
        "#group+code+perpetrator",
        "#group+name+perpetrator",
        "#meta+source+perpetrator",
    ]
    assert row[at : at + 2] == ["sac", "Myanmar military"]
    assert len(hxl) == 3  # the filter kept one report, one figure


def test_the_report_list_and_the_aggregates_filter_by_perpetrator(api, approved):
    def ids(query):
        return [r["id"] for r in api.get(f"/api/v1/reports/?{query}").json()["results"]]

    assert ids("perpetrator=sac") == [approved["sac"].pk]
    assert ids("perpetrator=unknown") == [approved["unknown"].pk]
    assert ids("perpetrator=none") == [approved["none"].pk]
    refused = api.get("/api/v1/reports/?perpetrator=nobody")
    assert refused.status_code == 400
    assert [e["attr"] for e in refused.json()["errors"]] == ["perpetrator"]

    def killed(query):
        data = api.get(f"/api/v1/aggregates/?metric=killed&{query}").json()
        return data["totals"]["killed"]["best"]

    assert (killed(""), killed("perpetrator=sac"), killed("perpetrator=unknown")) == (9, 3, 2)
    assert killed("perpetrator=none") == 4
    refused = api.get("/api/v1/aggregates/?perpetrator=nobody")
    assert refused.status_code == 400
    assert [e["attr"] for e in refused.json()["errors"]] == ["perpetrator"]


def test_the_parties_are_listed(api, parties):
    assert api.get("/api/v1/parties/").json() == [
        {
            "slug": "kndf",
            "name": "Karenni Nationalities Defence Force",
            "name_my": "",
            "short_name": "KNDF",
            "kind": "resistance",
        },
        {
            "slug": "sac",
            "name": "Myanmar military",
            "name_my": "",
            "short_name": "SAC",
            "kind": "state_forces",
        },
    ]


@pytest.fixture
def kobo(client_and_key, admin_user, parties):
    mapping = MAPPING | {"perpetrator": "group_event/perpetrator"}
    _, token = services.kobo_form_create(
        actor=admin_user, name="Incident form", client=client_and_key[0], mapping=mapping
    )

    def post(chosen, uuid):
        payload = copy.deepcopy(SUBMISSION) | {"group_event/perpetrator": chosen, "_uuid": uuid}
        return APIClient().post(f"/api/v1/ingest/kobo/{token}/", payload, format="json")

    return post


def test_a_kobo_form_maps_the_perpetrator(kobo, parties):
    assert kobo("sac", "a1").status_code == 201
    assert kobo("unknown", "a2").status_code == 201
    assert kobo("", "a3").status_code == 201
    assert [r.perpetrator_code for r in Report.objects.order_by("pk")] == ["sac", "unknown", ""]
    assert kobo("tatmadaw", "a4").status_code == 202
    kept = KoboSubmission.objects.get(uuid="a4")
    assert kept.report is None
    assert kept.reason == (
        "Unknown party 'tatmadaw' in 'group_event/perpetrator': use a party's slug or 'unknown'."
    )
    assert Report.objects.count() == 3
    assert date(2023, 11, 11) == Report.objects.first().start_date
