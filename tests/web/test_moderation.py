"""The moderators' pages, through the Django test client: who may open them, the queue and its
filters, bulk decisions, every action on the review page (done and refused), events,
likely duplicates, escaping, and the daily digest."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.shortcuts import resolve_url
from django.utils import timezone

from reports import selectors, services, tasks
from reports.models import Event, EventReferenceFigure
from reports.views import moderation as moderation_views
from reports.workflow import Status

QUEUE = "/moderation/"


def review_url(report):
    return f"/moderation/reports/{report.pk}/"


def act_url(report, action):
    return f"/moderation/reports/{report.pk}/{action}/"


def text(response) -> str:
    """The page's HTML with runs of white space made single spaces."""
    return " ".join(response.content.decode().split())


def listed(response) -> list[int]:
    """The report numbers the queue lists, in order."""
    return [int(pk) for pk in re.findall(r'id="pick-(\d+)"', response.content.decode())]


def state(report):
    """What a refused action must leave exactly as it was."""
    report.refresh_from_db()
    return report.status, report.version, report.history.count(), report.event_id


@pytest.fixture
def submit(field_partner, file_report):
    def make(actor=None, **overrides):
        actor = actor or field_partner
        report = file_report(actor, **overrides)
        return services.report_submit(report=report, actor=actor)

    return make


def submitted_days_ago(monkeypatch, submit, days, **overrides):
    """A report submitted `days` ago: the services read the clock, so the clock is set."""
    then = timezone.now() - timedelta(days=days)
    with monkeypatch.context() as m:
        m.setattr(timezone, "now", lambda: then)
        return submit(**overrides)


