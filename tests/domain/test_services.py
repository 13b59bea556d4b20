"""The services: validation, who may act, the workflow table, history and events."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports import services
from reports.exceptions import (
    ActionRefused,
    ConcurrentModification,
    NotPermitted,
    TransitionNotAllowed,
)
from reports.models import Figure, Report, ReportHistory, Source
from reports.workflow import TRANSITIONS, Action, Status


def messages_of(exc_info):
    return {field: msgs[0] for field, msgs in exc_info.value.message_dict.items()}


def test_create_stores_a_draft_with_figures_sources_tags_and_history(
    field_partner, file_report, news_source
):
    report = file_report(field_partner)
    assert report.status == Status.DRAFT
    assert report.organization.name == "Loikaw monitors"
    assert report.submitted_by == field_partner
    figure = report.figures.get()
    assert (figure.metric, figure.value, figure.count_best) == ("newly_displaced", 35000, 35000)
    assert list(report.sources.all()) == [news_source]
    assert [t.name for t in report.tags.all()] == ["Operation 1111"]
    entry = report.history.get()
    assert (entry.action, entry.actor, entry.to_status) == ("create", field_partner, "draft")


def test_burmese_text_is_stored_as_typed(field_partner, file_report):
    summary = "လွိုင်ကော်မြို့မှ ဒေသခံများ ထွက်ပြေး"
    report = file_report(field_partner, public_summary=summary)
    report.refresh_from_db()
    assert report.public_summary == summary


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"title": ""}, {"title": "Give the report a short title."}),
        ({"title": "x" * 201}, {"title": "At most 200 characters."}),
        (
            {"start_date": None, "end_date": None},
            {"start_date": "When did it happen? Enter at least the start date."},
        ),
        ({"end_date": date(2023, 11, 1)}, {"end_date": "The end date is before the start date."}),
        ({"start_date": "11/11/2023"}, {"start_date": "Enter a date as YYYY-MM-DD."}),
        ({"place": None}, {"place": "Choose a place from the gazetteer."}),
        ({"latitude": "19.6"}, {"longitude": "Give both latitude and longitude, or neither."}),
        ({"latitude": "95", "longitude": "97"}, {"latitude": "Must be between -90 and 90."}),
        ({"cause": "magic"}, {"cause": "Unknown cause or means 'magic'."}),
        ({"public_summary": "x" * 4001}, {"public_summary": "At most 4,000 characters."}),
        (
            {
                "figures": [
                    {"metric": "killed", "value": 1},
                    {"metric": "killed", "qualifier": "range", "value_min": 9, "value_max": 2},
                ]
            },
            {"figures.2.value_min": "Figure 2: The minimum (9) is greater than the maximum (2)."},
        ),
        (
            {"figures": [{"metric": "bogus", "value": 1}]},
            {
                "figures.1.metric": "Figure 1: Unknown metric 'bogus'; choose one of: "
                "newly_displaced, currently_displaced, returned, killed, injured, detained, "
                "homes_destroyed, religious_buildings_damaged, "
                "health_facilities_damaged, schools_damaged."
            },
        ),
        ({"tags": ["t" * 101]}, {"tags": f"Tag too long (100 characters at most): {'t' * 101!r}."}),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(
    field_partner, file_report, overrides, expected
):
    with pytest.raises(ValidationError) as caught:
        file_report(field_partner, **overrides)
    assert messages_of(caught) == expected
    assert (Report.objects.count(), Figure.objects.count(), ReportHistory.objects.count()) == (
        0,
        0,
        0,
    )


def test_dates_in_the_future_are_refused(field_partner, file_report):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        file_report(field_partner, start_date=tomorrow, end_date=None)
    assert messages_of(caught) == {"start_date": "Cannot be in the future."}


def test_dates_before_1900_are_refused(field_partner, file_report, moderator):
    with pytest.raises(ValidationError) as caught:
        file_report(field_partner, start_date=date(1, 1, 1), end_date="1899-12-31")
    assert messages_of(caught) == {
        "start_date": "Enter a date from 1 January 1900 on.",
        "end_date": "Enter a date from 1 January 1900 on.",
    }
    with pytest.raises(ValidationError) as caught:
        services.source_create(
            actor=moderator, source_type="news_media", name="Old", published_on="0001-01-07"
        )
    assert messages_of(caught) == {"published_on": "Enter a date from 1 January 1900 on."}
    assert (Report.objects.count(), Source.objects.filter(name="Old").count()) == (0, 0)
    assert file_report(field_partner, start_date=date(1900, 1, 1), end_date=None).start_date == (
        date(1900, 1, 1)
    )


def test_a_point_without_a_precision_is_taken_as_exact(field_partner, file_report):
    report = file_report(field_partner, latitude="19.674240", longitude="97.209930")
    assert (str(report.latitude), report.location_precision) == ("19.674240", "exact")


def test_only_members_file_for_their_organisation(
    advocate, other_partner, organizations, file_report
):
    with pytest.raises(NotPermitted, match="You do not belong to an organisation"):
        file_report(advocate)
    with pytest.raises(NotPermitted, match="You cannot file reports for Loikaw monitors."):
        file_report(other_partner, organization=organizations["monitors"])
    assert Report.objects.count() == 0


def test_the_whole_happy_path(
    field_partner, moderator, file_report, mailoutbox, django_capture_on_commit_callbacks
):
    report = file_report(field_partner)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(report=report, actor=field_partner)
    assert report.status == Status.SUBMITTED
    assert [m.subject for m in mailoutbox] == [f"[Tracker] Report #{report.pk} awaits review"]
    assert mailoutbox[0].to == ["moderator@example.org"]

    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_changes(report=report, actor=moderator, message="Which ward?")
    assert report.status == Status.CHANGES_REQUESTED
    assert mailoutbox[1].to == ["partner@example.org"]
    assert "Message from the moderator:\nWhich ward?" in mailoutbox[1].body

    services.report_update(report=report, actor=field_partner, internal_notes="Ward 3.")
    services.report_submit(report=report, actor=field_partner)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(report=report, actor=moderator)
    assert report.status == Status.APPROVED
    assert report.approved_at is not None
    assert mailoutbox[-1].subject == f"[Tracker] Report #{report.pk}: approved"

    services.report_retract(report=report, actor=moderator, reason="Duplicate.")
    assert [(h.action, h.from_status, h.to_status) for h in report.history.all()] == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("request_changes", "submitted", "changes_requested"),
        ("edit", "", ""),
        ("submit", "changes_requested", "submitted"),
        ("approve", "submitted", "approved"),
        ("retract", "approved", "retracted"),
    ]
    assert report.version == 7


SERVICE_FOR = {
    Action.SUBMIT: lambda r, partner, mod: services.report_submit(report=r, actor=partner),
    Action.APPROVE: lambda r, partner, mod: services.report_approve(report=r, actor=mod),
    Action.REJECT: lambda r, partner, mod: services.report_reject(report=r, actor=mod, reason="x"),
    Action.REQUEST_CHANGES: lambda r, partner, mod: services.report_request_changes(
        report=r, actor=mod, message="x"
    ),
    Action.RETRACT: lambda r, partner, mod: services.report_retract(
        report=r, actor=mod, reason="x"
    ),
}
# The shortest path to each status, through the services.
PATH_TO = {
    Status.DRAFT: [],
    Status.SUBMITTED: [Action.SUBMIT],
    Status.CHANGES_REQUESTED: [Action.SUBMIT, Action.REQUEST_CHANGES],
    Status.APPROVED: [Action.SUBMIT, Action.APPROVE],
    Status.REJECTED: [Action.SUBMIT, Action.REJECT],
    Status.RETRACTED: [Action.SUBMIT, Action.APPROVE, Action.RETRACT],
}


@pytest.mark.parametrize("start", list(Status))
@pytest.mark.parametrize("action", list(SERVICE_FOR))
def test_every_transition_is_allowed_or_refused_by_the_table(
    start, action, field_partner, moderator, file_report
):
    report = file_report(field_partner)
    for step in PATH_TO[start]:
        SERVICE_FOR[step](report, field_partner, moderator)
    assert report.status == start
    history_before = report.history.count()
    expected = TRANSITIONS[action].get(start)
    if expected:
        SERVICE_FOR[action](report, field_partner, moderator)
        assert report.status == expected
        assert report.history.count() == history_before + 1
    else:
        with pytest.raises(TransitionNotAllowed):
            SERVICE_FOR[action](report, field_partner, moderator)
        report.refresh_from_db()
        assert (report.status, report.history.count()) == (start, history_before)


def test_refusal_message_says_why(field_partner, moderator, file_report):
    report = file_report(field_partner)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.report_approve(report=report, actor=moderator)
    assert caught.value.message == (
        "A draft report cannot be approved: only a report that is submitted can."
    )


def test_partners_cannot_moderate(field_partner, file_report):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    with pytest.raises(NotPermitted, match="Only a moderator can do this."):
        services.report_approve(report=report, actor=field_partner)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_another_organisation_cannot_submit_or_edit(field_partner, other_partner, file_report):
    report = file_report(field_partner)
    with pytest.raises(NotPermitted):
        services.report_submit(report=report, actor=other_partner)
    with pytest.raises(NotPermitted):
        services.report_update(report=report, actor=other_partner, title="Hijacked")
    report.refresh_from_db()
    assert (report.status, report.title) == (Status.DRAFT, "Residents flee Loikaw")


def test_submission_needs_a_figure_and_a_source(field_partner, file_report):
    no_figures = file_report(field_partner, figures=[])
    with pytest.raises(ActionRefused, match="Add at least one figure before submitting."):
        services.report_submit(report=no_figures, actor=field_partner)
    no_sources = file_report(field_partner, sources=[])
    with pytest.raises(ActionRefused, match="Cite at least one source before submitting"):
        services.report_submit(report=no_sources, actor=field_partner)
    assert set(Report.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_reasons_are_required(field_partner, moderator, file_report):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    with pytest.raises(ValidationError) as caught:
        services.report_reject(report=report, actor=moderator, reason="  ")
    assert messages_of(caught) == {"note": "A reason is required."}
    with pytest.raises(ValidationError) as caught:
        services.report_request_changes(report=report, actor=moderator, message="")
    assert messages_of(caught) == {"note": "A message to the partner is required."}
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_partner_cannot_edit_once_submitted(field_partner, moderator, file_report):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    with pytest.raises(NotPermitted, match="while it is submitted"):
        services.report_update(report=report, actor=field_partner, title="Changed")
    services.report_update(report=report, actor=moderator, title="Changed by moderator")
    assert report.title == "Changed by moderator"


def test_edits_record_before_and_after(field_partner, moderator, file_report):
    report = file_report(field_partner)
    services.report_update(
        report=report,
        actor=field_partner,
        title="Residents flee Loikaw town",
        figures=[{"metric": "newly_displaced", "qualifier": "at_least", "value": 40000}],
        tags=["Operation 1111", "Loikaw"],
    )
    entry = report.history.last()
    assert entry.action == "edit"
    assert entry.changes["title"] == ["Residents flee Loikaw", "Residents flee Loikaw town"]
    assert entry.changes["tags"] == [["Operation 1111"], ["Loikaw", "Operation 1111"]]
    before, after = entry.changes["figures"]
    assert (before[0]["qualifier"], before[0]["value"]) == ("approximately", 35000)
    assert (after[0]["qualifier"], after[0]["value"]) == ("at_least", 40000)
    assert set(entry.changes) == {"figures", "tags", "title"}


def test_an_edit_that_changes_nothing_leaves_no_trace(field_partner, file_report):
    report = file_report(field_partner)
    services.report_update(report=report, actor=field_partner, title="Residents flee Loikaw")
    assert (report.version, report.history.count()) == (1, 1)


def test_a_stale_version_is_refused(field_partner, moderator, file_report):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    seen = report.version
    services.report_approve(report=report, actor=moderator, expected_version=seen)
    with pytest.raises(ConcurrentModification, match="was changed by someone else"):
        services.report_reject(report=report, actor=moderator, reason="dup", expected_version=seen)
    report.refresh_from_db()
    assert report.status == Status.APPROVED


def test_only_moderators_release_points(field_partner, moderator, file_report):
    report = file_report(field_partner, latitude="19.67", longitude="97.21")
    with pytest.raises(NotPermitted, match="Only a moderator can release an exact point."):
        services.report_update(report=report, actor=field_partner, point_released=True)
    services.report_update(report=report, actor=moderator, point_released=True)
    assert report.point_released is True


def test_events_link_reports_and_keep_one_reference_per_metric(
    field_partner, moderator, file_report
):
    first = file_report(field_partner)
    second = file_report(
        field_partner,
        figures=[{"metric": "newly_displaced", "qualifier": "at_least", "value": 40000}],
    )
    for report in (first, second):
        services.report_submit(report=report, actor=field_partner)
        services.report_approve(report=report, actor=moderator)
    event = services.event_create(actor=moderator, name="Displacement from Loikaw")
    services.report_link_event(report=first, event=event, actor=moderator)
    services.report_link_event(report=second, event=event, actor=moderator)
    assert set(event.reports.values_list("pk", flat=True)) == {first.pk, second.pk}

    services.event_set_reference_figure(event=event, figure=first.figures.get(), actor=moderator)
    services.event_set_reference_figure(event=event, figure=second.figures.get(), actor=moderator)
    assert list(event.reference_figures.values_list("metric", "figure__value")) == [
        ("newly_displaced", 40000)
    ]

    services.report_link_event(report=second, event=None, actor=moderator)
    assert event.reference_figures.count() == 0
    assert second.history.last().changes == {"event": [event.pk, None]}


def test_reference_figure_must_come_from_the_event(field_partner, moderator, file_report):
    report = file_report(field_partner)
    event = services.event_create(actor=moderator, name="Another event")
    with pytest.raises(ActionRefused, match="is not linked to event"):
        services.event_set_reference_figure(
            event=event, figure=report.figures.get(), actor=moderator
        )


def test_source_validation(moderator):
    with pytest.raises(ValidationError) as caught:
        services.source_create(
            actor=moderator,
            source_type="rumour",
            name="",
            url="ftp://example.org",
            published_on="2099-01-01",
        )
    assert messages_of(caught) == {
        "source_type": "Unknown source type 'rumour'.",
        "name": "Name the outlet, organisation or person.",
        "url": "Enter a web address starting with http:// or https://.",
        "published_on": "Cannot be in the future.",
    }


def test_party_to_conflict_is_labelled(moderator):
    source = services.source_create(actor=moderator, source_type="party_to_conflict", name="KNDF")
    assert source.has_conflict_of_interest is True


@pytest.fixture
def event_with_reference(field_partner, moderator, file_report):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)
    event = services.event_create(actor=moderator, name="Displacement from Loikaw")
    services.report_link_event(report=report, event=event, actor=moderator)
    services.event_set_reference_figure(event=event, figure=report.figures.get(), actor=moderator)
    return event, report


def test_resaving_the_same_figures_keeps_the_reference(event_with_reference, moderator):
    event, report = event_with_reference
    version = report.version
    services.report_update(
        report=report,
        actor=moderator,
        figures=[{"metric": "newly_displaced", "qualifier": "approximately", "value": 35000}],
    )
    assert event.reference_figures.get().figure.report == report
    assert report.version == version


def test_changing_a_reference_figures_metric_withdraws_it_visibly(event_with_reference, moderator):
    event, report = event_with_reference
    services.report_update(
        report=report,
        actor=moderator,
        figures=[{"metric": "currently_displaced", "qualifier": "approximately", "value": 35000}],
    )
    assert event.reference_figures.count() == 0
    assert report.history.last().changes["reference_for"] == [[[event.pk, "newly_displaced"]], []]


def test_reference_needs_an_approved_report_still_in_the_event(
    field_partner, moderator, file_report, event_with_reference
):
    event, approved = event_with_reference
    draft = file_report(field_partner)
    services.report_link_event(report=draft, event=event, actor=moderator)
    with pytest.raises(ActionRefused, match="is draft: only an approved report"):
        services.event_set_reference_figure(
            event=event, figure=draft.figures.get(), actor=moderator
        )
    figure = approved.figures.get()  # loaded before the report leaves the event
    services.report_link_event(report=approved, event=None, actor=moderator)
    with pytest.raises(ActionRefused, match="which is not linked to event"):
        services.event_set_reference_figure(event=event, figure=figure, actor=moderator)
    assert event.reference_figures.count() == 0


def test_households_without_a_size_take_the_country_default(field_partner, file_report):
    report = file_report(
        field_partner, figures=[{"metric": "newly_displaced", "value": 10, "unit": "households"}]
    )
    figure = report.figures.get()
    assert (str(figure.household_size), figure.count_best) == ("4.40", 44)


def test_households_without_a_size_or_a_default_are_refused(field_partner, file_report, places):
    places["MMR"].default_household_size = None
    places["MMR"].save()
    with pytest.raises(ValidationError) as caught:
        file_report(
            field_partner,
            figures=[{"metric": "newly_displaced", "value": 10, "unit": "households"}],
        )
    assert messages_of(caught) == {
        "figures.1.household_size": (
            "Figure 1: A figure in households needs the people per household."
        )
    }
    assert Report.objects.count() == 0


class FailingMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server unreachable")


def test_a_failing_notification_does_not_undo_or_break_a_decision(
    field_partner, moderator, file_report, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.domain.test_services.FailingMail"
    report = file_report(field_partner)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(report=report, actor=field_partner)
        services.report_approve(report=report, actor=moderator)
    report.refresh_from_db()
    assert report.status == Status.APPROVED
