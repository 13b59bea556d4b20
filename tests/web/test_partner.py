"""The field partner's pages: filing a report with figures and sources, drafts, submission
once per form, resubmission after a moderator's request, and what a partner may open."""

import html
import re
import threading
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection

from gazetteer.models import Place
from reports import services
from reports.exceptions import ActionRefused
from reports.models import Membership, Report, ReportHistory, Source
from reports.roles import Role
from reports.selectors import kept_token
from reports.workflow import Status

ZAWGYI = "ေနျပည္ေတာ္"  # "Naypyitaw" typed with the Zawgyi font


def form_key(response) -> str:
    return re.search(r'name="submission_key" value="([^"]+)"', response.content.decode()).group(1)


def report_data(key, **overrides):
    data = {
        "submission_key": key,
        "title": "Residents flee Loikaw",
        "place": "လွိုင်ကော်",
        "start_date": "2023-11-11",
        "end_date": "2023-11-13",
        "date_precision": "day",
        "cause": "ground_assault",
        "tags": "Operation 1111, Loikaw",
        "public_summary": "About 35,000 residents left the town.",
        "internal_notes": "Contact in ward 3.",
        "figures-TOTAL_FORMS": "3",
        "figures-INITIAL_FORMS": "0",
        "figures-0-metric": "newly_displaced",
        "figures-0-qualifier": "approximately",
        "figures-0-value": "35000",
        "figures-0-unit": "people",
        "figures-1-metric": "homes_destroyed",
        "figures-1-qualifier": "range",
        "figures-1-value_min": "40",
        "figures-1-value_max": "60",
        "figures-1-unit": "structures",
        "sources-TOTAL_FORMS": "2",
        "sources-INITIAL_FORMS": "0",
        "sources-0-source_type": "field_observation",
        "sources-0-name": "Our monitor in Loikaw",
        "sources-0-is_confidential": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def partner_client(client, field_partner, places):
    client.force_login(field_partner)
    return client


def new_form(client):
    response = client.get("/partner/reports/new/")
    assert response.status_code == 200
    return form_key(response)


def test_a_partner_files_a_draft_with_figures_sources_and_burmese_place(partner_client):
    key = new_form(partner_client)
    response = partner_client.post("/partner/reports/new/", report_data(key, save="1"))

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/partner/reports/{report.pk}/"
    assert report.status == Status.DRAFT
    assert report.place.pcode == "MMR002001701"
    assert sorted(t.name for t in report.tags.all()) == ["Loikaw", "Operation 1111"]
    assert [(f.metric, f.count_low, f.count_best, f.count_high) for f in report.figures.all()] == [
        ("homes_destroyed", 40, 50, 60),
        ("newly_displaced", 35000, 35000, 35000),
    ]
    source = report.sources.get()
    assert (source.source_type, source.name, source.is_confidential) == (
        "field_observation",
        "Our monitor in Loikaw",
        True,
    )
    page = partner_client.get(response["Location"]).content.decode()
    assert f"Report #{report.pk} was saved as a draft." in page
    assert '<span lang="my">လွိုင်ကော်</span>' in page
    assert "People newly displaced: approximately 35,000 people" in page
    assert "Homes destroyed: 40–60 buildings" in page


def test_submitting_twice_with_one_form_makes_one_report(partner_client):
    key = new_form(partner_client)
    first = partner_client.post("/partner/reports/new/", report_data(key, submit="1"))
    second = partner_client.post("/partner/reports/new/", report_data(key, submit="1"))
    third = partner_client.post("/partner/reports/new/", report_data(key, save="1"))

    report = Report.objects.get()
    assert report.status == Status.SUBMITTED
    assert first["Location"] == second["Location"] == third["Location"]
    assert list(report.history.values_list("action", flat=True)) == ["create", "submit"]
    assert Source.objects.count() == 1
    page = partner_client.get(second["Location"]).content.decode()
    assert f"This form had already been sent: report #{report.pk} was saved once, not twice." in (
        page
    )
    # A fresh form is a new report.
    partner_client.post("/partner/reports/new/", report_data(new_form(partner_client), save="1"))
    assert Report.objects.count() == 2


def test_a_form_without_a_valid_key_is_refused_and_nothing_is_stored(partner_client):
    response = partner_client.post("/partner/reports/new/", report_data("x", submit="1"))
    assert response.status_code == 400
    assert "This form has expired or was altered: reload the page." in response.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.parametrize("overrides", [{"submission_key": None}, {"version": "abc"}])
def test_a_missing_or_altered_hidden_field_is_said_at_the_top(partner_client, overrides):
    data = report_data(new_form(partner_client), save="1") | overrides
    response = partner_client.post("/partner/reports/new/", {k: v for k, v in data.items() if v})
    assert response.status_code == 400
    box = re.search(r'<div class="errorbox" role="alert">(.*?)</div>', response.content.decode())
    assert "This form has expired or was altered: reload the page." in box.group(1)
    assert Report.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_one_form_make_one_report(field_partner, places, news_source):
    from django.db import connections

    barrier = threading.Barrier(2)
    results, errors = [], []

    def post():
        try:
            barrier.wait(timeout=10)
            results.append(
                services.report_save(
                    actor=field_partner,
                    submission_key="same-key-0001",
                    submit=True,
                    title="Race",
                    place=places["loikaw"],
                    start_date="2023-11-11",
                    figures=[{"metric": "killed", "value": 3}],
                    sources=[news_source],
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Report.objects.count() == 1
    assert sorted(r.replayed for r in results) == [False, True]
    assert results[0].report.pk == results[1].report.pk


def test_an_ambiguous_place_asks_which_one_and_keeps_what_was_typed(partner_client, places):
    key = new_form(partner_client)
    response = partner_client.post("/partner/reports/new/", report_data(key, place="Loikaw"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Several places match: choose one below, or type more of the name." in html
    assert 'value="MMR002001"' in html
    assert "Loikaw Township, Loikaw District, Kayah State (MMR002001)" in html
    assert 'value="Residents flee Loikaw"' in html
    assert Report.objects.count() == 0

    chosen = report_data(key, place="Loikaw", place_choice="MMR002001", save="1")
    assert partner_client.post("/partner/reports/new/", chosen).status_code == 302
    assert Report.objects.get().place == places["loikaw"]


def test_a_place_can_be_given_by_pcode_or_by_a_suggestion_label(partner_client, places):
    for typed in ("mmr002002", "Demoso, Loikaw District, Kayah (MMR002002)"):
        key = new_form(partner_client)
        partner_client.post("/partner/reports/new/", report_data(key, place=typed, save="1"))
    assert list(Report.objects.values_list("place__pcode", flat=True)) == ["MMR002002"] * 2


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"place": "Atlantis"}, "place", "No place in the gazetteer matches this."),
        (
            {"figures-1-value_min": "70"},
            "figures-1-value_min",
            "The minimum (70) is greater than the maximum (60).",
        ),
        ({"figures-0-value": "-5"}, "figures-0-value", "Cannot be negative."),
        ({"end_date": "2023-11-01"}, "end_date", "The end date is before the start date."),
        ({"start_date": "2099-01-01", "end_date": ""}, "start_date", "Cannot be in the future."),
        # A date too early to count back from (the review page and the briefing do).
        (
            {"start_date": "0001-01-01", "end_date": ""},
            "start_date",
            "Enter a date from 1 January 1900 on.",
        ),
        ({"sources-0-url": "javascript:alert(1)"}, "sources-0-url", "starting with http://"),
        ({"title": "x" * 201}, "title", "at most 200 characters (it has 201)"),
        ({"public_summary": "y" * 4001}, "public_summary", "at most 4000 characters (it has 4001)"),
        ({"start_date": "11/11/2023"}, "start_date", "Enter a date as YYYY-MM-DD."),
        ({"figures-0-value": "many"}, "figures-0-value", "Enter a whole number."),
        ({"latitude": "19.6"}, "longitude", "Give both latitude and longitude, or neither."),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_stored(
    partner_client, overrides, field, message
):
    key = new_form(partner_client)
    data = report_data(key, submit="1", **overrides)
    response = partner_client.post("/partner/reports/new/", data)
    html = response.content.decode()

    assert response.status_code == 400
    assert message.lower() in html.lower()
    # The message sits in the field's own error list, next to it.
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert message.lower() in errors.group(1).lower()
    assert 'value="Residents flee Loikaw"' in html or "title" in overrides
    assert (Report.objects.count(), Source.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"end_date": "2023-11-01"}, "end_date", "ပြီးဆုံးသည့်ရက်သည် စတင်သည့်ရက် မတိုင်မီ"),
        ({"start_date": "2099-01-01", "end_date": ""}, "start_date", "အနာဂတ်ရက်စွဲ မဖြစ်ရပါ။"),
        ({"figures-0-value": "-5"}, "figures-0-value", "အနုတ်ကိန်း မဖြစ်ရပါ။"),
        (
            {"figures-1-value_min": "70"},
            "figures-1-value_min",
            "အနိမ့်ဆုံး (70) သည် အမြင့်ဆုံး (60) ထက် များနေပါသည်။",
        ),
        # Django's own messages, which its Burmese catalogue lacks (reports/django_messages.py).
        ({"start_date": ""}, "start_date", "ဤအကွက်ကို ဖြည့်ရန် လိုအပ်ပါသည်။"),
        (
            {"date_precision": "ab"},
            "date_precision",
            "မှန်ကန်သော ရွေးချယ်မှုကို ရွေးပါ။ ab သည် ရွေးချယ်နိုင်သည့်အရာများထဲတွင် မပါဝင်ပါ။",
        ),
    ],
)
def test_a_field_partner_reading_burmese_is_refused_in_burmese(
    partner_client, overrides, field, message
):
    partner_client.cookies["django_language"] = "my"
    key = new_form(partner_client)
    response = partner_client.post(
        "/partner/reports/new/", report_data(key, submit="1", **overrides)
    )
    html = response.content.decode()
    assert response.status_code == 400
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert message in errors.group(1)
    assert not re.search(r"[A-Za-z]{4,}", re.sub(r"<[^>]+>", "", errors.group(1)))
    assert (Report.objects.count(), Source.objects.count()) == (0, 0)


