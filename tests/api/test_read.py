"""The read side of the partner API through the DRF test client: every endpoint, filter and
format; the public shape in every format; the dashboard's numbers; queries per page."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from reports import aggregates, exports, services
from reports.api.serializers import retraction_id, spanning_data, total_data
from tests import dashboard_data
from tests.dashboard_data import engine

QUESTION = dashboard_data.QUESTION
SECRETS = [
    "Partner's contact in ward 3.",  # internal notes (every report in the scenario)
    "Contact: U Ba, phone 09-555",
    "Camp committee X",  # the confidential source's name
    "Unchecked: 999 killed",  # a submitted report
    "Loikaw monitors",  # the submitting organisation
    "partner@example.org",
    "Draft in progress",
    "Rejected rumour",
    "Retracted mistake",
    "19.701234",  # an exact point not released
    "97.301234",
]
ALL_FORMATS = ["json", "csv", "hxl", "geojson"]


@pytest.fixture
def scenario(scenario, field_partner, moderator, file_report):
    """The dashboard's scenario plus a draft, a rejected, a retracted report and a hidden point."""
    data = scenario
    data["draft"] = file_report(field_partner, title="Draft in progress")
    rejected = file_report(field_partner, title="Rejected rumour")
    services.report_submit(report=rejected, actor=field_partner)
    services.report_reject(report=rejected, actor=moderator, reason="No source")
    data["rejected"] = rejected
    retracted = dashboard_data._approved(
        file_report(field_partner, title="Retracted mistake"), field_partner, moderator
    )
    services.report_retract(report=retracted, actor=moderator, reason="Wrong town")
    data["retracted"] = retracted
    hidden_point = dashboard_data._approved(
        file_report(
            field_partner,
            title="Shelter hit",
            latitude="19.701234",
            longitude="97.301234",
            location_precision="exact",
        ),
        field_partner,
        moderator,
    )
    data["hidden_point"] = hidden_point
    return data


pytestmark = pytest.mark.usefixtures("api_as_advocate")


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def body(response) -> str:
    return response.content.decode("utf-8")


def results(response) -> list[dict]:
    assert response.status_code == 200, body(response)
    return response.json()["results"]


def ids(response) -> list[int]:
    return [r["id"] for r in results(response)]


