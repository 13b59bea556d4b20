"""The moderator's intake screen through its pages: who may open it, bad input answered on the
form with nothing stored, the text shown with its figures marked (escaped), and "Create
drafts" making exactly the drafts the rows say, or none with the row's error beside it."""

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Evidence, Report, Source
from reports.models.evidence import evidence_storage
from reports.workflow import Status

ACCOUNT = (Path(__file__).parent / "data" / "screen_account.txt").read_text()
START = "/moderation/intake/"


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def read(evidence) -> bytes:
    with evidence_storage().open(evidence.original.name, "rb") as original:
        return original.read()


def nothing_stored():
    return (Report.objects.count(), Source.objects.count(), Evidence.objects.count()) == (0, 0, 0)


def step_two(response, **changes) -> dict:
    """What the result page's form would send unchanged, with `changes` ("row-0-value": "4",
    the first row's number: formsets count from 0) applied; a change to None leaves the field
    out (an unticked box)."""
    data = {"payload": response.context["form"]["payload"].value()}
    management = response.context["management_form"]
    for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        data[f"row-{name}"] = management[name].value()
    for field in response.context["form"]:
        if field.name not in ("payload", "original_again"):
            value = field.value()
            data[field.html_name] = "" if value is None else getattr(value, "pk", value)
    for row in response.context["rows"]:
        for field in row["form"]:
            value = field.value()
            if field.name == "accept":
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(START)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/moderation/intake/"


def test_field_partners_are_refused(client, field_partner):
    client.force_login(field_partner)
    assert client.get(START).status_code == 403
    assert client.post(START, {"text": ACCOUNT}).status_code == 403
    assert client.post(reverse("moderation:intake_drafts"), {}).status_code == 403
    assert nothing_stored()


def test_moderators_open_the_screen_and_the_queue_links_to_it(moderator_client):
    response = moderator_client.get(START)
    assert response.status_code == 200
    assert b'name="text"' in response.content
    assert b'name="url"' not in response.content  # the deployment does not fetch addresses
    queue = moderator_client.get(reverse("moderation:queue"))
    assert b'href="/moderation/intake/"' in queue.content


def test_the_address_field_shows_when_fetching_is_allowed(moderator_client, settings):
    settings.TRACKER_INTAKE_FETCH_URLS = True
    assert b'name="url"' in moderator_client.get(START).content


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "   "}, "text", "Paste the text, or choose a file."),
        (
            {"upload": SimpleUploadedFile("list.txt", b"PK\x03\x04\x14\x00\x00\x00binary\x00")},
            "upload",
            "This file is not text, HTML or PDF.",
        ),
        (
            {"text": "1111行动是缅甸内战期间的联合军事行动,超过两百人死亡。"},
            "language",
            None,
        ),
    ],
)
def test_bad_input_is_answered_on_the_form_naming_the_field(
    moderator_client, places, data, field, message
):
    response = moderator_client.post(START, {"published": "2023-11-10", **data})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert b"Nothing was stored." in response.content
    assert nothing_stored()


def test_the_result_page_marks_each_figure_and_escapes_the_text(moderator_client, places):
    text = ACCOUNT + "\n<script>alert('x')</script>\n"
    response = moderator_client.post(START, {"text": text, "published": "2023-11-10"})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<mark id="fig-1"><a href="#row-1">at least 3</a><sup>1</sup></mark>' in html
    assert '<mark id="fig-2"><a href="#row-2">About 2,000</a><sup>2</sup></mark>' in html
    assert '<mark id="fig-3" class="excluded"><a href="#row-3">30</a><sup>3</sup></mark>' in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    rows = response.context["rows"]
    assert [(r["form"]["accept"].value(), r["excluded_reason"], r["group"]) for r in rows] == [
        (True, "", 1),
        (True, "", 2),
        (False, "it counts fighters, not civilians", 3),
    ]
    assert rows[1]["form"]["place"].value() == "Demoso Township (MMR002002)"
    assert nothing_stored()


