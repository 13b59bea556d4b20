"""The review page's "Counting with other figures": the figures a moderator is offered, the
forms that mark and unmark two figures as separate (CSRF-protected, refused with the field
named and nothing changed), who may use them, and the read-only admin of the marks."""

from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import resolve_url
from django.test import Client

from reports import aggregates, services
from reports.models import ReportHistory, SeparateFigures
from reports.workflow import Action


@pytest.fixture(autouse=True)
def counts_left_to_the_engine(monkeypatch):
    # The engine's totals have their own tests (tests/aggregates/); these are about the pages.
    monkeypatch.setattr(aggregates, "follow_report", lambda report, **kwargs: None)


@pytest.fixture
def approved(field_partner, moderator, file_report):
    def make(**overrides):
        report = file_report(field_partner, **overrides)
        services.report_submit(report=report, actor=field_partner)
        return services.report_approve(report=report, actor=moderator)

    return make


@pytest.fixture
def kayah_november(approved, places):
    return approved(
        title="Kayah displacement in November",
        place=places["kayah"],
        start_date=date(2023, 11, 1),
        end_date=date(2023, 11, 30),
        figures=[dict(metric="newly_displaced", value=50000)],
    )


@pytest.fixture
def loikaw_town(approved):
    return approved()


def review_url(report):
    return f"/moderation/reports/{report.pk}/"


def separate_url(report):
    return f"/moderation/reports/{report.pk}/figures/separate/"


def unseparate_url(report):
    return f"/moderation/reports/{report.pk}/figures/unseparate/"


def text(response) -> str:
    return " ".join(response.content.decode().split())


def marks():
    return list(SeparateFigures.objects.values_list("first", "second", "reason"))


def separation_history():
    return list(
        ReportHistory.objects.filter(
            action__in=[Action.MARK_SEPARATE, Action.UNMARK_SEPARATE]
        ).values_list("report", "action", "note")
    )


def test_the_review_page_lists_the_figures_covered_with_a_form_to_mark_each(
    moderator_client, kayah_november, loikaw_town
):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()
    page = text(moderator_client.get(review_url(kayah_november)))

    assert "Counting with other figures" in page
    assert (
        f'<tr id="separate-{wide.pk}-{narrow.pk}"> <td data-label="How">covers</td> '
        f'<td data-label="Report"><a href="/moderation/reports/{loikaw_town.pk}/">'
        f"#{loikaw_town.pk} Residents flee Loikaw</a></td> "
        '<td data-label="Place">Loikaw Town <span class="pcode">MMR002001701</span></td> '
        '<td data-label="Dates">11 Nov 2023–13 Nov 2023</td> '
        '<td data-label="Figure">People newly displaced: approximately 35,000 people</td>'
    ) in page
    assert (
        f'<form method="post" action="{separate_url(kayah_november)}" '
        'class="action action-separate">'
    ) in page
    assert f'<input type="hidden" name="figure" value="{wide.pk}">' in page
    assert f'<input type="hidden" name="other" value="{narrow.pk}">' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "Count separately" in page

    page = text(moderator_client.get(review_url(loikaw_town)))
    assert f'<tr id="separate-{narrow.pk}-{wide.pk}"> <td data-label="How">covered by</td>' in page
    assert "Kayah displacement in November" in page


def test_a_report_not_approved_has_no_counting_section(
    moderator_client, field_partner, file_report, kayah_november
):
    waiting = file_report(field_partner)
    services.report_submit(report=waiting, actor=field_partner)
    assert "Counting with other figures" not in text(moderator_client.get(review_url(waiting)))


def test_a_figure_covering_nothing_says_so(moderator_client, kayah_november):
    page = text(moderator_client.get(review_url(kayah_november)))
    assert "No approved figure in another event covers this one or is covered by it." in page


