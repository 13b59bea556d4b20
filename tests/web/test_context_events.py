"""Context events (operations, offensives): kept by moderators through one service that names
a bad field and stores nothing of a refused change, drawn on the dashboard's time series beside
the numbers of an overlapping area and period, and public with their sources in public shape."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from reports import services
from reports.exceptions import NotPermitted
from reports.models import ContextEvent
from tests.conftest import _place

LIST = "/moderation/context-events/"
NEW = "/moderation/context-events/new/"


def _approved(report, partner, moderator):
    services.report_submit(report=report, actor=partner)
    return services.report_approve(report=report, actor=moderator)


@pytest.fixture
def secret(field_partner):
    return services.source_create(
        actor=field_partner, source_type="local_cso", name="Camp committee X", is_confidential=True
    )


@pytest.fixture
def operations(places, moderator, news_source, secret):
    """Operation 1107 (one day, in Demoso here) and the first days of Operation 1111 (a span,
    in Loikaw), and an operation in a sibling state."""
    shan = _place("MMR014", 1, "Shan (South)", places["MMR"], kind="State")
    return {
        "1107": services.context_event_create(
            actor=moderator,
            name="Operation 1107",
            kind="offensive",
            start_date="2023-11-07",
            area="MMR002002",
            description="Pan Tein captured.",
            sources=[news_source.pk],
        ),
        "1111": services.context_event_create(
            actor=moderator,
            name="Operation 1111",
            kind="operation",
            start_date=date(2023, 11, 11),
            end_date=date(2023, 11, 21),
            area=places["loikaw"],
            sources=[news_source, secret],
        ),
        "shan": services.context_event_create(
            actor=moderator, name="Elsewhere", kind="other", start_date="2023-11-15", area=shan
        ),
    }


@pytest.fixture
def loikaw_flow(field_partner, moderator, file_report):
    """35,000 newly displaced from Loikaw Town, 11-13 November 2023, approved."""
    return _approved(file_report(field_partner), field_partner, moderator)


# --- the service --------------------------------------------------------------------------


def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(places, moderator):
    with pytest.raises(ValidationError) as refused:
        services.context_event_create(
            actor=moderator,
            name="  ",
            kind="raid",
            start_date="2023-11-11",
            end_date="2023-11-01",
            area="MMR999",
            sources=[999999, "x"],
        )
    assert refused.value.message_dict == {
        "name": ["Name the operation or offensive."],
        "kind": ["Choose operation, offensive or other."],
        "end_date": ["The end (2023-11-01) is before the start (2023-11-11)."],
        "area": ["Unknown place 'MMR999': give a P-code of the gazetteer."],
        "sources": ["Sources are given by their numbers."],
    }
    with pytest.raises(ValidationError) as refused:
        services.context_event_create(
            actor=moderator, name="Op", kind="operation", start_date="11/11/2023", area="",
            sources=[424242],
        )  # fmt: skip
    assert refused.value.message_dict == {
        "start_date": ["Enter a date as YYYY-MM-DD."],
        "area": ["Give the area: a P-code of the gazetteer."],
        "sources": ["No source numbered 424242."],
    }
    assert ContextEvent.objects.count() == 0
    assert ContextEvent.history.count() == 0


def test_only_a_moderator_keeps_them_and_every_change_is_attributed(
    places, moderator, field_partner, operations, news_source
):
    with pytest.raises(NotPermitted):
        services.context_event_create(
            actor=field_partner, name="Op", kind="other", start_date="2023-11-01", area="MMR002"
        )
    event = operations["1107"]
    with pytest.raises(NotPermitted):
        services.context_event_delete(actor=field_partner, event=event)
    services.context_event_update(
        actor=moderator,
        event=event,
        name="Operation 1107",
        kind="offensive",
        start_date="2023-11-07",
        end_date="2023-11-07",  # the same day: stored as a one-day event
        area="MMR002",
        description="Pan Tein captured.",
        sources=[],
    )
    event.refresh_from_db()
    assert (event.area.pcode, event.end_date, list(event.sources.all())) == ("MMR002", None, [])
    history = list(event.history.order_by("history_date", "history_id"))
    # The sources are set after the row: simple-history records that as a change of its own.
    assert [(h.history_type, h.history_user, h.area.pcode, h.end_date) for h in history] == [
        ("+", moderator, "MMR002002", None),
        ("~", moderator, "MMR002002", None),
        ("~", moderator, "MMR002", None),
        ("~", moderator, "MMR002", None),
    ]
    assert [list(h.sources.values_list("source_id", flat=True)) for h in history] == [
        [],
        [news_source.pk],
        [news_source.pk],
        [],
    ]
    services.context_event_delete(actor=moderator, event=event)
    assert ContextEvent.history.filter(name="Operation 1107").latest("history_id").history_type == (
        "-"
    )
    assert ContextEvent.history.filter(history_type="-").get().history_user == moderator


# --- the moderation pages -----------------------------------------------------------------


def test_only_moderators_open_the_pages(client, places, field_partner, advocate, operations):
    pk = operations["1107"].pk
    urls = [LIST, NEW, f"{LIST}{pk}/", f"{LIST}{pk}/delete/"]
    for url in urls:
        response = Client().get(url)
        assert (response.status_code, response["Location"]) == (
            302,
            f"/accounts/login/?next={url}",
        )
    for user in (field_partner, advocate):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [403, 403, 403, 403]
        assert client.post(f"{LIST}{pk}/delete/").status_code == 403
    assert ContextEvent.objects.filter(pk=pk).exists()


def test_the_list_and_a_form_that_names_the_bad_field(moderator_client, places, operations):
    page = moderator_client.get(LIST).content.decode()
    assert page.index("Elsewhere") < page.index("Operation 1111") < page.index("Operation 1107")
    response = moderator_client.post(
        NEW,
        {"name": "Operation X", "kind": "operation", "start_date": "2023-11-20",
         "end_date": "2023-11-02", "area": "MMR777", "sources": ["999999"]},
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["sources"] == [
        "Select a valid choice. 999999 is not one of the available choices."
    ]
    response = moderator_client.post(
        NEW,
        {"name": "Operation X", "kind": "operation", "start_date": "2023-11-20",
         "end_date": "2023-11-02", "area": "MMR777"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "end_date": ["The end (2023-11-02) is before the start (2023-11-20)."],
        "area": ["Unknown place 'MMR777': give a P-code of the gazetteer."],
    }
    assert "The end (2023-11-02) is before the start (2023-11-20)." in response.content.decode()
    # A date in another order is refused, not read as American (11 December, not 12 November).
    response = moderator_client.post(
        NEW,
        {"name": "Operation X", "kind": "operation", "start_date": "11/12/2023",
         "area": "MMR002001"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors == {"start_date": ["Enter a date as YYYY-MM-DD."]}
    assert not ContextEvent.objects.filter(name="Operation X").exists()
    response = moderator_client.post(
        NEW,
        {"name": "Operation X", "kind": "operation", "start_date": "2023-11-20",
         "end_date": "၂၀၂၃-၁၁-၂၂", "area": "MMR002001"},
    )  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, LIST)
    made = ContextEvent.objects.get(name="Operation X")
    assert (made.start_date, made.end_date, made.area.pcode) == (
        date(2023, 11, 20),
        date(2023, 11, 22),
        "MMR002001",
    )


def test_delete_asks_first_and_needs_the_csrf_token(moderator, moderator_client, operations):
    pk = operations["1107"].pk
    page = moderator_client.get(f"{LIST}{pk}/delete/").content.decode()
    assert "Delete “Operation 1107”?" in page and 'name="csrfmiddlewaretoken"' in page
    assert ContextEvent.objects.filter(pk=pk).exists()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator)
    assert strict.post(f"{LIST}{pk}/delete/").status_code == 403
    assert ContextEvent.objects.filter(pk=pk).exists()
    response = moderator_client.post(f"{LIST}{pk}/delete/")
    assert (response.status_code, response["Location"]) == (302, LIST)
    assert not ContextEvent.objects.filter(pk=pk).exists()


# --- on the dashboard ---------------------------------------------------------------------


def chart_of(page: str, metric: str) -> str:
    start = page.index(f'id="chart-{metric}-title"')
    return page[start : page.index("</ol>", start)]


def test_bands_and_markers_on_the_chart_of_november(client, loikaw_flow, operations):
    page = client.get(
        "/dashboard/?area=MMR002&start=2023-11-01&end=2023-11-30&metric=newly_displaced"
    ).content.decode()
    chart = chart_of(page, "newly_displaced")
    op1107, op1111 = operations["1107"].pk, operations["1111"].pk
    # Five weeks over 304 units: 60.8 a week. 7 Nov is the 2nd day of the week of 6 Nov; 11
    # Nov its 6th; 21 Nov the 2nd of the week of 20 Nov.
    drawn = r"<(?:line|rect) class=\"trigger-[^>]+>|<text class=\"trigger-no\"[^<]+"
    assert re.findall(drawn, chart) == [
        '<line class="trigger-mark" x1="109.8" x2="109.8" y1="22" y2="140">',
        '<text class="trigger-no" x="109.8" y="19">1',
        '<rect class="trigger-band" x="140.2" y="22" width="95.5" height="118">',
        '<text class="trigger-no" x="144.7" y="19">2',
    ]  # fmt: skip
    assert f'<a href="/dashboard/context/{op1107}/" class="trigger">' in chart
    key = chart[chart.index('<ol class="chart-triggers help">') :]
    items = re.findall(r"<li>(.*?)</li>", key)
    assert [" ".join(re.sub(r"<[^>]+>", " ", i).split()) for i in items] == [
        "1 Operation 1107 7 Nov 2023",
        "2 Operation 1111 11 Nov 2023–21 Nov 2023",
    ]
    assert f'<a href="/dashboard/context/{op1111}/">Operation 1111</a>' in key
    assert "Elsewhere" not in page  # Shan (South) beside Kayah: a sibling, left out


def test_only_the_areas_around_the_question(client, loikaw_flow, operations):
    loikaw = client.get("/dashboard/?area=MMR002001&start=2023-11-01&end=2023-11-30")
    names = [t["name"] for t in loikaw.context["triggers"]]
    assert names == ["Operation 1111"]  # Demoso is Loikaw's sibling
    town = client.get("/dashboard/?area=MMR002001701&start=2023-11-01&end=2023-11-30")
    assert [t["name"] for t in town.context["triggers"]] == ["Operation 1111"]  # contains it
    december = client.get("/dashboard/?area=MMR002&start=2023-12-01&end=2023-12-31")
    assert december.context["triggers"] == []
    assert "trigger" not in december.content.decode()


def test_the_axis_is_the_question_or_the_data(client, loikaw_flow):
    asked = client.get("/dashboard/?area=MMR002&start=2023-11-01&end=2023-11-30")
    assert [(r["row"].start, r["row"].end) for r in asked.context["periods"]] == [
        (date(2023, 11, 1), date(2023, 11, 5)),
        (date(2023, 11, 6), date(2023, 11, 12)),
        (date(2023, 11, 13), date(2023, 11, 19)),
        (date(2023, 11, 20), date(2023, 11, 26)),
        (date(2023, 11, 27), date(2023, 11, 30)),
    ]
    # No dates: from the first to the last day holding data, not to today.
    open_ended = client.get("/dashboard/?area=MMR002")
    assert [(r["row"].start, r["row"].end, r["label"]) for r in open_ended.context["periods"]] == [
        (date(2023, 11, 11), date(2023, 11, 12), "week of 6 Nov 2023"),
        (date(2023, 11, 13), date(2023, 11, 13), "week of 13 Nov 2023"),
    ]
    # A start alone: from it to the last day holding data.
    started = client.get("/dashboard/?area=MMR002&start=2023-10-01&period=month")
    assert [r["label"] for r in started.context["periods"]] == ["Oct 2023", "Nov 2023"]


def test_a_stale_stock_is_not_drawn_as_if_current(client, field_partner, moderator, file_report):
    _approved(
        file_report(
            field_partner,
            title="Camp registers",
            start_date=date(2023, 4, 30),
            end_date=None,
            figures=[dict(metric="currently_displaced", qualifier="exact", value=5000)],
        ),
        field_partner,
        moderator,
    )
    response = client.get(
        "/dashboard/?area=MMR002&start=2023-10-01&end=2023-11-30&period=month"
        "&metric=currently_displaced"
    )
    page = response.content.decode()
    chart = page[page.index('id="chart-currently_displaced-title"') :]
    chart = chart[: chart.index("</svg>")]
    # 30 Apr is 154 days before 1 Oct... but 184 before 31 Oct: both months stale, no bar.
    assert re.findall(r"<rect[^>]*>", chart) == [
        '<rect class="stale gone" x="58.8" y="124" width="106.4" height="4" '
        'fill="url(#chart-currently_displaced-hatch)">',
        '<rect class="stale gone" x="210.8" y="124" width="106.4" height="4" '
        'fill="url(#chart-currently_displaced-hatch)">',
    ]
    assert "Strip on the axis, no bar: every figure standing is more than 180 days old" in page
    rows = [[c["text"], c["stale"]] for r in response.context["periods"] for c in r["cells"]]
    assert rows == [["5,000", True], ["5,000", True]]
    table = page[page.index('id="period-table"') : page.index("</table>")]
    assert table.count('<td class="stale">') == 2 and table.count(">stale</small>") == 2


# --- the public page and the API ----------------------------------------------------------


def test_the_public_page_shows_sources_in_public_shape(client, operations):
    event = operations["1111"]
    page = client.get(f"/dashboard/context/{event.pk}/").content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Operation 1111 Kind Operation When 11 Nov 2023 – 21 Nov 2023 Where Loikaw Township" in (
        text
    )
    assert "confidential local source" in text
    assert "Camp committee X" not in page
    assert '<a href="https://www.irrawaddy.com/" rel="noopener noreferrer">The Irrawaddy' in page
    assert client.get("/dashboard/context/999999/").status_code == 404


def test_the_api_lists_them_with_public_sources(api, operations, news_source):
    op1111 = operations["1111"]
    response = api.get(f"/api/v1/context-events/{op1111.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": op1111.pk,
        "name": "Operation 1111",
        "kind": "operation",
        "start_date": "2023-11-11",
        "end_date": "2023-11-21",
        "area": {
            "pcode": "MMR002001",
            "admin_level": 3,
            "kind": "Township",
            "name": "Loikaw Township",
            "name_local": "",
        },
        "description": "",
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
            },
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
            },
        ],
        "page": f"/dashboard/context/{op1111.pk}/",
    }
    listed = api.get("/api/v1/context-events/?area=MMR002001701&start=2023-11-01").json()
    assert (listed["next"], [e["name"] for e in listed["results"]]) == (None, ["Operation 1111"])
    assert api.get("/api/v1/context-events/?area=MMR002").json()["results"][0]["name"] == (
        "Operation 1107"
    )
    assert api.get("/api/v1/context-events/?area=NOPE").json() == {
        "type": "validation_error",
        "errors": [{"code": "invalid", "detail": "Unknown area code 'NOPE'.", "attr": "area"}],
    }
    assert api.get("/api/v1/context-events/999999/").status_code == 404


def test_the_briefing_lists_the_triggers(client, loikaw_flow, operations):
    from django.template.loader import render_to_string

    response = client.get("/dashboard/briefing/?area=MMR002&start=2023-11-01&end=2023-11-30")
    page = response.content.decode()
    listed = page[page.index('<section class="triggers"') :]
    listed = listed[: listed.index("</section>")]
    items = re.findall(r"<li>(.*?)</li>", listed, re.S)
    assert [" ".join(re.sub(r"<[^>]+>", " ", i).split()) for i in items] == [
        "1 Operation 1107 Offensive · 7 Nov 2023 · Demoso Township",
        "2 Operation 1111 Operation · 11 Nov 2023–21 Nov 2023 · Loikaw Township",
    ]
    assert render_to_string("reports/dashboard/_triggers.html", {"triggers": []}).strip() == ""
