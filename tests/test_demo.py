"""The demonstration data: loaded through the services, in every state, and only once."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count

from reports import selectors
from reports.models import Event, Report, ReportHistory, Source
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
        Status.APPROVED: 4,
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
    stock = Report.objects.get(figures__metric="currently_displaced")
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
        for u in get_user_model().objects.all()
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
    assert sorted(selectors.reports_visible_to(partner).values_list("status", flat=True)) == [
        "approved",
        "approved",
        "approved",
        "approved",
        "draft",
        "draft",
        "rejected",
    ]


def test_loading_again_changes_nothing(demo, capsys):
    counts = (
        Report.objects.count(),
        ReportHistory.objects.count(),
        Source.objects.count(),
        get_user_model().objects.count(),
    )
    call_command("load_demo")
    assert "Demonstration data already loaded: nothing changed." in capsys.readouterr().out
    assert counts == (
        Report.objects.count(),
        ReportHistory.objects.count(),
        Source.objects.count(),
        get_user_model().objects.count(),
    )


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