def csv_dicts(response, *, hxl=False) -> list[dict]:
    rows = list(csv.reader(io.StringIO(body(response))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[(2 if hxl else 1) :]]


# --- reports --------------------------------------------------------------------------------


def test_reports_lists_approved_reports_only_oldest_change_first(api, scenario, moderator):
    s = scenario
    order = ["town", "township", "shelling", "state", "stock", "december", "hidden_point"]
    assert ids(api.get("/api/v1/reports/")) == [s[k].pk for k in order]
    # An edit moves a report to the end: it changed last.
    services.report_update(report=s["town"], actor=moderator, title="Residents flee Loikaw town")
    assert ids(api.get("/api/v1/reports/")) == [s[k].pk for k in order[1:] + ["town"]]


def test_a_report_in_its_public_shape(api, scenario):
    shelling = scenario["shelling"]
    data = api.get(f"/api/v1/reports/{shelling.pk}/").json()
    shelling.refresh_from_db()
    assert data == {
        "id": shelling.pk,
        "title": "Shelling <b>near</b> Demoso",
        "start_date": "2023-11-20",
        "end_date": None,
        "date_precision": "day",
        "place": {
            "pcode": "MMR002002",
            "admin_level": 3,
            "kind": "Township",
            "name": "Demoso Township",
            "name_local": "",
        },
        "latitude": None,
        "longitude": None,
        "location_precision": "place",
        "cause": "artillery",
        "cause_name": "Artillery or shelling",
        "tags": ["Operation 1111"],
        "public_summary": "Three villagers were killed & five injured.",
        "event": None,
        "figures": [
            {
                "id": shelling.figures.get(metric="injured").pk,
                "metric": "injured",
                "metric_name": "Civilians injured",
                "measure": "flow",
                "qualifier": "range",
                "value": None,
                "value_min": 4,
                "value_max": 6,
                "unit": "people",
                "household_size": None,
                "count_low": 4,
                "count_best": 5,
                "count_high": 6,
                "women": None,
                "men": None,
                "girls": None,
                "boys": None,
                "as_reported": "4-6 people",
                "destination": None,
            },
            {
                "id": shelling.figures.get(metric="killed").pk,
                "metric": "killed",
                "metric_name": "Civilians killed",
                "measure": "flow",
                "qualifier": "exact",
                "value": 3,
                "value_min": None,
                "value_max": None,
                "unit": "people",
                "household_size": None,
                "count_low": 3,
                "count_best": 3,
                "count_high": 3,
                "women": None,
                "men": None,
                "girls": None,
                "boys": None,
                "as_reported": "3 people",
                "destination": None,
            },
        ],
        "sources": [
            {
                "id": None,
                "source_type": "local_cso",
                "label": "confidential local source",
                "is_confidential": True,
                "conflict_of_interest": False,
                "name": None,
                "title": None,
                "url": None,
                "published_on": None,
                "language": None,
            }
        ],
        "approved_at": timezone.localtime(shelling.approved_at).isoformat(),
        "alleged_perpetrator": {"code": None, "party": None, "sources": []},
        "updated_at": timezone.localtime(shelling.public_record.changed_at).isoformat(),
    }


@pytest.mark.parametrize("key", ["submitted", "draft", "rejected", "retracted"])
def test_an_unapproved_report_is_not_found(api, scenario, key):
    response = api.get(f"/api/v1/reports/{scenario[key].pk}/")
    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "not_found",
                "detail": f"There is no approved report #{scenario[key].pk}.",
                "attr": None,
            }
        ],
    }


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize(
    "url", ["/api/v1/reports/", "/api/v1/sources/", "/api/v1/events/", "/api/v1/retractions/"]
)
def test_nothing_private_appears_in_any_format(api, scenario, url, fmt):
    response = api.get(url, {"format": fmt})
    if response.status_code == 406:  # not every list has every format
        return
    assert response.status_code == 200
    text = body(response)
    for secret in SECRETS:
        assert secret not in text, (secret, url, fmt)
    # Approved reports are there, without the submitter or organisation fields.
    assert "submitted_by" not in text and "organization" not in text
    assert "internal_notes" not in text


def test_each_approved_report_detail_shows_nothing_private(api, scenario):
    for report_id in ids(api.get("/api/v1/reports/")):
        for fmt in ALL_FORMATS:
            text = body(api.get(f"/api/v1/reports/{report_id}/", {"format": fmt}))
            assert not [s for s in SECRETS if s in text]


