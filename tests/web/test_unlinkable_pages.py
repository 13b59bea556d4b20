"""Nothing public tells two reports resting on one confidential source from two resting on two,
and an id of unapproved work answers as an id that does not exist (DOMAIN.md, "Visibility and
protection"): the pages, the briefing, the downloads and the API, compared byte for byte."""

import io
import re
from datetime import date

import openpyxl
import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from rest_framework.test import APIClient

from reports import exports, services
from reports.models import Event
from tests import dashboard_data

QUESTION = "area=MMR002&start=2023-11-01&end=2023-11-30"
PAGES = [
    "/",
    f"/dashboard/?{QUESTION}",
    f"/dashboard/?{QUESTION}&metric=killed",
    f"/dashboard/evidence/?{QUESTION}&metric=killed",
    f"/dashboard/briefing/?{QUESTION}",
    *(f"/dashboard/download/{name}?{QUESTION}" for name in exports.DOWNLOADS),
]
API = [
    "/api/v1/reports/",
    "/api/v1/reports/?format=csv",
    "/api/v1/reports/?format=hxl",
    "/api/v1/reports/?format=geojson",
    "/api/v1/reports/?page_size=1",
    "/api/v1/sources/",
    "/api/v1/sources/?format=csv",
    "/api/v1/sources/?page_size=1",
    "/api/v1/events/",
    f"/api/v1/aggregates/?{QUESTION}",
    f"/api/v1/aggregates/?{QUESTION}&format=csv",
]
# What differs between two identical requests: the CSP nonce, the CSRF token, a cursor's
# random nonce, and the times things were approved and the pages made.
VARYING = [
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), "csrf"),
    (re.compile(r"cursor=[A-Za-z0-9_%-]+"), "cursor="),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?"), "<time>"),
    (re.compile(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}"), "<generated>"),
    # The downloads' "Generated" row (to the minute: two worlds built across a minute's turn
    # would otherwise differ).
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}( \S+)?"), "<generated>"),
]


def _unvarying(value):
    if isinstance(value, str):
        for pattern, replacement in VARYING:
            value = pattern.sub(replacement, value)
    return value


def normalised(response) -> object:
    assert response.status_code == 200, response.content[:500]
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return {
            sheet.title: [tuple(map(_unvarying, row)) for row in sheet.iter_rows(values_only=True)]
            for sheet in book
        }
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    return _unvarying(content)


def reset_sequences():
    """Ids start where they did before (PostgreSQL's sequences do not roll back)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)


@pytest.fixture
def outputs_of(places, news_source, field_partner, moderator, file_report, advocate):
    """outputs_of(shared) -> every public output of two approved reports citing a public
    source and one confidential source each: the same one (shared) or two different ones.
    Each world is built and read inside a savepoint that is then rolled back, so both start
    from the same ids."""

    def build(shared: bool) -> None:
        first = services.source_create(
            actor=field_partner,
            source_type="local_cso",
            name="Camp committee X",
            published_on=date(2023, 11, 12),
            is_confidential=True,
        )
        second = first
        if not shared:
            second = services.source_create(
                actor=field_partner,
                source_type="local_cso",
                name="Women's group Y",
                published_on=date(2023, 11, 14),
                is_confidential=True,
            )
        for source in (first, second):
            dashboard_data._approved(
                file_report(
                    field_partner,
                    title="Two villagers killed in Loikaw",
                    cause="airstrike",
                    figures=[dict(metric="killed", qualifier="exact", value=2)],
                    sources=[news_source, source],
                ),
                field_partner,
                moderator,
            )

    def outputs(shared: bool) -> dict:
        from django.test import Client

        reset_sequences()
        pages, api = Client(), APIClient()
        api.force_authenticate(advocate)
        with transaction.atomic():
            build(shared)
            read = {url: normalised(pages.get(url)) for url in PAGES}
            read |= {url: normalised(api.get(url)) for url in API}
            transaction.set_rollback(True)
        return read

    return outputs


def test_one_shared_confidential_source_reads_as_two_separate_ones_everywhere(outputs_of):
    shared, separate = outputs_of(True), outputs_of(False)
    for url in PAGES + API:
        assert shared[url] == separate[url], url
    # And what they both say.
    briefing = shared[f"/dashboard/briefing/?{QUESTION}"]
    assert "3 sources (1 public, 2 confidential)" in briefing
    assert "confidential local source (2 sources)" in re.sub(r"<[^>]+>", "", briefing)
    assert "Camp committee X" not in str(shared) and "Women" not in str(separate)


def test_the_briefing_counts_public_and_confidential_sources(client, scenario):
    text = client.get(f"/dashboard/briefing/?{dashboard_data.QUESTION}").content.decode()
    assert (
        '<p class="sources-count">3 sources (2 public, 1 confidential). Confidential sources are '
        "named by their type only, and each counts once per report citing it.</p>"
    ) in text


# --- unapproved answers as absent ---------------------------------------------------------------


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode()
    for pattern, replacement in VARYING:
        text = pattern.sub(replacement, text)
    return text


def without(number: int, text: str) -> str:
    """The text with the event's id replaced where it is the id: "#7", "event=7", the form's
    hidden field (other numbers on the page are left as they are)."""
    return re.sub(rf'(#|event=|name="event" value="){number}(?!\d)', r"\1N", text)


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/?event={}",
        "/dashboard/?event={}&metric=killed",
        "/dashboard/evidence/?event={}&metric=killed",
        "/dashboard/briefing/?event={}",
        *(f"/dashboard/download/{name}?event={{}}" for name in exports.DOWNLOADS),
    ],
)
def test_an_event_with_only_unapproved_reports_answers_as_one_that_does_not_exist(
    client, unapproved_event, path
):
    missing = Event.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    unapproved = client.get(path.format(unapproved_event.pk))
    absent = client.get(path.format(missing))
    assert unapproved.status_code == absent.status_code == 400
    assert without(unapproved_event.pk, body(unapproved)) == without(missing, body(absent))
    assert "unconfirmed shelling" not in body(unapproved)
