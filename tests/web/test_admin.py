"""Moderators can work in the Django admin, and what they change there is in the history."""

import pytest

from reports import services
from reports.models import Report
from reports.workflow import Status


@pytest.fixture
def report(field_partner, file_report):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    return report


def change_form_data(report, **overrides):
    figures = list(report.figures.order_by("pk"))
    data = {
        "title": report.title,
        "organization": report.organization_id,
        "loaded_version": report.version,
        "start_date": str(report.start_date),
        "end_date": str(report.end_date),
        "date_precision": report.date_precision,
        "place": report.place_id,
        "latitude": "",
        "longitude": "",
        "location_precision": "place",
        "cause": report.cause,
        "tags": "Operation 1111",
        "public_summary": report.public_summary,
        "internal_notes": report.internal_notes,
        "sources": [s.pk for s in report.sources.all()],
        "figures-TOTAL_FORMS": str(len(figures)),
        "figures-INITIAL_FORMS": str(len(figures)),
        "figures-MIN_NUM_FORMS": "0",
        "figures-MAX_NUM_FORMS": "1000",
        "history-TOTAL_FORMS": "0",
        "history-INITIAL_FORMS": str(report.history.count()),
        "history-MIN_NUM_FORMS": "0",
        "history-MAX_NUM_FORMS": "1000",
    }
    for number, figure in enumerate(figures):
        data |= {
            f"figures-{number}-id": figure.pk,
            f"figures-{number}-report": report.pk,
            f"figures-{number}-metric": figure.metric,
            f"figures-{number}-qualifier": figure.qualifier,
            f"figures-{number}-value": figure.value,
            f"figures-{number}-unit": figure.unit,
        }
    data.update(overrides)
    return data


def test_moderator_pages_open(moderator_client, report):
    for url in [
        "/admin/",
        "/admin/reports/report/",
        f"/admin/reports/report/{report.pk}/change/",
        "/admin/reports/source/",
        "/admin/reports/event/",
        "/admin/reports/reporthistory/",
        "/admin/gazetteer/place/?q=Loikaw",
        "/admin/reports/report/?status=submitted",
    ]:
        assert moderator_client.get(url).status_code == 200, url


def test_field_partner_is_kept_out_of_the_admin_even_if_marked_staff(
    client, field_partner, other_partner, file_report
):
    theirs = file_report(other_partner, internal_notes="SECRET-NOTE")
    field_partner.is_staff = True
    field_partner.save()
    client.force_login(field_partner)
    for url in ["/admin/", f"/admin/reports/report/{theirs.pk}/change/", "/admin/reports/source/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")
        assert "SECRET-NOTE" not in response.content.decode()


def test_a_stale_admin_form_cannot_overwrite_a_newer_change(moderator_client, moderator, report):
    stale = change_form_data(report, public_summary="Stale edit")
    services.report_update(report=report, actor=moderator, public_summary="Newer edit")
    response = moderator_client.post(f"/admin/reports/report/{report.pk}/change/", stale)
    assert response.status_code == 200
    assert "Someone else changed this report while you were editing it" in (
        response.content.decode()
    )
    report.refresh_from_db()
    assert (report.public_summary, report.version) == ("Newer edit", 3)