def test_households_without_a_size_take_the_country_default_or_are_refused(partner_client, places):
    figure = {"figures-0-unit": "households", "figures-0-value": "100", "figures-TOTAL_FORMS": "1"}
    key = new_form(partner_client)
    partner_client.post("/partner/reports/new/", report_data(key, save="1", **figure))
    assert Report.objects.get().figures.get().count_best == 440  # x 4.4, Myanmar's default

    Place.objects.filter(pcode="MMR").update(default_household_size=None)
    response = partner_client.post(
        "/partner/reports/new/", report_data(new_form(partner_client), save="1", **figure)
    )
    assert response.status_code == 400
    assert "Figure 1: A figure in households needs the people per household." in (
        response.content.decode()
    )
    assert Report.objects.count() == 1


def test_html_typed_anywhere_is_shown_as_text(partner_client):
    key = new_form(partner_client)
    script = "<script>alert('x')</script>"
    partner_client.post(
        "/partner/reports/new/",
        report_data(
            key,
            save="1",
            title=f"Title {script}",
            public_summary=f"Summary {script}",
            internal_notes=f"Notes {script}",
            **{"sources-0-name": f"Source {script}", "figures-0-note": f"Note {script}"},
        ),
    )
    report = Report.objects.get()
    html = partner_client.get(f"/partner/reports/{report.pk}/").content.decode()
    assert script not in html
    assert html.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") == 6  # title twice
    listing = partner_client.get("/partner/").content.decode()
    assert script not in listing and "Title &lt;script&gt;" in listing