# --- who may open the pages -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, submit):
    report = submit()
    login = resolve_url(settings.LOGIN_URL)
    for url in (QUEUE, review_url(report), act_url(report, "approve")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{login}?next={url}"
    response = client.post(act_url(report, "approve"), {"approve-version": report.version})
    assert response.status_code == 302
    assert report.status == Status.SUBMITTED


@pytest.mark.parametrize("who", ["field_partner", "other_partner", "advocate"])
def test_other_roles_are_refused(client, request, submit, who):
    report = submit()
    before = state(report)
    client.force_login(request.getfixturevalue(who))
    assert client.get(QUEUE).status_code == 403
    assert client.get(review_url(report)).status_code == 403
    response = client.post(act_url(report, "approve"), {"approve-version": report.version})
    assert response.status_code == 403
    response = client.post(QUEUE, {"selected": [f"{report.pk}:2"], "decision": "approve"})
    assert response.status_code == 403
    assert state(report) == before


def test_moderators_open_the_queue_and_review_pages(moderator_client, submit):
    report = submit()
    assert moderator_client.get(QUEUE).status_code == 200
    assert moderator_client.get(review_url(report)).status_code == 200
    assert moderator_client.get(act_url(report, "approve")).status_code == 405
    assert moderator_client.post(act_url(report, "nonsense")).status_code == 404
    assert moderator_client.get("/moderation/reports/999999/").status_code == 404


# --- the queue ------------------------------------------------------------------------------


def test_queue_lists_submitted_reports_waiting_longest_first(
    moderator_client, moderator, submit, file_report, field_partner, monkeypatch
):
    newest = submitted_days_ago(monkeypatch, submit, 1, title="Newest")
    oldest = submitted_days_ago(monkeypatch, submit, 9, title="Oldest")
    middle = submitted_days_ago(monkeypatch, submit, 4, title="Middle")
    approved = services.report_approve(report=submit(title="Approved"), actor=moderator)
    draft = file_report(field_partner, title="Draft")

    response = moderator_client.get(QUEUE)
    assert listed(response) == [oldest.pk, middle.pk, newest.pk]
    page = text(response)
    assert "<strong>3</strong> reports match; showing 1–3." in page
    assert (
        f"#{oldest.pk} Oldest</a></h2> "
        '<p class="meta">Loikaw Town, Loikaw Township, Loikaw District, Kayah State '
        '<span class="pcode">MMR002001701</span> · 11 Nov 2023–13 Nov 2023</p>'
    ) in page
    assert "People newly displaced: approximately 35,000 people" in page
    assert "Loikaw monitors · submitted" in page
    assert "(1 week, 2 days ago)" in page
    # Counts per status, whatever the status filter; the tabs keep the other filters.
    assert 'aria-current="page">Submitted <span class="count">3</span>' in page
    assert 'Approved <span class="count">1</span>' in page
    assert 'Draft <span class="count">1</span>' in page
    # Drafts are the partners' work in progress: counted on their own tab, not in "Any status".
    assert 'Any status <span class="count">4</span>' in page

    assert listed(moderator_client.get(QUEUE, {"sort": "newest"})) == [
        newest.pk,
        middle.pk,
        oldest.pk,
    ]
    assert listed(moderator_client.get(QUEUE, {"status": "approved"})) == [approved.pk]
    everything = listed(moderator_client.get(QUEUE, {"status": ""}))
    assert sorted(everything) == sorted([newest.pk, oldest.pk, middle.pk, approved.pk])
    assert listed(moderator_client.get(QUEUE, {"status": "draft"})) == [draft.pk]


def test_queue_filters_by_age_in_queue(moderator_client, submit, monkeypatch):
    old = submitted_days_ago(monkeypatch, submit, 10, title="Old")
    submitted_days_ago(monkeypatch, submit, 2, title="Recent")
    response = moderator_client.get(QUEUE, {"waiting_days": "7"})
    assert listed(response) == [old.pk]
    assert "<strong>1</strong> report matches" in text(response)


def test_place_filter_takes_in_everything_beneath_the_place(
    moderator_client, submit, places, other_partner
):
    in_town = submit(title="In Loikaw Town")  # level 4, under Loikaw Township
    in_township = submit(title="Loikaw Township", place=places["loikaw"])
    in_demoso = submit(other_partner, title="Demoso", place=places["demoso"])
    in_state = submit(title="Kayah", place=places["kayah"])

    def pks(place):
        return sorted(listed(moderator_client.get(QUEUE, {"place": place})))

    assert pks("MMR002") == sorted([in_town.pk, in_township.pk, in_demoso.pk, in_state.pk])
    assert pks("MMR002D001") == sorted([in_town.pk, in_township.pk, in_demoso.pk])
    assert pks("MMR002001") == sorted([in_town.pk, in_township.pk])
    assert pks("mmr002001") == sorted([in_town.pk, in_township.pk])
    assert pks("MMR002001701") == [in_town.pk]
    assert pks("MMR002002") == [in_demoso.pk]
    # The per-status counts follow the place filter too.
    assert 'Submitted <span class="count">2</span>' in text(
        moderator_client.get(QUEUE, {"place": "MMR002001"})
    )


def test_place_choices_are_the_areas_that_have_reports(moderator_client, submit):
    submit()  # in Loikaw Town, under Loikaw Township, Loikaw District, Kayah
    submit()
    page = text(moderator_client.get(QUEUE))
    options = re.findall(r'<datalist id="place-options">(.*?)</datalist>', page)[0]
    assert options == (
        '<option value="MMR002">Kayah (State / region)</option>'
        '<option value="MMR002D001">Loikaw District (District)</option>'
        '<option value="MMR002001">Loikaw Township (Township)</option>'
    )


def test_queue_filters_by_organisation_metric_and_overlapping_dates(
    moderator_client, submit, other_partner, organizations
):
    displaced = submit(title="Displaced")  # 11-13 Nov 2023
    killed = submit(
        other_partner,
        title="Killed",
        start_date=date(2023, 11, 20),
        end_date=None,
        figures=[dict(metric="killed", value=3)],
    )

    def pks(**params):
        return sorted(listed(moderator_client.get(QUEUE, params)))

    assert pks(organization=organizations["relief"].pk) == [killed.pk]
    assert pks(metric="killed") == [killed.pk]
    assert pks(metric="newly_displaced") == [displaced.pk]
    assert pks(date_from="2023-11-13") == [displaced.pk, killed.pk]
    assert pks(date_from="2023-11-14") == [killed.pk]
    assert pks(date_to="2023-11-10") == []
    assert pks(date_from="2023-11-12", date_to="2023-11-12") == [displaced.pk]
    assert pks(date_from="2023-11-14", date_to="2023-11-19") == []
    # Typed in Burmese digits, the same dates.
    assert pks(date_from="၂၀၂၃-၁၁-၁၄") == [killed.pk]
    assert pks(date_from="၂၀၂၃-၁၁-၁၂", date_to="၂၀၂၃-၁၁-၁၂") == [displaced.pk]
    # Shown back as the date box takes it (a browser blanks any other form).
    page = moderator_client.get(QUEUE, {"date_from": "၂၀၂၃-၁၁-၁၄"}).content.decode()
    assert 'name="date_from" value="2023-11-14"' in page


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"place": "Nowhere"},
            "place",
            "No place matches &#x27;Nowhere&#x27;. Type a name as the pages show it (Loikaw "
            "Township, လွိုင်ကော်), or a P-code such as MMR002001.",
        ),
        ({"waiting_days": "abc"}, "waiting_days", "Enter a whole number."),
        ({"waiting_days": "1.5"}, "waiting_days", "Enter a whole number."),
        (
            {"waiting_days": "-1"},
            "waiting_days",
            "Ensure this value is greater than or equal to 0.",
        ),
        ({"date_from": "13/11/2023"}, "date_from", "Enter a date as YYYY-MM-DD."),
        # Django's own date field read this as 12 November (American order).
        ({"date_to": "11/12/2023"}, "date_to", "Enter a date as YYYY-MM-DD."),
        ({"date_from": "2023-02-30"}, "date_from", "Enter a date as YYYY-MM-DD."),
        (
            {"date_from": "2023-11-20", "date_to": "2023-11-01"},
            "date_to",
            "The end of the period is before its start.",
        ),
        (
            {"organization": "999999"},
            "organization",
            "No such organisation: pick one from the list.",
        ),
        ({"organization": "x"}, "organization", "No such organisation: pick one from the list."),
        (
            {"metric": "bogus"},
            "metric",
            "Unknown metric &#x27;bogus&#x27;: pick one from the list.",
        ),
        ({"status": "lost"}, "status", "Unknown status &#x27;lost&#x27;: pick one from the list."),
        ({"sort": "random"}, "sort", "Unknown order &#x27;random&#x27;: pick one from the list."),
    ],
)
def test_bad_filter_values_are_explained_not_crashed_on(
    moderator_client, submit, params, field, message
):
    submit()
    response = moderator_client.get(QUEUE, params)
    assert response.status_code == 400
    page = text(response)
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in page
    assert "Fix the filter above to see reports." in page
    assert "status-tabs" not in page  # no counts for a question that was not understood
    assert listed(response) == []
    if field in ("place", "waiting_days", "date_from", "date_to"):
        assert f'name="{field}" value="{params[field]}"' in page  # kept as typed


