"""The demonstration data: loaded through the services, in every state, and only once."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from rest_framework.test import APIClient

from reports import selectors
from reports.aggregates.spans import span_of
from reports.models import (
    ApiClient,
    Event,
    Figure,
    KoboForm,
    KoboSubmission,
    Report,
    ReportHistory,
    Source,
)
from reports.vocabulary import MEASURE, Measure
from reports.workflow import Status


@pytest.fixture
def demo(db, capsys, settings):
    settings.DEBUG = True  # as under `make demo`; the test runner turns it off
    call_command("load_demo")
    return capsys.readouterr().out


def test_demo_covers_every_moderation_state(demo):
    by_status = dict(Report.objects.values_list("status").annotate(n=Count("id")).order_by())
    assert by_status == {
        Status.DRAFT: 2,
        Status.SUBMITTED: 1,
        Status.CHANGES_REQUESTED: 1,
        Status.APPROVED: 9,  # with the party's claim about itself (load_demo_perpetrators)
        Status.REJECTED: 1,
        Status.RETRACTED: 1,
    }
    assert "Demonstration data loaded." in demo
    assert "partner     field partner, Loikaw monitors" in demo


def test_demo_links_reports_of_one_event_with_a_reference_figure(demo):
    event = Event.objects.get()
    assert event.name == "Displacement from Loikaw, Operation 1111 (November 2023)"
    figures = sorted(event.reports.values_list("figures__qualifier", "figures__value"))
    assert figures == [("approximately", 35000), ("at_least", 40000)]
    reference = event.reference_figures.get()
    assert (reference.metric, reference.figure.value) == ("newly_displaced", 40000)


def test_demo_is_built_from_the_seed_reporting(demo):
    killed = Report.objects.get(
        title="16 civilians killed in the first days of fighting for Loikaw"
    )
    assert killed.status == Status.APPROVED
    assert (killed.place.pcode, str(killed.start_date)) == ("MMR002001", "2023-11-11")
    assert sorted(s.source_type for s in killed.sources.all()) == [
        "news_media",
        "party_to_conflict",
    ]
    stock = Report.objects.get(figures__metric="currently_displaced", place__pcode="MMR002001")
    assert (stock.figures.get().qualifier, stock.figures.get().value) == ("at_least", 40000)
    households = Report.objects.get(figures__unit="households").figures.get()
    assert (households.count_low, households.count_best, households.count_high) == (
        6600,
        7700,
        8800,
    )
    confidential = Source.objects.get(is_confidential=True)
    assert selectors.public_source_label(confidential) == "confidential local source"
    # No approved report leans on the invented confidential source.
    assert not confidential.reports.filter(status=Status.APPROVED).exists()


# The counting rules' hard cases (docs/domain.md, counting rules 3, 4, 5 and 7) are in the demo,
# so every page shows them. These tests find them from the data, not from the engine's answers.


def approved_figures(**filters):
    return Figure.objects.filter(report__status=Status.APPROVED, **filters).select_related(
        "report", "report__place"
    )


def within(place, area) -> bool:
    while place is not None:
        if place.pk == area.pk:
            return True
        place = place.parent
    return False


def span(figure):
    report = figure.report
    return span_of(report.start_date, report.end_date, report.date_precision)


def covers(a, b) -> bool:
    """Rule 5: figures of two events (within one event they are alternatives, rule 2), same
    metric, a's place contains b's, a's span contains b's, and a is larger in place or time."""
    return (
        a.report_id != b.report_id
        and (a.report.event_id is None or a.report.event_id != b.report.event_id)
        and a.metric == b.metric
        and within(b.report.place, a.report.place)
        and span(a).contains(span(b))
        and (a.report.place_id != b.report.place_id or span(a) != span(b))
    )


def test_demo_has_a_two_year_tally_covering_township_reports_inside_it(demo):
    flows = [f for f in approved_figures() if MEASURE[f.metric] == Measure.FLOW]
    covering = {a: [b for b in flows if covers(a, b)] for a in flows}
    covering = {a: covered for a, covered in covering.items() if covered}
    assert len(covering) == 1
    [(tally, covered)] = covering.items()
    assert (tally.metric, tally.value, tally.report.place.pcode) == ("killed", 380, "MMR002")
    assert span(tally) == (date(2021, 2, 1), date(2023, 3, 31))
    assert sorted((f.report.place.pcode, f.value, span(f).start) for f in covered) == [
        ("MMR002001", 3, date(2022, 6, 15)),
        ("MMR002002", 7, date(2023, 2, 1)),
    ]
    # The tally is its own event: covering is between counted events, never inside one.
    assert tally.report.event_id is None
    assert span(next(f for f in covered if f.value == 7)) == (date(2023, 2, 1), date(2023, 2, 28))


def test_demo_has_one_event_whose_sources_disagree(demo):
    disagreeing = []
    for event in Event.objects.all():
        values = {}
        for figure in approved_figures(report__event=event):
            values.setdefault(figure.metric, set()).add(figure.count_best)
        disagreeing += [(event.name, m, sorted(v)) for m, v in values.items() if len(v) > 1]
    assert disagreeing == [
        (
            "Displacement from Loikaw, Operation 1111 (November 2023)",
            "newly_displaced",
            [35000, 40000],
        )
    ]


def test_demo_has_an_at_least_stock_and_a_stale_one(demo, settings):
    stocks = [f for f in approved_figures() if MEASURE[f.metric] == Measure.STOCK]
    assert sorted((f.report.place.pcode, f.qualifier, f.value) for f in stocks) == [
        ("MMR002001", "at_least", 40000),
        ("MMR002002", "approximately", 16000),
    ]
    limit = timedelta(days=getattr(settings, "TRACKER_STOCK_STALE_DAYS", 180))

    def stale_at(day):
        return sorted(f.report.place.pcode for f in stocks if span(f).end < day - limit)

    # At the end of the demo's month, Demoso's April figure is stale and Loikaw's is current.
    assert stale_at(date(2023, 11, 30)) == ["MMR002002"]
    assert stale_at(date.today()) == ["MMR002001", "MMR002002"]


def test_demo_states_were_reached_through_the_services(demo):
    rejected = Report.objects.get(status=Status.REJECTED)
    assert list(rejected.history.values_list("action", flat=True)) == ["create", "submit", "reject"]
    assert "combines fighters and civilians" in rejected.history.last().note
    retracted = Report.objects.get(status=Status.RETRACTED)
    assert list(retracted.history.values_list("action", flat=True)) == [
        "create",
        "submit",
        "approve",
        "retract",
    ]


def test_demo_accounts_have_their_roles(demo):
    users = {
        u.username: sorted(u.groups.values_list("name", flat=True))
        for u in get_user_model().objects.filter(api_client__isnull=True)
    }
    assert users == {
        "admin": ["Administrator"],
        "moderator": ["Moderator"],
        "partner": ["Field partner"],
        "partner2": ["Field partner"],
        "advocate": ["Advocate"],
        "apipartner": ["API partner"],
    }
    partner = get_user_model().objects.get(username="partner")
    assert partner.check_password("karenni-demo-2023")
    own = selectors.reports_of_own_organization(partner).values_list("pk", flat=True)
    public = selectors.public_reports().values_list("pk", flat=True)
    visible = Report.objects.filter(pk__in={*own, *public})
    assert sorted(visible.values_list("status", flat=True)) == [
        *["approved"] * 9,
        "draft",
        "draft",
        "rejected",
    ]


def counts():
    return (
        Report.objects.count(),
        ReportHistory.objects.count(),
        Source.objects.count(),
        get_user_model().objects.count(),
        ApiClient.objects.count(),
        KoboForm.objects.count(),
    )


def test_loading_again_changes_nothing(demo, capsys):
    before = counts()
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Demonstration data already loaded: nothing changed." in out
    assert "shown only now" not in out  # the key and the link cannot be shown again
    assert before == counts()


# The demo KoboToolbox form's submission, as Kobo's REST Services would post it.
DEMO_KOBO_SUBMISSION = {
    "_id": 318655102,
    "formhub/uuid": "9e1f4c2a7b3d4e5f8a6b0c1d2e3f4a5b",
    "_xform_id_string": "aKr7dSpL9cMnT2qW4xZb6N",
    "__version__": "vR3kP9mT2xQ7wL4nZ8bY6c",
    "start": "2023-11-14T10:05:41.220+06:30",
    "end": "2023-11-14T10:13:02.874+06:30",
    "group_event/event_title": "Shelling drives families out of a Loikaw ward",
    "group_event/place_pcode": "MMR002001701",
    "group_event/date_start": "2023-11-13",
    "group_event/date_end": "2023-11-14",
    "group_event/cause": "artillery",
    "group_event/summary": "About 600 people left after shells hit the ward; a church was damaged.",
    "group_event/notes": "Counted by the ward's volunteers at the monastery.",
    "group_figures/people_displaced": "600",
    "group_figures/civilians_killed": "",
    "group_figures/civilians_injured": "2",
    "group_figures/homes_destroyed": "4",
    "group_figures/religious_buildings_damaged": "1",
    "group_figures/schools_damaged": "",
    "meta/instanceID": "uuid:2b7e4f1a-9c3d-4e5f-8a6b-1c2d3e4f5a6b",
    "_uuid": "2b7e4f1a-9c3d-4e5f-8a6b-1c2d3e4f5a6b",
    "_attachments": [],
    "_status": "submitted_via_web",
    "_geolocation": [19.6745, 97.2094],
    "_submission_time": "2023-11-14T03:43:10",
    "_tags": [],
    "_notes": [],
    "_validation_status": {},
    "_submitted_by": "datahub_monitor_1",
}


def test_demo_registers_an_api_client_and_a_kobo_form_and_shows_them_once(demo):
    client = ApiClient.objects.get()
    assert (client.name, client.organization.name, client.scopes, client.created_by.username) == (
        "Regional Data Hub sync (demo)",
        "Regional Data Hub (demo API partner)",
        ["read", "submit"],
        "admin",
    )
    key = re.search(r"^  ([0-9a-f]{8}\.\S+)$", demo, re.MULTILINE).group(1)
    assert 'create_api_client "<name>" --organization "Regional Data Hub (demo API partner)"' in (
        demo
    )
    pulled = APIClient().get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert pulled.status_code == 200
    assert len(pulled.json()["results"]) == 9
    link = re.search(r"^  (http://127\.0\.0\.1:8000/api/v1/ingest/kobo/\S+/)$", demo, re.M).group(1)
    form = KoboForm.objects.get()
    assert (form.name, form.client, form.kobo_asset_uid, form.kobo_form_uuid) == (
        "Karenni displacement incidents (demo)",
        client,
        "aKr7dSpL9cMnT2qW4xZb6N",
        "9e1f4c2a7b3d4e5f8a6b0c1d2e3f4a5b",
    )
    assert APIClient().post(link, DEMO_KOBO_SUBMISSION, format="json").status_code == 201
    report = KoboSubmission.objects.get().report
    assert (report.status, report.organization.name, report.title, report.cause) == (
        "draft",
        "Regional Data Hub (demo API partner)",
        "Shelling drives families out of a Loikaw ward",
        "artillery",
    )
    assert report.internal_notes == "Counted by the ward's volunteers at the monastery."
    assert sorted((f.metric, f.qualifier, f.value) for f in report.figures.all()) == [
        ("homes_destroyed", "at_least", 4),
        ("injured", "exact", 2),
        ("newly_displaced", "approximately", 600),
        ("religious_buildings_damaged", "exact", 1),
    ]


def test_a_demo_loaded_before_the_api_client_gets_it_on_the_next_run(demo, capsys):
    KoboForm.objects.all().delete()
    ApiClient.objects.all().delete()
    call_command("load_demo", base_url="https://tracker.example.org/")
    out = capsys.readouterr().out
    assert "Demo API client and Kobo form added." in out
    assert "nothing changed" not in out
    assert re.search(r"^  https://tracker\.example\.org/api/v1/ingest/kobo/\S+/$", out, re.M)
    assert (ApiClient.objects.count(), KoboForm.objects.count()) == (1, 1)
    call_command("load_demo")
    assert "nothing changed" in capsys.readouterr().out


def test_demo_refuses_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")
    assert Report.objects.count() == 0


def test_demo_refuses_a_database_where_its_user_names_are_taken(db, settings):
    settings.DEBUG = True
    get_user_model().objects.create_user(username="admin", password="x-secret-pass-1")
    with pytest.raises(CommandError, match="admin already exist"):
        call_command("load_demo")
    assert Report.objects.count() == 0


def test_demo_approved_reports_are_served_by_the_api(demo, client):
    from reports import publication

    assert publication.verify() == []
    served = client.get("/api/v1/reports/?page_size=1000").json()["results"]
    approved = Report.objects.filter(status=Status.APPROVED).values_list("pk", flat=True)
    assert sorted(r["id"] for r in served) == sorted(approved)
    assert len(served) == 9


def test_the_demo_moderator_gets_past_the_second_factor_with_what_load_demo_prints(
    demo, capsys, client
):
    # The published demo key, the current code from `demo_code`, and a recovery code.
    assert "NNQXEZLONZUS2ZDFNVXS25DPORYC2MRT" in demo
    assert "moderator   demomoderator1 demomoderator2 demomoderator3" in demo
    call_command("demo_code")
    codes = dict(re.findall(r"^(\w+)\s+(\d{6}) ", capsys.readouterr().out, re.MULTILINE))
    assert set(codes) == {"admin", "moderator"}

    client.post("/accounts/login/", {"username": "moderator", "password": "karenni-demo-2023"})
    verify = "/accounts/second-factor/verify/"
    assert client.get("/moderation/")["Location"] == f"{verify}?next=%2Fmoderation%2F"
    assert client.post(verify, {"code": codes["moderator"]})["Location"] == "/accounts/start/"
    assert client.get("/moderation/").status_code == 200

    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "admin", "password": "karenni-demo-2023"})
    assert client.post(verify, {"code": "demoadmin1"})["Location"] == "/accounts/start/"
    assert client.get("/admin/").status_code == 200


def test_demo_code_refuses_production(demo, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo_code")


def test_demo_has_the_operations_of_late_2023_as_context_events(demo, capsys):
    from reports.models import ContextEvent

    events = [
        (
            e.name,
            e.kind,
            e.start_date,
            e.end_date,
            e.area.pcode,
            sorted(s.title for s in e.sources.all()),
            e.created_by.username,
        )
        for e in ContextEvent.objects.order_by("start_date")
    ]
    assert events == [
        (
            "Operation 1027",
            "operation",
            date(2023, 10, 27),
            None,
            "MMR",  # northern Shan (MMR015) is not in the shipped sample gazetteer
            [
                "After attacking military target in Karenni State, KNDF and KNPLF announce "
                "launch of 'Operation 1107'"
            ],
            "moderator",
        ),
        (
            "Operation 1107",
            "offensive",
            date(2023, 11, 7),
            None,
            "MMR002007",
            [
                "After attacking military target in Karenni State, KNDF and KNPLF announce "
                "launch of 'Operation 1107'"
            ],
            "moderator",
        ),
        (
            "Operation 1111: the first ten days of the battle for Loikaw",
            "operation",
            date(2023, 11, 11),
            date(2023, 11, 21),
            "MMR002001",
            [
                "Karenni Armed Group Seizes Seven Myanmar Junta Bases Since Saturday",
                "Over 200 Junta Soldiers Killed in 10-Day Battle for Myanmar's Loikaw: KNDF",
                "Statement on the first days of Operation 1111, as quoted by The Irrawaddy",
            ],
            "moderator",
        ),
    ]
    assert "Context event 'Operation 1107' added." in demo
    # A database loaded before context events existed gets them on the next run, once.
    ContextEvent.objects.filter(name="Operation 1107").delete()
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Demo context events added." in out and "nothing changed" not in out
    call_command("load_demo")
    assert "nothing changed" in capsys.readouterr().out
    assert ContextEvent.objects.count() == 3