def test_zawgyi_text_is_caught_before_it_is_stored(partner_client):
    key = new_form(partner_client)
    response = partner_client.post(
        "/partner/reports/new/", report_data(key, save="1", title=f"{ZAWGYI} report")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "looks like it was typed with the Zawgyi font" in html and "Title" in html
    assert Report.objects.count() == 0
    assert f'value="{ZAWGYI} report"' in html

    confirmed = report_data(key, save="1", title=f"{ZAWGYI} report", store_as_typed="on")
    assert partner_client.post("/partner/reports/new/", confirmed).status_code == 302
    assert Report.objects.get().title == f"{ZAWGYI} report"


def test_unicode_burmese_text_round_trips_unchanged(partner_client):
    title = "လွိုင်ကော်မြို့မှ ထွက်ပြေးသူများ"
    key = new_form(partner_client)
    partner_client.post("/partner/reports/new/", report_data(key, save="1", title=title))
    report = Report.objects.get()
    assert report.title == title
    assert title in partner_client.get(f"/partner/reports/{report.pk}/").content.decode()


def test_dates_and_numbers_typed_in_burmese_digits_read_as_written(partner_client):
    key = new_form(partner_client)
    typed = {
        "start_date": "၂၀၂၃-၁၁-၁၁",
        "end_date": "၂၀၂၃-၁၁-၁၃",
        "figures-0-value": "၃၅,၀၀၀",
        "figures-1-value_min": "40",
        "figures-1-value_max": "1,060",
    }
    response = partner_client.post("/partner/reports/new/", report_data(key, save="1", **typed))
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.start_date, report.end_date) == (date(2023, 11, 11), date(2023, 11, 13))
    assert [(f.metric, f.count_low, f.count_high) for f in report.figures.order_by("pk")] == [
        ("newly_displaced", 35000, 35000),
        ("homes_destroyed", 40, 1060),
    ]


def test_submitting_without_a_source_is_refused_and_nothing_is_stored(partner_client):
    key = new_form(partner_client)
    data = report_data(key, submit="1", **{"sources-0-source_type": "", "sources-0-name": ""})
    response = partner_client.post("/partner/reports/new/", data)
    assert response.status_code == 409
    assert "Cite at least one source before submitting" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_new_source_row_needs_a_type_and_a_name(partner_client):
    key = new_form(partner_client)
    data = report_data(key, save="1", **{"sources-0-source_type": ""})
    response = partner_client.post("/partner/reports/new/", data)
    assert response.status_code == 400
    assert "Source 1: Unknown source type &#x27;&#x27;." in response.content.decode()