def test_queue_pages(moderator_client, submit, monkeypatch):
    monkeypatch.setattr(moderation_views, "QUEUE_PAGE_SIZE", 2)
    reports = [submit(title=f"Report {n}") for n in range(5)]
    first = moderator_client.get(QUEUE, {"place": "MMR002"})
    assert listed(first) == [r.pk for r in reports[:2]]
    assert "Page 1 of 3" in text(first)
    assert 'href="?place=MMR002&amp;page=2">Next →</a>' in text(first)
    last = moderator_client.get(QUEUE, {"place": "MMR002", "page": "3"})
    assert listed(last) == [reports[4].pk]
    # A page number out of range or not a number shows a page rather than an error.
    assert listed(moderator_client.get(QUEUE, {"page": "99"})) == [reports[4].pk]
    assert listed(moderator_client.get(QUEUE, {"page": "x"})) == [r.pk for r in reports[:2]]


# --- bulk decisions from the queue ----------------------------------------------------------


def test_bulk_approve_reports_each_result(moderator_client, moderator, second_moderator, submit):
    fine = submit(title="Fine")
    also_fine = submit(title="Also fine")
    taken = submit(title="Taken")
    stale = f"{taken.pk}:{taken.version}"
    services.report_approve(report=taken, actor=second_moderator)  # while the page was open
    history_before = taken.history.count()

    response = moderator_client.post(
        f"{QUEUE}?place=MMR002",
        {
            "selected": [f"{fine.pk}:{fine.version}", stale, f"{also_fine.pk}:{also_fine.version}"],
            "decision": "approve",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?place=MMR002"
    page = text(moderator_client.get(response["Location"]))
    assert f'<li class="success">#{fine.pk} &quot;Fine&quot; approved.</li>' in page
    assert f'<li class="success">#{also_fine.pk} &quot;Also fine&quot; approved.</li>' in page
    assert (
        f'<li class="error">#{taken.pk} &quot;Taken&quot;: Report #{taken.pk} was changed by '
        f"someone else while you were working on it (it is now approved, version 3). "
        "Reload it to see the current state.</li>"
    ) in page
    for report in (fine, also_fine):
        report.refresh_from_db()
        assert (report.status, report.version) == (Status.APPROVED, 3)
        assert report.history.last().actor == moderator
    taken.refresh_from_db()
    assert taken.history.count() == history_before
    assert taken.history.last().actor == second_moderator


def test_bulk_reject_needs_a_reason_and_keeps_the_ticks(moderator_client, submit):
    one, two = submit(title="One"), submit(title="Two")
    before = [state(one), state(two)]
    tokens = [f"{one.pk}:{one.version}", f"{two.pk}:{two.version}"]
    response = moderator_client.post(QUEUE, {"selected": tokens, "decision": "reject"})
    assert response.status_code == 400
    page = text(response)
    assert "A reason is required to reject." in page
    assert (
        f'value="{tokens[0]}" id="pick-{one.pk}" aria-label="Select report #{one.pk}" checked'
        in page
    )
    assert [state(one), state(two)] == before

    response = moderator_client.post(
        QUEUE, {"selected": tokens, "decision": "reject", "note": "Not civilians."}, follow=True
    )
    assert response.status_code == 200
    for report in (one, two):
        report.refresh_from_db()
        assert report.status == Status.REJECTED
        assert report.history.last().note == "Not civilians."


def test_bulk_mixes_successes_and_refusals_of_the_workflow(moderator_client, moderator, submit):
    submitted = submit(title="Submitted")
    sent_back = services.report_request_changes(
        report=submit(title="Sent back"), actor=moderator, message="Which village?"
    )
    approved = services.report_approve(report=submit(title="Already approved"), actor=moderator)
    before = state(approved)
    response = moderator_client.post(
        QUEUE,
        {
            "selected": [f"{r.pk}:{r.version}" for r in (submitted, sent_back, approved)],
            "decision": "reject",
            "note": "Duplicate of an earlier report.",
        },
        follow=True,
    )
    page = text(response)
    assert f"#{submitted.pk} &quot;Submitted&quot; rejected." in page
    assert f"#{sent_back.pk} &quot;Sent back&quot; rejected." in page
    assert (
        f"#{approved.pk} &quot;Already approved&quot;: An approved report cannot be rejected: "
        "only a report that is submitted, changes requested can."
    ) in page
    assert state(approved) == before


def test_bulk_refuses_malformed_or_missing_selections(moderator_client, submit):
    report = submit()
    before = state(report)
    for selected in ([], ["12"], ["x:1"], [f"{report.pk}:"]):
        response = moderator_client.post(QUEUE, {"selected": selected, "decision": "approve"})
        assert response.status_code == 400
    assert "Tick at least one report." in text(
        moderator_client.post(QUEUE, {"decision": "approve"})
    )
    assert "Unrecognised report &#x27;12&#x27;: reload the page." in text(
        moderator_client.post(QUEUE, {"selected": ["12"], "decision": "approve"})
    )
    assert state(report) == before
    response = moderator_client.post(QUEUE, {"selected": ["999999:1"], "decision": "approve"})
    assert "Report #999999 does not exist." in text(moderator_client.get(response["Location"]))


# --- the review page ------------------------------------------------------------------------


def test_review_page_shows_the_whole_report_to_moderators(
    moderator_client, moderator, submit, field_partner
):
    secret = services.source_create(
        actor=field_partner,
        source_type="local_cso",
        name="Camp committee X",
        is_confidential=True,
    )
    party = services.source_create(actor=moderator, source_type="party_to_conflict", name="KNDF")
    report = submit(
        sources=[secret, party],
        latitude="19.67",
        longitude="97.21",
        location_precision="approximate",
        internal_notes="Contact: U Ba, phone 09-555",
    )
    page = text(moderator_client.get(review_url(report)))
    assert f"#{report.pk} Residents flee Loikaw</h1>" in page
    assert "Submitted</span> · version 2 · filed by partner for Loikaw monitors" in page
    assert "Loikaw Town, Loikaw Township, Loikaw District, Kayah State" in page
    assert "11 Nov 2023 – 13 Nov 2023 (precise to the day)" in page
    assert (
        "19.670000, 97.210000 (approximate point (within a few km)) · not public: the public "
        "sees the place's own point"
    ) in page
    assert "Ground assault or armed clash" in page
    assert "<dt>Tags</dt><dd>Operation 1111</dd>" in page
    assert "People newly displaced: approximately 35,000 people" in page
    assert (
        '<strong class="flag">Confidential</strong> Local civil society or monitor: '
        "Camp committee X" in page
    )
    # The type is the flag: not "PARTY TO THE CONFLICT Party to the conflict".
    assert '<strong class="flag coi">Party to the conflict</strong>: KNDF' in page
    assert "Contact: U Ba, phone 09-555" in page
    assert "About 35,000 residents left the town." in page
    # Only the decisions the workflow allows are offered.
    assert "<summary>Approve</summary>" in page
    assert "<summary>Request changes</summary>" in page
    assert "<summary>Reject</summary>" in page
    assert "<summary>Retract</summary>" not in page
    assert f'action="{act_url(report, "release_point")}"' in page
    assert f'href="/partner/reports/{report.pk}/edit/"' in page


def test_review_page_names_the_place_once_in_each_language(moderator_client, submit):
    report = submit()
    english = text(moderator_client.get(review_url(report)))
    # In English the local name follows the path, for the moderator who reads both.
    assert 'Kayah State <span class="pcode">MMR002001701</span> · ' in english
    assert english.count("လွိုင်ကော်") == 1
    moderator_client.cookies["django_language"] = "my"
    burmese = text(moderator_client.get(review_url(report)))
    # In Burmese the path already gives it: not twice.
    assert burmese.count("လွိုင်ကော်") == 1
    assert '<span class="pcode">MMR002001701</span></dd>' in burmese


def test_history_is_shown_in_words(moderator_client, moderator, submit, places):
    report = submit()
    services.report_update(
        report=report,
        actor=moderator,
        place=places["loikaw"],
        title="Residents flee Loikaw Township",
        figures=[dict(metric="newly_displaced", qualifier="at_least", value=40000)],
        cause="",
        note="Township level: the source does not name the town.",
    )
    page = text(moderator_client.get(review_url(report)))
    assert "<strong>Created</strong> by partner (draft)" in page
    assert "<strong>Submitted</strong> by partner (draft → submitted)" in page
    assert "<strong>Edited</strong> by moderator" in page
    assert "Township level: the source does not name the town." in page
    rows = [
        '<th scope="row">Cause or means</th><td>Ground assault or armed clash</td><td>—</td>',
        '<th scope="row">Figures</th><td>People newly displaced: approximately 35,000 people</td>'
        "<td>People newly displaced: at least 40,000 people</td>",
        '<th scope="row">Place</th><td>Loikaw Town (MMR002001701)</td>'
        "<td>Loikaw Township (MMR002001)</td>",
        '<th scope="row">Title</th><td>Residents flee Loikaw</td>'
        "<td>Residents flee Loikaw Township</td>",
    ]
    for row in rows:
        assert row in page


def test_html_typed_into_reports_is_shown_as_text(moderator_client, moderator, submit):
    report = submit(
        title="<script>alert('t')</script> flee",
        internal_notes="<b>bold</b> & <i>notes</i>",
        public_summary="<img src=x onerror=alert(1)>",
    )
    services.report_request_changes(
        report=report, actor=moderator, message="<a href='javascript:x'>fix</a>"
    )
    for response in (
        moderator_client.get(QUEUE, {"status": "changes_requested"}),
        moderator_client.get(review_url(report)),
    ):
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt; flee" in html
    html = moderator_client.get(review_url(report)).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;notes&lt;/i&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;a href=&#x27;javascript:x&#x27;&gt;fix&lt;/a&gt;" in html
    assert "<img src=x" not in html and "<b>bold" not in html


# --- actions on the review page -------------------------------------------------------------


def test_approve_with_a_note(moderator_client, moderator, submit):
    report = submit()
    response = moderator_client.post(
        act_url(report, "approve"),
        {"approve-version": report.version, "approve-note": "Checked against the article."},
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(report)
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.APPROVED, 3)
    entry = report.history.last()
    assert (entry.action, entry.actor, entry.from_status, entry.to_status, entry.note) == (
        "approve",
        moderator,
        "submitted",
        "approved",
        "Checked against the article.",
    )
    page = text(moderator_client.get(review_url(report)))
    assert f'<li class="success">Report #{report.pk} approved.</li>' in page
    assert "<summary>Retract</summary>" in page and "<summary>Approve</summary>" not in page


@pytest.mark.parametrize(
    ("action", "status", "note"),
    [
        ("reject", Status.REJECTED, "Fighters, not civilians."),
        ("request_changes", Status.CHANGES_REQUESTED, "Which ward?"),
    ],
)
def test_decisions_that_need_a_text(moderator_client, submit, action, status, note):
    report = submit()
    before = state(report)
    response = moderator_client.post(
        act_url(report, action), {f"{action}-version": report.version, f"{action}-note": "  "}
    )
    assert response.status_code == 400
    required = {
        "reject": "A reason is required.",
        "request_changes": "A message to the partner is required.",
    }[action]
    assert f'<ul class="errorlist" id="id_{action}-note_error"><li>{required}</li></ul>' in text(
        response
    )
    assert state(report) == before

    response = moderator_client.post(
        act_url(report, action), {f"{action}-version": report.version, f"{action}-note": note}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == status
    assert report.history.last().note == note


def test_retract_an_approved_report(moderator_client, moderator, submit):
    report = services.report_approve(report=submit(), actor=moderator)
    before = state(report)
    response = moderator_client.post(
        act_url(report, "retract"), {"retract-version": report.version}
    )
    assert response.status_code == 400
    assert state(report) == before
    response = moderator_client.post(
        act_url(report, "retract"),
        {"retract-version": report.version, "retract-note": "Duplicate of #1."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.history.last().note) == (Status.RETRACTED, "Duplicate of #1.")


def test_a_refused_transition_changes_nothing_and_says_why(moderator_client, submit):
    report = submit()
    before = state(report)
    response = moderator_client.post(
        act_url(report, "retract"),
        {"retract-version": report.version, "retract-note": "My typed reason"},
    )
    assert response.status_code == 409
    page = text(response)
    assert (
        '<div class="errorbox" role="alert"><strong>Nothing was changed.</strong>'
        '<ul class="errorlist nonfield"><li>A submitted report cannot be retracted: only a '
        "report that is approved can.</li></ul></div>"
    ) in page
    # The form that failed is shown with what was typed, even though retracting is not offered.
    assert "> My typed reason</textarea>" in page
    assert state(report) == before


def test_stale_version_gets_a_conflict_and_sees_the_current_state(
    moderator_client, second_moderator, submit
):
    report = submit()
    seen = report.version
    services.report_request_changes(report=report, actor=second_moderator, message="Which ward?")
    after_other = state(report)

    response = moderator_client.post(
        act_url(report, "reject"), {"reject-version": seen, "reject-note": "Duplicate."}
    )
    assert response.status_code == 409
    page = text(response)
    assert (
        f"Report #{report.pk} was changed by someone else while you were working on it (it is "
        "now changes requested, version 3). Reload it to see the current state."
    ) in page
    assert "Changes requested</span> · version 3" in page
    assert (
        f"<strong>Nothing was changed.</strong> Report #{report.pk} was changed by someone else "
        "while you were working on it (it is now changes requested, version 3). Reload it to "
        'see the current state. <a href="#reject">Back to the form</a>'
    ) in page
    assert "> Duplicate.</textarea>" in page
    assert 'name="reject-version" value="3"' in page  # acting again is now deliberate
    assert "Which ward?" in page  # the other moderator's message, in the history
    assert state(report) == after_other

    response = moderator_client.post(
        act_url(report, "approve"), {"approve-version": seen, "approve-note": ""}
    )
    assert response.status_code == 409
    assert state(report) == after_other


def test_forms_without_a_version_are_refused(moderator_client, submit):
    report = submit()
    before = state(report)
    for version in ("", "abc", "0"):
        response = moderator_client.post(act_url(report, "approve"), {"approve-version": version})
        assert response.status_code == 400
    assert state(report) == before


def test_release_the_exact_point(moderator_client, submit):
    report = submit(latitude="19.67", longitude="97.21")
    response = moderator_client.post(
        act_url(report, "release_point"), {"release_point-version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.point_released, report.version) == (True, 3)
    assert report.history.last().changes == {"point_released": [False, True]}
    page = text(moderator_client.get(review_url(report)))
    assert '<th scope="row">Exact point released</th><td>no</td><td>yes</td>' in page
    assert "release_point/" not in page

    no_point = submit()
    assert "release_point/" not in text(moderator_client.get(review_url(no_point)))


# --- events ---------------------------------------------------------------------------------


@pytest.fixture
def event(moderator):
    return services.event_create(actor=moderator, name="Displacement from Loikaw")


def test_link_to_an_event_by_number_and_unlink(moderator_client, submit, event):
    report = submit()
    before = state(report)
    response = moderator_client.post(
        act_url(report, "link"), {"link-version": report.version, "link-event": "999999"}
    )
    assert response.status_code == 400
    assert "There is no event #999999." in text(response)
    assert state(report) == before

    response = moderator_client.post(
        act_url(report, "link"), {"link-version": report.version, "link-event": event.pk}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.event, report.version) == (event, 3)
    page = text(moderator_client.get(review_url(report)))
    assert f"Report #{report.pk} linked to event #{event.pk}, Displacement from Loikaw." in page
    assert f"Linked to <strong>event #{event.pk}, Displacement from Loikaw</strong>." in page

    response = moderator_client.post(act_url(report, "unlink"), {"unlink-version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.event is None
    assert report.history.last().changes == {"event": [event.pk, None]}


def test_an_event_number_typed_in_burmese_digits_links_the_report(moderator_client, submit, event):
    report = submit()
    page = text(moderator_client.get(review_url(report)))
    # A text box with the phone's number keyboard: a browser's number box takes Latin digits only.
    assert 'name="link-event" inputmode="numeric"' in page
    burmese = "".join(chr(0x1040 + int(digit)) for digit in str(event.pk))
    response = moderator_client.post(
        act_url(report, "link"), {"link-version": report.version, "link-event": burmese}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.event == event


def test_start_a_new_event_with_a_duplicate(moderator_client, submit, other_partner):
    report = submit(title="From the partner")
    duplicate = submit(other_partner, title="From the camp")
    page = text(moderator_client.get(review_url(report)))
    assert f"Start an event with #{report.pk} and #{duplicate.pk}" in page

    response = moderator_client.post(
        act_url(report, "new_event"),
        {
            "new_event-version": report.version,
            "new_event-name": "Loikaw, November 2023",
            "new_event-description": "",
            "new_event-also": f"{duplicate.pk}:{duplicate.version}",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.name == "Loikaw, November 2023"
    assert sorted(event.reports.values_list("pk", flat=True)) == [report.pk, duplicate.pk]


def test_new_event_needs_a_name_and_another_report(moderator_client, submit):
    report = submit()
    before = state(report)
    for data, message in (
        ({"new_event-name": ""}, "This field is required."),
        (
            {"new_event-name": "E", "new_event-also": f"{report.pk}:{report.version}"},
            "Choose another report than this one.",
        ),
        ({"new_event-name": "E", "new_event-also": "999999:1"}, "Report #999999 does not exist."),
        ({"new_event-name": "E", "new_event-also": "5"}, "Unrecognised report &#x27;5&#x27;"),
    ):
        response = moderator_client.post(
            act_url(report, "new_event"), {"new_event-version": report.version, **data}
        )
        assert response.status_code == 400
        assert message in text(response)
    assert Event.objects.count() == 0
    assert state(report) == before


def test_new_event_is_not_left_behind_when_the_duplicate_changed(
    moderator_client, moderator, second_moderator, submit, other_partner
):
    report = submit(title="From the partner")
    duplicate = submit(other_partner, title="From the camp")
    seen = duplicate.version
    services.report_approve(report=duplicate, actor=second_moderator)
    before = state(report), state(duplicate)
    response = moderator_client.post(
        act_url(report, "new_event"),
        {
            "new_event-version": report.version,
            "new_event-name": "Loikaw, November 2023",
            "new_event-also": f"{duplicate.pk}:{seen}",
        },
    )
    assert response.status_code == 409
    assert f"Report #{duplicate.pk} was changed by someone else" in text(response)
    assert Event.objects.count() == 0
    assert (state(report), state(duplicate)) == before


def test_reference_figure_only_from_approved_reports(
    moderator_client, moderator, submit, event, other_partner
):
    approved = services.report_approve(report=submit(title="Approved one"), actor=moderator)
    pending = submit(other_partner, title="Pending one")
    for report in (approved, pending):
        services.report_link_event(report=report, event=event, actor=moderator)
        report.refresh_from_db()
    approved_figure, pending_figure = approved.figures.get(), pending.figures.get()

    page = text(moderator_client.get(review_url(pending)))
    assert "<h3>People newly displaced</h3>" in page
    assert (
        "No reference chosen: the event counts the most recently published approved figure. "
        "Range among approved reports: 35,000 people."
    ) in page
    assert (
        f'<span class="meta">Report #{pending.pk} is submitted: only an approved report&#x27;s '
        "figure can be what an event counts.</span>"
    ) in page
    assert f'name="reference-figure" value="{pending_figure.pk}"' not in page
    assert f'name="reference-figure" value="{approved_figure.pk}"' in page

    before = state(pending), EventReferenceFigure.objects.count()
    response = moderator_client.post(
        act_url(pending, "reference"),
        {"reference-figure": pending_figure.pk, "reference-version": pending.version},
    )
    assert response.status_code == 409
    assert (
        f"Nothing was changed.</strong> Report #{pending.pk} is submitted: only an approved "
        "report&#x27;s figure can be what an event counts."
    ) in text(response)
    assert (state(pending), EventReferenceFigure.objects.count()) == before

    response = moderator_client.post(
        act_url(pending, "reference"),
        {"reference-figure": approved_figure.pk, "reference-version": approved.version},
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(pending)
    reference = EventReferenceFigure.objects.get()
    assert (reference.event, reference.figure, reference.chosen_by) == (
        event,
        approved_figure,
        moderator,
    )
    page = text(moderator_client.get(review_url(pending)))
    assert '<strong class="reference">✓ Reference</strong>' in page
    assert f"Counted: the figure of report #{approved.pk}, marked as the reference." in page
    entry = approved.history.last()
    assert (entry.action, entry.actor) == ("set_reference", moderator)
    assert "People newly displaced: approximately 35,000 people" in text(
        moderator_client.get(review_url(approved))
    )


def test_reference_figure_with_a_stale_version_is_refused(
    moderator_client, moderator, submit, event
):
    approved = services.report_approve(report=submit(), actor=moderator)
    services.report_link_event(report=approved, event=event, actor=moderator)
    approved.refresh_from_db()
    seen = approved.version
    services.report_update(report=approved, actor=moderator, title="Renamed")
    response = moderator_client.post(
        act_url(approved, "reference"),
        {"reference-figure": approved.figures.get().pk, "reference-version": seen},
    )
    assert response.status_code == 409
    assert "was changed by someone else" in text(response)
    assert EventReferenceFigure.objects.count() == 0


def test_the_review_page_reads_in_burmese(moderator_client, submit):
    report = submit()
    moderator_client.cookies["django_language"] = "my"
    page = text(moderator_client.get(review_url(report)))
    for decision in ("အတည်ပြုရန်", "ပြင်ဆင်ရန် တောင်းဆိုရန်", "ပယ်ချရန်"):  # approve, ...
        assert f"<summary>{decision}</summary>" in page
    assert "The Irrawaddy, 2023 ခုနှစ် နိုဝင်ဘာလ 13 ရက်: Karenni Armed Group" in page
    assert "13 Nov 2023" not in page and "<summary>Approve</summary>" not in page
    # The event forms' labels, folded away until opened.
    assert "ဖြစ်ရပ် နံပါတ်" in page and "ဖြစ်ရပ်အသစ်၏ အမည်" in page
    assert "Event number" not in page and "Name of the new event" not in page
    moderator_client.post(act_url(report, "approve"), {"approve-version": report.version})
    page = text(moderator_client.get(review_url(report)))
    assert f'<li class="success">အစီရင်ခံစာ #{report.pk} ကို အတည်ပြုပြီးပါပြီ။</li>' in page


def test_review_page_names_a_sources_language_in_the_pages_language(
    moderator_client, moderator, submit
):
    burmese = services.source_create(
        actor=moderator, source_type="news_media", name="Kantarawaddy Times", language="my"
    )
    kayah_li = services.source_create(
        actor=moderator, source_type="local_cso", name="Camp committee", language="kyu"
    )
    report = submit(sources=[burmese, kayah_li])
    page = text(moderator_client.get(review_url(report)))
    assert "News media: Kantarawaddy Times · Burmese</li>" in page
    # A code Django does not know is shown as it was entered.
    assert "Local civil society or monitor: Camp committee · kyu</li>" in page
    moderator_client.cookies["django_language"] = "my"
    page = text(moderator_client.get(review_url(report)))
    assert "Kantarawaddy Times · မြန်မာ</li>" in page
    assert "Camp committee · kyu</li>" in page


# --- likely duplicates ----------------------------------------------------------------------


def test_likely_duplicates_are_found_and_ranked(
    moderator_client, moderator, submit, file_report, places, other_partner, field_partner
):
    report = submit(title="The report")  # Loikaw Town, 11-13 Nov, newly displaced
    same_place = submit(other_partner, title="Same place")
    township = submit(other_partner, title="Township", place=places["loikaw"])
    state_level = submit(other_partner, title="State", place=places["kayah"])
    week_later = submit(
        other_partner, title="Five days later", start_date=date(2023, 11, 18), end_date=None
    )
    near = submit(
        other_partner,
        title="Near, in Demoso",
        place=places["demoso"],
        latitude="19.690000",
        longitude="97.220000",
    )
    # Not duplicates: another metric, too late, a draft, a rejected one, far away.
    submit(other_partner, title="Killed", figures=[dict(metric="killed", value=2)])
    submit(other_partner, title="Too late", start_date=date(2023, 11, 21), end_date=None)
    file_report(field_partner, title="Draft")
    services.report_reject(report=submit(title="Rejected"), actor=moderator, reason="No.")
    submit(other_partner, title="Far, in Demoso", place=places["demoso"])

    found = selectors.likely_duplicates(report)
    # Same place, overlapping: 4 + 2 + 1; same place five days later: 4 + 3/8 + 1; 2 km
    # away, overlapping: 1 + 2 * (1 - 2.045 / 5) + 2 + 1; coarser places: 1 + 2 + 1.
    assert [(d.report.title, d.score) for d in found] == [
        ("Same place", 7),
        ("Five days later", 5.38),
        ("Near, in Demoso", 5.18),
        ("Township", 4),
        ("State", 4),
    ]
    reasons = {d.report.title: d.reasons for d in found}
    assert reasons["Same place"] == (
        "same place",
        "dates overlap",
        "same metric: people newly displaced",
    )
    assert reasons["Township"] == (
        "covers this place (reported for Loikaw Township)",
        "dates overlap",
        "same metric: people newly displaced",
    )
    assert reasons["Near, in Demoso"] == (
        "2.0 km away",
        "dates overlap",
        "same metric: people newly displaced",
    )
    assert reasons["Five days later"] == (
        "same place",
        "dates 5 days apart",
        "same metric: people newly displaced",
    )
    assert reasons["State"][0] == "covers this place (reported for Kayah)"
    page = text(moderator_client.get(review_url(report)))
    assert "Why: same place; dates overlap; same metric: people newly displaced." in page
    for title in ("Killed", "Too late", "Draft", "Rejected", "Far, in Demoso"):
        assert f"{title}</a>" not in page
    assert f"#{same_place.pk} Same place</a>" in page
    assert {township.pk, state_level.pk, week_later.pk, near.pk} <= {d.report.pk for d in found}


def test_likely_duplicates_meet_its_days_within_a_week_at_either_edge(submit, other_partner):
    report = submit(title="The report")  # Loikaw Town, 11-13 Nov 2023
    for title, start, end in [
        ("A two-year tally", date(2022, 1, 1), date(2023, 11, 30)),
        ("Ended a week before", date(2023, 10, 1), date(2023, 11, 4)),
        ("Ended eight days before", date(2023, 10, 1), date(2023, 11, 3)),
        ("Starts a week after", date(2023, 11, 20), None),
        ("Starts eight days after", date(2023, 11, 21), date(2024, 1, 31)),
    ]:
        submit(other_partner, title=title, start_date=start, end_date=end)
    found = {d.report.title: d.reasons[1] for d in selectors.likely_duplicates(report)}
    assert found == {
        "A two-year tally": "dates overlap",
        "Ended a week before": "dates 7 days apart",
        "Starts a week after": "dates 7 days apart",
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index (migration 0033)")
def test_the_reports_days_are_read_from_their_range_index(submit):
    from psycopg.types.range import Range

    from reports.models import Report
    from reports.selectors.moderation import report_days

    submit()
    meeting = Report.objects.alias(days=report_days()).filter(
        days__overlap=Range(date(2023, 11, 4), date(2023, 11, 20), "[]")
    )
    assert meeting.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = meeting.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "report_days" in plan  # the selector's expression is the index's (migration 0033)


def test_likely_duplicates_in_the_same_township_and_already_linked(
    moderator, submit, places, other_partner, event
):
    from tests.conftest import _place

    village = _place("MMR002001702", 4, "Dawtama", places["loikaw"], kind="Village tract")
    report = submit(title="The report")
    sibling = submit(other_partner, title="Sibling", place=village)
    linked = submit(other_partner, title="Linked")
    for r in (report, linked):
        services.report_link_event(report=r, event=event, actor=moderator)
    report.refresh_from_db()
    found = {d.report.title: d.reasons for d in selectors.likely_duplicates(report)}
    assert found == {
        "Sibling": (
            "in the same township (Loikaw Township)",
            "dates overlap",
            "same metric: people newly displaced",
        )
    }
    assert sibling.pk not in {r.pk for r in event.reports.all()}


def test_add_a_duplicate_to_this_reports_event(
    moderator_client, moderator, submit, event, other_partner
):
    report = submit()
    services.report_link_event(report=report, event=event, actor=moderator)
    duplicate = submit(other_partner, title="The duplicate")
    page = text(moderator_client.get(review_url(report)))
    assert f"Add #{duplicate.pk} to event #{event.pk}" in page
    response = moderator_client.post(
        act_url(duplicate, "link"), {"link-version": duplicate.version, "link-event": event.pk}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.event == event


# --- the daily digest -----------------------------------------------------------------------


def test_moderation_digest_lists_what_awaits_review(submit, monkeypatch, moderator, other_partner):
    assert tasks.send_moderation_digest() == 0
    assert mail.outbox == []

    old = submitted_days_ago(monkeypatch, submit, 3, title="Waiting longest")
    submitted_days_ago(monkeypatch, submit, 1, title="Waiting less", actor=other_partner)
    services.report_approve(report=submit(title="Decided"), actor=moderator)

    assert tasks.send_moderation_digest.delay(limit=1).get() == 1
    message = mail.outbox[-1]
    assert message.to == ["moderator@example.org"]
    assert message.subject == "[Tracker] 2 reports await review"
    assert message.body == (
        "2 reports await review. The one waiting longest was submitted 3\xa0days ago.\n\n"
        f'- #{old.pk} "Waiting longest" (Loikaw Town, Loikaw monitors), waiting 3\xa0days\n'
        "- and 1 more\n\n"
        "Review them in the moderation queue (/moderation/)."
    )


def test_digest_is_scheduled_daily():
    schedule = settings.CELERY_BEAT_SCHEDULE["moderation-digest"]
    assert schedule == {"task": "reports.tasks.send_moderation_digest", "schedule": 24 * 3600}