def test_an_exact_point_shows_only_once_released(api, scenario, moderator):
    report = scenario["hidden_point"]
    data = api.get(f"/api/v1/reports/{report.pk}/").json()
    assert (data["latitude"], data["longitude"], data["location_precision"]) == (
        19.67424,
        97.20993,
        "place",
    )
    services.report_update(report=report, actor=moderator, point_released=True)
    data = api.get(f"/api/v1/reports/{report.pk}/").json()
    assert (data["latitude"], data["longitude"], data["location_precision"]) == (
        19.701234,
        97.301234,
        "exact",
    )
    feature = api.get(f"/api/v1/reports/{report.pk}/?format=geojson").json()["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [97.301234, 19.701234]}


def test_a_party_to_the_conflict_is_labelled(api, scenario):
    state = api.get(f"/api/v1/reports/{scenario['state'].pk}/").json()
    assert [s["label"] for s in state["sources"]] == [
        "KNDF statement, 16 Nov 2023 (party to the conflict)"
    ]
    assert state["sources"][0]["conflict_of_interest"] is True
    assert state["sources"][0]["url"] == "https://example.org/kndf"


# --- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("start=2023-12-01", ["december"]),
        ("start=၂၀၂၃-၁၂-၀၁", ["december"]),  # (Burmese digits: the same date)
        ("end=2023-11-10", []),
        ("end=2023-11-12", ["town", "township", "state", "hidden_point"]),
        # Overlap: the town report runs 11-13 November, the township report 11-21.
        ("start=2023-11-14&end=2023-11-14", ["township", "state"]),
        ("start=2023-11-20&end=2023-11-30", ["township", "shelling"]),
        ("start=2023-11-22", ["december"]),
        ("area=MMR002002", ["shelling", "december"]),
        ("area=MMR002001", ["stock", "hidden_point", "town", "township"]),
        ("area=MMR002001701", ["hidden_point", "town"]),
        ("admin_level=1", ["state"]),
        ("admin_level=3", ["shelling", "stock", "december", "township"]),
        ("metric=killed", ["shelling", "state", "december"]),
        ("metric=injured,currently_displaced", ["shelling", "stock"]),
        ("metric=injured&metric=currently_displaced", ["shelling", "stock"]),
        ("cause=landmine", ["december"]),
        (
            "tag=operation%201111",
            ["shelling", "state", "stock", "december", "hidden_point", "town", "township"],
        ),
        ("tag=Operation%201027", []),
        ("source_type=party_to_conflict", ["state"]),
        ("source_type=local_cso", ["shelling"]),
    ],
)
def test_report_filters(api, scenario, query, keys):
    # Nothing changed after approval here, so the order (changed_at, id) is the id order.
    assert ids(api.get(f"/api/v1/reports/?{query}")) == sorted(scenario[k].pk for k in keys)


def test_event_filter(api, scenario):
    event = scenario["event"]
    assert ids(api.get(f"/api/v1/reports/?event={event.pk}")) == [
        scenario["town"].pk,
        scenario["township"].pk,
    ]


def test_updated_since_returns_what_changed_from_then(api, scenario, moderator):
    later = timezone.now()
    services.report_update(report=scenario["state"], actor=moderator, title="16 killed in Karenni")
    since = later.isoformat()
    assert ids(api.get("/api/v1/reports/", {"updated_since": since})) == [scenario["state"].pk]
    services.report_retract(report=scenario["state"], actor=moderator, reason="Duplicate")
    assert ids(api.get("/api/v1/reports/", {"updated_since": since})) == []
    assert [
        r["report_id"] for r in results(api.get("/api/v1/retractions/", {"updated_since": since}))
    ] == [scenario["state"].pk]