def test_add_row_buttons_work_without_javascript(partner_client):
    key = new_form(partner_client)
    response = partner_client.post("/partner/reports/new/", report_data(key, add_figure="1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="figures-TOTAL_FORMS" value="4"' in html
    assert 'name="figures-3-metric"' in html
    assert Report.objects.count() == 0


def test_resubmission_after_the_moderator_asks_for_changes(
    partner_client, field_partner, moderator
):
    key = new_form(partner_client)
    partner_client.post("/partner/reports/new/", report_data(key, submit="1"))
    report = Report.objects.get()
    services.report_request_changes(
        report=report, actor=moderator, message="Which ward? Add the source's date."
    )

    listing = partner_client.get("/partner/").content.decode()
    assert "Changes requested" in listing and "Which ward? Add the source&#x27;s date." in listing
    edit = partner_client.get(f"/partner/reports/{report.pk}/edit/")
    html = edit.content.decode()
    assert 'value="Residents flee Loikaw"' in html
    assert "Loikaw Town, Loikaw Township, Loikaw District, Kayah State (MMR002001701)" in html
    assert "Save and resubmit" in html

    report.refresh_from_db()
    data = {
        "submission_key": form_key(edit),
        "version": str(report.version),
        "title": "Residents flee Loikaw, ward 3",
        "place": "Loikaw Town, Loikaw Township, Loikaw District, Kayah State (MMR002001701)",
        "start_date": "2023-11-11",
        "date_precision": "day",
        "figures-TOTAL_FORMS": "1",
        "figures-INITIAL_FORMS": "0",
        "figures-0-metric": "newly_displaced",
        "figures-0-qualifier": "at_least",
        "figures-0-value": "35000",
        "figures-0-unit": "people",
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "0",
        "sources-0-existing": str(report.sources.get().public_id),
        "submit": "1",
    }
    response = partner_client.post(f"/partner/reports/{report.pk}/edit/", data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert report.title == "Residents flee Loikaw, ward 3"
    assert [str(f) for f in report.figures.all()] == [
        "People newly displaced: at least 35,000 people"
    ]
    actions = list(report.history.values_list("action", flat=True))
    assert actions == ["create", "submit", "request_changes", "edit", "submit"]
    edit_row = report.history.get(action="edit")
    assert edit_row.changes["title"] == ["Residents flee Loikaw", "Residents flee Loikaw, ward 3"]
    assert edit_row.actor == field_partner


def test_a_stale_edit_is_refused_with_the_current_state(partner_client, moderator):
    key = new_form(partner_client)
    partner_client.post("/partner/reports/new/", report_data(key, save="1"))
    report = Report.objects.get()
    edit = partner_client.get(f"/partner/reports/{report.pk}/edit/")
    services.report_update(report=report, actor=moderator, title="Fixed by the moderator")

    data = report_data(form_key(edit), save="1", version="1", title="Partner's title")
    data["place"] = "MMR002001701"
    response = partner_client.post(f"/partner/reports/{report.pk}/edit/", data)
    assert response.status_code == 409
    assert "was changed by someone else while you were working on it" in response.content.decode()
    report.refresh_from_db()
    assert (report.title, report.version) == ("Fixed by the moderator", 2)


def test_a_partner_cannot_edit_a_report_under_review(partner_client, field_partner, file_report):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    response = partner_client.get(f"/partner/reports/{report.pk}/edit/", follow=True)
    assert "This report is submitted: it can no longer be changed." in response.content.decode()
    before = ReportHistory.objects.count()
    data = report_data(new_form(partner_client), save="1", version=str(report.version + 1))
    partner_client.post(f"/partner/reports/{report.pk}/edit/", data)
    assert ReportHistory.objects.count() == before
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_a_partner_sees_only_their_own_organisations_reports(
    client, field_partner, other_partner, moderator, file_report
):
    mine = file_report(field_partner, title="Ours")
    theirs = file_report(other_partner, title="Theirs", internal_notes="their secret")
    services.report_submit(report=theirs, actor=other_partner)
    services.report_approve(report=theirs, actor=moderator)

    client.force_login(field_partner)
    listing = client.get("/partner/").content.decode()
    assert "Ours" in listing and "Theirs" not in listing
    assert client.get(f"/partner/reports/{mine.pk}/").status_code == 200
    for url in (
        f"/partner/reports/{theirs.pk}/",
        f"/partner/reports/{theirs.pk}/edit/",
        "/partner/reports/999999/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/partner/reports/{theirs.pk}/submit/").status_code == 404


def test_other_organisations_confidential_sources_are_not_offered(
    client, field_partner, other_partner, moderator, file_report
):
    services.source_create(
        actor=other_partner, source_type="local_cso", name="Their informant", is_confidential=True
    )
    theirs = services.source_create(
        actor=other_partner, source_type="news_media", name="Their paper"
    )
    services.source_create(actor=field_partner, source_type="news_media", name="Our paper")
    client.force_login(field_partner)
    html = client.get("/partner/reports/new/").content.decode()
    assert "Our paper" in html and "The Irrawaddy" in html  # a moderator's: everyone's
    assert "Their informant" not in html
    # Another organisation's public source once an approved report cites it, not before: its
    # title, date and address would tell what the other organisation documents before a
    # moderator approves any of it.
    assert "Their paper" not in html
    report = file_report(other_partner, sources=[theirs])
    services.report_submit(report=report, actor=other_partner)
    assert "Their paper" not in client.get("/partner/reports/new/").content.decode()
    services.report_approve(report=report, actor=moderator)
    assert "Their paper" in client.get("/partner/reports/new/").content.decode()

    hidden = Source.objects.get(name="Their informant")
    data = report_data(new_form(client), save="1", **{"sources-1-existing": str(hidden.public_id)})
    response = client.post("/partner/reports/new/", data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Report.objects.count() == 1  # theirs, nothing more


def test_a_partner_who_moves_leaves_the_old_organisations_confidential_sources_behind(
    client, field_partner, organizations, places, news_source
):
    """A confidential source stays with the organisation it was added for: its author, moved
    to another organisation, is no longer offered it nor may cite it by id; a colleague who
    stayed still is."""
    informant = services.source_create(
        actor=field_partner, source_type="local_cso", name="Ward 3 monitor", is_confidential=True
    )
    membership = Membership.objects.get(user=field_partner)
    membership.organization = organizations["relief"]
    membership.save()

    client.force_login(field_partner)
    html = client.get("/partner/reports/new/").content.decode()
    assert "The Irrawaddy" in html and "Ward 3 monitor" not in html
    data = report_data(
        new_form(client), save="1", **{"sources-1-existing": str(informant.public_id)}
    )
    response = client.post("/partner/reports/new/", data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Report.objects.count() == 0

    colleague = get_user_model().objects.create_user(username="colleague", password="x-pass-9")
    colleague.groups.add(Group.objects.get(name=Role.FIELD_PARTNER))
    Membership.objects.create(user=colleague, organization=organizations["monitors"])
    client.force_login(colleague)
    assert "Ward 3 monitor" in client.get("/partner/reports/new/").content.decode()
    data = report_data(
        new_form(client), save="1", **{"sources-1-existing": str(informant.public_id)}
    )
    assert client.post("/partner/reports/new/", data).status_code == 302
    report = Report.objects.get()
    assert informant in report.sources.all()
    assert Source.objects.get(name="Our monitor in Loikaw").organization == report.organization


def test_a_form_opened_before_a_moderator_gives_its_source_away_cannot_cite_it(
    client, field_partner, moderator, organizations, places, news_source
):
    """The form is checked when it is sent, not when it was opened: a partner who opened it
    while their organisation's informant was offered, and sends it after a moderator gave the
    informant to another organisation, is refused as for an unknown id, nothing saved."""
    informant = services.source_create(
        actor=field_partner, source_type="local_cso", name="Ward 3 monitor", is_confidential=True
    )
    client.force_login(field_partner)
    opened = client.get("/partner/reports/new/")
    assert "Ward 3 monitor" in opened.content.decode()

    services.source_update(
        actor=moderator,
        source=informant,
        **{k: getattr(informant, k) for k in ("source_type", "name", "title", "url")},
        published_on=informant.published_on,
        language=informant.language,
        is_confidential=True,
        organization=organizations["relief"],
    )
    data = report_data(
        form_key(opened), save="1", **{"sources-1-existing": str(informant.public_id)}
    )
    response = client.post("/partner/reports/new/", data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert (
        Report.objects.count(),
        Source.objects.filter(name="Our monitor in Loikaw").count(),
    ) == (
        0,
        0,
    )


def test_a_moderators_confidential_source_is_not_offered_to_the_moderators_organisation(
    client, field_partner, other_partner, moderator, organizations, file_report
):
    """A moderator who is one of the monitors types a relief partner's informant into the
    relief group's report: the source belongs to no organisation, so the monitors are not
    offered it by name (nor the relief group, until a moderator gives it to them)."""
    Membership.objects.create(user=moderator, organization=organizations["monitors"])
    report = file_report(other_partner)
    services.report_save(
        actor=moderator,
        submission_key="0" * 32,
        report=report,
        expected_version=report.version,
        new_sources=[{"source_type": "local_cso", "name": "Naw Paw", "is_confidential": True}],
        sources=list(report.sources.all()),
    )
    informant = Source.objects.get(name="Naw Paw")
    assert informant.organization is None and informant in report.sources.all()
    for partner in (field_partner, other_partner):
        client.force_login(partner)
        assert "Naw Paw" not in client.get("/partner/reports/new/").content.decode()


def test_the_partner_pages_refuse_methods_they_do_not_take(client, field_partner, file_report):
    """PUT, PATCH and DELETE answered the page as a GET (200, nothing changed)."""
    report = file_report(field_partner)
    client.force_login(field_partner)
    pages = {
        "/partner/": "GET",
        f"/partner/reports/{report.pk}/": "GET",
        "/partner/reports/new/": "GET, HEAD, POST",
        f"/partner/reports/{report.pk}/edit/": "GET, HEAD, POST",
    }
    for url, allowed in pages.items():
        for method in (client.put, client.patch, client.delete):
            response = method(url)
            assert (url, response.status_code, response["Allow"]) == (url, 405, allowed)
        assert client.get(url).status_code == 200
    assert Report.objects.get().version == report.version


@pytest.mark.parametrize("role", ["advocate", None])
def test_people_who_are_not_partners_cannot_open_the_partner_pages(client, role, request, places):
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get("/partner/reports/new/")
    if role:
        assert response.status_code == 403
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_moderator_edits_a_submitted_report_with_the_same_form(
    client, field_partner, moderator, file_report
):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    client.force_login(moderator)
    edit = client.get(f"/partner/reports/{report.pk}/edit/")
    assert edit.status_code == 200
    report.refresh_from_db()
    data = report_data(form_key(edit), save="1", version=str(report.version))
    data.update({"sources-0-existing": str(report.sources.get().public_id), "sources-0-name": ""})
    data["sources-0-source_type"] = ""
    data["title"] = "Residents flee Loikaw (checked)"
    response = client.post(f"/partner/reports/{report.pk}/edit/", data)
    assert response["Location"] == f"/moderation/reports/{report.pk}/"
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert report.title == "Residents flee Loikaw (checked)"
    assert report.history.filter(action="edit", actor=moderator).count() == 1


def test_place_suggestions_by_burmese_name_english_name_and_pcode(partner_client):
    def labels(q):
        return [
            p["label"] for p in partner_client.get("/partner/places/", {"q": q}).json()["places"]
        ]

    # every choice says its kind (gazetteer.selectors.kind_paths)
    assert labels("လွိုင်ကော်") == [
        "Loikaw Town, Loikaw Township, Loikaw District, Kayah State (MMR002001701)"
    ]
    assert labels("MMR002002") == ["Demoso Township, Loikaw District, Kayah State (MMR002002)"]
    assert labels("loikaw")[:3] == [
        "Loikaw District, Kayah State (MMR002D001)",
        "Loikaw Township, Loikaw District, Kayah State (MMR002001)",
        "Loikaw Town, Loikaw Township, Loikaw District, Kayah State (MMR002001701)",
    ]
    assert labels("") == []


def test_the_report_form_is_light(partner_client):
    """A field partner on a slow connection downloads the form, its CSS and its script:
    well under the 100 KB the issue aims at."""
    from django.contrib.staticfiles import finders

    html = partner_client.get("/partner/reports/new/").content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+)"', html)
    total = len(html) + sum(Path(finders.find(a.decode())).stat().st_size for a in assets)
    # The offline scripts: docs/offline.md (the worker's downloads: tests/web/test_offline.py).
    offline = ["js/offline/page.js", "js/offline/store.js"]
    assert sorted(a.decode() for a in assets) == [
        "css/site.css", "favicon.svg", *offline, "js/place-search.js"
    ]  # fmt: skip
    assert total < 60_000, total


def test_the_partner_list_filters_by_status(partner_client, field_partner, file_report):
    file_report(field_partner, title="Still a draft")
    submitted = file_report(field_partner, title="Sent in")
    services.report_submit(report=submitted, actor=field_partner)
    html = partner_client.get("/partner/", {"status": "submitted"}).content.decode()
    assert "Sent in" in html and "Still a draft" not in html
    html = partner_client.get("/partner/", {"status": "bogus"}).content.decode()
    assert "Sent in" in html and "Still a draft" in html


def test_another_organisations_approved_report_reaches_a_partner_only_in_public_shape(
    client, field_partner, other_partner, moderator, places
):
    secret = services.source_create(
        actor=other_partner,
        source_type="local_cso",
        name="Camp leader Daw Mya",
        is_confidential=True,
    )
    theirs = services.report_create(
        actor=other_partner,
        title="Shelling near Demoso",
        place=Place.objects.get(pcode="MMR002002"),
        start_date="2023-11-12",
        internal_notes="Phone of the camp leader: 09-555",
        figures=[{"metric": "injured", "value": 4}],
        sources=[secret],
    )
    services.report_submit(report=theirs, actor=other_partner)
    services.report_approve(report=theirs, actor=moderator)

    client.force_login(field_partner)
    for url in ("/", "/partner/"):
        html = client.get(url).content.decode()
        assert "Camp leader Daw Mya" not in html and "09-555" not in html, url
    assert "Shelling near Demoso" in client.get("/").content.decode()
    assert "confidential local source" in client.get("/").content.decode()
    assert client.get(f"/partner/reports/{theirs.pk}/").status_code == 404


def test_the_partner_pages_speak_burmese(partner_client):
    response = partner_client.post("/i18n/setlang/", {"language": "my", "next": "/partner/"})
    assert response.status_code == 302
    html = partner_client.get("/partner/reports/new/").content.decode()
    assert '<html lang="my">' in html
    assert "အစီရင်ခံစာ အသစ်" in html  # "New report"
    assert "မူကြမ်းအဖြစ် သိမ်းမည်" in html  # "Save as draft"
    assert "ကိန်းဂဏန်းများ" in html  # "Figures"
    # Back to English with the same switch.
    partner_client.post("/i18n/setlang/", {"language": "en", "next": "/partner/"})
    assert "Save as draft" in partner_client.get("/partner/reports/new/").content.decode()


def test_the_submit_button_tapped_twice_submits_once(partner_client, field_partner, file_report):
    report = file_report(field_partner)
    url = f"/partner/reports/{report.pk}/submit/"
    partner_client.post(url, {"version": str(report.version)})
    response = partner_client.post(url, {"version": str(report.version)}, follow=True)
    assert f"Report #{report.pk} was already submitted." in response.content.decode()
    assert list(report.history.values_list("action", flat=True)) == ["create", "submit"]


def test_a_released_point_needs_a_new_release_when_it_moves(field_partner, moderator, file_report):
    report = file_report(field_partner, latitude="19.6", longitude="97.2")
    services.report_submit(report=report, actor=field_partner)
    services.report_update(report=report, actor=moderator, point_released=True)
    services.report_request_changes(report=report, actor=moderator, message="Check the point.")
    services.report_update(report=report, actor=field_partner, latitude="19.1", longitude="97.6")
    report.refresh_from_db()
    assert report.point_released is False
    assert report.history.last().changes["point_released"] == [True, False]


def test_there_is_no_exact_point_to_release_on_a_report_without_one(
    field_partner, moderator, file_report
):
    report = file_report(field_partner)
    with pytest.raises(ActionRefused, match="has no exact point to release"):
        services.report_update(report=report, actor=moderator, point_released=True)
    report.refresh_from_db()
    assert (report.point_released, report.version) == (False, 1)


def test_a_source_a_moderator_added_from_another_organisation_stays_hidden_and_kept(
    client, field_partner, other_partner, moderator, file_report
):
    theirs = services.source_create(
        actor=other_partner,
        source_type="local_cso",
        name="Secret witness Naw Htoo",
        url="https://secret.example/x",
        is_confidential=True,
    )
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    services.report_update(report=report, actor=moderator, sources=[*report.sources.all(), theirs])
    services.report_request_changes(report=report, actor=moderator, message="Add the ward.")

    client.force_login(field_partner)
    for url in (f"/partner/reports/{report.pk}/", f"/partner/reports/{report.pk}/edit/"):
        html = client.get(url).content.decode()
        assert "Naw Htoo" not in html and "secret.example" not in html, url
        assert "confidential local source" in html, url
    # Saving the form as drawn keeps both sources.
    edit = client.get(f"/partner/reports/{report.pk}/edit/").content.decode()
    chosen = drawn(edit)
    own = report.sources.exclude(pk=theirs.pk).get()
    assert [chosen["sources-0-existing"], chosen["sources-1-existing"]] == [
        str(own.public_id),
        kept_token(report.pk, theirs.pk),
    ]
    data = chosen | {"save": "1"}
    assert client.post(f"/partner/reports/{report.pk}/edit/", data).status_code == 302
    report.refresh_from_db()
    assert sorted(report.sources.values_list("pk", flat=True)) == sorted([own.pk, theirs.pk])
    # In Burmese, with the dates and the confidential label in Burmese.
    client.cookies["django_language"] = "my"
    edit = client.get(f"/partner/reports/{report.pk}/edit/").content.decode()
    chosen_labels = re.findall(r'<option value="(?:\d+|kept-\w+)" selected>([^<]*)</option>', edit)
    assert sorted(chosen_labels) == [
        "The Irrawaddy, 2023 ခုနှစ် နိုဝင်ဘာလ 13 ရက်: Karenni Armed Group Seizes Seven Myanmar "
        "Junta Bases Since Saturday",
        "လျှို့ဝှက်ထားသော ဒေသတွင်း သတင်းရင်းမြစ်",
    ]


def drawn(page: str) -> dict[str, str]:
    """The report form's fields as drawn: inputs with their values, ticked boxes, each select's
    chosen option and textareas (what a browser sends when nothing is changed)."""
    data = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if name is None or (kind and kind.group(1) in ("checkbox", "file", "submit")):
            if name and kind and kind.group(1) == "checkbox" and " checked" in tag:
                data[name.group(1)] = "on"
            continue
        data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = html.unescape(chosen.group(1)) if chosen else ""
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = html.unescape(body.removeprefix("\n"))
    return data


def test_another_organisations_source_on_two_reports_cannot_be_told_to_be_one(
    client, field_partner, other_partner, moderator, file_report
):
    """A moderator adds one confidential source of another organisation to two of a partner's
    reports: the partner's forms offer it under two unrelated values, neither its public id,
    and neither value selects it on the other report."""
    theirs = services.source_create(
        actor=other_partner, source_type="local_cso", name="Witness", is_confidential=True
    )
    reports = []
    for _ in range(2):
        report = file_report(field_partner)
        services.report_submit(report=report, actor=field_partner)
        services.report_update(
            report=report, actor=moderator, sources=[*report.sources.all(), theirs]
        )
        services.report_request_changes(report=report, actor=moderator, message="Check.")
        reports.append(report)

    client.force_login(field_partner)
    edits = [client.get(f"/partner/reports/{r.pk}/edit/").content.decode() for r in reports]
    kept = [kept_token(r.pk, theirs.pk) for r in reports]
    assert kept[0] != kept[1]
    for edit, token, other in zip(edits, kept, reversed(kept), strict=True):
        assert f'<option value="{token}" selected>' in edit
        assert other not in edit and str(theirs.public_id) not in edit

    def save_citing(report, edit, value):
        data = drawn(edit) | {"save": "1", "sources-1-existing": value}
        return client.post(f"/partner/reports/{report.pk}/edit/", data)

    version = reports[0].version
    for value in (kept[1], str(theirs.public_id)):  # the other report's token, its public id
        response = save_citing(reports[0], edits[0], value)
        assert response.status_code == 400
        assert "Select a valid choice." in response.content.decode()
    reports[0].refresh_from_db()
    assert reports[0].version == version  # nothing saved
    assert save_citing(reports[0], edits[0], kept[0]).status_code == 302
    assert theirs in reports[0].sources.all()


def test_another_organisations_source_tells_nothing_by_its_place_among_the_others(
    client, field_partner, other_partner, moderator, file_report
):
    """Sources are ordered by publication date, then name, and the form offers them newest
    added first: listed among the partner's own, another organisation's confidential source
    would give away its date and name by where it falls (between "Monitor A" of 16 March and
    "Monitor B" of 14 March: the 15th or 14th). It comes after the others, on the report's page,
    in the form's rows and among the form's options."""
    theirs = services.source_create(
        actor=other_partner,
        source_type="local_cso",
        name="Naw Htoo",
        published_on=date(2024, 3, 15),
        is_confidential=True,
    )
    own = [
        services.source_create(
            actor=field_partner, source_type="local_cso", name=name, published_on=day
        )
        for name, day in (("Monitor A", date(2024, 3, 16)), ("Monitor B", date(2024, 3, 14)))
    ]
    report = file_report(field_partner, sources=own)
    services.report_submit(report=report, actor=field_partner)
    services.report_update(report=report, actor=moderator, sources=[*own, theirs])
    services.report_request_changes(report=report, actor=moderator, message="Check.")
    # A source of theirs added after the partner's own, so newest added first it came first.
    assert list(report.sources.all()) == [own[0], theirs, own[1]]

    client.force_login(field_partner)
    page = client.get(f"/partner/reports/{report.pk}/").content.decode()
    listed = re.search(r"<ul>(<li>Local civil society[^\n]*?)</ul>", page)[1]
    assert [item.strip() for item in re.findall(r"<li>([^<·]*)", listed)] == [
        "Local civil society or monitor: Monitor A, 16 Mar 2024",
        "Local civil society or monitor: Monitor B, 14 Mar 2024",
        "Local civil society or monitor: confidential local source",
    ]
    # In Burmese, the label and the dates are Burmese too.
    client.cookies["django_language"] = "my"
    page = client.get(f"/partner/reports/{report.pk}/").content.decode()
    assert "လျှို့ဝှက်ထားသော ဒေသတွင်း သတင်းရင်းမြစ်" in page
    assert "Monitor A, 2024 ခုနှစ် မတ်လ 16 ရက်" in page and "confidential local source" not in page
    client.cookies["django_language"] = "en"
    edit = client.get(f"/partner/reports/{report.pk}/edit/").content.decode()
    token = kept_token(report.pk, theirs.pk)
    rows = drawn(edit)
    assert [rows[f"sources-{i}-existing"] for i in range(3)] == [
        str(own[0].public_id),
        str(own[1].public_id),
        token,
    ]
    options = re.search(r'<select name="sources-0-existing"[^>]*>(.*?)</select>', edit, re.S)[1]
    values = re.findall(r'<option value="([^"]*)"', options)
    assert values[-1] == token and token not in values[:-1]


def test_a_partner_cannot_cite_another_organisations_confidential_source_by_id(
    field_partner, other_partner, places
):
    theirs = services.source_create(
        actor=other_partner, source_type="local_cso", name="Informant", is_confidential=True
    )
    with pytest.raises(ValidationError, match="You cannot cite source"):
        services.report_create(
            actor=field_partner,
            title="x",
            place=places["loikaw"],
            start_date="2023-11-11",
            sources=[theirs],
        )
    assert Report.objects.count() == 0


def test_a_deactivated_organisation_can_no_longer_file(client, field_partner, organizations):
    organizations["monitors"].is_active = False
    organizations["monitors"].save()
    client.force_login(field_partner)
    assert client.get("/partner/reports/new/").status_code == 403


def test_a_malformed_web_address_is_refused_next_to_its_source(partner_client):
    data = report_data(new_form(partner_client), save="1", **{"sources-0-url": "http://a b"})
    response = partner_client.post("/partner/reports/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    errors = re.search(r'id="id_sources-0-url_error">(.*?)</ul>', html, re.S).group(1)
    assert "Source 1: Enter a valid web address" in errors
    assert Source.objects.count() == 0


def test_after_a_conflict_the_typed_changes_can_replace_the_newer_version(
    partner_client, moderator
):
    partner_client.post("/partner/reports/new/", report_data(new_form(partner_client), save="1"))
    report = Report.objects.get()
    edit = partner_client.get(f"/partner/reports/{report.pk}/edit/")
    services.report_update(report=report, actor=moderator, title="Moderator's title")
    data = report_data(form_key(edit), save="1", version="1", title="Partner's title")
    conflict = partner_client.post(f"/partner/reports/{report.pk}/edit/", data)
    html = conflict.content.decode()
    assert conflict.status_code == 409
    assert "if you save again, they replace the newer version" in html
    assert 'name="version" value="2"' in html and "Partner&#x27;s title" in html

    data["version"] = "2"
    assert partner_client.post(f"/partner/reports/{report.pk}/edit/", data).status_code == 302
    report.refresh_from_db()
    assert (report.title, report.version) == ("Partner's title", 3)


def test_an_edit_form_without_its_version_is_refused(partner_client):
    partner_client.post("/partner/reports/new/", report_data(new_form(partner_client), save="1"))
    report = Report.objects.get()
    edit = partner_client.get(f"/partner/reports/{report.pk}/edit/")
    data = report_data(form_key(edit), save="1", title="Changed")
    response = partner_client.post(f"/partner/reports/{report.pk}/edit/", data)
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.title == "Residents flee Loikaw"


@pytest.mark.parametrize("q", ["a\x00b", "MMR\x00", "\x00"])
def test_place_search_survives_nul_bytes(partner_client, q):
    assert partner_client.get("/partner/places/", {"q": q}).status_code == 200


@pytest.mark.parametrize("token", ["²:1", "1:²", "1:" + "9" * 5000, "99999999999999999999:1"])
def test_odd_report_tokens_in_a_bulk_decision_are_refused_not_crashed(client, moderator, token):
    client.force_login(moderator)
    response = client.post("/moderation/", {"selected": token, "decision": "approve"})
    assert response.status_code == 400  # the form's message, not a server error


def test_an_empty_new_source_is_a_validation_error_not_a_crash(field_partner, places):
    with pytest.raises(ValidationError) as refused:
        services.report_save(
            actor=field_partner,
            submission_key="empty-source-01",
            title="x",
            place=places["loikaw"],
            start_date="2023-11-11",
            new_sources=[{}, {}],
        )
    assert refused.value.message_dict["sources.2.name"] == [
        "Source 2: Name the outlet, organisation or person."
    ]
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "Karenni Nationalities Defence Force (KNDF)"), ("my", "ကရင်နီ အမျိုးသားကာကွယ်ရေးတပ် (KNDF)")],
)
def test_the_parties_are_named_in_the_readers_language(partner_client, moderator, language, shown):
    services.party_create(
        actor=moderator,
        name="Karenni Nationalities Defence Force",
        name_my="ကရင်နီ အမျိုးသားကာကွယ်ရေးတပ်",
        short_name="KNDF",
    )
    partner_client.cookies["django_language"] = language
    form = html.unescape(partner_client.get("/partner/reports/new/").content.decode())
    assert re.search(rf'<option value="kndf"[^>]*>{re.escape(shown)}</option>', form)
    dashboard = html.unescape(partner_client.get("/dashboard/").content.decode())
    assert f'<option value="kndf">{shown}</option>' in dashboard
