"""The moderation queue at a million reports: each status is counted up to a limit and says
"over" beyond it (counting every report on each load cost more than the rest of the page), a
searched queue counts in one grouped query, and the place suggestions come from the reports'
places without reading every report."""

import re

import pytest

from reports import services
from reports.views import moderation as moderation_views

QUEUE = "/moderation/"


def text(response) -> str:
    return " ".join(response.content.decode().split())


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="pick-(\d+)"', response.content.decode())]


def tabs(response) -> dict[str, str]:
    """Each status tab's label and count, as shown."""
    nav = re.search(r'<nav class="status-tabs".*?</nav>', text(response)).group(0)
    return dict(re.findall(r'">([^<]+?) <span class="count">([^<]+)</span>', nav))


@pytest.fixture
def submitted(field_partner, file_report):
    def submit(**fields):
        return services.report_submit(
            report=file_report(field_partner, **fields), actor=field_partner
        )

    return [submit(title=f"Report {n}") for n in range(4)]


def test_counts_up_to_the_limit_then_over(moderator_client, submitted, monkeypatch):
    monkeypatch.setattr(moderation_views, "COUNT_LIMIT", 3)
    monkeypatch.setattr(moderation_views, "QUEUE_PAGE_SIZE", 2)
    response = moderator_client.get(QUEUE)
    assert tabs(response) == {
        "Any status": "over 3",
        "Submitted": "over 3",
        "Changes requested": "0",
        "Approved": "0",
        "Rejected": "0",
        "Retracted": "0",
        "Draft": "0",
    }
    assert "<strong>More than 3</strong> reports match; showing 1–2." in text(response)
    assert listed(response) == [r.pk for r in submitted[:2]]
    # The pages stop at the limit: the second page is the last.
    second = moderator_client.get(QUEUE, {"page": "2"})
    assert listed(second) == [submitted[2].pk]
    assert "Page 2 of 2" in text(second)


def test_exact_counts_under_the_limit(moderator_client, submitted, moderator):
    services.report_approve(report=submitted[0], actor=moderator)
    response = moderator_client.get(QUEUE)
    assert tabs(response)["Submitted"] == "3"
    assert tabs(response)["Approved"] == "1"
    assert tabs(response)["Any status"] == "4"
    assert "<strong>3</strong> reports match; showing 1–3." in text(response)


def test_a_searched_queue_counts_each_status(moderator_client, submitted, moderator, monkeypatch):
    monkeypatch.setattr(moderation_views, "COUNT_LIMIT", 2)
    services.report_approve(report=submitted[0], actor=moderator)
    response = moderator_client.get(QUEUE, {"q": "report", "status": ""})
    assert tabs(response)["Submitted"] == "over 2"
    assert tabs(response)["Approved"] == "1"
    assert tabs(response)["Any status"] == "over 2"
    only_approved = moderator_client.get(QUEUE, {"q": "report", "status": "approved"})
    assert "<strong>1</strong> report matches; showing 1–1." in text(only_approved)


def test_place_suggestions_are_the_reports_places_and_above(moderator_client, submitted):
    page = moderator_client.get(QUEUE).content.decode()
    options = re.search(r'<datalist id="place-options">(.*?)</datalist>', page).group(1)
    assert re.findall(r'<option value="([^"]+)">([^<]+)</option>', options) == [
        ("MMR002", "Kayah (State / region)"),
        ("MMR002D001", "Loikaw District (District)"),
        ("MMR002001", "Loikaw Township (Township)"),
    ]