@pytest.mark.parametrize(
    ("query", "attr", "detail"),
    [
        ("colour=red", "colour", "Unknown parameter; this list accepts: admin_level, area"),
        ("start=13/11/2023", "start", "Enter a date as YYYY-MM-DD."),
        ("end=2023-02-30", "end", "Enter a date as YYYY-MM-DD."),
        # Django's date field read this as 12 November (American order), and Python reads a
        # compact date or an ISO week: only YYYY-MM-DD is a date here.
        ("start=11/12/2023", "start", "Enter a date as YYYY-MM-DD."),
        ("start=20231201", "start", "Enter a date as YYYY-MM-DD."),
        ("end=2023-W48", "end", "Enter a date as YYYY-MM-DD."),
        ("area=XX9", "area", "Unknown area code 'XX9'."),
        ("area=MMR%00", "area", "Null characters are not allowed."),
        ("tag=a%00b", "tag", "Null characters are not allowed."),
        (
            "admin_level=9",
            "admin_level",
            "Select a valid choice. 9 is not one of the available choices.",
        ),
        (
            "metric=refugees",
            "metric",
            "Select a valid choice. refugees is not one of the available choices.",
        ),
        (
            "cause=weather",
            "cause",
            "Select a valid choice. weather is not one of the available choices.",
        ),
        ("source_type=blog", "source_type", "Select a valid choice."),
        ("event=abc", "event", "Enter a number."),
        ("event=-1", "event", "Ensure this value is greater than or equal to 1."),
        ("updated_since=yesterday", "updated_since", "Enter a valid date/time."),
        ("updated_since=0001-01-01T00:00:00%2B05:00", "updated_since", "Enter a time between"),
        ("page_size=0", "page_size", "Enter a whole number from 1 to 1000."),
        ("page_size=abc", "page_size", "Enter a whole number from 1 to 1000."),
        ("tag=" + "x" * 101, "tag", "Ensure this value has at most 100 characters"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(api, scenario, query, attr, detail):
    response = api.get(f"/api/v1/reports/?{query}")
    assert response.status_code == 400, body(response)
    data = response.json()
    assert data["type"] == "validation_error"
    assert [e["attr"] for e in data["errors"]] == [attr]
    assert data["errors"][0]["detail"].startswith(detail)


def test_a_bad_cursor_is_404_in_the_error_shape(api, scenario):
    response = api.get("/api/v1/reports/?cursor=nonsense")
    assert response.status_code == 404
    assert response.json()["errors"][0]["detail"] == (
        "Invalid cursor: use the `next` or `previous` link of a page of this same list, unchanged."
    )


# --- paging -----------------------------------------------------------------------------------


def test_cursor_pages_in_a_stable_order_with_link_headers(api, scenario):
    seen, url, pages = [], "/api/v1/reports/?page_size=3", 0
    while url:
        response = api.get(url)
        data = response.json()
        seen += [r["id"] for r in data["results"]]
        if data["next"]:
            assert f'<{data["next"]}>; rel="next"' in response["Link"]
        url, pages = data["next"], pages + 1
    assert pages == 3
    assert seen == ids(api.get("/api/v1/reports/"))


def test_reports_page_costs_the_same_queries_for_1_or_100_reports(
    api, scenario, field_partner, moderator, file_report, django_assert_num_queries
):
    # One query: the page of public records (reports.publication keeps them built).
    with django_assert_num_queries(1):
        assert len(results(api.get("/api/v1/reports/?page_size=1"))) == 1
    for n in range(12):
        dashboard_data._approved(
            file_report(field_partner, title=f"More {n}", tags=[f"t{n}", "x"]),
            field_partner,
            moderator,
        )
    for fmt in ALL_FORMATS:
        with django_assert_num_queries(1):
            assert api.get(f"/api/v1/reports/?page_size=100&format={fmt}").status_code == 200


def test_other_lists_cost_a_fixed_number_of_queries(api, scenario, django_assert_num_queries):
    with django_assert_num_queries(2):  # events and their approved reports
        api.get("/api/v1/events/")
    with django_assert_num_queries(1):
        api.get("/api/v1/sources/")
    with django_assert_num_queries(1):
        api.get("/api/v1/places/")
    with django_assert_num_queries(1):
        api.get("/api/v1/retractions/")


# --- formats ----------------------------------------------------------------------------------


def test_reports_csv_has_the_downloads_columns_and_values(api, client, scenario):
    response = api.get("/api/v1/reports/?format=csv&metric=killed&area=MMR002")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = [r for r in csv_dicts(response) if r["metric"] == "killed"]
    download = client.get(f"/dashboard/download/reports.csv?{QUESTION}&metric=killed")
    download = [
        dict(zip(r[0], row, strict=True)) for r in [_csv(body_of(download))] for row in r[1:]
    ]
    expected = [{k: v for k, v in r.items() if k != "counted"} for r in download]
    assert sorted(rows, key=lambda r: r["report_id"]) == sorted(
        expected, key=lambda r: r["report_id"]
    )
    assert len(rows) == 3


def test_hxl_by_format_or_by_accept_header(api, scenario):
    by_format = api.get("/api/v1/reports/?format=hxl")
    by_accept = api.get("/api/v1/reports/", HTTP_ACCEPT="text/csv; hxl=true")
    for response in (by_format, by_accept):
        assert response["Content-Type"] == "text/csv; hxl=true; charset=utf-8"
    assert body(by_format) == body(by_accept)
    rows = list(csv.reader(io.StringIO(body(by_format))))
    tags = [c.hxl for c in exports.REPORT_COLUMNS if c.name != "counted"]
    assert rows[1] == tags
    plain = api.get("/api/v1/reports/", HTTP_ACCEPT="text/csv")
    assert plain["Content-Type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(body(plain))))[1] != tags


def test_geojson_by_accept_header(api, scenario):
    response = api.get("/api/v1/reports/?area=MMR002002", HTTP_ACCEPT="application/geo+json")
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    data = json.loads(body(response))
    assert data["type"] == "FeatureCollection" and data["next"] is None
    assert [f["properties"]["id"] for f in data["features"]] == [
        scenario["shelling"].pk,
        scenario["december"].pk,
    ]
    # Demoso Township has no point in the gazetteer: a null geometry, not a made-up one.
    assert [f["geometry"] for f in data["features"]] == [None, None]


def test_an_unknown_format_is_406_naming_the_formats(api, scenario):
    response = api.get("/api/v1/reports/?format=xml")
    assert response.status_code == 406
    assert response.json()["errors"][0]["detail"] == (
        "Unknown format 'xml'; this endpoint offers: json, csv, hxl, geojson."
    )
    assert api.get("/api/v1/events/?format=geojson").status_code == 406


def test_errors_are_json_whatever_format_was_asked(api, scenario):
    response = api.get("/api/v1/reports/?format=csv&start=nope")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["attr"] == "start"


# --- events, places, sources, retractions ---------------------------------------------------


def test_events_have_approved_reports_only(api, scenario, moderator):
    event = scenario["event"]
    services.event_create(actor=moderator, name="Internal: an event with no approved report")
    assert results(api.get("/api/v1/events/")) == [
        {
            "id": event.pk,
            "name": "Displacement from Loikaw",
            "report_ids": [scenario["town"].pk, scenario["township"].pk],
        }
    ]
    assert api.get(f"/api/v1/events/{event.pk}/").json()["name"] == "Displacement from Loikaw"
    assert ids(api.get("/api/v1/events/?area=MMR002002")) == []
    assert ids(api.get("/api/v1/events/?area=MMR002001701")) == [event.pk]
    rows = csv_dicts(api.get("/api/v1/events/?format=csv"))
    assert rows == [
        {
            "id": str(event.pk),
            "name": "Displacement from Loikaw",
            "report_ids": f"{scenario['town'].pk}; {scenario['township'].pk}",
        }
    ]


@pytest.mark.parametrize(
    ("query", "pcodes"),
    [
        ("q=loikaw", ["MMR002D001", "MMR002001", "MMR002001701"]),
        ("q=လွိုင်", ["MMR002001701"]),
        ("q=MMR002001", ["MMR002001", "MMR002001701"]),
        ("admin_level=3", ["MMR002001", "MMR002002"]),
        ("area=MMR002001", ["MMR002001", "MMR002001701"]),
        ("parent=MMR002D001", ["MMR002001", "MMR002002"]),
        ("q=yangon", []),
    ],
)
def test_places_search(api, places, query, pcodes):
    assert [p["pcode"] for p in results(api.get(f"/api/v1/places/?{query}"))] == pcodes


def test_a_place_by_pcode_and_as_geojson(api, places):
    assert api.get("/api/v1/places/MMR002001701/").json() == {
        "pcode": "MMR002001701",
        "admin_level": 4,
        "kind": "Town",
        "name": "Loikaw Town",
        "name_en": "Loikaw Town",
        "name_local": "လွိုင်ကော်",
        "parent": "MMR002001",
        "path": "/MMR/MMR002/MMR002D001/MMR002001/MMR002001701/",
        "latitude": 19.67424,
        "longitude": 97.20993,
    }
    assert api.get("/api/v1/places/XX1/").status_code == 404
    data = api.get("/api/v1/places/?q=loikaw%20town&format=geojson").json()
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [97.20993, 19.67424]}


def test_sources_only_cited_by_approved_reports_and_confidential_by_type(api, scenario, moderator):
    services.source_create(actor=moderator, source_type="un_ingo", name="Uncited OCHA note")
    data = results(api.get("/api/v1/sources/"))
    news = scenario["town"].sources.get()
    # Public sources by their public id, then a confidential one once per approved report
    # citing it.
    public = sorted(
        [
            (news.public_id, str(news)),
            (scenario["kndf"].public_id, "KNDF statement, 16 Nov 2023 (party to the conflict)"),
        ]
    )
    assert [(s["id"], s["label"]) for s in data] == [*public, (None, "confidential local source")]
    assert [s["label"] for s in results(api.get("/api/v1/sources/?source_type=local_cso"))] == [
        "confidential local source"
    ]


def test_retractions_list_each_withdrawn_report_once(api, scenario):
    retracted = scenario["retracted"]
    entry = retracted.history.get(action="retract")
    assert results(api.get("/api/v1/retractions/")) == [
        {
            "id": retraction_id(entry.pk),
            "report_id": retracted.pk,
            "retracted_at": timezone.localtime(entry.created_at).isoformat(),
        }
    ]
    future = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert results(api.get("/api/v1/retractions/", {"updated_since": future})) == []


# --- aggregates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        QUESTION,
        QUESTION + "&metric=killed",
        "metric=newly_displaced,killed&period=year",
        "area=MMR002001&end=2023-11-30",
        QUESTION + "&cause=artillery",
        QUESTION + "&source_type=party_to_conflict",
        "tag=operation%201111&level=3",
    ],
)
def test_aggregates_are_the_engines_and_the_dashboards_numbers(api, client, scenario, query):
    answer = engine(query)
    data = api.get(f"/api/v1/aggregates/?{query}").json()
    for metric in answer.metrics:
        t = answer.totals[metric]
        assert data["totals"][metric] == total_data(t)
    assert [(r["pcode"], r["totals"]) for r in data["by_area"]] == [
        (
            r.pcode,
            {m: total_data(r.totals[m]) for m in answer.metrics},
        )
        for r in answer.by_area
    ]
    assert [r["label"] for r in data["by_period"]] == [r.label for r in answer.by_period]
    for which in ("beyond", "longer"):
        assert data[which] == {
            m: [spanning_data(f) for f in getattr(answer, which).get(m, ())] for m in answer.metrics
        }
    # The dashboard's download of the same question, row for row.
    assert body(api.get(f"/api/v1/aggregates/?{query}&format=csv")) == body_of(
        client.get(f"/dashboard/download/areas.csv?{query}")
    )
    assert body(api.get(f"/api/v1/aggregates/?{query}&format=hxl")) == body_of(
        client.get(f"/dashboard/download/areas-hxl.csv?{query}")
    )
    assert body(api.get(f"/api/v1/aggregates/?{query}&format=csv&table=periods")) == body_of(
        client.get(f"/dashboard/download/periods.csv?{query}")
    )
    api_features = api.get(f"/api/v1/aggregates/?{query}&format=geojson").json()["features"]
    download = json.loads(body_of(client.get(f"/dashboard/download/areas.geojson?{query}")))
    assert api_features == download["features"]


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def test_aggregates_headline_numbers(api, scenario):
    data = api.get(f"/api/v1/aggregates/?{QUESTION}&metric=killed").json()
    assert data["question"] == {
        "start": "2023-11-01",
        "end": "2023-12-31",
        "area": "MMR002",
        "metric": ["killed"],
        "period": "month",
    }
    assert data["totals"] == {
        "killed": {
            "metric": "killed",
            "best": 21,
            "low": 21,
            "high": 21,
            "high_open": False,
            "approximate": False,
            "at_most": False,
            "qualifier": "exact",
            "events": 3,
            "reports": 3,
            "sources": 3,
            "as_of_oldest": None,
            "as_of_newest": None,
            "stale": False,
        }
    }
    assert data["beyond"] == {"killed": []} and data["longer"] == {"killed": []}
    assert data["breakdown_level"] == 2
    assert [(r["label"], r["totals"]["killed"]["best"]) for r in data["by_period"]] == [
        ("Nov 2023", 19),
        ("Dec 2023", 2),
    ]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("area=XX9", {"area": "Unknown area code 'XX9'."}),
        (
            "start=2023-12-01&end=2023-11-01",
            {"end": "The end (2023-11-01) is before the start (2023-12-01)."},
        ),
        (
            "metric=refugees&period=fortnight",
            {
                "metric": "Unknown metric 'refugees'; choose from "
                + ", ".join(aggregates.question.Metric.values)
                + ".",
                "period": "Unknown period 'fortnight'; choose from week, month, quarter, year.",
            },
        ),
        ("event=abc", {"event": "Enter a whole number (got 'abc')."}),
        (
            "sort=name",
            {
                "sort": "Unknown parameter; this endpoint accepts: area, by, cause, destination, "
                "end, event, format, level, metric, period, perpetrator, source_type, start, "
                "table, tag."
            },
        ),
        ("table=reports", {"table": "Choose areas or periods."}),
    ],
)
def test_aggregates_bad_questions_are_400_by_field(api, scenario, query, errors):
    response = api.get(f"/api/v1/aggregates/?{query}")
    assert response.status_code == 400
    data = response.json()
    assert data["type"] == "validation_error"
    assert {e["attr"]: e["detail"] for e in data["errors"]} == errors