def test_marking_then_unmarking_through_the_page(moderator_client, kayah_november, loikaw_town):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()

    response = moderator_client.post(
        separate_url(kayah_november),
        {"figure": wide.pk, "other": narrow.pk, "reason": "UNHCR: excludes Loikaw Town"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{review_url(kayah_november)}#counting-{wide.pk}"
    assert marks() == [(wide.pk, narrow.pk, "UNHCR: excludes Loikaw Town")]

    page = text(moderator_client.get(response["Location"]))
    assert f"Figure #{wide.pk} and figure #{narrow.pk} now count separately." in page
    assert "<strong>Marked as separate</strong> by moderator on" in page
    assert ": UNHCR: excludes Loikaw Town</p>" in page
    assert f'<form method="post" action="{unseparate_url(kayah_november)}"' in page
    assert "Unmark: count by rule 5" in page

    # Unmarked from the other report's page.
    response = moderator_client.post(
        unseparate_url(loikaw_town),
        {"figure": narrow.pk, "other": wide.pk, "reason": "It includes the town after all"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{review_url(loikaw_town)}#counting-{narrow.pk}"
    assert marks() == []
    assert separation_history() == [
        (kayah_november.pk, "mark_separate", "UNHCR: excludes Loikaw Town"),
        (loikaw_town.pk, "mark_separate", "UNHCR: excludes Loikaw Town"),
        (kayah_november.pk, "unmark_separate", "It includes the town after all"),
        (loikaw_town.pk, "unmark_separate", "It includes the town after all"),
    ]
    page = text(moderator_client.get(review_url(loikaw_town)))
    assert "Figures marked as separate" in page  # the history's label
    assert "Figures no longer marked as separate" in page


def test_a_blank_reason_is_refused_next_to_the_form(moderator_client, kayah_november, loikaw_town):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()
    response = moderator_client.post(
        separate_url(kayah_november), {"figure": wide.pk, "other": narrow.pk, "reason": "  "}
    )
    assert response.status_code == 400
    page = text(response)
    assert (
        '<div class="errorbox" role="alert"><strong>Nothing was changed.</strong> A reason is '
        "required: say what the source says.</div>"
    ) in page
    assert f'<a href="#separate-{wide.pk}-{narrow.pk}">Back to the form</a>' in page
    assert (marks(), separation_history()) == ([], [])


def test_a_refusal_by_the_service_is_shown_at_the_top(
    moderator_client, moderator, approved, kayah_november
):
    killed = approved(title="Shelling", figures=[dict(metric="killed", value=3)])
    wide, deaths = kayah_november.figures.get(), killed.figures.get()
    response = moderator_client.post(
        separate_url(kayah_november),
        {"figure": wide.pk, "other": deaths.pk, "reason": "UNHCR"},
    )
    assert response.status_code == 400
    page = text(response)
    assert (
        f"Figure #{wide.pk} counts people newly displaced and figure #{deaths.pk} civilians "
        "killed: only figures of one metric can cover each other."
    ) in page
    assert (marks(), separation_history()) == ([], [])


def test_marking_twice_is_refused(moderator_client, moderator, kayah_november, loikaw_town):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()
    services.figures_mark_separate(actor=moderator, first=wide, second=narrow, reason="UNHCR")
    response = moderator_client.post(
        separate_url(loikaw_town), {"figure": narrow.pk, "other": wide.pk, "reason": "Again"}
    )
    assert response.status_code == 400
    assert f"Figures #{wide.pk} and #{narrow.pk} are already marked as separate." in text(response)
    assert marks() == [(wide.pk, narrow.pk, "UNHCR")]


def test_the_marked_row_keeps_what_was_typed_when_unmarking_is_refused(
    moderator_client, moderator, kayah_november, loikaw_town
):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()
    services.figures_mark_separate(actor=moderator, first=wide, second=narrow, reason="UNHCR")
    response = moderator_client.post(
        unseparate_url(kayah_november), {"figure": wide.pk, "other": narrow.pk, "reason": ""}
    )
    assert response.status_code == 400
    page = text(response)
    assert f'<a href="#unseparate-{wide.pk}-{narrow.pk}">Back to the form</a>' in page
    assert "A reason is required: say what the source says." in page
    assert marks() == [(wide.pk, narrow.pk, "UNHCR")]


def test_what_was_typed_is_kept_escaped_in_its_row(moderator_client, kayah_november, loikaw_town):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()
    typed = "<b>UNHCR</b> " + "y" * 500
    response = moderator_client.post(
        separate_url(kayah_november), {"figure": wide.pk, "other": narrow.pk, "reason": typed}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f">&lt;b&gt;UNHCR&lt;/b&gt; {'y' * 500}</textarea>" in html
    assert "<b>UNHCR</b>" not in html
    assert "Ensure this value has at most 500 characters (it has 513)." in text(response)
    assert (marks(), separation_history()) == ([], [])


@pytest.mark.parametrize(
    "figure, other, message",
    [
        ("999999", "OTHER", "Figure #999999 is not in this report: reload the page."),
        ("FIGURE", "999999", "There is no figure #999999: reload the page."),
        ("FIGURE", str(2**63), "Ensure this value is less than or equal to"),
        ("FIGURE", "twelve", "Enter a whole number."),
        ("FIGURE", "", "This field is required."),
        ("OTHER", "FIGURE", "is not in this report: reload the page."),
    ],
)
def test_bad_figure_ids_are_form_errors_not_server_errors(
    moderator_client, kayah_november, loikaw_town, figure, other, message
):
    ids = {
        "FIGURE": str(kayah_november.figures.get().pk),
        "OTHER": str(loikaw_town.figures.get().pk),
    }
    response = moderator_client.post(
        separate_url(kayah_november),
        {"figure": ids.get(figure, figure), "other": ids.get(other, other), "reason": "UNHCR"},
    )
    assert response.status_code == 400
    assert message in text(response)
    assert (marks(), separation_history()) == ([], [])


def test_an_unknown_report_is_not_found(moderator_client, kayah_november, loikaw_town):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()
    response = moderator_client.post(
        "/moderation/reports/999999/figures/separate/",
        {"figure": wide.pk, "other": narrow.pk, "reason": "UNHCR"},
    )
    assert response.status_code == 404
    assert marks() == []


def test_the_forms_take_posts_only(moderator_client, kayah_november):
    assert moderator_client.get(separate_url(kayah_november)).status_code == 405
    assert moderator_client.get(unseparate_url(kayah_november)).status_code == 405


@pytest.mark.parametrize("who", ["field_partner", "advocate"])
def test_other_roles_are_refused(client, request, kayah_november, loikaw_town, who):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()
    client.force_login(request.getfixturevalue(who))
    for url in (separate_url(kayah_november), unseparate_url(kayah_november)):
        response = client.post(url, {"figure": wide.pk, "other": narrow.pk, "reason": "UNHCR"})
        assert response.status_code == 403
    assert (marks(), separation_history()) == ([], [])


def test_anonymous_visitors_are_sent_to_log_in(client, kayah_november, loikaw_town):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()
    url = separate_url(kayah_november)
    response = client.post(url, {"figure": wide.pk, "other": narrow.pk, "reason": "UNHCR"})
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}"
    assert marks() == []


def test_a_post_without_the_csrf_token_is_refused(moderator, kayah_november, loikaw_town):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    response = client.post(
        separate_url(kayah_november), {"figure": wide.pk, "other": narrow.pk, "reason": "UNHCR"}
    )
    assert response.status_code == 403
    assert (marks(), separation_history()) == ([], [])

    # With the page's token it goes through.
    client.get(review_url(kayah_november))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        separate_url(kayah_november),
        {"figure": wide.pk, "other": narrow.pk, "reason": "UNHCR", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert marks() == [(wide.pk, narrow.pk, "UNHCR")]


# --- the admin ------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    admin = get_user_model().objects.create_superuser(
        username="admin", email="admin@example.org", password="x-secret-pass-1"
    )
    client.force_login(admin)
    return client


def test_the_admin_shows_marks_read_only(admin_client, moderator, kayah_november, loikaw_town):
    wide, narrow = kayah_november.figures.get(), loikaw_town.figures.get()
    mark = services.figures_mark_separate(
        actor=moderator, first=wide, second=narrow, reason="UNHCR"
    )
    listing = admin_client.get("/admin/reports/separatefigures/")
    assert listing.status_code == 200
    assert "UNHCR" in text(listing)
    change = admin_client.get(f"/admin/reports/separatefigures/{mark.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert admin_client.get("/admin/reports/separatefigures/add/").status_code == 403
    response = admin_client.post(
        f"/admin/reports/separatefigures/{mark.pk}/change/", {"reason": "Changed"}
    )
    assert response.status_code == 403
    response = admin_client.post(
        f"/admin/reports/separatefigures/{mark.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert marks() == [(wide.pk, narrow.pk, "UNHCR")]