def test_an_admin_edit_is_recorded_with_before_and_after(moderator_client, moderator, report):
    url = f"/admin/reports/report/{report.pk}/change/"
    response = moderator_client.post(
        url,
        change_form_data(
            report, title="Residents flee Loikaw town", **{"figures-0-value": "36000"}
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    report.refresh_from_db()
    entry = report.history.last()
    assert (entry.action, entry.actor, entry.note) == ("edit", moderator, "Edited in the admin")
    assert entry.changes["title"] == ["Residents flee Loikaw", "Residents flee Loikaw town"]
    assert [f["value"] for f in entry.changes["figures"][1]] == [36000]
    assert report.figures.get().count_best == 36000
    assert report.version == 3


def test_an_admin_edit_with_bad_figures_changes_nothing(moderator_client, report):
    url = f"/admin/reports/report/{report.pk}/change/"
    response = moderator_client.post(
        url,
        change_form_data(
            report,
            **{
                "figures-0-qualifier": "range",
                "figures-0-value": "",
                "figures-0-value_min": "500",
                "figures-0-value_max": "300",
                "end_date": "2023-11-01",
            },
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The minimum (500) is greater than the maximum (300)." in html
    assert "The end date is before the start date." in html
    report.refresh_from_db()
    assert (report.version, report.figures.get().value, str(report.end_date)) == (
        2,
        35000,
        "2023-11-13",
    )


def test_moderation_actions_go_through_the_services(
    moderator_client, report, field_partner, file_report
):
    draft = file_report(field_partner, title="Still a draft")
    response = moderator_client.post(
        "/admin/reports/report/",
        {
            "action": "action_report_reject",
            "_selected_action": [report.pk, draft.pk],
            "note": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert f"#{report.pk}: A reason is required." in html
    assert f"#{draft.pk}: A reason is required." in html
    response = moderator_client.post(
        "/admin/reports/report/",
        {
            "action": "action_report_reject",
            "_selected_action": [draft.pk],
            "note": "Duplicate",
        },
        follow=True,
    )
    assert f"#{draft.pk}: A draft report cannot be rejected" in response.content.decode()
    moderator_client.post(
        "/admin/reports/report/",
        {
            "action": "action_report_approve",
            "_selected_action": [report.pk],
            "note": "Checked.",
        },
    )
    report.refresh_from_db()
    draft.refresh_from_db()
    assert (report.status, draft.status) == (Status.APPROVED, Status.DRAFT)
    assert report.history.last().note == "Checked."


def test_reports_cannot_be_deleted_in_the_admin(moderator_client, report):
    response = moderator_client.post(f"/admin/reports/report/{report.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Report.objects.filter(pk=report.pk).exists()


def test_linking_to_an_event_is_an_action_through_the_service(moderator_client, moderator, report):
    event = services.event_create(actor=moderator, name="Displacement from Loikaw")
    moderator_client.post(
        "/admin/reports/report/",
        {
            "action": "link_to_event",
            "_selected_action": [report.pk],
            "event": event.pk,
        },
    )
    report.refresh_from_db()
    assert report.event == event
    assert report.history.last().action == "link_event"


def test_changing_a_sources_date_in_the_admin_keeps_the_totals_true(
    client, field_partner, moderator, file_report, news_source
):
    from reports import aggregates

    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)
    client.force_login(moderator)
    response = client.post(
        f"/admin/reports/source/{news_source.pk}/change/",
        {
            "source_type": "news_media",
            "name": news_source.name,
            "title": news_source.title,
            "url": news_source.url,
            "published_on": "2023-11-14",
            "language": "en",
        },
    )
    assert response.status_code == 302
    assert aggregates.verify_summaries() == []


def test_moving_a_released_point_in_the_admin_takes_it_out_of_public_view(
    moderator_client, moderator, field_partner, file_report, places
):
    from rest_framework.test import APIClient

    report = file_report(
        field_partner, latitude="19.680000", longitude="97.210000", location_precision="exact"
    )
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)
    services.report_update(report=report, actor=moderator, point_released=True)
    report.refresh_from_db()
    served = APIClient().get(f"/api/v1/reports/{report.pk}/").json()
    assert (served["latitude"], served["longitude"]) == (19.68, 97.21)

    # The form shows "point released" ticked; the moderator moves the point and saves.
    data = change_form_data(
        report,
        latitude="19.700000",
        longitude="97.250000",
        location_precision="exact",
        point_released="on",
    )
    response = moderator_client.post(f"/admin/reports/report/{report.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    report.refresh_from_db()
    assert (str(report.latitude), report.point_released) == ("19.700000", False)
    served = APIClient().get(f"/api/v1/reports/{report.pk}/").json()
    town = places["loikaw_town"]
    assert (served["latitude"], served["longitude"]) == (
        float(town.latitude),
        float(town.longitude),
    )
    assert served["location_precision"] == "place"


def add_form_data(organization, place, source, **overrides):
    data = {
        "title": "Shelling near Demoso",
        "organization": organization.pk,
        "start_date": "2023-11-20",
        "end_date": "",
        "date_precision": "day",
        "place": place.pk,
        "latitude": "",
        "longitude": "",
        "location_precision": "place",
        "cause": "artillery",
        "tags": '"Operation 1111"',
        "public_summary": "Houses hit.",
        "internal_notes": "",
        "sources": [source.pk],
        "figures-TOTAL_FORMS": "1",
        "figures-INITIAL_FORMS": "0",
        "figures-MIN_NUM_FORMS": "0",
        "figures-MAX_NUM_FORMS": "1000",
        "figures-0-metric": "killed",
        "figures-0-qualifier": "exact",
        "figures-0-value": "3",
        "figures-0-unit": "people",
        "history-TOTAL_FORMS": "0",
        "history-INITIAL_FORMS": "0",
        "history-MIN_NUM_FORMS": "0",
        "history-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_a_report_created_in_the_admin_goes_through_the_service(
    moderator_client, moderator, organizations, places, news_source
):
    data = add_form_data(organizations["relief"], places["loikaw_town"], news_source)
    response = moderator_client.post("/admin/reports/report/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    report = Report.objects.get(title="Shelling near Demoso")
    assert (report.status, report.submitted_by, report.organization) == (
        Status.DRAFT,
        moderator,
        organizations["relief"],
    )
    assert [(f.metric, f.value) for f in report.figures.all()] == [("killed", 3)]
    assert [s.pk for s in report.sources.all()] == [news_source.pk]
    assert [t.name for t in report.tags.all()] == ["Operation 1111"]
    assert [(h.action, h.actor, h.to_status) for h in report.history.all()] == [
        ("create", moderator, Status.DRAFT)
    ]


def test_releasing_a_point_the_report_lacks_is_refused_in_the_admin(moderator_client, report):
    url = f"/admin/reports/report/{report.pk}/change/"
    data = change_form_data(report, title="Renamed", point_released="on")
    response = moderator_client.post(url, data, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert f"Report #{report.pk} has no exact point to release." in response.content.decode()
    report.refresh_from_db()
    assert (report.title, report.point_released, report.version) == (
        "Residents flee Loikaw",
        False,
        2,
    )


def test_a_report_the_services_refuse_is_not_created_in_the_admin(
    moderator_client, organizations, places, news_source
):
    url = "/admin/reports/report/add/"
    data = add_form_data(
        organizations["relief"], places["loikaw_town"], news_source, point_released="on"
    )
    response = moderator_client.post(url, data, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "has no exact point to release." in response.content.decode()
    assert not Report.objects.filter(title="Shelling near Demoso").exists()


def test_deleting_a_figure_in_the_admin_deletes_that_figure_and_keeps_the_others_reference(
    moderator_client, moderator, field_partner, file_report
):
    report = file_report(
        field_partner,
        figures=[
            {"metric": "killed", "qualifier": "exact", "value": 3},
            {"metric": "injured", "qualifier": "exact", "value": 5},
        ],
    )
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)
    event = services.event_create(actor=moderator, name="Shelling of Loikaw")
    services.report_link_event(report=report, event=event, actor=moderator)
    killed, injured = report.figures.order_by("pk")
    services.event_set_reference_figure(event=event, figure=injured, actor=moderator)
    report.refresh_from_db()
    response = moderator_client.post(
        f"/admin/reports/report/{report.pk}/change/",
        change_form_data(report, **{"figures-0-DELETE": "on"}),
    )
    assert response.status_code == 302
    assert list(report.figures.values_list("pk", "metric", "value")) == [(injured.pk, "injured", 5)]
    assert list(event.reference_figures.values_list("metric", "figure_id")) == [
        ("injured", injured.pk)
    ]