def test_create_drafts_makes_one_draft_per_place_and_span(
    moderator_client, organizations, places, parties
):
    first = moderator_client.post(
        START, {"text": ACCOUNT, "published": "2023-11-10", "publisher": "Myanmar Now"}
    )
    data = step_two(
        first,
        organization=organizations["monitors"].pk,
        **{"row-0-value": "4", "row-0-qualifier": "exact"},
    )
    response = moderator_client.post(reverse("moderation:intake_drafts"), data)

    assert response.status_code == 302
    killed, fled = Report.objects.order_by("pk")
    assert response["Location"] == (
        reverse("moderation:intake_done") + f"?reports={killed.pk},{fled.pk}"
    )
    assert [
        (r.status, r.place.pcode, r.start_date, r.end_date, r.date_precision)
        for r in (
            killed,
            fled,
        )
    ] == [
        (Status.DRAFT, "MMR002001701", date(2023, 11, 7), date(2023, 11, 7), "day"),
        (Status.DRAFT, "MMR002002", date(2023, 11, 6), date(2023, 11, 10), "week"),
    ]
    assert [(f.metric, f.qualifier, f.value) for f in killed.figures.all()] == [
        ("killed", "exact", 4)
    ]
    assert [(f.metric, f.qualifier, f.value) for f in fled.figures.all()] == [
        ("newly_displaced", "approximately", 2000)
    ]
    assert (killed.cause, killed.perpetrator) == ("airstrike", parties["sac"])
    # Each draft cites the article, and the organisation the article quotes for its figure.
    assert sorted((s.name, s.source_type) for s in killed.sources.all()) == [
        ("KNDF", "party_to_conflict"),
        ("Myanmar Now", "news_media"),
    ]
    kndf = killed.sources.get(name="KNDF")
    assert (kndf.party, list(killed.perpetrator_sources.all())) == (parties["kndf"], [kndf])
    assert sorted((s.name, s.source_type) for s in fled.sources.all()) == [
        ("Myanmar Now", "news_media"),
        ("UNHCR", "un_ingo"),
    ]
    article = Source.objects.get(name="Myanmar Now")
    assert (article.published_on, article.url) == (date(2023, 11, 10), "")
    # The text as pasted (the reader drops the blank line at its end).
    assert [read(e) for e in Evidence.objects.order_by("pk")] == [ACCOUNT.strip().encode()] * 2

    done = moderator_client.get(response["Location"])
    assert done.status_code == 200
    assert list(done.context["reports"]) == [killed, fled]
    assert f'href="/moderation/reports/{killed.pk}/"'.encode() in done.content


def test_a_bad_row_is_named_and_nothing_is_stored(moderator_client, organizations, places):
    first = moderator_client.post(START, {"text": ACCOUNT, "published": "2023-11-10"})
    data = step_two(
        first,
        organization=organizations["monitors"].pk,
        **{"row-1-value": "", "row-1-place": "Nowhere at all"},
    )
    response = moderator_client.post(reverse("moderation:intake_drafts"), data)

    assert response.status_code == 400
    row = response.context["rows"][1]["form"]
    assert row.errors == {
        "value": ["Enter the number."],
        "place": ["No place in the gazetteer matches this. Try the township's name or a P-code."],
    }
    assert b"No draft was created." in response.content
    assert nothing_stored()


def test_a_number_with_a_point_is_refused_not_read_as_its_whole_part(
    moderator_client, organizations, places
):
    first = moderator_client.post(START, {"text": ACCOUNT, "published": "2023-11-10"})
    data = step_two(first, organization=organizations["monitors"].pk, **{"row-1-value": "35.000"})
    response = moderator_client.post(reverse("moderation:intake_drafts"), data)

    assert response.status_code == 400
    assert response.context["rows"][1]["form"].errors == {"value": ["Enter a whole number."]}
    assert nothing_stored()


def test_a_rows_date_in_another_order_is_refused_not_read_as_american(
    moderator_client, organizations, places
):
    first = moderator_client.post(START, {"text": ACCOUNT, "published": "2023-11-10"})
    data = step_two(
        first,
        organization=organizations["monitors"].pk,
        **{"row-1-start_date": "11/12/2023", "row-1-end_date": "၂၀၂၃-၁၁-၁၂"},
    )
    response = moderator_client.post(reverse("moderation:intake_drafts"), data)

    assert response.status_code == 400
    row = response.context["rows"][1]["form"]
    assert row.errors == {"start_date": ["Enter a date as YYYY-MM-DD."]}
    # The Burmese digits are a date, shown back as the date box takes it.
    assert row["end_date"].value() == "2023-11-12"
    assert nothing_stored()


def test_rows_put_in_one_draft_must_agree_on_place(moderator_client, organizations, places):
    first = moderator_client.post(
        START, {"text": ACCOUNT, "published": "2023-11-10", "publisher": "Myanmar Now"}
    )
    data = step_two(first, organization=organizations["monitors"].pk, **{"row-1-group": "1"})
    response = moderator_client.post(reverse("moderation:intake_drafts"), data)

    assert response.status_code == 400, response.context["error"]
    assert response.context["rows"][1]["form"].errors["place"] == [
        "Row 2: draft 1 holds row 1 with another place: give this row the same place or "
        "another draft number."
    ]
    assert nothing_stored()


def test_an_altered_screen_is_refused(moderator_client, organizations, places):
    first = moderator_client.post(START, {"text": ACCOUNT, "published": "2023-11-10"})
    data = step_two(first, organization=organizations["monitors"].pk)
    data["payload"] = data["payload"][:-3] + "AAA"
    response = moderator_client.post(reverse("moderation:intake_drafts"), data)

    assert response.status_code == 302
    assert response["Location"] == START
    assert nothing_stored()


HTML = (
    "<html><head><title>Loikaw report</title></head><body><article><h1>Loikaw report</h1>"
    f"<p>{ACCOUNT.splitlines()[0]}</p><p>{ACCOUNT.splitlines()[2]}</p></article></body></html>"
).encode()