# --- access -----------------------------------------------------------------------------------


def test_session_login_reads_the_api(client, scenario, advocate):
    client.force_login(advocate)
    assert client.get("/api/v1/reports/").status_code == 200


def test_anonymous_reads_follow_the_anonymous_rate_setting(client, scenario, settings):
    assert client.get("/api/v1/reports/").status_code == 200
    settings.TRACKER_API_ANON_RATE = "off"
    response = client.get("/api/v1/reports/")
    assert response.status_code == 401
    assert response.json()["type"] == "client_error"


def test_schema_and_docs_are_served_without_a_cdn(client, db):
    schema = client.get("/api/schema/?format=json").json()
    for path in [
        "/api/v1/reports/",
        "/api/v1/reports/{id}/",
        "/api/v1/events/",
        "/api/v1/places/",
        "/api/v1/places/{pcode}/",
        "/api/v1/sources/",
        "/api/v1/retractions/",
        "/api/v1/aggregates/",
    ]:
        assert path in schema["paths"], path
    names = {p["name"] for p in schema["paths"]["/api/v1/reports/"]["get"]["parameters"]}
    assert names >= {
        "start",
        "end",
        "area",
        "admin_level",
        "metric",
        "cause",
        "tag",
        "source_type",
        "event",
        "updated_since",
        "cursor",
        "page_size",
        "format",
    }
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    # Every script and stylesheet comes from this server (a CSP nonce may contain "cdn").
    addresses = re.findall(r'(?:src|href)="([^"]*)"', docs)
    assert addresses and all(a.startswith("/") for a in addresses), addresses


def test_nothing_changes_the_data(api, scenario):
    from reports.models import Report

    before = list(
        Report.objects.order_by("pk").values_list("pk", "status", "version", "updated_at")
    )
    for url in ["/api/v1/reports/", "/api/v1/aggregates/", "/api/v1/events/", "/api/v1/sources/"]:
        api.get(url)
    assert before == list(
        Report.objects.order_by("pk").values_list("pk", "status", "version", "updated_at")
    )