def test_an_uploaded_page_is_kept_as_received(moderator_client, organizations, places):
    first = moderator_client.post(
        START,
        {
            "upload": SimpleUploadedFile("report.html", HTML, content_type="text/html"),
            "published": "2023-11-10",
            "publisher": "Kantarawaddy Times",
        },
    )
    assert first.status_code == 200
    assert b'name="original_again"' not in first.content  # small: carried in the page
    data = step_two(first, organization=organizations["monitors"].pk)
    response = moderator_client.post(reverse("moderation:intake_drafts"), data)

    assert response.status_code == 302
    evidence = list(Evidence.objects.order_by("pk"))
    assert [(e.kind, e.content_type, e.original_name) for e in evidence] == [
        ("text", "text/html", "report.html")
    ] * len(evidence)
    assert len(evidence) == Report.objects.count() >= 1
    assert {read(e) for e in evidence} == {HTML}


def test_a_file_too_large_to_carry_is_chosen_again(
    moderator_client, organizations, places, monkeypatch
):
    monkeypatch.setattr("intake.forms.INLINE_ORIGINAL_MAX", 10)
    upload = {"upload": SimpleUploadedFile("account.txt", ACCOUNT.encode())}
    first = moderator_client.post(
        START, {**upload, "published": "2023-11-10", "publisher": "Myanmar Now"}
    )
    assert b'name="original_again"' in first.content
    data = step_two(first, organization=organizations["monitors"].pk)
    url = reverse("moderation:intake_drafts")

    missing = moderator_client.post(url, data)
    other = moderator_client.post(
        url, {**data, "original_again": SimpleUploadedFile("other.txt", b"another text")}
    )
    for response in (missing, other):
        assert response.status_code == 400
        assert response.context["form"].errors["original_again"] == [
            "Choose the file you uploaded at the start; it is kept with the drafts."
        ]
    assert nothing_stored()

    same = moderator_client.post(
        url, {**data, "original_again": SimpleUploadedFile("account.txt", ACCOUNT.encode())}
    )
    assert same.status_code == 302
    assert {read(e) for e in Evidence.objects.all()} == {ACCOUNT.encode()}


def test_create_drafts_sent_twice_makes_them_once(moderator_client, organizations, places):
    first = moderator_client.post(
        START, {"text": ACCOUNT, "published": "2023-11-10", "publisher": "Myanmar Now"}
    )
    data = step_two(first, organization=organizations["monitors"].pk)
    url = reverse("moderation:intake_drafts")

    once = moderator_client.post(url, data)
    twice = moderator_client.post(url, data)

    assert once["Location"] == twice["Location"]
    assert Report.objects.count() == 2
    assert Evidence.objects.count() == 2


def test_a_partners_account_kept_confidential_is_never_named_in_public(
    moderator_client, organizations, places, field_partner, client
):
    first = moderator_client.post(
        START, {"text": ACCOUNT, "published": "2023-11-10", "publisher": "Loikaw informant"}
    )
    data = step_two(
        first,
        organization=organizations["monitors"].pk,
        source_type="field_observation",
        source_confidential="on",
        **{"row-0-source_name": "", "row-0-source_type": "", "row-0-value": "4"},
    )
    response = moderator_client.post(reverse("moderation:intake_drafts"), data)

    assert response.status_code == 302
    killed, fled = Report.objects.order_by("pk")
    # The titles (public once approved) name the place and day, never the source.
    assert [killed.title, fled.title] == ["Loikaw Town, 7 Nov 2023", "Demoso Township, 6 Nov 2023"]
    article = Source.objects.get(name="Loikaw informant")
    assert (article.source_type, article.is_confidential) == ("field_observation", True)
    # The organisations the account quotes are public bodies, cited as such.
    assert sorted((s.name, s.is_confidential) for s in Source.objects.exclude(pk=article.pk)) == [
        ("UNHCR", False)
    ]
    # The account as received is the moderators' alone, even for the organisation the drafts
    # were filed for.
    client.force_login(field_partner)
    evidence = Evidence.objects.filter(report=killed).get()
    page = client.get(reverse("partner:report_detail", args=[killed.pk]))
    assert page.status_code == 200
    original = reverse("partner:evidence_original", args=[killed.pk, evidence.pk])
    assert original.encode() not in page.content
    assert client.get(original).status_code == 404


def test_a_page_made_for_one_moderator_is_refused_to_another(
    moderator_client, second_moderator, organizations, places, client
):
    first = moderator_client.post(START, {"text": ACCOUNT, "published": "2023-11-10"})
    data = step_two(first, organization=organizations["monitors"].pk)
    client.force_login(second_moderator)
    response = client.post(reverse("moderation:intake_drafts"), data)

    assert response.status_code == 302
    assert response["Location"] == START
    assert nothing_stored()


def test_rows_added_by_hand_are_refused(moderator_client, organizations, places):
    first = moderator_client.post(START, {"text": ACCOUNT, "published": "2023-11-10"})
    data = step_two(first, organization=organizations["monitors"].pk)
    data["row-TOTAL_FORMS"] = str(int(data["row-TOTAL_FORMS"]) + 1)
    response = moderator_client.post(reverse("moderation:intake_drafts"), data)

    assert response.status_code == 302
    assert response["Location"] == START
    assert nothing_stored()
